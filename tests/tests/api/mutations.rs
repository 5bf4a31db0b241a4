//! The happy path of every mutation: what the payload carries, what is stored, and how
//! `version` moves.

use chrono::{DateTime, Utc};
use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::membership::MembershipRole;
use entity::organization::OrganizationKind;
use entity::user::UserRole;
use entity::{cohort, cohort_staff, enrollment, membership, organization, topic};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const ORGANIZATION: &str = "organization {
    id name kind region timeZone version createdAt updatedAt
    viewerCanUpdate viewerCanManageMembers
    members { totalCount }
    enrollments { totalCount nodes { status cohort { slug } } }
}";

const MEMBERSHIP: &str = "membership {
    id role profession isChampion version createdAt updatedAt
    user { name } organization { name }
}";

const COHORT: &str = "cohort {
    id slug name description startsOn endsOn version createdAt updatedAt
    viewerCanManage viewerCanManageStaff
    enrollments { totalCount } staff { totalCount }
}";

const ENROLLMENT: &str = "enrollment {
    id status enrolledAt withdrawnAt updatedAt cohort { slug } organization { name }
}";

const STAFF: &str = "staff { id role createdAt user { name } cohort { slug } }";

const TOPIC: &str = "topic { id slug name description version createdAt updatedAt }";

/// Runs `field(input: $input) { <selection> userErrors { ... } }` as `token`, asserts that it
/// succeeded with no `userErrors`, and returns the payload.
async fn mutate(app: &TestApp, token: &str, field: &str, selection: &str, input: Value) -> Value {
    let input_type = match field {
        "enrollOrganization" | "withdrawOrganization" => "EnrollmentInput".to_owned(),
        _ => {
            let mut name = field.to_owned();
            name[..1].make_ascii_uppercase();
            format!("{name}Input")
        }
    };
    let query = format!(
        "mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} userErrors {{ field message code }} }} }}"
    );
    let body = app
        .graphql(Some(token), &query, json!({ "input": input }))
        .await;
    assert!(body.get("errors").is_none(), "{field}: {body}");
    let payload = body["data"][field].clone();
    assert_eq!(payload["userErrors"], json!([]), "{field}: {body}");
    payload
}

