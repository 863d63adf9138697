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

super::stored_enum! {
    /// What kind of document it is: what the classifier read, or what a manifest or an
    /// upload's metadata said. The same values the `kind` facet shows and the `kind` filter
    /// takes.
    DocumentKind {
        /// A plan: strategy, action plan, development plan.
        Plan = "plan",
        /// A case paper (saksframlegg).
        CasePaper = "case_paper",
        /// An appendix to a case (vedlegg).
        CaseAppendix = "case_appendix",
        /// Minutes of a meeting (protokoll, referat).
        Minutes = "minutes",
        /// A letter.
        Letter = "letter",
        /// A report, annual report or study.
        Report = "report",
        /// Slides.
        Presentation = "presentation",
        /// A web page saved as PDF.
        WebPage = "web_page",
        /// Anything else, and kinds this version does not know.
        Other = "other",
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

    /// Where the original file is served, relative to this server (`/files/<id>`): an HTTP
    /// `GET` with the same credentials as the API (a bearer token, or none where anonymous
    /// reading is allowed) answers it as `application/pdf`, inline, with the file name, an
    /// ETag and single byte ranges, so a browser's PDF viewer opens `fileUrl + "#page=7"` at
    /// page 7 without fetching the whole file first. Where anonymous callers may not read, a
    /// caller with a token gets a link signed for that token (valid about 12 hours, ended by
    /// revoking the token), so the link works without a header: in an `<iframe>` or a new tab.
    async fn file_url(&self, ctx: &async_graphql::Context<'_>) -> String {
        let path = crate::http::file_path(self.0.id);
        let anonymous_reads = super::app_state(ctx)
            .ok()
            .and_then(|s| s.config.anonymous_role)
            .is_some();
        // A browser opens a link without the caller's `Authorization` header, so where
        // anonymous callers may not read, a caller with a token gets a link signed for it.
        match ctx.data_opt::<crate::files::LinkKey>() {
            Some(key) if !anonymous_reads => {
                let now = planarkiv_schema::time::now_ms() / 1000;
                format!("{path}?{}", crate::files::signed_query(key, self.0.id, now))
            }
            _ => path,
        }
    }

    /// The document's text page by page, in order (none until it is extracted).
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn pages(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<super::page::PageConnection> {
        let limit = super::page_size(first)?;
        let after: Option<i32> = super::query::decode_cursor(after)?;
        let total = self.0.page_count.unwrap_or(0).max(0) as u64;
        super::page::pages_of(&super::app_state(ctx)?.db, self.0.id, total, after, limit).await
    }

    /// One page by its 1-based number; null when the document has no such page (yet).
    async fn page(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "1-based page number.")] number: i32,
    ) -> GqlResult<Option<super::page::Page>> {
        super::page::page_of(ctx, self.0.id, number).await
    }

    /// Lower-case hex SHA-256 of the file: its identity in the archive.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Size of the file in bytes.
    async fn size_bytes(&self) -> super::scalars::SafeInt {
        super::scalars::SafeInt::new(self.0.size_bytes)
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

    /// What kind of document it is; null until it is classified (or given with it).
    async fn kind(&self) -> Option<DocumentKind> {
        self.0.kind.as_deref().map(DocumentKind::from_stored)
    }

    /// The organization the document belongs to, as set by a manifest.
    async fn organization(&self) -> Option<&str> {
        self.0.organization.as_deref()
    }

    /// The document's date, as set by a manifest.
    async fn date(&self) -> Option<super::scalars::Date> {
        self.0
            .document_date
            .as_deref()
            .and_then(super::scalars::Date::from_stored)
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
