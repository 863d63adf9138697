//! Focus areas written as sections with labelled fields, the common shape of action plans and of
//! many strategies: a heading per focus area — numbered ("1. Psykisk helse", "2 Eldre"),
//! labelled ("Innsatsområde 3: …", "Satsingsområde 1 – …") or emphasised by font — and under it
//! "Mål", "Tiltak", "Ansvar" and "Frist" as label lines ("Mål: …"), as labels above their values,
//! or as the columns of a table ("Tiltak Ansvar Frist" and a row per measure).
//!
//! The labels say what each line is, so a goal is never read as a heading and a measure belongs
//! to the heading above it. Headings are recognised by their kind of layout, never by wording:
//! a numbered or labelled line, or a heading followed by a field label, a table or a list.

use super::plan::{after_focus_label, is_tentative, starts_action_part};
use super::text::{field_label, Block, BlockKind};
use super::{ActionItem, FocusArea, Located, PlanKind};

/// Longest heading that may name a focus area, in chars and in words.
const MAX_AREA_CHARS: usize = 100;
const MAX_AREA_WORDS: usize = 14;

/// Headings that open parts of a plan other than a focus area.
const NOT_AREAS: [&str; 14] = [
    "innledning",
    "innleiing",
    "bakgrunn",
    "visjon",
    "verdier",
    "verdiar",
    "formål",
    "føremål",
    "oppfølging",
    "evaluering",
    "vedlegg",
    "referanser",
    "kilder",
    "kjelder",
];

/// Column headers of an action table besides the field labels.
const OTHER_COLUMNS: [&str; 6] = ["status", "nr", "nr.", "tidsramme", "aktivitet", "kostnad"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Goal,
    Measures,
    Responsible,
    Deadline,
    /// A table column the plan model has no place for.
    Other,
}

fn field_of(label: &str) -> Field {
    match label {
        "mål" | "hovedmål" | "hovudmål" | "delmål" | "målsetting" | "målsetjing" => {
            Field::Goal
        }
        "tiltak" | "aktivitet" => Field::Measures,
        "ansvar" | "ansvarlig" | "ansvarleg" | "hovedansvar" | "hovudansvar" => Field::Responsible,
        "frist" | "tidsfrist" => Field::Deadline,
        _ => Field::Other,
    }
}

pub(crate) struct Measure {
    pub text: Located<String>,
    pub responsible: Option<Located<String>>,
    pub deadline: Option<Located<String>>,
}

pub(crate) struct Area {
    pub title: Located<String>,
    pub goal: Option<Located<String>>,
    pub measures: Vec<Measure>,
    strong: bool,
    /// A field label or a table was read in the section.
    labelled: bool,
}

/// Focus areas read from labelled sections, and whether any label or table was seen (only then
/// do they replace what the other rules find).
pub(crate) struct Sections {
    pub areas: Vec<Area>,
    pub labelled: bool,
}

impl Sections {
    pub fn focus_areas(&self) -> Vec<FocusArea> {
        self.areas
            .iter()
            .map(|a| FocusArea {
                title: a.title.clone(),
                goal: a.goal.clone(),
                measures: a.measures.iter().map(|m| m.text.clone()).collect(),
            })
            .collect()
    }

    pub fn action_items(&self) -> Vec<ActionItem> {
        self.areas
            .iter()
            .flat_map(|a| {
                a.measures.iter().map(|m| ActionItem {
                    focus_area: a.title.clone(),
                    text: m.text.clone(),
                    responsible: m.responsible.clone(),
                    deadline: m.deadline.clone(),
                })
            })
            .collect()
    }

    pub fn has_assignments(&self) -> bool {
        self.areas
            .iter()
            .flat_map(|a| &a.measures)
            .any(|m| m.responsible.is_some() || m.deadline.is_some())
    }
}

/// The lines of a block as (byte range in `text`), one per source line.
fn lines(b: &Block) -> Vec<std::ops::Range<usize>> {
    b.line_ranges().map(|(r, _)| r).collect()
}

