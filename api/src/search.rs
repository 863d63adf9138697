//! Running a search against the tantivy reader: the query language, ranking, facets and
//! snippets. Blocking; the GraphQL resolvers call it on the blocking pool.
//!
//! The query language is parsed here rather than by tantivy's `QueryParser` because every word
//! becomes a small disjunction of its own (stem, title, "aa" spelled "å", and at a low boost
//! the word in the other written standard, a typo-tolerant and a compound-prefix alternative),
//! qualifiers are validated with messages a person can act on, and case numbers are taken out
//! before anything else.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur,
    PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, Score, Searcher, SegmentReader, TantivyDocument, Term};

use planarkiv_ingest::index::SearchIndex;
use planarkiv_schema::case_number::{is_item_type, ArchiveNumber, CaseNumber};
use planarkiv_schema::search::equivalents::nynorsk_bokmal;
use planarkiv_schema::search::{
    archive_term, case_term, exact_analyzer, stemmed_analyzer, HitType, SearchFields,
};

use crate::graphql::error::ApiError;
use crate::graphql::search_hit::{Highlight, SearchHit, Snippet};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;
/// Longest accepted query, in characters.
const MAX_QUERY_CHARS: usize = 1_000;
/// Words shorter than this get no typo or compound alternative: short words have too many
/// neighbours one edit away ("for", "før", "fra") and prefixes of them match half the index.
const MIN_LOOSE_CHARS: usize = 5;
/// Weights of the loose alternatives, far below a real term's BM25 score (typically 2–15), so
/// a page with the exact word always ranks above one that only has a near miss.
const TYPO_BOOST: Score = 0.2;
const COMPOUND_BOOST: Score = 0.3;
/// The same word in the other written standard ("sjukehus" for "sykehus"): a constant score,
/// like the typo and compound alternatives, rather than the equivalent's own BM25, because a
/// rare nynorsk word's BM25 in a mostly bokmål archive would outrank the word as typed. Above
/// the typo and compound weights: an equivalent is a known match, not a guess.
const EQUIVALENT_BOOST: Score = 0.4;
/// A sliver of the equivalent's BM25 on top, so the pages found only through the other
/// standard are ordered among themselves by how much they use the word (a nynorsk query in a
/// bokmål archive sees its best pages first, not its lowest ids), while staying below the
/// word as typed: a BM25 of 10 adds 0.2.
const EQUIVALENT_BM25_SHARE: Score = 0.02;
const TITLE_BOOST: Score = 0.5;
/// Added to the pages of the case a searched number names. BM25 scores of a query stay in the
/// tens, so this puts the case's own paper above every page that only mentions the number.
const OWN_CASE_SCORE: Score = 1_000.0;

/// Document kinds a `type:` qualifier accepts: the classifier's and the manifest's vocabulary.
pub const DOCUMENT_KINDS: [&str; 9] = [
    "plan",
    "case_paper",
    "case_appendix",
    "minutes",
    "letter",
    "report",
    "presentation",
    "web_page",
    "other",
];

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    DateDesc,
    DateAsc,
}

/// Restrictions that apply on top of the query text: from qualifiers or from GraphQL
/// arguments. Within a list any value matches; the lists are ANDed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub kind: Vec<String>,
    pub organization: Vec<String>,
    pub body: Vec<String>,
    pub year: Vec<u32>,
    pub hit_type: Vec<HitType>,
    /// `Some(true)` keeps to pages read by OCR, `Some(false)` leaves them out.
    pub ocr: Option<bool>,
}

/// One search as the API asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Count facet values over every match (not only this page of hits).
    pub facets: bool,
    /// Leave out the loose alternatives (the other written standard, typos, compounds); the
    /// benchmark measures their cost so.
    pub exact_only: bool,
}

/// Counts per value, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub kind: Vec<(String, u64)>,
    pub organization: Vec<(String, u64)>,
    pub body: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
    pub hit_type: Vec<(String, u64)>,
}

pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    pub total: u64,
    pub facets: Option<FacetCounts>,
}

/// The simplest search: text only, by relevance. Kept for callers that need nothing more.
pub fn search(
    index: &SearchIndex,
    query: &str,
    offset: usize,
    limit: usize,
) -> Result<SearchResult, ApiError> {
    run(
        index,
        &SearchRequest {
            query: query.to_owned(),
            offset,
            limit,
            ..Default::default()
        },
    )
}

/// Cuts snippets for the hits of one search. Shared by its hits, so a snippet costs nothing
/// unless a client asks for it.
pub struct SnippetSource {
    generator: SnippetGenerator,
}

impl std::fmt::Debug for SnippetSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SnippetSource")
    }
}

impl SnippetSource {
    /// The best passage of `text`.
    pub fn best(&self, text: &str) -> Snippet {
        self.several(text, 1).into_iter().next().unwrap_or(Snippet {
            text: String::new(),
            highlights: Vec::new(),
        })
    }

    /// Up to `max` passages, best first, that do not overlap. Each is cut from the text with
    /// the passages already taken blanked out, so the generator finds the next best one.
    pub fn several(&self, text: &str, max: usize) -> Vec<Snippet> {
        let mut out = Vec::new();
        let mut rest = text.to_owned();
        for _ in 0..max.max(1) {
            let s = self.generator.snippet(&rest);
            if s.fragment().is_empty() || s.highlighted().is_empty() {
                break;
            }
            let frag = s.fragment().to_owned();
            out.push(char_snippet(&frag, s.highlighted()));
            match rest.find(&frag) {
                // Same length in bytes, so later fragments keep their places.
                Some(at) => rest.replace_range(at..at + frag.len(), &" ".repeat(frag.len())),
                None => break,
            }
        }
        if out.is_empty() {
            // The hit matched through its title, a qualifier or a loose alternative that
            // highlights nothing: show its beginning.
            out.push(Snippet {
                text: text.chars().take(SNIPPET_CHARS).collect(),
                highlights: Vec::new(),
            });
        }
        out
    }
}

/// Tantivy reports byte ranges into its fragment; clients get UTF-16 code units, what
/// JavaScript strings index (see `crate::text`).
fn char_snippet(frag: &str, ranges: &[std::ops::Range<usize>]) -> Snippet {
    let highlights = ranges
        .iter()
        .filter_map(|r| {
            Some(Highlight {
                start: crate::text::utf16_at_byte(frag, r.start)? as i32,
                end: crate::text::utf16_at_byte(frag, r.end)? as i32,
            })
        })
        .collect();
    Snippet {
        text: frag.to_owned(),
        highlights,
    }
}

