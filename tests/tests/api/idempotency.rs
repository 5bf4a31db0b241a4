//! Create mutations take an `idempotencyKey`: a client that retries after a timeout creates one
//! object, and the retry gets the first result.

use chrono::{Duration, Utc};
use entity::idempotency_key;
use entity::user::UserRole;
use futures_util::future::join_all;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// A create mutation: its field, a document taking `$input`, the table it writes, and the path
/// of the created object's ID in the payload.
struct Create {
    field: &'static str,
    document: &'static str,
    table: &'static str,
    object: &'static str,
}

const CREATES: [Create; 9] = [
    Create {
        field: "createOrganization",
        document: "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } userErrors { code field } } }",
        table: "organization",
        object: "organization",
    },
    Create {
        field: "addMember",
        document: "mutation($input: AddMemberInput!) { addMember(input: $input) { membership { id } userErrors { code field } } }",
        table: "membership",
        object: "membership",
    },
    Create {
        field: "createCohort",
        document: "mutation($input: CreateCohortInput!) { createCohort(input: $input) { cohort { id } userErrors { code field } } }",
        table: "cohort",
        object: "cohort",
    },
    Create {
        field: "createTopic",
        document: "mutation($input: CreateTopicInput!) { createTopic(input: $input) { topic { id } userErrors { code field } } }",
        table: "topic",
        object: "topic",
    },
    Create {
        field: "createMilestone",
        document: "mutation($input: CreateMilestoneInput!) { createMilestone(input: $input) { milestone { id } userErrors { code field } } }",
        table: "milestone",
        object: "milestone",
    },
    Create {
        field: "submitAssessment",
        document: "mutation($input: SubmitAssessmentInput!) { submitAssessment(input: $input) { assessment { id } userErrors { code field } } }",
        table: "assessment",
        object: "assessment",
    },
    Create {
        field: "createMatchingRun",
        document: "mutation($input: CreateMatchingRunInput!) { createMatchingRun(input: $input) { matchingRun { id } userErrors { code field } } }",
        table: "matching_run",
        object: "matchingRun",
    },
    Create {
        field: "createInvitation",
        document: "mutation($input: CreateInvitationInput!) { createInvitation(input: $input) { invitation { id } userErrors { code field } } }",
        table: "invitation",
        object: "invitation",
    },
    Create {
        field: "createPersonalAccessToken",
        document: "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input) { accessToken { id } token userErrors { code field } } }",
        table: "access_token",
        object: "accessToken",
    },
];

/// An admin, and the inputs of each create mutation (two distinct ones each).
struct World {
    app: TestApp,
    admin: String,
    org: String,
    cohort: String,
    topic: String,
    users: Vec<String>,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let (_, admin) = app.admin().await;
        let org = app.organization("Acme Clinic").await;
        let cohort = app.cohort("alpha").await;
        app.enroll(&cohort, &org).await;
        let mut users = Vec::new();
        for name in ["Uma", "Vic"] {
            let (user, _) = app.user(name, UserRole::User).await;
            users.push(gid(NodeKind::User, user.id));
        }
        let topic = gid(NodeKind::Topic, app.topic("billing").await.id);
        // The first request of a token records its use; keep that write out of the checks.
        app.graphql(Some(&admin), "{ viewer { name } }", json!({}))
            .await;
        Self {
            org: gid(NodeKind::Organization, org.id),
            cohort: gid(NodeKind::Cohort, cohort.id),
            topic,
            app,
            admin,
            users,
        }
    }

    /// Input number `n` (0 or 1) of `field`, without a key.
    fn input(&self, field: &str, n: usize) -> Value {
        match field {
            "createOrganization" => json!({ "name": format!("Org {n}"), "kind": "CLINIC" }),
            "addMember" => json!({
                "organizationId": self.org, "userId": self.users[n], "profession": "NURSE",
            }),
            "createCohort" => {
                json!({ "slug": format!("cohort-{n}"), "name": format!("Cohort {n}") })
            }
            "createTopic" => json!({ "slug": format!("topic-{n}"), "name": format!("Topic {n}") }),
            "createMilestone" => json!({
                "cohortId": self.cohort, "organizationId": self.org, "title": format!("Win {n}"),
            }),
            "submitAssessment" => json!({
                "organizationId": self.org,
                "ratings": [{ "topicId": self.topic, "level": n, "wantsHelp": true }],
            }),
            "createMatchingRun" => json!({
                "cohortId": self.cohort, "mode": "PEER_PAIRS", "candidatesLimit": n + 1,
            }),
            "createInvitation" => json!({
                "email": format!("invitee{n}@example.org"), "organizationId": self.org,
                "membershipRole": "MEMBER", "profession": "NURSE",
            }),
            "createPersonalAccessToken" => json!({ "name": format!("script {n}") }),
            other => panic!("no input for {other}"),
        }
    }

    async fn send(&self, create: &Create, mut input: Value, key: Option<&str>) -> Value {
        if let Some(key) = key {
            input["idempotencyKey"] = json!(key);
        }
        self.app
            .graphql(
                Some(&self.admin),
                create.document,
                json!({ "input": input }),
            )
            .await
    }
}

/// The create of `createPersonalAccessToken`.
fn token_create() -> &'static Create {
    let all: &'static [Create] = &CREATES;
    all.iter()
        .find(|c| c.field == "createPersonalAccessToken")
        .unwrap()
}

