//! The job queue lives in the database, so a job is enqueued in the same transaction as the row
//! it works on and survives any crash. Workers claim a job by taking a lease; a job whose lease
//! ran out (its worker died) is claimed again by the next worker that looks.

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, Statement, Value,
};

use planarkiv_schema::entities::{job, JobState};
use planarkiv_schema::time::now_ms;

use crate::db::sql;
use crate::IngestError;

/// Extract a document's pages and hand them to the indexer.
pub const EXTRACT: &str = "extract";

/// PostgreSQL channel on which new jobs are announced to idle workers in other processes.
pub const NOTIFY_CHANNEL: &str = "planarkiv_jobs";

/// Attempts before a job gives up. Permanent errors (a damaged file) give up at once.
pub const MAX_ATTEMPTS: i32 = 5;

/// Attempts that may run out of their time budget before a job gives up: the first may be a
/// busy machine's fault and is retried, a second says the file itself takes too long, and
/// every further attempt would hold an extraction slot for the whole budget again.
pub const MAX_TIMEOUTS: i32 = 2;

/// Why an attempt failed, which decides whether the job runs again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Fails the same way every time (damaged, encrypted, no text layer, over a limit).
    Permanent,
    /// Operational (a read failed, the database went away): retried with backoff.
    Transient,
    /// The extraction ran out of its time budget: retried until [`MAX_TIMEOUTS`].
    TimedOut,
}

/// True when a job that failed this way on its latest attempt will not run again.
pub fn gives_up(job: &job::Model, failure: Failure) -> bool {
    match failure {
        Failure::Permanent => true,
        Failure::Transient => job.attempts >= job.max_attempts,
        Failure::TimedOut => job.attempts >= job.max_attempts || job.timeouts + 1 >= MAX_TIMEOUTS,
    }
}

pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    document_id: i64,
    kind: &str,
) -> Result<job::Model, IngestError> {
    let now = now_ms();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Delivered when the transaction commits, so a woken worker finds the job.
        db.execute_unprepared(&format!("NOTIFY {NOTIFY_CHANNEL}"))
            .await?;
    }
    Ok(job::ActiveModel {
        document_id: Set(document_id),
        kind: Set(kind.to_owned()),
        state: Set(JobState::Queued),
        attempts: Set(0),
        max_attempts: Set(MAX_ATTEMPTS),
        run_at: Set(now),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        timeouts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A worker's handle on the queue.
#[derive(Debug, Clone)]
pub struct Queue {
    db: DatabaseConnection,
    worker_id: String,
    lease: Duration,
}

/// What became of a job that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// It runs again at this instant (epoch ms).
    RetryAt(i64),
    /// It will not run again.
    GaveUp,
}

const COLUMNS: &str =
    "id, document_id, kind, state, attempts, max_attempts, run_at, locked_until, \
                       locked_by, last_error, timeouts, created_at, updated_at";

impl Queue {
    pub fn new(db: DatabaseConnection, worker_id: impl Into<String>, lease: Duration) -> Self {
        Self {
            db,
            worker_id: worker_id.into(),
            lease,
        }
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Claims the next due job, or an abandoned one whose lease ran out. One statement, so two
    /// workers can never claim the same job: PostgreSQL skips rows another claimer has locked,
    /// SQLite serializes writers.
    pub async fn claim(&self) -> Result<Option<job::Model>, IngestError> {
        let _turn = crate::db::write_turn(&self.db).await;
        self.claim_in_turn().await
    }

    /// [`Queue::claim`] for a caller that already holds the write turn.
    pub(crate) async fn claim_in_turn(&self) -> Result<Option<job::Model>, IngestError> {
        let backend = self.db.get_database_backend();
        let now = now_ms();
        let until = now + self.lease.as_millis() as i64;
        let lock = match backend {
            sea_orm::DbBackend::Postgres => "FOR UPDATE SKIP LOCKED",
            _ => "",
        };
        let text = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, \
             locked_by = $2, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs \
                 WHERE (state = 'queued' AND run_at <= $3) \
                    OR (state = 'running' AND locked_until < $3) \
                 ORDER BY run_at, id LIMIT 1 {lock}) \
             RETURNING {COLUMNS}"
        );
        let stmt = Statement::from_sql_and_values(
            backend,
            sql(backend, &text),
            [
                Value::from(until),
                Value::from(self.worker_id.clone()),
                Value::from(now),
            ],
        );
        Ok(job::Entity::find().from_raw_sql(stmt).one(&self.db).await?)
    }

    /// Marks a claimed job done, inside the caller's transaction so the job's effects and its
    /// completion commit together. Returns false when the lease was lost to another worker, in
    /// which case the caller must roll back: the other worker's run is the one that counts.
    pub async fn complete_in<C: ConnectionTrait>(
        &self,
        txn: &C,
        job_id: i64,
    ) -> Result<bool, IngestError> {
        let backend = txn.get_database_backend();
        let res = txn
            .execute(Statement::from_sql_and_values(
                backend,
                sql(
                    backend,
                    "UPDATE jobs SET state = 'done', locked_until = NULL, updated_at = $1 \
                     WHERE id = $2 AND locked_by = $3 AND state = 'running'",
                ),
                [
                    Value::from(now_ms()),
                    Value::from(job_id),
                    Value::from(self.worker_id.clone()),
                ],
            ))
            .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Pushes a claimed job's lease forward; a long extraction calls this periodically so the
    /// lease can stay short (and a dead worker's job is taken over soon). False when the job is
    /// no longer ours.
    pub async fn extend_lease(&self, job_id: i64) -> Result<bool, IngestError> {
        let backend = self.db.get_database_backend();
        let until = now_ms() + self.lease.as_millis() as i64;
        let _turn = crate::db::write_turn(&self.db).await;
        let res = self
            .db
            .execute(Statement::from_sql_and_values(
                backend,
                sql(
                    backend,
                    "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 \
                     AND state = 'running'",
                ),
                [
                    Value::from(until),
                    Value::from(job_id),
                    Value::from(self.worker_id.clone()),
                ],
            ))
            .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Records a failure. A permanent failure, the last allowed attempt or the last allowed
    /// time-out gives up (see [`gives_up`]); otherwise the job is scheduled again with
    /// exponential backoff.
    pub async fn fail_in<C: ConnectionTrait>(
        &self,
        txn: &C,
        job: &job::Model,
        reason: &str,
        failure: Failure,
    ) -> Result<FailOutcome, IngestError> {
        let backend = txn.get_database_backend();
        let now = now_ms();
        let give_up = gives_up(job, failure);
        let timeouts = job.timeouts + i32::from(failure == Failure::TimedOut);
        let (state, run_at, outcome) = if give_up {
            ("failed", job.run_at, FailOutcome::GaveUp)
        } else {
            let at = now + backoff(job.attempts).as_millis() as i64;
            ("queued", at, FailOutcome::RetryAt(at))
        };
        txn.execute(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, last_error = $3, \
                 updated_at = $4, timeouts = $7 WHERE id = $5 AND locked_by = $6",
            ),
            [
                Value::from(state),
                Value::from(run_at),
                Value::from(reason.to_owned()),
                Value::from(now),
                Value::from(job.id),
                Value::from(self.worker_id.clone()),
                Value::from(timeouts),
            ],
        ))
        .await?;
        Ok(outcome)
    }

    /// Jobs not yet done or failed; the worker waits on this to report an idle queue.
    pub async fn pending(&self) -> Result<u64, IngestError> {
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        Ok(job::Entity::find()
            .filter(job::Column::State.is_in([JobState::Queued, JobState::Running]))
            .count(&self.db)
            .await?)
    }
}

