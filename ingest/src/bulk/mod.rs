//! Bulk ingestion of archived PDFs: discovery → read + hash + dedupe (N at a time) → blob
//! store and extraction (N at a time, from the bytes just read) → the batch writer → the
//! outbox → the index.
//!
//! The stages are joined by bounded queues (a channel between discovery and reading, a fixed
//! number of extraction slots, a channel to the writer), so memory stays flat however large
//! the archive is. Every file's outcome is written to `ingest_files` as it happens, in the
//! same transaction as its document, and every stored file is linked to its origin path, so a
//! run killed at any moment is finished by running it again: files already stored are
//! recognised by origin and hash, and anything queued for the worker is picked up.

pub mod discover;
pub mod manifest;
mod write;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement, Value,
};
use serde::Serialize;
use tokio::sync::{mpsc, watch, Mutex};

use planarkiv_schema::entities::{ingest_file, ingest_run};
use planarkiv_schema::time::now_ms;

use crate::blobs::{sha256_hex, BlobStore};
use crate::db::sql;
use crate::index::{Indexer, SearchIndex};
use crate::store::{check, find_by_sha, link_existing};
use crate::worker::{extract_bytes, Extractors, Fate, Signals, Worker, WorkerConfig};
use crate::IngestError;
use discover::Found;
use manifest::Manifest;

/// Outcomes as stored and reported.
pub mod outcome {
    pub const PENDING: &str = "pending";
    pub const INDEXED: &str = "indexed";
    pub const DUPLICATE: &str = "duplicate";
    /// Stored and indexed by an earlier run from this very path: nothing to do.
    pub const ALREADY_ARCHIVED: &str = "already_archived";
    pub const FAILED: &str = "failed";
    /// Dry run: would be stored.
    pub const NEW: &str = "new";
    /// Dry run: would fail before extraction (not a PDF, too large, cannot be read).
    pub const UNREADABLE: &str = "unreadable";
}

pub struct BulkOptions {
    pub paths: Vec<PathBuf>,
    /// Files stored and extracted at once.
    pub jobs: usize,
    pub dry_run: bool,
    pub manifest: Option<Manifest>,
    pub max_file_bytes: usize,
    pub blobs: Option<BlobStore>,
    pub index_dir: PathBuf,
    pub worker: WorkerConfig,
}

/// A snapshot for progress displays.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub discovered: u64,
    pub discovery_done: bool,
    /// Files past the storing stage (stored, duplicate or refused).
    pub stored: u64,
    pub counts: Counts,
    /// A dry run counts files as new or unreadable, never as indexed or failed.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub indexed: u64,
    pub duplicate: u64,
    /// Files an earlier run stored and indexed from the same path.
    pub already_archived: u64,
    pub failed: u64,
    pub pending: u64,
    pub new: u64,
    pub unreadable: u64,
    /// Pages of the indexed files.
    pub pages: u64,
    /// Of those, the pages read by OCR.
    pub ocr_pages: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub sha256: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    /// The document the file is (or, for a duplicate, duplicates).
    pub document_id: Option<i64>,
    pub page_count: Option<i32>,
    /// Pages read by OCR.
    pub ocr_pages: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: Option<i64>,
    pub dry_run: bool,
    /// finished, or interrupted (Ctrl-C): files still pending are finished by running again.
    pub state: String,
    pub elapsed_seconds: f64,
    pub counts: Counts,
    pub files: Vec<FileReport>,
}

impl RunReport {
    /// Every file indexed or a duplicate, and the run not interrupted.
    pub fn all_ok(&self) -> bool {
        self.state == "finished"
            && self.counts.failed == 0
            && self.counts.pending == 0
            && self.counts.unreadable == 0
    }
}

/// The indexer's commit window during a bulk ingest (see [`Indexer::commit_window`]).
const BULK_COMMIT_WINDOW: Duration = Duration::from_secs(3);

struct Shared {
    db: Option<DatabaseConnection>,
    opts: BulkOptions,
    run_id: Option<i64>,
    discovered: AtomicU64,
    stored: AtomicU64,
    dry: Mutex<Vec<FileReport>>,
    signals: Signals,
    inflight: write::InFlight,
}

