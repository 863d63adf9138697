//! Production shape on PostgreSQL: two API processes (`serve --no-worker`, each with its own
//! index) and two worker processes on loopback ingest 200 PDFs. Every document is processed
//! exactly once, both APIs answer the same searches, and a worker killed with SIGKILL mid-job
//! loses nothing: its job is taken over when the lease runs out.
//! Runs when TEST_DATABASE_URL names a PostgreSQL server (CI starts one).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use planarkiv_tests::{binary, sample, variant, Backend, TestDb};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};

const FILES: usize = 200;

struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("query")
    .and_then(|r| r.try_get_by_index::<i64>(0).ok())
    .unwrap_or(0)
}

async fn search(client: &reqwest::Client, base: &str, q: &str) -> Value {
    client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "query($q: String!) { search(query: $q, first: 100, filter: { hitType: [PAGE] }) { totalCount edges { node { page document { id } } } } }", "variables": { "q": q } }))
        .send()
        .await
        .expect("search")
        .json::<Value>()
        .await
        .expect("json")["data"]["search"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apis_and_two_workers_on_postgres() {
    let Some(Backend::Postgres(server)) = Backend::all()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL deployment test needs it");
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let testdb = TestDb::create(&Backend::Postgres(server), dir.path()).await;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let db = planarkiv_ingest::db::connect(&testdb.url)
        .await
        .expect("db");

    let spawn = |args: Vec<String>| -> Child {
        Command::new(binary())
            .args(&args)
            .env("PLANARKIV_JOB_LEASE_SECS", "3")
            .env("DATABASE_URL", &testdb.url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let d = data.display().to_string();
    let ports = [free_port(), free_port()];
    let mut procs = Procs(Vec::new());
    for (i, port) in ports.iter().enumerate() {
        procs.0.push(spawn(vec![
            "serve".into(),
            "--no-worker".into(),
            "--data-dir".into(),
            d.clone(),
            "--index-dir".into(),
            data.join(format!("index-{i}")).display().to_string(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--anonymous-role".into(),
            "editor".into(),
        ]));
    }
    let workers: Vec<Child> = (0..2)
        .map(|_| {
            spawn(vec![
                "worker".into(),
                "--data-dir".into(),
                d.clone(),
                "--jobs".into(),
                "2".into(),
            ])
        })
        .collect();
    let worker_pids: Vec<u32> = workers.iter().map(|w| w.id()).collect();
    procs.0.extend(workers);

    let client = reqwest::Client::new();
    let bases: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    for b in &bases {
        while client
            .get(format!("{b}/ready"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok()
            != Some(200)
        {
            assert!(Instant::now() < deadline, "API {b} did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // 200 distinct PDFs, uploaded alternately to the two APIs.
    let names = [
        "vedlegg-til-sak-24.25.pdf",
        "strategi-helsefelleskap-innlandet-2022-2026.pdf",
        "regional-utviklingsplan-helse-midt-norge.pdf",
        "maal-og-strategier.pdf",
    ];
    let pdfs: Vec<Vec<u8>> = names.iter().map(|n| sample(n)).collect();
    let mut killed = false;
    for i in 0..FILES {
        let operations = json!({
            "query": "mutation($f: Upload!) { uploadDocument(file: $f) { id } }",
            "variables": { "f": null }
        });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.f"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(variant(&pdfs[i % pdfs.len()], i))
                    .file_name(format!("dok-{i}.pdf")),
            );
        let r: Value = client
            .post(format!("{}/graphql", bases[i % 2]))
            .header("apollo-require-preflight", "true")
            .multipart(form)
            .send()
            .await
            .expect("upload")
            .json()
            .await
            .expect("json");
        assert!(r["data"]["uploadDocument"]["id"].is_string(), "{r}");

        // Kill the first worker with SIGKILL while it holds a job.
        if !killed && i > 40 {
            let holder = format!("worker:{}", worker_pids[0]);
            let running = count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND locked_by = '{holder}'"
                ),
            )
            .await;
            if running > 0 {
                procs.0[2].kill().expect("SIGKILL");
                killed = true;
            }
        }
    }
    assert!(killed, "the first worker never held a job to be killed in");

    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let done = count(
            &db,
            "SELECT COUNT(*) FROM documents WHERE status = 'indexed'",
        )
        .await;
        if done == FILES as i64 {
            break;
        }
        let failed = count(
            &db,
            "SELECT COUNT(*) FROM documents WHERE status = 'failed'",
        )
        .await;
        assert_eq!(failed, 0, "no document may fail");
        assert!(Instant::now() < deadline, "only {done} of {FILES} indexed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Exactly once: one successful extraction (outbox upsert) per document, one set of pages.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox WHERE op = 'upsert'").await,
        FILES as i64
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM (SELECT document_id FROM outbox GROUP BY document_id HAVING COUNT(*) > 1) x").await,
        0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM jobs WHERE state <> 'done'").await,
        0
    );
    // At least one job needed a second attempt: the one the killed worker held.
    assert!(count(&db, "SELECT COUNT(*) FROM jobs WHERE attempts > 1").await >= 1);

    // Both APIs, each with its own index, answer the same.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = search(&client, &bases[0], "oppgaveforflytting").await;
        let b = search(&client, &bases[1], "oppgaveforflytting").await;
        if a["totalCount"] == FILES as u64 / 4 && a == b {
            break;
        }
        assert!(Instant::now() < deadline, "the APIs disagree: {a} vs {b}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(procs);
    db.close().await.ok();
    testdb.drop_db().await;
}
