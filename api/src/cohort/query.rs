//! Root queries about cohorts.

use async_graphql::{Context, ID, Object, Result};
use entity::cohort;

use crate::cohort::service;
use crate::cohort::types::{Cohort, CohortConnection};
use crate::error::ApiError;
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::{Page, order_input};

order_input!(
    /// How to sort cohorts.
    CohortOrder,
    /// What to sort cohorts by.
    CohortOrderField for cohort {
        /// When the cohort was created.
        CreatedAt,
        /// The cohort's name.
        Name => ("name", cohort::Column::Name),
    }
);

/// Root queries about cohorts.
#[derive(Default)]
pub struct CohortQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl CohortQuery {
    /// The cohorts the viewer can see, oldest first unless `orderBy` says otherwise.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How to sort the list; oldest first if omitted.")] order_by: Option<
            CohortOrder,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<CohortConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let order = order_by.unwrap_or_default().order();
        Ok(
            service::list_cohorts(ctx.db()?, ctx.viewer()?, &order, &page)
                .await?
                .into(),
        )
    }

    /// One cohort, by global ID or by slug (give exactly one). `null` with a `NOT_FOUND` error
    /// if it does not exist or the viewer cannot see it.
    async fn cohort(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort's global ID.")] id: Option<ID>,
        #[graphql(desc = "The cohort's slug.")] slug: Option<String>,
    ) -> Result<Option<Cohort>> {
        let found = match (id, slug) {
            (Some(id), None) => {
                ctx.loaders()?
                    .require(decode_as(&id, NodeKind::Cohort)?)
                    .await?
            }
            (None, Some(slug)) => service::visible_cohort_by_slug(ctx.db()?, ctx.viewer()?, &slug)
                .await?
                .into(),
            _ => {
                return Err(ApiError::BadUserInput(
                    "pass exactly one of `id` and `slug`".to_owned(),
                )
                .into());
            }
        };
        Ok(Some(found))
    }
}
