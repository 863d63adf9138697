//! The database job queue and the worker, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
//! leases that another worker takes over, retries with backoff, giving up with a reason.

use std::time::Duration;

use planarkiv_ingest::blobs::BlobStore;
use planarkiv_ingest::queue::{Queue, MAX_ATTEMPTS};
use planarkiv_ingest::store::{accept_file, Accepted, Submission};
use planarkiv_ingest::worker::{JobOutcome, Signals, Worker, WorkerConfig};
use planarkiv_schema::entities::{document, job, DocumentStatus, JobState};
use planarkiv_schema::time::now_ms;
use planarkiv_tests::{sample, Backend, TestDb};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

const PDF: &str = "vedlegg-til-sak-24.25.pdf";

struct Env {
    db: DatabaseConnection,
    blobs: BlobStore,
    test_db: TestDb,
    _dir: tempfile::TempDir,
}

async fn env(backend: &Backend) -> Env {
    let dir = tempfile::tempdir().expect("tmp");
    let test_db = TestDb::create(backend, dir.path()).await;
    let db = planarkiv_ingest::db::connect(&test_db.url)
        .await
        .expect("db");
    let blobs = BlobStore::open(dir.path().join("blobs")).expect("blobs");
    Env {
        db,
        blobs,
        test_db,
        _dir: dir,
    }
}

/// The sample PDF, stored and queued for extraction.
async fn accept_sample(e: &Env) -> Accepted {
    accept_file(
        &e.db,
        &e.blobs,
        &Submission::named(PDF),
        &sample(PDF),
        usize::MAX,
    )
    .await
    .expect("accepted")
}

/// A worker named "w" on the test's database and store.
fn worker(e: &Env, config: WorkerConfig) -> Worker {
    Worker::new(
        e.db.clone(),
        e.blobs.clone(),
        "w",
        config,
        Signals::default(),
    )
    .expect("worker")
}

