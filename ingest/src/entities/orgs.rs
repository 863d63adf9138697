//! Organisations (health communities, health trusts) and the bodies that treat cases.

use std::ops::Range;

use super::dates::tokens;

/// Corporate suffixes that belong to a health trust's name.
const SUFFIXES: [&str; 2] = ["RHF", "HF"];

/// Lower-case words that may sit inside a trust's name before its suffix
/// ("Oslo universitetssykehus HF", "St. Olavs hospital HF").
const NAME_INNER_WORDS: [&str; 4] = ["sykehus", "universitetssykehus", "hospital", "sjukehus"];

/// Heads of organisation names followed by a proper name ("Helseregion Nord-Gudbrandsdal").
const NAMED_HEADS: [&str; 4] = [
    "Sykehuset",
    "Helseregion",
    "Universitetssykehuset",
    "Sjukehuset",
];

/// Words that end a name: documents write "Helsefellesskap Innlandet Strategiplan" in headers.
const NAME_STOP_WORDS: [&str; 10] = [
    "Strategi",
    "Strategiplan",
    "Handlingsplan",
    "Handlingsdel",
    "Utviklingsplan",
    "Plan",
    "Sak",
    "Vedlegg",
    "HF",
    "RHF",
];

/// Organisations known by acronym alone.
const ACRONYM_ORGS: [&str; 2] = ["KS", "NAV"];

/// Corrects case and the common "felleskap" misspelling of "fellesskap" in an organisation name,
/// and collapses whitespace. Acronyms of up to four letters keep their capitals.
pub fn normalize_org(raw: &str) -> String {
    // A name set wholly in capitals ("HELSE NORD RHF") is a typographic choice: even its short
    // words are re-cased, all but the corporate suffixes.
    let all_caps = raw.chars().filter(|c| c.is_alphabetic()).count() > 6
        && !raw.chars().any(char::is_lowercase);
    let words: Vec<String> = raw
        .split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if all_caps && letters >= 3 && !SUFFIXES.contains(&w) {
                fix_fellesskap(&title_case(w))
            } else {
                normalize_word(w)
            }
        })
        .collect();
    let mut out = words.join(" ");
    if let Some(first) = out.chars().next() {
        if first.is_lowercase() {
            out = first.to_uppercase().chain(out.chars().skip(1)).collect();
        }
    }
    out
}

fn normalize_word(word: &str) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let shouting = letters > 4 && word.chars().all(|c| !c.is_lowercase());
    let word = if shouting {
        title_case(word)
    } else {
        word.to_owned()
    };
    fix_fellesskap(&word)
}

/// "MIDT-NORGE" → "Midt-Norge".
fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut at_start = true;
    for c in word.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_start = !c.is_alphanumeric();
    }
    out
}

fn fix_fellesskap(word: &str) -> String {
    let lower = word.to_lowercase();
    match lower.find("felleskap") {
        // Byte offsets of the lower-cased word match the original only when lower-casing kept
        // every length, which holds for the letters of this stem; check rather than assume.
        Some(at) if lower.len() == word.len() => {
            let (head, tail) = (word.get(..at + 5), word.get(at + 5..));
            match (head, tail) {
                (Some(h), Some(t)) => format!("{h}s{t}"),
                _ => word.to_owned(),
            }
        }
        _ => word.to_owned(),
    }
}

fn bare(raw: &str) -> &str {
    raw.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.'))
        .trim_end_matches(['.', '-'])
}

/// A token with what the name rules ask of it, worked out once: every token is looked at by
/// several rules, and again by each look-ahead that passes over it.
struct Word<'a> {
    raw: &'a str,
    start: usize,
    bare: &'a str,
    name: bool,
}

fn words(text: &str) -> Vec<Word<'_>> {
    tokens(text)
        .into_iter()
        .map(|t| {
            let bare = bare(t.raw);
            Word {
                raw: t.raw,
                start: t.range.start,
                bare,
                name: is_bare_name_word(bare),
            }
        })
        .collect()
}

