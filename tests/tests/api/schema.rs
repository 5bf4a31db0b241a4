//! The checked-in schema is the contract.

use std::path::Path;

use serde_json::Value;

#[test]
fn checked_in_schema_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let checked_in = std::fs::read_to_string(&path).expect("read schema.graphql");
    let generated = peerlearn::graphql::sdl();
    assert!(
        checked_in == generated,
        "schema.graphql is out of date; regenerate it with:\n  cargo run -- schema > schema.graphql"
    );
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_documented() {
    let schema = peerlearn::graphql::schema_builder().finish();
    let response = schema
        .execute(
            "{ __schema { types { name description
                fields { name description args { name description } }
                inputFields { name description }
                enumValues { name description } } } }",
        )
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().expect("introspection as JSON");
    let built_in = ["String", "Int", "Float", "Boolean", "ID"];
    let documented = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    let mut missing = Vec::new();
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || built_in.contains(&name) {
            continue;
        }
        if !documented(ty) {
            missing.push(name.to_owned());
        }
        for member in ["fields", "inputFields", "enumValues"] {
            for field in ty[member].as_array().into_iter().flatten() {
                let field_name = format!("{name}.{}", field["name"].as_str().unwrap_or_default());
                if !documented(field) {
                    missing.push(field_name.clone());
                }
                for arg in field["args"].as_array().into_iter().flatten() {
                    if !documented(arg) {
                        missing.push(format!("{field_name}({})", arg["name"]));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented schema elements: {missing:#?}"
    );
}
