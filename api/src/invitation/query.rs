//! Root queries about invitations.

use async_graphql::{Context, Object, Result};

use crate::graphql::ContextExt as _;
use crate::graphql::pagination::Page;
use crate::invitation::service;
use crate::invitation::types::InvitationConnection;

/// Root queries about invitations.
#[derive(Default)]
pub struct InvitationQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl InvitationQuery {
    /// The invitations the viewer manages (into organizations they lead or whose cohorts they
    /// run, and onto staff of cohorts they lead), oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<InvitationConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        Ok(service::list_invitations(ctx.db()?, ctx.viewer()?, &page)
            .await?
            .into())
    }
}
