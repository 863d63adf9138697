//! Bulk ingest of a generated archive of a few hundred files: every count in the report, a run
//! killed with SIGKILL part way and started again, and nothing stored or indexed twice.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use planarkiv_tests::{binary, sample, samples_dir, variant};
use serde_json::Value;

/// What the generated tree must come out as.
struct Expected {
    total: u64,
    indexed: u64,
    duplicate: u64,
    failed: u64,
    stored_documents: u64,
}

/// The sample PDFs, in a stable order.
fn sample_pdfs() -> Vec<Vec<u8>> {
    let mut names: Vec<String> = std::fs::read_dir(samples_dir())
        .expect("samples")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    names.sort();
    names.iter().map(|n| sample(n)).collect()
}

fn generate(root: &Path) -> Expected {
    let pdfs = sample_pdfs();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/tests/fixtures");
    let scanned = std::fs::read(fixtures.join("scanned.pdf")).expect("scanned");
    let encrypted = std::fs::read(fixtures.join("password.pdf")).expect("password");

    // 200 distinct good PDFs in nested year folders.
    let mut written = Vec::new();
    for i in 0..200 {
        let dir = root.join(format!("{}/{:02}", 2015 + i % 10, i % 12 + 1));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let p = dir.join(format!("dokument-{i}.pdf"));
        let bytes = variant(&pdfs[i % pdfs.len()], i);
        std::fs::write(&p, &bytes).expect("write");
        written.push(bytes);
    }
    // 40 copies of some of them under other names: duplicates.
    let copies = root.join("kopier");
    std::fs::create_dir_all(&copies).expect("mkdir");
    for i in 0..40 {
        std::fs::write(
            copies.join(format!("Vedlegg {} til sak {}.25.pdf", i % 5 + 1, i + 1)),
            &written[i * 5],
        )
        .expect("write");
    }
    // A zip: 10 new PDFs and 20 duplicates, some in a folder inside it.
    let zf = std::fs::File::create(root.join("arkiv-2019.zip")).expect("zip");
    let mut zip = zip::ZipWriter::new(zf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..10 {
        zip.start_file(format!("nye/sak-{i}.pdf"), opts)
            .expect("entry");
        zip.write_all(&variant(&pdfs[i % pdfs.len()], 1000 + i))
            .expect("write");
    }
    for i in 0..20 {
        zip.start_file(format!("kopier/kopi-{i}.pdf"), opts)
            .expect("entry");
        zip.write_all(&written[i * 7]).expect("write");
    }
    zip.finish().expect("zip");
    // Files that cannot go in, each for its own reason.
    let bad = root.join("problemer");
    std::fs::create_dir_all(&bad).expect("mkdir");
    for i in 0..5 {
        let mut t = pdfs[0].clone();
        t.truncate(1500 + i * 100);
        std::fs::write(bad.join(format!("avkuttet-{i}.pdf")), t).expect("write");
    }
    // Scans of two pages each: read by OCR, so they go in.
    for i in 0..3 {
        std::fs::write(root.join(format!("skannet-{i}.pdf")), variant(&scanned, i)).expect("write");
    }
    std::fs::write(bad.join("passord.pdf"), &encrypted).expect("write");
    std::fs::write(bad.join("notat.txt"), b"ikke en pdf").expect("write");
    // Over the 1 MiB limit the tests run with.
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(1536 * 1024, b' ');
    std::fs::write(bad.join("enorm.pdf"), huge).expect("write");
    std::fs::write(bad.join("Thumbs.db"), [0u8; 64]).expect("write");

    Expected {
        total: 200 + 40 + 30 + 5 + 3 + 1 + 2 + 1,
        indexed: 213,
        duplicate: 60,
        failed: 9,
        // Refused files (not PDFs) are never stored; the other failures are, with a reason.
        stored_documents: 210 + 9,
    }
}

fn ingest(data: &Path, tree: &Path, report: Option<&Path>) -> Command {
    let mut c = Command::new(binary());
    c.arg("ingest")
        .arg(tree)
        .arg("--data-dir")
        .arg(data)
        .args(["--jobs", "2", "--max-file-mb", "1"])
        .env("PLANARKIV_JOB_LEASE_SECS", "2")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(r) = report {
        c.arg("--report").arg(r);
    }
    c
}

fn sqlite(data: &Path, sql: &str) -> i64 {
    let url = planarkiv_ingest::db::sqlite_url(&data.join("planarkiv.sqlite3"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let db = Database::connect(url).await.expect("db");
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .ok()
            .flatten();
        let n = row
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or(0);
        db.close().await.ok();
        n
    })
}

#[test]
fn a_killed_run_resumes_and_every_file_is_accounted_for() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("arkiv");
    let data = tmp.path().join("data");
    let want = generate(&tree);

    // A usage error: a path that does not exist.
    let out = ingest(&data, &tmp.path().join("nowhere"), None)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));

    // Dry run: says what would happen and writes nothing.
    let out = ingest(&data, &tree, None)
        .arg("--dry-run")
        .output()
        .expect("dry run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} files", want.total)),
        "{stdout}"
    );
    assert!(
        !data.join("planarkiv.sqlite3").exists(),
        "a dry run writes nothing"
    );

    // First run, killed with SIGKILL once some files are extracted (the indexer commits every
    // few seconds in a bulk run, so "indexed" moves in large steps).
    let mut child = ingest(&data, &tree, None).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let extracted = if data.join("planarkiv.sqlite3").exists() {
            sqlite(&data, "SELECT COUNT(*) FROM jobs WHERE state = 'done'")
        } else {
            0
        };
        if extracted >= 20 {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the first run ended before it could be killed: {status}");
        }
        assert!(Instant::now() < deadline, "the first run made no progress");
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    // Storing runs ahead of extraction, so what the kill interrupted is extraction and indexing.
    let done = sqlite(
        &data,
        "SELECT COUNT(*) FROM documents WHERE status = 'indexed'",
    );
    assert!(
        done < want.indexed as i64,
        "killed part way: {done} documents already indexed"
    );

    // Second run finishes the rest.
    let report = tmp.path().join("report.json");
    let out = ingest(&data, &tree, Some(&report))
        .output()
        .expect("second run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "some files failed: {stdout}");
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    let c = &r["counts"];
    assert_eq!(c["total"], want.total, "{c}");
    // What the killed run finished is already in the archive; the rest is indexed now.
    assert_eq!(
        c["indexed"].as_u64().unwrap() + c["already_archived"].as_u64().unwrap(),
        want.indexed,
        "{c}"
    );
    assert_eq!(c["already_archived"].as_i64(), Some(done), "{c}");
    assert_eq!(c["duplicate"], want.duplicate, "{c}");
    assert_eq!(c["failed"], want.failed, "{c}");
    assert_eq!(c["pending"], 0, "{c}");
    assert_eq!(c["ocr_pages"], 6, "the three two-page scans: {c}");
    let files = r["files"].as_array().expect("files");
    assert_eq!(files.len() as u64, want.total);
    for f in files {
        assert!(f["path"].as_str().is_some_and(|p| !p.is_empty()), "{f}");
        match f["outcome"].as_str().unwrap_or("") {
            "indexed" => {
                assert!(f["page_count"].as_i64().unwrap_or(0) > 0, "{f}");
                assert!(f["sha256"].as_str().is_some_and(|s| s.len() == 64), "{f}");
                assert!(f["document_id"].is_i64(), "{f}");
            }
            "duplicate" => assert!(f["document_id"].is_i64(), "{f}"),
            "failed" => assert!(f["reason"].as_str().is_some_and(|s| !s.is_empty()), "{f}"),
            other => panic!("unexpected outcome {other}: {f}"),
        }
    }
    let reason_of = |name: &str| -> String {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .and_then(|f| f["reason"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        reason_of("passord.pdf").contains("encrypted"),
        "{}",
        reason_of("passord.pdf")
    );
    let scan = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("skannet-0.pdf"))
        })
        .expect("scan");
    assert_eq!(scan["outcome"], "indexed", "{scan}");
    assert_eq!(scan["ocr_pages"], 2, "{scan}");
    assert!(reason_of("avkuttet-0.pdf").contains("damaged"));
    assert!(reason_of("notat.txt").contains("not a PDF"));
    assert!(
        reason_of("enorm.pdf").contains("too large"),
        "{}",
        reason_of("enorm.pdf")
    );
    assert!(files.iter().any(|f| f["path"]
        .as_str()
        .is_some_and(|p| p.contains("arkiv-2019.zip!/nye/"))));

    // Nothing stored or indexed twice.
    assert_eq!(
        sqlite(&data, "SELECT COUNT(*) FROM documents") as u64,
        want.stored_documents
    );
    assert_eq!(
        sqlite(&data, "SELECT COUNT(*) FROM (SELECT sha256 FROM documents GROUP BY sha256 HAVING COUNT(*) > 1)"),
        0
    );
    let pages = sqlite(
        &data,
        "SELECT COALESCE(SUM(page_count), 0) FROM documents WHERE status = 'indexed'",
    );
    assert_eq!(pages, sqlite(&data, "SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id WHERE d.status = 'indexed'"));
    let index = planarkiv_ingest::index::SearchIndex::open(&data.join("index")).expect("index");
    assert_eq!(
        index.num_docs() as i64,
        pages,
        "each indexed page once in the index"
    );

    // A third run changes nothing and says so.
    let out = ingest(&data, &tree, None).output().expect("third run");
    assert_eq!(
        sqlite(&data, "SELECT COUNT(*) FROM documents") as u64,
        want.stored_documents
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            ": 0 indexed (0 pages, 0 of them read by OCR), {} already in the archive",
            want.indexed
        )),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_runs_and_their_files_are_visible_in_graphql() {
    use planarkiv_ingest::bulk::{self, BulkOptions, Progress};
    use planarkiv_ingest::worker::WorkerConfig;
    use planarkiv_tests::{Backend, TestApp};
    use serde_json::json;

    for backend in Backend::all() {
        // The server is running: it holds the index, and indexes what the run stores.
        let t = TestApp::start(&backend).await;
        let tree = t.dir.path().join("tree");
        std::fs::create_dir_all(&tree).expect("mkdir");
        let pdf = sample("vedlegg-til-sak-24.25.pdf");
        std::fs::write(tree.join("a.pdf"), &pdf).expect("write");
        std::fs::write(tree.join("Vedlegg 1 til sak 24.25.pdf"), &pdf).expect("write");
        std::fs::write(tree.join("b.txt"), b"text").expect("write");
        let manifest = t.dir.path().join("manifest.csv");
        std::fs::write(
            &manifest,
            "path,title,kind,organization,date\nVedlegg 1 til sak 24.25.pdf,Innspill til strategiplanen,case_appendix,Helsefellesskap Innlandet,2025-06-12\n",
        )
        .expect("manifest");
        let state = &t.app().state;
        let opts = BulkOptions {
            paths: vec![tree.clone()],
            // One at a time, so which of the two equal files is stored first is fixed.
            jobs: 1,
            dry_run: false,
            manifest: Some(bulk::manifest::Manifest::load(&manifest).expect("load")),
            max_file_bytes: 10 << 20,
            blobs: Some(state.blobs.clone()),
            index_dir: state.config.index_dir(),
            worker: WorkerConfig::default(),
        };
        let (ptx, _prx) = tokio::sync::watch::channel(Progress::default());
        let (_stx, srx) = tokio::sync::watch::channel(false);
        let report = bulk::run(Some(state.db.clone()), opts, ptx, srx)
            .await
            .expect("run");
        assert_eq!(report.counts.indexed, 1, "{backend:?}: {:?}", report.counts);
        assert_eq!(report.counts.duplicate, 1);
        assert_eq!(report.counts.failed, 1);

        let (_, body) = t
            .gql(
                "{ ingestRuns(first: 5) { totalCount edges { node { id state paths counts { total indexed duplicate failed pending pages }
                    failedFiles: files(outcome: FAILED) { totalCount }
                    files(first: 10) { totalCount edges { node { path outcome reason pageCount document { id status title kind organization date caseNumber } } } } } } } }",
                json!({}),
            )
            .await;
        let run = &body["data"]["ingestRuns"]["edges"][0]["node"];
        assert_eq!(run["state"], "FINISHED", "{body}");
        assert_eq!(body["data"]["ingestRuns"]["totalCount"], 1, "{body}");
        assert_eq!(run["files"]["totalCount"], 3, "{body}");
        assert_eq!(run["failedFiles"]["totalCount"], 1, "{body}");
        // A run is a Node: Relay refetches it by its id.
        let (_, node) = t
            .gql(
                "query($id: ID!) { node(id: $id) { __typename id ... on IngestRun { state } } }",
                json!({ "id": run["id"] }),
            )
            .await;
        assert_eq!(node["data"]["node"]["__typename"], "IngestRun", "{node}");
        assert_eq!(node["data"]["node"]["id"], run["id"]);
        assert_eq!(node["data"]["node"]["state"], "FINISHED");
        // Its progress subscription (graphql-ws) gives the finished run once and ends.
        let url = format!("{}/graphql", t.base);
        let out = planarkiv_tests::node(
            "follow.mjs",
            &[
                &url,
                "subscription($id: ID!) { ingestRunProgress(id: $id) { state counts { total indexed } } }",
                &json!({ "id": run["id"] }).to_string(),
            ],
        )
        .await;
        let seen: Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(seen["completed"], true, "{seen}");
        let last = &seen["events"]
            .as_array()
            .expect("events")
            .last()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            last["data"]["ingestRunProgress"]["state"], "FINISHED",
            "{seen}"
        );
        assert_eq!(
            last["data"]["ingestRunProgress"]["counts"]["total"], 3,
            "{seen}"
        );
        assert_eq!(run["counts"]["total"], 3, "{body}");
        assert_eq!(run["counts"]["indexed"], 1, "{body}");
        assert_eq!(run["counts"]["pages"], 5, "{body}");
        let files = run["files"]["edges"].as_array().expect("files");
        assert_eq!(files.len(), 3);
        let failed: Vec<_> = files
            .iter()
            .filter(|e| e["node"]["outcome"] == "FAILED")
            .collect();
        assert!(failed[0]["node"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("not a PDF"));
        let dup: Vec<_> = files
            .iter()
            .filter(|e| e["node"]["outcome"] == "DUPLICATE")
            .collect();
        assert_eq!(dup[0]["node"]["document"]["status"], "INDEXED", "{body}");
        let doc = &dup[0]["node"]["document"];
        assert_eq!(
            doc["title"], "Innspill til strategiplanen",
            "manifest title: {body}"
        );
        assert_eq!(doc["kind"], "CASE_APPENDIX");
        assert_eq!(doc["organization"], "Helsefellesskap Innlandet");
        assert_eq!(doc["date"], "2025-06-12");
        assert_eq!(
            doc["caseNumber"], "24.25",
            "parsed from the file name: {body}"
        );

        let id = run["id"].as_str().expect("id");
        let (_, one) = t
            .gql(
                "query($id: ID!) { ingestRun(id: $id) { files(first: 5, outcome: FAILED) { edges { node { path } } } } }",
                json!({ "id": id }),
            )
            .await;
        let only = one["data"]["ingestRun"]["files"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(only.len(), 1, "{one}");
        t.stop().await;
    }
}

