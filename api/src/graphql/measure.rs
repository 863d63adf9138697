use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::measure;
use planarkiv_schema::ids::{self, IdKind};

use super::error::GqlResult;
use super::focus_area::FocusArea;
use super::loaders::FocusAreaKey;
use super::provenance::Provenance;
use super::Origin;

pub struct Measure(pub measure::Model);

/// A measure (tiltak) under a focus area.
#[Object]
impl Measure {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Measure, self.0.id))
    }

    /// 1-based position under its focus area.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// What is to be done.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The focus area it belongs to.
    async fn focus_area(&self, ctx: &Context<'_>) -> GqlResult<FocusArea> {
        Ok(FocusArea(
            super::load_parent(ctx, FocusAreaKey(self.0.focus_area_id), "focus area").await?,
        ))
    }

    /// Where its text was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "measure", self.0.id).await
    }

    /// Whether extraction or a person created it.
    async fn origin(&self) -> Origin {
        Origin::from_stored(&self.0.origin)
    }

    /// Fields a person edited; re-extraction leaves them alone.
    async fn edited_fields(&self) -> Vec<String> {
        super::edited_list(&self.0.edited)
    }
}
