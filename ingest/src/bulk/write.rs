//! Writing extracted files in batches.
//!
//! A bulk run holds each file's bytes when it reads them, so it extracts them at once instead
//! of queueing a job and reading the file back: the document row, its origin, pages, entities,
//! outbox row, a finished job and the file's outcome are then written together, for many
//! files in one transaction. Each file is still all-or-nothing (a run killed mid-batch leaves
//! none of the batch behind, and the next run extracts those files again), and a transaction
//! per batch instead of three per file is what keeps the database from being the bottleneck:
//! shared index pages go to the write-ahead log once per batch, and the write lock is taken
//! once. If a batch fails, its files are written one at a time, so one file's problem costs
//! only that file; a file that cannot be written even alone is queued for the worker.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use tokio::sync::{mpsc, watch};

use planarkiv_schema::entities::{
    document, ingest_file, job, origin, outbox, DocumentStatus, JobState, OutboxOp,
};
use planarkiv_schema::time::now_ms;

use super::discover::Found;
use super::{outcome, record, Shared};
use crate::store::{default_title, new_document, DocumentMeta};
use crate::worker::{insert_pages, page_rows, Fate};
use crate::IngestError;

/// A batch is written once this many files (or pages) have gathered; more would hold the
/// write lock long enough to stall a server sharing the database.
pub(crate) const MAX_FILES: usize = 32;
const MAX_PAGES: usize = 4000;

/// A file read, hashed, stored as a blob and extracted, waiting for its write.
pub(crate) struct Ready {
    pub found: Found,
    pub sha: String,
    pub size: i64,
    pub meta: DocumentMeta,
    pub fate: Fate,
    /// Told once the file is written, so a copy of the same bytes waiting on it goes on.
    pub claim: watch::Sender<bool>,
}

impl Ready {
    fn pages(&self) -> usize {
        match &self.fate {
            Fate::Extracted(x, _) => x.pages.len(),
            _ => 0,
        }
    }
}

/// Files with the same bytes met in one run: the first is extracted and written, the others
/// wait for it and are then linked to its document as duplicates.
#[derive(Default)]
pub(crate) struct InFlight {
    by_sha: std::sync::Mutex<HashMap<String, watch::Receiver<bool>>>,
}

pub(crate) enum Claim {
    Mine(watch::Sender<bool>),
    Wait(watch::Receiver<bool>),
}

impl InFlight {
    pub fn claim(&self, sha: &str) -> Claim {
        let mut map = self.by_sha.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = map.get(sha) {
            // A claim whose holder is gone (written, or dropped on an error) is free again.
            if rx.has_changed().is_ok() && !*rx.borrow() {
                return Claim::Wait(rx.clone());
            }
        }
        let (tx, rx) = watch::channel(false);
        map.insert(sha.to_owned(), rx);
        Claim::Mine(tx)
    }

    pub fn release(&self, sha: &str, claim: &watch::Sender<bool>) {
        self.by_sha
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(sha);
        let _ = claim.send(true);
    }
}

/// How long the first file of a batch waits for others. Extraction is the slower side, so
/// without a wait every batch would be a single file; nobody waits on any one file of a bulk
/// run, and a quarter second gathers a few dozen.
const LINGER: std::time::Duration = std::time::Duration::from_millis(250);

/// Writes what arrives on `rx` until every sender is gone, in batches of what gathers within
/// [`LINGER`] of a batch's first file.
pub(crate) async fn run(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<Ready>,
) -> Result<(), IngestError> {
    while let Some(first) = rx.recv().await {
        let deadline = tokio::time::Instant::now() + LINGER;
        let mut pages = first.pages();
        let mut batch = vec![first];
        while batch.len() < MAX_FILES && pages < MAX_PAGES {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(next)) => {
                    pages += next.pages();
                    batch.push(next);
                }
                // Out of time, or no more files.
                Ok(None) | Err(_) => break,
            }
        }
        write(&shared, batch).await?;
    }
    Ok(())
}

