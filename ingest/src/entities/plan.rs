//! Plans: kind and title, owner, period, adoption, vision, focus areas with goals and measures,
//! and the action part's items.

use std::collections::HashMap;

use super::dates::{find_dates, find_periods, PartialDate, Period};
use super::orgs::{find_orgs, normalize_org};
use super::plan_fields;
use super::text::{ends_sentence, Block};
use super::{ActionItem, ActionPlan, FocusArea, Located, Plan, PlanKind};

/// Plan words, the kind they name, and whether they may end a compound ("kompetansestrategi").
/// The earliest in a title wins, the longest on a tie, so "Regional utviklingsplan" is regional
/// and "Strategi … med handlingsdel" a strategy; "samhandlingsplan" is no "handlingsplan".
const PLAN_WORDS: [(&str, PlanKind, bool); 12] = [
    (
        "regional utviklingsplan",
        PlanKind::RegionalDevelopmentPlan,
        false,
    ),
    (
        "økonomisk langtidsplan",
        PlanKind::EconomicLongTermPlan,
        false,
    ),
    ("økonomiplan", PlanKind::EconomicLongTermPlan, false),
    ("langtidsplan", PlanKind::EconomicLongTermPlan, false),
    ("virksomhetsstrategi", PlanKind::BusinessStrategy, false),
    ("utviklingsplan", PlanKind::DevelopmentPlan, false),
    ("handlingsplan", PlanKind::ActionPlan, false),
    ("tiltaksplan", PlanKind::ActionPlan, false),
    ("strategiplan", PlanKind::StrategyPlan, true),
    ("strategi", PlanKind::StrategyPlan, true),
    ("planstrategi", PlanKind::StrategyPlan, true),
    ("plan", PlanKind::Other, true),
];

/// Parenthesised link hints that web pages append to titles ("(PDF)").
const TITLE_NOISE: [&str; 4] = ["(pdf)", "(word)", "(docx)", "(lenke)"];

/// How far into the document a plan title may appear, in blocks.
const TITLE_WINDOW: usize = 40;
const MAX_TITLE_CHARS: usize = 200;

/// Lines that introduce a list of measures under a focus area; matched on the lower-cased line,
/// which must also end with a colon.
const MEASURE_INTRO_ENDINGS: [&str; 9] = [
    "ved å:",
    "gjennom å:",
    "tiltak:",
    "vi vil:",
    "vi skal:",
    "vil vi:",
    "vi gjøre:",
    "tiltakene er:",
    "tiltak er:",
];
const MEASURE_INTRO_PHRASES: [&str; 6] = [
    " vil i ",
    " vil vi",
    " skal vi",
    " vil gjennom ",
    "vi vil ",
    "i planperioden",
];

/// Headings that open the action part of a plan.
const ACTION_HEADINGS: [&str; 4] = ["handlingsdel", "handlingsplan", "tiltaksdel", "tiltaksplan"];

/// Headings inside an action part that label columns, not focus areas.
const LABEL_HEADINGS: [&str; 8] = [
    "tiltak",
    "mål",
    "ansvar",
    "frist",
    "status",
    "aktiviteter",
    "tidsramme",
    "resultat",
];

/// Words that make an item tentative rather than decided ("SSU prioriterer eventuelt ...").
const TENTATIVE_WORDS: [&str; 2] = ["eventuelt", "ev."];

/// Adoption verbs written before the adopter ("Besluttet i partnerskapsmøtet 08.06.2022").
/// Bokmål and nynorsk ("Vedteken av partnarskapsmøtet …", "handsama og vedteke i …").
const PASSIVE_ADOPTION: [&str; 11] = [
    "besluttet",
    "vedtatt",
    "godkjent",
    "behandlet og vedtatt",
    "vedteken",
    "vedteke",
    "vedtekne",
    "godkjend",
    "handsama og vedteken",
    "handsama og vedteke",
    "handsama og vedtatt",
];
/// Auxiliaries of the passive before the verb ("ble vedtatt", nynorsk "vart/blei vedteken").
const PASSIVE_AUXILIARIES: [&str; 3] = ["ble ", "vart ", "blei "];
/// Adoption verbs written after the adopter ("Styret … behandlet og vedtok … 19. desember 2018").
const ACTIVE_ADOPTION: [&str; 3] = [" vedtok ", " besluttet ", " godkjente "];
/// Most words an adopter's name may have ("Styret for Helse Midt-Norge RHF").
const MAX_ADOPTER_WORDS: usize = 8;

const QUOTES: [char; 7] = ['«', '»', '"', '“', '”', '\'', '’'];