/// A `DateTime` value, checked to be RFC 3339 in UTC.
fn instant(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a DateTime: {value}"));
    assert!(text.ends_with('Z'), "{text} is not in UTC");
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

/// Asserts that `node(id:)` as `token` finds the object and returns its `__typename`.
async fn refetch(app: &TestApp, token: &str, id: &Value) -> String {
    let body = app
        .graphql(
            Some(token),
            "query($id: ID!) { node(id: $id) { __typename id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["id"], *id, "{body}");
    body["data"]["node"]["__typename"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn admin_creates_an_organization_without_a_cohort() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let payload = mutate(
        &app,
        &admin,
        "createOrganization",
        ORGANIZATION,
        json!({
            "name": "  Harbor Community Health  ",
            "kind": "COMMUNITY_HEALTH_CENTER",
            "region": " Colorado ",
            "timeZone": "America/Denver",
        }),
    )
    .await;
    let org = &payload["organization"];
    assert_eq!(
        org["name"], "Harbor Community Health",
        "the name is trimmed"
    );
    assert_eq!(org["kind"], "COMMUNITY_HEALTH_CENTER");
    assert_eq!(org["region"], "Colorado");
    assert_eq!(org["timeZone"], "America/Denver");
    assert_eq!(org["version"], 1);
    assert_eq!(instant(&org["createdAt"]), instant(&org["updatedAt"]));
    assert_eq!(org["viewerCanUpdate"], true);
    assert_eq!(org["viewerCanManageMembers"], true);
    assert_eq!(org["members"]["totalCount"], 0);
    assert_eq!(org["enrollments"]["totalCount"], 0);
    assert_eq!(refetch(&app, &admin, &org["id"]).await, "Organization");
    assert_eq!(app.count_rows("organization").await, 1);
    assert_eq!(app.count_rows("enrollment").await, 0);

    // Only the name and the kind are required.
    let payload = mutate(
        &app,
        &admin,
        "createOrganization",
        ORGANIZATION,
        json!({ "name": "Valley Clinic", "kind": "CLINIC" }),
    )
    .await;
    let org = &payload["organization"];
    assert_eq!(org["region"], Value::Null);
    assert_eq!(org["timeZone"], Value::Null);
    let stored = organization::Entity::find()
        .filter(organization::Column::Name.eq("Valley Clinic"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.kind, OrganizationKind::Clinic);
    assert_eq!(gid(NodeKind::Organization, stored.id), org["id"]);
}

#[tokio::test]
async fn cohort_coach_creates_an_organization_enrolled_in_their_cohort() {
    let app = TestApp::spawn().await;
    let (coach, token) = app.user("Coach", UserRole::User).await;
    let cohort = app.cohort("bhi-2026").await;
    app.staff(&cohort, &coach, StaffRole::Coach).await;
    let payload = mutate(
        &app,
        &token,
        "createOrganization",
        ORGANIZATION,
        json!({
            "name": "Riverbend Tribal Health",
            "kind": "TRIBAL_HEALTH_PROGRAM",
            "cohortId": gid(NodeKind::Cohort, cohort.id),
        }),
    )
    .await;
    let org = &payload["organization"];
    assert_eq!(org["name"], "Riverbend Tribal Health");
    assert_eq!(org["version"], 1);
    assert_eq!(
        org["viewerCanUpdate"], false,
        "coaches do not edit profiles"
    );
    assert_eq!(
        org["enrollments"],
        json!({ "totalCount": 1, "nodes": [{ "status": "ACTIVE", "cohort": { "slug": "bhi-2026" } }] })
    );

    let rows = enrollment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cohort_id, cohort.id);
    assert_eq!(rows[0].status, EnrollmentStatus::Active);
    assert_eq!(
        gid(NodeKind::Organization, rows[0].organization_id),
        org["id"]
    );

    let body = app
        .graphql(
            Some(&token),
            "{ organizations { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["organizations"]["nodes"],
        json!([{ "name": "Riverbend Tribal Health" }]),
        "the coach sees the new organization: {body}"
    );
}

#[tokio::test]
async fn update_organization_changes_only_the_given_fields() {
    let app = TestApp::spawn().await;
    let (lead, token) = app.user("Lead", UserRole::User).await;
    let acme = app.organization("Acme").await;
    app.member(&acme, &lead, MembershipRole::Lead).await;
    let id = gid(NodeKind::Organization, acme.id);

    let payload = mutate(
        &app,
        &token,
        "updateOrganization",
        ORGANIZATION,
        json!({
            "id": id,
            "expectedVersion": 1,
            "name": " Acme Health ",
            "kind": "HOSPITAL",
            "region": "Utah",
            "timeZone": "America/Denver",
        }),
    )
    .await;
    let org = &payload["organization"];
    assert_eq!(org["id"], id);
    assert_eq!(org["name"], "Acme Health");
    assert_eq!(org["kind"], "HOSPITAL");
    assert_eq!(org["region"], "Utah");
    assert_eq!(org["timeZone"], "America/Denver");
    assert_eq!(org["version"], 2);
    assert_eq!(instant(&org["createdAt"]), acme.created_at);
    assert!(instant(&org["updatedAt"]) >= acme.updated_at);
    let first_update = instant(&org["updatedAt"]);

    // `null` clears the region; everything omitted stays.
    let payload = mutate(
        &app,
        &token,
        "updateOrganization",
        ORGANIZATION,
        json!({ "id": id, "expectedVersion": 2, "region": null }),
    )
    .await;
    let org = &payload["organization"];
    assert_eq!(org["region"], Value::Null);
    assert_eq!(org["name"], "Acme Health");
    assert_eq!(org["kind"], "HOSPITAL");
    assert_eq!(org["timeZone"], "America/Denver");
    assert_eq!(org["version"], 3);
    assert!(instant(&org["updatedAt"]) >= first_update);

    let payload = mutate(
        &app,
        &token,
        "updateOrganization",
        ORGANIZATION,
        json!({ "id": id, "expectedVersion": 3, "timeZone": null, "name": "Acme" }),
    )
    .await;
    assert_eq!(payload["organization"]["timeZone"], Value::Null);
    assert_eq!(payload["organization"]["version"], 4);

    let stored = organization::Entity::find_by_id(acme.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.name.as_str(),
            stored.kind,
            stored.region,
            stored.time_zone,
            stored.version
        ),
        ("Acme", OrganizationKind::Hospital, None, None, 4)
    );
}

#[tokio::test]
async fn add_member_adds_a_user_to_an_organization() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (bob, bob_token) = app.user("Bob", UserRole::User).await;
    let (carol, _) = app.user("Carol", UserRole::User).await;
    let acme = app.organization("Acme").await;
    let org = gid(NodeKind::Organization, acme.id);

    let payload = mutate(
        &app,
        &admin,
        "addMember",
        MEMBERSHIP,
        json!({ "organizationId": org, "userId": gid(NodeKind::User, bob.id), "profession": "CARE_MANAGER" }),
    )
    .await;
    let membership = &payload["membership"];
    assert_eq!(membership["role"], "MEMBER", "the default role");
    assert_eq!(membership["isChampion"], false, "the default flag");
    assert_eq!(membership["profession"], "CARE_MANAGER");
    assert_eq!(membership["version"], 1);
    assert_eq!(membership["user"]["name"], "Bob");
    assert_eq!(membership["organization"]["name"], "Acme");
    assert_eq!(
        instant(&membership["createdAt"]),
        instant(&membership["updatedAt"])
    );
    assert_eq!(refetch(&app, &admin, &membership["id"]).await, "Membership");

    let payload = mutate(
        &app,
        &admin,
        "addMember",
        MEMBERSHIP,
        json!({
            "organizationId": org,
            "userId": gid(NodeKind::User, carol.id),
            "role": "LEAD",
            "profession": "PHYSICIAN",
            "isChampion": true,
        }),
    )
    .await;
    let membership = &payload["membership"];
    assert_eq!(membership["role"], "LEAD");
    assert_eq!(membership["isChampion"], true);
    assert_eq!(membership["profession"], "PHYSICIAN");

    let stored = membership::Entity::find()
        .filter(membership::Column::UserId.eq(carol.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.organization_id, acme.id);
    assert_eq!(stored.role, MembershipRole::Lead);
    assert!(stored.is_champion);

    // The new member now sees their organization.
    let body = app
        .graphql(
            Some(&bob_token),
            "{ viewer { memberships { nodes { organization { name members { totalCount } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"]["memberships"]["nodes"],
        json!([{ "organization": { "name": "Acme", "members": { "totalCount": 2 } } }]),
        "{body}"
    );
}

#[tokio::test]
async fn lead_adds_a_member_they_know_from_another_organization() {
    let app = TestApp::spawn().await;
    let (lead, token) = app.user("Lead", UserRole::User).await;
    let (colleague, _) = app.user("Colleague", UserRole::User).await;
    let acme = app.organization("Acme").await;
    let network = app.organization("Network").await;
    app.member(&acme, &lead, MembershipRole::Lead).await;
    app.member(&network, &lead, MembershipRole::Member).await;
    app.member(&network, &colleague, MembershipRole::Member)
        .await;
    let payload = mutate(
        &app,
        &token,
        "addMember",
        MEMBERSHIP,
        json!({
            "organizationId": gid(NodeKind::Organization, acme.id),
            "userId": gid(NodeKind::User, colleague.id),
            "profession": "BEHAVIORAL_HEALTH_CLINICIAN",
        }),
    )
    .await;
    assert_eq!(payload["membership"]["user"]["name"], "Colleague");
    assert_eq!(payload["membership"]["organization"]["name"], "Acme");
    assert_eq!(app.count_rows("membership").await, 4);
}

#[tokio::test]
async fn update_member_changes_role_profession_and_champion_flag() {
    let app = TestApp::spawn().await;
    let (alice, alice_token) = app.user("Alice", UserRole::User).await;
    let (bob, _) = app.user("Bob", UserRole::User).await;
    let acme = app.organization("Acme").await;
    let alice_at_acme = app.member(&acme, &alice, MembershipRole::Lead).await;
    let bob_at_acme = app.member(&acme, &bob, MembershipRole::Member).await;
    let bob_id = gid(NodeKind::Membership, bob_at_acme.id);

    let payload = mutate(
        &app,
        &alice_token,
        "updateMember",
        MEMBERSHIP,
        json!({
            "id": bob_id,
            "expectedVersion": 1,
            "role": "LEAD",
            "profession": "PHARMACIST",
            "isChampion": true,
        }),
    )
    .await;
    let membership = &payload["membership"];
    assert_eq!(membership["id"], bob_id);
    assert_eq!(membership["role"], "LEAD");
    assert_eq!(membership["profession"], "PHARMACIST");
    assert_eq!(membership["isChampion"], true);
    assert_eq!(membership["version"], 2);
    assert_eq!(membership["user"]["name"], "Bob");
    assert!(instant(&membership["updatedAt"]) >= bob_at_acme.updated_at);

    // With a second lead, the first may step down.
    let payload = mutate(
        &app,
        &alice_token,
        "updateMember",
        MEMBERSHIP,
        json!({ "id": gid(NodeKind::Membership, alice_at_acme.id), "expectedVersion": 1, "role": "MEMBER" }),
    )
    .await;
    assert_eq!(payload["membership"]["role"], "MEMBER");
    assert_eq!(payload["membership"]["profession"], "NURSE", "unchanged");
    assert_eq!(payload["membership"]["version"], 2);

    // Omitted fields stay as they are.
    let (_, admin) = app.admin().await;
    let payload = mutate(
        &app,
        &admin,
        "updateMember",
        MEMBERSHIP,
        json!({ "id": bob_id, "expectedVersion": 2, "isChampion": false }),
    )
    .await;
    let membership = &payload["membership"];
    assert_eq!(membership["role"], "LEAD");
    assert_eq!(membership["profession"], "PHARMACIST");
    assert_eq!(membership["isChampion"], false);
    assert_eq!(membership["version"], 3);

    let stored = membership::Entity::find_by_id(bob_at_acme.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.role, stored.is_champion, stored.version),
        (MembershipRole::Lead, false, 3)
    );
}

