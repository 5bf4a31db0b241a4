//! Relay connections with keyset pagination.
//!
//! Rows are ordered by their UUID v7 primary key, which grows with creation time, so the order is
//! stable and a cursor (the encoded key) stays valid however many rows are inserted around it.
//! Pages are fetched with one extra row to learn whether more exist.

use std::sync::Arc;

use async_graphql::SimpleObject;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use uuid::Uuid;

use crate::error::ApiError;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The complexity of a connection field: its page size times the complexity of one item, an
/// upper bound on the work a page costs. Nested connections multiply, so the schema's
/// complexity limit bounds the number of objects a query can ask for.
pub fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    usize::try_from(size)
        .unwrap_or(1)
        .saturating_mul(child_complexity.max(1))
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// How many rows the page holds at most.
    pub limit: u64,
    /// `true` for `last`/`before` (the page ends at the bound), `false` for `first`/`after`.
    pub backward: bool,
    /// Only rows after this key.
    pub after: Option<Uuid>,
    /// Only rows before this key.
    pub before: Option<Uuid>,
}

impl Page {
    /// Validates the four Relay arguments.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Self, ApiError> {
        let size = |name: &str, n: i32| {
            if (1..=MAX_PAGE_SIZE).contains(&n) {
                Ok(u64::from(n.unsigned_abs()))
            } else {
                Err(ApiError::BadUserInput(format!(
                    "`{name}` must be between 1 and {MAX_PAGE_SIZE}"
                )))
            }
        };
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadUserInput(
                    "pass `first` or `last`, not both".to_owned(),
                ));
            }
            (Some(n), None) => (size("first", n)?, false),
            (None, Some(n)) => (size("last", n)?, true),
            (None, None) => (size("first", DEFAULT_PAGE_SIZE)?, false),
        };
        Ok(Self {
            limit,
            backward,
            after: after.as_deref().map(decode_cursor).transpose()?,
            before: before.as_deref().map(decode_cursor).transpose()?,
        })
    }

    /// Restricts `select` to the cursor bounds, orders it for this direction and fetches one
    /// row more than the page holds.
    pub fn apply<E: EntityTrait>(&self, select: Select<E>, key: E::Column) -> Select<E> {
        self.bound(select, key)
            .order_by(key, self.order())
            .limit(self.limit + 1)
    }

    /// Restricts `select` to the cursor bounds only.
    pub fn bound<E: EntityTrait>(&self, select: Select<E>, key: E::Column) -> Select<E> {
        select
            .apply_if(self.after, |s, after| s.filter(key.gt(after)))
            .apply_if(self.before, |s, before| s.filter(key.lt(before)))
    }

    /// The order in which rows are fetched: ascending forward, descending backward.
    pub fn order(&self) -> Order {
        if self.backward {
            Order::Desc
        } else {
            Order::Asc
        }
    }

    /// Turns rows fetched by [`Page::apply`] (in fetch order, at most `limit + 1`) into a page
    /// in ascending order.
    pub fn slice<M>(&self, mut rows: Vec<M>) -> Slice<M> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        if self.backward {
            rows.reverse();
            Slice {
                rows,
                has_previous_page: has_more,
                has_next_page: self.before.is_some(),
            }
        } else {
            Slice {
                rows,
                has_previous_page: self.after.is_some(),
                has_next_page: has_more,
            }
        }
    }
}

/// One page of rows in ascending key order.
#[derive(Debug, Clone)]
pub struct Slice<M> {
    /// The rows of the page.
    pub rows: Vec<M>,
    /// Whether rows exist before the page (see `PageInfo`).
    pub has_previous_page: bool,
    /// Whether rows exist after the page (see `PageInfo`).
    pub has_next_page: bool,
}

impl<M> Default for Slice<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            has_previous_page: false,
            has_next_page: false,
        }
    }
}

/// Fetches one page of `select`, keyed by `key`, with the count of the whole of `select` (run
/// only if a client selects `totalCount`).
pub async fn fetch_page<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    select: Select<E>,
    key: E::Column,
    page: &Page,
) -> Result<(Slice<E::Model>, TotalCount), ApiError>
where
    E::Model: Sync,
{
    let rows = page.apply(select.clone(), key).all(db).await?;
    Ok((page.slice(rows), TotalCount::of_query(db.clone(), select)))
}

/// The opaque cursor of the row with primary key `id`.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::BadUserInput(format!("`{cursor}` is not a valid cursor")))
}

/// A row that a connection can page over.
pub trait Keyed {
    /// The primary key, which is also the sort key.
    fn key(&self) -> Uuid;
}

macro_rules! keyed {
    ($($model:path),* $(,)?) => {
        $(impl Keyed for $model {
            fn key(&self) -> Uuid {
                self.id
            }
        })*
    };
}