#[test]
fn ctrl_c_stops_after_the_files_in_flight() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("arkiv");
    let data = tmp.path().join("data");
    let want = generate(&tree);
    let report = tmp.path().join("report.json");
    let child = ingest(&data, &tree, Some(&report)).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !data.join("planarkiv.sqlite3").exists()
        || sqlite(&data, "SELECT COUNT(*) FROM ingest_files") < 10
    {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("interrupted"), "{stdout}");
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(r["state"], "interrupted");
    assert!(
        r["counts"]["total"].as_u64().unwrap_or(0) < want.total,
        "{}",
        r["counts"]
    );
    // Nothing in flight was abandoned half-done: every stored document is extracted or queued.
    assert_eq!(
        sqlite(&data, "SELECT COUNT(*) FROM jobs WHERE state = 'running'"),
        0,
        "in-flight jobs finished before exit"
    );
    // Running again finishes the archive.
    let out = ingest(&data, &tree, Some(&report)).output().expect("rerun");
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(
        r["counts"]["total"],
        want.total,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        r["counts"]["indexed"].as_u64().unwrap()
            + r["counts"]["already_archived"].as_u64().unwrap(),
        want.indexed
    );
    assert_eq!(r["counts"]["duplicate"], want.duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_worker_process_extracts_for_a_server_without_one() {
    use planarkiv_tests::{Backend, TestApp};
    for backend in Backend::all() {
        let t = TestApp::start_with(&backend, |c| c.worker = false).await;
        let url = t.db.as_ref().expect("db").url.clone();
        let data = t.dir.path().join("data");
        let pdf = "vedlegg-til-sak-24.25.pdf";
        let (_, body) = t.upload(pdf, sample(pdf)).await;
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, b) = t
            .gql(
                "query($id: ID!) { document(id: $id) { status } }",
                serde_json::json!({ "id": id }),
            )
            .await;
        assert_eq!(
            b["data"]["document"]["status"], "QUEUED",
            "no worker in the server: {b}"
        );

        let mut worker = tokio::process::Command::new(binary())
            .arg("worker")
            .arg("--data-dir")
            .arg(&data)
            .arg("--database-url")
            .arg(&url)
            .kill_on_drop(true)
            .spawn()
            .expect("worker");
        let doc = t
            .wait_for(&id, &["INDEXED", "FAILED"], Duration::from_secs(60))
            .await;
        assert_eq!(doc["status"], "INDEXED", "{backend:?}: {doc}");
        worker.start_kill().expect("kill");
        let _ = worker.wait().await;
        t.stop().await;
    }
}

