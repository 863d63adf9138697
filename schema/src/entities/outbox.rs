use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OutboxOp {
    /// (Re)index every page of the document from the database.
    #[sea_orm(string_value = "upsert")]
    Upsert,
    /// Remove the document from the index.
    #[sea_orm(string_value = "delete")]
    Delete,
}

/// Every change the search index must see, in commit order. The index records the last `seq`
/// it applied, so replaying the tail after a crash or restart is all that keeps it in step.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub document_id: i64,
    pub op: OutboxOp,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
