//! A document's title as a person would call it. Search hits show it, so a file name such as
//! "vedlegg-til-sak-24.25" is the last resort: the case paper's or plan's own title comes
//! first, then the PDF's Title where it is a real one, then the first page's most prominent
//! line. A title given with the file (a manifest) or set by a person is never replaced.

use planarkiv_schema::entities::TitleSource;

use crate::entities::{DocumentEntities, DocumentKind, Located};
use crate::pdf;

/// A heading is at least this much larger than the page's usual text.
const HEADING_SIZE_RATIO: f32 = 1.15;
/// Lines of the first page looked at for a heading.
const HEADING_LINES: usize = 15;
/// A title is a phrase, not a paragraph.
const MAX_TITLE_CHARS: usize = 200;

/// The title extraction gives a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub title: String,
    pub source: TitleSource,
}

/// Whether extraction may replace the current title. Rows from before sources were recorded
/// (`source` None) follow the old rule: only a title made from the file name gives way.
pub fn may_replace(current: Option<&str>, source: Option<TitleSource>, filename: &str) -> bool {
    match source {
        Some(s) => s.extraction_may_replace(),
        None => {
            current.is_none() || current.map(str::to_owned) == crate::store::default_title(filename)
        }
    }
}

/// The best title the document gives itself, or None when it gives none (the current one
/// stays).
pub fn choose(x: &pdf::Extracted, found: Option<&DocumentEntities>) -> Option<Chosen> {
    if let Some(t) = found.and_then(text_title) {
        return Some(Chosen {
            title: t.value.clone(),
            source: TitleSource::Text,
        });
    }
    if let Some(t) = x.title.as_ref().filter(|t| is_meaningful_title(t)) {
        return Some(Chosen {
            title: t.trim().to_owned(),
            source: TitleSource::PdfMetadata,
        });
    }
    heading(x).map(|title| Chosen {
        title,
        source: TitleSource::Heading,
    })
}

/// The case paper's or plan's title as its text gives it, with where it stands.
pub fn text_title(found: &DocumentEntities) -> Option<&Located<String>> {
    let t = match found.document_kind {
        DocumentKind::CasePaper => found.case.as_ref()?.title.as_ref(),
        DocumentKind::Plan => found.plan.as_ref()?.title.as_ref(),
        _ => None,
    }?;
    let chars = t.value.chars().count();
    (3..=MAX_TITLE_CHARS).contains(&chars).then_some(t)
}

/// Lines of the same size this close (in line heights) belong to one wrapped heading.
const WRAP_SPACING: f32 = 1.6;
/// A heading is a phrase: at most this many words for the fallback of a bold first line.
const MAX_HEADING_WORDS: usize = 12;

/// Headings of a document's parts, never its title.
const SECTION_WORDS: [&str; 10] = [
    "bakgrunn",
    "innledning",
    "sammendrag",
    "samandrag",
    "formål",
    "innhold",
    "innholdsfortegnelse",
    "innhaldsliste",
    "forord",
    "oppsummering",
];

/// What a document is, said above its title ("Vedlegg til sak 24.25", "Saksframlegg").
const TYPE_LABELS: [&str; 6] = [
    "vedlegg",
    "saksframlegg",
    "notat",
    "referat",
    "møteprotokoll",
    "høringsuttalelse",
];

