//! Curation: people create, correct and delete what extraction found. Every changed field is
//! recorded in the row's `edited` list so re-extraction never overwrites it, and the source
//! document is re-indexed in the same transaction (through the outbox).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, ID};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use planarkiv_ingest::domain::{self, with_edited, ORIGIN_PERSON};
use planarkiv_schema::case_number::{split_item_type, ArchiveNumber, CaseNumber};
use planarkiv_schema::entities::{appendix, case, document, focus_area, measure, plan, OutboxOp};
use planarkiv_schema::ids::{self, IdKind};
use planarkiv_schema::time::now_ms;

use super::appendix::Appendix;
use super::case::Case;
use super::document::Document;
use super::error::{ApiError, ApiResult, GqlResult};
use super::focus_area::FocusArea;
use super::measure::Measure;
use super::organization::Organization;
use super::plan::{Plan, PlanKind};
use crate::auth::{require, Role};

#[derive(Default)]
pub struct CurationMutation;

/// Longest free text a person may enter in one field.
const MAX_TEXT: usize = 20_000;

fn text(field: &str, v: String) -> ApiResult<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(ApiError::BadUserInput(format!(
            "`{field}` must not be empty"
        )));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ApiError::BadUserInput(format!(
            "`{field}` is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(t.to_owned())
}

fn opt_text(field: &str, v: Option<String>) -> ApiResult<Option<String>> {
    v.map(|v| text(field, v)).transpose()
}

/// "2025-10-23" or "2025-10" (a month).
fn date(field: &str, v: Option<String>) -> ApiResult<Option<String>> {
    let Some(v) = v else { return Ok(None) };
    let t = v.trim();
    let ok = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()
        || chrono::NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").is_ok()
            && t.len() == 7;
    if !ok {
        return Err(ApiError::BadUserInput(format!(
            "`{field}` must be a date like 2025-10-23 or a month like 2025-10, not {t:?}"
        )));
    }
    Ok(Some(t.to_owned()))
}

fn year(field: &str, v: Option<i32>) -> ApiResult<Option<i32>> {
    match v {
        Some(y) if !(1900..=2100).contains(&y) => Err(ApiError::BadUserInput(format!(
            "`{field}` must be a year between 1900 and 2100"
        ))),
        _ => Ok(v),
    }
}

fn position(v: Option<i32>) -> ApiResult<Option<i32>> {
    match v {
        Some(p) if p < 1 => Err(ApiError::BadUserInput("`position` starts at 1".into())),
        _ => Ok(v),
    }
}

/// An item number with its type where given ("PS 12/2026" → PS, 12 of 2026).
fn case_number(v: &str) -> ApiResult<(Option<String>, CaseNumber)> {
    let (kind, rest) = split_item_type(v);
    let n = CaseNumber::parse(rest).ok_or_else(|| {
        ApiError::BadUserInput(format!(
            "`number`: {v:?} is not an item number (try \"24.25\" or \"2025/24\")"
        ))
    })?;
    Ok((kind, n))
}

fn archive_number(v: &str) -> ApiResult<ArchiveNumber> {
    ArchiveNumber::parse(v).ok_or_else(|| {
        ApiError::BadUserInput(format!(
            "`archiveNumber`: {v:?} is not an archive number (try \"2026/308\")"
        ))
    })
}

fn not_found(kind: &str, id: &ID) -> ApiError {
    ApiError::NotFound(format!("no {kind} with id {}", id.as_str()))
}

/// Re-indexes the document an entity came from, in the same transaction.
async fn touch(txn: &DatabaseTransaction, document_id: Option<i64>) -> ApiResult<()> {
    if let Some(d) = document_id {
        planarkiv_ingest::worker::write_outbox(txn, d, OutboxOp::Upsert).await?;
    }
    Ok(())
}

/// A field of an update: absent leaves it, null clears it, a value sets it. Returns the new
/// value when the field was given, and records it as edited.
fn given<T>(
    v: MaybeUndefined<T>,
    name: &'static str,
    edited: &mut Vec<&'static str>,
) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => {
            edited.push(name);
            Some(None)
        }
        MaybeUndefined::Value(v) => {
            edited.push(name);
            Some(Some(v))
        }
    }
}

/// The write turn (held for the mutation), its transaction and the app state.
type Begun<'a> = (
    Option<tokio::sync::MutexGuard<'static, ()>>,
    DatabaseTransaction,
    &'a crate::app::AppState,
);

