//! Indexes for the two ways documents are found by a column other than their id: by case number
//! (every case paper and appendix links its number, which lists the appendix documents of that
//! number) and by status (the indexer promotes processed documents). Without them both were table
//! scans per document stored, so a bulk ingest slowed down with every document already in the
//! archive.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, column of `documents`).
const INDEXES: &[(&str, &str)] = &[
    ("idx_documents_case_number", "case_number"),
    ("idx_documents_status", "status"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new("documents"))
                        .col(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new("documents"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
