//! The authorization policy end to end: who may read and change what, and that a refused
//! request changes nothing.
//!
//! Most tests are tables of `(viewer, operation, expected outcome)` rows run against one
//! shared set of fixtures ([`World`]); add a row to cover a new case.

use std::collections::HashMap;

use entity::cohort_staff::StaffRole;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use entity::{cohort, cohort_staff, membership, organization, topic, user};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

/// The people, organizations and cohorts every test here starts from.
///
/// - Cohort `alpha`: Acme and Birch enrolled; `coach` is its COACH, `lena` its LEAD, `pat` its
///   PRESENTER.
/// - Cohort `beta`: Zenith enrolled; `coach` is its PRESENTER, `bert` its COACH.
/// - Cohort `gamma`: Yarrow enrolled; `gus` is its COACH.
/// - Acme: `alice` LEAD, `amy` MEMBER. Annex (in no cohort): `carol` LEAD, `alice` MEMBER.
///   Birch: `bob` LEAD. Zenith: `zed` LEAD, `zoe` MEMBER. Yarrow: `yan` LEAD.
/// - `admin` administers the platform; `olga` has no relation to anything.
struct World {
    app: TestApp,
    users: HashMap<&'static str, (user::Model, String)>,
    names: Vec<(Uuid, String)>,
    acme: organization::Model,
    annex: organization::Model,
    birch: organization::Model,
    zenith: organization::Model,
    yarrow: organization::Model,
    alpha: cohort::Model,
    beta: cohort::Model,
    gamma: cohort::Model,
    alice_at_acme: membership::Model,
    amy_at_acme: membership::Model,
    alice_at_annex: membership::Model,
    carol_at_annex: membership::Model,
    bob_at_birch: membership::Model,
    zed_at_zenith: membership::Model,
    zoe_at_zenith: membership::Model,
    coach_in_alpha: cohort_staff::Model,
    lena_in_alpha: cohort_staff::Model,
    pat_in_alpha: cohort_staff::Model,
    coach_in_beta: cohort_staff::Model,
    bert_in_beta: cohort_staff::Model,
    gus_in_gamma: cohort_staff::Model,
    topic: topic::Model,
}

const USERS: [(&str, UserRole); 14] = [
    ("admin", UserRole::Admin),
    ("alice", UserRole::User),
    ("amy", UserRole::User),
    ("carol", UserRole::User),
    ("bob", UserRole::User),
    ("zed", UserRole::User),
    ("zoe", UserRole::User),
    ("yan", UserRole::User),
    ("coach", UserRole::User),
    ("lena", UserRole::User),
    ("pat", UserRole::User),
    ("bert", UserRole::User),
    ("gus", UserRole::User),
    ("olga", UserRole::User),
];

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let mut users = HashMap::new();
        let mut names = Vec::new();
        for (name, role) in USERS {
            let (user, token) = app.user(name, role).await;
            names.push((user.id, name.to_owned()));
            users.insert(name, (user, token));
        }
        let u = |name: &str| users[name].0.clone();

        let acme = app.organization("Acme").await;
        let annex = app.organization("Annex").await;
        let birch = app.organization("Birch").await;
        let zenith = app.organization("Zenith").await;
        let yarrow = app.organization("Yarrow").await;
        let alpha = app.cohort("alpha").await;
        let beta = app.cohort("beta").await;
        let gamma = app.cohort("gamma").await;
        for (cohort, organization) in [
            (&alpha, &acme),
            (&alpha, &birch),
            (&beta, &zenith),
            (&gamma, &yarrow),
        ] {
            let enrollment = app.enroll(cohort, organization).await;
            names.push((
                enrollment.id,
                format!("{}@{}", organization.name, cohort.slug),
            ));
        }

        let lead = MembershipRole::Lead;
        let member = MembershipRole::Member;
        let alice_at_acme = app.member(&acme, &u("alice"), lead).await;
        let amy_at_acme = app.member(&acme, &u("amy"), member).await;
        let carol_at_annex = app.member(&annex, &u("carol"), lead).await;
        let alice_at_annex = app.member(&annex, &u("alice"), member).await;
        let bob_at_birch = app.member(&birch, &u("bob"), lead).await;
        let zed_at_zenith = app.member(&zenith, &u("zed"), lead).await;
        let zoe_at_zenith = app.member(&zenith, &u("zoe"), member).await;
        app.member(&yarrow, &u("yan"), lead).await;

        let coach_in_alpha = app.staff(&alpha, &u("coach"), StaffRole::Coach).await;
        let lena_in_alpha = app.staff(&alpha, &u("lena"), StaffRole::Lead).await;
        let pat_in_alpha = app.staff(&alpha, &u("pat"), StaffRole::Presenter).await;
        let coach_in_beta = app.staff(&beta, &u("coach"), StaffRole::Presenter).await;
        let bert_in_beta = app.staff(&beta, &u("bert"), StaffRole::Coach).await;
        let gus_in_gamma = app.staff(&gamma, &u("gus"), StaffRole::Coach).await;
        let topic = app.topic("billing").await;

        for organization in [&acme, &annex, &birch, &zenith, &yarrow] {
            names.push((organization.id, organization.name.clone()));
        }
        for cohort in [&alpha, &beta, &gamma] {
            names.push((cohort.id, cohort.slug.clone()));
        }
        for (model, name) in [
            (&alice_at_acme, "alice@Acme"),
            (&amy_at_acme, "amy@Acme"),
            (&alice_at_annex, "alice@Annex"),
            (&carol_at_annex, "carol@Annex"),
            (&bob_at_birch, "bob@Birch"),
            (&zed_at_zenith, "zed@Zenith"),
            (&zoe_at_zenith, "zoe@Zenith"),
        ] {
            names.push((model.id, name.to_owned()));
        }
        for (model, name) in [
            (&coach_in_alpha, "coach@alpha"),
            (&lena_in_alpha, "lena@alpha"),
            (&pat_in_alpha, "pat@alpha"),
            (&coach_in_beta, "coach@beta"),
            (&bert_in_beta, "bert@beta"),
            (&gus_in_gamma, "gus@gamma"),
        ] {
            names.push((model.id, name.to_owned()));
        }
        names.push((topic.id, topic.slug.clone()));

        Self {
            app,
            users,
            names,
            acme,
            annex,
            birch,
            zenith,
            yarrow,
            alpha,
            beta,
            gamma,
            alice_at_acme,
            amy_at_acme,
            alice_at_annex,
            carol_at_annex,
            bob_at_birch,
            zed_at_zenith,
            zoe_at_zenith,
            coach_in_alpha,
            lena_in_alpha,
            pat_in_alpha,
            coach_in_beta,
            bert_in_beta,
            gus_in_gamma,
            topic,
        }
    }

    /// The id of the user called `name`.
    fn user(&self, name: &str) -> Uuid {
        self.users[name].0.id
    }

    /// The token of `viewer`; `None` for `"anonymous"`.
    fn token(&self, viewer: &str) -> Option<&str> {
        match viewer {
            "anonymous" => None,
            name => Some(
                self.users
                    .get(name)
                    .unwrap_or_else(|| panic!("no user called {name}"))
                    .1
                    .as_str(),
            ),
        }
    }

    /// `text` with every fixture id replaced by the fixture's name, for failure messages.
    fn readable(&self, text: &str) -> String {
        self.names.iter().fold(text.to_owned(), |text, (id, name)| {
            text.replace(&id.to_string(), name)
        })
    }

    /// Runs every row and fails with all rows that did not behave as expected.
    async fn check(&self, rows: &[Row]) {
        let mut failures = Vec::new();
        for Row(viewer, op, expect) in rows {
            if let Some(failure) = self.run(viewer, *op, *expect).await {
                failures.push(format!(
                    "{viewer} {}: {failure}",
                    self.readable(&format!("{op:?}"))
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} rows failed:\n{}",
            failures.len(),
            rows.len(),
            failures.join("\n")
        );
    }

    /// Runs one row; `Some(explanation)` if it did not behave as expected.
    async fn run(&self, viewer: &str, op: Op, expect: Expect) -> Option<String> {
        let (field, input_type, input) = op.input(&self.app).await;
        let result = op.result();
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ {result} userErrors {{ field message code }} }} }}"
        );
        let result = result.split(' ').next().unwrap_or_default();
        let before = self.app.snapshot().await;
        let body = self
            .app
            .graphql(self.token(viewer), &query, json!({ "input": input }))
            .await;
        let after = self.app.snapshot().await;
        match expect {
            Expect::Allowed => {
                let payload = &body["data"][field];
                let ok = body.get("errors").is_none()
                    && !payload[result].is_null()
                    && user_error_codes(payload).is_empty();
                (!ok).then(|| format!("expected success, got {body}"))
            }
            Expect::Denied(code) => {
                if error_code(&body) != Some(code) {
                    Some(format!("expected {code}, got {body}"))
                } else if !body["data"].is_null() {
                    Some(format!("expected no data with {code}, got {body}"))
                } else if before != after {
                    Some(format!(
                        "failed with {code} but changed the tables {:?}",
                        changed_tables(&before, &after)
                    ))
                } else {
                    None
                }
            }
        }
    }
}

