//! Scanned pages through the whole service, with the real Tesseract: a document of a typed
//! page and a scanned one (`tests/fixtures/ocr-mixed.pdf`, made by `ingest/tests/ocr.rs`) is
//! uploaded, and search finds a word of the scan on page 2, says the page was read by OCR, and
//! filters OCR pages in or out. Without Tesseract the typed page is still searchable, the scan
//! says what to install, and `reextract --failed` finds the document again.

use std::path::Path;
use std::time::Duration;

use planarkiv_ingest::queue::{requeue, Requeue};
use planarkiv_tests::{Backend, TestApp};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(120);

fn mixed() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr-mixed.pdf"))
        .expect("fixture")
}

async fn upload(t: &TestApp) -> String {
    t.upload_indexed("protokoll-skannet.pdf", mixed(), WAIT)
        .await
}

async fn search(t: &TestApp, query: &str, filter: Value) -> Value {
    let (_, body) = t
        .gql(
            "query($q: String!, $f: SearchFilter) { search(query: $q, filter: $f, first: 10) {
                totalCount edges { node { page snippet { text } ocr { page engine model confidence error } } } } }",
            json!({ "q": query, "f": filter }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["search"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_on_a_scanned_page_is_found_on_that_page() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let id = upload(&t).await;

        let s = search(&t, "samhandlingskultur", json!(null)).await;
        assert_eq!(s["totalCount"], 1, "{s}");
        let hit = &s["edges"][0]["node"];
        assert_eq!(hit["page"], 2, "{hit}");
        assert!(hit["snippet"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("samhandlingskultur")));
        let ocr = &hit["ocr"];
        assert_eq!(ocr["page"], 2, "{hit}");
        assert!(ocr["engine"]
            .as_str()
            .is_some_and(|e| e.starts_with("tesseract ")));
        assert!(ocr["model"].as_str().is_some_and(|m| m.starts_with("nor ")));
        assert!(ocr["confidence"].as_f64().is_some_and(|c| c > 0.8), "{ocr}");
        assert!(ocr["error"].is_null());

        // The typed page has no OCR; the filter keeps to or leaves out OCR pages.
        let typed = search(&t, "protokoll", json!(null)).await;
        assert_eq!(typed["edges"][0]["node"]["page"], 1, "{typed}");
        assert!(typed["edges"][0]["node"]["ocr"].is_null());
        let only = search(&t, "samhandlingskultur", json!({ "ocr": true })).await;
        assert_eq!(only["totalCount"], 1, "{only}");
        let without = search(&t, "samhandlingskultur", json!({ "ocr": false })).await;
        assert_eq!(without["totalCount"], 0, "{without}");
        let typed_only = search(&t, "protokoll", json!({ "ocr": false })).await;
        assert_eq!(typed_only["totalCount"], 1, "{typed_only}");

        let (_, body) = t
            .gql(
                "query($id: ID!) { document(id: $id) { pageCount ocrPages { page engine confidence error } } }",
                json!({ "id": id }),
            )
            .await;
        let d = &body["data"]["document"];
        assert_eq!(d["pageCount"], 2, "{body}");
        let pages = d["ocrPages"].as_array().expect("ocrPages");
        assert_eq!(pages.len(), 1, "{body}");
        assert_eq!(pages[0]["page"], 2);
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_tesseract_the_scan_says_what_to_install_and_is_found_again() {
    for backend in Backend::all() {
        let t = TestApp::start_with(&backend, |c| {
            c.ocr = Some(planarkiv_ingest::pdf::OcrOptions {
                tesseract: "/nonexistent/bin/tesseract".into(),
                ..Default::default()
            });
        })
        .await;
        let id = upload(&t).await;
        // The typed page is searchable meanwhile (the other page matches by the title only).
        let typed = search(&t, "protokoll", json!(null)).await;
        assert_eq!(typed["edges"][0]["node"]["page"], 1, "{typed}");
        assert_eq!(
            search(&t, "samhandlingskultur", json!(null)).await["totalCount"],
            0
        );
        let (_, body) = t
            .gql(
                "query($id: ID!) { document(id: $id) { ocrPages { page engine error } } }",
                json!({ "id": id }),
            )
            .await;
        let pages = &body["data"]["document"]["ocrPages"];
        assert_eq!(pages[0]["page"], 2, "{body}");
        assert!(pages[0]["engine"].is_null());
        assert!(
            pages[0]["error"]
                .as_str()
                .is_some_and(|e| e.contains("OCR unavailable") && e.contains("tesseract-ocr-nor")),
            "{body}"
        );
        // `planarkiv reextract --failed` queues it for when Tesseract is installed.
        let db = &t.app().state.db;
        assert_eq!(requeue(db, Requeue::Failed).await.expect("requeue"), 1);
        t.stop().await;
    }
}
