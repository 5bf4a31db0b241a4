//! Writes that race: each runs its checks and its writes as one unit, so concurrent requests
//! cannot together break a rule that each one alone keeps. These run on both databases; on
//! PostgreSQL the requests truly overlap.

use entity::membership::{self, MembershipRole};
use entity::user::UserRole;
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid, user_error_codes};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const DEMOTE: &str = "mutation($id: ID!) {
    updateMember(input: { id: $id, expectedVersion: 1, role: MEMBER }) {
        membership { role } userErrors { code }
    }
}";

const LEAVE: &str = "mutation($id: ID!) {
    removeMember(input: { id: $id }) { removedMembershipId userErrors { code } }
}";

/// How many organizations each race runs over.
const ROUNDS: usize = 12;

async fn leads_of(app: &TestApp, organization: uuid::Uuid) -> u64 {
    membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization))
        .filter(membership::Column::Role.eq(MembershipRole::Lead))
        .count(&app.db)
        .await
        .unwrap()
}

/// Runs `document` as each lead against the other's membership (or their own, when `own`),
/// both at once, and checks that the organization keeps a lead and exactly one request was
/// refused: with `LAST_LEAD`, or `FORBIDDEN` when the other's demotion landed before this
/// request was authenticated.
async fn race(document: &str, field: &str, own: bool) {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let org = app.organization(&format!("Org {round}")).await;
        let (ann, ann_token) = app.user(&format!("Ann {round}"), UserRole::User).await;
        let (bob, bob_token) = app.user(&format!("Bob {round}"), UserRole::User).await;
        let ann_lead = app.member(&org, &ann, MembershipRole::Lead).await;
        let bob_lead = app.member(&org, &bob, MembershipRole::Lead).await;
        let (ann_target, bob_target) = if own {
            (ann_lead.id, bob_lead.id)
        } else {
            (bob_lead.id, ann_lead.id)
        };
        let (a, b): (Value, Value) = tokio::join!(
            app.graphql(
                Some(&ann_token),
                document,
                json!({ "id": gid(NodeKind::Membership, ann_target) })
            ),
            app.graphql(
                Some(&bob_token),
                document,
                json!({ "id": gid(NodeKind::Membership, bob_target) })
            ),
        );
        let refused = [&a, &b]
            .iter()
            .filter(|body| {
                user_error_codes(&body["data"][field]) == ["LAST_LEAD"]
                    || error_code(body) == Some("FORBIDDEN")
            })
            .count();
        let leads = leads_of(&app, org.id).await;
        if leads != 1 || refused != 1 {
            failures.push(format!("round {round}: {leads} leads left; {a}; {b}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn two_leads_demoting_each_other_at_once_leave_one_lead() {
    race(DEMOTE, "updateMember", false).await;
}

#[tokio::test]
async fn two_leads_leaving_at_once_leave_one_lead() {
    race(LEAVE, "removeMember", true).await;
}

#[tokio::test]
async fn enrolling_the_same_organization_twice_at_once_enrolls_it_once() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let document = "mutation($cohort: ID!, $org: ID!) {
        enrollOrganization(input: { cohortId: $cohort, organizationId: $org }) {
            enrollment { id status } userErrors { code }
        }
    }";
    for round in 0..ROUNDS {
        let cohort = app.cohort(&format!("cohort-{round}")).await;
        let org = app.organization(&format!("Org {round}")).await;
        let variables = json!({
            "cohort": gid(NodeKind::Cohort, cohort.id),
            "org": gid(NodeKind::Organization, org.id),
        });
        let (a, b) = tokio::join!(
            app.graphql(Some(&admin), document, variables.clone()),
            app.graphql(Some(&admin), document, variables.clone()),
        );
        for body in [&a, &b] {
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(
                body["data"]["enrollOrganization"]["enrollment"]["status"],
                "ACTIVE"
            );
        }
        assert_eq!(
            a["data"]["enrollOrganization"]["enrollment"]["id"],
            b["data"]["enrollOrganization"]["enrollment"]["id"]
        );
    }
}

#[tokio::test]
async fn assigning_the_same_staff_twice_at_once_assigns_them_once() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.admin().await;
    let document = "mutation($cohort: ID!, $user: ID!) {
        assignCohortStaff(input: { cohortId: $cohort, userId: $user, role: COACH }) {
            staff { id role } userErrors { code }
        }
    }";
    for round in 0..ROUNDS {
        let cohort = app.cohort(&format!("cohort-{round}")).await;
        let (coach, _) = app.user(&format!("Coach {round}"), UserRole::User).await;
        let variables = json!({
            "cohort": gid(NodeKind::Cohort, cohort.id),
            "user": gid(NodeKind::User, coach.id),
        });
        let (a, b) = tokio::join!(
            app.graphql(Some(&admin), document, variables.clone()),
            app.graphql(Some(&admin), document, variables.clone()),
        );
        for body in [&a, &b] {
            assert!(body.get("errors").is_none(), "{body}");
        }
        assert_eq!(
            a["data"]["assignCohortStaff"]["staff"]["id"],
            b["data"]["assignCohortStaff"]["staff"]["id"]
        );
    }
}

const ACCEPT: &str = "mutation($match: ID!, $org: ID!) {
    respondToMatch(input: { matchId: $match, organizationId: $org, answer: ACCEPT }) {
        match { status } userErrors { code }
    }
}";

#[tokio::test]
async fn participants_accepting_at_once_make_the_match_active() {
    use entity::matching_run::RunStatus;
    use entity::peer_match::{self, MatchStatus};
    let app = TestApp::spawn().await;
    let cohort = app.cohort("race").await;
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let mut sides = Vec::new();
        for name in ["Ann", "Bob"] {
            let org = app.organization(&format!("{name}'s clinic {round}")).await;
            app.enroll(&cohort, &org).await;
            let (user, token) = app.user(&format!("{name} {round}"), UserRole::User).await;
            app.member(&org, &user, MembershipRole::Member).await;
            sides.push((org, token));
        }
        let run = app
            .matching_run(&cohort, &[&sides[0].0, &sides[1].0], RunStatus::Published)
            .await;
        let m = app
            .peer_match(&run, &[&sides[0].0, &sides[1].0], MatchStatus::Proposed)
            .await;
        let answer = |side: usize| {
            app.graphql(
                Some(&sides[side].1),
                ACCEPT,
                json!({
                    "match": gid(NodeKind::PeerMatch, m.id),
                    "org": gid(NodeKind::Organization, sides[side].0.id),
                }),
            )
        };
        let (a, b): (Value, Value) = tokio::join!(answer(0), answer(1));
        for body in [&a, &b] {
            if body.get("errors").is_some()
                || !user_error_codes(&body["data"]["respondToMatch"]).is_empty()
            {
                failures.push(format!("round {round}: {body}"));
            }
        }
        let stored = peer_match::Entity::find_by_id(m.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        if stored.status != MatchStatus::Active || stored.activated_at.is_none() {
            failures.push(format!("round {round}: left {:?}: {a} {b}", stored.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