/// A file whose extraction cannot be written costs only that file: its batch is written file
/// by file, and the file itself is queued for the worker, which stores it on its next attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_fails_in_its_batch_is_written_alone_and_then_by_the_worker() {
    use sea_orm::{ConnectionTrait, Statement};

    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let pdf = sample("vedlegg-til-sak-24.25.pdf");
    for i in 0..8 {
        let name = if i == 3 {
            "feil.pdf".to_owned()
        } else {
            format!("dok-{i}.pdf")
        };
        std::fs::write(tree.join(name), variant(&pdf, i)).expect("write");
    }
    let url = planarkiv_ingest::db::sqlite_url(&tmp.path().join("db.sqlite3"));
    let db = planarkiv_ingest::db::connect(&url).await.expect("db");
    // Pages of feil.pdf are refused while the document has no job, that is in the bulk write
    // and its one-file retry, and accepted when the worker stores them.
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "CREATE TRIGGER refuse_feil BEFORE INSERT ON pages \
         WHEN (SELECT filename FROM documents WHERE id = NEW.document_id) = 'feil.pdf' \
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE document_id = NEW.document_id) \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    ))
    .await
    .expect("trigger");
    let blobs = planarkiv_ingest::blobs::BlobStore::open(tmp.path().join("blobs")).expect("blobs");
    let report = run_in_process(&db, tree, blobs, tmp.path().join("index")).await;
    assert_eq!(report.counts.indexed, 8, "{:?}", report.counts);
    assert_eq!(report.counts.failed + report.counts.pending, 0);

    let one = |sql: &str| scalar(&db, sql.to_owned());
    // Its one job: queued by the bulk write after the failure, then run by the worker.
    assert_eq!(
        one(
            "SELECT attempts FROM jobs j JOIN documents d ON d.id = j.document_id \
             WHERE d.filename = 'feil.pdf' AND j.state = 'done'"
        )
        .await,
        2
    );
    assert_eq!(one("SELECT COUNT(*) FROM jobs").await, 8);
    let by_bulk = one("SELECT COUNT(*) FROM jobs WHERE state = 'done' AND attempts = 1").await;
    // Seen once in CI and not reproduced since: say which file took another path, and why.
    assert_eq!(
        by_bulk,
        7,
        "the other files were written by the bulk write: {:?}",
        other_paths(&db).await
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM pages").await,
        one("SELECT SUM(page_count) FROM documents").await,
        "no page stored twice"
    );
}

