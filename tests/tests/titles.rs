//! Titles a person would use, and documents read again when the entity rules improve: the
//! samples get their own titles (not their file names) with the source recorded; a title a
//! person set survives re-extraction; documents read by older rules, or failed ones, are
//! queued again and read by the current rules.

use std::time::Duration;

use planarkiv_ingest::domain::EXTRACTOR_VERSION;
use planarkiv_ingest::queue::{requeue, Requeue};
use planarkiv_schema::entities::document;
use planarkiv_tests::{sample, samples_dir, Backend, TestApp};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(90);

async fn doc(t: &TestApp, id: &str) -> Value {
    let (_, body) = t
        .gql(
            "query($id: ID!) { document(id: $id) { title titleSource filename status provenance { field page start end } } }",
            json!({ "id": id }),
        )
        .await;
    body["data"]["document"].clone()
}

async fn upload(t: &TestApp, name: &str, bytes: Vec<u8>) -> String {
    let (status, body) = t.upload(name, bytes).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["uploadDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn row_id(id: &str) -> i64 {
    planarkiv_schema::ids::decode(planarkiv_schema::ids::IdKind::Document, id).expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_are_titled_by_their_own_text_not_their_file_names() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let mut names: Vec<String> = std::fs::read_dir(samples_dir())
            .expect("samples")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".pdf"))
            .collect();
        names.sort();
        let mut from_file_name = Vec::new();
        for name in &names {
            let id = upload(&t, name, sample(name)).await;
            t.wait_for(&id, &["INDEXED"], WAIT).await;
            let d = doc(&t, &id).await;
            let title = d["title"].as_str().unwrap_or_default();
            let made_from_name = planarkiv_ingest::store::default_title(name).unwrap_or_default();
            println!("{backend:?} {name}: {title:?} ({})", d["titleSource"]);
            if title == made_from_name || d["titleSource"] == "FILENAME" {
                from_file_name.push(name.clone());
            }
            if d["titleSource"] == "TEXT" {
                let p = d["provenance"]
                    .as_array()
                    .and_then(|p| p.iter().find(|p| p["field"] == "title"))
                    .unwrap_or_else(|| {
                        panic!("{name}: a title read from the text says where: {d}")
                    });
                assert!(p["page"].as_i64().unwrap_or(0) >= 1, "{d}");
            }
        }
        assert!(
            from_file_name.is_empty(),
            "{backend:?}: titled by their file names: {from_file_name:?}"
        );
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_read_by_older_rules_are_read_again_and_a_persons_title_stays() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let strategy = "strategi-helsefelleskap-innlandet-2022-2026.pdf";
        let appendix = "vedlegg-til-sak-24.25.pdf";
        let a = upload(&t, strategy, sample(strategy)).await;
        let b = upload(&t, appendix, sample(appendix)).await;
        t.wait_for(&a, &["INDEXED"], WAIT).await;
        t.wait_for(&b, &["INDEXED"], WAIT).await;
        let (_, body) = t
            .gql(
                "mutation($id: ID!) { updateDocument(id: $id, title: \"Min egen tittel\") { title titleSource } }",
                json!({ "id": b }),
            )
            .await;
        assert_eq!(
            body["data"]["updateDocument"]["titleSource"], "PERSON",
            "{body}"
        );

        // Both as if an older version of the rules had read them.
        let db = &t.app().state.db;
        for id in [&a, &b] {
            let row = document::Entity::find_by_id(row_id(id))
                .one(db)
                .await
                .expect("query")
                .expect("row");
            assert_eq!(row.extracted_with.as_deref(), Some(EXTRACTOR_VERSION));
            let mut m: document::ActiveModel = row.into();
            m.extracted_with = Set(Some("rules-0".into()));
            m.update(db).await.expect("update");
        }
        assert_eq!(requeue(db, Requeue::Outdated).await.expect("requeue"), 2);
        // Queued once: their jobs are pending now.
        assert_eq!(requeue(db, Requeue::Outdated).await.expect("requeue"), 0);
        t.app().state.signals.jobs.notify_one();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let rows = document::Entity::find().all(db).await.expect("rows");
            if rows
                .iter()
                .all(|r| r.extracted_with.as_deref() == Some(EXTRACTOR_VERSION))
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{backend:?}: not read again: {:?}",
                rows.iter().map(|r| &r.extracted_with).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        t.wait_for(&a, &["INDEXED"], WAIT).await;
        t.wait_for(&b, &["INDEXED"], WAIT).await;
        let d = doc(&t, &b).await;
        assert_eq!(d["title"], "Min egen tittel", "{d}");
        assert_eq!(d["titleSource"], "PERSON", "{d}");
        // Still found while and after it was read again.
        let (_, body) = t
            .gql(
                "{ search(query: \"hospitering\") { totalCount } }",
                json!({}),
            )
            .await;
        assert!(
            body["data"]["search"]["totalCount"].as_u64().unwrap_or(0) > 0,
            "{body}"
        );
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_documents_can_be_queued_again_with_one_command() {
    let t = TestApp::start(&Backend::Sqlite).await;
    // A PDF with a page but no text: it fails for want of a text layer.
    let empty = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let id = upload(&t, "skannet.pdf", empty).await;
    let failed = t.wait_for(&id, &["FAILED", "INDEXED"], WAIT).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    let db = &t.app().state.db;
    assert_eq!(requeue(db, Requeue::Outdated).await.expect("requeue"), 0);
    assert_eq!(requeue(db, Requeue::Failed).await.expect("requeue"), 1);
    let row = document::Entity::find_by_id(row_id(&id))
        .one(db)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        row.status,
        planarkiv_schema::entities::DocumentStatus::Queued
    );
    t.app().state.signals.jobs.notify_one();
    let again = t.wait_for(&id, &["FAILED"], WAIT).await;
    assert!(again["error"].as_str().is_some(), "{again}");
    t.stop().await;
}
