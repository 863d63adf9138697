//! The header of a case paper as case systems print it: the archive case number (Noark's
//! *arkivsak*: "Arkivsaksnr: 2026/308", "Vår ref.: 25/01873-4") and the treatments table
//! (*saksgang*: body, meeting date, item number). The two numbers look alike and mean different
//! things; an archive number must never become an item number, so each is read only from its
//! own labels and columns.
//!
//! Labels stand beside their value ("Arkivsaksnr: 2026/9") or above it ("Arkivsaksnr" on one
//! line, the number on the next). The table comes in rows ("Formannskapet 12.02.2026 PS
//! 10/2026") or, where a converter wrote each column under the previous one, in columns (the
//! bodies, then "Møtedato" and the dates, then "Utvalgssak" and the numbers); columns are paired
//! only when they have as many entries as there are bodies, otherwise the unknown stays empty.

use std::ops::Range;

use super::case_number::parse_case_number;
use super::dates::{find_dates, tokens};
use super::orgs::find_bodies;
use super::text::Block;
use super::{CaseNumber, Located, PartialDate};
use planarkiv_schema::case_number::is_item_type;

/// Header lines looked at, from the top of the document.
const HEADER_LINES: usize = 60;
/// Rows of one treatments table at most (a case rarely passes more than five bodies).
const MAX_ROWS: usize = 10;
/// A body's name is short; a longer line is prose.
const MAX_BODY_WORDS: usize = 9;

/// Labels whose value is the archive case number whatever its shape.
const ARCHIVE_LABELS: [&str; 11] = [
    "arkivsaksnummer",
    "arkivsaksnr",
    "arkivsaknr",
    "arkivsak nr",
    "arkivsak-dok",
    "arkivsak",
    "arkivref",
    "vår saksreferanse",
    "vår referanse",
    "vår ref",
    "vår ref.",
];

/// Labels that case systems use for the archive number and secretariats for their own item
/// numbers ("Saksnr.: 2025/24"): an archive number only in an archive number's shape (a
/// document suffix "-4" or a zero-padded sequence "01873").
const AMBIGUOUS_LABELS: [&str; 4] = ["saksnummer", "saksnr", "saknr", "sak/dok"];

/// Column headers of the treatments table. The bodies' column: "Utvalg", "Utval",
/// "Behandlet av", and "Saksgang" itself in some templates.
const BODY_COLUMN: [&str; 6] = [
    "utvalg",
    "utval",
    "behandlet av",
    "behandla av",
    "organ",
    "politisk organ",
];
const DATE_COLUMN: [&str; 3] = ["møtedato", "dato", "møtedag"];
const NUMBER_COLUMN: [&str; 13] = [
    "utvalgssak",
    "utvalssak",
    "utvalgssaksnr",
    "utvalssaksnr",
    "saksnr",
    "saknr",
    "sak nr",
    "saksnummer",
    "utv.saksnr",
    "utv. saksnr",
    "sak",
    "nr",
    "nr.",
];

/// One line of the document's header: the block it is in and its byte range there.
#[derive(Clone)]
struct HeaderLine<'a> {
    block: usize,
    b: &'a Block,
    range: Range<usize>,
    /// A blank line or a gap came before it.
    gap: bool,
}

impl<'a> HeaderLine<'a> {
    fn text(&self) -> &'a str {
        self.b.text.get(self.range.clone()).unwrap_or("").trim()
    }

    /// The line's text lower-cased, without trailing label punctuation.
    fn key(&self) -> String {
        self.text()
            .to_lowercase()
            .trim_end_matches([':', '.'])
            .trim()
            .to_owned()
    }

    fn located(&self, r: Range<usize>) -> Option<Located<String>> {
        self.b
            .located(self.range.start + r.start..self.range.start + r.end, &[])
    }

    /// Page, vertical middle and height of the line, where the page was laid out.
    fn position(&self) -> Option<(u32, f32, f32)> {
        self.b.line_position(self.range.start)
    }

    /// Byte range of the trimmed text within the block.
    fn offset(&self) -> usize {
        let raw = self.b.text.get(self.range.clone()).unwrap_or("");
        self.range.start + (raw.len() - raw.trim_start().len())
    }
}

