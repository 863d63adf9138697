//! The worker: claims extraction jobs, extracts off the async runtime, and writes the pages,
//! the document's new state, the outbox row and the job's completion in one transaction.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use tokio::sync::{Notify, Semaphore};

use planarkiv_schema::entities::{document, job, outbox, page, DocumentStatus, OutboxOp};
use planarkiv_schema::time::now_ms;

use crate::blobs::BlobStore;
use crate::pdf::{self, ExtractOptions};
use crate::queue::{FailOutcome, Queue};
use crate::IngestError;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Extractions running at once in this process.
    pub concurrency: usize,
    /// How long a claimed job is ours before another worker may take it over.
    pub lease: Duration,
    /// Poll interval when idle (a wake-up notification cuts it short).
    pub poll: Duration,
    pub extract: ExtractOptions,
    /// A PostgreSQL URL to LISTEN on for new jobs, so idle workers wake at once instead of at
    /// the next poll. `None` (SQLite, tests) relies on polling and in-process signals.
    pub listen_url: Option<String>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        let extract = ExtractOptions::default();
        Self {
            concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            // Renewed every third of itself while a job runs (see `run_job`), so a live worker
            // keeps its job and a dead one's is taken over within this time.
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(500),
            extract,
            listen_url: None,
        }
    }
}

/// Wake-up signals between the parts of one process: an upload wakes the worker, a finished
/// job wakes the indexer. Other processes are found by polling.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub jobs: Arc<Notify>,
    pub outbox: Arc<Notify>,
    /// The worker found no job to claim: nothing more is coming soon, so the indexer commits
    /// what it has gathered instead of waiting out its window.
    pub drained: Arc<Notify>,
}

#[derive(Clone)]
pub struct Worker {
    db: DatabaseConnection,
    blobs: BlobStore,
    queue: Queue,
    config: WorkerConfig,
    signals: Signals,
    permits: Arc<Semaphore>,
}

/// What running one job did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done {
        pages: usize,
    },
    Failed(String),
    Retry(String),
    /// Another worker took the job over; our result was discarded.
    LostLease,
}

/// A document's text and, unless entity extraction failed, its entities.
type Extraction = (pdf::Extracted, Option<crate::entities::DocumentEntities>);

