use sea_orm::entity::prelude::*;

/// Where an extracted value was read: the document, the 1-based page and the character range
/// (Unicode scalar values, end exclusive) in that page's text, and which extractor read it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provenance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// plan, focus_area, measure, action_item, case, appendix, organization, body.
    pub entity_type: String,
    pub entity_id: i64,
    /// The entity's field, e.g. "title" or "proposed_decision".
    pub field: String,
    pub document_id: i64,
    pub page: i32,
    pub char_start: i32,
    pub char_end: i32,
    pub extractor_version: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
