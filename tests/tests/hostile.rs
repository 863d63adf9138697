//! Hostile requests against the real server (its own connection loop, router and schema): each
//! gets a coded refusal within a stated time, changes nothing, and the server keeps answering
//! `/health` and a simple search while they run. Each test names the item of the attack report
//! it replays. Time bounds here are generous ceilings that tell a refusal from a freeze (the
//! freezes took 30 s and more); the figures themselves are in BENCHMARKS.md.

use std::time::{Duration, Instant};

use planarkiv_tests::{files_under, sample, Backend, TestApp};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const APPENDIX: &str = "vedlegg-til-sak-24.25.pdf";
const WAIT: Duration = Duration::from_secs(60);
/// A refusal must come well within this; what it replaces took 30 s or never ended.
const PROMPT: Duration = Duration::from_secs(5);

use planarkiv_tests::error_code as code;

fn addr(t: &TestApp) -> String {
    t.base.trim_start_matches("http://").to_owned()
}

/// An archive with one indexed document; returns its id.
async fn with_document(t: &TestApp) -> String {
    t.indexed_sample(APPENDIX).await
}

/// A simple search, as a person would send it meanwhile; returns how long it took.
async fn simple_search(t: &TestApp) -> Duration {
    let started = Instant::now();
    let (status, body) = t
        .gql(
            "{ search(query: \"hospitering\", first: 3) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["data"]["search"]["totalCount"].as_u64().is_some(),
        "{body}"
    );
    started.elapsed()
}

async fn health(t: &TestApp) -> Duration {
    let started = Instant::now();
    let r = t
        .client
        .get(format!("{}/health", t.base))
        .send()
        .await
        .expect("health answers");
    assert_eq!(r.status(), 200);
    started.elapsed()
}