async fn begin<'a>(ctx: &'a Context<'_>) -> ApiResult<Begun<'a>> {
    let state = super::app_state(ctx)?;
    let (turn, txn) = planarkiv_ingest::db::begin_write(&state.db).await?;
    Ok((turn, txn, state))
}

async fn commit(txn: DatabaseTransaction, state: &crate::app::AppState) -> ApiResult<()> {
    txn.commit().await?;
    state.signals.outbox.notify_one();
    Ok(())
}

async fn owner_id(txn: &DatabaseTransaction, owner: Option<String>) -> ApiResult<Option<i64>> {
    let Some(o) = owner else { return Ok(None) };
    if let Ok(id) = ids::decode(IdKind::Organization, &o) {
        return Ok(Some(id));
    }
    let name = text("owner", o)?;
    Ok(Some(domain::organization_for(txn, &name).await?.id))
}

async fn body_id(txn: &DatabaseTransaction, body: Option<String>) -> ApiResult<Option<i64>> {
    let Some(b) = body else { return Ok(None) };
    if let Ok(id) = ids::decode(IdKind::Body, &b) {
        return Ok(Some(id));
    }
    let name = text("body", b)?;
    let upper = name.to_uppercase();
    let known = planarkiv_schema::entities::body::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .find(|x| x.name.eq_ignore_ascii_case(&name) || x.abbreviation.as_deref() == Some(&upper));
    match known {
        Some(b) => Ok(Some(b.id)),
        None => {
            let abbreviation = (name.len() <= 5 && name == upper).then_some(upper.as_str());
            Ok(Some(
                domain::body_for(txn, None, &name, abbreviation).await?.id,
            ))
        }
    }
}

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// What kind of plan it is.
    pub kind: PlanKind,
    /// Its title.
    pub title: String,
    /// An organisation's global id or its name (created if new).
    pub owner: Option<String>,
    /// First year of the plan period (1900–2100).
    pub period_start: Option<i32>,
    /// Last year of the plan period, not before `periodStart`.
    pub period_end: Option<i32>,
    /// "2025-10-23" or "2025-10".
    pub adopted_on: Option<String>,
    /// Who adopted it, e.g. "Partnerskapsmøtet".
    pub adopted_by: Option<String>,
    /// Its vision statement.
    pub vision: Option<String>,
    /// The plan it belongs under (an action plan's strategy).
    pub parent_plan_id: Option<ID>,
}

/// Changes to a plan: absent fields stay, null clears.
#[derive(InputObject)]
pub struct UpdatePlanInput {
    /// What kind of plan it is (cannot be null).
    pub kind: MaybeUndefined<PlanKind>,
    /// Its title.
    pub title: MaybeUndefined<String>,
    /// An organisation's global id or its name (created if new).
    pub owner: MaybeUndefined<String>,
    /// First year of the plan period.
    pub period_start: MaybeUndefined<i32>,
    /// Last year of the plan period.
    pub period_end: MaybeUndefined<i32>,
    /// When it was adopted: "2025-10-23" or "2025-10".
    pub adopted_on: MaybeUndefined<String>,
    /// Who adopted it.
    pub adopted_by: MaybeUndefined<String>,
    /// Its vision statement.
    pub vision: MaybeUndefined<String>,
    /// The plan it belongs under; null detaches it.
    pub parent_plan_id: MaybeUndefined<ID>,
}

/// A new case.
#[derive(InputObject)]
pub struct CreateCaseInput {
    /// The item number: "24.25", "sak 24/25", "2025/24", "PS 12/2026", …. A case needs
    /// this or an archive number.
    pub number: Option<String>,
    /// The archive case: "2026/308", "26/00308-4", ….
    pub archive_number: Option<String>,
    /// The body's global id, abbreviation or name (created if new).
    pub body: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// The meeting date: "2025-10-23" or "2025-10".
    pub meeting_date: Option<String>,
    /// Background (bakgrunn).
    pub background: Option<String>,
    /// Assessment (vurdering).
    pub assessment: Option<String>,
    /// The proposed decision (forslag til vedtak).
    pub proposed_decision: Option<String>,
    /// The decision made (vedtak).
    pub decision: Option<String>,
}

