//! The internal representation every rule reads: blocks (headings, paragraphs, list items) built
//! from a page's laid-out lines when the extractor gives them, else from its plain text.
//!
//! Wrapped lines are joined back into one block so that rules see whole sentences; each block
//! remembers which page characters it came from so values can carry provenance.

use std::ops::Range;

use super::{Located, Provenance};

/// One source line, trimmed, with where it sits in its page's text (char offsets).
#[derive(Debug, Clone)]
pub(crate) struct SourceLine {
    pub text: String,
    pub indent: usize,
    pub page: u32,
    pub chars: Option<Range<usize>>,
    pub font_size: Option<f32>,
    pub bold: bool,
    /// An empty line (or a vertical gap) separates this line from the previous one.
    pub gap_before: bool,
    /// Bytes at the start of `text` that are not in the page text: a list marker the extractor
    /// gave as a line of its own, put back in front (`chars` covers the rest).
    pub synthetic: usize,
    /// The layout marks this line as opening a list item though it has no marker.
    pub implied_item: bool,
    /// The line's vertical middle and height on its page, in points (laid-out pages only):
    /// cells of a table read apart from their row are put back on it by this.
    pub mid: Option<(f32, f32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Paragraph,
    /// A list item; `indent` orders nesting within one list.
    Bullet {
        indent: usize,
    },
    Numbered {
        n: u32,
        indent: usize,
    },
}

/// A stretch of block text that came from one source line.
#[derive(Debug, Clone)]
struct Segment {
    offset: usize,
    len: usize,
    /// A blank line or a vertical gap came before this line.
    gap_before: bool,
    page: u32,
    chars: Option<Range<usize>>,
    mid: Option<(f32, f32)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: BlockKind,
    /// Text without the list marker, wrapped lines joined by single spaces.
    pub text: String,
    pub line_count: usize,
    pub font_size: Option<f32>,
    pub bold: bool,
    /// Set by `mark_headings`.
    pub heading: bool,
    /// Larger or bolder than the body text (laid-out pages only; plain text has no fonts).
    pub emphasised: bool,
    segments: Vec<Segment>,
    /// `text` lower-cased, made on first use: most rules match lower-cased text, and making it
    /// anew in each rule was a large part of the entity rules' time. Only `push_line` changes
    /// `text`, and it clears this.
    lower: std::cell::OnceCell<String>,
}

impl Block {
    /// Provenance of a byte range of `self.text`, clamped to the page the range starts on.
    pub fn provenance(&self, range: Range<usize>) -> Option<Provenance> {
        let first = self
            .segments
            .iter()
            .find(|s| range.start < s.offset + s.len.max(1))?;
        let last = self
            .segments
            .iter()
            .rfind(|s| s.page == first.page && s.offset < range.end.max(range.start + 1))
            .unwrap_or(first);
        let at = |seg: &Segment, pos: usize| -> Option<usize> {
            let base = seg.chars.as_ref()?.start;
            let pos = pos.clamp(seg.offset, seg.offset + seg.len);
            Some(base + self.text.get(seg.offset..pos)?.chars().count())
        };
        Some(Provenance {
            page: first.page,
            start: at(first, range.start)?,
            end: at(last, range.end)?,
        })
    }

    pub fn whole(&self) -> Option<Provenance> {
        self.provenance(0..self.text.len())
    }

    /// The page and vertical middle and height of the source line starting at byte `offset`
    /// of `text`, where the page was laid out.
    pub fn line_position(&self, offset: usize) -> Option<(u32, f32, f32)> {
        let s = self.segments.iter().find(|s| s.offset == offset)?;
        let (mid, height) = s.mid?;
        Some((s.page, mid, height))
    }

    /// The byte ranges in `text` of the source lines the block was joined from, each with
    /// whether a blank line or gap came before it: tables and label/value pairs are read line
    /// by line even where the lines were joined into one block.
    pub fn line_ranges(&self) -> impl Iterator<Item = (Range<usize>, bool)> + '_ {
        self.segments.iter().map(|s| {
            (
                s.offset..(s.offset + s.len).min(self.text.len()),
                s.gap_before,
            )
        })
    }

