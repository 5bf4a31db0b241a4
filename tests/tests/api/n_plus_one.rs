//! The number of SQL statements of a request does not grow with page size.

use entity::cohort_staff::StaffRole;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use peerlearn_tests::TestApp;
use serde_json::json;

// The innermost page grows from 5 to 20 rather than to 100: three nested pages of 100 ask for
// a million objects, which the complexity limit refuses (see `a_query_for_too_many_objects_
// is_refused`). Each loader appears at one depth only: batches of one loader requested from different
// depths may or may not merge depending on timing, which would make the count vary by one
// either way without growing with page size.
const NESTED: &str = "query($n: Int!, $m: Int!) {
    organizations(first: $n, orderBy: { field: NAME, direction: DESC }) {
        totalCount
        edges { cursor node { name } }
    }
    cohorts(first: $n, orderBy: { field: NAME }) {
        totalCount
        nodes {
            name
            staff(first: $n) { totalCount nodes { role } }
            enrollments(first: $n) {
                totalCount
                nodes {
                    status
                    organization {
                        name
                        members(first: $m) { totalCount nodes { role user { name } } }
                    }
                }
            }
        }
    }
}";

#[tokio::test]
async fn statement_count_is_the_same_at_first_5_and_first_100() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    for c in 0..8 {
        let cohort = app.cohort(&format!("cohort-{c}")).await;
        let (coach, _) = app.user(&format!("Coach {c}"), UserRole::User).await;
        app.staff(&cohort, &coach, StaffRole::Coach).await;
        for o in 0..8 {
            let org = app.organization(&format!("Org {c}-{o}")).await;
            app.enroll(&cohort, &org).await;
            for m in 0..3 {
                let (user, _) = app
                    .user(&format!("Member {c}-{o}-{m}"), UserRole::User)
                    .await;
                app.member(&org, &user, MembershipRole::Member).await;
            }
        }
    }

    // The first request of a token records its last use; keep that write out of the counts.
    app.graphql(Some(&admin), "{ viewer { name } }", json!({}))
        .await;

    let (small, body) = app
        .count_statements(app.graphql(Some(&admin), NESTED, json!({ "n": 5, "m": 5 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["cohorts"]["nodes"].as_array().unwrap().len(),
        5
    );

    let (large, body) = app
        .count_statements(app.graphql(Some(&admin), NESTED, json!({ "n": 100, "m": 20 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["cohorts"]["nodes"].as_array().unwrap().len(),
        8
    );
    let enrollments = body["data"]["cohorts"]["nodes"][7]["enrollments"]["nodes"]
        .as_array()
        .unwrap();
    assert_eq!(enrollments.len(), 8);

    eprintln!(
        "SQL statements per request: {small} at first: 5, {large} at first: 100 (20 innermost)"
    );
    assert_eq!(
        small, large,
        "SQL statements grew with page size: {small} at first: 5, {large} at first: 100"
    );
    // Two to authenticate, then one per list: each page counts its list's total in the same
    // statement, and the enrollments and memberships pages read their organizations and users
    // with them.
    assert_eq!(large, 7, "{large} statements for one request");
}

#[tokio::test]
async fn the_viewer_costs_no_statement_beyond_authentication() {
    let app = TestApp::spawn().await;
    let (vera, token) = app.user("Vera Viewer", UserRole::User).await;
    // Relationships of every kind: a membership, a staff role, a cohort of her organization.
    let cohort = app.cohort("alpha").await;
    let org = app.organization("Acme").await;
    app.enroll(&cohort, &org).await;
    app.member(&org, &vera, MembershipRole::Member).await;
    app.staff(&app.cohort("beta").await, &vera, StaffRole::Presenter)
        .await;
    // The first request of a token records its last use; keep that write out of the counts.
    app.graphql(Some(&token), "{ __typename }", json!({})).await;

    // `__typename` touches no domain: what it costs is authentication alone.
    let (authentication, body) = app
        .count_statements(app.graphql(Some(&token), "{ __typename }", json!({})))
        .await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
    let (viewer, body) = app
        .count_statements(app.graphql(Some(&token), "{ viewer { name } }", json!({})))
        .await;
    assert_eq!(body["data"]["viewer"]["name"], "Vera Viewer", "{body}");
    eprintln!(
        "SQL statements: {authentication} to authenticate, {viewer} for {{ viewer {{ name }} }}"
    );
    assert_eq!(
        viewer, authentication,
        "{{ viewer {{ name }} }} ran SQL of its own"
    );
}

#[tokio::test]
async fn a_query_for_too_many_objects_is_refused() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let response = app
        .graphql_response(
            Some(&admin),
            "{ cohorts(first: 100) { nodes { enrollments(first: 100) { nodes { organization {
                members(first: 100) { nodes { user { name } } } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn statement_count_stays_flat_past_a_thousand_keys() {
    use chrono::Utc;
    use entity::enrollment::EnrollmentStatus;
    use entity::organization::OrganizationKind;
    use entity::{enrollment, organization};
    use sea_orm::{EntityTrait, Set};
    use uuid::Uuid;

    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let now = Utc::now();
    // 30 cohorts of 40 organizations: 1,200 organizations at the innermost level.
    for c in 0..30 {
        let cohort = app.cohort(&format!("cohort-{c}")).await;
        let organizations: Vec<organization::ActiveModel> = (0..40)
            .map(|o| organization::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(format!("Org {c}-{o}")),
                kind: Set(OrganizationKind::Clinic),
                region: Set(None),
                time_zone: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        let ids: Vec<Uuid> = organizations
            .iter()
            .filter_map(|o| o.id.clone().take())
            .collect();
        organization::Entity::insert_many(organizations)
            .exec(&app.db)
            .await
            .unwrap();
        enrollment::Entity::insert_many(ids.into_iter().map(|id| enrollment::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(cohort.id),
            organization_id: Set(id),
            status: Set(EnrollmentStatus::Active),
            withdrawn_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }))
        .exec(&app.db)
        .await
        .unwrap();
    }
    app.graphql(Some(&admin), "{ viewer { name } }", json!({}))
        .await;
    // Organizations come with their enrollments; each enrollment's cohort is a lookup by id,
    // 1,200 siblings in one batch.
    let query = "query($n: Int!, $m: Int!) {
        cohorts(first: $n) { nodes { enrollments(first: $m) {
            nodes { organization { name } cohort { name } }
        } } }
    }";
    let (small, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 2, "m": 2 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (large, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 30, "m": 40 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let organizations: usize = body["data"]["cohorts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["enrollments"]["nodes"].as_array().unwrap().len())
        .sum();
    assert_eq!(organizations, 1_200);
    eprintln!("SQL statements: {small} for 2 x 2, {large} for 30 x 40 (1,200 organizations)");
    assert_eq!(small, large);
}

#[tokio::test]
async fn a_milestone_feed_page_costs_the_same_statements_at_every_size() {
    use chrono::Utc;
    use entity::milestone::MilestoneVisibility;
    use entity::{milestone_kudos, milestone_topic};
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    use uuid::Uuid;

    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (fan, _) = app.user("Fan", UserRole::User).await;
    let topics = [app.topic("billing").await, app.topic("screening").await];
    let now = Utc::now();
    for c in 0..6 {
        let cohort = app.cohort(&format!("cohort-{c}")).await;
        for o in 0..4 {
            let org = app.organization(&format!("Org {c}-{o}")).await;
            app.enroll(&cohort, &org).await;
            for m in 0..6 {
                let milestone = app
                    .milestone(
                        &cohort,
                        &org,
                        &format!("Win {c}-{o}-{m}"),
                        MilestoneVisibility::Cohort,
                    )
                    .await;
                milestone_topic::Entity::insert_many(topics.iter().map(|topic| {
                    milestone_topic::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        milestone_id: Set(milestone.id),
                        topic_id: Set(topic.id),
                        created_at: Set(now),
                    }
                }))
                .exec(&app.db)
                .await
                .unwrap();
                milestone_kudos::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    milestone_id: Set(milestone.id),
                    user_id: Set(fan.id),
                    created_at: Set(now),
                }
                .insert(&app.db)
                .await
                .unwrap();
            }
        }
    }
    app.graphql(Some(&admin), "{ viewer { name } }", json!({}))
        .await;
    let query = "query($n: Int!, $m: Int!) {
        cohorts(first: $n) { nodes {
            milestoneStats { total overdue achievedShare }
            milestones(first: $m) { totalCount nodes {
                title kudosCount viewerHasGivenKudos
                topics { name }
                organization { name }
                comments(first: 2) { totalCount }
            } }
        } }
    }";
    let (small, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 2, "m": 2 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (large, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 6, "m": 24 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let cohorts = body["data"]["cohorts"]["nodes"].as_array().unwrap();
    let milestones: usize = cohorts
        .iter()
        .map(|c| c["milestones"]["nodes"].as_array().unwrap().len())
        .sum();
    assert_eq!(milestones, 144);
    let first = &cohorts[0]["milestones"]["nodes"][0];
    assert_eq!(first["kudosCount"], 1, "{body}");
    assert_eq!(first["topics"].as_array().unwrap().len(), 2, "{body}");
    eprintln!(
        "SQL statements for a feed page: {small} for 2 x 2, {large} for 6 x 24 (144 milestones)"
    );
    assert_eq!(small, large, "statements grew with page size");
}

#[tokio::test]
async fn a_page_of_events_with_their_lists_costs_the_same_statements_at_every_size() {
    use chrono::{Duration, Utc};
    use entity::registration::RegistrationStatus;

    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let mut people = Vec::new();
    for p in 0..4 {
        let (user, _) = app.user(&format!("Attendee {p}"), UserRole::User).await;
        people.push(user);
    }
    for c in 0..5 {
        let cohort = app.cohort(&format!("cohort-{c}")).await;
        let org = app.organization(&format!("Org {c}")).await;
        app.enroll(&cohort, &org).await;
        for person in &people {
            app.member(&org, person, MembershipRole::Member).await;
        }
        for e in 0..8 {
            let event = app
                .event(
                    &cohort,
                    &format!("Webinar {c}-{e}"),
                    Utc::now() + Duration::days(e + 1),
                )
                .await;
            let group = entity::breakout_group::ActiveModel {
                id: sea_orm::Set(uuid::Uuid::now_v7()),
                event_id: sea_orm::Set(event.id),
                name: sea_orm::Set(format!("Group {c}-{e}")),
                facilitator_id: sea_orm::Set(Some(people[0].id)),
                version: sea_orm::Set(1),
                created_at: sea_orm::Set(Utc::now()),
                updated_at: sea_orm::Set(Utc::now()),
            };
            let group = sea_orm::ActiveModelTrait::insert(group, &app.db)
                .await
                .unwrap();
            let member = entity::breakout_group_member::ActiveModel {
                id: sea_orm::Set(uuid::Uuid::now_v7()),
                group_id: sea_orm::Set(group.id),
                organization_id: sea_orm::Set(org.id),
                created_at: sea_orm::Set(Utc::now()),
            };
            sea_orm::ActiveModelTrait::insert(member, &app.db)
                .await
                .unwrap();
            for (n, person) in people.iter().enumerate() {
                let status = if n < 3 {
                    RegistrationStatus::Registered
                } else {
                    RegistrationStatus::Waitlisted
                };
                app.registration(&event, person, status).await;
            }
        }
    }
    app.graphql(Some(&admin), "{ viewer { name } }", json!({}))
        .await;
    // Each by-id loader (users, organizations, topics) is asked at one depth only, as in the
    // other tests here: batches asked for from two depths may or may not merge.
    let query = "query($n: Int!, $m: Int!) {
        cohorts(first: $n) { nodes {
            events(first: $m) { totalCount nodes {
                title registeredCount waitlistCount viewerRegistration { status }
                registrations(first: 10) { totalCount nodes { status user { name } } }
                attendance(first: 10) { totalCount }
                breakoutGroups(first: 5) { totalCount nodes { name organizations { name } } }
                resources(first: 5) { totalCount nodes { title topics { slug } } }
            } }
        } }
    }";
    let (small, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 2, "m": 2 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (large, body) = app
        .count_statements(app.graphql(Some(&admin), query, json!({ "n": 5, "m": 8 })))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let first = &body["data"]["cohorts"]["nodes"][0]["events"]["nodes"][0];
    assert_eq!(first["registeredCount"], 3, "{body}");
    assert_eq!(first["waitlistCount"], 1);
    assert_eq!(first["registrations"]["totalCount"], 4);
    assert_eq!(
        first["breakoutGroups"]["nodes"][0]["organizations"][0]["name"], "Org 0",
        "{body}"
    );
    let events: usize = body["data"]["cohorts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["events"]["nodes"].as_array().unwrap().len())
        .sum();
    assert_eq!(events, 40);
    eprintln!(
        "SQL statements for a page of events: {small} for 2 x 2, {large} for 5 x 8 (40 events)"
    );
    assert_eq!(small, large, "statements grew with page size");
}