async fn write(shared: &Shared, batch: Vec<Ready>) -> Result<(), IngestError> {
    let (Some(db), Some(run_id)) = (&shared.db, shared.run_id) else {
        return Err(IngestError::Internal("a bulk write needs a run".into()));
    };
    let written = match write_batch(db, run_id, &batch).await {
        // An upload of the same bytes can commit between this batch's look for known files and
        // its insert (PostgreSQL reads committed rows; SQLite's write turn serialises them), and
        // the insert then breaks the unique hash. Written once more, the file finds that
        // document and is linked to it.
        Err(e) if batch.len() == 1 => {
            tracing::info!(file = %batch[0].found.origin, error = %e, "writing a file again after a failed write");
            write_batch(db, run_id, &batch).await
        }
        other => other,
    };
    let existing = match written {
        Ok(existing) => existing,
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, files = batch.len(), "a batch failed; writing its files one by one");
            for item in batch {
                Box::pin(write(shared, vec![item])).await?;
            }
            return Ok(());
        }
        Err(e) => {
            let item = &batch[0];
            tracing::warn!(file = %item.found.origin, error = %e, "could not store the extraction; queued for the worker");
            queue_instead(db, run_id, item, &e).await?;
            shared.signals.jobs.notify_one();
            shared.inflight.release(&item.sha, &item.claim);
            return Ok(());
        }
    };
    shared.signals.outbox.notify_one();
    if batch
        .iter()
        .any(|r| matches!(r.fate, Fate::Retry(_) | Fate::TimedOut(_)))
    {
        shared.signals.jobs.notify_one();
    }
    for (item, known) in batch.iter().zip(existing) {
        // Stored meanwhile by someone else (a server upload of the same bytes).
        let Some(doc) = known else {
            shared
                .stored
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            shared.inflight.release(&item.sha, &item.claim);
            continue;
        };
        {
            tracing::info!(file = %item.found.origin, document = doc.id, "stored meanwhile by another writer; linked to it");
            let acc = crate::store::link_existing(db, doc, Some(&item.found.origin)).await?;
            let (oc, reason) = if acc.duplicate {
                (
                    outcome::DUPLICATE,
                    Some(format!("same bytes as document {}", acc.document.id)),
                )
            } else {
                (outcome::PENDING, None)
            };
            let sha = Some(item.sha.clone());
            let id = Some(acc.document.id);
            record(shared, &item.found, sha, Some(item.size), oc, reason, id).await?;
        }
        shared.inflight.release(&item.sha, &item.claim);
    }
    Ok(())
}

/// Writes a batch in one transaction. Returns, per file, the document that already held its
/// bytes (nothing was written for that file), or `None` when the file was written.
async fn write_batch(
    db: &DatabaseConnection,
    run_id: i64,
    batch: &[Ready],
) -> Result<Vec<Option<document::Model>>, IngestError> {
    let (_turn, txn) = crate::db::begin_write(db).await?;
    let written = write_batch_in(&txn, run_id, batch).await;
    // Rolled back here, inside the turn: a dropped transaction rolls back later, on its own,
    // and until then holds SQLite's write lock against the retry that follows a failure.
    match written {
        Ok(known) => {
            txn.commit().await?;
            Ok(known)
        }
        Err(e) => {
            if let Err(r) = txn.rollback().await {
                tracing::warn!(error = %r, "rolling back a failed batch");
            }
            Err(e)
        }
    }
}

