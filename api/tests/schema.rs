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

/// Every type, field, argument, input field and enum value a frontend sees says what it is.
/// Generated connection plumbing (`…Connection`, `…Edge`, `PageInfo`) and built-ins are exempt.
#[tokio::test]
async fn every_type_and_field_is_described() {
    let schema = planarkiv_api::graphql::build_schema(None);
    let q = r#"{ __schema { types {
        name kind description
        fields(includeDeprecated: true) { name description args { name description } }
        inputFields { name description }
        enumValues(includeDeprecated: true) { name description }
    } } }"#;
    let resp = schema.execute(q).await;
    assert!(resp.errors.is_empty(), "{:?}", resp.errors);
    let data = resp.data.into_json().expect("json");
    let builtin = [
        "String", "Int", "Float", "Boolean", "ID", "PageInfo", "DateTime", "Upload",
    ];
    let empty = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    let mut missing = Vec::new();
    for t in data["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().unwrap_or("");
        if name.starts_with("__")
            || builtin.contains(&name)
            || name.ends_with("Connection")
            || name.ends_with("Edge")
        {
            continue;
        }
        if empty(&t["description"]) {
            missing.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let fname = f["name"].as_str().unwrap_or("");
            if empty(&f["description"]) {
                missing.push(format!("{name}.{fname}"));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                let aname = a["name"].as_str().unwrap_or("");
                // Paging arguments are the same everywhere and documented by Relay.
                if aname != "after" && aname != "id" && empty(&a["description"]) {
                    missing.push(format!("{name}.{fname}({aname})"));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if empty(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"].as_str().unwrap_or("")));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if empty(&v["description"]) {
                missing.push(format!("{name}::{}", v["name"].as_str().unwrap_or("")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} undocumented: {missing:#?}",
        missing.len()
    );
}
