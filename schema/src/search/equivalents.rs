//! Words that mean the same in nynorsk and bokmål ("sjukehus" = "sykehus"), so a search in one
//! written standard also finds pages written in the other.
//!
//! The list is data (`nn_nb.txt`, one "nynorsk = bokmål" pair a line) and is joined on Snowball
//! stems rather than on the forms written there: the query side stems the word a person types
//! anyway, so "tenestene", "tenesta" and "tenester" all reach the one line
//! "teneste = tjeneste" through the stem "tenest", and its partner's stem "tjenest" is what the
//! stemmed `body` field holds for "tjenester", "tjenesten" and "tjenestene". Pairing surface
//! forms would need every inflection of every word listed on both sides.
//!
//! Nothing here changes the index: the expansion happens at query time, so the list can grow
//! without a rebuild (and without an `ANALYZER_VERSION` bump).

use std::collections::HashMap;
use std::sync::LazyLock;

use tantivy::tokenizer::TextAnalyzer;

use super::stemmed_analyzer;
use crate::SchemaError;

/// The nynorsk–bokmål list shipped with the search.
const NN_NB: &str = include_str!("nn_nb.txt");

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// 1-based line number in the list, for messages.
    pub line: usize,
    pub nynorsk: String,
    pub bokmal: String,
}

/// Reads "nynorsk = bokmål" lines. Blank lines and text after `#` are ignored. Refuses a line
/// that is not two single lower-case words, a pair of a word with itself, and a pair given
/// twice (in either order), so mistakes in the data surface as errors with a line number.
pub fn parse_pairs(text: &str) -> Result<Vec<Pair>, SchemaError> {
    let mut pairs: Vec<Pair> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let err = |reason: String| SchemaError::WordList { line, reason };
        let Some((nn, nb)) = content.split_once('=') else {
            return Err(err(format!("expected `nynorsk = bokmål`, got {content:?}")));
        };
        let (nn, nb) = (nn.trim(), nb.trim());
        for (side, word) in [("nynorsk", nn), ("bokmål", nb)] {
            if !is_one_lower_case_word(word) {
                return Err(err(format!(
                    "the {side} side {word:?} is not one lower-case word"
                )));
            }
        }
        if nn == nb {
            return Err(err(format!("{nn:?} is paired with itself")));
        }
        let key = if nn < nb {
            (nn.to_owned(), nb.to_owned())
        } else {
            (nb.to_owned(), nn.to_owned())
        };
        if let Some(first) = seen.insert(key, line) {
            return Err(err(format!("{nn} = {nb} repeats line {first}")));
        }
        pairs.push(Pair {
            line,
            nynorsk: nn.to_owned(),
            bokmal: nb.to_owned(),
        });
    }
    Ok(pairs)
}

/// Letters only (so the simple tokenizer keeps it as one token) and none upper-case (the
/// analyzers lower-case the text, so an upper-case entry could never match).
fn is_one_lower_case_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_alphabetic() && !c.is_uppercase())
}

/// The stem of one word under the index's stemmed analyzer.
pub fn stem_of(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut s = analyzer.token_stream(word);
    let mut out = None;
    while s.advance() {
        if out.is_some() {
            // Several tokens: not one word.
            return None;
        }
        out = Some(s.token().text.clone());
    }
    out
}

/// Stem → the stems of its equivalents in the other written standard.
#[derive(Debug, Default)]
pub struct Equivalents {
    by_stem: HashMap<String, Vec<String>>,
}

impl Equivalents {
    /// Joins each pair's stems both ways. A pair whose two words share a stem adds nothing
    /// (the stemmer already joins them) and is skipped.
    pub fn from_pairs(pairs: &[Pair]) -> Self {
        let mut analyzer = stemmed_analyzer();
        let mut by_stem: HashMap<String, Vec<String>> = HashMap::new();
        for p in pairs {
            let (Some(nn), Some(nb)) = (
                stem_of(&mut analyzer, &p.nynorsk),
                stem_of(&mut analyzer, &p.bokmal),
            ) else {
                continue;
            };
            if nn == nb {
                continue;
            }
            for (from, to) in [(&nn, &nb), (&nb, &nn)] {
                let partners = by_stem.entry(from.clone()).or_default();
                if !partners.contains(to) {
                    partners.push(to.clone());
                }
            }
        }
        Equivalents { by_stem }
    }

    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        Ok(Self::from_pairs(&parse_pairs(text)?))
    }

    /// The stems a stem's word is written as in the other standard; empty when none is known.
    pub fn of_stem(&self, stem: &str) -> &[String] {
        self.by_stem.get(stem).map(Vec::as_slice).unwrap_or(&[])
    }

    /// How many stems have equivalents.
    pub fn len(&self) -> usize {
        self.by_stem.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_stem.is_empty()
    }
}

