//! Which genre a document belongs to, from the evidence the other rules found plus a few cues.

use super::case::CaseFindings;
use super::plan::PlanFindings;
use super::text::Block;
use super::DocumentKind;

/// A plan needs more than a title: a period, focus areas, action items, a vision or adoption.
const PLAN_THRESHOLD: u32 = 3;

/// Phrases that web pages carry and printed documents do not.
const WEB_CUES: [&str; 10] = [
    "sist oppdatert",
    "illustrasjonsbilde",
    "del på facebook",
    "del denne siden",
    "hopp til innhold",
    "les mer",
    "skriv ut",
    "informasjonskapsler",
    "(pdf)",
    "logo",
];

/// Slides are fragments: most blocks are short and unpunctuated.
const SLIDE_FRAGMENT_SHARE: f32 = 0.6;
const SLIDE_FRAGMENT_CHARS: usize = 60;
const MIN_SLIDE_BLOCKS: usize = 12;

/// How a meeting's minutes or protocol name themselves at the top (bokmål and nynorsk).
const MINUTES_CUES: [&str; 8] = [
    "møteprotokoll",
    "protokoll",
    "møtebok",
    "utskrift av møtebok",
    "særutskrift",
    "møtereferat",
    "referat",
    "utdrag av møtebok",
];
/// How reports name themselves at the top: the word alone or first ("Årsrapport 2025",
/// "Rapport fra arbeidsgruppe …"), bokmål and nynorsk.
const REPORT_CUES: [&str; 9] = [
    "rapport",
    "årsrapport",
    "årsmelding",
    "sluttrapport",
    "delrapport",
    "evalueringsrapport",
    "statusrapport",
    "utredning",
    "utgreiing",
];

/// The first blocks looked at for what a document calls itself.
const TOP_BLOCKS: usize = 6;
/// Header fields of an e-mail as printed ("From:", "Fra:", …); two or more make a letter.
const MAIL_FIELDS: [&str; 10] = [
    "from:", "sent:", "to:", "subject:", "cc:", "fra:", "sendt:", "til:", "emne:", "kopi:",
];
const TOP_LINES: usize = 20;

pub(crate) fn classify(
    blocks: &[Block],
    case: Option<&CaseFindings>,
    plan: Option<&PlanFindings>,
) -> DocumentKind {
    let is_plan = plan.is_some_and(|p| p.score >= PLAN_THRESHOLD);
    let paper = case.is_some_and(|c| c.saksframlegg);
    if !paper {
        if is_minutes(blocks) {
            return DocumentKind::Minutes;
        }
        if is_letter(blocks) {
            return DocumentKind::Letter;
        }
    }
    if let Some(c) = case {
        // An appendix may quote its case's proposed decision; only a "Saksframlegg" header
        // overrides "Vedlegg til sak".
        if c.appendix && !c.saksframlegg {
            return DocumentKind::CaseAppendix;
        }
        let paper = c.saksframlegg || c.case.proposed_decision.is_some();
        // A bare "Sak 12/24" near the top of a full plan is a reference, not a case header;
        // nor is it on a form or a notice that has nothing else of a case paper.
        if paper || (!is_plan && case_signals(c) >= MIN_CASE_SIGNALS) {
            return DocumentKind::CasePaper;
        }
    }
    if is_plan {
        return DocumentKind::Plan;
    }
    if names_itself(blocks, &REPORT_CUES) {
        return DocumentKind::Report;
    }
    if looks_like_slides(blocks) {
        return DocumentKind::Presentation;
    }
    let lower: Vec<&str> = blocks.iter().map(|b| b.lower()).collect();
    if lower
        .iter()
        .any(|t| WEB_CUES.iter().any(|c| t.starts_with(c) || t.ends_with(c)))
    {
        return DocumentKind::WebPage;
    }
    DocumentKind::Other
}

/// Minutes name themselves at the top ("Møteprotokoll", "Referat"), or open with a body's
/// treatment of a case ("Formannskapets behandling av sak 10/2026 i møte …").
fn is_minutes(blocks: &[Block]) -> bool {
    names_itself(blocks, &MINUTES_CUES)
        || blocks.iter().take(TOP_BLOCKS).any(|b| {
            let lower = b.lower();
            lower.chars().count() < 160
                && (lower.contains(" behandling av sak ") || lower.contains(" handsaming av sak "))
        })
}

/// One of the first blocks starts with one of `cues` as a word of its own.
fn names_itself(blocks: &[Block], cues: &[&str]) -> bool {
    blocks
        .iter()
        .take(TOP_BLOCKS)
        .any(|b| cues.iter().any(|c| b.starts_with_label(c)))
}

/// A printed e-mail (two or more of its header fields at line starts near the top), or a
/// letter that says it is one ("Brev fra …").
fn is_letter(blocks: &[Block]) -> bool {
    let lines: Vec<&str> = blocks
        .iter()
        .flat_map(|b| {
            b.line_ranges()
                .filter_map(move |(r, _)| b.text.get(r))
                .map(str::trim)
        })
        .take(TOP_LINES)
        .collect();
    let fields = MAIL_FIELDS
        .iter()
        .filter(|f| lines.iter().any(|l| l.to_lowercase().starts_with(*f)))
        .count();
    let has = |label: &str| lines.iter().any(|l| l.to_lowercase().starts_with(label));
    // A formal letter answers someone: it carries the other side's reference beside its own.
    let formal = (has("deres ref") || has("dykkar ref")) && (has("vår ref") || has("vår dato"));
    fields >= 2
        || formal
        || lines
            .first()
            .is_some_and(|l| l.to_lowercase().starts_with("brev fra "))
}

/// What makes a paper a case paper besides a number: two of these at least.
const MIN_CASE_SIGNALS: usize = 2;

fn case_signals(c: &CaseFindings) -> usize {
    let case = &c.case;
    [
        case.number.is_some(),
        c.saksframlegg,
        !case.treatments.is_empty(),
        case.archive_number.is_some(),
        case.proposed_decision.is_some(),
        !case.sections.is_empty(),
        case.meeting_date.is_some(),
        !case.appendices.is_empty(),
    ]
    .into_iter()
    .filter(|s| *s)
    .count()
}

fn looks_like_slides(blocks: &[Block]) -> bool {
    if blocks.len() < MIN_SLIDE_BLOCKS {
        return false;
    }
    let fragments = blocks
        .iter()
        .filter(|b| b.text.chars().count() < SLIDE_FRAGMENT_CHARS && !b.ends_sentence())
        .count();
    fragments as f32 / blocks.len() as f32 >= SLIDE_FRAGMENT_SHARE
}
