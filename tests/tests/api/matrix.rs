//! The authorization matrix: every root query and mutation, for every kind of viewer, against
//! their own tenant and another one, with the outcome the policy promises.
//!
//! The world has two tenants: cohort A with organization A1, and cohort B with organization
//! B1. Viewers: a member and a lead of A1, a member of B1 (a member of another organization),
//! the coach of cohort A (coach of this cohort), the coach of cohort B (coach of another
//! cohort), an admin, and anonymous. "Own" targets objects of tenant A (the viewer's own for
//! everyone tied to A), "other" targets tenant B; for personal records (tokens, sessions,
//! identities) "own" is the viewer's own and "other" someone else's.
//!
//! Adding an operation means adding an `Op` variant; the compiler then asks for its query,
//! setup and expectations, and `every_root_field_has_rows` fails until it is in `Op::ALL`.

use chrono::Utc;
use entity::access_token::TokenKind;
use entity::cohort_staff::StaffRole;
use entity::enrollment::EnrollmentStatus;
use entity::matching_run::RunStatus;
use entity::membership::MembershipRole;
use entity::milestone::MilestoneVisibility;
use entity::peer_match::MatchStatus;
use entity::registration::RegistrationStatus;
use entity::user::UserRole;
use entity::{cohort, enrollment, identity, match_participant, milestone, organization, user};
use peerlearn::auth::token::{self, NewToken};
use peerlearn::graphql::ids::NodeKind;
use peerlearn_tests::{TestApp, error_code, gid};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    Member,
    Lead,
    MemberOfOtherOrg,
    CoachOfThisCohort,
    CoachOfOtherCohort,
    Admin,
}

const PERSONAS: [Persona; 7] = [
    Persona::Anonymous,
    Persona::Member,
    Persona::Lead,
    Persona::MemberOfOtherOrg,
    Persona::CoachOfThisCohort,
    Persona::CoachOfOtherCohort,
    Persona::Admin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tenant {
    Own,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Unauthenticated,
    NotFound,
    Forbidden,
}

use Outcome::{Allowed, Forbidden, NotFound, Unauthenticated};

/// Every root operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Node,
    Nodes,
    Viewer,
    Organizations,
    Organization,
    Cohorts,
    Cohort,
    Topics,
    Invitations,
    CreateOrganization,
    UpdateOrganization,
    AddMember,
    UpdateMember,
    RemoveMember,
    CreateCohort,
    UpdateCohort,
    EnrollOrganization,
    WithdrawOrganization,
    AssignCohortStaff,
    RemoveCohortStaff,
    CreateTopic,
    UpdateTopic,
    CreateInvitation,
    RevokeInvitation,
    CreatePersonalAccessToken,
    RevokeAccessToken,
    RevokeSession,
    UnlinkIdentity,
    DeactivateUser,
    ReactivateUser,
    Milestone,
    Showcase,
    CreateMilestone,
    UpdateMilestone,
    AddMilestoneProgress,
    ReviewMilestone,
    ConsentToShowcase,
    ApproveShowcase,
    WithdrawFromShowcase,
    AddMilestoneComment,
    GiveKudos,
    WithdrawKudos,
    Event,
    Events,
    Notifications,
    CalendarFeeds,
    CreateEvent,
    UpdateEvent,
    CancelEvent,
    RegisterForEvent,
    CancelRegistration,
    RecordAttendance,
    CheckIn,
    ImportAttendance,
    CreateCalendarFeed,
    RevokeCalendarFeed,
    MarkNotificationsRead,
    AddResource,
    UpdateResource,
    RemoveResource,
    CreateBreakoutGroup,
    UpdateBreakoutGroup,
    RemoveBreakoutGroup,
    CreateActionItem,
    UpdateActionItem,
    MatchingRun,
    SubmitAssessment,
    CreateMatchingRun,
    RemoveProposedMatch,
    AddManualMatch,
    PublishMatchingRun,
    DiscardMatchingRun,
    RespondToMatch,
    LogMatchContact,
    CompleteMatch,
    RateMatch,
    SwapMatchedOrganizations,
    CreateBreakoutGroupsFromRun,
}

impl Op {
    const ALL: [Op; 78] = [
        Op::Node,
        Op::Nodes,
        Op::Viewer,
        Op::Organizations,
        Op::Organization,
        Op::Cohorts,
        Op::Cohort,
        Op::Topics,
        Op::Invitations,
        Op::CreateOrganization,
        Op::UpdateOrganization,
        Op::AddMember,
        Op::UpdateMember,
        Op::RemoveMember,
        Op::CreateCohort,
        Op::UpdateCohort,
        Op::EnrollOrganization,
        Op::WithdrawOrganization,
        Op::AssignCohortStaff,
        Op::RemoveCohortStaff,
        Op::CreateTopic,
        Op::UpdateTopic,
        Op::CreateInvitation,
        Op::RevokeInvitation,
        Op::CreatePersonalAccessToken,
        Op::RevokeAccessToken,
        Op::RevokeSession,
        Op::UnlinkIdentity,
        Op::DeactivateUser,
        Op::ReactivateUser,
        Op::Milestone,
        Op::Showcase,
        Op::CreateMilestone,
        Op::UpdateMilestone,
        Op::AddMilestoneProgress,
        Op::ReviewMilestone,
        Op::ConsentToShowcase,
        Op::ApproveShowcase,
        Op::WithdrawFromShowcase,
        Op::AddMilestoneComment,
        Op::GiveKudos,
        Op::WithdrawKudos,
        Op::Event,
        Op::Events,
        Op::Notifications,
        Op::CalendarFeeds,
        Op::CreateEvent,
        Op::UpdateEvent,
        Op::CancelEvent,
        Op::RegisterForEvent,
        Op::CancelRegistration,
        Op::RecordAttendance,
        Op::CheckIn,
        Op::ImportAttendance,
        Op::CreateCalendarFeed,
        Op::RevokeCalendarFeed,
        Op::MarkNotificationsRead,
        Op::AddResource,
        Op::UpdateResource,
        Op::RemoveResource,
        Op::CreateBreakoutGroup,
        Op::UpdateBreakoutGroup,
        Op::RemoveBreakoutGroup,
        Op::CreateActionItem,
        Op::UpdateActionItem,
        Op::MatchingRun,
        Op::SubmitAssessment,
        Op::CreateMatchingRun,
        Op::RemoveProposedMatch,
        Op::AddManualMatch,
        Op::PublishMatchingRun,
        Op::DiscardMatchingRun,
        Op::RespondToMatch,
        Op::LogMatchContact,
        Op::CompleteMatch,
        Op::RateMatch,
        Op::SwapMatchedOrganizations,
        Op::CreateBreakoutGroupsFromRun,
    ];

