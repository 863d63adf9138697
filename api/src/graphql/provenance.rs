use async_graphql::{Context, Object};

use planarkiv_schema::entities::provenance;

use super::document::Document;
use super::error::GqlResult;

pub struct Provenance(pub provenance::Model);

impl Provenance {
    /// A stored offset (Unicode scalar values, how the entity rules count) as UTF-16 code
    /// units of the page's text, through the request's page loader (one query per request).
    async fn utf16(&self, ctx: &Context<'_>, chars: i32) -> GqlResult<i32> {
        let text: Option<String> = super::load(
            ctx,
            super::loaders::PageKey(self.0.document_id, self.0.page),
        )
        .await?;
        Ok(match text {
            Some(t) => crate::text::utf16_offset(&t, chars.max(0) as usize) as i32,
            // The page is gone (the document is being read again): the stored offset.
            None => chars,
        })
    }
}

/// Where an extracted value was read.
#[Object]
impl Provenance {
    /// The entity's field the value went into (GraphQL name, e.g. `proposedDecision`).
    async fn field(&self) -> String {
        super::field_name(&self.0.field)
    }

    /// The document it was read from.
    async fn document(&self, ctx: &Context<'_>) -> GqlResult<Option<Document>> {
        super::load_document(ctx, self.0.document_id).await
    }

    /// 1-based page number.
    async fn page(&self) -> i32 {
        self.0.page
    }

    /// Where the value starts in the text of its page (`Document.page(number: page).text`), in
    /// UTF-16 code units from 0, as JavaScript strings index: `text.slice(start, end)` is the
    /// value as printed.
    async fn start(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        self.utf16(ctx, self.0.char_start).await
    }

    /// One past the value's last UTF-16 code unit in the page's text.
    async fn end(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        self.utf16(ctx, self.0.char_end).await
    }

    /// The page the value stands on, with its text.
    async fn page_text(&self, ctx: &Context<'_>) -> GqlResult<Option<super::page::Page>> {
        super::page::page_of(ctx, self.0.document_id, self.0.page).await
    }

    /// The version of the entity rules that read it.
    async fn extractor_version(&self) -> &str {
        &self.0.extractor_version
    }
}
