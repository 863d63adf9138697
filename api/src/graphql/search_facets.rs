use async_graphql::SimpleObject;

use planarkiv_schema::search::HitType as IndexHitType;

use super::document::DocumentKind;
use super::search_hit::HitType;
use crate::search::FacetCounts;

/// One value of a facet and how many hits have it. Each value goes into the search filter of
/// the same name as it is.
#[derive(SimpleObject, Clone, Debug)]
pub struct FacetValue {
    /// The value as stored: an organization's name, or a body's abbreviation such as `SSU`.
    pub value: String,
    /// Matching hits (pages and entities) with this value, over all matches.
    pub count: u64,
}

/// A document kind and how many hits have it.
#[derive(SimpleObject, Clone, Debug)]
pub struct KindFacetValue {
    /// The kind, as `filter: { kind: [...] }` takes it.
    pub value: DocumentKind,
    /// Matching hits of documents of this kind, over all matches.
    pub count: u64,
}

/// A year and how many hits have it.
#[derive(SimpleObject, Clone, Debug)]
pub struct YearFacetValue {
    /// The year, as `filter: { year: [...] }` takes it.
    pub value: i32,
    /// Matching hits with this year, over all matches.
    pub count: u64,
}

/// A kind of hit and how many hits are of it.
#[derive(SimpleObject, Clone, Debug)]
pub struct HitTypeFacetValue {
    /// The hit type, as `filter: { hitType: [...] }` takes it.
    pub value: HitType,
    /// Matching hits of this type, over all matches.
    pub count: u64,
}

/// Counts of the matches per value, computed in the index over every match (not only the
/// current page of results). Most frequent first; years newest first. Hits without a value
/// are not counted.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct SearchFacets {
    /// By document kind (`type:` in the query language).
    pub kind: Vec<KindFacetValue>,
    /// By organization (`org:`).
    pub organization: Vec<FacetValue>,
    /// By body abbreviation (`utvalg:`).
    pub body: Vec<FacetValue>,
    /// By year: the document's date, or else its case number's year (`år:`).
    pub year: Vec<YearFacetValue>,
    /// By hit type (`PAGE`, `PLAN`, `FOCUS_AREA`, `MEASURE`, `CASE`).
    #[graphql(name = "type")]
    pub hit_type: Vec<HitTypeFacetValue>,
}

impl From<FacetCounts> for SearchFacets {
    fn from(c: FacetCounts) -> Self {
        let conv = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect()
        };
        // The index holds only values it was given in these shapes; one that is not (an index
        // written by a newer version) is left out rather than shown as something else.
        SearchFacets {
            // Kinds this version does not know are OTHER, as on `Document.kind`.
            kind: c.kind.into_iter().fold(Vec::new(), |mut out, (v, count)| {
                let value = DocumentKind::from_stored(&v);
                match out
                    .iter_mut()
                    .find(|k: &&mut KindFacetValue| k.value == value)
                {
                    Some(k) => k.count += count,
                    None => out.push(KindFacetValue { value, count }),
                }
                out
            }),
            organization: conv(c.organization),
            body: conv(c.body),
            year: c
                .year
                .into_iter()
                .filter_map(|(v, count)| {
                    Some(YearFacetValue {
                        value: v.parse().ok()?,
                        count,
                    })
                })
                .collect(),
            hit_type: c
                .hit_type
                .into_iter()
                .filter_map(|(v, count)| {
                    Some(HitTypeFacetValue {
                        value: IndexHitType::parse(&v)?.into(),
                        count,
                    })
                })
                .collect(),
        }
    }
}
