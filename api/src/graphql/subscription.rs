//! Live status over WebSocket (the graphql-ws protocol, `graphql-transport-ws`; the older
//! `graphql-ws` subprotocol too): a document on its way to the index, an ingest run's progress.
//!
//! Each subscription reads its row again at a short interval and sends it when it changed,
//! rather than listening to in-process events: the worker that extracts a document and the
//! indexer that marks it may run in other processes (`planarkiv worker`, another replica), and
//! the database is what they all write to. A read by primary key a second is cheap; the number
//! of subscriptions a connection may hold bounds the rest.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Subscription, ID};
use futures::stream::BoxStream;
use futures::StreamExt;
use sea_orm::EntityTrait;

use planarkiv_schema::entities::{document, ingest_run, DocumentStatus as DbStatus};
use planarkiv_schema::ids::{self, IdKind};

use super::document::Document;
use super::error::{ApiError, GqlResult};
use super::ingest_run::IngestRun;
use crate::auth::{require, Role};

/// How often a subscription reads its row again.
const POLL: Duration = Duration::from_millis(250);

/// How often an ingest run's progress is counted (a grouped count over its files).
const RUN_POLL: Duration = Duration::from_secs(1);

/// Subscriptions one WebSocket connection may hold at once.
pub const MAX_PER_CONNECTION: usize = 32;

/// The places for subscriptions on one WebSocket connection, put in its data by the HTTP
/// layer; a subscription holds one until it ends.
#[derive(Clone)]
pub struct Slots(pub Arc<tokio::sync::Semaphore>);

impl Default for Slots {
    fn default() -> Self {
        Slots(Arc::new(tokio::sync::Semaphore::new(MAX_PER_CONNECTION)))
    }
}

fn take_slot(ctx: &Context<'_>) -> GqlResult<Option<tokio::sync::OwnedSemaphorePermit>> {
    let Some(slots) = ctx.data_opt::<Slots>() else {
        return Ok(None);
    };
    match slots.0.clone().try_acquire_owned() {
        Ok(p) => Ok(Some(p)),
        Err(_) => Err(ApiError::ServiceUnavailable(format!(
            "a connection may hold at most {MAX_PER_CONNECTION} subscriptions; end one first"
        ))
        .into()),
    }
}

#[derive(Default)]
pub struct Subscription;

/// Live status over a WebSocket on `/graphql` (graphql-ws): each subscription sends the object
/// now and again when it changes, and ends when nothing more will change.
#[Subscription]
impl Subscription {
    /// The document now, then again each time its status, error, title or page count changes;
    /// ends after it reaches INDEXED or FAILED. NOT_FOUND when there is no such document, or
    /// when it is deleted meanwhile.
    async fn document_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document's global id (from `uploadDocument`).")] id: ID,
    ) -> async_graphql::Result<BoxStream<'static, GqlResult<Document>>> {
        require(ctx, Role::Reader)?;
        let row = ids::decode(IdKind::Document, &id).map_err(ApiError::from)?;
        let db = super::app_state(ctx)?.db.clone();
        let first = document::Entity::find_by_id(row)
            .one(&db)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::NotFound(format!("no document with id {}", id.as_str())))?;
        let slot = take_slot(ctx)?;
        // State: the row to send next (if any), the last one sent, whether to stop.
        Ok(futures::stream::unfold(
            (Some(first), None::<document::Model>, false, slot),
            move |(next, last, done, slot)| {
                let db = db.clone();
                async move {
                    if done {
                        return None;
                    }
                    let mut next = next;
                    loop {
                        if let Some(doc) = next.take() {
                            if last.as_ref().is_none_or(|l| changed(l, &doc)) {
                                let terminal =
                                    matches!(doc.status, DbStatus::Indexed | DbStatus::Failed);
                                let item = Ok(Document(doc.clone()));
                                return Some((item, (None, Some(doc), terminal, slot)));
                            }
                        }
                        tokio::time::sleep(POLL).await;
                        match document::Entity::find_by_id(row).one(&db).await {
                            Ok(Some(doc)) => next = Some(doc),
                            Ok(None) => {
                                let e = ApiError::NotFound("the document was deleted".into());
                                return Some((Err(e.into()), (None, last, true, slot)));
                            }
                            Err(e) => {
                                let e = ApiError::from(e);
                                return Some((Err(e.into()), (None, last, true, slot)));
                            }
                        }
                    }
                }
            },
        )
        .boxed())
    }

    /// The ingest run now, then about once a second while its files' counts or its state
    /// change; ends once it is no longer RUNNING.
    async fn ingest_run_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run's global id.")] id: ID,
    ) -> async_graphql::Result<BoxStream<'static, GqlResult<IngestRun>>> {
        require(ctx, Role::Reader)?;
        let row = ids::decode(IdKind::IngestRun, &id).map_err(ApiError::from)?;
        let db = super::app_state(ctx)?.db.clone();
        if ingest_run::Entity::find_by_id(row)
            .one(&db)
            .await
            .map_err(ApiError::from)?
            .is_none()
        {
            return Err(
                ApiError::NotFound(format!("no ingest run with id {}", id.as_str())).into(),
            );
        }
        let slot = take_slot(ctx)?;
        Ok(futures::stream::unfold(
            (None::<RunSnapshot>, false, true, slot),
            move |(last, done, first, slot)| {
                let db = db.clone();
                async move {
                    if done {
                        return None;
                    }
                    if !first {
                        tokio::time::sleep(RUN_POLL).await;
                    }
                    loop {
                        let snap = match RunSnapshot::read(&db, row).await {
                            Ok(Some(s)) => s,
                            Ok(None) => {
                                let e = ApiError::NotFound("the ingest run is gone".into());
                                return Some((Err(e.into()), (last, true, false, slot)));
                            }
                            Err(e) => return Some((Err(e.into()), (last, true, false, slot))),
                        };
                        if last.as_ref() != Some(&snap) {
                            let over = snap.state != "running";
                            let item = Ok(IngestRun(snap.run.clone()));
                            return Some((item, (Some(snap), over, false, slot)));
                        }
                        tokio::time::sleep(RUN_POLL).await;
                    }
                }
            },
        )
        .boxed())
    }
}

/// What a client of `documentStatus` sees change.
fn changed(a: &document::Model, b: &document::Model) -> bool {
    a.status != b.status || a.error != b.error || a.title != b.title || a.page_count != b.page_count
}

/// An ingest run as its progress subscription compares it.
#[derive(Debug, Clone)]
struct RunSnapshot {
    run: ingest_run::Model,
    state: String,
    counts: planarkiv_ingest::bulk::Counts,
}

impl PartialEq for RunSnapshot {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
            && self.counts == other.counts
            && self.run.finished_at == other.run.finished_at
    }
}

impl RunSnapshot {
    async fn read(db: &sea_orm::DatabaseConnection, id: i64) -> Result<Option<Self>, ApiError> {
        let Some(run) = ingest_run::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let counts = planarkiv_ingest::bulk::run_counts(db, id).await?;
        let state = run
            .effective_state(planarkiv_schema::time::now_ms())
            .to_owned();
        Ok(Some(RunSnapshot { run, state, counts }))
    }
}
