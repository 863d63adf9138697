//! Access control: tokens with roles, refused requests with codes and HTTP statuses, revocation,
//! and the editor's delete and rename reaching the database and the index.

use std::time::Duration;

use planarkiv_ingest::tokens;
use planarkiv_tests::{sample, Backend, TestApp};
use serde_json::{json, Value};

const PDF: &str = "strategi-helsefelleskap-innlandet-2022-2026.pdf";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_read_editors_write_and_strangers_get_nothing() {
    for backend in Backend::all() {
        let t = TestApp::start_with(&backend, |c| c.anonymous_role = None).await;
        let db = &t.app().state.db;
        let (reader, _) = tokens::create(db, "frontend", "reader")
            .await
            .expect("token");
        let (editor, _) = tokens::create(db, "secretariat", "editor")
            .await
            .expect("token");
        let (revoked, row) = tokens::create(db, "old", "admin").await.expect("token");
        assert!(tokens::revoke(db, row.id).await.expect("revoke"));
        let list = "{ documents { totalCount } }";

        // No token, anonymous access off.
        let (status, body) = t.gql(list, json!({})).await;
        assert_eq!(
            (status, code(&body)),
            (401, "UNAUTHENTICATED"),
            "{backend:?}: {body}"
        );
        // A wrong or revoked token is refused, not treated as anonymous.
        let (status, body) = t.gql_as(Some("pka_nonsense"), list, json!({})).await;
        assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
        let (status, _) = t.gql_as(Some(&revoked), list, json!({})).await;
        assert_eq!(status, 401);

        // A reader reads…
        let (status, body) = t.gql_as(Some(&reader), list, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["documents"]["totalCount"], 0);
        // …but cannot upload, edit or delete.
        let (status, body) = t.upload_as(Some(&reader), PDF, sample(PDF)).await;
        assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");

        let (status, body) = t.upload_as(Some(&editor), PDF, sample(PDF)).await;
        assert_eq!(status, 200, "{body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (_, b) = t
                .gql_as(
                    Some(&reader),
                    "query($id: ID!) { document(id: $id) { status } }",
                    json!({ "id": id }),
                )
                .await;
            if b["data"]["document"]["status"] == "INDEXED" {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{b}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let rename =
            "mutation($id: ID!, $t: String!) { updateDocument(id: $id, title: $t) { title } }";
        let (status, body) = t
            .gql_as(Some(&reader), rename, json!({ "id": id, "t": "X" }))
            .await;
        assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");
        let delete = "mutation($id: ID!) { deleteDocument(id: $id) }";
        let (status, body) = t.gql_as(Some(&reader), delete, json!({ "id": id })).await;
        assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");

        // The editor renames and deletes; the index follows.
        let (_, body) = t
            .gql_as(
                Some(&editor),
                rename,
                json!({ "id": id, "t": "Strategi 2022–2026" }),
            )
            .await;
        assert_eq!(
            body["data"]["updateDocument"]["title"], "Strategi 2022–2026",
            "{body}"
        );
        let search =
            "{ search(query: \"oppgaveforflytting\", filter: { hitType: [PAGE] }) { totalCount } }";
        let (_, body) = t.gql_as(Some(&reader), search, json!({})).await;
        assert_eq!(body["data"]["search"]["totalCount"], 1, "{body}");
        let (_, body) = t.gql_as(Some(&editor), delete, json!({ "id": id })).await;
        assert_eq!(body["data"]["deleteDocument"], id.as_str(), "{body}");
        let (_, body) = t.gql_as(Some(&editor), delete, json!({ "id": id })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{body}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (_, body) = t.gql_as(Some(&reader), search, json!({})).await;
            if body["data"]["search"]["totalCount"] == 0 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "deleted pages stay searchable: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let blobs = t.dir.path().join("data/blobs");
        let stored = std::fs::read_dir(&blobs)
            .expect("blobs")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != "tmp")
            .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten())
            .count();
        assert_eq!(stored, 0, "the stored file is removed with the document");
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_tokens_through_the_api() {
    let t = TestApp::start_with(&Backend::Sqlite, |c| c.anonymous_role = None).await;
    let db = &t.app().state.db;
    let (admin, _) = tokens::create(db, "ops", "admin").await.expect("token");
    let (editor, _) = tokens::create(db, "secretariat", "editor")
        .await
        .expect("token");
    let create = "mutation($n: String!) { createApiToken(name: $n, role: READER) { token apiToken { id name role revokedAt } } }";

    let (status, body) = t.gql_as(Some(&editor), create, json!({ "n": "x" })).await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body}");

    let (status, body) = t
        .gql_as(Some(&admin), create, json!({ "n": "frontend" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let created = &body["data"]["createApiToken"];
    let token = created["token"].as_str().expect("token").to_owned();
    let id = created["apiToken"]["id"].as_str().expect("id").to_owned();
    assert_eq!(created["apiToken"]["role"], "READER");

    let (status, _) = t
        .gql_as(Some(&token), "{ documents { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 200);
    let (_, list) = t
        .gql_as(Some(&admin), "{ apiTokens { id name role } }", json!({}))
        .await;
    // A token is a Node for admins, and refused to anyone else.
    let token_id = &list["data"]["apiTokens"][0]["id"];
    let node = "query($id: ID!) { node(id: $id) { __typename ... on ApiToken { role name } } }";
    let (_, body) = t
        .gql_as(Some(&admin), node, json!({ "id": token_id }))
        .await;
    assert_eq!(body["data"]["node"]["__typename"], "ApiToken", "{body}");
    assert_eq!(body["data"]["node"]["role"], "ADMIN", "{body}");
    let (_, body) = t
        .gql_as(Some(&token), node, json!({ "id": token_id }))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let names: Vec<&str> = list["data"]["apiTokens"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["ops", "secretariat", "frontend"], "{list}");
    assert!(
        !list.to_string().contains(&token),
        "secrets are never listed"
    );

    let revoke = "mutation($id: ID!) { revokeApiToken(id: $id) }";
    let (_, body) = t.gql_as(Some(&admin), revoke, json!({ "id": id })).await;
    assert_eq!(body["data"]["revokeApiToken"], true, "{body}");
    let (status, _) = t
        .gql_as(Some(&token), "{ documents { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 401);
    let (_, body) = t.gql_as(Some(&admin), revoke, json!({ "id": id })).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    t.stop().await;
}
