//! Root queries about organizations.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::organization;

use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::{Page, order_input};
use crate::organization::service;
use crate::organization::types::{Organization, OrganizationConnection};

/// Narrows the `organizations` list.
#[derive(Debug, Default, InputObject)]
pub struct OrganizationFilter {
    /// Only organizations whose name contains this text, ignoring case.
    pub name: Option<String>,
    /// Only organizations enrolled (now or before) in this cohort.
    pub cohort_id: Option<ID>,
}

order_input!(
    /// How to sort organizations.
    OrganizationOrder,
    /// What to sort organizations by.
    OrganizationOrderField for organization {
        /// When the organization was created.
        CreatedAt,
        /// The organization's name.
        Name => ("name", organization::Column::Name),
    }
);

/// Root queries about organizations.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl OrganizationQuery {
    /// The organizations the viewer can see, oldest first unless `orderBy` says otherwise.
    #[expect(
        clippy::too_many_arguments,
        reason = "the Relay arguments are GraphQL arguments"
    )]
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list.")] filter: Option<OrganizationFilter>,
        #[graphql(desc = "How to sort the list; oldest first if omitted.")] order_by: Option<
            OrganizationOrder,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<OrganizationConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let cohort_id = filter
            .cohort_id
            .as_ref()
            .map(|id| decode_as(id, NodeKind::Cohort))
            .transpose()?;
        let order = order_by.unwrap_or_default().order();
        Ok(service::list_organizations(
            ctx.db()?,
            ctx.viewer()?,
            filter.name.as_deref(),
            cohort_id,
            &order,
            &page,
        )
        .await?
        .into())
    }

    /// One organization. `null` with a `NOT_FOUND` error if it does not exist or the viewer
    /// cannot see it.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's global ID.")] id: ID,
    ) -> Result<Option<Organization>> {
        let id = decode_as(&id, NodeKind::Organization)?;
        Ok(Some(ctx.loaders()?.require(id).await?))
    }
}
