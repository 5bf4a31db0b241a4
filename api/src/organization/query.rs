//! Root queries about organizations.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::{enrollment, organization};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::loaders::require;
use crate::graphql::pagination::{Page, fetch_page};
use crate::organization::policy::organization_scope;
use crate::organization::types::{Organization, OrganizationConnection};

/// Narrows the `organizations` list.
#[derive(Debug, Default, InputObject)]
pub struct OrganizationFilter {
    /// Only organizations whose name contains this text, ignoring case.
    pub name: Option<String>,
    /// Only organizations enrolled (now or before) in this cohort.
    pub cohort_id: Option<ID>,
}

/// Root queries about organizations.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl OrganizationQuery {
    /// The organizations the viewer can see, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list.")] filter: Option<OrganizationFilter>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<OrganizationConnection> {
        let page = Page::new(first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let mut select = organization::Entity::find().filter(organization_scope(ctx.viewer()?));
        if let Some(name) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&name.to_lowercase()));
            select = select.filter(
                Expr::expr(Func::lower(Expr::col((
                    organization::Entity,
                    organization::Column::Name,
                ))))
                .like(LikeExpr::new(pattern).escape('\\')),
            );
        }
        if let Some(cohort) = &filter.cohort_id {
            let cohort = decode_as(cohort, NodeKind::Cohort)?;
            require(&ctx.loaders()?.cohort, cohort, "cohort").await?;
            select = select.filter(
                organization::Column::Id.in_subquery(
                    Query::select()
                        .column(enrollment::Column::OrganizationId)
                        .from(enrollment::Entity)
                        .and_where(enrollment::Column::CohortId.eq(cohort))
                        .to_owned(),
                ),
            );
        }
        let db = ctx.db()?;
        let (slice, total) = fetch_page(db, select, organization::Column::Id, &page).await?;
        Ok(OrganizationConnection::new(slice, total))
    }

    /// One organization. `null` with a `NOT_FOUND` error if it does not exist or the viewer
    /// cannot see it.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's global ID.")] id: ID,
    ) -> Result<Option<Organization>> {
        let id = decode_as(&id, NodeKind::Organization)?;
        Ok(Some(
            require(&ctx.loaders()?.organization, id, "organization")
                .await?
                .into(),
        ))
    }
}

/// Escapes the LIKE wildcards `%` and `_` (and the escape character itself).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
