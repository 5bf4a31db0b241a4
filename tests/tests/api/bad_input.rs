//! Bad input gets its documented error and changes nothing: fixable problems come back as
//! `userErrors` on the offending field, everything else as a top-level error with a stable
//! code.

use chrono::NaiveDate;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use entity::{cohort, organization};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

/// An admin's token and a few rows to aim bad input at: Acme (lead Lee, member Max), cohorts
/// `alpha` (Acme enrolled, Sam on staff) and `beta`, topics `billing` and `screening`.
struct Fixture {
    app: TestApp,
    admin: String,
    lee: (entity::user::Model, String),
    max: entity::user::Model,
    acme: organization::Model,
    lee_at_acme: entity::membership::Model,
    max_at_acme: entity::membership::Model,
    alpha: cohort::Model,
    sam_in_alpha: entity::cohort_staff::Model,
    billing: entity::topic::Model,
}

impl Fixture {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let (_, admin) = app.admin().await;
        let lee = app.user("Lee", UserRole::User).await;
        let (max, _) = app.user("Max", UserRole::User).await;
        let (sam, _) = app.user("Sam", UserRole::User).await;
        let acme = app.organization("Acme").await;
        let lee_at_acme = app.member(&acme, &lee.0, MembershipRole::Lead).await;
        let max_at_acme = app.member(&acme, &max, MembershipRole::Member).await;
        let alpha = app.cohort("alpha").await;
        app.cohort("beta").await;
        app.enroll(&alpha, &acme).await;
        let sam_in_alpha = app
            .staff(&alpha, &sam, entity::cohort_staff::StaffRole::Coach)
            .await;
        let billing = app.topic("billing").await;
        app.topic("screening").await;
        Self {
            app,
            admin,
            lee,
            max,
            acme,
            lee_at_acme,
            max_at_acme,
            alpha,
            sam_in_alpha,
            billing,
        }
    }

    /// Runs `field(input: $input) { <object> { id } userErrors { ... } }` as `token`.
    async fn mutate(&self, token: &str, field: &str, input: Value) -> Value {
        let (input_type, object) = payload_of(field);
        let object = object.map(|o| format!("{o} {{ id }}")).unwrap_or_default();
        let query = format!(
            "mutation($input: {input_type}!) {{ {field}(input: $input) {{ {object} userErrors {{ field message code }} }} }}"
        );
        self.app
            .graphql(Some(token), &query, json!({ "input": input }))
            .await
    }

    /// Runs `query` as `token`, asserting the database did not change; returns the body.
    async fn unchanged(&self, token: &str, query: &str, variables: Value) -> Value {
        let before = self.app.snapshot().await;
        let body = self.app.graphql(Some(token), query, variables).await;
        assert_eq!(
            before,
            self.app.snapshot().await,
            "{query} changed the database: {body}"
        );
        body
    }
}

/// The input type and the payload's object field of each mutation.
fn payload_of(field: &str) -> (&'static str, Option<&'static str>) {
    match field {
        "createOrganization" => ("CreateOrganizationInput", Some("organization")),
        "updateOrganization" => ("UpdateOrganizationInput", Some("organization")),
        "addMember" => ("AddMemberInput", Some("membership")),
        "updateMember" => ("UpdateMemberInput", Some("membership")),
        "removeMember" => ("RemoveMemberInput", None),
        "createCohort" => ("CreateCohortInput", Some("cohort")),
        "updateCohort" => ("UpdateCohortInput", Some("cohort")),
        "enrollOrganization" | "withdrawOrganization" => ("EnrollmentInput", Some("enrollment")),
        "assignCohortStaff" => ("AssignCohortStaffInput", Some("staff")),
        "removeCohortStaff" => ("RemoveCohortStaffInput", None),
        "createTopic" => ("CreateTopicInput", Some("topic")),
        "updateTopic" => ("UpdateTopicInput", Some("topic")),
        other => panic!("unknown mutation {other}"),
    }
}

/// One rejected input: a label, the mutation, the input and the expected user errors as
/// `(code, field path joined by dots)`, for example `("BLANK", "input.name")`.
struct Rejected(
    &'static str,
    &'static str,
    Value,
    Vec<(&'static str, &'static str)>,
);

