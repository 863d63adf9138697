//! Backups and portable archives.
//!
//! - `backup` makes a consistent copy of an embedded (SQLite) archive: the database through
//!   `VACUUM INTO` (a transactionally consistent snapshot taken while the server runs), then the
//!   stored files, then a note of the index position. The index itself is not copied: it is
//!   rebuilt from the database on first start.
//! - `export` / `import` move documents and what people set on them (titles, metadata, origins)
//!   between deployments — e.g. from SQLite to PostgreSQL — as one zip: `archive.json` plus
//!   `files/<sha256>.pdf`. Imported files are extracted again on the target; what is derived is
//!   never copied, what was curated always is.

use std::io::{Read, Write};
use std::path::Path;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::{Deserialize, Serialize};

use planarkiv_schema::entities::{document, origin};

use crate::blobs::{sha256_hex, BlobStore};
use crate::store::DocumentMeta;
use crate::IngestError;

const FORMAT: &str = "planarkiv-archive/1";

#[derive(Debug, Serialize, Deserialize)]
pub struct ArchiveManifest {
    pub format: String,
    pub exported_at: String,
    pub documents: Vec<ExportedDocument>,
    /// Plans and cases people created or edited; extraction on the target re-derives the rest.
    #[serde(default)]
    pub curated: crate::domain::transfer::Curated,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedDocument {
    pub sha256: String,
    /// The file's size, checked on import (absent in archives written before it was added).
    #[serde(default)]
    pub size_bytes: Option<u64>,
    pub filename: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub organization: Option<String>,
    pub date: Option<String>,
    pub case_number: Option<String>,
    pub appendix_number: Option<i32>,
    pub origins: Vec<String>,
    /// Case metadata given with the file (absent in archives written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_metadata: Option<planarkiv_schema::case_number::CaseMetadata>,
}

/// Copies an SQLite archive to `out` (which must not exist). Returns the files copied.
pub async fn backup_sqlite(
    db: &DatabaseConnection,
    blobs_dir: &Path,
    index: Option<&crate::index::SearchIndex>,
    out: &Path,
) -> Result<u64, IngestError> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Err(IngestError::Rejected(
            "backup copies an embedded (SQLite) archive; for PostgreSQL use pg_dump for the \
             database and copy the data directory's blobs/ folder"
                .into(),
        ));
    }
    if out.exists() {
        return Err(IngestError::Rejected(format!(
            "{} exists already; a backup goes to a new folder",
            out.display()
        )));
    }
    std::fs::create_dir_all(out)?;
    let target = out.join("planarkiv.sqlite3");
    let quoted = target.display().to_string().replace('\'', "''");
    db.execute(Statement::from_string(
        sea_orm::DbBackend::Sqlite,
        format!("VACUUM INTO '{quoted}'"),
    ))
    .await?;
    // Files are immutable and named by content, so copying after the snapshot is safe: every
    // file the snapshot references already exists (blobs are written before their rows).
    let mut copied = 0;
    let dest = out.join("blobs");
    for entry in walk(blobs_dir)? {
        let rel = entry.strip_prefix(blobs_dir).unwrap_or(&entry);
        if rel.starts_with("tmp") {
            continue;
        }
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&entry, &to)?;
        copied += 1;
    }
    // Which outbox position and analyzer the live index had: a restore rebuilds the index, and
    // this records what the rebuilt one should match.
    if let Some(index) = index {
        let payload = index.payload()?;
        let meta = serde_json::json!({
            "outbox_seq": payload.seq,
            "analyzer_version": payload.analyzer,
            "pages": index.num_docs(),
            "taken_at": chrono::Utc::now().to_rfc3339(),
        });
        std::fs::write(out.join("index.json"), meta.to_string())?;
    }
    Ok(copied)
}

fn walk(dir: &Path) -> Result<Vec<std::path::PathBuf>, IngestError> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

/// Writes every document, its stored file and what was set on it to a zip at `out`.
pub async fn export(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    out: &Path,
) -> Result<usize, IngestError> {
    let docs = document::Entity::find()
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    let file = std::fs::File::create(out)?;
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut exported = Vec::with_capacity(docs.len());
    for d in docs {
        let origins = origin::Entity::find()
            .filter(origin::Column::DocumentId.eq(d.id))
            .order_by_asc(origin::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.origin)
            .collect();
        let bytes = blobs.get(&d.sha256)?;
        zip.start_file(format!("files/{}.pdf", d.sha256), opts)
            .map_err(|e| IngestError::Internal(format!("zip: {e}")))?;
        zip.write_all(&bytes)?;
        let case_metadata = Some(crate::domain::case_metadata(&d)).filter(|m| !m.is_empty());
        exported.push(ExportedDocument {
            size_bytes: Some(bytes.len() as u64),
            sha256: d.sha256,
            filename: d.filename,
            title: d.title,
            kind: d.kind,
            organization: d.organization,
            date: d.document_date,
            case_number: d.case_number,
            appendix_number: d.appendix_number,
            origins,
            case_metadata,
        });
    }
    let n = exported.len();
    let manifest = ArchiveManifest {
        format: FORMAT.into(),
        exported_at: chrono::Utc::now().to_rfc3339(),
        documents: exported,
        curated: crate::domain::transfer::collect(db).await?,
    };
    zip.start_file("archive.json", opts)
        .map_err(|e| IngestError::Internal(format!("zip: {e}")))?;
    zip.write_all(
        &serde_json::to_vec_pretty(&manifest).map_err(|e| IngestError::Internal(e.to_string()))?,
    )?;
    zip.finish()
        .map_err(|e| IngestError::Internal(format!("zip: {e}")))?;
    Ok(n)
}

