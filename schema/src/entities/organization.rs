use sea_orm::entity::prelude::*;

/// An organisation: a health community, a hospital trust, a municipality, …. Its spellings are
/// in `organization_aliases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The canonical spelling.
    pub name: String,
    /// health_community, hospital_trust, regional_health_authority, municipality,
    /// health_region or other.
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
