//! Source lines from the extractor's laid-out lines, reading the layout for what plain text
//! shows with markers and blank lines:
//!
//! - a list marker the producer drew as a glyph of its own (office suites' Symbol bullets come out
//!   as a lone private-use glyph on the item's baseline, often before all the item texts) is put
//!   back in front of the text it stands beside;
//! - extra vertical space above a line (more than the normal line pitch of its font size) is a
//!   block break, like a blank line in plain text;
//! - a spaced line that starts just right of the text's left edge, where an invisible marker
//!   would end, opens a list item (producers whose bullet glyph does not survive extraction).

use crate::pdf;

use super::text::{list_marker, locate, SourceLine, BULLETS};

/// A line with its list marker (if drawn separately) put back in front.
struct Laid<'a> {
    line: &'a pdf::Line,
    /// The marker text to prefix, normalised so `list_marker` reads it ("•", "3.", "b)").
    marker: Option<String>,
    /// Left edge, the marker's when there is one.
    x0: f32,
}

impl Laid<'_> {
    fn text(&self) -> &str {
        self.line.text.trim()
    }
    fn size(&self) -> f32 {
        self.line.font_size
    }
    fn baseline(&self) -> f32 {
        self.line.bbox[1]
    }
}

/// A line that is nothing but a list marker, normalised.
fn marker_only(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    if chars.next().is_none() {
        let symbol = BULLETS.contains(&first)
            || ('\u{e000}'..='\u{f8ff}').contains(&first)
            || matches!(first, '\u{2190}'..='\u{2bff}' | '\u{1f300}'..='\u{1faff}');
        return symbol.then(|| "•".to_owned());
    }
    // "1." or "b)" drawn apart from its text. Only a bullet, a digit or a small letter can
    // open a marker; most lines start otherwise and need no probe string.
    if !(BULLETS.contains(&first) || first.is_ascii_digit() || first.is_ascii_lowercase()) {
        return None;
    }
    let probe = format!("{text} x");
    list_marker(&probe, 0).map(|_| text.to_owned())
}

/// The page's lines with separately drawn markers joined to the text on their baseline, in the
/// order of the texts.
fn laid_lines(page: &pdf::Page) -> Vec<Laid<'_>> {
    let lines: Vec<&pdf::Line> = page
        .lines
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let markers: Vec<Option<String>> = lines.iter().map(|l| marker_only(l.text.trim())).collect();
    // For each text line, the marker line standing left of it on the same baseline.
    let mut owner: Vec<Option<usize>> = vec![None; lines.len()];
    let mut taken = vec![false; lines.len()];
    for (m, marker) in markers.iter().enumerate() {
        if marker.is_none() {
            continue;
        }
        let ml = lines[m];
        let size = ml.font_size.max(1.0);
        let best = lines
            .iter()
            .enumerate()
            .filter(|&(t, l)| {
                t != m
                    && markers[t].is_none()
                    && owner[t].is_none()
                    && (l.bbox[1] - ml.bbox[1]).abs() <= 0.3 * size
                    && l.bbox[0] >= ml.bbox[2] - 0.1 * size
                    && l.bbox[0] - ml.bbox[2] <= 4.0 * size
                    && list_marker(l.text.trim(), 0).is_none()
            })
            .min_by(|a, b| a.1.bbox[0].total_cmp(&b.1.bbox[0]));
        if let Some((t, _)) = best {
            owner[t] = Some(m);
            taken[m] = true;
        }
    }
    lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| !taken[i])
        .map(|(i, &line)| match owner[i] {
            Some(m) => Laid {
                line,
                marker: markers[m].clone(),
                x0: lines[m].bbox[0],
            },
            None => Laid {
                line,
                marker: None,
                x0: line.bbox[0],
            },
        })
        .collect()
}

fn round_half(v: f32) -> i32 {
    (v * 2.0).round() as i32
}

/// Most common value (to half a point) of `values`, the smallest among equals.
fn mode(values: impl Iterator<Item = f32>) -> Option<f32> {
    let mut keys: Vec<i32> = values.map(round_half).collect();
    keys.sort_unstable();
    let mut best: Option<(usize, i32)> = None;
    for run in keys.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(n, _)| run.len() > n) {
            best = Some((run.len(), run[0]));
        }
    }
    best.map(|(_, k)| k as f32 / 2.0)
}

/// Normal distance between baselines of consecutive lines of one font size: the smallest
/// distance that recurs (a single odd pair does not set it).
struct Pitches(Vec<(f32, f32)>);

impl Pitches {
    fn of(pages: &[Vec<Laid<'_>>]) -> Self {
        let mut by_size: Vec<(i32, Vec<f32>)> = Vec::new();
        for page in pages {
            for pair in page.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let size = b.size();
                if size <= 0.0 || (a.size() - size).abs() > 0.3 {
                    continue;
                }
                let dy = a.baseline() - b.baseline();
                if dy < 0.8 * size || dy > 3.0 * size {
                    continue;
                }
                let key = round_half(size);
                match by_size.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(dy),
                    None => by_size.push((key, vec![dy])),
                }
            }
        }
        let pitches = by_size
            .into_iter()
            .filter_map(|(key, mut dys)| {
                dys.sort_by(f32::total_cmp);
                let recurring = dys.windows(2).find(|w| w[1] - w[0] <= 0.3).map(|w| w[0]);
                Some((key as f32 / 2.0, recurring.or(dys.first().copied())?))
            })
            .collect();
        Self(pitches)
    }

    fn get(&self, size: f32) -> Option<f32> {
        self.0
            .iter()
            .find(|(s, _)| (s - size).abs() <= 0.3)
            .map(|&(_, p)| p)
    }
}