fn header_lines(blocks: &[Block]) -> Vec<HeaderLine<'_>> {
    blocks
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            b.line_ranges().map(move |(range, gap)| HeaderLine {
                block: i,
                b,
                range,
                gap,
            })
        })
        .filter(|l| !l.text().is_empty())
        .take(HEADER_LINES)
        .collect()
}

/// The archive number: normalised "YYYY/N" and where it stands.
pub(crate) struct ArchiveNumber {
    pub number: Located<String>,
    pub block: usize,
}

pub(crate) fn archive_number(blocks: &[Block]) -> Option<ArchiveNumber> {
    let lines = header_lines(blocks);
    for (k, line) in lines.iter().enumerate() {
        let lower = line.text().to_lowercase();
        let (label, strong) = match label_at_start(&lower) {
            Some(l) => l,
            None => continue,
        };
        let rest_start = label_end(line.text(), label);
        let beside = find_archive(&line.text()[rest_start..], strong)
            .map(|(r, n)| (line, rest_start + r.start..rest_start + r.end, n));
        // Label above its value: the next line holds the number alone.
        let above = || {
            let next = lines.get(k + 1)?;
            let (r, n) = find_archive(next.text(), strong)?;
            let alone = next.text().split_whitespace().count() <= 3;
            alone.then_some((next, r, n))
        };
        let rest_is_empty = line.text()[rest_start..].trim().is_empty();
        let found = beside.or_else(|| if rest_is_empty { above() } else { None });
        if let Some((at, r, n)) = found {
            let shift = at.offset() - at.range.start;
            let located = at
                .located(shift + r.start..shift + r.end)
                .map(|l| Located::new(n.clone(), l.at))
                .unwrap_or_else(|| Located::new(n, None));
            return Some(ArchiveNumber {
                number: located,
                block: at.block,
            });
        }
    }
    None
}

/// Whether a lower-cased line starts with an archive number's label.
pub(crate) fn is_archive_label(lower: &str) -> bool {
    label_at_start(lower).is_some_and(|(_, strong)| strong)
}

/// The archive label a line starts with, and whether it is an archive label whatever the
/// value's shape.
fn label_at_start(lower: &str) -> Option<(&'static str, bool)> {
    let starts = |l: &str| {
        lower.strip_prefix(l).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with([':', '.', ' ', '\t', '/', '-'])
        })
    };
    ARCHIVE_LABELS
        .iter()
        .find(|l| starts(l))
        .map(|l| (*l, true))
        .or_else(|| {
            AMBIGUOUS_LABELS
                .iter()
                .find(|l| starts(l))
                .map(|l| (*l, false))
        })
}

/// Where a label's value starts: after the label and its colon or full stop.
fn label_end(text: &str, label: &str) -> usize {
    let mut end = label.len().min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let rest = &text[end..];
    end + (rest.len() - rest.trim_start_matches([':', '.', ' ', '\t']).len())
}

/// The first archive-shaped number in `text`: "2026/308", "26/308", "2025/01873-4". With
/// `strong` false only the unmistakable shapes count (a document suffix or a zero-padded
/// sequence of four digits or more).
fn find_archive(text: &str, strong: bool) -> Option<(Range<usize>, String)> {
    for t in tokens(text) {
        let word = t
            .raw
            .trim_start_matches('(')
            .trim_end_matches([',', ';', ':', ')', '.']);
        let lead = t.raw.len() - t.raw.trim_start_matches('(').len();
        let Some((year, seq, suffix)) = split_archive(word) else {
            continue;
        };
        let padded = seq.len() >= 4 && seq.starts_with('0');
        if !strong && !suffix && !padded {
            continue;
        }
        let Ok(sequence) = seq.trim_start_matches('0').parse::<u32>() else {
            continue;
        };
        let start = t.range.start + lead;
        return Some((start..start + word.len(), format!("{year}/{sequence}")));
    }
    None
}

