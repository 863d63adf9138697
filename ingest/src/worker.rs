//! The worker: claims extraction jobs, extracts off the async runtime, and writes the pages,
//! the document's new state, the outbox row and the job's completion in one transaction.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use planarkiv_schema::entities::{document, job, outbox, page, DocumentStatus, OutboxOp};
use planarkiv_schema::time::now_ms;

use crate::blobs::BlobStore;
use crate::pdf::{self, ExtractOptions};
use crate::queue::{FailOutcome, Failure, Queue};
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
    /// Extractions running at once.
    permits: Arc<Semaphore>,
    /// Extracted documents waiting for, or in, their write. A job hands its extraction permit
    /// on as soon as it holds one of these, so the next file is extracted while this one is
    /// written; the bound keeps results from piling up when the database is the slower side.
    writes: Arc<Semaphore>,
    extractors: Extractors,
}

/// Nice value of the extraction threads. Extraction is the bulk of the CPU work and nobody
/// waits on any single file, while the database writes, the index and the GraphQL server in
/// the same process are short turns others wait on: run below them, extraction takes only
/// what they leave and they never queue behind it.
const EXTRACTION_NICENESS: i32 = 10;

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

/// Where a claimed job stands after [`Worker::start`].
enum Started {
    Extract(Box<document::Model>),
    /// Nothing to extract: the job ended (gave up, or its document is gone).
    Finished(JobOutcome),
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
    ) -> Result<Self, IngestError> {
        let mut config = config;
        // No more OCR processes than extraction slots, so OCR never takes cores that uploads,
        // writes and search need.
        config.extract.ocr = config
            .extract
            .ocr
            .take()
            .map(|o| o.with_slots(config.concurrency));
        let queue = Queue::new(db.clone(), worker_id, config.lease);
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        let writes = Arc::new(Semaphore::new(config.concurrency.max(1)));
        let extractors = Extractors::new(config.concurrency)?;
        Ok(Self {
            db,
            blobs,
            queue,
            config,
            signals,
            permits,
            writes,
            extractors,
        })
    }

    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// The extraction threads, for a caller that extracts bytes it already holds (bulk ingest).
    pub fn extractors(&self) -> Extractors {
        self.extractors.clone()
    }

    /// Claims and runs jobs until `shutdown` turns true. Jobs in flight finish first.
    ///
    /// The next job is claimed and started (its writes done) while the current ones are being
    /// extracted, so an extraction slot that frees up is filled at once instead of waiting for
    /// the claim's turn at the database behind the other writers.
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
            match self.claim_and_mark().await {
                Ok(Some(job)) => {
                    let id = job.id;
                    // The lease is kept from the claim on: the job may wait for a slot.
                    let heartbeat = self.heartbeat(id);
                    let doc = match self.start(&job, true).await {
                        Ok(Started::Extract(doc)) => doc,
                        Ok(Started::Finished(outcome)) => {
                            heartbeat.abort();
                            tracing::info!(job = id, ?outcome, "job finished");
                            continue;
                        }
                        Err(e) => {
                            heartbeat.abort();
                            tracing::error!(job = id, error = %e, "job errored");
                            continue;
                        }
                    };
                    // Claimed means in flight: it runs even if a stop comes while it waits.
                    let Ok(permit) = self.permits.clone().acquire_owned().await else {
                        break;
                    };
                    let me = self.clone();
                    tasks.spawn(async move {
                        let outcome = me.extract_and_write(&job, &doc, Some(permit)).await;
                        heartbeat.abort();
                        match outcome {
                            Ok(outcome) => tracing::info!(job = id, ?outcome, "job finished"),
                            Err(e) => tracing::error!(job = id, error = %e, "job errored"),
                        }
                    });
                }
                Ok(None) => {
                    self.signals.drained.notify_one();
                    tokio::select! {
                        _ = self.signals.jobs.notified() => {}
                        _ = tokio::time::sleep(self.config.poll) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Err(e) => {
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
        let heartbeat = self.heartbeat(job.id);
        let outcome = match self.start(&job, false).await {
            Ok(Started::Extract(doc)) => self.extract_and_write(&job, &doc, None).await,
            Ok(Started::Finished(outcome)) => Ok(outcome),
            Err(e) => Err(e),
        };
        heartbeat.abort();
        outcome
    }

    /// Claims the next job and marks its document as processing in one turn at the database:
    /// each turn is a wait behind the other writers, and a claim is always followed by this.
    async fn claim_and_mark(&self) -> Result<Option<job::Model>, IngestError> {
        let _turn = crate::db::write_turn(&self.db).await;
        let Some(job) = self.queue.claim_in_turn().await? else {
            return Ok(None);
        };
        // A job past its attempts is given up instead (see `start`); a deleted document has
        // no row to mark.
        if job.attempts <= job.max_attempts {
            set_status(&self.db, job.document_id, DocumentStatus::Processing, None).await?;
        }
        Ok(Some(job))
    }

    /// What a claimed job needs before its extraction: its document, marked as processing
    /// unless `marked` says that was done at the claim.
    async fn start(&self, job: &job::Model, marked: bool) -> Result<Started, IngestError> {
        if job.attempts > job.max_attempts {
            let reason = format!("gave up after {} attempts", job.max_attempts);
            return Ok(Started::Finished(self.give_up(job, &reason).await?));
        }
        let Some(doc) = document::Entity::find_by_id(job.document_id)
            .one(&self.db)
            .await?
        else {
            // The document was deleted; the job has nothing left to do.
            let _turn = crate::db::write_turn(&self.db).await;
            let txn = self.db.begin().await?;
            self.queue.complete_in(&txn, job.id).await?;
            txn.commit().await?;
            return Ok(Started::Finished(JobOutcome::Done { pages: 0 }));
        };
        if !marked {
            let _turn = crate::db::write_turn(&self.db).await;
            set_status(&self.db, doc.id, DocumentStatus::Processing, None).await?;
        }
        Ok(Started::Extract(Box::new(doc)))
    }

    /// Extracts off the async runtime and writes the result; `extracting` (the slot the
    /// extraction ran in) is released as soon as the result has a place in the write queue.
    async fn extract_and_write(
        &self,
        job: &job::Model,
        doc: &document::Model,
        extracting: Option<OwnedSemaphorePermit>,
    ) -> Result<JobOutcome, IngestError> {
        let blobs = self.blobs.clone();
        let sha = doc.sha256.clone();
        let opts = self.config.extract.clone();
        let result = self
            .extractors
            .run(move || extract_blob(&blobs, &sha, &opts))
            .await;
        let writing = self.writes.clone().acquire_owned().await;
        drop(extracting);
        let outcome = self.write_result(job, doc, result).await;
        drop(writing);
        outcome
    }

    /// Stores an extraction, or records why there is none.
    async fn write_result(
        &self,
        job: &job::Model,
        doc: &document::Model,
        result: std::thread::Result<Result<Extraction, IngestError>>,
    ) -> Result<JobOutcome, IngestError> {
        let (text, found) = match Fate::of(result) {
            Fate::Extracted(text, found) => (text, found),
            Fate::Failed(reason) => return self.fail(job, &reason, Failure::Permanent).await,
            Fate::Retry(reason) => return self.fail(job, &reason, Failure::Transient).await,
            Fate::TimedOut(budget) => {
                let timeout = pdf::PdfError::Timeout(budget);
                // The time-out that ends the job says it was not the first.
                let reason = match job.timeouts + 1 {
                    n if n < crate::queue::MAX_TIMEOUTS => timeout.to_string(),
                    2 => format!("{timeout} twice"),
                    n => format!("{timeout} {n} times"),
                };
                return self.fail(job, &reason, Failure::TimedOut).await;
            }
        };
        self.store(job, doc, text, found).await
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
        insert_pages(&txn, page_rows(doc.id, &x)).await?;
        let mut d: document::ActiveModel = doc.clone().into();
        d.page_count = Set(Some(n as i32));
        d.producer = Set(x.producer.clone());
        if crate::title::may_replace(doc.title.as_deref(), doc.title_source, &doc.filename) {
            if let Some(c) = crate::title::choose(&x, found.as_ref()) {
                d.title = Set(Some(c.title));
                d.title_source = Set(Some(c.source));
            }
        }
        if found.is_some() {
            d.extracted_with = Set(Some(crate::domain::EXTRACTOR_VERSION.to_owned()));
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
        failure: Failure,
    ) -> Result<JobOutcome, IngestError> {
        let _turn = crate::db::write_turn(&self.db).await;
        let txn = self.db.begin().await?;
        let outcome = self.queue.fail_in(&txn, job, reason, failure).await?;
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
        self.fail(job, reason, Failure::Permanent).await
    }
}

/// Extracts a stored file's text and entities.
fn extract_blob(
    blobs: &BlobStore,
    sha: &str,
    opts: &ExtractOptions,
) -> Result<Extraction, IngestError> {
    let bytes = blobs.get(sha)?;
    extract_bytes(&bytes, sha, opts)
}

/// Extracts a file's text and entities; `label` names the file in logs.
pub fn extract_bytes(
    bytes: &[u8],
    label: &str,
    opts: &ExtractOptions,
) -> Result<Extraction, IngestError> {
    let text = pdf::extract(bytes, opts)?;
    // A bug in an entity rule must not cost the document its text: the pages are stored and
    // searchable, and the entities wait for the next extraction.
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::entities::extract(&text)
    }))
    .map_err(|_| tracing::error!(file = %label, "entity extraction panicked"))
    .ok();
    Ok((text, found))
}

