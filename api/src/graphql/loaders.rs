//! Per-request DataLoaders: every relation and count is batched, so the number of SQL
//! statements of a request does not grow with page size.
//!
//! Each domain declares its loaders in its own `loaders.rs` as [`LoaderKind`]s; a request builds
//! a loader (and the visibility scope it applies) the first time a resolver asks for it, so a
//! request that touches one domain pays for that domain's loaders only.
//!
//! Each loader applies the viewer's visibility scope in SQL. Visibility is closed under the
//! relations the schema exposes (whoever sees a membership sees its organization and user), so
//! the scope is defence in depth for traversals and the access check for lookups by ID.
//!
//! A paged relation can read the row each child belongs to (a membership's user) in the same
//! statement as the page, inside that row's own scope, and hand it to the by-id loader of its
//! type: resolving it then runs no statement and sends no list of keys. A page may read only the
//! columns its selected fields need (see `graphql::projection`), and the by-id loader then keeps
//! the row with the set of columns read: a field whose selection needs no more takes it, and
//! anything else reads the row whole.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{Columns, FromColumns};
use futures_util::TryStreamExt as _;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, PgFunc, Query, SelectStatement, ValueType,
    WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, DbErr, EntityTrait, IdenStatic,
    Iterable, JoinType, ModelTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait,
    Related, Select, StreamTrait,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::graphql::pagination::{Order, Page, PageFuture, Slice, TotalCount};
use crate::graphql::projection::{TableColumns, with_columns};

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<DbErr>>;

/// A loader that a domain declares once and that each request builds on first use, scoped to
/// the request's viewer.
pub trait LoaderKind: 'static {
    /// The loader this kind builds.
    type Loader: Send + Sync + 'static;

    /// Builds the loader for one request: `loaders` gives the database, the viewer and the
    /// request's other loaders.
    fn build(loaders: &Loaders) -> Self::Loader;
}

/// The loaders of one request, built on first use.
pub struct Loaders {
    db: DatabaseConnection,
    viewer: Viewer,
    reads_ahead: bool,
    built: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Loaders {
    /// No loader is built until a resolver asks for it. `reads_ahead` lets relations hand the
    /// rows they read along with a page to by-id loaders; pass `false` for requests that write,
    /// so a row read before a write is never served after it.
    pub fn new(db: DatabaseConnection, viewer: Viewer, reads_ahead: bool) -> Self {
        Self {
            db,
            viewer,
            reads_ahead,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The database pool.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Who is asking.
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// The request's loader of kind `K`, built now if this is its first use.
    pub fn get<K: LoaderKind>(&self) -> Arc<K::Loader> {
        if let Some(loader) = self.built::<K>() {
            return loader;
        }
        // Built without the lock: building may ask for other loaders.
        let loader = Arc::new(K::build(self));
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        built
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Arc::clone(&loader) as Arc<dyn Any + Send + Sync>);
        drop(built);
        self.built::<K>().unwrap_or(loader)
    }

    fn built<K: LoaderKind>(&self) -> Option<Arc<K::Loader>> {
        // The lock is never held across an await, and a panic while holding it leaves the map
        // consistent (an insert either happened or not), so poisoning is ignored.
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&TypeId::of::<K>())
            .and_then(|any| Arc::clone(any).downcast::<K::Loader>().ok())
    }

    /// Reads the `R` row each row of `E` belongs to along with `E`'s pages, and hands it to
    /// the by-id loader `K`; `None` when this request does not read ahead.
    pub fn read_ahead<E, R, K>(&self) -> Option<Arc<dyn ReadAhead<E>>>
    where
        E: EntityTrait + Related<R>,
        E::Model: FromColumns,
        R: EntityTrait + Sync,
        R::Model: Sync + FromColumns,
        R::Column: Sync,
        K: LoaderKind<Loader = DataLoader<ByIdLoader<R>>>,
    {
        self.reads_ahead.then(|| {
            Arc::new(JoinedTo::<E, R> {
                loader: self.get::<K>(),
                child: std::marker::PhantomData,
            }) as Arc<dyn ReadAhead<E>>
        })
    }
}

/// The prefix of the columns of the row read ahead (the second entity of a SeaORM select).
const AHEAD: &str = "B_";

/// Reads, along with a page of `E`, the row of another table that each row of `E` belongs to.
pub trait ReadAhead<E: EntityTrait>: Send + Sync {
    /// Which columns of the other table to read for a page that asks for `requested`.
    fn columns(&self, requested: Option<TableColumns>) -> Columns;

