use sea_orm::entity::prelude::*;

/// What became of one file of an ingest run. Written as it happens, so a killed run leaves an
/// exact record of what it had done.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ingest_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: i64,
    #[sea_orm(column_type = "Text")]
    pub origin: String,
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
    /// pending, indexed, duplicate, failed (and for dry runs: new, unreadable)
    pub outcome: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub document_id: Option<i64>,
    pub page_count: Option<i32>,
    /// How many of those pages were read by OCR.
    pub ocr_pages: Option<i32>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::ingest_run::Entity",
        from = "Column::RunId",
        to = "super::ingest_run::Column::Id",
        on_delete = "Cascade"
    )]
    Run,
}

impl Related<super::ingest_run::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Run.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
