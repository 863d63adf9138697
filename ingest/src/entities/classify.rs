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

pub(crate) fn classify(
    blocks: &[Block],
    case: Option<&CaseFindings>,
    plan: Option<&PlanFindings>,
) -> DocumentKind {
    let is_plan = plan.is_some_and(|p| p.score >= PLAN_THRESHOLD);
    if let Some(c) = case {
        // An appendix may quote its case's proposed decision; only a "Saksframlegg" header
        // overrides "Vedlegg til sak".
        if c.appendix && !c.saksframlegg {
            return DocumentKind::CaseAppendix;
        }
        let paper = c.saksframlegg || c.case.proposed_decision.is_some();
        // A bare "Sak 12/24" near the top of a full plan is a reference, not a case header.
        if paper || !is_plan {
            return DocumentKind::CasePaper;
        }
    }
    if is_plan {
        return DocumentKind::Plan;
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
