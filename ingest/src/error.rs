use crate::pdf::PdfError;

/// Errors of the ingest library. Callers decide from the variant whether a person can act on it
/// (`Rejected`, `NotFound`, `TooLarge`, `Pdf`, `Archive`) or whether it is an operational fault
/// (`Db`, `Io`, `Index`, `Internal`), whose text is for the log only.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The input was refused before anything was stored.
    #[error("{0}")]
    Rejected(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The input is larger than a limit allows; nothing was stored.
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// An archive to import was refused; nothing was written.
    #[error("import refused, nothing was written: {0}")]
    Archive(#[from] crate::archive::ArchiveError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    IndexDir(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("{0}")]
    Internal(String),
}

impl From<tokio::task::JoinError> for IngestError {
    fn from(e: tokio::task::JoinError) -> Self {
        IngestError::Internal(format!("background task failed: {e}"))
    }
}