/// A table header: every word a column label, the measures' among them and one more.
fn table_header(lower: &str) -> Option<Vec<Field>> {
    let words = || {
        lower
            .split(|c: char| c.is_whitespace() || c == '|')
            .map(|w| w.trim_matches(':'))
            .filter(|w| !w.is_empty())
    };
    // Most lines fail on their first word; only a line of labels allocates.
    let is_column = |w: &str| column_word(w);
    if !words().next().is_some_and(is_column) || !words().all(is_column) {
        return None;
    }
    let cols: Vec<Field> = words().map(field_of).collect();
    (cols.len() >= 2
        && cols.contains(&Field::Measures)
        && cols.iter().any(|c| *c != Field::Measures))
    .then_some(cols)
}

fn column_word(w: &str) -> bool {
    super::text::FIELD_LABELS.contains(&w) || OTHER_COLUMNS.contains(&w)
}

/// Whether any line opens with a field label or a column word: without one, no section has
/// fields and the walk can be skipped (most documents are not plans).
fn has_fields(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| {
        let lower = b.lower();
        b.line_ranges().any(|(r, _)| {
            let line = lower.get(r).unwrap_or("");
            let end = line
                .find(|c: char| !c.is_alphabetic() && c != '.')
                .unwrap_or(line.len());
            line.get(..end).is_some_and(column_word)
        })
    })
}

/// A row's cells as byte ranges of `text`: cells are separated by tabs, two or more spaces or
/// a bar, as plain-text tables and laid-out rows with wide gaps print them.
fn cells(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let sep_len = match bytes[i] {
            b'\t' | b'|' => 1,
            b' ' if bytes.get(i + 1) == Some(&b' ') => 2,
            _ => 0,
        };
        if sep_len == 0 {
            i += 1;
            continue;
        }
        let mut end = i + sep_len;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t' | b'|') {
            end += 1;
        }
        if text.get(start..i).is_some_and(|c| !c.trim().is_empty()) {
            out.push(start..i);
        }
        start = end;
        i = end;
    }
    if text.get(start..).is_some_and(|c| !c.trim().is_empty()) {
        out.push(start..text.len());
    }
    out
}

/// A focus-area heading found at a block.
struct Heading {
    title: Located<String>,
    /// Its number, when numbered ("2. Eldre", "Innsatsområde 2: Eldre").
    number: Option<u32>,
    /// Numbered, labelled or set apart by its font: enough to stand with a goal alone.
    strong: bool,
}

/// Where the walk is, as far as telling headings from list items and table rows goes.
struct Context {
    /// The number the next numbered area should have.
    next_area: Option<u32>,
    /// The last number of a running numbered list of measures.
    measures_numbered: Option<u32>,
    in_table: bool,
}

