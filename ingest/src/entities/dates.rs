//! Dates and year periods as Norwegian documents write them.

use std::fmt;
use std::ops::Range;

use serde::{Serialize, Serializer};

/// A date that may be known only to the month ("oktober 2025").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialDate {
    Day { year: i32, month: u32, day: u32 },
    Month { year: i32, month: u32 },
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A span of whole years, serialized as `[start, end]` like the golden files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i32,
    pub end: i32,
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.start, self.end].serialize(s)
    }
}

/// Full names first so that prefix matching of abbreviations cannot shadow them.
const MONTHS: [(&str, u32); 12] = [
    ("januar", 1),
    ("februar", 2),
    ("mars", 3),
    ("april", 4),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("august", 8),
    ("september", 9),
    ("oktober", 10),
    ("november", 11),
    ("desember", 12),
];

/// Abbreviations only count when written with a period ("des."), so that names and words such
/// as "Jan" or "nov" in running text are not read as months.
const MONTH_ABBREVIATIONS: [(&str, u32); 12] = [
    ("jan.", 1),
    ("feb.", 2),
    ("mar.", 3),
    ("apr.", 4),
    ("jun.", 6),
    ("jul.", 7),
    ("aug.", 8),
    ("sep.", 9),
    ("sept.", 9),
    ("okt.", 10),
    ("nov.", 11),
    ("des.", 12),
];

const MIN_YEAR: i32 = 1950;
const MAX_YEAR: i32 = 2100;
/// Plans run for a few years; a longer "span" is more likely two unrelated numbers.
const MAX_PERIOD_YEARS: i32 = 30;

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn valid_day(year: i32, month: u32, day: u32) -> Option<PartialDate> {
    let ok = (MIN_YEAR..=MAX_YEAR).contains(&year) && day >= 1 && day <= days_in_month(year, month);
    ok.then_some(PartialDate::Day { year, month, day })
}

/// A word of the text with its byte range; punctuation at its ends is kept in `raw` and trimmed
/// in `word`.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub raw: &'a str,
    pub range: Range<usize>,
}

pub(crate) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII decided from the byte (tab to carriage return, and space, are its white
        // space); only other characters are decoded.
        let (white, len) = match bytes[i] {
            b @ 0..=0x7f => (matches!(b, b'\t'..=b'\r' | b' '), 1),
            // `i` is always at a character boundary: it moves by whole characters.
            _ => match text.get(i..).and_then(|r| r.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => break,
            },
        };
        if white {
            if let Some(s) = start.take() {
                out.push(Token {
                    raw: &text[s..i],
                    range: s..i,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
        i += len;
    }
    if let Some(s) = start {
        out.push(Token {
            raw: &text[s..],
            range: s..text.len(),
        });
    }
    out
}

fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphanumeric())
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn parse_year(s: &str) -> Option<i32> {
    let y: i32 = (s.len() == 4 && all_digits(s)).then(|| s.parse().ok())??;
    (MIN_YEAR..=MAX_YEAR).contains(&y).then_some(y)
}

pub(crate) fn month_number(word: &str) -> Option<u32> {
    // Month names are short ASCII words: a longer ASCII word is none, without lower-casing it.
    if word.len() > "september".len() + 4 && word.is_ascii() {
        return None;
    }
    let lower = word.to_lowercase();
    let bare = lower.trim_end_matches([',', ';', ':', ')']);
    MONTHS
        .iter()
        .chain(MONTH_ABBREVIATIONS.iter())
        .find(|(name, _)| *name == bare)
        .map(|&(_, n)| n)
}

/// "08.06.2022", "8.6.2022" and ISO "2022-06-08".
pub fn parse_numeric_date(s: &str) -> Option<PartialDate> {
    let s = s.trim_end_matches(['.', ',', ';', ':', ')']);
    let s = s.trim_start_matches('(');
    let parts: Vec<&str> = s.split('.').collect();
    if let [d, m, y] = parts.as_slice() {
        if d.len() <= 2 && m.len() <= 2 && all_digits(d) && all_digits(m) {
            return valid_day(parse_year(y)?, m.parse().ok()?, d.parse().ok()?);
        }
        return None;
    }
    let parts: Vec<&str> = s.split('-').collect();
    if let [y, m, d] = parts.as_slice() {
        if m.len() == 2 && d.len() == 2 && all_digits(m) && all_digits(d) {
            return valid_day(parse_year(y)?, m.parse().ok()?, d.parse().ok()?);
        }
    }
    None
}

/// Every date in `text` with its byte range, in order: numeric dates, "19. desember 2018" and
/// month-only dates "oktober 2025".
pub fn find_dates(text: &str) -> Vec<(Range<usize>, PartialDate)> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if let Some(d) = parse_numeric_date(t.raw) {
            out.push((t.range.clone(), d));
            i += 1;
            continue;
        }
        if let Some((len, d)) = spelled_date_at(&toks[i..]) {
            let end = toks.get(i + len - 1).map_or(t.range.end, |e| e.range.end);
            let end = end - trailing_punct_len(toks.get(i + len - 1).map_or("", |e| e.raw));
            out.push((t.range.start..end, d));
            i += len;
            continue;
        }
        i += 1;
    }
    out
}

