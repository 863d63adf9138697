use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, SimpleObject, ID};

use planarkiv_schema::ids::{self, IdKind};
use planarkiv_schema::search::HitType as IndexHitType;

use super::document::Document;
use super::error::{ApiError, GqlResult};
use crate::search::SnippetSource;

/// Most snippets one hit gives.
const MAX_SNIPPETS: i32 = 10;

/// A highlighted range in a snippet, in UTF-16 code units into its `text`, as JavaScript
/// strings index: `text.slice(start, end)` is the highlighted word, whatever emoji or rare
/// characters (two units each) stand before it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Highlight {
    /// First highlighted UTF-16 code unit.
    pub start: i32,
    /// One past the last highlighted UTF-16 code unit.
    pub end: i32,
}

/// A passage of a hit's text that matches the query. Plain text, no markup.
#[derive(SimpleObject, Clone, Debug)]
pub struct Snippet {
    /// The passage, at most 240 characters.
    pub text: String,
    /// The matching words in `text`.
    pub highlights: Vec<Highlight>,
}

/// What a hit stands for: a page, or an entity found in a document.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitType {
    /// A page of a document.
    Page,
    /// A plan (strategy, action plan, …).
    Plan,
    /// A focus area (innsatsområde) of a plan.
    FocusArea,
    /// A measure (tiltak) of a plan.
    Measure,
    /// A case (sak) of a body.
    Case,
}

impl From<IndexHitType> for HitType {
    fn from(h: IndexHitType) -> Self {
        match h {
            IndexHitType::Page => HitType::Page,
            IndexHitType::Plan => HitType::Plan,
            IndexHitType::FocusArea => HitType::FocusArea,
            IndexHitType::Measure => HitType::Measure,
            IndexHitType::Case => HitType::Case,
        }
    }
}

impl From<HitType> for IndexHitType {
    fn from(h: HitType) -> Self {
        match h {
            HitType::Page => IndexHitType::Page,
            HitType::Plan => IndexHitType::Plan,
            HitType::FocusArea => IndexHitType::FocusArea,
            HitType::Measure => IndexHitType::Measure,
            HitType::Case => IndexHitType::Case,
        }
    }
}

/// A page, or an entity on a page, that matches a search.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct SearchHit {
    /// Relevance score; higher is better. Only comparable within one search.
    pub score: f64,
    /// 1-based page number (for an entity: the page it starts on).
    pub page: i32,
    #[graphql(skip)]
    pub document_id: i64,
    #[graphql(skip)]
    pub hit_type: IndexHitType,
    #[graphql(skip)]
    pub entity_id: Option<i64>,
    #[graphql(skip)]
    pub body: Arc<str>,
    #[graphql(skip)]
    pub snippets: Arc<SnippetSource>,
}

#[ComplexObject]
impl SearchHit {
    /// The document the page belongs to.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Document>> {
        super::load_document(ctx, self.document_id).await
    }

    /// Whether this hit is a page or an entity (plan, focus area, measure, case).
    async fn hit_type(&self) -> HitType {
        self.hit_type.into()
    }

    /// The entity's global id; null for pages.
    async fn entity_id(&self) -> Option<ID> {
        let kind = match self.hit_type {
            IndexHitType::Page => return None,
            IndexHitType::Plan => IdKind::Plan,
            IndexHitType::FocusArea => IdKind::FocusArea,
            IndexHitType::Measure => IdKind::Measure,
            IndexHitType::Case => IdKind::Case,
        };
        self.entity_id.map(|id| ID(ids::encode(kind, id)))
    }

    /// The entity itself (a `Plan`, `FocusArea`, `Measure` or `Case`); null for pages, or when
    /// the entity was deleted after the index saw it.
    async fn entity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::node::Node>> {
        match self.entity_id(ctx).await? {
            Some(id) => super::node::fetch(ctx, &id).await,
            None => Ok(None),
        }
    }

    /// How OCR read this page when it is a scan; null for a page with a text layer and for
    /// entities.
    async fn ocr(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::page_ocr::PageOcr>> {
        if self.hit_type != IndexHitType::Page {
            return Ok(None);
        }
        let pages: Vec<super::page_ocr::PageOcr> =
            super::load_list(ctx, super::loaders::OcrPagesOf(self.document_id)).await?;
        Ok(pages.into_iter().find(|p| p.page == self.page))
    }

    /// The passage that best matches the query; the page's beginning when no word of the
    /// query shows in it (a title or near-miss match).
    async fn snippet(&self) -> Snippet {
        self.snippets.best(&self.body)
    }

    /// Up to `max` non-overlapping passages, best first; at least one (as `snippet`).
    #[graphql(complexity = "super::list_cost(max, 3, child_complexity)")]
    async fn snippets(
        &self,
        #[graphql(desc = "1 to 10; default 3.")] max: Option<i32>,
    ) -> GqlResult<Vec<Snippet>> {
        let max = max.unwrap_or(3);
        if !(1..=MAX_SNIPPETS).contains(&max) {
            return Err(
                ApiError::BadUserInput(format!("`max` must be 1 to {MAX_SNIPPETS}")).into(),
            );
        }
        Ok(self.snippets.several(&self.body, max as usize))
    }
}

/// A document with matching pages: the best of them first.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct DocumentHit {
    /// The score of the document's best page.
    pub score: f64,
    /// Its best matching pages, best first.
    pub pages: Vec<SearchHit>,
    #[graphql(skip)]
    pub document_id: i64,
}

#[ComplexObject]
impl DocumentHit {
    /// The matching document.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Document>> {
        super::load_document(ctx, self.document_id).await
    }
}
