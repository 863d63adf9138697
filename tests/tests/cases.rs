//! Cases shaped like the archives: a paper's archive number and treatments are stored and
//! served, `case(number:)` and search take either number, metadata given with a file beats what
//! extraction reads, and an archive from before this model migrates whole. Every PDF here is
//! written by the test (no real document's text).

use std::time::Duration;

use planarkiv_tests::{text_pdf, Backend, TestApp, TestDb};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);

/// An Elements-style paper: archive number, a saksgang in columns, no item number printed.
fn paper_without_item_number() -> Vec<u8> {
    text_pdf(&[&[
        "# SAKSFRAMLEGG",
        "",
        "Saksgang",
        "Utvalg",
        "Formannskapet",
        "Kommunestyret",
        "",
        "Møtedato",
        "04.02.2026",
        "19.02.2026",
        "",
        "Utvalgssak",
        "",
        "Arkivsaksnr: 2026/308",
        "Saksbehandler: Ola Testesen",
        "",
        "# Avtale om felles legevakt",
        "",
        "Kommunedirektørens forslag til vedtak:",
        "Kommunen slutter seg til avtalen om felles legevakt.",
        "",
        "Saksopplysninger:",
        "Avtalen gjelder fra 1. mars og kan sies opp med seks måneders varsel.",
    ]])
}

/// A letter that only refers to the case, and mentions its number more often than the paper.
fn letter_about_the_case() -> Vec<u8> {
    text_pdf(&[&[
        "# Svar på høring om felles legevakt",
        "",
        "Vi viser til arkivsak 2026/308 om felles legevakt.",
        "Arkivsak 2026/308 har vært drøftet i regionrådet, og vi støtter avtalen i arkivsak 2026/308.",
        "Spørsmål om arkivsak 2026/308 kan rettes til kommunen.",
    ]])
}

