//! Root queries about cohorts.

use async_graphql::{Context, ID, Object, Result};
use entity::cohort;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::cohort::policy::cohort_scope;
use crate::cohort::types::{Cohort, CohortConnection};
use crate::error::ApiError;
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::loaders::require;
use crate::graphql::pagination::{Page, fetch_page};

/// Root queries about cohorts.
#[derive(Default)]
pub struct CohortQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl CohortQuery {
    /// The cohorts the viewer can see, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<CohortConnection> {
        let page = Page::new(first, after, last, before)?;
        let select = cohort::Entity::find().filter(cohort_scope(ctx.viewer()?));
        let db = ctx.db()?;
        let (slice, total) = fetch_page(db, select, cohort::Column::Id, &page).await?;
        Ok(CohortConnection::new(slice, total))
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
                let id = decode_as(&id, NodeKind::Cohort)?;
                require(&ctx.loaders()?.cohort, id, "cohort").await?
            }
            (None, Some(slug)) => cohort::Entity::find()
                .filter(cohort::Column::Slug.eq(slug.trim()))
                .filter(cohort_scope(ctx.viewer()?))
                .one(ctx.db()?)
                .await
                .map_err(ApiError::from)?
                .ok_or(ApiError::NotFound("cohort"))?,
            _ => {
                return Err(ApiError::BadUserInput(
                    "pass exactly one of `id` and `slug`".to_owned(),
                )
                .into());
            }
        };
        Ok(Some(found.into()))
    }
}
