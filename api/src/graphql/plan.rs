use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::plan;
use planarkiv_schema::ids::{self, IdKind};

use super::action_item::ActionItem;
use super::document::Document;
use super::error::GqlResult;
use super::focus_area::FocusArea;
use super::loaders::{ActionItemsOf, ChildPlansOf, FocusAreasOf, OrganizationKey, PlanKey};
use super::organization::Organization;
use super::provenance::Provenance;
use super::Origin;

super::stored_enum! {
    /// What kind of plan it is.
    PlanKind {
        /// Strategiplan / strategi.
        StrategyPlan = "strategy_plan",
        /// Handlingsplan.
        ActionPlan = "action_plan",
        /// Utviklingsplan.
        DevelopmentPlan = "development_plan",
        /// Regional utviklingsplan.
        RegionalDevelopmentPlan = "regional_development_plan",
        /// Virksomhetsstrategi.
        BusinessStrategy = "business_strategy",
        /// Økonomisk langtidsplan.
        EconomicLongTermPlan = "economic_long_term_plan",
        /// Anything else.
        Other = "other",
    }
}

pub struct Plan(pub plan::Model);

/// A plan: a strategy, an action plan, a development plan, … with its focus areas.
#[Object]
impl Plan {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Plan, self.0.id))
    }

    /// What kind of plan it is.
    async fn kind(&self) -> PlanKind {
        PlanKind::from_stored(&self.0.kind)
    }

    /// Its title as the document prints it.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// The organisation that owns the plan.
    async fn owner(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, OrganizationKey(id))
            .await?
            .map(Organization))
    }

    /// First year of the plan period.
    async fn period_start(&self) -> Option<i32> {
        self.0.period_start
    }

    /// Last year of the plan period.
    async fn period_end(&self) -> Option<i32> {
        self.0.period_end
    }

    /// When it was adopted: ISO date, or "YYYY-MM" when only the month is known.
    async fn adopted_on(&self) -> Option<&str> {
        self.0.adopted_on.as_deref()
    }

    /// Who adopted it, e.g. "Partnerskapsmøtet".
    async fn adopted_by(&self) -> Option<&str> {
        self.0.adopted_by.as_deref()
    }

    /// Its vision statement.
    async fn vision(&self) -> Option<&str> {
        self.0.vision.as_deref()
    }

    /// The plan this one belongs under (an action plan's strategy).
    async fn parent_plan(&self, ctx: &Context<'_>) -> GqlResult<Option<Plan>> {
        let Some(id) = self.0.parent_plan_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, PlanKey(id)).await?.map(Plan))
    }

    /// Plans that name this one as their parent.
    async fn child_plans(&self, ctx: &Context<'_>) -> GqlResult<Vec<Plan>> {
        Ok(super::load_list(ctx, ChildPlansOf(self.0.id))
            .await?
            .into_iter()
            .map(Plan)
            .collect())
    }

    /// The document it was extracted from.
    async fn document(&self, ctx: &Context<'_>) -> GqlResult<Option<Document>> {
        match self.0.document_id {
            Some(id) => super::load_document(ctx, id).await,
            None => Ok(None),
        }
    }

    /// Its focus areas in the plan's order.
    async fn focus_areas(&self, ctx: &Context<'_>) -> GqlResult<Vec<FocusArea>> {
        Ok(super::load_list(ctx, FocusAreasOf(self.0.id))
            .await?
            .into_iter()
            .map(FocusArea)
            .collect())
    }

    /// The items of its action part (handlingsdel), in order.
    async fn action_items(&self, ctx: &Context<'_>) -> GqlResult<Vec<ActionItem>> {
        Ok(super::load_list(ctx, ActionItemsOf(self.0.id))
            .await?
            .into_iter()
            .map(ActionItem)
            .collect())
    }

    /// Where each extracted value was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "plan", self.0.id).await
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
