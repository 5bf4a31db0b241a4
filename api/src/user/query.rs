//! Root queries about users.

use async_graphql::{Context, Object, Result};

use crate::graphql::ContextExt as _;
use crate::graphql::loaders::require;
use crate::user::types::User;

/// Root queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl UserQuery {
    /// The signed-in user. Fails with `UNAUTHENTICATED` when no valid credentials were sent.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<User> {
        let actor = ctx.actor()?;
        Ok(require(&ctx.loaders()?.user, actor.user_id, "user")
            .await?
            .into())
    }
}
