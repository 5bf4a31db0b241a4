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

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Query, ValueType, WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::graphql::pagination::{Order, Page, Slice, TotalCount};

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<DbErr>>;

/// A loader that a domain declares once and that each request builds on first use, scoped to
/// the request's viewer.
pub trait LoaderKind: 'static {
    /// The loader this kind builds.
    type Loader: Send + Sync + 'static;

    /// Builds the loader for one request by `viewer`.
    fn build(db: &DatabaseConnection, viewer: &Viewer) -> Self::Loader;
}

/// The loaders of one request, built on first use.
pub struct Loaders {
    db: DatabaseConnection,
    viewer: Viewer,
    built: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Loaders {
    /// No loader is built until a resolver asks for it.
    pub fn new(db: DatabaseConnection, viewer: Viewer) -> Self {
        Self {
            db,
            viewer,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The request's loader of kind `K`, built now if this is its first use.
    pub fn get<K: LoaderKind>(&self) -> Arc<K::Loader> {
        // The lock is never held across an await, and a panic while holding it leaves the map
        // consistent (an insert either happened or not), so poisoning is ignored.
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(loader) = built
            .get(&TypeId::of::<K>())
            .and_then(|any| Arc::clone(any).downcast::<K::Loader>().ok())
        {
            return loader;
        }
        let loader = Arc::new(K::build(&self.db, &self.viewer));
        built.insert(
            TypeId::of::<K>(),
            Arc::clone(&loader) as Arc<dyn Any + Send + Sync>,
        );
        loader
    }
}

fn uuid_of<M: ModelTrait>(model: &M, column: <M::Entity as EntityTrait>::Column) -> Option<Uuid> {
    <Uuid as ValueType>::try_from(model.get(column)).ok()
}

/// Loads rows of `E` by primary key, inside a visibility scope.
pub struct ByIdLoader<E: EntityTrait> {
    db: DatabaseConnection,
    id: E::Column,
    scope: Condition,
}

impl<E> Loader<Uuid> for ByIdLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<E::Model> {
        let rows = E::find()
            .filter(self.id.is_in(keys.iter().copied()))
            .filter(self.scope.clone())
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((uuid_of(&row, self.id)?, row)))
            .collect())
    }
}

/// Loads one page of the children of many parents in one statement per distinct page request,
/// numbering each parent's children with `ROW_NUMBER() OVER (PARTITION BY parent ...)`.
pub struct ChildPageLoader<E: EntityTrait> {
    db: DatabaseConnection,
    parent: E::Column,
    order: Order<E>,
    scope: Condition,
}

impl<E> ChildPageLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    async fn load_page(&self, parents: Vec<Uuid>, page: &Page) -> Result<Vec<E::Model>, DbErr> {
        let row_number = Alias::new("row_number");
        let direction = self.order.direction(page);
        let mut window = WindowStatement::partition_by((E::default(), self.parent));
        if let Some(column) = self.order.column {
            window.order_by((E::default(), column), direction.clone());
        }
        window.order_by((E::default(), self.order.key), direction);
        let mut inner = page
            .bound(E::find(), &self.order)
            .filter(self.parent.is_in(parents))
            .filter(self.scope.clone())
            .into_query();
        inner.expr_window_as(
            Func::cust(Alias::new("ROW_NUMBER")),
            window,
            row_number.clone(),
        );
        let paged = Alias::new("paged");
        let outer = Query::select()
            .column(Asterisk)
            .from_subquery(inner, paged.clone())
            .and_where(Expr::col((paged.clone(), row_number.clone())).lte(page.limit + 1))
            .order_by((paged, row_number), sea_orm::Order::Asc)
            .to_owned();
        let statement = self.db.get_database_backend().build(&outer);
        E::find().from_raw_sql(statement).all(&self.db).await
    }
}

impl<E> Loader<(Uuid, Page)> for ChildPageLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
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
            for row in self.load_page(parents.clone(), page).await? {
                if let Some(parent) = uuid_of(&row, self.parent) {
                    children.entry(parent).or_default().push(row);
                }
            }
            for parent in parents {
                let rows = children.remove(&parent).unwrap_or_default();
                result.insert((parent, page.clone()), page.slice(rows, &self.order));
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
            .filter(self.parent.is_in(keys.iter().copied()))
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
            .filter(self.parent.is_in(keys.iter().copied()))
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
    E::Model: Sync,
    E::Column: Sync,
{
    /// The children of a parent through `parent`, in `order`, inside `scope`.
    pub fn new(
        db: &DatabaseConnection,
        parent: E::Column,
        order: Order<E>,
        scope: Condition,
    ) -> Self {
        Self {
            pages: loader(ChildPageLoader {
                db: db.clone(),
                parent,
                order,
                scope: scope.clone(),
            }),
            counts: Arc::new(counts(db, parent, scope)),
            order,
        }
    }

    /// One page of the children of `parent`, and their total count (loaded only if selected).
    pub async fn page(
        &self,
        parent: Uuid,
        page: Page,
    ) -> Result<(Slice<E::Model>, TotalCount), ApiError> {
        page.check(&self.order)?;
        let slice = self
            .pages
            .load_one((parent, page))
            .await?
            .unwrap_or_default();
        let counts = Arc::clone(&self.counts);
        let total = TotalCount::from_fn(move || {
            let counts = Arc::clone(&counts);
            Box::pin(async move { Ok(counts.load_one(parent).await?.unwrap_or(0)) })
        });
        Ok((slice, total))
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
    E::Model: Sync,
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
            Arc::new(Relation::new(&self.db, self.parent, order, condition))
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
/// a batch split in two would cost a statement more. Both databases bind this many parameters.
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
    E::Model: Sync,
    E::Column: Sync,
{
    loader(ByIdLoader {
        db: db.clone(),
        id,
        scope,
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
    E::Model: Sync,
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

            fn build(
                db: &sea_orm::DatabaseConnection,
                viewer: &$crate::auth::Viewer,
            ) -> Self::Loader {
                $crate::graphql::loaders::by_id(db, $key, $scope(viewer))
            }
        }
    };
}

/// Declares a [`LoaderKind`] for a paged relation: the children of `entity` through the
/// parent column `parent`, in `order`, inside the scope that `scope(viewer)` gives.
macro_rules! relation_loader {
    ($(#[$meta:meta])* $name:ident: $entity:ty, $parent:expr, $order:expr, $scope:path) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::graphql::loaders::LoaderKind for $name {
            type Loader = $crate::graphql::loaders::Relation<$entity>;

            fn build(
                db: &sea_orm::DatabaseConnection,
                viewer: &$crate::auth::Viewer,
            ) -> Self::Loader {
                $crate::graphql::loaders::Relation::new(db, $parent, $order, $scope(viewer))
            }
        }
    };
}

pub(crate) use {by_id_loader, relation_loader};
