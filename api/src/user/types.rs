//! The `User` type.

use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID, Object, Result};
use entity::{access_token, identity, user};

use crate::account::policy::{identity_scope, personal_token_scope, session_scope};
use crate::account::service as account;
use crate::account::types::{AccessTokenConnection, IdentityConnection, SessionConnection};
use crate::graphql::ContextExt as _;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::{Order, Page};
use crate::graphql::projection::reads_columns;
use crate::organization::loaders::MembershipsOfUser;
use crate::organization::types::{Membership, MembershipConnection, Organization};
use crate::user::loaders::UserById;
use crate::user::policy;

node_object!(
    /// A person who can sign in: grantee staff, T/TA providers and administrators.
    User: user, UserById
);

reads_columns!(User: user {
    "id" => [Id],
    "name" => [Name],
    "email" => [Id, Email],
    "isAdmin" => [Role],
    "createdAt" => [CreatedAt],
    "isActive" => [IsActive],
    "identities" => [Id],
    "sessions" => [Id],
    "accessTokens" => [Id],
    "memberships" => [Id],
});

/// A person who can sign in: grantee staff, T/TA providers and administrators.
#[Object]
impl User {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Email address. Visible only to the user themselves and to administrators.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(policy::can_see_email(ctx.actor()?, self.0.id)
            .then_some(self.0.email.as_deref())
            .flatten())
    }

    /// Whether the user administers the whole platform.
    async fn is_admin(&self) -> bool {
        self.0.role == user::UserRole::Admin
    }

    /// When the user was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Whether the user may sign in; administrators deactivate users.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// The external logins of the user. Only the user themselves sees them; empty for others.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn identities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<IdentityConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = account::own_page(
            ctx.db()?,
            ctx.viewer()?,
            self.0.id,
            identity_scope,
            Order::<identity::Entity>::by_key(identity::Column::Id),
            &page,
        )
        .await?;
        Ok(IdentityConnection::new(slice, total))
    }

    /// The user's signed-in browsers and mobile apps. Only the user themselves sees them;
    /// empty for others.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<SessionConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = account::own_page(
            ctx.db()?,
            ctx.viewer()?,
            self.0.id,
            session_scope,
            Order::<access_token::Entity>::by_key(access_token::Column::Id),
            &page,
        )
        .await?;
        Ok(SessionConnection::new(slice, total))
    }

    /// The user's personal access tokens, revoked ones included. Only the user themselves
    /// sees them; empty for others.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn access_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<AccessTokenConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = account::own_page(
            ctx.db()?,
            ctx.viewer()?,
            self.0.id,
            personal_token_scope,
            Order::<access_token::Entity>::by_key(access_token::Column::Id),
            &page,
        )
        .await?;
        Ok(AccessTokenConnection::new(slice, total))
    }

    /// The organizations this user belongs to, as far as the viewer may see them.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MembershipConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?
            .reading::<Membership>(ctx)
            .reading_ahead::<Organization>(ctx, "organization");
        let (slice, total) = ctx
            .loader::<MembershipsOfUser>()?
            .page(self.0.id, page)
            .await?;
        Ok(MembershipConnection::new(slice, total))
    }
}
