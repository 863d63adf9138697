use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    Kind,
    Organization,
    DocumentDate,
    CaseNumber,
    AppendixNumber,
}

#[derive(DeriveIden)]
enum DocumentOrigins {
    Table,
    Id,
    DocumentId,
    Origin,
    IsPrimary,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IngestRuns {
    Table,
    Id,
    StartedAt,
    FinishedAt,
    HeartbeatAt,
    State,
    DryRun,
    Paths,
    Jobs,
}

#[derive(DeriveIden)]
enum IngestFiles {
    Table,
    Id,
    RunId,
    Origin,
    Sha256,
    SizeBytes,
    Outcome,
    Reason,
    DocumentId,
    PageCount,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Metadata an archivist can set by manifest or that a file name reveals. One ALTER per
        // column: SQLite cannot add several in one statement.
        for col in [
            ColumnDef::new(Documents::Kind).string_len(32).to_owned(),
            ColumnDef::new(Documents::Organization).string().to_owned(),
            ColumnDef::new(Documents::DocumentDate)
                .string_len(10)
                .to_owned(),
            ColumnDef::new(Documents::CaseNumber)
                .string_len(16)
                .to_owned(),
            ColumnDef::new(Documents::AppendixNumber)
                .integer()
                .to_owned(),
        ] {
            let mut col = col;
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(DocumentOrigins::Table)
                    .col(
                        ColumnDef::new(DocumentOrigins::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DocumentOrigins::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(DocumentOrigins::Origin).text().not_null())
                    // The origin whose bytes created the document; every other is a duplicate.
                    .col(
                        ColumnDef::new(DocumentOrigins::IsPrimary)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DocumentOrigins::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentOrigins::Table, DocumentOrigins::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("document_origins_origin")
                    .table(DocumentOrigins::Table)
                    .col(DocumentOrigins::Origin)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IngestRuns::Table)
                    .col(
                        ColumnDef::new(IngestRuns::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(IngestRuns::StartedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(IngestRuns::FinishedAt).big_integer())
                    // Renewed while the run is alive; a `running` run whose heartbeat is old
                    // was killed.
                    .col(
                        ColumnDef::new(IngestRuns::HeartbeatAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(IngestRuns::State).string_len(16).not_null())
                    .col(ColumnDef::new(IngestRuns::DryRun).boolean().not_null())
                    .col(ColumnDef::new(IngestRuns::Paths).text().not_null())
                    .col(ColumnDef::new(IngestRuns::Jobs).integer().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IngestFiles::Table)
                    .col(
                        ColumnDef::new(IngestFiles::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(IngestFiles::RunId).big_integer().not_null())
                    .col(ColumnDef::new(IngestFiles::Origin).text().not_null())
                    .col(ColumnDef::new(IngestFiles::Sha256).string_len(64))
                    .col(ColumnDef::new(IngestFiles::SizeBytes).big_integer())
                    .col(
                        ColumnDef::new(IngestFiles::Outcome)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IngestFiles::Reason).text())
                    .col(ColumnDef::new(IngestFiles::DocumentId).big_integer())
                    .col(ColumnDef::new(IngestFiles::PageCount).integer())
                    .col(
                        ColumnDef::new(IngestFiles::UpdatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IngestFiles::Table, IngestFiles::RunId)
                            .to(IngestRuns::Table, IngestRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ingest_files_run")
                    .table(IngestFiles::Table)
                    .col(IngestFiles::RunId)
                    .col(IngestFiles::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ingest_files_document")
                    .table(IngestFiles::Table)
                    .col(IngestFiles::DocumentId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IngestFiles::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IngestRuns::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DocumentOrigins::Table).to_owned())
            .await?;
        for c in [
            Documents::Kind.into_iden(),
            Documents::Organization.into_iden(),
            Documents::DocumentDate.into_iden(),
            Documents::CaseNumber.into_iden(),
            Documents::AppendixNumber.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Documents::Table)
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
