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
use crate::store::{accept_file, DocumentMeta, Submission};
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
    pub filename: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub organization: Option<String>,
    pub date: Option<String>,
    pub case_number: Option<String>,
    pub appendix_number: Option<i32>,
    pub origins: Vec<String>,
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
        exported.push(ExportedDocument {
            sha256: d.sha256,
            filename: d.filename,
            title: d.title,
            kind: d.kind,
            organization: d.organization,
            date: d.document_date,
            case_number: d.case_number,
            appendix_number: d.appendix_number,
            origins,
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

/// Reads an export into this archive. Documents already present (same bytes) keep their rows
/// and get the exported title and metadata; new ones are stored and queued for extraction.
/// Returns (imported, already present).
pub async fn import(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    archive: &Path,
    max_bytes: usize,
) -> Result<(usize, usize), IngestError> {
    let file = std::fs::File::open(archive)?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| IngestError::Rejected(format!("{}: not a zip: {e}", archive.display())))?;
    let manifest: ArchiveManifest = {
        let mut f = zip.by_name("archive.json").map_err(|_| {
            IngestError::Rejected(format!("{}: no archive.json in it", archive.display()))
        })?;
        let mut text = Vec::new();
        f.read_to_end(&mut text)?;
        serde_json::from_slice(&text)
            .map_err(|e| IngestError::Rejected(format!("archive.json: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(IngestError::Rejected(format!(
            "unsupported archive format {:?} (expected {FORMAT})",
            manifest.format
        )));
    }
    let (mut imported, mut present) = (0, 0);
    for d in &manifest.documents {
        let mut bytes = Vec::new();
        zip.by_name(&format!("files/{}.pdf", d.sha256))
            .map_err(|_| IngestError::Rejected(format!("the file of {} is missing", d.filename)))?
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)?;
        if sha256_hex(&bytes) != d.sha256 {
            return Err(IngestError::Rejected(format!(
                "the file of {} does not match its sha256: the archive is damaged",
                d.filename
            )));
        }
        let sub = Submission {
            filename: d.filename.clone(),
            origin: d.origins.first().cloned(),
            meta: DocumentMeta {
                title: d.title.clone(),
                kind: d.kind.clone(),
                organization: d.organization.clone(),
                date: d.date.clone(),
                case_number: d.case_number.clone(),
                appendix_number: d.appendix_number,
            },
        };
        let acc = accept_file(db, blobs, &sub, &bytes, max_bytes).await?;
        if acc.created {
            imported += 1;
        } else {
            present += 1;
            // What a person set travels with the export and wins over what was here.
            let mut a: document::ActiveModel = acc.document.into();
            a.title = Set(d.title.clone());
            a.kind = Set(d.kind.clone());
            a.organization = Set(d.organization.clone());
            a.document_date = Set(d.date.clone());
            a.case_number = Set(d.case_number.clone());
            a.appendix_number = Set(d.appendix_number);
            a.update(db).await?;
        }
    }
    // One transaction: the curated set arrives whole or not at all, and the registry lock
    // (organisations, bodies) holds against workers extracting the imported files meanwhile.
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    crate::domain::transfer::restore(&txn, &manifest.curated).await?;
    txn.commit().await?;
    Ok((imported, present))
}