impl Worker {
    pub fn new(
        db: DatabaseConnection,
        blobs: BlobStore,
        worker_id: impl Into<String>,
        config: WorkerConfig,
        signals: Signals,
    ) -> Self {
        let queue = Queue::new(db.clone(), worker_id, config.lease);
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Self {
            db,
            blobs,
            queue,
            config,
            signals,
            permits,
        }
    }

    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Claims and runs jobs until `shutdown` turns true. Jobs in flight finish first.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut tasks = tokio::task::JoinSet::new();
        if let Some(url) = self.config.listen_url.clone() {
            tasks.spawn(listen_for_jobs(
                url,
                self.signals.jobs.clone(),
                shutdown.clone(),
            ));
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            let permit = tokio::select! {
                p = self.permits.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break,
                },
                _ = shutdown.changed() => continue,
            };
            match self.queue.claim().await {
                Ok(Some(job)) => {
                    let me = self.clone();
                    tasks.spawn(async move {
                        let _permit = permit;
                        let id = job.id;
                        match me.run_job(job).await {
                            Ok(outcome) => tracing::info!(job = id, ?outcome, "job finished"),
                            Err(e) => tracing::error!(job = id, error = %e, "job errored"),
                        }
                    });
                }
                Ok(None) => {
                    drop(permit);
                    self.signals.drained.notify_one();
                    tokio::select! {
                        _ = self.signals.jobs.notified() => {}
                        _ = tokio::time::sleep(self.config.poll) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Err(e) => {
                    drop(permit);
                    tracing::error!(error = %e, "claiming a job failed");
                    tokio::time::sleep(self.config.poll * 4).await;
                }
            }
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Runs one claimed job to its end. Errors returned here are operational (the database went
    /// away); the job's lease then runs out and another attempt follows.
    pub async fn run_job(&self, job: job::Model) -> Result<JobOutcome, IngestError> {
        if job.attempts > job.max_attempts {
            let reason = format!("gave up after {} attempts", job.max_attempts);
            return self.give_up(&job, &reason).await;
        }
        let Some(doc) = document::Entity::find_by_id(job.document_id)
            .one(&self.db)
            .await?
        else {
            // The document was deleted; the job has nothing left to do.
            let txn = self.db.begin().await?;
            self.queue.complete_in(&txn, job.id).await?;
            txn.commit().await?;
            return Ok(JobOutcome::Done { pages: 0 });
        };
        {
            let _turn = crate::db::write_turn(&self.db).await;
            set_status(&self.db, doc.id, DocumentStatus::Processing, None).await?;
        }

        let blobs = self.blobs.clone();
        let sha = doc.sha256.clone();
        let opts = self.config.extract.clone();
        let heartbeat = self.heartbeat(job.id);
        let result = tokio::task::spawn_blocking(move || -> Result<Extraction, IngestError> {
            let bytes = blobs.get(&sha)?;
            let text = pdf::extract(&bytes, &opts)?;
            // A bug in an entity rule must not cost the document its text: the pages are
            // stored and searchable, and the entities wait for the next extraction.
            let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::entities::extract(&text)
            }))
            .map_err(|_| tracing::error!(sha = %sha, "entity extraction panicked"))
            .ok();
            Ok((text, found))
        })
        .await;
        heartbeat.abort();
        let extracted = match result {
            Ok(Ok(x)) => x,
            Ok(Err(IngestError::Pdf(e))) => {
                return self.fail(&job, &e.to_string(), e.is_permanent()).await;
            }
            Ok(Err(e)) => return self.fail(&job, &e.to_string(), false).await,
            // A panic inside the extractor is a bug on this input; retrying will panic again.
            Err(e) => {
                return self
                    .fail(&job, &format!("extractor crashed: {e}"), true)
                    .await
            }
        };
        self.store(&job, &doc, extracted.0, extracted.1).await
    }