/// "2025/01873-4" → (2025, "01873", true).
fn split_archive(word: &str) -> Option<(i32, &str, bool)> {
    let (y, rest) = word.split_once('/')?;
    let (seq, suffix) = match rest.split_once('-') {
        Some((s, d)) if !d.is_empty() && d.len() <= 5 && d.bytes().all(|b| b.is_ascii_digit()) => {
            (s, true)
        }
        Some(_) => return None,
        None => (rest, false),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y) || !digits(seq) || seq.len() > 7 {
        return None;
    }
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    if !(1990..=2100).contains(&year) || seq.trim_start_matches('0').is_empty() {
        return None;
    }
    Some((year, seq, suffix))
}

/// An item number as read: where it stands, the number, and its type ("PS").
type ItemNumber = (Located<String>, CaseNumber, Option<String>);

/// One row of the treatments table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub body: Located<String>,
    pub abbreviation: Option<String>,
    pub meeting_date: Option<Located<PartialDate>>,
    pub item_number: Option<(Located<String>, CaseNumber)>,
    /// "PS", "RS", "OS", … where the number carries it.
    pub item_type: Option<String>,
}

pub(crate) struct Saksgang {
    pub rows: Vec<Row>,
    /// The last block the table reaches into.
    pub last_block: usize,
    /// The table has a column for item numbers: where it is blank, the paper has none yet.
    pub number_column: bool,
}

pub(crate) fn saksgang(blocks: &[Block]) -> Option<Saksgang> {
    let lines = header_lines(blocks);
    let (h, kind) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| header_kind(&l.key()).map(|k| (i, k)))?;
    match kind {
        Header::Row { numbered } => rows_after(&lines, h, numbered),
        Header::Column => columns_after(&lines, h),
    }
}

enum Header {
    /// "Utvalg Møtedato Saksnr" on one line.
    Row { numbered: bool },
    /// "Utvalg" alone, its entries below it.
    Column,
}

/// A header line: column words only, in any order ("Utvalg Møtedato Saksnr", "Saksnr.
/// Utvalg Møtedato", "Saksgang Møtedato Saknr"), one of them the bodies' column and at least
/// one other; or the bodies' column word alone, its entries in lines below.
fn header_kind(key: &str) -> Option<Header> {
    if BODY_COLUMN.contains(&key) {
        return Some(Header::Column);
    }
    let (mut body, mut date, mut number) = (false, false, false);
    let mut rest = key.trim();
    while !rest.is_empty() {
        if let Some(r) = strip_any(rest, &BODY_COLUMN).or_else(|| strip_any(rest, &["saksgang"])) {
            body = true;
            rest = r.trim();
        } else if let Some(r) = strip_any(rest, &DATE_COLUMN) {
            date = true;
            rest = r.trim();
        } else if let Some(r) = strip_any(rest, &NUMBER_COLUMN) {
            number = true;
            rest = r.trim();
        } else {
            return None;
        }
    }
    (body && (date || number)).then_some(Header::Row { numbered: number })
}

fn strip_any<'a>(s: &'a str, words: &[&str]) -> Option<&'a str> {
    words
        .iter()
        .filter_map(|w| {
            s.strip_prefix(w)
                .filter(|r| r.is_empty() || r.starts_with([' ', ':', '.', '\t']))
        })
        .map(|r| r.trim_start_matches([':', '.']))
        .min_by_key(|r| r.len())
}

fn is_column_word(key: &str) -> bool {
    DATE_COLUMN.contains(&key) || NUMBER_COLUMN.contains(&key) || BODY_COLUMN.contains(&key)
}

/// A line that ends the table: a label ("Arkivsaksnr: …"), a heading word of the paper, or
/// prose.
fn ends_table(line: &HeaderLine<'_>) -> bool {
    let text = line.text();
    let lower = text.to_lowercase();
    label_at_start(&lower).is_some()
        || lower.starts_with("saksbehandl")
        || lower.starts_with("sakshandsam")
        || text.split_whitespace().count() > MAX_BODY_WORDS + 3
        || text
            .find(':')
            .is_some_and(|c| c < 30 && find_dates(text).iter().all(|(r, _)| r.start > c))
}