keyed!(
    entity::user::Model,
    entity::organization::Model,
    entity::membership::Model,
    entity::cohort::Model,
    entity::enrollment::Model,
    entity::cohort_staff::Model,
    entity::topic::Model,
    entity::invitation::Model,
    entity::identity::Model,
    entity::access_token::Model,
);

/// Where a page sits in the whole list.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether items exist before this page. When paging forward this is `true` whenever an
    /// `after` cursor was given.
    pub has_previous_page: bool,
    /// Whether items exist after this page. When paging backward this is `true` whenever a
    /// `before` cursor was given.
    pub has_next_page: bool,
    /// The cursor of the first item of the page; pass it as `before` to page backward.
    pub start_cursor: Option<String>,
    /// The cursor of the last item of the page; pass it as `after` to page forward.
    pub end_cursor: Option<String>,
}

type CountFuture = BoxFuture<'static, Result<u64, ApiError>>;

/// The size of the whole list behind a connection, computed only if a client selects it.
#[derive(Clone)]
pub struct TotalCount(Arc<dyn Fn() -> CountFuture + Send + Sync>);

impl TotalCount {
    /// Counts the rows of `select`.
    pub fn of_query<E: EntityTrait>(db: sea_orm::DatabaseConnection, select: Select<E>) -> Self
    where
        E::Model: Sync,
    {
        Self(Arc::new(move || {
            let db = db.clone();
            let select = select.clone();
            Box::pin(async move { Ok(select.count(&db).await?) })
        }))
    }

    /// Uses an already batched count.
    pub fn from_fn(count: impl Fn() -> CountFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(count))
    }

    /// Computes the count.
    pub async fn get(&self) -> Result<u64, ApiError> {
        (self.0)().await
    }
}

/// Builds the page info and edges of a slice.
pub fn edges<M: Keyed, N: From<M>>(slice: Slice<M>) -> (PageInfo, Vec<(String, N)>) {
    let page_info = PageInfo {
        has_previous_page: slice.has_previous_page,
        has_next_page: slice.has_next_page,
        start_cursor: slice.rows.first().map(|m| encode_cursor(m.key())),
        end_cursor: slice.rows.last().map(|m| encode_cursor(m.key())),
    };
    let edges = slice
        .rows
        .into_iter()
        .map(|m| (encode_cursor(m.key()), N::from(m)))
        .collect();
    (page_info, edges)
}

/// Declares a Relay connection type and its edge type for a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $connection_doc:literal, $edge_doc:literal) => {
        #[doc = $connection_doc]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: $crate::graphql::pagination::PageInfo,
            total: $crate::graphql::pagination::TotalCount,
        }

        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// An opaque cursor for this item; pass it as `after` or `before`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $connection {
            /// A connection over `slice` whose `totalCount` comes from `total`.
            pub fn new<M>(
                slice: $crate::graphql::pagination::Slice<M>,
                total: $crate::graphql::pagination::TotalCount,
            ) -> Self
            where
                M: $crate::graphql::pagination::Keyed,
                $node: From<M>,
            {
                let (page_info, edges) = $crate::graphql::pagination::edges::<M, $node>(slice);
                Self {
                    edges: edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info,
                    total,
                }
            }
        }

        #[doc = $connection_doc]
        #[async_graphql::Object]
        impl $connection {
            /// The items of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The items of this page.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|edge| &edge.node).collect()
            }

            /// Where this page sits in the whole list.
            async fn page_info(&self) -> &$crate::graphql::pagination::PageInfo {
                &self.page_info
            }

            /// The number of items in the whole list, ignoring pagination. Computed only when
            /// selected.
            async fn total_count(&self) -> async_graphql::Result<u64> {
                Ok(self.total.get().await?)
            }
        }
    };
}

pub(crate) use connection;

#[cfg(test)]
mod tests {
    use super::*;

    fn first(limit: u64) -> Page {
        Page {
            limit,
            backward: false,
            after: None,
            before: None,
        }
    }

    #[test]
    fn page_arguments_are_bounded() {
        assert!(Page::new(Some(0), None, None, None).is_err());
        assert!(Page::new(Some(101), None, None, None).is_err());
        assert!(Page::new(None, None, Some(-1), None).is_err());
        assert!(Page::new(Some(5), None, Some(5), None).is_err());
        assert_eq!(
            Page::new(None, None, None, None).ok().map(|p| p.limit),
            Some(20)
        );
        assert!(Page::new(None, Some("%%%".to_owned()), None, None).is_err());
    }

    #[test]
    fn slices_report_neighbours() {
        let forward = first(2);
        let slice = forward.slice(vec![1, 2, 3]);
        assert_eq!(slice.rows, [1, 2]);
        assert!(slice.has_next_page && !slice.has_previous_page);

        let backward = Page {
            backward: true,
            ..first(2)
        };
        let slice = backward.slice(vec![9, 8]);
        assert_eq!(slice.rows, [8, 9]);
        assert!(!slice.has_previous_page && !slice.has_next_page);
    }
}
