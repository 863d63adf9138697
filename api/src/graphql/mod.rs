//! The GraphQL API: one module per GraphQL type. sea-orm models never appear here directly;
//! each type wraps the data it shows and decides its own field names and docs.

pub mod api_token;
pub mod document;
pub mod error;
pub mod extension;
pub mod ingest_run;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod search_facets;
pub mod search_hit;
pub mod search_query;

use async_graphql::{EmptySubscription, Schema};

use crate::app::AppState;

/// The query root: reading the archive, and searching it (kept apart so each grows alone).
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(query::QueryRoot, search_query::SearchQuery);

pub type ApiSchema = Schema<Query, mutation::MutationRoot, EmptySubscription>;

/// Page sizes of every connection are capped here.
pub const MAX_PAGE: usize = 100;
pub const DEFAULT_PAGE: usize = 20;

pub fn build_schema(state: Option<AppState>) -> ApiSchema {
    let mut b = Schema::build(Query::default(), mutation::MutationRoot, EmptySubscription)
        .extension(extension::ErrorCodes)
        .limit_depth(12)
        .limit_complexity(2_000)
        .limit_recursive_depth(32);
    if let Some(s) = state {
        b = b.data(s);
    }
    b.finish()
}

/// The SDL as served; `api/schema.graphql` must equal it (a test checks).
pub fn sdl() -> String {
    build_schema(None).sdl()
}

/// Resolves `first` against the cap and default.
pub fn page_size(first: Option<i32>) -> Result<usize, error::ApiError> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(error::ApiError::BadUserInput(
            "`first` must not be negative".into(),
        )),
        Some(n) if n as usize > MAX_PAGE => Err(error::ApiError::BadUserInput(format!(
            "`first` must be at most {MAX_PAGE}"
        ))),
        Some(n) => Ok(n as usize),
    }
}

/// The application state every resolver reads from.
pub fn app_state<'a>(
    ctx: &'a async_graphql::Context<'_>,
) -> Result<&'a crate::app::AppState, error::ApiError> {
    ctx.data::<crate::app::AppState>()
        .map_err(|_| error::ApiError::internal("application state missing from the schema"))
}

/// A document by row id through the request's DataLoader, so a page of results costs one query.
pub async fn load_document(
    ctx: &async_graphql::Context<'_>,
    id: i64,
) -> error::GqlResult<Option<document::Document>> {
    let loader = ctx.data::<async_graphql::dataloader::DataLoader<loaders::DocumentLoader>>()?;
    Ok(loader
        .load_one(id)
        .await
        .map_err(error::ApiError::internal)?
        .map(document::Document))
}

/// Epoch milliseconds (how the database keeps job and run instants) as a GraphQL DateTime.
pub fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Keyset pagination: the caller fetched `limit + 1` rows; the extra one only says there is more.
pub fn keyset_page<T>(mut rows: Vec<T>, limit: usize) -> (Vec<T>, bool) {
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    (rows, has_next)
}
