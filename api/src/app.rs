//! One state struct for the whole process, and the startup that builds it: open the database
//! (migrating it), the blob store and the index, then start the indexer and the worker.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::sync::watch;
use tokio::task::JoinSet;

use planarkiv_ingest::blobs::BlobStore;
use planarkiv_ingest::index::{Indexer, SearchIndex};
use planarkiv_ingest::worker::{Signals, Worker, WorkerConfig};
use planarkiv_schema::entities::document;

use crate::config::Config;
use crate::graphql::{build_schema, ApiSchema};

/// Shared by every request handler and background task.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub blobs: BlobStore,
    pub index: Arc<SearchIndex>,
    pub signals: Signals,
}

/// A running planarkiv: its state, schema and background tasks.
pub struct App {
    pub state: AppState,
    pub schema: ApiSchema,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl App {
    /// Opens everything and starts the background tasks. The index is reconciled with the
    /// database before this returns, so searches never see a stale index at startup.
    pub async fn start(config: Config) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
        let db = planarkiv_ingest::db::connect(&config.database_url())
            .await
            .context("cannot open the database")?;
        let blobs = BlobStore::open(config.blob_dir()).context("cannot open the blob store")?;
        let index_dir = config.index_dir();
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&index_dir))
            .await?
            .context("cannot open the search index")?;
        let index = Arc::new(index);
        let signals = Signals::default();
        let state = AppState {
            config: Arc::new(config),
            db: db.clone(),
            blobs: blobs.clone(),
            index: index.clone(),
            signals: signals.clone(),
        };

        let indexer = Indexer::new(db.clone(), index.clone(), signals.outbox.clone())
            .commit_when_drained(signals.drained.clone());
        indexer
            .reconcile()
            .await
            .context("cannot bring the search index in step with the database")?;

        // Documents read by older entity rules are read again by the current ones, in the
        // background of a running archive (they stay searchable meanwhile).
        let outdated =
            planarkiv_ingest::queue::requeue(&db, planarkiv_ingest::queue::Requeue::Outdated)
                .await
                .context("cannot queue documents read by older entity rules")?;
        if outdated > 0 {
            tracing::info!(
                documents = outdated,
                rules = planarkiv_ingest::domain::EXTRACTOR_VERSION,
                "queued documents read by older entity rules for extraction"
            );
        }

        let (shutdown, rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tasks.spawn(indexer.run(rx.clone()));
        if state.config.worker {
            let mut wc = WorkerConfig {
                concurrency: state.config.worker_concurrency,
                lease: state.config.job_lease,
                listen_url: state.config.postgres_url(),
                ..WorkerConfig::default()
            };
            wc.extract.ocr = state.config.ocr.clone();
            let worker_id = format!("{}:{}", hostname(), std::process::id());
            let worker = Worker::new(db.clone(), blobs.clone(), worker_id, wc, signals.clone())?;
            tasks.spawn(worker.run(rx.clone()));
        }
        let schema = build_schema(Some(state.clone()));
        let app = App {
            state,
            schema,
            shutdown,
            tasks,
        };
        if app.state.config.demo {
            app.load_demo().await?;
        }
        Ok(app)
    }

    pub fn router(&self) -> axum::Router {
        crate::http::router(self.state.clone(), self.schema.clone())
    }

    /// Stops the background tasks: the worker finishes the jobs in flight first.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
    }

    /// Ingests the bundled sample PDFs when the archive is empty.
    async fn load_demo(&self) -> anyhow::Result<()> {
        let count = document::Entity::find().count(&self.state.db).await?;
        if count > 0 {
            tracing::info!(
                documents = count,
                "archive is not empty; demo data not loaded"
            );
            return Ok(());
        }
        let dir = demo_dir();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot read the sample directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
            .collect();
        files.sort();
        for path in files {
            let bytes = std::fs::read(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let accepted = planarkiv_ingest::store::accept_file(
                &self.state.db,
                &self.state.blobs,
                &planarkiv_ingest::store::Submission::named(name.as_str()),
                &bytes,
                self.state.config.max_upload_bytes,
            )
            .await?;
            tracing::info!(file = %name, id = accepted.document.id, "demo document queued");
        }
        self.state.signals.jobs.notify_one();
        Ok(())
    }
}

/// The sample PDFs ship in the repository's `samples/`; `PLANARKIV_SAMPLES` overrides it for
/// installs that put them elsewhere.
fn demo_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("PLANARKIV_SAMPLES") {
        return d.into();
    }
    let here = Path::new("samples");
    if here.is_dir() {
        return here.to_owned();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}
