//! Accepting a file into the archive: sniff, hash, store the blob, and write the document row
//! with its extraction job in one transaction. Upload and bulk ingest both come through here.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};

use planarkiv_schema::case_number::CaseMetadata;
use planarkiv_schema::entities::{document, origin, DocumentStatus, TitleSource};

use crate::blobs::{sha256_hex, BlobStore};
use crate::pdf::looks_like_pdf;
use crate::queue;
use crate::IngestError;

/// Facts about a file known before extraction: from a manifest, or from its name.
#[derive(Debug, Clone, Default)]
pub struct DocumentMeta {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub organization: Option<String>,
    /// ISO date, YYYY-MM-DD.
    pub date: Option<String>,
    pub case_number: Option<String>,
    pub appendix_number: Option<i32>,
    /// Case metadata from outside (manifest columns, an upload's input); ahead of extraction.
    pub case: CaseMetadata,
}

/// A file offered to the archive.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub filename: String,
    /// Where the bytes were found (bulk ingest); linked to the document so duplicates and
    /// re-runs are recognised.
    pub origin: Option<String>,
    pub meta: DocumentMeta,
}

impl Submission {
    pub fn named(filename: impl Into<String>) -> Self {
        Self {
            filename: filename.into(),
            ..Default::default()
        }
    }
}

/// What happened to a submitted file.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub document: document::Model,
    /// False when the same bytes were already in the archive.
    pub created: bool,
    /// True when the bytes were already stored from another source: this file is a duplicate.
    /// A re-run of an ingest finds its own earlier files again; those are not duplicates.
    pub duplicate: bool,
}

/// Checks what would be refused without storing anything.
pub fn check(filename: &str, bytes: &[u8], max_bytes: usize) -> Result<(), IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Rejected(format!(
            "{filename}: the file is empty"
        )));
    }
    if bytes.len() > max_bytes {
        // Callers may have stopped reading at the limit, so the size itself is not reported.
        return Err(IngestError::Rejected(format!(
            "{filename}: too large: over the limit of {max_bytes} bytes"
        )));
    }
    if !looks_like_pdf(bytes) {
        return Err(IngestError::Rejected(format!(
            "{filename}: not a PDF (no %PDF- header)"
        )));
    }
    Ok(())
}

/// Refuses anything that is not a non-empty PDF within `max_bytes`; otherwise stores it once.
pub async fn accept_file(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    sub: &Submission,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Accepted, IngestError> {
    let filename = sub.filename.as_str();
    check(filename, bytes, max_bytes)?;
    let sha = sha256_hex(bytes);
    if let Some(existing) = find_by_sha(db, &sha).await? {
        return link_existing(db, existing, sub.origin.as_deref()).await;
    }
    // The blob goes first: a row must never point at a missing file. A crash between the two
    // leaves an unreferenced blob, which is harmless and reused by the next upload of it.
    let blobs2 = blobs.clone();
    let sha2 = sha.clone();
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || blobs2.put(&sha2, &owned)).await??;
    record(db, sub, sha, bytes.len() as i64).await
}

/// Like [`accept_file`] for a file read from `reader` (an upload in a temporary file): it is
/// sniffed, hashed and copied into the blob store in one pass on a blocking thread, never held
/// in memory whole.
pub async fn accept_reader(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    sub: &Submission,
    reader: impl std::io::Read + Send + 'static,
    max_bytes: usize,
) -> Result<Accepted, IngestError> {
    let filename = sub.filename.clone();
    let blobs2 = blobs.clone();
    let (sha, size) = tokio::task::spawn_blocking(move || {
        blobs2
            .put_reader(reader, max_bytes as u64, |head| {
                if head.is_empty() {
                    return check(&filename, head, max_bytes);
                }
                if !looks_like_pdf(head) {
                    return Err(IngestError::Rejected(format!(
                        "{filename}: not a PDF (no %PDF- header)"
                    )));
                }
                Ok(())
            })
            .map_err(|e| match e {
                IngestError::Rejected(m) if !m.starts_with(filename.as_str()) => {
                    IngestError::Rejected(format!("{filename}: {m}"))
                }
                other => other,
            })
    })
    .await??;
    if let Some(existing) = find_by_sha(db, &sha).await? {
        return link_existing(db, existing, sub.origin.as_deref()).await;
    }
    record(db, sub, sha, size as i64).await
}

