use async_graphql::{ComplexObject, Context, SimpleObject};

use super::document::Document;

/// A highlighted range in a snippet, as character (Unicode scalar) offsets into `text`.
#[derive(SimpleObject, Clone, Debug)]
pub struct Highlight {
    /// First highlighted character.
    pub start: i32,
    /// One past the last highlighted character.
    pub end: i32,
}

/// The passage of a page that best matches the query.
#[derive(SimpleObject, Clone, Debug)]
pub struct Snippet {
    /// The passage, at most a few hundred characters.
    pub text: String,
    /// Where the query's words stand in `text`, as character ranges.
    pub highlights: Vec<Highlight>,
}

/// A page that matches a search.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct SearchHit {
    /// Relevance score; higher is better. Only comparable within one search.
    pub score: f64,
    /// 1-based page number.
    pub page: i32,
    /// The best passage of the page for the query.
    pub snippet: Snippet,
    #[graphql(skip)]
    pub document_id: i64,
}

#[ComplexObject]
impl SearchHit {
    /// The document the page belongs to.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Document>> {
        super::load_document(ctx, self.document_id).await
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