    /// Keeps the lease of a running job fresh until aborted.
    fn heartbeat(&self, job_id: i64) -> tokio::task::JoinHandle<()> {
        let queue = self.queue.clone();
        let every = (self.config.lease / 3).max(Duration::from_millis(50));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                match queue.extend_lease(job_id).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(job = job_id, error = %e, "lease renewal failed"),
                }
            }
        })
    }

    async fn store(
        &self,
        job: &job::Model,
        doc: &document::Model,
        x: pdf::Extracted,
        found: Option<crate::entities::DocumentEntities>,
    ) -> Result<JobOutcome, IngestError> {
        let n = x.pages.len();
        let _turn = crate::db::write_turn(&self.db).await;
        let txn = self.db.begin().await?;
        page::Entity::delete_many()
            .filter(page::Column::DocumentId.eq(doc.id))
            .exec(&txn)
            .await?;
        // Inserted in chunks to stay under SQLite's bound-parameter limit.
        let rows: Vec<page::ActiveModel> = x
            .pages
            .iter()
            .map(|p| page::ActiveModel {
                document_id: Set(doc.id),
                number: Set(p.number as i32),
                text: Set(p.text.clone()),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(200) {
            page::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        let mut d: document::ActiveModel = doc.clone().into();
        d.page_count = Set(Some(n as i32));
        d.producer = Set(x.producer.clone());
        // Only a title derived from the file name gives way to the PDF's own: one set by a
        // manifest or by a person is never overwritten by extraction.
        let untouched =
            doc.title.is_none() || doc.title == crate::store::default_title(&doc.filename);
        if let Some(t) = x
            .title
            .as_ref()
            .filter(|t| untouched && is_meaningful_title(t))
        {
            d.title = Set(Some(t.clone()));
        }
        d.status = Set(DocumentStatus::Processing);
        d.error = Set(None);
        d.updated_at = Set(chrono::Utc::now());
        let doc = d.update(&txn).await?;
        if let Some(found) = &found {
            crate::domain::persist(&txn, &doc, found).await?;
        }
        write_outbox(&txn, doc.id, OutboxOp::Upsert).await?;
        if !self.queue.complete_in(&txn, job.id).await? {
            txn.rollback().await?;
            return Ok(JobOutcome::LostLease);
        }
        txn.commit().await?;
        self.signals.outbox.notify_one();
        Ok(JobOutcome::Done { pages: n })
    }

    async fn fail(
        &self,
        job: &job::Model,
        reason: &str,
        permanent: bool,
    ) -> Result<JobOutcome, IngestError> {
        let _turn = crate::db::write_turn(&self.db).await;
        let txn = self.db.begin().await?;
        let outcome = self.queue.fail_in(&txn, job, reason, permanent).await?;
        match outcome {
            FailOutcome::GaveUp => {
                set_status(&txn, job.document_id, DocumentStatus::Failed, Some(reason)).await?;
            }
            FailOutcome::RetryAt(_) => {
                set_status(&txn, job.document_id, DocumentStatus::Queued, Some(reason)).await?;
            }
        }
        txn.commit().await?;
        Ok(match outcome {
            FailOutcome::GaveUp => JobOutcome::Failed(reason.to_owned()),
            FailOutcome::RetryAt(_) => JobOutcome::Retry(reason.to_owned()),
        })
    }

    async fn give_up(&self, job: &job::Model, reason: &str) -> Result<JobOutcome, IngestError> {
        self.fail(job, reason, true).await
    }
}

/// Wakes the worker whenever a job is announced on PostgreSQL. Reconnects after errors; polling
/// covers the gaps.
async fn listen_for_jobs(
    url: String,
    wake: Arc<Notify>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for jobs; polling only");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(10)) => continue,
                    _ = shutdown.changed() => return,
                }
            }
        };
        if let Err(e) = listener.listen(crate::queue::NOTIFY_CHANNEL).await {
            tracing::warn!(error = %e, "LISTEN failed; polling only");
            return;
        }
        loop {
            tokio::select! {
                n = listener.recv() => match n {
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "job notifications lost; reconnecting");
                        break;
                    }
                },
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// PDF producers often write placeholders such as "Microsoft Word - sak.docx" or "untitled".
fn is_meaningful_title(t: &str) -> bool {
    let l = t.to_lowercase();
    // A single token with underscores or dots is a file name, not a title.
    let looks_like_filename = !t.contains(' ') && (t.contains('_') || t.contains('.'));
    t.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !l.starts_with("microsoft word")
        && !l.ends_with(".docx")
        && !l.ends_with(".doc")
        && l != "untitled"
        && l != "uten tittel"
        && !looks_like_filename
}

async fn set_status<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
    status: DocumentStatus,
    error: Option<&str>,
) -> Result<(), IngestError> {
    document::Entity::update_many()
        .col_expr(document::Column::Status, status.into())
        .col_expr(
            document::Column::Error,
            sea_orm::sea_query::Expr::value(error.map(str::to_owned)),
        )
        .col_expr(
            document::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(document::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes an outbox row. On PostgreSQL, sequence values are handed out before commit, so a
/// later seq could become visible before an earlier one and the indexer would skip it; a
/// transaction-scoped advisory lock makes outbox writers commit in seq order.
pub async fn write_outbox<C: sea_orm::ConnectionTrait>(
    txn: &C,
    document_id: i64,
    op: OutboxOp,
) -> Result<(), IngestError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7263100001)")
            .await?;
    }
    outbox::ActiveModel {
        document_id: Set(document_id),
        op: Set(op),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
