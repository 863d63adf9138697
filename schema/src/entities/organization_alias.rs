use sea_orm::entity::prelude::*;

/// One spelling of an organisation's name. `alias_key` is unique: spellings that differ only in
/// case, spacing or the common "felleskap" misspelling are one key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub alias: String,
    #[sea_orm(unique)]
    pub alias_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