    /// `select` with the other table left-joined inside its visibility scope and its `columns`
    /// added after `E`'s, with the prefix `B_`.
    fn join(&self, select: Select<E>, columns: Columns) -> SelectStatement;

    /// How many columns [`ReadAhead::join`] adds when it reads `columns`.
    fn width(&self, columns: Columns) -> usize;

    /// Hands the other table's row found in `row` from the column `at` on, if any, to its
    /// by-id loader.
    fn keep(&self, row: &QueryResult, at: usize, columns: Columns) -> Result<(), DbErr>;
}

struct JoinedTo<E, R: EntityTrait> {
    loader: Arc<DataLoader<ByIdLoader<R>>>,
    child: std::marker::PhantomData<fn() -> E>,
}

impl<E, R> ReadAhead<E> for JoinedTo<E, R>
where
    E: EntityTrait + Related<R>,
    E::Model: FromColumns,
    R: EntityTrait + Sync,
    R::Model: Sync + FromColumns,
    R::Column: Sync,
{
    fn columns(&self, requested: Option<TableColumns>) -> Columns {
        TableColumns::of::<R>(requested)
    }

    fn join(&self, select: Select<E>, columns: Columns) -> SelectStatement {
        // The scope goes into the join condition: a row the viewer may not see is not read
        // ahead, and its child stays in the page either way.
        let scope = self.loader.loader().scope.clone();
        let relation = <E as Related<R>>::to().on_condition(move |_, _| scope.clone());
        let mut query = select.join(JoinType::LeftJoin, relation).into_query();
        for column in selected_columns::<R>(columns) {
            query.expr_as(
                column.select_as(Expr::col((R::default(), column))),
                Alias::new(format!("{AHEAD}{}", column.as_str())),
            );
        }
        query
    }

    fn width(&self, columns: Columns) -> usize {
        selected_width::<R>(columns)
    }

    fn keep(&self, row: &QueryResult, at: usize, columns: Columns) -> Result<(), DbErr> {
        if let Some(model) = R::Model::from_some_columns_optional(row, at, columns)? {
            self.loader.loader().keep(model, columns);
        }
        Ok(())
    }
}

/// How many columns of `E` a statement that reads `columns` of it selects: the primary key
/// always, and the others in the set.
fn selected_width<E: EntityTrait>(columns: Columns) -> usize
where
    E::Model: FromColumns,
{
    columns.union(Columns::at(0)).count(E::Model::WIDTH)
}

/// `columns`, or [`Columns::ALL`] if they are every column of `E`: a row read with every column
/// serves whoever asks for the whole row.
fn whole_if_complete<E: EntityTrait>(columns: Columns) -> Columns
where
    E::Model: FromColumns,
{
    if columns.count(E::Model::WIDTH) == E::Model::WIDTH {
        Columns::ALL
    } else {
        columns
    }
}

/// `E::find()` selecting only `columns` of `E`, the primary key always.
fn find_columns<E: EntityTrait>(columns: Columns) -> Select<E> {
    if columns == Columns::ALL {
        return E::find();
    }
    selected_columns::<E>(columns).fold(E::find().select_only(), |select, column| {
        select.column(column)
    })
}

/// The columns of `E` a statement that reads `columns` of it selects, in order: the primary key
/// always, and the others in the set.
fn selected_columns<E: EntityTrait>(columns: Columns) -> impl Iterator<Item = E::Column> {
    E::Column::iter()
        .enumerate()
        .filter(move |(position, _)| *position == 0 || columns.contains(*position))
        .map(|(_, column)| column)
}

/// `column` is one of `ids`. On PostgreSQL that is `= ANY($1)` with the ids as one array: the
/// statement's text and plan do not depend on how many ids there are, so its plan is made once
/// per connection instead of once per statement, and the ids are sent as one value. SQLite has
/// no arrays and gets `IN (…)`.
fn one_of<C: ColumnTrait>(
    db: &DatabaseConnection,
    column: C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Expr {
    match db.get_database_backend() {
        DbBackend::Postgres => column
            .into_expr()
            .eq(PgFunc::any(Expr::val(ids.into_iter().collect::<Vec<_>>()))),
        _ => column.is_in(ids),
    }
}

fn uuid_of<M: ModelTrait>(model: &M, column: <M::Entity as EntityTrait>::Column) -> Option<Uuid> {
    <Uuid as ValueType>::try_from(model.get(column)).ok()
}

/// Loads rows of `E` by primary key, inside a visibility scope. Rows that relations read
/// ahead whole in this request are answered without a statement.
pub struct ByIdLoader<E: EntityTrait> {
    db: DatabaseConnection,
    id: E::Column,
    scope: Condition,
    ahead: Mutex<HashMap<Uuid, (E::Model, Columns)>>,
}

impl<E> ByIdLoader<E>
where
    E: EntityTrait,
    E::Model: FromColumns,
{
    /// The row `id` if a relation read at least its `columns` ahead in this request.
    pub fn read_ahead(&self, id: Uuid, columns: Columns) -> Option<E::Model> {
        self.ahead
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .filter(|(_, read)| read.covers(columns))
            .map(|(row, _)| row.clone())
    }

    /// Keeps `row`, of which `columns` were read; two reads of one row add up.
    fn keep(&self, row: E::Model, columns: Columns) {
        let Some(id) = uuid_of(&row, self.id) else {
            return;
        };
        let mut ahead = self.ahead.lock().unwrap_or_else(PoisonError::into_inner);
        match ahead.get_mut(&id) {
            Some((_, kept)) if kept.covers(columns) => {}
            Some((kept_row, kept)) if !columns.covers(*kept) => {
                kept_row.take_columns(row, columns);
                *kept = whole_if_complete::<E>(kept.union(columns));
            }
            _ => {
                ahead.insert(id, (row, whole_if_complete::<E>(columns)));
            }
        }
    }
}

impl<E> Loader<Uuid> for ByIdLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<E::Model> {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::with_capacity(keys.len());
        for key in keys {
            match self.read_ahead(*key, Columns::ALL) {
                Some(row) => {
                    found.insert(*key, row);
                }
                None => missing.push(*key),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let select = E::find()
            .filter(one_of(&self.db, self.id, missing))
            .filter(self.scope.clone())
            .into_query();
        let mut rows = self
            .db
            .stream_raw(self.db.get_database_backend().build(&select))
            .await?;
        while let Some(row) = rows.try_next().await? {
            let row = E::Model::from_columns(&row, 0)?;
            if let Some(id) = uuid_of(&row, self.id) {
                found.insert(id, row);
            }
        }
        Ok(found)
    }
}

/// Loads one page of the children of many parents in one statement per distinct page request,
/// numbering each parent's children with `ROW_NUMBER() OVER (PARTITION BY parent ...)`. When
/// the page starts at either end and its total is selected, the same statement counts each
/// parent's children with `COUNT(*) OVER (PARTITION BY parent)`.
pub struct ChildPageLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    order: Order<E>,
    scope: Condition,
    ahead: Option<Arc<dyn ReadAhead<E>>>,
}

/// The rows of one page request, and each parent's total if it was counted with them.
struct PageRows<M> {
    rows: Vec<M>,
    totals: Option<HashMap<Uuid, u64>>,
}

impl<E> ChildPageLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    async fn load_page(
        &self,
        parents: Vec<Uuid>,
        page: &Page,
    ) -> Result<PageRows<E::Model>, DbErr> {
        let row_number = Alias::new("row_number");
        let total = Alias::new("total_count");
        let direction = self.order.direction(page);
        let mut window = WindowStatement::partition_by((E::default(), self.parent));
        if let Some(column) = self.order.column {
            window.order_by((E::default(), column), direction.clone());
        }
        window.order_by((E::default(), self.order.key), direction);
        // The items' columns that the query reads, and those that order and group them.
        let columns = with_columns::<E>(
            TableColumns::of::<E>(page.columns),
            [self.parent, self.order.key]
                .into_iter()
                .chain(self.order.column),
        );
        let select = page
            .bound(find_columns::<E>(columns), &self.order)
            .filter(one_of(&self.db, self.parent, parents))
            .filter(self.scope.clone());
        // Nothing is read ahead for a page whose items do not select the row.
        let ahead = self.ahead.as_ref().and_then(|ahead| {
            let columns = ahead.columns(page.ahead);
            (!columns.is_empty()).then_some((ahead, columns))
        });
        let mut inner = match ahead {
            Some((ahead, columns)) => ahead.join(select, columns),
            None => select.into_query(),
        };
        inner.expr_window_as(
            Func::cust(Alias::new("ROW_NUMBER")),
            window,
            row_number.clone(),
        );
        let counted = page.counts_in_page();
        if counted {
            inner.expr_window_as(
                Expr::cust("COUNT(*)"),
                WindowStatement::partition_by((E::default(), self.parent)),
                total.clone(),
            );
        }
        let paged = Alias::new("paged");
        let outer = Query::select()
            .column(Asterisk)
            .from_subquery(inner, paged.clone())
            .and_where(Expr::col((paged.clone(), row_number.clone())).lte(page.limit + 1))
            // By parent first: the window already sorted the rows that way, so the database
            // only finishes each parent's run instead of sorting the whole page again.
            .order_by((paged.clone(), self.parent), sea_orm::Order::Asc)
            .order_by((paged, row_number), sea_orm::Order::Asc)
            .to_owned();
        // Each row is decoded as it arrives, while the database is still sending the rest.
        let mut results = self
            .db
            .stream_raw(self.db.get_database_backend().build(&outer))
            .await?;
        // The columns are `E`'s, those read ahead, the row number, then the total.
        let ahead_at = selected_width::<E>(columns);
        let total_at =
            ahead_at + ahead.map_or(0, |(ahead, ahead_columns)| ahead.width(ahead_columns)) + 1;
        let mut rows = Vec::new();
        let mut totals = counted.then(HashMap::new);
        while let Some(result) = results.try_next().await? {
            if let Some((ahead, ahead_columns)) = ahead {
                ahead.keep(&result, ahead_at, ahead_columns)?;
            }
            let row = E::Model::from_some_columns(&result, 0, columns)?;
            if let Some(totals) = &mut totals
                && let Some(parent) = uuid_of(&row, self.parent)
            {
                let count = result.try_get_by_index::<i64>(total_at)?;
                totals.insert(parent, <u64 as TryFrom<i64>>::try_from(count).unwrap_or(0));
            }
            rows.push(row);
        }
        Ok(PageRows { rows, totals })
    }
}

impl<E> Loader<(Uuid, Page)> for ChildPageLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    type Value = Slice<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[(Uuid, Page)],
    ) -> Result<HashMap<(Uuid, Page), Slice<E::Model>>, Arc<DbErr>> {
        let mut by_page: HashMap<&Page, Vec<Uuid>> = HashMap::new();
        for (parent, page) in keys {
            by_page.entry(page).or_default().push(*parent);
        }
        let mut result = HashMap::with_capacity(keys.len());
        for (page, parents) in by_page {
            // Rows come in fetch order per parent (numbered by the window), so each parent's
            // list keeps it.
            let mut children: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
            let fetched = self.load_page(parents.clone(), page).await?;
            for row in fetched.rows {
                if let Some(parent) = uuid_of(&row, self.parent) {
                    children.entry(parent).or_default().push(row);
                }
            }
            for parent in parents {
                let rows = children.remove(&parent).unwrap_or_default();
                let mut slice = page.slice(rows, &self.order);
                // A parent without rows in a counted page has none at all.
                slice.total = fetched
                    .totals
                    .as_ref()
                    .map(|totals| totals.get(&parent).copied().unwrap_or(0));
                result.insert((parent, page.clone()), slice);
            }
        }
        Ok(result)
    }
}

