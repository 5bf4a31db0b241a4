//! The HTTP surface outside GraphQL execution: limits, methods, media types, health.

use entity::membership::MembershipRole;
use entity::user::UserRole;
use peerlearn_tests::{Options, TestApp, error_code};
use serde_json::{Value, json};

#[tokio::test]
async fn an_oversized_body_is_413_and_changes_nothing() {
    let app = TestApp::spawn_with(Options {
        max_body_bytes: 1024,
        ..Options::default()
    })
    .await;
    let (_, admin) = app.admin().await;
    let query =
        "mutation($input: CreateTopicInput!) { createTopic(input: $input) { topic { id } } }";
    let body = json!({
        "query": query,
        "variables": { "input": { "slug": "big", "name": "Big", "description": "x".repeat(4096) } },
    });
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));
    assert_eq!(app.count_rows("topic").await, 0);
}

#[tokio::test]
async fn a_mutation_over_get_is_405_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let response = app
        .client
        .get(app.graphql_url())
        .bearer_auth(&admin)
        .query(&[(
            "query",
            r#"mutation { createTopic(input: { slug: "get", name: "Get" }) { topic { id } } }"#,
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(app.count_rows("topic").await, 0);
}

#[tokio::test]
async fn queries_run_over_get() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Reader", UserRole::User).await;
    app.topic("billing").await;
    let response = app
        .client
        .get(app.graphql_url())
        .bearer_auth(&token)
        .query(&[("query", "{ topics { nodes { slug } } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["topics"]["nodes"][0]["slug"], "billing");
}

#[tokio::test]
async fn a_form_content_type_is_415_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"query=mutation{createTopic(input:{slug:"form",name:"Form"}){topic{id}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(app.count_rows("topic").await, 0);
}

#[tokio::test]
async fn requests_that_cannot_execute_are_400_without_data() {
    let app = TestApp::spawn().await;
    for query in ["{ topics { ", "{ noSuchField }"] {
        let response = app.graphql_response(None, query, json!({})).await;
        assert_eq!(response.status(), 400, "{query}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/graphql-response+json")
        );
        let body: Value = response.json().await.unwrap();
        assert!(body.get("data").is_none(), "{body}");
        assert!(body["errors"][0]["message"].is_string());
    }
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app
        .graphql_response(None, "{ __typename }", json!({}))
        .await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!generated.is_empty());
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn internal_errors_do_not_leak_sql() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Reader", UserRole::User).await;
    // Break the table behind `topics` so the query fails inside the database.
    sea_orm::ConnectionTrait::execute_unprepared(&app.db, "ALTER TABLE topic RENAME TO topic_gone")
        .await
        .unwrap();
    let body = app
        .graphql(Some(&token), "{ topics { nodes { slug } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    let text = body.to_string().to_lowercase();
    for leak in ["select", "topic\"", "no such table", "relation", "sql"] {
        assert!(!text.contains(leak), "response leaks `{leak}`: {body}");
    }
}

#[tokio::test]
async fn an_unreachable_database_fails_within_seconds() {
    // Port 9 (discard) has no PostgreSQL server; the acquire timeout bounds the wait.
    let mut args = peerlearn_tests::database_args("postgres://postgres@127.0.0.1:9/none");
    args.database_acquire_timeout = 1;
    let started = std::time::Instant::now();
    let result = peerlearn::db::connect(&args).await;
    assert!(result.is_err());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn response_fields_come_in_query_order() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Reader", UserRole::User).await;
    app.topic("billing").await;
    let keys =
        |value: &Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
    let forward = app
        .graphql(
            Some(&token),
            "{ viewer { name id } topics { totalCount nodes { slug name } } cohorts { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(keys(&forward["data"]), ["viewer", "topics", "cohorts"]);
    assert_eq!(keys(&forward["data"]["viewer"]), ["name", "id"]);
    assert_eq!(keys(&forward["data"]["topics"]), ["totalCount", "nodes"]);
    assert_eq!(
        keys(&forward["data"]["topics"]["nodes"][0]),
        ["slug", "name"]
    );

    let backward = app
        .graphql(
            Some(&token),
            "{ cohorts { totalCount } topics { nodes { ...T } totalCount } viewer { id name } }
             fragment T on Topic { name slug }",
            json!({}),
        )
        .await;
    assert_eq!(keys(&backward["data"]), ["cohorts", "topics", "viewer"]);
    assert_eq!(keys(&backward["data"]["viewer"]), ["id", "name"]);
    assert_eq!(keys(&backward["data"]["topics"]), ["nodes", "totalCount"]);
    assert_eq!(
        keys(&backward["data"]["topics"]["nodes"][0]),
        ["name", "slug"]
    );
}

#[tokio::test]
async fn list_items_resolve_fragments_typenames_directives_repeated_keys_and_errors() {
    let app = TestApp::spawn().await;
    let (admin_user, admin) = app.admin().await;
    let organization = app.organization("Clinic One").await;
    app.member(&organization, &admin_user, MembershipRole::Lead)
        .await;
    let keys =
        |value: &Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };

    let body = app
        .graphql(
            Some(&admin),
            "{ organizations(first: 5) { nodes {
                 __typename
                 ... on Node { id }
                 ...O
                 name
                 members(first: 5) { nodes { user { name } } }
                 members(first: 5) { nodes { role user { id } } }
                 label: name
                 skipped: name @skip(if: true)
                 kept: name @include(if: true)
               } } }
             fragment O on Organization { kind }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let node = &body["data"]["organizations"]["nodes"][0];
    assert_eq!(
        keys(node),
        [
            "__typename",
            "id",
            "kind",
            "name",
            "members",
            "label",
            "kept"
        ]
    );
    assert_eq!(node["__typename"], "Organization");
    assert_eq!(node["kind"], "CLINIC");
    assert_eq!(node["label"], "Clinic One");
    let member = &node["members"]["nodes"][0];
    assert_eq!(keys(member), ["user", "role"]);
    assert_eq!(keys(&member["user"]), ["name", "id"]);
    assert_eq!(member["user"]["name"], "Ada Admin");

    // A field that fails leaves its siblings in place and names its own path.
    let body = app
        .graphql(
            Some(&admin),
            "{ organizations(first: 5) { nodes { name members(first: 500) { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["organizations", "nodes", 0, "members"])
    );
    assert_eq!(
        body["data"]["organizations"]["nodes"][0]["name"],
        "Clinic One"
    );
}

