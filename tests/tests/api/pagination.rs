//! Keyset pagination: forward, backward, stable under inserts, bounded.

use entity::user::UserRole;
use peerlearn_tests::{TestApp, error_code};
use serde_json::{Value, json};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    topics(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges { cursor node { slug } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

fn slugs(body: &Value) -> Vec<String> {
    body["data"]["topics"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {body}"))
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn app_with_topics(n: usize) -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let (_, token) = app.user("Reader", UserRole::User).await;
    for i in 0..n {
        app.topic(&format!("topic-{i:02}")).await;
    }
    (app, token)
}

#[tokio::test]
async fn pages_forward_to_the_end() {
    let (app, token) = app_with_topics(5).await;
    let first = app.graphql(Some(&token), PAGE, json!({ "first": 2 })).await;
    assert_eq!(slugs(&first), ["topic-00", "topic-01"]);
    assert_eq!(first["data"]["topics"]["totalCount"], 5);
    assert_eq!(first["data"]["topics"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        first["data"]["topics"]["pageInfo"]["hasPreviousPage"],
        false
    );

    let cursor = first["data"]["topics"]["pageInfo"]["endCursor"].clone();
    let second = app
        .graphql(Some(&token), PAGE, json!({ "first": 2, "after": cursor }))
        .await;
    assert_eq!(slugs(&second), ["topic-02", "topic-03"]);
    assert_eq!(
        second["data"]["topics"]["pageInfo"]["hasPreviousPage"],
        true
    );
    // The total is the whole list's, not what lies past the cursor.
    assert_eq!(second["data"]["topics"]["totalCount"], 5);

    let cursor = second["data"]["topics"]["pageInfo"]["endCursor"].clone();
    let last = app
        .graphql(Some(&token), PAGE, json!({ "first": 2, "after": cursor }))
        .await;
    assert_eq!(slugs(&last), ["topic-04"]);
    assert_eq!(last["data"]["topics"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn pages_backward_from_the_end() {
    let (app, token) = app_with_topics(5).await;
    let last = app.graphql(Some(&token), PAGE, json!({ "last": 2 })).await;
    assert_eq!(slugs(&last), ["topic-03", "topic-04"]);
    assert_eq!(last["data"]["topics"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(last["data"]["topics"]["pageInfo"]["hasNextPage"], false);

    let cursor = last["data"]["topics"]["pageInfo"]["startCursor"].clone();
    let before = app
        .graphql(Some(&token), PAGE, json!({ "last": 2, "before": cursor }))
        .await;
    assert_eq!(slugs(&before), ["topic-01", "topic-02"]);
    assert_eq!(before["data"]["topics"]["pageInfo"]["hasNextPage"], true);

    let cursor = before["data"]["topics"]["pageInfo"]["startCursor"].clone();
    let start = app
        .graphql(Some(&token), PAGE, json!({ "last": 5, "before": cursor }))
        .await;
    assert_eq!(slugs(&start), ["topic-00"]);
    assert_eq!(
        start["data"]["topics"]["pageInfo"]["hasPreviousPage"],
        false
    );
}

#[tokio::test]
async fn cursors_stay_valid_when_rows_are_inserted() {
    let (app, token) = app_with_topics(4).await;
    let first = app.graphql(Some(&token), PAGE, json!({ "first": 2 })).await;
    let cursor = first["data"]["topics"]["pageInfo"]["endCursor"].clone();
    app.topic("topic-new").await;
    let second = app
        .graphql(Some(&token), PAGE, json!({ "first": 10, "after": cursor }))
        .await;
    assert_eq!(slugs(&second), ["topic-02", "topic-03", "topic-new"]);
}

#[tokio::test]
async fn page_sizes_and_cursors_are_validated() {
    let (app, token) = app_with_topics(1).await;
    for variables in [
        json!({ "first": 0 }),
        json!({ "first": 101 }),
        json!({ "last": -1 }),
        json!({ "first": 1, "last": 1 }),
        json!({ "after": "not a cursor" }),
    ] {
        let body = app.graphql(Some(&token), PAGE, variables.clone()).await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{variables}: {body}"
        );
    }
    let body = app
        .graphql(Some(&token), PAGE, json!({ "first": 100 }))
        .await;
    assert_eq!(slugs(&body).len(), 1);
    let body = app.graphql(Some(&token), PAGE, json!({})).await;
    assert_eq!(slugs(&body).len(), 1, "the default page applies");
}

#[tokio::test]
async fn nested_connections_page_each_parent_independently() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let cohort = app.cohort("bhi").await;
    for i in 0..3 {
        let org = app.organization(&format!("Org {i}")).await;
        app.enroll(&cohort, &org).await;
        for j in 0..=i {
            let (user, _) = app.user(&format!("Member {i}-{j}"), UserRole::User).await;
            app.member(&org, &user, entity::membership::MembershipRole::Member)
                .await;
        }
    }
    let body = app
        .graphql(
            Some(&admin),
            "{ organizations { nodes { name members(first: 2) { totalCount pageInfo { hasNextPage } nodes { user { name } } } } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let orgs = body["data"]["organizations"]["nodes"].as_array().unwrap();
    let shape: Vec<(u64, usize, bool)> = orgs
        .iter()
        .map(|o| {
            let m = &o["members"];
            (
                m["totalCount"].as_u64().unwrap(),
                m["nodes"].as_array().unwrap().len(),
                m["pageInfo"]["hasNextPage"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(shape, [(1, 1, false), (2, 2, false), (3, 2, true)]);
    assert_eq!(orgs[2]["members"]["nodes"][1]["user"]["name"], "Member 2-1");
}

#[tokio::test]
async fn enrollments_filter_by_status_and_count_accordingly() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let cohort = app.cohort("bhi").await;
    for (i, withdrawn) in [false, true, false].into_iter().enumerate() {
        let org = app.organization(&format!("Org {i}")).await;
        let enrollment = app.enroll(&cohort, &org).await;
        if withdrawn {
            let mut model: entity::enrollment::ActiveModel = enrollment.into();
            model.status = sea_orm::Set(entity::enrollment::EnrollmentStatus::Withdrawn);
            sea_orm::ActiveModelTrait::update(model, &app.db)
                .await
                .unwrap();
        }
    }
    let body = app
        .graphql(
            Some(&admin),
            r#"{ cohort(slug: "bhi") {
                all: enrollments { totalCount nodes { organization { name } } }
                active: enrollments(status: ACTIVE) { totalCount nodes { organization { name } } }
                withdrawn: enrollments(status: WITHDRAWN) { totalCount nodes { status organization { name enrollments(status: WITHDRAWN) { totalCount } } } }
            } }"#,
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let cohort = &body["data"]["cohort"];
    assert_eq!(cohort["all"]["totalCount"], 3);
    assert_eq!(cohort["active"]["totalCount"], 2);
    let active: Vec<_> = cohort["active"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["Org 0", "Org 2"]);
    assert_eq!(cohort["withdrawn"]["totalCount"], 1);
    let withdrawn = &cohort["withdrawn"]["nodes"][0];
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    assert_eq!(withdrawn["organization"]["name"], "Org 1");
    assert_eq!(withdrawn["organization"]["enrollments"]["totalCount"], 1);
}

#[tokio::test]
async fn nested_connections_page_backward_too() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let org = app.organization("Clinic").await;
    for i in 0..5 {
        let (user, _) = app.user(&format!("Member {i}"), UserRole::User).await;
        app.member(&org, &user, entity::membership::MembershipRole::Member)
            .await;
    }
    let query = "query($last: Int, $before: String) { organizations { nodes {
        members(last: $last, before: $before) {
            totalCount
            pageInfo { hasPreviousPage hasNextPage startCursor }
            nodes { user { name } }
        } } } }";
    let names = |body: &Value| -> Vec<String> {
        body["data"]["organizations"]["nodes"][0]["members"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("no members in {body}"))
            .iter()
            .map(|m| m["user"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let last = app.graphql(Some(&admin), query, json!({ "last": 2 })).await;
    assert_eq!(names(&last), ["Member 3", "Member 4"]);
    let members = &last["data"]["organizations"]["nodes"][0]["members"];
    assert_eq!(members["pageInfo"]["hasPreviousPage"], true);
    let cursor = members["pageInfo"]["startCursor"].clone();
    let before = app
        .graphql(Some(&admin), query, json!({ "last": 10, "before": cursor }))
        .await;
    assert_eq!(names(&before), ["Member 0", "Member 1", "Member 2"]);
    assert_eq!(
        before["data"]["organizations"]["nodes"][0]["members"]["pageInfo"]["hasPreviousPage"],
        false
    );
    // Counted with the page or on its own (past a cursor), the total is the whole list's.
    assert_eq!(members["totalCount"], 5);
    assert_eq!(
        before["data"]["organizations"]["nodes"][0]["members"]["totalCount"],
        5
    );
}

const BY_NAME: &str = "query($first: Int, $after: String, $last: Int, $before: String, $direction: OrderDirection!) {
    organizations(first: $first, after: $after, last: $last, before: $before, orderBy: { field: NAME, direction: $direction }) {
        edges { cursor node { name } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

fn names(body: &Value) -> Vec<String> {
    body["data"]["organizations"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {body}"))
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

/// An admin and organizations named out of creation order, two of them alike so that the key
/// breaks the tie.
async fn app_with_named_organizations() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    for name in ["Delta", "Alpha", "Echo", "Bravo", "Charlie", "Bravo"] {
        app.organization(name).await;
    }
    (app, admin)
}

#[tokio::test]
async fn an_ordered_list_pages_forward_and_backward_in_both_directions() {
    let (app, admin) = app_with_named_organizations().await;
    for (direction, all) in [
        (
            "ASC",
            ["Alpha", "Bravo", "Bravo", "Charlie", "Delta", "Echo"],
        ),
        (
            "DESC",
            ["Echo", "Delta", "Charlie", "Bravo", "Bravo", "Alpha"],
        ),
    ] {
        // Forward, two at a time.
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let body = app
                .graphql(
                    Some(&admin),
                    BY_NAME,
                    json!({ "first": 2, "after": after, "direction": direction }),
                )
                .await;
            seen.extend(names(&body));
            let info = &body["data"]["organizations"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].clone();
        }
        assert_eq!(seen, all, "forward {direction}");

        // Backward, two at a time.
        let mut seen = Vec::new();
        let mut before = Value::Null;
        loop {
            let body = app
                .graphql(
                    Some(&admin),
                    BY_NAME,
                    json!({ "last": 2, "before": before, "direction": direction }),
                )
                .await;
            let mut page = names(&body);
            page.extend(seen);
            seen = page;
            let info = &body["data"]["organizations"]["pageInfo"];
            if info["hasPreviousPage"] != true {
                break;
            }
            before = info["startCursor"].clone();
        }
        assert_eq!(seen, all, "backward {direction}");
    }
}

#[tokio::test]
async fn an_ordered_page_is_stable_while_rows_are_added() {
    let (app, admin) = app_with_named_organizations().await;
    let first = app
        .graphql(
            Some(&admin),
            BY_NAME,
            json!({ "first": 3, "direction": "ASC" }),
        )
        .await;
    assert_eq!(names(&first), ["Alpha", "Bravo", "Bravo"]);
    // Rows that sort before, at and after the cursor arrive between the two pages.
    for name in ["Aardvark", "Bravo", "Zulu"] {
        app.organization(name).await;
    }
    let cursor = first["data"]["organizations"]["pageInfo"]["endCursor"].clone();
    let second = app
        .graphql(
            Some(&admin),
            BY_NAME,
            json!({ "first": 10, "after": cursor, "direction": "ASC" }),
        )
        .await;
    // The new Bravo was created last, so its key sorts after both older ones.
    assert_eq!(
        names(&second),
        ["Bravo", "Charlie", "Delta", "Echo", "Zulu"]
    );
}

#[tokio::test]
async fn a_cursor_of_another_order_is_refused() {
    let (app, admin) = app_with_named_organizations().await;
    let by_name = app
        .graphql(
            Some(&admin),
            BY_NAME,
            json!({ "first": 1, "direction": "ASC" }),
        )
        .await;
    let cursor = by_name["data"]["organizations"]["pageInfo"]["endCursor"].clone();
    for (query, variables) in [
        (
            BY_NAME,
            json!({ "first": 1, "after": cursor, "direction": "DESC" }),
        ),
        (
            "query($after: String) { organizations(first: 1, after: $after) { totalCount } }",
            json!({ "after": cursor }),
        ),
        (
            "query($after: String) { cohorts(first: 1, after: $after, orderBy: { field: CREATED_AT }) { totalCount } }",
            json!({ "after": cursor }),
        ),
    ] {
        let body = app.graphql(Some(&admin), query, variables).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
}
