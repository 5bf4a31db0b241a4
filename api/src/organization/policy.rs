//! Who may see and change organizations and their members.
//!
//! - Admins: everything.
//! - Members see their organization; cohort staff and fellow grantees see the organizations
//!   enrolled in cohorts they see.
//! - Members list: visible to the organization's own members and to staff of its cohorts.
//! - Leads (and admins) update the organization and manage its members; a member may leave.
//! - Admins create organizations anywhere; cohort leads and coaches create them into a cohort
//!   they manage.

use entity::membership::MembershipRole;
use entity::{enrollment, membership, organization};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::{can_see_cohort, manages_cohort, visible_cohorts};
use crate::error::ApiError;

/// Organizations the viewer may see.
pub fn organization_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::any()
            .add(organization::Column::Id.is_in(actor.memberships.keys().copied()))
            .add(organization::Column::Id.in_subquery(enrolled_in(visible_cohorts(actor))))
    })
}

/// Memberships the viewer may see.
pub fn membership_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::any()
            .add(membership::Column::OrganizationId.is_in(actor.memberships.keys().copied()))
            .add(
                membership::Column::OrganizationId
                    .in_subquery(enrolled_in(actor.staff.keys().copied())),
            )
    })
}

/// `SELECT organization_id FROM enrollment WHERE cohort_id IN (cohorts)`.
fn enrolled_in(cohorts: impl IntoIterator<Item = Uuid>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(enrollment::Column::OrganizationId)
        .from(enrollment::Entity)
        .and_where(enrollment::Column::CohortId.is_in(cohorts))
        .to_owned()
}

/// Whether the actor is a lead of `organization`.
pub fn is_lead(actor: &Actor, organization: Uuid) -> bool {
    actor.member_role(organization) == Some(MembershipRole::Lead)
}

/// Whether the actor may edit the organization's profile.
pub fn can_update_organization(actor: &Actor, organization: Uuid) -> bool {
    actor.is_admin || is_lead(actor, organization)
}

/// Whether the actor may add, change and remove the organization's members.
pub fn can_manage_members(actor: &Actor, organization: Uuid) -> bool {
    can_update_organization(actor, organization)
}

/// Checks that the actor may create an organization, enrolled into `cohort` if given.
pub fn check_create_organization(actor: &Actor, cohort: Option<Uuid>) -> Result<(), ApiError> {
    match cohort {
        _ if actor.is_admin => Ok(()),
        Some(cohort) if manages_cohort(actor, cohort) => Ok(()),
        Some(cohort) if !can_see_cohort(actor, cohort) => Err(ApiError::NotFound("cohort")),
        _ => Err(ApiError::Forbidden),
    }
}

/// Checks that the actor may update the organization.
pub fn check_update_organization(actor: &Actor, organization: Uuid) -> Result<(), ApiError> {
    if can_update_organization(actor, organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Checks that the actor may manage the organization's members.
pub fn check_manage_members(actor: &Actor, organization: Uuid) -> Result<(), ApiError> {
    if can_manage_members(actor, organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Checks that the actor may remove `membership`: managers of the organization, or the member
/// themselves (leaving).
pub fn check_remove_member(actor: &Actor, membership: &membership::Model) -> Result<(), ApiError> {
    if membership.user_id == actor.user_id {
        Ok(())
    } else {
        check_manage_members(actor, membership.organization_id)
    }
}
