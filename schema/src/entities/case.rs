use sea_orm::entity::prelude::*;

/// A case (sak) of a body: "sak 24.25" is sequence 24 of 2025.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub body_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub year: i32,
    pub sequence: i32,
    pub title: Option<String>,
    pub meeting_date: Option<String>,
    pub background: Option<String>,
    pub assessment: Option<String>,
    pub proposed_decision: Option<String>,
    pub decision: Option<String>,
    pub document_id: Option<i64>,
    pub origin: String,
    pub edited: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