    /// The root field and, for mutations, the input type.
    fn field(self) -> (&'static str, Option<&'static str>) {
        match self {
            Op::Node => ("node", None),
            Op::Nodes => ("nodes", None),
            Op::Viewer => ("viewer", None),
            Op::Organizations => ("organizations", None),
            Op::Organization => ("organization", None),
            Op::Cohorts => ("cohorts", None),
            Op::Cohort => ("cohort", None),
            Op::Topics => ("topics", None),
            Op::Invitations => ("invitations", None),
            Op::CreateOrganization => ("createOrganization", Some("CreateOrganizationInput")),
            Op::UpdateOrganization => ("updateOrganization", Some("UpdateOrganizationInput")),
            Op::AddMember => ("addMember", Some("AddMemberInput")),
            Op::UpdateMember => ("updateMember", Some("UpdateMemberInput")),
            Op::RemoveMember => ("removeMember", Some("RemoveMemberInput")),
            Op::CreateCohort => ("createCohort", Some("CreateCohortInput")),
            Op::UpdateCohort => ("updateCohort", Some("UpdateCohortInput")),
            Op::EnrollOrganization => ("enrollOrganization", Some("EnrollmentInput")),
            Op::WithdrawOrganization => ("withdrawOrganization", Some("EnrollmentInput")),
            Op::AssignCohortStaff => ("assignCohortStaff", Some("AssignCohortStaffInput")),
            Op::RemoveCohortStaff => ("removeCohortStaff", Some("RemoveCohortStaffInput")),
            Op::CreateTopic => ("createTopic", Some("CreateTopicInput")),
            Op::UpdateTopic => ("updateTopic", Some("UpdateTopicInput")),
            Op::CreateInvitation => ("createInvitation", Some("CreateInvitationInput")),
            Op::RevokeInvitation => ("revokeInvitation", Some("RevokeInvitationInput")),
            Op::CreatePersonalAccessToken => (
                "createPersonalAccessToken",
                Some("CreatePersonalAccessTokenInput"),
            ),
            Op::RevokeAccessToken => ("revokeAccessToken", Some("ByIdInput")),
            Op::RevokeSession => ("revokeSession", Some("ByIdInput")),
            Op::UnlinkIdentity => ("unlinkIdentity", Some("ByIdInput")),
            Op::DeactivateUser => ("deactivateUser", Some("ByIdInput")),
            Op::ReactivateUser => ("reactivateUser", Some("ByIdInput")),
            Op::Milestone => ("milestone", None),
            Op::Showcase => ("showcase", None),
            Op::CreateMilestone => ("createMilestone", Some("CreateMilestoneInput")),
            Op::UpdateMilestone => ("updateMilestone", Some("UpdateMilestoneInput")),
            Op::AddMilestoneProgress => ("addMilestoneProgress", Some("AddMilestoneProgressInput")),
            Op::ReviewMilestone => ("reviewMilestone", Some("ReviewMilestoneInput")),
            Op::ConsentToShowcase => ("consentToShowcase", Some("ConsentToShowcaseInput")),
            Op::ApproveShowcase => ("approveShowcase", Some("ApproveShowcaseInput")),
            Op::WithdrawFromShowcase => ("withdrawFromShowcase", Some("WithdrawFromShowcaseInput")),
            Op::AddMilestoneComment => ("addMilestoneComment", Some("AddMilestoneCommentInput")),
            Op::GiveKudos => ("giveKudos", Some("KudosInput")),
            Op::WithdrawKudos => ("withdrawKudos", Some("KudosInput")),
            Op::Event => ("event", None),
            Op::Events => ("events", None),
            Op::Notifications => ("notifications", None),
            Op::CalendarFeeds => ("calendarFeeds", None),
            Op::CreateEvent => ("createEvent", Some("CreateEventInput")),
            Op::UpdateEvent => ("updateEvent", Some("UpdateEventInput")),
            Op::CancelEvent => ("cancelEvent", Some("CancelEventInput")),
            Op::RegisterForEvent => ("registerForEvent", Some("RegisterForEventInput")),
            Op::CancelRegistration => ("cancelRegistration", Some("EventIdInput")),
            Op::RecordAttendance => ("recordAttendance", Some("RecordAttendanceInput")),
            Op::CheckIn => ("checkIn", Some("EventIdInput")),
            Op::ImportAttendance => ("importAttendance", Some("ImportAttendanceInput")),
            Op::CreateCalendarFeed => ("createCalendarFeed", Some("CreateCalendarFeedInput")),
            Op::RevokeCalendarFeed => ("revokeCalendarFeed", Some("RevokeCalendarFeedInput")),
            Op::MarkNotificationsRead => {
                ("markNotificationsRead", Some("MarkNotificationsReadInput"))
            }
            Op::AddResource => ("addResource", Some("AddResourceInput")),
            Op::UpdateResource => ("updateResource", Some("UpdateResourceInput")),
            Op::RemoveResource => ("removeResource", Some("RemoveInput")),
            Op::CreateBreakoutGroup => ("createBreakoutGroup", Some("CreateBreakoutGroupInput")),
            Op::UpdateBreakoutGroup => ("updateBreakoutGroup", Some("UpdateBreakoutGroupInput")),
            Op::RemoveBreakoutGroup => ("removeBreakoutGroup", Some("RemoveInput")),
            Op::CreateActionItem => ("createActionItem", Some("CreateActionItemInput")),
            Op::CreateBreakoutGroupsFromRun => (
                "createBreakoutGroupsFromRun",
                Some("CreateBreakoutGroupsFromRunInput"),
            ),
            Op::UpdateActionItem => ("updateActionItem", Some("UpdateActionItemInput")),
            Op::MatchingRun => ("matchingRun", None),
            Op::SubmitAssessment => ("submitAssessment", Some("SubmitAssessmentInput")),
            Op::CreateMatchingRun => ("createMatchingRun", Some("CreateMatchingRunInput")),
            Op::RemoveProposedMatch => ("removeProposedMatch", Some("RemoveProposedMatchInput")),
            Op::AddManualMatch => ("addManualMatch", Some("AddManualMatchInput")),
            Op::PublishMatchingRun => ("publishMatchingRun", Some("PublishMatchingRunInput")),
            Op::DiscardMatchingRun => ("discardMatchingRun", Some("DiscardMatchingRunInput")),
            Op::RespondToMatch => ("respondToMatch", Some("RespondToMatchInput")),
            Op::LogMatchContact => ("logMatchContact", Some("LogMatchContactInput")),
            Op::CompleteMatch => ("completeMatch", Some("CompleteMatchInput")),
            Op::RateMatch => ("rateMatch", Some("RateMatchInput")),
            Op::SwapMatchedOrganizations => (
                "swapMatchedOrganizations",
                Some("SwapMatchedOrganizationsInput"),
            ),
        }
    }

