//! Page layout: glyphs → words (from gaps, not only from space glyphs) → lines (from baselines)
//! → reading order (columns found from vertical gutters) → page text.

use std::collections::HashSet;

use super::interp::Glyph;
use super::Line;

/// A gap wider than this fraction of the font size between two glyphs separates words.
const WORD_GAP: f32 = 0.15;
/// A column narrower than this many ems is not taken for one.
const MIN_COLUMN_EMS: f32 = 8.0;
/// Recursion into nested columns stops here.
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub bold_glyphs: usize,
    pub glyphs: usize,
    pub dir: u8,
    /// A space glyph came right before this word: a word break however narrow the gap.
    pub space_before: bool,
}

impl Word {
    fn top(&self) -> f32 {
        self.y + 0.7 * self.size
    }
    fn bottom(&self) -> f32 {
        self.y - 0.15 * self.size
    }
}

pub fn words(glyphs: &[Glyph]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut last: Option<&Glyph> = None;
    let mut pending_space = false;
    for g in glyphs {
        let is_space = g.text.chars().all(char::is_whitespace);
        if let (Some(w), Some(l)) = (cur.as_mut(), last) {
            let size = l.size.min(g.size).max(0.1);
            let dy = (g.y - l.y).abs();
            let gap = g.x - (l.x + l.w);
            let same_spot = g.text == l.text && (g.x - l.x).abs() < 0.1 * size && dy < 0.1 * size;
            if same_spot && !is_space {
                // Overprinted glyph (fake bold): keep one copy.
                continue;
            }
            let joins = !is_space
                && g.dir == w.dir
                && dy < 0.35 * size
                && gap < WORD_GAP * size
                && gap > -0.6 * size;
            if joins {
                w.text.push_str(&g.text);
                w.x1 = w.x1.max(g.x + g.w);
                w.size = w.size.max(g.size);
                w.glyphs += 1;
                w.bold_glyphs += usize::from(g.bold);
                last = Some(g);
                continue;
            }
            if let Some(w) = cur.take() {
                out.push(w);
            }
        }
        if is_space {
            if let Some(w) = cur.take() {
                out.push(w);
            }
            last = None;
            pending_space = true;
            continue;
        }
        cur = Some(Word {
            text: g.text.clone(),
            x0: g.x,
            x1: g.x + g.w,
            y: g.y,
            size: g.size,
            bold_glyphs: usize::from(g.bold),
            glyphs: 1,
            dir: g.dir,
            space_before: std::mem::take(&mut pending_space),
        });
        last = Some(g);
    }
    if let Some(w) = cur {
        out.push(w);
    }
    // Text drawn twice at the same place (shadows, fake bold) counts once.
    let mut seen = HashSet::new();
    out.retain(|w| {
        seen.insert((
            w.text.clone(),
            (w.x0 / 1.5).round() as i64,
            (w.y / 1.5).round() as i64,
            w.dir,
        ))
    });
    out
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 10.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

/// Horizontal bands: runs of words whose vertical extents overlap.
fn bands(words: &[Word], idx: &[usize]) -> Vec<Vec<usize>> {
    let mut order = idx.to_vec();
    order.sort_by(|&a, &b| words[b].top().total_cmp(&words[a].top()));
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut low = f32::INFINITY;
    for i in order {
        let w = &words[i];
        let overlaps = w.top() > low + 0.05 * w.size;
        match out.last_mut() {
            Some(band) if overlaps => {
                band.push(i);
                low = low.min(w.bottom());
            }
            _ => {
                out.push(vec![i]);
                low = w.bottom();
            }
        }
    }
    out
}

/// The leftmost vertical gap of at least `min_gap` inside a band, as (left edge, right edge).
fn gutter(words: &[Word], band: &[usize], min_gap: f32) -> Option<(f32, f32)> {
    let mut xs: Vec<(f32, f32)> = band.iter().map(|&i| (words[i].x0, words[i].x1)).collect();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reach = xs.first()?.1;
    for &(x0, x1) in xs.iter().skip(1) {
        if x0 - reach >= min_gap {
            return Some((reach, x0));
        }
        reach = reach.max(x1);
    }
    None
}

/// Orders words into lines, columns first.
fn order(words: &[Word], idx: &[usize], depth: usize, out: &mut Vec<Vec<usize>>) {
    if idx.is_empty() {
        return;
    }
    let bands = bands(words, idx);
    let size = median(idx.iter().map(|&i| words[i].size).collect());
    let min_gap = 0.8 * size;
    let mut b = 0;
    // Rejected column candidates are retried from the next band; this caps the words looked at
    // so that a page of table rows stays linear.
    let mut budget = 40 * idx.len() + 10_000;
    while b < bands.len() {
        let band = &bands[b];
        let g = if depth < MAX_DEPTH && budget > 0 {
            gutter(words, band, min_gap)
        } else {
            None
        };
        let Some((mut gl, mut gr)) = g else {
            lines_of_band(words, band, out);
            b += 1;
            continue;
        };
        // Extend over the following bands that leave the gutter free.
        let mut end = b + 1;
        let mut two_sided = 1;
        while end < bands.len() {
            budget = budget.saturating_sub(bands[end].len());
            let (mut left_reach, mut right_reach, mut crosses) =
                (f32::NEG_INFINITY, f32::INFINITY, false);
            let (mut has_left, mut has_right) = (false, false);
            let mid = (gl + gr) / 2.0;
            for &i in &bands[end] {
                let w = &words[i];
                let tol = 0.3 * w.size.min(size);
                // Until a second band has both sides, the gutter may be one measured beside a
                // short heading ("Abstract" level with the right column's first line): a word
                // ending before the right side begins is on the left and narrows it.
                if w.x1 < gr - tol && (w.x0 < mid || two_sided < 2) {
                    left_reach = left_reach.max(w.x1);
                    has_left = true;
                } else if w.x0 > gl + tol && w.x1 > mid {
                    right_reach = right_reach.min(w.x0);
                    has_right = true;
                } else {
                    crosses = true;
                    break;
                }
            }
            if crosses {
                break;
            }
            let (nl, nr) = (gl.max(left_reach), gr.min(right_reach));
            if nr - nl < 0.6 * size {
                break;
            }
            gl = nl;
            gr = nr;
            two_sided += usize::from(has_left && has_right);
            end += 1;
        }
        if two_sided < 2 {
            lines_of_band(words, band, out);
            b += 1;
            continue;
        }
        let mid = (gl + gr) / 2.0;
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for band in &bands[b..end] {
            for &i in band {
                if (words[i].x0 + words[i].x1) / 2.0 < mid {
                    left.push(i);
                } else {
                    right.push(i);
                }
            }
        }
        // Columns of text are wide; a narrow "column" is a list's bullets or numbers, or a
        // table's cells, which read across.
        let extent = |set: &[usize]| {
            let lo = set
                .iter()
                .map(|&i| words[i].x0)
                .fold(f32::INFINITY, f32::min);
            let hi = set
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max);
            hi - lo
        };
        if extent(&left) < MIN_COLUMN_EMS * size || extent(&right) < MIN_COLUMN_EMS * size {
            lines_of_band(words, band, out);
            b += 1;
            continue;
        }
        order(words, &left, depth + 1, out);
        order(words, &right, depth + 1, out);
        b = end;
    }
}