/// Writes the document row, its origin and its extraction job for a blob already stored.
async fn record(
    db: &DatabaseConnection,
    sub: &Submission,
    sha: String,
    size_bytes: i64,
) -> Result<Accepted, IngestError> {
    let filename = sub.filename.as_str();
    let now = chrono::Utc::now();
    let title = sub.meta.title.clone().or_else(|| default_title(filename));
    let turn = crate::db::write_turn(db).await;
    let txn = db.begin().await?;
    let inserted = new_document(&sha, filename, title, size_bytes, &sub.meta, now)
        .insert(&txn)
        .await;
    let doc = match inserted {
        Ok(doc) => doc,
        Err(e) => {
            // Two uploads of the same bytes raced; the unique sha256 let one win.
            txn.rollback().await?;
            drop(turn);
            if let Some(existing) = find_by_sha(db, &sha).await? {
                return link_existing(db, existing, sub.origin.as_deref()).await;
            }
            return Err(e.into());
        }
    };
    if let Some(origin) = &sub.origin {
        insert_origin(&txn, doc.id, origin, true).await?;
    }
    queue::enqueue(&txn, doc.id, queue::EXTRACT).await?;
    txn.commit().await?;
    drop(turn);
    Ok(Accepted {
        document: doc,
        created: true,
        duplicate: false,
    })
}