fn trailing_punct_len(raw: &str) -> usize {
    raw.len() - raw.trim_end_matches(|c: char| !c.is_alphanumeric()).len()
}

/// "19. desember 2018" (3 tokens) or "desember 2018" (2 tokens) at the start of `toks`.
fn spelled_date_at(toks: &[Token<'_>]) -> Option<(usize, PartialDate)> {
    let first = toks.first()?;
    let day_word = first.raw.strip_suffix('.').unwrap_or(first.raw);
    if day_word.len() <= 2 && all_digits(day_word) {
        if let (Some(m), Some(y)) = (toks.get(1), toks.get(2)) {
            if let (Some(month), Some(year)) = (month_number(m.raw), parse_year(trim_punct(y.raw)))
            {
                let d = valid_day(year, month, day_word.parse().ok()?)?;
                return Some((3, d));
            }
        }
        return None;
    }
    let month = month_number(first.raw)?;
    // Case is not checked: headings set month-only dates in capitals ("MARS 2024").
    let year = parse_year(trim_punct(toks.get(1)?.raw))?;
    Some((2, PartialDate::Month { year, month }))
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑' | '−')
}

/// Every period "2022-2026", "2022 – 2026", "2025–2026", "2022 til 2026" in `text`.
pub fn find_periods(text: &str) -> Vec<(Range<usize>, Period)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match period_at(text, &chars, i) {
            Some((next, range, p)) => {
                out.push((range, p));
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

/// Reads a run of ASCII digits starting at char index `i`; returns (value text, next index).
fn digits_at<'a>(text: &'a str, chars: &[(usize, char)], i: usize) -> Option<(&'a str, usize)> {
    let start = chars.get(i)?.0;
    let mut j = i;
    while chars.get(j).is_some_and(|&(_, c)| c.is_ascii_digit()) {
        j += 1;
    }
    let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
    (j > i).then(|| text.get(start..end).map(|s| (s, j)))?
}

fn period_at(
    text: &str,
    chars: &[(usize, char)],
    i: usize,
) -> Option<(usize, Range<usize>, Period)> {
    // The first year must start a number: not the tail of a date ("08.06.2022-") or of a case
    // number ("2025/24").
    if i > 0 {
        let prev = chars.get(i - 1)?.1;
        if prev.is_ascii_digit() || matches!(prev, '.' | '/' | ',') {
            return None;
        }
    }
    let (first, mut j) = digits_at(text, chars, i)?;
    let start = parse_year(first)?;
    let skip_spaces = |mut k: usize| {
        while chars
            .get(k)
            .is_some_and(|&(_, c)| c == ' ' || c == '\u{a0}')
        {
            k += 1;
        }
        k
    };
    j = skip_spaces(j);
    let sep = chars.get(j)?.1;
    if is_dash(sep) {
        j += 1;
    } else {
        let rest = text.get(chars.get(j)?.0..)?;
        if !rest.starts_with("til ") {
            return None;
        }
        j += 3;
    }
    j = skip_spaces(j);
    let (second, k) = digits_at(text, chars, j)?;
    if chars.get(k).is_some_and(|&(_, c)| {
        c == '.' && chars.get(k + 1).is_some_and(|&(_, d)| d.is_ascii_digit())
    }) {
        return None;
    }
    let end = match second.len() {
        4 => parse_year(second)?,
        2 => start - start % 100 + second.parse::<i32>().ok()?,
        _ => return None,
    };
    if end <= start || end - start > MAX_PERIOD_YEARS {
        return None;
    }
    let byte_start = chars.get(i)?.0;
    let byte_end = chars.get(k).map_or(text.len(), |&(b, _)| b);
    Some((k, byte_start..byte_end, Period { start, end }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_every_kind_of_white_space() {
        let text = " Sak  24.25\u{a0}ble\tvedtatt på\u{2003}møtet\r\nsør-øst\u{85}x\u{b}y ";
        let toks = tokens(text);
        let raws: Vec<&str> = toks.iter().map(|t| t.raw).collect();
        assert_eq!(raws, text.split_whitespace().collect::<Vec<_>>());
        for t in &toks {
            assert_eq!(&text[t.range.clone()], t.raw);
        }
    }

    fn day(year: i32, month: u32, day: u32) -> PartialDate {
        PartialDate::Day { year, month, day }
    }

    fn dates(s: &str) -> Vec<String> {
        find_dates(s)
            .into_iter()
            .map(|(_, d)| d.to_string())
            .collect()
    }

    fn periods(s: &str) -> Vec<[i32; 2]> {
        find_periods(s)
            .into_iter()
            .map(|(_, p)| [p.start, p.end])
            .collect()
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(parse_numeric_date("08.06.2022"), Some(day(2022, 6, 8)));
        assert_eq!(parse_numeric_date("8.6.2022."), Some(day(2022, 6, 8)));
        assert_eq!(parse_numeric_date("2023-01-12"), Some(day(2023, 1, 12)));
        assert_eq!(parse_numeric_date("31.02.2022"), None);
        assert_eq!(parse_numeric_date("24.25"), None);
        assert_eq!(parse_numeric_date("29.02.2024"), Some(day(2024, 2, 29)));
        assert_eq!(parse_numeric_date("29.02.2023"), None);
    }

    #[test]
    fn spelled_dates() {
        assert_eq!(dates("i sitt møte 19. desember 2018."), ["2018-12-19"]);
        assert_eq!(dates("5. desember 2024"), ["2024-12-05"]);
        assert_eq!(dates("møtet i oktober 2025"), ["2025-10"]);
        assert_eq!(dates("11 og 12 mars 2024"), ["2024-03-12"]);
        assert_eq!(
            dates("Besluttet 08.06.2022, og 1. des. 2024"),
            ["2022-06-08", "2024-12-01"]
        );
        assert_eq!(
            dates("Desember 2021 og januar 2022"),
            ["2021-12", "2022-01"]
        );
        assert!(dates("mars er fin, 2024 også").is_empty());
        // An impossible day leaves the month standing.
        assert_eq!(dates("32. januar 2024"), ["2024-01"]);
    }

    #[test]
    fn date_ranges_point_at_the_text() {
        let s = "Vedtatt i styret 19. desember 2018.";
        let (r, _) = find_dates(s).into_iter().next().unwrap();
        assert_eq!(&s[r], "19. desember 2018");
        let s = "Sist oppdatert 12.01.2023";
        let (r, _) = find_dates(s).into_iter().next().unwrap();
        assert_eq!(&s[r], "12.01.2023");
    }

    #[test]
    fn periods_in_all_spellings() {
        assert_eq!(periods("Strategi 2022-2026"), [[2022, 2026]]);
        assert_eq!(
            periods("Strategiplan 2022 – 2026 med handlingsdel 2025 – 2026"),
            [[2022, 2026], [2025, 2026]]
        );
        assert_eq!(periods("Handlingsplan 2025–2026"), [[2025, 2026]]);
        assert_eq!(periods("(2024-2027)"), [[2024, 2027]]);
        assert_eq!(periods("perioden 2022 til 2026"), [[2022, 2026]]);
        assert_eq!(periods("2024-25"), [[2024, 2025]]);
    }

    #[test]
    fn not_periods() {
        assert!(periods("08.06.2022-2023").is_empty());
        assert!(periods("sak 2025/2026").is_empty());
        assert!(periods("2026-2022").is_empty());
        assert!(periods("1-2 år, 10-12 prosjekter").is_empty());
        assert!(periods("2022-06-08").is_empty());
    }

    #[test]
    fn no_panics_on_odd_input() {
        for s in [
            "",
            "-",
            "2022-",
            "æøå 2022 – ",
            "19.",
            "desember",
            "2022 til",
            "ø2022–2023ø",
        ] {
            let _ = find_dates(s);
            let _ = find_periods(s);
        }
        assert_eq!(periods("ø2022–2023ø"), [[2022, 2023]]);
    }
}