#[tokio::test]
async fn remove_member_ends_a_membership() {
    let app = TestApp::spawn().await;
    let (alice, alice_token) = app.user("Alice", UserRole::User).await;
    let (dana, dana_token) = app.user("Dana", UserRole::User).await;
    let (bob, _) = app.user("Bob", UserRole::User).await;
    let (carol, carol_token) = app.user("Carol", UserRole::User).await;
    let acme = app.organization("Acme").await;
    let alice_at_acme = app.member(&acme, &alice, MembershipRole::Lead).await;
    app.member(&acme, &dana, MembershipRole::Lead).await;
    let bob_at_acme = app.member(&acme, &bob, MembershipRole::Member).await;
    let carol_at_acme = app.member(&acme, &carol, MembershipRole::Member).await;

    // A lead removes a member.
    let bob_id = gid(NodeKind::Membership, bob_at_acme.id);
    let payload = mutate(
        &app,
        &alice_token,
        "removeMember",
        "removedMembershipId",
        json!({ "id": bob_id }),
    )
    .await;
    assert_eq!(payload["removedMembershipId"], bob_id);

    // A member leaves.
    let carol_id = gid(NodeKind::Membership, carol_at_acme.id);
    let payload = mutate(
        &app,
        &carol_token,
        "removeMember",
        "removedMembershipId",
        json!({ "id": carol_id }),
    )
    .await;
    assert_eq!(payload["removedMembershipId"], carol_id);

    // A lead removes another lead while one remains.
    let alice_id = gid(NodeKind::Membership, alice_at_acme.id);
    let payload = mutate(
        &app,
        &dana_token,
        "removeMember",
        "removedMembershipId",
        json!({ "id": alice_id }),
    )
    .await;
    assert_eq!(payload["removedMembershipId"], alice_id);

    let left: Vec<_> = membership::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(left, [dana.id]);
    let (_, admin) = app.admin().await;
    let body = app
        .graphql(
            Some(&admin),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": bob_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // Alice no longer belongs to Acme, so she cannot see it.
    let body = app
        .graphql(
            Some(&alice_token),
            "query($id: ID!) { organization(id: $id) { name } }",
            json!({ "id": gid(NodeKind::Organization, acme.id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn admin_creates_a_cohort() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let payload = mutate(
        &app,
        &admin,
        "createCohort",
        COHORT,
        json!({
            "slug": "bhi-2026",
            "name": " Behavioral Health Integration 2026 ",
            "description": "Integrating behavioral health into primary care.",
            "startsOn": "2026-01-15",
            "endsOn": "2026-12-15",
        }),
    )
    .await;
    let cohort = &payload["cohort"];
    assert_eq!(cohort["slug"], "bhi-2026");
    assert_eq!(cohort["name"], "Behavioral Health Integration 2026");
    assert_eq!(
        cohort["description"],
        "Integrating behavioral health into primary care."
    );
    assert_eq!(cohort["startsOn"], "2026-01-15");
    assert_eq!(cohort["endsOn"], "2026-12-15");
    assert_eq!(cohort["version"], 1);
    assert_eq!(instant(&cohort["createdAt"]), instant(&cohort["updatedAt"]));
    assert_eq!(cohort["viewerCanManage"], true);
    assert_eq!(cohort["viewerCanManageStaff"], true);
    assert_eq!(cohort["enrollments"]["totalCount"], 0);
    assert_eq!(cohort["staff"]["totalCount"], 0);
    assert_eq!(refetch(&app, &admin, &cohort["id"]).await, "Cohort");

    let body = app
        .graphql(
            Some(&admin),
            "{ cohort(slug: \"bhi-2026\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["cohort"]["id"], cohort["id"], "{body}");

    let payload = mutate(
        &app,
        &admin,
        "createCohort",
        COHORT,
        json!({ "slug": "minimal", "name": "Minimal" }),
    )
    .await;
    let cohort = &payload["cohort"];
    assert_eq!(cohort["description"], Value::Null);
    assert_eq!(cohort["startsOn"], Value::Null);
    assert_eq!(cohort["endsOn"], Value::Null);
    assert_eq!(app.count_rows("cohort").await, 2);
}

#[tokio::test]
async fn update_cohort_changes_only_the_given_fields() {
    let app = TestApp::spawn().await;
    let (coach, token) = app.user("Coach", UserRole::User).await;
    let stored = app.cohort("bhi-2026").await;
    app.staff(&stored, &coach, StaffRole::Coach).await;
    let id = gid(NodeKind::Cohort, stored.id);

    let payload = mutate(
        &app,
        &token,
        "updateCohort",
        COHORT,
        json!({
            "id": id,
            "expectedVersion": 1,
            "slug": "bhi-2026-spring",
            "name": "BHI spring",
            "description": "Spring cohort",
            "startsOn": "2026-03-01",
            "endsOn": "2026-06-30",
        }),
    )
    .await;
    let cohort = &payload["cohort"];
    assert_eq!(cohort["id"], id);
    assert_eq!(cohort["slug"], "bhi-2026-spring");
    assert_eq!(cohort["name"], "BHI spring");
    assert_eq!(cohort["description"], "Spring cohort");
    assert_eq!(cohort["startsOn"], "2026-03-01");
    assert_eq!(cohort["endsOn"], "2026-06-30");
    assert_eq!(cohort["version"], 2);
    assert!(instant(&cohort["updatedAt"]) >= stored.updated_at);

    // `null` clears; omitted fields stay.
    let payload = mutate(
        &app,
        &token,
        "updateCohort",
        COHORT,
        json!({ "id": id, "expectedVersion": 2, "description": null, "startsOn": null }),
    )
    .await;
    let cohort = &payload["cohort"];
    assert_eq!(cohort["description"], Value::Null);
    assert_eq!(cohort["startsOn"], Value::Null);
    assert_eq!(cohort["endsOn"], "2026-06-30");
    assert_eq!(cohort["slug"], "bhi-2026-spring");
    assert_eq!(cohort["name"], "BHI spring");
    assert_eq!(cohort["version"], 3);

    // Keeping its own slug is not a clash.
    let payload = mutate(
        &app,
        &token,
        "updateCohort",
        COHORT,
        json!({ "id": id, "expectedVersion": 3, "slug": "bhi-2026-spring", "endsOn": null }),
    )
    .await;
    assert_eq!(payload["cohort"]["endsOn"], Value::Null);
    assert_eq!(payload["cohort"]["version"], 4);

    let body = app
        .graphql(
            Some(&token),
            "{ old: cohort(slug: \"bhi-2026\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let row = cohort::Entity::find_by_id(stored.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            row.slug.as_str(),
            row.description,
            row.starts_on,
            row.ends_on,
            row.version
        ),
        ("bhi-2026-spring", None, None, None, 4)
    );
}

#[tokio::test]
async fn enroll_withdraw_and_re_enroll_an_organization() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (member, member_token) = app.user("Member", UserRole::User).await;
    let acme = app.organization("Acme").await;
    app.member(&acme, &member, MembershipRole::Lead).await;
    let stored = app.cohort("bhi-2026").await;
    let input = json!({
        "cohortId": gid(NodeKind::Cohort, stored.id),
        "organizationId": gid(NodeKind::Organization, acme.id),
    });
    let (viewer, token) = (&app, member_token.as_str());
    let member_sees_cohort = move || async move {
        let body = viewer
            .graphql(Some(token), "{ cohorts { totalCount } }", json!({}))
            .await;
        body["data"]["cohorts"]["totalCount"].as_u64().unwrap() == 1
    };
    assert!(!member_sees_cohort().await);

    let enrolled = mutate(
        &app,
        &admin,
        "enrollOrganization",
        ENROLLMENT,
        input.clone(),
    )
    .await["enrollment"]
        .clone();
    assert_eq!(enrolled["status"], "ACTIVE");
    assert_eq!(enrolled["withdrawnAt"], Value::Null);
    assert_eq!(enrolled["cohort"]["slug"], "bhi-2026");
    assert_eq!(enrolled["organization"]["name"], "Acme");
    let enrolled_at = instant(&enrolled["enrolledAt"]);
    assert_eq!(refetch(&app, &admin, &enrolled["id"]).await, "Enrollment");
    assert!(member_sees_cohort().await, "members see their cohorts");

    // Enrolling again changes nothing.
    let before = app.snapshot().await;
    let again = mutate(
        &app,
        &admin,
        "enrollOrganization",
        ENROLLMENT,
        input.clone(),
    )
    .await["enrollment"]
        .clone();
    assert_eq!(again, enrolled);
    assert_eq!(before, app.snapshot().await);

    let withdrawn = mutate(
        &app,
        &admin,
        "withdrawOrganization",
        ENROLLMENT,
        input.clone(),
    )
    .await["enrollment"]
        .clone();
    assert_eq!(withdrawn["id"], enrolled["id"], "the enrollment is kept");
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    let withdrawn_at = instant(&withdrawn["withdrawnAt"]);
    assert!(withdrawn_at >= enrolled_at);
    assert_eq!(instant(&withdrawn["enrolledAt"]), enrolled_at);
    assert!(
        !member_sees_cohort().await,
        "members of a withdrawn organization no longer see the cohort"
    );

    // Withdrawing again changes nothing.
    let before = app.snapshot().await;
    let again = mutate(
        &app,
        &admin,
        "withdrawOrganization",
        ENROLLMENT,
        input.clone(),
    )
    .await["enrollment"]
        .clone();
    assert_eq!(again, withdrawn);
    assert_eq!(before, app.snapshot().await);

    let re_enrolled = mutate(
        &app,
        &admin,
        "enrollOrganization",
        ENROLLMENT,
        input.clone(),
    )
    .await["enrollment"]
        .clone();
    assert_eq!(re_enrolled["id"], enrolled["id"], "the same enrollment");
    assert_eq!(re_enrolled["status"], "ACTIVE");
    assert_eq!(re_enrolled["withdrawnAt"], Value::Null);
    assert_eq!(instant(&re_enrolled["enrolledAt"]), enrolled_at);
    assert!(instant(&re_enrolled["updatedAt"]) >= withdrawn_at);
    assert!(member_sees_cohort().await);

    let rows = enrollment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].status, rows[0].withdrawn_at),
        (EnrollmentStatus::Active, None)
    );
}

#[tokio::test]
async fn assign_re_assign_and_remove_cohort_staff() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (zoe, zoe_token) = app.user("Zoe", UserRole::User).await;
    let stored = app.cohort("bhi-2026").await;
    let input = |role: &str| {
        json!({
            "cohortId": gid(NodeKind::Cohort, stored.id),
            "userId": gid(NodeKind::User, zoe.id),
            "role": role,
        })
    };

    let staff =
        mutate(&app, &admin, "assignCohortStaff", STAFF, input("COACH")).await["staff"].clone();
    assert_eq!(staff["role"], "COACH");
    assert_eq!(staff["user"]["name"], "Zoe");
    assert_eq!(staff["cohort"]["slug"], "bhi-2026");
    assert_eq!(refetch(&app, &admin, &staff["id"]).await, "CohortStaff");
    let body = app
        .graphql(
            Some(&zoe_token),
            "{ cohorts { nodes { slug viewerCanManage viewerCanManageStaff } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["cohorts"]["nodes"],
        json!([{ "slug": "bhi-2026", "viewerCanManage": true, "viewerCanManageStaff": false }]),
        "{body}"
    );

    // The same role again changes nothing.
    let before = app.snapshot().await;
    let again =
        mutate(&app, &admin, "assignCohortStaff", STAFF, input("COACH")).await["staff"].clone();
    assert_eq!(again, staff);
    assert_eq!(before, app.snapshot().await);

    // Another role replaces the old one on the same assignment.
    let lead =
        mutate(&app, &admin, "assignCohortStaff", STAFF, input("LEAD")).await["staff"].clone();
    assert_eq!(lead["id"], staff["id"]);
    assert_eq!(lead["role"], "LEAD");
    assert_eq!(lead["createdAt"], staff["createdAt"]);
    let rows = cohort_staff::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].role, StaffRole::Lead);
    let body = app
        .graphql(
            Some(&zoe_token),
            "{ cohorts { nodes { viewerCanManageStaff staff { nodes { role user { name } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["cohorts"]["nodes"],
        json!([{ "viewerCanManageStaff": true, "staff": { "nodes": [{ "role": "LEAD", "user": { "name": "Zoe" } }] } }]),
        "{body}"
    );

    let payload = mutate(
        &app,
        &admin,
        "removeCohortStaff",
        "removedStaffId",
        json!({ "id": staff["id"] }),
    )
    .await;
    assert_eq!(payload["removedStaffId"], staff["id"]);
    assert_eq!(app.count_rows("cohort_staff").await, 0);
    let body = app
        .graphql(Some(&zoe_token), "{ cohorts { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["cohorts"]["totalCount"], 0, "{body}");
}

