//! The search index is derived from the database and nothing else. Each commit carries, in its
//! payload, the last outbox sequence it contains and the analyzer version that built it, so the
//! index and its position in the outbox can never disagree, even across a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};
use serde::{Deserialize, Serialize};
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::Notify;

use planarkiv_schema::entities::{document, outbox, DocumentStatus, OutboxOp};
use planarkiv_schema::search::{
    archive_term, build_schema, case_term, register_analyzers, HitType, SearchFields,
    ANALYZER_VERSION,
};

use crate::db::sql;
use crate::IngestError;

pub mod source;

pub use source::{DocFacets, EntityDoc, IndexSource};

/// How many outbox rows one commit takes at most.
const BATCH: u64 = 1024;
/// One indexing thread: the extraction workers already keep the cores busy, and every extra
/// thread means another segment (and its memory, allocated afresh at every commit) per commit.
const INDEX_THREADS: usize = 1;
const WRITER_MEMORY: usize = 48 * 1024 * 1024;
/// How long the indexer gathers changes after a wake-up before it commits them: what a user
/// waits, at most, between an upload's extraction and its pages being searchable.
pub const COMMIT_WINDOW: std::time::Duration = std::time::Duration::from_millis(1000);

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    pub seq: i64,
    pub analyzer: u32,
}

/// An open index: a reader for searches, and (for the one process that writes) the writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: SearchFields,
    /// `None` for a read-only view (a check beside a running server).
    writer: Option<Mutex<IndexWriter>>,
    dir: PathBuf,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing. An index built with another schema
    /// or analyzer version is discarded: it is only a cache, and the caller rebuilds it.
    pub fn open(dir: &Path) -> Result<Self, IngestError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = build_schema();
        let index = match open_matching(dir, &schema)? {
            Some(index) => index,
            None => {
                tracing::warn!(dir = %dir.display(), "index is from another version; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::create_in_dir(dir, schema)?
            }
        };
        register_analyzers(&index);
        let writer = index.writer_with_num_threads(INDEX_THREADS, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            fields,
            writer: Some(Mutex::new(writer)),
            dir: dir.to_owned(),
        })
    }

    /// Opens an existing index for reading only; it does not take the writer lock, so it works
    /// beside a running server.
    pub fn open_read_only(dir: &Path) -> Result<Self, IngestError> {
        let (schema, fields) = build_schema();
        let index = Index::open_in_dir(dir)?;
        if index.schema() != schema {
            return Err(IngestError::Internal(
                "the index was built by another version; run `planarkiv reindex`".into(),
            ));
        }
        register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            fields,
            writer: None,
            dir: dir.to_owned(),
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn reader(&self) -> &IndexReader {
        &self.reader
    }

    pub fn fields(&self) -> SearchFields {
        self.fields
    }

    /// The last committed payload; `seq` 0 for a new index.
    pub fn payload(&self) -> Result<CommitPayload, IngestError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(CommitPayload {
                seq: 0,
                analyzer: ANALYZER_VERSION,
            }))
    }

    /// Pages in the index per document id, from the live (not deleted) index documents.
    pub fn pages_per_document(&self) -> Result<BTreeMap<i64, u64>, IngestError> {
        let searcher = self.reader.searcher();
        let mut out = BTreeMap::new();
        for seg in searcher.segment_readers() {
            let ids = seg.fast_fields().u64("doc_id")?;
            // Entity documents carry an entity id; only pages count as pages.
            let entities = seg.fast_fields().u64("entity_id")?;
            for d in seg.doc_ids_alive() {
                if entities.first(d).is_some() {
                    continue;
                }
                if let Some(id) = ids.first(d) {
                    *out.entry(id as i64).or_insert(0) += 1;
                }
            }
        }
        Ok(out)
    }

    /// Pages visible to searches (entity documents are not pages).
    pub fn num_docs(&self) -> u64 {
        match self.pages_per_document() {
            Ok(per) => per.values().sum(),
            Err(_) => self.reader.searcher().num_docs(),
        }
    }

    /// Replaces everything indexed for the given documents (deletes first, so re-indexing is
    /// idempotent) and commits with the payload; `wipe` empties the index first. Blocking: call
    /// from a blocking thread.
    pub fn apply(
        &self,
        deletes: &[i64],
        adds: &[IndexSource],
        payload: CommitPayload,
        wipe: bool,
    ) -> Result<(), IngestError> {
        self.write(payload, wipe, |w, f| {
            for id in deletes {
                w.delete_term(Term::from_field_u64(f.doc_id, *id as u64));
            }
            add_sources(w, f, adds)
        })?;
        tracing::debug!(
            deleted = deletes.len(),
            added = adds.len(),
            seq = payload.seq,
            "index commit"
        );
        Ok(())
    }

    /// Empties the index and fills it with what `fill` hands over, batch by batch, in one
    /// commit: searches answer from the old index until the new one replaces it, and only one
    /// batch is in memory at a time (tantivy spills what it has written to segment files).
    /// Blocking: call from a blocking thread.
    pub fn rebuild_with(
        &self,
        payload: CommitPayload,
        mut fill: impl FnMut(
            &mut dyn FnMut(&[IndexSource]) -> Result<(), IngestError>,
        ) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        self.write(payload, true, |w, f| {
            fill(&mut |batch| add_sources(w, f, batch))
        })
    }

    /// One write under the writer lock, committed with `payload`; on any failure what was
    /// written is rolled back, so a half-done write never reaches a later commit.
    fn write(
        &self,
        payload: CommitPayload,
        wipe: bool,
        body: impl FnOnce(&mut IndexWriter, SearchFields) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        let mut w = self
            .writer
            .as_ref()
            .ok_or_else(|| IngestError::Internal("the index is open read-only".into()))?
            .lock()
            .map_err(|_| IngestError::Internal("index writer lock poisoned".into()))?;
        let payload = serde_json::to_string(&payload)
            .map_err(|e| IngestError::Internal(format!("index commit payload: {e}")))?;
        let written = (|| {
            if wipe {
                w.delete_all_documents()?;
            }
            body(&mut w, self.fields)?;
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok(())
        })();
        if let Err(e) = written {
            if let Err(r) = w.rollback() {
                tracing::error!(error = %r, "rolling back a failed index write failed");
            }
            return Err(e);
        }
        drop(w);
        self.reader.reload()?;
        Ok(())
    }
}