/// Counts the children of many parents in one `GROUP BY` statement.
pub struct ChildCountLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    scope: Condition,
}

impl<E> Loader<Uuid> for ChildCountLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<u64> {
        let counts = E::find()
            .select_only()
            .column(self.parent)
            .expr(Expr::col((E::default(), self.parent)).count())
            .filter(one_of(&self.db, self.parent, keys.iter().copied()))
            .filter(self.scope.clone())
            .group_by(self.parent)
            .into_tuple::<(Uuid, i64)>()
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, u64> = keys.iter().map(|k| (*k, 0)).collect();
        for (parent, count) in counts {
            result.insert(parent, <u64 as TryFrom<i64>>::try_from(count).unwrap_or(0));
        }
        Ok(result)
    }
}

/// Loads, for many parents, the ids a link table pairs them with (a milestone's topics, say),
/// in the order the links were made, in one statement.
pub struct LinkLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    target: E::Column,
    key: E::Column,
}

impl<E> Loader<Uuid> for LinkLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    type Value = Vec<Uuid>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<Vec<Uuid>> {
        let links = E::find()
            .select_only()
            .column(self.parent)
            .column(self.target)
            .filter(one_of(&self.db, self.parent, keys.iter().copied()))
            .order_by_asc(self.key)
            .into_tuple::<(Uuid, Uuid)>()
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, Vec<Uuid>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (parent, target) in links {
            result.entry(parent).or_default().push(target);
        }
        Ok(result)
    }
}

