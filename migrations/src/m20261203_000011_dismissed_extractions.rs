//! What a person deleted of what extraction found. Extraction replaces a document's extracted
//! rows each time it reads the document, so without a record a focus area, measure, plan or
//! case a person deleted came back on the next extraction; the record makes the deletion stay.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DismissedExtractions {
    Table,
    Id,
    DocumentId,
    EntityType,
    Key,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}

const INDEX: &str = "idx_dismissed_extractions_document";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DismissedExtractions::Table)
                    .col(
                        ColumnDef::new(DismissedExtractions::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DismissedExtractions::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DismissedExtractions::EntityType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DismissedExtractions::Key).text().not_null())
                    .col(
                        ColumnDef::new(DismissedExtractions::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                DismissedExtractions::Table,
                                DismissedExtractions::DocumentId,
                            )
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(DismissedExtractions::Table)
                    .col(DismissedExtractions::DocumentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DismissedExtractions::Table).to_owned())
            .await
    }
}
