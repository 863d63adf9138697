//! The checked-in SDL is the API's contract with frontends: any change to the schema must come
//! with a change to `api/schema.graphql`, reviewed like code. Regenerate it with
//! `UPDATE_SCHEMA=1 cargo test -p planarkiv-api --test schema`.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let current = planarkiv_api::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "api/schema.graphql is out of date; run UPDATE_SCHEMA=1 cargo test -p planarkiv-api --test schema and review the diff"
    );
}