/// A loader of the ids that the link table `E` pairs each parent with: `parent` and `target`
/// are its two references, `key` its primary key. The targets' own loaders apply visibility.
pub fn links<E>(
    db: &DatabaseConnection,
    parent: E::Column,
    target: E::Column,
    key: E::Column,
) -> DataLoader<LinkLoader<E>>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    loader(LinkLoader {
        db: db.clone(),
        parent,
        target,
        key,
    })
}

/// A loader of the number of rows of `E` per parent through `parent`, inside `scope`.
pub fn counts<E>(
    db: &DatabaseConnection,
    parent: E::Column,
    scope: Condition,
) -> DataLoader<ChildCountLoader<E>>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    loader(ChildCountLoader {
        db: db.clone(),
        parent,
        scope,
    })
}

/// A paged relation: the page loader and the count loader of one parent-child link.
pub struct Relation<E: EntityTrait> {
    pages: DataLoader<ChildPageLoader<E>>,
    counts: Arc<DataLoader<ChildCountLoader<E>>>,
    order: Order<E>,
}

impl<E> Relation<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    /// The children of a parent through `parent`, in `order`, inside `scope`; `ahead` reads
    /// the row each child belongs to with them.
    pub fn new(
        db: &DatabaseConnection,
        parent: E::Column,
        order: Order<E>,
        scope: Condition,
        ahead: Option<Arc<dyn ReadAhead<E>>>,
    ) -> Self {
        Self {
            pages: loader(ChildPageLoader {
                db: db.clone(),
                parent,
                order,
                scope: scope.clone(),
                ahead,
            }),
            counts: Arc::new(counts(db, parent, scope)),
            order,
        }
    }

    /// One page of the children of `parent`, and their total count (loaded only if selected).
    pub fn page(&self, parent: Uuid, page: Page) -> PageFuture<'_, E::Model> {
        Box::pin(async move {
            page.check(&self.order)?;
            let slice = self
                .pages
                .load_one((parent, page))
                .await?
                .unwrap_or_default();
            if let Some(total) = slice.total {
                return Ok((slice, TotalCount::known(total)));
            }
            let counts = Arc::clone(&self.counts);
            let total = TotalCount::from_fn(move || {
                let counts = Arc::clone(&counts);
                Box::pin(async move { Ok(counts.load_one(parent).await?.unwrap_or(0)) })
            });
            Ok((slice, total))
        })
    }
}

