use async_graphql::{Enum, Object, ID};

use planarkiv_schema::entities::{
    document, DocumentStatus as DbStatus, TitleSource as DbTitleSource,
};
use planarkiv_schema::ids::{self, IdKind};

use super::error::GqlResult;
use super::loaders::{AppendicesOfDocument, CasesOfDocument, PlansOfDocument};

/// Where a document is on its way from upload to the search index.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DocumentStatus {
    /// Stored and waiting for a worker.
    Queued,
    /// Being extracted, or extracted and waiting for the indexer.
    Processing,
    /// Its pages are searchable.
    Indexed,
    /// Extraction gave up; `error` says why.
    Failed,
}

impl DocumentStatus {
    /// The stored form, for filters.
    pub fn stored(self) -> DbStatus {
        match self {
            DocumentStatus::Queued => DbStatus::Queued,
            DocumentStatus::Processing => DbStatus::Processing,
            DocumentStatus::Indexed => DbStatus::Indexed,
            DocumentStatus::Failed => DbStatus::Failed,
        }
    }
}

impl From<DbStatus> for DocumentStatus {
    fn from(s: DbStatus) -> Self {
        match s {
            DbStatus::Queued => DocumentStatus::Queued,
            DbStatus::Processing => DocumentStatus::Processing,
            DbStatus::Indexed => DocumentStatus::Indexed,
            DbStatus::Failed => DocumentStatus::Failed,
        }
    }
}

/// Where a document's title came from.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TitleSource {
    /// Made from the file name.
    Filename,
    /// The PDF's own Title.
    PdfMetadata,
    /// The case paper's or plan's title in the text.
    Text,
    /// The first page's most prominent line.
    Heading,
    /// Given with the file (a bulk manifest).
    Manifest,
    /// Set by a person.
    Person,
}

impl From<DbTitleSource> for TitleSource {
    fn from(s: DbTitleSource) -> Self {
        match s {
            DbTitleSource::Filename => TitleSource::Filename,
            DbTitleSource::PdfMetadata => TitleSource::PdfMetadata,
            DbTitleSource::Text => TitleSource::Text,
            DbTitleSource::Heading => TitleSource::Heading,
            DbTitleSource::Manifest => TitleSource::Manifest,
            DbTitleSource::Person => TitleSource::Person,
        }
    }
}

pub struct Document(pub document::Model);

/// A stored file (a PDF) and what extraction made of it.
#[Object]
impl Document {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Document, self.0.id))
    }

    /// The title as a person would call it: set by a person or a manifest, else the case
    /// paper's or plan's own title, the PDF's Title where it is a real one, the first page's
    /// heading, and only then the file name. `titleSource` says which.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Where `title` came from; null for documents stored before sources were recorded.
    async fn title_source(&self) -> Option<TitleSource> {
        self.0.title_source.map(Into::into)
    }

    /// Where values of the document itself were read (its title, when the text gave it).
    async fn provenance(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> GqlResult<Vec<super::provenance::Provenance>> {
        super::provenance_of(ctx, "document", self.0.id).await
    }

    /// The file name it was uploaded with.
    async fn filename(&self) -> &str {
        &self.0.filename
    }

    /// Lower-case hex SHA-256 of the file: its identity in the archive.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Size of the file in bytes.
    async fn size_bytes(&self) -> f64 {
        self.0.size_bytes as f64
    }

    /// Where the document is on its way to the search index.
    async fn status(&self) -> DocumentStatus {
        self.0.status.into()
    }

    /// Why extraction failed (FAILED), or why the last attempt failed (QUEUED for a retry).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    /// The pages read by OCR (scans without a text layer) or that needed OCR and did not get
    /// it, in page order; empty for a born-digital document.
    async fn ocr_pages(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> GqlResult<Vec<super::page_ocr::PageOcr>> {
        super::load_list(ctx, super::loaders::OcrPagesOf(self.0.id)).await
    }

    /// Number of pages, once extracted.
    async fn page_count(&self) -> Option<i32> {
        self.0.page_count
    }

    /// The program that wrote the PDF, from its metadata.
    async fn producer(&self) -> Option<&str> {
        self.0.producer.as_deref()
    }

    /// The kind of document as set by a manifest (plan, case_paper, case_appendix, …).
    async fn kind(&self) -> Option<&str> {
        self.0.kind.as_deref()
    }

    /// The organization the document belongs to, as set by a manifest.
    async fn organization(&self) -> Option<&str> {
        self.0.organization.as_deref()
    }

    /// The document's date (YYYY-MM-DD), as set by a manifest.
    async fn date(&self) -> Option<&str> {
        self.0.document_date.as_deref()
    }

    /// The case it belongs to ("24.25"), from a manifest or its file name
    /// ("Vedlegg 2 til sak 24.25.pdf").
    async fn case_number(&self) -> Option<&str> {
        self.0.case_number.as_deref()
    }

    /// Its appendix number within the case, from its file name ("Vedlegg 2 …" → 2).
    async fn appendix_number(&self) -> Option<i32> {
        self.0.appendix_number
    }

    /// When the file first came into the archive.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }

    /// Plans extracted from this document.
    async fn plans(&self, ctx: &async_graphql::Context<'_>) -> GqlResult<Vec<super::plan::Plan>> {
        Ok(super::load_list(ctx, PlansOfDocument(self.0.id))
            .await?
            .into_iter()
            .map(super::plan::Plan)
            .collect())
    }

    /// Cases extracted from this document (a case paper has one).
    async fn cases(&self, ctx: &async_graphql::Context<'_>) -> GqlResult<Vec<super::case::Case>> {
        Ok(super::load_list(ctx, CasesOfDocument(self.0.id))
            .await?
            .into_iter()
            .map(super::case::Case)
            .collect())
    }

    /// The appendix entries this document is the file of (an appendix document belongs to its
    /// case through them).
    async fn appendix_of(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> GqlResult<Vec<super::appendix::Appendix>> {
        Ok(super::load_list(ctx, AppendicesOfDocument(self.0.id))
            .await?
            .into_iter()
            .map(super::appendix::Appendix)
            .collect())
    }
}