static NYNORSK_BOKMAL: LazyLock<Equivalents> = LazyLock::new(|| {
    // The list is compiled in and `tests::the_shipped_list_is_clean` parses it, so a failure
    // here is a defect of the build, not of anything a user did.
    Equivalents::parse(NN_NB).expect("nn_nb.txt parses (checked by the equivalents tests)")
});

/// The shipped nynorsk–bokmål equivalents, parsed once.
pub fn nynorsk_bokmal() -> &'static Equivalents {
    &NYNORSK_BOKMAL
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// English stop words (the common NLTK list, those of letters only). A pair with one of
    /// these would make an English word in a Norwegian archive (quotes, titles, references)
    /// expand into a common Norwegian one.
    const ENGLISH_STOP_WORDS: &[&str] = &[
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ];

    #[test]
    fn the_shipped_list_is_clean() {
        let pairs = parse_pairs(NN_NB).expect("nn_nb.txt parses");
        assert!(pairs.len() >= 300, "only {} pairs", pairs.len());
        let mut analyzer = stemmed_analyzer();
        let stop: HashSet<&str> = ENGLISH_STOP_WORDS.iter().copied().collect();
        // Every stem pair a line adds, with the line that added it first.
        let mut stem_pairs: HashMap<(String, String), usize> = HashMap::new();
        let mut problems = Vec::new();
        for p in &pairs {
            let mut stems = Vec::new();
            for word in [&p.nynorsk, &p.bokmal] {
                let stem = stem_of(&mut analyzer, word).unwrap_or_default();
                for w in [word.as_str(), stem.as_str()] {
                    if stop.contains(w) || w.chars().any(|c| c.is_ascii_digit()) || w.is_empty() {
                        problems.push(format!(
                            "line {}: {word:?} (stem {stem:?}) is an English stop word, a \
                             number or nothing",
                            p.line
                        ));
                    }
                }
                stems.push(stem);
            }
            if stems[0] == stems[1] {
                problems.push(format!(
                    "line {}: {} = {} adds nothing, the stemmer joins them ({:?})",
                    p.line, p.nynorsk, p.bokmal, stems[0]
                ));
                continue;
            }
            let key = (stems[0].clone(), stems[1].clone());
            if let Some(first) = stem_pairs.insert(key, p.line) {
                problems.push(format!(
                    "line {}: {} = {} adds nothing, line {first} gives the same stems {:?} = {:?}",
                    p.line, p.nynorsk, p.bokmal, stems[0], stems[1]
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(nynorsk_bokmal().len() >= 2 * 250);
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        for (text, bad_line) in [
            ("sjukehus sykehus", 1),
            ("# header\n\nsjukehus = Sykehus", 3),
            ("i dag = i dag", 1),
            ("sjukehus = ", 1),
            ("sjukehus = sjukehus", 1),
            ("sjukehus = sykehus\nsykehus = sjukehus", 2),
            ("a = b = c", 1),
            ("covid19 = covid", 1),
        ] {
            match parse_pairs(text) {
                Err(SchemaError::WordList { line, .. }) => assert_eq!(line, bad_line, "{text:?}"),
                other => panic!("{text:?} should be refused: {other:?}"),
            }
        }
        let ok = parse_pairs("# c\nsjukehus = sykehus # trailing comment\n\n").expect("ok");
        assert_eq!(
            ok,
            vec![Pair {
                line: 2,
                nynorsk: "sjukehus".into(),
                bokmal: "sykehus".into()
            }]
        );
    }

    /// The equivalents are stems, so every inflection of either word reaches the other's.
    #[test]
    fn equivalents_join_stems_both_ways() {
        let eq = nynorsk_bokmal();
        let mut a = stemmed_analyzer();
        let mut stem = |w: &str| stem_of(&mut a, w).expect("one word");
        for (nn, nb) in [
            ("tenestene", "tjenester"),
            ("tenesta", "tjenesten"),
            ("sjukehuset", "sykehusene"),
            ("vedteken", "vedtatt"),
            ("utvalet", "utvalg"),
            ("handsaming", "behandling"),
            ("ikkje", "ikke"),
        ] {
            let (s_nn, s_nb) = (stem(nn), stem(nb));
            assert!(
                eq.of_stem(&s_nn).contains(&s_nb),
                "{nn} ({s_nn}) -> {nb} ({s_nb}): {:?}",
                eq.of_stem(&s_nn)
            );
            assert!(
                eq.of_stem(&s_nb).contains(&s_nn),
                "{nb} ({s_nb}) -> {nn} ({s_nn}): {:?}",
                eq.of_stem(&s_nb)
            );
        }
        // The plurals the issue names need no line: the stemmer joins them already.
        assert_eq!(stem("kommunane"), stem("kommunene"));
        assert_eq!(stem("kommunane"), stem("kommuner"));
        assert!(eq.of_stem(&stem("pasient")).is_empty());
    }
}
