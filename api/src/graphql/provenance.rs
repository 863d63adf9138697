use async_graphql::{Context, Object};

use planarkiv_schema::entities::provenance;

use super::document::Document;
use super::error::GqlResult;

pub struct Provenance(pub provenance::Model);

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

    /// First character (Unicode scalar value, 0-based) of the value in the page's text.
    async fn start(&self) -> i32 {
        self.0.char_start
    }

    /// One past the last character of the value in the page's text.
    async fn end(&self) -> i32 {
        self.0.char_end
    }

    /// The version of the entity rules that read it.
    async fn extractor_version(&self) -> &str {
        &self.0.extractor_version
    }
}
