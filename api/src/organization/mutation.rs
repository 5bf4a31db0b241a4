//! Mutations on organizations and memberships.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::{membership, organization};

use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as, encode};
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::organization::service::{
    self, MemberChanges, NewMember, NewOrganization, OrganizationChanges,
};
use crate::organization::types::{
    Membership, MembershipRole, Organization, OrganizationKind, Profession,
};

/// Input of `createOrganization`.
#[derive(Debug, InputObject)]
pub struct CreateOrganizationInput {
    /// The organization's name (1 to 200 characters).
    pub name: String,
    /// What kind of organization it is.
    pub kind: OrganizationKind,
    /// Where it works, for example a state (up to 100 characters).
    pub region: Option<String>,
    /// Its IANA time zone, for example `America/Denver`.
    pub time_zone: Option<String>,
    /// Enroll the new organization in this cohort. Required unless the viewer is an admin.
    pub cohort_id: Option<ID>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Result of `createOrganization`.
#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    /// The new organization, unless the input had errors.
    pub organization: Option<Organization>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateOrganization`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization to change.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new name (1 to 200 characters).
    pub name: Option<String>,
    /// A new kind.
    pub kind: Option<OrganizationKind>,
    /// A new region; `null` clears it.
    pub region: MaybeUndefined<String>,
    /// A new IANA time zone; `null` clears it.
    pub time_zone: MaybeUndefined<String>,
}

/// Result of `updateOrganization`.
#[derive(SimpleObject)]
pub struct UpdateOrganizationPayload {
    /// The updated organization, unless the input had errors.
    pub organization: Option<Organization>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `addMember`.
#[derive(Debug, InputObject)]
pub struct AddMemberInput {
    /// The organization to add the user to.
    pub organization_id: ID,
    /// The user to add.
    pub user_id: ID,
    /// Their role; defaults to `MEMBER`.
    #[graphql(default_with = "MembershipRole::Member")]
    pub role: MembershipRole,
    /// Their profession.
    pub profession: Profession,
    /// Whether they champion the program in their profession.
    #[graphql(default)]
    pub is_champion: bool,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Result of `addMember`.
#[derive(SimpleObject)]
pub struct AddMemberPayload {
    /// The new membership, unless the input had errors.
    pub membership: Option<Membership>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateMember`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateMemberInput {
    /// The membership to change.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new role. Demoting the last lead fails with `LAST_LEAD`.
    pub role: Option<MembershipRole>,
    /// A new profession.
    pub profession: Option<Profession>,
    /// Whether the member is a champion.
    pub is_champion: Option<bool>,
}

/// Result of `updateMember`.
#[derive(SimpleObject)]
pub struct UpdateMemberPayload {
    /// The updated membership, unless the input had errors.
    pub membership: Option<Membership>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `removeMember`.
#[derive(Debug, InputObject)]
pub struct RemoveMemberInput {
    /// The membership to end.
    pub id: ID,
}

/// Result of `removeMember`.
#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    /// The ID of the membership that was removed, unless the input had errors.
    pub removed_membership_id: Option<ID>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on organizations and memberships.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl OrganizationMutation {
    /// Creates an organization, optionally enrolled in a cohort. It starts without members:
    /// invite its first lead with `createInvitation`.
    ///
    /// **Permissions**: admins; leads and coaches of the cohort given as `cohortId`.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organization.")] input: CreateOrganizationInput,
    ) -> Result<CreateOrganizationPayload> {
        let cohort_id = input
            .cohort_id
            .as_ref()
            .map(|id| decode_as(id, NodeKind::Cohort))
            .transpose()?;
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent(
            "createOrganization",
            input.idempotency_key.as_deref(),
            &input,
        );
        let new = NewOrganization {
            name: input.name,
            kind: input.kind.into(),
            region: input.region,
            time_zone: input.time_zone,
            cohort_id,
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |organization: &organization::Model| organization.id,
            async |txn| service::create_organization(txn, viewer, new).await,
            async |id| service::visible_organization(db, viewer, id).await,
        )
        .await;
        payload(result, |organization, user_errors| {
            CreateOrganizationPayload {
                organization: organization.map(Into::into),
                user_errors,
            }
        })
    }

    /// Updates an organization's profile.
    ///
    /// **Permissions**: admins and the organization's leads.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateOrganizationInput,
    ) -> Result<UpdateOrganizationPayload> {
        let id = decode_as(&input.id, NodeKind::Organization)?;
        let result = service::update_organization(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            OrganizationChanges {
                name: input.name,
                kind: input.kind.map(Into::into),
                region: input.region.into(),
                time_zone: input.time_zone.into(),
            },
        )
        .await;
        payload(result, |organization, user_errors| {
            UpdateOrganizationPayload {
                organization: organization.map(Into::into),
                user_errors,
            }
        })
    }

    /// Adds a user to an organization.
    ///
    /// **Permissions**: admins and the organization's leads.
    async fn add_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new membership.")] input: AddMemberInput,
    ) -> Result<AddMemberPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("addMember", input.idempotency_key.as_deref(), &input);
        let new = NewMember {
            organization_id: decode_as(&input.organization_id, NodeKind::Organization)?,
            user_id: decode_as(&input.user_id, NodeKind::User)?,
            role: input.role.into(),
            profession: input.profession.into(),
            is_champion: input.is_champion,
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |membership: &membership::Model| membership.id,
            async |txn| service::add_member(txn, viewer, new).await,
            async |id| service::visible_membership(db, viewer, id).await,
        )
        .await;
        payload(result, |membership, user_errors| AddMemberPayload {
            membership: membership.map(Into::into),
            user_errors,
        })
    }

    /// Changes a member's role, profession or champion flag.
    ///
    /// **Permissions**: admins and the organization's leads.
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateMemberInput,
    ) -> Result<UpdateMemberPayload> {
        let id = decode_as(&input.id, NodeKind::Membership)?;
        let result = service::update_member(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            MemberChanges {
                role: input.role.map(Into::into),
                profession: input.profession.map(Into::into),
                is_champion: input.is_champion,
            },
        )
        .await;
        payload(result, |membership, user_errors| UpdateMemberPayload {
            membership: membership.map(Into::into),
            user_errors,
        })
    }

    /// Removes a member from an organization. The last lead cannot be removed.
    ///
    /// **Permissions**: admins, the organization's leads, and the member themselves.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The membership to end.")] input: RemoveMemberInput,
    ) -> Result<RemoveMemberPayload> {
        let id = decode_as(&input.id, NodeKind::Membership)?;
        let result = service::remove_member(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |removed, user_errors| RemoveMemberPayload {
            removed_membership_id: removed.map(|m| encode(NodeKind::Membership, m.id)),
            user_errors,
        })
    }
}