/// Questions that head a focus area ("Hvordan skal sterkere samhandling gi …?") name it by the
/// subject between these words and a verb.
const QUESTION_OPENERS: [&str; 3] = ["hvordan skal ", "hvordan kan ", "hvordan vil "];
const QUESTION_VERBS: [&str; 10] = [
    " gi ", " sikre ", " bidra ", " bli ", " føre ", " styrke ", " skape ", " gjøre ", " løse ",
    " bedre ",
];
const PRONOUNS: [&str; 5] = ["vi", "dere", "de", "vi i", "man"];

pub(crate) struct PlanFindings {
    pub plan: Plan,
    /// How much of a plan the document looks like; `classify` weighs it.
    pub score: u32,
}

pub(crate) fn plan_kind(title: &str) -> Option<PlanKind> {
    let lower = title.to_lowercase();
    let word_start = |at: usize| {
        lower
            .get(..at)
            .is_some_and(|h| !h.ends_with(char::is_alphabetic))
    };
    // "plan" must end its word, inflected at most ("planen"), so "planlegging" is no plan.
    let word_end = |end: usize| {
        let tail = lower.get(end..).unwrap_or("");
        let rest = ["ene", "en", "er"]
            .iter()
            .find_map(|i| tail.strip_prefix(i))
            .unwrap_or(tail);
        !rest.starts_with(char::is_alphabetic)
    };
    PLAN_WORDS
        .iter()
        .filter_map(|&(w, k, compound)| {
            let at = lower.match_indices(w).map(|(at, _)| at).find(|&at| {
                (compound || word_start(at)) && (w != "plan" || word_end(at + w.len()))
            })?;
            Some((at, std::cmp::Reverse(w.len()), k))
        })
        .min_by_key(|(at, len, _)| (*at, *len))
        .map(|(_, _, k)| k)
}

pub(crate) fn extract(blocks: &[Block], orgs: &[Located<String>]) -> Option<PlanFindings> {
    let TitleFinding {
        at: title_at,
        title,
        kind,
        period,
    } = find_title(blocks)?;
    let adoption = find_adoption(blocks);
    let owner = find_owner(
        blocks,
        title_at,
        adoption.as_ref().and_then(|a| a.1.as_ref()),
        orgs,
    );
    let vision = find_vision(blocks);
    let mut focus_areas = find_focus_areas(blocks);
    let mut action_plan = find_action_plan(blocks, title_at, kind, period.as_ref());
    // Sections with labelled fields ("Mål:", "Tiltak:", a Tiltak/Ansvar/Frist table) say
    // what each line is, so where the document has them they win over the shape-based rules.
    let sections = plan_fields::read(blocks, title_at, kind);
    let labelled = sections.labelled && !sections.areas.is_empty();
    if labelled {
        focus_areas = sections.focus_areas();
        let own_items = action_plan.as_ref().is_some_and(|a| !a.items.is_empty())
            && kind != PlanKind::ActionPlan;
        if !own_items && (kind == PlanKind::ActionPlan || sections.has_assignments()) {
            let period = action_plan.and_then(|a| a.period);
            action_plan = Some(ActionPlan {
                period,
                items: sections.action_items(),
            });
        }
    } else if focus_areas.is_empty() && kind == PlanKind::ActionPlan {
        focus_areas = action_plan
            .as_ref()
            .map(|a| areas_from_items(blocks, &a.items))
            .unwrap_or_default();
    }
    let parent_plan = (kind == PlanKind::ActionPlan)
        .then(|| find_parent(blocks, title_at))
        .flatten();
    let score = 2 * u32::from(period.is_some())
        + 1
        + 2 * u32::from(focus_areas.len() >= 2)
        + u32::from(action_plan.as_ref().is_some_and(|a| !a.items.is_empty()))
        + u32::from(vision.is_some())
        + u32::from(adoption.is_some())
        + u32::from(labelled);
    let (adopted_on, adopted_by) = adoption.map_or((None, None), |(on, by)| (Some(on), by));
    let plan = Plan {
        kind,
        title: Some(title),
        owner,
        period,
        adopted_on,
        adopted_by,
        vision,
        parent_plan,
        focus_areas,
        action_plan,
    };
    Some(PlanFindings { plan, score })
}

struct TitleFinding {
    at: usize,
    title: Located<String>,
    kind: PlanKind,
    period: Option<Located<Period>>,
}

