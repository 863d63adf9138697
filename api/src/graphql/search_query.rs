//! The search part of the query root: `search`, `searchDocuments`, `moreLikeThis`.

use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};

use planarkiv_schema::ids::{self, IdKind};

use super::document::DocumentKind;
use super::error::{ApiError, ApiResult, GqlResult};
use super::page_size;
use super::query::decode_cursor;
use super::search_facets::SearchFacets;
use super::search_hit::{DocumentHit, HitType, SearchHit};
use crate::auth::{require, Role};
use crate::search::{self, Filters, SearchRequest, Sort};

use super::app_state as state;

/// Extra fields on the search connections.
#[derive(SimpleObject, Default)]
pub struct SearchInfo {
    /// All matches, not only this page of results: hits for `search`, documents for
    /// `searchDocuments` and `moreLikeThis`.
    pub total_count: u64,
    /// Counts per facet value over all matching hits; computed only when asked for (always
    /// null for `moreLikeThis`, which has no query to count matches of).
    pub facets: Option<SearchFacets>,
}

pub type SearchConnection = Connection<OpaqueCursor<usize>, SearchHit, SearchInfo, EmptyFields>;
pub type DocumentHitConnection =
    Connection<OpaqueCursor<usize>, DocumentHit, SearchInfo, EmptyFields>;

/// How search results are ordered.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SearchSort {
    /// Best match first (ties by document and page).
    #[default]
    Relevance,
    /// Newest document date first; undated documents last.
    DateDesc,
    /// Oldest document date first; undated documents last.
    DateAsc,
}

/// Restrictions on a search, the same as the query language's qualifiers. Within a list any
/// value matches; the lists (and the qualifiers in the query) must all hold.
#[derive(InputObject, Default, Debug)]
pub struct SearchFilter {
    /// Document kinds, as the `kind` facet shows them (`type:` in the query).
    pub kind: Option<Vec<DocumentKind>>,
    /// Organizations, as their names appear in the `organization` facet (`org:` in the query
    /// matches words of the name).
    pub organization: Option<Vec<String>>,
    /// Body abbreviations such as SSU or AU (`utvalg:`).
    pub body: Option<Vec<String>>,
    /// Years (`år:`): the document's date, or else its case number's year.
    pub year: Option<Vec<i32>>,
    /// Pages, entity types, or both; all when omitted.
    pub hit_type: Option<Vec<HitType>>,
    /// true: only pages whose text was read by OCR (scans); false: leave those out; both when
    /// omitted. Entities are never OCR pages.
    pub ocr: Option<bool>,
}

impl SearchFilter {
    fn into_filters(self) -> ApiResult<Filters> {
        let kind = self
            .kind
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.stored().to_owned())
            .collect();
        let body = self
            .body
            .unwrap_or_default()
            .iter()
            .map(|b| search::check_body(b))
            .collect::<ApiResult<_>>()?;
        let year = self
            .year
            .unwrap_or_default()
            .iter()
            .map(|y| search::check_year(&y.to_string()))
            .collect::<ApiResult<_>>()?;
        Ok(Filters {
            kind,
            organization: self.organization.unwrap_or_default(),
            body,
            year,
            hit_type: self
                .hit_type
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            ocr: self.ocr,
        })
    }
}

fn request(
    ctx: &Context<'_>,
    query: String,
    filter: Option<SearchFilter>,
    sort: Option<SearchSort>,
    offset: usize,
    limit: usize,
) -> ApiResult<SearchRequest> {
    Ok(SearchRequest {
        query,
        filters: filter.unwrap_or_default().into_filters()?,
        sort: match sort.unwrap_or_default() {
            SearchSort::Relevance => Sort::Relevance,
            SearchSort::DateDesc => Sort::DateDesc,
            SearchSort::DateAsc => Sort::DateAsc,
        },
        offset,
        limit,
        // Counting facets visits every match; only when the client asks.
        facets: ctx.look_ahead().field("facets").exists(),
        exact_only: false,
    })
}

/// How deep a client may page into one search's results. A cursor is an offset the client
/// can forge, and ranking needs every hit up to it in memory: an offset of 10^14 once asked
/// for a buffer of 800 TB. Past this, narrow the search instead (as web search engines do).
pub const MAX_SEARCH_WINDOW: usize = 10_000;

/// The offset a search page starts at: just after the cursor's hit, within the window.
fn search_offset(after: Option<String>) -> ApiResult<usize> {
    let Some(last) = decode_cursor::<usize>(after)? else {
        return Ok(0);
    };
    if last >= MAX_SEARCH_WINDOW - 1 {
        return Err(ApiError::BadUserInput(format!(
            "a search can be paged through its first {MAX_SEARCH_WINDOW} hits; narrow the query to see more"
        )));
    }
    Ok(last + 1)
}

/// Whether a next page exists that the window lets a client reach.
fn has_more(offset: usize, shown: usize, total: u64) -> bool {
    let end = offset + shown;
    (end as u64) < total && end < MAX_SEARCH_WINDOW
}

