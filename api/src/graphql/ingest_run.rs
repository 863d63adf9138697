use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject, ID};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use planarkiv_ingest::bulk;
use planarkiv_schema::entities::{ingest_file, ingest_run};
use planarkiv_schema::ids::{self, IdKind};

use super::document::Document;
use super::error::{ApiError, GqlResult};
use super::{instant, page_size};

/// What became of a file in an ingest run.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum IngestOutcome {
    /// Stored; extraction or indexing has not finished (or the run was stopped: run it again).
    Pending,
    /// Its pages are searchable.
    Indexed,
    /// The same bytes are already in the archive; the file's path was added to that document.
    Duplicate,
    /// It did not go in; `reason` says why (encrypted, damaged, no text layer, too large, not a PDF).
    Failed,
    /// Dry run: would be stored.
    New,
    /// Dry run: would fail before extraction.
    Unreadable,
}

impl IngestOutcome {
    fn parse(s: &str) -> IngestOutcome {
        match s {
            bulk::outcome::INDEXED => IngestOutcome::Indexed,
            bulk::outcome::DUPLICATE => IngestOutcome::Duplicate,
            bulk::outcome::FAILED => IngestOutcome::Failed,
            bulk::outcome::NEW => IngestOutcome::New,
            bulk::outcome::UNREADABLE => IngestOutcome::Unreadable,
            _ => IngestOutcome::Pending,
        }
    }

    fn as_db(self) -> &'static str {
        match self {
            IngestOutcome::Pending => bulk::outcome::PENDING,
            IngestOutcome::Indexed => bulk::outcome::INDEXED,
            IngestOutcome::Duplicate => bulk::outcome::DUPLICATE,
            IngestOutcome::Failed => bulk::outcome::FAILED,
            IngestOutcome::New => bulk::outcome::NEW,
            IngestOutcome::Unreadable => bulk::outcome::UNREADABLE,
        }
    }
}

/// Number of files of a run by outcome.
#[derive(SimpleObject, Debug, Clone)]
pub struct IngestCounts {
    /// Every file the run found.
    pub total: u64,
    /// Files stored and searchable.
    pub indexed: u64,
    /// Files whose bytes were already in the archive from another path (or twice in this run).
    pub duplicate: u64,
    /// Files an earlier run stored and indexed from the same path: a re-run's files.
    pub already_archived: u64,
    /// Files that could not be ingested (each with a reason).
    pub failed: u64,
    /// Files stored whose extraction has not finished.
    pub pending: u64,
    /// Pages of the indexed files.
    pub pages: u64,
    /// Of those pages, the ones read by OCR (scans without a text layer).
    pub ocr_pages: u64,
}

/// One file of an ingest run.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct IngestFile {
    /// Where the file was found; `!/` separates a zip archive from a member.
    pub path: String,
    /// Lower-case hex SHA-256, when the file could be read.
    pub sha256: Option<String>,
    /// What became of it.
    pub outcome: IngestOutcome,
    /// Why it failed, or what it duplicates.
    pub reason: Option<String>,
    /// Pages of the document, once extracted.
    pub page_count: Option<i32>,
    #[graphql(skip)]
    pub document_id: Option<i64>,
}

#[ComplexObject]
impl IngestFile {
    /// The document the file became, or for a duplicate, the document it duplicates.
    async fn document(&self, ctx: &Context<'_>) -> GqlResult<Option<Document>> {
        let Some(id) = self.document_id else {
            return Ok(None);
        };
        super::load_document(ctx, id).await
    }
}

pub type IngestFileConnection =
    Connection<OpaqueCursor<i64>, IngestFile, super::domain_query::Totals, EmptyFields>;

super::stored_enum! {
    /// Where an ingest run is.
    IngestRunState {
        /// Working (its heartbeat is recent).
        Running = "running",
        /// Every file it found has an outcome.
        Finished = "finished",
        /// Stopped with Ctrl-C; running the same ingest again finishes it.
        Interrupted = "interrupted",
        /// Killed outright (no heartbeat for a minute); running the same ingest again finishes
        /// it.
        Abandoned = "abandoned",
        /// A state written by a newer version of planarkiv.
        Other = "other",
    }
}

pub struct IngestRun(pub ingest_run::Model);

/// One invocation of `planarkiv ingest` and what it did with every file.
#[Object]
impl IngestRun {
    /// Opaque global id; `node(id:)` fetches the run.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::IngestRun, self.0.id))
    }

    /// When the run started.
    async fn started_at(&self) -> chrono::DateTime<chrono::Utc> {
        instant(self.0.started_at)
    }

    /// When the run ended; null while it runs (or if it was killed).
    async fn finished_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.finished_at.map(instant)
    }

    /// Running, finished, interrupted (Ctrl-C) or abandoned (killed outright: no heartbeat for
    /// a minute). Running the same ingest again finishes the files of the last two.
    async fn state(&self) -> IngestRunState {
        IngestRunState::from_stored(self.0.effective_state(planarkiv_schema::time::now_ms()))
    }

    /// The paths the run was given.
    async fn paths(&self) -> Vec<&str> {
        self.0.paths.lines().collect()
    }

    /// Extraction workers the run used.
    async fn jobs(&self) -> i32 {
        self.0.jobs
    }

    /// Its files counted by outcome.
    async fn counts(&self, ctx: &Context<'_>) -> GqlResult<IngestCounts> {
        let db = &super::app_state(ctx)?.db;
        let c = bulk::run_counts(db, self.0.id)
            .await
            .map_err(ApiError::from)?;
        Ok(IngestCounts {
            total: c.total,
            indexed: c.indexed,
            duplicate: c.duplicate,
            already_archived: c.already_archived,
            failed: c.failed,
            pending: c.pending,
            pages: c.pages,
            ocr_pages: c.ocr_pages,
        })
    }

    /// The run's files in the order they were processed; `outcome` filters them.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn files(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only files with this outcome.")] outcome: Option<IngestOutcome>,
    ) -> GqlResult<IngestFileConnection> {
        let db = &super::app_state(ctx)?.db;
        let limit = page_size(first)?;
        let after: Option<i64> = super::query::decode_cursor(after)?;
        let mut filtered =
            ingest_file::Entity::find().filter(ingest_file::Column::RunId.eq(self.0.id));
        if let Some(o) = outcome {
            filtered = filtered.filter(ingest_file::Column::Outcome.eq(o.as_db()));
        }
        // Migration 008 indexes a run's files by outcome, so the count reads the index only.
        let total = filtered.clone().count(db).await.map_err(ApiError::from)?;
        let mut q = filtered.order_by_asc(ingest_file::Column::Id);
        if let Some(a) = after {
            q = q.filter(ingest_file::Column::Id.gt(a));
        }
        let rows = q
            .limit(limit as u64 + 1)
            .all(db)
            .await
            .map_err(ApiError::from)?;
        let (rows, has_next) = super::keyset_page(rows, limit);
        let mut conn = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            super::domain_query::Totals { total_count: total },
        );
        conn.edges.extend(rows.into_iter().map(|r| {
            Edge::new(
                OpaqueCursor(r.id),
                IngestFile {
                    path: r.origin,
                    sha256: r.sha256,
                    outcome: IngestOutcome::parse(&r.outcome),
                    reason: r.reason,
                    page_count: r.page_count,
                    document_id: r.document_id,
                },
            )
        }));
        Ok(conn)
    }
}