/// The extraction threads: a pool of their own, below the rest of the process in priority.
#[derive(Clone)]
pub struct Extractors {
    pool: Arc<rayon::ThreadPool>,
}

impl Extractors {
    pub fn new(threads: usize) -> Result<Self, IngestError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("extract-{i}"))
            .start_handler(|_| {
                // Best effort: an unprivileged process may always lower its own priority, and
                // where it cannot, extraction runs at normal priority as before.
                let _ = rustix::process::setpriority_process(
                    Some(rustix::thread::gettid()),
                    EXTRACTION_NICENESS,
                );
            })
            .build()
            .map_err(|e| IngestError::Io(std::io::Error::other(e)))?;
        Ok(Self {
            pool: Arc::new(pool),
        })
    }

    /// Runs `f` on an extraction thread. A panic comes back as the error: it would otherwise
    /// take the pool's thread with it.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::thread::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        });
        rx.await
            .unwrap_or_else(|_| Err(Box::new("extraction thread vanished")))
    }
}

/// What an extraction attempt means for its document.
// Not boxed: a fate is made once per file and moved whole to its writer, and the failures
// are the rare case.
#[allow(clippy::large_enum_variant)]
pub enum Fate {
    Extracted(pdf::Extracted, Option<crate::entities::DocumentEntities>),
    /// Trying again gives the same answer (damaged, encrypted, scanned, or a crash).
    Failed(String),
    /// Worth another attempt later (a read failed, the write failed).
    Retry(String),
    /// The extraction ran out of its time budget (this one): worth one more attempt, since a
    /// busy machine can cause it, but not more (see [`crate::queue::MAX_TIMEOUTS`]).
    TimedOut(std::time::Duration),
}