/// The tables whose rows differ between two snapshots.
fn changed_tables(before: &Value, after: &Value) -> Vec<String> {
    before
        .as_object()
        .map(|tables| {
            tables
                .iter()
                .filter(|(table, rows)| after.get(table.as_str()) != Some(*rows))
                .map(|(table, _)| table.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A mutation aimed at fixtures by id. Updates pass the version stored when the row runs, so
/// rows can follow one another.
#[derive(Debug, Clone, Copy)]
enum Op {
    CreateOrganization {
        cohort: Option<Uuid>,
    },
    UpdateOrganization(Uuid),
    AddMember {
        organization: Uuid,
        user: Uuid,
    },
    UpdateMember(Uuid),
    RemoveMember(Uuid),
    CreateCohort,
    UpdateCohort(Uuid),
    EnrollOrganization {
        cohort: Uuid,
        organization: Uuid,
    },
    WithdrawOrganization {
        cohort: Uuid,
        organization: Uuid,
    },
    AssignCohortStaff {
        cohort: Uuid,
        user: Uuid,
        role: &'static str,
    },
    RemoveCohortStaff(Uuid),
    CreateTopic,
    UpdateTopic(Uuid),
}

impl Op {
    /// What the payload returns on success.
    fn result(self) -> &'static str {
        match self {
            Self::CreateOrganization { .. } | Self::UpdateOrganization(_) => "organization { id }",
            Self::AddMember { .. } | Self::UpdateMember(_) => "membership { id }",
            Self::RemoveMember(_) => "removedMembershipId",
            Self::CreateCohort | Self::UpdateCohort(_) => "cohort { id }",
            Self::EnrollOrganization { .. } | Self::WithdrawOrganization { .. } => {
                "enrollment { id }"
            }
            Self::AssignCohortStaff { .. } => "staff { id }",
            Self::RemoveCohortStaff(_) => "removedStaffId",
            Self::CreateTopic | Self::UpdateTopic(_) => "topic { id }",
        }
    }

    /// The mutation field, its input type and the input.
    async fn input(self, app: &TestApp) -> (&'static str, &'static str, Value) {
        let unique = Uuid::now_v7().simple().to_string();
        match self {
            Self::CreateOrganization { cohort } => (
                "createOrganization",
                "CreateOrganizationInput",
                json!({
                    "name": "New Clinic",
                    "kind": "CLINIC",
                    "cohortId": cohort.map(|id| gid(NodeKind::Cohort, id)),
                }),
            ),
            Self::UpdateOrganization(id) => (
                "updateOrganization",
                "UpdateOrganizationInput",
                json!({
                    "id": gid(NodeKind::Organization, id),
                    "expectedVersion": stored_version(app, NodeKind::Organization, id).await,
                    "name": "Renamed",
                }),
            ),
            Self::AddMember { organization, user } => (
                "addMember",
                "AddMemberInput",
                json!({
                    "organizationId": gid(NodeKind::Organization, organization),
                    "userId": gid(NodeKind::User, user),
                    "profession": "NURSE",
                }),
            ),
            Self::UpdateMember(id) => (
                "updateMember",
                "UpdateMemberInput",
                json!({
                    "id": gid(NodeKind::Membership, id),
                    "expectedVersion": stored_version(app, NodeKind::Membership, id).await,
                    "isChampion": true,
                }),
            ),
            Self::RemoveMember(id) => (
                "removeMember",
                "RemoveMemberInput",
                json!({ "id": gid(NodeKind::Membership, id) }),
            ),
            Self::CreateCohort => (
                "createCohort",
                "CreateCohortInput",
                json!({ "slug": format!("c-{unique}"), "name": "New cohort" }),
            ),
            Self::UpdateCohort(id) => (
                "updateCohort",
                "UpdateCohortInput",
                json!({
                    "id": gid(NodeKind::Cohort, id),
                    "expectedVersion": stored_version(app, NodeKind::Cohort, id).await,
                    "name": "Renamed cohort",
                }),
            ),
            Self::EnrollOrganization {
                cohort,
                organization,
            } => (
                "enrollOrganization",
                "EnrollmentInput",
                json!({
                    "cohortId": gid(NodeKind::Cohort, cohort),
                    "organizationId": gid(NodeKind::Organization, organization),
                }),
            ),
            Self::WithdrawOrganization {
                cohort,
                organization,
            } => (
                "withdrawOrganization",
                "EnrollmentInput",
                json!({
                    "cohortId": gid(NodeKind::Cohort, cohort),
                    "organizationId": gid(NodeKind::Organization, organization),
                }),
            ),
            Self::AssignCohortStaff { cohort, user, role } => (
                "assignCohortStaff",
                "AssignCohortStaffInput",
                json!({
                    "cohortId": gid(NodeKind::Cohort, cohort),
                    "userId": gid(NodeKind::User, user),
                    "role": role,
                }),
            ),
            Self::RemoveCohortStaff(id) => (
                "removeCohortStaff",
                "RemoveCohortStaffInput",
                json!({ "id": gid(NodeKind::CohortStaff, id) }),
            ),
            Self::CreateTopic => (
                "createTopic",
                "CreateTopicInput",
                json!({ "slug": format!("t-{unique}"), "name": "New topic" }),
            ),
            Self::UpdateTopic(id) => (
                "updateTopic",
                "UpdateTopicInput",
                json!({
                    "id": gid(NodeKind::Topic, id),
                    "expectedVersion": stored_version(app, NodeKind::Topic, id).await,
                    "name": "Renamed topic",
                }),
            ),
        }
    }
}

/// The version stored for a row, or 1 if there is no such row.
async fn stored_version(app: &TestApp, kind: NodeKind, id: Uuid) -> i32 {
    let db = &app.db;
    let version = match kind {
        NodeKind::Organization => organization::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .map(|row| row.version),
        NodeKind::Membership => membership::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .map(|row| row.version),
        NodeKind::Cohort => cohort::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .map(|row| row.version),
        NodeKind::Topic => topic::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .map(|row| row.version),
        other => panic!("{other:?} has no version"),
    };
    version.unwrap_or(1)
}

/// What a row expects.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The mutation succeeds with no `userErrors`.
    Allowed,
    /// The mutation fails with this top-level code and changes nothing.
    Denied(&'static str),
}

use Expect::{Allowed, Denied};

const NOT_FOUND: Expect = Denied("NOT_FOUND");
const FORBIDDEN: Expect = Denied("FORBIDDEN");
const UNAUTHENTICATED: Expect = Denied("UNAUTHENTICATED");

/// One row of a matrix: the viewer's name, the operation, the expected outcome.
struct Row(&'static str, Op, Expect);

/// Every mutation, each aimed at a fixture that exists.
fn every_mutation(w: &World) -> Vec<Op> {
    vec![
        Op::CreateOrganization { cohort: None },
        Op::CreateOrganization {
            cohort: Some(w.alpha.id),
        },
        Op::UpdateOrganization(w.acme.id),
        Op::AddMember {
            organization: w.acme.id,
            user: w.user("olga"),
        },
        Op::UpdateMember(w.amy_at_acme.id),
        Op::RemoveMember(w.amy_at_acme.id),
        Op::CreateCohort,
        Op::UpdateCohort(w.alpha.id),
        Op::EnrollOrganization {
            cohort: w.alpha.id,
            organization: w.zenith.id,
        },
        Op::WithdrawOrganization {
            cohort: w.alpha.id,
            organization: w.birch.id,
        },
        Op::AssignCohortStaff {
            cohort: w.alpha.id,
            user: w.user("olga"),
            role: "COACH",
        },
        Op::RemoveCohortStaff(w.pat_in_alpha.id),
        Op::CreateTopic,
        Op::UpdateTopic(w.topic.id),
    ]
}

/// `node(id:)` as `viewer`: `Ok(typename)` or `Err(code)`.
async fn node(w: &World, viewer: &str, id: &str) -> Result<String, String> {
    let body = w
        .app
        .graphql(
            w.token(viewer),
            "query($id: ID!) { node(id: $id) { __typename id } }",
            json!({ "id": id }),
        )
        .await;
    match error_code(&body) {
        Some(code) => Err(code.to_owned()),
        None => {
            assert_eq!(body["data"]["node"]["id"], id, "{body}");
            Ok(body["data"]["node"]["__typename"]
                .as_str()
                .unwrap()
                .to_owned())
        }
    }
}

/// Names of the organizations a connection holds, in order.
fn organization_names(connection: &Value) -> Vec<&str> {
    connection["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no nodes in {connection}"))
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn member_cannot_read_an_organization_they_have_no_relation_to() {
    let w = World::new().await;
    let zenith = gid(NodeKind::Organization, w.zenith.id);
    let alice = w.token("alice");

    let body = w
        .app
        .graphql(
            alice,
            "query($id: ID!) { organization(id: $id) { name } }",
            json!({ "id": zenith }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(
        !body.to_string().contains("Zenith"),
        "the error must not reveal the organization: {body}"
    );

    assert_eq!(
        node(&w, "alice", &zenith).await,
        Err("NOT_FOUND".to_owned())
    );

    let acme = gid(NodeKind::Organization, w.acme.id);
    let body = w
        .app
        .graphql(
            alice,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [zenith, acme] }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["nodes"], json!([null, { "id": acme }]));

    let body = w
        .app
        .graphql(
            alice,
            "{ organizations { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        organization_names(&body["data"]["organizations"]),
        ["Acme", "Annex", "Birch"]
    );
    assert_eq!(body["data"]["organizations"]["totalCount"], 3);

    let body = w
        .app
        .graphql(
            alice,
            "query($name: String) { organizations(filter: { name: $name }) { totalCount } }",
            json!({ "name": "zen" }),
        )
        .await;
    assert_eq!(body["data"]["organizations"]["totalCount"], 0, "{body}");

    let body = w
        .app
        .graphql(
            alice,
            "query($cohort: ID) { organizations(filter: { cohortId: $cohort }) { totalCount } }",
            json!({ "cohort": gid(NodeKind::Cohort, w.beta.id) }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "filtering by an invisible cohort: {body}"
    );

    for query in [
        json!({ "query": "query($id: ID) { cohort(id: $id) { slug } }", "variables": { "id": gid(NodeKind::Cohort, w.beta.id) } }),
        json!({ "query": "{ cohort(slug: \"beta\") { slug } }", "variables": {} }),
    ] {
        let body = w
            .app
            .graphql(
                alice,
                query["query"].as_str().unwrap(),
                query["variables"].clone(),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}: {body}");
    }
}

#[tokio::test]
async fn node_hides_what_the_viewer_may_not_see() {
    let w = World::new().await;
    let org = |m: &organization::Model| gid(NodeKind::Organization, m.id);
    let member = |m: &membership::Model| gid(NodeKind::Membership, m.id);
    let staff = |m: &cohort_staff::Model| gid(NodeKind::CohortStaff, m.id);
    let cohort = |m: &cohort::Model| gid(NodeKind::Cohort, m.id);
    let user = |name: &str| gid(NodeKind::User, w.user(name));
    let enrollments = entity::enrollment::Entity::find()
        .all(&w.app.db)
        .await
        .unwrap();
    let enrolled = |c: &cohort::Model, o: &organization::Model| {
        let row = enrollments
            .iter()
            .find(|e| e.cohort_id == c.id && e.organization_id == o.id)
            .unwrap();
        gid(NodeKind::Enrollment, row.id)
    };
    let topic = gid(NodeKind::Topic, w.topic.id);

    // (viewer, what, global id, visible)
    let rows: Vec<(&str, &str, String, bool)> = vec![
        ("alice", "their organization", org(&w.acme), true),
        ("alice", "a peer in their cohort", org(&w.birch), true),
        (
            "alice",
            "an organization in another cohort",
            org(&w.zenith),
            false,
        ),
        (
            "alice",
            "a fellow member's membership",
            member(&w.amy_at_acme),
            true,
        ),
        (
            "alice",
            "a peer's membership",
            member(&w.bob_at_birch),
            false,
        ),
        (
            "alice",
            "an unrelated membership",
            member(&w.zed_at_zenith),
            false,
        ),
        ("alice", "a fellow member", user("amy"), true),
        ("alice", "a peer organization's member", user("bob"), false),
        ("alice", "an unrelated member", user("zed"), false),
        ("alice", "their cohort's staff member", user("coach"), true),
        ("alice", "another cohort's staff member", user("gus"), false),
        ("alice", "their cohort", cohort(&w.alpha), true),
        ("alice", "another cohort", cohort(&w.beta), false),
        (
            "alice",
            "a peer's enrollment",
            enrolled(&w.alpha, &w.birch),
            true,
        ),
        (
            "alice",
            "another cohort's enrollment",
            enrolled(&w.beta, &w.zenith),
            false,
        ),
        (
            "alice",
            "their cohort's staff",
            staff(&w.coach_in_alpha),
            true,
        ),
        (
            "alice",
            "another cohort's staff",
            staff(&w.gus_in_gamma),
            false,
        ),
        (
            "alice",
            "their cohort's lead",
            staff(&w.lena_in_alpha),
            true,
        ),
        (
            "alice",
            "the staff of a cohort they are not in",
            staff(&w.coach_in_beta),
            false,
        ),
        ("alice", "a topic", topic.clone(), true),
        (
            "amy",
            "an organization their lead also belongs to",
            org(&w.annex),
            false,
        ),
        (
            "amy",
            "a membership of it",
            member(&w.carol_at_annex),
            false,
        ),
        (
            "coach",
            "a member of an organization in their cohort",
            member(&w.bob_at_birch),
            true,
        ),
        (
            "coach",
            "a member of an organization in a cohort they present in",
            member(&w.zoe_at_zenith),
            true,
        ),
        ("coach", "a user of such an organization", user("zoe"), true),
        (
            "coach",
            "an organization in no cohort of theirs",
            org(&w.yarrow),
            false,
        ),
        (
            "coach",
            "an organization in no cohort at all",
            org(&w.annex),
            false,
        ),
        (
            "coach",
            "a membership there",
            member(&w.alice_at_annex),
            false,
        ),
        (
            "coach",
            "a cohort they do not staff",
            cohort(&w.gamma),
            false,
        ),
        (
            "coach",
            "their own assignment in another cohort",
            staff(&w.coach_in_beta),
            true,
        ),
        (
            "pat",
            "a member of an organization in their cohort",
            member(&w.bob_at_birch),
            true,
        ),
        (
            "pat",
            "another cohort's membership",
            member(&w.zed_at_zenith),
            false,
        ),
        ("olga", "any organization", org(&w.acme), false),
        ("olga", "any cohort", cohort(&w.alpha), false),
        ("olga", "any membership", member(&w.alice_at_acme), false),
        ("olga", "any user", user("alice"), false),
        ("olga", "themselves", user("olga"), true),
        ("olga", "a topic", topic.clone(), true),
        ("admin", "any organization", org(&w.yarrow), true),
        ("admin", "any membership", member(&w.alice_at_annex), true),
        ("admin", "any staff", staff(&w.gus_in_gamma), true),
        ("admin", "any user", user("olga"), true),
    ];

    let mut failures = Vec::new();
    for (viewer, what, id, visible) in &rows {
        let found = node(&w, viewer, id).await;
        let ok = match (visible, &found) {
            (true, Ok(_)) => true,
            (false, Err(code)) => code == "NOT_FOUND",
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{viewer} -> {what}: expected {}, got {found:?}",
                if *visible { "visible" } else { "NOT_FOUND" }
            ));
        }
        let body = w
            .app
            .graphql(
                w.token(viewer),
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": [id] }),
            )
            .await;
        let expected = if *visible {
            json!([{ "id": id }])
        } else {
            json!([null])
        };
        if body["data"]["nodes"] != expected {
            failures.push(format!("{viewer} -> {what} through nodes: got {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn peer_organization_is_visible_but_its_members_are_not() {
    let w = World::new().await;
    const QUERY: &str = "query($id: ID!) { organization(id: $id) {
        name viewerCanUpdate viewerCanManageMembers
        members { totalCount nodes { id } edges { cursor } pageInfo { hasNextPage } }
    } }";
    let body = w
        .app
        .graphql(
            w.token("alice"),
            QUERY,
            json!({ "id": gid(NodeKind::Organization, w.birch.id) }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let birch = &body["data"]["organization"];
    assert_eq!(birch["name"], "Birch");
    assert_eq!(birch["viewerCanUpdate"], false);
    assert_eq!(birch["viewerCanManageMembers"], false);
    assert_eq!(birch["members"]["totalCount"], 0);
    assert_eq!(birch["members"]["nodes"], json!([]));
    assert_eq!(birch["members"]["edges"], json!([]));
    assert_eq!(birch["members"]["pageInfo"]["hasNextPage"], false);

    // Through the cohort as well: own organization's members, none of the peer's.
    let body = w
        .app
        .graphql(
            w.token("alice"),
            "query($id: ID) { cohort(id: $id) { enrollments { nodes {
                organization { name members { totalCount nodes { user { name } } } }
            } } } }",
            json!({ "id": gid(NodeKind::Cohort, w.alpha.id) }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let members: Vec<(String, u64)> = body["data"]["cohort"]["enrollments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let o = &e["organization"];
            (
                o["name"].as_str().unwrap().to_owned(),
                o["members"]["totalCount"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [("Acme".to_owned(), 2), ("Birch".to_owned(), 0)],
        "{body}"
    );

    // A member of the peer sees only their own side, too.
    let body = w
        .app
        .graphql(
            w.token("bob"),
            "query($id: ID!) { node(id: $id) { ... on Organization { members { totalCount } } } }",
            json!({ "id": gid(NodeKind::Organization, w.acme.id) }),
        )
        .await;
    assert_eq!(body["data"]["node"]["members"]["totalCount"], 0, "{body}");

    // The viewer's own memberships list holds only their own organizations.
    let body = w
        .app
        .graphql(
            w.token("alice"),
            "{ viewer { memberships { nodes { organization { name } } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = body["data"]["viewer"]["memberships"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme", "Annex"], "{body}");

    // Staff of the cohort do see the members (the policy's other reader).
    let body = w
        .app
        .graphql(
            w.token("pat"),
            QUERY,
            json!({ "id": gid(NodeKind::Organization, w.birch.id) }),
        )
        .await;
    assert_eq!(
        body["data"]["organization"]["members"]["totalCount"], 1,
        "{body}"
    );
}

#[tokio::test]
async fn member_cannot_change_another_organization() {
    let w = World::new().await;
    let amy = w.user("amy");
    w.check(&[
        // Zenith is invisible to Acme's lead: it does not exist for her.
        Row("alice", Op::UpdateOrganization(w.zenith.id), NOT_FOUND),
        Row(
            "alice",
            Op::AddMember {
                organization: w.zenith.id,
                user: amy,
            },
            NOT_FOUND,
        ),
        Row("alice", Op::UpdateMember(w.zed_at_zenith.id), NOT_FOUND),
        Row("alice", Op::RemoveMember(w.zed_at_zenith.id), NOT_FOUND),
        Row("alice", Op::RemoveMember(w.zoe_at_zenith.id), NOT_FOUND),
        // Birch shares a cohort with Acme: visible, but not Acme's lead's to change.
        Row("alice", Op::UpdateOrganization(w.birch.id), FORBIDDEN),
        Row(
            "alice",
            Op::AddMember {
                organization: w.birch.id,
                user: amy,
            },
            FORBIDDEN,
        ),
        // Birch's memberships are not visible to Acme's members.
        Row("alice", Op::UpdateMember(w.bob_at_birch.id), NOT_FOUND),
        Row("alice", Op::RemoveMember(w.bob_at_birch.id), NOT_FOUND),
        // The other way round.
        Row("bob", Op::UpdateOrganization(w.acme.id), FORBIDDEN),
        Row(
            "bob",
            Op::AddMember {
                organization: w.acme.id,
                user: w.user("bob"),
            },
            FORBIDDEN,
        ),
        Row("bob", Op::UpdateMember(w.amy_at_acme.id), NOT_FOUND),
        Row("bob", Op::RemoveMember(w.amy_at_acme.id), NOT_FOUND),
        Row("zed", Op::UpdateOrganization(w.acme.id), NOT_FOUND),
        Row("zed", Op::UpdateMember(w.alice_at_acme.id), NOT_FOUND),
        Row("zed", Op::RemoveMember(w.alice_at_acme.id), NOT_FOUND),
        Row("olga", Op::UpdateOrganization(w.acme.id), NOT_FOUND),
        Row(
            "olga",
            Op::AddMember {
                organization: w.acme.id,
                user: w.user("olga"),
            },
            NOT_FOUND,
        ),
        // Cohort staff see the members but do not manage them.
        Row("coach", Op::UpdateOrganization(w.birch.id), FORBIDDEN),
        Row(
            "coach",
            Op::AddMember {
                organization: w.birch.id,
                user: amy,
            },
            FORBIDDEN,
        ),
        Row("coach", Op::UpdateMember(w.bob_at_birch.id), FORBIDDEN),
        Row("coach", Op::RemoveMember(w.bob_at_birch.id), FORBIDDEN),
        Row("lena", Op::UpdateMember(w.amy_at_acme.id), FORBIDDEN),
        Row("pat", Op::RemoveMember(w.amy_at_acme.id), FORBIDDEN),
    ])
    .await;

    // Spot-check the rows themselves as well as the snapshots.
    let zenith = organization::Entity::find_by_id(w.zenith.id)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(zenith, w.zenith);
    assert_eq!(w.app.count_rows("membership").await, 8);
}

#[tokio::test]
async fn plain_member_cannot_update_their_organization_or_manage_its_members() {
    let w = World::new().await;
    w.check(&[
        Row("amy", Op::UpdateOrganization(w.acme.id), FORBIDDEN),
        Row(
            "amy",
            Op::AddMember {
                organization: w.acme.id,
                user: w.user("coach"),
            },
            FORBIDDEN,
        ),
        Row("amy", Op::UpdateMember(w.alice_at_acme.id), FORBIDDEN),
        Row("amy", Op::UpdateMember(w.amy_at_acme.id), FORBIDDEN),
        Row("amy", Op::RemoveMember(w.alice_at_acme.id), FORBIDDEN),
        // Alice leads Acme but is a plain member of Annex.
        Row("alice", Op::UpdateOrganization(w.annex.id), FORBIDDEN),
        Row(
            "alice",
            Op::AddMember {
                organization: w.annex.id,
                user: w.user("amy"),
            },
            FORBIDDEN,
        ),
        Row("alice", Op::UpdateMember(w.carol_at_annex.id), FORBIDDEN),
        Row("alice", Op::RemoveMember(w.carol_at_annex.id), FORBIDDEN),
        Row("zoe", Op::UpdateOrganization(w.zenith.id), FORBIDDEN),
        Row("zoe", Op::RemoveMember(w.zed_at_zenith.id), FORBIDDEN),
        // A member may leave.
        Row("amy", Op::RemoveMember(w.amy_at_acme.id), Allowed),
        Row("alice", Op::RemoveMember(w.alice_at_annex.id), Allowed),
    ])
    .await;
    assert_eq!(w.app.count_rows("membership").await, 6);
}

#[tokio::test]
async fn lead_updates_their_organization_and_manages_its_members() {
    let w = World::new().await;
    w.check(&[
        Row("alice", Op::UpdateOrganization(w.acme.id), Allowed),
        // Carol is visible to Alice through Annex.
        Row(
            "alice",
            Op::AddMember {
                organization: w.acme.id,
                user: w.user("carol"),
            },
            Allowed,
        ),
        Row("alice", Op::UpdateMember(w.amy_at_acme.id), Allowed),
        Row("alice", Op::UpdateMember(w.alice_at_acme.id), Allowed),
        Row("alice", Op::RemoveMember(w.amy_at_acme.id), Allowed),
        Row("carol", Op::UpdateOrganization(w.annex.id), Allowed),
        Row("carol", Op::RemoveMember(w.alice_at_annex.id), Allowed),
        Row("admin", Op::UpdateOrganization(w.yarrow.id), Allowed),
        Row("admin", Op::UpdateMember(w.zoe_at_zenith.id), Allowed),
        Row(
            "admin",
            Op::AddMember {
                organization: w.zenith.id,
                user: w.user("olga"),
            },
            Allowed,
        ),
        Row("admin", Op::RemoveMember(w.zoe_at_zenith.id), Allowed),
    ])
    .await;

    let acme = organization::Entity::find_by_id(w.acme.id)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((acme.name.as_str(), acme.version), ("Renamed", 2));
    let amy = membership::Entity::find_by_id(w.amy_at_acme.id)
        .one(&w.app.db)
        .await
        .unwrap();
    assert!(amy.is_none(), "Amy was removed");
    let body = w
        .app
        .graphql(
            w.token("alice"),
            "query($id: ID!) { organization(id: $id) { members { nodes { user { name } role isChampion } } } }",
            json!({ "id": gid(NodeKind::Organization, w.acme.id) }),
        )
        .await;
    assert_eq!(
        body["data"]["organization"]["members"]["nodes"],
        json!([
            { "user": { "name": "alice" }, "role": "LEAD", "isChampion": true },
            { "user": { "name": "carol" }, "role": "MEMBER", "isChampion": false },
        ]),
        "{body}"
    );
}

#[tokio::test]
async fn permission_flags_follow_the_policy() {
    let w = World::new().await;
    // (viewer, organization, viewerCanUpdate, viewerCanManageMembers)
    let organizations = [
        ("admin", &w.acme, true, true),
        ("alice", &w.acme, true, true),
        ("amy", &w.acme, false, false),
        ("alice", &w.annex, false, false),
        ("alice", &w.birch, false, false),
        ("coach", &w.acme, false, false),
        ("lena", &w.acme, false, false),
    ];
    let mut failures = Vec::new();
    for (viewer, org, can_update, can_manage) in organizations {
        let body = w
            .app
            .graphql(
                w.token(viewer),
                "query($id: ID!) { organization(id: $id) { viewerCanUpdate viewerCanManageMembers } }",
                json!({ "id": gid(NodeKind::Organization, org.id) }),
            )
            .await;
        let expected =
            json!({ "viewerCanUpdate": can_update, "viewerCanManageMembers": can_manage });
        if body["data"]["organization"] != expected {
            failures.push(format!(
                "{viewer} on {}: expected {expected}, got {body}",
                org.name
            ));
        }
    }
    // (viewer, cohort, viewerCanManage, viewerCanManageStaff)
    let cohorts = [
        ("admin", &w.alpha, true, true),
        ("lena", &w.alpha, true, true),
        ("coach", &w.alpha, true, false),
        ("pat", &w.alpha, false, false),
        ("alice", &w.alpha, false, false),
        ("coach", &w.beta, false, false),
        ("bert", &w.beta, true, false),
    ];
    for (viewer, cohort, can_manage, can_manage_staff) in cohorts {
        let body = w
            .app
            .graphql(
                w.token(viewer),
                "query($id: ID) { cohort(id: $id) { viewerCanManage viewerCanManageStaff } }",
                json!({ "id": gid(NodeKind::Cohort, cohort.id) }),
            )
            .await;
        let expected =
            json!({ "viewerCanManage": can_manage, "viewerCanManageStaff": can_manage_staff });
        if body["data"]["cohort"] != expected {
            failures.push(format!(
                "{viewer} on {}: expected {expected}, got {body}",
                cohort.slug
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn cohort_coach_manages_their_cohort_but_no_other() {
    let w = World::new().await;
    w.check(&[
        Row("coach", Op::UpdateCohort(w.alpha.id), Allowed),
        // Zenith is visible to the coach through beta, where they present.
        Row(
            "coach",
            Op::EnrollOrganization {
                cohort: w.alpha.id,
                organization: w.zenith.id,
            },
            Allowed,
        ),
        Row(
            "coach",
            Op::WithdrawOrganization {
                cohort: w.alpha.id,
                organization: w.birch.id,
            },
            Allowed,
        ),
        Row(
            "coach",
            Op::EnrollOrganization {
                cohort: w.alpha.id,
                organization: w.birch.id,
            },
            Allowed,
        ),
        // Beta: visible (they present there) but not theirs to manage.
        Row("coach", Op::UpdateCohort(w.beta.id), FORBIDDEN),
        Row(
            "coach",
            Op::EnrollOrganization {
                cohort: w.beta.id,
                organization: w.acme.id,
            },
            FORBIDDEN,
        ),
        Row(
            "coach",
            Op::WithdrawOrganization {
                cohort: w.beta.id,
                organization: w.zenith.id,
            },
            FORBIDDEN,
        ),
        // Gamma: invisible.
        Row("coach", Op::UpdateCohort(w.gamma.id), NOT_FOUND),
        Row(
            "coach",
            Op::EnrollOrganization {
                cohort: w.gamma.id,
                organization: w.acme.id,
            },
            NOT_FOUND,
        ),
        Row(
            "coach",
            Op::WithdrawOrganization {
                cohort: w.gamma.id,
                organization: w.yarrow.id,
            },
            NOT_FOUND,
        ),
        // An organization the coach cannot see cannot be enrolled either.
        Row(
            "coach",
            Op::EnrollOrganization {
                cohort: w.alpha.id,
                organization: w.yarrow.id,
            },
            NOT_FOUND,
        ),
        // The cohort's lead manages it too; beta's coach only beta.
        Row("lena", Op::UpdateCohort(w.alpha.id), Allowed),
        Row(
            "lena",
            Op::WithdrawOrganization {
                cohort: w.alpha.id,
                organization: w.zenith.id,
            },
            Allowed,
        ),
        Row("bert", Op::UpdateCohort(w.beta.id), Allowed),
        Row("bert", Op::UpdateCohort(w.alpha.id), NOT_FOUND),
        Row("gus", Op::UpdateCohort(w.alpha.id), NOT_FOUND),
        Row("admin", Op::UpdateCohort(w.gamma.id), Allowed),
    ])
    .await;

    let alpha = cohort::Entity::find_by_id(w.alpha.id)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alpha.version, 3, "two updates of alpha");
    let gamma = cohort::Entity::find_by_id(w.gamma.id)
        .one(&w.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gamma.version, 2, "only the admin's update of gamma");
}

#[tokio::test]
async fn presenters_and_peers_only_read_a_cohort() {
    let w = World::new().await;
    let mut rows = Vec::new();
    for viewer in ["pat", "alice", "amy"] {
        rows.extend([
            Row(viewer, Op::UpdateCohort(w.alpha.id), FORBIDDEN),
            Row(
                viewer,
                Op::EnrollOrganization {
                    cohort: w.alpha.id,
                    organization: w.acme.id,
                },
                FORBIDDEN,
            ),
            Row(
                viewer,
                Op::WithdrawOrganization {
                    cohort: w.alpha.id,
                    organization: w.birch.id,
                },
                FORBIDDEN,
            ),
            Row(
                viewer,
                Op::AssignCohortStaff {
                    cohort: w.alpha.id,
                    user: w.user("amy"),
                    role: "PRESENTER",
                },
                FORBIDDEN,
            ),
            Row(
                viewer,
                Op::RemoveCohortStaff(w.coach_in_alpha.id),
                FORBIDDEN,
            ),
        ]);
    }
    // The coach presents in beta, so there they only read.
    rows.push(Row("coach", Op::UpdateCohort(w.beta.id), FORBIDDEN));
    w.check(&rows).await;
}

#[tokio::test]
async fn only_cohort_leads_and_admins_assign_staff() {
    let w = World::new().await;
    let amy = w.user("amy");
    w.check(&[
        Row(
            "coach",
            Op::AssignCohortStaff {
                cohort: w.alpha.id,
                user: amy,
                role: "PRESENTER",
            },
            FORBIDDEN,
        ),
        Row("coach", Op::RemoveCohortStaff(w.pat_in_alpha.id), FORBIDDEN),
        Row(
            "coach",
            Op::RemoveCohortStaff(w.coach_in_alpha.id),
            FORBIDDEN,
        ),
        Row(
            "coach",
            Op::AssignCohortStaff {
                cohort: w.alpha.id,
                user: w.user("coach"),
                role: "LEAD",
            },
            FORBIDDEN,
        ),
        Row(
            "bert",
            Op::AssignCohortStaff {
                cohort: w.beta.id,
                user: w.user("zoe"),
                role: "PRESENTER",
            },
            FORBIDDEN,
        ),
        // Alpha's lead does not see beta or gamma.
        Row(
            "lena",
            Op::AssignCohortStaff {
                cohort: w.beta.id,
                user: amy,
                role: "COACH",
            },
            NOT_FOUND,
        ),
        Row("lena", Op::RemoveCohortStaff(w.bert_in_beta.id), NOT_FOUND),
        Row("lena", Op::RemoveCohortStaff(w.gus_in_gamma.id), NOT_FOUND),
        // A lead cannot staff their cohort with someone they cannot see.
        Row(
            "lena",
            Op::AssignCohortStaff {
                cohort: w.alpha.id,
                user: w.user("yan"),
                role: "COACH",
            },
            NOT_FOUND,
        ),
        // Alpha's lead staffs alpha: assign, re-assign, remove.
        Row(
            "lena",
            Op::AssignCohortStaff {
                cohort: w.alpha.id,
                user: amy,
                role: "PRESENTER",
            },
            Allowed,
        ),
        Row(
            "lena",
            Op::AssignCohortStaff {
                cohort: w.alpha.id,
                user: amy,
                role: "COACH",
            },
            Allowed,
        ),
        Row("lena", Op::RemoveCohortStaff(w.pat_in_alpha.id), Allowed),
        Row(
            "admin",
            Op::AssignCohortStaff {
                cohort: w.gamma.id,
                user: w.user("olga"),
                role: "LEAD",
            },
            Allowed,
        ),
        Row("admin", Op::RemoveCohortStaff(w.gus_in_gamma.id), Allowed),
    ])
    .await;

    let staff: Vec<(Uuid, Uuid, StaffRole)> = cohort_staff::Entity::find()
        .all(&w.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.cohort_id, s.user_id, s.role))
        .collect();
    assert!(
        staff.contains(&(w.alpha.id, amy, StaffRole::Coach)),
        "{staff:?}"
    );
    assert!(!staff.iter().any(|s| s.1 == w.user("pat")), "{staff:?}");
    assert!(staff.contains(&(w.gamma.id, w.user("olga"), StaffRole::Lead)));
    assert_eq!(staff.len(), 6, "{staff:?}");
}

#[tokio::test]
async fn only_admins_create_cohorts_and_topics() {
    let w = World::new().await;
    let mut rows = Vec::new();
    for viewer in ["lena", "coach", "pat", "alice", "amy", "olga"] {
        rows.extend([
            Row(viewer, Op::CreateCohort, FORBIDDEN),
            Row(viewer, Op::CreateTopic, FORBIDDEN),
            Row(viewer, Op::UpdateTopic(w.topic.id), FORBIDDEN),
        ]);
    }
    rows.extend([
        Row("admin", Op::CreateCohort, Allowed),
        Row("admin", Op::CreateTopic, Allowed),
        Row("admin", Op::UpdateTopic(w.topic.id), Allowed),
    ]);
    w.check(&rows).await;
    assert_eq!(w.app.count_rows("cohort").await, 4);
    assert_eq!(w.app.count_rows("topic").await, 2);
}

#[tokio::test]
async fn organizations_are_created_by_admins_and_by_managers_of_the_cohort() {
    let w = World::new().await;
    let create = |cohort: Option<&cohort::Model>| Op::CreateOrganization {
        cohort: cohort.map(|c| c.id),
    };
    w.check(&[
        Row("coach", create(None), FORBIDDEN),
        Row("coach", create(Some(&w.beta)), FORBIDDEN),
        Row("coach", create(Some(&w.gamma)), NOT_FOUND),
        Row("pat", create(Some(&w.alpha)), FORBIDDEN),
        Row("alice", create(Some(&w.alpha)), FORBIDDEN),
        Row("alice", create(None), FORBIDDEN),
        Row("olga", create(None), FORBIDDEN),
        Row("olga", create(Some(&w.alpha)), NOT_FOUND),
        Row("admin", create(None), Allowed),
        Row("admin", create(Some(&w.gamma)), Allowed),
        Row("lena", create(Some(&w.alpha)), Allowed),
        Row("coach", create(Some(&w.alpha)), Allowed),
        Row("bert", create(Some(&w.beta)), Allowed),
    ])
    .await;
    assert_eq!(w.app.count_rows("organization").await, 5 + 5);
    // Every one created into a cohort was enrolled in it.
    assert_eq!(w.app.count_rows("enrollment").await, 4 + 4);
}

#[tokio::test]
async fn anonymous_is_unauthenticated_on_every_root_field_but_the_public_ones() {
    let w = World::new().await;
    let org = gid(NodeKind::Organization, w.acme.id);
    let alpha = gid(NodeKind::Cohort, w.alpha.id);
    let topic = w.app.topic("tribal-outreach").await;
    let topic = gid(NodeKind::Topic, topic.id);
    let topics = w.app.count_rows("topic").await;

    // The public root fields: anonymous viewers reach exactly the public objects (topics) and
    // nothing else, not even by ID.
    let public = [
        (
            "node",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": org }),
            json!({ "data": { "node": null }, "code": "NOT_FOUND" }),
        ),
        (
            "node",
            "query($id: ID!) { node(id: $id) { id ... on Topic { name } } }",
            json!({ "id": topic }),
            json!({ "data": { "node": { "id": topic, "name": "tribal outreach" } } }),
        ),
        (
            "nodes",
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [org, alpha, gid(NodeKind::User, w.user("olga")), topic] }),
            json!({ "data": { "nodes": [null, null, null, { "id": topic }] } }),
        ),
        (
            "topics",
            "{ topics { totalCount } }",
            json!({}),
            json!({ "data": { "topics": { "totalCount": topics } } }),
        ),
        (
            "showcase",
            "{ showcase { totalCount nodes { title } } }",
            json!({}),
            json!({ "data": { "showcase": { "totalCount": 0, "nodes": [] } } }),
        ),
    ];
    let mut failures = Vec::new();
    for (field, document, variables, expected) in &public {
        let before = w.app.snapshot().await;
        let body = w.app.graphql(None, document, variables.clone()).await;
        let data = json!({ *field: body["data"][field] });
        let outcome = match error_code(&body) {
            Some(code) => json!({ "data": data, "code": code }),
            None => json!({ "data": data }),
        };
        if outcome != *expected {
            failures.push(format!("{document}: {body}, expected {expected}"));
        } else if before != w.app.snapshot().await {
            failures.push(format!("{document}: changed the database"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // (root field, document): queries, and mutations that have no `Op` of their own. The
    // documents may use the variables below.
    let documents = [
        ("viewer", "{ viewer { name } }"),
        ("organizations", "{ organizations { totalCount } }"),
        (
            "organization",
            "query($id: ID!) { organization(id: $id) { name } }",
        ),
        ("cohorts", "{ cohorts { totalCount } }"),
        (
            "cohort",
            "query($cohort: ID) { cohort(id: $cohort) { slug } }",
        ),
        ("cohort", "{ cohort(slug: \"alpha\") { slug } }"),
        ("invitations", "{ invitations { totalCount } }"),
        (
            "createInvitation",
            "mutation($id: ID) { createInvitation(input: { email: \"new@example.org\", organizationId: $id, membershipRole: MEMBER, profession: NURSE }) { userErrors { code } } }",
        ),
        (
            "revokeInvitation",
            "mutation($invitation: ID!) { revokeInvitation(input: { id: $invitation }) { userErrors { code } } }",
        ),
        (
            "createPersonalAccessToken",
            "mutation { createPersonalAccessToken(input: { name: \"script\" }) { token userErrors { code } } }",
        ),
        (
            "revokeAccessToken",
            "mutation($token: ID!) { revokeAccessToken(input: { id: $token }) { userErrors { code } } }",
        ),
        (
            "revokeSession",
            "mutation($session: ID!) { revokeSession(input: { id: $session }) { userErrors { code } } }",
        ),
        (
            "unlinkIdentity",
            "mutation($identity: ID!) { unlinkIdentity(input: { id: $identity }) { userErrors { code } } }",
        ),
        (
            "deactivateUser",
            "mutation($user: ID!) { deactivateUser(input: { id: $user }) { userErrors { code } } }",
        ),
        (
            "reactivateUser",
            "mutation($user: ID!) { reactivateUser(input: { id: $user }) { userErrors { code } } }",
        ),
        (
            "milestone",
            "query($milestone: ID!) { milestone(id: $milestone) { title } }",
        ),
        (
            "createMilestone",
            "mutation($cohort: ID!, $id: ID!) { createMilestone(input: { cohortId: $cohort, organizationId: $id, title: \"Win\" }) { userErrors { code } } }",
        ),
        (
            "updateMilestone",
            "mutation($milestone: ID!) { updateMilestone(input: { id: $milestone, expectedVersion: 1, title: \"Win\" }) { userErrors { code } } }",
        ),
        (
            "addMilestoneProgress",
            "mutation($milestone: ID!) { addMilestoneProgress(input: { milestoneId: $milestone, expectedVersion: 1, note: \"Done\" }) { userErrors { code } } }",
        ),
        (
            "reviewMilestone",
            "mutation($milestone: ID!) { reviewMilestone(input: { id: $milestone, expectedVersion: 1, decision: VERIFY }) { userErrors { code } } }",
        ),
        (
            "consentToShowcase",
            "mutation($milestone: ID!) { consentToShowcase(input: { id: $milestone, expectedVersion: 1 }) { userErrors { code } } }",
        ),
        (
            "approveShowcase",
            "mutation($milestone: ID!) { approveShowcase(input: { id: $milestone, expectedVersion: 1 }) { userErrors { code } } }",
        ),
        (
            "withdrawFromShowcase",
            "mutation($milestone: ID!) { withdrawFromShowcase(input: { id: $milestone }) { userErrors { code } } }",
        ),
        (
            "addMilestoneComment",
            "mutation($milestone: ID!) { addMilestoneComment(input: { milestoneId: $milestone, body: \"Hi\" }) { userErrors { code } } }",
        ),
        (
            "giveKudos",
            "mutation($milestone: ID!) { giveKudos(input: { milestoneId: $milestone }) { userErrors { code } } }",
        ),
        (
            "withdrawKudos",
            "mutation($milestone: ID!) { withdrawKudos(input: { milestoneId: $milestone }) { userErrors { code } } }",
        ),
        (
            "event",
            "query($event: ID!) { event(id: $event) { title } }",
        ),
        ("events", "{ events { totalCount } }"),
        ("notifications", "{ notifications { totalCount } }"),
        ("calendarFeeds", "{ calendarFeeds { totalCount } }"),
        (
            "createEvent",
            "mutation($cohort: ID!) { createEvent(input: { cohortId: $cohort, kind: WEBINAR, title: \"Webinar\", startsAt: \"2030-01-01T17:00:00Z\", timeZone: \"America/Denver\", durationMinutes: 60 }) { userErrors { code } } }",
        ),
        (
            "updateEvent",
            "mutation($event: ID!) { updateEvent(input: { id: $event, expectedVersion: 1, title: \"Webinar\" }) { userErrors { code } } }",
        ),
        (
            "cancelEvent",
            "mutation($event: ID!) { cancelEvent(input: { id: $event }) { userErrors { code } } }",
        ),
        (
            "registerForEvent",
            "mutation($event: ID!) { registerForEvent(input: { eventId: $event }) { userErrors { code } } }",
        ),
        (
            "cancelRegistration",
            "mutation($event: ID!) { cancelRegistration(input: { eventId: $event }) { userErrors { code } } }",
        ),
        (
            "recordAttendance",
            "mutation($event: ID!, $user: ID!) { recordAttendance(input: { eventId: $event, userId: $user, minutes: 30, reason: \"Roster\" }) { userErrors { code } } }",
        ),
        (
            "checkIn",
            "mutation($event: ID!) { checkIn(input: { eventId: $event }) { userErrors { code } } }",
        ),
        (
            "importAttendance",
            "mutation($event: ID!) { importAttendance(input: { eventId: $event, report: \"Name,Duration\\nA,1\" }) { userErrors { code } } }",
        ),
        (
            "createCalendarFeed",
            "mutation { createCalendarFeed(input: {}) { path userErrors { code } } }",
        ),
        (
            "revokeCalendarFeed",
            "mutation($feed: ID!) { revokeCalendarFeed(input: { id: $feed }) { userErrors { code } } }",
        ),
        (
            "markNotificationsRead",
            "mutation { markNotificationsRead(input: {}) { marked userErrors { code } } }",
        ),
        (
            "addResource",
            "mutation($cohort: ID!) { addResource(input: { cohortId: $cohort, kind: LINK, title: \"Guide\", url: \"https://example.org\" }) { userErrors { code } } }",
        ),
        (
            "updateResource",
            "mutation($resource: ID!) { updateResource(input: { id: $resource, expectedVersion: 1, title: \"Guide\" }) { userErrors { code } } }",
        ),
        (
            "removeResource",
            "mutation($resource: ID!) { removeResource(input: { id: $resource }) { userErrors { code } } }",
        ),
        (
            "createBreakoutGroup",
            "mutation($event: ID!) { createBreakoutGroup(input: { eventId: $event, name: \"Group\" }) { userErrors { code } } }",
        ),
        (
            "updateBreakoutGroup",
            "mutation($group: ID!) { updateBreakoutGroup(input: { id: $group, expectedVersion: 1, name: \"Group\" }) { userErrors { code } } }",
        ),
        (
            "removeBreakoutGroup",
            "mutation($group: ID!) { removeBreakoutGroup(input: { id: $group }) { userErrors { code } } }",
        ),
        (
            "createBreakoutGroupsFromRun",
            "mutation($event: ID!, $run: ID!) { createBreakoutGroupsFromRun(input: { eventId: $event, runId: $run }) { userErrors { code } } }",
        ),
        (
            "createActionItem",
            "mutation($event: ID!, $id: ID!) { createActionItem(input: { eventId: $event, organizationId: $id, title: \"Do\" }) { userErrors { code } } }",
        ),
        (
            "updateActionItem",
            "mutation($item: ID!) { updateActionItem(input: { id: $item, expectedVersion: 1, done: true }) { userErrors { code } } }",
        ),
        (
            "matchingRun",
            "query($run: ID!) { matchingRun(id: $run) { status } }",
        ),
        (
            "submitAssessment",
            "mutation($id: ID!) { submitAssessment(input: { organizationId: $id, ratings: [] }) { userErrors { code } } }",
        ),
        (
            "createMatchingRun",
            "mutation($cohort: ID!) { createMatchingRun(input: { cohortId: $cohort, mode: PEER_PAIRS }) { userErrors { code } } }",
        ),
        (
            "removeProposedMatch",
            "mutation($match: ID!) { removeProposedMatch(input: { matchId: $match, expectedVersion: 1 }) { userErrors { code } } }",
        ),
        (
            "addManualMatch",
            "mutation($run: ID!, $id: ID!) { addManualMatch(input: { runId: $run, expectedVersion: 1, organizationIds: [$id, $id] }) { userErrors { code } } }",
        ),
        (
            "swapMatchedOrganizations",
            "mutation($run: ID!) { swapMatchedOrganizations(input: { runId: $run, expectedVersion: 1, participantIds: [] }) { userErrors { code } } }",
        ),
        (
            "publishMatchingRun",
            "mutation($run: ID!) { publishMatchingRun(input: { id: $run, expectedVersion: 1 }) { userErrors { code } } }",
        ),
        (
            "discardMatchingRun",
            "mutation($run: ID!) { discardMatchingRun(input: { id: $run, expectedVersion: 1 }) { userErrors { code } } }",
        ),
        (
            "respondToMatch",
            "mutation($match: ID!, $id: ID!) { respondToMatch(input: { matchId: $match, organizationId: $id, answer: ACCEPT }) { userErrors { code } } }",
        ),
        (
            "logMatchContact",
            "mutation($match: ID!) { logMatchContact(input: { matchId: $match, note: \"Call\" }) { userErrors { code } } }",
        ),
        (
            "completeMatch",
            "mutation($match: ID!) { completeMatch(input: { matchId: $match }) { userErrors { code } } }",
        ),
        (
            "rateMatch",
            "mutation($match: ID!, $id: ID!) { rateMatch(input: { matchId: $match, organizationId: $id, rating: 5 }) { userErrors { code } } }",
        ),
    ];
    let variables = json!({
        "id": org,
        "ids": [org],
        "cohort": alpha,
        "user": gid(NodeKind::User, w.user("olga")),
        "invitation": gid(NodeKind::Invitation, Uuid::now_v7()),
        "token": gid(NodeKind::AccessToken, Uuid::now_v7()),
        "session": gid(NodeKind::Session, Uuid::now_v7()),
        "identity": gid(NodeKind::Identity, Uuid::now_v7()),
        "milestone": gid(NodeKind::Milestone, Uuid::now_v7()),
        "event": gid(NodeKind::Event, Uuid::now_v7()),
        "feed": gid(NodeKind::CalendarFeed, Uuid::now_v7()),
        "resource": gid(NodeKind::Resource, Uuid::now_v7()),
        "group": gid(NodeKind::BreakoutGroup, Uuid::now_v7()),
        "item": gid(NodeKind::ActionItem, Uuid::now_v7()),
        "run": gid(NodeKind::MatchingRun, Uuid::now_v7()),
        "match": gid(NodeKind::PeerMatch, Uuid::now_v7()),
    });
    for (_, document) in documents {
        let before = w.app.snapshot().await;
        let before_tokens = w.app.count_rows("access_token").await;
        let body = w.app.graphql(None, document, variables.clone()).await;
        if error_code(&body) != Some("UNAUTHENTICATED") || !body["data"].is_null() {
            failures.push(format!("{document}: {body}"));
        } else if w.app.count_rows("access_token").await != before_tokens {
            failures.push(format!("{document}: changed the access tokens"));
        } else if before != w.app.snapshot().await {
            failures.push(format!("{document}: changed the database"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let ops = every_mutation(&w);
    let rows: Vec<Row> = ops
        .iter()
        .map(|op| Row("anonymous", *op, UNAUTHENTICATED))
        .collect();
    w.check(&rows).await;

    // Every root field of the schema has a row above: a new field fails here until it gets one.
    let body = w
        .app
        .graphql(
            w.token("olga"),
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut covered: Vec<&str> = documents.iter().map(|(name, _)| *name).collect();
    covered.extend(public.iter().map(|(name, ..)| *name));
    for op in &ops {
        covered.push(op.input(&w.app).await.0);
    }
    let missing: Vec<&str> = ["queryType", "mutationType"]
        .into_iter()
        .flat_map(|kind| {
            body["data"]["__schema"][kind]["fields"]
                .as_array()
                .unwrap_or_else(|| panic!("no {kind} in {body}"))
        })
        .map(|f| f["name"].as_str().unwrap())
        .filter(|name| !covered.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "root fields without an anonymous row: {missing:?}; add a document for each to this test"
    );
}

#[tokio::test]
async fn anonymous_is_unauthenticated_before_its_input_is_checked() {
    let w = World::new().await;
    let mut failures = Vec::new();
    for (query, variables) in [
        (
            "query($id: ID!) { organization(id: $id) { name } }",
            json!({ "id": "not-an-id" }),
        ),
        (
            "mutation($id: ID!) { updateOrganization(input: { id: $id, expectedVersion: 1, name: \"x\" }) { userErrors { code } } }",
            json!({ "id": "not-an-id" }),
        ),
        (
            "mutation($id: ID!) { removeMember(input: { id: $id }) { userErrors { code } } }",
            json!({ "id": gid(NodeKind::Cohort, w.alpha.id) }),
        ),
        (
            "mutation($id: ID!) { createOrganization(input: { name: \"x\", kind: CLINIC, cohortId: $id }) { userErrors { code } } }",
            json!({ "id": "not-an-id" }),
        ),
    ] {
        let before = w.app.snapshot().await;
        let body = w.app.graphql(None, query, variables).await;
        if error_code(&body) != Some("UNAUTHENTICATED") {
            failures.push(format!("{query}: {body}"));
        }
        assert_eq!(
            before,
            w.app.snapshot().await,
            "{query} changed the database"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn email_is_visible_only_to_the_user_and_admins() {
    let w = World::new().await;
    // (viewer, whose email, visible)
    let rows = [
        ("alice", "alice", true),
        ("alice", "amy", false),
        ("alice", "carol", false),
        ("alice", "coach", false),
        ("coach", "bob", false),
        ("lena", "bob", false),
        ("admin", "amy", true),
        ("admin", "olga", true),
    ];
    let mut failures = Vec::new();
    for (viewer, subject, visible) in rows {
        let body = w
            .app
            .graphql(
                w.token(viewer),
                "query($id: ID!) { node(id: $id) { ... on User { name email } } }",
                json!({ "id": gid(NodeKind::User, w.user(subject)) }),
            )
            .await;
        let expected = if visible {
            json!(w.users[subject].0.email)
        } else {
            Value::Null
        };
        let user = &body["data"]["node"];
        if user["name"] != subject || user["email"] != expected {
            failures.push(format!(
                "{viewer} -> {subject}'s email: expected {expected}, got {body}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_visible_users_other_memberships_stay_hidden() {
    let w = World::new().await;
    // Amy also belongs to Zenith, which Alice cannot see.
    let zenith = w.zenith.clone();
    let (amy, _) = w.users["amy"].clone();
    w.app.member(&zenith, &amy, MembershipRole::Member).await;
    // (viewer, the organizations of Amy's memberships they see)
    let rows: [(&str, &[&str]); 5] = [
        ("alice", &["Acme"]),
        ("amy", &["Acme", "Zenith"]),
        ("coach", &["Acme", "Zenith"]),
        ("zed", &["Zenith"]),
        ("admin", &["Acme", "Zenith"]),
    ];
    let mut failures = Vec::new();
    for (viewer, expected) in rows {
        let body = w
            .app
            .graphql(
                w.token(viewer),
                "query($id: ID!) { node(id: $id) { ... on User {
                    memberships { totalCount nodes { organization { name } } }
                } } }",
                json!({ "id": gid(NodeKind::User, amy.id) }),
            )
            .await;
        let memberships = &body["data"]["node"]["memberships"];
        let names: Vec<&str> = memberships["nodes"]
            .as_array()
            .map(|nodes| {
                nodes
                    .iter()
                    .filter_map(|m| m["organization"]["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        if names != expected || memberships["totalCount"] != expected.len() {
            failures.push(format!("{viewer}: expected {expected:?}, got {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_relation_a_viewer_can_reach_resolves() {
    // Visibility is closed under the schema's relations: following any edge from something
    // the viewer sees never runs into a hidden object (which would null out the response).
    let w = World::new().await;
    const QUERY: &str = "{
        viewer { memberships(first: 5) { nodes { organization {
            enrollments(first: 5) { nodes { cohort { slug } } }
            members(first: 5) { nodes { user { memberships(first: 5) { nodes { organization { name } } } } } }
        } } } }
        cohorts(first: 5) { nodes {
            enrollments(first: 5) { nodes { organization {
                members(first: 5) { nodes { user { name } organization { name } } }
                enrollments(first: 5) { nodes { cohort { slug } } }
            } } }
            staff(first: 5) { nodes { cohort { slug } user { memberships(first: 5) { nodes { organization { name } } } } } }
        } }
        organizations(first: 5) { nodes {
            members(first: 5) { nodes { user { name } } }
            enrollments(first: 5) { nodes { organization { name } cohort { staff(first: 5) { nodes { user { name } } } } } }
        } }
    }";
    let mut failures = Vec::new();
    for (viewer, _) in USERS {
        let body = w.app.graphql(w.token(viewer), QUERY, json!({})).await;
        if body.get("errors").is_some() || body["data"].is_null() {
            failures.push(format!("{viewer}: {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