/// Where a real run's files go after reading: extraction (at most `permits` at once), then
/// the batch writer.
#[derive(Clone)]
struct Lane {
    extractors: Extractors,
    permits: Arc<tokio::sync::Semaphore>,
    ready: mpsc::Sender<write::Ready>,
}

/// Runs an ingest to its end, or until `stop` turns true (then files in flight finish first).
/// `db` may be `None` only for a dry run against an archive that does not exist yet.
pub async fn run(
    db: Option<DatabaseConnection>,
    opts: BulkOptions,
    progress: watch::Sender<Progress>,
    mut stop: watch::Receiver<bool>,
) -> Result<RunReport, IngestError> {
    let started = Instant::now();
    if !opts.dry_run && db.is_none() {
        return Err(IngestError::Internal("an ingest needs a database".into()));
    }
    let run_id = match (&db, opts.dry_run) {
        (Some(db), false) => Some(create_run(db, &opts).await?),
        _ => None,
    };
    let jobs = opts.jobs.max(1);
    let shared = Arc::new(Shared {
        db,
        opts,
        run_id,
        discovered: AtomicU64::new(0),
        stored: AtomicU64::new(0),
        dry: Mutex::new(Vec::new()),
        signals: Signals::default(),
        inflight: write::InFlight::default(),
    });

    // Background extraction and indexing for a real run.
    let (bg_stop, bg_rx) = watch::channel(false);
    let mut background = tokio::task::JoinSet::new();
    // The workers find the queue empty whenever they outrun discovery and hashing; committing
    // then would cut the index into many small segments. Their signal is passed on to the
    // indexer only once every file has been handed over, to commit the tail without waiting.
    let flush = Arc::new(tokio::sync::Notify::new());
    let mut extractors = None;
    if let (Some(db), false) = (&shared.db, shared.opts.dry_run) {
        let blobs = shared
            .opts
            .blobs
            .clone()
            .ok_or_else(|| IngestError::Internal("an ingest needs the blob store".into()))?;
        let wc = WorkerConfig {
            concurrency: jobs,
            ..shared.opts.worker.clone()
        };
        let worker_id = format!("ingest:{}", std::process::id());
        let worker = Worker::new(db.clone(), blobs, worker_id, wc, shared.signals.clone())?;
        extractors = Some(worker.extractors());
        // It takes the jobs of files this run could not finish itself, and of earlier runs.
        background.spawn(worker.run(bg_rx.clone()));
        // A running server holds the index; then it indexes what we store, from the outbox.
        let dir = shared.opts.index_dir.clone();
        match tokio::task::spawn_blocking(move || SearchIndex::open(&dir)).await? {
            Ok(index) => {
                let indexer =
                    Indexer::new(db.clone(), Arc::new(index), shared.signals.outbox.clone())
                        .commit_window(BULK_COMMIT_WINDOW)
                        .commit_when_drained(flush.clone());
                background.spawn(indexer.run(bg_rx.clone()));
            }
            Err(e) => tracing::info!(
                reason = %e,
                "the search index is in use (a server is running?); it will index what this run stores"
            ),
        }
    }

    // Discovery → bounded channel → `jobs` storing tasks.
    let (tx, rx) = mpsc::channel::<Found>(jobs * 8);
    let roots = shared.opts.paths.clone();
    let max_zip = shared.opts.max_file_bytes.saturating_mul(4);
    let discovery = tokio::task::spawn_blocking(move || discover::discover(&roots, &tx, max_zip));
    let rx = Arc::new(Mutex::new(rx));
    let mut storing = tokio::task::JoinSet::new();
    let lane = match extractors {
        Some(extractors) => {
            let (ready, written) = mpsc::channel(write::MAX_FILES);
            storing.spawn(write::run(shared.clone(), written));
            Some(Lane {
                extractors,
                permits: Arc::new(tokio::sync::Semaphore::new(jobs)),
                ready,
            })
        }
        None => None,
    };
    for _ in 0..jobs {
        let rx = rx.clone();
        let shared = shared.clone();
        let lane = lane.clone();
        let mut stop = stop.clone();
        storing.spawn(async move {
            // The files this task read and handed to extraction.
            let mut handed = tokio::task::JoinSet::new();
            loop {
                let next = tokio::select! {
                    f = async { rx.lock().await.recv().await } => f,
                    _ = stop.wait_for(|s| *s) => None,
                };
                let Some(found) = next else {
                    break;
                };
                shared.discovered.fetch_add(1, Ordering::Relaxed);
                store_one(&shared, found, lane.as_ref(), &mut handed).await?;
                while let Some(done) = handed.try_join_next() {
                    done??;
                }
            }
            while let Some(done) = handed.join_next().await {
                done??;
            }
            Ok::<(), IngestError>(())
        });
    }
    // The writer ends once the storing tasks, which hold the other senders, are done.
    drop(lane);

    let mut interrupted = false;
    let mut storing_done = false;
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    let mut last_beat = Instant::now();
    let mut last_count: Option<Instant> = None;
    loop {
        tokio::select! {
            r = storing.join_next(), if !storing_done => match r {
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => return Err(e),
                Some(Err(e)) => return Err(e.into()),
                None => {
                    storing_done = true;
                    flush.notify_one();
                }
            },
            _ = ticker.tick() => {}
            _ = shared.signals.drained.notified(), if storing_done => flush.notify_one(),
            _ = stop.changed() => {
                if *stop.borrow() {
                    interrupted = true;
                }
            }
        }
        if last_beat.elapsed() >= Duration::from_secs(5) {
            last_beat = Instant::now();
            if let (Some(db), Some(id)) = (&shared.db, run_id) {
                let _turn = crate::db::write_turn(db).await;
                beat(db, id).await?;
            }
        }
        // The end is looked for every round, in a statement that reads only pending files;
        // the full counts, which read an index entry per file of the run, once a second.
        let pending = settle_pending(&shared).await?;
        let finished = storing_done && (pending == 0 || interrupted || shared.opts.dry_run);
        if finished || last_count.is_none_or(|t| t.elapsed() >= COUNT_EVERY) {
            last_count = Some(Instant::now());
            let _ = progress.send(Progress {
                discovered: shared.discovered.load(Ordering::Relaxed),
                discovery_done: storing_done,
                stored: shared.stored.load(Ordering::Relaxed),
                counts: current_counts(&shared).await?,
                dry_run: shared.opts.dry_run,
            });
        }
        if finished {
            break;
        }
        if interrupted && storing_done {
            break;
        }
    }
    // The channel closed (or we stopped reading): discovery ends at its next send.
    drop(rx);
    let _ = discovery.await;
    let _ = bg_stop.send(true);
    while background.join_next().await.is_some() {}
    let state = if interrupted {
        "interrupted"
    } else {
        "finished"
    };
    if let (Some(db), Some(id)) = (&shared.db, run_id) {
        resolve_pending(db, id).await?;
        let mut run: ingest_run::ActiveModel = ingest_run::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| IngestError::Internal("ingest run vanished".into()))?
            .into();
        run.state = Set(state.to_owned());
        run.finished_at = Set(Some(now_ms()));
        run.update(db).await?;
    }
    let counts = current_counts(&shared).await?;
    let files = match (&shared.db, run_id) {
        (Some(db), Some(id)) => file_reports(db, id).await?,
        _ => std::mem::take(&mut *shared.dry.lock().await),
    };
    Ok(RunReport {
        run_id,
        dry_run: shared.opts.dry_run,
        state: state.to_owned(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        counts,
        files,
    })
}