    /// The text of `range` with `junk` characters and whitespace trimmed from both ends, located.
    /// `None` when nothing is left.
    pub fn located(&self, range: Range<usize>, junk: &[char]) -> Option<Located<String>> {
        let raw = self.text.get(range.clone())?;
        let is_junk = |c: char| c.is_whitespace() || junk.contains(&c);
        let lead = raw.len() - raw.trim_start_matches(is_junk).len();
        let trimmed = raw.trim_matches(is_junk);
        if trimmed.is_empty() {
            return None;
        }
        let start = range.start + lead;
        let value = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(Located::new(
            value,
            self.provenance(start..start + trimmed.len()),
        ))
    }

    pub fn located_all(&self, junk: &[char]) -> Option<Located<String>> {
        self.located(0..self.text.len(), junk)
    }

    /// Numbered headings ("2. Skrøpelige eldre") are headings, not list items.
    pub fn is_list_item(&self) -> bool {
        !self.heading && !matches!(self.kind, BlockKind::Paragraph)
    }

    pub fn indent(&self) -> usize {
        match self.kind {
            BlockKind::Paragraph => 0,
            BlockKind::Bullet { indent } | BlockKind::Numbered { indent, .. } => indent,
        }
    }

    pub fn ends_sentence(&self) -> bool {
        ends_sentence(&self.text)
    }

    /// Whether the block starts with `label` (lower-case) as a word of its own: "Møte: …" and
    /// "Møte i …" start with "møte", "Møteavvikling" does not. A label ending in a colon needs
    /// nothing after it.
    pub fn starts_with_label(&self, label: &str) -> bool {
        self.lower().strip_prefix(label).is_some_and(|rest| {
            label.ends_with(':') || !rest.chars().next().is_some_and(char::is_alphanumeric)
        })
    }

    /// `text`, lower-cased.
    pub fn lower(&self) -> &str {
        self.lower.get_or_init(|| self.text.to_lowercase())
    }

    fn push_line(&mut self, line: &SourceLine, text: &str, glue: &str) {
        self.lower.take();
        if !self.text.is_empty() {
            self.text.push_str(glue);
        }
        let offset = self.text.len();
        self.text.push_str(text);
        let dropped = line.text.len().saturating_sub(text.len());
        let chars = line.chars.as_ref().map(|r| {
            let skip = line
                .text
                .get(line.synthetic.min(dropped)..dropped)
                .map_or(0, |s| s.chars().count());
            r.start + skip..r.end
        });
        self.segments.push(Segment {
            offset,
            len: text.len(),
            gap_before: line.gap_before,
            page: line.page,
            chars,
            mid: line.mid,
        });
        self.line_count += 1;
    }
}

/// Lines from plain text; `\f` separates pages.
pub(crate) fn lines_from_text(text: &str) -> Vec<SourceLine> {
    let mut out = Vec::new();
    for (i, page_text) in text.split('\u{c}').enumerate() {
        let page = u32::try_from(i + 1).unwrap_or(u32::MAX);
        out.extend(lines_from_page_text(page_text, page));
    }
    out
}

pub(crate) fn lines_from_page_text(text: &str, page: u32) -> Vec<SourceLine> {
    let mut out = Vec::new();
    let mut char_pos = 0;
    let mut gap = true;
    for raw in text.split('\n') {
        let raw_chars = raw.chars().count();
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            gap = true;
        } else {
            let lead = raw.len() - raw.trim_start().len();
            let lead_chars = raw.get(..lead).map_or(0, |s| s.chars().count());
            let start = char_pos + lead_chars;
            out.push(SourceLine {
                text: trimmed.to_owned(),
                indent: lead_chars,
                page,
                chars: Some(start..start + trimmed.chars().count()),
                font_size: None,
                bold: false,
                gap_before: std::mem::take(&mut gap),
                synthetic: 0,
                implied_item: false,
                mid: None,
            });
        }
        char_pos += raw_chars + 1;
    }
    out
}