fn is_bare_name_word(w: &str) -> bool {
    let capital = w.chars().next().is_some_and(|c| c.is_uppercase());
    capital
        && w.chars().any(|c| c.is_alphabetic())
        && !NAME_STOP_WORDS.contains(&w)
        && !w.chars().any(|c| c.is_ascii_digit())
}

/// Punctuation after a word ends a name ("Innlandet, og" or "Innlandet.").
fn ends_phrase(raw: &str) -> bool {
    // "St." in "St. Olavs hospital HF" is an abbreviation, not the end of a sentence.
    let abbreviation = raw.len() <= 3 && raw.ends_with('.') && raw.starts_with(char::is_uppercase);
    !abbreviation && raw.ends_with([',', '.', ';', ':', ')', '?', '!', '»'])
}

fn is_health_community(w: &str) -> bool {
    // Checked before lower-casing, which is most of the cost: ASCII keeps its length.
    if w.is_ascii() && !("helsefelleskap".len()..="helsefellesskapet".len()).contains(&w.len()) {
        return false;
    }
    let w = w.to_lowercase();
    let w = w.strip_suffix("et").unwrap_or(&w);
    w == "helsefellesskap" || w == "helsefelleskap"
}

/// An organisation mention: the canonical name and the byte range it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundOrg {
    pub name: String,
    pub range: Range<usize>,
}

/// Organisation mentions in text order. A name without its RHF/HF suffix is completed from a
/// suffixed mention of the same name elsewhere in `text`.
pub fn find_orgs(text: &str) -> Vec<FoundOrg> {
    let toks = words(text);
    let mut out: Vec<FoundOrg> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match org_at(&toks, i) {
            Some((next, found)) => {
                out.push(found);
                i = next;
            }
            None => i += 1,
        }
    }
    let suffixed: Vec<String> = out
        .iter()
        .filter(|o| SUFFIXES.iter().any(|s| o.name.ends_with(&format!(" {s}"))))
        .map(|o| o.name.clone())
        .collect();
    for o in &mut out {
        if let Some(full) = suffixed
            .iter()
            .find(|s| s.len() > o.name.len() && s.starts_with(&format!("{} ", o.name)))
        {
            o.name = full.clone();
        }
    }
    out
}

fn span(toks: &[Word<'_>], from: usize, to_inclusive: usize) -> Option<(Range<usize>, String)> {
    let first = toks.get(from)?;
    let last = toks.get(to_inclusive)?;
    let start = first.start
        + (first.raw.len()
            - first
                .raw
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len());
    let end = last.start + bare_end(last.raw);
    let words: Vec<&str> = toks
        .get(from..=to_inclusive)?
        .iter()
        .map(|t| t.raw)
        .collect();
    let joined = words.join(" ");
    let lead = start - first.start;
    let cut = joined.len() - (last.raw.len() - bare_end(last.raw));
    Some((start..end, joined.get(lead..cut)?.to_owned()))
}

fn bare_end(raw: &str) -> usize {
    raw.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '-'))
        .trim_end_matches('-')
        .len()
}

