//! Who may see and change milestones.
//!
//! - Members of the organization see all of its milestones, post them and edit them.
//! - Staff of the cohort see every milestone of the cohort; its leads and coaches review them
//!   and approve them for the public showcase.
//! - Members of other organizations in the cohort see the milestones shown to the cohort
//!   (`COHORT` and `PUBLIC`), never those kept to the organization.
//! - The organization's lead consents to the public showcase. A milestone is showcased while it
//!   is achieved, `PUBLIC`, consented and approved; anyone, anonymous viewers included, sees
//!   it then, but only as a `ShowcasedMilestone`: its public part, never the milestone itself.
//! - Admins: everything.
//!
//! Comments, kudos, progress entries and history are visible to whoever sees their milestone.

use entity::membership::MembershipRole;
use entity::milestone::{self, MilestoneStatus, MilestoneVisibility};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::manages_cohort;
use crate::error::ApiError;

/// Milestones the actor may see, as a condition on the `milestone` table.
fn rule(actor: &Actor) -> Condition {
    Condition::any()
        .add(milestone::Column::OrganizationId.is_in(actor.memberships.keys().copied()))
        .add(milestone::Column::CohortId.is_in(actor.staff.keys().copied()))
        .add(
            Condition::all()
                .add(
                    milestone::Column::Visibility
                        .is_in([MilestoneVisibility::Cohort, MilestoneVisibility::Public]),
                )
                .add(milestone::Column::CohortId.is_in(actor.peer_cohorts.iter().copied())),
        )
}

/// Milestones the viewer may see.
pub fn milestone_scope(viewer: &Viewer) -> Condition {
    scope(viewer, rule)
}

/// Rows of a table that hangs off a milestone (through `milestone_id`) that the viewer may
/// see: those of milestones they see.
pub fn child_scope(viewer: &Viewer, milestone_id: impl ColumnTrait) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(
            milestone_id.in_subquery(
                Query::select()
                    .column(milestone::Column::Id)
                    .from(milestone::Entity)
                    .cond_where(rule(actor))
                    .to_owned(),
            ),
        )
    })
}

/// Milestones on the public showcase: achieved, `PUBLIC`, consented by the organization's
/// lead and approved by the cohort's staff.
pub fn showcased() -> Condition {
    Condition::all()
        .add(milestone::Column::Visibility.eq(MilestoneVisibility::Public))
        .add(milestone::Column::Status.eq(MilestoneStatus::Achieved))
        .add(milestone::Column::ConsentedAt.is_not_null())
        .add(milestone::Column::ApprovedAt.is_not_null())
        .add(milestone::Column::AchievedOn.is_not_null())
}

/// The showcase is the same for every viewer, signed in or not.
pub fn showcase_scope(_viewer: &Viewer) -> Condition {
    showcased()
}

/// Whether the actor may post milestones for `organization`: its members and admins.
pub fn can_post(actor: &Actor, organization: Uuid) -> bool {
    actor.is_admin || actor.memberships.contains_key(&organization)
}

/// Checks that the actor may post and edit the milestones of `organization`.
pub fn check_edit(actor: &Actor, organization: Uuid) -> Result<(), ApiError> {
    if can_post(actor, organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may review milestones of `cohort` and approve them for the showcase: its
/// leads and coaches, and admins.
pub fn can_review(actor: &Actor, cohort: Uuid) -> bool {
    manages_cohort(actor, cohort)
}

/// Checks that the actor may review the milestones of `cohort`.
pub fn check_review(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if can_review(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may consent, for `organization`, to the public showcase: its leads and
/// admins.
pub fn can_consent(actor: &Actor, organization: Uuid) -> bool {
    actor.is_admin || actor.member_role(organization) == Some(MembershipRole::Lead)
}

/// Checks that the actor may consent to the showcase for `organization`.
pub fn check_consent(actor: &Actor, organization: Uuid) -> Result<(), ApiError> {
    if can_consent(actor, organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may take a milestone of `organization` in `cohort` off the showcase: the
/// organization's leads (withdrawing consent) and the cohort's leads and coaches (withdrawing
/// approval).
pub fn can_withdraw(actor: &Actor, organization: Uuid, cohort: Uuid) -> bool {
    can_consent(actor, organization) || can_review(actor, cohort)
}
