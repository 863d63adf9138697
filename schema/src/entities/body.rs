use sea_orm::entity::prelude::*;

/// A body that treats cases or adopts plans (SSU, AU, partnerskapsmøtet, a fagutvalg), of an
/// organisation when known.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bodies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: Option<i64>,
    pub name: String,
    pub abbreviation: Option<String>,
    /// strategic_committee, working_committee, partnership_meeting, professional_committee,
    /// user_committee, board or other.
    pub kind: String,
    /// Organisation and lower-cased name: one body per name within an organisation.
    #[sea_orm(unique)]
    pub body_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