/// Char range of `needle` in `hay`, searching forward from byte `cursor`.
pub(crate) fn locate(hay: &str, needle: &str, cursor: &mut usize) -> Option<Range<usize>> {
    // Lines come in page order, so the next one nearly always starts after a little
    // whitespace: checked first, before building a substring searcher for the needle.
    let next = hay.get(*cursor..).and_then(|rest| {
        let skipped = rest.len() - rest.trim_start().len();
        rest.get(skipped..)?
            .starts_with(needle)
            .then_some(*cursor + skipped)
    });
    let from = next.or_else(|| {
        hay.get(*cursor..)
            .and_then(|rest| rest.find(needle))
            .map(|i| i + *cursor)
    });
    let at = from.or_else(|| hay.find(needle))?;
    *cursor = at + needle.len();
    let start = hay.get(..at)?.chars().count();
    Some(start..start + needle.chars().count())
}

/// Glyphs that mark list items; U+F0B7 and U+F0A7 are the Symbol/Wingdings bullets that office
/// suites leave in PDFs.
pub(crate) const BULLETS: [char; 13] = [
    '-', '–', '—', '•', '·', '▪', '◦', '●', '○', '■', '*', '\u{f0b7}', '\u{f0a7}',
];

/// Splits a list marker off a line: (kind, text after the marker).
pub(crate) fn list_marker(line: &str, indent: usize) -> Option<(BlockKind, &str)> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    if BULLETS.contains(&first) {
        let rest = line.get(first.len_utf8()..)?;
        let private_use = ('\u{e000}'..='\u{f8ff}').contains(&first);
        if rest.is_empty() || rest.starts_with(char::is_whitespace) || (private_use || first == '•')
        {
            return Some((BlockKind::Bullet { indent }, rest.trim_start()));
        }
        return None;
    }
    let digits = line.find(|c: char| !c.is_ascii_digit())?;
    if (1..=2).contains(&digits) {
        let rest = line.get(digits..)?;
        let after = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
        if after.starts_with(char::is_whitespace) {
            let n = line.get(..digits)?.parse().ok()?;
            return Some((BlockKind::Numbered { n, indent }, after.trim_start()));
        }
        return None;
    }
    // "a. Tekst", "b) Tekst": sub-items, nested below numbered ones.
    let letter = first.is_ascii_lowercase();
    let rest = line.get(1..)?;
    let after = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
    (letter && after.starts_with(' '))
        .then(|| (BlockKind::Bullet { indent: indent + 4 }, after.trim_start()))
}

/// Words that always open a new block when capitalised at the start of a line, even right after
/// a long wrapped line: labels, adoption notes, and questions (which head sections on web pages).
const BLOCK_OPENERS: [&str; 22] = [
    "besluttet ",
    "vedtatt ",
    "vedteken ",
    "vedteke ",
    "godkjent ",
    "vedlegg ",
    "vedlegg:",
    "forslag til vedtak",
    "visjon",
    "saksnr",
    "saksnummer",
    "møtedato",
    "handlingsdel",
    "sak ",
    "dato:",
    "innstilling",
    "hvordan ",
    "hva ",
    "hvorfor ",
    "hvilke ",
    "hvem ",
    "hvor ",
];

/// A plan's field labels ("Mål", "Tiltak:", "Ansvar: Kommunene"), bokmål and nynorsk: a line
/// that starts with one is a field of its own, never the tail of the line above.
pub(crate) const FIELD_LABELS: [&str; 14] = [
    "mål",
    "hovedmål",
    "hovudmål",
    "delmål",
    "målsetting",
    "målsetjing",
    "tiltak",
    "ansvar",
    "ansvarlig",
    "ansvarleg",
    "hovedansvar",
    "hovudansvar",
    "frist",
    "tidsfrist",
];

/// The label a line opens with and the byte offset of its value (after the colon): "Mål",
/// "Mål:", "Tiltak: Felles team", "Mål 2: …". A label word followed by anything but a colon,
/// a number or the line's end is ordinary text ("Tiltak for eldre").
pub(crate) fn field_label(lower: &str) -> Option<(&'static str, usize)> {
    let word_end = lower
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(lower.len());
    let word = lower.get(..word_end)?;
    let label = FIELD_LABELS.iter().find(|l| **l == word)?;
    let rest = lower.get(word_end..)?;
    // "Mål 2: …" numbers its goal; "Frist 2026" is a label with its value.
    let numbered = rest
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    if numbered.len() < rest.trim_start().len() && numbered.starts_with(':') {
        return Some((label, lower.len() - numbered.len() + 1));
    }
    let after = rest.trim_start_matches([' ', '\t']);
    if after.is_empty() {
        return Some((label, lower.len()));
    }
    let value = after.strip_prefix(':')?;
    Some((label, lower.len() - value.len()))
}