fn created_id(create: &Create, body: &Value) -> Value {
    body["data"][create.field][create.object]["id"].clone()
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_result_for_every_create() {
    let w = World::new().await;
    for create in &CREATES {
        let rows = w.app.count_rows(create.table).await;
        let first = w
            .send(create, w.input(create.field, 0), Some("retry-1"))
            .await;
        let id = created_id(create, &first);
        assert!(id.is_string(), "{}: {first}", create.field);
        let retry = w
            .send(create, w.input(create.field, 0), Some("retry-1"))
            .await;
        assert!(retry.get("errors").is_none(), "{}: {retry}", create.field);
        assert_eq!(created_id(create, &retry), id, "{}: {retry}", create.field);
        assert_eq!(
            w.app.count_rows(create.table).await,
            rows + 1,
            "{} created twice",
            create.field
        );
    }
}

#[tokio::test]
async fn the_same_key_with_other_input_is_refused_and_changes_nothing() {
    let w = World::new().await;
    for create in &CREATES {
        let first = w.send(create, w.input(create.field, 0), Some("k")).await;
        assert!(created_id(create, &first).is_string(), "{first}");
        let before = w.app.snapshot().await;
        let rows = w.app.count_rows(create.table).await;
        let other = w.send(create, w.input(create.field, 1), Some("k")).await;
        assert_eq!(
            error_code(&other),
            Some("IDEMPOTENCY_KEY_REUSED"),
            "{}: {other}",
            create.field
        );
        assert_eq!(before, w.app.snapshot().await, "{}", create.field);
        assert_eq!(w.app.count_rows(create.table).await, rows);
    }
}

#[tokio::test]
async fn without_a_key_every_request_creates() {
    let w = World::new().await;
    let create = &CREATES[0];
    let rows = w.app.count_rows(create.table).await;
    for _ in 0..2 {
        let body = w.send(create, w.input(create.field, 0), None).await;
        assert!(created_id(create, &body).is_string(), "{body}");
    }
    assert_eq!(w.app.count_rows(create.table).await, rows + 2);
}

#[tokio::test]
async fn concurrent_retries_create_one_object() {
    let w = World::new().await;
    for create in &CREATES[..7] {
        let rows = w.app.count_rows(create.table).await;
        // Polled together, so the requests overlap on the server.
        let bodies =
            join_all((0..6).map(|_| w.send(create, w.input(create.field, 0), Some("burst")))).await;
        let ids: Vec<Value> = bodies.iter().map(|b| created_id(create, b)).collect();
        assert!(
            ids.iter().all(|id| id.is_string() && *id == ids[0]),
            "{}: {bodies:?}",
            create.field
        );
        assert_eq!(w.app.count_rows(create.table).await, rows + 1);
    }
}

#[tokio::test]
async fn a_retried_token_comes_back_without_its_secret() {
    let w = World::new().await;
    let create = token_create();
    let first = w.send(create, w.input(create.field, 0), Some("t")).await;
    let retry = w.send(create, w.input(create.field, 0), Some("t")).await;
    assert!(first["data"][create.field]["token"].is_string(), "{first}");
    assert!(retry["data"][create.field]["token"].is_null(), "{retry}");
    assert_eq!(created_id(create, &first), created_id(create, &retry));
}

#[tokio::test]
async fn a_failed_request_does_not_use_up_its_key() {
    let w = World::new().await;
    let create = &CREATES[0];
    let blank = w
        .send(
            create,
            json!({ "name": " ", "kind": "CLINIC" }),
            Some("fix"),
        )
        .await;
    assert_eq!(user_error_codes(&blank["data"][create.field]), ["BLANK"]);
    let fixed = w.send(create, w.input(create.field, 0), Some("fix")).await;
    assert!(created_id(create, &fixed).is_string(), "{fixed}");
}

#[tokio::test]
async fn keys_expire_after_a_day() {
    let w = World::new().await;
    let create = &CREATES[0];
    let first = w
        .send(create, w.input(create.field, 0), Some("daily"))
        .await;
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .filter(idempotency_key::Column::Key.eq("daily"))
        .exec(&w.app.db)
        .await
        .unwrap();
    let later = w
        .send(create, w.input(create.field, 0), Some("daily"))
        .await;
    assert!(created_id(create, &later).is_string(), "{later}");
    assert_ne!(created_id(create, &first), created_id(create, &later));
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let w = World::new().await;
    let create = token_create();
    let (_, other) = w.app.user("Other", UserRole::User).await;
    let mine = w
        .send(create, w.input(create.field, 0), Some("shared"))
        .await;
    let theirs = w
        .app
        .graphql(
            Some(&other),
            create.document,
            json!({ "input": { "name": "script 0", "idempotencyKey": "shared" } }),
        )
        .await;
    assert!(created_id(create, &theirs).is_string(), "{theirs}");
    assert_ne!(created_id(create, &mine), created_id(create, &theirs));
}

#[tokio::test]
async fn a_blank_or_overlong_key_is_a_user_error() {
    let w = World::new().await;
    let create = &CREATES[0];
    for key in [String::new(), "   ".to_owned(), "k".repeat(256)] {
        let rows = w.app.count_rows(create.table).await;
        let body = w.send(create, w.input(create.field, 0), Some(&key)).await;
        assert_eq!(
            body["data"][create.field]["userErrors"],
            json!([{ "code": "INVALID", "field": ["input", "idempotencyKey"] }]),
            "{body}"
        );
        assert_eq!(w.app.count_rows(create.table).await, rows);
    }
}