/// The batch writer of a bulk run and the worker (the path of an upload) store the same
/// documents, entities, provenance and links from the same files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_writer_stores_what_the_worker_stores() {
    use planarkiv_ingest::blobs::BlobStore;
    use planarkiv_ingest::store::{accept_file, Submission};
    use planarkiv_ingest::worker::{Signals, Worker, WorkerConfig};
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let entities = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/fixtures/entities");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in [samples_dir(), entities] {
        for e in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".pdf") {
                files.push((name, std::fs::read(e.path()).expect("read")));
            }
        }
    }
    // An appendix known only by its file name.
    let paper = sample("vedlegg-til-sak-24.25.pdf");
    files.push(("Vedlegg 2 til sak 24.25.pdf".into(), variant(&paper, 2)));
    files.sort();
    let mut seen = std::collections::HashSet::new();
    files.retain(|(_, bytes)| seen.insert(bytes.clone()));
    for (name, bytes) in &files {
        std::fs::write(tree.join(name), bytes).expect("write");
    }

    async fn open(dir: &Path) -> (DatabaseConnection, BlobStore) {
        std::fs::create_dir_all(dir).expect("mkdir");
        let url = planarkiv_ingest::db::sqlite_url(&dir.join("db.sqlite3"));
        let db = planarkiv_ingest::db::connect(&url).await.expect("db");
        (db, BlobStore::open(dir.join("blobs")).expect("blobs"))
    }
    // By the bulk writer.
    let (bulk_db, blobs) = open(&tmp.path().join("bulk")).await;
    let report = run_in_process(&bulk_db, tree, blobs, tmp.path().join("bulk/index")).await;
    assert_eq!(report.counts.failed, 0, "{:?}", report.files);

    // By the worker, one upload after the other in the same order.
    let (worker_db, blobs) = open(&tmp.path().join("worker")).await;
    let worker = Worker::new(
        worker_db.clone(),
        blobs.clone(),
        "test",
        WorkerConfig::default(),
        Signals::default(),
    )
    .expect("worker");
    for (name, bytes) in &files {
        accept_file(
            &worker_db,
            &blobs,
            &Submission::named(name.clone()),
            bytes,
            50 << 20,
        )
        .await
        .expect("upload");
        let job = worker.queue().claim().await.expect("claim").expect("a job");
        worker.run_job(job).await.expect("job");
    }

    async fn fingerprint(db: &DatabaseConnection) -> Vec<String> {
        let count = |sql: &str| format!("|| '|' || ({sql})");
        let sql = [
            "SELECT d.filename || '|' || COALESCE(d.title, '') || '|' || COALESCE(d.kind, '') \
             || '|' || COALESCE(d.case_number, '') || '|' || COALESCE(d.appendix_number, '') \
             || '|' || COALESCE(d.organization, '') || '|' || COALESCE(d.page_count, '') \
             || '|' || COALESCE(d.producer, '')"
                .to_owned(),
            count("SELECT COUNT(*) FROM pages x WHERE x.document_id = d.id"),
            count("SELECT COUNT(*) FROM plans x WHERE x.document_id = d.id"),
            count(
                "SELECT COUNT(*) FROM focus_areas f JOIN plans p ON p.id = f.plan_id \
                 WHERE p.document_id = d.id",
            ),
            count(
                "SELECT COUNT(*) FROM measures m JOIN focus_areas f ON f.id = m.focus_area_id \
                 JOIN plans p ON p.id = f.plan_id WHERE p.document_id = d.id",
            ),
            count(
                "SELECT COUNT(*) FROM action_items a JOIN plans p ON p.id = a.plan_id \
                 WHERE p.document_id = d.id",
            ),
            count(
                "SELECT COALESCE(GROUP_CONCAT(x.year || '.' || x.sequence || ' ' || COALESCE(x.title, ''), ';'), '') \
                 FROM cases x WHERE x.document_id = d.id",
            ),
            count(
                "SELECT COALESCE(GROUP_CONCAT(x.case_year || '.' || x.case_sequence || '#' || COALESCE(x.number, ''), ';'), '') \
                 FROM appendices x WHERE x.document_id = d.id",
            ),
            count("SELECT COUNT(*) FROM provenance x WHERE x.document_id = d.id"),
            " AS f FROM documents d ORDER BY d.filename".to_owned(),
        ]
        .concat();
        db.query_all(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("fingerprint")
            .into_iter()
            .map(|r| r.try_get::<String>("", "f").expect("f"))
            .collect()
    }
    let bulk = fingerprint(&bulk_db).await;
    assert_eq!(bulk.len(), files.len());
    assert!(
        bulk.iter().any(|f| f.contains("|plan|")),
        "the fixtures hold a plan: {bulk:#?}"
    );
    assert_eq!(bulk, fingerprint(&worker_db).await);
}

