//! Where a document's title came from, and which entity rules last read the document.
//!
//! A title is taken from the document itself (its case or plan title, the PDF's own Title, its
//! first heading) unless a manifest or a person set one; `title_source` records which, so that
//! re-extraction knows what it may replace and a client can show it. Rows from before this
//! migration keep NULL: their source is not known, and the rule for them stays the old one (a
//! title equal to the one made from the file name may be replaced).
//!
//! `extracted_with` holds the version of the entity rules that last read the document, so that
//! documents read by older rules can be queued for re-extraction when the rules improve.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    TitleSource,
    ExtractedWith,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Documents::Table)
                    .add_column(ColumnDef::new(Documents::TitleSource).string_len(16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Documents::Table)
                    .add_column(ColumnDef::new(Documents::ExtractedWith).string_len(32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Documents::ExtractedWith, Documents::TitleSource] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