/// Reads up to `max` name words from `i`; returns the index of the last one.
fn name_words(toks: &[Word<'_>], i: usize, max: usize) -> Option<usize> {
    let mut last = None;
    for k in i..i + max {
        let Some(t) = toks.get(k) else { break };
        if !t.name {
            break;
        }
        last = Some(k);
        if ends_phrase(t.raw) {
            break;
        }
    }
    last
}

fn with_suffix(toks: &[Word<'_>], last: usize) -> usize {
    let next = toks.get(last + 1).map(|t| t.bare);
    let last_ends = toks.get(last).is_some_and(|t| ends_phrase(t.raw));
    match next {
        Some(s) if !last_ends && SUFFIXES.contains(&s) => last + 1,
        _ => last,
    }
}

fn found(toks: &[Word<'_>], from: usize, to: usize) -> Option<(usize, FoundOrg)> {
    let (range, raw) = span(toks, from, to)?;
    Some((
        to + 1,
        FoundOrg {
            name: normalize_org(&raw),
            range,
        },
    ))
}

fn org_at(toks: &[Word<'_>], i: usize) -> Option<(usize, FoundOrg)> {
    let t = toks.get(i)?;
    let word = t.bare;
    if is_health_community(word) && !ends_phrase(t.raw) {
        let first = if toks
            .get(i + 1)
            .is_some_and(|n| n.raw.eq_ignore_ascii_case("i"))
        {
            i + 2
        } else {
            i + 1
        };
        let last = name_words(toks, first, 3)?;
        let (range, _) = span(toks, i, last)?;
        let (_, name) = span(toks, first, last)?;
        return Some((
            last + 1,
            FoundOrg {
                name: normalize_org(&format!("Helsefellesskap {name}")),
                range,
            },
        ));
    }
    if (word == "Helse" || word == "HELSE" || NAMED_HEADS.contains(&word)) && !ends_phrase(t.raw) {
        // "Sykehuset i Vestfold HF"
        let skip_i = NAMED_HEADS.contains(&word) && toks.get(i + 1).is_some_and(|n| n.raw == "i");
        let last = name_words(toks, if skip_i { i + 2 } else { i + 1 }, 3)?;
        return found(toks, i, with_suffix(toks, last));
    }
    if ACRONYM_ORGS.contains(&word) && word == t.raw.trim_end_matches([',', '.', ';', ':', ')']) {
        return found(toks, i, i);
    }
    let next_is_kommune = toks
        .get(i + 1)
        .is_some_and(|n| matches!(n.bare, "kommune" | "fylkeskommune"));
    if next_is_kommune && t.name && !ends_phrase(t.raw) {
        return found(toks, i, i + 1);
    }
    trust_ending_at(toks, i)
}

/// "Sykehuset Innlandet HF", "Oslo universitetssykehus HF": a trust's name is only known to be
/// one when its suffix follows within a few words, so a capitalised word starts a look-ahead.
fn trust_ending_at(toks: &[Word<'_>], i: usize) -> Option<(usize, FoundOrg)> {
    if !toks.get(i)?.name {
        return None;
    }
    for k in i + 1..i + 5 {
        let t = toks.get(k)?;
        let w = t.bare;
        if SUFFIXES.contains(&w) {
            return found(toks, i, k);
        }
        let inner = NAME_INNER_WORDS.contains(&w) || t.name;
        if !inner || toks.get(k - 1).is_some_and(|p| ends_phrase(p.raw)) {
            return None;
        }
    }
    None
}

/// A body that treats cases or adopts plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyKind {
    pub name: &'static str,
    pub abbreviation: Option<&'static str>,
    /// Lower-case stems that name the body in running text.
    stems: &'static [&'static str],
}

const BODIES: [BodyKind; 10] = [
    BodyKind {
        name: "Strategisk samarbeidsutvalg",
        abbreviation: Some("SSU"),
        stems: &["strategisk samarbeidsutvalg"],
    },
    BodyKind {
        name: "Overordnet samarbeidsutvalg",
        abbreviation: Some("OSU"),
        stems: &["overordnet samarbeidsutvalg"],
    },
    BodyKind {
        name: "Geografisk samarbeidsutvalg",
        abbreviation: Some("GSU"),
        stems: &["geografisk samarbeidsutvalg"],
    },
    BodyKind {
        name: "Faglig samarbeidsutvalg",
        abbreviation: Some("FSU"),
        stems: &["faglig samarbeidsutvalg"],
    },
    BodyKind {
        name: "Lokalt samarbeidsutvalg",
        abbreviation: Some("LSU"),
        stems: &["lokalt samarbeidsutvalg"],
    },
    BodyKind {
        name: "Arbeidsutvalget",
        abbreviation: Some("AU"),
        stems: &["arbeidsutvalg"],
    },
    BodyKind {
        name: "Partnerskapsmøtet",
        abbreviation: None,
        stems: &["partnerskapsmøte"],
    },
    BodyKind {
        name: "Fagutvalg",
        abbreviation: None,
        stems: &["fagutvalg"],
    },
    BodyKind {
        name: "Brukerutvalg",
        abbreviation: None,
        stems: &["brukerutvalg"],
    },
    BodyKind {
        name: "Styret",
        abbreviation: None,
        stems: &["styret "],
    },
];

/// A body mentioned in text: its canonical name, abbreviation and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundBody {
    pub name: String,
    pub abbreviation: Option<String>,
    pub range: Range<usize>,
}

/// Nynorsk names of the known bodies, by the bokmål body's index in `BODIES`. A body found by
/// one of these keeps its name as written: a nynorsk committee is never renamed in bokmål.
const NYNORSK_STEMS: [(&str, usize); 9] = [
    ("strategisk samarbeidsutval", 0),
    ("overordna samarbeidsutval", 1),
    ("geografisk samarbeidsutval", 2),
    ("fagleg samarbeidsutval", 3),
    ("lokalt samarbeidsutval", 4),
    ("arbeidsutval", 5),
    ("partnarskapsmøte", 6),
    ("fagutval", 7),
    ("brukarutval", 8),
];

/// Bodies in text order: known bodies by name or abbreviation, and any "Name utvalg (ABBR)".
pub fn find_bodies(text: &str) -> Vec<FoundBody> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    // Lower-casing can change byte lengths for a few scripts; offsets are only trusted when it
    // did not, which holds for Norwegian text.
    if lower.len() == text.len() {
        let starts_word = |at: usize| {
            lower
                .get(..at)
                .is_none_or(|h| !h.ends_with(char::is_alphanumeric))
        };
        for body in &BODIES {
            for stem in body.stems {
                for (at, _) in lower.match_indices(stem) {
                    if starts_word(at) {
                        let end = word_end(text, at + stem.len());
                        out.push(known(body, at..with_defined_abbreviation(text, end, body)));
                    }
                }
            }
        }
        // After the bokmål stems, so that where both match (a nynorsk stem may begin a bokmål
        // name) the bokmål match comes first and wins the dedup below.
        // Every nynorsk stem holds one of these; most texts hold neither, and are spared nine
        // searches.
        let nynorsk = lower.contains("utval") || lower.contains("partnarskap");
        for (stem, k) in NYNORSK_STEMS.iter().filter(|_| nynorsk) {
            let (stem, k) = (*stem, *k);
            let Some(body) = BODIES.get(k) else { continue };
            for (at, _) in lower.match_indices(stem) {
                let end = word_end(text, at + stem.len());
                if let (true, Some(name)) = (starts_word(at), text.get(at..end)) {
                    out.push(FoundBody {
                        name: normalize_org(name),
                        abbreviation: body.abbreviation.map(str::to_owned),
                        range: at..with_defined_abbreviation(text, end, body),
                    });
                }
            }
        }
    }
    out.sort_by_key(|b| b.range.start);
    out.dedup_by(|b, a| b.range.start < a.range.end);
    for t in tokens(text) {
        let w = t.raw.trim_matches(|c: char| !c.is_alphanumeric());
        if let Some(body) = BODIES.iter().find(|b| b.abbreviation == Some(w)) {
            let start = t.range.start + t.raw.find(w).unwrap_or(0);
            // A bare abbreviation is the body the text itself spelled out under it, in the
            // text's own language; else the known body.
            let spelled = out
                .iter()
                .find(|f| f.abbreviation.as_deref() == Some(w) && f.range.end <= start)
                .map(|f| f.name.clone());
            let mut found = known(body, start..start + w.len());
            if let Some(name) = spelled {
                found.name = name;
            }
            out.push(found);
        }
    }
    out.extend(defined_abbreviations(text));
    out.sort_by_key(|b| b.range.start);
    out.dedup_by(|b, a| b.range.start < a.range.end);
    out
}

fn known(body: &BodyKind, range: Range<usize>) -> FoundBody {
    FoundBody {
        name: body.name.to_owned(),
        abbreviation: body.abbreviation.map(str::to_owned),
        range,
    }
}

/// Extends a body's range over its abbreviation written right after it ("… (SSU)").
fn with_defined_abbreviation(text: &str, end: usize, body: &BodyKind) -> usize {
    let Some(abbr) = body.abbreviation else {
        return end;
    };
    let written = format!(" ({abbr})");
    match text.get(end..) {
        Some(rest) if rest.starts_with(&written) => end + written.len(),
        _ => end,
    }
}

fn word_end(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(|c: char| !c.is_alphanumeric()).map(|n| from + n))
        .unwrap_or(text.len())
}

