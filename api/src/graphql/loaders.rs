//! DataLoaders batch the lookups of one request, so a page of results costs one query per kind
//! of object instead of one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use planarkiv_schema::entities::{
    action_item, appendix, body, case, case_reference, case_treatment, document, focus_area,
    measure, meeting, organization, organization_alias, page, plan, provenance,
};

pub struct DocumentLoader {
    pub db: DatabaseConnection,
}

impl Loader<i64> for DocumentLoader {
    type Value = document::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = document::Entity::find()
            .filter(document::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|d| (d.id, d)).collect())
    }
}

/// Loads every domain entity and child list. One struct, one `Loader` impl per key type: each
/// key type is one batched query per request, whatever the number of parents.
pub struct DomainLoader {
    pub db: DatabaseConnection,
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<sea_orm::DbErr>>;

/// A row by its id.
macro_rules! by_id {
    ($key:ident, $m:ident) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $key(pub i64);

        impl Loader<$key> for DomainLoader {
            type Value = $m::Model;
            type Error = Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $m::Model> {
                let rows = $m::Entity::find()
                    .filter($m::Column::Id.is_in(keys.iter().map(|k| k.0)))
                    .all(&self.db)
                    .await
                    .map_err(Arc::new)?;
                Ok(rows.into_iter().map(|r| ($key(r.id), r)).collect())
            }
        }
    };
}

/// The rows whose `$col` is one of the keys, grouped by it, in `$order`.
macro_rules! children {
    ($key:ident, $m:ident, $col:ident, $field:ident, $order:ident) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $key(pub i64);

        impl Loader<$key> for DomainLoader {
            type Value = Vec<$m::Model>;
            type Error = Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<$m::Model>> {
                let rows = $m::Entity::find()
                    .filter($m::Column::$col.is_in(keys.iter().map(|k| k.0)))
                    .order_by_asc($m::Column::$order)
                    .order_by_asc($m::Column::Id)
                    .all(&self.db)
                    .await
                    .map_err(Arc::new)?;
                let mut out: HashMap<$key, Vec<$m::Model>> = HashMap::new();
                for r in rows {
                    if let Some(k) = Option::<i64>::from(r.$field) {
                        out.entry($key(k)).or_default().push(r);
                    }
                }
                Ok(out)
            }
        }
    };
}

by_id!(OrganizationKey, organization);
by_id!(BodyKey, body);
by_id!(MeetingKey, meeting);
by_id!(PlanKey, plan);
by_id!(FocusAreaKey, focus_area);
by_id!(CaseKey, case);

children!(
    AliasesOf,
    organization_alias,
    OrganizationId,
    organization_id,
    Alias
);
children!(BodiesOf, body, OrganizationId, organization_id, Name);
children!(MeetingsOf, meeting, BodyId, body_id, Date);
children!(CasesOfMeeting, case, MeetingId, meeting_id, Sequence);
children!(FocusAreasOf, focus_area, PlanId, plan_id, Position);
children!(MeasuresOf, measure, FocusAreaId, focus_area_id, Position);
children!(ActionItemsOf, action_item, PlanId, plan_id, Position);
children!(
    ActionItemsOfArea,
    action_item,
    FocusAreaId,
    focus_area_id,
    Position
);
children!(ReferencesOf, case_reference, CaseId, case_id, Id);
children!(
    ReferrersOf,
    case_reference,
    ReferencedCaseId,
    referenced_case_id,
    Id
);
children!(AppendicesOf, appendix, CaseId, case_id, Number);
children!(TreatmentsOf, case_treatment, CaseId, case_id, Position);
children!(PlansOfDocument, plan, DocumentId, document_id, Id);
children!(CasesOfDocument, case, DocumentId, document_id, Id);
children!(AppendicesOfDocument, appendix, DocumentId, document_id, Id);
children!(ChildPlansOf, plan, ParentPlanId, parent_plan_id, Id);

/// Provenance of one entity: (entity type, row id).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ProvenanceOf(pub &'static str, pub i64);

impl Loader<ProvenanceOf> for DomainLoader {
    type Value = Vec<provenance::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        keys: &[ProvenanceOf],
    ) -> LoadResult<ProvenanceOf, Vec<provenance::Model>> {
        // One query for all kinds: (type, id) pairs are matched after fetching by id, which
        // over-fetches only rows of other types that share an id.
        let types: Vec<&str> = keys.iter().map(|k| k.0).collect();
        let rows = provenance::Entity::find()
            .filter(provenance::Column::EntityId.is_in(keys.iter().map(|k| k.1)))
            .filter(provenance::Column::EntityType.is_in(types))
            .order_by_asc(provenance::Column::Id)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<ProvenanceOf, Vec<provenance::Model>> = HashMap::new();
        for r in rows {
            if let Some(k) = keys
                .iter()
                .find(|k| k.0 == r.entity_type && k.1 == r.entity_id)
            {
                out.entry(*k).or_default().push(r);
            }
        }
        Ok(out)
    }
}

/// The pages of a document that OCR read or failed on, in page order (born-digital pages are
/// not listed; their text is not loaded).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OcrPagesOf(pub i64);

impl Loader<OcrPagesOf> for DomainLoader {
    type Value = Vec<super::page_ocr::PageOcr>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[OcrPagesOf]) -> LoadResult<OcrPagesOf, Self::Value> {
        use sea_orm::Condition;
        type Row = (
            i64,
            i32,
            Option<String>,
            Option<String>,
            Option<f64>,
            Option<String>,
        );
        let rows: Vec<Row> = page::Entity::find()
            .select_only()
            .columns([
                page::Column::DocumentId,
                page::Column::Number,
                page::Column::OcrEngine,
                page::Column::OcrModel,
                page::Column::OcrConfidence,
                page::Column::OcrError,
            ])
            .filter(page::Column::DocumentId.is_in(keys.iter().map(|k| k.0)))
            .filter(
                Condition::any()
                    .add(page::Column::OcrEngine.is_not_null())
                    .add(page::Column::OcrError.is_not_null()),
            )
            .order_by_asc(page::Column::DocumentId)
            .order_by_asc(page::Column::Number)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<OcrPagesOf, Self::Value> = HashMap::new();
        for (doc, number, engine, model, confidence, error) in rows {
            out.entry(OcrPagesOf(doc))
                .or_default()
                .push(super::page_ocr::PageOcr {
                    page: number,
                    engine,
                    model,
                    confidence,
                    error,
                });
        }
        Ok(out)
    }
}

/// The text of one page: (document id, 1-based page number).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PageKey(pub i64, pub i32);

impl Loader<PageKey> for DomainLoader {
    type Value = String;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[PageKey]) -> LoadResult<PageKey, String> {
        // By document, then the wanted pages picked out: a request asks for few documents, and
        // a document's pages are one index range.
        let docs: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let numbers: Vec<i32> = keys.iter().map(|k| k.1).collect();
        let rows: Vec<(i64, i32, String)> = page::Entity::find()
            .select_only()
            .column(page::Column::DocumentId)
            .column(page::Column::Number)
            .column(page::Column::Text)
            .filter(page::Column::DocumentId.is_in(docs))
            .filter(page::Column::Number.is_in(numbers))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let wanted: std::collections::HashSet<PageKey> = keys.iter().copied().collect();
        Ok(rows
            .into_iter()
            .filter(|(d, n, _)| wanted.contains(&PageKey(*d, *n)))
            .map(|(d, n, text)| (PageKey(d, n), text))
            .collect())
    }
}