async fn write_batch_in(
    txn: &DatabaseTransaction,
    run_id: i64,
    batch: &[Ready],
) -> Result<Vec<Option<document::Model>>, IngestError> {
    let shas: Vec<String> = batch.iter().map(|r| r.sha.clone()).collect();
    let mut known: HashMap<String, document::Model> = document::Entity::find()
        .filter(document::Column::Sha256.is_in(shas))
        .all(txn)
        .await?
        .into_iter()
        .map(|d| (d.sha256.clone(), d))
        .collect();
    let fresh: Vec<&Ready> = batch
        .iter()
        .filter(|r| !known.contains_key(&r.sha))
        .collect();
    let docs = insert_documents(txn, &fresh).await?;

    let mut pages = Vec::new();
    for (r, doc) in fresh.iter().zip(&docs) {
        if let Fate::Extracted(x, _) = &r.fate {
            pages.extend(page_rows(doc.id, x));
        }
    }
    insert_pages(txn, pages).await?;
    for (r, doc) in fresh.iter().zip(&docs) {
        if let Fate::Extracted(_, Some(found)) = &r.fate {
            crate::domain::persist_new(txn, doc, found).await?;
        }
    }
    write_rows(txn, run_id, &fresh, &docs).await?;
    Ok(batch.iter().map(|r| known.remove(&r.sha)).collect())
}

/// The documents of `fresh`, in its order.
async fn insert_documents(
    txn: &DatabaseTransaction,
    fresh: &[&Ready],
) -> Result<Vec<document::Model>, IngestError> {
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    let now = chrono::Utc::now();
    let rows: Vec<document::ActiveModel> = fresh
        .iter()
        .map(|r| {
            let filename = &r.found.filename;
            let (status, error, page_count, producer, chosen, rules) = match &r.fate {
                Fate::Extracted(x, found) => (
                    DocumentStatus::Processing,
                    None,
                    Some(x.pages.len() as i32),
                    x.producer.clone(),
                    // A manifest's title is kept; otherwise the document's own.
                    r.meta
                        .title
                        .is_none()
                        .then(|| crate::title::choose(x, found.as_ref()))
                        .flatten(),
                    found
                        .as_ref()
                        .map(|_| crate::domain::EXTRACTOR_VERSION.to_owned()),
                ),
                Fate::Failed(_) => (
                    DocumentStatus::Failed,
                    r.fate.reason(),
                    None,
                    None,
                    None,
                    None,
                ),
                Fate::Retry(_) | Fate::TimedOut(_) => (
                    DocumentStatus::Queued,
                    r.fate.reason(),
                    None,
                    None,
                    None,
                    None,
                ),
            };
            let title = r
                .meta
                .title
                .clone()
                .or_else(|| chosen.as_ref().map(|c| c.title.clone()))
                .or_else(|| default_title(filename));
            let mut row = new_document(&r.sha, filename, title, r.size, &r.meta, now);
            if let Some(c) = &chosen {
                row.title_source = Set(Some(c.source));
            }
            row.extracted_with = Set(rules);
            row.status = Set(status);
            row.error = Set(error);
            row.page_count = Set(page_count);
            row.producer = Set(producer);
            row
        })
        .collect();
    let inserted = document::Entity::insert_many(rows)
        .exec_with_returning_many(txn)
        .await?;
    // Matched by hash: the order of RETURNING rows is not promised.
    let mut by_sha: HashMap<String, document::Model> = inserted
        .into_iter()
        .map(|d| (d.sha256.clone(), d))
        .collect();
    fresh
        .iter()
        .map(|r| {
            by_sha
                .remove(&r.sha)
                .ok_or_else(|| IngestError::Internal(format!("document {} not inserted", r.sha)))
        })
        .collect()
}

