use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, Object, SimpleObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use planarkiv_schema::entities::page;

use super::error::{ApiError, GqlResult};

/// The text of one page of a document, as extraction read it and the index holds it.
#[derive(Clone, Debug)]
pub struct Page {
    pub number: i32,
    pub text: String,
}

/// One page of a document's text.
#[Object]
impl Page {
    /// 1-based, as a reader counts pages (and as `#page=N` on the document's `fileUrl` does).
    async fn number(&self) -> i32 {
        self.number
    }

    /// The page's text, its lines separated by line feeds (`\n`). The offsets of a
    /// `Provenance` on this page index into it (UTF-16 code units, as JavaScript strings count).
    async fn text(&self) -> &str {
        &self.text
    }
}

/// Extra fields on a document's pages.
#[derive(SimpleObject, Default)]
pub struct PagesInfo {
    /// Pages of the document (0 until it is extracted).
    pub total_count: u64,
}

pub type PageConnection = Connection<OpaqueCursor<i32>, Page, PagesInfo, EmptyFields>;

/// Pages of a document in order, after page `after` (a cursor), at most `limit`.
pub async fn pages_of(
    db: &sea_orm::DatabaseConnection,
    document_id: i64,
    total: u64,
    after: Option<i32>,
    limit: usize,
) -> GqlResult<PageConnection> {
    let mut q = page::Entity::find()
        .select_only()
        .column(page::Column::Number)
        .column(page::Column::Text)
        .filter(page::Column::DocumentId.eq(document_id))
        .order_by_asc(page::Column::Number);
    if let Some(a) = after {
        q = q.filter(page::Column::Number.gt(a));
    }
    let rows: Vec<(i32, String)> = q
        .limit(limit as u64 + 1)
        .into_tuple()
        .all(db)
        .await
        .map_err(ApiError::from)?;
    let (rows, has_next) = super::keyset_page(rows, limit);
    let mut conn = Connection::with_additional_fields(
        after.is_some(),
        has_next,
        PagesInfo { total_count: total },
    );
    conn.edges.extend(
        rows.into_iter()
            .map(|(number, text)| Edge::new(OpaqueCursor(number), Page { number, text })),
    );
    Ok(conn)
}

/// One page through the request's loader (one query for every page a request asks for).
pub async fn page_of(ctx: &Context<'_>, document_id: i64, number: i32) -> GqlResult<Option<Page>> {
    Ok(
        super::load(ctx, super::loaders::PageKey(document_id, number))
            .await?
            .map(|text: String| Page { number, text }),
    )
}