async fn document_count(t: &TestApp) -> u64 {
    let (_, body) = t
        .gql(
            "{ documents(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    body["data"]["documents"]["edges"]
        .as_array()
        .map_or(0, |e| e.len() as u64)
}

/// POSTs `body` to `/graphql` with these headers; returns the status and the JSON answer
/// (null when there is none).
async fn post(
    t: &TestApp,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut r = t.client.post(format!("{}/graphql", t.base)).body(body);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().await.expect("an answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A harmless read.
const LIST: &str = r#"{"query": "{ documents { edges { node { id } } } }"}"#;

const JSON: (&str, &str) = ("content-type", "application/json");

/// Fragments that each spread the next one twice: `levels` levels select 2^levels fields.
fn fragment_bomb(levels: usize) -> String {
    let mut q = String::from("query { ...F0 }\n");
    for i in 0..levels {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    q.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
    q
}

// Item 1: a 1 KB query froze the server for 30 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fragment_bomb_is_refused_before_it_is_expanded() {
    let t = TestApp::start(&Backend::Sqlite).await;
    with_document(&t).await;
    // 24 levels took 30 s; 30 stays within async-graphql's recursion limit of 32, where its
    // own depth check would have walked 2^30 spreads.
    let bomb = fragment_bomb(30);
    assert!(bomb.len() < 2_000, "a small query: {} bytes", bomb.len());
    let mut attacks = Vec::new();
    for _ in 0..4 {
        let client = t.client.clone();
        let url = format!("{}/graphql", t.base);
        let q = bomb.clone();
        attacks.push(tokio::spawn(async move {
            let started = Instant::now();
            let r = client
                .post(url)
                .json(&json!({ "query": q }))
                .send()
                .await
                .expect("answer");
            let body: Value = r.json().await.expect("json");
            (started.elapsed(), body)
        }));
    }
    let meanwhile = simple_search(&t).await;
    for a in attacks {
        let (took, body) = a.await.expect("task");
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("limit"), "says why: {message}");
        assert!(took < PROMPT, "refused in {took:?}");
    }
    println!("simple search during the fragment bombs: {meanwhile:?}");
    assert!(meanwhile < PROMPT);

    // The same made of spreads of a fragment that does not exist: no field at all.
    let mut ghosts = String::from("query { ...G0 }\n");
    for i in 0..30 {
        ghosts.push_str(&format!(
            "fragment G{i} on Query {{ ...G{n} ...G{n} }}\n",
            n = i + 1
        ));
    }
    ghosts.push_str("fragment G30 on Query { ...Nowhere ...Nowhere }\n");
    let started = Instant::now();
    let (_, body) = t.gql(&ghosts, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(started.elapsed() < PROMPT);

    // A chain of fragments deeper than the counting follows is refused, not a stack overflow.
    let mut chain = String::from("query { ...C0 }\n");
    for i in 0..5_000 {
        chain.push_str(&format!("fragment C{i} on Query {{ ...C{} }}\n", i + 1));
    }
    chain.push_str("fragment C5000 on Query { __typename }\n");
    let (_, body) = t.gql(&chain, json!({})).await;
    assert!(
        ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"].contains(&code(&body)),
        "{body}"
    );

    // Fragments as clients really use them still work.
    let (status, body) = t
        .gql(
            "query { ...D } fragment D on Query { documents(first: 5) { edges { node { ...N } } } }
             fragment N on Document { id title status }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    health(&t).await;
    t.stop().await;
}

// Item 2: a forged cursor sized a buffer of 800 TB and aborted the process; as a GET, any web
// page could send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_cursors_are_refused_and_the_server_lives() {
    let t = TestApp::start(&Backend::Sqlite).await;
    with_document(&t).await;
    let url = format!(
        "{}/graphql?query={{search(query:\"samhandling\",after:\"MTAwMDAwMDAwMDAwMDA\"){{totalCount}}}}",
        t.base
    );
    let r = t.client.get(url).send().await.expect("answer");
    let body: Value = r.json().await.expect("json");
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    use base64::Engine as _;
    let cursor = |n: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n);
    for forged in [
        cursor(&usize::MAX.to_string()),
        cursor("9999"),
        cursor("-1"),
        cursor("\"x\""),
        "%%%".to_owned(),
    ] {
        for field in ["search", "searchDocuments"] {
            let (_, body) = t
                .gql(
                    &format!("query($a: String) {{ {field}(query: \"samhandling\", after: $a) {{ totalCount }} }}"),
                    json!({ "a": forged }),
                )
                .await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{field} {forged}: {body}");
        }
    }
    // The last page of the window is reachable, one past it is not.
    let (_, body) = t
        .gql(
            "query($a: String) { search(query: \"samhandling\", after: $a) { totalCount } }",
            json!({ "a": cursor("9998") }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    health(&t).await;
    t.stop().await;
}

// Item 3: `Multipart/form-data` in capitals skipped the preflight rule and a page on any site
// deleted documents; `Host` was not checked, so DNS rebinding reached a loopback server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_state_changes_from_another_origin() {
    let t = TestApp::start(&Backend::Sqlite).await;
    let id = with_document(&t).await;
    let url = format!("{}/graphql", t.base);
    let delete = json!({
        "query": "mutation($id: ID!) { deleteDocument(id: $id) }",
        "variables": { "id": id }
    })
    .to_string();

    // The multipart delete a cross-site form can send, in every spelling of the type.
    for ct in [
        "multipart/form-data",
        "Multipart/form-data",
        "MULTIPART/FORM-DATA",
        " multipart/form-data ; boundary=x",
    ] {
        let boundary = "XyZ";
        let body = format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"operations\"\r\n\r\n{delete}\r\n\
             --{boundary}\r\ncontent-disposition: form-data; name=\"map\"\r\n\r\n{{}}\r\n--{boundary}--\r\n"
        );
        let ct = if ct.contains("boundary") {
            ct.replace("boundary=x", &format!("boundary={boundary}"))
        } else {
            format!("{ct}; boundary={boundary}")
        };
        let (status, body) = post(&t, &[("content-type", &ct)], body).await;
        assert_eq!(status, 400, "{ct}");
        assert_eq!(code(&body), "BAD_USER_INPUT", "{ct}: {body}");
    }
    // JSON from a page on another site (the browser sends its Origin).
    let (status, body) = post(
        &t,
        &[JSON, ("origin", "https://evil.example")],
        delete.clone(),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(code(&body), "FORBIDDEN");
    // `Origin: null` (a sandboxed frame, a file) is another origin too.
    let (status, _) = post(&t, &[JSON, ("origin", "null")], delete.clone()).await;
    assert_eq!(status, 403);
    // Types a form or `fetch` without preflight can send are refused.
    for ct in ["text/plain", "application/x-www-form-urlencoded"] {
        let (status, _) = post(&t, &[("content-type", ct)], delete.clone()).await;
        assert_eq!(status, 415, "{ct}");
    }
    // DNS rebinding: the page's own name in `Host`, for reading and for writing.
    for host in [
        "evil.example",
        "evil.example:8080",
        "127.0.0.1.evil.example",
    ] {
        let (status, _) = post(&t, &[JSON, ("host", host)], delete.clone()).await;
        assert_eq!(status, 403, "{host}");
        let r = t
            .client
            .get(format!("{url}?query={{documents{{edges{{node{{id}}}}}}}}"))
            .header("host", host)
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status(), 403, "{host}");
    }
    // A mutation over GET (an <img> can send one) is refused.
    let r = t
        .client
        .get(format!(
            "{url}?query=mutation{{deleteDocument(id:\"{id}\")}}"
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 405);

    assert_eq!(document_count(&t).await, 1, "nothing was deleted");
    let (_, body) = t
        .gql(
            "query($id: ID!) { document(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["document"]["status"], "INDEXED", "{body}");

    // The server's own origin and loopback names still work, and probes answer any Host.
    let port = addr(&t)
        .rsplit_once(':')
        .map(|(_, p)| p.to_owned())
        .expect("port");
    for (host, origin) in [
        (
            format!("127.0.0.1:{port}"),
            Some(format!("http://127.0.0.1:{port}")),
        ),
        (
            format!("localhost:{port}"),
            Some(format!("http://localhost:{port}")),
        ),
        (format!("[::1]:{port}"), None),
    ] {
        let mut headers = vec![JSON, ("host", host.as_str())];
        if let Some(o) = &origin {
            headers.push(("origin", o.as_str()));
        }
        let (status, _) = post(&t, &headers, LIST.to_owned()).await;
        assert_eq!(status, 200, "{host}");
    }
    let r = t
        .client
        .get(format!("{}/health", t.base))
        .header("host", "internal-probe.cluster")
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_names_and_origins_are_served() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.allowed_hosts = vec!["arkiv.example.no".into()];
        c.cors_origins = vec!["https://portal.example.no".into()];
    })
    .await;
    for (host, origin, expect) in [
        ("arkiv.example.no", "https://portal.example.no", 200),
        ("ARKIV.example.no:443", "https://arkiv.example.no:443", 200),
        ("arkiv.example.no", "https://evil.example", 403),
        ("other.example.no", "https://portal.example.no", 403),
    ] {
        let (status, _) = post(&t, &[JSON, ("host", host), ("origin", origin)], LIST).await;
        assert_eq!(status, expect, "{host} {origin}");
    }
    t.stop().await;
}

/// Reads from a raw connection until the server closes it (or `limit` passes); returns what
/// came and whether it was closed.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return (got, false),
            Ok(Ok(0)) | Ok(Err(_)) => return (got, true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

// Item 4: 800 half-sent requests stayed open for good; with a lower file limit, new requests
// timed out and the indexer could not open files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_and_idle_connections_are_closed() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.limits.header_read_timeout = Duration::from_secs(1);
        c.limits.body_idle_timeout = Duration::from_secs(1);
    })
    .await;
    with_document(&t).await;
    let a = addr(&t);
    let mut half_headers = Vec::new();
    for _ in 0..800 {
        let mut s = TcpStream::connect(&a).await.expect("connect");
        s.write_all(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            .await
            .expect("write");
        half_headers.push(s);
    }
    let meanwhile = simple_search(&t).await;
    println!("simple search beside 800 half-sent requests: {meanwhile:?}");
    assert!(meanwhile < PROMPT);
    for s in &mut half_headers {
        let (_, closed) = read_until_closed(s, Duration::from_secs(10)).await;
        assert!(
            closed,
            "a half-sent request is closed after the header timeout"
        );
    }
    // A body that stops arriving is answered 408 and closed.
    let mut s = TcpStream::connect(&a).await.expect("connect");
    s.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":",
    )
    .await
    .expect("write");
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(closed);
    // A kept-alive connection that sends nothing more is closed too.
    let mut s = TcpStream::connect(&a).await.expect("connect");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
    assert!(closed, "an idle kept-alive connection is closed");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_answered_503_and_the_cap_frees() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.limits.max_connections = 16;
        c.limits.header_read_timeout = Duration::from_secs(2);
    })
    .await;
    let a = addr(&t);
    let mut idle = Vec::new();
    for _ in 0..16 {
        idle.push(TcpStream::connect(&a).await.expect("connect"));
    }
    // Let the server accept them all before the one over the cap.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut over = TcpStream::connect(&a).await.expect("connect");
    let (got, closed) = read_until_closed(&mut over, PROMPT).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("SERVICE_UNAVAILABLE"), "{text}");
    assert!(closed);
    // The idle ones time out and free their places.
    for s in &mut idle {
        let (_, closed) = read_until_closed(s, Duration::from_secs(10)).await;
        assert!(closed);
    }
    health(&t).await;
    t.stop().await;
}

