use async_graphql::{Context, Object};

use planarkiv_schema::case_number::CaseNumber;
use planarkiv_schema::entities::case_reference;

use super::case::Case;
use super::error::GqlResult;
use super::loaders::CaseKey;

pub struct CaseReference(pub case_reference::Model);

/// A case's mention of another case.
#[Object]
impl CaseReference {
    /// The number as written, normalised: "23.24".
    async fn number(&self) -> String {
        CaseNumber {
            year: self.0.year,
            sequence: self.0.sequence.max(0) as u32,
        }
        .to_string()
    }

    /// The case it refers to, when that case is in the archive.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        let Some(id) = self.0.referenced_case_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, CaseKey(id)).await?.map(Case))
    }
}