async fn create_run(db: &DatabaseConnection, opts: &BulkOptions) -> Result<i64, IngestError> {
    let paths: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
    let run = ingest_run::ActiveModel {
        started_at: Set(now_ms()),
        finished_at: Set(None),
        heartbeat_at: Set(now_ms()),
        state: Set("running".into()),
        dry_run: Set(opts.dry_run),
        paths: Set(paths.join("\n")),
        jobs: Set(opts.jobs as i32),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(run.id)
}

/// Reads, checks and hashes one file; a real run then hands a new file to extraction (its
/// outcome is recorded when it is written) and records every other outcome here.
async fn store_one(
    shared: &Arc<Shared>,
    found: Found,
    lane: Option<&Lane>,
    handed: &mut tokio::task::JoinSet<Result<(), IngestError>>,
) -> Result<(), IngestError> {
    if let discover::Source::Seen(reason) = &found.source {
        // Another path to something this run reaches anyway: not a failure, and not read twice.
        let reason = Some(reason.clone());
        return record(shared, &found, None, None, outcome::DUPLICATE, reason, None).await;
    }
    let max = shared.opts.max_file_bytes;
    let f2 = found.clone();
    let read = tokio::task::spawn_blocking(move || f2.read(max)).await?;
    let bytes = match read {
        Ok(b) => b,
        Err(reason) => {
            return record(
                shared,
                &found,
                None,
                None,
                refused(shared),
                Some(reason),
                None,
            )
            .await
        }
    };
    let size = bytes.len() as i64;
    if let Err(e) = check(&found.filename, &bytes, max) {
        let reason = e.to_string();
        return record(
            shared,
            &found,
            None,
            Some(size),
            refused(shared),
            Some(reason),
            None,
        )
        .await;
    }
    let meta = shared
        .opts
        .manifest
        .as_ref()
        .map(|m| m.meta_for(&found.origin, &found.filename))
        .unwrap_or_else(|| Manifest::default().meta_for(&found.origin, &found.filename));

    if shared.opts.dry_run {
        return dry_run_one(shared, &found, bytes, size).await;
    }

    let (Some(db), Some(lane)) = (&shared.db, lane) else {
        return Err(IngestError::Internal("no database".into()));
    };
    let Some(blobs) = shared.opts.blobs.clone() else {
        return Err(IngestError::Internal("no blob store".into()));
    };
    let sha = sha256_hex(&bytes);
    let claim = loop {
        match shared.inflight.claim(&sha) {
            write::Claim::Mine(claim) => break claim,
            // The same bytes are being extracted for another path: once they are written,
            // this one is their duplicate.
            write::Claim::Wait(mut first) => {
                let _ = first.wait_for(|written| *written).await;
            }
        }
    };
    if let Some(existing) = find_by_sha(db, &sha).await? {
        // Released, not just dropped: the map of claims must not grow with every known file.
        shared.inflight.release(&sha, &claim);
        let acc = link_existing(db, existing, Some(&found.origin)).await?;
        let (outcome, reason) = if !acc.duplicate {
            if acc.document.status == planarkiv_schema::entities::DocumentStatus::Indexed {
                // An earlier run stored and indexed it: a re-run says so instead of counting
                // it as indexed again.
                (
                    outcome::ALREADY_ARCHIVED,
                    Some(format!(
                        "already in the archive as document {}",
                        acc.document.id
                    )),
                )
            } else {
                // An earlier run stored it; its extraction may still be queued.
                (outcome::PENDING, None)
            }
        } else {
            (
                outcome::DUPLICATE,
                Some(format!("same bytes as document {}", acc.document.id)),
            )
        };
        let id = Some(acc.document.id);
        return record(shared, &found, Some(sha), Some(size), outcome, reason, id).await;
    }
    // Read-ahead stops here until an extraction slot is free, which bounds memory.
    let permit = lane
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| IngestError::Internal("extraction slots closed".into()))?;
    let lane = lane.clone();
    let shared = shared.clone();
    handed.spawn(async move {
        let bytes = Arc::new(bytes);
        // The blob goes first: a row must never point at a missing file. A crash before the
        // row is written leaves an unreferenced blob, reused when the file comes again.
        let put = {
            let (bytes, sha) = (bytes.clone(), sha.clone());
            tokio::task::spawn_blocking(move || blobs.put(&sha, &bytes))
        };
        let opts = shared.opts.worker.extract.clone();
        let label = found.origin.clone();
        let result = lane
            .extractors
            .run(move || extract_bytes(&bytes, &label, &opts))
            .await;
        put.await??;
        let ready = write::Ready {
            found,
            sha,
            size,
            meta,
            fate: Fate::of(result),
            claim,
        };
        // Held until the writer has room, so extraction never runs ahead of the database.
        lane.ready
            .send(ready)
            .await
            .map_err(|_| IngestError::Internal("the writer stopped".into()))?;
        drop(permit);
        Ok(())
    });
    Ok(())
}