#[tokio::test]
async fn admin_creates_and_updates_a_topic() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (_, reader) = app.user("Reader", UserRole::User).await;
    let created = mutate(
        &app,
        &admin,
        "createTopic",
        TOPIC,
        json!({
            "slug": "warm-handoff",
            "name": " Warm handoff ",
            "description": "Introducing a patient to a behavioral-health clinician in person.",
        }),
    )
    .await["topic"]
        .clone();
    assert_eq!(created["slug"], "warm-handoff");
    assert_eq!(created["name"], "Warm handoff");
    assert_eq!(
        created["description"],
        "Introducing a patient to a behavioral-health clinician in person."
    );
    assert_eq!(created["version"], 1);
    assert_eq!(
        instant(&created["createdAt"]),
        instant(&created["updatedAt"])
    );
    assert_eq!(refetch(&app, &reader, &created["id"]).await, "Topic");

    let updated = mutate(
        &app,
        &admin,
        "updateTopic",
        TOPIC,
        json!({
            "id": created["id"],
            "expectedVersion": 1,
            "slug": "warm-handoffs",
            "name": "Warm handoffs",
        }),
    )
    .await["topic"]
        .clone();
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["slug"], "warm-handoffs");
    assert_eq!(updated["name"], "Warm handoffs");
    assert_eq!(updated["description"], created["description"], "unchanged");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(instant(&updated["updatedAt"]) >= instant(&created["updatedAt"]));

    let cleared = mutate(
        &app,
        &admin,
        "updateTopic",
        TOPIC,
        json!({ "id": created["id"], "expectedVersion": 2, "description": null }),
    )
    .await["topic"]
        .clone();
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["slug"], "warm-handoffs");
    assert_eq!(cleared["version"], 3);

    let body = app
        .graphql(
            Some(&reader),
            "{ topics { nodes { slug name description version } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["topics"]["nodes"],
        json!([{ "slug": "warm-handoffs", "name": "Warm handoffs", "description": null, "version": 3 }]),
        "{body}"
    );
    let rows = topic::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].version, 3);
}

#[tokio::test]
async fn reactivating_an_active_user_keeps_them_signed_in() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let (user, token) = app.user("Still Here", UserRole::User).await;
    let body = app
        .graphql(
            Some(&admin),
            "mutation($id: ID!) { reactivateUser(input: { id: $id }) { user { isActive } userErrors { code } } }",
            json!({ "id": gid(NodeKind::User, user.id) }),
        )
        .await;
    assert_eq!(
        body["data"]["reactivateUser"]["user"]["isActive"], true,
        "{body}"
    );
    let body = app
        .graphql(Some(&token), "{ viewer { name } }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["name"], "Still Here", "{body}");
}