/// `archive.json` larger than this is refused before it is read. It holds about 500 bytes a
/// document, so this is half a million documents with room for their curated data; without
/// a cap a 1.5 GB `archive.json` took 2.7 GB of memory to read.
pub const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// Reads an export into this archive, all or nothing. Every member is checked against
/// `archive.json` (present, its size and sha256, a PDF within `max_bytes`) and staged in the
/// blob store's temporary folder before anything is written; then the documents, their
/// metadata and origins, their extraction jobs and the curated data are written in one
/// transaction. If any of it fails, nothing is written: the transaction rolls back and the
/// files this import added to the store are removed again. Documents already present (same
/// bytes) keep their rows and get the exported title and metadata; new ones are queued for
/// extraction. Returns (imported, already present).
pub async fn import(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    archive: &Path,
    max_bytes: usize,
) -> Result<(usize, usize), IngestError> {
    let (path, store) = (archive.to_owned(), blobs.clone());
    let (manifest, staged) =
        tokio::task::spawn_blocking(move || verify_and_stage(&path, &store, max_bytes)).await??;
    let mut published = Vec::new();
    let written = async {
        for file in staged {
            let sha = file.sha256().to_owned();
            if blobs.publish(file)? {
                published.push(sha);
            }
        }
        write_import(db, &manifest).await
    }
    .await;
    match written {
        Ok(counts) => Ok(counts),
        Err(e) => {
            remove_unclaimed(db, blobs, &published).await;
            Err(e)
        }
    }
}

/// Removes the stored files an import added, after its transaction failed. A file another
/// writer stored a document for meanwhile (an upload of the same bytes, which found the file
/// there and wrote only its row) is that document's now and stays.
async fn remove_unclaimed(db: &DatabaseConnection, blobs: &BlobStore, published: &[String]) {
    for sha in published {
        match crate::store::find_by_sha(db, sha).await {
            Ok(None) => {
                if let Err(e) = blobs.remove(sha) {
                    tracing::warn!(sha256 = %sha, error = %e, "could not remove an imported file");
                }
            }
            Ok(Some(_)) => {}
            Err(e) => {
                tracing::warn!(sha256 = %sha, error = %e, "kept an imported file: cannot tell whether a document has it");
            }
        }
    }
}

/// Reads and checks the whole archive, staging the files the store lacks. Writes nothing
/// but temporary files, which are removed when the returned (or a dropped) list goes.
fn verify_and_stage(
    archive: &Path,
    blobs: &BlobStore,
    max_bytes: usize,
) -> Result<(ArchiveManifest, Vec<crate::blobs::Staged>), IngestError> {
    let file = std::fs::File::open(archive)?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let mut manifest = read_manifest(&mut zip)?;
    let mut staged = Vec::new();
    for d in &mut manifest.documents {
        let missing = || ArchiveError::MissingFile {
            filename: d.filename.clone(),
            sha256: d.sha256.clone(),
        };
        let mut member = zip
            .by_name(&format!("files/{}.pdf", d.sha256))
            .map_err(|_| missing())?;
        // Refused by its declared size before any of it is inflated; the cap below holds
        // whatever the header says.
        if member.size() > max_bytes as u64 {
            return Err(ArchiveError::Refused {
                filename: d.filename.clone(),
                why: format!("too large: over the limit of {max_bytes} bytes"),
            }
            .into());
        }
        let mut bytes = Vec::with_capacity(member.size() as usize);
        (&mut member)
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ArchiveError::Refused {
                filename: d.filename.clone(),
                why: format!("cannot inflate: {e}"),
            })?;
        crate::store::check(&d.filename, &bytes, max_bytes).map_err(|e| ArchiveError::Refused {
            filename: d.filename.clone(),
            why: e.to_string(),
        })?;
        if let Some(expected) = d.size_bytes {
            if expected != bytes.len() as u64 {
                return Err(ArchiveError::SizeMismatch {
                    filename: d.filename.clone(),
                    expected,
                    found: bytes.len() as u64,
                }
                .into());
            }
        }
        if sha256_hex(&bytes) != d.sha256 {
            return Err(ArchiveError::HashMismatch {
                filename: d.filename.clone(),
            }
            .into());
        }
        d.size_bytes = Some(bytes.len() as u64);
        if !blobs.contains(&d.sha256)? {
            staged.push(blobs.stage(&d.sha256, &bytes)?);
        }
    }
    Ok((manifest, staged))
}