/// A focus-area heading at block `i`.
fn area_heading(blocks: &[Block], i: usize, cx: &Context) -> Option<Heading> {
    let b = blocks.get(i)?;
    let text = b.text.trim_end();
    if text.chars().count() > MAX_AREA_CHARS
        || text.split_whitespace().count() > MAX_AREA_WORDS
        || text.ends_with(['.', ',', ';', ':'])
        // Quotations («…») and the like are no headings of sections.
        || !text.starts_with(char::is_alphanumeric)
    {
        return None;
    }
    // Only a numbered, labelled or heading line can head an area; most blocks are neither,
    // and are let go before the label checks below.
    let candidate = b.heading
        || matches!(b.kind, BlockKind::Numbered { .. })
        || text.starts_with(|c: char| c.is_ascii_digit())
        || after_focus_label(text).is_some();
    if !candidate {
        return None;
    }
    let lower = b.lower();
    if lower.len() != b.text.len() || field_label(lower).is_some() || table_header(lower).is_some()
    {
        return None;
    }
    let first_word = lower.split([' ', ':']).next().unwrap_or("");
    if NOT_AREAS.contains(&first_word) {
        return None;
    }
    // "Innsatsområde 3: Eldre": the label says it ("Mål 2: …" is a goal, read as a field).
    if let Some(rest) = after_focus_label(&b.text) {
        let number = lower
            .split_whitespace()
            .nth(1)
            .and_then(|w| w.trim_end_matches([':', '.']).parse().ok());
        return Some(Heading {
            title: b.located(rest..b.text.len(), &[':', '.', '–', '-'])?,
            number,
            strong: true,
        });
    }
    let fields_follow = blocks.get(i + 1).is_some_and(opens_section);
    let capital = |s: &str| {
        s.chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_uppercase)
    };
    let numbered = match b.kind {
        BlockKind::Numbered { n, .. } => Some((n, 0)),
        BlockKind::Paragraph => spaced_number(&b.text),
        BlockKind::Bullet { .. } => None,
    };
    if let Some((n, title_at)) = numbered {
        let title = b.located(title_at..b.text.len(), &[])?;
        if !capital(&title.value) {
            return None;
        }
        // Measures may be numbered too ("1. …", "2. …"): a number that continues them, or
        // that is not the next area's, heads an area only when fields follow it or its font
        // sets it apart.
        let continues_list = cx.measures_numbered.is_some_and(|m| m + 1 == n);
        let in_sequence = cx.next_area.is_none_or(|e| e == n);
        let plain = in_sequence && !continues_list && b.heading && !cx.in_table;
        return (fields_follow || b.emphasised || plain).then_some(Heading {
            title,
            number: Some(n),
            strong: true,
        });
    }
    if matches!(b.kind, BlockKind::Paragraph) && b.heading && capital(&b.text) {
        let list_follows = blocks.get(i + 1).is_some_and(Block::is_list_item);
        let by_text = fields_follow && !cx.in_table;
        if by_text || (b.emphasised && (list_follows || fields_follow)) {
            return Some(Heading {
                title: b.located_all(&[':'])?,
                number: None,
                strong: b.emphasised,
            });
        }
    }
    None
}

/// "2 Eldre": a number and a space before a capitalised title (list markers need a period).
fn spaced_number(text: &str) -> Option<(u32, usize)> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    if !(1..=2).contains(&digits) {
        return None;
    }
    let rest = text.get(digits..)?;
    let title = rest.strip_prefix(' ')?;
    title
        .starts_with(char::is_uppercase)
        .then(|| Some((text.get(..digits)?.parse().ok()?, digits + 1)))?
}

/// The block opens with a field label or a table header.
fn opens_fields(b: &Block) -> bool {
    first_line(b).is_some_and(|l| field_label(l).is_some() || table_header(l).is_some())
}

/// The block opens with what a focus area's section opens with: its goal, its measures or
/// their table. "Ansvar"/"Frist" belong to the measures above them, so a numbered line
/// before them is a measure.
fn opens_section(b: &Block) -> bool {
    first_line(b).is_some_and(|l| {
        table_header(l).is_some()
            || field_label(l)
                .is_some_and(|(label, _)| matches!(field_of(label), Field::Goal | Field::Measures))
    })
}

fn first_line(b: &Block) -> Option<&str> {
    let lower = b.lower();
    let first = b.line_ranges().next().map_or(0..lower.len(), |(r, _)| r);
    lower.get(first)
}

struct Walk {
    areas: Vec<Area>,
    cur: Option<Area>,
    state: Option<Field>,
    table: Option<Vec<Field>>,
    /// Where the measures of the current "Tiltak" group start: "Ansvar"/"Frist" apply to them.
    group: usize,
    /// The number of the last numbered measure, while a numbered list of measures runs.
    numbered: Option<u32>,
    /// The indent of the running list's top-level items; deeper items are details.
    list_indent: Option<usize>,
    next_area: Option<u32>,
}

impl Walk {
    fn close(&mut self) {
        if let Some(a) = self.cur.take() {
            // A heading followed by nothing but a goal is a focus area only when its layout
            // says so; otherwise a prose paragraph under a "Mål" heading would make one.
            if !a.measures.is_empty() || (a.strong && a.goal.is_some()) {
                self.areas.push(a);
            }
        }
        self.state = None;
        self.table = None;
        self.numbered = None;
        self.list_indent = None;
    }

    fn open(&mut self, h: Heading) {
        self.close();
        if let Some(n) = h.number {
            self.next_area = Some(n + 1);
        }
        self.group = 0;
        self.cur = Some(Area {
            title: h.title,
            goal: None,
            measures: Vec::new(),
            strong: h.strong,
            labelled: false,
        });
    }

