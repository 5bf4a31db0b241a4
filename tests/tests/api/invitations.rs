//! Who may invite whom: invitations must not become a way around the membership rules.

use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::membership::MembershipRole;
use entity::user::UserRole;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

const INVITE: &str = "mutation($input: CreateInvitationInput!) {
    createInvitation(input: $input) { invitation { id status } userErrors { code field } }
}";

fn invite(organization: uuid::Uuid, email: &str, role: &str) -> Value {
    json!({ "input": {
        "email": email,
        "organizationId": gid(NodeKind::Organization, organization),
        "membershipRole": role,
        "profession": "NURSE",
    } })
}

#[tokio::test]
async fn a_coach_invites_members_but_not_a_second_lead() {
    let app = TestApp::spawn().await;
    let cohort = app.cohort("bhi").await;
    let clinic = app.organization("Clinic").await;
    app.enroll(&cohort, &clinic).await;
    let (coach, coach_token) = app.user("Coach", UserRole::User).await;
    app.staff(&cohort, &coach, StaffRole::Coach).await;

    let member = app
        .graphql(
            Some(&coach_token),
            INVITE,
            invite(clinic.id, "new@example.org", "MEMBER"),
        )
        .await;
    assert_eq!(
        member["data"]["createInvitation"]["invitation"]["status"], "PENDING",
        "{member}"
    );

    let first_lead = app
        .graphql(
            Some(&coach_token),
            INVITE,
            invite(clinic.id, "lead@example.org", "LEAD"),
        )
        .await;
    assert_eq!(
        first_lead["data"]["createInvitation"]["invitation"]["status"], "PENDING",
        "a coach brings in the first lead of an organization without one: {first_lead}"
    );

    let (lead, _) = app.user("Lead", UserRole::User).await;
    app.member(&clinic, &lead, MembershipRole::Lead).await;
    let before = app.count_rows("invitation").await;
    let second_lead = app
        .graphql(
            Some(&coach_token),
            INVITE,
            invite(clinic.id, "another@example.org", "LEAD"),
        )
        .await;
    assert_eq!(error_code(&second_lead), Some("FORBIDDEN"), "{second_lead}");
    assert_eq!(app.count_rows("invitation").await, before);
}

#[tokio::test]
async fn nobody_but_an_admin_invites_themselves() {
    let app = TestApp::spawn().await;
    let clinic = app.organization("Clinic").await;
    let (lead, token) = app.user("Lead", UserRole::User).await;
    app.member(&clinic, &lead, MembershipRole::Lead).await;
    let email = lead.email.clone().unwrap();
    let body = app
        .graphql(
            Some(&token),
            INVITE,
            invite(clinic.id, &email.to_uppercase(), "LEAD"),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["createInvitation"]),
        ["INVALID"],
        "{body}"
    );
    assert_eq!(app.count_rows("invitation").await, 0);

    let (admin, admin_token) = app.admin().await;
    let body = app
        .graphql(
            Some(&admin_token),
            INVITE,
            invite(clinic.id, &admin.email.unwrap(), "MEMBER"),
        )
        .await;
    assert!(
        user_error_codes(&body["data"]["createInvitation"]).is_empty(),
        "{body}"
    );
}

#[tokio::test]
async fn staff_of_a_cohort_an_organization_left_can_no_longer_invite_into_it() {
    let app = TestApp::spawn().await;
    let cohort = app.cohort("bhi").await;
    let clinic = app.organization("Clinic").await;
    let enrollment = app.enroll(&cohort, &clinic).await;
    let (coach, coach_token) = app.user("Coach", UserRole::User).await;
    app.staff(&cohort, &coach, StaffRole::Coach).await;
    let mut withdrawn: entity::enrollment::ActiveModel = enrollment.into();
    withdrawn.status = Set(EnrollmentStatus::Withdrawn);
    withdrawn.update(&app.db).await.unwrap();

    let body = app
        .graphql(
            Some(&coach_token),
            INVITE,
            invite(clinic.id, "new@example.org", "MEMBER"),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let listed = app
        .graphql(
            Some(&coach_token),
            "{ invitations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["invitations"]["totalCount"], 0);
}

#[tokio::test]
async fn a_redeemed_invitation_cannot_be_revoked() {
    let app = TestApp::spawn().await;
    let clinic = app.organization("Clinic").await;
    let (lead, token) = app.user("Lead", UserRole::User).await;
    app.member(&clinic, &lead, MembershipRole::Lead).await;
    let created = app
        .graphql(
            Some(&token),
            INVITE,
            invite(clinic.id, "new@example.org", "MEMBER"),
        )
        .await;
    let id = created["data"]["createInvitation"]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (invitee, _) = app.user("Invitee", UserRole::User).await;
    peerlearn::invitation::service::redeem_invitations(&app.db, &invitee, "new@example.org")
        .await
        .unwrap();
    let body = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { revokeInvitation(input: { id: $id }) { invitation { status } userErrors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["revokeInvitation"]),
        ["INVALID"],
        "{body}"
    );
    assert_eq!(app.count_rows("membership").await, 2);
}
