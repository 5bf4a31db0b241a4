//! Root queries about matching: one matching run by ID.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::matching::types::MatchingRun;

/// Root queries about matching.
#[derive(Default)]
pub struct MatchingQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl MatchingQuery {
    /// One matching run. `null` with a `NOT_FOUND` error if it does not exist or the viewer
    /// is not staff of its cohort.
    async fn matching_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run's global ID.")] id: ID,
    ) -> Result<Option<MatchingRun>> {
        let id = decode_as(&id, NodeKind::MatchingRun)?;
        Ok(Some(ctx.loaders()?.require(id).await?))
    }
}
