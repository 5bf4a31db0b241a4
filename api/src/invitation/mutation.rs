//! Mutations on invitations.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::invitation;

use crate::cohort::types::StaffRole;
use crate::error::ApiError;
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::invitation::service::{self, Target};
use crate::invitation::types::Invitation;
use crate::organization::types::{MembershipRole, Profession};

/// Input of `createInvitation`: give `organizationId` with `profession` (and optionally
/// `membershipRole`), or `cohortId` with `staffRole`.
#[derive(Debug, InputObject)]
pub struct CreateInvitationInput {
    /// The email to invite; the invitee must sign in with a provider that verified it.
    pub email: String,
    /// Invite into this organization.
    pub organization_id: Option<ID>,
    /// The role in the organization; defaults to `MEMBER`.
    pub membership_role: Option<MembershipRole>,
    /// The profession in the organization; required with `organizationId`.
    pub profession: Option<Profession>,
    /// Invite onto this cohort's staff.
    pub cohort_id: Option<ID>,
    /// The staff role in the cohort; required with `cohortId`.
    pub staff_role: Option<StaffRole>,
    /// Days until the invitation expires: 1 to 90, 14 by default.
    pub expires_in_days: Option<i32>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Input of `revokeInvitation`.
#[derive(Debug, InputObject)]
pub struct RevokeInvitationInput {
    /// The invitation to withdraw.
    pub id: ID,
}

/// Result of `createInvitation` and `revokeInvitation`.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation as it is now, unless the input had errors.
    pub invitation: Option<Invitation>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on invitations.
#[derive(Default)]
pub struct InvitationMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl InvitationMutation {
    /// Invites an email address into an organization or onto a cohort's staff.
    ///
    /// **Permissions**: into an organization: admins, its leads, and leads and coaches of its
    /// cohorts; onto a cohort's staff: admins and the cohort's leads.
    async fn create_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who to invite, and to what.")] input: CreateInvitationInput,
    ) -> Result<InvitationPayload> {
        let target = match (&input.organization_id, &input.cohort_id) {
            (Some(organization), None) => Target::Organization {
                organization_id: decode_as(organization, NodeKind::Organization)?,
                role: input
                    .membership_role
                    .unwrap_or(MembershipRole::Member)
                    .into(),
                profession: input
                    .profession
                    .ok_or_else(|| {
                        ApiError::BadUserInput(
                            "`profession` is required with `organizationId`".to_owned(),
                        )
                    })?
                    .into(),
            },
            (None, Some(cohort)) => Target::CohortStaff {
                cohort_id: decode_as(cohort, NodeKind::Cohort)?,
                role: input
                    .staff_role
                    .ok_or_else(|| {
                        ApiError::BadUserInput("`staffRole` is required with `cohortId`".to_owned())
                    })?
                    .into(),
            },
            _ => {
                return Err(ApiError::BadUserInput(
                    "give exactly one of `organizationId` and `cohortId`".to_owned(),
                )
                .into());
            }
        };
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("createInvitation", input.idempotency_key.as_deref(), &input);
        let result = idempotency::once(
            db,
            viewer,
            request,
            |invitation: &invitation::Model| invitation.id,
            async |txn| {
                service::create_invitation(txn, viewer, &input.email, target, input.expires_in_days)
                    .await
            },
            async |id| service::visible_invitation(db, viewer, id).await,
        )
        .await;
        payload(result, |invitation, user_errors| InvitationPayload {
            invitation: invitation.map(Into::into),
            user_errors,
        })
    }

    /// Withdraws a pending invitation.
    ///
    /// **Permissions**: whoever may create it.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitation.")] input: RevokeInvitationInput,
    ) -> Result<InvitationPayload> {
        let id = decode_as(&input.id, NodeKind::Invitation)?;
        let result = service::revoke_invitation(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |invitation, user_errors| InvitationPayload {
            invitation: invitation.map(Into::into),
            user_errors,
        })
    }
}