async fn upload_and_wait(t: &TestApp, name: &str, pdf: Vec<u8>) -> String {
    let (status, body) = t.upload(name, pdf).await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["uploadDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let doc = t.wait_for(&id, &["INDEXED", "FAILED"], WAIT).await;
    assert_eq!(doc["status"], "INDEXED", "{doc}");
    id
}

const CASE_FIELDS: &str = "id number itemType archiveNumber title proposedDecision \
    metadataFields body { name } \
    treatments { bodyName body { name } meeting { date body { name } } meetingDate itemNumber \
    itemType decision \
    provenance { field page } } \
    document { id }";

async fn cases_of(t: &TestApp, doc: &str) -> Vec<Value> {
    let (_, body) = t
        .gql(
            &format!("query($id: ID!) {{ document(id: $id) {{ cases {{ {CASE_FIELDS} }} }} }}"),
            json!({ "id": doc }),
        )
        .await;
    body["data"]["document"]["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("cases: {body}"))
        .clone()
}

async fn case_by_number(t: &TestApp, number: &str) -> Value {
    let (_, body) = t
        .gql(
            "query($n: String!) { case(number: $n) { id archiveNumber number } }",
            json!({ "n": number }),
        )
        .await;
    body
}

/// Waits until no extraction job of the document is queued or running.
async fn wait_extracted_again(t: &TestApp, id: &str) {
    use planarkiv_schema::entities::{job, JobState};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let row = planarkiv_schema::ids::decode(planarkiv_schema::ids::IdKind::Document, id).unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let pending = job::Entity::find()
            .filter(job::Column::DocumentId.eq(row))
            .filter(job::Column::State.is_in([JobState::Queued, JobState::Running]))
            .count(&t.app().state.db)
            .await
            .unwrap();
        if pending == 0 {
            // The index follows the database through the outbox; the cases are read from the
            // database, which the job wrote in its own transaction.
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job of {id} did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn a_paper_without_an_item_number_is_a_case_found_by_its_archive_number() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let paper = upload_and_wait(&t, "saksframlegg.pdf", paper_without_item_number()).await;
        let letter = upload_and_wait(&t, "brev.pdf", letter_about_the_case()).await;

        let cases = cases_of(&t, &paper).await;
        assert_eq!(cases.len(), 1, "{backend:?}: {cases:?}");
        let c = &cases[0];
        assert_eq!(c["archiveNumber"], "2026/308", "{backend:?}: {c}");
        assert_eq!(
            c["number"],
            Value::Null,
            "a blank item number stays blank: {c}"
        );
        assert_eq!(c["title"], "Avtale om felles legevakt", "{c}");
        let treatments = c["treatments"].as_array().expect("treatments");
        let seen: Vec<(&str, &str)> = treatments
            .iter()
            .map(|t| {
                (
                    t["bodyName"].as_str().unwrap_or(""),
                    t["meetingDate"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("Formannskapet", "2026-02-04"),
                ("Kommunestyret", "2026-02-19")
            ],
            "{backend:?}: {c}"
        );
        assert!(treatments.iter().all(|t| t["itemNumber"].is_null()));
        assert_eq!(treatments[1]["body"]["name"], "Kommunestyret");
        assert_eq!(treatments[1]["meeting"]["date"], "2026-02-19", "{c}");
        assert_eq!(treatments[1]["meeting"]["body"]["name"], "Kommunestyret");
        assert!(
            treatments[0]["provenance"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["field"] == "body" && p["page"] == 1)),
            "each treatment says where it was read: {c}"
        );
        assert!(
            cases_of(&t, &letter).await.is_empty(),
            "a letter is no case"
        );

        // The archive number in every spelling finds the case; it is never an item number.
        for n in ["2026/308", "26/00308-4", "arkivsak 2026/308", "26/308"] {
            let body = case_by_number(&t, n).await;
            assert_eq!(
                body["data"]["case"]["id"], c["id"],
                "{backend:?} {n}: {body}"
            );
        }
        let body = case_by_number(&t, "308.26").await;
        assert_eq!(
            body["data"]["case"],
            Value::Null,
            "item 308 of 2026 is another number: {body}"
        );
        let body = case_by_number(&t, "legevakt").await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

        // Search by the archive number: the case's own paper first, though the letter says
        // the number four times.
        let (_, body) = t
            .gql(
                "{ search(query: \"2026/308\", first: 5) { edges { node { document { id } } } } }",
                json!({}),
            )
            .await;
        let hits: Vec<&str> = body["data"]["search"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["document"]["id"].as_str())
            .collect();
        assert_eq!(hits.first(), Some(&paper.as_str()), "{backend:?}: {body}");
        assert!(
            hits.contains(&letter.as_str()),
            "the letter is found too: {body}"
        );
        t.stop().await;
    }
}

#[tokio::test]
async fn metadata_given_with_a_file_beats_extraction_and_a_person_beats_both() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        // Wrong metadata is refused and nothing is stored.
        for (bad, field) in [
            (json!({ "archiveNumber": "308" }), "archive_number"),
            (json!({ "itemNumber": "tolv" }), "item_number"),
            (json!({ "meetingDate": "19.02.2026" }), "meeting_date"),
            (json!({ "kind": "saksframlegg" }), "kind"),
        ] {
            let (_, body) = t
                .upload_with_metadata("x.pdf", paper_without_item_number(), bad.clone())
                .await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{bad}: {body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(field)),
                "the message names {field}: {body}"
            );
        }
        let (_, body) = t.gql("{ documents { totalCount } }", json!({})).await;
        assert_eq!(body["data"]["documents"]["totalCount"], 0, "{body}");

        let (status, body) = t
            .upload_with_metadata(
                "saksframlegg.pdf",
                paper_without_item_number(),
                json!({
                    "itemNumber": "PS 12/2026",
                    "archiveNumber": "26/00309-2",
                    "body": "Bystyret",
                    "meetingDate": "2026-02-26",
                    "title": "Felles legevakt for regionen"
                }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let doc = t.wait_for(&id, &["INDEXED", "FAILED"], WAIT).await;
        assert_eq!(doc["title"], "Felles legevakt for regionen", "{doc}");
        let cases = cases_of(&t, &id).await;
        assert_eq!(cases.len(), 1, "{backend:?}: {cases:?}");
        let c = &cases[0];
        assert_eq!(c["number"], "12.26", "{c}");
        assert_eq!(c["itemType"], "PS", "{c}");
        assert_eq!(
            c["archiveNumber"], "2026/309",
            "metadata beats the printed 2026/308: {c}"
        );
        assert_eq!(c["body"]["name"], "Bystyret", "{c}");
        let from_meta: Vec<&str> = c["metadataFields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for f in ["number", "archiveNumber", "body", "meetingDate"] {
            assert!(from_meta.contains(&f), "{f} is marked as metadata: {c}");
        }
        // What the text says and metadata does not, extraction still gives.
        assert_eq!(c["title"], "Avtale om felles legevakt", "{c}");
        assert_eq!(c["treatments"].as_array().map(Vec::len), Some(2), "{c}");
        let body = case_by_number(&t, "sak 12/2026").await;
        assert_eq!(body["data"]["case"]["id"], c["id"], "{body}");

        // A person's edit beats the metadata, and survives the next extraction.
        let (_, body) = t
            .gql(
                "mutation($id: ID!) { updateCase(id: $id, input: { archiveNumber: \"2026/310\" }) { archiveNumber metadataFields editedFields } }",
                json!({ "id": c["id"] }),
            )
            .await;
        assert_eq!(
            body["data"]["updateCase"]["archiveNumber"], "2026/310",
            "{body}"
        );
        let (admin, _) = planarkiv_ingest::tokens::create(&t.app().state.db, "ops", "admin")
            .await
            .expect("token");
        let (_, body) = t
            .gql_as(
                Some(&admin),
                "mutation { reextractDocuments(which: ALL) }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["reextractDocuments"], 1, "{body}");
        wait_extracted_again(&t, &id).await;
        let c = &cases_of(&t, &id).await[0];
        assert_eq!(c["archiveNumber"], "2026/310", "{c}");
        assert_eq!(c["number"], "12.26", "{c}");
        t.stop().await;
    }
}

#[tokio::test]
async fn a_number_that_names_two_cases_is_not_answered_with_one() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        for (body, title) in [("Formannskapet", "Budsjett"), ("Eldrerådet", "Dagsenter")] {
            let (_, r) = t
                .gql(
                    "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                    json!({ "i": { "number": "24.25", "body": body, "title": title } }),
                )
                .await;
            assert!(r["errors"].is_null(), "{r}");
        }
        let body = case_by_number(&t, "24.25").await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{backend:?}: {body}");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cases(number"));
        let (_, r) = t
            .gql(
                "{ cases(number: \"sak 24/2025\") { totalCount edges { node { title } } } }",
                json!({}),
            )
            .await;
        assert_eq!(r["data"]["cases"]["totalCount"], 2, "{r}");
        let (_, r) = t
            .gql(
                "{ case(number: \"24.25\", body: \"Eldrerådet\") { title } }",
                json!({}),
            )
            .await;
        assert_eq!(r["data"]["case"]["title"], "Dagsenter", "{r}");
        // A case needs one of its numbers.
        let (_, r) = t
            .gql(
                "mutation { createCase(input: { title: \"Uten nummer\" }) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "BAD_USER_INPUT", "{r}");
        t.stop().await;
    }
}

