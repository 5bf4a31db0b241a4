//! Who may see and run cohorts.
//!
//! - Admins: everything; only admins create cohorts.
//! - Staff of a cohort and members of organizations actively enrolled in it see the cohort, its
//!   enrollments and its staff.
//! - Leads and coaches manage their cohort (update it, enroll and withdraw organizations);
//!   presenters only read it.
//! - Only cohort leads (and admins) assign and remove staff.

use entity::cohort_staff::StaffRole;
use entity::{cohort, cohort_staff, enrollment};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::error::ApiError;

/// Cohorts the actor may see: those they staff and those their organizations are in.
pub fn visible_cohorts(actor: &Actor) -> impl Iterator<Item = Uuid> + '_ {
    actor
        .staff
        .keys()
        .chain(
            actor
                .peer_cohorts
                .iter()
                .filter(|c| !actor.staff.contains_key(c)),
        )
        .copied()
}

/// Whether the actor may see `cohort`.
pub fn can_see_cohort(actor: &Actor, cohort: Uuid) -> bool {
    actor.is_admin || actor.staff.contains_key(&cohort) || actor.peer_cohorts.contains(&cohort)
}

/// Whether the actor runs `cohort`: admins, and its leads and coaches.
pub fn manages_cohort(actor: &Actor, cohort: Uuid) -> bool {
    actor.is_admin
        || matches!(
            actor.staff_role(cohort),
            Some(StaffRole::Lead | StaffRole::Coach)
        )
}

/// Cohorts the viewer may see.
pub fn cohort_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(cohort::Column::Id.is_in(visible_cohorts(actor)))
    })
}

/// Enrollments the viewer may see: those of cohorts they see.
pub fn enrollment_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(enrollment::Column::CohortId.is_in(visible_cohorts(actor)))
    })
}

/// Staff assignments the viewer may see: those of cohorts they see.
pub fn staff_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(cohort_staff::Column::CohortId.is_in(visible_cohorts(actor)))
    })
}

/// Checks that the actor may create cohorts.
pub fn check_create_cohort(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Checks that the actor manages `cohort` (update, enroll, withdraw).
pub fn check_manage_cohort(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if manages_cohort(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may assign and remove the staff of `cohort`.
pub fn can_manage_staff(actor: &Actor, cohort: Uuid) -> bool {
    actor.is_admin || actor.staff_role(cohort) == Some(StaffRole::Lead)
}

/// Checks that the actor may assign and remove the staff of `cohort`.
pub fn check_manage_staff(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if can_manage_staff(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
