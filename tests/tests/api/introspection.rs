//! The standard introspection query (GraphiQL, graphql-codegen, IDE plugins) works, and
//! production can keep anonymous callers from introspecting.

use peerlearn::config::Introspection;
use peerlearn_tests::{Options, TestApp};
use serde_json::json;

/// The introspection query of graphql-js (`getIntrospectionQuery`), which most tools send.
const INTROSPECTION: &str = "
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}";

#[tokio::test]
async fn the_standard_introspection_query_works() {
    let app = TestApp::spawn().await;
    let body = app.graphql(None, INTROSPECTION, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 50);
    // By default errors suggest fields, which the production setting turns off below.
    let body = app
        .graphql(None, "{ topicz { totalCount } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Did you mean"), "{body}");
}

#[tokio::test]
async fn production_keeps_anonymous_callers_from_introspecting() {
    let app = TestApp::spawn_with(Options {
        introspection: Introspection::SignedIn,
        ..Options::default()
    })
    .await;
    let body = app.graphql(None, INTROSPECTION, json!({})).await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    // No "did you mean" hints either.
    let body = app
        .graphql(None, "{ topicz { totalCount } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("Did you mean"), "{body}");
    // Public data still answers, and signed-in callers still introspect.
    let body = app
        .graphql(None, "{ topics { totalCount } }", json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, admin) = app.admin().await;
    let body = app.graphql(Some(&admin), INTROSPECTION, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}
