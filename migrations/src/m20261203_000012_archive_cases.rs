//! Cases shaped like the archives that hold them (Noark 5's *arkivsak* and *saksgang*).
//!
//! - A case paper belongs to an archive case ("2026/308": `archive_year`, `archive_sequence`)
//!   and is treated by one or more bodies, each under an item number ("PS 1/2026", "sak 24.25").
//!   The item number stays in `year`/`sequence` (what references and appendices link by), but
//!   it is no longer required: many real papers leave it blank, and a case without one is still
//!   a case. `item_type` is the number's prefix where printed ("PS", "RS", "OS").
//! - `case_treatments` holds the paper's *saksgang*: body, meeting date, item number, and the
//!   decision where a protocol gives it.
//! - `metadata_fields` lists the case's fields that metadata from outside (a bulk manifest, an
//!   upload's input) set; extraction never replaces them, a person may.
//! - `documents.case_metadata` keeps that metadata as given (JSON), so every re-extraction
//!   applies it again.
//!
//! Appendices listed by such a paper keep an optional case number as well.
//!
//! SQLite cannot drop a NOT NULL constraint, so the tables are rebuilt there (create, copy, drop,
//! rename, recreate indexes) in one transaction; `db::connect` runs SQLite migrations on a
//! connection with foreign keys off, as SQLite's own procedure for this requires, and checks
//! the foreign keys afterwards.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    ItemType,
    ArchiveYear,
    ArchiveSequence,
    MetadataFields,
}

#[derive(DeriveIden)]
enum CaseTreatments {
    Table,
    Id,
    CaseId,
    Position,
    BodyId,
    BodyName,
    MeetingId,
    MeetingDate,
    ItemYear,
    ItemSequence,
    ItemType,
    Decision,
    Origin,
}

#[derive(DeriveIden)]
enum Bodies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    CaseMetadata,
}

async fn exec(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await?;
    Ok(())
}

/// SQLite's way to drop NOT NULL from `columns` of `table`: a copy of the table made from its
/// own CREATE statement without the constraint, the rows copied, the old table dropped, the
/// copy renamed and the indexes made again, all in one transaction.
async fn sqlite_drop_not_null(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let query = |sql: String| async move {
        db.query_all(Statement::from_string(DbBackend::Sqlite, sql))
            .await?
            .into_iter()
            .map(|r| r.try_get_by_index::<String>(0))
            .collect::<Result<Vec<String>, _>>()
    };
    let create = query(format!(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
    ))
    .await?
    .pop()
    .ok_or_else(|| DbErr::Migration(format!("table {table} is missing")))?;
    let indexes = query(format!(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' \
         AND sql IS NOT NULL"
    ))
    .await?;
    let names = query(format!("SELECT name FROM pragma_table_info('{table}')")).await?;
    let rebuilt = format!("{table}_rebuilt");
    let mut sql = create.replacen(
        &format!("CREATE TABLE \"{table}\""),
        &format!("CREATE TABLE \"{rebuilt}\""),
        1,
    );
    for c in columns {
        let constrained = format!("\"{c}\" integer NOT NULL");
        if !sql.contains(&constrained) {
            return Err(DbErr::Migration(format!(
                "{table}.{c} is not the NOT NULL integer this migration expects"
            )));
        }
        sql = sql.replacen(&constrained, &format!("\"{c}\" integer"), 1);
    }
    let cols = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let txn = db.begin().await?;
    txn.execute_unprepared(&sql).await?;
    txn.execute_unprepared(&format!(
        "INSERT INTO \"{rebuilt}\" ({cols}) SELECT {cols} FROM \"{table}\""
    ))
    .await?;
    txn.execute_unprepared(&format!("DROP TABLE \"{table}\""))
        .await?;
    txn.execute_unprepared(&format!("ALTER TABLE \"{rebuilt}\" RENAME TO \"{table}\""))
        .await?;
    for i in &indexes {
        txn.execute_unprepared(i).await?;
    }
    // Dropped without commit, the transaction rolls back.
    txn.commit().await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An appendix listed by a paper without an item number belongs to its case all the
        // same: the case number it is linked by becomes optional too.
        let optional = [
            ("cases", ["year", "sequence"]),
            ("appendices", ["case_year", "case_sequence"]),
        ];
        for (table, columns) in optional {
            match manager.get_database_backend() {
                DbBackend::Sqlite => sqlite_drop_not_null(manager, table, &columns).await?,
                _ => {
                    let alter = columns
                        .iter()
                        .map(|c| format!("ALTER COLUMN {c} DROP NOT NULL"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    exec(manager, &format!("ALTER TABLE {table} {alter}")).await?
                }
            }
        }
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for col in [
            ColumnDef::new(Cases::ItemType).string_len(8).to_owned(),
            ColumnDef::new(Cases::ArchiveYear).integer().to_owned(),
            ColumnDef::new(Cases::ArchiveSequence).integer().to_owned(),
            ColumnDef::new(Cases::MetadataFields)
                .text()
                .not_null()
                .default("[]")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Cases::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Documents::Table)
                    .add_column(ColumnDef::new(Documents::CaseMetadata).text())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cases_archive_number")
                    .table(Cases::Table)
                    .col(Cases::ArchiveYear)
                    .col(Cases::ArchiveSequence)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseTreatments::Table)
                    .col(
                        ColumnDef::new(CaseTreatments::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CaseTreatments::CaseId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CaseTreatments::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseTreatments::BodyId).big_integer())
                    .col(ColumnDef::new(CaseTreatments::BodyName).text())
                    .col(ColumnDef::new(CaseTreatments::MeetingId).big_integer())
                    .col(ColumnDef::new(CaseTreatments::MeetingDate).string_len(10))
                    .col(ColumnDef::new(CaseTreatments::ItemYear).integer())
                    .col(ColumnDef::new(CaseTreatments::ItemSequence).integer())
                    .col(ColumnDef::new(CaseTreatments::ItemType).string_len(8))
                    .col(ColumnDef::new(CaseTreatments::Decision).text())
                    .col(
                        ColumnDef::new(CaseTreatments::Origin)
                            .string_len(16)
                            .not_null()
                            .default("extracted"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CaseTreatments::Table, CaseTreatments::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CaseTreatments::Table, CaseTreatments::BodyId)
                            .to(Bodies::Table, Bodies::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CaseTreatments::Table, CaseTreatments::MeetingId)
                            .to(Meetings::Table, Meetings::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_case_treatments_case", CaseTreatments::CaseId),
            ("idx_case_treatments_body", CaseTreatments::BodyId),
            ("idx_case_treatments_meeting", CaseTreatments::MeetingId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CaseTreatments::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_case_treatments_item")
                    .table(CaseTreatments::Table)
                    .col(CaseTreatments::ItemYear)
                    .col(CaseTreatments::ItemSequence)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CaseTreatments::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_cases_archive_number")
                    .table(Cases::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Documents::Table)
                    .drop_column(Documents::CaseMetadata)
                    .to_owned(),
            )
            .await?;
        for col in [
            Cases::MetadataFields,
            Cases::ArchiveSequence,
            Cases::ArchiveYear,
            Cases::ItemType,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Cases::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        // Cases without an item number cannot be kept under a NOT NULL constraint; it is not
        // restored, rather than deleting them.
        Ok(())
    }
}
