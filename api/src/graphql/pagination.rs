//! Relay connections with keyset pagination over any order.
//!
//! A connection is ordered by an [`Order`]: a non-null sort column and then the primary key (a
//! UUID v7, which grows with creation time) to break ties, or by the primary key alone. A cursor
//! holds the order's name, the row's sort value and its primary key, so the next page starts
//! exactly after the row the client last saw, however many rows are inserted around it. Pages
//! are fetched with one extra row to learn whether more exist.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::{Context, Enum, Object};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use entity::FromColumns;
use futures_util::future::BoxFuture;
use sea_orm::sea_query::{Alias, Expr, Value, ValueType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait, Order as SqlOrder,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::graphql::projection::{ReadsColumns, TableColumns};

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

/// Which way a list is sorted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest (or oldest, or A) first.
    #[default]
    Asc,
    /// Largest (or newest, or Z) first.
    Desc,
}

impl OrderDirection {
    /// Whether this is largest first.
    pub fn is_descending(self) -> bool {
        self == Self::Desc
    }
}

/// The value of a sort column inside a cursor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortValue {
    /// An integer column.
    Int(i64),
    /// A text column.
    Text(String),
    /// A date column.
    Date(NaiveDate),
    /// A timestamp column.
    DateTime(DateTime<Utc>),
}

impl SortValue {
    /// The sort value of a column value; `None` for NULL and for types no order uses.
    fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Int(Some(v)) => Some(Self::Int(i64::from(v))),
            Value::BigInt(Some(v)) => Some(Self::Int(v)),
            Value::String(Some(v)) => Some(Self::Text(v)),
            Value::ChronoDate(Some(v)) => Some(Self::Date(v)),
            Value::ChronoDateTimeUtc(Some(v)) => Some(Self::DateTime(v)),
            _ => None,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Self::Int(v) => v.into(),
            Self::Text(v) => v.into(),
            Self::Date(v) => v.into(),
            Self::DateTime(v) => v.into(),
        }
    }
}

/// The order of a connection: `column` (which must be `NOT NULL`) and then the primary key,
/// or the primary key alone; both ascending or both descending.
#[derive(Debug)]
pub struct Order<E: EntityTrait> {
    /// The name carried in cursors, so a cursor of another order is refused.
    pub name: &'static str,
    /// The sort column, `None` to order by the primary key alone.
    pub column: Option<E::Column>,
    /// The primary key, the tie-breaker.
    pub key: E::Column,
    /// Largest first instead of smallest first.
    pub descending: bool,
}

impl<E: EntityTrait> Clone for Order<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: EntityTrait> Copy for Order<E> {}

impl<E: EntityTrait> Order<E> {
    /// Oldest first: by the primary key.
    pub fn by_key(key: E::Column) -> Self {
        Self {
            name: "key",
            column: None,
            key,
            descending: false,
        }
    }

    /// The same order, largest first when `descending`.
    pub fn direction_of(mut self, descending: bool) -> Self {
        self.descending = descending;
        self
    }

    /// By `column`, then by the primary key.
    pub fn by(name: &'static str, column: E::Column, key: E::Column) -> Self {
        Self {
            name,
            column: Some(column),
            key,
            descending: false,
        }
    }

    /// The SQL direction of the fetch for `page`: the order itself, reversed when paging
    /// backward.
    pub fn direction(&self, page: &Page) -> SqlOrder {
        if self.descending == page.backward {
            SqlOrder::Asc
        } else {
            SqlOrder::Desc
        }
    }

    /// The cursor of `row`.
    pub fn cursor_of(&self, row: &E::Model) -> Cursor {
        Cursor {
            order: Cow::Borrowed(self.name),
            value: self
                .column
                .and_then(|column| SortValue::from_value(row.get(column))),
            key: <Uuid as ValueType>::try_from(row.get(self.key)).unwrap_or_default(),
            descending: self.descending,
        }
    }

    /// Rows strictly after (`after == true`) or before `cursor` in this order.
    fn beyond(&self, cursor: &Cursor, after: bool) -> Condition {
        // Ascending and after, or descending and before: larger values.
        let larger = after != self.descending;
        let key_beyond = if larger {
            self.key.gt(cursor.key)
        } else {
            self.key.lt(cursor.key)
        };
        match (self.column, cursor.value.clone()) {
            (Some(column), Some(value)) => {
                let value = value.into_value();
                let column_beyond = if larger {
                    column.gt(value.clone())
                } else {
                    column.lt(value.clone())
                };
                Condition::any()
                    .add(column_beyond)
                    .add(Condition::all().add(column.eq(value)).add(key_beyond))
            }
            _ => Condition::all().add(key_beyond),
        }
    }
}

