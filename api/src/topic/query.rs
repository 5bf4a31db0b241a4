//! Root queries about topics.

use async_graphql::{Context, Object, Result};
use entity::topic;
use sea_orm::{EntityTrait, QueryFilter};

use crate::graphql::ContextExt as _;
use crate::graphql::pagination::{Page, fetch_page};
use crate::topic::policy::topic_scope;
use crate::topic::types::TopicConnection;

/// Root queries about topics.
#[derive(Default)]
pub struct TopicQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl TopicQuery {
    /// The topic taxonomy, oldest first.
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
        let page = Page::new(first, after, last, before)?;
        let select = topic::Entity::find().filter(topic_scope(ctx.viewer()?));
        let db = ctx.db()?;
        let (slice, total) = fetch_page(db, select, topic::Column::Id, &page).await?;
        Ok(TopicConnection::new(slice, total))
    }
}