/// Left edge of a page's text: the leftmost edge that at least two lines share, else the
/// leftmost edge.
fn text_left(page: &[Laid<'_>]) -> f32 {
    let mut xs: Vec<f32> = page.iter().map(|l| l.x0).collect();
    xs.sort_by(f32::total_cmp);
    xs.windows(2)
        .find(|w| w[1] - w[0] <= 0.5)
        .map(|w| w[0])
        .or(xs.first().copied())
        .unwrap_or(0.0)
}

/// Source lines of extracted pages: laid-out lines where the extractor gives them, else the
/// page's text.
pub(crate) fn lines_from_pages(pages: &[pdf::Page]) -> Vec<SourceLine> {
    let laid: Vec<Vec<Laid<'_>>> = pages.iter().map(laid_lines).collect();
    let pitches = Pitches::of(&laid);
    let body_size = mode(laid.iter().flatten().map(Laid::size).filter(|s| *s > 0.0));
    let mut out = Vec::new();
    for (page, lines) in pages.iter().zip(&laid) {
        if lines.is_empty() {
            out.extend(super::text::lines_from_page_text(&page.text, page.number));
            continue;
        }
        let left = text_left(lines);
        let mut cursor = 0usize;
        let mut prev: Option<&Laid<'_>> = None;
        for l in lines {
            let size = l.size().max(1.0);
            let body = l.text();
            let chars = locate(&page.text, body, &mut cursor);
            let gap_before = prev.is_none_or(|p| {
                // About one blank line between the boxes, or more space than the normal pitch.
                let blank = p.line.bbox[1] - l.line.bbox[3] > 0.8 * p.size().max(1.0);
                let same_size = (p.size() - l.size()).abs() <= 0.3;
                let spaced = same_size
                    && pitches.get(l.size()).is_some_and(|pitch| {
                        p.baseline() - l.baseline() > pitch + (0.1 * size).max(1.0)
                    });
                blank || spaced
            });
            let body_style = !l.line.bold && body_size.is_some_and(|b| (l.size() - b).abs() <= 0.5);
            let shift = l.x0 - left;
            // After a heading, the style change breaks the block whatever the space.
            let restyled = prev
                .is_some_and(|p| (p.size() - l.size()).abs() > 0.3 || p.line.bold != l.line.bold);
            let implied_item = l.marker.is_none()
                && body_style
                && (gap_before || restyled)
                && shift > 0.5
                && shift <= size;
            let (text, synthetic) = match &l.marker {
                Some(m) => (format!("{m} {body}"), m.len() + 1),
                None => (body.to_owned(), 0),
            };
            out.push(SourceLine {
                text,
                // Points to "characters" at a typical body size, so plain-text and laid-out
                // indentation compare alike.
                indent: ((l.x0 - left).max(0.0) / 5.0) as usize,
                page: page.number,
                chars,
                font_size: (l.size() > 0.0).then_some(l.size()),
                bold: l.line.bold,
                gap_before,
                synthetic,
                implied_item,
                mid: Some((
                    (l.line.bbox[1] + l.line.bbox[3]) / 2.0,
                    (l.line.bbox[3] - l.line.bbox[1]).max(1.0),
                )),
            });
            prev = Some(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x0: f32, y0: f32, size: f32) -> pdf::Line {
        pdf::Line {
            text: text.to_owned(),
            bbox: [x0, y0, x0 + 5.0 * text.len() as f32, y0 + 0.85 * size],
            font_size: size,
            bold: false,
        }
    }

    fn page(lines: Vec<pdf::Line>) -> pdf::Page {
        pdf::Page::from_lines(1, lines)
    }

    #[test]
    fn separate_marker_glyphs_join_their_text() {
        // Bullets first in content order, then the texts, as office suites write them.
        let p = page(vec![
            line("Vi vil:", 90.0, 700.0, 11.0),
            line("\u{f0b7}", 90.0, 685.0, 11.0),
            line("\u{f0b7}", 90.0, 655.0, 11.0),
            line("Første tiltak som går over", 108.0, 685.0, 11.0),
            line("to linjer", 108.0, 670.0, 11.0),
            line("Andre tiltak", 108.0, 655.0, 11.0),
        ]);
        let lines = lines_from_pages(std::slice::from_ref(&p));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Vi vil:",
                "• Første tiltak som går over",
                "to linjer",
                "• Andre tiltak"
            ]
        );
        let chars = lines[3].chars.clone().expect("located");
        let page_chars: Vec<char> = p.text.chars().collect();
        let got: String = page_chars[chars].iter().collect();
        assert_eq!(got, "Andre tiltak");
        assert_eq!(lines[3].synthetic, "• ".len());
    }

    #[test]
    fn extra_space_breaks_and_offset_starts_items() {
        // Items 15 pt apart, wrapped lines 12 pt, item text just right of the margin.
        let p = page(vec![
            line("Vi vil:", 56.0, 700.0, 10.0),
            line("Første tiltak som går over", 58.8, 685.0, 10.0),
            line("to linjer", 56.0, 673.0, 10.0),
            line("og et tiltak til", 58.8, 658.0, 10.0),
            line("Et avsnitt som fortsetter", 56.0, 640.0, 10.0),
            line("på neste linje.", 56.0, 628.0, 10.0),
        ]);
        let lines = lines_from_pages(&[p]);
        let flags: Vec<(bool, bool)> = lines
            .iter()
            .map(|l| (l.gap_before, l.implied_item))
            .collect();
        assert_eq!(
            flags,
            [
                (true, false),
                (true, true),
                (false, false),
                (true, true),
                (true, false),
                (false, false)
            ]
        );
    }
}
