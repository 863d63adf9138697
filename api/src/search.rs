//! Running a search against the tantivy reader: query parsing, ranking and snippets. Blocking;
//! the GraphQL resolver calls it on the blocking pool.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::Term;
use tantivy::{DocId, Score, SegmentReader, TantivyDocument};

use planarkiv_ingest::index::SearchIndex;
use planarkiv_schema::case_number::CaseNumber;
use planarkiv_schema::search::case_term;

use crate::graphql::error::ApiError;
use crate::graphql::search_hit::{Highlight, SearchHit, Snippet};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;
/// Longest accepted query, in characters.
const MAX_QUERY_CHARS: usize = 1_000;

pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    pub total: u64,
}

pub fn search(
    index: &SearchIndex,
    query: &str,
    offset: usize,
    limit: usize,
) -> Result<SearchResult, ApiError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ApiError::BadUserInput("the search query is empty".into()));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadUserInput(format!(
            "the search query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let f = index.fields();
    let mut parser = QueryParser::for_index(index.index(), vec![f.body, f.title]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(f.title, 0.5);
    // Lenient parsing: a stray quote or colon from a person typing should still search.
    let (cases, rest) = split_case_numbers(query);
    // Quoted phrases match the exact words (the unstemmed twin); the highlight query keeps
    // them on the stemmed field, which is the one snippets are cut from.
    let matching = build_query(&parser, f, &cases, &exact_phrases(&rest));
    let highlight = build_query(&parser, f, &cases, &rest);
    let searcher = index.reader().searcher();
    // Equal scores are common (copies, boilerplate pages). Breaking ties by document and page
    // makes the order — and so pagination — the same on every replica, whatever the segment
    // layout of its index.
    let ranked = TopDocs::with_limit(limit.max(1))
        .and_offset(offset)
        .tweak_score(move |seg: &SegmentReader| {
            let ids = seg.fast_fields().u64("doc_id").ok();
            let pages = seg.fast_fields().u64("page").ok();
            move |doc: DocId, score: Score| {
                let id = ids.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
                let page = pages.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
                (score, -id, -page)
            }
        });
    let (top, total) = searcher
        .search(&matching, &(ranked, Count))
        .map_err(ApiError::internal)?;
    let mut gen =
        SnippetGenerator::create(&searcher, &*highlight, f.body).map_err(ApiError::internal)?;
    gen.set_max_num_chars(SNIPPET_CHARS);
    let mut hits = Vec::with_capacity(top.len());
    for ((score, _, _), addr) in top.into_iter().take(limit) {
        let doc: TantivyDocument = searcher.doc(addr).map_err(ApiError::internal)?;
        let doc_id = doc
            .get_first(f.doc_id)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let page = doc.get_first(f.page).and_then(|v| v.as_u64()).unwrap_or(0);
        let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
        let snippet = make_snippet(&gen, body);
        hits.push(SearchHit {
            score: score as f64,
            page: page as i32,
            snippet,
            document_id: doc_id as i64,
        });
    }
    Ok(SearchResult {
        hits,
        total: total as u64,
    })
}

/// Pages grouped by document, best document first; each group's pages best first.
pub struct GroupedResult {
    pub groups: Vec<(i64, f64, Vec<SearchHit>)>,
    /// Documents with matching pages (among the first [`GROUP_WINDOW`] pages).
    pub total: u64,
}

/// How many of the best pages are grouped. Enough for any person's paging; documents whose
/// best page ranks lower are not listed.
pub const GROUP_WINDOW: usize = 2_000;

/// Runs the search and groups its best pages by document.
pub fn search_grouped(
    index: &SearchIndex,
    query: &str,
    offset: usize,
    limit: usize,
    pages_per_document: usize,
) -> Result<GroupedResult, ApiError> {
    let flat = search(index, query, 0, GROUP_WINDOW)?;
    let mut groups: Vec<(i64, f64, Vec<SearchHit>)> = Vec::new();
    let mut at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for hit in flat.hits {
        match at.get(&hit.document_id) {
            Some(&i) => {
                if groups[i].2.len() < pages_per_document {
                    groups[i].2.push(hit);
                }
            }
            None => {
                at.insert(hit.document_id, groups.len());
                groups.push((hit.document_id, hit.score, vec![hit]));
            }
        }
    }
    let total = groups.len() as u64;
    let groups = groups.into_iter().skip(offset).take(limit).collect();
    Ok(GroupedResult { groups, total })
}

/// The query for `cases` and the text `rest`; case numbers are required on the case field and
/// their printed form ranks and highlights.
fn build_query(
    parser: &QueryParser,
    f: planarkiv_schema::search::SearchFields,
    cases: &[CaseNumber],
    rest: &str,
) -> Box<dyn Query> {
    if cases.is_empty() {
        return parser.parse_query_lenient(rest).0;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for c in cases {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(f.case, &case_term(c.year, c.sequence)),
                IndexRecordOption::Basic,
            )),
        ));
        // The number as the secretariats print it ("24.25"): ranks the pages that write it and
        // gives the snippet something to highlight.
        let printed = [format!("{:02}", c.sequence), format!("{:02}", c.year % 100)];
        let terms: Vec<Term> = printed
            .iter()
            .map(|t| Term::from_field_text(f.body, t))
            .collect();
        clauses.push((Occur::Should, Box::new(PhraseQuery::new(terms))));
    }
    if !rest.trim().is_empty() {
        clauses.push((Occur::Must, parser.parse_query_lenient(rest).0));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Points every quoted phrase that names no field at `body_exact`.
fn exact_phrases(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 16);
    let mut in_quotes = false;
    let mut prev: Option<char> = None;
    for ch in query.chars() {
        if ch == '"' {
            let starts_term = !in_quotes
                && prev.is_none_or(|p| p.is_whitespace() || p == '(' || p == '-' || p == '+');
            if starts_term {
                out.push_str("body_exact:");
            }
            in_quotes = !in_quotes;
        }
        out.push(ch);
        prev = Some(ch);
    }
    out
}

