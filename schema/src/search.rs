//! The tantivy schema and the Norwegian analyzers. Kept here, not in the indexer, because the
//! writer (ingest) and every reader (api) must register exactly the same analyzers.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::Index;

pub mod equivalents;

/// Bumped whenever tokenization changes, so an index built by another version is rebuilt
/// rather than queried with analyzers that no longer match its terms.
pub const ANALYZER_VERSION: u32 = 4;

/// Lower-case + Snowball Norwegian stemmer. No ASCII folding: "før" must not match "for".
pub const NORWEGIAN_STEMMED: &str = "nb_stem";
/// Lower-case only: the twin used for exact words and quoted phrases.
pub const NORWEGIAN_EXACT: &str = "nb_exact";

/// Tokens longer than this are noise (base64, hashes) and would bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct SearchFields {
    /// The source document's row id, on every index document made from it (pages and
    /// entities), so one delete term removes them all.
    pub doc_id: Field,
    pub page: Field,
    /// "page" or the entity type ("plan", "focus_area", "measure", "case"): a filter and a facet.
    pub hit_type: Field,
    /// The entity's row id; absent on pages.
    pub entity_id: Field,
    /// Facets and filters from the document row, lower-cased raw values.
    pub kind: Field,
    pub organization: Field,
    /// The organization name's words, so `org:innlandet` finds "Helsefellesskap Innlandet".
    pub organization_words: Field,
    /// The body (utvalg) abbreviation, such as "ssu" or "au".
    pub utvalg: Field,
    pub year: Field,
    /// The document date as YYYYMMDD, for sorting by date; absent when unknown.
    pub date: Field,
    pub title: Field,
    pub body: Field,
    pub body_exact: Field,
    /// Case numbers the page mentions, normalised by [`case_term`], so "sak 24.25", "24/25" and
    /// "2025/24" meet on one term and are never two loose numbers; and the archive numbers it
    /// mentions, by [`archive_term`].
    pub case: Field,
    /// The numbers of the document's own case (its item and archive numbers), on every index
    /// document made from it: a search for a number ranks the case's own paper above papers
    /// that only mention it.
    pub own_case: Field,
    /// 1 on a page whose text came from OCR; absent otherwise. A filter, never scored.
    pub ocr: Field,
}

/// What an index document stands for: a page, or an entity found in a document. The strings
/// are the `hit_type` terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HitType {
    Page,
    Plan,
    FocusArea,
    Measure,
    Case,
}

impl HitType {
    pub const ALL: [HitType; 5] = [
        HitType::Page,
        HitType::Plan,
        HitType::FocusArea,
        HitType::Measure,
        HitType::Case,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HitType::Page => "page",
            HitType::Plan => "plan",
            HitType::FocusArea => "focus_area",
            HitType::Measure => "measure",
            HitType::Case => "case",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        HitType::ALL.into_iter().find(|h| h.as_str() == s)
    }
}

/// The indexed form of case `sequence` of `year`.
pub fn case_term(year: i32, sequence: u32) -> String {
    format!("{year}-{sequence}")
}

/// The indexed form of archive case `sequence` of `year` ("2026/308"): apart from item numbers,
/// which are written alike ("2025/24").
pub fn archive_term(year: i32, sequence: u32) -> String {
    format!("a{year}-{sequence}")
}

pub fn build_schema() -> (Schema, SearchFields) {
    let mut b = Schema::builder();
    let doc_id = b.add_u64_field(
        "doc_id",
        NumericOptions::default()
            .set_indexed()
            .set_stored()
            .set_fast(),
    );
    let page = b.add_u64_field("page", NumericOptions::default().set_stored().set_fast());
    let stemmed = TextFieldIndexing::default()
        .set_tokenizer(NORWEGIAN_STEMMED)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let exact = TextFieldIndexing::default()
        .set_tokenizer(NORWEGIAN_EXACT)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let title = b.add_text_field(
        "title",
        TextOptions::default()
            .set_indexing_options(stemmed.clone())
            .set_stored(),
    );
    let body = b.add_text_field(
        "body",
        TextOptions::default()
            .set_indexing_options(stemmed)
            .set_stored(),
    );
    let body_exact = b.add_text_field(
        "body_exact",
        TextOptions::default().set_indexing_options(exact),
    );
    let case = b.add_text_field("case", STRING);
    let own_case = b.add_text_field("own_case", STRING);
    let hit_type = b.add_text_field("hit_type", STRING | FAST | STORED);
    let entity_id = b.add_u64_field(
        "entity_id",
        NumericOptions::default().set_stored().set_fast(),
    );
    let kind = b.add_text_field("kind", STRING | FAST);
    let organization = b.add_text_field("organization", STRING | FAST);
    let organization_words = b.add_text_field(
        "organization_words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NORWEGIAN_EXACT)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let utvalg = b.add_text_field("utvalg", STRING | FAST);
    let year = b.add_u64_field("year", NumericOptions::default().set_indexed().set_fast());
    let date = b.add_u64_field("date", NumericOptions::default().set_fast());
    let ocr = b.add_u64_field("ocr", NumericOptions::default().set_indexed());
    (
        b.build(),
        SearchFields {
            doc_id,
            page,
            hit_type,
            entity_id,
            kind,
            organization,
            organization_words,
            utvalg,
            year,
            date,
            title,
            body,
            body_exact,
            case,
            own_case,
            ocr,
        },
    )
}

pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Norwegian))
        .build()
}

pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

pub fn register_analyzers(index: &Index) {
    index
        .tokenizers()
        .register(NORWEGIAN_STEMMED, stemmed_analyzer());
    index
        .tokenizers()
        .register(NORWEGIAN_EXACT, exact_analyzer());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn no_ascii_folding() {
        let t = tokens(stemmed_analyzer(), "Før for Ærlig ØST år");
        assert_ne!(t[0], t[1], "før and for must stay apart: {t:?}");
        assert!(t[2].starts_with('æ'), "{t:?}");
        assert!(t[3].starts_with('ø'), "{t:?}");
        assert!(t[4].starts_with('å'), "{t:?}");
    }

    #[test]
    fn stems_norwegian_inflections() {
        let t = tokens(stemmed_analyzer(), "helsetjenester helsetjenesten");
        assert_eq!(t[0], t[1], "{t:?}");
        let e = tokens(exact_analyzer(), "Helsetjenester");
        assert_eq!(e, vec!["helsetjenester"]);
    }
}
