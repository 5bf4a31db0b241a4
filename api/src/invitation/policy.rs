//! Who may invite, and see and revoke invitations.
//!
//! - Into an organization: admins, the organization's leads, and leads and coaches of a cohort
//!   it is enrolled in.
//! - Onto a cohort's staff: admins and the cohort's leads.

use entity::cohort_staff::StaffRole;
use entity::enrollment;
use entity::invitation;
use entity::membership::MembershipRole;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};

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
                        .to_owned(),
                ),
            )
            .add(invitation::Column::CohortId.is_in(led_cohorts(actor)))
    })
}

/// Whether the actor may invite people into `organization`, given the cohorts it is in.
pub fn can_invite_to_organization(actor: &Actor, organization: Uuid, cohorts: &[Uuid]) -> bool {
    actor.is_admin
        || actor.is_org_lead(organization)
        || cohorts.iter().any(|c| actor.manages_cohort(*c))
}