/// Splits a band into lines by baseline and sorts each line left to right.
fn lines_of_band(words: &[Word], band: &[usize], out: &mut Vec<Vec<usize>>) {
    let mut by_y = band.to_vec();
    by_y.sort_by(|&a, &b| words[b].y.total_cmp(&words[a].y));
    // Each line keeps the baseline and size of its largest word, which sub- and superscripts
    // are measured against.
    let mut lines: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for i in by_y {
        let w = &words[i];
        match lines.last_mut() {
            Some((y, size, line)) => {
                let big = size.max(w.size);
                let dy = (*y - w.y).abs();
                let script = size.min(w.size) < 0.85 * big && dy < 0.6 * big;
                if dy < 0.4 * w.size.min(*size) || script {
                    line.push(i);
                    if w.size > *size {
                        *y = w.y;
                        *size = w.size;
                    }
                } else {
                    lines.push((w.y, w.size, vec![i]));
                }
            }
            None => lines.push((w.y, w.size, vec![i])),
        }
    }
    for (_, _, mut line) in lines {
        line.sort_by(|&a, &b| words[a].x0.total_cmp(&words[b].x0));
        out.push(line);
    }
}

/// Lays out one page: returns its lines in reading order.
pub fn layout(glyphs: &[Glyph]) -> Vec<Line> {
    let all = words(glyphs);
    let mut lines: Vec<Line> = Vec::new();
    for dir in 0..4u8 {
        let idx: Vec<usize> = (0..all.len()).filter(|&i| all[i].dir == dir).collect();
        if idx.is_empty() {
            continue;
        }
        let mut ordered = Vec::new();
        order(&all, &idx, 0, &mut ordered);
        for line in ordered {
            lines.push(make_line(&all, &line));
        }
    }
    join_hyphens(&mut lines);
    lines
}