/// What a real run would do with a readable file, without writing anything.
async fn dry_run_one(
    shared: &Shared,
    found: &Found,
    bytes: Vec<u8>,
    size: i64,
) -> Result<(), IngestError> {
    let sha = tokio::task::spawn_blocking(move || sha256_hex(&bytes)).await?;
    let existing = match &shared.db {
        Some(db) => find_by_sha(db, &sha).await?,
        None => None,
    };
    let seen_in_run = {
        let dry = shared.dry.lock().await;
        dry.iter()
            .find(|r| r.sha256.as_deref() == Some(sha.as_str()))
            .map(|r| r.path.clone())
    };
    let (outcome, doc, reason) = match (existing, seen_in_run) {
        (Some(d), _) => (
            outcome::DUPLICATE,
            Some(d.id),
            Some("already in the archive".to_owned()),
        ),
        (None, Some(first)) => (
            outcome::DUPLICATE,
            None,
            Some(format!("same bytes as {first}")),
        ),
        (None, None) => (outcome::NEW, None, None),
    };
    record(shared, found, Some(sha), Some(size), outcome, reason, doc).await
}

fn refused(shared: &Shared) -> &'static str {
    if shared.opts.dry_run {
        outcome::UNREADABLE
    } else {
        outcome::FAILED
    }
}

