//! Root queries about cohorts.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entity::cohort;

use crate::cohort::service;
use crate::cohort::types::{Cohort, CohortConnection};
use crate::error::ApiError;
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::{Order, OrderDirection, Page};

/// What to sort cohorts by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CohortOrderField {
    /// When the cohort was created.
    #[default]
    CreatedAt,
    /// The cohort's name.
    Name,
}

/// How to sort cohorts.
#[derive(Debug, Default, InputObject)]
pub struct CohortOrder {
    /// What to sort by.
    pub field: CohortOrderField,
    /// Which way; ascending if omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl CohortOrder {
    fn order(&self) -> Order<cohort::Entity> {
        let key = cohort::Column::Id;
        match self.field {
            CohortOrderField::CreatedAt => Order::by_key(key),
            CohortOrderField::Name => Order::by("name", cohort::Column::Name, key),
        }
        .direction_of(self.direction.is_descending())
    }
}

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
        let page = Page::new(first, after, last, before)?;
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