/// Changes to a case: absent fields stay, null clears.
#[derive(InputObject)]
pub struct UpdateCaseInput {
    /// A new item number ("24.25", "2025/24", "PS 12/2026", …); null clears it.
    pub number: MaybeUndefined<String>,
    /// A new archive number ("2026/308"); null clears it.
    pub archive_number: MaybeUndefined<String>,
    /// The body's global id, abbreviation or name (created if new).
    pub body: MaybeUndefined<String>,
    /// Its title.
    pub title: MaybeUndefined<String>,
    /// The meeting date: "2025-10-23" or "2025-10".
    pub meeting_date: MaybeUndefined<String>,
    /// Background (bakgrunn).
    pub background: MaybeUndefined<String>,
    /// Assessment (vurdering).
    pub assessment: MaybeUndefined<String>,
    /// The proposed decision (forslag til vedtak).
    pub proposed_decision: MaybeUndefined<String>,
    /// The decision made (vedtak).
    pub decision: MaybeUndefined<String>,
}

fn check_period(start: Option<i32>, end: Option<i32>) -> ApiResult<()> {
    year("periodStart", start)?;
    year("periodEnd", end)?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(ApiError::BadUserInput(
                "`periodStart` must not be after `periodEnd`".into(),
            ));
        }
    }
    Ok(())
}

async fn find_plan(txn: &DatabaseTransaction, id: &ID) -> ApiResult<plan::Model> {
    let row = ids::decode(IdKind::Plan, id)?;
    plan::Entity::find_by_id(row)
        .one(txn)
        .await?
        .ok_or_else(|| not_found("plan", id))
}

async fn find_area(txn: &DatabaseTransaction, id: &ID) -> ApiResult<focus_area::Model> {
    let row = ids::decode(IdKind::FocusArea, id)?;
    focus_area::Entity::find_by_id(row)
        .one(txn)
        .await?
        .ok_or_else(|| not_found("focus area", id))
}

async fn find_case(txn: &DatabaseTransaction, id: &ID) -> ApiResult<case::Model> {
    let row = ids::decode(IdKind::Case, id)?;
    case::Entity::find_by_id(row)
        .one(txn)
        .await?
        .ok_or_else(|| not_found("case", id))
}

async fn plan_document(txn: &DatabaseTransaction, plan_id: i64) -> ApiResult<Option<i64>> {
    Ok(plan::Entity::find_by_id(plan_id)
        .one(txn)
        .await?
        .and_then(|p| p.document_id))
}

async fn area_document(txn: &DatabaseTransaction, area_id: i64) -> ApiResult<Option<i64>> {
    match focus_area::Entity::find_by_id(area_id).one(txn).await? {
        Some(a) => plan_document(txn, a.plan_id).await,
        None => Ok(None),
    }
}

async fn next_position<C: ConnectionTrait>(db: &C, sql: &str, parent: i64) -> ApiResult<i32> {
    let stmt = sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        planarkiv_ingest::db::sql(db.get_database_backend(), sql),
        [parent.into()],
    );
    let row = db.query_one(stmt).await?;
    let max: Option<i32> = row.and_then(|r| r.try_get_by_index::<Option<i32>>(0).ok().flatten());
    Ok(max.unwrap_or(0) + 1)
}

