//! GraphiQL at `/graphiql`: a page that loads only files served by this server, under a
//! content security policy that allows nothing else; absent when turned off.

use peerlearn_tests::{Options, TestApp};
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};

/// The values of every `name="..."` attribute in `html`.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!(" {name}=\"");
    html.split(marker.as_str())
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect()
}

/// The scripts and style sheets `/graphiql` loads.
async fn page_assets(app: &TestApp) -> Vec<String> {
    let html = app.get("/graphiql").await.text().await.unwrap();
    attribute_values(&html, "src")
        .into_iter()
        .chain(attribute_values(&html, "href"))
        .filter(|url| !url.starts_with("data:"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn graphiql_is_a_page_under_a_same_origin_content_security_policy() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphiql").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
    assert!(directives.contains(&"default-src 'self'"), "{policy}");
    assert!(directives.contains(&"script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"), "{policy}");

    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Peer learning API</title>"), "{html}");
    assert!(html.contains("data-endpoint=\"/graphql\""), "{html}");
    let scripts = attribute_values(&html, "src");
    assert_eq!(
        scripts.len(),
        4,
        "React, ReactDOM, GraphiQL and its start: {html}"
    );
    // Every script is a file: none is inline, so `script-src 'self'` lets them all run.
    assert_eq!(html.matches("<script").count(), scripts.len(), "{html}");
    assert!(!html.contains("<style"), "{html}");
    for url in scripts.iter().chain(&attribute_values(&html, "href")) {
        assert!(
            url.starts_with("/graphiql/assets/") || *url == "data:,",
            "{url} is not one of this server's assets"
        );
    }
}

#[tokio::test]
async fn every_asset_of_graphiql_is_served_with_its_content_type_for_good() {
    let app = TestApp::spawn().await;
    let assets = page_assets(&app).await;
    assert_eq!(assets.len(), 6, "{assets:?}");
    for url in assets {
        let response = app.get(&url).await;
        assert_eq!(response.status(), 200, "{url}");
        let expected = if url.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            assert!(url.ends_with(".css"), "{url}");
            "text/css; charset=utf-8"
        };
        assert_eq!(response.headers()[CONTENT_TYPE], expected, "{url}");
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert!(!response.bytes().await.unwrap().is_empty(), "{url}");
    }
}

#[tokio::test]
async fn an_unknown_graphiql_asset_is_not_found() {
    let app = TestApp::spawn().await;
    for path in [
        "/graphiql/assets/graphiql-3.9.0/graphiql.js",
        "/graphiql/assets/graphiql-3.9.0/README.md",
        "/graphiql/assets/",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn graphiql_and_its_assets_are_absent_when_turned_off() {
    let on = TestApp::spawn().await;
    let assets = page_assets(&on).await;
    let off = TestApp::spawn_with(Options {
        graphiql: false,
        ..Options::default()
    })
    .await;
    for path in std::iter::once("/graphiql").chain(assets.iter().map(String::as_str)) {
        let response = off.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    // The rest of the server is there.
    let health = off.get("/healthz").await;
    assert_eq!(health.status(), 200);
}
