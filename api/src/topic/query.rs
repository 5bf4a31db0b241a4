//! Root queries about topics.

use async_graphql::{Context, Object, Result};

use crate::graphql::ContextExt as _;
use crate::graphql::pagination::Page;
use crate::topic::service;
use crate::topic::types::TopicConnection;

/// Root queries about topics. The taxonomy is public: anonymous viewers read it too.
#[derive(Default)]
pub struct TopicQuery;

#[Object(guard = "crate::graphql::Public")]
impl TopicQuery {
    /// The topic taxonomy, oldest first. Public: no sign-in needed.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn topics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<TopicConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        Ok(service::list_topics(ctx.db()?, ctx.viewer()?, &page)
            .await?
            .into())
    }
}
