//! GraphQL types of identities, sessions and personal access tokens.

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::access_token::{self, TokenKind};
use entity::identity;

use crate::account::loaders::{AccessTokenById, IdentityById, SessionById};
use crate::graphql::ContextExt as _;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::connection;
use crate::graphql::scalars::DateTime;

node_object!(
    /// An external login (an account at an identity provider) that signs in as this user.
    Identity: identity, IdentityById
);

/// An external login (an account at an identity provider) that signs in as this user.
#[Object]
impl Identity {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The provider's issuer identifier, for example `https://accounts.google.com`.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The email the provider reported at the last sign-in.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Whether the provider said the email is verified.
    async fn email_verified(&self) -> bool {
        self.0.email_verified
    }

    /// When the identity was linked.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last used to sign in.
    async fn last_used_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// What kind of client holds a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SessionKind {
    /// A browser, with a session cookie.
    Web,
    /// A mobile app, with rotating refresh tokens.
    Mobile,
}

node_object!(
    /// A signed-in browser or mobile app.
    Session: access_token, SessionById
);

/// A signed-in browser or mobile app.
#[Object]
impl Session {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// Browser or mobile app.
    async fn kind(&self) -> SessionKind {
        if self.0.kind == TokenKind::WebSession {
            SessionKind::Web
        } else {
            SessionKind::Mobile
        }
    }

    /// The client's user agent at sign-in.
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }

    /// Whether this is the session making the request.
    async fn is_current(&self, ctx: &Context<'_>) -> Result<bool> {
        let actor = ctx.actor()?;
        Ok(actor.token_id == Some(self.0.id)
            || (self.0.family_id.is_some() && actor.family_id == self.0.family_id))
    }

    /// When the session started.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last used (to within a few minutes).
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(Into::into)
    }

    /// When it ends at the latest.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(Into::into)
    }
}

node_object!(
    /// A personal access token for scripts and integrations. The secret is shown only once, when
    /// the token is created.
    AccessToken: access_token, AccessTokenById
);

/// A personal access token for scripts and integrations. The secret is shown only once, when
/// the token is created.
#[Object]
impl AccessToken {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The label given at creation.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// When the token was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last used (to within a few minutes).
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(Into::into)
    }

    /// When it stops working, if ever.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(Into::into)
    }

    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }
}

connection!(
    IdentityConnection,
    IdentityEdge,
    Identity,
    "A page of identities.",
    "An identity in a page, with its cursor."
);

connection!(
    SessionConnection,
    SessionEdge,
    Session,
    "A page of sessions.",
    "A session in a page, with its cursor."
);

connection!(
    AccessTokenConnection,
    AccessTokenEdge,
    AccessToken,
    "A page of personal access tokens.",
    "A personal access token in a page, with its cursor."
);