/// Runs a search: parses the query, applies the filters, ranks, and counts facets if asked.
pub fn run(index: &SearchIndex, req: &SearchRequest) -> Result<SearchResult, ApiError> {
    let query = req.query.trim();
    if query.is_empty() {
        return Err(ApiError::BadUserInput("the search query is empty".into()));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadUserInput(format!(
            "the search query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let f = index.fields();
    let plan = QueryPlan::build(f, query, &req.filters, !req.exact_only)?;
    let searcher = index.reader().searcher();
    let limit = req.limit;
    let sort = req.sort;
    // Equal scores are common (copies, boilerplate pages). Breaking ties by document and page
    // makes the order — and so pagination — the same on every replica, whatever the segment
    // layout of its index. The date, when sorting by it, comes first.
    let ranked = TopDocs::with_limit(limit.max(1))
        .and_offset(req.offset)
        .tweak_score(move |seg: &SegmentReader| {
            let ids = seg.fast_fields().u64("doc_id").ok();
            let pages = seg.fast_fields().u64("page").ok();
            let dates = seg.fast_fields().u64("date").ok();
            move |doc: DocId, score: Score| {
                let id = ids.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
                let page = pages.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
                let date = dates.as_ref().and_then(|c| c.first(doc)).map(|d| d as i64);
                let first = match (sort, date) {
                    (Sort::Relevance, _) => 0,
                    // Undated documents last, either way.
                    (_, None) => i64::MIN,
                    (Sort::DateDesc, Some(d)) => d,
                    (Sort::DateAsc, Some(d)) => -d,
                };
                (first, score, -id, -page)
            }
        });
    let facet_collector = req.facets.then_some(FacetCollector);
    let (top, total, facets) = searcher
        .search(&plan.matching, &(ranked, Count, facet_collector))
        .map_err(ApiError::internal)?;
    let highlight = with_near_misses(&searcher, f, plan.highlight, &plan.loose_words)?;
    let snippets = snippet_source(&searcher, &*highlight, f.body)?;
    let hits = load_hits(&searcher, f, &snippets, top.into_iter().take(limit))?;
    Ok(SearchResult {
        hits,
        total: total as u64,
        facets,
    })
}

fn snippet_source(
    searcher: &Searcher,
    highlight: &dyn Query,
    body: Field,
) -> Result<Arc<SnippetSource>, ApiError> {
    let mut generator =
        SnippetGenerator::create(searcher, highlight, body).map_err(ApiError::internal)?;
    generator.set_max_num_chars(SNIPPET_CHARS);
    Ok(Arc::new(SnippetSource { generator }))
}

fn load_hits<S>(
    searcher: &Searcher,
    f: SearchFields,
    snippets: &Arc<SnippetSource>,
    top: impl Iterator<Item = (S, tantivy::DocAddress)>,
) -> Result<Vec<SearchHit>, ApiError>
where
    S: RankScore,
{
    let mut hits = Vec::new();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(ApiError::internal)?;
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64());
        let hit_type = doc
            .get_first(f.hit_type)
            .and_then(|v| v.as_str())
            .and_then(HitType::parse)
            .unwrap_or(HitType::Page);
        let body: Arc<str> = doc
            .get_first(f.body)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .into();
        hits.push(SearchHit {
            score: score.relevance() as f64,
            page: u64_of(f.page).unwrap_or(0) as i32,
            document_id: u64_of(f.doc_id).unwrap_or(0) as i64,
            hit_type,
            entity_id: u64_of(f.entity_id).map(|e| e as i64),
            body,
            snippets: snippets.clone(),
        });
    }
    Ok(hits)
}

/// The relevance part of whatever a collector ranked by.
trait RankScore {
    fn relevance(&self) -> Score;
}

impl RankScore for (i64, Score, i64, i64) {
    fn relevance(&self) -> Score {
        self.1
    }
}

impl RankScore for (Score, i64, i64) {
    fn relevance(&self) -> Score {
        self.0
    }
}

/// A document's id, its best score, and its best hits.
pub type Group = (i64, f64, Vec<SearchHit>);

/// Pages grouped by document, best document first; each group's pages best first.
pub struct GroupedResult {
    pub groups: Vec<Group>,
    /// Documents with matching pages (among the first [`GROUP_WINDOW`] pages).
    pub total: u64,
    pub facets: Option<FacetCounts>,
}

/// How many of the best pages are grouped. Enough for any person's paging; documents whose
/// best page ranks lower are not listed.
pub const GROUP_WINDOW: usize = 2_000;

/// Runs the search and groups its best pages by document.
pub fn run_grouped(
    index: &SearchIndex,
    req: &SearchRequest,
    pages_per_document: usize,
) -> Result<GroupedResult, ApiError> {
    let flat = run(
        index,
        &SearchRequest {
            offset: 0,
            limit: GROUP_WINDOW,
            ..req.clone()
        },
    )?;
    let groups = group(flat.hits, pages_per_document);
    let total = groups.len() as u64;
    let groups = groups
        .into_iter()
        .skip(req.offset)
        .take(req.limit)
        .collect();
    Ok(GroupedResult {
        groups,
        total,
        facets: flat.facets,
    })
}

/// The simplest grouped search, kept for callers that need nothing more.
pub fn search_grouped(
    index: &SearchIndex,
    query: &str,
    offset: usize,
    limit: usize,
    pages_per_document: usize,
) -> Result<GroupedResult, ApiError> {
    run_grouped(
        index,
        &SearchRequest {
            query: query.to_owned(),
            offset,
            limit,
            ..Default::default()
        },
        pages_per_document,
    )
}

fn group(hits: Vec<SearchHit>, per_document: usize) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    for hit in hits {
        match at.get(&hit.document_id) {
            Some(&i) => {
                if groups[i].2.len() < per_document {
                    groups[i].2.push(hit);
                }
            }
            None => {
                at.insert(hit.document_id, groups.len());
                groups.push((hit.document_id, hit.score, vec![hit]));
            }
        }
    }
    groups
}

