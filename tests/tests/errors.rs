//! The error policy as a client and an operator see it: a failure on the server's side reaches
//! the client as `INTERNAL_SERVER_ERROR` with an id and nothing internal, and the log holds that
//! id with the detail; what is the client's fault keeps its own code.

use std::io::Write;
use std::sync::{Arc, Mutex};

use planarkiv_tests::{Backend, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// Log lines of this test process, as the server writes them.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_database_failure_reaches_the_client_as_an_id_and_the_log_as_the_detail() {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    for backend in Backend::all() {
        let t = TestApp::start(&backend).await;
        let db = &t.app().state.db;
        // The plans table disappears under the running server.
        let drop = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "DROP TABLE plans CASCADE",
            _ => "DROP TABLE plans",
        };
        db.execute_unprepared(drop).await.expect("drop");
        let (status, body) = t.gql("{ plans(first: 5) { totalCount } }", json!({})).await;
        assert_eq!(status, 200, "{body}");
        let err = &body["errors"][0];
        assert_eq!(
            err["extensions"]["code"], "INTERNAL_SERVER_ERROR",
            "{backend:?}: {body}"
        );
        let id = err["extensions"]["errorId"].as_str().expect("an error id");
        let message = err["message"].as_str().unwrap();
        assert_eq!(
            message,
            format!("internal error (id {id})"),
            "nothing internal: {body}"
        );
        let logged = log.text();
        let line = logged
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("the id {id} is in the log:\n{logged}"));
        assert!(
            line.contains("plans"),
            "the log line has the detail the client did not get: {line}"
        );

        // The client's own mistakes keep their codes.
        let (_, body) = t
            .gql(
                "query($n: Int!) { plans(first: $n) { totalCount } }",
                json!({ "n": "many" }),
            )
            .await;
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("");
        assert!(
            code == "BAD_USER_INPUT" || code == "GRAPHQL_VALIDATION_FAILED",
            "{body}"
        );
        let (_, body) = t
            .gql("{ node(id: \"RG9jdW1lbnQ6OTk5\") { id } }", json!({}))
            .await;
        assert!(
            body["errors"].is_null() && body["data"]["node"].is_null(),
            "{body}"
        );
        t.stop().await;
    }
}
