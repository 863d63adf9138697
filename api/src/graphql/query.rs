use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, Object, ID};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use planarkiv_schema::entities::{document, ingest_run};
use planarkiv_schema::ids::{self, IdKind};

use super::document::{Document, DocumentKind, DocumentStatus};
use super::error::{ApiError, ApiResult, GqlResult};
use super::ingest_run::IngestRun;
use super::page_size;
use crate::auth::{require, Role};

#[derive(Default)]
pub struct QueryRoot;

/// Extra fields on the documents connection.
#[derive(async_graphql::SimpleObject, Default)]
pub struct DocumentsInfo {
    /// All documents in the archive.
    pub total_count: u64,
}

pub type DocumentConnection = Connection<OpaqueCursor<i64>, Document, DocumentsInfo, EmptyFields>;

use super::app_state as state;

pub(crate) fn decode_cursor<T: serde::de::DeserializeOwned + serde::Serialize + Send + Sync>(
    after: Option<String>,
) -> ApiResult<Option<T>> {
    use async_graphql::connection::CursorType;
    after
        .map(|a| {
            OpaqueCursor::<T>::decode_cursor(&a)
                .map(|c| c.0)
                .map_err(|_| ApiError::BadUserInput(format!("malformed cursor {a:?}")))
        })
        .transpose()
}

/// Reading the archive.
#[Object]
impl QueryRoot {
    /// One document by id, or null when there is none.
    async fn document(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Document>> {
        require(ctx, Role::Reader)?;
        let id = ids::decode(IdKind::Document, &id).map_err(ApiError::from)?;
        let doc = document::Entity::find_by_id(id)
            .one(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        Ok(doc.map(Document))
    }

    /// All documents, oldest first.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only documents of this kind.")] kind: Option<DocumentKind>,
        #[graphql(desc = "Only documents in this state.")] status: Option<DocumentStatus>,
    ) -> GqlResult<DocumentConnection> {
        require(ctx, Role::Reader)?;
        let limit = page_size(first)?;
        let after: Option<i64> = decode_cursor(after)?;
        let db = &state(ctx)?.db;
        let mut filtered = document::Entity::find();
        if let Some(k) = kind {
            filtered = filtered.filter(document::Column::Kind.eq(k.stored()));
        }
        if let Some(s) = status {
            filtered = filtered.filter(document::Column::Status.eq(s.stored()));
        }
        let mut q = filtered.clone().order_by_asc(document::Column::Id);
        if let Some(a) = after {
            q = q.filter(document::Column::Id.gt(a));
        }
        let rows = q
            .limit(limit as u64 + 1)
            .all(db)
            .await
            .map_err(ApiError::from)?;
        let (rows, has_next) = super::keyset_page(rows, limit);
        let total = filtered.count(db).await.map_err(ApiError::from)?;
        let mut conn = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            DocumentsInfo { total_count: total },
        );
        conn.edges.extend(
            rows.into_iter()
                .map(|d| Edge::new(OpaqueCursor(d.id), Document(d))),
        );
        Ok(conn)
    }

    /// API tokens (never their secrets). Admins only.
    async fn api_tokens(&self, ctx: &Context<'_>) -> GqlResult<Vec<super::api_token::ApiToken>> {
        require(ctx, Role::Admin)?;
        let rows = planarkiv_ingest::tokens::list(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows.into_iter().map(super::api_token::ApiToken).collect())
    }

    /// Bulk ingest runs, newest first.
    #[graphql(complexity = "super::list_cost(first, 20, child_complexity)")]
    async fn ingest_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<OpaqueCursor<i64>, IngestRun, super::domain_query::Totals, EmptyFields>>
    {
        require(ctx, Role::Reader)?;
        let limit = page_size(first)?;
        let after: Option<i64> = decode_cursor(after)?;
        let total = ingest_run::Entity::find()
            .count(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        let mut q = ingest_run::Entity::find().order_by_desc(ingest_run::Column::Id);
        if let Some(a) = after {
            q = q.filter(ingest_run::Column::Id.lt(a));
        }
        let rows = q
            .limit(limit as u64 + 1)
            .all(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        let (rows, has_next) = super::keyset_page(rows, limit);
        let mut conn = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            super::domain_query::Totals { total_count: total },
        );
        conn.edges.extend(
            rows.into_iter()
                .map(|r| Edge::new(OpaqueCursor(r.id), IngestRun(r))),
        );
        Ok(conn)
    }

    /// One ingest run by id, or null.
    async fn ingest_run(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<IngestRun>> {
        require(ctx, Role::Reader)?;
        let id = ids::decode(IdKind::IngestRun, &id).map_err(ApiError::from)?;
        let run = ingest_run::Entity::find_by_id(id)
            .one(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?;
        Ok(run.map(IngestRun))
    }
}