// Item 5: bodies, batches, list costs and concurrent uploads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_and_counts_are_bounded() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.limits.max_concurrent_uploads = 1;
    })
    .await;
    with_document(&t).await;

    // A JSON body past the limit, declared and undeclared (chunked).
    let huge = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"x\":\"{}\"}}}}",
        "a".repeat(3 * 1024 * 1024)
    );
    let started = Instant::now();
    let (status, body) = post(&t, &[JSON], huge.clone()).await;
    assert_eq!(status, 413);
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
    assert!(started.elapsed() < PROMPT);
    let mut s = TcpStream::connect(addr(&t)).await.expect("connect");
    let mut req = b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in huge.as_bytes().chunks(64 * 1024) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before all of it is written.
    let _ = s.write_all(&req).await;
    let (got, _) = read_until_closed(&mut s, PROMPT).await;
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 413"));

    // A batch past its length.
    let batch: Vec<Value> = (0..21)
        .map(|_| json!({ "query": "{ search(query: \"hospitering\") { totalCount } }" }))
        .collect();
    let (status, body) = post(&t, &[JSON], json!(batch).to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let ok: Vec<Value> = batch.into_iter().take(20).collect();
    let (status, _) = post(&t, &[JSON], json!(ok).to_string()).await;
    assert_eq!(status, 200);

    // Many aliased searches of 100 hits with snippets: a list costs its page size.
    let mut q = String::from("{");
    for i in 0..199 {
        q.push_str(&format!(
            " s{i}: search(query: \"samhandling\", first: 100) {{ edges {{ node {{ page snippets(max: 10) {{ text }} }} }} }}"
        ));
    }
    q.push('}');
    let started = Instant::now();
    let (_, body) = t.gql(&q, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(started.elapsed() < PROMPT);
    // One such search is fine.
    let (status, body) = t
        .gql(
            "{ search(query: \"samhandling\", first: 100) { edges { node { page snippets(max: 3) { text } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");

    // Uploads at once: one is being received (its body still coming); a second is refused.
    let mut slow = TcpStream::connect(addr(&t)).await.expect("connect");
    slow.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\napollo-require-preflight: true\r\n\
          Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n--B\r\n",
    )
    .await
    .expect("write");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = t
        .upload("second.pdf", planarkiv_tests::variant(&sample(APPENDIX), 1))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(code(&body), "SERVICE_UNAVAILABLE", "{body}");
    drop(slow);
    // Its place is free once that request ends.
    let mut freed = false;
    for _ in 0..50 {
        let (status, _) = t
            .upload("second.pdf", planarkiv_tests::variant(&sample(APPENDIX), 1))
            .await;
        if status == 200 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(freed, "the upload place is given back");
    health(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_upload_is_stored_once_and_refusals_keep_nothing() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| {
        c.max_upload_bytes = 2 * 1024 * 1024;
    })
    .await;
    // A PDF padded past a megabyte still arrives whole and is stored under its hash.
    let mut big = sample(APPENDIX);
    big.extend(std::iter::repeat_n(b'%', 1_500_000));
    let (status, body) = t.upload("big.pdf", big.clone()).await;
    assert_eq!(status, 200, "{body}");
    let blobs = t.dir.path().join("data").join("blobs");
    let stored = files_under(&blobs);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(std::fs::read(&stored[0]).expect("blob"), big);
    // Too large, and not a PDF: refused with nothing stored.
    let mut over = big.clone();
    over.extend(std::iter::repeat_n(b'%', 1_000_000));
    let (status, body) = t.upload("over.pdf", over).await;
    assert_eq!(status, 413, "{body}");
    let (_, body) = t.upload("notes.pdf", b"just some text".to_vec()).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(files_under(&blobs).len(), 1);
    assert_eq!(document_count(&t).await, 1);
    t.stop().await;
}

/// A PDF of `pages` pages, written by hand: each page draws form 1, form k draws form k+1
/// `fan` times, and the last form shows a line of text, so a page shows fan^depth lines from a
/// few kilobytes.
fn text_bomb(pages: usize, depth: usize, fan: usize) -> Vec<u8> {
    let first_form = 4 + pages;
    let font = first_form + depth + 1;
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Count {pages} /Kids [{}] >>",
            (0..pages)
                .map(|p| format!("{} 0 R", 4 + p))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        stream("", "/X Do"),
    ];
    for _ in 0..pages {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R \
             /Resources << /XObject << /X {first_form} 0 R >> >> >>"
        ));
    }
    for k in 0..=depth {
        let (content, resources) = if k == depth {
            (
                "BT /F1 10 Tf 72 700 Td (qzxbombeord kvxyz) Tj ET".to_owned(),
                format!("/Font << /F1 {font} 0 R >>"),
            )
        } else {
            (
                "/X Do ".repeat(fan),
                format!("/XObject << /X {} 0 R >>", first_form + k + 1),
            )
        };
        objects.push(stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << {resources} >>"
            ),
            &content,
        ));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, content: &str) -> String {
    format!(
        "<< {dict} /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    )
}

// Item 6: a 64 KB PDF extracted to 160 MB of text; two took the server to 4 GB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_that_shows_millions_of_lines_fails_with_its_limit_named() {
    let t = TestApp::start(&Backend::Sqlite).await;
    with_document(&t).await;
    // 8^7 ≈ 2 million lines a page, 40 pages, in a few kilobytes.
    let bomb = text_bomb(40, 7, 8);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let (status, body) = t.upload("tekstbombe.pdf", bomb).await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["uploadDocument"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let meanwhile = simple_search(&t).await;
    let started = Instant::now();
    let doc = t.wait_for(&id, &["FAILED", "INDEXED"], WAIT).await;
    println!(
        "failed after {:?} more; search meanwhile {meanwhile:?}",
        started.elapsed()
    );
    assert_eq!(doc["status"], "FAILED", "{doc}");
    let error = doc["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("limit"),
        "the reason names the limit: {error}"
    );
    assert!(doc["pageCount"].is_null(), "no pages were kept: {doc}");
    let (_, body) = t
        .gql(
            "{ search(query: \"qzxbombeord\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["search"]["totalCount"], 0, "{body}");
    health(&t).await;
    t.stop().await;
}
