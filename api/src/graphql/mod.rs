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
pub mod search_hit;

use async_graphql::{EmptySubscription, Schema};

use crate::app::AppState;

pub type ApiSchema = Schema<query::QueryRoot, mutation::MutationRoot, EmptySubscription>;

/// Page sizes of every connection are capped here.
pub const MAX_PAGE: usize = 100;
pub const DEFAULT_PAGE: usize = 20;

pub fn build_schema(state: Option<AppState>) -> ApiSchema {
    let mut b = Schema::build(query::QueryRoot, mutation::MutationRoot, EmptySubscription)
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