/// Adds every page and entity of `adds`, after deleting what was indexed for them.
fn add_sources(
    w: &mut IndexWriter,
    f: SearchFields,
    adds: &[IndexSource],
) -> Result<(), IngestError> {
    for src in adds {
        let d = &src.document;
        w.delete_term(Term::from_field_u64(f.doc_id, d.id as u64));
        let title = d.title.clone().unwrap_or_else(|| d.filename.clone());
        for p in &src.pages {
            let mut td = base_document(f, d.id, p.number, &src.facets, HitType::Page);
            td.add_text(f.title, &title);
            add_text(f, &mut td, &p.text);
            if p.ocr_engine.is_some() {
                td.add_u64(f.ocr, 1);
            }
            w.add_document(td)?;
        }
        for e in &src.entities {
            let mut td = base_document(f, d.id, e.page, &src.facets, e.kind);
            td.add_u64(f.entity_id, e.id as u64);
            td.add_text(f.title, &e.title);
            add_text(f, &mut td, &e.text);
            w.add_document(td)?;
        }
    }
    Ok(())
}

/// Documents loaded and written together by [`Indexer::rebuild`].
const REBUILD_BATCH: usize = 256;

/// The fields every index document of a source document shares.
fn base_document(
    f: SearchFields,
    doc_id: i64,
    page: i32,
    facets: &DocFacets,
    hit_type: HitType,
) -> TantivyDocument {
    let mut td = TantivyDocument::default();
    td.add_u64(f.doc_id, doc_id as u64);
    td.add_u64(f.page, page.max(0) as u64);
    td.add_text(f.hit_type, hit_type.as_str());
    if let Some(k) = &facets.kind {
        td.add_text(f.kind, k.to_lowercase());
    }
    if let Some(o) = &facets.organization {
        td.add_text(f.organization, o);
        td.add_text(f.organization_words, o);
    }
    if let Some(b) = &facets.body {
        td.add_text(f.utvalg, b.to_uppercase());
    }
    if let Some(y) = facets.year {
        td.add_u64(f.year, y as u64);
    }
    if let Some(d) = facets.date {
        td.add_u64(f.date, d as u64);
    }
    for t in &facets.own_case {
        td.add_text(f.own_case, t);
    }
    td
}

