//! Root queries about milestones: one milestone by ID, and the public showcase.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::Page;
use crate::milestone::service;
use crate::milestone::types::{Milestone, ShowcasedMilestoneConnection};

/// Root queries about milestones that need a sign-in.
#[derive(Default)]
pub struct MilestoneQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl MilestoneQuery {
    /// One milestone. `null` with a `NOT_FOUND` error if it does not exist or the viewer
    /// cannot see it.
    async fn milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone's global ID.")] id: ID,
    ) -> Result<Option<Milestone>> {
        let id = decode_as(&id, NodeKind::Milestone)?;
        Ok(Some(ctx.loaders()?.require(id).await?))
    }
}

/// The public showcase, open to everyone.
#[derive(Default)]
pub struct ShowcaseQuery;

#[Object(guard = "crate::graphql::Public")]
impl ShowcaseQuery {
    /// Milestones that organizations agreed to show publicly and the cohorts' staff approved,
    /// newest achievement first: of one cohort, or of all. Needs no sign-in.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only the showcase of the cohort with this slug; all cohorts if omitted."
        )]
        cohort_slug: Option<String>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<ShowcasedMilestoneConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        Ok(
            service::list_showcase(ctx.db()?, cohort_slug.as_deref(), &page)
                .await?
                .into(),
        )
    }
}
