use sea_orm::entity::prelude::*;

/// Something extraction found in a document that a person deleted: re-extraction leaves it
/// out. `entity_type` is plan, case, focus_area or measure; `key` says which one (empty for the
/// document's plan or case, a focus area's title, a measure's focus area title and text), in
/// the normalised form `domain::dismissal_key` makes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dismissed_extractions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub entity_type: String,
    pub key: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