fn make_line(words: &[Word], line: &[usize]) -> Line {
    let mut text = String::new();
    let (mut x0, mut y0, mut x1, mut y1) = (
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    );
    let (mut bold, mut glyphs) = (0usize, 0usize);
    let mut sizes = Vec::with_capacity(line.len());
    let mut prev_x1: Option<f32> = None;
    for &i in line {
        let w = &words[i];
        if let Some(px) = prev_x1 {
            // Words that abut (e.g. split across strings) are one word.
            if w.space_before || w.x0 - px > WORD_GAP * w.size || w.x0 < px - 0.6 * w.size {
                text.push(' ');
            }
        }
        text.push_str(&w.text);
        prev_x1 = Some(w.x1);
        x0 = x0.min(w.x0);
        x1 = x1.max(w.x1);
        y0 = y0.min(w.bottom());
        y1 = y1.max(w.top());
        bold += w.bold_glyphs;
        glyphs += w.glyphs;
        sizes.push(w.size);
    }
    let dir = line.first().map_or(0, |&i| words[i].dir);
    // Back to page space for the bounding box.
    let unrot = |x: f32, y: f32| match dir {
        0 => (x, y),
        1 => (-y, x),
        2 => (-x, -y),
        _ => (y, -x),
    };
    let (ax, ay) = unrot(x0, y0);
    let (bx, by) = unrot(x1, y1);
    Line {
        text,
        bbox: [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)],
        font_size: (median(sizes) * 10.0).round() / 10.0,
        bold: glyphs > 0 && bold * 2 > glyphs,
    }
}

/// Words after which a line-end hyphen is a suspended compound ("helse- og omsorg"), not a break.
const CONJUNCTIONS: &[&str] = &[
    "og", "eller", "samt", "til", "and", "or", "und", "oder", "et", "ou",
];