/// First heading-like block naming a plan, preferring one with a period.
fn find_title(blocks: &[Block]) -> Option<TitleFinding> {
    let candidates = || {
        blocks
            .iter()
            .enumerate()
            .take(TITLE_WINDOW)
            .filter(|(_, b)| {
                !b.is_list_item()
                    && b.text.chars().count() <= MAX_TITLE_CHARS
                    && !ends_sentence(&b.text)
                    && plan_kind(&b.text).is_some()
            })
    };
    let with_period = candidates().find(|(_, b)| !find_periods(&b.text).is_empty());
    let (at, b) = with_period.or_else(|| candidates().find(|(_, b)| b.heading))?;
    let end = strip_noise(&b.text);
    let title = b.located(0..end, &[])?;
    let kind = plan_kind(&title.value)?;
    let period = find_periods(&b.text)
        .into_iter()
        .next()
        .map(|(r, p)| Located::new(p, b.provenance(r)));
    Some(TitleFinding {
        at,
        title,
        kind,
        period,
    })
}

/// Byte length of `text` without trailing link hints.
fn strip_noise(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let head = text.get(..end).unwrap_or("");
        let lower = head.to_lowercase();
        match TITLE_NOISE.iter().find(|n| lower.ends_with(*n)) {
            Some(n) if lower.len() == head.len() => end = head.len() - n.len(),
            _ => return head.trim_end().len(),
        }
        end = text.get(..end).unwrap_or("").trim_end().len();
    }
}

/// Canonical organisation names in order of first mention, each located at that mention; names
/// written without their RHF/HF suffix are completed from a suffixed mention anywhere.
pub(crate) fn organizations(blocks: &[Block]) -> Vec<Located<String>> {
    let found: Vec<(usize, super::orgs::FoundOrg)> = blocks
        .iter()
        .enumerate()
        .flat_map(|(i, b)| find_orgs(&b.text).into_iter().map(move |o| (i, o)))
        .collect();
    let suffixed: Vec<&str> = found
        .iter()
        .map(|(_, o)| o.name.as_str())
        .filter(|n| n.ends_with(" HF") || n.ends_with(" RHF"))
        .collect();
    let mut out: Vec<Located<String>> = Vec::new();
    for (i, o) in &found {
        let name = complete_suffix(&o.name, &suffixed);
        if !out.iter().any(|x| x.value == name) {
            out.push(Located::new(
                name,
                blocks.get(*i).and_then(|b| b.provenance(o.range.clone())),
            ));
        }
    }
    out
}

fn complete_suffix(name: &str, suffixed: &[&str]) -> String {
    suffixed
        .iter()
        .find(|s| {
            s.len() > name.len()
                && s.starts_with(name)
                && s.get(name.len()..).is_some_and(|t| t.starts_with(' '))
        })
        .map_or_else(|| name.to_owned(), |s| (*s).to_owned())
}

/// The organisation in the title; else the adopter's organisation; else the one named in the
/// blocks around the title; else the one the document names most.
fn find_owner(
    blocks: &[Block],
    title_at: usize,
    adopted_by: Option<&Located<String>>,
    orgs: &[Located<String>],
) -> Option<Located<String>> {
    let suffixed: Vec<&str> = orgs
        .iter()
        .map(|o| o.value.as_str())
        .filter(|n| n.ends_with("HF"))
        .collect();
    let in_block = |b: &Block| {
        find_orgs(&b.text)
            .into_iter()
            .next()
            .map(|o| Located::new(complete_suffix(&o.name, &suffixed), b.provenance(o.range)))
    };
    if let Some(o) = blocks.get(title_at).and_then(in_block) {
        return Some(o);
    }
    if let Some(by) = adopted_by {
        if let Some(o) = find_orgs(&by.value).into_iter().next() {
            return Some(Located::new(complete_suffix(&o.name, &suffixed), by.at));
        }
    }
    let around = blocks.iter().take(title_at + 4);
    if let Some(o) = around.filter(|b| !b.is_list_item()).find_map(in_block) {
        return Some(o);
    }
    most_mentioned(blocks, &suffixed)
}

fn most_mentioned(blocks: &[Block], suffixed: &[&str]) -> Option<Located<String>> {
    let mut counts: HashMap<String, (usize, usize, Option<super::Provenance>)> = HashMap::new();
    let mut order = 0;
    for b in blocks {
        for o in find_orgs(&b.text) {
            let name = complete_suffix(&o.name, suffixed);
            order += 1;
            let e = counts
                .entry(name)
                .or_insert((0, order, b.provenance(o.range)));
            e.0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, (n, first, _))| (*n, std::cmp::Reverse(*first)))
        .map(|(name, (_, _, at))| Located::new(name, at))
}

/// (adopted_on, adopted_by) from the first adoption sentence that carries a date.
fn find_adoption(blocks: &[Block]) -> Option<(Located<PartialDate>, Option<Located<String>>)> {
    blocks
        .iter()
        .filter(|b| !b.is_list_item())
        .find_map(|b| passive_adoption(b).or_else(|| active_adoption(b)))
}