/// Documents like `document_id`: tantivy's MoreLikeThisQuery over the stemmed text of the
/// document's pages, the document itself excluded. Best document first, with its best pages.
pub fn more_like_this(
    index: &SearchIndex,
    document_id: i64,
    limit: usize,
    pages_per_document: usize,
) -> Result<Option<Vec<Group>>, ApiError> {
    Ok(
        more_like_this_page(index, document_id, 0, limit, pages_per_document)?
            .map(|(groups, _)| groups),
    )
}

/// [`more_like_this`] a page at a time: the similar documents from `offset`, at most `limit`,
/// and how many there are in all (among the best [`GROUP_WINDOW`] pages).
pub fn more_like_this_page(
    index: &SearchIndex,
    document_id: i64,
    offset: usize,
    limit: usize,
    pages_per_document: usize,
) -> Result<Option<(Vec<Group>, u64)>, ApiError> {
    let f = index.fields();
    let searcher = index.reader().searcher();
    let own = Term::from_field_u64(f.doc_id, document_id as u64);
    let own_docs = searcher
        .search(
            &TermQuery::new(own.clone(), IndexRecordOption::Basic),
            &tantivy::collector::DocSetCollector,
        )
        .map_err(ApiError::internal)?;
    if own_docs.is_empty() {
        return Ok(None);
    }
    let mut texts = Vec::new();
    for addr in own_docs {
        let doc: TantivyDocument = searcher.doc(addr).map_err(ApiError::internal)?;
        if let Some(t) = doc.get_first(f.body).and_then(|v| v.as_str()) {
            texts.push(OwnedValue::Str(t.to_owned()));
        }
    }
    // Terms in more than a third of the index say nothing about a document ("helse", "og").
    let max_df = (searcher.num_docs() / 3).max(2);
    let mlt = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_max_doc_frequency(max_df)
        .with_min_term_frequency(2)
        .with_min_word_length(4)
        .with_max_query_terms(30)
        .with_document_fields(vec![(f.body, texts)]);
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(mlt) as Box<dyn Query>),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(own, IndexRecordOption::Basic)),
        ),
    ]);
    let ranked = TopDocs::with_limit(GROUP_WINDOW).tweak_score(|seg: &SegmentReader| {
        let ids = seg.fast_fields().u64("doc_id").ok();
        let pages = seg.fast_fields().u64("page").ok();
        move |doc: DocId, score: Score| {
            let id = ids.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
            let page = pages.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as i64;
            (score, -id, -page)
        }
    });
    let top = searcher
        .search(&query, &ranked)
        .map_err(ApiError::internal)?;
    // Snippets show where the similar documents talk about the same things.
    let snippets = snippet_source(&searcher, &query, f.body)?;
    let hits = load_hits(&searcher, f, &snippets, top.into_iter())?;
    let groups = group(hits, pages_per_document);
    let total = groups.len() as u64;
    Ok(Some((
        groups.into_iter().skip(offset).take(limit).collect(),
        total,
    )))
}

/// A qualifier's field, by every name a person may type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    Kind,
    Organization,
    Body,
    Year,
}

impl Qualifier {
    fn parse(key: &str) -> Option<Self> {
        match key.to_lowercase().as_str() {
            "type" | "kind" => Some(Qualifier::Kind),
            "org" | "organisasjon" | "organization" => Some(Qualifier::Organization),
            "utvalg" | "body" => Some(Qualifier::Body),
            "år" | "year" | "aar" => Some(Qualifier::Year),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Word(String),
    Phrase(String),
    Qualified(Qualifier, String),
}

/// Atoms joined by `OR`; a query is the AND of its clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    negated: bool,
    any_of: Vec<Atom>,
}

/// Splits a query into clauses. Lenient: a stray quote runs to the end, brackets are ignored,
/// an unknown `key:` is an ordinary word ("Mål:" in pasted text).
fn parse_clauses(query: &str) -> Vec<Clause> {
    let chars: Vec<char> = query.chars().collect();
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending_or = false;
    let mut i = 0;
    let read_quoted = |i: &mut usize| -> String {
        // At the opening quote.
        *i += 1;
        let start = *i;
        while *i < chars.len() && chars[*i] != '"' {
            *i += 1;
        }
        let s: String = chars[start..*i].iter().collect();
        *i += 1;
        s
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '(' || c == ')' {
            i += 1;
            continue;
        }
        let mut negated = false;
        if (c == '-' || c == '+') && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            negated = c == '-';
            i += 1;
        }
        let atom = if chars[i] == '"' {
            Atom::Phrase(read_quoted(&mut i))
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && chars[i] != '"'
                && chars[i] != '('
                && chars[i] != ')'
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if !negated && word == "OR" {
                pending_or = true;
                continue;
            }
            match word.split_once(':') {
                Some((key, value)) if !key.is_empty() => match Qualifier::parse(key) {
                    Some(q) if value.is_empty() && chars.get(i) == Some(&'"') => {
                        Atom::Qualified(q, read_quoted(&mut i))
                    }
                    Some(q) => Atom::Qualified(q, value.to_owned()),
                    None => Atom::Word(word),
                },
                _ => Atom::Word(word),
            }
        };
        match clauses.last_mut() {
            Some(last) if pending_or && !negated && !last.negated => last.any_of.push(atom),
            _ => clauses.push(Clause {
                negated,
                any_of: vec![atom],
            }),
        }
        pending_or = false;
    }
    clauses
}

/// Tokens of `text` under an analyzer.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = analyzer.token_stream(text);
    while s.advance() {
        out.push(s.token().text.clone());
    }
    out
}

/// The query for one search: what must match, and what the snippets highlight.
struct QueryPlan {
    matching: Box<dyn Query>,
    highlight: Box<dyn Query>,
    /// The loose alternatives actually added, for highlighting what they match.
    loose_words: LooseWords,
}

/// Words that got a typo alternative (exact forms) and stems that got a compound one.
#[derive(Default)]
struct LooseWords {
    typo: Vec<String>,
    prefix: Vec<String>,
}

struct Builder {
    f: SearchFields,
    stem: TextAnalyzer,
    exact: TextAnalyzer,
    /// Stemmed body terms the snippets highlight.
    highlight: Vec<Term>,
    /// Whether words get their typo and compound alternatives.
    loose: bool,
    loose_words: LooseWords,
}