/// Repairs words broken at a line end. A hyphenated word continued in lower case is joined
/// without its hyphen; a compound continued in upper case or digits ("Nord-Gudbrandsdal",
/// "2022-2023") keeps it; a suspended compound before a conjunction keeps hyphen and space.
/// The moved word goes to the end of the first line so that the text reads as one word.
fn join_hyphens(lines: &mut [Line]) {
    let pitch = |a: &Line, b: &Line| a.bbox[1] - b.bbox[1];
    // Paragraph spacing may be too small to read as a block gap on its own (troff adds 3.6 pt to
    // a 12 pt pitch), but it still stands out against the page's usual line pitch.
    let usual_pitch = median(
        lines
            .windows(2)
            .map(|w| pitch(&w[0], &w[1]))
            .filter(|&p| p > 0.0)
            .collect(),
    );
    for i in 0..lines.len().saturating_sub(1) {
        let before = {
            let mut cs = lines[i].text.chars().rev();
            match (cs.next(), cs.next()) {
                (Some('-'), Some(c)) if c.is_alphanumeric() => c,
                _ => continue,
            }
        };
        let Some(first) = lines[i + 1].text.chars().next() else {
            continue;
        };
        // A hyphen before a paragraph break was typed, not put there by the line breaker
        // ("2022-" ending one paragraph, "2026:" opening the next).
        let p = pitch(&lines[i], &lines[i + 1]);
        if starts_block(&lines[i], &lines[i + 1]) || (usual_pitch > 0.0 && p > 1.2 * usual_pitch) {
            continue;
        }
        // An abbreviation joins its compound with a hyphen that stays ("IKT-løsninger").
        let stem: String = lines[i].text[..lines[i].text.len() - 1]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        let acronym = stem.chars().count() >= 2 && stem.chars().all(char::is_uppercase);
        let next = std::mem::take(&mut lines[i + 1].text);
        let (head, tail) = match next.find(' ') {
            Some(p) => (&next[..p], next[p + 1..].to_string()),
            None => (next.as_str(), String::new()),
        };
        let bare = head.trim_end_matches(|c: char| !c.is_alphanumeric());
        if first.is_lowercase() && CONJUNCTIONS.contains(&bare) {
            lines[i].text.push(' ');
        } else if first.is_lowercase() && before.is_alphabetic() && !acronym {
            lines[i].text.pop();
        } else if !(first.is_alphanumeric()) {
            lines[i + 1].text = next;
            continue;
        }
        lines[i].text.push_str(head);
        lines[i + 1].text = tail;
    }
}

/// Removes a dash-framed page number ("-2-", "- 2 -", troff's and many word processors' running
/// header) when it is the first or last line of its page and names that page: it is furniture of
/// the print, not part of the document's text, and a lone number only pollutes search.
pub fn drop_page_number(lines: &mut Vec<Line>, number: u32) {
    let is_number = |l: &Line| {
        let t = l.text.trim();
        let Some(inner) = t
            .strip_prefix(['-', '\u{2013}'])
            .and_then(|r| r.strip_suffix(['-', '\u{2013}']))
        else {
            return false;
        };
        inner.trim().parse::<u32>().ok() == Some(number)
    };
    if lines.last().is_some_and(is_number) {
        lines.pop();
    }
    if lines.first().is_some_and(is_number) {
        lines.remove(0);
    }
}

/// Whether `line`, read after `prev`, opens a new block: a paragraph-sized gap lies between
/// them, or it sits higher on the page (the top of the next column).
fn starts_block(prev: &Line, line: &Line) -> bool {
    let gap = prev.bbox[1] - line.bbox[3];
    let size = prev.font_size.max(line.font_size).max(1.0);
    gap > 0.9 * size || line.bbox[3] > prev.bbox[3] + 2.0 * size
}

