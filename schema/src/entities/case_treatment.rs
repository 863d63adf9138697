use sea_orm::entity::prelude::*;

/// One body's handling of a case (a row of its *saksgang*): which body, at which meeting, under
/// which item number, and the decision where a protocol gives it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_treatments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    /// 0-based order in which the paper lists it.
    pub position: i32,
    pub body_id: Option<i64>,
    /// The body as printed.
    pub body_name: Option<String>,
    /// The meeting, where the body and the date are known.
    pub meeting_id: Option<i64>,
    /// ISO date, or "YYYY-MM" when only the month is known.
    pub meeting_date: Option<String>,
    pub item_year: Option<i32>,
    pub item_sequence: Option<i32>,
    pub item_type: Option<String>,
    pub decision: Option<String>,
    pub origin: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
