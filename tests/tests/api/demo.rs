//! The demo program loads once and answers the README's first query.

use entity::user::UserRole;
use peerlearn_tests::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn the_demo_loads_once_and_answers_the_quick_start_query() {
    let app = TestApp::spawn().await;
    assert!(peerlearn::demo::load(&app.db).await.unwrap());
    let tables = [
        "user",
        "organization",
        "membership",
        "cohort",
        "enrollment",
        "cohort_staff",
        "topic",
        "milestone",
        "milestone_topic",
        "milestone_credit",
    ];
    let mut counts = Vec::new();
    for table in tables {
        counts.push(app.count_rows(table).await);
    }
    assert!(
        !peerlearn::demo::load(&app.db).await.unwrap(),
        "second load does nothing"
    );
    for (table, before) in tables.iter().zip(&counts) {
        assert_eq!(
            app.count_rows(table).await,
            *before,
            "{table} changed on reload"
        );
    }
    assert_eq!(app.count_rows("cohort").await, 2);
    assert_eq!(app.count_rows("organization").await, 12);
    assert!(app.count_rows("topic").await >= 8);
    // The showcase has something to show to anonymous visitors, with its credited lead.
    let body = app
        .graphql(
            None,
            "{ showcase { nodes { title credits organization { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["showcase"]["nodes"],
        json!([{
            "title": "First same-day warm handoff",
            "credits": ["Lakisha Freeman"],
            "organization": { "name": "Delta River Health Services" },
        }]),
        "{body}"
    );

    let admin = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(peerlearn::demo::ADMIN_EMAIL))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, UserRole::Admin);
    let token = peerlearn::auth::token::create_personal_token(&app.db, admin.id, "t", None)
        .await
        .unwrap()
        .secret;
    let body = app
        .graphql(
            Some(&token),
            "{ viewer { name } cohorts { nodes { name } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["cohorts"]["nodes"].as_array().unwrap().len(),
        2
    );

    // The first cohort's organizations assessed themselves, so a matching run pairs them.
    let body = app
        .graphql(
            Some(&token),
            "{ cohort(slug: \"bhi-2026\") { id } }",
            json!({}),
        )
        .await;
    let cohort = body["data"]["cohort"]["id"].clone();
    let body = app
        .graphql(
            Some(&token),
            "mutation($input: CreateMatchingRunInput!) { createMatchingRun(input: $input) {
                matchingRun { totalScore matches { totalCount } } userErrors { code } } }",
            json!({ "input": { "cohortId": cohort, "mode": "PEER_PAIRS" } }),
        )
        .await;
    let run = &body["data"]["createMatchingRun"]["matchingRun"];
    assert_eq!(run["matches"]["totalCount"], 3, "{body}");
    assert!(run["totalScore"].as_i64().unwrap() > 0, "{body}");
}
