//! Who may see and change self-assessments, matching runs and matches.
//!
//! - Assessments: the organization's members, and the staff of cohorts the organization is
//!   enrolled in. Other grantees never see them. Members (and admins) submit them.
//! - Matching runs, drafts and published alike: the cohort's staff. Leads and coaches create,
//!   edit, publish and discard them.
//! - Matches: the cohort's staff always; members of a participating organization once the run
//!   is published. Participants, contacts and the explanation go with the match.
//! - Participants' members (and admins) answer a match and rate it for their organization;
//!   they and the cohort's leads and coaches log contacts and complete it.
//! - Feedback: the cohort's staff and the organization that gave it.
//! - Admins: everything.

use entity::{assessment, enrollment, match_feedback, match_participant, matching_run, peer_match};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::manages_cohort;
use crate::error::ApiError;

/// `SELECT organization_id FROM enrollment WHERE cohort_id IN (cohorts the actor staffs)`.
fn staffed_organizations(actor: &Actor) -> SelectStatement {
    Query::select()
        .column(enrollment::Column::OrganizationId)
        .from(enrollment::Entity)
        .and_where(enrollment::Column::CohortId.is_in(actor.staff.keys().copied()))
        .to_owned()
}

/// Assessments the actor may see, as a condition on the `assessment` table.
fn assessment_rule(actor: &Actor) -> Condition {
    Condition::any()
        .add(assessment::Column::OrganizationId.is_in(actor.memberships.keys().copied()))
        .add(assessment::Column::OrganizationId.in_subquery(staffed_organizations(actor)))
}

/// Assessments the viewer may see.
pub fn assessment_scope(viewer: &Viewer) -> Condition {
    scope(viewer, assessment_rule)
}

/// Rows hanging off an assessment (through `assessment_id`) that the viewer may see.
pub fn assessment_child_scope(viewer: &Viewer, assessment_id: impl ColumnTrait) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(
            assessment_id.in_subquery(
                Query::select()
                    .column(assessment::Column::Id)
                    .from(assessment::Entity)
                    .cond_where(assessment_rule(actor))
                    .to_owned(),
            ),
        )
    })
}

/// Matching runs the viewer may see: those of cohorts they staff.
pub fn run_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(matching_run::Column::CohortId.is_in(actor.staff.keys().copied()))
    })
}

/// Matches the actor may see, as a condition on the `peer_match` table.
fn match_rule(actor: &Actor) -> Condition {
    Condition::any()
        .add(peer_match::Column::CohortId.is_in(actor.staff.keys().copied()))
        .add(
            Condition::all()
                .add(peer_match::Column::PublishedAt.is_not_null())
                .add(
                    peer_match::Column::Id.in_subquery(
                        Query::select()
                            .column(match_participant::Column::MatchId)
                            .from(match_participant::Entity)
                            .and_where(
                                match_participant::Column::OrganizationId
                                    .is_in(actor.memberships.keys().copied()),
                            )
                            .to_owned(),
                    ),
                ),
        )
}

/// Matches the viewer may see.
pub fn match_scope(viewer: &Viewer) -> Condition {
    scope(viewer, match_rule)
}

/// Rows hanging off a match (through `match_id`) that the viewer may see: those of matches
/// they see.
pub fn match_child_scope(viewer: &Viewer, match_id: impl ColumnTrait) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(
            match_id.in_subquery(
                Query::select()
                    .column(peer_match::Column::Id)
                    .from(peer_match::Entity)
                    .cond_where(match_rule(actor))
                    .to_owned(),
            ),
        )
    })
}

/// Feedback the viewer may see: the cohort's staff see all of it, an organization its own.
pub fn feedback_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::any()
            .add(match_feedback::Column::OrganizationId.is_in(actor.memberships.keys().copied()))
            .add(
                match_feedback::Column::MatchId.in_subquery(
                    Query::select()
                        .column(peer_match::Column::Id)
                        .from(peer_match::Entity)
                        .and_where(peer_match::Column::CohortId.is_in(actor.staff.keys().copied()))
                        .to_owned(),
                ),
            )
    })
}

/// Whether the actor may answer for, assess and rate as `organization`: its members and
/// admins.
pub fn acts_for(actor: &Actor, organization: Uuid) -> bool {
    actor.is_admin || actor.memberships.contains_key(&organization)
}

/// Checks that the actor may act for `organization`.
pub fn check_acts_for(actor: &Actor, organization: Uuid) -> Result<(), ApiError> {
    if acts_for(actor, organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may see the matching runs and the match health of `cohort`: its staff
/// and admins.
pub fn sees_runs(actor: &Actor, cohort: Uuid) -> bool {
    actor.is_admin || actor.staff.contains_key(&cohort)
}

/// Checks that the actor may create, edit, publish and discard runs of `cohort`: its leads and
/// coaches, and admins.
pub fn check_run(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if manages_cohort(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may log contacts of a match in `cohort` between `organizations` and
/// complete it: the cohort's leads and coaches, the participants' members, and admins.
pub fn can_follow_up(actor: &Actor, cohort: Uuid, organizations: &[Uuid]) -> bool {
    manages_cohort(actor, cohort) || organizations.iter().any(|o| acts_for(actor, *o))
}