/// Committee-like words that make "X (ABBR)" a body rather than any abbreviation.
const BODY_TAILS: [&str; 10] = [
    "utvalg", "utvalget", "utval", "utvalet", "råd", "rådet", "møte", "møtet", "forum", "forumet",
];

/// "Samhandlingsutvalget (SU)", "Regionalt brukerråd (RBR)".
fn defined_abbreviations(text: &str) -> Vec<FoundBody> {
    let toks = tokens(text);
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let Some(abbr) = t
            .raw
            .strip_prefix('(')
            .and_then(|r| r.trim_end_matches([',', '.', ';', ':']).strip_suffix(')'))
        else {
            continue;
        };
        let acronym = (2..=6).contains(&abbr.len()) && abbr.chars().all(|c| c.is_uppercase());
        let Some(prev) = k.checked_sub(1).and_then(|p| toks.get(p)) else {
            continue;
        };
        let tail = prev.raw.to_lowercase();
        if !acronym
            || !BODY_TAILS.iter().any(|b| tail.ends_with(b))
            || BODIES.iter().any(|b| b.abbreviation == Some(abbr))
        {
            continue;
        }
        // An adjective belongs to the name: "Regionalt brukerråd", "strategisk utvalg".
        let adjective = |w: &str| {
            w.starts_with(char::is_uppercase) || ["sk", "lt", "ig"].iter().any(|e| w.ends_with(e))
        };
        let first = if k >= 2
            && toks
                .get(k - 2)
                .is_some_and(|w| adjective(w.raw) && !w.raw.ends_with([',', '.']))
        {
            k - 2
        } else {
            k - 1
        };
        let (Some(a), Some(b)) = (toks.get(first), toks.get(k - 1)) else {
            continue;
        };
        let Some(name) = text.get(a.range.start..b.range.end) else {
            continue;
        };
        out.push(FoundBody {
            name: normalize_org(name),
            abbreviation: Some(abbr.to_owned()),
            range: a.range.start..t.range.end,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        find_orgs(s).into_iter().map(|o| o.name).collect()
    }

    #[test]
    fn normalizes_spelling_variants() {
        assert_eq!(
            normalize_org("Helsefelleskap Innlandet"),
            "Helsefellesskap Innlandet"
        );
        assert_eq!(
            normalize_org("HELSEFELLESKAP Innlandet"),
            "Helsefellesskap Innlandet"
        );
        assert_eq!(
            normalize_org("helsefelleskap  Innlandet"),
            "Helsefellesskap Innlandet"
        );
        assert_eq!(
            normalize_org("Helsefellesskap Innlandet"),
            "Helsefellesskap Innlandet"
        );
        assert_eq!(
            normalize_org("HELSE MIDT-NORGE RHF"),
            "Helse Midt-Norge RHF"
        );
        assert_eq!(
            normalize_org("Sykehuset Innlandet HF"),
            "Sykehuset Innlandet HF"
        );
        assert_eq!(normalize_org("KS"), "KS");
        assert_eq!(normalize_org("HELSE NORD RHF"), "Helse Nord RHF");

        assert_eq!(normalize_org(""), "");
    }

    #[test]
    fn finds_health_communities() {
        assert_eq!(
            names("HELSEFELLESKAP Innlandet"),
            ["Helsefellesskap Innlandet"]
        );
        assert_eq!(
            names("Strategi for Helsefelleskap Innlandet 2022-2026"),
            ["Helsefellesskap Innlandet"]
        );
        assert_eq!(
            names("videreutvikle helsefelleskap Innlandet."),
            ["Helsefellesskap Innlandet"]
        );
        assert_eq!(
            names("Helsefellesskapet i Vestre Viken har"),
            ["Helsefellesskap Vestre Viken"]
        );
        assert!(names("Helsefellesskap og prioriterte pasientgrupper").is_empty());
        assert!(names("Helsefelleskapet består av").is_empty());
    }

    #[test]
    fn finds_trusts_with_suffixes() {
        assert_eq!(
            names("Styret for Helse Midt-Norge RHF behandlet"),
            ["Helse Midt-Norge RHF"]
        );
        assert_eq!(
            names("Helse Midt-Norge vil, og Helse Midt-Norge RHF"),
            ["Helse Midt-Norge RHF", "Helse Midt-Norge RHF"]
        );
        assert_eq!(
            names("mellom Sykehuset Innlandet og Helseregion Nord-Gudbrandsdal."),
            ["Sykehuset Innlandet", "Helseregion Nord-Gudbrandsdal"]
        );
        assert_eq!(
            names("Oslo universitetssykehus HF og KS"),
            ["Oslo universitetssykehus HF", "KS"]
        );
        assert_eq!(names("St. Olavs hospital HF"), ["St. Olavs hospital HF"]);
        assert_eq!(
            names("Sykehuset i Vestfold HF"),
            ["Sykehuset i Vestfold HF"]
        );
        assert_eq!(names("Styret i Helse Nord RHF vedtok"), ["Helse Nord RHF"]);
        assert_eq!(
            names("avtalen mellom regjeringen og KS høsten 2019"),
            ["KS"]
        );
        assert_eq!(names("Gjøvik kommune"), ["Gjøvik kommune"]);
    }

    #[test]
    fn finds_bodies() {
        let text = "Strategisk samarbeidsutvalg (SSU) behandlet i sak 24.24. SSU jobbet";
        let b = find_bodies(text);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].name, "Strategisk samarbeidsutvalg");
        assert_eq!(b[0].abbreviation.as_deref(), Some("SSU"));
        assert_eq!(
            &text[b[0].range.clone()],
            "Strategisk samarbeidsutvalg (SSU)"
        );
        assert_eq!(b[1].abbreviation.as_deref(), Some("SSU"));
        let b = find_bodies("Besluttet i partnerskapsmøtet 08.06.2022");
        assert_eq!(
            b.first().map(|b| b.name.as_str()),
            Some("Partnerskapsmøtet")
        );
        let b = find_bodies("Saken ble drøftet i samhandlingsutvalget (SU).");
        assert_eq!(
            b.first()
                .map(|b| (b.name.as_str(), b.abbreviation.as_deref())),
            Some(("Samhandlingsutvalget", Some("SU")))
        );
        assert!(find_bodies("æøå ( ) (X)").is_empty());
    }

    #[test]
    fn nynorsk_bodies_keep_their_names() {
        let names = |t: &str| -> Vec<(String, Option<String>)> {
            find_bodies(t)
                .into_iter()
                .map(|b| (b.name, b.abbreviation))
                .collect()
        };
        let ssu = Some("SSU".to_owned());
        assert_eq!(
            names("Strategisk samarbeidsutval (SSU) møttest. SSU vedtok planen."),
            [
                ("Strategisk samarbeidsutval".to_owned(), ssu.clone()),
                ("Strategisk samarbeidsutval".to_owned(), ssu.clone())
            ]
        );
        assert_eq!(
            names("Vedteken av partnarskapsmøtet"),
            [("Partnarskapsmøtet".to_owned(), None)]
        );
        // Bokmål is found as before, and a bare abbreviation is the known body.
        assert_eq!(
            names("strategisk samarbeidsutvalg og SSU"),
            [
                ("Strategisk samarbeidsutvalg".to_owned(), ssu.clone()),
                ("Strategisk samarbeidsutvalg".to_owned(), ssu)
            ]
        );
        assert_eq!(
            names("Saka går til levekårsutvalet (LKU)."),
            [("Levekårsutvalet".to_owned(), Some("LKU".to_owned()))]
        );
    }
}
