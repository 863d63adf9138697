//! The walking skeleton end to end: upload through GraphQL multipart, extraction by the real
//! worker, indexing, and search, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use std::time::Duration;

use planarkiv_tests::{sample, Backend, TestApp};
use serde_json::{json, Value};

const STRATEGY: &str = "strategi-helsefelleskap-innlandet-2022-2026.pdf";
const WAIT: Duration = Duration::from_secs(60);

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_then_find_a_word_on_its_third_page() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let (status, body) = t.upload(STRATEGY, sample(STRATEGY)).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend:?}: no id in {body}"))
            .to_owned();
        assert_eq!(body["data"]["uploadDocument"]["filename"], STRATEGY);

        let doc = t.wait_for(&id, &["INDEXED", "FAILED"], WAIT).await;
        assert_eq!(doc["status"], "INDEXED", "{backend:?}: {doc}");
        assert_eq!(doc["pageCount"], 5, "{backend:?}: {doc}");

        // "oppgaveforflytting" stands on page 3 only.
        let (status, body) = t
            .gql(
                "query($q: String!) { search(query: $q, first: 5) { totalCount edges { node {
                    score page document { id title } snippet { text highlights { start end } } } } } }",
                json!({ "q": "oppgaveforflytting" }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let hit = &body["data"]["search"]["edges"][0]["node"];
        assert_eq!(hit["page"], 3, "{backend:?}: {body}");
        assert_eq!(hit["document"]["id"], id.as_str());
        assert!(hit["score"].as_f64().unwrap_or(0.0) > 0.0);
        let text = hit["snippet"]["text"].as_str().expect("snippet text");
        let hl = &hit["snippet"]["highlights"][0];
        let (start, end) = (
            hl["start"].as_u64().expect("start") as usize,
            hl["end"].as_u64().expect("end") as usize,
        );
        let highlighted: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(
            highlighted.to_lowercase(),
            "oppgaveforflytting",
            "{text:?} {hl}"
        );

        // Norwegian stemming: an inflected form finds the same page.
        let (_, body) = t
            .gql(
                "{ search(query: \"samarbeidsavtalene\") { edges { node { page } } } }",
                json!({}),
            )
            .await;
        let pages: Vec<i64> = body["data"]["search"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["page"].as_i64())
            .collect();
        assert!(pages.contains(&3), "{backend:?}: {body}");

        // The same bytes again: the same document, no second row.
        let (_, again) = t.upload("copy.pdf", sample(STRATEGY)).await;
        assert_eq!(
            again["data"]["uploadDocument"]["id"],
            id.as_str(),
            "{again}"
        );
        let (_, list) = t
            .gql(
                "{ documents(first: 10) { totalCount edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(list["data"]["documents"]["totalCount"], 1, "{list}");
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_and_nothing_half_stored() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let blobs = t.dir.path().join("data/blobs");
        let blob_files = || {
            planarkiv_tests::files_under(&blobs)
                .into_iter()
                .filter(|p| !p.to_string_lossy().contains("/tmp/"))
                .count()
        };

        let (status, body) = t
            .upload("notes.pdf", b"Hello, I am plain text".to_vec())
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("not a PDF"),
            "{body}"
        );

        let (_, body) = t.upload("empty.pdf", Vec::new()).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("empty"));

        let (_, list) = t.gql("{ documents { totalCount } }", json!({})).await;
        assert_eq!(
            list["data"]["documents"]["totalCount"], 0,
            "{backend:?}: {list}"
        );
        assert_eq!(blob_files(), 0, "refused files must not be stored");

        // A truncated PDF has a header, so it is stored, then fails with a reason.
        let mut truncated = sample(STRATEGY);
        truncated.truncate(900);
        let (_, body) = t.upload("truncated.pdf", truncated).await;
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let doc = t.wait_for(&id, &["FAILED", "INDEXED"], WAIT).await;
        assert_eq!(doc["status"], "FAILED", "{doc}");
        assert!(
            doc["error"].as_str().unwrap_or("").contains("damaged"),
            "a person must learn why: {doc}"
        );

        // The server keeps serving: a good upload after the bad ones goes through.
        let (_, body) = t.upload(STRATEGY, sample(STRATEGY)).await;
        let good = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let doc = t.wait_for(&good, &["INDEXED", "FAILED"], WAIT).await;
        assert_eq!(doc["status"], "INDEXED", "{doc}");
        let health = t
            .client
            .get(format!("{}/health", t.base))
            .send()
            .await
            .expect("health");
        assert_eq!(health.status().as_u16(), 200);
        let ready = t
            .client
            .get(format!("{}/ready", t.base))
            .send()
            .await
            .expect("ready");
        assert_eq!(ready.status().as_u16(), 200);
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_errors_carry_codes_and_http_statuses() {
    let t = TestApp::start(&Backend::Sqlite).await;

    let (status, body) = t.gql("{ search(query: ", json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED", "{body}");

    let (status, body) = t.gql("{ noSuchField }", json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(
        body.get("data").is_none(),
        "not executed, so no data entry: {body}"
    );

    // A client that only knows application/json gets the traditional 200 with errors.
    let r = t
        .client
        .post(format!("{}/graphql", t.base))
        .header("accept", "application/json")
        .json(&json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json")));
    let v: Value = r.json().await.expect("json");
    assert_eq!(code(&v), "GRAPHQL_VALIDATION_FAILED", "{v}");

    let (status, body) = t
        .gql("{ document(id: \"garbage\") { id } }", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // A well-formed id of a document that does not exist is null, not an error.
    let (_, body) = t
        .gql("{ document(id: \"RG9jdW1lbnQ6OTk5OQ\") { id } }", json!({}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["document"].is_null(), "{body}");

    let (_, body) = t
        .gql("{ documents(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    let (_, body) = t
        .gql("{ search(query: \"   \") { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // Mutations are refused on GET; queries are answered.
    let url = format!("{}/graphql?query=mutation%20%7B%20__typename%20%7D", t.base);
    let r = t.client.get(url).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 405);
    let r = t
        .client
        .get(format!(
            "{}/graphql?query=%7B%20documents%20%7B%20totalCount%20%7D%20%7D",
            t.base
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["data"]["documents"]["totalCount"], 0, "{v}");

    // GraphiQL for a browser.
    let r = t
        .client
        .get(format!("{}/graphql", t.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert!(r.text().await.unwrap_or_default().contains("graphiql"));

    // A multipart upload without a preflight-forcing header could come from a forged form.
    let form = reqwest::multipart::Form::new()
        .text("operations", "{}")
        .text("map", "{}");
    let r = t
        .client
        .post(format!("{}/graphql", t.base))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 400);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_the_limit_get_413() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| c.max_upload_bytes = 20_000).await;
    let (status, body) = t.upload(STRATEGY, sample(STRATEGY)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE", "{body}");
    let (_, list) = t.gql("{ documents { totalCount } }", json!({})).await;
    assert_eq!(list["data"]["documents"]["totalCount"], 0);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_cors() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.cors_origins = vec!["https://arkiv.example.no".into()];
    })
    .await;
    let (_, body) = t.upload(STRATEGY, sample(STRATEGY)).await;
    let id = body["data"]["uploadDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    t.wait_for(&id, &["INDEXED"], WAIT).await;

    let m = t
        .client
        .get(format!("{}/metrics", t.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        m.contains("planarkiv_documents{state=\"indexed\"} 1"),
        "{m}"
    );
    assert!(m.contains("planarkiv_jobs{state=\"done\"} 1"), "{m}");
    assert!(m.contains("planarkiv_indexed_pages_total 5"), "{m}");
    assert!(m.contains("planarkiv_index_lag 0"), "{m}");
    assert!(
        m.contains(
            "planarkiv_http_requests_total{method=\"POST\",path=\"/graphql\",status=\"200\"}"
        ),
        "{m}"
    );
    assert!(
        m.contains("planarkiv_http_request_duration_seconds_bucket"),
        "{m}"
    );

    let preflight = |origin: &'static str| {
        t.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", t.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let ok = preflight("https://arkiv.example.no")
        .await
        .expect("preflight");
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://arkiv.example.no")
    );
    let other = preflight("https://evil.example.com")
        .await
        .expect("preflight");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_numbers_find_their_case_in_every_spelling() {
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let appendix = "vedlegg-til-sak-24.25.pdf";
        let mut ids = Vec::new();
        for name in [appendix, STRATEGY] {
            let (_, body) = t.upload(name, sample(name)).await;
            let id = body["data"]["uploadDocument"]["id"]
                .as_str()
                .expect("id")
                .to_owned();
            t.wait_for(&id, &["INDEXED"], WAIT).await;
            ids.push(id);
        }
        for q in ["sak 24.25", "24.25", "24/25", "2025/24", "sak 24/2025"] {
            let (_, body) = t
                .gql(
                    "query($q: String!) { search(query: $q) { totalCount edges { node { page document { id } snippet { text highlights { start end } } } } } }",
                    json!({ "q": q }),
                )
                .await;
            let first = &body["data"]["search"]["edges"][0]["node"];
            assert_eq!(
                first["document"]["id"],
                ids[0].as_str(),
                "{backend:?} {q}: {body}"
            );
            assert_eq!(first["page"], 1, "{q}: {body}");
            let text = first["snippet"]["text"].as_str().unwrap_or("");
            assert!(
                text.contains("24.25"),
                "{q}: the snippet shows the number: {text:?}"
            );
            assert!(
                !first["snippet"]["highlights"]
                    .as_array()
                    .expect("hl")
                    .is_empty(),
                "{body}"
            );
        }
        // A case number the archive does not mention finds nothing, rather than every page
        // that happens to contain the two numbers.
        let (_, body) = t
            .gql("{ search(query: \"sak 25.24\") { totalCount } }", json!({}))
            .await;
        assert_eq!(body["data"]["search"]["totalCount"], 0, "{body}");
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quoted_phrases_match_the_exact_words_and_words_match_inflections() {
    let t = TestApp::start(&Backend::Sqlite).await;
    let (_, body) = t.upload(STRATEGY, sample(STRATEGY)).await;
    let id = body["data"]["uploadDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    t.wait_for(&id, &["INDEXED"], WAIT).await;
    let total = |q: &'static str| {
        let t = &t;
        async move {
            let (_, body) = t
                .gql(
                    "query($q: String!) { search(query: $q) { totalCount edges { node { snippet { text highlights { start end } } } } } }",
                    json!({ "q": q }),
                )
                .await;
            (
                body["data"]["search"]["totalCount"].as_u64().unwrap_or(99),
                body,
            )
        }
    };
    // The vision reads «Sammen om vår felles helsetjeneste».
    let (n, body) = total("\"sammen om vår felles helsetjeneste\"").await;
    assert!(n >= 1, "{body}");
    let hl = &body["data"]["search"]["edges"][0]["node"]["snippet"]["highlights"];
    assert!(
        !hl.as_array().expect("hl").is_empty(),
        "phrases are highlighted: {body}"
    );
    // Inflected words in quotes are other words…
    let (n, body) = total("\"sammen om våre felles helsetjenester\"").await;
    assert_eq!(n, 0, "{body}");
    // …but unquoted they find the same page.
    let (n, body) = total("sammen våre felles helsetjenester").await;
    assert!(n >= 1, "{body}");
    // No folding of æ/ø/å: "før" is not "for".
    let (fr, _) = total("\"før\"").await;
    let (fo, _) = total("\"for\"").await;
    assert_ne!(fr, fo);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_files_and_too_deep_queries_are_refused() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| c.max_files_per_request = 1).await;
    let operations = json!({
        "query": "mutation($a: Upload!, $b: Upload!) { a: uploadDocument(file: $a) { id } b: uploadDocument(file: $b) { id } }",
        "variables": { "a": null, "b": null }
    });
    let part = |n: &str| {
        reqwest::multipart::Part::bytes(sample(STRATEGY))
            .file_name(n.to_owned())
            .mime_str("application/pdf")
            .expect("mime")
    };
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text(
            "map",
            json!({ "0": ["variables.a"], "1": ["variables.b"] }).to_string(),
        )
        .part("0", part("a.pdf"))
        .part("1", part("b.pdf"));
    let r = t
        .client
        .post(format!("{}/graphql", t.base))
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 413);
    let body: Value = r.json().await.expect("json");
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE", "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("too many files"));

    let mut deep = String::from("name");
    for _ in 0..14 {
        deep = format!("ofType {{ {deep} }}");
    }
    let (status, body) = t
        .gql(
            &format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    let (_, list) = t.gql("{ documents { totalCount } }", json!({})).await;
    assert_eq!(list["data"]["documents"]["totalCount"], 0, "nothing stored");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_can_group_pages_by_document() {
    let t = TestApp::start(&Backend::Sqlite).await;
    for name in [STRATEGY, "vedlegg-til-sak-24.25.pdf"] {
        let (_, body) = t.upload(name, sample(name)).await;
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        t.wait_for(&id, &["INDEXED"], WAIT).await;
    }
    let (_, flat) = t
        .gql(
            "{ search(query: \"helsefelleskap\", first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    let (_, grouped) = t
        .gql(
            "{ searchDocuments(query: \"helsefelleskap\", pagesPerDocument: 2) { totalCount edges { node { score document { id } pages { page score } } } } }",
            json!({}),
        )
        .await;
    let pages = flat["data"]["search"]["totalCount"]
        .as_u64()
        .expect("pages");
    let docs = &grouped["data"]["searchDocuments"];
    assert_eq!(docs["totalCount"], 2, "{grouped}");
    assert!(pages > 2, "the word stands on several pages: {flat}");
    let edges = docs["edges"].as_array().expect("edges");
    let ids: Vec<&str> = edges
        .iter()
        .filter_map(|e| e["node"]["document"]["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "each document once");
    for e in edges {
        let ps = e["node"]["pages"].as_array().expect("pages");
        assert!(!ps.is_empty() && ps.len() <= 2, "{e}");
        let scores: Vec<f64> = ps.iter().filter_map(|p| p["score"].as_f64()).collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "best pages first: {e}"
        );
        assert_eq!(e["node"]["score"].as_f64(), scores.first().copied());
    }
    let s0 = edges[0]["node"]["score"].as_f64().unwrap_or(0.0);
    let s1 = edges[1]["node"]["score"].as_f64().unwrap_or(0.0);
    assert!(s0 >= s1, "best document first");
    let (_, bad) = t
        .gql(
            "{ searchDocuments(query: \"x\", pagesPerDocument: 0) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    t.stop().await;
}
