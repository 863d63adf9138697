//! The graphql-http server audits (the reference suite of the GraphQL-over-HTTP spec) against
//! the real server. Needs Node.js; the audit package is installed from the lock file on first use.

use planarkiv_tests::{node_dir, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_graphql_over_http_audit_passes() {
    let dir = node_dir().await;
    let t = TestApp::start(&Backend::Sqlite).await;
    let out = tokio::process::Command::new("node")
        .arg("audit.mjs")
        .arg(format!("{}/graphql", t.base))
        .current_dir(&dir)
        .output()
        .await
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "audits failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout.lines().last().unwrap_or_default();
    let passed: u32 = summary
        .trim_start_matches("audits: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 61, "{stdout}");
    assert!(summary.ends_with(" 0 failed"), "{stdout}");
    t.stop().await;
}

/// GraphiQL's docs, codegen from the URL, IDE plugins and Rover all send graphql-js's standard
/// introspection query; the request limits must let it through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_is_answered() {
    let dir = node_dir().await;
    let t = TestApp::start(&Backend::Sqlite).await;
    let out = tokio::process::Command::new("node")
        .arg("introspect.mjs")
        .arg(format!("{}/graphql", t.base))
        .current_dir(&dir)
        .output()
        .await
        .expect("node");
    assert!(
        out.status.success(),
        "introspection refused: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    t.stop().await;
}
