//! The index is derived from the database: thrown away, it is rebuilt at startup, and every
//! document the database calls INDEXED is in it.

use std::collections::HashSet;
use std::time::Duration;

use planarkiv_api::{App, Config};
use planarkiv_ingest::index::{check, Indexer};
use planarkiv_schema::entities::{document, DocumentStatus};
use planarkiv_tests::{Backend, TestDb};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

async fn wait_all_indexed(app: &App, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = document::Entity::find()
            .filter(document::Column::Status.eq(DocumentStatus::Indexed))
            .all(&app.state.db)
            .await
            .expect("q")
            .len();
        if done == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of {n} indexed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn indexed_doc_ids(app: &App) -> HashSet<u64> {
    let searcher = app.state.index.reader().searcher();
    let f = app.state.index.fields();
    let all = searcher
        .search(&AllQuery, &DocSetCollector)
        .expect("search");
    all.into_iter()
        .map(|addr| {
            let d: TantivyDocument = searcher.doc(addr).expect("doc");
            d.get_first(f.doc_id)
                .and_then(|v| v.as_u64())
                .expect("doc_id")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_index_is_rebuilt_from_the_database() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = TestDb::create(&backend, dir.path()).await;
        let mut config = Config::embedded(dir.path().join("data"));
        config.database_url = Some(db.url.clone());
        config.demo = true;

        let app = App::start(config.clone()).await.expect("start");
        wait_all_indexed(&app, 5).await;
        let before = indexed_doc_ids(&app);
        assert_eq!(before.len(), 5, "{backend:?}");
        app.shutdown().await;

        std::fs::remove_dir_all(config.index_dir()).expect("rm index");
        let mut config2 = config.clone();
        config2.worker = false;
        config2.demo = false;
        let app = App::start(config2).await.expect("restart");
        assert_eq!(
            indexed_doc_ids(&app),
            before,
            "{backend:?}: rebuilt from the database"
        );
        let hits = planarkiv_api::search::search(&app.state.index, "oppgaveforflytting", 0, 5)
            .expect("search");
        assert_eq!(hits.hits.first().map(|h| h.page), Some(3), "{backend:?}");

        // `check` finds no drift; then a row deleted behind the outbox's back is reported as
        // orphaned, and a rebuild makes the two agree again.
        let drift = check(&app.state.db, &app.state.index).await.expect("check");
        assert!(drift.is_clean(), "{drift:?}");
        assert_eq!(drift.indexed_documents, 5);
        let victim = *before.iter().next().expect("a document") as i64;
        let backend_db = app.state.db.get_database_backend();
        for sql in [
            format!("DELETE FROM pages WHERE document_id = {victim}"),
            format!("DELETE FROM jobs WHERE document_id = {victim}"),
            format!("DELETE FROM documents WHERE id = {victim}"),
        ] {
            app.state
                .db
                .execute(Statement::from_string(backend_db, sql))
                .await
                .expect("delete");
        }
        let drift = check(&app.state.db, &app.state.index).await.expect("check");
        assert_eq!(drift.orphaned, vec![victim], "{drift:?}");
        let indexer = Indexer::new(
            app.state.db.clone(),
            app.state.index.clone(),
            Default::default(),
        );
        indexer.rebuild().await.expect("rebuild");
        let drift = check(&app.state.db, &app.state.index).await.expect("check");
        assert!(drift.is_clean(), "{drift:?}");
        assert_eq!(drift.indexed_documents, 4);

        // A mark lost between the index commit and the database update is settled from
        // state; a document whose job still waits is not.
        let lost = *before
            .iter()
            .find(|id| **id as i64 != victim)
            .expect("another") as i64;
        app.state
            .db
            .execute(Statement::from_string(
                backend_db,
                format!("UPDATE documents SET status = 'processing' WHERE id = {lost}"),
            ))
            .await
            .expect("unmark");
        indexer.settle().await.expect("settle");
        let status = |id: i64| {
            let db = app.state.db.clone();
            async move {
                document::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .expect("q")
                    .expect("doc")
                    .status
            }
        };
        assert_eq!(status(lost).await, DocumentStatus::Indexed, "{backend:?}");
        for sql in [
            format!("UPDATE documents SET status = 'processing' WHERE id = {lost}"),
            format!("UPDATE jobs SET state = 'queued' WHERE document_id = {lost}"),
        ] {
            app.state
                .db
                .execute(Statement::from_string(backend_db, sql))
                .await
                .expect("requeue");
        }
        indexer.settle().await.expect("settle");
        assert_eq!(
            status(lost).await,
            DocumentStatus::Processing,
            "{backend:?}"
        );
        app.shutdown().await;
        db.drop_db().await;
    }
}
