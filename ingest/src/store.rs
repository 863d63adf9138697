//! Accepting a file into the archive: sniff, hash, store the blob, and write the document row
//! with its extraction job in one transaction. Upload and bulk ingest both come through here.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};

use planarkiv_schema::entities::{document, DocumentStatus};

use crate::blobs::{sha256_hex, BlobStore};
use crate::pdf::looks_like_pdf;
use crate::queue;
use crate::IngestError;

/// What happened to a submitted file.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub document: document::Model,
    /// False when the same bytes were already in the archive.
    pub created: bool,
}

/// Refuses anything that is not a non-empty PDF within `max_bytes`; otherwise stores it once.
pub async fn accept_file(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    filename: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Accepted, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Rejected(format!(
            "{filename}: the file is empty"
        )));
    }
    if bytes.len() > max_bytes {
        return Err(IngestError::Rejected(format!(
            "{filename}: {} bytes is more than the limit of {max_bytes} bytes",
            bytes.len()
        )));
    }
    if !looks_like_pdf(bytes) {
        return Err(IngestError::Rejected(format!(
            "{filename}: not a PDF (no %PDF- header)"
        )));
    }
    let sha = sha256_hex(bytes);
    if let Some(existing) = find_by_sha(db, &sha).await? {
        return Ok(Accepted {
            document: existing,
            created: false,
        });
    }
    // The blob goes first: a row must never point at a missing file. A crash between the two
    // leaves an unreferenced blob, which is harmless and reused by the next upload of it.
    let blobs2 = blobs.clone();
    let sha2 = sha.clone();
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || blobs2.put(&sha2, &owned)).await??;

    let now = chrono::Utc::now();
    let title = default_title(filename);
    let txn = db.begin().await?;
    let inserted = document::ActiveModel {
        sha256: Set(sha.clone()),
        filename: Set(sanitize_filename(filename)),
        title: Set(title),
        size_bytes: Set(bytes.len() as i64),
        status: Set(DocumentStatus::Queued),
        error: Set(None),
        page_count: Set(None),
        producer: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let doc = match inserted {
        Ok(doc) => doc,
        Err(e) => {
            // Two uploads of the same bytes raced; the unique sha256 let one win.
            txn.rollback().await?;
            if let Some(existing) = find_by_sha(db, &sha).await? {
                return Ok(Accepted {
                    document: existing,
                    created: false,
                });
            }
            return Err(e.into());
        }
    };
    queue::enqueue(&txn, doc.id, queue::EXTRACT).await?;
    txn.commit().await?;
    Ok(Accepted {
        document: doc,
        created: true,
    })
}

async fn find_by_sha(
    db: &DatabaseConnection,
    sha: &str,
) -> Result<Option<document::Model>, IngestError> {
    Ok(document::Entity::find()
        .filter(document::Column::Sha256.eq(sha))
        .one(db)
        .await?)
}

/// Keeps the last path component only: clients send paths like `C:\scan\x.pdf`.
fn sanitize_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if base.is_empty() {
        "unnamed.pdf".to_owned()
    } else {
        base
    }
}

/// A title to show until extraction finds a better one: the file name without extension.
fn default_title(filename: &str) -> Option<String> {
    let base = sanitize_filename(filename);
    let stem = base
        .strip_suffix(".pdf")
        .or_else(|| base.strip_suffix(".PDF"))
        .unwrap_or(&base);
    let t = stem.replace('_', " ").trim().to_owned();
    (!t.is_empty()).then_some(t)
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