/// A bulk run of `tree` with two jobs in this process, to its end.
async fn run_in_process(
    db: &sea_orm::DatabaseConnection,
    tree: std::path::PathBuf,
    blobs: planarkiv_ingest::blobs::BlobStore,
    index_dir: std::path::PathBuf,
) -> planarkiv_ingest::bulk::RunReport {
    let worker = planarkiv_ingest::worker::WorkerConfig::default();
    run_in_process_with(db, tree, blobs, index_dir, worker).await
}

/// [`run_in_process`] with the given worker settings (extraction limits among them).
async fn run_in_process_with(
    db: &sea_orm::DatabaseConnection,
    tree: std::path::PathBuf,
    blobs: planarkiv_ingest::blobs::BlobStore,
    index_dir: std::path::PathBuf,
    worker: planarkiv_ingest::worker::WorkerConfig,
) -> planarkiv_ingest::bulk::RunReport {
    use planarkiv_ingest::bulk::{self, BulkOptions, Progress};
    let opts = BulkOptions {
        paths: vec![tree],
        jobs: 2,
        dry_run: false,
        manifest: None,
        max_file_bytes: 50 << 20,
        blobs: Some(blobs),
        index_dir,
        worker,
    };
    let (ptx, _prx) = tokio::sync::watch::channel(Progress::default());
    let (_stx, srx) = tokio::sync::watch::channel(false);
    bulk::run(Some(db.clone()), opts, ptx, srx)
        .await
        .expect("bulk run")
}

