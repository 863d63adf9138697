use sea_orm::entity::prelude::*;

/// One invocation of `planarkiv ingest`. Instants are epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ingest_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// running, finished, interrupted
    pub state: String,
    pub dry_run: bool,
    /// The paths given on the command line, one per line.
    #[sea_orm(column_type = "Text")]
    pub paths: String,
    pub jobs: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::ingest_file::Entity")]
    File,
}

impl Related<super::ingest_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::File.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
