//! Every kind of object with a global ID: its ID decodes to it, `node(id:)` resolves it, and a
//! lookup that expects another kind refuses it. Adding a kind to the registry fails to compile
//! here until it has a fixture.

use async_graphql::ID;
use chrono::{Duration, Utc};
use entity::access_token::TokenKind;
use entity::cohort_staff::StaffRole;
use entity::matching_run::RunStatus;
use entity::membership::MembershipRole;
use entity::milestone::MilestoneVisibility;
use entity::peer_match::MatchStatus;
use entity::registration::RegistrationStatus;
use entity::user::UserRole;
use entity::{action_item, attendance, breakout_group, calendar_feed, notification, resource};
use entity::{
    identity, invitation, match_contact, match_feedback, match_participant, milestone_change,
    milestone_comment, milestone_progress,
};
use peerlearn::auth::token::{self, NewToken};
use peerlearn::graphql::ids::{NodeKind, decode};
use peerlearn_tests::{TestApp, error_code, gid};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// Creates one object of `kind` that the admin `owner` may see, and returns its primary key.
async fn fixture(app: &TestApp, owner: Uuid, kind: NodeKind) -> Uuid {
    let now = Utc::now();
    match kind {
        NodeKind::User => app.user("Someone", UserRole::User).await.0.id,
        NodeKind::Organization => app.organization("Acme").await.id,
        NodeKind::Membership => {
            let org = app.organization("Acme").await;
            let (user, _) = app.user("Member", UserRole::User).await;
            app.member(&org, &user, MembershipRole::Member).await.id
        }
        NodeKind::Cohort => {
            app.cohort(&format!("c-{}", Uuid::now_v7().simple()))
                .await
                .id
        }
        NodeKind::Enrollment => {
            let cohort = app.cohort(&format!("c-{}", Uuid::now_v7().simple())).await;
            let org = app.organization("Enrolled").await;
            app.enroll(&cohort, &org).await.id
        }
        NodeKind::CohortStaff => {
            let cohort = app.cohort(&format!("c-{}", Uuid::now_v7().simple())).await;
            let (coach, _) = app.user("Coach", UserRole::User).await;
            app.staff(&cohort, &coach, StaffRole::Coach).await.id
        }
        NodeKind::Topic => {
            app.topic(&format!("t-{}", Uuid::now_v7().simple()))
                .await
                .id
        }
        NodeKind::Invitation => {
            let org = app.organization("Inviting").await;
            invitation::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set("invitee@example.org".to_owned()),
                organization_id: Set(Some(org.id)),
                membership_role: Set(Some(MembershipRole::Member)),
                profession: Set(Some(entity::membership::Profession::Nurse)),
                cohort_id: Set(None),
                staff_role: Set(None),
                invited_by_id: Set(Some(owner)),
                expires_at: Set(now + Duration::days(7)),
                revoked_at: Set(None),
                redeemed_at: Set(None),
                redeemed_by_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Identity => {
            identity::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(owner),
                issuer: Set("https://idp.example.org".to_owned()),
                subject: Set(Uuid::now_v7().to_string()),
                email: Set(None),
                email_verified: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Session => {
            token::issue(
                &app.db,
                NewToken {
                    user_id: owner,
                    kind: TokenKind::WebSession,
                    name: "browser",
                    expires_at: Some(now + Duration::days(1)),
                    family_id: None,
                    user_agent: None,
                },
            )
            .await
            .unwrap()
            .token
            .id
        }
        NodeKind::AccessToken => {
            token::create_personal_token(&app.db, owner, "script", None)
                .await
                .unwrap()
                .token
                .id
        }
        NodeKind::Milestone => milestone(app).await.id,
        NodeKind::ShowcasedMilestone => app.showcase(milestone(app).await).await.id,
        NodeKind::MilestoneProgress => {
            milestone_progress::ActiveModel {
                id: Set(Uuid::now_v7()),
                milestone_id: Set(milestone(app).await.id),
                author_id: Set(Some(owner)),
                occurred_on: Set(now.date_naive()),
                note: Set("Started".to_owned()),
                status_before: Set(None),
                status_after: Set(None),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::MilestoneComment => {
            milestone_comment::ActiveModel {
                id: Set(Uuid::now_v7()),
                milestone_id: Set(milestone(app).await.id),
                author_id: Set(Some(owner)),
                body: Set("Well done".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::MilestoneChange => {
            milestone_change::ActiveModel {
                id: Set(Uuid::now_v7()),
                milestone_id: Set(milestone(app).await.id),
                actor_id: Set(Some(owner)),
                kind: Set(milestone_change::ChangeKind::Created),
                before: Set(None),
                after: Set(Some("PLANNED".to_owned())),
                comment: Set(None),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Event => event(app).await.id,
        NodeKind::Registration => {
            let (user, _) = app.user("Registrant", UserRole::User).await;
            app.registration(&event(app).await, &user, RegistrationStatus::Registered)
                .await
                .id
        }
        NodeKind::Attendance => {
            let (user, _) = app.user("Attendee", UserRole::User).await;
            attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event(app).await.id),
                user_id: Set(user.id),
                minutes: Set(60),
                source: Set(attendance::AttendanceSource::Manual),
                adjusted_by_id: Set(Some(owner)),
                reason: Set(Some("Marked".to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Notification => {
            notification::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(owner),
                kind: Set(notification::NotificationKind::EventMoved),
                event_id: Set(Some(event(app).await.id)),
                message: Set("Moved".to_owned()),
                read_at: Set(None),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::CalendarFeed => {
            calendar_feed::ActiveModel {
                id: Set(Uuid::now_v7()),
                token_hash: Set(Uuid::now_v7().simple().to_string()),
                user_id: Set(owner),
                cohort_id: Set(None),
                revoked_at: Set(None),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Resource => {
            let event = event(app).await;
            resource::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(event.cohort_id),
                event_id: Set(Some(event.id)),
                kind: Set(resource::ResourceKind::Recording),
                title: Set("Recording".to_owned()),
                url: Set("https://video.example.org/1".to_owned()),
                description: Set(None),
                created_by_id: Set(Some(owner)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::BreakoutGroup => {
            breakout_group::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event(app).await.id),
                name: Set("Group 1".to_owned()),
                facilitator_id: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::ActionItem => {
            let event = event(app).await;
            let org = app.organization("Doer").await;
            action_item::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event.id),
                organization_id: Set(org.id),
                owner_id: Set(None),
                title: Set("Draft the referral workflow".to_owned()),
                due_on: Set(None),
                done_at: Set(None),
                created_by_id: Set(Some(owner)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::Assessment => {
            let topic = app.topic(&format!("t-{}", Uuid::now_v7().simple())).await;
            app.assessment(&app.organization("Assessed").await, &[(topic.id, 1, true)])
                .await
                .id
        }
        NodeKind::MatchingRun => matched(app).await.0.id,
        NodeKind::PeerMatch => matched(app).await.1.id,
        NodeKind::MatchParticipant => {
            let (_, m) = matched(app).await;
            match_participant::Entity::find()
                .filter(match_participant::Column::MatchId.eq(m.id))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .id
        }
        NodeKind::MatchContact => {
            match_contact::ActiveModel {
                id: Set(Uuid::now_v7()),
                match_id: Set(matched(app).await.1.id),
                author_id: Set(Some(owner)),
                occurred_on: Set(now.date_naive()),
                note: Set("First call".to_owned()),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
        NodeKind::MatchFeedback => {
            let (_, m) = matched(app).await;
            let participant = match_participant::Entity::find()
                .filter(match_participant::Column::MatchId.eq(m.id))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            match_feedback::ActiveModel {
                id: Set(Uuid::now_v7()),
                match_id: Set(m.id),
                organization_id: Set(participant.organization_id),
                author_id: Set(Some(owner)),
                rating: Set(4),
                comment: Set(None),
                created_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap()
            .id
        }
    }
}

/// A published run of a fresh cohort with one active match of two fresh organizations.
async fn matched(app: &TestApp) -> (entity::matching_run::Model, entity::peer_match::Model) {
    let cohort = app.cohort(&format!("c-{}", Uuid::now_v7().simple())).await;
    let a = app.organization("Mentor").await;
    let b = app.organization("Mentee").await;
    app.enroll(&cohort, &a).await;
    app.enroll(&cohort, &b).await;
    let run = app
        .matching_run(&cohort, &[&a, &b], RunStatus::Published)
        .await;
    let m = app.peer_match(&run, &[&a, &b], MatchStatus::Active).await;
    (run, m)
}

/// An event of a fresh cohort.
async fn event(app: &TestApp) -> entity::event::Model {
    let cohort = app.cohort(&format!("c-{}", Uuid::now_v7().simple())).await;
    app.event(&cohort, "A webinar", Utc::now() + Duration::days(3))
        .await
}

/// A milestone of a fresh organization in a fresh cohort.
async fn milestone(app: &TestApp) -> entity::milestone::Model {
    let cohort = app.cohort(&format!("c-{}", Uuid::now_v7().simple())).await;
    let org = app.organization("Achiever").await;
    app.enroll(&cohort, &org).await;
    app.milestone(&cohort, &org, "A milestone", MilestoneVisibility::Cohort)
        .await
}

#[tokio::test]
async fn every_kind_resolves_through_node_and_refuses_the_wrong_kind() {
    let app = TestApp::spawn().await;
    let (admin, token) = app.admin().await;
    let mut failures = Vec::new();
    for kind in NodeKind::ALL.iter().copied() {
        let key = fixture(&app, admin.id, kind).await;
        let id = gid(kind, key);
        assert_eq!(decode(&ID(id.clone())).ok(), Some((kind, key)));
        let body = app
            .graphql(
                Some(&token),
                "query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id]) { id } }",
                json!({ "id": id }),
            )
            .await;
        let expected = json!({
            "node": { "__typename": kind.type_name(), "id": id },
            "nodes": [{ "id": id }],
        });
        if body["data"] != expected {
            failures.push(format!("{kind:?}: {body}"));
        }
        // A lookup that expects another kind refuses the ID before looking anything up.
        let other = if kind == NodeKind::Organization {
            "query($id: ID!) { cohort(id: $id) { id } }"
        } else {
            "query($id: ID!) { organization(id: $id) { id } }"
        };
        let body = app.graphql(Some(&token), other, json!({ "id": id })).await;
        if error_code(&body) != Some("BAD_USER_INPUT") {
            failures.push(format!("{kind:?} accepted as another kind: {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