/// A server taking uploads of the same bytes while a bulk run (another process) stores them:
/// every file is stored once, whichever side gets there first, and every path is accounted for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_racing_a_bulk_run_on_the_same_bytes_store_each_file_once() {
    for backend in planarkiv_tests::Backend::all() {
        uploads_race_a_bulk_run(&backend).await;
    }
}

async fn uploads_race_a_bulk_run(backend: &planarkiv_tests::Backend) {
    use planarkiv_ingest::store::{accept_file, Submission};

    const FILES: usize = 60;
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let pdfs = sample_pdfs();
    let files: Vec<Vec<u8>> = (0..FILES)
        .map(|i| variant(&pdfs[i % pdfs.len()], i))
        .collect();
    for (i, bytes) in files.iter().enumerate() {
        std::fs::write(tree.join(format!("dok-{i:02}.pdf")), bytes).expect("write");
    }
    // The "server": its own connection to the archive, migrated before the run starts.
    std::fs::create_dir_all(&data).expect("mkdir");
    let test_db = planarkiv_tests::TestDb::create(backend, &data).await;
    let db = planarkiv_ingest::db::connect(&test_db.url)
        .await
        .expect("db");
    let blobs = planarkiv_ingest::blobs::BlobStore::open(data.join("blobs")).expect("blobs");

    let report = tmp.path().join("report.json");
    let child = ingest(&data, &tree, Some(&report))
        .arg("--database-url")
        .arg(&test_db.url)
        .spawn()
        .expect("spawn");
    // Uploads from the other end of the walk, so that some come before the run reads a file,
    // some while it extracts it, and some after it has stored it.
    let mut uploaded = 0;
    for (i, bytes) in files.iter().enumerate().rev() {
        let sub = Submission::named(format!("opplastet-{i}.pdf"));
        let acc = accept_file(&db, &blobs, &sub, bytes, 50 << 20)
            .await
            .expect("upload");
        uploaded += usize::from(acc.created);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("wait");
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "every file indexed or a duplicate: {log}"
    );

    let one = |sql: &str| scalar(&db, sql.to_owned());
    assert_eq!(one("SELECT COUNT(*) FROM documents").await, FILES as i64);
    assert_eq!(
        one("SELECT COUNT(DISTINCT sha256) FROM documents").await,
        FILES as i64
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    let c = &r["counts"];
    assert_eq!(c["total"], FILES as u64, "{c}");
    assert_eq!(c["failed"], 0, "{c}");
    assert_eq!(c["pending"], 0, "{c}");
    let indexed = c["indexed"].as_u64().expect("indexed");
    let duplicate = c["duplicate"].as_u64().expect("duplicate");
    assert_eq!(indexed + duplicate, FILES as u64, "{c}");
    // The run stored exactly the files the uploads did not.
    assert_eq!(indexed as usize, FILES - uploaded, "{c}");
    // Each path of the walk points at the document holding its bytes.
    for f in r["files"].as_array().expect("files") {
        let path = f["path"].as_str().expect("path");
        let sha = f["sha256"].as_str().expect("sha256");
        let id = f["document_id"].as_i64().expect("document id");
        let owner = one(&format!("SELECT id FROM documents WHERE sha256 = '{sha}'")).await;
        assert_eq!(id, owner, "{f}");
        let linked = one(&format!(
            "SELECT COUNT(*) FROM document_origins WHERE document_id = {id} AND origin = '{}'",
            path.replace('\'', "''")
        ))
        .await;
        assert_eq!(linked, 1, "the run's path is linked: {f}");
    }
    // No document's pages written twice (by the run's writer and by a worker).
    assert_eq!(
        one(
            "SELECT COUNT(*) FROM (SELECT document_id, number FROM pages \
             GROUP BY document_id, number HAVING COUNT(*) > 1) x"
        )
        .await,
        0
    );
    assert_eq!(
        one(
            "SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id \
             WHERE d.status = 'indexed'"
        )
        .await,
        one("SELECT COALESCE(SUM(page_count), 0) FROM documents WHERE status = 'indexed'").await
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM jobs").await,
        FILES as i64,
        "one extraction per document"
    );
    eprintln!(
        "{backend:?}: {uploaded} of {FILES} stored by the uploads, {indexed} by the run, {} found \
         stored between the run's check and its write, {} batches retried file by file",
        log.matches("stored meanwhile").count(),
        log.matches("writing its files one by one").count()
    );
    db.close().await.ok();
    test_db.drop_db().await;
}

/// The one number a query returns.
async fn scalar(db: &sea_orm::DatabaseConnection, sql: String) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("number")
}

