//! Queries over the domain model: plans, cases, organisations, bodies, meetings, and `node`.

use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, Object, OutputType, ID};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use planarkiv_ingest::domain::organization_key;
use planarkiv_schema::case_number::{split_item_type, ArchiveNumber, CaseNumber};
use planarkiv_schema::entities::{body, case, meeting, organization, organization_alias, plan};
use planarkiv_schema::ids::{self, IdKind};

use super::body::Body;
use super::case::Case;
use super::error::{ApiError, ApiResult, GqlResult};
use super::meeting::Meeting;
use super::node::Node;
use super::organization::{Organization, OrganizationKind};
use super::plan::{Plan, PlanKind};
use super::query::decode_cursor;
use crate::auth::{require, Role};

#[derive(Default)]
pub struct DomainQuery;

/// Extra fields on the connections of domain objects.
#[derive(async_graphql::SimpleObject, Default)]
pub struct Totals {
    /// All objects that match the filters, not only this page.
    pub total_count: u64,
}

pub type Page<T> = Connection<OpaqueCursor<i64>, T, Totals, EmptyFields>;

/// One keyset page of `select`, ordered by id.
async fn page<E, T>(
    db: &DatabaseConnection,
    select: Select<E>,
    id_col: E::Column,
    first: Option<i32>,
    after: Option<String>,
    id_of: fn(&E::Model) -> i64,
    wrap: fn(E::Model) -> T,
) -> ApiResult<Page<T>>
where
    E: EntityTrait,
    E::Model: Sync,
    T: OutputType,
{
    let limit = super::page_size(first)?;
    let after: Option<i64> = decode_cursor(after)?;
    let total = select.clone().count(db).await?;
    let mut q = select.order_by_asc(id_col);
    if let Some(a) = after {
        q = q.filter(id_col.gt(a));
    }
    let rows = q.limit(limit as u64 + 1).all(db).await?;
    let (rows, has_next) = super::keyset_page(rows, limit);
    let mut conn = Connection::with_additional_fields(
        after.is_some(),
        has_next,
        Totals { total_count: total },
    );
    conn.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(OpaqueCursor(id_of(&r)), wrap(r))),
    );
    Ok(conn)
}

/// The organisation a filter names: a global id or any spelling of its name. `None` when no
/// organisation answers to it (the filter then matches nothing).
async fn organization_named(db: &DatabaseConnection, s: &str) -> ApiResult<Option<i64>> {
    if let Ok(id) = ids::decode(IdKind::Organization, s) {
        return Ok(Some(id));
    }
    Ok(organization_alias::Entity::find()
        .filter(organization_alias::Column::AliasKey.eq(organization_key(s)))
        .one(db)
        .await?
        .map(|a| a.organization_id))
}

/// The bodies a filter names: a global id, an abbreviation ("SSU") or a name, any case.
pub async fn bodies_named(db: &DatabaseConnection, s: &str) -> ApiResult<Vec<i64>> {
    if let Ok(id) = ids::decode(IdKind::Body, s) {
        return Ok(vec![id]);
    }
    let wanted = s.trim().to_lowercase();
    Ok(body::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|b| {
            b.name.to_lowercase() == wanted
                || b.abbreviation.as_deref().map(str::to_lowercase) == Some(wanted.clone())
        })
        .map(|b| b.id)
        .collect())
}

fn contains_ci<C: ColumnTrait>(col: C, needle: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(col)))
        .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// The domain model: plans, cases and who made them.
