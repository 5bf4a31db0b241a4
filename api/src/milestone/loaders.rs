//! Loaders of milestones and what hangs off them: feeds, topics, credits, kudos, progress,
//! comments, history and progress figures.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::milestone::{self, MilestoneStatus};
use entity::{
    milestone_change, milestone_comment, milestone_credit, milestone_kudos, milestone_progress,
    milestone_topic, organization, user,
};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::graphql::loaders::{
    ChildCountLoader, FilteredRelations, LinkLoader, LoaderKind, Loaders, RelationFilter,
    by_id_loader, counts, links, relation_loader,
};
use crate::graphql::pagination::Order;
use crate::milestone::policy::{child_scope, milestone_scope, showcase_scope, showcased};

by_id_loader!(
    /// Milestones by id, as far as the viewer may see them.
    MilestoneById: milestone::Entity, milestone::Column::Id, milestone_scope
);

by_id_loader!(
    /// Showcased milestones by id: the same for every viewer.
    ShowcasedMilestoneById: milestone::Entity, milestone::Column::Id, showcase_scope
);

/// Progress entries the viewer may see.
pub fn progress_scope(viewer: &Viewer) -> Condition {
    child_scope(viewer, milestone_progress::Column::MilestoneId)
}

/// Comments the viewer may see.
pub fn comment_scope(viewer: &Viewer) -> Condition {
    child_scope(viewer, milestone_comment::Column::MilestoneId)
}

/// History entries the viewer may see.
pub fn change_scope(viewer: &Viewer) -> Condition {
    child_scope(viewer, milestone_change::Column::MilestoneId)
}

/// Kudos the viewer may see (counted, never listed one by one).
pub fn kudos_scope(viewer: &Viewer) -> Condition {
    child_scope(viewer, milestone_kudos::Column::MilestoneId)
}

by_id_loader!(
    /// Progress entries by id, as far as the viewer may see them.
    ProgressById: milestone_progress::Entity, milestone_progress::Column::Id, progress_scope
);

by_id_loader!(
    /// Comments by id, as far as the viewer may see them.
    CommentById: milestone_comment::Entity, milestone_comment::Column::Id, comment_scope
);

by_id_loader!(
    /// History entries by id, as far as the viewer may see them.
    ChangeById: milestone_change::Entity, milestone_change::Column::Id, change_scope
);

relation_loader!(
    /// A milestone's progress timeline, earliest date first.
    ProgressOfMilestone: milestone_progress::Entity,
    milestone_progress::Column::MilestoneId,
    Order::by(
        "occurredOn",
        milestone_progress::Column::OccurredOn,
        milestone_progress::Column::Id
    ),
    progress_scope
);

relation_loader!(
    /// A milestone's comments, oldest first.
    CommentsOfMilestone: milestone_comment::Entity,
    milestone_comment::Column::MilestoneId,
    Order::by_key(milestone_comment::Column::Id),
    comment_scope
);

relation_loader!(
    /// A milestone's recorded changes, oldest first.
    ChangesOfMilestone: milestone_change::Entity,
    milestone_change::Column::MilestoneId,
    Order::by_key(milestone_change::Column::Id),
    change_scope
);

/// The number of kudos of each milestone.
pub struct KudosCount;

impl LoaderKind for KudosCount {
    type Loader = DataLoader<ChildCountLoader<milestone_kudos::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        counts(
            db,
            milestone_kudos::Column::MilestoneId,
            kudos_scope(viewer),
        )
    }
}

/// The ids of each milestone's topics, in the order they were given.
pub struct TopicIdsOfMilestone;

impl LoaderKind for TopicIdsOfMilestone {
    type Loader = DataLoader<LinkLoader<milestone_topic::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        links(
            db,
            milestone_topic::Column::MilestoneId,
            milestone_topic::Column::TopicId,
            milestone_topic::Column::Id,
        )
    }
}

/// The ids of the members credited on each milestone, in the order the lead gave them.
pub struct CreditIdsOfMilestone;

impl LoaderKind for CreditIdsOfMilestone {
    type Loader = DataLoader<LinkLoader<milestone_credit::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        links(
            db,
            milestone_credit::Column::MilestoneId,
            milestone_credit::Column::UserId,
            milestone_credit::Column::Id,
        )
    }
}

/// The names of the members credited on each showcased milestone: the only personal detail
/// the showcase shows, and only because the organization's lead chose it.
pub struct CreditedNamesLoader {
    db: DatabaseConnection,
}