/// Another connection writing to the same SQLite archive, as a server would, makes a batch wait
/// for the write lock: no batch fails and falls back to file-by-file writes and the worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_waits_for_another_writer_instead_of_failing() {
    use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};

    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let pdfs = sample_pdfs();
    for i in 0..48 {
        std::fs::write(
            tree.join(format!("dok-{i:02}.pdf")),
            variant(&pdfs[i % pdfs.len()], i),
        )
        .expect("write");
    }
    let url = planarkiv_ingest::db::sqlite_url(&tmp.path().join("db.sqlite3"));
    let db = planarkiv_ingest::db::connect(&url).await.expect("db");
    db.execute_unprepared("CREATE TABLE other_writer (x INTEGER)")
        .await
        .expect("table");
    // A connection of its own, as another process would have, holding the write lock most of
    // the time until the run ends.
    let other = Database::connect(&url).await.expect("other connection");
    let (done_tx, mut done_rx) = tokio::sync::watch::channel(false);
    let holder = tokio::spawn(async move {
        let mut held = 0;
        while !*done_rx.borrow() {
            let txn = other.begin().await.expect("begin");
            txn.execute(Statement::from_string(
                txn.get_database_backend(),
                "INSERT INTO other_writer VALUES (1)",
            ))
            .await
            .expect("write");
            held += 1;
            let _ = tokio::time::timeout(Duration::from_millis(150), done_rx.changed()).await;
            txn.commit().await.expect("commit");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        held
    });
    let blobs = planarkiv_ingest::blobs::BlobStore::open(tmp.path().join("blobs")).expect("blobs");
    let report = run_in_process(&db, tree, blobs, tmp.path().join("index")).await;
    done_tx.send(true).expect("stop the other writer");
    let held = holder.await.expect("holder");
    assert!(held >= 2, "the other writer held the lock {held} times");
    assert_eq!(report.counts.indexed, 48, "{:?}", report.counts);
    let by_bulk = scalar(
        &db,
        "SELECT COUNT(*) FROM jobs WHERE state = 'done' AND attempts = 1".to_owned(),
    )
    .await;
    assert_eq!(
        by_bulk,
        48,
        "every file written by the bulk write, none sent to the worker: {:?}",
        other_paths(&db).await
    );
}

/// The jobs that were not written done by a batch, with their errors.
async fn other_paths(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT d.filename || ' ' || j.state || ' attempts ' || j.attempts || ': ' \
         || COALESCE(j.last_error, d.error, '') AS r FROM jobs j \
         JOIN documents d ON d.id = j.document_id WHERE j.attempts <> 1"
            .to_owned(),
    ))
    .await
    .expect("jobs")
    .iter()
    .filter_map(|r| r.try_get::<String>("", "r").ok())
    .collect()
}

/// Runs `cmd` to its end, or kills it and fails the test after `limit`: the inputs of the
/// hostile tests once made a run hang or walk for ever.
fn finishes_within(mut cmd: Command, limit: Duration) -> std::process::Output {
    let child = cmd.spawn().expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("ran"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("the run did not finish within {limit:?}");
        }
    }
}

/// A zip with two members named `name`, with the bytes `first` and `second`. `ZipWriter`
/// refuses a repeated name, so the second is written under a name of the same length and
/// renamed in place (the checksums cover only the data).
fn zip_with_a_repeated_name(name: &str, first: &[u8], second: &[u8]) -> Vec<u8> {
    let other = format!("{}#", &name[..name.len() - 1]);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (n, bytes) in [(name, first), (other.as_str(), second)] {
        w.start_file(n, opts).expect("entry");
        w.write_all(bytes).expect("write");
    }
    let mut bytes = w.finish().expect("zip").into_inner();
    let mut at = 0;
    while let Some(i) = bytes[at..]
        .windows(other.len())
        .position(|w| w == other.as_bytes())
    {
        bytes[at + i..at + i + name.len()].copy_from_slice(name.as_bytes());
        at += i + name.len();
    }
    bytes
}

