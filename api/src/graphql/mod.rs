//! The GraphQL API: one module per GraphQL type. sea-orm models never appear here directly;
//! each type wraps the data it shows and decides its own field names and docs.

pub mod action_item;
pub mod api_token;
pub mod appendix;
pub mod body;
pub mod case;
pub mod case_reference;
pub mod curation;
pub mod document;
pub mod domain_query;
pub mod error;
pub mod extension;
pub mod focus_area;
pub mod ingest_run;
pub mod limits;
pub mod loaders;
pub mod measure;
pub mod meeting;
pub mod mutation;
pub mod node;
pub mod organization;
pub mod page;
pub mod page_ocr;
pub mod plan;
pub mod provenance;
pub mod query;
pub mod scalars;
pub mod search_facets;
pub mod search_hit;
pub mod search_query;
pub mod subscription;

use async_graphql::{MergedObject, Schema};

/// The query root: the archive (documents, ingest runs), search, and the domain model, kept
/// apart so each grows alone.
#[derive(MergedObject, Default)]
pub struct Query(
    query::QueryRoot,
    search_query::SearchQuery,
    domain_query::DomainQuery,
    limits::LimitsQuery,
);

/// The mutation root: the archive and curation of the domain model.
#[derive(MergedObject, Default)]
pub struct Mutation(mutation::MutationRoot, curation::CurationMutation);

use crate::app::AppState;

pub type ApiSchema = Schema<Query, Mutation, subscription::Subscription>;

/// How deeply fields may nest (graphql-js's introspection query needs 15).
pub const MAX_DEPTH: usize = 15;

/// Page sizes of every connection are capped here.
pub const MAX_PAGE: usize = 100;
pub const DEFAULT_PAGE: usize = 20;

/// What a full-text search costs beside its results: it ranks every match in the index, so a
/// query of many aliased searches is charged for each (199 aliased searches once took 8 s).
pub const SEARCH_COST: usize = 100;

/// The complexity of a list field: its page size (as asked, within the cap, else the default)
/// times what each item costs, plus the field itself. Charging the items once whatever the
/// page size let `search(first: 100)` cost as little as `search(first: 1)`.
pub fn list_cost(first: Option<i32>, default: usize, child_complexity: usize) -> usize {
    let n = first.map_or(default, |n| n.clamp(1, MAX_PAGE as i32) as usize);
    n.saturating_mul(child_complexity).saturating_add(1)
}

/// Pages shown per document hit, as the cost of a grouped search counts them.
pub fn per_document(pages: Option<i32>) -> usize {
    pages.map_or(3, |n| n.clamp(1, 20) as usize)
}

pub fn build_schema(state: Option<AppState>) -> ApiSchema {
    let limits = state
        .as_ref()
        .map(|s| s.config.limits.clone())
        .unwrap_or_default();
    let mut b = Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription,
    )
    .extension(extension::ErrorCodes)
    .extension(extension::QuerySize {
        max_fields: limits.max_query_fields,
    })
    // graphql-js's standard introspection query (GraphiQL, codegen, IDE plugins, Rover)
    // nests 15 deep; what a deep query may cost is bounded by the field and complexity
    // limits, so depth only needs to stop absurd nesting.
    .limit_depth(MAX_DEPTH)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32);
    if let Some(s) = state {
        b = b.data(s);
    }
    b.finish()
}

/// The per-request DataLoaders: each request batches its own lookups and caches nothing
/// beyond its end.
pub fn add_loaders(
    data: &mut async_graphql::Data,
    db: &sea_orm::DatabaseConnection,
    delay: std::time::Duration,
) {
    use async_graphql::dataloader::DataLoader;
    data.insert(
        DataLoader::new(loaders::DocumentLoader { db: db.clone() }, tokio::spawn).delay(delay),
    );
    data.insert(
        DataLoader::new(loaders::DomainLoader { db: db.clone() }, tokio::spawn).delay(delay),
    );
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

/// One object through the request's [`loaders::DomainLoader`].
pub async fn load<K, V>(ctx: &async_graphql::Context<'_>, key: K) -> error::GqlResult<Option<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    loaders::DomainLoader:
        async_graphql::dataloader::Loader<K, Value = V, Error = std::sync::Arc<sea_orm::DbErr>>,
{
    let loader = ctx.data::<async_graphql::dataloader::DataLoader<loaders::DomainLoader>>()?;
    Ok(loader
        .load_one(key)
        .await
        .map_err(error::ApiError::internal)?)
}

/// The parent a row always has (a foreign key), through the request's loader. Missing only when
/// it was deleted while this request ran: then the error nulls the object that asked, rather
/// than the field saying "no parent".
pub async fn load_parent<K, V>(
    ctx: &async_graphql::Context<'_>,
    key: K,
    what: &str,
) -> error::GqlResult<V>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    loaders::DomainLoader:
        async_graphql::dataloader::Loader<K, Value = V, Error = std::sync::Arc<sea_orm::DbErr>>,
{
    load(ctx, key).await?.ok_or_else(|| {
        error::ApiError::NotFound(format!("its {what} was deleted meanwhile")).into()
    })
}

/// A child list through the request's [`loaders::DomainLoader`]; none is an empty list.
pub async fn load_list<K, V>(ctx: &async_graphql::Context<'_>, key: K) -> error::GqlResult<Vec<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    loaders::DomainLoader: async_graphql::dataloader::Loader<
        K,
        Value = Vec<V>,
        Error = std::sync::Arc<sea_orm::DbErr>,
    >,
{
    Ok(load(ctx, key).await?.unwrap_or_default())
}

/// A GraphQL enum stored as a snake_case string. Unknown stored values read as `Other`, so a
/// newer writer never breaks an older reader.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal,)* }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub fn from_stored(s: &str) -> Self {
                match s {
                    $($s => $name::$variant,)*
                    _ => $name::Other,
                }
            }

            pub fn stored(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)*
                }
            }
        }
    };
}
pub(crate) use stored_enum;

/// Where a row came from.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Origin {
    /// Read from a document by the entity rules.
    Extracted,
    /// Created from an appendix document that its case did not list.
    Document,
    /// Created by a person.
    Person,
}

impl Origin {
    pub fn from_stored(s: &str) -> Self {
        match s {
            planarkiv_ingest::domain::ORIGIN_PERSON => Origin::Person,
            planarkiv_ingest::domain::ORIGIN_DOCUMENT => Origin::Document,
            _ => Origin::Extracted,
        }
    }
}

/// The fields a person edited (the GraphQL names), from a stored `edited` column.
pub fn edited_list(json: &str) -> Vec<String> {
    let mut out: Vec<String> = planarkiv_ingest::domain::edited_fields(json)
        .iter()
        .map(|f| field_name(f))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The GraphQL name of a stored field: columns holding ids name the object they point to, and
/// a case's year and sequence are its number, its archive year and sequence its archive number.
pub fn field_name(column: &str) -> String {
    match column {
        "year" | "sequence" => "number".to_owned(),
        "archive_year" | "archive_sequence" => "archiveNumber".to_owned(),
        c => snake_to_camel(c.strip_suffix("_id").unwrap_or(c)),
    }
}

pub fn snake_to_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Provenance of an entity through the request's DataLoader.
pub async fn provenance_of(
    ctx: &async_graphql::Context<'_>,
    entity_type: &'static str,
    id: i64,
) -> error::GqlResult<Vec<provenance::Provenance>> {
    Ok(load_list(ctx, loaders::ProvenanceOf(entity_type, id))
        .await?
        .into_iter()
        .map(provenance::Provenance)
        .collect())
}
