//! Plans in their common shapes (issue 21, item 4): focus areas as numbered, labelled or
//! emphasised headings; "Mål", "Tiltak", "Ansvar" and "Frist" as label lines, as labels above
//! their values, or as table columns; parent strategy; adoption; bokmål and nynorsk.
//!
//! Every fixture is written here for the purpose (no real document's text). Each is checked
//! field by field, and `focus_area_scores` prints title, goal and measure F1 over all of them,
//! the figure the target is stated in.

use planarkiv_ingest::entities::{self, DocumentEntities, DocumentKind, Plan};
use planarkiv_ingest::pdf;

/// What a fixture's focus areas should be: (title, goal, measures).
type Areas = &'static [(&'static str, Option<&'static str>, &'static [&'static str])];

struct Fixture {
    name: &'static str,
    entities: DocumentEntities,
    areas: Areas,
}

fn plan(e: &DocumentEntities) -> &Plan {
    assert_eq!(e.document_kind, DocumentKind::Plan, "{e:#?}");
    e.plan.as_ref().expect("a plan")
}

fn areas_of(p: &Plan) -> Vec<(String, Option<String>, Vec<String>)> {
    p.focus_areas
        .iter()
        .map(|f| {
            (
                f.title.value.clone(),
                f.goal.as_ref().map(|g| g.value.clone()),
                f.measures.iter().map(|m| m.value.clone()).collect(),
            )
        })
        .collect()
}

fn want(areas: Areas) -> Vec<(String, Option<String>, Vec<String>)> {
    areas
        .iter()
        .map(|(t, g, ms)| {
            (
                (*t).to_owned(),
                g.map(str::to_owned),
                ms.iter().map(|m| (*m).to_owned()).collect(),
            )
        })
        .collect()
}

/// (text, deadline, responsible) of each action item.
fn items(p: &Plan) -> Vec<(String, String, Option<String>, Option<String>)> {
    p.action_plan
        .as_ref()
        .map(|a| {
            a.items
                .iter()
                .map(|i| {
                    (
                        i.focus_area.value.clone(),
                        i.text.value.clone(),
                        i.responsible.as_ref().map(|r| r.value.clone()),
                        i.deadline.as_ref().map(|d| d.value.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn item(
    area: &str,
    text: &str,
    responsible: Option<&str>,
    deadline: Option<&str>,
) -> (String, String, Option<String>, Option<String>) {
    (
        area.to_owned(),
        text.to_owned(),
        responsible.map(str::to_owned),
        deadline.map(str::to_owned),
    )
}

/// A laid-out page: (text, font size, bold, left edge) per line, top to bottom.
fn page(number: u32, lines: &[(&str, f32, bool, f32)]) -> pdf::Page {
    let mut y = 800.0;
    let lines: Vec<pdf::Line> = lines
        .iter()
        .map(|&(text, size, bold, x)| {
            // A heading gets space above it, as word processors set it.
            y -= if bold || size > 11.5 {
                size * 2.2
            } else {
                size * 1.3
            };
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

fn laid_out(pages: Vec<pdf::Page>) -> DocumentEntities {
    entities::extract(&pdf::Extracted {
        pages,
        producer: None,
        title: None,
    })
}

// --- the fixtures -------------------------------------------------------------------------

/// The shape: numbered focus areas, then "Mål:" and "Tiltak:" lines.
const NUMBERED_LABELS: &str = "Handlingsplan for samhandling 2026–2027
Helsefellesskap Nordvik

Vedtatt av partnerskapsmøtet 12. februar 2026

1. Psykisk helse og rus
Mål: Flere unge får hjelp tidlig og nær der de bor
Tiltak:
- Opprette felles inntaksteam for unge voksne
- Gi kommunene veiledning fra poliklinikken
Ansvar: Kommunene og klinikk psykisk helse
Frist: 31.12.2026

2. Eldre og skrøpelige
Mål: Trygge overganger fra sykehus til hjem
Tiltak:
- Ta i bruk felles sjekkliste ved utskrivning
Ansvar: Medisinsk klinikk
Frist: 2. kvartal 2026

3. Digital samhandling
Mål: Pasientopplysninger følger pasienten
Tiltak:
- Innføre digital dialog mellom fastlege og sykehus
";

const NUMBERED_LABELS_AREAS: Areas = &[
    (
        "Psykisk helse og rus",
        Some("Flere unge får hjelp tidlig og nær der de bor"),
        &[
            "Opprette felles inntaksteam for unge voksne",
            "Gi kommunene veiledning fra poliklinikken",
        ],
    ),
    (
        "Eldre og skrøpelige",
        Some("Trygge overganger fra sykehus til hjem"),
        &["Ta i bruk felles sjekkliste ved utskrivning"],
    ),
    (
        "Digital samhandling",
        Some("Pasientopplysninger følger pasienten"),
        &["Innføre digital dialog mellom fastlege og sykehus"],
    ),
];

/// Numbers without a period, labels above their values, measures numbered from 1 in each area
/// (so "2 Barn og familie" must not read as a measure nor "1. …" as an area).
const LABELS_ABOVE: &str = "Tiltaksplan 2026 for Helsefellesskap Solberg

Planen er godkjent av styringsgruppen 3. mars 2026.

1 Barn og familie

Mål
Barn i sårbare familier får koordinert hjelp

Tiltak
1. Etablere familiekoordinator i alle kommuner
2. Lage felles rutine for bekymringsmeldinger

Ansvar
Helsesjefene i kommunene

2 Rehabilitering

Mål
Flere får rehabilitering i egen kommune

Tiltak
1. Kartlegge kapasitet i kommunene

3 Legevakt

Mål
Lik tilgang til legevakt i hele området

Tiltak
1. Utrede felles legevaktsentral
2. Styrke opplæring av legevaktpersonell
";

const LABELS_ABOVE_AREAS: Areas = &[
    (
        "Barn og familie",
        Some("Barn i sårbare familier får koordinert hjelp"),
        &[
            "Etablere familiekoordinator i alle kommuner",
            "Lage felles rutine for bekymringsmeldinger",
        ],
    ),
    (
        "Rehabilitering",
        Some("Flere får rehabilitering i egen kommune"),
        &["Kartlegge kapasitet i kommunene"],
    ),
    (
        "Legevakt",
        Some("Lik tilgang til legevakt i hele området"),
        &[
            "Utrede felles legevaktsentral",
            "Styrke opplæring av legevaktpersonell",
        ],
    ),
];

/// "Innsatsområde N:" headings, one "Tiltak:" line per measure, each with its own "Ansvar"
/// and "Frist", in a strategy (not an action plan).
const INNSATSOMRADER: &str = "Strategi for Helsefellesskap Bjørkedal 2025–2028

Innledning

Strategien viser hva partene skal prioritere de neste årene.

Innsatsområde 1: Forebygging
Mål: Færre innleggelser som kunne vært unngått
Tiltak: Utvikle felles opplegg for hjemmebesøk til eldre
Ansvar: Kommunene
Frist: 2026
Tiltak: Gi pasienter med kols en egen behandlingsplan
Ansvar: Lungeavdelingen
Frist: 2027

Innsatsområde 2: Kompetanse
Mål: Nok fagfolk i alle ledd
Tiltak: Opprette felles hospiteringsordning
Ansvar: HR i sykehuset og kommunene
Frist: Løpende
";

const INNSATSOMRADER_AREAS: Areas = &[
    (
        "Forebygging",
        Some("Færre innleggelser som kunne vært unngått"),
        &[
            "Utvikle felles opplegg for hjemmebesøk til eldre",
            "Gi pasienter med kols en egen behandlingsplan",
        ],
    ),
    (
        "Kompetanse",
        Some("Nok fagfolk i alle ledd"),
        &["Opprette felles hospiteringsordning"],
    ),
];

/// A Tiltak/Ansvar/Frist table under each numbered area, cells apart by tabs in one area and
/// by runs of spaces in the other.
const TABLE: &str = "Handlingsplan 2026–2027
Helsefellesskap Lundvik

1. Akuttkjeden

Mål: Rask og riktig hjelp ved akutt sykdom

Tiltak\tAnsvar\tFrist
Felles øvelser for ambulanse og legevakt\tPrehospital klinikk\t2026
Ny avtale om legevaktsamarbeid\tKommunene\t1. halvår 2027

2. Habilitering

Tiltak        Ansvar              Frist
Felles forløp for barn med autisme   Barneavdelingen   2026
Kurs for foreldre    Kommunene    Løpende
";

const TABLE_AREAS: Areas = &[
    (
        "Akuttkjeden",
        Some("Rask og riktig hjelp ved akutt sykdom"),
        &[
            "Felles øvelser for ambulanse og legevakt",
            "Ny avtale om legevaktsamarbeid",
        ],
    ),
    (
        "Habilitering",
        None,
        &["Felles forløp for barn med autisme", "Kurs for foreldre"],
    ),
];

/// Nynorsk strategy: "Satsingsområde N –", "Vedteken av partnarskapsmøtet …".
const NYNORSK_STRATEGY: &str = "Strategi for Helsefellesskap Fjordvik 2026–2030

Vedteken av partnarskapsmøtet 24.04.2026

Satsingsområde 1 – Saman om dei sjukaste eldre
Mål: Trygge overgangar mellom sjukehus og kommune
Tiltak:
- Utvikle felles pasientforløp for skrøpelege eldre
- Styrkje samarbeidet om legemiddelbruk

Satsingsområde 2 – Psykisk helse og rus
Mål: Tenester som heng saman for born og unge
Tiltak:
- Etablere felles ambulant team
";

const NYNORSK_STRATEGY_AREAS: Areas = &[
    (
        "Saman om dei sjukaste eldre",
        Some("Trygge overgangar mellom sjukehus og kommune"),
        &[
            "Utvikle felles pasientforløp for skrøpelege eldre",
            "Styrkje samarbeidet om legemiddelbruk",
        ],
    ),
    (
        "Psykisk helse og rus",
        Some("Tenester som heng saman for born og unge"),
        &["Etablere felles ambulant team"],
    ),
];

/// Nynorsk action plan naming its strategy in the title, a table with bars, a committee of
/// its own adopting it.
const NYNORSK_ACTION: &str =
    "Handlingsplan 2026–2027 til Strategi for helsefellesskapet i Dalsfjord 2024–2028

Planen vart vedteken av Utval for helse og omsorg 5. mars 2026.

Innsatsområde 1: Kompetanse
Mål: Nok fagfolk i alle kommunane
Tiltak | Ansvarleg | Frist
Felles opplæring i kvardagsrehabilitering | Kommunane | 2026
Hospitering mellom sjukehus og kommune | Sjukehuset | 2027

Innsatsområde 2: Digitale tenester
Mål: Digital heimeoppfølging der det passar
Tiltak | Ansvarleg | Frist
Prøve ut digital heimeoppfølging | Kommunane | 2027
";

const NYNORSK_ACTION_AREAS: Areas = &[
    (
        "Kompetanse",
        Some("Nok fagfolk i alle kommunane"),
        &[
            "Felles opplæring i kvardagsrehabilitering",
            "Hospitering mellom sjukehus og kommune",
        ],
    ),
    (
        "Digitale tenester",
        Some("Digital heimeoppfølging der det passar"),
        &["Prøve ut digital heimeoppfølging"],
    ),
];

/// A single numbered measure under area 1, then area 2: the "2." is the next area because its
/// fields follow, not the second measure.
const ONE_MEASURE: &str = "Handlingsplan 2026 for Helsefellesskap Eikås

1. Smittevern
Mål: Færre infeksjonar i sjukeheimane
Tiltak:
1. Felles hygienekurs for tilsette
2. Ernæring
Mål: Betre ernæring hos heimebuande eldre
Tiltak:
1. Kartleggje ernæringsstatus ved vedtak om heimeteneste
";

const ONE_MEASURE_AREAS: Areas = &[
    (
        "Smittevern",
        Some("Færre infeksjonar i sjukeheimane"),
        &["Felles hygienekurs for tilsette"],
    ),
    (
        "Ernæring",
        Some("Betre ernæring hos heimebuande eldre"),
        &["Kartleggje ernæringsstatus ved vedtak om heimeteneste"],
    ),
];

/// Emphasised headings (bold, larger) without numbers; a bold chapter after the areas that is
/// no focus area and whose prose and list must not be anyone's measures.
fn emphasised() -> DocumentEntities {
    laid_out(vec![
        page(
            1,
            &[
                ("Handlingsplan 2026–2027", 20.0, true, 50.0),
                ("Helsefellesskap Havbakken", 14.0, false, 50.0),
                (
                    "Planen bygger på strategien og viser hva vi gjør de neste to årene.",
                    11.0,
                    false,
                    50.0,
                ),
                ("Pasientsikkerhet", 14.0, true, 50.0),
                ("Mål: Ingen unødige fall hos eldre", 11.0, false, 50.0),
                ("Tiltak:", 11.0, false, 50.0),
                ("• Innføre felles fallrisikovurdering", 11.0, false, 60.0),
                ("• Dele avvik på tvers av nivåene", 11.0, false, 60.0),
                ("Ansvar: Kvalitetsavdelingen", 11.0, false, 50.0),
            ],
        ),
        page(
            2,
            &[
                ("Kreftomsorg", 14.0, true, 50.0),
                ("Mål: Kortere ventetid på utredning", 11.0, false, 50.0),
                ("Tiltak:", 11.0, false, 50.0),
                ("• Etablere pakkeforløp hjem", 11.0, false, 60.0),
                ("Evaluering", 14.0, true, 50.0),
                (
                    "Planen evalueres hvert år av arbeidsutvalget. Resultatene legges fram i partnerskapsmøtet.",
                    11.0,
                    false,
                    50.0,
                ),
                ("• Rapport til partnerskapsmøtet", 11.0, false, 60.0),
            ],
        ),
    ])
}

const EMPHASISED_AREAS: Areas = &[
    (
        "Pasientsikkerhet",
        Some("Ingen unødige fall hos eldre"),
        &[
            "Innføre felles fallrisikovurdering",
            "Dele avvik på tvers av nivåene",
        ],
    ),
    (
        "Kreftomsorg",
        Some("Kortere ventetid på utredning"),
        &["Etablere pakkeforløp hjem"],
    ),
];

/// Bold labels above their values on a laid-out page, numbered bold headings; the goal is a
/// short capitalised line that must not become a heading.
fn laid_labels_above() -> DocumentEntities {
    laid_out(vec![page(
        1,
        &[
            (
                "Tiltaksplan for Helsefellesskap Vikøy 2026",
                18.0,
                true,
                50.0,
            ),
            ("1. Barn og unge", 14.0, true, 50.0),
            ("Mål", 11.0, true, 50.0),
            ("Tidleg hjelp til born og unge", 11.0, false, 50.0),
            ("Tiltak", 11.0, true, 50.0),
            ("• Felles helsestasjon for ungdom", 11.0, false, 60.0),
            ("Frist", 11.0, true, 50.0),
            ("Hausten 2026", 11.0, false, 50.0),
            ("2. Rus", 14.0, true, 50.0),
            ("Mål", 11.0, true, 50.0),
            ("Færre unge som debuterer tidleg", 11.0, false, 50.0),
            ("Tiltak", 11.0, true, 50.0),
            ("• Rusførebygging i skulen", 11.0, false, 60.0),
            ("• Oppfølging etter akuttinnlegging", 11.0, false, 60.0),
        ],
    )])
}

const LAID_LABELS_ABOVE_AREAS: Areas = &[
    (
        "Barn og unge",
        Some("Tidleg hjelp til born og unge"),
        &["Felles helsestasjon for ungdom"],
    ),
    (
        "Rus",
        Some("Færre unge som debuterer tidleg"),
        &[
            "Rusførebygging i skulen",
            "Oppfølging etter akuttinnlegging",
        ],
    ),
];

fn fixtures() -> Vec<Fixture> {
    let text = |name, src: &str, areas| Fixture {
        name,
        entities: entities::extract_from_text(src),
        areas,
    };
    vec![
        text("numbered_labels", NUMBERED_LABELS, NUMBERED_LABELS_AREAS),
        text("labels_above", LABELS_ABOVE, LABELS_ABOVE_AREAS),
        text("innsatsomrader", INNSATSOMRADER, INNSATSOMRADER_AREAS),
        text("table", TABLE, TABLE_AREAS),
        text("nynorsk_strategy", NYNORSK_STRATEGY, NYNORSK_STRATEGY_AREAS),
        text("nynorsk_action", NYNORSK_ACTION, NYNORSK_ACTION_AREAS),
        text("one_measure", ONE_MEASURE, ONE_MEASURE_AREAS),
        Fixture {
            name: "emphasised",
            entities: emphasised(),
            areas: EMPHASISED_AREAS,
        },
        Fixture {
            name: "laid_labels_above",
            entities: laid_labels_above(),
            areas: LAID_LABELS_ABOVE_AREAS,
        },
    ]
}

// --- the scorer ---------------------------------------------------------------------------

#[derive(Default)]
struct Counts {
    hit: usize,
    got: usize,
    want: usize,
}

impl Counts {
    fn add(&mut self, got: &[String], want: &[String]) {
        let mut left: Vec<&String> = want.iter().collect();
        for g in got {
            if let Some(k) = left.iter().position(|w| *w == g) {
                left.remove(k);
                self.hit += 1;
            }
        }
        self.got += got.len();
        self.want += want.len();
    }

    fn f1(&self) -> f64 {
        let p = self.hit as f64 / self.got.max(1) as f64;
        let r = self.hit as f64 / self.want.max(1) as f64;
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// F1 of focus-area titles, of (title, goal) pairs and of (title, measure) pairs: a measure
/// under the wrong area counts as wrong.
#[test]
fn focus_area_scores() {
    let (mut titles, mut goals, mut measures) =
        (Counts::default(), Counts::default(), Counts::default());
    for f in fixtures() {
        let got = f.entities.plan.as_ref().map(areas_of).unwrap_or_default();
        let want = want(f.areas);
        let t = |a: &[(String, Option<String>, Vec<String>)]| -> Vec<String> {
            a.iter().map(|x| x.0.clone()).collect()
        };
        let g = |a: &[(String, Option<String>, Vec<String>)]| -> Vec<String> {
            a.iter()
                .filter_map(|x| x.1.as_ref().map(|g| format!("{} / {g}", x.0)))
                .collect()
        };
        let m = |a: &[(String, Option<String>, Vec<String>)]| -> Vec<String> {
            a.iter()
                .flat_map(|x| x.2.iter().map(move |m| format!("{} / {m}", x.0)))
                .collect()
        };
        titles.add(&t(&got), &t(&want));
        goals.add(&g(&got), &g(&want));
        measures.add(&m(&got), &m(&want));
        println!(
            "{:<20} areas {}/{} measures {}/{}",
            f.name,
            got.len(),
            want.len(),
            m(&got).len(),
            m(&want).len()
        );
    }
    println!(
        "focus-area F1: titles {:.3}, goals {:.3}, measures {:.3}",
        titles.f1(),
        goals.f1(),
        measures.f1()
    );
    assert!(titles.f1() >= 0.9, "titles F1 {:.3}", titles.f1());
    assert!(goals.f1() >= 0.9, "goals F1 {:.3}", goals.f1());
    assert!(measures.f1() >= 0.9, "measures F1 {:.3}", measures.f1());
}

/// Each fixture's focus areas exactly, so a regression names its shape.
#[test]
fn every_shape_gives_its_focus_areas() {
    for f in fixtures() {
        let p = plan(&f.entities);
        assert_eq!(areas_of(p), want(f.areas), "{}", f.name);
    }
}

// --- field by field -----------------------------------------------------------------------

#[test]
fn labelled_assignments_go_to_the_measures_above_them() {
    let e = entities::extract_from_text(NUMBERED_LABELS);
    let p = plan(&e);
    assert_eq!(p.adopted_by.as_ref().unwrap().value, "Partnerskapsmøtet");
    assert_eq!(
        p.adopted_on.as_ref().unwrap().value.to_string(),
        "2026-02-12"
    );
    let a = "Psykisk helse og rus";
    let r = Some("Kommunene og klinikk psykisk helse");
    assert_eq!(
        items(p),
        [
            item(
                a,
                "Opprette felles inntaksteam for unge voksne",
                r,
                Some("31.12.2026")
            ),
            item(
                a,
                "Gi kommunene veiledning fra poliklinikken",
                r,
                Some("31.12.2026")
            ),
            item(
                "Eldre og skrøpelige",
                "Ta i bruk felles sjekkliste ved utskrivning",
                Some("Medisinsk klinikk"),
                Some("2. kvartal 2026")
            ),
            item(
                "Digital samhandling",
                "Innføre digital dialog mellom fastlege og sykehus",
                None,
                None
            ),
        ]
    );
    // Provenance of an assignment points at its words in the page.
    let at = p.action_plan.as_ref().unwrap().items[2]
        .deadline
        .as_ref()
        .and_then(|d| d.at)
        .unwrap();
    let got: String = NUMBERED_LABELS
        .chars()
        .skip(at.start)
        .take(at.end - at.start)
        .collect();
    assert_eq!(got, "2. kvartal 2026");
}

#[test]
fn a_label_above_its_value_applies_to_its_group() {
    let e = entities::extract_from_text(LABELS_ABOVE);
    let got = items(plan(&e));
    let helse = Some("Helsesjefene i kommunene");
    assert_eq!(
        got[..2],
        [
            item(
                "Barn og familie",
                "Etablere familiekoordinator i alle kommuner",
                helse,
                None
            ),
            item(
                "Barn og familie",
                "Lage felles rutine for bekymringsmeldinger",
                helse,
                None
            ),
        ]
    );
    assert!(
        got[2..].iter().all(|i| i.2.is_none() && i.3.is_none()),
        "{got:?}"
    );
}

#[test]
fn one_tiltak_line_per_measure_each_with_its_assignment() {
    let e = entities::extract_from_text(INNSATSOMRADER);
    let p = plan(&e);
    assert_eq!(p.kind, entities::PlanKind::StrategyPlan);
    // A strategy with assignments gets them as its action items.
    assert_eq!(
        items(p),
        [
            item(
                "Forebygging",
                "Utvikle felles opplegg for hjemmebesøk til eldre",
                Some("Kommunene"),
                Some("2026")
            ),
            item(
                "Forebygging",
                "Gi pasienter med kols en egen behandlingsplan",
                Some("Lungeavdelingen"),
                Some("2027")
            ),
            item(
                "Kompetanse",
                "Opprette felles hospiteringsordning",
                Some("HR i sykehuset og kommunene"),
                Some("Løpende")
            ),
        ]
    );
    assert!(p.parent_plan.is_none(), "a strategy names no parent here");
}

#[test]
fn table_columns_fill_responsible_and_deadline_and_rows_are_never_titles() {
    let e = entities::extract_from_text(TABLE);
    let p = plan(&e);
    assert_eq!(
        items(p),
        [
            item(
                "Akuttkjeden",
                "Felles øvelser for ambulanse og legevakt",
                Some("Prehospital klinikk"),
                Some("2026")
            ),
            item(
                "Akuttkjeden",
                "Ny avtale om legevaktsamarbeid",
                Some("Kommunene"),
                Some("1. halvår 2027")
            ),
            item(
                "Habilitering",
                "Felles forløp for barn med autisme",
                Some("Barneavdelingen"),
                Some("2026")
            ),
            item(
                "Habilitering",
                "Kurs for foreldre",
                Some("Kommunene"),
                Some("Løpende")
            ),
        ]
    );
    let titles: Vec<&str> = p
        .focus_areas
        .iter()
        .map(|f| f.title.value.as_str())
        .collect();
    assert!(
        !titles
            .iter()
            .any(|t| t.contains("Tiltak") || t.contains("Kommunene")),
        "{titles:?}"
    );
}

#[test]
fn nynorsk_strategy_keeps_its_adoption_as_written() {
    let e = entities::extract_from_text(NYNORSK_STRATEGY);
    let p = plan(&e);
    assert_eq!(p.kind, entities::PlanKind::StrategyPlan);
    assert_eq!(
        p.title.as_ref().unwrap().value,
        "Strategi for Helsefellesskap Fjordvik 2026–2030"
    );
    assert_eq!(
        p.adopted_on.as_ref().unwrap().value.to_string(),
        "2026-04-24"
    );
    assert_eq!(p.adopted_by.as_ref().unwrap().value, "Partnarskapsmøtet");
    assert_eq!(p.owner.as_ref().unwrap().value, "Helsefellesskap Fjordvik");
}

#[test]
fn nynorsk_action_plan_names_its_strategy_and_its_committee() {
    let e = entities::extract_from_text(NYNORSK_ACTION);
    let p = plan(&e);
    assert_eq!(p.kind, entities::PlanKind::ActionPlan);
    assert_eq!(
        p.parent_plan.as_ref().map(|v| v.value.as_str()),
        Some("Strategi for helsefellesskapet i Dalsfjord 2024–2028")
    );
    assert_eq!(
        p.adopted_by.as_ref().unwrap().value,
        "Utval for helse og omsorg"
    );
    assert_eq!(
        p.adopted_on.as_ref().unwrap().value.to_string(),
        "2026-03-05"
    );
    let got = items(p);
    assert_eq!(
        got[0],
        item(
            "Kompetanse",
            "Felles opplæring i kvardagsrehabilitering",
            Some("Kommunane"),
            Some("2026")
        )
    );
    assert_eq!(got.len(), 3);
}

#[test]
fn parent_strategy_from_a_sentence_and_not_from_a_definite_mention() {
    let named = "Handlingsplan 2026 for Helsefellesskap Nesby\n\nHandlingsplanen er en del av Strategi for Helsefellesskap Nesby 2025–2029, og viser tiltakene for 2026.\n\n1. Eldre\nMål: Trygg utskrivning\nTiltak:\n- Felles sjekkliste\n";
    let e = entities::extract_from_text(named);
    assert_eq!(
        plan(&e).parent_plan.as_ref().map(|v| v.value.as_str()),
        Some("Strategi for Helsefellesskap Nesby 2025–2029")
    );
    let unnamed = "Handlingsplan 2026 for Helsefellesskap Nesby\n\nHandlingsplanen følger opp strategien vi vedtok i fjor.\n\n1. Eldre\nMål: Trygg utskrivning\nTiltak:\n- Felles sjekkliste\n";
    let e = entities::extract_from_text(unnamed);
    assert!(plan(&e).parent_plan.is_none());
    // Serialised only when present: the seeds' golden shape stays.
    let json = serde_json::to_value(&e).unwrap();
    assert!(json["plan"].get("parent_plan").is_none());
    assert!(json["plan"]["action_plan"]["items"][0]
        .get("responsible")
        .is_none());
}

#[test]
fn emphasised_headings_end_at_a_heading_that_is_no_focus_area() {
    let e = emphasised();
    let p = plan(&e);
    let got = items(p);
    assert_eq!(got[0].2.as_deref(), Some("Kvalitetsavdelingen"));
    assert!(
        !got.iter().any(|i| i.1.contains("Rapport")),
        "a list under \"Evaluering\" is no measure: {got:?}"
    );
}

#[test]
fn laid_out_labels_above_values() {
    let e = laid_labels_above();
    let got = items(plan(&e));
    assert_eq!(
        got[0],
        item(
            "Barn og unge",
            "Felles helsestasjon for ungdom",
            None,
            Some("Hausten 2026")
        )
    );
}

/// Goals never become titles, whatever the shape: no title equals a goal of the fixture.
#[test]
fn goals_are_never_titles() {
    for f in fixtures() {
        let p = plan(&f.entities);
        for (_, goal, _) in f.areas {
            if let Some(goal) = goal {
                assert!(
                    !p.focus_areas.iter().any(|a| a.title.value == *goal),
                    "{}: goal {goal:?} became a title",
                    f.name
                );
            }
        }
    }
}

#[test]
fn a_nynorsk_committee_keeps_its_name() {
    let paper = "SAKSFRAMLEGG\n\nSak 12/26 Felles legevakt\n\nStrategisk samarbeidsutval (SSU)\nMøtedato: 14.05.2026\n\nBakgrunn\n\nSSU handsama saka i fjor.\n\nFramlegg til vedtak\n\nSSU sluttar seg til planen.\n";
    let e = entities::extract_from_text(paper);
    let case = e.case.as_ref().expect("a case paper");
    assert_eq!(
        case.body.as_ref().map(|b| b.value.as_str()),
        Some("Strategisk samarbeidsutval")
    );
    assert_eq!(case.body_abbreviation.as_deref(), Some("SSU"));
}

// --- stored ---------------------------------------------------------------------------------

/// A document row for `persist`, as the worker makes one.
async fn document(
    db: &sea_orm::DatabaseConnection,
    name: &str,
) -> planarkiv_schema::entities::document::Model {
    use planarkiv_schema::entities::document::{ActiveModel, DocumentStatus};
    use sea_orm::{ActiveModelTrait, Set};
    let now = chrono::Utc::now();
    ActiveModel {
        sha256: Set(format!("{name:0>64}")),
        filename: Set(format!("{name}.pdf")),
        size_bytes: Set(1),
        status: Set(DocumentStatus::Indexed),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("document row")
}

/// The action plan's assignments are stored on its action items, and the strategy it names
/// becomes its parent plan when that strategy is stored.
#[tokio::test]
async fn stored_items_keep_assignments_and_the_plan_its_parent() {
    use planarkiv_schema::entities::{action_item, plan};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let db = planarkiv_ingest::db::connect("sqlite::memory:")
        .await
        .expect("database");
    let strategy = "Strategi for helsefellesskapet i Dalsfjord 2024–2028\n\nVedteken av partnarskapsmøtet 24.04.2025\n\nSatsingsområde 1 – Kompetanse\nMål: Nok fagfolk\nTiltak:\n- Felles opplæring\n\nSatsingsområde 2 – Digitale tenester\nMål: Digital heimeoppfølging\nTiltak:\n- Prøve ut løysingar\n";
    let doc = document(&db, "s").await;
    planarkiv_ingest::domain::persist(&db, &doc, &entities::extract_from_text(strategy))
        .await
        .expect("strategy stored");
    let doc = document(&db, "h").await;
    planarkiv_ingest::domain::persist(&db, &doc, &entities::extract_from_text(NYNORSK_ACTION))
        .await
        .expect("action plan stored");
    let plans = plan::Entity::find()
        .order_by_asc(plan::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(plans.len(), 2, "{plans:?}");
    assert_eq!(plans[1].parent_plan_id, Some(plans[0].id));
    let items = action_item::Entity::find()
        .filter(action_item::Column::PlanId.eq(plans[1].id))
        .order_by_asc(action_item::Column::Position)
        .all(&db)
        .await
        .unwrap();
    let got: Vec<(&str, Option<&str>, Option<&str>)> = items
        .iter()
        .map(|i| {
            (
                i.text.as_str(),
                i.responsible.as_deref(),
                i.deadline.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Felles opplæring i kvardagsrehabilitering",
                Some("Kommunane"),
                Some("2026")
            ),
            (
                "Hospitering mellom sjukehus og kommune",
                Some("Sjukehuset"),
                Some("2027")
            ),
            (
                "Prøve ut digital heimeoppfølging",
                Some("Kommunane"),
                Some("2027")
            ),
        ]
    );
}
