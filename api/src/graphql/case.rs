use async_graphql::{Context, Object, ID};

use planarkiv_schema::case_number::CaseNumber;
use planarkiv_schema::entities::{case, case_treatment};
use planarkiv_schema::ids::{self, IdKind};

use super::appendix::Appendix;
use super::body::Body;
use super::case_reference::CaseReference;
use super::document::Document;
use async_graphql::dataloader::DataLoader;

use super::error::{ApiError, GqlResult};
use super::loaders::{
    AppendicesOf, BodyKey, CaseKey, CasesOfDocument, DomainLoader, MeetingKey, ReferencesOf,
    ReferrersOf, TreatmentsOf,
};
use super::meeting::Meeting;
use super::provenance::Provenance;
use super::Origin;

pub struct Case(pub case::Model);

impl Case {
    fn item_number(&self) -> Option<CaseNumber> {
        planarkiv_ingest::domain::item_number_of(self.0.year, self.0.sequence)
    }
}

/// A case as the archives know it (Noark 5's *arkivsak* with its *saksgang*): the archive case
/// its paper belongs to ("2026/308") and the item number it is decided under ("sak 24.25" is
/// item 24 of 2025). The two are different numbers; either may be unknown.
#[Object]
impl Case {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::Case, self.0.id))
    }

    /// The item number as secretariats print it ("24.25"); null when the paper leaves it
    /// blank and nobody gave it.
    #[graphql(name = "number")]
    async fn number_text(&self) -> Option<String> {
        self.item_number().map(|n| n.to_string())
    }

    /// The item number's type where known: "PS" (politisk sak), "RS" (referatsak), "OS", …
    async fn item_type(&self) -> Option<&str> {
        self.0.item_type.as_deref()
    }

    /// The year of the item number (2025 for "24.25").
    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// The sequence of the item number within its year (24 for "24.25").
    async fn sequence(&self) -> Option<i32> {
        self.0.sequence
    }

    /// The archive case (arkivsak) its paper belongs to, "2026/308"; null when not printed or
    /// given. Never an item number.
    async fn archive_number(&self) -> Option<String> {
        planarkiv_ingest::domain::archive_number_of(&self.0).map(|n| n.to_string())
    }

    /// The bodies it goes through (saksgang), in the order the paper lists them: each with its
    /// meeting date and item number; the decision where a protocol gives it.
    async fn treatments(&self, ctx: &Context<'_>) -> GqlResult<Vec<CaseTreatment>> {
        Ok(super::load_list(ctx, TreatmentsOf(self.0.id))
            .await?
            .into_iter()
            .map(CaseTreatment)
            .collect())
    }

    /// Fields that metadata given with the document (a bulk manifest, an upload's input) set;
    /// extraction does not replace them, a person may.
    async fn metadata_fields(&self) -> Vec<String> {
        super::edited_list(&self.0.metadata_fields)
    }

    /// Its title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// The body that treats it.
    async fn body(&self, ctx: &Context<'_>) -> GqlResult<Option<Body>> {
        let Some(id) = self.0.body_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, BodyKey(id)).await?.map(Body))
    }

    /// The meeting it is treated in.
    async fn meeting(&self, ctx: &Context<'_>) -> GqlResult<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, MeetingKey(id)).await?.map(Meeting))
    }

    /// The meeting date: ISO date, or "YYYY-MM" when only the month is known.
    async fn meeting_date(&self) -> Option<&str> {
        self.0.meeting_date.as_deref()
    }

    /// Background (bakgrunn), when recorded.
    async fn background(&self) -> Option<&str> {
        self.0.background.as_deref()
    }

    /// Assessment (vurdering), when recorded.
    async fn assessment(&self) -> Option<&str> {
        self.0.assessment.as_deref()
    }

    /// The proposed decision (forslag til vedtak).
    async fn proposed_decision(&self) -> Option<&str> {
        self.0.proposed_decision.as_deref()
    }

    /// The decision made (vedtak), when recorded.
    async fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }

    /// The case paper it was extracted from.
    async fn document(&self, ctx: &Context<'_>) -> GqlResult<Option<Document>> {
        match self.0.document_id {
            Some(id) => super::load_document(ctx, id).await,
            None => Ok(None),
        }
    }

    /// Cases this one refers to, by number; each resolved when that case is known.
    async fn references(&self, ctx: &Context<'_>) -> GqlResult<Vec<CaseReference>> {
        Ok(super::load_list(ctx, ReferencesOf(self.0.id))
            .await?
            .into_iter()
            .map(CaseReference)
            .collect())
    }

    /// Cases that refer to this one.
    async fn referenced_by(&self, ctx: &Context<'_>) -> GqlResult<Vec<Case>> {
        let refs = super::load_list(ctx, ReferrersOf(self.0.id)).await?;
        let loader = ctx.data::<DataLoader<DomainLoader>>()?;
        let mut found = loader
            .load_many(refs.iter().map(|r| CaseKey(r.case_id)))
            .await
            .map_err(ApiError::internal)?;
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            if let Some(c) = found.remove(&CaseKey(r.case_id)) {
                out.push(Case(c));
            }
        }
        Ok(out)
    }

    /// Its appendices (vedlegg), by number, each with its document when that is archived.
    async fn appendices(&self, ctx: &Context<'_>) -> GqlResult<Vec<Appendix>> {
        Ok(super::load_list(ctx, AppendicesOf(self.0.id))
            .await?
            .into_iter()
            .map(Appendix)
            .collect())
    }

    /// Other cases about the same things: more-like-this over the text of this case's paper,
    /// the cases of the most similar documents first. Empty for a case without a document.
    #[graphql(complexity = "super::SEARCH_COST + super::list_cost(first, 5, child_complexity)")]
    async fn related_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 to 100; default 5.")] first: Option<i32>,
    ) -> GqlResult<Vec<Case>> {
        let Some(doc) = self.0.document_id else {
            return Ok(Vec::new());
        };
        let limit = super::page_size(Some(first.unwrap_or(5)))?;
        let st = super::app_state(ctx)?.clone();
        // More documents than cases asked for: many similar documents are not case papers.
        let groups = tokio::task::spawn_blocking(move || {
            crate::search::more_like_this(&st.index, doc, (limit * 4).max(20), 1)
        })
        .await
        .map_err(ApiError::internal)??
        .unwrap_or_default();
        let loader = ctx.data::<DataLoader<DomainLoader>>()?;
        let mut by_doc = loader
            .load_many(groups.iter().map(|g| CasesOfDocument(g.0)))
            .await
            .map_err(ApiError::internal)?;
        let mut out = Vec::new();
        for g in &groups {
            for c in by_doc.remove(&CasesOfDocument(g.0)).unwrap_or_default() {
                if c.id != self.0.id && out.len() < limit {
                    out.push(Case(c));
                }
            }
        }
        Ok(out)
    }

    /// Where each extracted value was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "case", self.0.id).await
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