fn opens_block(text: &str) -> bool {
    // Lower-case starts are wrapped sentence tails ("sak 14.24 og ..."), never openers.
    if !text.starts_with(char::is_uppercase) {
        return false;
    }
    let lower = text.to_lowercase();
    BLOCK_OPENERS.iter().any(|w| lower.starts_with(w))
        || (lower.len() == text.len() && field_label(&lower).is_some())
}

pub(crate) fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(['»', '"', '”', '\'', ' ']);
    t.ends_with(['.', '!', '?', ':', ';'])
}

fn starts_lower(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_lowercase())
}

/// A hyphen that breaks a word or a compound across lines ("Nord-", "2022-").
fn ends_with_break_hyphen(text: &str) -> bool {
    let mut rev = text.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(|c| c.is_alphanumeric())
}

/// Line length (chars) from which a line counts as filled to the margin, so an unpunctuated end
/// is a wrap rather than the end of a heading.
fn full_line_threshold(lines: &[SourceLine]) -> usize {
    let mut lens: Vec<usize> = lines.iter().map(|l| l.text.chars().count()).collect();
    lens.sort_unstable();
    let p90 = lens.get(lens.len() * 9 / 10).copied().unwrap_or(0);
    (p90 * 4 / 5).max(40)
}

/// Larger or bolder than the line before.
fn promoted(line: &SourceLine, prev: Option<&SourceLine>) -> bool {
    let Some(prev) = prev else {
        return false;
    };
    let larger = matches!((line.font_size, prev.font_size), (Some(a), Some(b)) if a > b + 0.5);
    larger || (line.bold && !prev.bold)
}

fn same_style(a: &SourceLine, prev: Option<&SourceLine>) -> bool {
    match (a.font_size, prev.and_then(|p| p.font_size)) {
        (Some(x), Some(y)) => (x - y).abs() < 0.5 && prev.is_some_and(|p| p.bold == a.bold),
        _ => true,
    }
}

/// Joins lines into blocks.
pub(crate) fn blocks(lines: &[SourceLine]) -> Vec<Block> {
    let full = full_line_threshold(lines);
    let mut out: Vec<Block> = Vec::new();
    let mut prev_line: Option<&SourceLine> = None;
    // A marker alone on its line ("" then the text on the next line) opens an empty item.
    let mut pending_marker = false;
    for (k, line) in lines.iter().enumerate() {
        let next = lines.get(k + 1);
        // A line the layout marks as an item is one, marker or not.
        let implied = (
            BlockKind::Bullet {
                indent: line.indent,
            },
            line.text.as_str(),
        );
        let marker =
            list_marker(&line.text, line.indent).or_else(|| line.implied_item.then_some(implied));
        let open = out.last_mut();
        match (marker, open) {
            (Some((kind, rest)), _) => {
                let mut b = new_block(kind, line);
                if !rest.is_empty() {
                    b.push_line(line, rest, "");
                }
                pending_marker = rest.is_empty();
                out.push(b);
            }
            (None, Some(b)) if pending_marker => {
                b.push_line(line, &line.text, "");
                pending_marker = false;
            }
            (None, Some(b)) if continues(b, prev_line, line, next, full) => {
                let glue =
                    if ends_with_break_hyphen(&b.text) && !starts_with_conjunction(&line.text) {
                        ""
                    } else {
                        " "
                    };
                b.push_line(line, &line.text, glue);
            }
            (None, _) => {
                let mut b = new_block(BlockKind::Paragraph, line);
                b.push_line(line, &line.text, "");
                out.push(b);
            }
        }
        prev_line = Some(line);
    }
    out.retain(|b| !b.text.is_empty());
    mark_headings(&mut out);
    out
}

fn starts_with_conjunction(text: &str) -> bool {
    ["og ", "eller ", "samt "]
        .iter()
        .any(|c| text.starts_with(c))
}

