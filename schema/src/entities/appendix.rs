use sea_orm::entity::prelude::*;

/// An appendix (vedlegg) of a case: listed in the case paper, found as a document of its own,
/// or both (then one row with the title from the list and the document).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appendices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: Option<i64>,
    pub case_year: Option<i32>,
    pub case_sequence: Option<i32>,
    pub number: Option<i32>,
    pub title: Option<String>,
    pub document_id: Option<i64>,
    /// "extracted" (from the case paper's list), "document" (from an appendix document) or
    /// "person".
    pub origin: String,
    pub edited: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