    fn label_seen(&mut self) {
        if let Some(a) = &mut self.cur {
            a.labelled = true;
        }
    }

    fn push_measure(&mut self, text: Located<String>) {
        if is_tentative(&text.value) {
            return;
        }
        if let Some(a) = &mut self.cur {
            a.measures.push(Measure {
                text,
                responsible: None,
                deadline: None,
            });
        }
    }

    /// A value for `field`; `Ansvar`/`Frist` go to the current group's measures that lack one.
    fn put(&mut self, field: Field, value: Located<String>) {
        let Some(a) = &mut self.cur else { return };
        match field {
            Field::Goal => {
                if a.goal.is_none() {
                    a.goal = Some(value);
                }
            }
            Field::Measures => {
                self.group = a.measures.len();
                self.push_measure(value);
            }
            Field::Responsible | Field::Deadline => {
                for m in a.measures.iter_mut().skip(self.group) {
                    let slot = if field == Field::Responsible {
                        &mut m.responsible
                    } else {
                        &mut m.deadline
                    };
                    if slot.is_none() {
                        *slot = Some(value.clone());
                    }
                }
            }
            Field::Other => {}
        }
    }

    fn row(&mut self, b: &Block, line: std::ops::Range<usize>, cols: &[Field]) {
        let Some(text) = b.text.get(line.clone()) else {
            return;
        };
        let cs = cells(text);
        let Some(a) = &self.cur else { return };
        let first = a.measures.len();
        let at =
            |r: &std::ops::Range<usize>| b.located(line.start + r.start..line.start + r.end, &[]);
        if cs.len() == cols.len() {
            let Some(m) = cols.iter().position(|c| *c == Field::Measures) else {
                return;
            };
            let Some(text) = cs.get(m).and_then(at) else {
                return;
            };
            self.push_measure(text);
            self.group = first;
            for (c, r) in cols.iter().zip(&cs) {
                if matches!(c, Field::Responsible | Field::Deadline) {
                    if let Some(v) = at(r) {
                        self.put(*c, v);
                    }
                }
            }
        } else if let Some(text) = cs.first().and_then(at) {
            // Cells that cannot be told apart: the measure is the first, the rest is left out
            // rather than guessed.
            self.push_measure(text);
        }
    }
}

/// Reads labelled focus-area sections after the title. For a plan that is not an action plan,
/// the walk stops where the action part begins (its items are read by the action-part rules).
pub(crate) fn read(blocks: &[Block], title_at: usize, kind: PlanKind) -> Sections {
    if !has_fields(blocks) {
        return Sections {
            areas: Vec::new(),
            labelled: false,
        };
    }
    let mut w = Walk {
        areas: Vec::new(),
        cur: None,
        state: None,
        table: None,
        group: 0,
        numbered: None,
        list_indent: None,
        next_area: None,
    };
    for (i, b) in blocks.iter().enumerate().skip(title_at + 1) {
        if kind != PlanKind::ActionPlan && starts_action_part(b) {
            break;
        }
        let awaiting_value = matches!(
            w.state,
            Some(Field::Goal | Field::Responsible | Field::Deadline)
        ) && w.table.is_none();
        if !awaiting_value {
            let cx = Context {
                next_area: w.next_area,
                measures_numbered: w.numbered,
                in_table: w.table.is_some(),
            };
            if let Some(h) = area_heading(blocks, i, &cx) {
                w.open(h);
                continue;
            }
        }
        if w.cur.is_none() {
            continue;
        }
        if b.is_list_item() {
            list_item(&mut w, b);
            continue;
        }
        w.list_indent = None;
        w.numbered = None;
        // A heading that is no focus area ends the section ("Oppfølging", a new chapter); in a
        // list of measures a short unmarked line is a measure whose bullet was not drawn.
        let fields = opens_fields(b);
        let closes = b.emphasised || (b.heading && w.state != Some(Field::Measures));
        if !fields && !awaiting_value && w.table.is_none() && closes {
            w.close();
            continue;
        }
        fields_of_block(&mut w, b);
    }
    w.close();
    Sections {
        labelled: w.areas.iter().any(|a| a.labelled),
        areas: w.areas,
    }
}