/// A position in a connection: the order it belongs to, the row's sort value and its key.
/// Encoded only when a client selects it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "o")]
    order: Cow<'static, str>,
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    value: Option<SortValue>,
    #[serde(rename = "k")]
    key: Uuid,
    #[serde(rename = "d", default, skip_serializing_if = "std::ops::Not::not")]
    descending: bool,
}

impl Cursor {
    /// The opaque text clients pass back as `after` or `before`.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| ApiError::BadUserInput(format!("`{text}` is not a valid cursor")))
    }
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Page {
    /// How many rows the page holds at most.
    pub limit: u64,
    /// `true` for `last`/`before` (the page ends at the bound), `false` for `first`/`after`.
    pub backward: bool,
    /// Only rows after this position.
    pub after: Option<Cursor>,
    /// Only rows before this position.
    pub before: Option<Cursor>,
    /// Whether the client selected the list's total, so it may be counted with the page.
    pub with_total: bool,
    /// The columns of the items' table that the selected fields read; all of them when
    /// `None`.
    pub columns: Option<TableColumns>,
    /// The columns of the rows read ahead with the items that the selected fields read; all
    /// of them when `None`.
    pub ahead: Option<TableColumns>,
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
            after: after.as_deref().map(Cursor::decode).transpose()?,
            before: before.as_deref().map(Cursor::decode).transpose()?,
            with_total: false,
            columns: None,
            ahead: None,
        })
    }

    /// Validates the four Relay arguments of the connection field `ctx` resolves, noting
    /// whether its `totalCount` is selected.
    pub fn of_field(
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Self, ApiError> {
        let mut page = Self::new(first, after, last, before)?;
        page.with_total = ctx.look_ahead().field("totalCount").exists();
        Ok(page)
    }

    /// Reads only the columns of the items' table that the fields selected on the items of
    /// the connection field `ctx` resolves read, `T` being the items' type.
    #[must_use]
    pub fn reading<T>(mut self, ctx: &Context<'_>) -> Self
    where
        T: ReadsColumns,
        T::Entity: 'static,
    {
        self.columns = Some(TableColumns::of_items::<T>(ctx));
        self
    }

    /// Reads ahead only the columns that the items' field `field`, of type `T`, reads with
    /// its selection, and reads nothing ahead if no item selects it.
    #[must_use]
    pub fn reading_ahead<T>(mut self, ctx: &Context<'_>, field: &str) -> Self
    where
        T: ReadsColumns,
        T::Entity: 'static,
    {
        self.ahead = Some(TableColumns::of_item_field::<T>(ctx, field));
        self
    }

    /// Whether the statement that fetches the page also counts the whole list: when the total
    /// is selected and the page has no cursor (a cursor bounds the rows the statement sees).
    pub fn counts_in_page(&self) -> bool {
        self.with_total && self.after.is_none() && self.before.is_none()
    }

    /// Checks that the cursors belong to `order` (a cursor of the list in another order, or of
    /// a sort value of the wrong type, is `BAD_USER_INPUT`).
    pub fn check<E: EntityTrait>(&self, order: &Order<E>) -> Result<(), ApiError> {
        for cursor in self.after.iter().chain(&self.before) {
            if cursor.order != order.name
                || cursor.descending != order.descending
                || cursor.value.is_some() != order.column.is_some()
            {
                return Err(ApiError::BadUserInput(
                    "the cursor belongs to a list in another order".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// Restricts `select` to the rows between the cursors.
    pub fn bound<E: EntityTrait>(&self, select: Select<E>, order: &Order<E>) -> Select<E> {
        select
            .apply_if(self.after.as_ref(), |s, c| s.filter(order.beyond(c, true)))
            .apply_if(self.before.as_ref(), |s, c| {
                s.filter(order.beyond(c, false))
            })
    }

    /// Restricts `select` to the cursor bounds, orders it for this direction and fetches one
    /// row more than the page holds.
    pub fn apply<E: EntityTrait>(&self, select: Select<E>, order: &Order<E>) -> Select<E> {
        let direction = order.direction(self);
        self.bound(select, order)
            .apply_if(order.column, |s, column| {
                s.order_by(column, direction.clone())
            })
            .order_by(order.key, direction)
            .limit(self.limit + 1)
    }

    /// Turns rows fetched in this page's direction (at most `limit + 1`) into a page in the
    /// connection's order.
    pub fn slice<E: EntityTrait>(
        &self,
        mut rows: Vec<E::Model>,
        order: &Order<E>,
    ) -> Slice<E::Model> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        if self.backward {
            rows.reverse();
        }
        let (has_previous_page, has_next_page) = if self.backward {
            (has_more, self.before.is_some())
        } else {
            (self.after.is_some(), has_more)
        };
        Slice {
            cursors: rows.iter().map(|row| order.cursor_of(row)).collect(),
            rows,
            has_previous_page,
            has_next_page,
            total: None,
        }
    }
}

/// One page of rows in the connection's order, each with its cursor.
#[derive(Debug, Clone)]
pub struct Slice<M> {
    /// The rows of the page.
    pub rows: Vec<M>,
    /// The position of each row.
    pub cursors: Vec<Cursor>,
    /// Whether rows exist before the page (see `PageInfo`).
    pub has_previous_page: bool,
    /// Whether rows exist after the page (see `PageInfo`).
    pub has_next_page: bool,
    /// The size of the whole list, when it was counted with the page.
    pub total: Option<u64>,
}

impl<M> Default for Slice<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            cursors: Vec::new(),
            has_previous_page: false,
            has_next_page: false,
            total: None,
        }
    }
}

/// A page of rows of type `M` with the total of the list, on its way. Boxed: a statement's future
/// is several kilobytes, and an object type's fields share one state machine, so a list field
/// that held it inline would make every scalar field of its type allocate and copy that much.
pub type PageFuture<'a, M> = BoxFuture<'a, Result<(Slice<M>, TotalCount), ApiError>>;

/// Fetches one page of `select` in `order`, with the count of the whole of `select` (only if a
/// client selects `totalCount`: in the same statement as the page when it has no cursor, else
/// in a statement of its own).
pub fn fetch_page<'a, E: EntityTrait>(
    db: &'a sea_orm::DatabaseConnection,
    select: Select<E>,
    order: &'a Order<E>,
    page: &'a Page,
) -> PageFuture<'a, E::Model>
where
    E::Model: Sync + FromColumns,
{
    Box::pin(async move {
        page.check(order)?;
        if !page.counts_in_page() {
            let rows = page.apply(select.clone(), order).all(db).await?;
            return Ok((
                page.slice(rows, order),
                TotalCount::of_query(db.clone(), select),
            ));
        }
        let mut query = page.apply(select, order).into_query();
        query.expr_as(Expr::cust("COUNT(*) OVER ()"), Alias::new(TOTAL_COLUMN));
        let results = db.query_all(&query).await?;
        // No rows and no cursor: the list is empty.
        let mut total = 0;
        let mut rows = Vec::with_capacity(results.len());
        for result in &results {
            // The entity's columns, then the total.
            total = result.try_get_by_index::<i64>(E::Model::WIDTH)?;
            rows.push(E::Model::from_columns(result, 0)?);
        }
        let total = <u64 as TryFrom<i64>>::try_from(total).unwrap_or(0);
        Ok((page.slice(rows, order), TotalCount::known(total)))
    })
}

/// The column that carries a list's total next to its rows.
const TOTAL_COLUMN: &str = "total_count";

/// Where a page sits in the whole list.
#[derive(Debug, Clone)]
pub struct PageInfo {
    has_previous_page: bool,
    has_next_page: bool,
    start: Option<Cursor>,
    end: Option<Cursor>,
}

/// Where a page sits in the whole list.
#[Object]
impl PageInfo {
    /// Whether items exist before this page. When paging forward this is `true` whenever an
    /// `after` cursor was given.
    async fn has_previous_page(&self) -> bool {
        self.has_previous_page
    }

    /// Whether items exist after this page. When paging backward this is `true` whenever a
    /// `before` cursor was given.
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }

    /// The cursor of the first item of the page; pass it as `before` to page backward.
    async fn start_cursor(&self) -> Option<String> {
        self.start.as_ref().map(Cursor::encode)
    }

    /// The cursor of the last item of the page; pass it as `after` to page forward.
    async fn end_cursor(&self) -> Option<String> {
        self.end.as_ref().map(Cursor::encode)
    }
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

    /// A list known to be empty.
    pub fn zero() -> Self {
        Self::known(0)
    }

    /// A count already made.
    pub fn known(total: u64) -> Self {
        Self::from_fn(move || Box::pin(async move { Ok(total) }))
    }

    /// Computes the count.
    pub async fn get(&self) -> Result<u64, ApiError> {
        (self.0)().await
    }
}

/// Builds the page info and edges of a slice.
pub fn edges<M, N: From<M>>(slice: Slice<M>) -> (PageInfo, Vec<(Cursor, N)>) {
    let page_info = PageInfo {
        has_previous_page: slice.has_previous_page,
        has_next_page: slice.has_next_page,
        start: slice.cursors.first().cloned(),
        end: slice.cursors.last().cloned(),
    };
    let edges = slice
        .cursors
        .into_iter()
        .zip(slice.rows)
        .map(|(cursor, m)| (cursor, N::from(m)))
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
        pub struct $edge {
            position: $crate::graphql::pagination::Cursor,
            node: $node,
        }

        #[doc = $edge_doc]
        #[async_graphql::Object]
        impl $edge {
            /// An opaque cursor for this item; pass it as `after` or `before`.
            async fn cursor(&self) -> String {
                self.position.encode()
            }

            /// The item.
            async fn node(&self) -> $crate::graphql::in_place::InPlace<&$node> {
                $crate::graphql::in_place::InPlace(&self.node)
            }
        }

        impl $connection {
            /// A connection over `slice` whose `totalCount` comes from `total`.
            pub fn new<M>(
                slice: $crate::graphql::pagination::Slice<M>,
                total: $crate::graphql::pagination::TotalCount,
            ) -> Self
            where
                $node: From<M>,
            {
                let (page_info, edges) = $crate::graphql::pagination::edges::<M, $node>(slice);
                Self {
                    edges: edges
                        .into_iter()
                        .map(|(position, node)| $edge { position, node })
                        .collect(),
                    page_info,
                    total,
                }
            }
        }

        impl From<(
            $crate::graphql::pagination::Slice<
                <<$node as $crate::graphql::node::NodeType>::Entity as sea_orm::EntityTrait>::Model,
            >,
            $crate::graphql::pagination::TotalCount,
        )> for $connection
        {
            fn from(
                (slice, total): (
                    $crate::graphql::pagination::Slice<
                        <<$node as $crate::graphql::node::NodeType>::Entity as sea_orm::EntityTrait>::Model,
                    >,
                    $crate::graphql::pagination::TotalCount,
                ),
            ) -> Self {
                Self::new(slice, total)
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
            async fn nodes(&self) -> Vec<$crate::graphql::in_place::InPlace<&$node>> {
                self.edges
                    .iter()
                    .map(|edge| $crate::graphql::in_place::InPlace(&edge.node))
                    .collect()
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

/// Declares the `orderBy` input of a list over the entity module `table`: an enum of sort
/// fields, whose first variant is the default and sorts by creation (the key), and an input of
/// a field and a direction with the [`Order`] it stands for.
macro_rules! order_input {
    (
        $(#[$input_meta:meta])* $input:ident,
        $(#[$field_meta:meta])* $field:ident for $table:ident {
            $(#[$key_meta:meta])* $key_variant:ident,
            $($(#[$variant_meta:meta])* $variant:ident => ($name:literal, $column:expr)),* $(,)?
        }
    ) => {
        $(#[$field_meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub enum $field {
            $(#[$key_meta])*
            #[default]
            $key_variant,
            $($(#[$variant_meta])* $variant,)*
        }

        $(#[$input_meta])*
        #[derive(async_graphql::InputObject, Debug, Default)]
        pub struct $input {
            /// What to sort by.
            pub field: $field,
            /// Which way; ascending if omitted.
            #[graphql(default)]
            pub direction: $crate::graphql::pagination::OrderDirection,
        }

        impl $input {
            /// The order this input asks for.
            pub fn order(&self) -> $crate::graphql::pagination::Order<$table::Entity> {
                use $crate::graphql::pagination::Order;
                let key = $table::Column::Id;
                match self.field {
                    $field::$key_variant => Order::by_key(key),
                    $($field::$variant => Order::by($name, $column, key),)*
                }
                .direction_of(self.direction.is_descending())
            }
        }
    };
}

pub(crate) use order_input;

#[cfg(test)]
mod tests {
    use super::*;

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
    fn cursors_round_trip_with_their_order_and_value() {
        let cursor = Cursor {
            order: Cow::Borrowed("name"),
            value: Some(SortValue::Text("Acme Clinic".to_owned())),
            key: Uuid::now_v7(),
            descending: true,
        };
        let page = Page::new(Some(5), Some(cursor.encode()), None, None);
        assert_eq!(page.ok().and_then(|p| p.after), Some(cursor));
    }

    #[test]
    fn sort_values_order_within_their_type() {
        let early = SortValue::DateTime(DateTime::<Utc>::MIN_UTC);
        let late = SortValue::DateTime(Utc::now());
        assert!(early < late);
        assert!(SortValue::Text("a".into()) < SortValue::Text("b".into()));
    }
}