impl QueryPlan {
    fn build(
        f: SearchFields,
        query: &str,
        filters: &Filters,
        loose: bool,
    ) -> Result<Self, ApiError> {
        let mut b = Builder {
            f,
            loose,
            loose_words: LooseWords::default(),
            stem: stemmed_analyzer(),
            exact: exact_analyzer(),
            highlight: Vec::new(),
        };
        let (cases, rest) = split_case_numbers(query);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight_extra: Vec<Box<dyn Query>> = Vec::new();
        let mut positive = false;
        for c in &cases {
            let terms: Vec<String> = c
                .item
                .map(|n| case_term(n.year, n.sequence))
                .into_iter()
                .chain(c.archive.map(|a| archive_term(a.year, a.sequence)))
                .collect();
            // A page matches when it mentions the number or belongs to the case of that number.
            let mentioned = terms
                .iter()
                .flat_map(|t| [term_query(f.case, t), term_query(f.own_case, t)])
                .collect();
            clauses.push((Occur::Must, any_of(mentioned)));
            // The case's own paper first: far above anything the words alone can score, so a
            // paper that only refers to the case never ranks above it.
            let own = terms.iter().map(|t| term_query(f.own_case, t)).collect();
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(own_queries(own))),
                    OWN_CASE_SCORE,
                )),
            ));
            // The number as the secretariats print it ("24.25", "2026/308"): ranks the pages
            // that write it and gives the snippet something to highlight.
            let printed = c
                .item
                .map(|n| vec![format!("{:02}", n.sequence), format!("{:02}", n.year % 100)])
                .into_iter()
                .chain(
                    c.archive
                        .map(|a| vec![a.year.to_string(), a.sequence.to_string()]),
                );
            for words in printed {
                let terms: Vec<Term> = words
                    .iter()
                    .map(|t| Term::from_field_text(f.body, t))
                    .collect();
                clauses.push((Occur::Should, Box::new(PhraseQuery::new(terms.clone()))));
                highlight_extra.push(Box::new(PhraseQuery::new(terms)));
            }
            positive = true;
        }
        for clause in parse_clauses(&rest) {
            let mut any: Vec<Box<dyn Query>> = Vec::new();
            for atom in &clause.any_of {
                if let Some(q) = b.atom(atom, !clause.negated)? {
                    any.push(q);
                }
            }
            let q: Box<dyn Query> = match any.len() {
                0 => continue,
                1 => any.pop().expect("one"),
                _ => Box::new(BooleanQuery::new(
                    any.into_iter().map(|q| (Occur::Should, q)).collect(),
                )),
            };
            if clause.negated {
                clauses.push((Occur::MustNot, q));
            } else {
                positive = true;
                clauses.push((Occur::Must, q));
            }
        }
        for q in filter_queries(f, filters) {
            positive = true;
            clauses.push((Occur::Must, q));
        }
        if !positive {
            // Only exclusions, or words that analyze to nothing: everything but the excluded.
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let mut highlight: Vec<(Occur, Box<dyn Query>)> = b
            .highlight
            .drain(..)
            .map(|t| {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>,
                )
            })
            .collect();
        highlight.extend(highlight_extra.into_iter().map(|q| (Occur::Should, q)));
        Ok(QueryPlan {
            matching: Box::new(BooleanQuery::new(clauses)),
            highlight: Box::new(BooleanQuery::new(highlight)),
            loose_words: b.loose_words,
        })
    }
}

/// Most near-miss terms looked at (typo candidates sharing the first letters) per word and
/// segment, and most kept, so a highlight never costs more than a bounded scan.
const NEAR_MISS_SCAN: usize = 20_000;
const NEAR_MISS_KEEP: usize = 16;
/// Typos are looked for among terms sharing this many first characters with the word: a typo
/// further in is found (the query matches it anyway) but highlights only from here.
const NEAR_MISS_PREFIX: usize = 3;

/// The highlight query plus the words the typo and compound alternatives actually match in
/// the index, so a page found through "Helsefelleskap" or "hospiteringsordning" shows that
/// word highlighted rather than its first lines. The automaton queries report no terms of
/// their own, so the term dictionary is read here.
fn with_near_misses(
    searcher: &Searcher,
    f: SearchFields,
    highlight: Box<dyn Query>,
    words: &LooseWords,
) -> Result<Box<dyn Query>, ApiError> {
    if words.typo.is_empty() && words.prefix.is_empty() {
        return Ok(highlight);
    }
    let mut found: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for seg in searcher.segment_readers() {
        let inverted = seg
            .inverted_index(f.body_exact)
            .map_err(ApiError::internal)?;
        let terms = inverted.terms();
        let scan = |prefix: &str, keep: &mut dyn FnMut(&str) -> bool| {
            let Ok(mut stream) = terms.range().ge(prefix.as_bytes()).into_stream() else {
                return;
            };
            let mut kept = 0;
            for _ in 0..NEAR_MISS_SCAN {
                if !stream.advance() || !stream.key().starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    if keep(k) {
                        kept += 1;
                        if kept >= NEAR_MISS_KEEP {
                            break;
                        }
                    }
                }
            }
        };
        for stem in &words.prefix {
            scan(stem, &mut |k| {
                found.insert(k.to_owned());
                true
            });
        }
        for exact in &words.typo {
            let head: String = exact.chars().take(NEAR_MISS_PREFIX).collect();
            scan(&head, &mut |k| {
                let near = k != exact && within_one_edit(k, exact);
                if near {
                    found.insert(k.to_owned());
                }
                near
            });
        }
    }
    let mut stem = stemmed_analyzer();
    let mut clauses = vec![(Occur::Should, highlight)];
    for word in found {
        for s in analyze(&mut stem, &word) {
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.body, &s),
                    IndexRecordOption::WithFreqs,
                )),
            ));
        }
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours —
/// the distance the typo alternative allows.
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[start..], &b[start..]);
    let end = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (
        &ra[..ra.len() - end.min(ra.len())],
        &rb[..rb.len() - end.min(rb.len())],
    );
    match (ma.len(), mb.len()) {
        (0, 0) | (1, 1) | (0, 1) | (1, 0) => true,
        (2, 2) => ma[0] == mb[1] && ma[1] == mb[0],
        _ => false,
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// A filter must not change the ranking.
fn filter_only(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, 0.0))
}

fn own_queries(queries: Vec<Box<dyn Query>>) -> Vec<(Occur, Box<dyn Query>)> {
    queries.into_iter().map(|q| (Occur::Should, q)).collect()
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    filter_only(Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    )))
}