/// Correcting and completing what extraction found. Editors and admins only.
#[Object]
impl CurationMutation {
    /// Creates a plan by hand.
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new plan.")] input: CreatePlanInput,
    ) -> GqlResult<Plan> {
        require(ctx, Role::Editor)?;
        let title = text("title", input.title)?;
        check_period(input.period_start, input.period_end)?;
        let adopted_on = date("adoptedOn", input.adopted_on)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let parent = match input.parent_plan_id {
            Some(p) => Some(find_plan(&txn, &p).await?.id),
            None => None,
        };
        let now = now_ms();
        let row = plan::ActiveModel {
            kind: Set(input.kind.stored().to_owned()),
            title: Set(Some(title)),
            owner_id: Set(owner_id(&txn, input.owner).await?),
            period_start: Set(input.period_start),
            period_end: Set(input.period_end),
            adopted_on: Set(adopted_on),
            adopted_by: Set(opt_text("adoptedBy", input.adopted_by)?),
            vision: Set(opt_text("vision", input.vision)?),
            parent_plan_id: Set(parent),
            document_id: Set(None),
            origin: Set(ORIGIN_PERSON.to_owned()),
            edited: Set("[]".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(ApiError::from)?;
        commit(txn, state).await?;
        Ok(Plan(row))
    }

    /// Changes a plan. Changed fields are kept when the plan's document is extracted again.
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The changes.")] input: UpdatePlanInput,
    ) -> GqlResult<Plan> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_plan(&txn, &id).await?;
        let mut edited = Vec::new();
        let mut a: plan::ActiveModel = row.clone().into();
        if let Some(k) = given(input.kind, "kind", &mut edited) {
            let k = k.ok_or_else(|| ApiError::BadUserInput("`kind` cannot be null".into()))?;
            a.kind = Set(k.stored().to_owned());
        }
        if let Some(t) = given(input.title, "title", &mut edited) {
            a.title = Set(opt_text("title", t)?);
        }
        if let Some(o) = given(input.owner, "owner_id", &mut edited) {
            a.owner_id = Set(owner_id(&txn, o).await?);
        }
        let start = given(input.period_start, "period_start", &mut edited);
        let end = given(input.period_end, "period_end", &mut edited);
        check_period(
            start.unwrap_or(row.period_start),
            end.unwrap_or(row.period_end),
        )?;
        if let Some(s) = start {
            a.period_start = Set(s);
        }
        if let Some(e) = end {
            a.period_end = Set(e);
        }
        if let Some(d) = given(input.adopted_on, "adopted_on", &mut edited) {
            a.adopted_on = Set(date("adoptedOn", d)?);
        }
        if let Some(t) = given(input.adopted_by, "adopted_by", &mut edited) {
            a.adopted_by = Set(opt_text("adoptedBy", t)?);
        }
        if let Some(t) = given(input.vision, "vision", &mut edited) {
            a.vision = Set(opt_text("vision", t)?);
        }
        if let Some(p) = given(input.parent_plan_id, "parent_plan_id", &mut edited) {
            let parent = match p {
                Some(p) => Some(find_plan(&txn, &p).await?.id),
                None => None,
            };
            if parent == Some(row.id) {
                return Err(
                    ApiError::BadUserInput("a plan cannot be its own parent".into()).into(),
                );
            }
            a.parent_plan_id = Set(parent);
        }
        a.edited = Set(with_edited(&row.edited, edited));
        a.updated_at = Set(now_ms());
        let row = a.update(&txn).await.map_err(ApiError::from)?;
        touch(&txn, row.document_id).await?;
        commit(txn, state).await?;
        Ok(Plan(row))
    }

    /// Deletes a plan with its focus areas, measures and action items. Returns its id.
    async fn delete_plan(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_plan(&txn, &id).await?;
        if let (Some(doc), true) = (row.document_id, row.origin != domain::ORIGIN_PERSON) {
            domain::dismiss(&txn, doc, domain::Dismissed::Plan).await?;
        }
        plan::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .map_err(ApiError::from)?;
        touch(&txn, row.document_id).await?;
        commit(txn, state).await?;
        Ok(id)
    }

    /// Adds a focus area to a plan, at the end unless `position` says otherwise.
    async fn create_focus_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan to add it to.")] plan_id: ID,
        #[graphql(desc = "Its heading.")] title: String,
        #[graphql(desc = "Its goal.")] goal: Option<String>,
        #[graphql(desc = "1-based position; default: after the last.")] position: Option<i32>,
    ) -> GqlResult<FocusArea> {
        require(ctx, Role::Editor)?;
        let title = text("title", title)?;
        let goal = opt_text("goal", goal)?;
        let position = self::position(position)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let p = find_plan(&txn, &plan_id).await?;
        let pos = match position {
            Some(p) => p,
            None => {
                next_position(
                    &txn,
                    "SELECT MAX(position) FROM focus_areas WHERE plan_id = $1",
                    p.id,
                )
                .await?
            }
        };
        let row = focus_area::ActiveModel {
            plan_id: Set(p.id),
            position: Set(pos),
            title: Set(title),
            goal: Set(goal),
            origin: Set(ORIGIN_PERSON.to_owned()),
            edited: Set("[]".to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(ApiError::from)?;
        touch(&txn, p.document_id).await?;
        commit(txn, state).await?;
        Ok(FocusArea(row))
    }

    /// Changes a focus area. Changed fields are kept on re-extraction.
    async fn update_focus_area(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "A new heading.")] title: Option<String>,
        #[graphql(desc = "A new goal; null clears it.")] goal: MaybeUndefined<String>,
        #[graphql(desc = "A new 1-based position.")] position: Option<i32>,
    ) -> GqlResult<FocusArea> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_area(&txn, &id).await?;
        let mut edited = Vec::new();
        let mut a: focus_area::ActiveModel = row.clone().into();
        if let Some(t) = title {
            a.title = Set(text("title", t)?);
            edited.push("title");
        }
        if let Some(g) = given(goal, "goal", &mut edited) {
            a.goal = Set(opt_text("goal", g)?);
        }
        if let Some(p) = self::position(position)? {
            a.position = Set(p);
            edited.push("position");
        }
        a.edited = Set(with_edited(&row.edited, edited));
        let row = a.update(&txn).await.map_err(ApiError::from)?;
        let doc = plan_document(&txn, row.plan_id).await?;
        touch(&txn, doc).await?;
        commit(txn, state).await?;
        Ok(FocusArea(row))
    }

    /// Deletes a focus area with its measures. Returns its id.
    async fn delete_focus_area(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_area(&txn, &id).await?;
        let doc = plan_document(&txn, row.plan_id).await?;
        if let (Some(d), true) = (doc, row.origin != domain::ORIGIN_PERSON) {
            domain::dismiss(&txn, d, domain::Dismissed::FocusArea { title: &row.title }).await?;
        }
        focus_area::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .map_err(ApiError::from)?;
        touch(&txn, doc).await?;
        commit(txn, state).await?;
        Ok(id)
    }

    /// Adds a measure to a focus area, at the end unless `position` says otherwise.
    async fn create_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The focus area to add it to.")] focus_area_id: ID,
        #[graphql(desc = "What is to be done.")] text: String,
        #[graphql(desc = "1-based position; default: after the last.")] position: Option<i32>,
    ) -> GqlResult<Measure> {
        require(ctx, Role::Editor)?;
        let body = self::text("text", text)?;
        let position = self::position(position)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let area = find_area(&txn, &focus_area_id).await?;
        let pos = match position {
            Some(p) => p,
            None => {
                next_position(
                    &txn,
                    "SELECT MAX(position) FROM measures WHERE focus_area_id = $1",
                    area.id,
                )
                .await?
            }
        };
        let row = measure::ActiveModel {
            focus_area_id: Set(area.id),
            position: Set(pos),
            text: Set(body),
            origin: Set(ORIGIN_PERSON.to_owned()),
            edited: Set("[]".to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(ApiError::from)?;
        let doc = plan_document(&txn, area.plan_id).await?;
        touch(&txn, doc).await?;
        commit(txn, state).await?;
        Ok(Measure(row))
    }

    /// Changes a measure's text or position. Changed fields are kept on re-extraction.
    async fn update_measure(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "New text.")] text: Option<String>,
        #[graphql(desc = "A new 1-based position.")] position: Option<i32>,
    ) -> GqlResult<Measure> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row_id = ids::decode(IdKind::Measure, &id).map_err(ApiError::from)?;
        let row = measure::Entity::find_by_id(row_id)
            .one(&txn)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| not_found("measure", &id))?;
        let mut edited = Vec::new();
        let mut a: measure::ActiveModel = row.clone().into();
        if let Some(t) = text {
            a.text = Set(self::text("text", t)?);
            edited.push("text");
        }
        if let Some(p) = self::position(position)? {
            a.position = Set(p);
            edited.push("position");
        }
        a.edited = Set(with_edited(&row.edited, edited));
        let row = a.update(&txn).await.map_err(ApiError::from)?;
        let doc = area_document(&txn, row.focus_area_id).await?;
        touch(&txn, doc).await?;
        commit(txn, state).await?;
        Ok(Measure(row))
    }

    /// Deletes a measure. Returns its id.
    async fn delete_measure(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row_id = ids::decode(IdKind::Measure, &id).map_err(ApiError::from)?;
        let row = measure::Entity::find_by_id(row_id)
            .one(&txn)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| not_found("measure", &id))?;
        let doc = area_document(&txn, row.focus_area_id).await?;
        if let (Some(d), true) = (doc, row.origin != domain::ORIGIN_PERSON) {
            let area = focus_area::Entity::find_by_id(row.focus_area_id)
                .one(&txn)
                .await
                .map_err(ApiError::from)?;
            if let Some(area) = area {
                let what = domain::Dismissed::Measure {
                    area_title: &area.title,
                    text: &row.text,
                };
                domain::dismiss(&txn, d, what).await?;
            }
        }
        measure::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .map_err(ApiError::from)?;
        touch(&txn, doc).await?;
        commit(txn, state).await?;
        Ok(id)
    }

    /// Creates a case by hand. Appendices and references waiting for its number are linked.
    async fn create_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new case.")] input: CreateCaseInput,
    ) -> GqlResult<Case> {
        require(ctx, Role::Editor)?;
        let number = input.number.as_deref().map(case_number).transpose()?;
        let archive = input
            .archive_number
            .as_deref()
            .map(archive_number)
            .transpose()?;
        if number.is_none() && archive.is_none() {
            return Err(ApiError::BadUserInput(
                "a case needs a `number` or an `archiveNumber`".into(),
            )
            .into());
        }
        let n = number.as_ref().map(|(_, n)| *n);
        let meeting_date = date("meetingDate", input.meeting_date)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let body = body_id(&txn, input.body).await?;
        let meeting = match (body, &meeting_date) {
            (Some(b), Some(d)) => Some(domain::meeting_for(&txn, b, d).await?.id),
            _ => None,
        };
        let now = now_ms();
        let row = case::ActiveModel {
            body_id: Set(body),
            meeting_id: Set(meeting),
            year: Set(n.map(|n| n.year)),
            sequence: Set(n.map(|n| n.sequence as i32)),
            item_type: Set(number.and_then(|(k, _)| k)),
            archive_year: Set(archive.map(|a| a.year)),
            archive_sequence: Set(archive.map(|a| a.sequence as i32)),
            metadata_fields: Set("[]".to_owned()),
            title: Set(opt_text("title", input.title)?),
            meeting_date: Set(meeting_date),
            background: Set(opt_text("background", input.background)?),
            assessment: Set(opt_text("assessment", input.assessment)?),
            proposed_decision: Set(opt_text("proposedDecision", input.proposed_decision)?),
            decision: Set(opt_text("decision", input.decision)?),
            document_id: Set(None),
            origin: Set(ORIGIN_PERSON.to_owned()),
            edited: Set("[]".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(ApiError::from)?;
        if let Some(n) = n {
            domain::link_number(&txn, n).await?;
            domain::reindex_appendices(&txn, n).await?;
        }
        commit(txn, state).await?;
        Ok(Case(row))
    }

    /// Changes a case. Changed fields are kept when its document is extracted again.
    async fn update_case(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The changes.")] input: UpdateCaseInput,
    ) -> GqlResult<Case> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_case(&txn, &id).await?;
        let old_number = domain::item_number_of(row.year, row.sequence);
        let mut edited = Vec::new();
        let mut a: case::ActiveModel = row.clone().into();
        let mut new_number = old_number;
        let mut archive = domain::archive_number_of(&row);
        match input.number {
            MaybeUndefined::Value(v) => {
                let (kind, n) = case_number(&v)?;
                a.year = Set(Some(n.year));
                a.sequence = Set(Some(n.sequence as i32));
                a.item_type = Set(kind);
                edited.extend(["year", "sequence"]);
                new_number = Some(n);
            }
            MaybeUndefined::Null => {
                a.year = Set(None);
                a.sequence = Set(None);
                a.item_type = Set(None);
                edited.extend(["year", "sequence"]);
                new_number = None;
            }
            MaybeUndefined::Undefined => {}
        }
        match input.archive_number {
            MaybeUndefined::Value(v) => archive = Some(archive_number(&v)?),
            MaybeUndefined::Null => archive = None,
            MaybeUndefined::Undefined => {}
        }
        if archive != domain::archive_number_of(&row) {
            a.archive_year = Set(archive.map(|n| n.year));
            a.archive_sequence = Set(archive.map(|n| n.sequence as i32));
            edited.extend(["archive_year", "archive_sequence"]);
        }
        if new_number.is_none() && archive.is_none() {
            return Err(ApiError::BadUserInput(
                "a case must keep a `number` or an `archiveNumber`".into(),
            )
            .into());
        }
        let mut body = row.body_id;
        if let Some(b) = given(input.body, "body_id", &mut edited) {
            body = body_id(&txn, b).await?;
            a.body_id = Set(body);
        }
        if let Some(t) = given(input.title, "title", &mut edited) {
            a.title = Set(opt_text("title", t)?);
        }
        let mut meeting_date = row.meeting_date.clone();
        if let Some(d) = given(input.meeting_date, "meeting_date", &mut edited) {
            meeting_date = date("meetingDate", d)?;
            a.meeting_date = Set(meeting_date.clone());
        }
        if edited.contains(&"body_id") || edited.contains(&"meeting_date") {
            let meeting = match (body, &meeting_date) {
                (Some(b), Some(d)) => Some(domain::meeting_for(&txn, b, d).await?.id),
                _ => None,
            };
            a.meeting_id = Set(meeting);
        }
        if let Some(t) = given(input.background, "background", &mut edited) {
            a.background = Set(opt_text("background", t)?);
        }
        if let Some(t) = given(input.assessment, "assessment", &mut edited) {
            a.assessment = Set(opt_text("assessment", t)?);
        }
        if let Some(t) = given(input.proposed_decision, "proposed_decision", &mut edited) {
            a.proposed_decision = Set(opt_text("proposedDecision", t)?);
        }
        if let Some(t) = given(input.decision, "decision", &mut edited) {
            a.decision = Set(opt_text("decision", t)?);
        }
        a.edited = Set(with_edited(&row.edited, edited));
        a.updated_at = Set(now_ms());
        let row = a.update(&txn).await.map_err(ApiError::from)?;
        if new_number != old_number {
            // The appendix list follows its case to the new number.
            appendix::Entity::update_many()
                .col_expr(
                    appendix::Column::CaseYear,
                    sea_orm::sea_query::Expr::value(new_number.map(|n| n.year)),
                )
                .col_expr(
                    appendix::Column::CaseSequence,
                    sea_orm::sea_query::Expr::value(new_number.map(|n| n.sequence as i32)),
                )
                .filter(appendix::Column::CaseId.eq(row.id))
                .filter(appendix::Column::Origin.ne(domain::ORIGIN_DOCUMENT))
                .exec(&txn)
                .await
                .map_err(ApiError::from)?;
            for n in old_number.into_iter().chain(new_number) {
                domain::link_number(&txn, n).await?;
                domain::reindex_appendices(&txn, n).await?;
            }
        }
        touch(&txn, row.document_id).await?;
        commit(txn, state).await?;
        Ok(Case(row))
    }

    /// Deletes a case with its references and appendix list (appendix documents stay in the
    /// archive). Returns its id.
    async fn delete_case(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = find_case(&txn, &id).await?;
        if let (Some(doc), true) = (row.document_id, row.origin != domain::ORIGIN_PERSON) {
            domain::dismiss(&txn, doc, domain::Dismissed::Case).await?;
        }
        appendix::Entity::delete_many()
            .filter(appendix::Column::CaseId.eq(row.id))
            .filter(appendix::Column::Origin.ne(domain::ORIGIN_DOCUMENT))
            .exec(&txn)
            .await
            .map_err(ApiError::from)?;
        case::Entity::delete_by_id(row.id)
            .exec(&txn)
            .await
            .map_err(ApiError::from)?;
        if let Some(number) = domain::item_number_of(row.year, row.sequence) {
            domain::link_number(&txn, number).await?;
            domain::reindex_appendices(&txn, number).await?;
        }
        touch(&txn, row.document_id).await?;
        commit(txn, state).await?;
        Ok(id)
    }

    /// Adds an appendix to a case's list, optionally with its archived document.
    async fn create_appendix(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case whose list it joins.")] case_id: ID,
        #[graphql(desc = "Its number in the list (\"Vedlegg 2\" → 2).")] number: Option<i32>,
        #[graphql(desc = "Its title.")] title: Option<String>,
        #[graphql(desc = "Its archived document.")] document_id: Option<ID>,
    ) -> GqlResult<Appendix> {
        require(ctx, Role::Editor)?;
        if number.is_some_and(|n| n < 1) {
            return Err(ApiError::BadUserInput("`number` starts at 1".into()).into());
        }
        let title = opt_text("title", title)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let c = find_case(&txn, &case_id).await?;
        let doc = match document_id {
            Some(d) => {
                let row = ids::decode(IdKind::Document, &d).map_err(ApiError::from)?;
                Some(
                    document::Entity::find_by_id(row)
                        .one(&txn)
                        .await
                        .map_err(ApiError::from)?
                        .ok_or_else(|| not_found("document", &d))?
                        .id,
                )
            }
            None => None,
        };
        let row = appendix::ActiveModel {
            case_id: Set(Some(c.id)),
            case_year: Set(c.year),
            case_sequence: Set(c.sequence),
            number: Set(number),
            title: Set(title),
            document_id: Set(doc),
            origin: Set(ORIGIN_PERSON.to_owned()),
            edited: Set("[]".to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(ApiError::from)?;
        touch(&txn, c.document_id).await?;
        commit(txn, state).await?;
        Ok(Appendix(row))
    }

    /// Changes an appendix's number, title or document. Changes are kept on re-extraction.
    async fn update_appendix(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "A new number; null clears it.")] number: MaybeUndefined<i32>,
        #[graphql(desc = "A new title; null clears it.")] title: MaybeUndefined<String>,
        #[graphql(desc = "Its archived document; null unlinks it.")] document_id: MaybeUndefined<
            ID,
        >,
    ) -> GqlResult<Appendix> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row_id = ids::decode(IdKind::Appendix, &id).map_err(ApiError::from)?;
        let row = appendix::Entity::find_by_id(row_id)
            .one(&txn)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| not_found("appendix", &id))?;
        let mut edited = Vec::new();
        let mut a: appendix::ActiveModel = row.clone().into();
        if let Some(n) = given(number, "number", &mut edited) {
            if n.is_some_and(|n| n < 1) {
                return Err(ApiError::BadUserInput("`number` starts at 1".into()).into());
            }
            a.number = Set(n);
        }
        if let Some(t) = given(title, "title", &mut edited) {
            a.title = Set(opt_text("title", t)?);
        }
        if let Some(d) = given(document_id, "document_id", &mut edited) {
            let doc = match d {
                Some(d) => {
                    let r = ids::decode(IdKind::Document, &d).map_err(ApiError::from)?;
                    Some(
                        document::Entity::find_by_id(r)
                            .one(&txn)
                            .await
                            .map_err(ApiError::from)?
                            .ok_or_else(|| not_found("document", &d))?
                            .id,
                    )
                }
                None => None,
            };
            a.document_id = Set(doc);
        }
        a.edited = Set(with_edited(&row.edited, edited));
        let row = a.update(&txn).await.map_err(ApiError::from)?;
        commit(txn, state).await?;
        Ok(Appendix(row))
    }

    /// Removes an appendix from its case's list (its document stays). Returns its id.
    async fn delete_appendix(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row_id = ids::decode(IdKind::Appendix, &id).map_err(ApiError::from)?;
        if appendix::Entity::delete_by_id(row_id)
            .exec(&txn)
            .await
            .map_err(ApiError::from)?
            .rows_affected
            == 0
        {
            return Err(not_found("appendix", &id).into());
        }
        commit(txn, state).await?;
        Ok(id)
    }

    /// Merges organisation `merge` into `keep`: its spellings, bodies, plans and documents
    /// move to `keep`, and `merge` is deleted. Returns the kept organisation.
    async fn merge_organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation that remains.")] keep: ID,
        #[graphql(desc = "The organisation merged into `keep` and deleted.")] merge: ID,
    ) -> GqlResult<Organization> {
        require(ctx, Role::Editor)?;
        let keep_id = ids::decode(IdKind::Organization, &keep).map_err(ApiError::from)?;
        let merge_id = ids::decode(IdKind::Organization, &merge).map_err(ApiError::from)?;
        if keep_id == merge_id {
            return Err(
                ApiError::BadUserInput("cannot merge an organization into itself".into()).into(),
            );
        }
        let (_turn, txn, state) = begin(ctx).await?;
        for (id, raw) in [(keep_id, &keep), (merge_id, &merge)] {
            if planarkiv_schema::entities::organization::Entity::find_by_id(id)
                .one(&txn)
                .await
                .map_err(ApiError::from)?
                .is_none()
            {
                return Err(not_found("organization", raw).into());
            }
        }
        let docs = domain::merge_organizations(&txn, keep_id, merge_id).await?;
        for d in docs {
            touch(&txn, Some(d)).await?;
        }
        let kept = planarkiv_schema::entities::organization::Entity::find_by_id(keep_id)
            .one(&txn)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| not_found("organization", &keep))?;
        commit(txn, state).await?;
        Ok(Organization(kept))
    }

    /// Extracts a document again (after better rules arrived, say). Values people edited are
    /// kept. Returns the document, queued.
    async fn reprocess_document(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Document> {
        require(ctx, Role::Editor)?;
        let (_turn, txn, state) = begin(ctx).await?;
        let row = ids::decode(IdKind::Document, &id).map_err(ApiError::from)?;
        let doc = document::Entity::find_by_id(row)
            .one(&txn)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| not_found("document", &id))?;
        planarkiv_ingest::queue::enqueue(&txn, doc.id, planarkiv_ingest::queue::EXTRACT)
            .await
            .map_err(ApiError::from)?;
        let mut a: document::ActiveModel = doc.into();
        a.status = Set(planarkiv_schema::entities::DocumentStatus::Queued);
        a.updated_at = Set(chrono::Utc::now());
        let doc = a.update(&txn).await.map_err(ApiError::from)?;
        txn.commit().await.map_err(ApiError::from)?;
        state.signals.jobs.notify_one();
        Ok(Document(doc))
    }
}