#[test]
fn hostile_trees_and_zips_are_walked_once_and_every_file_is_reported() {
    use planarkiv_ingest::bulk::discover::ZIP_INFLATION_FLOOR;
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("arkiv");
    let data = tmp.path().join("data");
    let pdfs = sample_pdfs();

    // Symbolic links that fan out: each level links to the next twice, 2^24 paths in all.
    let levels = 24;
    for k in 0..=levels {
        std::fs::create_dir_all(tree.join(format!("lenker/n{k}"))).expect("mkdir");
    }
    for k in 0..levels {
        let next = tree.join(format!("lenker/n{}", k + 1));
        for link in ["a", "b"] {
            let at = tree.join(format!("lenker/n{k}/{link}"));
            std::os::unix::fs::symlink(&next, at).expect("link");
        }
    }
    let deepest = tree.join(format!("lenker/n{levels}/sak.pdf"));
    std::fs::write(&deepest, variant(&pdfs[0], 1)).expect("write");

    // Two members of one zip with the same name and different bytes.
    let same_names =
        zip_with_a_repeated_name("sak.pdf", &variant(&pdfs[1], 2), &variant(&pdfs[2], 3));
    std::fs::write(tree.join("like-navn.zip"), same_names).expect("write");

    // A small zip of junk "PDFs" that inflates a thousandfold.
    let mut junk = b"%PDF-1.4\n".to_vec();
    junk.resize(1_000_000, 0);
    let mut w = zip::ZipWriter::new(std::fs::File::create(tree.join("bombe.zip")).expect("zip"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..40 {
        w.start_file(format!("{i:02}.pdf"), opts).expect("entry");
        // Distinct bytes, so that each is a document of its own and not a duplicate.
        junk[10] = i;
        w.write_all(&junk).expect("write");
    }
    w.finish().expect("zip");

    let report = tmp.path().join("report.json");
    let out = finishes_within(
        ingest(&data, &tree, Some(&report)),
        Duration::from_secs(180),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the junk failed: {stdout}");
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    let files = r["files"].as_array().expect("files");
    let under = |part: &str| -> Vec<&Value> {
        files
            .iter()
            .filter(|f| f["path"].as_str().unwrap_or("").contains(part))
            .collect()
    };

    // Each folder walked once, at the first path to it (n0/a/a/…): the file once, and each
    // other path to a folder (each level's second link, the folders n1… themselves)
    // reported as the same folder.
    let linked = under("/lenker/");
    assert_eq!(linked.len(), 2 * levels + 1, "{linked:?}");
    let indexed: Vec<_> = linked
        .iter()
        .filter(|f| f["outcome"] == "indexed")
        .collect();
    assert_eq!(indexed.len(), 1, "{linked:?}");
    assert!(linked
        .iter()
        .filter(|f| f["outcome"] == "duplicate")
        .all(|f| f["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("the same folder as "))));

    // Both members, each under a path of its own, each its own document.
    let mut same: Vec<(&str, &str)> = under("like-navn.zip")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            (
                &path[path.find("like-navn.zip").unwrap_or(0)..],
                f["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    same.sort();
    assert_eq!(
        same,
        [
            ("like-navn.zip!/sak.pdf", "indexed"),
            ("like-navn.zip!/sak.pdf (member 2)", "indexed")
        ]
    );

    // Every member of the bomb is reported; past the budget they are refused, unstored.
    let bomb = under("bombe.zip");
    assert_eq!(bomb.len(), 40);
    let refused = bomb
        .iter()
        .filter(|f| {
            f["reason"]
                .as_str()
                .is_some_and(|r| r.contains("inflate to more than"))
        })
        .count();
    let fits = (ZIP_INFLATION_FLOOR / 1_000_000) as usize;
    assert_eq!(refused, 40 - fits, "{bomb:?}");
    assert!(bomb.iter().all(|f| f["outcome"] == "failed"));
    let mut stored = Vec::new();
    let mut dirs = vec![data.join("blobs")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("blobs").flatten() {
            let meta = e.metadata().expect("meta");
            if meta.is_dir() {
                dirs.push(e.path());
            } else {
                stored.push(meta.len());
            }
        }
    }
    let junk_stored: u64 = stored.iter().filter(|&&n| n == 1_000_000).sum();
    assert!(
        junk_stored <= ZIP_INFLATION_FLOOR,
        "{junk_stored} bytes of junk stored"
    );
    assert_eq!(stored.len(), 3 + fits, "{stored:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_runs_out_of_time_in_a_bulk_run_gets_one_more_attempt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::write(tree.join("sak.pdf"), sample("vedlegg-til-sak-24.25.pdf")).expect("write");
    let url = planarkiv_ingest::db::sqlite_url(&tmp.path().join("db.sqlite3"));
    let db = planarkiv_ingest::db::connect(&url).await.expect("db");
    let blobs = planarkiv_ingest::blobs::BlobStore::open(tmp.path().join("blobs")).expect("blobs");
    // A budget no extraction keeps: the run's own attempt times out, and so does the worker's.
    let mut worker = planarkiv_ingest::worker::WorkerConfig::default();
    worker.extract.time_budget = Duration::from_micros(1);
    let report = run_in_process_with(&db, tree, blobs, tmp.path().join("index"), worker).await;
    let file = &report.files[0];
    assert_eq!(file.outcome, "failed", "{file:?}");
    assert_eq!(
        file.reason.as_deref(),
        Some("extraction ran out of its time budget of 0.000001 s twice")
    );
    let attempts = scalar(&db, "SELECT attempts FROM jobs".into()).await;
    let timeouts = scalar(&db, "SELECT timeouts FROM jobs".into()).await;
    // The run's attempt and one by its worker, not five with 30 s of backoff between them.
    assert_eq!((attempts, timeouts), (2, 2));
}