#[derive(FromQueryResult)]
struct CreditedName {
    milestone_id: Uuid,
    name: String,
}

impl Loader<Uuid> for CreditedNamesLoader {
    type Value = Vec<String>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>, Arc<DbErr>> {
        let query = Query::select()
            .column((
                milestone_credit::Entity,
                milestone_credit::Column::MilestoneId,
            ))
            .column((user::Entity, user::Column::Name))
            .from(milestone_credit::Entity)
            .inner_join(
                user::Entity,
                Expr::col((user::Entity, user::Column::Id))
                    .equals((milestone_credit::Entity, milestone_credit::Column::UserId)),
            )
            .inner_join(
                milestone::Entity,
                Expr::col((milestone::Entity, milestone::Column::Id)).equals((
                    milestone_credit::Entity,
                    milestone_credit::Column::MilestoneId,
                )),
            )
            .and_where(
                Expr::col((
                    milestone_credit::Entity,
                    milestone_credit::Column::MilestoneId,
                ))
                .is_in(keys.iter().copied()),
            )
            .cond_where(showcased())
            .order_by(
                (milestone_credit::Entity, milestone_credit::Column::Id),
                sea_orm::Order::Asc,
            )
            .to_owned();
        let backend = self.db.get_database_backend();
        let rows = CreditedName::find_by_statement(backend.build(&query))
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, Vec<String>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            result.entry(row.milestone_id).or_default().push(row.name);
        }
        Ok(result)
    }
}

/// Credited names of showcased milestones.
pub struct CreditedNames;

impl LoaderKind for CreditedNames {
    type Loader = DataLoader<CreditedNamesLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        crate::graphql::loaders::batched(CreditedNamesLoader { db: db.clone() })
    }
}

by_id_loader!(
    /// Organizations of showcased milestones, whose public part the showcase shows; no
    /// other organization is reachable through it.
    ShowcasedOrganizationById: organization::Entity,
    organization::Column::Id,
    showcased_organizations
);

/// Organizations with a showcased milestone.
pub fn showcased_organizations(_viewer: &Viewer) -> Condition {
    Condition::all().add(
        organization::Column::Id.in_subquery(
            Query::select()
                .column(milestone::Column::OrganizationId)
                .from(milestone::Entity)
                .cond_where(showcased())
                .to_owned(),
        ),
    )
}

/// Whether the viewer gave kudos to each milestone.
pub struct ViewerKudosLoader {
    db: DatabaseConnection,
    user: Option<Uuid>,
}

impl Loader<Uuid> for ViewerKudosLoader {
    type Value = bool;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, bool>, Arc<DbErr>> {
        let mut result: HashMap<Uuid, bool> = keys.iter().map(|k| (*k, false)).collect();
        let Some(user) = self.user else {
            return Ok(result);
        };
        let given = milestone_kudos::Entity::find()
            .select_only()
            .column(milestone_kudos::Column::MilestoneId)
            .filter(milestone_kudos::Column::UserId.eq(user))
            .filter(milestone_kudos::Column::MilestoneId.is_in(keys.iter().copied()))
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await?;
        for milestone in given {
            result.insert(milestone, true);
        }
        Ok(result)
    }
}

/// Whether the viewer gave kudos to each milestone.
pub struct ViewerKudos;

impl LoaderKind for ViewerKudos {
    type Loader = DataLoader<ViewerKudosLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        let user = match viewer {
            Viewer::User(actor) => Some(actor.user_id),
            Viewer::Anonymous => None,
        };
        crate::graphql::loaders::batched(ViewerKudosLoader {
            db: db.clone(),
            user,
        })
    }
}

/// The name of the order by achievement date (see `MilestoneOrder`).
pub const ACHIEVED_ON: &str = "achievedOn";

/// Which milestones a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FeedFilter {
    /// Only milestones with this status.
    pub status: Option<MilestoneStatus>,
    /// Only milestones about this topic.
    pub topic: Option<Uuid>,
    /// Only milestones of this organization.
    pub organization: Option<Uuid>,
}

