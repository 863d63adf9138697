use sea_orm::entity::prelude::*;

/// A path a document's bytes were found at (a file, or `archive.zip!/inner/path.pdf`). One
/// document may have many origins: the duplicates of it an archive held.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_origins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub origin: String,
    /// True for the origin whose bytes created the document; the others are its duplicates.
    pub is_primary: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::document::Entity",
        from = "Column::DocumentId",
        to = "super::document::Column::Id",
        on_delete = "Cascade"
    )]
    Document,
}

impl ActiveModelBehavior for ActiveModel {}
