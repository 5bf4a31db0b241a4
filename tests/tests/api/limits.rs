//! Requests that would make the server do unbounded work are refused before they run.

use std::time::{Duration, Instant};

use entity::user::UserRole;
use peerlearn_tests::{TestApp, error_code};
use serde_json::json;

/// A document whose first fragment expands to 2^`depth` fields: about 1.3 KB at depth 30.
fn fragment_bomb(depth: usize) -> String {
    let mut query = String::from("query Bomb { ...F0 }");
    for i in 0..depth {
        query.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    query.push_str(&format!(" fragment F{depth} on Query {{ __typename }}"));
    query
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once_without_signing_in() {
    let app = TestApp::spawn().await;
    let query = fragment_bomb(30);
    assert!(query.len() < 1_500);
    let started = Instant::now();
    let response = app.graphql_response(None, &query, json!({})).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    assert!(body.get("data").is_none());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    // The server still answers others.
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn thousands_of_aliases_are_refused() {
    let app = TestApp::spawn().await;
    let (_, token) = app.admin().await;
    // Each alias would cost a count statement.
    let aliases: String = (0..1_100)
        .map(|i| format!(" c{i}: cohorts {{ totalCount }}"))
        .collect();
    let before = app.statements.get();
    let body = app
        .graphql(Some(&token), &format!("{{{aliases} }}"), json!({}))
        .await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    // Only authentication ran.
    assert!(app.statements.get() - before <= 4);
}

#[tokio::test]
async fn a_list_has_at_most_ten_aliases_in_one_selection() {
    let app = TestApp::spawn().await;
    let (_, token) = app.admin().await;
    let query = |n: usize| -> String {
        let aliases: String = (0..n)
            .map(|i| format!(" c{i}: cohorts(first: {}) {{ totalCount }}", i + 1))
            .collect();
        format!("{{{aliases} }}")
    };
    let body = app.graphql(Some(&token), &query(10), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let before = app.statements.get();
    let body = app.graphql(Some(&token), &query(11), json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    assert!(
        app.statements.get() - before <= 2,
        "only authentication ran"
    );
}

#[tokio::test]
async fn one_request_runs_at_most_ten_mutations() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Scripter", UserRole::User).await;
    let mutation = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|i| {
                format!(" t{i}: createPersonalAccessToken(input: {{ name: \"t{i}\" }}) {{ token }}")
            })
            .collect();
        format!("mutation {{{fields} }}")
    };
    let tokens = app.count_rows("access_token").await;
    let body = app.graphql(Some(&token), &mutation(11), json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    assert_eq!(app.count_rows("access_token").await, tokens);
    let body = app.graphql(Some(&token), &mutation(10), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(app.count_rows("access_token").await, tokens + 10);
}

#[tokio::test]
async fn a_response_lists_at_most_fifty_errors() {
    let app = TestApp::spawn().await;
    let (_, token) = app.admin().await;
    let unknown: String = (0..120).map(|i| format!(" nope{i}")).collect();
    let body = app
        .graphql(Some(&token), &format!("{{{unknown} }}"), json!({}))
        .await;
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(50), "{body}");
    assert_eq!(body["extensions"]["omittedErrors"], 70);
}

#[tokio::test]
async fn a_missing_required_variable_is_a_request_error_with_a_code() {
    let app = TestApp::spawn().await;
    let (_, token) = app.admin().await;
    for variables in [json!({}), json!({ "id": null })] {
        let response = app
            .graphql_response(
                Some(&token),
                "query($id: ID!) { node(id: $id) { id } }",
                variables,
            )
            .await;
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            error_code(&body),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let app = TestApp::spawn_with(peerlearn_tests::Options {
        body_read_timeout: Duration::from_secs(1),
        ..peerlearn_tests::Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"query\"",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