fn new_block(kind: BlockKind, line: &SourceLine) -> Block {
    Block {
        kind,
        text: String::new(),
        line_count: 0,
        font_size: line.font_size,
        bold: line.bold,
        heading: false,
        emphasised: false,
        segments: Vec::new(),
        lower: std::cell::OnceCell::new(),
    }
}

fn continues(
    block: &Block,
    prev: Option<&SourceLine>,
    line: &SourceLine,
    next: Option<&SourceLine>,
    full: usize,
) -> bool {
    if opens_block(&line.text) {
        return false;
    }
    if !same_style(line, prev) {
        // Producers style a sentence's tail like a heading when it stood on a line of its own in
        // their source; a lower-case start still continues the unfinished sentence.
        return promoted(line, prev) && starts_lower(&line.text) && !block.ends_sentence();
    }
    if ends_with_break_hyphen(&block.text) || splits_date(&block.text, &line.text) {
        return true;
    }
    if block.ends_sentence() {
        return false;
    }
    if starts_lower(&line.text) {
        return true;
    }
    let prev_len = prev.map_or(0, |p| p.text.chars().count());
    let digit = line
        .text
        .starts_with(|c: char| c.is_ascii_digit() || c == '(');
    // List items wrap at their own indent, so their lines are rarely "full"; an unfinished item
    // takes any line that does not look like a heading of its own.
    let item_wraps = block.is_list_item() && !looks_standalone(line, next, full);
    !line.gap_before && (digit || (prev_len >= full && !block.is_list_item()) || item_wraps)
}

/// "… i sitt møte 19." + "desember 2018.": a wrap inside a spelled date, whose day's period
/// would otherwise end the sentence.
fn splits_date(before: &str, line: &str) -> bool {
    let day = before
        .strip_suffix('.')
        .and_then(|h| h.rsplit(' ').next())
        .unwrap_or("");
    let month = line.split_whitespace().next().unwrap_or("");
    (1..=2).contains(&day.len())
        && day.bytes().all(|b| b.is_ascii_digit())
        && super::dates::month_number(month).is_some()
}

/// A short capitalised line without final punctuation (or a question) that the next line does
/// not continue is a heading after a wrapped paragraph, not that paragraph's last line.
fn looks_standalone(line: &SourceLine, next: Option<&SourceLine>, full: usize) -> bool {
    let text = line.text.trim_end_matches(['»', '"', '”', ' ']);
    let question = text.ends_with('?');
    let short = text.chars().count() < full;
    let continued = next.is_some_and(|n| starts_lower(&n.text));
    (short || question)
        && !text.ends_with(['.', ',', ';', ':', '!'])
        && !ends_with_break_hyphen(text)
        && !continued
}

/// Words that are headings on their own line whatever their shape.
const HEADING_WORDS: [&str; 12] = [
    "bakgrunn",
    "vurdering",
    "forslag til vedtak",
    "visjon",
    "mål",
    "verdier",
    "innledning",
    "saksframstilling",
    "konklusjon",
    "oppsummering",
    "vedlegg",
    "saken gjelder",
];

const MAX_HEADING_CHARS: usize = 110;
const MAX_HEADING_WORDS: usize = 16;

/// Most words of a label in "Label: value" lines ("Mål: …", "Møtedato: …"), which are fields,
/// not headings.
const MAX_LABEL_WORDS: usize = 3;

/// "Mål: …" is a field; "Innsatsområde 2: Eldre" (a numbered label) heads a section.
fn is_label_line(text: &str) -> bool {
    text.split_once(": ").is_some_and(|(label, rest)| {
        !rest.trim().is_empty()
            && label.split_whitespace().count() <= MAX_LABEL_WORDS
            && !label.chars().any(|c| c.is_ascii_digit())
    })
}

fn heading_by_text(b: &Block) -> bool {
    let text = b.text.trim();
    // The block's cached lower-case text: trimming and lower-casing commute.
    let lower = b.lower().trim();
    if HEADING_WORDS
        .iter()
        .any(|w| lower.trim_end_matches(':') == *w)
    {
        return true;
    }
    if is_label_line(text) {
        return false;
    }
    let first_letter = text.chars().find(|c| c.is_alphabetic());
    let words = text.split_whitespace().count();
    text.chars().count() <= MAX_HEADING_CHARS
        && words <= MAX_HEADING_WORDS
        && first_letter.is_some_and(char::is_uppercase)
        && !text
            .trim_end_matches(['»', '"', ' '])
            .ends_with(['.', ',', ';', ':'])
}

