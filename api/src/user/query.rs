//! Root queries about users.

use async_graphql::{Context, Object, Result};

use crate::graphql::ContextExt as _;
use crate::user::types::User;

/// Root queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl UserQuery {
    /// The signed-in user. Fails with `UNAUTHENTICATED` when no valid credentials were sent.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<User> {
        // Authentication loaded the user: no statement of its own.
        Ok(ctx.actor()?.user.clone().into())
    }
}