/// The GraphQL arguments' filters, each list one required disjunction.
fn filter_queries(f: SearchFields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out = Vec::new();
    if !filters.kind.is_empty() {
        out.push(any_of(
            filters
                .kind
                .iter()
                .map(|k| term_query(f.kind, &k.to_lowercase()))
                .collect(),
        ));
    }
    if !filters.organization.is_empty() {
        out.push(any_of(
            filters
                .organization
                .iter()
                .map(|o| term_query(f.organization, o))
                .collect(),
        ));
    }
    if !filters.body.is_empty() {
        out.push(any_of(
            filters
                .body
                .iter()
                .map(|b| term_query(f.utvalg, &b.to_uppercase()))
                .collect(),
        ));
    }
    if !filters.year.is_empty() {
        out.push(any_of(
            filters
                .year
                .iter()
                .map(|y| {
                    Box::new(TermQuery::new(
                        Term::from_field_u64(f.year, *y as u64),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect(),
        ));
    }
    if !filters.hit_type.is_empty() {
        out.push(any_of(
            filters
                .hit_type
                .iter()
                .map(|h| term_query(f.hit_type, h.as_str()))
                .collect(),
        ));
    }
    if let Some(keep) = filters.ocr {
        let ocr: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_u64(f.ocr, 1),
            IndexRecordOption::Basic,
        ));
        out.push(if keep {
            ocr
        } else {
            // A clause of MUST_NOT alone matches nothing: everything, less the OCR pages.
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, ocr),
            ]))
        });
    }
    out
}

/// Checks a `type:` value (or a `kind` filter) against the known kinds.
pub fn check_kind(value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_lowercase();
    if DOCUMENT_KINDS.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(ApiError::BadUserInput(format!(
            "unknown document type {value:?}; use one of {}",
            DOCUMENT_KINDS.join(", ")
        )))
    }
}

/// Checks an `år:` value (or a `year` filter).
pub fn check_year(value: &str) -> Result<u32, ApiError> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(|| {
            ApiError::BadUserInput(format!(
                "`år:` takes a four-digit year such as år:2025, not {value:?}"
            ))
        })
}

/// Checks an `utvalg:` value: a body's abbreviation such as SSU or AU.
pub fn check_body(value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    if !v.is_empty() && v.chars().count() <= 16 && v.chars().all(char::is_alphanumeric) {
        Ok(v.to_uppercase())
    } else {
        Err(ApiError::BadUserInput(format!(
            "`utvalg:` takes a body's abbreviation such as utvalg:SSU, not {value:?}"
        )))
    }
}

impl Builder {
    /// The query for one atom; `None` when it analyzes to nothing (punctuation).
    /// `scoring` is false for excluded atoms, which need neither alternatives nor highlights.
    fn atom(&mut self, atom: &Atom, scoring: bool) -> Result<Option<Box<dyn Query>>, ApiError> {
        let f = self.f;
        Ok(match atom {
            Atom::Word(w) => self.word(w, scoring),
            Atom::Phrase(p) => {
                let words = analyze(&mut self.exact, p);
                if scoring {
                    let stems = analyze(&mut self.stem, p);
                    self.highlight
                        .extend(stems.iter().map(|s| Term::from_field_text(f.body, s)));
                }
                phrase(f.body_exact, &words)
            }
            Atom::Qualified(q, value) => {
                if value.trim().is_empty() {
                    return Err(ApiError::BadUserInput(
                        "a qualifier needs a value, e.g. type:plan, org:innlandet, utvalg:SSU, år:2025"
                            .into(),
                    ));
                }
                let query: Box<dyn Query> = match q {
                    Qualifier::Kind => term_query(f.kind, &check_kind(value)?),
                    Qualifier::Body => term_query(f.utvalg, &check_body(value)?),
                    Qualifier::Year => Box::new(TermQuery::new(
                        Term::from_field_u64(f.year, check_year(value)? as u64),
                        IndexRecordOption::Basic,
                    )),
                    Qualifier::Organization => {
                        let words = analyze(&mut self.exact, value);
                        if words.is_empty() {
                            return Err(ApiError::BadUserInput(format!(
                                "`org:` needs a name, not {value:?}"
                            )));
                        }
                        Box::new(BooleanQuery::new(
                            words
                                .iter()
                                .map(|w| (Occur::Must, term_query(f.organization_words, w)))
                                .collect(),
                        ))
                    }
                };
                Some(filter_only(query))
            }
        })
    }

    /// A word: its stem on the body (and, weaker, the title), the "å" spelling of an "aa"
    /// spelling, then at a low boost the word in the other written standard (nynorsk for
    /// bokmål and back), a typo (one edit) and a compound (the stem as a prefix of a longer
    /// word) alternative. Words that analyze to several tokens ("covid-19") are a
    /// phrase.
    fn word(&mut self, w: &str, scoring: bool) -> Option<Box<dyn Query>> {
        let f = self.f;
        let stems = analyze(&mut self.stem, w);
        let exacts = analyze(&mut self.exact, w);
        if stems.len() > 1 {
            if scoring {
                self.highlight
                    .extend(stems.iter().map(|s| Term::from_field_text(f.body, s)));
            }
            return phrase(f.body_exact, &exacts);
        }
        let stem = stems.into_iter().next()?;
        let exact = exacts.into_iter().next().unwrap_or_else(|| stem.clone());
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut spellings = vec![(stem, exact.clone())];
        if exact.contains("aa") {
            let aa = exact.replace("aa", "å");
            if let Some(s) = analyze(&mut self.stem, &aa).into_iter().next() {
                spellings.push((s, aa));
            }
        }
        for (stem, _) in &spellings {
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.body, stem),
                    IndexRecordOption::WithFreqs,
                )),
            ));
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.title, stem),
                        IndexRecordOption::WithFreqs,
                    )),
                    TITLE_BOOST,
                )),
            ));
            if scoring {
                self.highlight.push(Term::from_field_text(f.body, stem));
            }
        }
        if scoring && self.loose {
            self.other_standard(&spellings, &mut any);
            for (stem, exact) in &spellings {
                if exact.chars().count() >= MIN_LOOSE_CHARS {
                    self.loose_words.typo.push(exact.clone());
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(
                                Term::from_field_text(f.body_exact, exact),
                                1,
                                true,
                            )),
                            TYPO_BOOST,
                        )),
                    ));
                }
                any.extend(self.compound(stem));
            }
        }
        Some(Box::new(BooleanQuery::new(any)))
    }

    /// The compound alternative of a stem long enough for one: the stem as a prefix of the
    /// exact words ("hospitering" → "hospiteringsordning"), at [`COMPOUND_BOOST`], noted for
    /// highlighting.
    fn compound(&mut self, stem: &str) -> Option<(Occur, Box<dyn Query>)> {
        if stem.chars().count() < MIN_LOOSE_CHARS {
            return None;
        }
        self.loose_words.prefix.push(stem.to_owned());
        Some((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new_prefix(
                    Term::from_field_text(self.f.body_exact, stem),
                    0,
                    false,
                )),
                COMPOUND_BOOST,
            )),
        ))
    }
}