/// (id, sequence, title, archive year) of a stored case.
type CaseRow = (i64, Option<i32>, Option<String>, Option<i32>);

/// An archive written before cases had archive numbers and treatments: its cases, appendix
/// lists and references come through the migration whole, keep their links (the foreign keys
/// still act), and may now lack an item number.
#[tokio::test]
async fn an_archive_from_before_the_case_model_migrates_whole() {
    use planarkiv_migrations::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Database, Statement};

    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let tdb = TestDb::create(&backend, dir.path()).await;
        let old = Database::connect(&tdb.url).await.expect("connect");
        // The schema as it was before the case model.
        Migrator::up(&old, Some(11)).await.expect("old schema");
        for sql in [
            "INSERT INTO documents (sha256, filename, size_bytes, status, created_at, updated_at) \
             VALUES ('aa', 'sak.pdf', 1, 'indexed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            "INSERT INTO cases (year, sequence, title, document_id, created_at, updated_at) \
             VALUES (2025, 24, 'Hospitering', 1, 0, 0)",
            "INSERT INTO cases (year, sequence, title, created_at, updated_at) \
             VALUES (2025, 31, 'Oppfølging', 0, 0)",
            "INSERT INTO case_references (case_id, year, sequence, referenced_case_id) \
             VALUES (2, 2025, 24, 1)",
            "INSERT INTO appendices (case_id, case_year, case_sequence, number, title) \
             VALUES (1, 2025, 24, 1, 'Rapport')",
        ] {
            old.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        old.close().await.ok();

        let db = planarkiv_ingest::db::connect(&tdb.url)
            .await
            .expect("migrates");
        let rows = |sql: &'static str| {
            let db = db.clone();
            async move {
                db.query_all(Statement::from_string(db.get_database_backend(), sql))
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        };
        let cases =
            rows("SELECT id, year, sequence, title, archive_year FROM cases ORDER BY id").await;
        let seen: Vec<CaseRow> = cases
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index::<i64>(0).unwrap(),
                    r.try_get_by_index::<Option<i32>>(2).unwrap(),
                    r.try_get_by_index::<Option<String>>(3).unwrap(),
                    r.try_get_by_index::<Option<i32>>(4).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, Some(24), Some("Hospitering".into()), None),
                (2, Some(31), Some("Oppfølging".into()), None)
            ],
            "{backend:?}"
        );
        assert_eq!(rows("SELECT id FROM appendices").await.len(), 1);
        // A case without an item number can be stored now.
        db.execute_unprepared(
            "INSERT INTO cases (title, archive_year, archive_sequence, created_at, updated_at) \
             VALUES ('Uten saksnummer', 2026, 308, 0, 0)",
        )
        .await
        .expect("item number optional");
        // The foreign keys still act: a deleted document leaves its case without a document;
        // a deleted case takes its references along.
        db.execute_unprepared("DELETE FROM documents WHERE id = 1")
            .await
            .unwrap();
        let doc = rows("SELECT document_id FROM cases WHERE id = 1").await;
        assert_eq!(doc[0].try_get_by_index::<Option<i64>>(0).unwrap(), None);
        db.execute_unprepared("DELETE FROM cases WHERE id = 2")
            .await
            .unwrap();
        assert!(
            rows("SELECT id FROM case_references").await.is_empty(),
            "{backend:?}"
        );
        let bad = db
            .execute_unprepared("INSERT INTO case_treatments (case_id, position) VALUES (999, 0)")
            .await;
        assert!(bad.is_err(), "a treatment needs its case");
        db.close().await.ok();
        tdb.drop_db().await;
    }
}
