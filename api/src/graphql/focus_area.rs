use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::focus_area;
use planarkiv_schema::ids::{self, IdKind};

use super::action_item::ActionItem;
use super::error::GqlResult;
use super::loaders::{ActionItemsOfArea, MeasuresOf, PlanKey};
use super::measure::Measure;
use super::plan::Plan;
use super::provenance::Provenance;
use super::Origin;

pub struct FocusArea(pub focus_area::Model);

/// A focus area (innsatsområde) of a plan, with its goal and measures.
#[Object]
impl FocusArea {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::FocusArea, self.0.id))
    }

    /// 1-based position in the plan.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Its heading; always there. Typed nullable as `title` is on every type (plans, cases,
    /// documents may lack one), so fragments on several types in one selection merge.
    async fn title(&self) -> Option<&str> {
        Some(&self.0.title)
    }

    /// Its goal, when the plan states one ("… ved å:").
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }

    /// The plan it belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> GqlResult<Plan> {
        Ok(Plan(
            super::load_parent(ctx, PlanKey(self.0.plan_id), "plan").await?,
        ))
    }

    /// Its measures in order.
    async fn measures(&self, ctx: &Context<'_>) -> GqlResult<Vec<Measure>> {
        Ok(super::load_list(ctx, MeasuresOf(self.0.id))
            .await?
            .into_iter()
            .map(Measure)
            .collect())
    }

    /// Action items of the plan under this focus area.
    async fn action_items(&self, ctx: &Context<'_>) -> GqlResult<Vec<ActionItem>> {
        Ok(super::load_list(ctx, ActionItemsOfArea(self.0.id))
            .await?
            .into_iter()
            .map(ActionItem)
            .collect())
    }

    /// Where each extracted value was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "focus_area", self.0.id).await
    }

    /// Whether extraction or a person created it.
    async fn origin(&self) -> Origin {
        Origin::from_stored(&self.0.origin)
    }

    /// Fields a person edited; re-extraction leaves them alone.
    async fn edited_fields(&self) -> Vec<String> {
        super::edited_list(&self.0.edited)
    }
}
