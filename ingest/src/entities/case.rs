//! Case papers and their appendices: the case's own number, title, body, meeting date,
//! sections, proposed decision, references to other cases and the list of appendices.

use super::case_number::{find_case_numbers, CaseNumber};
use super::dates::find_dates;
use super::orgs::find_bodies;
use super::saksgang::{archive_number, saksgang, ArchiveNumber, Saksgang};
use super::text::Block;
use super::{Appendix, Case, Located, Treatment};

/// How far into the document the case's own number may appear, in blocks.
const HEADER_WINDOW: usize = 15;
/// Most bytes of label before the case word for a number to be the document's own
/// ("Vedlegg til sak 24.25", "Saksframlegg – sak 07/26").
const MAX_LABEL_BYTES: usize = 30;

/// Header labels whose block is metadata, never the case title.
const METADATA_LABELS: [&str; 23] = [
    "møtedato",
    "møtedag",
    "dato",
    "saksbehandler",
    "saksbehandlar",
    "sakshandsamar",
    "sakshandsamer",
    "arkivsak",
    "arkiv",
    "saksnr",
    "saknr",
    "utvalgssak",
    "saksgang",
    "journalpost",
    "gradering",
    "til:",
    "fra:",
    "utvalg",
    "møte",
    "vår ref",
    "deres ref",
    "saksframlegg",
    "behandles i",
];

/// Labels that name the body a case goes to.
const BODY_LABELS: [&str; 6] = [
    "utvalg",
    "til:",
    "møte",
    "behandles i",
    "organ",
    "saksframlegg til",
];

/// Labels whose date is the meeting date.
const MEETING_LABELS: [&str; 5] = ["møtedato", "møtedag", "dato for møte", "møte:", "møte i"];

/// Labels whose rest is the case title.
const TITLE_LABELS: [&str; 3] = ["sakstittel:", "tittel:", "sak:"];

/// Headings after which the proposed decision follows, in bokmål and nynorsk; owned forms
/// ("Kommunedirektørens forslag til vedtak") are recognised by their ending.
const DECISION_HEADINGS: [&str; 11] = [
    "forslag til vedtak",
    "forslag til innstilling",
    "forslag til beslutning",
    "forslag til vedtak/innstilling",
    "innstilling",
    "innstilling til vedtak",
    "administrasjonens forslag til vedtak",
    "sekretariatets forslag til vedtak",
    "framlegg til vedtak",
    "framlegg til innstilling",
    "tilråding",
];

/// What a case paper calls itself at its top, in the case systems' and secretariats'
/// templates, bokmål and nynorsk.
const PAPER_CUES: [&str; 6] = [
    "saksframlegg",
    "saksfremlegg",
    "saksutgreiing",
    "saksutredning",
    "sakspapir",
    "saksframstilling",
];
/// How far down a paper's own name may stand.
const PAPER_CUE_WINDOW: usize = 5;

/// Section headings of case papers, reported in order of appearance.
const SECTION_HEADINGS: [&str; 13] = [
    "bakgrunn",
    "saken gjelder",
    "innledning",
    "saksframstilling",
    "saksopplysninger",
    "vurdering",
    "økonomiske konsekvenser",
    "konsekvenser",
    "konklusjon",
    "oppsummering",
    "forslag til vedtak",
    "forslag til innstilling",
    "innstilling",
];

/// Separators between a number and the title on the same line.
const TITLE_SEPARATORS: [char; 5] = [':', '–', '-', '—', ' '];

pub(crate) struct CaseFindings {
    pub case: Case,
    /// "Vedlegg til sak …" introduced the number.
    pub appendix: bool,
    /// A line starts with "Saksframlegg": the paper presents the case itself.
    pub saksframlegg: bool,
}

/// A header label's block: one of [`METADATA_LABELS`] or an archive number's label
/// ("Arkivsaksnr", "Vår ref").
fn is_metadata(b: &Block) -> bool {
    lower_starts(b, &METADATA_LABELS) || super::saksgang::is_archive_label(b.lower())
}

/// The block starts with one of the labels as a word of its own: "Møte: …" is a label,
/// "Møteavvikling" is not.
fn lower_starts(b: &Block, labels: &[&str]) -> bool {
    labels.iter().any(|l| b.starts_with_label(l))
}