/// Takes the case numbers out of a query ("sak 24.25", "24/25", "2025/24", "sak 24/2025"), so
/// they are searched as case numbers and never as two loose numbers. Quoted phrases are left
/// alone. Returns the case numbers and the rest of the query.
pub fn split_case_numbers(query: &str) -> (Vec<CaseNumber>, String) {
    let mut cases = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    let mut in_quotes = false;
    let tokens: Vec<&str> = query.split_whitespace().collect();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let quote_toggles = t.matches('"').count() % 2 == 1;
        if in_quotes || t.contains('"') {
            rest.push(t);
            in_quotes ^= quote_toggles;
            i += 1;
            continue;
        }
        let clean = |s: &str| {
            s.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '?' | '!'))
                .to_owned()
        };
        let word = clean(t).to_lowercase();
        let is_case_word = matches!(word.as_str(), "sak" | "saker" | "saksnr" | "saksnummer");
        if is_case_word {
            if let Some(n) = tokens.get(i + 1).and_then(|n| CaseNumber::parse(&clean(n))) {
                cases.push(n);
                i += 2;
                continue;
            }
        }
        let looks_numbered = word.contains(['.', '/']);
        match CaseNumber::parse(&word).filter(|_| looks_numbered) {
            Some(n) => cases.push(n),
            None => rest.push(t),
        }
        i += 1;
    }
    (cases, rest.join(" "))
}

/// Tantivy reports byte ranges into its fragment; clients get character offsets, which is what
/// JavaScript string indexing (for code points) and most UIs expect.
fn make_snippet(gen: &SnippetGenerator, body: &str) -> Snippet {
    let s = gen.snippet(body);
    if s.fragment().is_empty() {
        // The page matched through its title only: show its beginning.
        let text: String = body.chars().take(SNIPPET_CHARS).collect();
        return Snippet {
            text,
            highlights: Vec::new(),
        };
    }
    let frag = s.fragment();
    let highlights = s
        .highlighted()
        .iter()
        .filter(|r| frag.is_char_boundary(r.start) && frag.is_char_boundary(r.end))
        .map(|r| Highlight {
            start: frag[..r.start].chars().count() as i32,
            end: frag[..r.end].chars().count() as i32,
        })
        .collect();
    Snippet {
        text: frag.to_owned(),
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_leave_the_text_query() {
        for q in [
            "sak 24.25",
            "24.25",
            "24/25",
            "2025/24",
            "sak 24/2025",
            "Sak 24.25,",
        ] {
            let (cases, rest) = split_case_numbers(q);
            assert_eq!(cases.len(), 1, "{q}");
            assert_eq!((cases[0].sequence, cases[0].year), (24, 2025), "{q}");
            assert_eq!(rest, "", "{q}");
        }
        let (cases, rest) = split_case_numbers("hospitering sak 07.26 kommunene");
        assert_eq!(cases.len(), 1);
        assert_eq!(rest, "hospitering kommunene");
        assert_eq!(
            exact_phrases("helse \"felles helsetjeneste\" -\"x y\" title:\"a\""),
            "helse body_exact:\"felles helsetjeneste\" -body_exact:\"x y\" title:\"a\""
        );
        let (cases, rest) = split_case_numbers("\"sak 24.25\" 24 25");
        assert!(cases.is_empty(), "quoted and loose numbers stay text");
        assert_eq!(rest, "\"sak 24.25\" 24 25");
    }
}
