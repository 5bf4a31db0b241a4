//! The core directory end to end: the viewer, cohorts, organizations, members.

use entity::cohort_staff::StaffRole;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid};
use serde_json::json;

#[tokio::test]
async fn anonymous_requests_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(None, "{ cohorts { nodes { name } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    let body = app.graphql(None, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_rejected_with_401() {
    let app = TestApp::spawn().await;
    let response = app
        .graphql_response(Some("plp_not-a-real-token"), "{ __typename }", json!({}))
        .await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_member_sees_their_organization_cohort_and_peers() {
    let app = TestApp::spawn().await;
    let (alice, token) = app.user("Alice", UserRole::User).await;
    let clinic = app.organization("Harbor Clinic").await;
    let peer = app.organization("Valley Clinic").await;
    let outsider = app.organization("Elsewhere Clinic").await;
    let cohort = app.cohort("bhi-2026").await;
    app.member(&clinic, &alice, MembershipRole::Member).await;
    app.enroll(&cohort, &clinic).await;
    app.enroll(&cohort, &peer).await;
    let _ = outsider;

    let body = app
        .graphql(
            Some(&token),
            "{ viewer { name memberships { nodes { role organization { name } } } }
               cohorts { totalCount nodes { slug enrollments { nodes { organization { name } } } } }
               organizations { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let data = &body["data"];
    assert_eq!(data["viewer"]["name"], "Alice");
    assert_eq!(
        data["viewer"]["memberships"]["nodes"][0]["organization"]["name"],
        "Harbor Clinic"
    );
    assert_eq!(data["cohorts"]["totalCount"], 1);
    assert_eq!(data["cohorts"]["nodes"][0]["slug"], "bhi-2026");
    let names: Vec<_> = data["organizations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Harbor Clinic", "Valley Clinic"]);
    assert_eq!(data["organizations"]["totalCount"], 2);
}

#[tokio::test]
async fn node_refetches_objects_by_global_id() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let cohort = app.cohort("bhi-2026").await;
    let (coach, _) = app.user("Coach", UserRole::User).await;
    let staff = app.staff(&cohort, &coach, StaffRole::Coach).await;
    let body = app
        .graphql(
            Some(&admin),
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on CohortStaff { role user { name } } ... on Cohort { slug } } }",
            json!({ "ids": [gid(NodeKind::Cohort, cohort.id), gid(NodeKind::CohortStaff, staff.id)] }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["nodes"][0]["slug"], "bhi-2026");
    assert_eq!(body["data"]["nodes"][1]["role"], "COACH");
    assert_eq!(body["data"]["nodes"][1]["user"]["name"], "Coach");
}

#[tokio::test]
async fn cohorts_are_found_by_slug() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    app.cohort("bhi-2026").await;
    let body = app
        .graphql(
            Some(&admin),
            r#"{ cohort(slug: "bhi-2026") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["cohort"]["name"], "Cohort bhi-2026");
    let body = app
        .graphql(
            Some(&admin),
            r#"{ cohort(slug: "nope") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn organizations_filter_by_name_and_cohort() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let cohort = app.cohort("bhi").await;
    let harbor = app.organization("Harbor Family Clinic").await;
    app.organization("Delta River Health").await;
    app.organization("100% Wellness_Center").await;
    app.enroll(&cohort, &harbor).await;
    let query = "query($filter: OrganizationFilter) { organizations(filter: $filter) { totalCount nodes { name } } }";
    let names = |body: serde_json::Value| -> Vec<String> {
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["organizations"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_name = app
        .graphql(
            Some(&admin),
            query,
            json!({ "filter": { "name": "  harbor " } }),
        )
        .await;
    assert_eq!(names(by_name), ["Harbor Family Clinic"]);
    let wildcard = app
        .graphql(Some(&admin), query, json!({ "filter": { "name": "%" } }))
        .await;
    assert_eq!(
        names(wildcard),
        ["100% Wellness_Center"],
        "LIKE wildcards are literal"
    );
    let by_cohort = app
        .graphql(
            Some(&admin),
            query,
            json!({ "filter": { "cohortId": gid(NodeKind::Cohort, cohort.id) } }),
        )
        .await;
    assert_eq!(names(by_cohort), ["Harbor Family Clinic"]);
    let wrong_type = app
        .graphql(
            Some(&admin),
            query,
            json!({ "filter": { "cohortId": gid(NodeKind::Organization, harbor.id) } }),
        )
        .await;
    assert_eq!(error_code(&wrong_type), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_member_cannot_filter_by_a_cohort_they_cannot_see() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Member", UserRole::User).await;
    let cohort = app.cohort("hidden").await;
    let body = app
        .graphql(
            Some(&token),
            "query($id: ID!) { organizations(filter: { cohortId: $id }) { nodes { name } } }",
            json!({ "id": gid(NodeKind::Cohort, cohort.id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn a_missing_object_nulls_only_its_own_field() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Member", UserRole::User).await;
    let hidden = app.organization("Hidden").await;
    let body = app
        .graphql(
            Some(&token),
            "query($id: ID!) { viewer { name } organization(id: $id) { name } node(id: $id) { id } }",
            json!({ "id": gid(NodeKind::Organization, hidden.id) }),
        )
        .await;
    assert_eq!(body["data"]["viewer"]["name"], "Member", "{body}");
    assert!(body["data"]["organization"].is_null());
    assert!(body["data"]["node"].is_null());
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["NOT_FOUND", "NOT_FOUND"]);
}
