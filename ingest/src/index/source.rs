//! What the index holds for one document, loaded in one place. This is the seam between the
//! domain tables and the search index: the indexer only ever indexes an [`IndexSource`]; the
//! plans, focus areas, measures and cases of the document come from `domain::searchable`.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use planarkiv_schema::case_number::CaseNumber;
use planarkiv_schema::entities::{document, page};
use planarkiv_schema::search::HitType;

use crate::IngestError;

/// A document with everything the index derives from it.
#[derive(Debug, Clone)]
pub struct IndexSource {
    pub document: document::Model,
    pub pages: Vec<page::Model>,
    pub facets: DocFacets,
    /// Entities found in the document; each becomes an index document of its own, carrying the
    /// document's id so deleting or re-indexing the document replaces them too.
    pub entities: Vec<EntityDoc>,
}

/// Filter and facet values shared by every index document of one source document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocFacets {
    pub kind: Option<String>,
    pub organization: Option<String>,
    /// The body (utvalg) abbreviation, e.g. "SSU", "AU": of the document's case, or of the case
    /// it is an appendix of.
    pub body: Option<String>,
    pub year: Option<u32>,
    /// YYYYMMDD, for sorting by date.
    pub date: Option<u32>,
    /// Index terms of the document's own case numbers (`case_term`, `archive_term`).
    pub own_case: Vec<String>,
}

/// One entity to index: a plan, focus area, measure or case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityDoc {
    /// Never [`HitType::Page`].
    pub kind: HitType,
    /// The entity's row id in its own table.
    pub id: i64,
    /// The page it was found on (1-based), where it starts.
    pub page: i32,
    pub title: String,
    /// What is searched and snippeted: the entity's title and text.
    pub text: String,
}

impl DocFacets {
    /// Facets from the document row: the year is the document date's, or else the case
    /// number's (a case paper of "24.25" belongs to 2025).
    pub fn from_document(d: &document::Model) -> Self {
        let date = d.document_date.as_deref().and_then(parse_iso_date);
        let year = date.map(|d| d / 10_000).or_else(|| {
            d.case_number
                .as_deref()
                .and_then(CaseNumber::parse)
                .map(|c| c.year as u32)
        });
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        DocFacets {
            kind: clean(&d.kind),
            organization: clean(&d.organization),
            body: None,
            year,
            date,
            own_case: Vec::new(),
        }
    }
}

/// "2025-03-14" (or a longer ISO timestamp) as 20250314.
fn parse_iso_date(s: &str) -> Option<u32> {
    let s = s.trim();
    let y: u32 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(y * 10_000 + m * 100 + d)
}

/// Loads what the index holds for `document_id`, or `None` when the document is gone.
pub async fn load(
    db: &DatabaseConnection,
    document_id: i64,
) -> Result<Option<IndexSource>, IngestError> {
    Ok(load_many(db, &[document_id]).await?.into_iter().next())
}

/// Documents loaded together, in a fixed number of statements per chunk: loading them one by
/// one was most of the indexer's time in a bulk run.
const LOAD_CHUNK: usize = 256;

/// Loads what the index holds for each of `ids` that still exists, in order of id.
pub async fn load_many(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<Vec<IndexSource>, IngestError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(LOAD_CHUNK) {
        let documents = document::Entity::find()
            .filter(document::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(document::Column::Id)
            .all(db)
            .await?;
        let mut pages: BTreeMap<i64, Vec<page::Model>> = BTreeMap::new();
        for p in page::Entity::find()
            .filter(page::Column::DocumentId.is_in(chunk.iter().copied()))
            .order_by_asc(page::Column::DocumentId)
            .order_by_asc(page::Column::Number)
            .all(db)
            .await?
        {
            pages.entry(p.document_id).or_default().push(p);
        }
        let mut found = crate::domain::searchable_many(db, &documents).await?;
        for document in documents {
            let mut facets = DocFacets::from_document(&document);
            let found = found.remove(&document.id).unwrap_or_default();
            facets.body = found.body;
            facets.own_case = found.own_case;
            let entities = found
                .entities
                .into_iter()
                .filter_map(|e| {
                    Some(EntityDoc {
                        kind: HitType::parse(e.kind).filter(|k| *k != HitType::Page)?,
                        id: e.id,
                        page: e.page,
                        title: e.title,
                        text: e.text,
                    })
                })
                .collect();
            out.push(IndexSource {
                pages: pages.remove(&document.id).unwrap_or_default(),
                document,
                facets,
                entities,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_iso_date("2025-03-14"), Some(20250314));
        assert_eq!(parse_iso_date("2025-13-01"), None);
        assert_eq!(parse_iso_date("25.03.2025"), None);
    }
}
