use async_graphql::{Context, Interface, ID};
use sea_orm::EntityTrait;

use planarkiv_schema::entities::{action_item, api_token, appendix, document, ingest_run, measure};
use planarkiv_schema::ids::{self, IdKind};

use super::action_item::ActionItem;
use super::api_token::ApiToken;
use super::appendix::Appendix;
use super::body::Body;
use super::case::Case;
use super::document::Document;
use super::error::{ApiError, GqlResult};
use super::focus_area::FocusArea;
use super::ingest_run::IngestRun;
use super::loaders::{BodyKey, CaseKey, FocusAreaKey, MeetingKey, OrganizationKey, PlanKey};
use super::measure::Measure;
use super::meeting::Meeting;
use super::organization::Organization;
use super::plan::Plan;
use crate::auth::{require, Role};

/// Any object with a global id; `node(id)` fetches it whatever its type.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    Document(Document),
    Organization(Organization),
    Body(Body),
    Meeting(Meeting),
    Plan(Plan),
    FocusArea(FocusArea),
    Measure(Measure),
    ActionItem(ActionItem),
    Case(Case),
    Appendix(Appendix),
    IngestRun(IngestRun),
    ApiToken(ApiToken),
}

/// The object with that global id, or none.
pub async fn fetch(ctx: &Context<'_>, id: &ID) -> GqlResult<Option<Node>> {
    let (kind, row) = ids::decode_any(id).map_err(ApiError::from)?;
    let db = &super::app_state(ctx)?.db;
    let found = match kind {
        IdKind::Document => document::Entity::find_by_id(row)
            .one(db)
            .await
            .map_err(ApiError::from)?
            .map(|d| Node::Document(Document(d))),
        IdKind::Organization => super::load(ctx, OrganizationKey(row))
            .await?
            .map(|o| Node::Organization(Organization(o))),
        IdKind::Body => super::load(ctx, BodyKey(row))
            .await?
            .map(|b| Node::Body(Body(b))),
        IdKind::Meeting => super::load(ctx, MeetingKey(row))
            .await?
            .map(|m| Node::Meeting(Meeting(m))),
        IdKind::Plan => super::load(ctx, PlanKey(row))
            .await?
            .map(|p| Node::Plan(Plan(p))),
        IdKind::FocusArea => super::load(ctx, FocusAreaKey(row))
            .await?
            .map(|f| Node::FocusArea(FocusArea(f))),
        IdKind::Measure => measure::Entity::find_by_id(row)
            .one(db)
            .await
            .map_err(ApiError::from)?
            .map(|m| Node::Measure(Measure(m))),
        IdKind::ActionItem => action_item::Entity::find_by_id(row)
            .one(db)
            .await
            .map_err(ApiError::from)?
            .map(|a| Node::ActionItem(ActionItem(a))),
        IdKind::Case => super::load(ctx, CaseKey(row))
            .await?
            .map(|c| Node::Case(Case(c))),
        IdKind::Appendix => appendix::Entity::find_by_id(row)
            .one(db)
            .await
            .map_err(ApiError::from)?
            .map(|a| Node::Appendix(Appendix(a))),
        IdKind::IngestRun => ingest_run::Entity::find_by_id(row)
            .one(db)
            .await
            .map_err(ApiError::from)?
            .map(|r| Node::IngestRun(IngestRun(r))),
        // Tokens are the admins' business, as in `apiTokens`.
        IdKind::ApiToken => {
            require(ctx, Role::Admin)?;
            api_token::Entity::find_by_id(row)
                .one(db)
                .await
                .map_err(ApiError::from)?
                .map(|t| Node::ApiToken(ApiToken(t)))
        }
        // Pages are reached through their document (`Document.page(number:)`).
        IdKind::Page => None,
    };
    Ok(found)
}
