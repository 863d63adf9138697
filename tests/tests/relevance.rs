//! Search quality as a secretariat meets it: the seed documents go through the real pipeline
//! (upload, extraction, indexing), get the metadata a manifest would give them, and every query
//! of `tests/relevance/queries.json` must have its expected page as the first hit. The same
//! archive then shows typo ranking, nynorsk words finding bokmål pages, facets, date sorting,
//! several snippets, more-like-this, entity hits and refused qualifiers.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use planarkiv_ingest::index::{source, CommitPayload, EntityDoc, Indexer};
use planarkiv_schema::entities::document;
use planarkiv_schema::ids::{self, IdKind};
use planarkiv_schema::search::{HitType, ANALYZER_VERSION};
use planarkiv_tests::{Backend, TestApp};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(90);

/// Fixture file, kind, organization, date: what a manifest would say about each.
const FIXTURES: [(&str, &str, &str, Option<&str>); 5] = [
    (
        "maal-og-strategier.pdf",
        "web_page",
        "Sykehuset Innlandet",
        None,
    ),
    (
        "vedlegg-til-sak-24.25.pdf",
        "case_appendix",
        "Helsefellesskap Innlandet",
        Some("2025-09-10"),
    ),
    (
        "strategi-helsefellesskap-innlandet.pdf",
        "plan",
        "Helsefellesskap Innlandet",
        Some("2022-06-08"),
    ),
    (
        "presentasjon-helsefellesskapet.pdf",
        "presentation",
        "Helsefellesskap Innlandet",
        Some("2021-10-01"),
    ),
    (
        "regional-utviklingsplan.pdf",
        "plan",
        "Helse Midt-Norge",
        Some("2018-12-19"),
    ),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/relevance")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The archive of the five fixtures; returns the app and file name → global id.
async fn archive(backend: &Backend) -> (TestApp, HashMap<String, String>) {
    let t = TestApp::start(backend).await;
    let mut by_name = HashMap::new();
    for (name, kind, org, date) in FIXTURES {
        let (status, body) = t.upload(name, fixture(name)).await;
        assert_eq!(status, 200, "{body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id: {body}"))
            .to_owned();
        let doc = t.wait_for(&id, &["INDEXED", "FAILED"], WAIT).await;
        assert_eq!(doc["status"], "INDEXED", "{name}: {doc}");
        let row = ids::decode(IdKind::Document, &id).expect("id");
        let model = document::Entity::find_by_id(row)
            .one(&t.app().state.db)
            .await
            .expect("db")
            .expect("row");
        let mut active: document::ActiveModel = model.into();
        active.kind = Set(Some(kind.to_owned()));
        active.organization = Set(Some(org.to_owned()));
        active.document_date = Set(date.map(str::to_owned));
        if name.contains("24.25") {
            active.case_number = Set(Some("24.25".to_owned()));
        }
        active.update(&t.app().state.db).await.expect("update");
        by_name.insert(name.to_owned(), id);
    }
    let st = &t.app().state;
    Indexer::new(st.db.clone(), st.index.clone(), st.signals.outbox.clone())
        .rebuild()
        .await
        .expect("rebuild");
    (t, by_name)
}

const HITS: &str = "query($q: String!, $f: SearchFilter, $s: SearchSort) {
    search(query: $q, first: 100, filter: $f, sort: $s) { totalCount edges { node {
        score page hitType entityId document { id filename date } } } } }";