/// The searchable text, on the stemmed and exact twins, and the case numbers it mentions.
fn add_text(f: SearchFields, td: &mut TantivyDocument, text: &str) {
    td.add_text(f.body, text);
    td.add_text(f.body_exact, text);
    let mut seen = std::collections::BTreeSet::new();
    for c in crate::entities::case_number::find_case_numbers(text) {
        if seen.insert((c.number.year, c.number.sequence)) {
            td.add_text(f.case, case_term(c.number.year, c.number.sequence));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for a in crate::entities::case_number::find_archive_numbers(text) {
        if seen.insert(a) {
            td.add_text(f.case, archive_term(a.year, a.sequence));
        }
    }
}

fn open_matching(dir: &Path, schema: &Schema) -> Result<Option<Index>, IngestError> {
    let has_meta = dir.join("meta.json").exists();
    if !has_meta {
        return Ok(Some(Index::create_in_dir(dir, schema.clone())?));
    }
    let index = match Index::open_in_dir(dir) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the search index");
            return Ok(None);
        }
    };
    if index.schema() != *schema {
        return Ok(None);
    }
    let payload: Option<CommitPayload> = index
        .load_metas()?
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok());
    match payload {
        Some(p) if p.analyzer != ANALYZER_VERSION => Ok(None),
        _ => Ok(Some(index)),
    }
}

/// Applies the outbox to the index. Exactly one indexer may write a given index directory
/// (tantivy's lock file enforces it).
#[derive(Clone)]
pub struct Indexer {
    db: DatabaseConnection,
    index: Arc<SearchIndex>,
    wake: Arc<Notify>,
    window: std::time::Duration,
    drained: Arc<Notify>,
}

impl Indexer {
    pub fn new(db: DatabaseConnection, index: Arc<SearchIndex>, wake: Arc<Notify>) -> Self {
        Self {
            db,
            index,
            wake,
            window: COMMIT_WINDOW,
            drained: Arc::default(),
        }
    }

    /// Cuts the commit window short when `drained` fires (see [`crate::worker::Signals`]).
    pub fn commit_when_drained(mut self, drained: Arc<Notify>) -> Self {
        self.drained = drained;
        self
    }