pub(crate) fn extract(blocks: &[Block]) -> Option<CaseFindings> {
    let archive = archive_number(blocks);
    let table = saksgang(blocks);
    let saksframlegg = blocks
        .iter()
        .take(PAPER_CUE_WINDOW)
        .any(|b| PAPER_CUES.iter().any(|c| b.lower().starts_with(c)));
    let treatments: Vec<Treatment> = table
        .as_ref()
        .map(|t| {
            t.rows
                .iter()
                .map(|r| Treatment {
                    body: r.body.clone(),
                    body_abbreviation: r.abbreviation.clone(),
                    meeting_date: r.meeting_date.clone(),
                    item_number: r.item_number.as_ref().map(|(l, _)| l.clone()),
                    item_type: r.item_type.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    // The item number: the deciding body's (the last row that has one), else a case word's
    // number in the header, never from a block that holds the archive number.
    let from_table = table.as_ref().and_then(|t| {
        t.rows
            .iter()
            .rev()
            .find_map(|r| r.item_number.as_ref().map(|(l, n)| (r, l.clone(), *n)))
    });
    // Where the template has a column for the item number, a number elsewhere in the header
    // is another case's (an appendix's title, a reference).
    let labelled = labelled_number(blocks, archive.as_ref())
        .filter(|_| !table.as_ref().is_some_and(|t| t.number_column));
    let proposed_decision = find_decision(blocks);
    let is_case = from_table.is_some()
        || labelled.is_some()
        || saksframlegg
        || !treatments.is_empty()
        || proposed_decision.is_some();
    if !is_case {
        return None;
    }
    let (own, number, appendix, at) = match (&from_table, labelled) {
        (Some((_, l, n)), _) => (Some(l.clone()), Some(*n), false, None),
        (None, Some((i, l, n, appendix))) => (Some(l), Some(n), appendix, Some(i)),
        (None, None) => (None, None, false, None),
    };
    let anchor = at.or_else(|| header_end(blocks, archive.as_ref(), table.as_ref()));
    let title = anchor.and_then(|a| find_title(blocks, a, number.as_ref()));
    // Body and meeting date: the deciding row's when the table has rows; the labels' else.
    let deciding = from_table
        .as_ref()
        .map(|(r, _, _)| *r)
        .or_else(|| table.as_ref().and_then(|t| t.rows.last()));
    let (body, body_abbreviation, meeting_date) = match deciding {
        Some(r) => (
            Some(r.body.clone()),
            r.abbreviation.clone(),
            r.meeting_date.clone(),
        ),
        None => {
            let (b, a) = find_body(blocks);
            (b, a, find_meeting_date(blocks))
        }
    };
    // Without a table, a header that labels body, date or number gives one treatment.
    let mut treatments = treatments;
    if treatments.is_empty() && table.is_none() {
        if let Some(b) = body.clone().filter(|_| has_body_label(blocks)) {
            if meeting_date.is_some() || own.is_some() {
                treatments.push(Treatment {
                    body: b,
                    body_abbreviation: body_abbreviation.clone(),
                    meeting_date: meeting_date.clone(),
                    item_number: own.clone(),
                    item_type: None,
                });
            }
        }
    }
    let case = Case {
        number: own,
        sequence: number.map(|n| n.sequence),
        year: number.map(|n| n.year),
        archive_number: archive.map(|a| a.number),
        title,
        body,
        body_abbreviation,
        meeting_date,
        treatments,
        sections: find_sections(blocks),
        proposed_decision,
        references: find_references(blocks, number),
        appendices: find_appendices(blocks),
    };
    Some(CaseFindings {
        case,
        appendix,
        saksframlegg,
    })
}

/// The last block of the paper's header: the archive number's, the table's or a metadata
/// label's (the case handler), whichever comes last near the top. The title follows it.
fn header_end(
    blocks: &[Block],
    archive: Option<&ArchiveNumber>,
    table: Option<&Saksgang>,
) -> Option<usize> {
    // The header ends at the latest where the paper's body begins: its proposed decision, a
    // section or its list of appendices (whose entries may look like labels: "Saksnr …pdf").
    let body_starts = blocks
        .iter()
        .take(HEADER_WINDOW)
        .position(|b| {
            is_decision_heading(&b.text)
                || is_section_heading(b)
                || b.lower().starts_with("vedlegg")
        })
        .unwrap_or(HEADER_WINDOW);
    let labelled = blocks
        .iter()
        .take(body_starts)
        .rposition(|b| is_metadata(b) || PAPER_CUES.iter().any(|c| b.lower().starts_with(c)));
    [
        archive.map(|a| a.block),
        table.map(|t| t.last_block),
        labelled,
    ]
    .into_iter()
    .flatten()
    .filter(|i| *i < HEADER_WINDOW)
    .max()
}

/// (block index, located number, number, is appendix) of the number a case word introduces
/// near the top ("Sak 07/26", "Vedlegg til sak 24.25"), outside the archive number's block.
fn labelled_number(
    blocks: &[Block],
    archive: Option<&ArchiveNumber>,
) -> Option<(usize, Located<String>, CaseNumber, bool)> {
    blocks
        .iter()
        .enumerate()
        .take(HEADER_WINDOW)
        .filter(|(i, _)| archive.is_none_or(|a| a.block != *i))
        .find_map(|(i, b)| {
            let f = find_case_numbers(&b.text)
                .into_iter()
                .find(|f| !b.text[f.range.end..].starts_with('-'))?;
            if f.cue_start > MAX_LABEL_BYTES || b.is_list_item() {
                return None;
            }
            let lower = b.lower();
            let appendix = lower.starts_with("vedlegg");
            Some((
                i,
                Located::new(f.number.to_string(), b.provenance(f.range)),
                f.number,
                appendix,
            ))
        })
}

fn find_title(blocks: &[Block], at: usize, number: Option<&CaseNumber>) -> Option<Located<String>> {
    if let Some(t) = number.and_then(|n| blocks.get(at).and_then(|b| title_after_number(b, n))) {
        return Some(t);
    }
    let near = blocks.get(at + 1..).unwrap_or(&[]).iter().take(6);
    let labelled = near.clone().find_map(|n| {
        let lower = n.lower();
        let label = TITLE_LABELS.iter().find(|l| lower.starts_with(*l))?;
        n.located(label.len()..n.text.len(), &[])
    });
    labelled.or_else(|| {
        near.filter(|n| !n.is_list_item() && !is_metadata(n) && !is_section_heading(n))
            .find(|n| !n.ends_sentence() || n.heading)
            .and_then(|n| {
                let title = number
                    .and_then(|num| title_after_number(n, num))
                    .or_else(|| n.located_all(&[]))?;
                Some(with_wrapped_tail(blocks, n, title))
            })
    })
}

/// Words a title line does not end on: where one does, the title wrapped onto the next line
/// ("… om tilskudd til lag og foreninger i" / "kommunen").
const WRAP_WORDS: [&str; 14] = [
    "i", "og", "for", "til", "av", "om", "med", "på", "fra", "frå", "ved", "-", "–", "en",
];

/// The title with its next line added when the title's line ends mid-phrase and the next one
/// follows without a gap.
fn with_wrapped_tail(
    blocks: &[Block],
    title_block: &Block,
    title: Located<String>,
) -> Located<String> {
    let last = title.value.rsplit(' ').next().unwrap_or("").to_lowercase();
    if !WRAP_WORDS.contains(&last.as_str()) {
        return title;
    }
    let Some(pos) = blocks.iter().position(|b| std::ptr::eq(b, title_block)) else {
        return title;
    };
    let Some(next) = blocks.get(pos + 1) else {
        return title;
    };
    let gap = next.line_ranges().next().is_none_or(|(_, gap)| gap);
    let short = next.text.split_whitespace().count() <= 8;
    if gap || !short || next.is_list_item() || next.ends_sentence() || is_metadata(next) {
        return title;
    }
    let at = match (title.at, next.whole()) {
        (Some(a), Some(b)) if a.page == b.page => Some(super::Provenance { end: b.end, ..a }),
        (a, _) => a,
    };
    Located::new(format!("{} {}", title.value, next.text.trim()), at)
}

/// "Sak 07/26 – Tittel": the text after the case's own number on its line.
fn title_after_number(b: &Block, number: &CaseNumber) -> Option<Located<String>> {
    let f = find_case_numbers(&b.text)
        .into_iter()
        .find(|f| f.number == *number)?;
    if f.cue_start > MAX_LABEL_BYTES {
        return None;
    }
    let rest = b.text.get(f.range.end..)?;
    let lead = rest.len() - rest.trim_start_matches(TITLE_SEPARATORS).len();
    let start = f.range.end + lead;
    let starts_with_date = find_dates(&b.text).iter().any(|(r, _)| r.start == start);
    if start >= b.text.len() || starts_with_date {
        return None;
    }
    b.located(start..b.text.len(), &[])
}

fn is_section_heading(b: &Block) -> bool {
    let lower = b.lower();
    SECTION_HEADINGS.contains(&lower.trim_end_matches(':').trim())
}

/// The body named in a header label; else the first body the text names.
fn find_body(blocks: &[Block]) -> (Option<Located<String>>, Option<String>) {
    let labelled = blocks
        .iter()
        .take(HEADER_WINDOW)
        .filter(|b| lower_starts(b, &BODY_LABELS));
    let known = labelled
        .clone()
        .find_map(|b| find_bodies(&b.text).into_iter().next().map(|f| (b, f)));
    if let Some((b, f)) = known {
        return (
            Some(Located::new(f.name, b.provenance(f.range))),
            f.abbreviation,
        );
    }
    // A body the list does not know ("Utvalg: Hovedutvalg for teknikk"), as printed.
    if let Some(v) = blocks.iter().take(HEADER_WINDOW).find_map(labelled_body) {
        return (Some(v), None);
    }
    let found = blocks
        .iter()
        .find_map(|b| find_bodies(&b.text).into_iter().next().map(|f| (b, f)));
    match found {
        Some((b, f)) => (
            Some(Located::new(f.name, b.provenance(f.range))),
            f.abbreviation,
        ),
        None => (None, None),
    }
}

fn has_body_label(blocks: &[Block]) -> bool {
    blocks
        .iter()
        .take(HEADER_WINDOW)
        .any(|b| lower_starts(b, &BODY_LABELS))
}

/// Labels whose value is the body a case goes to, with a colon.
const BODY_VALUE_LABELS: [&str; 6] = [
    "utvalg:",
    "utval:",
    "behandles i:",
    "behandlast i:",
    "organ:",
    "politisk organ:",
];

/// The value of a body label, up to a date, when it reads as a body's name.
fn labelled_body(b: &Block) -> Option<Located<String>> {
    let lower = b.lower();
    let label = BODY_VALUE_LABELS.iter().find(|l| lower.starts_with(*l))?;
    let end = find_dates(&b.text)
        .first()
        .map_or(b.text.len(), |(r, _)| r.start);
    let v = b.located(label.len()..end.max(label.len()), &[',', '-', '–'])?;
    let words = v.value.split_whitespace().count();
    let plausible = (1..=9).contains(&words)
        && v.value.chars().next().is_some_and(char::is_alphabetic)
        && !v.value.ends_with(['.', '?', '!'])
        && !v.value.contains(':');
    plausible.then_some(v)
}

/// The date on a meeting label's line, or in the row under a table header with a meeting-date
/// column.
fn find_meeting_date(blocks: &[Block]) -> Option<Located<super::PartialDate>> {
    let under_header = |i: usize| {
        i.checked_sub(1)
            .and_then(|p| blocks.get(p))
            .is_some_and(|h| h.lower().contains("møtedato") && find_dates(&h.text).is_empty())
    };
    blocks
        .iter()
        .enumerate()
        .take(HEADER_WINDOW)
        .filter(|(i, b)| lower_starts(b, &MEETING_LABELS) || under_header(*i))
        .map(|(_, b)| b)
        .find_map(|b| {
            find_dates(&b.text)
                .into_iter()
                .next()
                .map(|(r, d)| Located::new(d, b.provenance(r)))
        })
}

fn find_sections(blocks: &[Block]) -> Vec<Located<String>> {
    let mut out: Vec<Located<String>> = Vec::new();
    for b in blocks
        .iter()
        .filter(|b| !b.is_list_item() && is_section_heading(b))
    {
        if let Some(l) = b.located_all(&[':']) {
            if !out.iter().any(|o| o.value.eq_ignore_ascii_case(&l.value)) {
                out.push(l);
            }
        }
    }
    out
}

/// The paragraph after a decision heading, or the heading's own text after a colon; a list of
/// decision points is kept whole, one point a line.
/// "Forslag til vedtak", "Forslag til vedtak: …", and owned forms such as "Daglig leders
/// forslag til vedtak" or "Sekretariatets innstilling".
fn is_decision_heading(text: &str) -> bool {
    let lower = text.to_lowercase();
    let (head, _) = lower.split_once(':').unwrap_or((&lower, ""));
    let head = head.trim();
    let owned = head.split_whitespace().count() <= MAX_DECISION_HEADING_WORDS;
    DECISION_HEADINGS
        .iter()
        .any(|h| head == *h || (owned && head.ends_with(&format!(" {h}"))))
}

/// Most words of an owned decision heading ("Administrerende direktørs forslag til vedtak").
const MAX_DECISION_HEADING_WORDS: usize = 7;

fn find_decision(blocks: &[Block]) -> Option<Located<String>> {
    let (i, b) = blocks
        .iter()
        .enumerate()
        .find(|(_, b)| !b.is_list_item() && is_decision_heading(&b.text))?;
    if let Some(colon) = b.text.find(':') {
        if let Some(l) = b.located(colon + 1..b.text.len(), &[]) {
            return Some(l);
        }
    }
    let next = blocks.get(i + 1)?;
    if !next.is_list_item() {
        return next.located_all(&[]);
    }
    let points: Vec<&Block> = blocks
        .iter()
        .skip(i + 1)
        .take_while(|b| b.is_list_item())
        .collect();
    let text: Vec<String> = points
        .iter()
        .map(|p| match p.kind {
            super::text::BlockKind::Numbered { n, .. } => format!("{n}. {}", p.text),
            _ => p.text.clone(),
        })
        .collect();
    let at = next.whole().map(|first| {
        let end = points
            .iter()
            .rev()
            .find_map(|p| p.whole())
            .filter(|e| e.page == first.page)
            .map_or(first.end, |e| e.end);
        super::Provenance { end, ..first }
    });
    Some(Located::new(text.join("\n"), at))
}

/// Other case numbers in order of first mention.
fn find_references(blocks: &[Block], own: Option<CaseNumber>) -> Vec<Located<String>> {
    let mut seen: Vec<CaseNumber> = own.into_iter().collect();
    let mut out = Vec::new();
    for b in blocks {
        for f in find_case_numbers(&b.text) {
            if !seen.contains(&f.number) {
                seen.push(f.number);
                out.push(Located::new(f.number.to_string(), b.provenance(f.range)));
            }
        }
    }
    out
}

/// "Vedlegg 1: Tittel" lines, and numbered items under a "Vedlegg" heading.
fn find_appendices(blocks: &[Block]) -> Vec<Appendix> {
    let mut out: Vec<Appendix> = Vec::new();
    let mut under_heading = false;
    for b in blocks {
        let found = if b.is_list_item() && under_heading {
            // Bulleted appendix lists are numbered in order.
            let next = u32::try_from(out.len() + 1).unwrap_or(u32::MAX);
            let n = match b.kind {
                super::text::BlockKind::Numbered { n, .. } => n,
                _ => next,
            };
            b.located_all(&[]).map(|t| (n, t))
        } else {
            appendix_line(b)
        };
        under_heading = match b.kind {
            super::text::BlockKind::Paragraph => {
                let lower = b.lower();
                matches!(
                    lower.trim_end_matches(':').trim(),
                    "vedlegg" | "vedlegg i saken" | "vedlagt"
                )
            }
            _ => under_heading,
        };
        if let Some((number, title)) = found {
            if !out.iter().any(|a| a.number == number) {
                out.push(Appendix { number, title });
            }
        }
    }
    out
}

fn appendix_line(b: &Block) -> Option<(u32, Located<String>)> {
    let rest = b
        .text
        .strip_prefix("Vedlegg ")
        .or_else(|| b.text.strip_prefix("VEDLEGG "))?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let number: u32 = rest.get(..digits)?.parse().ok()?;
    let after = rest.get(digits..)?;
    let sep = after.chars().next()?;
    if !matches!(sep, ':' | '.' | '–' | '-' | ')' | ' ') {
        return None;
    }
    let title_start = b.text.len() - after.len();
    b.located(title_start..b.text.len(), &[':', '.', '–', '-', ')'])
        .filter(|t| t.value.chars().next().is_some_and(|c| !c.is_ascii_digit()))
        .map(|t| (number, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::text::{blocks, lines_from_text};

    fn case(s: &str) -> Case {
        extract(&blocks(&lines_from_text(s))).unwrap().case
    }

    #[test]
    fn header_forms() {
        let c = case("Sak 07/26: Handlingsplan for samhandling\n\nBakgrunn\n\nTekst.");
        assert_eq!(c.number.unwrap().value, "07.26");
        assert_eq!((c.sequence, c.year), (Some(7), Some(2026)));
        assert_eq!(c.title.unwrap().value, "Handlingsplan for samhandling");
        let c = case("Saksnr.: 2025/24\nMøtedato: 5. desember 2024\nUtvalg: Arbeidsutvalget\nSakstittel: Budsjett 2025");
        assert_eq!(c.number.unwrap().value, "24.25");
        assert_eq!(c.title.unwrap().value, "Budsjett 2025");
        assert_eq!(c.meeting_date.unwrap().value.to_string(), "2024-12-05");
        assert_eq!(c.body.unwrap().value, "Arbeidsutvalget");
        assert_eq!(c.body_abbreviation.as_deref(), Some("AU"));
    }

    #[test]
    fn decision_as_points() {
        let c = case("Sak 3/2025 Tittel\n\nForslag til vedtak:\n1. SSU tar saken til orientering.\n2. Saken sendes videre.\n\nVedlegg 1: Notat");
        assert_eq!(
            c.proposed_decision.unwrap().value,
            "1. SSU tar saken til orientering.\n2. Saken sendes videre."
        );
        assert_eq!(c.appendices.len(), 1);
        assert_eq!(c.appendices[0].title.value, "Notat");
    }

    #[test]
    fn saksgang_table() {
        let c = case("Saksgang\nUtvalg Møtedato Saksnr\nStrategisk samarbeidsutvalg 12.03.2026 07/26\n\nBudsjett 2026\n\nDaglig leders forslag til vedtak\n\nSSU vedtar budsjettet.\n\nVedlegg:\n- Budsjett\n- Notat");
        assert_eq!(c.number.unwrap().value, "07.26");
        assert_eq!(
            c.meeting_date.map(|d| d.value.to_string()).as_deref(),
            Some("2026-03-12")
        );
        assert_eq!(
            c.body.map(|b| b.value).as_deref(),
            Some("Strategisk samarbeidsutvalg")
        );
        assert_eq!(c.title.map(|t| t.value).as_deref(), Some("Budsjett 2026"));
        assert_eq!(
            c.proposed_decision.map(|d| d.value).as_deref(),
            Some("SSU vedtar budsjettet.")
        );
        let got: Vec<(u32, String)> = c
            .appendices
            .into_iter()
            .map(|a| (a.number, a.title.value))
            .collect();
        assert_eq!(got, [(1, "Budsjett".to_owned()), (2, "Notat".to_owned())]);
    }

    #[test]
    fn decision_headings() {
        assert!(is_decision_heading("Forslag til vedtak"));
        assert!(is_decision_heading("Forslag til vedtak:"));
        assert!(is_decision_heading("Daglig leders forslag til vedtak"));
        assert!(is_decision_heading("Sekretariatets innstilling"));
        assert!(!is_decision_heading(
            "Forslag til vedtakene i kommunene ble sendt ut i mai"
        ));
        assert!(!is_decision_heading("Innstillingen"));
    }

    #[test]
    fn inline_decision() {
        let c = case("Sak 12.25 Tittel\n\nForslag til vedtak: AU godkjenner planen.");
        assert_eq!(c.proposed_decision.unwrap().value, "AU godkjenner planen.");
    }

    #[test]
    fn appendices_under_a_heading() {
        let c = case("Sak 12.25 Tittel\n\nVedlegg:\n1. Referat\n2. Budsjett\n\nVedlegg 2 – Annet");
        let got: Vec<(u32, String)> = c
            .appendices
            .into_iter()
            .map(|a| (a.number, a.title.value))
            .collect();
        assert_eq!(got, [(1, "Referat".to_owned()), (2, "Budsjett".to_owned())]);
    }
}