fn passive_adoption(b: &Block) -> Option<(Located<PartialDate>, Option<Located<String>>)> {
    let lower = b.lower();
    if lower.len() != b.text.len() {
        return None;
    }
    // Where each auxiliary ends, found once: searching for "ble {verb}" per verb built a
    // searcher (and a string) per verb for every block, and most blocks have none at all.
    let after_ble: Vec<usize> = PASSIVE_AUXILIARIES
        .iter()
        .flat_map(|a| lower.match_indices(a).map(|(i, _)| i + a.len()))
        .collect();
    // The verb must end its word: "vedteke" is not the start of "vedteken".
    let whole = |end: usize| {
        !lower
            .get(end..)
            .is_some_and(|r| r.starts_with(char::is_alphabetic))
    };
    let verb = PASSIVE_ADOPTION.iter().filter_map(|v| {
        let at = if lower.starts_with(v) && whole(v.len()) {
            Some(0)
        } else {
            after_ble.iter().copied().find(|&i| {
                lower.get(i..).is_some_and(|rest| rest.starts_with(v)) && whole(i + v.len())
            })
        };
        at.map(|at| at + v.len())
    });
    let after_verb = verb.min()?;
    let (date_range, date) = find_dates(&b.text)
        .into_iter()
        .find(|(r, _)| r.start >= after_verb)?;
    let mut by_start = after_verb;
    for prep in [" i ", " av ", " på "] {
        if lower.get(by_start..).is_some_and(|r| r.starts_with(prep)) {
            by_start += prep.len();
            break;
        }
    }
    let by = adopter(b, by_start..date_range.start);
    Some((Located::new(date, b.provenance(date_range)), by))
}

/// Trailing words between an adopter's name and the date.
const ADOPTER_TAIL: [&str; 6] = [
    " i sitt møte",
    " i møte",
    " i møtet",
    " den",
    " på møtet",
    ",",
];

fn adopter(b: &Block, range: std::ops::Range<usize>) -> Option<Located<String>> {
    let mut end = range.end;
    loop {
        let head = b.text.get(range.start..end)?.trim_end();
        let trimmed_end = range.start + head.len();
        let lower = head.to_lowercase();
        match ADOPTER_TAIL
            .iter()
            .find(|t| lower.ends_with(*t) && lower.len() == head.len())
        {
            Some(t) => end = trimmed_end - t.len(),
            None => {
                end = trimmed_end;
                break;
            }
        }
    }
    let l = b.located(range.start..end, &[','])?;
    let words = l.value.split_whitespace().count();
    (words <= MAX_ADOPTER_WORDS).then(|| Located::new(normalize_org(&l.value), l.at))
}

fn active_adoption(b: &Block) -> Option<(Located<PartialDate>, Option<Located<String>>)> {
    let lower = b.lower();
    if lower.len() != b.text.len() {
        return None;
    }
    let verb_at = ACTIVE_ADOPTION.iter().filter_map(|v| lower.find(v)).min()?;
    let sentence_start = sentence_start(&b.text, verb_at);
    let mut subject_end = verb_at;
    if let Some(head) = lower.get(sentence_start..verb_at) {
        if let Some(cut) = head.strip_suffix(" behandlet og") {
            subject_end = sentence_start + cut.len();
        }
    }
    let end = sentence_end(&b.text, verb_at);
    let (date_range, date) = find_dates(&b.text)
        .into_iter()
        .find(|(r, _)| r.start > verb_at && r.start < end)?;
    let by = adopter(b, sentence_start..subject_end);
    let capital = b
        .text
        .get(sentence_start..)
        .is_some_and(|s| s.starts_with(char::is_uppercase));
    (by.is_some() && capital).then(|| (Located::new(date, b.provenance(date_range)), by))
}

/// A period ends a sentence unless it follows a digit ("19. desember").
fn sentence_end(text: &str, from: usize) -> usize {
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        if i > from && matches!(c, '.' | '!' | '?') && !prev.is_ascii_digit() {
            return i;
        }
        prev = c;
    }
    text.len()
}

fn sentence_start(text: &str, before: usize) -> usize {
    let head = text.get(..before).unwrap_or("");
    let mut start = 0;
    let mut prev = ' ';
    for (i, c) in head.char_indices() {
        if matches!(c, '.' | '!' | '?') && !prev.is_ascii_digit() {
            start = i + 1;
        }
        prev = c;
    }
    start
        + text
            .get(start..)
            .map_or(0, |s| s.len() - s.trim_start().len())
}

