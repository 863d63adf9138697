//! The tantivy schema and the Norwegian analyzers. Kept here, not in the indexer, because the
//! writer (ingest) and every reader (api) must register exactly the same analyzers.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::Index;

/// Bumped whenever tokenization changes, so an index built by another version is rebuilt
/// rather than queried with analyzers that no longer match its terms.
pub const ANALYZER_VERSION: u32 = 2;

/// Lower-case + Snowball Norwegian stemmer. No ASCII folding: "før" must not match "for".
pub const NORWEGIAN_STEMMED: &str = "nb_stem";
/// Lower-case only: the twin used for exact words and quoted phrases.
pub const NORWEGIAN_EXACT: &str = "nb_exact";

/// Tokens longer than this are noise (base64, hashes) and would bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct SearchFields {
    /// One index document per page: the page row's id, the key for deletes.
    pub doc_id: Field,
    pub page: Field,
    pub title: Field,
    pub body: Field,
    pub body_exact: Field,
    /// Case numbers the page mentions, normalised by [`case_term`], so "sak 24.25", "24/25" and
    /// "2025/24" meet on one term and are never two loose numbers.
    pub case: Field,
}

/// The indexed form of case `sequence` of `year`.
pub fn case_term(year: i32, sequence: u32) -> String {
    format!("{year}-{sequence}")
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
    let case = b.add_text_field("case", tantivy::schema::STRING);
    (
        b.build(),
        SearchFields {
            doc_id,
            page,
            title,
            body,
            body_exact,
            case,
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