    fn query(self) -> String {
        match (self, self.field()) {
            (_, (field, Some(input))) => format!(
                "mutation($input: {input}!) {{ {field}(input: $input) {{ userErrors {{ code message }} }} }}"
            ),
            (Op::Node, _) => "query($id: ID!) { node(id: $id) { id } }".to_owned(),
            (Op::Nodes, _) => "query($ids: [ID!]!) { nodes(ids: $ids) { id } }".to_owned(),
            (Op::Viewer, _) => "{ viewer { id } }".to_owned(),
            (Op::Organization, _) => "query($id: ID!) { organization(id: $id) { id } }".to_owned(),
            (Op::Cohort, _) => "query($id: ID!) { cohort(id: $id) { id } }".to_owned(),
            (Op::Milestone, _) => "query($id: ID!) { milestone(id: $id) { id } }".to_owned(),
            (Op::Event, _) => "query($id: ID!) { event(id: $id) { id } }".to_owned(),
            (Op::MatchingRun, _) => "query($id: ID!) { matchingRun(id: $id) { id } }".to_owned(),
            (_, (field, None)) => format!("{{ {field} {{ totalCount }} }}"),
        }
    }

    /// What the policy promises.
    fn expected(self, persona: Persona, tenant: Tenant) -> Outcome {
        use Persona::*;
        if persona == Anonymous {
            // Public root fields open to anonymous viewers, who find only public objects (the
            // targets here are organizations, which are not); every other field needs sign-in.
            return match self {
                Op::Node => NotFound,
                Op::Nodes | Op::Topics | Op::Showcase => Allowed,
                _ => Unauthenticated,
            };
        }
        let admin = persona == Admin;
        let own = tenant == Tenant::Own;
        // Who sees tenant A, and who sees tenant B.
        let sees = admin
            || match persona {
                Member | Lead | CoachOfThisCohort => own,
                MemberOfOtherOrg | CoachOfOtherCohort => !own,
                Anonymous | Admin => false,
            };
        let leads_org = persona == Lead && own;
        // Members of the tenant's organization.
        let org_member =
            (matches!(persona, Member | Lead) && own) || (persona == MemberOfOtherOrg && !own);
        let manages_cohort = admin
            || (persona == CoachOfThisCohort && own)
            || (persona == CoachOfOtherCohort && !own);
        let guarded = |allowed: bool| match (sees, allowed) {
            (false, _) => NotFound,
            (true, true) => Allowed,
            (true, false) => Forbidden,
        };
        let admin_only = if admin { Allowed } else { Forbidden };
        match self {
            Op::Node
            | Op::Organization
            | Op::Cohort
            | Op::Milestone
            | Op::AddMilestoneComment
            | Op::GiveKudos
            | Op::WithdrawKudos => guarded(true),
            Op::Showcase
            | Op::Events
            | Op::Notifications
            | Op::CalendarFeeds
            | Op::MarkNotificationsRead => Allowed,
            Op::Event | Op::CancelRegistration => guarded(true),
            Op::CreateEvent
            | Op::UpdateEvent
            | Op::CancelEvent
            | Op::RecordAttendance
            | Op::ImportAttendance
            | Op::CreateCalendarFeed => guarded(manages_cohort),
            Op::RegisterForEvent | Op::CheckIn => guarded(org_member),
            Op::AddResource
            | Op::UpdateResource
            | Op::RemoveResource
            | Op::CreateBreakoutGroup
            | Op::UpdateBreakoutGroup
            | Op::RemoveBreakoutGroup
            | Op::CreateBreakoutGroupsFromRun => guarded(manages_cohort),
            Op::CreateActionItem => guarded(manages_cohort || org_member),
            // Action items are seen by their organization and the cohort's staff only.
            Op::UpdateActionItem => {
                let staff =
                    persona == CoachOfThisCohort && own || persona == CoachOfOtherCohort && !own;
                match (
                    admin || org_member || staff,
                    admin || org_member || manages_cohort,
                ) {
                    (false, _) => NotFound,
                    (true, true) => Allowed,
                    (true, false) => Forbidden,
                }
            }
            Op::RevokeCalendarFeed => {
                if own {
                    Allowed
                } else {
                    NotFound
                }
            }
            Op::CreateMilestone | Op::UpdateMilestone | Op::AddMilestoneProgress => {
                guarded(admin || org_member)
            }
            Op::ReviewMilestone | Op::ApproveShowcase => guarded(manages_cohort),
            Op::ConsentToShowcase => guarded(admin || leads_org),
            Op::WithdrawFromShowcase => guarded(admin || leads_org || manages_cohort),
            Op::Nodes
            | Op::Viewer
            | Op::Organizations
            | Op::Cohorts
            | Op::Topics
            | Op::Invitations
            | Op::CreatePersonalAccessToken => Allowed,
            Op::CreateOrganization => {
                if manages_cohort {
                    Allowed
                } else {
                    guarded(false)
                }
            }
            Op::UpdateOrganization | Op::AddMember | Op::UpdateMember | Op::RemoveMember => {
                guarded(admin || leads_org)
            }
            Op::UpdateCohort | Op::EnrollOrganization | Op::WithdrawOrganization => {
                guarded(manages_cohort)
            }
            Op::AssignCohortStaff | Op::RemoveCohortStaff => guarded(admin),
            Op::CreateCohort | Op::CreateTopic | Op::UpdateTopic => admin_only,
            Op::CreateInvitation => guarded(admin || leads_org || manages_cohort),
            // Invitations are visible only to those who manage them.
            Op::RevokeInvitation => {
                if admin || leads_org || manages_cohort {
                    Allowed
                } else {
                    NotFound
                }
            }
            // Personal records are private, from admins too.
            Op::RevokeAccessToken | Op::RevokeSession | Op::UnlinkIdentity => {
                if own {
                    Allowed
                } else {
                    NotFound
                }
            }
            Op::DeactivateUser | Op::ReactivateUser => guarded(admin),
            Op::SubmitAssessment | Op::RespondToMatch | Op::RateMatch => {
                guarded(admin || org_member)
            }
            Op::CreateMatchingRun => guarded(manages_cohort),
            // Runs are visible to the cohort's staff only.
            Op::MatchingRun
            | Op::RemoveProposedMatch
            | Op::AddManualMatch
            | Op::PublishMatchingRun
            | Op::DiscardMatchingRun
            | Op::SwapMatchedOrganizations => {
                if manages_cohort {
                    Allowed
                } else {
                    NotFound
                }
            }
            // Matches: the cohort's staff and the participants follow them up.
            Op::LogMatchContact | Op::CompleteMatch => guarded(true),
        }
    }
}

