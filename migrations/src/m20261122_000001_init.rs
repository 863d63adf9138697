use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    Sha256,
    Filename,
    Title,
    SizeBytes,
    Status,
    Error,
    PageCount,
    Producer,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Pages {
    Table,
    Id,
    DocumentId,
    Number,
    Text,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    DocumentId,
    Kind,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedUntil,
    LockedBy,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Seq,
    DocumentId,
    Op,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(
                        ColumnDef::new(Documents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Documents::Sha256)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Documents::Filename).string().not_null())
                    .col(ColumnDef::new(Documents::Title).string())
                    .col(
                        ColumnDef::new(Documents::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Documents::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Documents::Error).text())
                    .col(ColumnDef::new(Documents::PageCount).integer())
                    .col(ColumnDef::new(Documents::Producer).string())
                    .col(
                        ColumnDef::new(Documents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Documents::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Pages::Table)
                    .col(
                        ColumnDef::new(Pages::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Pages::DocumentId).big_integer().not_null())
                    .col(ColumnDef::new(Pages::Number).integer().not_null())
                    .col(ColumnDef::new(Pages::Text).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Pages::Table, Pages::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pages_document_number")
                    .table(Pages::Table)
                    .col(Pages::DocumentId)
                    .col(Pages::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(
                        ColumnDef::new(Jobs::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Jobs::DocumentId).big_integer().not_null())
                    .col(ColumnDef::new(Jobs::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Jobs::State).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Jobs::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Jobs::MaxAttempts).integer().not_null())
                    .col(ColumnDef::new(Jobs::RunAt).big_integer().not_null())
                    .col(ColumnDef::new(Jobs::LockedUntil).big_integer())
                    .col(ColumnDef::new(Jobs::LockedBy).string())
                    .col(ColumnDef::new(Jobs::LastError).text())
                    .col(ColumnDef::new(Jobs::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Jobs::UpdatedAt).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Jobs::Table, Jobs::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The claim query scans by state and due time.
        manager
            .create_index(
                Index::create()
                    .name("jobs_state_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::State)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(
                        ColumnDef::new(Outbox::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Outbox::DocumentId).big_integer().not_null())
                    .col(ColumnDef::new(Outbox::Op).string_len(16).not_null())
                    .col(ColumnDef::new(Outbox::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Outbox::Table.into_iden(),
            Jobs::Table.into_iden(),
            Pages::Table.into_iden(),
            Documents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
