//! The `Invitation` type.

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::Utc;
use entity::invitation;

use crate::cohort::types::{Cohort, StaffRole};
use crate::graphql::ContextExt as _;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::connection;
use crate::graphql::scalars::DateTime;
use crate::invitation::loaders::InvitationById;
use crate::organization::types::{MembershipRole, Organization, Profession};
use crate::user::types::User;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum InvitationStatus {
    /// Waiting for the invitee to sign in.
    Pending,
    /// The invitee signed in and received what it grants.
    Redeemed,
    /// Withdrawn before it was used.
    Revoked,
    /// Not used in time.
    Expired,
}

node_object!(
    /// An invitation of an email address into an organization or onto a cohort's staff. It is
    /// redeemed when someone signs in with a provider-verified email equal to it.
    Invitation: invitation, InvitationById
);

/// An invitation of an email address into an organization or onto a cohort's staff. It is
/// redeemed when someone signs in with a provider-verified email equal to it.
#[Object]
impl Invitation {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The invited email address.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// The organization the invitee joins, for an organization invitation.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.node::<Organization>(id).await?)
    }

    /// The role the invitee gets in the organization.
    async fn membership_role(&self) -> Option<MembershipRole> {
        self.0.membership_role.map(Into::into)
    }

    /// The invitee's profession in the organization.
    async fn profession(&self) -> Option<Profession> {
        self.0.profession.map(Into::into)
    }

    /// The cohort whose staff the invitee joins, for a staff invitation.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<Option<Cohort>> {
        let Some(id) = self.0.cohort_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.node::<Cohort>(id).await?)
    }

    /// The staff role the invitee gets in the cohort.
    async fn staff_role(&self) -> Option<StaffRole> {
        self.0.staff_role.map(Into::into)
    }

    /// Who sent the invitation, if the viewer can see them.
    async fn invited_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.invited_by_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.node::<User>(id).await?)
    }

    /// Where the invitation stands.
    async fn status(&self) -> InvitationStatus {
        if self.0.redeemed_at.is_some() {
            InvitationStatus::Redeemed
        } else if self.0.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.0.expires_at <= Utc::now() {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }

    /// When the invitation stops being valid.
    async fn expires_at(&self) -> DateTime {
        self.0.expires_at.into()
    }

    /// When it was accepted.
    async fn redeemed_at(&self) -> Option<DateTime> {
        self.0.redeemed_at.map(Into::into)
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

connection!(
    InvitationConnection,
    InvitationEdge,
    Invitation,
    "A page of invitations.",
    "An invitation in a page, with its cursor."
);
