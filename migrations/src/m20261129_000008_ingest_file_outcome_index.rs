//! An index for a bulk run's bookkeeping. Four times a second a running ingest settles its
//! pending files and counts its files by outcome; with only an index on the run, both read
//! every file of the run (and settling listed every indexed document of the archive), so the
//! run's own progress cost grew with its size: ~120 ms a round at 100,000 files. With the
//! outcome in the index, settling reads only the pending files and counting reads the index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_ingest_files_run_outcome";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Alias::new("ingest_files"))
                    .col(Alias::new("run_id"))
                    .col(Alias::new("outcome"))
                    // Covers the page sum of the counts, so they never touch the rows.
                    .col(Alias::new("page_count"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Alias::new("ingest_files"))
                    .to_owned(),
            )
            .await
    }
}