/// Reads `archive.json` (at most [`MAX_MANIFEST_BYTES`]) and checks its structure.
fn read_manifest<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<ArchiveManifest, IngestError> {
    let mut f = zip
        .by_name("archive.json")
        .map_err(|_| ArchiveError::NoManifest)?;
    let too_large = ArchiveError::ManifestTooLarge {
        limit: MAX_MANIFEST_BYTES,
    };
    if f.size() > MAX_MANIFEST_BYTES {
        return Err(too_large.into());
    }
    let mut text = Vec::with_capacity(f.size() as usize);
    (&mut f)
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut text)?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(too_large.into());
    }
    let manifest: ArchiveManifest =
        serde_json::from_slice(&text).map_err(|e| ArchiveError::BadManifest(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(ArchiveError::BadManifest(format!(
            "unsupported archive format {:?} (expected {FORMAT})",
            manifest.format
        ))
        .into());
    }
    let mut shas = std::collections::HashSet::new();
    for d in &manifest.documents {
        if d.sha256.len() != 64
            || !d
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ArchiveError::BadManifest(format!(
                "{}: {:?} is not a sha256",
                d.filename, d.sha256
            ))
            .into());
        }
        if !shas.insert(d.sha256.as_str()) {
            return Err(ArchiveError::BadManifest(format!(
                "{}: the document {} is listed twice",
                d.filename, d.sha256
            ))
            .into());
        }
    }
    Ok(manifest)
}

/// Writes the documents, their metadata and origins, their jobs and the curated data in one
/// transaction. The registry lock (organisations, bodies) it takes holds against workers
/// extracting meanwhile.
async fn write_import(
    db: &DatabaseConnection,
    manifest: &ArchiveManifest,
) -> Result<(usize, usize), IngestError> {
    let (_turn, txn) = crate::db::begin_write(db).await?;
    let (mut imported, mut present) = (0, 0);
    let now = chrono::Utc::now();
    for d in &manifest.documents {
        let meta = DocumentMeta {
            title: d.title.clone(),
            kind: d.kind.clone(),
            organization: d.organization.clone(),
            date: d.date.clone(),
            case_number: d.case_number.clone(),
            appendix_number: d.appendix_number,
            case: d.case_metadata.clone().unwrap_or_default(),
        };
        let origin = d.origins.first();
        let existing = document::Entity::find()
            .filter(document::Column::Sha256.eq(d.sha256.clone()))
            .one(&txn)
            .await?;
        let Some(existing) = existing else {
            let title = d
                .title
                .clone()
                .or_else(|| crate::store::default_title(&d.filename));
            // Verified: every document has its file's size by now.
            let size = d.size_bytes.unwrap_or(0) as i64;
            let doc = crate::store::new_document(&d.sha256, &d.filename, title, size, &meta, now)
                .insert(&txn)
                .await?;
            if let Some(origin) = origin {
                crate::store::insert_origin(&txn, doc.id, origin, true).await?;
            }
            crate::queue::enqueue(&txn, doc.id, crate::queue::EXTRACT).await?;
            imported += 1;
            continue;
        };
        present += 1;
        let existing = crate::store::link_existing(&txn, existing, origin.map(String::as_str))
            .await?
            .document;
        // What a person set travels with the export and wins over what was here.
        let mut a: document::ActiveModel = existing.into();
        a.title = Set(meta.title);
        a.kind = Set(meta.kind);
        a.organization = Set(meta.organization);
        a.document_date = Set(meta.date);
        a.case_number = Set(meta.case_number);
        a.appendix_number = Set(meta.appendix_number);
        a.update(&txn).await?;
    }
    crate::domain::transfer::restore(&txn, &manifest.curated).await?;
    txn.commit().await?;
    Ok((imported, present))
}

/// Why an archive was refused before anything was written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a zip: {0}")]
    NotZip(String),
    #[error("no archive.json in it")]
    NoManifest,
    #[error("archive.json is larger than the limit of {limit} bytes")]
    ManifestTooLarge { limit: u64 },
    #[error("archive.json: {0}")]
    BadManifest(String),
    #[error("the file of {filename} (files/{sha256}.pdf) is missing")]
    MissingFile { filename: String, sha256: String },
    #[error("the file of {filename} is {found} bytes, archive.json says {expected}")]
    SizeMismatch {
        filename: String,
        expected: u64,
        found: u64,
    },
    #[error(
        "the file of {filename} does not match its sha256: the archive is damaged or was changed"
    )]
    HashMismatch { filename: String },
    #[error("the file of {filename} is refused: {why}")]
    Refused { filename: String, why: String },
}