/// Phrases by which an action plan says which plan it implements, bokmål and nynorsk, each
/// followed by that plan's name ("… er ein del av Strategi for … 2024–2028").
const PARENT_PHRASES: [&str; 12] = [
    "er en del av ",
    "er ein del av ",
    "følger opp ",
    "fylgjer opp ",
    "bygger på ",
    "byggjer på ",
    "er knyttet til ",
    "er knytt til ",
    "konkretiserer ",
    "operasjonaliserer ",
    "gjennomfører ",
    "realiserer ",
];
/// Words that join an action plan's title to its parent's name ("Handlingsplan til Strategi …").
const PARENT_JOINS: [&str; 3] = [" til ", " for ", " knytt til "];
/// Plan words that open a parent's name in a title; definite forms ("strategien") name none.
const PARENT_WORDS: [&str; 4] = [
    "strategi ",
    "strategiplan ",
    "utviklingsplan ",
    "regional utviklingsplan ",
];

/// The plan an action plan implements: named in its title after "til"/"for", or in a sentence
/// near the top. Only a name that is itself a plan's (a plan word in it) counts.
fn find_parent(blocks: &[Block], title_at: usize) -> Option<Located<String>> {
    let title = blocks.get(title_at)?;
    let lower = title.lower();
    if lower.len() == title.text.len() {
        for join in PARENT_JOINS {
            for (at, _) in lower.match_indices(join) {
                let start = at + join.len();
                let rest = lower.get(start..).unwrap_or("");
                if PARENT_WORDS.iter().any(|w| rest.starts_with(w)) {
                    return title.located(start..strip_noise(&title.text), &['.', ',']);
                }
            }
        }
    }
    blocks
        .iter()
        .take(TITLE_WINDOW)
        .filter(|b| !b.is_list_item())
        .find_map(parent_in_sentence)
}

fn parent_in_sentence(b: &Block) -> Option<Located<String>> {
    let lower = b.lower();
    if lower.len() != b.text.len() {
        return None;
    }
    PARENT_PHRASES.iter().find_map(|p| {
        let (at, _) = lower.match_indices(p).next()?;
        let mut start = at + p.len();
        for article in ["den ", "det "] {
            if lower.get(start..).is_some_and(|r| r.starts_with(article)) {
                start += article.len();
            }
        }
        let rest = b.text.get(start..)?;
        let name = if rest.starts_with('«') {
            let close = rest.find('»')?;
            start..start + close
        } else if rest.starts_with(char::is_uppercase) {
            // The name ends with its sentence or its clause ("…, og viser tiltakene").
            let end = sentence_end(&b.text, start);
            let clause = rest.find(", ").map_or(end, |c| start + c);
            start..end.min(clause)
        } else {
            return None;
        };
        let found = b.located(name, &QUOTES)?;
        let found = Located::new(
            found.value.trim_end_matches(['.', ',']).to_owned(),
            found.at,
        );
        plan_kind(&found.value)
            .is_some_and(|k| k != PlanKind::ActionPlan)
            .then_some(found)
    })
}

/// "Visjon" heading and the next block, or "Visjon: …", or a quotation in a block about the vision.
fn find_vision(blocks: &[Block]) -> Option<Located<String>> {
    for (i, b) in blocks.iter().enumerate() {
        let lower = b.lower();
        if lower.len() != b.text.len() || b.is_list_item() {
            continue;
        }
        let label = ["vår visjon", "visjonen", "visjon"]
            .into_iter()
            .find(|l| lower.starts_with(l));
        let Some(label) = label else {
            if lower.contains("visjon") {
                if let Some(q) = quoted(b) {
                    return Some(q);
                }
            }
            continue;
        };
        let rest = lower
            .get(label.len()..)
            .unwrap_or("")
            .trim_start_matches([':', ' ', '–', '-']);
        if rest.is_empty() {
            return blocks
                .get(i + 1)
                .and_then(|n| quoted(n).or_else(|| n.located_all(&QUOTES)));
        }
        if let Some(q) = quoted(b) {
            return Some(q);
        }
        let rest_at = b.text.len() - rest.len();
        if b.text
            .get(label.len()..rest_at)
            .is_some_and(|g| g.contains(':'))
        {
            return b.located(rest_at..b.text.len(), &QUOTES);
        }
    }
    None
}

fn quoted(b: &Block) -> Option<Located<String>> {
    let open = b.text.find('«')?;
    let close = b.text.get(open..)?.find('»')? + open;
    b.located(open..close, &QUOTES)
}

fn is_measure_intro(b: &Block) -> bool {
    let lower = b.lower();
    !b.is_list_item()
        && lower.ends_with(':')
        && (MEASURE_INTRO_ENDINGS.iter().any(|e| lower.ends_with(e))
            || MEASURE_INTRO_PHRASES.iter().any(|p| lower.contains(p)))
}

/// Top-level list items from `start`, up to the first block that is not a list item.
fn list_run(blocks: &[Block], start: usize) -> Vec<(usize, &Block)> {
    let run: Vec<(usize, &Block)> = blocks
        .iter()
        .enumerate()
        .skip(start)
        .take_while(|(_, b)| b.is_list_item())
        .collect();
    let top = run.iter().map(|(_, b)| b.indent()).min().unwrap_or(0);
    run.into_iter().filter(|(_, b)| b.indent() == top).collect()
}

