use sea_orm::entity::prelude::*;

/// A plan: strategy, action plan, development plan, ….
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// strategy_plan, action_plan, development_plan, regional_development_plan,
    /// business_strategy, economic_long_term_plan or other.
    pub kind: String,
    pub title: Option<String>,
    pub owner_id: Option<i64>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    /// ISO date, or "YYYY-MM" when only the month is known.
    pub adopted_on: Option<String>,
    pub adopted_by: Option<String>,
    pub vision: Option<String>,
    pub parent_plan_id: Option<i64>,
    /// The document it was extracted from; none for plans a person created.
    pub document_id: Option<i64>,
    /// "extracted" or "person".
    pub origin: String,
    /// JSON array of the fields a person changed; extraction leaves them alone.
    pub edited: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
