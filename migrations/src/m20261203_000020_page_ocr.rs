//! Which pages were read by OCR, with what, and how well; and why a scanned page has no text.
//!
//! `ocr_engine` ("tesseract 5.3.0") and `ocr_model` (the language model and its version) are
//! set on every page whose text came from OCR, `ocr_confidence` is its mean word confidence
//! (0–1). `ocr_error` is set on a page that needed OCR and did not get it (OCR unavailable, a
//! hostile image, a time-out): the document keeps its other pages searchable, and
//! `planarkiv reextract --failed` finds it by this column once the cause is fixed. All NULL on
//! born-digital pages and on rows from before this migration.
//!
//! `ingest_files.ocr_pages` counts a bulk-ingested file's OCR pages, set with `page_count` when
//! the file's document is indexed, so a run's progress sums it like its pages.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Pages {
    Table,
    OcrEngine,
    OcrModel,
    OcrConfidence,
    OcrError,
}

#[derive(DeriveIden)]
enum IngestFiles {
    Table,
    OcrPages,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        let columns = [
            ColumnDef::new(Pages::OcrEngine).string_len(64).to_owned(),
            ColumnDef::new(Pages::OcrModel).string_len(128).to_owned(),
            ColumnDef::new(Pages::OcrConfidence).double().to_owned(),
            ColumnDef::new(Pages::OcrError).text().to_owned(),
        ];
        for mut col in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Pages::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(IngestFiles::Table)
                    .add_column(ColumnDef::new(IngestFiles::OcrPages).integer())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IngestFiles::Table)
                    .drop_column(IngestFiles::OcrPages)
                    .to_owned(),
            )
            .await?;
        for col in [
            Pages::OcrError,
            Pages::OcrConfidence,
            Pages::OcrModel,
            Pages::OcrEngine,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Pages::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