fn body_font_size(blocks: &[Block]) -> Option<f32> {
    let mut sizes: Vec<f32> = blocks.iter().filter_map(|b| b.font_size).collect();
    sizes.sort_by(f32::total_cmp);
    sizes.get(sizes.len() / 2).copied()
}

fn mark_headings(blocks: &mut [Block]) {
    let body = body_font_size(blocks);
    let numbered =
        |b: Option<&Block>| b.is_some_and(|b| matches!(b.kind, BlockKind::Numbered { .. }));
    let mut flags = Vec::with_capacity(blocks.len());
    let mut emphasis = Vec::with_capacity(blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        let larger = matches!((b.font_size, body), (Some(s), Some(m)) if s > m * 1.12);
        let by_font = (larger || b.bold) && b.text.chars().count() <= MAX_HEADING_CHARS;
        emphasis.push(by_font);
        // A numbered line is a section heading rather than a list item when no numbered item
        // stands next to it: the next block is prose or a bullet list.
        let lone =
            !numbered(blocks.get(i + 1)) && !numbered(i.checked_sub(1).and_then(|p| blocks.get(p)));
        flags.push(match b.kind {
            BlockKind::Paragraph => heading_by_text(b) || by_font,
            BlockKind::Numbered { .. } => by_font || (lone && heading_by_text(b)),
            BlockKind::Bullet { .. } => false,
        });
    }
    for ((b, f), e) in blocks.iter_mut().zip(flags).zip(emphasis) {
        b.heading = f;
        b.emphasised = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, bool, bool)> {
        blocks(&lines_from_text(src))
            .into_iter()
            .map(|b| (b.text.clone(), b.heading, b.is_list_item()))
            .collect()
    }

    #[test]
    fn joins_wrapped_lines_across_blank_lines() {
        let t = texts("Forslag til vedtak\n\nSSU ber sekretariatet presentere\n\ndisse for møtet i oktober 2025\n\n \nVedlegg 1: Noe");
        assert_eq!(
            t[1].0,
            "SSU ber sekretariatet presentere disse for møtet i oktober 2025"
        );
        assert_eq!(t[2].0, "Vedlegg 1: Noe");
        assert!(t[0].1);
    }

    #[test]
    fn joins_hyphen_breaks() {
        let t = texts("Strategi for X 2022-2026 med handlingsdel for 2022-\n2023\nBesluttet i møtet 08.06.2022");
        assert_eq!(
            t[0].0,
            "Strategi for X 2022-2026 med handlingsdel for 2022-2023"
        );
        assert_eq!(t[1].0, "Besluttet i møtet 08.06.2022");
    }

    #[test]
    fn joins_dates_split_after_the_day() {
        let t = texts("Styret vedtok planen i sitt møte 19.\ndesember 2018.\nHer finner du mer.");
        assert_eq!(
            t[0].0,
            "Styret vedtok planen i sitt møte 19. desember 2018."
        );
        assert_eq!(t[1].0, "Her finner du mer.");
    }

    #[test]
    fn marker_alone_on_a_line_takes_the_next_line() {
        let t = texts("Mål ved å:\n\u{f0b7}\nVære pådriver for\nbærekraft\n\u{f0b7}\nHa frihet\nNeste overskrift");
        assert_eq!(
            t[1],
            ("Være pådriver for bærekraft".to_owned(), false, true)
        );
        assert_eq!(t[2], ("Ha frihet".to_owned(), false, true));
        assert_eq!(t[3], ("Neste overskrift".to_owned(), true, false));
    }

    #[test]
    fn list_markers() {
        assert!(matches!(
            list_marker("- Tekst", 0),
            Some((BlockKind::Bullet { .. }, "Tekst"))
        ));
        assert!(matches!(
            list_marker("• Tekst", 0),
            Some((BlockKind::Bullet { .. }, "Tekst"))
        ));
        assert!(matches!(
            list_marker("12. Tekst", 0),
            Some((BlockKind::Numbered { n: 12, .. }, "Tekst"))
        ));
        assert!(list_marker("2022-2026 er", 0).is_none());
        assert!(list_marker("-2 grader", 0).is_none());
        assert!(list_marker("08.06.2022 besluttet", 0).is_none());
        assert!(matches!(
            list_marker("a. Tekst", 0),
            Some((BlockKind::Bullet { indent: 4 }, "Tekst"))
        ));
    }

    #[test]
    fn provenance_points_into_the_page() {
        let src = "Side én\u{c}\n  Visjon\n«Sammen om æøå»";
        let bs = blocks(&lines_from_text(src));
        let b = &bs[2];
        let p = b.whole().unwrap();
        assert_eq!(p.page, 2);
        let page: Vec<char> = src.split('\u{c}').nth(1).unwrap().chars().collect();
        let got: String = page[p.start..p.end].iter().collect();
        assert_eq!(got, "«Sammen om æøå»");
        let p = bs[1].whole().unwrap();
        assert_eq!((p.start, p.end), (3, 9));
    }

    fn laid(text: &str, size: f32, bold: bool, gap_before: bool) -> SourceLine {
        SourceLine {
            text: text.to_owned(),
            indent: 0,
            page: 1,
            chars: None,
            font_size: Some(size),
            bold,
            gap_before,
            synthetic: 0,
            implied_item: false,
            mid: None,
        }
    }

    #[test]
    fn heading_styled_sentence_tail_continues_its_sentence() {
        let lines = [
            laid("Forslag til vedtak", 13.0, true, true),
            laid("SSU ber sekretariatet presentere", 11.0, false, false),
            laid("disse for møtet i oktober 2025", 13.0, true, true),
            laid("Vedlegg 1: Noe", 13.0, true, true),
            laid("Bakgrunn", 13.0, true, true),
            laid("sykehuset og kommunene", 11.0, false, false),
        ];
        let t: Vec<(String, bool)> = blocks(&lines)
            .into_iter()
            .map(|b| (b.text, b.heading))
            .collect();
        assert_eq!(
            t[1].0,
            "SSU ber sekretariatet presentere disse for møtet i oktober 2025"
        );
        assert_eq!(t[2].0, "Vedlegg 1: Noe");
        // A heading is not continued by lower-case body text below it.
        assert_eq!(t[3], ("Bakgrunn".to_owned(), true));
    }

    #[test]
    fn implied_items_open_list_items() {
        let mut item = laid("og bedre oppgavedeling", 10.0, false, true);
        item.implied_item = true;
        let lines = [
            laid("Vi vil:", 10.0, false, true),
            laid("Satse på heltidskultur", 10.0, false, true),
            item,
        ];
        let t: Vec<(String, bool)> = blocks(&lines)
            .into_iter()
            .map(|b| (b.text.clone(), b.is_list_item()))
            .collect();
        assert_eq!(t[2], ("og bedre oppgavedeling".to_owned(), true));
    }

    #[test]
    fn field_labels_and_their_values() {
        assert_eq!(field_label("mål"), Some(("mål", "mål".len())));
        assert_eq!(field_label("tiltak:"), Some(("tiltak", 7)));
        let l = "ansvar: kommunane";
        assert_eq!(field_label(l).map(|(_, at)| &l[at..]), Some(" kommunane"));
        let l = "mål 2: færre fall";
        assert_eq!(field_label(l).map(|(_, at)| &l[at..]), Some(" færre fall"));
        // The label word in running text, or another word that begins like one.
        assert_eq!(field_label("tiltak for eldre"), None);
        assert_eq!(field_label("målgruppe: eldre"), None);
        assert_eq!(field_label("frist 2026"), None);
        // A label line is a block of its own, even under a long unfinished line.
        let t = texts("Handlingsplanen omfatter alle kommunene i regionen og sykehuset med sine\nMål: Trygge overganger\nTiltak: Felles sjekkliste");
        assert_eq!(t.len(), 3, "{t:?}");
    }

    #[test]
    fn no_panics() {
        for s in ["", "\u{c}", "-", "\u{f0b7}", "1.", "a.", "æ-\nø", "\n\n\n"] {
            let _ = texts(s);
        }
    }
}