fn find_focus_areas(blocks: &[Block]) -> Vec<FocusArea> {
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if !is_measure_intro(b) {
            continue;
        }
        let mut measures: Vec<Located<String>> = list_run(blocks, i + 1)
            .iter()
            .filter_map(|(_, m)| m.located_all(&[]))
            .collect();
        if measures.is_empty() {
            measures = unmarked_run(blocks, i + 1)
                .iter()
                .filter_map(|m| m.located_all(&[]))
                .collect();
        }
        let Some((h, title)) = heading_before(blocks, i) else {
            continue;
        };
        if measures.is_empty() {
            continue;
        }
        let goal = goal_of(b).or_else(|| labelled_goal(blocks.get(h + 1..i).unwrap_or(&[])));
        out.push(FocusArea {
            title,
            goal,
            measures,
        });
    }
    out
}

/// Measures whose bullets the PDF drew as graphics arrive as plain lines: take lines up to the
/// next focus area's heading (the line before the next intro), a new part, or prose.
fn unmarked_run(blocks: &[Block], start: usize) -> Vec<&Block> {
    let mut out = Vec::new();
    for (k, b) in blocks.iter().enumerate().skip(start) {
        let next_is_intro = blocks.get(k + 1).is_some_and(is_measure_intro);
        let prose = b.text.matches(". ").count() > 0 || !find_dates(&b.text).is_empty();
        let stop = next_is_intro
            || is_measure_intro(b)
            || starts_action_part(b)
            || b.is_list_item()
            || prose
            || b.text.trim_end().ends_with([':', '?']);
        if stop {
            break;
        }
        out.push(b);
    }
    out
}

/// The nearest heading above block `i`, not crossing a list (which belongs to another area).
fn heading_before(blocks: &[Block], i: usize) -> Option<(usize, Located<String>)> {
    for k in (0..i).rev() {
        let b = blocks.get(k)?;
        if b.is_list_item() || is_measure_intro(b) {
            return None;
        }
        if b.heading {
            return Some((k, heading_title(b)?));
        }
    }
    None
}

/// Section labels that number focus areas ("Innsatsområde 2: Eldre"); the title is the rest.
const FOCUS_LABELS: [&str; 7] = [
    "innsatsområde",
    "satsingsområde",
    "satsningsområde",
    "fokusområde",
    "hovedsatsing",
    "område",
    "mål",
];

fn heading_title(b: &Block) -> Option<Located<String>> {
    if b.text.trim_end().ends_with('?') {
        if let Some(t) = title_from_question(b) {
            return Some(t);
        }
    }
    if let Some(rest) = after_focus_label(&b.text) {
        if let Some(t) = b.located(rest..b.text.len(), &[':', '.', '–', '-']) {
            return Some(t);
        }
    }
    b.located_all(&[':'])
}

/// Byte offset of the title after "Innsatsområde 2:" / "Satsingsområde 3 –".
pub(crate) fn after_focus_label(text: &str) -> Option<usize> {
    let (label, rest) = text.split_once(' ')?;
    if !FOCUS_LABELS.contains(&label.to_lowercase().as_str()) {
        return None;
    }
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let after = rest.get(digits..)?;
    if digits == 0 || !after.starts_with([':', '.', ' ', '–', '-']) {
        return None;
    }
    Some(text.len() - after.len())
}

fn title_from_question(b: &Block) -> Option<Located<String>> {
    let lower = b.lower();
    if lower.len() != b.text.len() {
        return None;
    }
    let opener = QUESTION_OPENERS.iter().find(|o| lower.starts_with(*o))?;
    let verb_at = QUESTION_VERBS
        .iter()
        .filter_map(|v| lower.get(opener.len()..)?.find(v))
        .min()?
        + opener.len();
    let subject = lower.get(opener.len()..verb_at)?.trim();
    if subject.is_empty() || PRONOUNS.contains(&subject) || subject.split_whitespace().count() > 5 {
        return None;
    }
    let l = b.located(opener.len()..verb_at, &[])?;
    let mut chars = l.value.chars();
    let value = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Some(Located::new(value, l.at))
}

fn goal_of(intro: &Block) -> Option<Located<String>> {
    let lower = intro.lower();
    let cut = [" ved å:", " gjennom å:"]
        .iter()
        .find_map(|e| lower.ends_with(e).then(|| lower.len() - e.len()))?;
    (lower.len() == intro.text.len()).then(|| intro.located(0..cut, &[]))?
}

