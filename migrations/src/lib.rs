//! The database schema of planarkiv as an ordered list of migrations. The same migrations run on
//! SQLite and PostgreSQL; anything backend-specific is decided inside a migration, never by callers.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_init;
mod m20261122_000002_bulk_ingest;
mod m20261122_000003_api_tokens;
mod m20261122_000004_domain;
mod m20261122_000005_lookup_indexes;
mod m20261123_000006_foreign_key_indexes;
mod m20261123_000007_document_lookup_indexes;
mod m20261129_000008_ingest_file_outcome_index;
mod m20261203_000009_job_timeouts;
mod m20261203_000010_document_title_source;
mod m20261203_000011_dismissed_extractions;
mod m20261203_000012_archive_cases;
mod m20261203_000020_page_ocr;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_init::Migration),
            Box::new(m20261122_000002_bulk_ingest::Migration),
            Box::new(m20261122_000003_api_tokens::Migration),
            Box::new(m20261122_000004_domain::Migration),
            Box::new(m20261122_000005_lookup_indexes::Migration),
            Box::new(m20261123_000006_foreign_key_indexes::Migration),
            Box::new(m20261123_000007_document_lookup_indexes::Migration),
            Box::new(m20261129_000008_ingest_file_outcome_index::Migration),
            Box::new(m20261203_000009_job_timeouts::Migration),
            Box::new(m20261203_000010_document_title_source::Migration),
            Box::new(m20261203_000011_dismissed_extractions::Migration),
            Box::new(m20261203_000012_archive_cases::Migration),
            Box::new(m20261203_000020_page_ocr::Migration),
        ]
    }
}
