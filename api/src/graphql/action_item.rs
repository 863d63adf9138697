use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::action_item;
use planarkiv_schema::ids::{self, IdKind};

use super::error::GqlResult;
use super::focus_area::FocusArea;
use super::loaders::{FocusAreaKey, PlanKey};
use super::plan::Plan;
use super::provenance::Provenance;
use super::Origin;

pub struct ActionItem(pub action_item::Model);

/// An item of a plan's action part (handlingsdel).
#[Object]
impl ActionItem {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::ActionItem, self.0.id))
    }

    /// 1-based position in the action part.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// What is to be done.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Who is responsible, when stated.
    async fn responsible(&self) -> Option<&str> {
        self.0.responsible.as_deref()
    }

    /// The deadline as the plan prints it ("31.12.2026", "2. kvartal 2026", "Løpende"), when stated.
    async fn deadline(&self) -> Option<&str> {
        self.0.deadline.as_deref()
    }

    /// The plan it belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> GqlResult<Plan> {
        Ok(Plan(
            super::load_parent(ctx, PlanKey(self.0.plan_id), "plan").await?,
        ))
    }

    /// The focus area it is listed under, when the plan has it.
    async fn focus_area(&self, ctx: &Context<'_>) -> GqlResult<Option<FocusArea>> {
        let Some(id) = self.0.focus_area_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, FocusAreaKey(id)).await?.map(FocusArea))
    }

    /// Where its text was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "action_item", self.0.id).await
    }

    /// Whether extraction or a person created it.
    async fn origin(&self) -> Origin {
        Origin::from_stored(&self.0.origin)
    }
}