fn rows_after(lines: &[HeaderLine<'_>], h: usize, numbered: bool) -> Option<Saksgang> {
    let mut rows = Vec::new();
    let mut last_block = lines.get(h)?.block;
    for line in lines.iter().skip(h + 1).take(MAX_ROWS) {
        if ends_table(line) || is_column_word(&line.key()) {
            break;
        }
        let Some(row) = parse_row(line) else { break };
        // A row with neither date nor number is only a row while the table's lines run on
        // without a gap: after one it is the title or a heading.
        let bare = row.meeting_date.is_none() && row.item_number.is_none();
        if bare && line.gap {
            break;
        }
        last_block = line.block;
        rows.push(row);
    }
    (!rows.is_empty()).then_some(Saksgang {
        rows,
        last_block,
        number_column: numbered,
    })
}

fn columns_after(lines: &[HeaderLine<'_>], h: usize) -> Option<Saksgang> {
    let mut k = h + 1;
    let mut bodies = Vec::new();
    while let Some(line) = lines.get(k) {
        if bodies.len() >= MAX_ROWS
            || ends_table(line)
            || is_column_word(&line.key())
            || (line.gap && !bodies.is_empty())
        {
            break;
        }
        match body_only(line) {
            Some(b) => bodies.push((line, b)),
            None => break,
        }
        k += 1;
    }
    if bodies.is_empty() {
        return None;
    }
    let mut last_block = bodies.last().map_or(0, |(l, _)| l.block);
    let mut dates: Option<Vec<Located<PartialDate>>> = None;
    let mut numbers: Option<Vec<ItemNumber>> = None;
    // Up to two more columns, each under its header word.
    for _ in 0..2 {
        let Some(head) = lines.get(k) else { break };
        let key = head.key();
        k += 1;
        if DATE_COLUMN.contains(&key.as_str()) {
            dates = Some(column(lines, &mut k, &mut last_block, lone_date));
        } else if NUMBER_COLUMN.contains(&key.as_str()) {
            numbers = Some(column(lines, &mut k, &mut last_block, lone_number));
        } else {
            break;
        }
        last_block = last_block.max(head.block);
    }
    let n = bodies.len();
    let mut number_column = numbers.is_some();
    let mut dates: Option<Vec<Option<Located<PartialDate>>>> = dates
        .filter(|d| d.len() == n)
        .map(|d| d.into_iter().map(Some).collect());
    let mut numbers: Option<Vec<Option<ItemNumber>>> = numbers
        .filter(|d| d.len() == n)
        .map(|d| d.into_iter().map(Some).collect());
    if dates.is_none() && numbers.is_none() && !number_column {
        // The other columns read apart from the bodies (the layout took the table's left
        // column as a column of the page): found by their header standing level with the
        // bodies' header, each cell put on the row it stands level with.
        if let Some((d, nr)) = level_columns(lines, h, &bodies) {
            number_column = nr.is_some();
            dates = d;
            numbers = nr;
        }
    }
    let rows = bodies
        .into_iter()
        .enumerate()
        .map(|(i, (_, (body, abbreviation)))| {
            let number = numbers.as_ref().and_then(|v| v[i].clone());
            Row {
                body,
                abbreviation,
                meeting_date: dates.as_ref().and_then(|v| v[i].clone()),
                item_type: number.as_ref().and_then(|(_, _, t)| t.clone()),
                item_number: number.map(|(l, c, _)| (l, c)),
            }
        })
        .collect();
    Some(Saksgang {
        rows,
        last_block,
        number_column,
    })
}

/// Two lines stand level: on one page, their middles within half a line of each other.
fn level(a: (u32, f32, f32), b: (u32, f32, f32)) -> bool {
    a.0 == b.0 && (a.1 - b.1).abs() <= 0.5 * a.2.max(b.2)
}

/// Date and number columns of a column table read apart from its bodies: a header line of
/// date and number column words only, level with the bodies' header (`h`), and below it lines
/// of a date and/or an item number and nothing else. Each such line goes to the body row it
/// stands level with; nothing is returned unless every one finds a row of its own (a date on
/// the wrong row is worse than none). Needs positions: plain text has none.
#[allow(clippy::type_complexity)]
fn level_columns(
    lines: &[HeaderLine<'_>],
    h: usize,
    bodies: &[(&HeaderLine<'_>, (Located<String>, Option<String>))],
) -> Option<(
    Option<Vec<Option<Located<PartialDate>>>>,
    Option<Vec<Option<ItemNumber>>>,
)> {
    let head_at = lines.get(h)?.position()?;
    let rows: Vec<(u32, f32, f32)> = bodies
        .iter()
        .map(|(l, _)| l.position())
        .collect::<Option<_>>()?;
    let k = lines.iter().enumerate().skip(h + 1).find_map(|(k, l)| {
        let key = l.key();
        let words: Vec<&str> = key.split_whitespace().collect();
        let columns = !words.is_empty()
            && words
                .iter()
                .all(|w| DATE_COLUMN.contains(w) || NUMBER_COLUMN.contains(w));
        (columns && l.position().is_some_and(|at| level(at, head_at))).then_some(k)
    })?;
    let key = lines[k].key();
    let has_numbers = key.split_whitespace().any(|w| NUMBER_COLUMN.contains(&w));
    let mut dates: Vec<Option<Located<PartialDate>>> = vec![None; rows.len()];
    let mut numbers: Vec<Option<ItemNumber>> = vec![None; rows.len()];
    let mut taken = vec![false; rows.len()];
    let mut any = false;
    for line in lines.iter().skip(k + 1).take(MAX_ROWS) {
        let Some((date, number)) = cells(line) else {
            break;
        };
        let at = line.position()?;
        let mut on = (0..rows.len()).filter(|&i| !taken[i] && level(rows[i], at));
        let row = on.next()?;
        if on.next().is_some() {
            return None;
        }
        taken[row] = true;
        dates[row] = date;
        numbers[row] = number;
        any = true;
    }
    if !any {
        return None;
    }
    let dates = dates.iter().any(Option::is_some).then_some(dates);
    let numbers = (has_numbers || numbers.iter().any(Option::is_some)).then_some(numbers);
    Some((dates, numbers))
}

/// A line of a date and/or an item number and nothing else ("04.02.2026 PS 5/2026").
fn cells(line: &HeaderLine<'_>) -> Option<(Option<Located<PartialDate>>, Option<ItemNumber>)> {
    let text = line.text();
    let shift = line.offset() - line.range.start;
    let at = |r: &Range<usize>| {
        line.located(shift + r.start..shift + r.end)
            .and_then(|l| l.at)
    };
    let date = find_dates(text)
        .into_iter()
        .find(|(_, d)| matches!(d, PartialDate::Day { .. }))
        .or_else(|| short_date(text));
    let number = item_number_in(text, 0);
    if date.is_none() && number.is_none() {
        return None;
    }
    // Nothing else on the line: what is left once the date, the number and its type are cut.
    let mut rest = text.to_owned();
    let mut cut: Vec<Range<usize>> = Vec::new();
    if let Some((r, _)) = &date {
        cut.push(r.clone());
    }
    if let Some((r, _, _)) = &number {
        cut.push(r.clone());
    }
    cut.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in &cut {
        rest.replace_range(r.clone(), " ");
    }
    let kind = number.as_ref().and_then(|(_, _, k)| k.clone());
    let left: Vec<&str> = rest
        .split_whitespace()
        .filter(|w| Some(*w) != kind.as_deref())
        .collect();
    if !left.is_empty() {
        return None;
    }
    Some((
        date.map(|(r, d)| Located::new(d, at(&r))),
        number.map(|(r, n, k)| (Located::new(n.to_string(), at(&r)), n, k)),
    ))
}

/// The entries of one column from line `k` on, as long as `read` takes them.
fn column<'a, T>(
    lines: &[HeaderLine<'a>],
    k: &mut usize,
    last_block: &mut usize,
    read: impl Fn(&HeaderLine<'a>) -> Option<T>,
) -> Vec<T> {
    let mut found = Vec::new();
    while let Some(v) = lines.get(*k).and_then(&read) {
        found.push(v);
        *last_block = lines[*k].block;
        *k += 1;
    }
    found
}

/// A line that names a body and nothing else.
fn body_only(line: &HeaderLine<'_>) -> Option<(Located<String>, Option<String>)> {
    let row = parse_row(line)?;
    (row.meeting_date.is_none() && row.item_number.is_none())
        .then_some((row.body, row.abbreviation))
}

fn lone_date(line: &HeaderLine<'_>) -> Option<Located<PartialDate>> {
    let text = line.text();
    let dates = find_dates(text);
    let (r, d) = dates.first()?;
    let full = matches!(d, PartialDate::Day { .. });
    let alone = text[..r.start].trim().is_empty() && text[r.end..].trim().is_empty();
    (full && alone).then(|| {
        let shift = line.offset() - line.range.start;
        let at = line
            .located(shift + r.start..shift + r.end)
            .and_then(|l| l.at);
        Located::new(*d, at)
    })
}

fn lone_number(line: &HeaderLine<'_>) -> Option<ItemNumber> {
    let text = line.text();
    let (r, number, kind) = item_number_in(text, 0)?;
    let before = text[..r.start].trim();
    let alone =
        (before.is_empty() || Some(before) == kind.as_deref()) && text[r.end..].trim().is_empty();
    alone.then(|| {
        let shift = line.offset() - line.range.start;
        let at = line
            .located(shift + r.start..shift + r.end)
            .and_then(|l| l.at);
        (Located::new(number.to_string(), at), number, kind)
    })
}

/// The first item number at or after byte `from`: a number in a case number's form, not part
/// of a date, optionally after its type ("PS 10/2026"). Archive-shaped numbers (a document
/// suffix, a zero-padded sequence) are not item numbers.
fn item_number_in(text: &str, from: usize) -> Option<(Range<usize>, CaseNumber, Option<String>)> {
    let toks = tokens(text);
    let dates = find_dates(text);
    for (i, t) in toks.iter().enumerate() {
        if t.range.start < from
            || dates
                .iter()
                .any(|(r, _)| r.start <= t.range.start && t.range.start < r.end)
        {
            continue;
        }
        let word = t.raw.trim_end_matches([',', ';', ')']);
        if !word.contains(['/', '.']) || word.contains('-') {
            continue;
        }
        if split_archive(word).is_some_and(|(_, seq, _)| seq.len() >= 4 && seq.starts_with('0')) {
            continue;
        }
        let Some(number) = parse_case_number(word) else {
            continue;
        };
        let kind = i
            .checked_sub(1)
            .and_then(|p| toks.get(p))
            .map(|p| p.raw)
            .filter(|p| is_item_type(p))
            .map(str::to_owned);
        return Some((t.range.start..t.range.start + word.len(), number, kind));
    }
    None
}

/// A date with a two-digit year ("10.03.26"), as tables print them to save room.
fn short_date(text: &str) -> Option<(Range<usize>, PartialDate)> {
    tokens(text).into_iter().find_map(|t| {
        let word = t.raw.trim_end_matches([',', ';']);
        let mut parts = word.split('.');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        let two = |s: &str, n: usize| {
            s.len() <= n && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
        };
        if parts.next().is_some() || !two(d, 2) || !two(m, 2) || y.len() != 2 || !two(y, 2) {
            return None;
        }
        let (day, month, year): (u32, u32, i32) = (
            d.parse().ok()?,
            m.parse().ok()?,
            2000 + y.parse::<i32>().ok()?,
        );
        let valid = (1..=12).contains(&month)
            && chrono::NaiveDate::from_ymd_opt(year, month, day).is_some();
        valid.then(|| {
            (
                t.range.start..t.range.start + word.len(),
                PartialDate::Day { year, month, day },
            )
        })
    })
}

/// "Formannskapet 12.02.2026 PS 10/2026", "Kommunestyret", "Utval for helse 3.3.2026 022/26".
fn parse_row(line: &HeaderLine<'_>) -> Option<Row> {
    let text = line.text();
    let date = find_dates(text)
        .into_iter()
        .find(|(_, d)| matches!(d, PartialDate::Day { .. }))
        .or_else(|| short_date(text));
    let number = item_number_in(text, 0);
    // The body is what is left once the date and the number (with its type) are taken out,
    // wherever they stand in the row ("12/26 Formannskapet 10.03.2026" too).
    let mut taken: Vec<Range<usize>> = Vec::new();
    if let Some((r, _)) = &date {
        taken.push(r.clone());
    }
    if let Some((r, _, kind)) = &number {
        let type_start = kind
            .as_ref()
            .and_then(|k| text[..r.start].trim_end().strip_suffix(k.as_str()))
            .map_or(r.start, str::len);
        taken.push(type_start..r.end);
    }
    taken.sort_by_key(|r| r.start);
    let mut pieces = Vec::new();
    let mut from = 0;
    for r in taken
        .iter()
        .chain(std::iter::once(&(text.len()..text.len())))
    {
        if r.start > from {
            pieces.push(from..r.start);
        }
        from = from.max(r.end);
    }
    let mut filled = pieces.into_iter().filter(|r| {
        !text[r.clone()]
            .trim_matches([' ', '\t', '-', '–', ','])
            .is_empty()
    });
    let span = filled.next()?;
    if filled.next().is_some() {
        return None;
    }
    let raw = &text[span.clone()];
    let lead = raw.len() - raw.trim_start_matches([' ', '\t', '-', '–', ',']).len();
    let body_text = raw.trim_matches([' ', '\t', '-', '–', ',']);
    let body_start = span.start + lead;
    let words = body_text.split_whitespace().count();
    let plausible = words > 0
        && words <= MAX_BODY_WORDS
        && body_text.chars().next().is_some_and(char::is_uppercase)
        && body_text.chars().any(char::is_alphabetic)
        && !body_text.ends_with(['.', '?', '!'])
        && !body_text.contains(':');
    if !plausible {
        return None;
    }
    let shift = line.offset() - line.range.start;
    let located = |r: Range<usize>| line.located(shift + r.start..shift + r.end);
    let body = located(body_start..body_start + body_text.len())?;
    let abbreviation = find_bodies(&body.value)
        .into_iter()
        .find(|f| f.range.start == 0 && f.range.end >= body.value.len().saturating_sub(3))
        .and_then(|f| f.abbreviation);
    Some(Row {
        body,
        abbreviation,
        meeting_date: date.map(|(r, d)| Located::new(d, located(r).and_then(|l| l.at))),
        item_type: number.as_ref().and_then(|(_, _, k)| k.clone()),
        item_number: number.map(|(r, n, _)| {
            (
                Located::new(n.to_string(), located(r).and_then(|l| l.at)),
                n,
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::text::{blocks, lines_from_text};

    fn archive(s: &str) -> Option<String> {
        archive_number(&blocks(&lines_from_text(s))).map(|a| a.number.value)
    }

    /// (body, date, item number, type) of each row.
    type Seen = (String, Option<String>, Option<String>, Option<String>);

    fn rows(s: &str) -> Vec<Seen> {
        saksgang(&blocks(&lines_from_text(s)))
            .map(|g| g.rows)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r.body.value,
                    r.meeting_date.map(|d| d.value.to_string()),
                    r.item_number.map(|(l, _)| l.value),
                    r.item_type,
                )
            })
            .collect()
    }

    #[test]
    fn archive_numbers_beside_and_above_their_label() {
        assert_eq!(
            archive("Arkivsaksnr: 2026/308").as_deref(),
            Some("2026/308")
        );
        assert_eq!(archive("Arkivsak 26/308").as_deref(), Some("2026/308"));
        assert_eq!(
            archive("Vår ref.: 25/01873-4").as_deref(),
            Some("2025/1873")
        );
        assert_eq!(
            archive("Vår referanse\n2025/1873-12\n").as_deref(),
            Some("2025/1873")
        );
        assert_eq!(archive("Arkivsaksnr.\n2024/77").as_deref(), Some("2024/77"));
        // "Saksnr." is a secretariat's item number unless it has an archive number's shape.
        assert_eq!(archive("Saksnr.: 2025/24"), None);
        assert_eq!(archive("Saksnr.: 25/01873").as_deref(), Some("2025/1873"));
        assert_eq!(archive("Saksnr: 2025/1873-3").as_deref(), Some("2025/1873"));
        // Not labels, or not numbers.
        assert_eq!(archive("Deres ref.: 25/01873-4"), None);
        assert_eq!(archive("Arkivsaksnr:\nSaksbehandler: Kari"), None);
        assert_eq!(archive("Arkivkode: 033"), None);
    }

    #[test]
    fn a_row_table_gives_every_treatment() {
        let got = rows(
            "Saksgang\nUtvalg Møtedato Saksnr\nUngdomsrådet 02.03.2026\nFormannskapet 12.03.2026 PS 10/2026\nKommunestyret\n\nArkivsaksnr: 2026/9",
        );
        assert_eq!(
            got,
            [
                ("Ungdomsrådet".into(), Some("2026-03-02".into()), None, None),
                (
                    "Formannskapet".into(),
                    Some("2026-03-12".into()),
                    Some("10.26".into()),
                    Some("PS".into())
                ),
                ("Kommunestyret".into(), None, None, None),
            ]
        );
    }

    #[test]
    fn nynorsk_headers_and_three_digit_numbers() {
        let got = rows("Saksgang Møtedato Saknr\nUtval for helse og omsorg 03.03.2026 022/26\n\nSakshandsamar: Ola");
        assert_eq!(
            got,
            [(
                "Utval for helse og omsorg".into(),
                Some("2026-03-03".into()),
                Some("22.26".into()),
                None
            )]
        );
    }

    #[test]
    fn columns_pair_only_when_they_line_up() {
        // Three bodies, no dates, no numbers: bodies only.
        let got = rows("SAKSFRAMLEGG\nSaksgang\nUtvalg\nUngdomsrådet\nHovedutvalg oppvekst\nKommunestyre\n\nMøtedato\n\nUtvalgssak\n\nArkivsaksnr: 2026/9\nSaksbehandler: Kari");
        assert_eq!(got.len(), 3);
        assert!(
            got.iter().all(|(_, d, n, _)| d.is_none() && n.is_none()),
            "{got:?}"
        );
        // One body, one date: paired.
        let got = rows("Saksgang\nUtvalg\nForretningsutvalget\n\nMøtedato\n25.02.2026\n\nUtvalgssak\n\nArkivsaksnr: 2025/6608");
        assert_eq!(
            got,
            [(
                "Forretningsutvalget".into(),
                Some("2026-02-25".into()),
                None,
                None
            )]
        );
        // Two bodies, one date: which body met that day is unknown.
        let got = rows("Saksgang\nUtvalg\nFormannskap\nKommunestyre\nMøtedato\n12.02.2026\nUtvalgssak\nPS 4/2026\nPS 5/2026\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, None);
        assert_eq!(got[0].2.as_deref(), Some("04.26"));
        assert_eq!(got[1].2.as_deref(), Some("05.26"));
    }

    #[test]
    fn the_archive_number_is_never_an_item_number() {
        let got =
            rows("Utvalg Møtedato Utvalgssak\nFormannskapet 12.03.2026\nArkivsaksnr: 2026/308");
        assert_eq!(
            got,
            [(
                "Formannskapet".into(),
                Some("2026-03-12".into()),
                None,
                None
            )]
        );
        let got = rows("Utvalg Møtedato Saksnr\nFormannskapet 12.03.2026 25/01873\n");
        assert!(
            got.iter().all(|r| r.2.is_none()),
            "a zero-padded archive sequence is not an item number: {got:?}"
        );
    }

    #[test]
    fn prose_is_not_a_table() {
        assert!(rows(
            "Utvalg\nDet ble i møtet diskutert hvordan saken skal behandles videre i høst."
        )
        .is_empty());
        assert!(rows("Vi viser til møtet i utvalget 12.03.2026 om saken.").is_empty());
    }
}