/// Searching the archive.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over every page (and, once they are indexed, the plans, focus areas,
    /// measures and cases found in documents), one hit per page or entity. For one entry per
    /// document use `searchDocuments`.
    ///
    /// Query language: words are ANDed; `a OR b` matches either; `-word` excludes;
    /// `"quoted phrases"` match those exact words in order; qualifiers `type:plan` (alias
    /// `kind:`), `org:innlandet` (`organisasjon:`), `utvalg:SSU` (`body:`), `år:2025`
    /// (`year:`), with `org:"two words"` quoted. Norwegian inflections match each other
    /// ("helsetjenester" finds "helsetjenesten"); æ, ø, å are letters of their own ("før" is
    /// not "for"); "aa" also searches "å"; nynorsk and bokmål find each other ("sjukehus"
    /// finds "sykehus", "tjenestene" finds "tenestene") and words of five letters or more also
    /// find one-letter typos and compounds they begin ("oppfølging" finds
    /// "oppfølgingssentral"), all ranked below exact matches. Case numbers in any form ("sak 24.25", "24/25", "2025/24",
    /// "sak 24/2025") match that case only.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "super::SEARCH_COST + super::list_cost(first, 20, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words, OR, -exclusions, \"quoted phrases\", case numbers (\"sak 24.25\") and qualifiers (type:, org:, utvalg:, år:)."
        )]
        query: String,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Restrictions, the same as the query's qualifiers.")] filter: Option<
            SearchFilter,
        >,
        #[graphql(desc = "Default RELEVANCE.")] sort: Option<SearchSort>,
    ) -> GqlResult<SearchConnection> {
        require(ctx, Role::Reader)?;
        let limit = page_size(first)?;
        let offset = search_offset(after)?;
        let req = request(ctx, query, filter, sort, offset, limit)?;
        let st = state(ctx)?.clone();
        let result = tokio::task::spawn_blocking(move || search::run(&st.index, &req))
            .await
            .map_err(ApiError::internal)??;
        let has_next = has_more(offset, result.hits.len(), result.total);
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            has_next,
            SearchInfo {
                total_count: result.total,
                facets: result.facets.map(Into::into),
            },
        );
        conn.edges.extend(
            result
                .hits
                .into_iter()
                .enumerate()
                .map(|(i, h)| Edge::new(OpaqueCursor(offset + i), h)),
        );
        Ok(conn)
    }

    /// The same search (same query language, filter and sort), grouped by document: each
    /// document once, with its best pages. Facets count hits, as in `search`.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "super::SEARCH_COST + super::list_cost(first, 20, child_complexity) * super::per_document(pages_per_document)"
    )]
    async fn search_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words, OR, -exclusions, \"quoted phrases\", case numbers (\"sak 24.25\") and qualifiers (type:, org:, utvalg:, år:)."
        )]
        query: String,
        #[graphql(desc = "At most 100; default 20.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Pages shown per document, 1 to 20; default 3.")]
        pages_per_document: Option<i32>,
        #[graphql(desc = "Restrictions, the same as the query's qualifiers.")] filter: Option<
            SearchFilter,
        >,
        #[graphql(desc = "Default RELEVANCE; documents are ordered by their first hit.")]
        sort: Option<SearchSort>,
    ) -> GqlResult<DocumentHitConnection> {
        require(ctx, Role::Reader)?;
        let limit = page_size(first)?;
        let per = pages_per_document.unwrap_or(3);
        if !(1..=20).contains(&per) {
            return Err(ApiError::BadUserInput("`pagesPerDocument` must be 1 to 20".into()).into());
        }
        let offset = search_offset(after)?;
        let req = request(ctx, query, filter, sort, offset, limit)?;
        let st = state(ctx)?.clone();
        let result =
            tokio::task::spawn_blocking(move || search::run_grouped(&st.index, &req, per as usize))
                .await
                .map_err(ApiError::internal)??;
        let has_next = has_more(offset, result.groups.len(), result.total);
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            has_next,
            SearchInfo {
                total_count: result.total,
                facets: result.facets.map(Into::into),
            },
        );
        conn.edges.extend(
            result
                .groups
                .into_iter()
                .enumerate()
                .map(|(i, (id, score, pages))| {
                    Edge::new(
                        OpaqueCursor(offset + i),
                        DocumentHit {
                            score,
                            pages,
                            document_id: id,
                        },
                    )
                }),
        );
        Ok(conn)
    }

    /// Documents about the same things as the given one (tantivy's more-like-this over the
    /// stemmed text), the document itself excluded; most similar first, with the pages that
    /// match best. NOT_FOUND when the document has nothing in the index.
    #[graphql(
        complexity = "super::SEARCH_COST + super::list_cost(first, 10, child_complexity) * super::per_document(pages_per_document)"
    )]
    async fn more_like_this(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document to find relatives of.")] document_id: ID,
        #[graphql(desc = "1 to 100; default 10.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Pages shown per document, 1 to 20; default 3.")]
        pages_per_document: Option<i32>,
    ) -> GqlResult<DocumentHitConnection> {
        require(ctx, Role::Reader)?;
        let id = ids::decode(IdKind::Document, &document_id).map_err(ApiError::from)?;
        let limit = page_size(Some(first.unwrap_or(10)))?;
        let per = pages_per_document.unwrap_or(3);
        if !(1..=20).contains(&per) {
            return Err(ApiError::BadUserInput("`pagesPerDocument` must be 1 to 20".into()).into());
        }
        let offset = search_offset(after)?;
        let st = state(ctx)?.clone();
        let (groups, total) = tokio::task::spawn_blocking(move || {
            search::more_like_this_page(&st.index, id, offset, limit, per as usize)
        })
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no indexed document with id {}",
                document_id.as_str()
            ))
        })?;
        let has_next = has_more(offset, groups.len(), total);
        // No facets: similarity has no query whose matches they would count.
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            has_next,
            SearchInfo {
                total_count: total,
                facets: None,
            },
        );
        conn.edges.extend(groups.into_iter().enumerate().map(
            |(i, (document_id, score, pages))| {
                Edge::new(
                    OpaqueCursor(offset + i),
                    DocumentHit {
                        score,
                        pages,
                        document_id,
                    },
                )
            },
        ));
        Ok(conn)
    }
}
