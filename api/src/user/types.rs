//! The `User` type.

use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID, Object, Result};
use entity::user;
use uuid::Uuid;

use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, encode};
use crate::graphql::pagination::Page;
use crate::organization::types::MembershipConnection;

/// A person who can sign in: grantee staff, T/TA providers and administrators.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self(model)
    }
}

impl User {
    /// The primary key.
    pub fn uuid(&self) -> Uuid {
        self.0.id
    }
}

/// A person who can sign in: grantee staff, T/TA providers and administrators.
#[Object]
impl User {
    /// The global ID.
    pub async fn id(&self) -> ID {
        encode(NodeKind::User, self.0.id)
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Email address. Visible only to the user themselves and to administrators.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let actor = ctx.actor()?;
        Ok((actor.is_admin || actor.user_id == self.0.id)
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

    /// The organizations this user belongs to, as far as the viewer may see them.
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
        let page = Page::new(first, after, last, before)?;
        let (slice, total) = ctx
            .loaders()?
            .memberships_of_user
            .page(self.0.id, page)
            .await?;
        Ok(MembershipConnection::new(slice, total))
    }
}
