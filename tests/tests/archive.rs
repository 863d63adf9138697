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
    case::ActiveModel {
        year: Set(2024),
        sequence: Set(23),
        title: Set(Some("Rekrutteringsmidler".into())),
        origin: Set(ORIGIN_PERSON.into()),
        edited: Set("[]".into()),
        created_at: Set(0),
        updated_at: Set(0),
        ..Default::default()
    }
    .insert(&src.state.db)
    .await
    .expect("add case");

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
