use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::organization;
use planarkiv_schema::ids::{self, IdKind};

use super::body::Body;
use super::error::GqlResult;
use super::loaders::{AliasesOf, BodiesOf};
use super::provenance::Provenance;

super::stored_enum! {
    /// What kind of organisation it is.
    OrganizationKind {
        /// A helsefellesskap: municipalities and a hospital trust working together.
        HealthCommunity = "health_community",
        /// A helseforetak (HF).
        HospitalTrust = "hospital_trust",
        /// A regionalt helseforetak (RHF).
        RegionalHealthAuthority = "regional_health_authority",
        /// A kommune.
        Municipality = "municipality",
        /// A helseregion.
        HealthRegion = "health_region",
        /// Anything else.
        Other = "other",
    }
}

pub struct Organization(pub organization::Model);

/// An organisation: a health community, a hospital trust, a municipality, …. Spellings of its
/// name that differ in case, spacing or "felleskap" are one organisation.
#[Object]
impl Organization {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Organization, self.0.id))
    }

    /// The canonical name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of organisation it is.
    async fn kind(&self) -> OrganizationKind {
        OrganizationKind::from_stored(&self.0.kind)
    }

    /// Every spelling of the name seen in documents or added by a merge.
    async fn aliases(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        Ok(super::load_list(ctx, AliasesOf(self.0.id))
            .await?
            .into_iter()
            .map(|a| a.alias)
            .collect())
    }

    /// Its bodies (committees, partnership meeting, …).
    async fn bodies(&self, ctx: &Context<'_>) -> GqlResult<Vec<Body>> {
        Ok(super::load_list(ctx, BodiesOf(self.0.id))
            .await?
            .into_iter()
            .map(Body)
            .collect())
    }

    /// Where its name was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "organization", self.0.id).await
    }
}
