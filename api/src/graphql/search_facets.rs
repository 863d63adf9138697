use async_graphql::SimpleObject;

use crate::search::FacetCounts;

/// One value of a facet and how many hits have it.
#[derive(SimpleObject, Clone, Debug)]
pub struct FacetValue {
    /// The value as stored: a kind such as `plan`, an organization's name, a body's
    /// abbreviation such as `SSU`, a year, or a hit type such as `page`.
    pub value: String,
    /// Matching hits (pages and entities) with this value, over all matches.
    pub count: u64,
}

/// Counts of the matches per value, computed in the index over every match (not only the
/// current page of results). Most frequent first; years newest first. Hits without a value
/// are not counted.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct SearchFacets {
    /// By document kind (`type:` in the query language).
    pub kind: Vec<FacetValue>,
    /// By organization (`org:`).
    pub organization: Vec<FacetValue>,
    /// By body abbreviation (`utvalg:`).
    pub body: Vec<FacetValue>,
    /// By year: the document's date, or else its case number's year (`år:`).
    pub year: Vec<FacetValue>,
    /// By hit type: `page`, `plan`, `focus_area`, `measure`, `case`.
    #[graphql(name = "type")]
    pub hit_type: Vec<FacetValue>,
}

impl From<FacetCounts> for SearchFacets {
    fn from(c: FacetCounts) -> Self {
        let conv = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect()
        };
        SearchFacets {
            kind: conv(c.kind),
            organization: conv(c.organization),
            body: conv(c.body),
            year: conv(c.year),
            hit_type: conv(c.hit_type),
        }
    }
}