/// 2 s, 4 s, 8 s … capped at 5 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 10) as u32;
    Duration::from_secs((1u64 << exp).min(300))
}

/// Which documents [`requeue`] sends back to the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requeue {
    /// Extracted documents the current entity rules have not read (after the rules improve).
    Outdated,
    /// Documents whose extraction failed (a scan before OCR was installed, say).
    Failed,
    /// Every document.
    All,
}

/// Documents queued per transaction: a large archive is requeued in steps, each one short.
const REQUEUE_BATCH: u64 = 500;

/// Queues extraction jobs for the documents `which` names that have none queued or running,
/// and returns how many were queued. An indexed document stays searchable meanwhile: the
/// worker replaces its pages and entities in one transaction.
pub async fn requeue(db: &sea_orm::DatabaseConnection, which: Requeue) -> Result<u64, IngestError> {
    use planarkiv_schema::entities::{document, DocumentStatus};
    use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
    let mut queued = 0u64;
    let mut after = 0i64;
    loop {
        let pending = sea_orm::sea_query::Query::select()
            .column(job::Column::DocumentId)
            .from(job::Entity)
            .and_where(job::Column::State.is_in([JobState::Queued, JobState::Running]))
            .to_owned();
        let mut cond = Condition::all()
            .add(document::Column::Id.gt(after))
            .add(document::Column::Id.not_in_subquery(pending));
        cond = match which {
            Requeue::Outdated => cond
                .add(
                    document::Column::Status
                        .is_in([DocumentStatus::Indexed, DocumentStatus::Processing]),
                )
                .add(
                    Condition::any()
                        .add(document::Column::ExtractedWith.is_null())
                        .add(document::Column::ExtractedWith.ne(crate::domain::EXTRACTOR_VERSION)),
                ),
            // Also documents kept with a scanned page that OCR could not read (Tesseract was
            // missing, say): their other pages are searchable, that one waits for this.
            Requeue::Failed => cond.add(
                Condition::any()
                    .add(document::Column::Status.eq(DocumentStatus::Failed))
                    .add(
                        document::Column::Id.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(planarkiv_schema::entities::page::Column::DocumentId)
                                .from(planarkiv_schema::entities::page::Entity)
                                .and_where(
                                    planarkiv_schema::entities::page::Column::OcrError
                                        .is_not_null(),
                                )
                                .to_owned(),
                        ),
                    ),
            ),
            Requeue::All => cond,
        };
        let ids: Vec<i64> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(cond)
            .order_by_asc(document::Column::Id)
            .limit(REQUEUE_BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&last) = ids.last() else {
            return Ok(queued);
        };
        let turn = crate::db::write_turn(db).await;
        let txn = db.begin().await?;
        for id in &ids {
            enqueue(&txn, *id, EXTRACT).await?;
        }
        if which != Requeue::Outdated {
            // A failed document waits for the worker again; its old reason stays until then.
            document::Entity::update_many()
                .col_expr(
                    document::Column::Status,
                    sea_orm::sea_query::Expr::value(DocumentStatus::Queued),
                )
                .filter(document::Column::Id.is_in(ids.clone()))
                .filter(document::Column::Status.eq(DocumentStatus::Failed))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        drop(turn);
        queued += ids.len() as u64;
        after = last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(30), Duration::from_secs(300));
    }
}