    /// Gathers changes for `window` after a wake-up before committing. A bulk ingest, where
    /// nobody waits for a single document, commits less often: fewer segments to write, fsync
    /// and merge.
    pub fn commit_window(mut self, window: std::time::Duration) -> Self {
        self.window = window;
        self
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Applies every outbox row written before the call; returns how many were applied.
    pub async fn catch_up(&self) -> Result<u64, IngestError> {
        let mut total = 0;
        loop {
            let n = self.apply_batch().await?;
            total += n;
            // A short batch reached the end of the outbox. Rows written during its commit are
            // left for the next wake-up and its window: chasing them here would commit again
            // at once, a few documents at a time, for as long as the workers keep writing.
            if n < BATCH {
                return Ok(total);
            }
        }
    }

    async fn apply_batch(&self) -> Result<u64, IngestError> {
        let from = self.index.payload()?.seq;
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Seq.gt(from))
            .order_by_asc(outbox::Column::Seq)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok(0);
        };
        // Only the newest operation per document matters within a batch.
        let mut latest: BTreeMap<i64, OutboxOp> = BTreeMap::new();
        for r in &rows {
            latest.insert(r.document_id, r.op);
        }
        let mut deletes = Vec::new();
        let mut upserts = Vec::new();
        for (id, op) in latest {
            match op {
                OutboxOp::Delete => deletes.push(id),
                OutboxOp::Upsert => upserts.push(id),
            }
        }
        let adds = source::load_many(&self.db, &upserts).await?;
        // Deleted after the row was written: nothing to index, and nothing left of it.
        let loaded: std::collections::BTreeSet<i64> = adds.iter().map(|s| s.document.id).collect();
        deletes.extend(upserts.into_iter().filter(|id| !loaded.contains(id)));
        let added: Vec<i64> = adds.iter().map(|s: &IndexSource| s.document.id).collect();
        let index = self.index.clone();
        let payload = CommitPayload {
            seq: last,
            analyzer: ANALYZER_VERSION,
        };
        tokio::task::spawn_blocking(move || index.apply(&deletes, &adds, payload, false)).await??;
        mark_indexed(&self.db, &added).await?;
        Ok(rows.len() as u64)
    }

    /// Rebuilds the whole index from the database: every document that has pages, loaded
    /// [`REBUILD_BATCH`] documents at a time. Used when
    /// the index is new or was discarded; the outbox tail after the snapshot is applied next.
    pub async fn rebuild(&self) -> Result<u64, IngestError> {
        let backend = self.db.get_database_backend();
        let snapshot = self
            .db
            .query_one(Statement::from_string(
                backend,
                "SELECT COALESCE(MAX(seq), 0) AS seq FROM outbox",
            ))
            .await?
            .map(|r| r.try_get::<i64>("", "seq"))
            .transpose()?
            .unwrap_or(0);
        let ids: Vec<i64> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(
                document::Column::Status
                    .is_in([DocumentStatus::Processing, DocumentStatus::Indexed]),
            )
            .order_by_asc(document::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        let index = self.index.clone();
        let payload = CommitPayload {
            seq: snapshot,
            analyzer: ANALYZER_VERSION,
        };
        // Loaded and written a batch at a time on a blocking thread: an archive's pages never
        // sit in memory together.
        let db = self.db.clone();
        let handle = tokio::runtime::Handle::current();
        let batch_ids = ids.clone();
        let added = tokio::task::spawn_blocking(move || {
            let mut added: Vec<i64> = Vec::with_capacity(batch_ids.len());
            index.rebuild_with(payload, |add| {
                for chunk in batch_ids.chunks(REBUILD_BATCH) {
                    let sources = handle.block_on(source::load_many(&db, chunk))?;
                    added.extend(sources.iter().map(|s| s.document.id));
                    add(&sources)?;
                }
                Ok(())
            })?;
            Ok::<_, IngestError>(added)
        })
        .await??;
        mark_indexed(&self.db, &added).await?;
        Ok(ids.len() as u64)
    }

    /// Brings the index in step with the database at startup: a new or discarded index is
    /// rebuilt, then the outbox tail is applied.
    pub async fn reconcile(&self) -> Result<(), IngestError> {
        let fresh = self.index.index.load_metas()?.payload.is_none();
        if fresh {
            let n = self.rebuild().await?;
            tracing::info!(documents = n, "search index rebuilt from the database");
        }
        let n = self.catch_up().await?;
        if n > 0 {
            tracing::info!(changes = n, "applied outbox changes the index had not seen");
        }
        self.settle().await
    }

    /// Marks INDEXED the documents the index already holds but the database still calls
    /// PROCESSING: those whose marking was lost (the process died, or the database refused the
    /// update, between the index commit and the mark). A document qualifies when no job of it
    /// is queued or running and the index payload covers every outbox row of it.
    pub async fn settle(&self) -> Result<(), IngestError> {
        let seq = self.index.payload()?.seq;
        let backend = self.db.get_database_backend();
        let text = "UPDATE documents SET status = 'indexed', updated_at = $1 \
             WHERE status = 'processing' \
             AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.document_id = documents.id \
                             AND jobs.state IN ('queued', 'running')) \
             AND EXISTS (SELECT 1 FROM outbox WHERE outbox.document_id = documents.id) \
             AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.document_id = documents.id \
                             AND outbox.seq > $2)";
        let _turn = crate::db::write_turn(&self.db).await;
        let done = self
            .db
            .execute(Statement::from_sql_and_values(
                backend,
                sql(backend, text),
                [Value::from(chrono::Utc::now()), Value::from(seq)],
            ))
            .await?
            .rows_affected();
        if done > 0 {
            tracing::info!(
                documents = done,
                "marked indexed documents the index already held"
            );
        }
        Ok(())
    }

    /// Runs until `shutdown` turns true: applies the outbox whenever woken, and polls as a
    /// fallback for changes written by other processes.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        if let Err(e) = self.reconcile().await {
            tracing::error!(error = %e, "index reconciliation failed");
        }
        loop {
            match self.catch_up().await {
                Ok(_) => {
                    if let Err(e) = self.settle().await {
                        tracing::warn!(error = %e, "could not settle document states");
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "indexing failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                }
            }
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                _ = self.wake.notified() => {
                    // Every commit costs segment files, an fsync and later merges; gathering the
                    // changes of a short window into one commit is what keeps bulk ingest fast.
                    tokio::select! {
                        _ = tokio::time::sleep(self.window) => {}
                        _ = self.drained.notified() => {}
                    }
                }
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Where the index and the database disagree.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Drift {
    /// Documents the database calls INDEXED that have no pages in the index.
    pub missing: Vec<i64>,
    /// Documents in the index that the database no longer has (or has not extracted).
    pub orphaned: Vec<i64>,
    /// Documents whose page count in the index differs from the database's.
    pub wrong_pages: Vec<i64>,
    pub indexed_documents: u64,
    pub index_pages: u64,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.orphaned.is_empty() && self.wrong_pages.is_empty()
    }
}

/// Compares the index with the database, document by document.
pub async fn check(db: &DatabaseConnection, index: &SearchIndex) -> Result<Drift, IngestError> {
    let in_index = index.pages_per_document()?;
    let docs = document::Entity::find()
        .filter(
            document::Column::Status.is_in([DocumentStatus::Processing, DocumentStatus::Indexed]),
        )
        .all(db)
        .await?;
    let mut drift = Drift {
        index_pages: in_index.values().sum(),
        ..Default::default()
    };
    let mut known = std::collections::BTreeSet::new();
    for d in &docs {
        known.insert(d.id);
        if d.status != DocumentStatus::Indexed {
            continue;
        }
        drift.indexed_documents += 1;
        match in_index.get(&d.id) {
            None if d.page_count.unwrap_or(0) > 0 => drift.missing.push(d.id),
            Some(n) if Some(*n as i32) != d.page_count => drift.wrong_pages.push(d.id),
            _ => {}
        }
    }
    drift.orphaned = in_index
        .keys()
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    Ok(drift)
}

/// Only after the commit is a document called indexed, so "indexed" always means searchable.
async fn mark_indexed(db: &DatabaseConnection, ids: &[i64]) -> Result<(), IngestError> {
    if ids.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let _turn = crate::db::write_turn(db).await;
    for chunk in ids.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let text = format!(
            "UPDATE documents SET status = $1, updated_at = $2 WHERE status = 'processing' AND id IN ({})",
            placeholders.join(", ")
        );
        let mut values = vec![Value::from("indexed"), Value::from(chrono::Utc::now())];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        db.execute(Statement::from_sql_and_values(
            backend,
            sql(backend, &text),
            values,
        ))
        .await?;
    }
    Ok(())
}