async fn hits(t: &TestApp, q: &str, filter: Value, sort: Value) -> (u64, Vec<Value>) {
    let (_, body) = t.gql(HITS, json!({ "q": q, "f": filter, "s": sort })).await;
    let search = &body["data"]["search"];
    let total = search["totalCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("{q}: {body}"));
    let nodes = search["edges"]
        .as_array()
        .map(|e| e.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default();
    (total, nodes)
}

fn label(hit: &Value) -> String {
    format!(
        "{}#{}",
        hit["document"]["filename"].as_str().unwrap_or("?"),
        hit["page"]
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_finds_its_page_first() {
    let queries: Vec<Value> =
        serde_json::from_str(include_str!("../relevance/queries.json")).expect("queries.json");
    for backend in Backend::all() {
        let (t, ids) = archive(&backend).await;
        let mut failures = Vec::new();
        let mut covered = std::collections::BTreeSet::new();
        for q in &queries {
            let query = q["query"].as_str().expect("query");
            let expect = q["expect"].as_str().expect("expect");
            covered.insert(q["covers"].as_str().unwrap_or("").to_owned());
            // The set asks for pages (where the words stand) unless an entry names hit types:
            // entities of the same document compete for the first place otherwise.
            let mut filter = q["filter"].clone();
            if filter.is_null() {
                filter = json!({});
            }
            if filter.get("hitType").is_none() {
                filter["hitType"] = json!(["PAGE"]);
            }
            let (total, nodes) = hits(&t, query, filter, Value::Null).await;
            let first = nodes.first().map(label).unwrap_or_else(|| "(none)".into());
            let total_ok = q["total"].as_u64().is_none_or(|n| n == total);
            if first != expect || !total_ok {
                let top: Vec<String> = nodes.iter().take(3).map(label).collect();
                failures.push(format!(
                    "| {query:<40} | {expect:<44} | {} | {total} |",
                    top.join(", ")
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{backend:?}: {} of {} queries failed\n| query | expected first | got (top 3) | total |\n{}",
            failures.len(),
            queries.len(),
            failures.join("\n")
        );
        assert!(
            covered.len() >= 15,
            "the set covers every feature: {covered:?}"
        );

        typos_rank_below_exact_matches(&t).await;
        nynorsk_finds_the_bokmal_pages(&t).await;
        facets_count_every_match(&t).await;
        date_sort_orders_by_document_date(&t).await;
        several_snippets_with_character_offsets(&t).await;
        more_like_this_excludes_the_document(&t, &ids).await;
        bad_qualifiers_are_refused(&t).await;
        entity_hits_come_from_the_index(&t, &ids).await;
        t.stop().await;
    }
}

async fn typos_rank_below_exact_matches(t: &TestApp) {
    // The strategy and the appendix write "Helsefelleskap" (one s); other pages the right way.
    let (_, nodes) = hits(t, "Helsefellesskap", Value::Null, Value::Null).await;
    let labels: Vec<String> = nodes.iter().map(label).collect();
    let typo_only = "strategi-helsefellesskap-innlandet.pdf#1";
    let at = labels
        .iter()
        .position(|l| l == typo_only)
        .unwrap_or_else(|| panic!("the misspelt page is found: {labels:?}"));
    for exact in [
        "maal-og-strategier.pdf#2",
        "presentasjon-helsefellesskapet.pdf#2",
        "presentasjon-helsefellesskapet.pdf#11",
    ] {
        let e = labels
            .iter()
            .position(|l| l == exact)
            .unwrap_or_else(|| panic!("{exact} is found: {labels:?}"));
        assert!(e < at, "{exact} ranks above {typo_only}: {labels:?}");
    }
}

/// The seeds are in bokmål: a nynorsk word finds the pages its bokmål twin finds best (the
/// list pairs stems, so the forms need not match), and inside quotes it stays nynorsk.
async fn nynorsk_finds_the_bokmal_pages(t: &TestApp) {
    let page = json!({ "hitType": ["PAGE"] });
    for (nynorsk, bokmal) in [
        ("sjukehuset", "sykehus"),
        ("brukarmedverknad", "brukermedvirkningen"),
        ("spesialisthelsetenesta", "spesialisthelsetjenester"),
        ("innbyggjarane", "innbyggere"),
        ("førebygging", "forebygging"),
        ("tenesteutvikling", "tjenesteutvikling"),
        ("løysingar", "løsningene"),
    ] {
        let (_, nb) = hits(t, bokmal, page.clone(), Value::Null).await;
        let (total, nn) = hits(t, nynorsk, page.clone(), Value::Null).await;
        let nn_labels: Vec<String> = nn.iter().map(label).collect();
        assert!(!nb.is_empty(), "{bokmal} finds the seed pages");
        for best in nb.iter().take(3).map(label) {
            assert!(
                nn_labels.contains(&best),
                "{nynorsk} finds {best}, {bokmal}'s best: {total} hits {nn_labels:?}"
            );
        }
        let (quoted, _) = hits(t, &format!("\"{nynorsk}\""), page.clone(), Value::Null).await;
        assert_eq!(quoted, 0, "\"{nynorsk}\" is exact");
    }
}

async fn facets_count_every_match(t: &TestApp) {
    let (_, body) = t
        .gql(
            "{ search(query: \"sekretariat\", first: 1) { totalCount facets {
                kind { value count } organization { value count } body { value count }
                year { value count } type { value count } } } }",
            json!({}),
        )
        .await;
    let s = &body["data"]["search"];
    let total = s["totalCount"].as_u64().expect("total");
    let f = &s["facets"];
    let sum = |name: &str| -> u64 {
        f[name]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {body}"))
            .iter()
            .map(|v| v["count"].as_u64().unwrap_or(0))
            .sum()
    };
    // Every page has a kind, an organization and a hit type; only one page is kept by
    // `first: 1`, but the facets count all matches.
    assert!(total > 1, "{body}");
    assert_eq!(sum("kind"), total, "{body}");
    assert_eq!(sum("organization"), total, "{body}");
    assert_eq!(sum("type"), total, "{body}");
    assert_eq!(f["type"][0]["value"], "PAGE", "{body}");
    // Only the case paper's hits have a body: the case it describes is SSU's.
    assert_eq!(f["body"][0]["value"], "SSU", "{body}");
    let presentation = f["kind"]
        .as_array()
        .and_then(|k| k.iter().find(|v| v["value"] == "PRESENTATION"))
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(presentation["count"], 3, "{body}");
    // The maal page has no date: the years count fewer.
    assert!(sum("year") <= total, "{body}");
    assert!(f["year"]
        .as_array()
        .is_some_and(|y| y.iter().any(|v| v["value"] == 2021)));
    // A facet value goes into the filter as it is, and the filter finds as many as it counted.
    for (facet, filter) in [
        ("year", "year"),
        ("type", "hitType"),
        ("kind", "kind"),
        ("organization", "organization"),
    ] {
        let value = &f[facet][0];
        let (status, filtered) = t
            .gql(
                "query($f: SearchFilter) { search(query: \"sekretariat\", filter: $f) { totalCount } }",
                json!({ "f": { filter: [value["value"]] } }),
            )
            .await;
        assert_eq!(status, 200, "{filtered}");
        assert!(filtered["errors"].is_null(), "{facet}: {filtered}");
        assert_eq!(
            filtered["data"]["search"]["totalCount"], value["count"],
            "{facet} {value}: {filtered}"
        );
    }
}

async fn date_sort_orders_by_document_date(t: &TestApp) {
    for (sort, newest_first) in [("DATE_DESC", true), ("DATE_ASC", false)] {
        let (_, nodes) = hits(t, "kompetanse", Value::Null, json!(sort)).await;
        let dates: Vec<Option<String>> = nodes
            .iter()
            .map(|n| n["document"]["date"].as_str().map(str::to_owned))
            .collect();
        assert!(dates.len() > 3, "{dates:?}");
        let known: Vec<&String> = dates.iter().flatten().collect();
        let mut sorted = known.clone();
        sorted.sort();
        if newest_first {
            sorted.reverse();
        }
        assert_eq!(known, sorted, "{sort}: {dates:?}");
        let first_none = dates
            .iter()
            .position(Option::is_none)
            .unwrap_or(dates.len());
        assert!(
            dates[first_none..].iter().all(Option::is_none),
            "undated last: {dates:?}"
        );
    }
}

async fn several_snippets_with_character_offsets(t: &TestApp) {
    let (_, body) = t
        .gql(
            "{ search(query: \"helsefelleskap\", first: 1, filter: { hitType: [PAGE] }) { edges { node { page document { filename }
                snippet { text } snippets(max: 3) { text highlights { start end } } } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["search"]["edges"][0]["node"];
    let snippets = node["snippets"].as_array().expect("snippets");
    assert!(snippets.len() >= 2, "{body}");
    assert_eq!(snippets[0]["text"], node["snippet"]["text"], "{body}");
    for s in snippets {
        let text = s["text"].as_str().expect("text");
        assert!(!text.contains("<b>"), "no markup: {text}");
        let chars: Vec<char> = text.chars().collect();
        let hl = s["highlights"].as_array().expect("highlights");
        assert!(!hl.is_empty(), "{s}");
        for h in hl {
            let (a, b) = (
                h["start"].as_u64().expect("start") as usize,
                h["end"].as_u64().expect("end") as usize,
            );
            let word: String = chars[a..b].iter().collect();
            assert!(
                word.to_lowercase().starts_with("helsefelleskap"),
                "{word:?} in {text:?}"
            );
        }
    }
    let (_, body) = t
        .gql(
            "{ search(query: \"helse\") { edges { node { snippets(max: 11) { text } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

async fn more_like_this_excludes_the_document(t: &TestApp, ids: &HashMap<String, String>) {
    let strategy = &ids["strategi-helsefellesskap-innlandet.pdf"];
    let (_, body) = t
        .gql(
            "query($id: ID!) { moreLikeThis(documentId: $id, first: 4) { totalCount
                pageInfo { hasNextPage endCursor } nodes { score document { id filename } pages { page } } } }",
            json!({ "id": strategy }),
        )
        .await;
    let list = body["data"]["moreLikeThis"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(!list.is_empty(), "{body}");
    let total = body["data"]["moreLikeThis"]["totalCount"]
        .as_u64()
        .expect("totalCount");
    assert!(total >= list.len() as u64, "{body}");
    // Paged: the next page starts where this one ended and repeats none of it.
    if body["data"]["moreLikeThis"]["pageInfo"]["hasNextPage"] == true {
        let (_, next) = t
            .gql(
                "query($id: ID!, $after: String) { moreLikeThis(documentId: $id, first: 4, after: $after) {
                    nodes { document { id } } } }",
                json!({ "id": strategy, "after": body["data"]["moreLikeThis"]["pageInfo"]["endCursor"] }),
            )
            .await;
        let more = next["data"]["moreLikeThis"]["nodes"]
            .as_array()
            .expect("nodes");
        assert!(!more.is_empty(), "{next}");
        assert!(more.iter().all(|m| list
            .iter()
            .all(|d| d["document"]["id"] != m["document"]["id"])));
    } else {
        assert_eq!(total, list.len() as u64, "{body}");
    }
    assert!(
        list.iter().all(|d| &d["document"]["id"] != strategy),
        "not itself: {body}"
    );
    // The appendix revises this very strategy: it is the closest.
    assert_eq!(
        list[0]["document"]["filename"], "vedlegg-til-sak-24.25.pdf",
        "{body}"
    );
    let (_, body) = t
        .gql(
            "query($id: ID!) { moreLikeThis(documentId: $id) { totalCount } }",
            json!({ "id": ids::encode(IdKind::Document, 999_999) }),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

async fn bad_qualifiers_are_refused(t: &TestApp) {
    for (q, filter) in [
        ("helse år:25", Value::Null),
        ("helse type:brosjyre", Value::Null),
        ("helse utvalg:", Value::Null),
        ("helse", json!({ "year": [25] })),
    ] {
        let (_, body) = t
            .gql(
                "query($q: String!, $f: SearchFilter) { search(query: $q, filter: $f) { totalCount } }",
                json!({ "q": q, "f": filter }),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{q} {filter}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            ["år:", "type", "qualifier", "kind"]
                .iter()
                .any(|w| message.contains(w)),
            "a message a person can act on: {message}"
        );
    }
    // A kind outside the enum does not get past the schema.
    let (status, body) = t
        .gql(
            "query($f: SearchFilter) { search(query: \"helse\", filter: $f) { totalCount } }",
            json!({ "f": { "kind": ["brosjyre"] } }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
}

/// Entities indexed beside a document's pages, found as hits of their
/// own type, counted in the type facet, and removed with the document.
async fn entity_hits_come_from_the_index(t: &TestApp, ids: &HashMap<String, String>) {
    let st = &t.app().state;
    let row = ids::decode(
        IdKind::Document,
        &ids["strategi-helsefellesskap-innlandet.pdf"],
    )
    .expect("id");
    let mut src = source::load(&st.db, row)
        .await
        .expect("load")
        .expect("document");
    // What the domain tables hold for the plan is what the index is given.
    assert!(
        src.entities
            .iter()
            .any(|e| e.kind == HitType::FocusArea && e.title == "Interessepolitikk"),
        "{:?}",
        src.entities
    );
    assert!(src.entities.iter().any(|e| e.kind == HitType::Plan));
    // Replaced by two made-up entities below, so the assertions do not depend on the rules.
    src.facets.body = Some("SSU".into());
    src.entities = vec![
        EntityDoc {
            kind: HitType::Measure,
            id: 41,
            page: 4,
            title: "Hospiteringsordning".into(),
            text: "Hospiteringsordning mellom Sykehuset Innlandet og Helseregion Nord-Gudbrandsdal"
                .into(),
        },
        EntityDoc {
            kind: HitType::FocusArea,
            id: 7,
            page: 3,
            title: "Kvalifisert arbeidskraft".into(),
            text: "Kvalifisert arbeidskraft: sikre nok og riktig kompetanse".into(),
        },
    ];
    let index = st.index.clone();
    let seq = index.payload().expect("payload").seq;
    let payload = CommitPayload {
        seq,
        analyzer: ANALYZER_VERSION,
    };
    let add = vec![src.clone()];
    tokio::task::spawn_blocking(move || index.apply(&[], &add, payload, false))
        .await
        .expect("join")
        .expect("apply");

    let (_, nodes) = hits(
        t,
        "hospiteringsordning",
        json!({ "hitType": ["MEASURE"] }),
        Value::Null,
    )
    .await;
    assert_eq!(nodes.len(), 1, "{nodes:?}");
    assert_eq!(nodes[0]["hitType"], "MEASURE", "{nodes:?}");
    assert_eq!(nodes[0]["page"], 4);
    assert_eq!(
        nodes[0]["entityId"].as_str(),
        Some(ids::encode(IdKind::Measure, 41).as_str())
    );
    let (_, nodes) = hits(
        t,
        "hospiteringsordning utvalg:SSU",
        Value::Null,
        Value::Null,
    )
    .await;
    assert_eq!(nodes.len(), 2, "the page and the measure: {nodes:?}");
    assert!(nodes
        .iter()
        .any(|n| n["hitType"] == "PAGE" && n["entityId"].is_null()));
    let (_, body) = t
        .gql(
            "{ search(query: \"kompetanse utvalg:ssu\") { facets { type { value count } body { value count } } } }",
            json!({}),
        )
        .await;
    let types = &body["data"]["search"]["facets"]["type"];
    assert!(
        types.as_array().is_some_and(|a| a
            .iter()
            .any(|v| v["value"] == "FOCUS_AREA" && v["count"] == 1)),
        "{body}"
    );
    assert_eq!(
        body["data"]["search"]["facets"]["body"][0]["value"], "SSU",
        "{body}"
    );
    // Pages per document still count pages only, so `check` sees no drift.
    let drift = planarkiv_ingest::index::check(&st.db, &st.index)
        .await
        .expect("check");
    assert!(drift.is_clean(), "{drift:?}");

    // Deleting the document removes its entities with its pages.
    let (_, body) = t
        .gql(
            "mutation($id: ID!) { deleteDocument(id: $id) }",
            json!({ "id": ids["strategi-helsefellesskap-innlandet.pdf"] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (total, _) = hits(t, "hospiteringsordning", Value::Null, Value::Null).await;
        if total == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "entities outlive their document"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
