//! Moving an archive: export from the embedded SQLite setup, import into another database
//! (PostgreSQL when TEST_DATABASE_URL is set), curation intact; and the SQLite backup.

use std::time::Duration;

use planarkiv_api::{App, Config};
use planarkiv_ingest::archive;
use planarkiv_schema::entities::{document, DocumentStatus};
use planarkiv_tests::{Backend, TestDb};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

async fn wait_indexed(db: &sea_orm::DatabaseConnection, n: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = document::Entity::find()
            .filter(document::Column::Status.eq(DocumentStatus::Indexed))
            .count(db)
            .await
            .expect("count");
        if done == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{done} of {n} indexed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A case a person made, with no document: curated data an export carries.
async fn add_case_by_hand(db: &sea_orm::DatabaseConnection) {
    use planarkiv_schema::entities::case;
    case::ActiveModel {
        year: Set(Some(2024)),
        sequence: Set(Some(23)),
        title: Set(Some("Rekrutteringsmidler".into())),
        origin: Set(planarkiv_ingest::domain::ORIGIN_PERSON.into()),
        edited: Set("[]".into()),
        created_at: Set(0),
        updated_at: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("add case");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_keeps_curation_and_backup_is_a_working_copy() {
    let src_dir = tempfile::tempdir().expect("tmp");
    let mut src_cfg = Config::embedded(src_dir.path().join("data"));
    src_cfg.demo = true;
    let src = App::start(src_cfg.clone()).await.expect("source");
    wait_indexed(&src.state.db, 5).await;
    let first = document::Entity::find_by_id(1)
        .one(&src.state.db)
        .await
        .expect("q")
        .expect("doc");
    let mut a: document::ActiveModel = first.clone().into();
    a.title = Set(Some("Tittel satt av sekretariatet".into()));
    a.organization = Set(Some("Helsefellesskap Innlandet".into()));
    a.update(&src.state.db).await.expect("curate");
    // Entities curated by people: an edited plan title, a measure added by hand, a case made
    // by hand. Extraction on the target must not undo them.
    use planarkiv_ingest::domain::{with_edited, ORIGIN_PERSON};
    use planarkiv_schema::entities::{case, focus_area, measure, plan};
    let strategy = plan::Entity::find()
        .filter(plan::Column::Kind.eq("strategy_plan"))
        .one(&src.state.db)
        .await
        .expect("q")
        .expect("the strategy plan was extracted");
    let mut p: plan::ActiveModel = strategy.clone().into();
    p.title = Set(Some("Strategi (revidert av sekretariatet)".into()));
    p.edited = Set(with_edited(&strategy.edited, ["title"]));
    p.update(&src.state.db).await.expect("edit plan");
    let area = focus_area::Entity::find()
        .filter(focus_area::Column::PlanId.eq(strategy.id))
        .one(&src.state.db)
        .await
        .expect("q")
        .expect("a focus area");
    measure::ActiveModel {
        focus_area_id: Set(area.id),
        position: Set(99),
        text: Set("Tiltak lagt til for hånd".into()),
        origin: Set(ORIGIN_PERSON.into()),
        edited: Set("[]".into()),
        ..Default::default()
    }
    .insert(&src.state.db)
    .await
    .expect("add measure");
    add_case_by_hand(&src.state.db).await;

    // Backup while the server runs.
    let backup = src_dir.path().join("backup");
    let copied = archive::backup_sqlite(
        &src.state.db,
        &src_cfg.blob_dir(),
        Some(&src.state.index),
        &backup,
    )
    .await
    .expect("backup");
    assert_eq!(copied, 5);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("index.json")).expect("index.json"))
            .expect("json");
    assert!(meta["outbox_seq"].as_i64().unwrap_or(0) >= 5, "{meta}");
    assert_eq!(meta["pages"], 27, "{meta}");
    assert!(
        archive::backup_sqlite(&src.state.db, &src_cfg.blob_dir(), None, &backup)
            .await
            .is_err(),
        "a backup never overwrites"
    );
    let copy = planarkiv_ingest::db::connect(&planarkiv_ingest::db::sqlite_url(
        &backup.join("planarkiv.sqlite3"),
    ))
    .await
    .expect("open the backup");
    assert_eq!(
        document::Entity::find().count(&copy).await.expect("count"),
        5
    );

    let zip = src_dir.path().join("export.zip");
    let n = archive::export(&src.state.db, &src.state.blobs, &zip)
        .await
        .expect("export");
    assert_eq!(n, 5);
    src.shutdown().await;

    let target_backend = Backend::all().pop().expect("a backend");
    let dst_dir = tempfile::tempdir().expect("tmp");
    let dst_db = TestDb::create(&target_backend, dst_dir.path()).await;
    let mut dst_cfg = Config::embedded(dst_dir.path().join("data"));
    dst_cfg.database_url = Some(dst_db.url.clone());
    let dst = App::start(dst_cfg).await.expect("target");
    let (new, present) = archive::import(&dst.state.db, &dst.state.blobs, &zip, 100 << 20)
        .await
        .expect("import");
    assert_eq!((new, present), (5, 0));
    dst.state.signals.jobs.notify_one();
    wait_indexed(&dst.state.db, 5).await;
    let moved = document::Entity::find()
        .filter(document::Column::Sha256.eq(first.sha256.clone()))
        .one(&dst.state.db)
        .await
        .expect("q")
        .expect("moved");
    assert_eq!(
        moved.title.as_deref(),
        Some("Tittel satt av sekretariatet"),
        "{target_backend:?}"
    );
    assert_eq!(
        moved.organization.as_deref(),
        Some("Helsefellesskap Innlandet")
    );
    let check_curation = || async {
        let plans = plan::Entity::find()
            .filter(plan::Column::Kind.eq("strategy_plan"))
            .all(&dst.state.db)
            .await
            .expect("q");
        assert_eq!(plans.len(), 1, "one strategy plan, not a copy per import");
        assert_eq!(
            plans[0].title.as_deref(),
            Some("Strategi (revidert av sekretariatet)"),
            "the edited title survives extraction on the target"
        );
        assert!(
            plans[0].adopted_by.is_some(),
            "unedited fields are extracted"
        );
        let areas = focus_area::Entity::find()
            .filter(focus_area::Column::PlanId.eq(plans[0].id))
            .all(&dst.state.db)
            .await
            .expect("q");
        assert_eq!(areas.len(), 8, "{areas:?}");
        let hand = measure::Entity::find()
            .filter(measure::Column::Text.eq("Tiltak lagt til for hånd"))
            .count(&dst.state.db)
            .await
            .expect("q");
        assert_eq!(hand, 1);
        let cases = case::Entity::find()
            .filter(case::Column::Title.eq("Rekrutteringsmidler"))
            .count(&dst.state.db)
            .await
            .expect("q");
        assert_eq!(cases, 1);
    };
    check_curation().await;
    // Importing again changes nothing.
    let again = archive::import(&dst.state.db, &dst.state.blobs, &zip, 100 << 20)
        .await
        .expect("import");
    assert_eq!(again, (0, 5));
    check_curation().await;
    dst.shutdown().await;
    dst_db.drop_db().await;
}

/// What an import may change: rows of every table it writes, the stored files, and the
/// temporary files of the store.
#[derive(Debug, PartialEq, Eq)]
struct Footprint {
    rows: Vec<(&'static str, i64)>,
    blobs: Vec<String>,
    temporaries: usize,
    first_title: Option<String>,
}

async fn footprint(db: &sea_orm::DatabaseConnection, blobs: &std::path::Path) -> Footprint {
    use sea_orm::{ConnectionTrait, Statement};
    let mut rows = Vec::new();
    for table in [
        "documents",
        "document_origins",
        "jobs",
        "cases",
        "plans",
        "organizations",
        "organization_aliases",
    ] {
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        rows.push((table, row.try_get::<i64>("", "n").expect("n")));
    }
    let mut stored = Vec::new();
    let mut dirs = vec![blobs.to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("blobs").flatten() {
            if e.path() == blobs.join("tmp") {
                continue;
            }
            if e.file_type().expect("type").is_dir() {
                dirs.push(e.path());
            } else {
                stored.push(e.path().display().to_string());
            }
        }
    }
    stored.sort();
    let first_title = document::Entity::find_by_id(1)
        .one(db)
        .await
        .expect("q")
        .and_then(|d| d.title);
    Footprint {
        rows,
        blobs: stored,
        temporaries: std::fs::read_dir(blobs.join("tmp")).expect("tmp").count(),
        first_title,
    }
}

/// A member to add to a zip: its name and what writes its bytes.
type NewMember<'a> = (&'a str, &'a dyn Fn(&mut dyn std::io::Write));

/// A copy of the zip at `from` with each member passed through `change` (None leaves it out)
/// and `extra` members added.
fn rewrite(
    from: &std::path::Path,
    to: &std::path::Path,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[NewMember],
) {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).expect("zip")).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).expect("out"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut m = src.by_index(i).expect("member");
        let name = m.name().expect("a name").into_owned();
        let mut bytes = Vec::new();
        m.read_to_end(&mut bytes).expect("read");
        if let Some(bytes) = change(&name, bytes) {
            out.start_file(name, opts).expect("entry");
            out.write_all(&bytes).expect("write");
        }
    }
    for (name, write) in extra {
        out.start_file(*name, opts).expect("entry");
        write(&mut out);
    }
    out.finish().expect("zip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_archive_changes_nothing_and_a_good_one_imports_whole() {
    use planarkiv_ingest::blobs::BlobStore;
    use planarkiv_ingest::store::{accept_file, Submission};
    let pdf = planarkiv_tests::sample("vedlegg-til-sak-24.25.pdf");

    // The source: 31 documents (never extracted; export moves files and what people set) and
    // a case made by hand.
    let src_dir = tempfile::tempdir().expect("tmp");
    let src_db = TestDb::create(&Backend::Sqlite, src_dir.path()).await;
    let src = planarkiv_ingest::db::connect(&src_db.url)
        .await
        .expect("db");
    let src_blobs = BlobStore::open(src_dir.path().join("blobs")).expect("blobs");
    for i in 0..31 {
        let sub = Submission::named(format!("sak-{i}.pdf"));
        let bytes = planarkiv_tests::variant(&pdf, i);
        accept_file(&src, &src_blobs, &sub, &bytes, usize::MAX)
            .await
            .expect("accepted");
    }
    let first = document::Entity::find_by_id(1)
        .one(&src)
        .await
        .expect("q")
        .expect("doc");
    let mut a: document::ActiveModel = first.clone().into();
    a.title = Set(Some("Tittel satt av sekretariatet".into()));
    a.update(&src).await.expect("curate");
    add_case_by_hand(&src).await;
    let good = src_dir.path().join("export.zip");
    assert_eq!(
        archive::export(&src, &src_blobs, &good)
            .await
            .expect("export"),
        31
    );
    let manifest: serde_json::Value = {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::fs::File::open(&good).expect("zip")).expect("zip");
        let mut text = String::new();
        z.by_name("archive.json")
            .expect("archive.json")
            .read_to_string(&mut text)
            .expect("read");
        serde_json::from_str(&text).expect("json")
    };
    let last = manifest["documents"][30]["sha256"]
        .as_str()
        .expect("sha256")
        .to_owned();
    let last_member = format!("files/{last}.pdf");

    let changed = src_dir.path().join("changed.zip");
    rewrite(
        &good,
        &changed,
        |name, mut bytes| {
            if name == last_member {
                let end = bytes.len() - 1;
                bytes[end] ^= 1;
            }
            Some(bytes)
        },
        &[],
    );
    let missing = src_dir.path().join("missing.zip");
    rewrite(
        &good,
        &missing,
        |name, bytes| (name != last_member).then_some(bytes),
        &[],
    );
    // Whitespace is valid JSON, so only the size can refuse it; it deflates to little.
    let oversize = src_dir.path().join("oversize.zip");
    let manifest_text = manifest.to_string();
    let padded = move |w: &mut dyn std::io::Write| {
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..=(archive::MAX_MANIFEST_BYTES >> 20) {
            w.write_all(&spaces).expect("write");
        }
        w.write_all(manifest_text.as_bytes()).expect("write");
    };
    rewrite(
        &good,
        &oversize,
        |name, bytes| (name != "archive.json").then_some(bytes),
        &[("archive.json", &padded)],
    );

    for backend in Backend::all() {
        let dir = tempfile::tempdir().expect("tmp");
        let test_db = TestDb::create(&backend, dir.path()).await;
        let db = planarkiv_ingest::db::connect(&test_db.url)
            .await
            .expect("db");
        let blob_dir = dir.path().join("blobs");
        let blobs = BlobStore::open(&blob_dir).expect("blobs");
        // The target already has the first document, under another title: its row and file
        // are not the import's to change or remove unless the import goes through.
        accept_file(
            &db,
            &blobs,
            &Submission::named("her-fra-før.pdf"),
            &planarkiv_tests::variant(&pdf, 0),
            usize::MAX,
        )
        .await
        .expect("accepted");
        let before = footprint(&db, &blob_dir).await;
        assert_eq!(before.blobs.len(), 1);

        for (zip, says) in [
            (&changed, "does not match its sha256"),
            (&missing, "is missing"),
            (
                &oversize,
                "archive.json is larger than the limit of 268435456 bytes",
            ),
        ] {
            let err = archive::import(&db, &blobs, zip, 100 << 20)
                .await
                .expect_err("refused");
            let message = err.to_string();
            assert!(
                message.contains(says) && message.contains("nothing was written"),
                "{backend:?}: {message}"
            );
            assert_eq!(
                footprint(&db, &blob_dir).await,
                before,
                "{backend:?}: {says}"
            );
        }

        if matches!(backend, Backend::Sqlite) {
            // A transaction that fails at its very end, restoring the curated case: the files
            // staged and published for it are removed again, the one found here stays.
            use sea_orm::ConnectionTrait;
            db.execute_unprepared(
                "CREATE TRIGGER refuse_cases BEFORE INSERT ON cases \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            )
            .await
            .expect("trigger");
            let err = archive::import(&db, &blobs, &good, 100 << 20)
                .await
                .expect_err("the transaction fails");
            assert!(err.to_string().contains("refused by the test"), "{err}");
            assert_eq!(footprint(&db, &blob_dir).await, before);
            db.execute_unprepared("DROP TRIGGER refuse_cases")
                .await
                .expect("drop trigger");
        }
        let (new, present) = archive::import(&db, &blobs, &good, 100 << 20)
            .await
            .expect("a good archive imports");
        assert_eq!((new, present), (30, 1));
        let after = footprint(&db, &blob_dir).await;
        assert_eq!(after.blobs.len(), 31);
        assert_eq!(after.temporaries, 0);
        assert_eq!(
            after.first_title.as_deref(),
            Some("Tittel satt av sekretariatet")
        );
        let count = |table: &str| after.rows.iter().find(|r| r.0 == table).expect(table).1;
        assert_eq!(
            (count("documents"), count("jobs"), count("cases")),
            (31, 31, 1)
        );
        test_db.drop_db().await;
    }
    src_db.drop_db().await;
}