/// The first page's title heading. Where the type has a largest size near the top, the lines
/// of that size before the body text are grouped into headings (a wrapped heading's lines sit
/// closer together than two headings do), and the last one that is not a section heading, a
/// caption or a label of the document's type is the title ("Vedlegg til sak 24.25" /
/// "Strategiplan …" / "Bakgrunn" gives "Strategiplan …"). Where the page has no such contrast
/// (slides set in one size), a short bold first line is.
fn heading(x: &pdf::Extracted) -> Option<String> {
    let page = x.pages.first()?;
    let top: Vec<&pdf::Line> = page.lines.iter().take(HEADING_LINES).collect();
    if top.is_empty() || page.lines.len() < 3 {
        return None;
    }
    let usual = body_size(page);
    let biggest = top.iter().map(|l| l.font_size).fold(0.0_f32, f32::max);
    let title = if biggest >= usual * HEADING_SIZE_RATIO {
        let is_big = |l: &pdf::Line| l.font_size >= biggest - 0.1;
        let before_body: Vec<&pdf::Line> = top
            .iter()
            .copied()
            .skip_while(|l| !is_big(l))
            .take_while(|l| is_big(l))
            .collect();
        let mut runs: Vec<Vec<&pdf::Line>> = Vec::new();
        for l in before_body {
            let joins = runs.last().and_then(|r| r.last()).is_some_and(|prev| {
                (prev.bbox[1] - l.bbox[1]).abs() <= prev.font_size * WRAP_SPACING
            });
            match runs.last_mut() {
                Some(run) if joins => run.push(l),
                _ => runs.push(vec![l]),
            }
        }
        runs.iter()
            .map(|r| {
                r.iter()
                    .map(|l| l.text.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .rfind(|t| is_title_like(t))?
    } else {
        let first = top.first()?;
        let words = first.text.split_whitespace().count();
        (first.bold && words <= MAX_HEADING_WORDS).then(|| first.text.trim().to_owned())?
    };
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 3 && title.chars().count() <= MAX_TITLE_CHARS).then_some(title)
}

/// The size most of the page's text is set in (by characters, so a page of many short
/// headings and a few long paragraphs still has the paragraphs' size).
fn body_size(page: &pdf::Page) -> f32 {
    let mut by_size: Vec<(f32, usize)> = Vec::new();
    for l in &page.lines {
        let n = l.text.chars().count();
        match by_size
            .iter_mut()
            .find(|(s, _)| (s - l.font_size).abs() < 0.25)
        {
            Some((_, c)) => *c += n,
            None => by_size.push((l.font_size, n)),
        }
    }
    by_size
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or(0.0, |(s, _)| s)
}

/// Not a section heading, a picture's caption or a label of what the document is.
fn is_title_like(t: &str) -> bool {
    let lower = t.to_lowercase();
    let bare = lower.trim_end_matches([':', '.']).trim();
    let words = bare.split_whitespace().count();
    let section = SECTION_WORDS.contains(&bare);
    let caption = lower.contains("illustrasjon") || lower.starts_with("foto");
    let label = words <= 6 && TYPE_LABELS.iter().any(|l| bare.starts_with(l));
    !section && !caption && !label
}

/// PDF producers often write placeholders such as "Microsoft Word - sak.docx" or "untitled".
pub(crate) fn is_meaningful_title(t: &str) -> bool {
    let l = t.to_lowercase();
    // A single token with underscores or dots is a file name, not a title.
    let looks_like_filename = !t.contains(' ') && (t.contains('_') || t.contains('.'));
    t.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !l.starts_with("microsoft word")
        && !l.ends_with(".docx")
        && !l.ends_with(".doc")
        && l != "untitled"
        && l != "uten tittel"
        && !looks_like_filename
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines from the top down, each `gap` times its size below the previous one.
    fn page(lines: &[(&str, f32)]) -> pdf::Extracted {
        page_spaced(lines, 1.3)
    }

    fn page_spaced(lines: &[(&str, f32)], gap: f32) -> pdf::Extracted {
        let mut y = 800.0;
        let lines: Vec<pdf::Line> = lines
            .iter()
            .map(|&(text, size)| {
                y -= size * gap;
                pdf::Line {
                    text: text.to_owned(),
                    bbox: [0.0, y, 100.0, y + size],
                    font_size: size,
                    bold: false,
                }
            })
            .collect();
        pdf::Extracted {
            pages: vec![pdf::Page {
                number: 1,
                text: lines
                    .iter()
                    .map(|l| l.text.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
                lines,
                needs_ocr: false,
                ocr: None,
                ocr_error: None,
            }],
            producer: None,
            title: None,
        }
    }

    #[test]
    fn the_text_title_beats_the_pdf_title_which_beats_a_heading() {
        let mut x = page(&[
            ("Helsefellesskapet", 10.0),
            ("Samhandling om utskrivning", 18.0),
            ("av pasienter", 18.0),
            ("Brødtekst om saken.", 10.0),
            ("Mer tekst.", 10.0),
        ]);
        assert_eq!(
            choose(&x, None),
            Some(Chosen {
                title: "Samhandling om utskrivning av pasienter".into(),
                source: TitleSource::Heading
            })
        );
        x.title = Some("Microsoft Word - mal.docx".into());
        assert_eq!(
            choose(&x, None).map(|c| c.source),
            Some(TitleSource::Heading)
        );
        x.title = Some("Samhandlingsavtale 2026".into());
        assert_eq!(
            choose(&x, None).map(|c| (c.title, c.source)),
            Some(("Samhandlingsavtale 2026".into(), TitleSource::PdfMetadata))
        );
        let found = crate::entities::extract_from_text(
            "SAKSFRAMLEGG\n\nArkivsaksnr: 2026/4\nSaksbehandler: Kari\n\nNy avtale om utskrivning\n\nForslag til vedtak:\nAvtalen godkjennes.\n",
        );
        assert_eq!(
            choose(&x, Some(&found)).map(|c| (c.title, c.source)),
            Some(("Ny avtale om utskrivning".into(), TitleSource::Text))
        );
    }

    #[test]
    fn labels_sections_and_captions_are_not_titles() {
        // Headings set apart (two line heights): each its own; the last title-like one wins.
        let x = page_spaced(
            &[
                ("Vedlegg til sak 12.26", 13.0),
                ("Plan for felles opplæring", 13.0),
                ("Bakgrunn", 13.0),
                ("Brødtekst som forklarer saken nærmere.", 11.0),
                ("Mer tekst.", 11.0),
                ("Enda mer tekst.", 11.0),
            ],
            2.1,
        );
        assert_eq!(
            choose(&x, None).map(|c| c.title).as_deref(),
            Some("Plan for felles opplæring")
        );
        let x = page_spaced(
            &[
                ("Sykepleiere i korridoren, illustrasjonsbilde", 13.0),
                ("Strategi for rekruttering", 13.0),
                (
                    "Brødtekst som forteller hva strategien skal oppnå de neste årene.",
                    11.0,
                ),
                ("Mer tekst om hvordan arbeidet er organisert.", 11.0),
            ],
            2.1,
        );
        assert_eq!(
            choose(&x, None).map(|c| c.title).as_deref(),
            Some("Strategi for rekruttering")
        );
    }

    #[test]
    fn slides_in_one_size_take_a_short_bold_first_line() {
        let mut x = page(&[
            ("Ti trender", 14.0),
            ("Flere eldre", 14.0),
            ("Færre yngre", 14.0),
        ]);
        assert_eq!(choose(&x, None), None, "not bold: nothing stands out");
        x.pages[0].lines[0].bold = true;
        assert_eq!(
            choose(&x, None).map(|c| c.title).as_deref(),
            Some("Ti trender")
        );
    }

    #[test]
    fn uniform_type_gives_no_heading() {
        let x = page(&[("En linje", 11.0), ("Neste linje", 11.0), ("Tredje", 11.0)]);
        assert_eq!(choose(&x, None), None);
    }

    #[test]
    fn what_a_person_or_manifest_set_stays() {
        assert!(!may_replace(
            Some("Mitt navn"),
            Some(TitleSource::Person),
            "a.pdf"
        ));
        assert!(!may_replace(
            Some("Fra manifest"),
            Some(TitleSource::Manifest),
            "a.pdf"
        ));
        assert!(may_replace(Some("a"), Some(TitleSource::Filename), "a.pdf"));
        assert!(may_replace(
            Some("Gammel"),
            Some(TitleSource::PdfMetadata),
            "a.pdf"
        ));
        // Rows from before sources were kept.
        assert!(may_replace(Some("sak 1"), None, "sak_1.pdf"));
        assert!(!may_replace(Some("Noe annet"), None, "sak_1.pdf"));
    }
}