/// A filter of a paged relation, given as arguments of a list field (a status, a topic, a
/// date range).
pub trait RelationFilter: Copy + Eq + std::hash::Hash + Send + Sync + 'static {
    /// The rows the filter keeps when the list is sorted by the order named `order`.
    fn condition(&self, order: &str) -> Condition;
}

/// A list's filter, and its order's name and direction.
type FilteredKey<F> = (F, &'static str, bool);

/// The filtered lists of one kind of parent (say, each cohort's events): one paged relation
/// per filter and order a request uses, so that the lists of many parents with the same
/// arguments load together.
pub struct FilteredRelations<E: EntityTrait, F: RelationFilter> {
    db: DatabaseConnection,
    parent: E::Column,
    scope: Condition,
    relations: Mutex<HashMap<FilteredKey<F>, Arc<Relation<E>>>>,
}

impl<E, F> FilteredRelations<E, F>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
    F: RelationFilter,
{
    /// The lists of the children of `E` through `parent`, inside `scope`.
    pub fn new(db: &DatabaseConnection, parent: E::Column, scope: Condition) -> Self {
        Self {
            db: db.clone(),
            parent,
            scope,
            relations: Mutex::new(HashMap::new()),
        }
    }

    /// The list with `filter` in `order`.
    pub fn filtered(&self, filter: F, order: Order<E>) -> Arc<Relation<E>> {
        let mut relations = self
            .relations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key = (filter, order.name, order.descending);
        Arc::clone(relations.entry(key).or_insert_with(|| {
            let condition = Condition::all()
                .add(self.scope.clone())
                .add(filter.condition(order.name));
            Arc::new(Relation::new(&self.db, self.parent, order, condition, None))
        }))
    }
}

/// How many times a batch task lets the request task run before it collects its keys.
///
/// Sibling resolvers register their keys while the request task is polled, but a list of more
/// than a few dozen items is polled in chunks (`FuturesUnordered` yields after 32 polls), so a
/// batch started by the first chunk must wait for the rest. Every yield hands the
/// single-threaded actix worker back to the request task for one more chunk; 32 yields cover a
/// level of about a thousand siblings. Yields cost microseconds, unlike a timer delay.
const BATCH_YIELDS: usize = 32;

/// The most keys one batch takes: a level of a query can ask for 100 pages of 100 items, and
/// a batch split in two would cost a statement more. SQLite binds this many parameters;
/// PostgreSQL takes the keys as one array.
const MAX_BATCH: usize = 10_000;

/// Wraps a domain's own [`Loader`] the way every loader here is: batches start at once, collect
/// the keys of a whole level of the query, and take up to [`MAX_BATCH`] keys.
pub fn batched<L: Loader<Uuid>>(inner: L) -> DataLoader<L> {
    loader(inner)
}

fn loader<L>(inner: L) -> DataLoader<L> {
    DataLoader::new(inner, |batch| {
        tokio::spawn(async move {
            for _ in 0..BATCH_YIELDS {
                tokio::task::yield_now().await;
            }
            batch.await;
        })
    })
    // The yields gather the keys. A zero delay is then ready on its first poll (async-io's
    // timer); tokio's would wait for the next millisecond tick of its time driver, which is
    // why async-graphql's `tokio-timer` feature stays off.
    .delay(Duration::ZERO)
    .max_batch_size(MAX_BATCH)
}

/// A loader of rows of `E` by primary key `id`, inside `scope`.
pub fn by_id<E>(
    db: &DatabaseConnection,
    id: E::Column,
    scope: Condition,
) -> DataLoader<ByIdLoader<E>>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    loader(ByIdLoader {
        db: db.clone(),
        id,
        scope,
        ahead: Mutex::new(HashMap::new()),
    })
}