async fn make_due(db: &DatabaseConnection, id: i64) {
    let j = job::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("q")
        .expect("job");
    let mut a: job::ActiveModel = j.into();
    a.run_at = Set(0);
    a.update(db).await.expect("update");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_taken_over_and_the_old_worker_cannot_complete() {
    for backend in Backend::all() {
        let e = env(&backend).await;
        accept_sample(&e).await;
        let lease = Duration::from_millis(300);
        let a = Queue::new(e.db.clone(), "worker-a", lease);
        let b = Queue::new(e.db.clone(), "worker-b", lease);

        let ja = a.claim().await.expect("claim").expect("a job for a");
        assert_eq!(ja.attempts, 1);
        assert_eq!(ja.locked_by.as_deref(), Some("worker-a"));
        assert!(
            b.claim().await.expect("claim").is_none(),
            "{backend:?}: leased job is not shared"
        );

        tokio::time::sleep(lease + Duration::from_millis(200)).await;
        let jb = b
            .claim()
            .await
            .expect("claim")
            .expect("taken over after the lease");
        assert_eq!(jb.id, ja.id);
        assert_eq!(jb.attempts, 2);

        let txn = e.db.begin().await.expect("txn");
        assert!(
            !a.complete_in(&txn, ja.id).await.expect("complete"),
            "a lost its lease"
        );
        txn.rollback().await.expect("rollback");
        let txn = e.db.begin().await.expect("txn");
        assert!(b.complete_in(&txn, jb.id).await.expect("complete"));
        txn.commit().await.expect("commit");
        assert!(a.claim().await.expect("claim").is_none(), "nothing left");
        let j = job::Entity::find_by_id(ja.id)
            .one(&e.db)
            .await
            .expect("q")
            .expect("job");
        assert_eq!(j.state, JobState::Done);
        e.test_db.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_retry_with_backoff_then_give_up_with_the_reason() {
    for backend in Backend::all() {
        let e = env(&backend).await;
        let acc = accept_sample(&e).await;
        // The stored file disappears: an operational fault, worth retrying.
        std::fs::remove_file(e.blobs.path_of(&acc.document.sha256).expect("path")).expect("rm");
        let worker = worker(&e, WorkerConfig::default());
        let mut delays = Vec::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let j = worker
                .queue()
                .claim()
                .await
                .expect("claim")
                .expect("due job");
            assert_eq!(j.attempts, attempt);
            let before = now_ms();
            let outcome = worker.run_job(j.clone()).await.expect("run");
            let doc = document::Entity::find_by_id(acc.document.id)
                .one(&e.db)
                .await
                .expect("q")
                .expect("doc");
            assert!(
                doc.error.as_deref().unwrap_or("").contains("file system"),
                "{doc:?}"
            );
            if attempt < MAX_ATTEMPTS {
                assert!(
                    matches!(outcome, JobOutcome::Retry(_)),
                    "{backend:?}: {outcome:?}"
                );
                assert_eq!(doc.status, DocumentStatus::Queued);
                let j = job::Entity::find_by_id(j.id)
                    .one(&e.db)
                    .await
                    .expect("q")
                    .expect("job");
                delays.push(j.run_at - before);
                assert!(
                    worker.queue().claim().await.expect("claim").is_none(),
                    "backing off"
                );
                make_due(&e.db, j.id).await;
            } else {
                assert!(matches!(outcome, JobOutcome::Failed(_)), "{outcome:?}");
                assert_eq!(doc.status, DocumentStatus::Failed);
            }
        }
        assert!(
            delays.windows(2).all(|w| w[1] > w[0]),
            "backoff grows: {delays:?}"
        );
        assert!(
            worker.queue().claim().await.expect("claim").is_none(),
            "given up"
        );
        e.test_db.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_pdf_fails_at_once_without_retries() {
    for backend in Backend::all() {
        let e = env(&backend).await;
        let bytes = b"%PDF-1.4\n1 0 obj <<>> endobj\ngarbage without pages".to_vec();
        let acc = accept_file(
            &e.db,
            &e.blobs,
            &Submission::named("broken.pdf"),
            &bytes,
            usize::MAX,
        )
        .await
        .expect("accepted");
        let worker = worker(&e, WorkerConfig::default());
        let j = worker.queue().claim().await.expect("claim").expect("job");
        let outcome = worker.run_job(j).await.expect("run");
        assert!(
            matches!(outcome, JobOutcome::Failed(ref r) if r.contains("damaged")),
            "{outcome:?}"
        );
        let doc = document::Entity::find_by_id(acc.document.id)
            .one(&e.db)
            .await
            .expect("q")
            .expect("doc");
        assert_eq!(doc.status, DocumentStatus::Failed);
        assert!(worker.queue().claim().await.expect("claim").is_none());
        e.test_db.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blown_time_budget_is_retried_once_then_fails_for_good() {
    for backend in Backend::all() {
        let e = env(&backend).await;
        let acc = accept_sample(&e).await;
        // A budget no extraction can keep: every attempt runs out of it.
        let mut config = WorkerConfig::default();
        config.extract.time_budget = Duration::from_micros(1);
        let worker = worker(&e, config);
        let status = || async {
            document::Entity::find_by_id(acc.document.id)
                .one(&e.db)
                .await
                .expect("q")
                .expect("doc")
        };

        let j = worker.queue().claim().await.expect("claim").expect("job");
        let first = worker.run_job(j.clone()).await.expect("run");
        let once = "extraction ran out of its time budget of 0.000001 s";
        assert_eq!(first, JobOutcome::Retry(once.into()), "{backend:?}");
        assert_eq!(status().await.status, DocumentStatus::Queued);
        make_due(&e.db, j.id).await;

        let j = worker
            .queue()
            .claim()
            .await
            .expect("claim")
            .expect("retried");
        assert_eq!((j.attempts, j.timeouts), (2, 1));
        let second = worker.run_job(j.clone()).await.expect("run");
        let twice = format!("{once} twice");
        assert_eq!(second, JobOutcome::Failed(twice.clone()), "{backend:?}");
        let doc = status().await;
        assert_eq!(doc.status, DocumentStatus::Failed);
        assert_eq!(doc.error.as_deref(), Some(twice.as_str()));
        let j = job::Entity::find_by_id(j.id)
            .one(&e.db)
            .await
            .expect("q")
            .expect("job");
        assert_eq!((j.state, j.timeouts), (JobState::Failed, 2));
        // Not the three more attempts a transient failure gets.
        make_due(&e.db, j.id).await;
        assert!(worker.queue().claim().await.expect("claim").is_none());
        e.test_db.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_an_idle_worker_wakes_on_notify_not_on_its_poll() {
    let Some(backend) = Backend::all()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        eprintln!("TEST_DATABASE_URL is not set: LISTEN/NOTIFY needs PostgreSQL");
        return;
    };
    let e = env(&backend).await;
    let config = WorkerConfig {
        // Far longer than the test waits: only the notification can wake it in time.
        poll: Duration::from_secs(600),
        listen_url: Some(e.test_db.url.clone()),
        ..WorkerConfig::default()
    };
    let worker = worker(&e, config);
    let (stop, rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(rx));
    tokio::time::sleep(Duration::from_millis(800)).await;

    let acc = accept_sample(&e).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let j = job::Entity::find()
            .one(&e.db)
            .await
            .expect("q")
            .expect("job");
        if j.state == JobState::Done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker was not woken"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let doc = document::Entity::find_by_id(acc.document.id)
        .one(&e.db)
        .await
        .expect("q")
        .expect("doc");
    assert_eq!(doc.page_count, Some(5));
    let _ = stop.send(true);
    let _ = running.await;
    e.test_db.drop_db().await;
}