/// Moves the run's heartbeat to now.
pub(super) async fn beat<C: sea_orm::ConnectionTrait>(
    db: &C,
    run_id: i64,
) -> Result<(), IngestError> {
    ingest_run::Entity::update_many()
        .col_expr(
            ingest_run::Column::HeartbeatAt,
            sea_orm::sea_query::Expr::value(now_ms()),
        )
        .filter(ingest_run::Column::Id.eq(run_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn record(
    shared: &Shared,
    found: &Found,
    sha: Option<String>,
    size: Option<i64>,
    outcome: &str,
    reason: Option<String>,
    document_id: Option<i64>,
) -> Result<(), IngestError> {
    shared.stored.fetch_add(1, Ordering::Relaxed);
    match (&shared.db, shared.run_id) {
        (Some(db), Some(run_id)) => {
            let _turn = crate::db::write_turn(db).await;
            ingest_file::ActiveModel {
                run_id: Set(run_id),
                origin: Set(found.origin.clone()),
                sha256: Set(sha),
                size_bytes: Set(size),
                outcome: Set(outcome.to_owned()),
                reason: Set(reason),
                document_id: Set(document_id),
                page_count: Set(None),
                ocr_pages: Set(None),
                updated_at: Set(now_ms()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        _ => shared.dry.lock().await.push(FileReport {
            path: found.origin.clone(),
            sha256: sha,
            outcome: outcome.to_owned(),
            reason,
            document_id,
            page_count: None,
            ocr_pages: None,
        }),
    }
    Ok(())
}

/// Copies the final state of documents into the run's pending file rows. Each pending row
/// looks its document up by id: `document_id IN (SELECT id … WHERE status = …)` listed every
/// such document of the archive, on every progress round.
async fn resolve_pending(db: &DatabaseConnection, run_id: i64) -> Result<(), IngestError> {
    let backend = db.get_database_backend();
    let now = now_ms();
    let _turn = crate::db::write_turn(db).await;
    db.execute(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "UPDATE ingest_files SET outcome = 'indexed', updated_at = $1, \
             page_count = (SELECT d.page_count FROM documents d WHERE d.id = ingest_files.document_id), \
             ocr_pages = (SELECT COUNT(*) FROM pages p WHERE p.document_id = ingest_files.document_id \
             AND p.ocr_engine IS NOT NULL) \
             WHERE run_id = $2 AND outcome = 'pending' \
             AND (SELECT d.status FROM documents d WHERE d.id = ingest_files.document_id) = 'indexed'",
        ),
        [Value::from(now), Value::from(run_id)],
    ))
    .await?;
    db.execute(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "UPDATE ingest_files SET outcome = 'failed', updated_at = $1, \
             reason = (SELECT d.error FROM documents d WHERE d.id = ingest_files.document_id) \
             WHERE run_id = $2 AND outcome = 'pending' \
             AND (SELECT d.status FROM documents d WHERE d.id = ingest_files.document_id) = 'failed'",
        ),
        [Value::from(now), Value::from(run_id)],
    ))
    .await?;
    Ok(())
}

/// How often a run counts its files for the progress display.
const COUNT_EVERY: Duration = Duration::from_secs(1);

/// Settles what can be settled and returns how many of the run's files are still pending.
async fn settle_pending(shared: &Shared) -> Result<u64, IngestError> {
    let (Some(db), Some(run_id)) = (&shared.db, shared.run_id) else {
        return Ok(0);
    };
    resolve_pending(db, run_id).await?;
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "SELECT COUNT(*) AS n FROM ingest_files WHERE run_id = $1 AND outcome = 'pending'",
            ),
            [Value::from(run_id)],
        ))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(n as u64)
}

