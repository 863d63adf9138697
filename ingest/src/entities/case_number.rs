//! Case numbers of committee papers: "sak 24.25", "Sak 07/26", "sak 2025/24", "sak 24/2025".

use std::ops::Range;

use super::dates::{tokens, Token};

pub use planarkiv_schema::case_number::{ArchiveNumber, CaseNumber};

/// Words after which a number is a case number. Compounds such as "SSU-sak" or "AU-sak" end in
/// one of these after a hyphen.
const CASE_WORDS: [&str; 9] = [
    "sak",
    "saker",
    "sakene",
    "saken",
    "saksnr",
    "saksnummer",
    "saknr",
    "sak-nr",
    "saksnr.",
];

/// Filler that may stand between the case word and the number ("Sak nr. 07/26").
const FILLER_WORDS: [&str; 4] = ["nr", "nr.", "nummer", ":"];

/// What may join a list of case numbers after one case word ("sak 23.24 og 32.24").
const LIST_JOINERS: [&str; 4] = ["og", "samt", "eller", "/"];

/// Parses the number alone (see [`CaseNumber::parse`]).
pub fn parse_case_number(s: &str) -> Option<CaseNumber> {
    CaseNumber::parse(s)
}

fn is_case_word(raw: &str) -> bool {
    // Every case word holds "sak"; most words of a text do not, and are let go before the
    // allocation below. Only ASCII is judged here: lower-casing maps some other letters to
    // ASCII ones.
    if raw.is_ascii()
        && !raw
            .as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"sak"))
    {
        return false;
    }
    let lower = raw.to_lowercase();
    let word = lower.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '«' | '»' | '"'));
    let word = word.rsplit('-').next().unwrap_or(word);
    let word = word.strip_suffix(':').unwrap_or(word);
    CASE_WORDS.contains(&word) || CASE_WORDS.contains(&lower.as_str())
}

/// A case number found in text, with the byte range of the number itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCase {
    pub number: CaseNumber,
    pub range: Range<usize>,
    /// Byte where the introducing case word starts ("Vedlegg til sak 24.25" → "sak").
    pub cue_start: usize,
}

/// Every case number introduced by a case word, including list continuations, in text order.
pub fn find_case_numbers(text: &str) -> Vec<FoundCase> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !toks.get(i).is_some_and(|t| is_case_word(t.raw)) {
            i += 1;
            continue;
        }
        let cue_start = toks.get(i).map_or(0, |t| t.range.start);
        i += 1;
        while toks
            .get(i)
            .is_some_and(|t| FILLER_WORDS.contains(&t.raw.to_lowercase().as_str()))
        {
            i += 1;
        }
        i = read_number_list(&toks, i, cue_start, &mut out);
    }
    out
}

