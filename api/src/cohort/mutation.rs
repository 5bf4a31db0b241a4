//! Mutations on cohorts, enrollments and cohort staff.

use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::cohort;

use crate::cohort::service::{self, CohortChanges, NewCohort};
use crate::cohort::types::{Cohort, CohortStaff, Enrollment, StaffRole};
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as, encode};
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;

/// Input of `createCohort`.
#[derive(Debug, InputObject)]
pub struct CreateCohortInput {
    /// A short unique name for URLs: lowercase letters and digits separated by single hyphens,
    /// at most 64 characters, for example `bhi-2026`.
    pub slug: String,
    /// The cohort's name (1 to 200 characters).
    pub name: String,
    /// What the cohort is about (up to 5000 characters).
    pub description: Option<String>,
    /// The first day of the cohort.
    pub starts_on: Option<Date>,
    /// The last day of the cohort; not before `startsOn`.
    pub ends_on: Option<Date>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Result of `createCohort`.
#[derive(SimpleObject)]
pub struct CreateCohortPayload {
    /// The new cohort, unless the input had errors.
    pub cohort: Option<Cohort>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateCohort`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateCohortInput {
    /// The cohort to change.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new slug.
    pub slug: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// A new first day; `null` clears it.
    pub starts_on: MaybeUndefined<Date>,
    /// A new last day; `null` clears it.
    pub ends_on: MaybeUndefined<Date>,
}

/// Result of `updateCohort`.
#[derive(SimpleObject)]
pub struct UpdateCohortPayload {
    /// The updated cohort, unless the input had errors.
    pub cohort: Option<Cohort>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `enrollOrganization` and `withdrawOrganization`.
#[derive(Debug, InputObject)]
pub struct EnrollmentInput {
    /// The cohort.
    pub cohort_id: ID,
    /// The organization.
    pub organization_id: ID,
}

/// Result of `enrollOrganization` and `withdrawOrganization`.
#[derive(SimpleObject)]
pub struct EnrollmentPayload {
    /// The enrollment as it is now, unless the input had errors.
    pub enrollment: Option<Enrollment>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `assignCohortStaff`.
#[derive(Debug, InputObject)]
pub struct AssignCohortStaffInput {
    /// The cohort.
    pub cohort_id: ID,
    /// The user to make staff.
    pub user_id: ID,
    /// What they will do; replaces the role of someone who is already staff.
    pub role: StaffRole,
}

/// Result of `assignCohortStaff`.
#[derive(SimpleObject)]
pub struct AssignCohortStaffPayload {
    /// The staff assignment, unless the input had errors.
    pub staff: Option<CohortStaff>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `removeCohortStaff`.
#[derive(Debug, InputObject)]
pub struct RemoveCohortStaffInput {
    /// The staff assignment to end.
    pub id: ID,
}

/// Result of `removeCohortStaff`.
#[derive(SimpleObject)]
pub struct RemoveCohortStaffPayload {
    /// The ID of the staff assignment that was removed, unless the input had errors.
    pub removed_staff_id: Option<ID>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on cohorts, enrollments and cohort staff.
#[derive(Default)]
pub struct CohortMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl CohortMutation {
    /// Creates a cohort.
    ///
    /// **Permissions**: admins.
    async fn create_cohort(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new cohort.")] input: CreateCohortInput,
    ) -> Result<CreateCohortPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("createCohort", input.idempotency_key.as_deref(), &input);
        let new = NewCohort {
            slug: input.slug,
            name: input.name,
            description: input.description,
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |cohort: &cohort::Model| cohort.id,
            async |txn| service::create_cohort(txn, viewer, new).await,
            async |id| service::visible_cohort(db, viewer, id).await,
        )
        .await;
        payload(result, |cohort, user_errors| CreateCohortPayload {
            cohort: cohort.map(Into::into),
            user_errors,
        })
    }

    /// Updates a cohort's details.
    ///
    /// **Permissions**: admins, and the cohort's leads and coaches.
    async fn update_cohort(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateCohortInput,
    ) -> Result<UpdateCohortPayload> {
        let id = decode_as(&input.id, NodeKind::Cohort)?;
        let result = service::update_cohort(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            CohortChanges {
                slug: input.slug,
                name: input.name,
                description: input.description.into(),
                starts_on: Option::<Option<Date>>::from(input.starts_on).map(|d| d.map(|d| d.0)),
                ends_on: Option::<Option<Date>>::from(input.ends_on).map(|d| d.map(|d| d.0)),
            },
        )
        .await;
        payload(result, |cohort, user_errors| UpdateCohortPayload {
            cohort: cohort.map(Into::into),
            user_errors,
        })
    }

    /// Enrolls an organization in a cohort, or re-activates a withdrawn enrollment. Enrolling
    /// an already active organization changes nothing.
    ///
    /// **Permissions**: admins, and the cohort's leads and coaches.
    async fn enroll_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort and the organization.")] input: EnrollmentInput,
    ) -> Result<EnrollmentPayload> {
        change_enrollment(ctx, input, EnrollmentChange::Enroll).await
    }

    /// Withdraws an organization from a cohort; the enrollment is kept with status
    /// `WITHDRAWN`.
    ///
    /// **Permissions**: admins, and the cohort's leads and coaches.
    async fn withdraw_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort and the organization.")] input: EnrollmentInput,
    ) -> Result<EnrollmentPayload> {
        change_enrollment(ctx, input, EnrollmentChange::Withdraw).await
    }

    /// Makes a user staff of a cohort, or changes their staff role.
    ///
    /// **Permissions**: admins and the cohort's leads.
    async fn assign_cohort_staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort, the user and the role.")] input: AssignCohortStaffInput,
    ) -> Result<AssignCohortStaffPayload> {
        let cohort = decode_as(&input.cohort_id, NodeKind::Cohort)?;
        let user = decode_as(&input.user_id, NodeKind::User)?;
        let result =
            service::assign_cohort_staff(ctx.db()?, ctx.viewer()?, cohort, user, input.role.into())
                .await;
        payload(result, |staff, user_errors| AssignCohortStaffPayload {
            staff: staff.map(Into::into),
            user_errors,
        })
    }

    /// Removes a staff member from a cohort.
    ///
    /// **Permissions**: admins and the cohort's leads.
    async fn remove_cohort_staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The staff assignment to end.")] input: RemoveCohortStaffInput,
    ) -> Result<RemoveCohortStaffPayload> {
        let id = decode_as(&input.id, NodeKind::CohortStaff)?;
        let result = service::remove_cohort_staff(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |removed, user_errors| RemoveCohortStaffPayload {
            removed_staff_id: removed.map(|s| encode(NodeKind::CohortStaff, s.id)),
            user_errors,
        })
    }
}

/// Which way `change_enrollment` goes.
enum EnrollmentChange {
    Enroll,
    Withdraw,
}

async fn change_enrollment(
    ctx: &Context<'_>,
    input: EnrollmentInput,
    change: EnrollmentChange,
) -> Result<EnrollmentPayload> {
    let cohort = decode_as(&input.cohort_id, NodeKind::Cohort)?;
    let organization = decode_as(&input.organization_id, NodeKind::Organization)?;
    let (db, viewer) = (ctx.db()?, ctx.viewer()?);
    let result = match change {
        EnrollmentChange::Enroll => {
            service::enroll_organization(db, viewer, cohort, organization).await
        }
        EnrollmentChange::Withdraw => {
            service::withdraw_organization(db, viewer, cohort, organization).await
        }
    };
    payload(result, |enrollment, user_errors| EnrollmentPayload {
        enrollment: enrollment.map(Into::into),
        user_errors,
    })
}
