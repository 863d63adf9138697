//! How many of a job's attempts ran out of their time budget. A blown budget says as much
//! about a busy machine as about the file, so it earns one more attempt, but a file that runs
//! out twice will run out every time: each attempt held an extraction slot for the whole
//! budget (five attempts held both slots of a two-core machine for 331 s). The count is what
//! tells the second time from the first, whatever other failures came in between.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Timeouts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(
                        ColumnDef::new(Jobs::Timeouts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(Jobs::Timeouts)
                    .to_owned(),
            )
            .await
    }
}
