use sea_orm::entity::prelude::*;

/// A case as its paper describes it: the archive case it belongs to ("2026/308") and the item
/// number it is decided under ("sak 24.25" is sequence 24 of 2025). Either may be unknown: many
/// papers leave the item number blank, and secretariats' own templates print no archive number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub body_id: Option<i64>,
    pub meeting_id: Option<i64>,
    /// The item number's year and sequence, where known.
    pub year: Option<i32>,
    pub sequence: Option<i32>,
    /// The item number's type where printed: "PS", "RS", "OS", …
    pub item_type: Option<String>,
    /// The archive case (arkivsak) "2026/308": year 2026, sequence 308.
    pub archive_year: Option<i32>,
    pub archive_sequence: Option<i32>,
    /// JSON list of the fields that metadata from outside set (a manifest, an upload's input).
    pub metadata_fields: String,
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