/// Page text: lines separated by newlines, a blank line where the vertical gap says a new block
/// starts.
pub fn page_text(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Line> = None;
    for line in lines {
        if line.text.is_empty() {
            continue;
        }
        if let Some(p) = prev {
            out.push('\n');
            if starts_block(p, line) {
                out.push('\n');
            }
        }
        out.push_str(&line.text);
        prev = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs_of(text: &str, x: f32, y: f32, size: f32) -> Vec<Glyph> {
        let mut out = Vec::new();
        let mut x = x;
        for c in text.chars() {
            let w = 0.5 * size;
            if c != ' ' {
                out.push(Glyph {
                    text: c.to_string(),
                    x,
                    y,
                    w,
                    size,
                    bold: false,
                    dir: 0,
                });
            }
            x += w;
        }
        out
    }

    #[test]
    fn words_from_gaps_without_space_glyphs() {
        let mut g = glyphs_of("ab", 0.0, 0.0, 10.0);
        g.extend(glyphs_of("cd", 13.0, 0.0, 10.0));
        g.extend(glyphs_of("ef", 21.0, 0.0, 10.0));
        let w = words(&g);
        let t: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(t, vec!["ab", "cdef"]);
    }

    #[test]
    fn two_columns_read_column_by_column() {
        let mut g = Vec::new();
        g.extend(glyphs_of(
            "Heading across the whole page width",
            50.0,
            800.0,
            10.0,
        ));
        for row in 0..5 {
            let y = 780.0 - 12.0 * row as f32;
            g.extend(glyphs_of(
                &format!("left {row} text of a column"),
                50.0,
                y,
                10.0,
            ));
            g.extend(glyphs_of(
                &format!("right {row} text of a column"),
                300.0,
                y,
                10.0,
            ));
        }
        g.extend(glyphs_of("left 5 last", 50.0, 720.0, 10.0));
        g.extend(glyphs_of(
            "Footer across the whole page width and more",
            50.0,
            690.0,
            10.0,
        ));
        let lines = layout(&g);
        let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(text[0], "Heading across the whole page width");
        assert_eq!(text[1], "left 0 text of a column");
        assert_eq!(text[6], "left 5 last");
        assert_eq!(text[7], "right 0 text of a column");
        assert_eq!(text[12], "Footer across the whole page width and more");
    }

    #[test]
    fn hyphen_joined_only_before_lower_case() {
        let mut g = glyphs_of("helse-", 0.0, 100.0, 10.0);
        g.extend(glyphs_of("tjenesten er god", 0.0, 88.0, 10.0));
        g.extend(glyphs_of("Nord-", 0.0, 76.0, 10.0));
        g.extend(glyphs_of("Norge og helse-", 0.0, 64.0, 10.0));
        g.extend(glyphs_of("og omsorg", 0.0, 52.0, 10.0));
        g.extend(glyphs_of("nye IKT-", 0.0, 40.0, 10.0));
        g.extend(glyphs_of("løsninger", 0.0, 28.0, 10.0));
        let lines = layout(&g);
        let t = page_text(&lines);
        assert_eq!(
            t,
            "helsetjenesten\ner god\nNord-Norge\nog helse- og\nomsorg\nnye IKT-løsninger"
        );
    }

    #[test]
    fn a_short_heading_beside_the_right_column_stays_in_the_left_one() {
        let mut g = glyphs_of("Abstract", 50.0, 800.0, 10.0);
        g.extend(glyphs_of("right first line of it", 300.0, 800.0, 10.0));
        for row in 1..5 {
            let y = 800.0 - 12.0 * row as f32;
            g.extend(glyphs_of(
                &format!("left {row} column text that runs wide"),
                50.0,
                y,
                10.0,
            ));
            g.extend(glyphs_of(
                &format!("right {row} column text"),
                300.0,
                y,
                10.0,
            ));
        }
        let lines = layout(&g);
        let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(text[0], "Abstract");
        assert_eq!(text[1], "left 1 column text that runs wide");
        assert_eq!(text[5], "right first line of it");
    }

    #[test]
    fn framed_page_number_is_dropped() {
        let mut g = glyphs_of("-2-", 280.0, 790.0, 10.0);
        g.extend(glyphs_of("Tekst 2", 72.0, 750.0, 10.0));
        let mut lines = layout(&g);
        drop_page_number(&mut lines, 3);
        assert_eq!(lines.len(), 2, "another page's number stays");
        drop_page_number(&mut lines, 2);
        assert_eq!(page_text(&lines), "Tekst 2");
    }

    #[test]
    fn hyphen_before_a_paragraph_break_stays() {
        let mut g = glyphs_of("Strategiplan 2022-", 0.0, 100.0, 10.0);
        g.extend(glyphs_of("2026: satsinger", 0.0, 70.0, 10.0));
        let t = page_text(&layout(&g));
        assert_eq!(t, "Strategiplan 2022-\n\n2026: satsinger");
    }
}
