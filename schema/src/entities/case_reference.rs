use sea_orm::entity::prelude::*;

/// A case's mention of another case, by number; `referenced_case_id` is set once that case is
/// known (and kept current as cases come and go).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_references")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub year: i32,
    pub sequence: i32,
    pub referenced_case_id: Option<i64>,
    pub origin: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