/// Loads the row `id` through `loader`; `NOT_FOUND` naming `what` if the viewer cannot see it.
pub async fn require<E>(
    loader: &DataLoader<ByIdLoader<E>>,
    id: Uuid,
    what: &'static str,
) -> Result<E::Model, ApiError>
where
    E: EntityTrait + Sync,
    E::Model: Sync + FromColumns,
    E::Column: Sync,
{
    loader.load_one(id).await?.ok_or(ApiError::NotFound(what))
}

/// Declares a [`LoaderKind`] that finds rows of `entity` by primary key `key` inside the scope
/// that `scope(viewer)` gives.
macro_rules! by_id_loader {
    ($(#[$meta:meta])* $name:ident: $entity:ty, $key:expr, $scope:path) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::graphql::loaders::LoaderKind for $name {
            type Loader = async_graphql::dataloader::DataLoader<
                $crate::graphql::loaders::ByIdLoader<$entity>,
            >;

            fn build(loaders: &$crate::graphql::loaders::Loaders) -> Self::Loader {
                $crate::graphql::loaders::by_id(loaders.db(), $key, $scope(loaders.viewer()))
            }
        }
    };
}

/// Declares a [`LoaderKind`] for a paged relation: the children of `entity` through the
/// parent column `parent`, in `order`, inside the scope that `scope(viewer)` gives. With
/// `ahead: Related => ById`, each page also reads the `Related` row each child belongs to
/// and hands it to the by-id loader `ById`.
macro_rules! relation_loader {
    ($(#[$meta:meta])* $name:ident: $entity:ty, $parent:expr, $order:expr, $scope:path
        $(, ahead: $related:ty => $by_id:ty)?) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::graphql::loaders::LoaderKind for $name {
            type Loader = $crate::graphql::loaders::Relation<$entity>;

            fn build(loaders: &$crate::graphql::loaders::Loaders) -> Self::Loader {
                let ahead = None$(.or(loaders.read_ahead::<$entity, $related, $by_id>()))?;
                $crate::graphql::loaders::Relation::new(
                    loaders.db(),
                    $parent,
                    $order,
                    $scope(loaders.viewer()),
                    ahead,
                )
            }
        }
    };
}

pub(crate) use {by_id_loader, relation_loader};