struct World {
    app: TestApp,
    users: Vec<(Persona, user::Model, String)>,
    organizations: [organization::Model; 2],
    cohorts: [cohort::Model; 2],
    topic: Uuid,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let a1 = app.organization("A1").await;
        let b1 = app.organization("B1").await;
        let a = app.cohort("cohort-a").await;
        let b = app.cohort("cohort-b").await;
        app.enroll(&a, &a1).await;
        app.enroll(&b, &b1).await;
        let mut users = Vec::new();
        for persona in PERSONAS {
            if persona == Persona::Anonymous {
                continue;
            }
            let role = if persona == Persona::Admin {
                UserRole::Admin
            } else {
                UserRole::User
            };
            let (user, token) = app.user(&format!("{persona:?}"), role).await;
            match persona {
                Persona::Member => {
                    app.member(&a1, &user, MembershipRole::Member).await;
                }
                Persona::Lead => {
                    app.member(&a1, &user, MembershipRole::Lead).await;
                }
                Persona::MemberOfOtherOrg => {
                    app.member(&b1, &user, MembershipRole::Member).await;
                }
                Persona::CoachOfThisCohort => {
                    app.staff(&a, &user, StaffRole::Coach).await;
                }
                Persona::CoachOfOtherCohort => {
                    app.staff(&b, &user, StaffRole::Coach).await;
                }
                Persona::Anonymous | Persona::Admin => {}
            }
            users.push((persona, user, token));
        }
        let topic = app.topic("billing").await.id;
        Self {
            app,
            users,
            organizations: [a1, b1],
            cohorts: [a, b],
            topic,
        }
    }

    fn index(tenant: Tenant) -> usize {
        match tenant {
            Tenant::Own => 0,
            Tenant::Other => 1,
        }
    }

    fn organization(&self, tenant: Tenant) -> &organization::Model {
        &self.organizations[Self::index(tenant)]
    }

    fn cohort(&self, tenant: Tenant) -> &cohort::Model {
        &self.cohorts[Self::index(tenant)]
    }

    fn user(&self, persona: Persona) -> Option<&(Persona, user::Model, String)> {
        self.users.iter().find(|(p, _, _)| *p == persona)
    }

    /// The user whose personal records a request targets: the viewer's own, or the admin's
    /// (for anonymous and for "other", someone else's).
    fn record_owner(&self, persona: Persona, tenant: Tenant) -> Uuid {
        let owner = match (persona, tenant) {
            (Persona::Anonymous, _) | (_, Tenant::Other) if persona != Persona::Lead => {
                Persona::Lead
            }
            (_, Tenant::Other) => Persona::Member,
            (persona, Tenant::Own) => persona,
        };
        self.user(owner).map(|(_, u, _)| u.id).unwrap_or_default()
    }

    /// A fresh user who is a member of the tenant's organization.
    async fn fresh_member(&self, tenant: Tenant) -> (user::Model, Uuid) {
        let (user, _) = self.app.user("Fresh member", UserRole::User).await;
        let membership = self
            .app
            .member(self.organization(tenant), &user, MembershipRole::Member)
            .await;
        (user, membership.id)
    }

    /// Variables for one request, creating whatever the request acts on.
    async fn variables(&self, op: Op, persona: Persona, tenant: Tenant) -> Value {
        let org = self.organization(tenant);
        let cohort = self.cohort(tenant);
        let org_id = gid(NodeKind::Organization, org.id);
        let cohort_id = gid(NodeKind::Cohort, cohort.id);
        let unique = Uuid::now_v7().simple().to_string();
        match op {
            Op::Node | Op::Organization => json!({ "id": org_id }),
            Op::Nodes => json!({ "ids": [org_id] }),
            Op::Cohort => json!({ "id": cohort_id }),
            Op::Viewer
            | Op::Organizations
            | Op::Cohorts
            | Op::Topics
            | Op::Invitations
            | Op::Showcase
            | Op::Events
            | Op::Notifications
            | Op::CalendarFeeds => json!({}),
            Op::MarkNotificationsRead => json!({ "input": {} }),
            Op::CreateEvent => json!({ "input": {
                "cohortId": cohort_id,
                "kind": "WEBINAR",
                "title": "Billing for collaborative care",
                "startsAt": (Utc::now() + chrono::Duration::days(7)).to_rfc3339(),
                "timeZone": "America/Denver",
                "durationMinutes": 60,
            } }),
            Op::CreateCalendarFeed => json!({ "input": { "cohortId": cohort_id } }),
            Op::AddResource => json!({ "input": {
                "cohortId": cohort_id,
                "kind": "DOCUMENT",
                "title": "Billing guide",
                "url": "https://example.org/guide.pdf",
            } }),
            Op::UpdateResource | Op::RemoveResource => {
                let now = Utc::now();
                let resource = entity::resource::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    cohort_id: Set(cohort.id),
                    event_id: Set(None),
                    kind: Set(entity::resource::ResourceKind::Link),
                    title: Set("A link".to_owned()),
                    url: Set("https://example.org".to_owned()),
                    description: Set(None),
                    created_by_id: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&self.app.db)
                .await
                .unwrap();
                let id = gid(NodeKind::Resource, resource.id);
                if op == Op::UpdateResource {
                    json!({ "input": { "id": id, "expectedVersion": 1, "title": "Renamed" } })
                } else {
                    json!({ "input": { "id": id } })
                }
            }
            Op::CreateBreakoutGroup
            | Op::UpdateBreakoutGroup
            | Op::RemoveBreakoutGroup
            | Op::CreateActionItem
            | Op::UpdateActionItem
            | Op::CreateBreakoutGroupsFromRun => {
                let mut call: entity::event::ActiveModel = self
                    .app
                    .event(
                        cohort,
                        "Coaching call",
                        Utc::now() + chrono::Duration::days(7),
                    )
                    .await
                    .into();
                call.kind = Set(entity::event::EventKind::CoachingCall);
                let call = call.update(&self.app.db).await.unwrap();
                let event_id = gid(NodeKind::Event, call.id);
                let now = Utc::now();
                match op {
                    Op::CreateBreakoutGroupsFromRun => {
                        let run = self
                            .app
                            .matching_run(
                                cohort,
                                &[org],
                                entity::matching_run::RunStatus::Published,
                            )
                            .await;
                        let mut groups: entity::matching_run::ActiveModel = run.into();
                        groups.mode = Set(entity::matching_run::MatchingMode::Groups);
                        let run = groups.update(&self.app.db).await.unwrap();
                        json!({ "input": {
                            "eventId": event_id, "runId": gid(NodeKind::MatchingRun, run.id),
                        } })
                    }
                    Op::CreateBreakoutGroup => json!({ "input": {
                        "eventId": event_id, "name": "Group 1", "organizationIds": [org_id],
                    } }),
                    Op::CreateActionItem => json!({ "input": {
                        "eventId": event_id, "organizationId": org_id, "title": "Draft the workflow",
                    } }),
                    Op::UpdateActionItem => {
                        let item = entity::action_item::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            event_id: Set(call.id),
                            organization_id: Set(org.id),
                            owner_id: Set(None),
                            title: Set("Draft the workflow".to_owned()),
                            due_on: Set(None),
                            done_at: Set(None),
                            created_by_id: Set(None),
                            version: Set(1),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&self.app.db)
                        .await
                        .unwrap();
                        json!({ "input": {
                            "id": gid(NodeKind::ActionItem, item.id), "expectedVersion": 1, "done": true,
                        } })
                    }
                    _ => {
                        let group = entity::breakout_group::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            event_id: Set(call.id),
                            name: Set("Group 1".to_owned()),
                            facilitator_id: Set(None),
                            version: Set(1),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&self.app.db)
                        .await
                        .unwrap();
                        let id = gid(NodeKind::BreakoutGroup, group.id);
                        if op == Op::UpdateBreakoutGroup {
                            json!({ "input": { "id": id, "expectedVersion": 1, "name": "Group A" } })
                        } else {
                            json!({ "input": { "id": id } })
                        }
                    }
                }
            }
            Op::RevokeCalendarFeed => {
                let feed = entity::calendar_feed::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    token_hash: Set(unique),
                    user_id: Set(self.record_owner(persona, tenant)),
                    cohort_id: Set(None),
                    revoked_at: Set(None),
                    created_at: Set(Utc::now()),
                }
                .insert(&self.app.db)
                .await
                .unwrap();
                json!({ "input": { "id": gid(NodeKind::CalendarFeed, feed.id) } })
            }
            Op::Event
            | Op::UpdateEvent
            | Op::CancelEvent
            | Op::RegisterForEvent
            | Op::CancelRegistration
            | Op::RecordAttendance
            | Op::CheckIn
            | Op::ImportAttendance => {
                // Under way for a check-in, a week ahead otherwise.
                let starts_at = if op == Op::CheckIn {
                    Utc::now() - chrono::Duration::minutes(5)
                } else {
                    Utc::now() + chrono::Duration::days(7)
                };
                let event = self.app.event(cohort, "A webinar", starts_at).await;
                let id = gid(NodeKind::Event, event.id);
                match op {
                    Op::Event => json!({ "id": id }),
                    Op::UpdateEvent => json!({ "input": {
                        "id": id, "expectedVersion": event.version, "title": "Renamed",
                    } }),
                    Op::CancelEvent => json!({ "input": { "id": id } }),
                    Op::RegisterForEvent => json!({ "input": { "eventId": id } }),
                    Op::CancelRegistration => {
                        if let Some((_, user, _)) = self.user(persona) {
                            self.app
                                .registration(&event, user, RegistrationStatus::Registered)
                                .await;
                        }
                        json!({ "input": { "eventId": id } })
                    }
                    Op::RecordAttendance => {
                        let (user, _) = self.fresh_member(tenant).await;
                        json!({ "input": {
                            "eventId": id,
                            "userId": gid(NodeKind::User, user.id),
                            "minutes": 60,
                            "reason": "Marked from the roster",
                        } })
                    }
                    Op::ImportAttendance => json!({ "input": {
                        "eventId": id,
                        "report": "Name,Duration (Minutes)\nSomeone Else,30\n",
                    } }),
                    _ => json!({ "input": { "eventId": id } }),
                }
            }
            Op::CreateMilestone => json!({ "input": {
                "cohortId": cohort_id,
                "organizationId": org_id,
                "title": "First warm handoff",
            } }),
            Op::Milestone
            | Op::UpdateMilestone
            | Op::AddMilestoneProgress
            | Op::ReviewMilestone
            | Op::ConsentToShowcase
            | Op::ApproveShowcase
            | Op::WithdrawFromShowcase
            | Op::AddMilestoneComment
            | Op::GiveKudos
            | Op::WithdrawKudos => {
                let m = self
                    .app
                    .milestone(cohort, org, "A milestone", MilestoneVisibility::Cohort)
                    .await;
                let m = if matches!(op, Op::ApproveShowcase | Op::WithdrawFromShowcase) {
                    // Consented and achieved; approved only for a withdrawal.
                    let mut shown: milestone::ActiveModel = self.app.showcase(m).await.into();
                    if op == Op::ApproveShowcase {
                        shown.approved_at = Set(None);
                    }
                    shown.update(&self.app.db).await.unwrap()
                } else {
                    m
                };
                let id = gid(NodeKind::Milestone, m.id);
                let version = m.version;
                match op {
                    Op::Milestone => json!({ "id": id }),
                    Op::UpdateMilestone => json!({ "input": {
                        "id": id, "expectedVersion": version, "title": "Renamed",
                    } }),
                    Op::AddMilestoneProgress => json!({ "input": {
                        "milestoneId": id, "expectedVersion": version, "note": "Started",
                    } }),
                    Op::ReviewMilestone => json!({ "input": {
                        "id": id, "expectedVersion": version, "decision": "VERIFY",
                    } }),
                    Op::ConsentToShowcase | Op::ApproveShowcase => json!({ "input": {
                        "id": id, "expectedVersion": version,
                    } }),
                    Op::WithdrawFromShowcase => json!({ "input": { "id": id } }),
                    Op::AddMilestoneComment => json!({ "input": {
                        "milestoneId": id, "body": "Congratulations",
                    } }),
                    _ => json!({ "input": { "milestoneId": id } }),
                }
            }
            Op::SubmitAssessment => json!({ "input": {
                "organizationId": org_id,
                "ratings": [{ "topicId": gid(NodeKind::Topic, self.topic), "level": 1, "wantsHelp": true }],
            } }),
            Op::CreateMatchingRun => {
                json!({ "input": { "cohortId": cohort_id, "mode": "PEER_PAIRS" } })
            }
            Op::MatchingRun
            | Op::RemoveProposedMatch
            | Op::AddManualMatch
            | Op::PublishMatchingRun
            | Op::DiscardMatchingRun => {
                // A draft over the tenant's organization and a partner in its cohort.
                let partner = self.app.organization("Partner clinic").await;
                self.app.enroll(cohort, &partner).await;
                let run = self
                    .app
                    .matching_run(cohort, &[org, &partner], RunStatus::Draft)
                    .await;
                let run_id = gid(NodeKind::MatchingRun, run.id);
                match op {
                    Op::MatchingRun => json!({ "id": run_id }),
                    Op::RemoveProposedMatch => {
                        let m = self
                            .app
                            .peer_match(&run, &[org, &partner], MatchStatus::Proposed)
                            .await;
                        json!({ "input": {
                            "matchId": gid(NodeKind::PeerMatch, m.id), "expectedVersion": 1,
                        } })
                    }
                    Op::AddManualMatch => json!({ "input": {
                        "runId": run_id,
                        "expectedVersion": 1,
                        "organizationIds": [org_id, gid(NodeKind::Organization, partner.id)],
                    } }),
                    _ => json!({ "input": { "id": run_id, "expectedVersion": 1 } }),
                }
            }
            Op::SwapMatchedOrganizations => {
                // Two proposed pairs of a draft: the tenant's organization with a partner, and
                // two more partners; the tenant's organization changes places with one of them.
                let mut partners = Vec::new();
                for name in ["Partner one", "Partner two", "Partner three"] {
                    let partner = self.app.organization(name).await;
                    self.app.enroll(cohort, &partner).await;
                    partners.push(partner);
                }
                let run = self
                    .app
                    .matching_run(
                        cohort,
                        &[org, &partners[0], &partners[1], &partners[2]],
                        RunStatus::Draft,
                    )
                    .await;
                let first = self
                    .app
                    .peer_match(&run, &[org, &partners[0]], MatchStatus::Proposed)
                    .await;
                let second = self
                    .app
                    .peer_match(&run, &[&partners[1], &partners[2]], MatchStatus::Proposed)
                    .await;
                let mut ids = Vec::new();
                for (m, organization) in [(first.id, org.id), (second.id, partners[1].id)] {
                    let place = match_participant::Entity::find()
                        .filter(match_participant::Column::MatchId.eq(m))
                        .filter(match_participant::Column::OrganizationId.eq(organization))
                        .one(&self.app.db)
                        .await
                        .unwrap()
                        .unwrap();
                    ids.push(gid(NodeKind::MatchParticipant, place.id));
                }
                json!({ "input": {
                    "runId": gid(NodeKind::MatchingRun, run.id),
                    "expectedVersion": 1,
                    "participantIds": ids,
                } })
            }
            Op::RespondToMatch | Op::LogMatchContact | Op::CompleteMatch | Op::RateMatch => {
                let partner = self.app.organization("Partner clinic").await;
                self.app.enroll(cohort, &partner).await;
                let run = self
                    .app
                    .matching_run(cohort, &[org, &partner], RunStatus::Published)
                    .await;
                let status = if op == Op::RespondToMatch {
                    MatchStatus::Proposed
                } else {
                    MatchStatus::Active
                };
                let m = self.app.peer_match(&run, &[org, &partner], status).await;
                let match_id = gid(NodeKind::PeerMatch, m.id);
                match op {
                    Op::RespondToMatch => json!({ "input": {
                        "matchId": match_id, "organizationId": org_id, "answer": "ACCEPT",
                    } }),
                    Op::LogMatchContact => json!({ "input": {
                        "matchId": match_id, "note": "First call",
                    } }),
                    Op::RateMatch => json!({ "input": {
                        "matchId": match_id, "organizationId": org_id, "rating": 5,
                    } }),
                    _ => json!({ "input": { "matchId": match_id } }),
                }
            }
            Op::CreateOrganization => {
                json!({ "input": { "name": "New clinic", "kind": "CLINIC", "cohortId": cohort_id } })
            }
            Op::UpdateOrganization => {
                let current = organization::Entity::find_by_id(org.id)
                    .one(&self.app.db)
                    .await
                    .unwrap()
                    .unwrap();
                json!({ "input": { "id": org_id, "expectedVersion": current.version, "name": "Renamed" } })
            }
            Op::AddMember => {
                // Someone the tenant's members can see: a presenter of its cohort.
                let (user, _) = self.app.user("Presenter", UserRole::User).await;
                self.app.staff(cohort, &user, StaffRole::Presenter).await;
                json!({ "input": {
                    "organizationId": org_id,
                    "userId": gid(NodeKind::User, user.id),
                    "profession": "NURSE",
                } })
            }
            Op::UpdateMember => {
                let (_, membership) = self.fresh_member(tenant).await;
                json!({ "input": {
                    "id": gid(NodeKind::Membership, membership),
                    "expectedVersion": 1,
                    "isChampion": true,
                } })
            }
            Op::RemoveMember => {
                let (_, membership) = self.fresh_member(tenant).await;
                json!({ "input": { "id": gid(NodeKind::Membership, membership) } })
            }
            Op::CreateCohort => {
                json!({ "input": { "slug": format!("c-{unique}"), "name": "New cohort" } })
            }
            Op::UpdateCohort => {
                let current = cohort::Entity::find_by_id(cohort.id)
                    .one(&self.app.db)
                    .await
                    .unwrap()
                    .unwrap();
                json!({ "input": { "id": cohort_id, "expectedVersion": current.version, "name": "Renamed" } })
            }
            Op::EnrollOrganization | Op::WithdrawOrganization => {
                let fresh = self.app.organization("Fresh clinic").await;
                let enrollment = self.app.enroll(cohort, &fresh).await;
                if op == Op::EnrollOrganization {
                    let mut withdrawn: enrollment::ActiveModel = enrollment.into();
                    withdrawn.status = Set(EnrollmentStatus::Withdrawn);
                    withdrawn.update(&self.app.db).await.unwrap();
                }
                json!({ "input": {
                    "cohortId": cohort_id,
                    "organizationId": gid(NodeKind::Organization, fresh.id),
                } })
            }
            Op::AssignCohortStaff => {
                let (user, _) = self.fresh_member(tenant).await;
                json!({ "input": {
                    "cohortId": cohort_id,
                    "userId": gid(NodeKind::User, user.id),
                    "role": "PRESENTER",
                } })
            }
            Op::RemoveCohortStaff => {
                let (user, _) = self.app.user("Presenter", UserRole::User).await;
                let staff = self.app.staff(cohort, &user, StaffRole::Presenter).await;
                json!({ "input": { "id": gid(NodeKind::CohortStaff, staff.id) } })
            }
            Op::CreateTopic => {
                json!({ "input": { "slug": format!("t-{unique}"), "name": "New topic" } })
            }
            Op::UpdateTopic => {
                let current = entity::topic::Entity::find_by_id(self.topic)
                    .one(&self.app.db)
                    .await
                    .unwrap()
                    .unwrap();
                json!({ "input": {
                    "id": gid(NodeKind::Topic, self.topic),
                    "expectedVersion": current.version,
                    "name": "Renamed",
                } })
            }
            Op::CreateInvitation => json!({ "input": {
                "email": format!("{unique}@example.org"),
                "organizationId": org_id,
                "profession": "NURSE",
            } }),
            Op::RevokeInvitation => {
                let now = Utc::now();
                let invitation = entity::invitation::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    email: Set(format!("{unique}@example.org")),
                    organization_id: Set(Some(org.id)),
                    membership_role: Set(Some(MembershipRole::Member)),
                    profession: Set(Some(entity::membership::Profession::Nurse)),
                    cohort_id: Set(None),
                    staff_role: Set(None),
                    invited_by_id: Set(None),
                    expires_at: Set(now + chrono::Duration::days(7)),
                    revoked_at: Set(None),
                    redeemed_at: Set(None),
                    redeemed_by_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&self.app.db)
                .await
                .unwrap();
                json!({ "input": { "id": gid(NodeKind::Invitation, invitation.id) } })
            }
            Op::CreatePersonalAccessToken => json!({ "input": { "name": "script" } }),
            Op::RevokeAccessToken | Op::RevokeSession => {
                let kind = if op == Op::RevokeSession {
                    TokenKind::WebSession
                } else {
                    TokenKind::Personal
                };
                let issued = token::issue(
                    &self.app.db,
                    NewToken {
                        user_id: self.record_owner(persona, tenant),
                        kind,
                        name: "target",
                        expires_at: None,
                        family_id: None,
                        user_agent: None,
                    },
                )
                .await
                .unwrap();
                let node = if op == Op::RevokeSession {
                    NodeKind::Session
                } else {
                    NodeKind::AccessToken
                };
                json!({ "input": { "id": gid(node, issued.token.id) } })
            }
            Op::UnlinkIdentity => {
                let now = Utc::now();
                let identity = identity::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(self.record_owner(persona, tenant)),
                    issuer: Set("https://idp.example.org".to_owned()),
                    subject: Set(unique),
                    email: Set(None),
                    email_verified: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&self.app.db)
                .await
                .unwrap();
                json!({ "input": { "id": gid(NodeKind::Identity, identity.id) } })
            }
            Op::DeactivateUser | Op::ReactivateUser => {
                let (user, _) = self.fresh_member(tenant).await;
                if op == Op::ReactivateUser {
                    let mut inactive: user::ActiveModel = user.clone().into();
                    inactive.is_active = Set(false);
                    inactive.update(&self.app.db).await.unwrap();
                }
                json!({ "input": { "id": gid(NodeKind::User, user.id) } })
            }
        }
    }
}