fn list_item(w: &mut Walk, b: &Block) {
    let Some(text) = b.located_all(&[]) else {
        return;
    };
    match w.state {
        Some(Field::Goal) => {
            w.put(Field::Goal, text);
            w.state = None;
        }
        Some(f @ (Field::Responsible | Field::Deadline)) => w.put(f, text),
        _ => {
            let base = *w.list_indent.get_or_insert(b.indent());
            if b.indent() > base {
                return;
            }
            w.numbered = match b.kind {
                BlockKind::Numbered { n, .. } => Some(n),
                _ => None,
            };
            w.push_measure(text);
        }
    }
}

/// The lines of a non-list block: label lines each stand alone, a table's rows each are one,
/// and other lines run together into one value (a wrapped line).
fn fields_of_block(w: &mut Walk, b: &Block) {
    let lower = b.lower();
    if lower.len() != b.text.len() {
        return;
    }
    let mut pending: Option<std::ops::Range<usize>> = None;
    for r in lines(b) {
        let Some(line) = lower.get(r.clone()) else {
            continue;
        };
        if let Some(cols) = table_header(line) {
            flush(w, b, &mut pending);
            w.table = Some(cols);
            w.state = Some(Field::Measures);
            w.label_seen();
            continue;
        }
        if let Some(cols) = w.table.clone() {
            if field_label(line).is_none() {
                w.row(b, r, &cols);
                continue;
            }
            w.table = None;
        }
        if let Some((label, value_at)) = field_label(line) {
            flush(w, b, &mut pending);
            let field = field_of(label);
            w.label_seen();
            w.state = Some(field);
            if let (Field::Measures, Some(a)) = (field, &w.cur) {
                w.group = a.measures.len();
            }
            if let Some(v) = b.located(r.start + value_at..r.end, &[]) {
                w.put(field, v);
                // "Tiltak: X" may be followed by more measures; a goal or an assignment with
                // its value is complete.
                if field != Field::Measures {
                    w.state = None;
                }
            }
            continue;
        }
        pending = Some(pending.map_or(r.clone(), |p| p.start..r.end));
    }
    flush(w, b, &mut pending);
}

/// A value under a label written above it, or an unmarked measure.
fn flush(w: &mut Walk, b: &Block, pending: &mut Option<std::ops::Range<usize>>) {
    let Some(r) = pending.take() else { return };
    let Some(v) = b.located(r, &[]) else { return };
    match w.state {
        Some(f @ (Field::Goal | Field::Responsible | Field::Deadline)) => {
            w.put(f, v);
            w.state = None;
        }
        // Prose after a list of measures (several sentences) is no measure.
        Some(Field::Measures) if !v.value.contains(". ") => w.push_measure(v),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_headers_need_the_measures_and_another_column() {
        assert_eq!(
            table_header("tiltak\tansvar\tfrist"),
            Some(vec![Field::Measures, Field::Responsible, Field::Deadline])
        );
        assert_eq!(
            table_header("nr | tiltak | ansvarleg | status"),
            Some(vec![
                Field::Other,
                Field::Measures,
                Field::Responsible,
                Field::Other
            ])
        );
        assert_eq!(table_header("tiltak"), None);
        assert_eq!(table_header("ansvar frist"), None);
        assert_eq!(table_header("tiltak for eldre"), None);
    }

    #[test]
    fn cells_split_on_tabs_bars_and_runs_of_spaces() {
        let row = "Felles kurs  for alle  |  Kommunane\t2026";
        let got: Vec<&str> = cells(row).into_iter().map(|r| row[r].trim()).collect();
        assert_eq!(got, ["Felles kurs", "for alle", "Kommunane", "2026"]);
        assert!(cells("   ").is_empty());
        assert_eq!(cells("Ett ord").len(), 1);
    }

    #[test]
    fn numbered_titles_without_a_period() {
        assert_eq!(spaced_number("2 Eldre"), Some((2, 2)));
        assert_eq!(spaced_number("2026 Eldre"), None);
        assert_eq!(spaced_number("2 eldre"), None);
    }
}
