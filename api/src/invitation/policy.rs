//! Who may invite, and see and revoke invitations.
//!
//! - Into an organization: admins, the organization's leads, and leads and coaches of a cohort
//!   it is actively enrolled in. Only admins and the organization's leads invite leads; cohort
//!   staff may invite the first lead of an organization that has none.
//! - Nobody but an admin invites their own email: an invitation is not a way to grant oneself
//!   a role.
//! - Onto a cohort's staff: admins and the cohort's leads.

use entity::cohort_staff::StaffRole;
use entity::enrollment::{self, EnrollmentStatus};
use entity::invitation;
use entity::membership::MembershipRole;
use entity::user::{self, UserRole};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::manages_cohort;
use crate::error::{ApiError, FieldErrorCode};
use crate::organization::policy::is_lead;

fn led_organizations(actor: &Actor) -> impl Iterator<Item = Uuid> + '_ {
    actor
        .memberships
        .iter()
        .filter(|(_, role)| **role == MembershipRole::Lead)
        .map(|(org, _)| *org)
}

fn managed_cohorts(actor: &Actor) -> impl Iterator<Item = Uuid> + '_ {
    actor
        .staff
        .iter()
        .filter(|(_, role)| matches!(role, StaffRole::Lead | StaffRole::Coach))
        .map(|(cohort, _)| *cohort)
}

fn led_cohorts(actor: &Actor) -> impl Iterator<Item = Uuid> + '_ {
    actor
        .staff
        .iter()
        .filter(|(_, role)| **role == StaffRole::Lead)
        .map(|(cohort, _)| *cohort)
}

/// Invitations the viewer may see and revoke.
pub fn invitation_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::any()
            .add(invitation::Column::OrganizationId.is_in(led_organizations(actor)))
            .add(
                invitation::Column::OrganizationId.in_subquery(
                    Query::select()
                        .column(enrollment::Column::OrganizationId)
                        .from(enrollment::Entity)
                        .and_where(enrollment::Column::CohortId.is_in(managed_cohorts(actor)))
                        .and_where(enrollment::Column::Status.eq(EnrollmentStatus::Active))
                        .to_owned(),
                ),
            )
            .add(invitation::Column::CohortId.is_in(led_cohorts(actor)))
    })
}

/// Whether the actor may invite people into `organization` with `role`, given the cohorts it
/// is actively enrolled in and whether it has a lead yet.
pub fn can_invite_to_organization(
    actor: &Actor,
    organization: Uuid,
    role: MembershipRole,
    active_cohorts: &[Uuid],
    has_lead: bool,
) -> bool {
    if actor.is_admin || is_lead(actor, organization) {
        return true;
    }
    let runs_its_cohort = active_cohorts.iter().any(|c| manages_cohort(actor, *c));
    runs_its_cohort && (role == MembershipRole::Member || !has_lead)
}

/// Checks that the actor is not inviting their own (normalised) `email`: an invitation is not a
/// way to grant oneself a role. Admins, who may do everything anyway, are exempt.
pub fn check_not_inviting_oneself(actor: &Actor, email: &str) -> Result<(), ApiError> {
    if !actor.is_admin && actor.user.email.as_deref() == Some(email) {
        return Err(ApiError::invalid(
            "email",
            FieldErrorCode::Invalid,
            "you cannot invite yourself",
        ));
    }
    Ok(())
}

/// Whether `user` may redeem `invitation`: not when they sent it themselves (to a second
/// address of theirs, say), unless they are an admin, who may grant themselves anything anyway.
pub fn may_redeem(invitation: &invitation::Model, user: &user::Model) -> bool {
    invitation.invited_by_id != Some(user.id) || user.role == UserRole::Admin
}
