use sea_orm::entity::prelude::*;

/// A measure (tiltak) under a focus area.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "measures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub focus_area_id: i64,
    pub position: i32,
    pub text: String,
    pub origin: String,
    pub edited: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