pub struct CaseTreatment(pub case_treatment::Model);

/// One body's handling of a case: a row of the paper's saksgang (body, meeting date, item
/// number), with the decision where a protocol gives it.
#[Object]
impl CaseTreatment {
    /// The body, when known to the archive.
    async fn body(&self, ctx: &Context<'_>) -> GqlResult<Option<Body>> {
        let Some(id) = self.0.body_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, BodyKey(id)).await?.map(Body))
    }

    /// The body's name as the paper prints it.
    async fn body_name(&self) -> Option<&str> {
        self.0.body_name.as_deref()
    }

    /// The meeting it is treated in, where the body and the date are known.
    async fn meeting(&self, ctx: &Context<'_>) -> GqlResult<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else {
            return Ok(None);
        };
        Ok(super::load(ctx, MeetingKey(id)).await?.map(Meeting))
    }

    /// The meeting date: ISO date, or "YYYY-MM" when only the month is known.
    async fn meeting_date(&self) -> Option<&str> {
        self.0.meeting_date.as_deref()
    }

    /// The item number in this body ("24.25"); null when the paper leaves it blank.
    async fn item_number(&self) -> Option<String> {
        planarkiv_ingest::domain::item_number_of(self.0.item_year, self.0.item_sequence)
            .map(|n| n.to_string())
    }

    /// The item number's type where printed: "PS", "RS", "OS", …
    async fn item_type(&self) -> Option<&str> {
        self.0.item_type.as_deref()
    }

    /// The decision this body made, where a protocol gives it.
    async fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }

    /// Where each value was read.
    async fn provenance(&self, ctx: &Context<'_>) -> GqlResult<Vec<Provenance>> {
        super::provenance_of(ctx, "case_treatment", self.0.id).await
    }
}