impl RelationFilter for FeedFilter {
    fn condition(&self, order: &str) -> Condition {
        let mut condition = Condition::all();
        if let Some(status) = self.status {
            condition = condition.add(milestone::Column::Status.eq(status));
        }
        if let Some(topic) = self.topic {
            condition = condition.add(
                milestone::Column::Id.in_subquery(
                    Query::select()
                        .column(milestone_topic::Column::MilestoneId)
                        .from(milestone_topic::Entity)
                        .and_where(milestone_topic::Column::TopicId.eq(topic))
                        .to_owned(),
                ),
            );
        }
        if let Some(organization) = self.organization {
            condition = condition.add(milestone::Column::OrganizationId.eq(organization));
        }
        // Only achieved milestones have a date to sort by.
        if order == ACHIEVED_ON {
            condition = condition.add(milestone::Column::AchievedOn.is_not_null());
        }
        condition
    }
}

/// The milestone feeds of one kind of parent.
pub type MilestoneFeeds = FilteredRelations<milestone::Entity, FeedFilter>;

/// A cohort's milestone feeds.
pub struct MilestonesOfCohort;

impl LoaderKind for MilestonesOfCohort {
    type Loader = MilestoneFeeds;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        MilestoneFeeds::new(db, milestone::Column::CohortId, milestone_scope(viewer))
    }
}

/// An organization's milestone feeds.
pub struct MilestonesOfOrganization;

impl LoaderKind for MilestonesOfOrganization {
    type Loader = MilestoneFeeds;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        MilestoneFeeds::new(
            db,
            milestone::Column::OrganizationId,
            milestone_scope(viewer),
        )
    }
}

/// Milestone figures of one parent: how many there are of each status, and how many are
/// overdue (target date passed, not achieved).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MilestoneCounts {
    /// Planned.
    pub planned: u64,
    /// In progress.
    pub in_progress: u64,
    /// Achieved.
    pub achieved: u64,
    /// Deferred.
    pub deferred: u64,
    /// Past their target date and not achieved.
    pub overdue: u64,
}

/// Counts the milestones of many parents in one `GROUP BY` statement, inside the viewer's
/// scope, so every figure agrees with what the viewer can list.
pub struct MilestoneCountsLoader {
    db: DatabaseConnection,
    parent: milestone::Column,
    scope: Condition,
}

impl Loader<Uuid> for MilestoneCountsLoader {
    type Value = MilestoneCounts;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, MilestoneCounts>, Arc<DbErr>> {
        let today = chrono::Utc::now().date_naive();
        let overdue = Expr::case(
            Condition::all()
                .add(milestone::Column::TargetOn.lt(today))
                .add(milestone::Column::Status.ne(MilestoneStatus::Achieved)),
            1,
        )
        .finally(0);
        let rows = milestone::Entity::find()
            .select_only()
            .column(self.parent)
            .column(milestone::Column::Status)
            .expr(Expr::col(milestone::Column::Id).count())
            .expr(Expr::expr(overdue).sum())
            .filter(self.parent.is_in(keys.iter().copied()))
            .filter(self.scope.clone())
            .group_by(self.parent)
            .group_by(milestone::Column::Status)
            .into_tuple::<(Uuid, MilestoneStatus, i64, Option<i64>)>()
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, MilestoneCounts> = keys
            .iter()
            .map(|k| (*k, MilestoneCounts::default()))
            .collect();
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        for (parent, status, n, overdue) in rows {
            let counts = result.entry(parent).or_default();
            match status {
                MilestoneStatus::Planned => counts.planned += count(n),
                MilestoneStatus::InProgress => counts.in_progress += count(n),
                MilestoneStatus::Achieved => counts.achieved += count(n),
                MilestoneStatus::Deferred => counts.deferred += count(n),
            }
            counts.overdue += count(overdue.unwrap_or(0));
        }
        Ok(result)
    }
}

/// Milestone figures per cohort.
pub struct MilestoneCountsOfCohort;

impl LoaderKind for MilestoneCountsOfCohort {
    type Loader = DataLoader<MilestoneCountsLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        crate::graphql::loaders::batched(MilestoneCountsLoader {
            db: db.clone(),
            parent: milestone::Column::CohortId,
            scope: milestone_scope(viewer),
        })
    }
}

/// Milestone figures per organization.
pub struct MilestoneCountsOfOrganization;

impl LoaderKind for MilestoneCountsOfOrganization {
    type Loader = DataLoader<MilestoneCountsLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        crate::graphql::loaders::batched(MilestoneCountsLoader {
            db: db.clone(),
            parent: milestone::Column::OrganizationId,
            scope: milestone_scope(viewer),
        })
    }
}