/// "Mål: …" between a focus area's heading and its measures.
fn labelled_goal(between: &[Block]) -> Option<Located<String>> {
    between.iter().find_map(|b| {
        let rest = b.text.strip_prefix("Mål:")?;
        b.located(b.text.len() - rest.len()..b.text.len(), &[])
    })
}

pub(crate) fn starts_action_part(b: &Block) -> bool {
    let lower = b.lower();
    !b.is_list_item()
        && ACTION_HEADINGS.iter().any(|h| lower.starts_with(h))
        && !ends_sentence(&b.text)
}

pub(crate) fn is_tentative(text: &str) -> bool {
    text.to_lowercase()
        .split_whitespace()
        .any(|w| TENTATIVE_WORDS.contains(&w))
}

fn find_action_plan(
    blocks: &[Block],
    title_at: usize,
    kind: PlanKind,
    plan_period: Option<&Located<Period>>,
) -> Option<ActionPlan> {
    let start = blocks
        .iter()
        .enumerate()
        .skip(title_at + 1)
        .find(|(_, b)| starts_action_part(b))
        .map(|(i, _)| i)
        .or_else(|| (kind == PlanKind::ActionPlan).then_some(title_at))?;
    let head = blocks.get(start)?;
    let period = find_periods(&head.text)
        .into_iter()
        .next()
        .map(|(r, p)| Located::new(p, head.provenance(r)))
        .or_else(|| {
            if kind == PlanKind::ActionPlan {
                plan_period.cloned()
            } else {
                None
            }
        });
    let mut items = Vec::new();
    let mut area: Option<Located<String>> = None;
    let mut i = start + 1;
    while let Some(b) = blocks.get(i) {
        if b.heading && ends_action_part(b) {
            break;
        }
        if b.heading && !is_label_heading(b) {
            area = heading_title(b);
        }
        if b.is_list_item() {
            let run = list_run(blocks, i);
            let len = blocks
                .iter()
                .skip(i)
                .take_while(|b| b.is_list_item())
                .count();
            let after_intro = i > 0 && blocks.get(i - 1).is_some_and(is_measure_intro);
            if let (Some(a), false) = (&area, after_intro) {
                for (_, item) in run {
                    if is_tentative(&item.text) {
                        continue;
                    }
                    if let Some(text) = item.located_all(&[]) {
                        items.push(ActionItem {
                            focus_area: a.clone(),
                            text,
                            responsible: None,
                            deadline: None,
                        });
                    }
                }
            }
            i += len.max(1);
            continue;
        }
        i += 1;
    }
    (period.is_some() || !items.is_empty()).then_some(ActionPlan { period, items })
}

/// Back matter after which no list is an action item.
const BACK_MATTER: [&str; 4] = ["vedlegg", "referanser", "kilder", "litteratur"];

fn ends_action_part(b: &Block) -> bool {
    let lower = b.lower();
    BACK_MATTER.iter().any(|w| lower.starts_with(w))
}

fn is_label_heading(b: &Block) -> bool {
    let lower = b.lower();
    LABEL_HEADINGS.contains(&lower.trim_end_matches(':').trim())
}