/// Reads "24.24", "23.24 og 32.24", "14.24, 15.24 og 16.24" from token `i`; returns the index
/// after the list.
fn read_number_list(
    toks: &[Token<'_>],
    mut i: usize,
    cue_start: usize,
    out: &mut Vec<FoundCase>,
) -> usize {
    loop {
        let Some(t) = toks.get(i) else { return i };
        let Some(number) = parse_case_number(t.raw) else {
            return i;
        };
        let trimmed = t
            .raw
            .trim_start_matches('(')
            .trim_end_matches([',', ';', ':', ')', '.']);
        let start = t.range.start + (t.raw.len() - t.raw.trim_start_matches('(').len());
        out.push(FoundCase {
            number,
            range: start..start + trimmed.len(),
            cue_start,
        });
        i += 1;
        if t.raw.ends_with([',']) {
            continue;
        }
        match toks.get(i) {
            Some(j) if LIST_JOINERS.contains(&j.raw.to_lowercase().as_str()) => i += 1,
            _ => return i,
        }
        // "sak 23.24 og sak 32.24" is read by the outer loop instead.
        if toks.get(i).is_some_and(|t| is_case_word(t.raw)) {
            return i;
        }
    }
}

/// Archive numbers written in running text in a form no item number takes: a four-digit year
/// ("2026/308"), a zero-padded sequence ("25/01873") or a document suffix ("25/01873-4"). For
/// the index: a search for an archive number finds the pages that print it.
pub fn find_archive_numbers(text: &str) -> Vec<ArchiveNumber> {
    if !text.contains('/') {
        return Vec::new();
    }
    text.split_whitespace()
        .filter(|w| w.contains('/'))
        .filter_map(|w| {
            let w = w.trim_matches(|c: char| {
                matches!(c, '(' | ')' | ',' | ';' | ':' | '.' | '«' | '»' | '"')
            });
            let (y, rest) = w.split_once('/')?;
            let (seq, doc) = match rest.split_once('-') {
                Some((s, _)) => (s, true),
                None => (rest, false),
            };
            let strong = y.len() == 4 || doc || (seq.len() >= 4 && seq.starts_with('0'));
            strong.then(|| ArchiveNumber::parse(w)).flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn(sequence: u32, year: i32) -> Option<CaseNumber> {
        Some(CaseNumber { sequence, year })
    }

    fn found(s: &str) -> Vec<String> {
        find_case_numbers(s)
            .into_iter()
            .map(|f| f.number.to_string())
            .collect()
    }

    #[test]
    fn archive_numbers_in_running_text() {
        let found: Vec<String> = find_archive_numbers(
            "Vår ref. 25/01873-4 (jf. arkivsak 2026/308). Sak 24/25 og 24.25 er ikke arkivnummer.",
        )
        .into_iter()
        .map(|a| a.to_string())
        .collect();
        assert_eq!(found, ["2025/1873", "2026/308"]);
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(parse_case_number("24.25"), cn(24, 2025));
        assert_eq!(parse_case_number("07.26"), cn(7, 2026));
        assert_eq!(parse_case_number("24/25"), cn(24, 2025));
        assert_eq!(parse_case_number("2025/24"), cn(24, 2025));
        assert_eq!(parse_case_number("24/2025"), cn(24, 2025));
        assert_eq!(parse_case_number("(23.24),"), cn(23, 2024));
        assert_eq!(parse_case_number("123/24."), cn(123, 2024));
    }

    #[test]
    fn rejects_non_case_numbers() {
        for s in [
            "08.06.2022",
            "2022",
            "2022-2026",
            "0.25",
            "1234/5678",
            "a.25",
            "24.",
            ".25",
            "24.2",
        ] {
            assert_eq!(parse_case_number(s), None, "{s}");
        }
    }

    #[test]
    fn displays_as_the_committees_write_it() {
        assert_eq!(cn(7, 2026).map(|c| c.to_string()).as_deref(), Some("07.26"));
        assert_eq!(
            cn(124, 2025).map(|c| c.to_string()).as_deref(),
            Some("124.25")
        );
    }

    #[test]
    fn finds_numbers_after_case_words() {
        assert_eq!(found("Vedlegg til sak 24.25"), ["24.25"]);
        assert_eq!(
            found("behandlet i sak 24.24 status for Strategiplan 2022–2026"),
            ["24.24"]
        );
        assert_eq!(
            found("I tillegg ble det i sak 23.24 og 32.24 lagt"),
            ["23.24", "32.24"]
        );
        assert_eq!(
            found("jobbet med dette i sak 14.24 og sak 23.25."),
            ["14.24", "23.25"]
        );
        assert_eq!(
            found("sakene 14.24, 15.24 og 16.24 ble"),
            ["14.24", "15.24", "16.24"]
        );
        assert_eq!(found("Sak nr. 07/26: Handlingsplan"), ["07.26"]);
        assert_eq!(found("Saksnr.: 2025/24"), ["24.25"]);
        assert_eq!(found("SSU-sak 12/2024"), ["12.24"]);
        assert_eq!(found("(sak 3/25)"), ["03.25"]);
    }

    #[test]
    fn ignores_numbers_without_case_word() {
        assert!(found("Besluttet 08.06.2022 og 24.25 prosent").is_empty());
        assert!(found("sak om 24.25").is_empty());
        assert!(found("sak").is_empty());
    }

    #[test]
    fn ranges_cover_the_number() {
        let s = "Vedlegg til sak 24.25 – æøå";
        let f = find_case_numbers(s);
        assert_eq!(f.first().map(|f| &s[f.range.clone()]), Some("24.25"));
        assert_eq!(
            f.first().map(|f| &s[f.cue_start..f.range.start]),
            Some("sak ")
        );
    }
}