#[Object]
impl DomainQuery {
    /// Any object by its global id, or null when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Node>> {
        require(ctx, Role::Reader)?;
        super::node::fetch(ctx, &id).await
    }

    /// Plans, oldest first.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "The owner: an organisation's global id or any spelling of its name.")]
        owner: Option<String>,
        #[graphql(desc = "Only plans of this kind.")] kind: Option<PlanKind>,
        #[graphql(desc = "Only plans whose period includes this year.")] year: Option<i32>,
    ) -> GqlResult<Page<Plan>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = plan::Entity::find();
        if let Some(o) = owner {
            let id = organization_named(db, &o).await?;
            q = q.filter(plan::Column::OwnerId.eq(id.unwrap_or(-1)));
        }
        if let Some(k) = kind {
            q = q.filter(plan::Column::Kind.eq(k.stored()));
        }
        if let Some(y) = year {
            q = q
                .filter(plan::Column::PeriodStart.lte(y))
                .filter(plan::Column::PeriodEnd.gte(y));
        }
        Ok(page(db, q, plan::Column::Id, first, after, |p| p.id, Plan).await?)
    }

    /// One plan by id, or null.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Plan>> {
        require(ctx, Role::Reader)?;
        let row = ids::decode(IdKind::Plan, &id).map_err(ApiError::from)?;
        Ok(super::load(ctx, super::loaders::PlanKey(row))
            .await?
            .map(Plan))
    }

    /// Cases, oldest first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "The body: its global id, abbreviation (\"SSU\") or name.")] body: Option<
            String,
        >,
        #[graphql(desc = "Only cases of this year (2025 for \"24.25\").")] year: Option<i32>,
        #[graphql(desc = "Only cases whose title contains this text (any case).")]
        title_contains: Option<String>,
        #[graphql(
            desc = "Only cases with this item or archive number, in any spelling (see `case`)."
        )]
        number: Option<String>,
    ) -> GqlResult<Page<Case>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = case::Entity::find();
        if let Some(n) = number {
            q = q.filter(number_condition(&n)?);
        }
        if let Some(b) = body {
            q = q.filter(case::Column::BodyId.is_in(bodies_named(db, &b).await?));
        }
        if let Some(y) = year {
            q = q.filter(case::Column::Year.eq(y));
        }
        if let Some(t) = title_contains.filter(|t| !t.trim().is_empty()) {
            q = q.filter(contains_ci(case::Column::Title, t.trim()));
        }
        Ok(page(db, q, case::Column::Id, first, after, |c| c.id, Case).await?)
    }

    /// The case with that number, item number or archive number in any spelling: "24.25",
    /// "sak 24.25", "24/25", "2025/24", "PS 24/2025" name item 24 of 2025; "2026/308",
    /// "26/00308-4", "arkivsak 2026/308" name archive case 308 of 2026. With `body`, only that
    /// body's case. Null when there is none; an error when the number names several cases
    /// (two bodies' items, or an item and an archive case written alike): `cases(number:)`
    /// lists them.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An item or archive number in any of its spellings.")] number: String,
        #[graphql(desc = "The body: its global id, abbreviation (\"SSU\") or name.")] body: Option<
            String,
        >,
    ) -> GqlResult<Option<Case>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = case::Entity::find().filter(number_condition(&number)?);
        if let Some(b) = body {
            q = q.filter(case::Column::BodyId.is_in(bodies_named(db, &b).await?));
        }
        let mut found = q
            .order_by_asc(case::Column::Id)
            .limit(2)
            .all(db)
            .await
            .map_err(ApiError::from)?;
        if found.len() > 1 {
            return Err(ApiError::BadUserInput(format!(
                "{number:?} names more than one case; give `body`, or list them with \
                 `cases(number: {number:?})`"
            ))
            .into());
        }
        Ok(found.pop().map(Case))
    }

    /// Organisations by name.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only organisations of this kind.")] kind: Option<OrganizationKind>,
        #[graphql(desc = "Only organisations with a spelling that contains this text.")]
        name_contains: Option<String>,
    ) -> GqlResult<Page<Organization>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = organization::Entity::find();
        if let Some(k) = kind {
            q = q.filter(organization::Column::Kind.eq(k.stored()));
        }
        if let Some(n) = name_contains.filter(|n| !n.trim().is_empty()) {
            let key = organization_key(&n);
            let ids: Vec<i64> = organization_alias::Entity::find()
                .filter(organization_alias::Column::AliasKey.contains(key))
                .all(db)
                .await
                .map_err(ApiError::from)?
                .into_iter()
                .map(|a| a.organization_id)
                .collect();
            q = q.filter(organization::Column::Id.is_in(ids));
        }
        Ok(page(
            db,
            q,
            organization::Column::Id,
            first,
            after,
            |o| o.id,
            Organization,
        )
        .await?)
    }

    /// Bodies (committees, partnership meetings, …).
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn bodies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only bodies of this organisation (global id or any spelling).")]
        organization: Option<String>,
    ) -> GqlResult<Page<Body>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = body::Entity::find();
        if let Some(o) = organization {
            let id = organization_named(db, &o).await?;
            q = q.filter(body::Column::OrganizationId.eq(id.unwrap_or(-1)));
        }
        Ok(page(db, q, body::Column::Id, first, after, |b| b.id, Body).await?)
    }

    /// Meetings of bodies.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "The body: its global id, abbreviation (\"SSU\") or name.")] body: Option<
            String,
        >,
        #[graphql(desc = "Only meetings in this year.")] year: Option<i32>,
    ) -> GqlResult<Page<Meeting>> {
        require(ctx, Role::Reader)?;
        let db = &super::app_state(ctx)?.db;
        let mut q = meeting::Entity::find();
        if let Some(b) = body {
            q = q.filter(meeting::Column::BodyId.is_in(bodies_named(db, &b).await?));
        }
        if let Some(y) = year {
            q = q.filter(
                Condition::all()
                    .add(meeting::Column::Date.gte(format!("{y:04}")))
                    .add(meeting::Column::Date.lt(format!("{:04}", y + 1))),
            );
        }
        Ok(page(db, q, meeting::Column::Id, first, after, |m| m.id, Meeting).await?)
    }
}

/// The cases a number names: as an item number, and, when written with a slash, as an archive
/// number. Refused when it is neither.
fn number_condition(number: &str) -> Result<Condition, ApiError> {
    let (_, rest) = split_item_type(number);
    let item = CaseNumber::parse(rest);
    let archive = number
        .contains('/')
        .then(|| ArchiveNumber::parse(number))
        .flatten();
    let mut any = Condition::any();
    if let Some(n) = item {
        any = any.add(
            Condition::all()
                .add(case::Column::Year.eq(n.year))
                .add(case::Column::Sequence.eq(n.sequence as i32)),
        );
    }
    if let Some(a) = archive {
        any = any.add(
            Condition::all()
                .add(case::Column::ArchiveYear.eq(a.year))
                .add(case::Column::ArchiveSequence.eq(a.sequence as i32)),
        );
    }
    if item.is_none() && archive.is_none() {
        return Err(ApiError::BadUserInput(format!(
            "{number:?} is not a case number (try \"24.25\", \"2025/24\" or the archive \
             number \"2026/308\")"
        )));
    }
    Ok(any)
}