/// An action plan's focus areas are the headings its items stand under.
fn areas_from_items(blocks: &[Block], items: &[ActionItem]) -> Vec<FocusArea> {
    let mut out: Vec<FocusArea> = Vec::new();
    for item in items {
        match out
            .iter_mut()
            .find(|f| f.title.value == item.focus_area.value)
        {
            Some(f) => f.measures.push(item.text.clone()),
            None => out.push(FocusArea {
                title: item.focus_area.clone(),
                goal: None,
                measures: vec![item.text.clone()],
            }),
        }
    }
    for area in &mut out {
        let heading = blocks
            .iter()
            .position(|b| b.heading && b.text.trim_end_matches(':').trim() == area.title.value);
        if let Some(h) = heading {
            let next_list = blocks
                .iter()
                .skip(h + 1)
                .position(|b| b.is_list_item())
                .map_or(blocks.len(), |n| h + 1 + n);
            area.goal = labelled_goal(blocks.get(h + 1..next_list).unwrap_or(&[]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::text::{blocks, lines_from_text};

    fn bs(s: &str) -> Vec<Block> {
        blocks(&lines_from_text(s))
    }

    #[test]
    fn plan_kinds_from_titles() {
        assert_eq!(
            plan_kind("Regional utviklingsplan 2023-2026"),
            Some(PlanKind::RegionalDevelopmentPlan)
        );
        assert_eq!(
            plan_kind("Strategi for X 2022-2026 med handlingsdel for 2022-2023"),
            Some(PlanKind::StrategyPlan)
        );
        assert_eq!(
            plan_kind("Handlingsplan 2025–2026 for strategien"),
            Some(PlanKind::ActionPlan)
        );
        assert_eq!(
            plan_kind("Økonomisk langtidsplan 2025-2029"),
            Some(PlanKind::EconomicLongTermPlan)
        );
        assert_eq!(
            plan_kind("Virksomhetsstrategi 2024-2027"),
            Some(PlanKind::BusinessStrategy)
        );
        assert_eq!(
            plan_kind("Utviklingsplan for Sykehuset X"),
            Some(PlanKind::DevelopmentPlan)
        );
        assert_eq!(
            plan_kind("Nasjonal helse- og samhandlingsplan"),
            Some(PlanKind::Other)
        );
        assert_eq!(plan_kind("Møtereferat"), None);
        assert_eq!(plan_kind("Bedre felles planlegging"), None);
        assert_eq!(plan_kind("Planen for 2024"), Some(PlanKind::Other));
    }

    #[test]
    fn adoption_passive_and_active() {
        let b = bs("Besluttet i partnerskapsmøtet 08.06.2022");
        let (on, by) = find_adoption(&b).unwrap();
        assert_eq!(on.value.to_string(), "2022-06-08");
        assert_eq!(by.unwrap().value, "Partnerskapsmøtet");
        let b = bs("Styret for Helse Midt-Norge RHF behandlet og vedtok regional utviklingsplan i sitt møte 19. desember 2018.");
        let (on, by) = find_adoption(&b).unwrap();
        assert_eq!(on.value.to_string(), "2018-12-19");
        assert_eq!(by.unwrap().value, "Styret for Helse Midt-Norge RHF");
        let b = bs("Planen ble vedtatt av styret i Helse Nord RHF den 5. desember 2024.");
        let (on, by) = find_adoption(&b).unwrap();
        assert_eq!(on.value.to_string(), "2024-12-05");
        assert_eq!(by.unwrap().value, "Styret i Helse Nord RHF");
        assert!(find_adoption(&bs(
            "Etablering av et felles lager for regionen er besluttet, og vil tas i bruk i 2022."
        ))
        .is_none());
    }

    #[test]
    fn vision_forms() {
        assert_eq!(
            find_vision(&bs("Visjon\n\n«Sammen om helse»"))
                .unwrap()
                .value,
            "Sammen om helse"
        );
        assert_eq!(
            find_vision(&bs("Visjon: Trygge tjenester")).unwrap().value,
            "Trygge tjenester"
        );
        assert_eq!(
            find_vision(&bs("Vår visjon er «Helse nær deg» for alle."))
                .unwrap()
                .value,
            "Helse nær deg"
        );
        assert!(find_vision(&bs("Visjonsarbeid pågår.")).is_none());
    }

    #[test]
    fn question_headings_name_their_subject() {
        let b = bs("Hvordan skal sterkere samhandling gi bedre helsetjenester?");
        assert_eq!(heading_title(&b[0]).unwrap().value, "Sterkere samhandling");
        let b = bs("Hvordan skal vi sikre nok personell?");
        assert_eq!(
            heading_title(&b[0]).unwrap().value,
            "Hvordan skal vi sikre nok personell?"
        );
    }

    #[test]
    fn numbered_focus_labels_are_dropped() {
        let b = bs("Innsatsområde 2: Skrøpelige eldre\n\nSatsingsområde 3 – Digitalisering\n\nOmrådet er viktig");
        assert_eq!(heading_title(&b[0]).unwrap().value, "Skrøpelige eldre");
        assert_eq!(heading_title(&b[1]).unwrap().value, "Digitalisering");
        assert_eq!(heading_title(&b[2]).unwrap().value, "Området er viktig");
    }

    #[test]
    fn focus_areas_with_labelled_goal_and_tiltak() {
        let b = bs("Innsatsområde 1: Barn og unge\n\nMål: Tidlig hjelp\n\nTiltak:\n- Felles forløp\n- Ambulante team\n\nInnsatsområde 2: Eldre\n\nDette vil vi gjøre:\n- Trygge overganger");
        let areas: Vec<(String, Option<String>, usize)> = find_focus_areas(&b)
            .into_iter()
            .map(|f| (f.title.value, f.goal.map(|g| g.value), f.measures.len()))
            .collect();
        assert_eq!(
            areas,
            [
                (
                    "Barn og unge".to_owned(),
                    Some("Tidlig hjelp".to_owned()),
                    2
                ),
                ("Eldre".to_owned(), None, 1)
            ]
        );
    }

    #[test]
    fn title_noise_is_stripped() {
        let t = "Regional utviklingsplan 2023-2026 (PDF)";
        assert_eq!(&t[..strip_noise(t)], "Regional utviklingsplan 2023-2026");
        assert_eq!(strip_noise("æøå"), "æøå".len());
    }
}
