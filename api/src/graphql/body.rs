use async_graphql::{Context, Object, ID};

use planarkiv_schema::entities::body;
use planarkiv_schema::ids::{self, IdKind};

use super::error::GqlResult;
use super::loaders::{MeetingsOf, OrganizationKey};
use super::meeting::Meeting;
use super::organization::Organization;

super::stored_enum! {
    /// What kind of body it is.
    BodyKind {
        /// A strategic or overall collaboration committee (SSU, OSU, GSU).
        StrategicCommittee = "strategic_committee",
        /// The working committee (AU).
        WorkingCommittee = "working_committee",
        /// The partnership meeting (partnerskapsmøtet).
        PartnershipMeeting = "partnership_meeting",
        /// A professional committee (fagutvalg, faglig samarbeidsutvalg).
        ProfessionalCommittee = "professional_committee",
        /// A user committee (brukerutvalg).
        UserCommittee = "user_committee",
        /// A board (styret).
        Board = "board",
        /// Anything else.
        Other = "other",
    }
}

pub struct Body(pub body::Model);

/// A body that treats cases or adopts plans: SSU, AU, the partnership meeting, a fagutvalg.
#[Object]
impl Body {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Body, self.0.id))
    }

    /// Its name, e.g. "Strategisk samarbeidsutvalg".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its abbreviation, e.g. "SSU", when it has one.
    async fn abbreviation(&self) -> Option<&str> {
        self.0.abbreviation.as_deref()
    }

    /// What kind of body it is.
    async fn kind(&self) -> BodyKind {
        BodyKind::from_stored(&self.0.kind)
    }

    /// The organisation it belongs to, when known.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, OrganizationKey(id))
            .await?
            .map(Organization))
    }

    /// Where it was named in documents.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<super::provenance::Provenance>> {
        super::provenance_of(ctx, "body", self.0.id).await
    }

    /// Its meetings, oldest first.
    async fn meetings(&self, ctx: &Context<'_>) -> GqlResult<Vec<Meeting>> {
        Ok(super::load_list(ctx, MeetingsOf(self.0.id))
            .await?
            .into_iter()
            .map(Meeting)
            .collect())
    }
}
