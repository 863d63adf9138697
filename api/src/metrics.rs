//! Prometheus metrics at `/metrics`: request counts and latencies recorded by a middleware, and
//! the archive's state (jobs by state, documents by status, pages, index lag behind the outbox)
//! read from the database at scrape time, so every API process reports the same truth.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use sea_orm::{ConnectionTrait, Statement};

use crate::app::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    path: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PathLabels {
    path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

/// The process's request metrics. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<PathLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
        }
    }
}

/// Records every request's method, route, status and duration.
pub async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    m.requests
        .get_or_create(&RequestLabels {
            method,
            path: path.clone(),
            status: resp.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&PathLabels { path })
        .observe(started.elapsed().as_secs_f64());
    resp
}

async fn count_by(
    db: &sea_orm::DatabaseConnection,
    sql: &str,
) -> Result<Vec<(String, i64)>, sea_orm::DbErr> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get_by_index::<String>(0)?,
                r.try_get_by_index::<i64>(1)?,
            ))
        })
        .collect()
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}

/// Renders the OpenMetrics text.
pub async fn render(state: &AppState, m: &Metrics) -> Result<String, sea_orm::DbErr> {
    let mut reg = Registry::with_prefix("planarkiv");
    reg.register(
        "http_requests",
        "HTTP requests by method, route and status",
        m.requests.clone(),
    );
    reg.register(
        "http_request_duration_seconds",
        "HTTP request latency by route",
        m.latency.clone(),
    );

    let jobs = Family::<StateLabels, Gauge>::default();
    for (s, n) in count_by(&state.db, "SELECT state, COUNT(*) FROM jobs GROUP BY state").await? {
        jobs.get_or_create(&StateLabels { state: s }).set(n);
    }
    reg.register("jobs", "Jobs in the queue by state", jobs);

    let docs = Family::<StateLabels, Gauge>::default();
    for (s, n) in count_by(
        &state.db,
        "SELECT status, COUNT(*) FROM documents GROUP BY status",
    )
    .await?
    {
        docs.get_or_create(&StateLabels { state: s }).set(n);
    }
    reg.register("documents", "Documents by status", docs);

    let pages: Counter = Counter::default();
    pages.inc_by(
        scalar(
            &state.db,
            "SELECT CAST(COALESCE(SUM(page_count), 0) AS BIGINT) FROM documents WHERE status = 'indexed'",
        )
        .await?
        .max(0) as u64,
    );
    reg.register(
        "indexed_pages",
        "Pages of indexed documents; its rate is the ingest rate in pages per second",
        pages,
    );

    let head = scalar(
        &state.db,
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM outbox",
    )
    .await?;
    let applied = state.index.payload().map(|p| p.seq).unwrap_or(0);
    let lag: Gauge = Gauge::default();
    lag.set((head - applied).max(0));
    reg.register(
        "index_lag",
        "Outbox changes this process's index has not applied yet",
        lag,
    );

    let mut out = String::new();
    encode(&mut out, &reg).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    Ok(out)
}
