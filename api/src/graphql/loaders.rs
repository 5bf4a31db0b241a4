//! Per-request DataLoaders: every relation and count is batched, so the number of SQL
//! statements of a request does not grow with page size.
//!
//! Each loader applies the viewer's visibility scope in SQL. Visibility is closed under the
//! relations the schema exposes (whoever sees a membership sees its organization and user), so
//! the scope is defence in depth for traversals and the access check for lookups by ID.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::enrollment::EnrollmentStatus;
use entity::{
    access_token, cohort, cohort_staff, enrollment, identity, invitation, membership, organization,
    topic, user,
};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Query, ValueType, WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, ModelTrait, QueryFilter,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::account::policy as account;
use crate::auth::Viewer;
use crate::graphql::pagination::{Page, Slice, TotalCount};
use crate::{cohort as cohort_domain, organization as organization_domain, user as user_domain};

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<DbErr>>;

fn uuid_of<M: ModelTrait>(model: &M, column: <M::Entity as EntityTrait>::Column) -> Option<Uuid> {
    <Uuid as ValueType>::try_from(model.get(column)).ok()
}

/// Loads rows of `E` by primary key.
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
    id: E::Column,
    scope: Condition,
}

impl<E> ChildPageLoader<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    async fn load_page(&self, parents: Vec<Uuid>, page: Page) -> Result<Vec<E::Model>, DbErr> {
        let row_number = Alias::new("row_number");
        let window = WindowStatement::partition_by((E::default(), self.parent))
            .order_by((E::default(), self.id), page.order())
            .to_owned();
        let mut inner = page
            .bound(E::find(), self.id)
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
            .and_where(Expr::col((paged, row_number)).lte(page.limit + 1))
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
        let mut by_page: HashMap<Page, Vec<Uuid>> = HashMap::new();
        for (parent, page) in keys {
            by_page.entry(*page).or_default().push(*parent);
        }
        let mut result = HashMap::with_capacity(keys.len());
        for (page, parents) in by_page {
            let mut children: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
            for row in self.load_page(parents.clone(), page).await? {
                if let Some(parent) = uuid_of(&row, self.parent) {
                    children.entry(parent).or_default().push(row);
                }
            }
            for parent in parents {
                let mut rows = children.remove(&parent).unwrap_or_default();
                rows.sort_by_key(|row| uuid_of(row, self.id));
                if page.backward {
                    rows.reverse();
                }
                result.insert((parent, page), page.slice(rows));
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

/// A paged relation: the page loader and the count loader of one parent-child link.
pub struct Relation<E: EntityTrait> {
    pages: DataLoader<ChildPageLoader<E>>,
    counts: Arc<DataLoader<ChildCountLoader<E>>>,
}

impl<E> Relation<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    fn new(db: &DatabaseConnection, parent: E::Column, id: E::Column, scope: Condition) -> Self {
        Self {
            pages: loader(ChildPageLoader {
                db: db.clone(),
                parent,
                id,
                scope: scope.clone(),
            }),
            counts: Arc::new(loader(ChildCountLoader {
                db: db.clone(),
                parent,
                scope,
            })),
        }
    }

    /// One page of the children of `parent`, and their total count (loaded only if selected).
    pub async fn page(
        &self,
        parent: Uuid,
        page: Page,
    ) -> Result<(Slice<E::Model>, TotalCount), crate::error::ApiError> {
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

/// How many times a batch task lets the request task run before it collects its keys.
///
/// Sibling resolvers register their keys while the request task is polled, but a list of more
/// than a few dozen items is polled in chunks (`FuturesUnordered` yields after 32 polls), so a
/// batch started by the first chunk must wait for the rest. Every yield hands the
/// single-threaded actix worker back to the request task for one more chunk; 32 yields cover a
/// level of about a thousand siblings. Yields cost microseconds, unlike a timer delay.
const BATCH_YIELDS: usize = 32;

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
}

fn by_id<E>(db: &DatabaseConnection, id: E::Column, scope: Condition) -> DataLoader<ByIdLoader<E>>
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

/// Enrollments of a parent, all of them or those of one status.
pub struct EnrollmentRelation {
    any: Relation<enrollment::Entity>,
    active: Relation<enrollment::Entity>,
    withdrawn: Relation<enrollment::Entity>,
}

impl EnrollmentRelation {
    fn new(db: &DatabaseConnection, parent: enrollment::Column, scope: &Condition) -> Self {
        let of_status = |status: EnrollmentStatus| {
            Relation::new(
                db,
                parent,
                enrollment::Column::Id,
                Condition::all()
                    .add(scope.clone())
                    .add(enrollment::Column::Status.eq(status)),
            )
        };
        Self {
            any: Relation::new(db, parent, enrollment::Column::Id, scope.clone()),
            active: of_status(EnrollmentStatus::Active),
            withdrawn: of_status(EnrollmentStatus::Withdrawn),
        }
    }

    /// The relation for enrollments with `status`, or all of them.
    pub fn with_status(&self, status: Option<EnrollmentStatus>) -> &Relation<enrollment::Entity> {
        match status {
            None => &self.any,
            Some(EnrollmentStatus::Active) => &self.active,
            Some(EnrollmentStatus::Withdrawn) => &self.withdrawn,
        }
    }
}

/// Every loader of one request, scoped to its viewer.
pub struct Loaders {
    /// Users by id.
    pub user: DataLoader<ByIdLoader<user::Entity>>,
    /// Organizations by id.
    pub organization: DataLoader<ByIdLoader<organization::Entity>>,
    /// Memberships by id.
    pub membership: DataLoader<ByIdLoader<membership::Entity>>,
    /// Cohorts by id.
    pub cohort: DataLoader<ByIdLoader<cohort::Entity>>,
    /// Enrollments by id.
    pub enrollment: DataLoader<ByIdLoader<enrollment::Entity>>,
    /// Cohort staff by id.
    pub cohort_staff: DataLoader<ByIdLoader<cohort_staff::Entity>>,
    /// Topics by id.
    pub topic: DataLoader<ByIdLoader<topic::Entity>>,
    /// Invitations by id.
    pub invitation: DataLoader<ByIdLoader<invitation::Entity>>,
    /// The viewer's identities by id.
    pub identity: DataLoader<ByIdLoader<identity::Entity>>,
    /// The viewer's sessions by id.
    pub session: DataLoader<ByIdLoader<access_token::Entity>>,
    /// The viewer's personal access tokens by id.
    pub access_token: DataLoader<ByIdLoader<access_token::Entity>>,
    /// An organization's members.
    pub members_of_organization: Relation<membership::Entity>,
    /// A user's memberships.
    pub memberships_of_user: Relation<membership::Entity>,
    /// A cohort's enrollments.
    pub enrollments_of_cohort: EnrollmentRelation,
    /// An organization's enrollments.
    pub enrollments_of_organization: EnrollmentRelation,
    /// A cohort's staff.
    pub staff_of_cohort: Relation<cohort_staff::Entity>,
}

impl Loaders {
    /// The loaders for one request by `viewer`.
    pub fn new(db: &DatabaseConnection, viewer: &Viewer) -> Self {
        let org_scope = organization_domain::policy::organization_scope(viewer);
        let membership_scope = organization_domain::policy::membership_scope(viewer);
        let cohort_scope = cohort_domain::policy::cohort_scope(viewer);
        let enrollment_scope = cohort_domain::policy::enrollment_scope(viewer);
        let staff_scope = cohort_domain::policy::staff_scope(viewer);
        Self {
            user: by_id(
                db,
                user::Column::Id,
                user_domain::policy::user_scope(viewer),
            ),
            organization: by_id(db, organization::Column::Id, org_scope),
            membership: by_id(db, membership::Column::Id, membership_scope.clone()),
            cohort: by_id(db, cohort::Column::Id, cohort_scope),
            enrollment: by_id(db, enrollment::Column::Id, enrollment_scope.clone()),
            cohort_staff: by_id(db, cohort_staff::Column::Id, staff_scope.clone()),
            topic: by_id(
                db,
                topic::Column::Id,
                crate::topic::policy::topic_scope(viewer),
            ),
            invitation: by_id(
                db,
                invitation::Column::Id,
                crate::invitation::policy::invitation_scope(viewer),
            ),
            identity: by_id(db, identity::Column::Id, account::identity_scope(viewer)),
            session: by_id(db, access_token::Column::Id, account::session_scope(viewer)),
            access_token: by_id(
                db,
                access_token::Column::Id,
                account::personal_token_scope(viewer),
            ),
            members_of_organization: Relation::new(
                db,
                membership::Column::OrganizationId,
                membership::Column::Id,
                membership_scope.clone(),
            ),
            memberships_of_user: Relation::new(
                db,
                membership::Column::UserId,
                membership::Column::Id,
                membership_scope,
            ),
            enrollments_of_cohort: EnrollmentRelation::new(
                db,
                enrollment::Column::CohortId,
                &enrollment_scope,
            ),
            enrollments_of_organization: EnrollmentRelation::new(
                db,
                enrollment::Column::OrganizationId,
                &enrollment_scope,
            ),
            staff_of_cohort: Relation::new(
                db,
                cohort_staff::Column::CohortId,
                cohort_staff::Column::Id,
                staff_scope,
            ),
        }
    }
}

/// Loads the row `id` through `loader`; `NOT_FOUND` naming `what` if the viewer cannot see it.
pub async fn require<E>(
    loader: &DataLoader<ByIdLoader<E>>,
    id: Uuid,
    what: &'static str,
) -> Result<E::Model, crate::error::ApiError>
where
    E: EntityTrait + Sync,
    E::Model: Sync,
    E::Column: Sync,
{
    loader
        .load_one(id)
        .await?
        .ok_or(crate::error::ApiError::NotFound(what))
}
