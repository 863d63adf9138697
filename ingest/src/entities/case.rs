//! Case papers and their appendices: the case's own number, title, body, meeting date,
//! sections, proposed decision, references to other cases and the list of appendices.

use super::case_number::{find_case_numbers, parse_case_number, CaseNumber};
use super::dates::find_dates;
use super::orgs::find_bodies;
use super::text::Block;
use super::{Appendix, Case, Located};

/// How far into the document the case's own number may appear, in blocks.
const HEADER_WINDOW: usize = 15;
/// Most bytes of label before the case word for a number to be the document's own
/// ("Vedlegg til sak 24.25", "Saksframlegg – sak 07/26").
const MAX_LABEL_BYTES: usize = 30;

/// Header labels whose block is metadata, never the case title.
const METADATA_LABELS: [&str; 14] = [
    "møtedato",
    "møtedag",
    "dato",
    "saksbehandler",
    "arkivsak",
    "arkiv",
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

/// Headings after which the proposed decision follows.
const DECISION_HEADINGS: [&str; 6] = [
    "forslag til vedtak",
    "forslag til innstilling",
    "forslag til beslutning",
    "innstilling",
    "administrasjonens forslag til vedtak",
    "sekretariatets forslag til vedtak",
];

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

fn lower_starts(b: &Block, labels: &[&str]) -> bool {
    let lower = b.lower();
    labels.iter().any(|l| lower.starts_with(l))
}

pub(crate) fn extract(blocks: &[Block]) -> Option<CaseFindings> {
    let (at, own, number, appendix) = own_number(blocks)?;
    let title = find_title(blocks, at, &number);
    let (body, body_abbreviation) = find_body(blocks);
    let proposed_decision = find_decision(blocks);
    let saksframlegg = blocks.iter().any(|b| b.lower().starts_with("saksframlegg"));
    let case = Case {
        number: own.clone(),
        sequence: number.sequence,
        year: number.year,
        title,
        body,
        body_abbreviation,
        meeting_date: find_meeting_date(blocks),
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

/// Header-row words of the "Saksgang" table (Utvalg | Møtedato | Saksnr), whose next row holds
/// the case number without a case word before it.
const TABLE_HEADER_WORDS: [&str; 4] = ["saksnr", "saksnummer", "utvalgssak", "sak nr"];

/// (block index, located number, number, is appendix) of the number the header introduces.
fn own_number(blocks: &[Block]) -> Option<(usize, Located<String>, CaseNumber, bool)> {
    labelled_number(blocks).or_else(|| table_number(blocks))
}

/// The number in the row under a table header naming the case-number column.
fn table_number(blocks: &[Block]) -> Option<(usize, Located<String>, CaseNumber, bool)> {
    let header = blocks.iter().take(HEADER_WINDOW).position(|b| {
        let lower = b.lower();
        TABLE_HEADER_WORDS.iter().any(|w| lower.contains(w))
            && find_case_numbers(&b.text).is_empty()
    })?;
    blocks
        .iter()
        .enumerate()
        .skip(header + 1)
        .take(3)
        .find_map(|(i, b)| {
            super::dates::tokens(&b.text).into_iter().find_map(|t| {
                let number = parse_case_number(t.raw)?;
                let lead = t.raw.len() - t.raw.trim_start_matches('(').len();
                let len = t
                    .raw
                    .trim_start_matches('(')
                    .trim_end_matches([',', ';', ':', ')', '.'])
                    .len();
                let at = b.provenance(t.range.start + lead..t.range.start + lead + len);
                Some((i, Located::new(number.to_string(), at), number, false))
            })
        })
}

fn labelled_number(blocks: &[Block]) -> Option<(usize, Located<String>, CaseNumber, bool)> {
    blocks
        .iter()
        .enumerate()
        .take(HEADER_WINDOW)
        .find_map(|(i, b)| {
            let f = find_case_numbers(&b.text).into_iter().next()?;
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

fn find_title(blocks: &[Block], at: usize, number: &CaseNumber) -> Option<Located<String>> {
    if let Some(t) = blocks.get(at).and_then(|b| title_after_number(b, number)) {
        return Some(t);
    }
    let near = blocks.get(at + 1..).unwrap_or(&[]).iter().take(6);
    let labelled = near.clone().find_map(|n| {
        let lower = n.lower();
        let label = TITLE_LABELS.iter().find(|l| lower.starts_with(*l))?;
        n.located(label.len()..n.text.len(), &[])
    });
    labelled.or_else(|| {
        near.filter(|n| {
            !n.is_list_item() && !lower_starts(n, &METADATA_LABELS) && !is_section_heading(n)
        })
        .find(|n| !n.ends_sentence() || n.heading)
        .and_then(|n| title_after_number(n, number).or_else(|| n.located_all(&[])))
    })
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
    let mut candidates = labelled.chain(blocks.iter());
    let found = candidates.find_map(|b| find_bodies(&b.text).into_iter().next().map(|f| (b, f)));
    match found {
        Some((b, f)) => (
            Some(Located::new(f.name, b.provenance(f.range))),
            f.abbreviation,
        ),
        None => (None, None),
    }
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
fn find_references(blocks: &[Block], own: CaseNumber) -> Vec<Located<String>> {
    let mut seen = vec![own];
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
        assert_eq!(c.number.value, "07.26");
        assert_eq!((c.sequence, c.year), (7, 2026));
        assert_eq!(c.title.unwrap().value, "Handlingsplan for samhandling");
        let c = case("Saksnr.: 2025/24\nMøtedato: 5. desember 2024\nUtvalg: Arbeidsutvalget\nSakstittel: Budsjett 2025");
        assert_eq!(c.number.value, "24.25");
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
        assert_eq!(c.number.value, "07.26");
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
