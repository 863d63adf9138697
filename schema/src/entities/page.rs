use sea_orm::entity::prelude::*;

/// The text of one page of a document. Page numbers are 1-based, as a reader counts them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub number: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// The OCR engine that read the page ("tesseract 5.3.0"); NULL for a text layer.
    pub ocr_engine: Option<String>,
    /// The OCR language model and its version.
    pub ocr_model: Option<String>,
    /// Mean word confidence of the OCR, 0–1.
    pub ocr_confidence: Option<f64>,
    /// Why a page that needed OCR did not get it.
    #[sea_orm(column_type = "Text", nullable)]
    pub ocr_error: Option<String>,
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

impl Related<super::document::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Document.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// A page whose text came from its text layer (no OCR), as index tests and benchmarks
    /// build them.
    pub fn text_layer(id: i64, document_id: i64, number: i32, text: String) -> Self {
        Self {
            id,
            document_id,
            number,
            text,
            ocr_engine: None,
            ocr_model: None,
            ocr_confidence: None,
            ocr_error: None,
        }
    }
}
