use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::appendix;
use planarkiv_schema::ids::{self, IdKind};

use super::case::Case;
use super::document::Document;
use super::error::GqlResult;
use super::loaders::CaseKey;
use super::provenance::Provenance;
use super::Origin;

pub struct Appendix(pub appendix::Model);

/// An appendix (vedlegg) of a case: listed in the case paper, archived as a document of its own,
/// or both. Linked to its case whichever arrived first.
#[Object]
impl Appendix {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Appendix, self.0.id))
    }

    /// Its number in the case's list ("Vedlegg 2"), when known.
    async fn number(&self) -> Option<i32> {
        self.0.number
    }

    /// Its title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// The item number of the case it belongs to ("24.25"), known even before the case is;
    /// null when its case has none.
    async fn case_number(&self) -> Option<String> {
        planarkiv_ingest::domain::item_number_of(self.0.case_year, self.0.case_sequence)
            .map(|n| n.to_string())
    }

    /// The case it belongs to, when that case is in the archive.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        let Some(id) = self.0.case_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, CaseKey(id)).await?.map(Case))
    }

    /// The appendix's own document, when it is archived.
    async fn document(&self, ctx: &Context<'_>) -> GqlResult<Option<Document>> {
        match self.0.document_id {
            Some(id) => super::load_document(ctx, id).await,
            None => Ok(None),
        }
    }

    /// Where its title was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "appendix", self.0.id).await
    }

    /// From the case's list, from an appendix document, or from a person.
    async fn origin(&self) -> Origin {
        Origin::from_stored(&self.0.origin)
    }
}
