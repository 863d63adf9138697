use sea_orm::entity::prelude::*;

/// Where a document is on its way from upload to the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DocumentStatus {
    /// Stored; its extraction job waits for a worker.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// A worker extracts it, or its pages wait for the indexer.
    #[sea_orm(string_value = "processing")]
    Processing,
    /// Its pages are in the database and in the search index.
    #[sea_orm(string_value = "indexed")]
    Indexed,
    /// Extraction gave up; `error` says why.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// Where a document's title came from. Extraction may replace a title from the file name, the
/// PDF's metadata, the text or a heading; never one a manifest or a person set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TitleSource {
    /// Made from the file name: the fallback.
    #[sea_orm(string_value = "filename")]
    Filename,
    /// The PDF's own Title, where it is a real one.
    #[sea_orm(string_value = "pdf_metadata")]
    PdfMetadata,
    /// The case paper's or plan's title as the text gives it.
    #[sea_orm(string_value = "text")]
    Text,
    /// The most prominent line of the first page.
    #[sea_orm(string_value = "heading")]
    Heading,
    /// Given with the file (a bulk manifest).
    #[sea_orm(string_value = "manifest")]
    Manifest,
    /// Set by a person.
    #[sea_orm(string_value = "person")]
    Person,
}

impl TitleSource {
    /// Whether extraction may replace a title from this source.
    pub fn extraction_may_replace(self) -> bool {
        !matches!(self, TitleSource::Manifest | TitleSource::Person)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case hex sha256 of the file: its identity and its blob name.
    #[sea_orm(unique)]
    pub sha256: String,
    pub filename: String,
    pub title: Option<String>,
    pub size_bytes: i64,
    pub status: DocumentStatus,
    pub error: Option<String>,
    pub page_count: Option<i32>,
    pub producer: Option<String>,
    /// Set by a manifest: plan, case_paper, case_appendix, … (free text until classified).
    pub kind: Option<String>,
    pub organization: Option<String>,
    /// ISO date (YYYY-MM-DD) from a manifest.
    pub document_date: Option<String>,
    /// A case number such as "24.25", from a manifest or a file name like "Vedlegg 2 til sak 24.25.pdf".
    pub case_number: Option<String>,
    pub appendix_number: Option<i32>,
    /// Where `title` came from: filename, pdf_metadata, text, heading, manifest or person;
    /// NULL for rows from before this was recorded.
    pub title_source: Option<TitleSource>,
    /// The version of the entity rules that last read the document.
    pub extracted_with: Option<String>,
    /// Case metadata given from outside (a bulk manifest, an upload's input) as JSON
    /// ([`crate::case_number::CaseMetadata`]); applied again at every extraction.
    pub case_metadata: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::page::Entity")]
    Page,
    #[sea_orm(has_many = "super::job::Entity")]
    Job,
}

impl Related<super::page::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Page.def()
    }
}

impl Related<super::job::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Job.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