impl Builder {
    /// The word as the other written standard spells it (nynorsk "tenestene" → bokmål stem
    /// "tjenest", and back), from the word list in `planarkiv_schema::search::equivalents`,
    /// at [`EQUIVALENT_BOOST`] on the stemmed body, and for stems long enough to begin
    /// compounds also as a compound prefix, so "helsetjeneste" finds
    /// "helsetenestetilbodet" as it finds "helsetjenestetilbudet". Highlighted like the word.
    fn other_standard(
        &mut self,
        spellings: &[(String, String)],
        any: &mut Vec<(Occur, Box<dyn Query>)>,
    ) {
        let f = self.f;
        let equivalents = nynorsk_bokmal();
        let mut added: Vec<&str> = Vec::new();
        for (stem, _) in spellings {
            for other in equivalents.of_stem(stem) {
                if added.contains(&other.as_str()) || spellings.iter().any(|(s, _)| s == other) {
                    continue;
                }
                added.push(other);
                let term = Term::from_field_text(f.body, other);
                any.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
                        EQUIVALENT_BOOST,
                    )),
                ));
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        EQUIVALENT_BM25_SHARE,
                    )),
                ));
                self.highlight.push(term);
                any.extend(self.compound(other));
            }
        }
    }
}

fn phrase(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    match words {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|w| Term::from_field_text(field, w))
                .collect(),
        ))),
    }
}

/// Takes the case numbers out of a query ("sak 24.25", "24/25", "2025/24", "sak 24/2025"), so
/// they are searched as case numbers and never as two loose numbers. Quoted phrases are left
/// alone. Returns the case numbers and the rest of the query.
pub fn split_case_numbers(query: &str) -> (Vec<NumberQuery>, String) {
    let mut cases = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    let mut in_quotes = false;
    let tokens: Vec<&str> = query.split_whitespace().collect();
    let clean = |s: &str| {
        s.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '?' | '!'))
            .to_owned()
    };
    // Either number a token may be: an item number, and when written with a slash an archive
    // number ("2025/24" is both; the search takes either).
    let numbers = |s: &str, item: bool| {
        let q = NumberQuery {
            item: item.then(|| CaseNumber::parse(s)).flatten(),
            archive: s.contains('/').then(|| ArchiveNumber::parse(s)).flatten(),
        };
        (q.item.is_some() || q.archive.is_some()).then_some(q)
    };
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
        let word = clean(t).to_lowercase();
        let next = tokens.get(i + 1).map(|n| clean(n).to_lowercase());
        // "sak 24.25", "arkivsak 2026/308", and an item type before its number ("PS 12/2026").
        let cue = match word.as_str() {
            "sak" | "saker" | "saksnr" | "saksnummer" => Some(true),
            "arkivsak" | "arkivsaksnr" | "arkivsaksnummer" => Some(false),
            _ if is_item_type(&clean(t)) => Some(true),
            _ => None,
        };
        if let Some(item) = cue {
            if let Some(q) = next.as_deref().and_then(|n| numbers(n, item)) {
                cases.push(q);
                i += 2;
                continue;
            }
        }
        let looks_numbered = word.contains(['.', '/']) && !word.contains(':');
        match numbers(&word, true).filter(|_| looks_numbered) {
            Some(q) => cases.push(q),
            None => rest.push(t),
        }
        i += 1;
    }
    (cases, rest.join(" "))
}

/// A number in a query: what it may be as an item number and as an archive number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberQuery {
    pub item: Option<CaseNumber>,
    pub archive: Option<ArchiveNumber>,
}

/// Counts facet values over every matching index document, from the fast fields.
struct FacetCollector;

/// The string-valued facet columns, in [`FacetCounts`] order (year is numeric).
const STR_FACETS: [&str; 4] = ["kind", "organization", "utvalg", "hit_type"];

struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    /// Per column: term ordinal → count.
    counts: Vec<HashMap<u64, u64>>,
    year: Option<tantivy::columnar::Column<u64>>,
    years: HashMap<u64, u64>,
}

