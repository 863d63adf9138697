//! Rule-based classification and entity extraction for Norwegian health-community documents:
//! case papers and their appendices (case numbers, bodies, proposed decisions, references) and
//! plans (kind, owner, period, adoption, vision, focus areas, action items).
//!
//! Rules read a small block model built from a page's laid-out lines when the PDF extractor
//! provides them and from its plain text otherwise, so plain-text sources work the same way.
//! Every extracted value keeps the page and character range it was read from; the serialized
//! form (the shape of the golden files) leaves provenance out, `DocumentEntities::provenance`
//! lists it for storage.

pub mod case_number;
pub mod dates;
pub mod orgs;

mod case;
mod classify;
mod layout;
mod plan;
mod plan_fields;
mod saksgang;
mod text;

use serde::{Serialize, Serializer};

pub use case_number::CaseNumber;
pub use dates::{PartialDate, Period};

use crate::pdf;

/// Where a value was read: 1-based page and a char range (Unicode scalar values, end exclusive)
/// in that page's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub page: u32,
    pub start: usize,
    pub end: usize,
}

/// A value and where it came from. Serializes as the bare value.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Option<Provenance>,
}

impl<T> Located<T> {
    pub fn new(value: T, at: Option<Provenance>) -> Self {
        Self { value, at }
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Plan,
    CasePaper,
    CaseAppendix,
    /// Minutes or a protocol of a meeting (møteprotokoll, møtebok, referat), or a body's
    /// treatment of one case.
    Minutes,
    /// A letter or an e-mail.
    Letter,
    /// A report (rapport, årsrapport, årsmelding, evaluering, utredning).
    Report,
    Presentation,
    WebPage,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    StrategyPlan,
    ActionPlan,
    DevelopmentPlan,
    RegionalDevelopmentPlan,
    BusinessStrategy,
    EconomicLongTermPlan,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentEntities {
    pub document_kind: DocumentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    /// Canonical organisation names in order of first mention.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organizations_mentioned: Vec<Located<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub kind: PlanKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Located<Period>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted_on: Option<Located<PartialDate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted_by: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vision: Option<Located<String>>,
    /// The plan this one implements, as the document names it ("Strategi for … 2024–2028"):
    /// an action plan's strategy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_plan: Option<Located<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub focus_areas: Vec<FocusArea>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_plan: Option<ActionPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusArea {
    pub title: Located<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<Located<String>>,
    pub measures: Vec<Located<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionPlan {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Located<Period>>,
    pub items: Vec<ActionItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItem {
    pub focus_area: Located<String>,
    pub text: Located<String>,
    /// Who carries the item out, as printed ("Ansvar: Kommunene").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<Located<String>>,
    /// When it is due, as printed ("Frist: 2. kvartal 2026"): deadlines come as dates, years,
    /// quarters or words ("løpende"), so the text is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Located<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Case {
    /// The item number the paper is handled under ("24.25": sequence and two-digit year,
    /// whatever form the document used); many papers leave it blank, and then it stays empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// The archive case the paper belongs to ("2026/308"), never an item number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_number: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_abbreviation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_date: Option<Located<PartialDate>>,
    /// The bodies the case goes through (*saksgang*), in the order printed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub treatments: Vec<Treatment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Located<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_decision: Option<Located<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Located<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appendices: Vec<Appendix>,
}

impl Case {
    /// The item number, when the paper states one.
    pub fn item_number(&self) -> Option<CaseNumber> {
        Some(CaseNumber {
            year: self.year?,
            sequence: self.sequence?,
        })
    }
}

/// One body's handling of a case: a row of the paper's *saksgang*.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Treatment {
    pub body: Located<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_abbreviation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_date: Option<Located<PartialDate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_number: Option<Located<String>>,
    /// "PS", "RS", "OS", … where the number carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appendix {
    pub number: u32,
    pub title: Located<String>,
}

/// Entities of an extracted PDF.
pub fn extract(doc: &pdf::Extracted) -> DocumentEntities {
    from_lines(&layout::lines_from_pages(&doc.pages))
}

/// Entities of plain text; `\f` separates pages.
pub fn extract_from_text(text: &str) -> DocumentEntities {
    from_lines(&text::lines_from_text(text))
}

fn from_lines(lines: &[text::SourceLine]) -> DocumentEntities {
    let blocks = text::blocks(lines);
    let orgs = plan::organizations(&blocks);
    let case = case::extract(&blocks);
    let plan = plan::extract(&blocks, &orgs);
    let document_kind = classify::classify(&blocks, case.as_ref(), plan.as_ref());
    let (plan, case) = match document_kind {
        DocumentKind::Plan => (plan.map(|p| p.plan), None),
        DocumentKind::CasePaper | DocumentKind::CaseAppendix => (None, case.map(|c| c.case)),
        _ => (None, None),
    };
    DocumentEntities {
        document_kind,
        plan,
        case,
        organizations_mentioned: orgs,
    }
}

impl DocumentEntities {
    /// Every located value as (JSON path, provenance), for storing where values came from.
    pub fn provenance(&self) -> Vec<(String, Provenance)> {
        let mut out = Vec::new();
        let mut put = |path: String, at: Option<Provenance>| {
            if let Some(at) = at {
                out.push((path, at));
            }
        };
        for (i, o) in self.organizations_mentioned.iter().enumerate() {
            put(format!("organizations_mentioned[{i}]"), o.at);
        }
        if let Some(p) = &self.plan {
            put("plan.title".into(), p.title.as_ref().and_then(|v| v.at));
            put("plan.owner".into(), p.owner.as_ref().and_then(|v| v.at));
            put("plan.period".into(), p.period.as_ref().and_then(|v| v.at));
            put(
                "plan.adopted_on".into(),
                p.adopted_on.as_ref().and_then(|v| v.at),
            );
            put(
                "plan.adopted_by".into(),
                p.adopted_by.as_ref().and_then(|v| v.at),
            );
            put("plan.vision".into(), p.vision.as_ref().and_then(|v| v.at));
            put(
                "plan.parent_plan".into(),
                p.parent_plan.as_ref().and_then(|v| v.at),
            );
            for (i, f) in p.focus_areas.iter().enumerate() {
                put(format!("plan.focus_areas[{i}].title"), f.title.at);
                put(
                    format!("plan.focus_areas[{i}].goal"),
                    f.goal.as_ref().and_then(|v| v.at),
                );
                for (j, m) in f.measures.iter().enumerate() {
                    put(format!("plan.focus_areas[{i}].measures[{j}]"), m.at);
                }
            }
            if let Some(a) = &p.action_plan {
                put(
                    "plan.action_plan.period".into(),
                    a.period.as_ref().and_then(|v| v.at),
                );
                for (i, item) in a.items.iter().enumerate() {
                    put(
                        format!("plan.action_plan.items[{i}].focus_area"),
                        item.focus_area.at,
                    );
                    put(format!("plan.action_plan.items[{i}].text"), item.text.at);
                    put(
                        format!("plan.action_plan.items[{i}].responsible"),
                        item.responsible.as_ref().and_then(|v| v.at),
                    );
                    put(
                        format!("plan.action_plan.items[{i}].deadline"),
                        item.deadline.as_ref().and_then(|v| v.at),
                    );
                }
            }
        }
        if let Some(c) = &self.case {
            put("case.number".into(), c.number.as_ref().and_then(|v| v.at));
            put(
                "case.archive_number".into(),
                c.archive_number.as_ref().and_then(|v| v.at),
            );
            for (i, t) in c.treatments.iter().enumerate() {
                put(format!("case.treatments[{i}].body"), t.body.at);
                put(
                    format!("case.treatments[{i}].meeting_date"),
                    t.meeting_date.as_ref().and_then(|v| v.at),
                );
                put(
                    format!("case.treatments[{i}].item_number"),
                    t.item_number.as_ref().and_then(|v| v.at),
                );
            }
            put("case.title".into(), c.title.as_ref().and_then(|v| v.at));
            put("case.body".into(), c.body.as_ref().and_then(|v| v.at));
            put(
                "case.meeting_date".into(),
                c.meeting_date.as_ref().and_then(|v| v.at),
            );
            put(
                "case.proposed_decision".into(),
                c.proposed_decision.as_ref().and_then(|v| v.at),
            );
            for (i, s) in c.sections.iter().enumerate() {
                put(format!("case.sections[{i}]"), s.at);
            }
            for (i, r) in c.references.iter().enumerate() {
                put(format!("case.references[{i}]"), r.at);
            }
            for (i, a) in c.appendices.iter().enumerate() {
                put(format!("case.appendices[{i}].title"), a.title.at);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as the laid-out extractor will deliver it: lines with boxes, sizes and weight.
    fn page(number: u32, lines: &[(&str, f32, bool, f32)]) -> pdf::Page {
        let mut y = 800.0;
        let lines: Vec<pdf::Line> = lines
            .iter()
            .map(|&(text, size, bold, x)| {
                y -= size * 1.3;
                pdf::Line {
                    text: text.to_owned(),
                    bbox: [x, y, x + 400.0, y + size],
                    font_size: size,
                    bold,
                }
            })
            .collect();
        pdf::Page::from_lines(number, lines)
    }

    #[test]
    fn laid_out_lines_use_font_for_headings() {
        let long =
            "Helsefellesskapet har arbeidet med planen gjennom hele året sammen med kommunene og";
        let doc = pdf::Extracted {
            pages: vec![
                page(
                    1,
                    &[
                        (
                            "Handlingsplan 2025–2026 for Helsefellesskap Vestfold",
                            18.0,
                            true,
                            50.0,
                        ),
                        (long, 11.0, false, 50.0),
                        ("sykehuset, og den gjelder for to år.", 11.0, false, 50.0),
                        // Bold and larger: a heading even though it follows an unfinished long line.
                        ("Psykisk helse", 14.0, true, 50.0),
                        ("• Etablere felles team for unge voksne", 11.0, false, 60.0),
                        ("• Samarbeide om ROP-pasienter", 11.0, false, 60.0),
                    ],
                ),
                page(
                    2,
                    &[
                        ("Eldre", 14.0, true, 50.0),
                        ("• Felles rutiner ved utskrivning", 11.0, false, 60.0),
                    ],
                ),
            ],
            producer: None,
            title: None,
        };
        let e = extract(&doc);
        assert_eq!(e.document_kind, DocumentKind::Plan);
        let plan = e.plan.as_ref().expect("plan");
        assert_eq!(plan.kind, PlanKind::ActionPlan);
        assert_eq!(
            plan.owner.as_ref().map(|o| o.value.as_str()),
            Some("Helsefellesskap Vestfold")
        );
        let items = plan
            .action_plan
            .as_ref()
            .map(|a| a.items.clone())
            .unwrap_or_default();
        let got: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.focus_area.value.as_str(), i.text.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Psykisk helse", "Etablere felles team for unge voksne"),
                ("Psykisk helse", "Samarbeide om ROP-pasienter"),
                ("Eldre", "Felles rutiner ved utskrivning"),
            ]
        );
        let at = items.last().and_then(|i| i.text.at).expect("provenance");
        let text: String = doc.pages[1]
            .text
            .chars()
            .skip(at.start)
            .take(at.end - at.start)
            .collect();
        assert_eq!(
            (at.page, text.as_str()),
            (2, "Felles rutiner ved utskrivning")
        );
    }

    #[test]
    fn provenance_lists_every_located_value() {
        let e = extract_from_text("Sak 07.26 Budsjett\n\nForslag til vedtak\n\nAU godkjenner budsjettet.\n\nVedlegg 1: Budsjett");
        let paths: Vec<String> = e.provenance().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "case.number",
                "case.title",
                "case.body",
                "case.proposed_decision",
                "case.sections[0]",
                "case.appendices[0].title"
            ]
        );
    }
}