/// Runs every row as `token`: each must come back with exactly the expected `userErrors`,
/// no object, no top-level error, and leave the database as it was.
async fn check_rejected(f: &Fixture, token: &str, rows: Vec<Rejected>) {
    let mut failures = Vec::new();
    let count = rows.len();
    for Rejected(label, field, input, expected) in rows {
        let before = f.app.snapshot().await;
        let body = f.mutate(token, field, input).await;
        let after = f.app.snapshot().await;
        let payload = &body["data"][field];
        let got: Vec<(Value, Value)> = payload["userErrors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| (e["code"].clone(), e["field"].clone()))
                    .collect()
            })
            .unwrap_or_default();
        let expected: Vec<(Value, Value)> = expected
            .iter()
            .map(|(code, path)| (json!(code), json!(path.split('.').collect::<Vec<_>>())))
            .collect();
        let object = payload_of(field).1;
        if body.get("errors").is_some() {
            failures.push(format!("{label}: expected userErrors, got {body}"));
        } else if got != expected {
            failures.push(format!("{label}: expected {}, got {body}", json!(expected)));
        } else if object.is_some_and(|o| !payload[o].is_null()) {
            failures.push(format!("{label}: the payload carries an object: {body}"));
        } else if payload["userErrors"].as_array().is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e["message"].as_str().is_none_or(str::is_empty))
        }) {
            failures.push(format!("{label}: a user error has no message: {body}"));
        } else if before != after {
            failures.push(format!("{label}: changed the database"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A top-level failure: a label, the document, its variables and the expected code.
struct Fails(String, String, Value, &'static str);

/// Runs every row as `token`: each must fail with the expected code, no data, and leave the
/// database as it was.
async fn check_fails(f: &Fixture, token: &str, rows: Vec<Fails>) {
    let mut failures = Vec::new();
    let count = rows.len();
    for Fails(label, query, variables, code) in rows {
        let before = f.app.snapshot().await;
        let body = f.app.graphql(Some(token), &query, variables).await;
        let after = f.app.snapshot().await;
        if error_code(&body) != Some(code) {
            failures.push(format!("{label}: expected {code}, got {body}"));
        } else if !body["data"].is_null() {
            failures.push(format!("{label}: expected no data, got {body}"));
        } else if before != after {
            failures.push(format!(
                "{label}: failed with {code} but changed the database"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn org_id(f: &Fixture) -> String {
    gid(NodeKind::Organization, f.acme.id)
}

fn alpha_id(f: &Fixture) -> String {
    gid(NodeKind::Cohort, f.alpha.id)
}

#[tokio::test]
async fn blank_names_are_rejected_as_blank() {
    let f = Fixture::new().await;
    let mut rows = Vec::new();
    for blank in ["", "   ", "\t\n"] {
        rows.extend([
            Rejected(
                "createOrganization",
                "createOrganization",
                json!({ "name": blank, "kind": "CLINIC" }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "updateOrganization",
                "updateOrganization",
                json!({ "id": org_id(&f), "expectedVersion": 1, "name": blank }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "createCohort",
                "createCohort",
                json!({ "slug": "gamma", "name": blank }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "updateCohort",
                "updateCohort",
                json!({ "id": alpha_id(&f), "expectedVersion": 1, "name": blank }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "createTopic",
                "createTopic",
                json!({ "slug": "ehr", "name": blank }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "updateTopic",
                "updateTopic",
                json!({ "id": gid(NodeKind::Topic, f.billing.id), "expectedVersion": 1, "name": blank }),
                vec![("BLANK", "input.name")],
            ),
            Rejected(
                "createCohort with a blank slug",
                "createCohort",
                json!({ "slug": blank, "name": "Gamma" }),
                vec![("BLANK", "input.slug")],
            ),
        ]);
    }
    check_rejected(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn over_long_text_is_rejected_as_too_long() {
    let f = Fixture::new().await;
    let topic = gid(NodeKind::Topic, f.billing.id);
    let rows = vec![
        Rejected(
            "organization name of 201 characters",
            "createOrganization",
            json!({ "name": "n".repeat(201), "kind": "CLINIC" }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "organization name of 201 multi-byte characters",
            "createOrganization",
            json!({ "name": "é".repeat(201), "kind": "CLINIC" }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "renaming an organization to 201 characters",
            "updateOrganization",
            json!({ "id": org_id(&f), "expectedVersion": 1, "name": "n".repeat(201) }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "region of 101 characters",
            "createOrganization",
            json!({ "name": "Acme", "kind": "CLINIC", "region": "r".repeat(101) }),
            vec![("TOO_LONG", "input.region")],
        ),
        Rejected(
            "changing the region to 101 characters",
            "updateOrganization",
            json!({ "id": org_id(&f), "expectedVersion": 1, "region": "r".repeat(101) }),
            vec![("TOO_LONG", "input.region")],
        ),
        Rejected(
            "cohort name of 201 characters",
            "createCohort",
            json!({ "slug": "gamma", "name": "n".repeat(201) }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "renaming a cohort to 201 characters",
            "updateCohort",
            json!({ "id": alpha_id(&f), "expectedVersion": 1, "name": "n".repeat(201) }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "cohort description of 5001 characters",
            "createCohort",
            json!({ "slug": "gamma", "name": "Gamma", "description": "d".repeat(5001) }),
            vec![("TOO_LONG", "input.description")],
        ),
        Rejected(
            "slug of 65 characters",
            "createCohort",
            json!({ "slug": "s".repeat(65), "name": "Gamma" }),
            vec![("TOO_LONG", "input.slug")],
        ),
        Rejected(
            "topic name of 101 characters",
            "createTopic",
            json!({ "slug": "ehr", "name": "n".repeat(101) }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "renaming a topic to 101 characters",
            "updateTopic",
            json!({ "id": topic, "expectedVersion": 1, "name": "n".repeat(101) }),
            vec![("TOO_LONG", "input.name")],
        ),
        Rejected(
            "topic description of 2001 characters",
            "createTopic",
            json!({ "slug": "ehr", "name": "EHR", "description": "d".repeat(2001) }),
            vec![("TOO_LONG", "input.description")],
        ),
    ];
    check_rejected(&f, &f.admin, rows).await;

    // The limits themselves are allowed.
    let body = f
        .mutate(
            &f.admin,
            "createOrganization",
            json!({ "name": "n".repeat(200), "kind": "CLINIC", "region": "r".repeat(100) }),
        )
        .await;
    assert_eq!(
        body["data"]["createOrganization"]["userErrors"],
        json!([]),
        "{body}"
    );
    let body = f
        .mutate(
            &f.admin,
            "createTopic",
            json!({ "slug": "s".repeat(64), "name": "n".repeat(100) }),
        )
        .await;
    assert_eq!(
        body["data"]["createTopic"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_and_taken_slugs_are_rejected() {
    let f = Fixture::new().await;
    let topic = gid(NodeKind::Topic, f.billing.id);
    let mut rows = Vec::new();
    for slug in [
        "Bad Slug",
        "UPPER",
        "double--hyphen",
        "-leading",
        "trailing-",
        "under_score",
        "dot.ted",
        "ünïcode",
        "-",
    ] {
        rows.extend([
            Rejected(
                "createCohort",
                "createCohort",
                json!({ "slug": slug, "name": "Gamma" }),
                vec![("INVALID", "input.slug")],
            ),
            Rejected(
                "updateCohort",
                "updateCohort",
                json!({ "id": alpha_id(&f), "expectedVersion": 1, "slug": slug }),
                vec![("INVALID", "input.slug")],
            ),
            Rejected(
                "createTopic",
                "createTopic",
                json!({ "slug": slug, "name": "EHR" }),
                vec![("INVALID", "input.slug")],
            ),
            Rejected(
                "updateTopic",
                "updateTopic",
                json!({ "id": topic, "expectedVersion": 1, "slug": slug }),
                vec![("INVALID", "input.slug")],
            ),
        ]);
    }
    rows.extend([
        Rejected(
            "a new cohort with a taken slug",
            "createCohort",
            json!({ "slug": "alpha", "name": "Another alpha" }),
            vec![("TAKEN", "input.slug")],
        ),
        Rejected(
            "a new cohort with a taken slug, padded",
            "createCohort",
            json!({ "slug": " beta ", "name": "Another beta" }),
            vec![("TAKEN", "input.slug")],
        ),
        Rejected(
            "a cohort renamed to another's slug",
            "updateCohort",
            json!({ "id": alpha_id(&f), "expectedVersion": 1, "slug": "beta" }),
            vec![("TAKEN", "input.slug")],
        ),
        Rejected(
            "a new topic with a taken slug",
            "createTopic",
            json!({ "slug": "billing", "name": "Billing again" }),
            vec![("TAKEN", "input.slug")],
        ),
        Rejected(
            "a topic renamed to another's slug",
            "updateTopic",
            json!({ "id": topic, "expectedVersion": 1, "slug": "screening" }),
            vec![("TAKEN", "input.slug")],
        ),
    ]);
    check_rejected(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn unknown_time_zones_are_rejected_as_invalid() {
    let f = Fixture::new().await;
    let mut rows = Vec::new();
    for zone in ["Mars/Olympus", "Denver", "GMT+25", "America/Denver/Extra"] {
        rows.extend([
            Rejected(
                "createOrganization",
                "createOrganization",
                json!({ "name": "Acme", "kind": "CLINIC", "timeZone": zone }),
                vec![("INVALID", "input.timeZone")],
            ),
            Rejected(
                "updateOrganization",
                "updateOrganization",
                json!({ "id": org_id(&f), "expectedVersion": 1, "timeZone": zone }),
                vec![("INVALID", "input.timeZone")],
            ),
        ]);
    }
    check_rejected(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn a_cohort_cannot_end_before_it_starts() {
    let f = Fixture::new().await;
    // Alpha already has dates; changing only one of them is checked against the other.
    let mut alpha: cohort::ActiveModel = f.alpha.clone().into();
    alpha.starts_on = Set(NaiveDate::from_ymd_opt(2026, 3, 1));
    alpha.ends_on = Set(NaiveDate::from_ymd_opt(2026, 12, 31));
    alpha.update(&f.app.db).await.unwrap();

    let rows = vec![
        Rejected(
            "a new cohort ending the day before it starts",
            "createCohort",
            json!({ "slug": "gamma", "name": "Gamma", "startsOn": "2026-06-01", "endsOn": "2026-05-31" }),
            vec![("INVALID", "input.endsOn")],
        ),
        Rejected(
            "both dates changed the wrong way round",
            "updateCohort",
            json!({ "id": alpha_id(&f), "expectedVersion": 1, "startsOn": "2027-01-01", "endsOn": "2026-01-01" }),
            vec![("INVALID", "input.endsOn")],
        ),
        Rejected(
            "the end moved before the stored start",
            "updateCohort",
            json!({ "id": alpha_id(&f), "expectedVersion": 1, "endsOn": "2026-02-28" }),
            vec![("INVALID", "input.endsOn")],
        ),
        Rejected(
            "the start moved after the stored end",
            "updateCohort",
            json!({ "id": alpha_id(&f), "expectedVersion": 1, "startsOn": "2027-01-01" }),
            vec![("INVALID", "input.endsOn")],
        ),
    ];
    check_rejected(&f, &f.admin, rows).await;

    // A one-day cohort is fine.
    let body = f
        .mutate(
            &f.admin,
            "createCohort",
            json!({ "slug": "gamma", "name": "Gamma", "startsOn": "2026-06-01", "endsOn": "2026-06-01" }),
        )
        .await;
    assert_eq!(
        body["data"]["createCohort"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test]
async fn every_problem_of_an_input_is_reported_at_once() {
    let f = Fixture::new().await;
    check_rejected(
        &f,
        &f.admin,
        vec![
            Rejected(
                "a cohort with a bad slug, a blank name and reversed dates",
                "createCohort",
                json!({ "slug": "Bad Slug", "name": " ", "startsOn": "2026-06-01", "endsOn": "2026-01-01" }),
                vec![
                    ("INVALID", "input.slug"),
                    ("BLANK", "input.name"),
                    ("INVALID", "input.endsOn"),
                ],
            ),
            Rejected(
                "an organization with a long name, a long region and a bad zone",
                "createOrganization",
                json!({ "name": "n".repeat(201), "kind": "CLINIC", "region": "r".repeat(101), "timeZone": "Nowhere/Land" }),
                vec![
                    ("TOO_LONG", "input.name"),
                    ("TOO_LONG", "input.region"),
                    ("INVALID", "input.timeZone"),
                ],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let f = Fixture::new().await;
    let ghost = Uuid::now_v7();
    let org = org_id(&f);
    let alpha = alpha_id(&f);
    let user = gid(NodeKind::User, f.max.id);
    let never_enrolled = f.app.organization("Never enrolled").await;
    let mutation = |field: &str, input: Value| {
        let (input_type, _) = payload_of(field);
        Fails(
            format!("{field} {input}"),
            format!(
                "mutation($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ code }} }} }}"
            ),
            json!({ "input": input }),
            "NOT_FOUND",
        )
    };
    let query = |label: &str, query: &str, id: String| {
        Fails(
            label.to_owned(),
            query.to_owned(),
            json!({ "id": id }),
            "NOT_FOUND",
        )
    };
    let rows = vec![
        mutation(
            "createOrganization",
            json!({ "name": "Acme", "kind": "CLINIC", "cohortId": gid(NodeKind::Cohort, ghost) }),
        ),
        mutation(
            "updateOrganization",
            json!({ "id": gid(NodeKind::Organization, ghost), "expectedVersion": 1, "name": "Ghost" }),
        ),
        mutation(
            "addMember",
            json!({ "organizationId": gid(NodeKind::Organization, ghost), "userId": user, "profession": "NURSE" }),
        ),
        mutation(
            "addMember",
            json!({ "organizationId": org, "userId": gid(NodeKind::User, ghost), "profession": "NURSE" }),
        ),
        mutation(
            "updateMember",
            json!({ "id": gid(NodeKind::Membership, ghost), "expectedVersion": 1, "isChampion": true }),
        ),
        mutation(
            "removeMember",
            json!({ "id": gid(NodeKind::Membership, ghost) }),
        ),
        mutation(
            "updateCohort",
            json!({ "id": gid(NodeKind::Cohort, ghost), "expectedVersion": 1, "name": "Ghost" }),
        ),
        mutation(
            "enrollOrganization",
            json!({ "cohortId": gid(NodeKind::Cohort, ghost), "organizationId": org }),
        ),
        mutation(
            "enrollOrganization",
            json!({ "cohortId": alpha, "organizationId": gid(NodeKind::Organization, ghost) }),
        ),
        mutation(
            "withdrawOrganization",
            json!({ "cohortId": gid(NodeKind::Cohort, ghost), "organizationId": org }),
        ),
        mutation(
            "withdrawOrganization",
            json!({ "cohortId": alpha, "organizationId": gid(NodeKind::Organization, ghost) }),
        ),
        mutation(
            "withdrawOrganization",
            json!({ "cohortId": alpha, "organizationId": gid(NodeKind::Organization, never_enrolled.id) }),
        ),
        mutation(
            "assignCohortStaff",
            json!({ "cohortId": gid(NodeKind::Cohort, ghost), "userId": user, "role": "COACH" }),
        ),
        mutation(
            "assignCohortStaff",
            json!({ "cohortId": alpha, "userId": gid(NodeKind::User, ghost), "role": "COACH" }),
        ),
        mutation(
            "removeCohortStaff",
            json!({ "id": gid(NodeKind::CohortStaff, ghost) }),
        ),
        mutation(
            "updateTopic",
            json!({ "id": gid(NodeKind::Topic, ghost), "expectedVersion": 1, "name": "Ghost" }),
        ),
        query(
            "organization",
            "query($id: ID!) { organization(id: $id) { name } }",
            gid(NodeKind::Organization, ghost),
        ),
        query(
            "cohort",
            "query($id: ID) { cohort(id: $id) { name } }",
            gid(NodeKind::Cohort, ghost),
        ),
        query(
            "organizations filtered by an unknown cohort",
            "query($id: ID) { organizations(filter: { cohortId: $id }) { totalCount } }",
            gid(NodeKind::Cohort, ghost),
        ),
        Fails(
            "cohort by an unknown slug".to_owned(),
            "{ cohort(slug: \"ghost\") { name } }".to_owned(),
            json!({}),
            "NOT_FOUND",
        ),
    ];
    let mut rows = rows;
    for kind in [
        NodeKind::User,
        NodeKind::Organization,
        NodeKind::Membership,
        NodeKind::Cohort,
        NodeKind::Enrollment,
        NodeKind::CohortStaff,
        NodeKind::Topic,
    ] {
        rows.push(query(
            &format!("node of an unknown {kind:?}"),
            "query($id: ID!) { node(id: $id) { id } }",
            gid(kind, ghost),
        ));
    }
    check_fails(&f, &f.admin, rows).await;

    // `nodes` answers null for each unknown ID instead of failing.
    let body = f
        .unchanged(
            &f.admin,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [gid(NodeKind::Organization, ghost), org] }),
        )
        .await;
    assert_eq!(
        body["data"]["nodes"],
        json!([null, { "id": org }]),
        "{body}"
    );
}

/// Every ID argument of the API, as `(label, document using $id, extra variables)`; the
/// other IDs a document needs are valid.
fn id_arguments(f: &Fixture) -> Vec<(&'static str, &'static str, Value)> {
    let org = org_id(f);
    let alpha = alpha_id(f);
    let user = gid(NodeKind::User, f.max.id);
    vec![
        (
            "node",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({}),
        ),
        (
            "nodes",
            "query($id: ID!) { nodes(ids: [$id]) { id } }",
            json!({}),
        ),
        (
            "organization",
            "query($id: ID!) { organization(id: $id) { id } }",
            json!({}),
        ),
        (
            "cohort",
            "query($id: ID!) { cohort(id: $id) { id } }",
            json!({}),
        ),
        (
            "organizations(filter.cohortId)",
            "query($id: ID!) { organizations(filter: { cohortId: $id }) { totalCount } }",
            json!({}),
        ),
        (
            "createOrganization.cohortId",
            "mutation($id: ID!) { createOrganization(input: { name: \"X\", kind: CLINIC, cohortId: $id }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "updateOrganization.id",
            "mutation($id: ID!) { updateOrganization(input: { id: $id, expectedVersion: 1, name: \"X\" }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "addMember.organizationId",
            "mutation($id: ID!, $user: ID!) { addMember(input: { organizationId: $id, userId: $user, profession: NURSE }) { userErrors { code } } }",
            json!({ "user": user }),
        ),
        (
            "addMember.userId",
            "mutation($id: ID!, $org: ID!) { addMember(input: { organizationId: $org, userId: $id, profession: NURSE }) { userErrors { code } } }",
            json!({ "org": org }),
        ),
        (
            "updateMember.id",
            "mutation($id: ID!) { updateMember(input: { id: $id, expectedVersion: 1, isChampion: true }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "removeMember.id",
            "mutation($id: ID!) { removeMember(input: { id: $id }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "updateCohort.id",
            "mutation($id: ID!) { updateCohort(input: { id: $id, expectedVersion: 1, name: \"X\" }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "enrollOrganization.cohortId",
            "mutation($id: ID!, $org: ID!) { enrollOrganization(input: { cohortId: $id, organizationId: $org }) { userErrors { code } } }",
            json!({ "org": org }),
        ),
        (
            "enrollOrganization.organizationId",
            "mutation($id: ID!, $cohort: ID!) { enrollOrganization(input: { cohortId: $cohort, organizationId: $id }) { userErrors { code } } }",
            json!({ "cohort": alpha }),
        ),
        (
            "withdrawOrganization.cohortId",
            "mutation($id: ID!, $org: ID!) { withdrawOrganization(input: { cohortId: $id, organizationId: $org }) { userErrors { code } } }",
            json!({ "org": org }),
        ),
        (
            "withdrawOrganization.organizationId",
            "mutation($id: ID!, $cohort: ID!) { withdrawOrganization(input: { cohortId: $cohort, organizationId: $id }) { userErrors { code } } }",
            json!({ "cohort": alpha }),
        ),
        (
            "assignCohortStaff.cohortId",
            "mutation($id: ID!, $user: ID!) { assignCohortStaff(input: { cohortId: $id, userId: $user, role: COACH }) { userErrors { code } } }",
            json!({ "user": user }),
        ),
        (
            "assignCohortStaff.userId",
            "mutation($id: ID!, $cohort: ID!) { assignCohortStaff(input: { cohortId: $cohort, userId: $id, role: COACH }) { userErrors { code } } }",
            json!({ "cohort": alpha }),
        ),
        (
            "removeCohortStaff.id",
            "mutation($id: ID!) { removeCohortStaff(input: { id: $id }) { userErrors { code } } }",
            json!({}),
        ),
        (
            "updateTopic.id",
            "mutation($id: ID!) { updateTopic(input: { id: $id, expectedVersion: 1, name: \"X\" }) { userErrors { code } } }",
            json!({}),
        ),
    ]
}

/// Base64url without padding, the encoding of global IDs, for crafting malformed ones.
fn base64url(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut encoded = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let bits = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..=chunk.len() {
            encoded.push(char::from(ALPHABET[((bits >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    encoded
}

/// `variables` with `id` added.
fn with_id(variables: &Value, id: &str) -> Value {
    let mut variables = variables.clone();
    variables["id"] = json!(id);
    variables
}

#[tokio::test]
async fn malformed_ids_are_bad_user_input() {
    let f = Fixture::new().await;
    let encode = base64url;
    assert_eq!(
        encode(&format!("Organization:{}", f.acme.id.simple())),
        gid(NodeKind::Organization, f.acme.id),
        "the test encodes IDs the way the server does"
    );
    let malformed = [
        String::new(),
        "not-an-id".to_owned(),
        "!!!".to_owned(),
        f.acme.id.to_string(),
        encode("Organization"),
        encode("Organization:not-a-uuid"),
        encode(&format!("Spaceship:{}", f.acme.id)),
        encode(&format!("organization:{}", f.acme.id)),
        format!("{}=", gid(NodeKind::Organization, f.acme.id)),
    ];
    let mut rows = Vec::new();
    for (label, query, variables) in id_arguments(&f) {
        for id in &malformed {
            rows.push(Fails(
                format!("{label} = {id:?}"),
                query.to_owned(),
                with_id(&variables, id),
                "BAD_USER_INPUT",
            ));
        }
    }
    check_fails(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn ids_of_the_wrong_type_are_bad_user_input() {
    let f = Fixture::new().await;
    // The right row's UUID under the wrong type, and another type's real ID.
    let wrong: Vec<(&str, Vec<String>)> = vec![
        (
            "organization",
            vec![
                gid(NodeKind::Cohort, f.acme.id),
                gid(NodeKind::Topic, f.billing.id),
            ],
        ),
        ("cohort", vec![gid(NodeKind::Organization, f.alpha.id)]),
        ("organizations(filter.cohortId)", vec![org_id(&f)]),
        ("createOrganization.cohortId", vec![org_id(&f)]),
        (
            "updateOrganization.id",
            vec![gid(NodeKind::Membership, f.acme.id), alpha_id(&f)],
        ),
        ("addMember.organizationId", vec![alpha_id(&f)]),
        (
            "addMember.userId",
            vec![gid(NodeKind::Membership, f.max_at_acme.id)],
        ),
        (
            "updateMember.id",
            vec![
                gid(NodeKind::User, f.max.id),
                gid(NodeKind::Organization, f.max_at_acme.id),
            ],
        ),
        ("removeMember.id", vec![gid(NodeKind::User, f.max.id)]),
        ("updateCohort.id", vec![org_id(&f)]),
        ("enrollOrganization.cohortId", vec![org_id(&f)]),
        ("enrollOrganization.organizationId", vec![alpha_id(&f)]),
        ("withdrawOrganization.cohortId", vec![org_id(&f)]),
        ("withdrawOrganization.organizationId", vec![alpha_id(&f)]),
        ("assignCohortStaff.cohortId", vec![org_id(&f)]),
        (
            "assignCohortStaff.userId",
            vec![gid(NodeKind::CohortStaff, f.sam_in_alpha.id)],
        ),
        (
            "removeCohortStaff.id",
            vec![gid(NodeKind::User, f.sam_in_alpha.user_id)],
        ),
        ("updateTopic.id", vec![gid(NodeKind::Cohort, f.billing.id)]),
    ];
    let arguments = id_arguments(&f);
    let mut rows = Vec::new();
    for (label, ids) in wrong {
        let (_, query, variables) = arguments
            .iter()
            .find(|(l, _, _)| *l == label)
            .unwrap_or_else(|| panic!("no ID argument {label}"));
        for id in ids {
            rows.push(Fails(
                format!("{label} = {id}"),
                (*query).to_owned(),
                with_id(variables, &id),
                "BAD_USER_INPUT",
            ));
        }
    }
    check_fails(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_carrying_the_current_version() {
    let f = Fixture::new().await;
    // (mutation, the change someone else made, the change that would be lost)
    let cases = [
        (
            "updateOrganization",
            json!({ "id": org_id(&f), "name": "Acme Health" }),
            json!({ "name": "Lost update", "region": "Lost" }),
        ),
        (
            "updateMember",
            json!({ "id": gid(NodeKind::Membership, f.max_at_acme.id), "isChampion": true }),
            json!({ "isChampion": false, "profession": "PHARMACIST" }),
        ),
        (
            "updateCohort",
            json!({ "id": alpha_id(&f), "name": "Alpha 2026" }),
            json!({ "name": "Lost update", "description": "Lost" }),
        ),
        (
            "updateTopic",
            json!({ "id": gid(NodeKind::Topic, f.billing.id), "name": "Billing and coding" }),
            json!({ "name": "Lost update", "description": "Lost" }),
        ),
    ];
    for (field, change, lost) in cases {
        // Someone else changes the row twice: it is at version 3 now.
        for version in [1, 2] {
            let mut input = change.clone();
            input["expectedVersion"] = json!(version);
            let body = f.mutate(&f.admin, field, input).await;
            assert_eq!(body["data"][field]["userErrors"], json!([]), "{body}");
        }
        for stale in [1, 2, 4, -1] {
            let mut input = lost.clone();
            input["id"] = change["id"].clone();
            input["expectedVersion"] = json!(stale);
            let before = f.app.snapshot().await;
            let body = f.mutate(&f.admin, field, input).await;
            assert_eq!(
                error_code(&body),
                Some("CONFLICT"),
                "{field} with version {stale}: {body}"
            );
            assert_eq!(
                body["errors"][0]["extensions"]["currentVersion"], 3,
                "{field} with version {stale}: {body}"
            );
            assert!(body["data"].is_null(), "{body}");
            assert_eq!(
                before,
                f.app.snapshot().await,
                "{field} with version {stale} changed the database"
            );
        }
    }
    let acme = organization::Entity::find_by_id(f.acme.id)
        .one(&f.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((acme.name.as_str(), acme.version), ("Acme Health", 3));
    let max = entity::membership::Entity::find_by_id(f.max_at_acme.id)
        .one(&f.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(max.is_champion);
    assert_eq!(max.version, 3);
}

#[tokio::test]
async fn adding_the_same_member_twice_is_taken() {
    let f = Fixture::new().await;
    let rows = vec![
        Rejected(
            "an existing member again",
            "addMember",
            json!({ "organizationId": org_id(&f), "userId": gid(NodeKind::User, f.max.id), "profession": "NURSE" }),
            vec![("TAKEN", "input.userId")],
        ),
        Rejected(
            "an existing member again with another role",
            "addMember",
            json!({ "organizationId": org_id(&f), "userId": gid(NodeKind::User, f.lee.0.id), "role": "MEMBER", "profession": "PHYSICIAN" }),
            vec![("TAKEN", "input.userId")],
        ),
    ];
    check_rejected(&f, &f.admin, rows).await;
    // The lead hits the same wall.
    let rows = vec![Rejected(
        "an existing member again, by the lead",
        "addMember",
        json!({ "organizationId": org_id(&f), "userId": gid(NodeKind::User, f.max.id), "profession": "NURSE" }),
        vec![("TAKEN", "input.userId")],
    )];
    check_rejected(&f, &f.lee.1, rows).await;
    assert_eq!(f.app.count_rows("membership").await, 2);
}

#[tokio::test]
async fn the_last_lead_can_be_neither_demoted_nor_removed() {
    let f = Fixture::new().await;
    let lee = gid(NodeKind::Membership, f.lee_at_acme.id);
    let demote = Rejected(
        "demoting the only lead",
        "updateMember",
        json!({ "id": lee, "expectedVersion": 1, "role": "MEMBER" }),
        vec![("LAST_LEAD", "input.role")],
    );
    let remove = Rejected(
        "removing the only lead",
        "removeMember",
        json!({ "id": lee }),
        vec![("LAST_LEAD", "input.id")],
    );
    check_rejected(&f, &f.admin, vec![demote, remove]).await;

    // The lead themselves can neither step down nor leave.
    let demote = Rejected(
        "the only lead stepping down",
        "updateMember",
        json!({ "id": lee, "expectedVersion": 1, "role": "MEMBER" }),
        vec![("LAST_LEAD", "input.role")],
    );
    let leave = Rejected(
        "the only lead leaving",
        "removeMember",
        json!({ "id": lee }),
        vec![("LAST_LEAD", "input.id")],
    );
    check_rejected(&f, &f.lee.1, vec![demote, leave]).await;

    let stored = entity::membership::Entity::find_by_id(f.lee_at_acme.id)
        .one(&f.app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, f.lee_at_acme);

    // Other changes to the only lead are fine.
    let body = f
        .mutate(
            &f.lee.1,
            "updateMember",
            json!({ "id": lee, "expectedVersion": 1, "role": "LEAD", "isChampion": true }),
        )
        .await;
    assert_eq!(
        body["data"]["updateMember"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test]
async fn cohort_lookup_needs_exactly_one_of_id_and_slug() {
    let f = Fixture::new().await;
    let rows = vec![
        Fails(
            "neither".to_owned(),
            "{ cohort { slug } }".to_owned(),
            json!({}),
            "BAD_USER_INPUT",
        ),
        Fails(
            "both".to_owned(),
            "query($id: ID) { cohort(id: $id, slug: \"alpha\") { slug } }".to_owned(),
            json!({ "id": alpha_id(&f) }),
            "BAD_USER_INPUT",
        ),
    ];
    check_fails(&f, &f.admin, rows).await;
}

#[tokio::test]
async fn too_many_ids_for_nodes_is_bad_user_input() {
    let f = Fixture::new().await;
    let ids: Vec<String> = (0..101).map(|_| org_id(&f)).collect();
    check_fails(
        &f,
        &f.admin,
        vec![Fails(
            "101 IDs".to_owned(),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }".to_owned(),
            json!({ "ids": ids }),
            "BAD_USER_INPUT",
        )],
    )
    .await;
}

/// Runs `query` as `token` and asserts it was refused as a request that cannot run: HTTP 400,
/// no `data`, at least one error, and no change to the database.
async fn assert_cannot_run(f: &Fixture, token: &str, query: &str, variables: Value) {
    let before = f.app.snapshot().await;
    let response = f
        .app
        .graphql_response(Some(token), query, variables.clone())
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 400, "{variables}: {body}");
    assert!(body.get("data").is_none(), "{variables}: {body}");
    assert!(
        body["errors"][0]["message"].is_string(),
        "{variables}: {body}"
    );
    assert_eq!(
        before,
        f.app.snapshot().await,
        "{variables} changed the database"
    );
}

#[tokio::test]
async fn values_of_the_wrong_type_cannot_run() {
    let f = Fixture::new().await;
    let create = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { userErrors { code } } }";
    let update = "mutation($input: UpdateMemberInput!) { updateMember(input: $input) { userErrors { code } } }";
    let member = gid(NodeKind::Membership, f.max_at_acme.id);
    for (query, input) in [
        (create, json!({ "name": "Acme", "kind": "SPACESHIP" })),
        (create, json!({ "name": "Acme", "kind": "clinic" })),
        (create, json!({ "name": 42, "kind": "CLINIC" })),
        (create, json!({ "kind": "CLINIC" })),
        (
            update,
            json!({ "id": member, "expectedVersion": 1.5, "isChampion": true }),
        ),
        (
            update,
            json!({ "id": member, "expectedVersion": "1", "isChampion": true }),
        ),
        (
            update,
            json!({ "id": member, "expectedVersion": 1, "role": "OWNER" }),
        ),
    ] {
        assert_cannot_run(&f, &f.admin, query, json!({ "input": input })).await;
    }
}

#[tokio::test]
async fn malformed_dates_cannot_run() {
    let f = Fixture::new().await;
    let create = "mutation($input: CreateCohortInput!) { createCohort(input: $input) { userErrors { code } } }";
    let update = "mutation($input: UpdateCohortInput!) { updateCohort(input: $input) { userErrors { code } } }";
    for date in [
        "2026-02-30",
        "2026-13-01",
        "26-01-01",
        "tomorrow",
        "2026-01-01T00:00:00Z",
    ] {
        assert_cannot_run(
            &f,
            &f.admin,
            create,
            json!({ "input": { "slug": "gamma", "name": "Gamma", "startsOn": date } }),
        )
        .await;
        assert_cannot_run(
            &f,
            &f.admin,
            update,
            json!({ "input": { "id": alpha_id(&f), "expectedVersion": 1, "endsOn": date } }),
        )
        .await;
    }
}

#[tokio::test]
async fn a_nul_byte_in_text_is_a_user_error_on_every_database() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let before = app.snapshot().await;
    for input in [
        json!({ "name": "Acme\u{0}Clinic", "kind": "CLINIC" }),
        json!({ "name": "Acme", "kind": "CLINIC", "region": "N\u{0}M" }),
        json!({ "name": "Acme", "kind": "CLINIC", "idempotencyKey": "k\u{0}" }),
    ] {
        let body = app
            .graphql(
                Some(&admin),
                "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } userErrors { code } } }",
                json!({ "input": input }),
            )
            .await;
        assert_eq!(
            user_error_codes(&body["data"]["createOrganization"]),
            ["INVALID"],
            "{body}"
        );
    }
    assert_eq!(before, app.snapshot().await);
}

#[tokio::test]
async fn an_overlong_or_binary_filter_is_bad_input() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    for name in ["x".repeat(50_000), "a\u{0}b".to_owned()] {
        let body = app
            .graphql(
                Some(&admin),
                "query($name: String) { organizations(filter: { name: $name }) { totalCount } }",
                json!({ "name": name }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let body = app
        .graphql(
            Some(&admin),
            "query($slug: String) { cohort(slug: $slug) { id } }",
            json!({ "slug": "a\u{0}b" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
}