/// Value → count per facet, before sorting.
type RawFacets = (Vec<HashMap<String, u64>>, HashMap<u64, u64>);

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: tantivy::SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = reader.fast_fields();
        let columns = STR_FACETS
            .iter()
            .map(|name| ff.str(name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(FacetSegment {
            counts: vec![HashMap::new(); columns.len()],
            columns,
            year: ff.u64("year").ok(),
            years: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<RawFacets>) -> tantivy::Result<FacetCounts> {
        let mut strs: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); STR_FACETS.len()];
        let mut years: BTreeMap<u64, u64> = BTreeMap::new();
        for (s, y) in segments {
            for (i, m) in s.into_iter().enumerate() {
                for (k, v) in m {
                    *strs[i].entry(k).or_insert(0) += v;
                }
            }
            for (k, v) in y {
                *years.entry(k).or_insert(0) += v;
            }
        }
        let sorted = |m: BTreeMap<String, u64>| {
            let mut v: Vec<(String, u64)> = m.into_iter().collect();
            // Most frequent first; equal counts in value order, so the list is stable.
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let mut it = strs.into_iter().map(sorted);
        let kind = it.next().unwrap_or_default();
        let organization = it.next().unwrap_or_default();
        let body = it.next().unwrap_or_default();
        let hit_type = it.next().unwrap_or_default();
        let mut year: Vec<(String, u64)> =
            years.into_iter().map(|(y, n)| (y.to_string(), n)).collect();
        // Years newest first: that is how a secretariat browses them.
        year.reverse();
        Ok(FacetCounts {
            kind,
            organization,
            body,
            year,
            hit_type,
        })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = RawFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    *counts.entry(ord).or_insert(0) += 1;
                }
            }
        }
        if let Some(y) = self.year.as_ref().and_then(|c| c.first(doc)) {
            *self.years.entry(y).or_insert(0) += 1;
        }
    }

    fn harvest(self) -> RawFacets {
        let mut out = Vec::with_capacity(self.columns.len());
        for (col, counts) in self.columns.iter().zip(self.counts) {
            let mut named = HashMap::new();
            if let Some(col) = col {
                for (ord, n) in counts {
                    let mut s = String::new();
                    if col.ord_to_str(ord, &mut s).unwrap_or(false) {
                        named.insert(s, n);
                    }
                }
            }
            out.push(named);
        }
        (out, self.years)
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
            let n = cases[0].item.unwrap();
            assert_eq!((n.sequence, n.year), (24, 2025), "{q}");
            assert_eq!(rest, "", "{q}");
        }
        // Archive numbers: alone, after their label, in the case systems' spellings.
        for q in [
            "2026/308",
            "arkivsak 2026/308",
            "26/00308-4",
            "sak 2026/308",
        ] {
            let (cases, rest) = split_case_numbers(q);
            assert_eq!(cases.len(), 1, "{q}");
            assert_eq!(
                cases[0].archive.map(|a| a.to_string()).as_deref(),
                Some("2026/308"),
                "{q}"
            );
            assert_eq!(rest, "", "{q}");
        }
        let (cases, _) = split_case_numbers("arkivsak 2025/24");
        assert_eq!(
            cases[0].item, None,
            "after its label a number is an archive number only"
        );
        let (cases, rest) = split_case_numbers("PS 12/2026 budsjett");
        assert_eq!(
            cases[0].item.map(|n| n.to_string()).as_deref(),
            Some("12.26")
        );
        assert_eq!(rest, "budsjett");
        let (cases, rest) = split_case_numbers("hospitering sak 07.26 kommunene");
        assert_eq!(cases.len(), 1);
        assert_eq!(rest, "hospitering kommunene");
        let (cases, rest) = split_case_numbers("\"sak 24.25\" 24 25");
        assert!(cases.is_empty(), "quoted and loose numbers stay text");
        assert_eq!(rest, "\"sak 24.25\" 24 25");
    }

    #[test]
    fn clauses_and_or_exclusion_qualifiers() {
        let c = parse_clauses(
            "helse OR omsorg -rus \"felles tjeneste\" type:plan org:\"Helse Nord\" Mål: (x)",
        );
        let word = |w: &str| Atom::Word(w.into());
        assert_eq!(
            c,
            vec![
                Clause {
                    negated: false,
                    any_of: vec![word("helse"), word("omsorg")]
                },
                Clause {
                    negated: true,
                    any_of: vec![word("rus")]
                },
                Clause {
                    negated: false,
                    any_of: vec![Atom::Phrase("felles tjeneste".into())]
                },
                Clause {
                    negated: false,
                    any_of: vec![Atom::Qualified(Qualifier::Kind, "plan".into())]
                },
                Clause {
                    negated: false,
                    any_of: vec![Atom::Qualified(
                        Qualifier::Organization,
                        "Helse Nord".into()
                    )]
                },
                Clause {
                    negated: false,
                    any_of: vec![word("Mål:")]
                },
                Clause {
                    negated: false,
                    any_of: vec![word("x")]
                },
            ]
        );
        // A stray quote runs to the end; "or" in lower case is a word.
        let c = parse_clauses("a or \"b c");
        assert_eq!(c.len(), 3);
        assert_eq!(c[2].any_of, vec![Atom::Phrase("b c".into())]);
    }

    /// An index of one document whose pages are `texts`.
    fn index_of(dir: &std::path::Path, texts: &[&str]) -> SearchIndex {
        use planarkiv_ingest::index::{CommitPayload, DocFacets, IndexSource};
        use planarkiv_schema::entities::{document, page, DocumentStatus};
        let index = SearchIndex::open(dir).expect("index");
        let now = chrono::Utc::now();
        let document = document::Model {
            id: 1,
            sha256: "0".repeat(64),
            filename: "x.pdf".into(),
            title: Some("x".into()),
            size_bytes: 0,
            status: DocumentStatus::Indexed,
            error: None,
            page_count: Some(texts.len() as i32),
            producer: None,
            kind: None,
            organization: None,
            document_date: None,
            case_number: None,
            case_metadata: None,
            appendix_number: None,
            title_source: None,
            extracted_with: None,
            created_at: now,
            updated_at: now,
        };
        let pages = texts
            .iter()
            .enumerate()
            .map(|(i, t)| page::Model::text_layer(i as i64 + 1, 1, i as i32 + 1, (*t).to_owned()))
            .collect();
        let src = IndexSource {
            facets: DocFacets::from_document(&document),
            document,
            pages,
            entities: Vec::new(),
        };
        index
            .apply(
                &[],
                &[src],
                CommitPayload {
                    seq: 1,
                    analyzer: planarkiv_schema::search::ANALYZER_VERSION,
                },
                false,
            )
            .expect("apply");
        index
    }

    fn pages(index: &SearchIndex, q: &str) -> Vec<i32> {
        search(index, q, 0, 10)
            .expect("search")
            .hits
            .iter()
            .map(|h| h.page)
            .collect()
    }

    #[test]
    fn a_failed_rebuild_leaves_the_old_index_and_nothing_for_the_next_commit() {
        let dir = tempfile::tempdir().expect("dir");
        let index = index_of(dir.path(), &["Hospitering i kommunene"]);
        let payload = |seq| planarkiv_ingest::index::CommitPayload {
            seq,
            analyzer: planarkiv_schema::search::ANALYZER_VERSION,
        };
        let failed = index.rebuild_with(payload(2), |add| {
            add(&[])?;
            Err(planarkiv_ingest::IngestError::Internal(
                "the database went away".into(),
            ))
        });
        assert!(failed.is_err());
        assert_eq!(
            pages(&index, "hospitering"),
            vec![1],
            "the old index answers"
        );
        // The wipe was rolled back: the next commit does not carry it along.
        index.apply(&[], &[], payload(3), false).expect("apply");
        assert_eq!(pages(&index, "hospitering"), vec![1]);
    }

    #[test]
    fn compounds_typos_and_aa() {
        let dir = tempfile::tempdir().expect("dir");
        let index = index_of(
            dir.path(),
            &[
                "Ny oppfølgingssentral for kommunene",
                "Helsefelleskap Innlandet skriver det med en s",
                "Helsefellesskap Innlandet skriver det riktig",
                "Kanaan er et navn",
                "To årsverk i sekretariatet",
                "Vi møtes for å planlegge",
            ],
        );
        assert_eq!(pages(&index, "oppfølging"), vec![1], "a compound it begins");
        assert_eq!(
            pages(&index, "Helsefellesskap"),
            vec![3, 2],
            "exact above the typo"
        );
        assert_eq!(
            pages(&index, "kanaan"),
            vec![4],
            "aa words still find themselves"
        );
        assert_eq!(pages(&index, "aarsverk"), vec![5], "aa is å");
        assert!(pages(&index, "før").is_empty(), "før is not for");
        assert_eq!(
            pages(&index, "sentral"),
            Vec::<i32>::new(),
            "only compounds a word begins"
        );
    }

    /// Pages in bokmål and nynorsk: each standard's word finds the other's page, below the
    /// page with the word as typed; quotes and exclusions stay with the words as typed.
    #[test]
    fn nynorsk_and_bokmal_find_each_other() {
        let dir = tempfile::tempdir().expect("dir");
        let index = index_of(
            dir.path(),
            &[
                "Sykehuset gir nye tjenester til kommunene",
                "Sjukehuset gjev nye tenester til kommunane",
                "Saken ble vedtatt i utvalget etter behandling",
                "Saka vart vedteken i utvalet etter handsaming",
                "Helsetenestetilbodet i distriktet",
                "Ordet noreg står her",
            ],
        );
        let both = |q: &str, first: i32, second: i32| {
            assert_eq!(pages(&index, q), vec![first, second], "{q}");
        };
        both("sjukehus", 2, 1);
        both("sykehus", 1, 2);
        both("tenestene", 2, 1);
        both("tjeneste", 1, 2);
        both("vedtatt", 3, 4);
        both("vedteken", 4, 3);
        both("utval", 4, 3);
        both("utvalgets", 3, 4);
        both("behandling", 3, 4);
        both("handsaming", 4, 3);
        // Every word of the query may come from either standard.
        let mut mixed = pages(&index, "sjukehus tjenester");
        mixed.sort();
        assert_eq!(mixed, vec![1, 2]);
        assert_eq!(pages(&index, "norge"), vec![6]);
        // The plurals of "kommune" meet through the stemmer alone, in both standards.
        let mut k = pages(&index, "kommunane");
        k.sort();
        assert_eq!(k, vec![1, 2]);
        // An equivalent's compounds: "helsetjeneste" begins no word on page 5, but its
        // nynorsk "helseteneste" begins "helsetenestetilbodet".
        assert_eq!(pages(&index, "helsetjeneste"), vec![5]);
        // Quoted phrases are exact: no other standard inside quotes.
        assert_eq!(pages(&index, "\"sjukehuset gjev\""), vec![2]);
        assert_eq!(pages(&index, "\"sykehuset\""), vec![1]);
        // An exclusion excludes the word as typed (and its inflections), nothing more.
        assert_eq!(pages(&index, "nye -sjukehus"), vec![1]);
        // Without the loose alternatives (the benchmark's baseline) the words stand alone.
        let exact = run(
            &index,
            &SearchRequest {
                query: "sjukehus".into(),
                limit: 10,
                exact_only: true,
                ..Default::default()
            },
        )
        .expect("search");
        assert_eq!(
            exact.hits.iter().map(|h| h.page).collect::<Vec<_>>(),
            vec![2]
        );
    }

    /// Pages found only through the other standard are ordered by how much they use the
    /// word, not by their ids, and all stay below a page with the word as typed.
    #[test]
    fn the_other_standard_ranks_by_its_own_weight() {
        let dir = tempfile::tempdir().expect("dir");
        let index = index_of(
            dir.path(),
            &[
                "Om sykehus, i en lang tekst om mye annet: kommuner, fastleger, legevakt, \
                 avtaler, planer, tiltak, mål, budsjett, årsverk og sekretariat",
                "Sykehus og sykehuset: sykehusene",
                "Sjukehus, ein gong, i ein lang tekst om mykje anna: kommunar, fastlegar, \
                 legevakt, avtalar, planar, tiltak, mål, budsjett, årsverk og sekretariat",
            ],
        );
        assert_eq!(pages(&index, "sjukehus"), vec![3, 2, 1]);
        assert_eq!(pages(&index, "sykehus"), vec![2, 1, 3]);
    }

    /// A page found through the other standard's word shows that word highlighted.
    #[test]
    fn the_other_standard_is_highlighted() {
        let dir = tempfile::tempdir().expect("dir");
        let index = index_of(dir.path(), &["Nytt sjukehus i Førde"]);
        let hits = search(&index, "sykehus", 0, 10).expect("search").hits;
        assert_eq!(hits.len(), 1);
        let s = hits[0].snippets.best(&hits[0].body);
        let marked: Vec<String> = s
            .highlights
            .iter()
            .map(|h| {
                s.text
                    .chars()
                    .skip(h.start as usize)
                    .take((h.end - h.start) as usize)
                    .collect()
            })
            .collect();
        assert_eq!(marked, vec!["sjukehus".to_owned()], "{:?}", s.text);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("helsefelleskap", "helsefellesskap"));
        assert!(within_one_edit("autimse", "autisme"));
        assert!(within_one_edit("kols", "kols"));
        assert!(within_one_edit("kals", "kols"));
        assert!(!within_one_edit("helsefelleskapet", "helsefellesskap"));
        assert!(!within_one_edit("abcd", "badc"));
        assert!(!within_one_edit("aaa", "abab"));
    }

    #[test]
    fn bad_qualifier_values_are_refused() {
        assert!(check_year("2025").is_ok());
        assert!(matches!(check_year("25"), Err(ApiError::BadUserInput(_))));
        assert!(matches!(
            check_kind("brosjyre"),
            Err(ApiError::BadUserInput(_))
        ));
        assert_eq!(check_kind("Plan").ok().as_deref(), Some("plan"));
        assert!(matches!(
            check_body("S S U"),
            Err(ApiError::BadUserInput(_))
        ));
    }
}
