//! Mutations on the viewer's sign-in methods, and on users by administrators.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::access_token;

use crate::account::service;
use crate::account::types::AccessToken;
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as, encode};
use crate::graphql::scalars::DateTime;
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::user::types::User;

/// Input of `createPersonalAccessToken`.
#[derive(Debug, InputObject)]
pub struct CreatePersonalAccessTokenInput {
    /// A label to recognise the token by (1 to 100 characters).
    pub name: String,
    /// When the token stops working; never if omitted.
    pub expires_at: Option<DateTime>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Result of `createPersonalAccessToken`.
#[derive(SimpleObject)]
pub struct CreatePersonalAccessTokenPayload {
    /// The new token, unless the input had errors.
    pub access_token: Option<AccessToken>,
    /// The secret to send as `Authorization: Bearer <token>`. Shown only here; store it now.
    pub token: Option<String>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of mutations that act on one object by ID.
#[derive(Debug, InputObject)]
pub struct ByIdInput {
    /// The object's global ID.
    pub id: ID,
}

/// Result of `revokeAccessToken`.
#[derive(SimpleObject)]
pub struct RevokeAccessTokenPayload {
    /// The revoked token, unless the input had errors.
    pub access_token: Option<AccessToken>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `revokeSession`.
#[derive(SimpleObject)]
pub struct RevokeSessionPayload {
    /// The ID of the session that ended, unless the input had errors.
    pub revoked_session_id: Option<ID>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `unlinkIdentity`.
#[derive(SimpleObject)]
pub struct UnlinkIdentityPayload {
    /// The ID of the identity that was removed, unless the input had errors.
    pub removed_identity_id: Option<ID>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `deactivateUser` and `reactivateUser`.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The user as they are now, unless the input had errors.
    pub user: Option<User>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on the viewer's sign-in methods, and on users by administrators.
#[derive(Default)]
pub struct AccountMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl AccountMutation {
    /// Creates a personal access token for the viewer, for scripts and integrations.
    ///
    /// **Permissions**: any signed-in user.
    async fn create_personal_access_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's label and expiry.")] input: CreatePersonalAccessTokenInput,
    ) -> Result<CreatePersonalAccessTokenPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent(
            "createPersonalAccessToken",
            input.idempotency_key.as_deref(),
            &input,
        );
        let result = idempotency::once(
            db,
            viewer,
            request,
            |(token, _): &(access_token::Model, Option<String>)| token.id,
            async |txn| {
                let issued = service::create_token(
                    txn,
                    viewer,
                    &input.name,
                    input.expires_at.map(|at| at.0),
                )
                .await?;
                Ok((issued.token, Some(issued.secret)))
            },
            // Only the hash of the secret is stored: a retry gets the token without it.
            async |id| Ok((service::own_token(db, viewer, id).await?, None)),
        )
        .await;
        payload(result, |issued, user_errors| {
            let (access_token, token) =
                issued.map_or((None, None), |(token, secret)| (Some(token.into()), secret));
            CreatePersonalAccessTokenPayload {
                access_token,
                token,
                user_errors,
            }
        })
    }

    /// Revokes one of the viewer's personal access tokens.
    ///
    /// **Permissions**: the token's owner.
    async fn revoke_access_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token.")] input: ByIdInput,
    ) -> Result<RevokeAccessTokenPayload> {
        let id = decode_as(&input.id, NodeKind::AccessToken)?;
        let result = service::revoke_token(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |token, user_errors| RevokeAccessTokenPayload {
            access_token: token.map(Into::into),
            user_errors,
        })
    }

    /// Ends one of the viewer's sessions; a mobile session ends with all its tokens.
    ///
    /// **Permissions**: the session's owner.
    async fn revoke_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session.")] input: ByIdInput,
    ) -> Result<RevokeSessionPayload> {
        let id = decode_as(&input.id, NodeKind::Session)?;
        let result = service::revoke_session(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |session, user_errors| RevokeSessionPayload {
            revoked_session_id: session.map(|s| encode(NodeKind::Session, s.id)),
            user_errors,
        })
    }

    /// Removes one of the viewer's external identities; it no longer signs in as them.
    ///
    /// **Permissions**: the identity's owner.
    async fn unlink_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The identity.")] input: ByIdInput,
    ) -> Result<UnlinkIdentityPayload> {
        let id = decode_as(&input.id, NodeKind::Identity)?;
        let result = service::unlink_identity(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |identity, user_errors| UnlinkIdentityPayload {
            removed_identity_id: identity.map(|i| encode(NodeKind::Identity, i.id)),
            user_errors,
        })
    }

    /// Deactivates a user: they cannot sign in, and all their sessions and tokens end at once.
    ///
    /// **Permissions**: admins, for anyone but themselves.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: ByIdInput,
    ) -> Result<UserPayload> {
        let id = decode_as(&input.id, NodeKind::User)?;
        let result = service::set_user_active(ctx.db()?, ctx.viewer()?, id, false).await;
        payload(result, |user, user_errors| UserPayload {
            user: user.map(Into::into),
            user_errors,
        })
    }

    /// Lets a deactivated user sign in again. Their old sessions and tokens stay revoked.
    ///
    /// **Permissions**: admins.
    async fn reactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: ByIdInput,
    ) -> Result<UserPayload> {
        let id = decode_as(&input.id, NodeKind::User)?;
        let result = service::set_user_active(ctx.db()?, ctx.viewer()?, id, true).await;
        payload(result, |user, user_errors| UserPayload {
            user: user.map(Into::into),
            user_errors,
        })
    }
}