async fn current_counts(shared: &Shared) -> Result<Counts, IngestError> {
    match (&shared.db, shared.run_id) {
        (Some(db), Some(run_id)) => run_counts(db, run_id).await,
        _ => {
            let dry = shared.dry.lock().await;
            let mut c = Counts::default();
            for r in dry.iter() {
                add(&mut c, &r.outcome, 1, 0, 0);
            }
            Ok(c)
        }
    }
}

fn add(c: &mut Counts, outcome: &str, n: u64, pages: u64, ocr_pages: u64) {
    c.total += n;
    match outcome {
        outcome::INDEXED => {
            c.indexed += n;
            c.pages += pages;
            c.ocr_pages += ocr_pages;
        }
        outcome::DUPLICATE => c.duplicate += n,
        outcome::ALREADY_ARCHIVED => c.already_archived += n,
        outcome::FAILED => c.failed += n,
        outcome::PENDING => c.pending += n,
        outcome::NEW => c.new += n,
        outcome::UNREADABLE => c.unreadable += n,
        _ => {}
    }
}

/// Counts of a run's files by outcome.
pub async fn run_counts(db: &DatabaseConnection, run_id: i64) -> Result<Counts, IngestError> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "SELECT outcome, COUNT(*) AS n, COALESCE(SUM(page_count), 0) AS pages, \
                 COALESCE(SUM(ocr_pages), 0) AS ocr_pages \
                 FROM ingest_files WHERE run_id = $1 GROUP BY outcome",
            ),
            [Value::from(run_id)],
        ))
        .await?;
    let mut c = Counts::default();
    for r in rows {
        let outcome: String = r.try_get("", "outcome")?;
        let n: i64 = r.try_get("", "n")?;
        let pages: i64 = r.try_get("", "pages")?;
        let ocr_pages: i64 = r.try_get("", "ocr_pages")?;
        add(&mut c, &outcome, n as u64, pages as u64, ocr_pages as u64);
    }
    Ok(c)
}

async fn file_reports(
    db: &DatabaseConnection,
    run_id: i64,
) -> Result<Vec<FileReport>, IngestError> {
    let rows = ingest_file::Entity::find()
        .filter(ingest_file::Column::RunId.eq(run_id))
        .order_by_asc(ingest_file::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| FileReport {
            path: r.origin,
            sha256: r.sha256,
            outcome: r.outcome,
            reason: r.reason,
            document_id: r.document_id,
            page_count: r.page_count,
            ocr_pages: r.ocr_pages,
        })
        .collect())
}
