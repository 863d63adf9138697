use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::meeting;
use planarkiv_schema::ids::{self, IdKind};

use super::body::Body;
use super::case::Case;
use super::error::GqlResult;
use super::loaders::{BodyKey, CasesOfMeeting};

pub struct Meeting(pub meeting::Model);

/// A meeting of a body.
#[Object]
impl Meeting {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Meeting, self.0.id))
    }

    /// ISO date ("2025-10-23"), or "YYYY-MM" when only the month is known.
    async fn date(&self) -> &str {
        &self.0.date
    }

    /// The body that met.
    async fn body(&self, ctx: &Context<'_>) -> GqlResult<Body> {
        Ok(Body(
            super::load_parent(ctx, BodyKey(self.0.body_id), "body").await?,
        ))
    }

    /// Where it was named in documents.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<super::provenance::Provenance>> {
        super::provenance_of(ctx, "meeting", self.0.id).await
    }

    /// The cases treated, by sequence.
    async fn cases(&self, ctx: &Context<'_>) -> GqlResult<Vec<Case>> {
        Ok(super::load_list(ctx, CasesOfMeeting(self.0.id))
            .await?
            .into_iter()
            .map(Case)
            .collect())
    }
}