/// The row of a document about to be stored: queued for extraction, with what its submitter
/// said of it.
pub(crate) fn new_document(
    sha: &str,
    filename: &str,
    title: Option<String>,
    size_bytes: i64,
    meta: &DocumentMeta,
    now: chrono::DateTime<chrono::Utc>,
) -> document::ActiveModel {
    let title_source = if meta.title.is_some() {
        Some(TitleSource::Manifest)
    } else {
        title.as_ref().map(|_| TitleSource::Filename)
    };
    document::ActiveModel {
        sha256: Set(sha.to_owned()),
        filename: Set(sanitize_filename(filename)),
        title: Set(title),
        title_source: Set(title_source),
        extracted_with: Set(None),
        size_bytes: Set(size_bytes),
        status: Set(DocumentStatus::Queued),
        error: Set(None),
        page_count: Set(None),
        producer: Set(None),
        kind: Set(meta.kind.clone()),
        organization: Set(meta.organization.clone()),
        document_date: Set(meta.date.clone()),
        // The item number given with the file beats the one its name suggests.
        case_number: Set(meta.case.item_number.clone().or(meta.case_number.clone())),
        appendix_number: Set(meta.appendix_number),
        case_metadata: Set((!meta.case.is_empty())
            .then(|| serde_json::to_string(&meta.case).expect("plain strings serialise"))),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The bytes are already stored: record where else they were found.
pub(crate) async fn link_existing<C: sea_orm::ConnectionTrait>(
    db: &C,
    existing: document::Model,
    origin: Option<&str>,
) -> Result<Accepted, IngestError> {
    let Some(origin) = origin else {
        return Ok(Accepted {
            document: existing,
            created: false,
            duplicate: true,
        });
    };
    let known = origin::Entity::find()
        .filter(origin::Column::Origin.eq(origin))
        .one(db)
        .await?;
    let duplicate = match known {
        Some(o) if o.document_id == existing.id => !o.is_primary,
        Some(o) => {
            // The path now holds other bytes than it did: it points at the other document.
            let mut a: origin::ActiveModel = o.into();
            a.document_id = Set(existing.id);
            a.is_primary = Set(false);
            a.update(db).await?;
            true
        }
        None => {
            // A concurrent link of the same origin is harmless: the unique index keeps one.
            let _ = insert_origin(db, existing.id, origin, false).await;
            true
        }
    };
    Ok(Accepted {
        document: existing,
        created: false,
        duplicate,
    })
}

pub(crate) async fn insert_origin<C: sea_orm::ConnectionTrait>(
    db: &C,
    document_id: i64,
    origin: &str,
    is_primary: bool,
) -> Result<(), IngestError> {
    origin::ActiveModel {
        document_id: Set(document_id),
        origin: Set(origin.to_owned()),
        is_primary: Set(is_primary),
        created_at: Set(planarkiv_schema::time::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn find_by_sha(
    db: &DatabaseConnection,
    sha: &str,
) -> Result<Option<document::Model>, IngestError> {
    Ok(document::Entity::find()
        .filter(document::Column::Sha256.eq(sha))
        .one(db)
        .await?)
}

/// Keeps the last path component only: clients send paths like `C:\scan\x.pdf`.
pub(crate) fn sanitize_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if base.is_empty() {
        "unnamed.pdf".to_owned()
    } else {
        base
    }
}

/// A title to show until extraction finds a better one: the file name without extension.
pub fn default_title(filename: &str) -> Option<String> {
    let base = sanitize_filename(filename);
    let stem = base
        .strip_suffix(".pdf")
        .or_else(|| base.strip_suffix(".PDF"))
        .unwrap_or(&base);
    let t = stem.replace('_', " ").trim().to_owned();
    (!t.is_empty()).then_some(t)
}

/// Removes a document with its pages, jobs and origins, and tells the index. The blob goes
/// last, after the commit: a crash in between leaves an unreferenced file, never a row without
/// its file. Returns false when there was no such document.
pub async fn delete_document(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    id: i64,
) -> Result<bool, IngestError> {
    let (_turn, txn) = crate::db::begin_write(db).await?;
    let Some(doc) = document::Entity::find_by_id(id).one(&txn).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    // Explicit deletes rather than relying on ON DELETE CASCADE, which SQLite only honours
    // when foreign keys are switched on for the connection.
    use planarkiv_schema::entities::{job, page};
    crate::domain::forget_document(&txn, id).await?;
    page::Entity::delete_many()
        .filter(page::Column::DocumentId.eq(id))
        .exec(&txn)
        .await?;
    job::Entity::delete_many()
        .filter(job::Column::DocumentId.eq(id))
        .exec(&txn)
        .await?;
    origin::Entity::delete_many()
        .filter(origin::Column::DocumentId.eq(id))
        .exec(&txn)
        .await?;
    document::Entity::delete_by_id(id).exec(&txn).await?;
    crate::worker::write_outbox(&txn, id, planarkiv_schema::entities::OutboxOp::Delete).await?;
    txn.commit().await?;
    if let Ok(path) = blobs.path_of(&doc.sha256) {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(path = %path.display(), error = %e, "could not remove the stored file");
        }
    }
    Ok(true)
}

/// Sets a document's title by hand.
pub async fn set_title(
    db: &DatabaseConnection,
    id: i64,
    title: &str,
) -> Result<Option<document::Model>, IngestError> {
    let Some(doc) = document::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let mut a: document::ActiveModel = doc.into();
    a.title = Set(Some(title.to_owned()));
    a.title_source = Set(Some(TitleSource::Person));
    a.updated_at = Set(chrono::Utc::now());
    Ok(Some(a.update(db).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_their_directories() {
        assert_eq!(
            sanitize_filename("C:\\scan\\sak 24.25.pdf"),
            "sak 24.25.pdf"
        );
        assert_eq!(sanitize_filename("/tmp/a/b.pdf"), "b.pdf");
        assert_eq!(sanitize_filename("  "), "unnamed.pdf");
        assert_eq!(default_title("Vedlegg_1.pdf").as_deref(), Some("Vedlegg 1"));
    }
}