/// The origins, jobs, outbox rows and file outcomes of written documents.
async fn write_rows(
    txn: &DatabaseTransaction,
    run_id: i64,
    fresh: &[&Ready],
    docs: &[document::Model],
) -> Result<(), IngestError> {
    if fresh.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let paths: Vec<String> = fresh.iter().map(|r| r.found.origin.clone()).collect();
    // A path that held other bytes in an earlier run now points at what it holds today.
    origin::Entity::delete_many()
        .filter(origin::Column::Origin.is_in(paths))
        .exec(txn)
        .await?;
    let mut origins = Vec::new();
    let mut jobs = Vec::new();
    let mut files = Vec::new();
    let mut upserts = Vec::new();
    for (r, doc) in fresh.iter().zip(docs) {
        origins.push(origin::ActiveModel {
            document_id: Set(doc.id),
            origin: Set(r.found.origin.clone()),
            is_primary: Set(true),
            created_at: Set(now),
            ..Default::default()
        });
        let (state, run_at, error, oc) = match &r.fate {
            Fate::Extracted(..) => (JobState::Done, now, None, outcome::PENDING),
            Fate::Failed(_) => (JobState::Failed, now, r.fate.reason(), outcome::FAILED),
            Fate::Retry(_) | Fate::TimedOut(_) => (
                JobState::Queued,
                now + crate::queue::backoff(1).as_millis() as i64,
                r.fate.reason(),
                outcome::PENDING,
            ),
        };
        // This run's attempt counts: one more time-out in the worker gives the file up.
        let timeouts = i32::from(matches!(r.fate, Fate::TimedOut(_)));
        if matches!(r.fate, Fate::Extracted(..)) {
            upserts.push(outbox::ActiveModel {
                document_id: Set(doc.id),
                op: Set(OutboxOp::Upsert),
                created_at: Set(now),
                ..Default::default()
            });
        }
        jobs.push(job::ActiveModel {
            document_id: Set(doc.id),
            kind: Set(crate::queue::EXTRACT.to_owned()),
            state: Set(state),
            attempts: Set(1),
            max_attempts: Set(crate::queue::MAX_ATTEMPTS),
            run_at: Set(run_at),
            locked_until: Set(None),
            locked_by: Set(None),
            last_error: Set(error.clone()),
            timeouts: Set(timeouts),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        files.push(ingest_file::ActiveModel {
            run_id: Set(run_id),
            origin: Set(r.found.origin.clone()),
            sha256: Set(Some(r.sha.clone())),
            size_bytes: Set(Some(r.size)),
            outcome: Set(oc.to_owned()),
            reason: Set(error),
            document_id: Set(Some(doc.id)),
            page_count: Set(None),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    insert_all(txn, origins).await?;
    insert_all(txn, jobs).await?;
    insert_all(txn, files).await?;
    if !upserts.is_empty() {
        crate::worker::lock_outbox(txn).await?;
        insert_all(txn, upserts).await?;
    }
    Ok(())
}

/// Inserts rows in chunks that stay under SQLite's bound-parameter limit.
async fn insert_all<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), IngestError>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    for chunk in rows.chunks(50) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The last resort for a file whose extraction could not be written: its document and a
/// queued job, as an upload would leave them, so the worker extracts and stores it again and
/// records its failure if that fails too.
async fn queue_instead(
    db: &DatabaseConnection,
    run_id: i64,
    item: &Ready,
    why: &IngestError,
) -> Result<(), IngestError> {
    let _turn = crate::db::write_turn(db).await;
    let txn = db.begin().await?;
    let queued = Ready {
        found: item.found.clone(),
        sha: item.sha.clone(),
        size: item.size,
        meta: item.meta.clone(),
        fate: Fate::Retry(format!("queued for the worker after a failed write: {why}")),
        claim: watch::channel(false).0,
    };
    let fresh = [&queued];
    let docs = insert_documents(&txn, &fresh).await?;
    write_rows(&txn, run_id, &fresh, &docs).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_copy_waits_for_the_first_until_it_is_released() {
        let f = InFlight::default();
        let Claim::Mine(first) = f.claim("a") else {
            panic!("the first claim is the caller's");
        };
        assert!(matches!(f.claim("a"), Claim::Wait(_)));
        assert!(matches!(f.claim("b"), Claim::Mine(_)));
        f.release("a", &first);
        assert!(
            !f.by_sha.lock().unwrap().contains_key("a"),
            "released claims are forgotten"
        );
        assert!(matches!(f.claim("a"), Claim::Mine(_)));
        // A holder that goes away without releasing frees the claim too.
        let Claim::Mine(dropped) = f.claim("c") else {
            panic!("fresh");
        };
        drop(dropped);
        assert!(matches!(f.claim("c"), Claim::Mine(_)));
    }
}