fn outcome(body: &Value, field: &str) -> Result<Outcome, String> {
    match error_code(body) {
        Some("UNAUTHENTICATED") => Ok(Unauthenticated),
        Some("NOT_FOUND") => Ok(NotFound),
        Some("FORBIDDEN") => Ok(Forbidden),
        Some(other) => Err(format!("unexpected error code {other}: {body}")),
        None => {
            let user_errors = &body["data"][field]["userErrors"];
            if user_errors.as_array().is_some_and(|e| !e.is_empty()) {
                Err(format!("unexpected userErrors: {body}"))
            } else {
                Ok(Allowed)
            }
        }
    }
}

#[tokio::test]
async fn every_operation_allows_and_denies_as_the_policy_says() {
    let mut mismatches = Vec::new();
    for op in Op::ALL {
        // A fresh world per operation, so that what one row changes cannot decide another.
        let world = World::new().await;
        let (field, _) = op.field();
        let query = op.query();
        for persona in PERSONAS {
            for tenant in [Tenant::Own, Tenant::Other] {
                let variables = world.variables(op, persona, tenant).await;
                let token = world.user(persona).map(|(_, _, token)| token.as_str());
                let body = world.app.graphql(token, &query, variables).await;
                let expected = op.expected(persona, tenant);
                match outcome(&body, field) {
                    Ok(actual) if actual == expected => {}
                    Ok(actual) => mismatches.push(format!(
                        "{field} as {persona:?} on {tenant:?}: expected {expected:?}, got {actual:?}: {body}"
                    )),
                    Err(problem) => mismatches.push(format!(
                        "{field} as {persona:?} on {tenant:?}: expected {expected:?}; {problem}"
                    )),
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn every_root_field_has_rows() {
    let schema = peerlearn::graphql::schema_builder().finish();
    let response = schema
        .execute("{ __schema { queryType { fields { name } } mutationType { fields { name } } } }")
        .await;
    let data = response.data.into_json().unwrap();
    let covered: Vec<&str> = Op::ALL.iter().map(|op| op.field().0).collect();
    let mut missing = Vec::new();
    for root in ["queryType", "mutationType"] {
        for field in data["__schema"][root]["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            if !covered.contains(&name) {
                missing.push(name.to_owned());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without rows in the authorization matrix: {missing:?}"
    );
}

#[tokio::test]
async fn a_user_deactivated_by_an_admin_loses_every_session_at_once() {
    let world = World::new().await;
    let (_, admin, admin_token) = world.user(Persona::Admin).unwrap().clone();
    let _ = admin;
    let (_, member, member_token) = world.user(Persona::Member).unwrap().clone();
    let session = token::issue(
        &world.app.db,
        NewToken {
            user_id: member.id,
            kind: TokenKind::MobileAccess,
            name: "mobile",
            expires_at: None,
            family_id: None,
            user_agent: None,
        },
    )
    .await
    .unwrap();
    let body = world
        .app
        .graphql(
            Some(&admin_token),
            "mutation($input: ByIdInput!) { deactivateUser(input: $input) { user { isActive } userErrors { code } } }",
            json!({ "input": { "id": gid(NodeKind::User, member.id) } }),
        )
        .await;
    assert_eq!(
        body["data"]["deactivateUser"]["user"]["isActive"], false,
        "{body}"
    );
    for token in [member_token.as_str(), session.secret.as_str()] {
        let response = world
            .app
            .graphql_response(Some(token), "{ viewer { id } }", json!({}))
            .await;
        assert_eq!(response.status(), 401);
    }
    let live = entity::access_token::Entity::find()
        .filter(entity::access_token::Column::UserId.eq(member.id))
        .filter(entity::access_token::Column::RevokedAt.is_null())
        .all(&world.app.db)
        .await
        .unwrap();
    assert!(live.is_empty(), "{live:?}");
}

#[tokio::test]
async fn tokens_issued_around_a_deactivation_stay_dead_after_reactivation() {
    let world = World::new().await;
    let (_, _, admin_token) = world.user(Persona::Admin).unwrap().clone();
    let (_, member, _) = world.user(Persona::Member).unwrap().clone();
    let by_id = |op: &str| {
        format!(
            "mutation($input: ByIdInput!) {{ {op}(input: $input) {{ userErrors {{ code }} }} }}"
        )
    };
    let input = json!({ "input": { "id": gid(NodeKind::User, member.id) } });
    world
        .app
        .graphql(Some(&admin_token), &by_id("deactivateUser"), input.clone())
        .await;
    // A refresh or sign-in that read the user as active just before the deactivation.
    let raced = token::issue(
        &world.app.db,
        NewToken {
            user_id: member.id,
            kind: TokenKind::MobileAccess,
            name: "mobile",
            expires_at: None,
            family_id: None,
            user_agent: None,
        },
    )
    .await
    .unwrap();
    let body = world
        .app
        .graphql(Some(&admin_token), &by_id("reactivateUser"), input)
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let response = world
        .app
        .graphql_response(Some(&raced.secret), "{ viewer { id } }", json!({}))
        .await;
    assert_eq!(response.status(), 401);
}
