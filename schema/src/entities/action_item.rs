use sea_orm::entity::prelude::*;

/// An item of a plan's action part (handlingsdel), under a focus area when it names one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub focus_area_id: Option<i64>,
    pub position: i32,
    pub text: String,
    pub responsible: Option<String>,
    pub deadline: Option<String>,
    pub origin: String,
    pub edited: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