impl Fate {
    /// Why there are no pages, as the document and the job record it.
    pub fn reason(&self) -> Option<String> {
        match self {
            Fate::Extracted(..) => None,
            Fate::Failed(why) | Fate::Retry(why) => Some(why.clone()),
            Fate::TimedOut(budget) => Some(pdf::PdfError::Timeout(*budget).to_string()),
        }
    }

    pub fn of(result: std::thread::Result<Result<Extraction, IngestError>>) -> Self {
        match result {
            Ok(Ok((text, found))) => Fate::Extracted(text, found),
            Ok(Err(IngestError::Pdf(pdf::PdfError::Timeout(budget)))) => Fate::TimedOut(budget),
            Ok(Err(IngestError::Pdf(e))) if e.is_permanent() => Fate::Failed(e.to_string()),
            Ok(Err(e)) => Fate::Retry(e.to_string()),
            // A panic inside the extractor is a bug on this input; retrying will panic again.
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                Fate::Failed(format!("extractor crashed: {what}"))
            }
        }
    }
}

/// The page rows of an extracted document.
pub(crate) fn page_rows(document_id: i64, x: &pdf::Extracted) -> Vec<page::ActiveModel> {
    x.pages
        .iter()
        .map(|p| page::ActiveModel {
            document_id: Set(document_id),
            number: Set(p.number as i32),
            text: Set(p.text.clone()),
            ocr_engine: Set(p.ocr.as_ref().map(|o| o.engine.clone())),
            ocr_model: Set(p.ocr.as_ref().map(|o| o.model.clone())),
            ocr_confidence: Set(p.ocr.as_ref().map(|o| f64::from(o.confidence))),
            ocr_error: Set(p.ocr_error.clone()),
            ..Default::default()
        })
        .collect()
}

/// Inserts page rows in chunks, to stay under SQLite's bound-parameter limit.
pub(crate) async fn insert_pages<C: sea_orm::ConnectionTrait>(
    txn: &C,
    rows: Vec<page::ActiveModel>,
) -> Result<(), IngestError> {
    for chunk in rows.chunks(200) {
        page::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    Ok(())
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
            // Polling covers the gap; LISTEN is tried again, not given up for the process's life.
            tracing::warn!(error = %e, "LISTEN failed; polling only until it works again");
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(10)) => continue,
                _ = shutdown.changed() => return,
            }
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

/// Writes an outbox row (see [`lock_outbox`] for why it locks first).
pub async fn write_outbox<C: sea_orm::ConnectionTrait>(
    txn: &C,
    document_id: i64,
    op: OutboxOp,
) -> Result<(), IngestError> {
    lock_outbox(txn).await?;
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

/// On PostgreSQL, sequence values are handed out before commit, so a later seq could become
/// visible before an earlier one and the indexer would skip it; a transaction-scoped advisory
/// lock makes outbox writers commit in seq order. Taken before writing outbox rows.
pub(crate) async fn lock_outbox<C: sea_orm::ConnectionTrait>(txn: &C) -> Result<(), IngestError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7263100001)")
            .await?;
    }
    Ok(())
}