/// A CORS preflight for a POST from `origin` that will send `headers`.
async fn preflight(app: &TestApp, origin: &str, headers: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.graphql_url())
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_admits_only_configured_origins() {
    let app = TestApp::spawn_with(Options {
        auth: peerlearn::auth::settings::AuthSettings {
            cors_origins: vec!["https://app.example.org".to_owned()],
            ..Default::default()
        },
        ..Options::default()
    })
    .await;
    let preflight = |origin| preflight(&app, origin, "content-type, x-requested-with");
    let allowed = preflight("https://app.example.org").await;
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );

    let refused = preflight("https://evil.example.com").await;
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "{:?}",
        refused.headers()
    );

    // A cross-site page gets no CORS grant, so its script cannot read the answer.
    let response = app
        .client
        .post(app.graphql_url())
        .header("origin", "https://evil.example.com")
        .header("content-type", "application/json")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn cors_admits_subdomain_wildcards_and_any_request_header() {
    let app = TestApp::spawn_with(Options {
        auth: peerlearn::auth::settings::AuthSettings {
            cors_origins: vec!["https://*.example.org".to_owned()],
            ..Default::default()
        },
        ..Options::default()
    })
    .await;
    let preflight = |origin| {
        preflight(
            &app,
            origin,
            "content-type, traceparent, sentry-trace, apollographql-client-name",
        )
    };
    let allowed = preflight("https://app.example.org").await;
    assert!(allowed.status().is_success(), "{allowed:?}");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in ["traceparent", "sentry-trace", "apollographql-client-name"] {
        assert!(headers.contains(header), "{headers}");
    }
    for refused in ["https://example.org", "https://app.example.org.evil.com"] {
        let response = preflight(refused).await;
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{refused}: {:?}",
            response.headers()
        );
    }
}

/// Lowercase hex SHA-256, as clients compute persisted query hashes.
fn sha256(text: &str) -> String {
    peerlearn::auth::token::hash(text)
}

#[tokio::test]
async fn automatic_persisted_queries_register_and_replay_over_post_and_get() {
    let app = TestApp::spawn().await;
    let query = "{ topics { totalCount } }";
    let hash = sha256(query);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let post = |body: Value| {
        app.client
            .post(app.graphql_url())
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .json(&body)
            .send()
    };

    // Unknown hash: the answer that makes clients send the text.
    let response = post(json!({ "extensions": extensions })).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        error_code(&body),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    // Text and hash: runs and registers.
    let body: Value = post(json!({ "query": query, "extensions": extensions }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["topics"]["totalCount"], 0, "{body}");

    // The hash alone now runs, over POST and over GET.
    let body: Value = post(json!({ "extensions": extensions }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["topics"]["totalCount"], 0, "{body}");
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["topics"]["totalCount"], 0, "{body}");

    // A text that does not match its hash is refused.
    let response = post(json!({ "query": "{ __typename }", "extensions": extensions }))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_persisted_mutation_is_still_refused_over_get() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Scripter", UserRole::User).await;
    let mutation = "mutation { createPersonalAccessToken(input: { name: \"x\" }) { token } }";
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(mutation) } });
    let body = app.graphql(Some(&token), mutation, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    // Register it over POST with the text, then try the hash alone over GET.
    app.client
        .post(app.graphql_url())
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .json(&json!({ "query": mutation, "extensions": extensions }))
        .send()
        .await
        .unwrap();
    let tokens = app.count_rows("access_token").await;
    let response = app
        .client
        .get(app.graphql_url())
        .bearer_auth(&token)
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(app.count_rows("access_token").await, tokens);
}

#[tokio::test]
async fn a_batch_is_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.graphql_url())
        .header("content-type", "application/json")
        .json(&json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("batched requests"), "{body}");
}
