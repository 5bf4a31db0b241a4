//! Loaders of events and of what hangs off them: registrations, their counts and the viewer's
//! own, attendance, topics; notifications and calendar feeds.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use entity::event::{self, EventKind};
use entity::registration::{self, RegistrationStatus};
use entity::{attendance, calendar_feed, event_topic, notification};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, FromQueryResult as _,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::auth::{Viewer, scope};
use crate::event::policy::{
    attendance_scope, calendar_feed_scope, event_scope, notification_scope, registration_scope,
};
use crate::graphql::loaders::{
    FilteredRelations, LinkLoader, LoaderKind, Loaders, RelationFilter, batched, by_id_loader,
    links, relation_loader,
};
use crate::graphql::pagination::Order;

by_id_loader!(
    /// Events by id, as far as the viewer may see them.
    EventById: event::Entity, event::Column::Id, event_scope
);

by_id_loader!(
    /// Registrations by id, as far as the viewer may see them.
    RegistrationById: registration::Entity, registration::Column::Id, registration_scope
);

by_id_loader!(
    /// Attendance records by id, as far as the viewer may see them.
    AttendanceById: attendance::Entity, attendance::Column::Id, attendance_scope
);

by_id_loader!(
    /// The viewer's notifications by id.
    NotificationById: notification::Entity, notification::Column::Id, notification_scope
);

by_id_loader!(
    /// The viewer's calendar feeds by id.
    CalendarFeedById: calendar_feed::Entity, calendar_feed::Column::Id, calendar_feed_scope
);

relation_loader!(
    /// Attendance at an event, in the order it was first recorded.
    AttendanceOfEvent: attendance::Entity,
    attendance::Column::EventId,
    Order::by_key(attendance::Column::Id),
    attendance_scope
);

/// Notifications of their user, newest first.
pub fn notifications_order() -> Order<notification::Entity> {
    Order::by_key(notification::Column::Id).direction_of(true)
}

relation_loader!(
    /// A user's notifications, newest first.
    NotificationsOfUser: notification::Entity,
    notification::Column::UserId,
    notifications_order(),
    notification_scope
);

relation_loader!(
    /// A user's calendar feeds, oldest first.
    CalendarFeedsOfUser: calendar_feed::Entity,
    calendar_feed::Column::UserId,
    Order::by_key(calendar_feed::Column::Id),
    calendar_feed_scope
);

/// The ids of each event's topics.
pub struct TopicIdsOfEvent;

impl LoaderKind for TopicIdsOfEvent {
    type Loader = DataLoader<LinkLoader<event_topic::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        links(
            db,
            event_topic::Column::EventId,
            event_topic::Column::TopicId,
            event_topic::Column::Id,
        )
    }
}

/// The name of the order of events by start.
pub const STARTS_AT: &str = "startsAt";

/// Events by start, then by id.
pub fn by_start() -> Order<event::Entity> {
    Order::by(STARTS_AT, event::Column::StartsAt, event::Column::Id)
}

/// Which events a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventFilter {
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events about this topic.
    pub topic: Option<Uuid>,
    /// Only events that start at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only events that start before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl EventFilter {
    /// The filter as a condition on the `event` table.
    pub fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(kind) = self.kind {
            condition = condition.add(event::Column::Kind.eq(kind));
        }
        if let Some(topic) = self.topic {
            condition = condition.add(
                event::Column::Id.in_subquery(
                    Query::select()
                        .column(event_topic::Column::EventId)
                        .from(event_topic::Entity)
                        .and_where(event_topic::Column::TopicId.eq(topic))
                        .to_owned(),
                ),
            );
        }
        if let Some(from) = self.from {
            condition = condition.add(event::Column::StartsAt.gte(from));
        }
        if let Some(to) = self.to {
            condition = condition.add(event::Column::StartsAt.lt(to));
        }
        condition
    }
}

impl RelationFilter for EventFilter {
    fn condition(&self, _order: &str) -> Condition {
        EventFilter::condition(self)
    }
}

/// A cohort's event lists.
pub struct EventsOfCohort;

impl LoaderKind for EventsOfCohort {
    type Loader = FilteredRelations<event::Entity, EventFilter>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        FilteredRelations::new(db, event::Column::CohortId, event_scope(viewer))
    }
}

/// Which registrations a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RegistrationFilter {
    /// Only registrations with this status.
    pub status: Option<RegistrationStatus>,
}

impl RelationFilter for RegistrationFilter {
    fn condition(&self, _order: &str) -> Condition {
        match self.status {
            Some(status) => Condition::all().add(registration::Column::Status.eq(status)),
            None => Condition::all(),
        }
    }
}

/// The registrations of an event, waitlist order (first come, first served).
pub fn registration_order() -> Order<registration::Entity> {
    Order::by(
        "queuedAt",
        registration::Column::QueuedAt,
        registration::Column::Id,
    )
}

/// Each event's registration lists.
pub struct RegistrationsOfEvent;

impl LoaderKind for RegistrationsOfEvent {
    type Loader = FilteredRelations<registration::Entity, RegistrationFilter>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        FilteredRelations::new(
            db,
            registration::Column::EventId,
            registration_scope(viewer),
        )
    }
}

/// How many people are registered for and waiting for an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeatCounts {
    /// Registered.
    pub registered: u64,
    /// On the waitlist.
    pub waitlisted: u64,
}

/// Counts the registrations of many events in one `GROUP BY`. Everyone who sees an event
/// sees its counts, though not who registered.
pub struct SeatCountsLoader {
    db: DatabaseConnection,
    scope: Condition,
}

impl Loader<Uuid> for SeatCountsLoader {
    type Value = SeatCounts;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, SeatCounts>, Arc<DbErr>> {
        let rows = registration::Entity::find()
            .select_only()
            .column(registration::Column::EventId)
            .column(registration::Column::Status)
            .expr(Expr::col(registration::Column::Id).count())
            .filter(registration::Column::EventId.is_in(keys.iter().copied()))
            .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
            .filter(self.scope.clone())
            .group_by(registration::Column::EventId)
            .group_by(registration::Column::Status)
            .into_tuple::<(Uuid, RegistrationStatus, i64)>()
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, SeatCounts> =
            keys.iter().map(|k| (*k, SeatCounts::default())).collect();
        for (event, status, n) in rows {
            let counts = result.entry(event).or_default();
            let n = u64::try_from(n).unwrap_or(0);
            match status {
                RegistrationStatus::Registered => counts.registered += n,
                RegistrationStatus::Waitlisted => counts.waitlisted += n,
                RegistrationStatus::Cancelled => {}
            }
        }
        Ok(result)
    }
}

/// Seat counts of events.
pub struct SeatCountsOfEvent;

impl LoaderKind for SeatCountsOfEvent {
    type Loader = DataLoader<SeatCountsLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        // Registrations of events the viewer sees.
        let events = event_scope(viewer);
        let scope = scope(viewer, |_| {
            Condition::all().add(
                registration::Column::EventId.in_subquery(
                    Query::select()
                        .column(event::Column::Id)
                        .from(event::Entity)
                        .cond_where(events)
                        .to_owned(),
                ),
            )
        });
        batched(SeatCountsLoader {
            db: db.clone(),
            scope,
        })
    }
}

/// The viewer's own registration for each event, if any.
pub struct ViewerRegistrationLoader {
    db: DatabaseConnection,
    user: Option<Uuid>,
}

impl Loader<Uuid> for ViewerRegistrationLoader {
    type Value = registration::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, registration::Model>, Arc<DbErr>> {
        let Some(user) = self.user else {
            return Ok(HashMap::new());
        };
        let rows = registration::Entity::find()
            .filter(registration::Column::UserId.eq(user))
            .filter(registration::Column::EventId.is_in(keys.iter().copied()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (r.event_id, r)).collect())
    }
}

/// The viewer's registrations.
pub struct ViewerRegistration;

impl LoaderKind for ViewerRegistration {
    type Loader = DataLoader<ViewerRegistrationLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        let user = match viewer {
            Viewer::User(actor) => Some(actor.user_id),
            Viewer::Anonymous => None,
        };
        batched(ViewerRegistrationLoader {
            db: db.clone(),
            user,
        })
    }
}

/// Attendance figures of one parent and one kind of event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindDosage {
    /// Events with at least one attendee counted.
    pub events: u64,
    /// Minutes attended, summed over attendees.
    pub minutes: u64,
}

/// Which parent attendance is summed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DosageOf {
    /// The attendance of an organization's members.
    Organization,
    /// The attendance at a cohort's events.
    Cohort,
}

/// Sums attendance (the "dosage" of T/TA a program reports to its funder) per parent and kind
/// of event in one `GROUP BY`, counting only events of cohorts the viewer runs or, for an
/// organization's own members, all of its events the viewer sees.
pub struct DosageLoader {
    db: DatabaseConnection,
    of: DosageOf,
    /// Events whose attendance the viewer may count.
    events: Condition,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct DosageRow {
    parent: Uuid,
    kind: String,
    events: i64,
    minutes: Option<i64>,
}

impl Loader<Uuid> for DosageLoader {
    type Value = HashMap<EventKind, KindDosage>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Arc<DbErr>> {
        use entity::membership;
        use sea_orm::ActiveEnum as _;
        let parent = match self.of {
            DosageOf::Organization => {
                Expr::col((membership::Entity, membership::Column::OrganizationId))
            }
            DosageOf::Cohort => Expr::col((event::Entity, event::Column::CohortId)),
        };
        let mut query = Query::select();
        query
            .expr_as(parent.clone(), sea_orm::sea_query::Alias::new("parent"))
            .expr_as(
                Expr::col((event::Entity, event::Column::Kind)),
                sea_orm::sea_query::Alias::new("kind"),
            )
            .expr_as(
                Expr::col((attendance::Entity, attendance::Column::EventId)).count_distinct(),
                sea_orm::sea_query::Alias::new("events"),
            )
            .expr_as(
                Expr::col((attendance::Entity, attendance::Column::Minutes)).sum(),
                sea_orm::sea_query::Alias::new("minutes"),
            )
            .from(attendance::Entity)
            .inner_join(
                event::Entity,
                Expr::col((event::Entity, event::Column::Id))
                    .equals((attendance::Entity, attendance::Column::EventId)),
            )
            .and_where(Expr::col((attendance::Entity, attendance::Column::Minutes)).gt(0))
            .and_where(parent.clone().is_in(keys.iter().copied()))
            .cond_where(self.events.clone())
            .add_group_by([parent, Expr::col((event::Entity, event::Column::Kind))]);
        if self.of == DosageOf::Organization {
            query.inner_join(
                membership::Entity,
                Expr::col((membership::Entity, membership::Column::UserId))
                    .equals((attendance::Entity, attendance::Column::UserId)),
            );
        }
        let backend = self.db.get_database_backend();
        let rows = DosageRow::find_by_statement(backend.build(&query))
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, Self::Value> =
            keys.iter().map(|k| (*k, HashMap::new())).collect();
        for row in rows {
            let Ok(kind) = EventKind::try_from_value(&row.kind) else {
                continue;
            };
            result.entry(row.parent).or_default().insert(
                kind,
                KindDosage {
                    events: u64::try_from(row.events).unwrap_or(0),
                    minutes: u64::try_from(row.minutes.unwrap_or(0)).unwrap_or(0),
                },
            );
        }
        Ok(result)
    }
}

/// The events whose attendance `viewer` may count: of the cohorts they run, and for the
/// organizations they belong to, every event they see.
fn countable_events(viewer: &Viewer, of: DosageOf) -> Condition {
    use crate::cohort::policy::manages_cohort;
    scope(viewer, |actor| {
        let managed: Vec<Uuid> = actor
            .staff
            .keys()
            .copied()
            .filter(|cohort| manages_cohort(actor, *cohort))
            .collect();
        let mut condition = Condition::any()
            .add(Expr::col((event::Entity, event::Column::CohortId)).is_in(managed));
        if of == DosageOf::Organization {
            condition = condition.add(
                Condition::all()
                    .add(
                        Expr::col((
                            entity::membership::Entity,
                            entity::membership::Column::OrganizationId,
                        ))
                        .is_in(actor.memberships.keys().copied()),
                    )
                    .add(
                        Expr::col((event::Entity, event::Column::CohortId))
                            .is_in(crate::cohort::policy::visible_cohorts(actor)),
                    ),
            );
        }
        condition
    })
}

/// Attendance figures per organization.
pub struct DosageOfOrganization;

impl LoaderKind for DosageOfOrganization {
    type Loader = DataLoader<DosageLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        batched(DosageLoader {
            db: db.clone(),
            of: DosageOf::Organization,
            events: countable_events(viewer, DosageOf::Organization),
        })
    }
}

/// Attendance figures per cohort.
pub struct DosageOfCohort;

impl LoaderKind for DosageOfCohort {
    type Loader = DataLoader<DosageLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        batched(DosageLoader {
            db: db.clone(),
            of: DosageOf::Cohort,
            events: countable_events(viewer, DosageOf::Cohort),
        })
    }
}

by_id_loader!(
    /// Resources by id, as far as the viewer may see them.
    ResourceById: entity::resource::Entity, entity::resource::Column::Id, crate::event::policy::resource_scope
);

by_id_loader!(
    /// Breakout groups by id, as far as the viewer may see them.
    BreakoutGroupById: entity::breakout_group::Entity,
    entity::breakout_group::Column::Id,
    crate::event::policy::breakout_group_scope
);

by_id_loader!(
    /// Action items by id, as far as the viewer may see them.
    ActionItemById: entity::action_item::Entity,
    entity::action_item::Column::Id,
    crate::event::policy::action_item_scope
);

relation_loader!(
    /// An event's resources, oldest first.
    ResourcesOfEvent: entity::resource::Entity,
    entity::resource::Column::EventId,
    Order::by_key(entity::resource::Column::Id),
    crate::event::policy::resource_scope
);

relation_loader!(
    /// A coaching call's breakout groups, in the order they were formed.
    GroupsOfEvent: entity::breakout_group::Entity,
    entity::breakout_group::Column::EventId,
    Order::by_key(entity::breakout_group::Column::Id),
    crate::event::policy::breakout_group_scope
);

relation_loader!(
    /// An event's action items, oldest first.
    ActionItemsOfEvent: entity::action_item::Entity,
    entity::action_item::Column::EventId,
    Order::by_key(entity::action_item::Column::Id),
    crate::event::policy::action_item_scope
);

/// The ids of each breakout group's organizations.
pub struct OrganizationIdsOfGroup;

impl LoaderKind for OrganizationIdsOfGroup {
    type Loader = DataLoader<LinkLoader<entity::breakout_group_member::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        links(
            db,
            entity::breakout_group_member::Column::GroupId,
            entity::breakout_group_member::Column::OrganizationId,
            entity::breakout_group_member::Column::Id,
        )
    }
}

/// The ids of each resource's topics.
pub struct TopicIdsOfResource;

impl LoaderKind for TopicIdsOfResource {
    type Loader = DataLoader<LinkLoader<entity::resource_topic::Entity>>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let db = loaders.db();
        links(
            db,
            entity::resource_topic::Column::ResourceId,
            entity::resource_topic::Column::TopicId,
            entity::resource_topic::Column::Id,
        )
    }
}

/// Which resources a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ResourceFilter {
    /// Only resources of this kind.
    pub kind: Option<entity::resource::ResourceKind>,
    /// Only resources tagged with this topic.
    pub topic: Option<Uuid>,
}

impl RelationFilter for ResourceFilter {
    fn condition(&self, _order: &str) -> Condition {
        use entity::{resource, resource_topic};
        let mut condition = Condition::all();
        if let Some(kind) = self.kind {
            condition = condition.add(resource::Column::Kind.eq(kind));
        }
        if let Some(topic) = self.topic {
            condition = condition.add(
                resource::Column::Id.in_subquery(
                    Query::select()
                        .column(resource_topic::Column::ResourceId)
                        .from(resource_topic::Entity)
                        .and_where(resource_topic::Column::TopicId.eq(topic))
                        .to_owned(),
                ),
            );
        }
        condition
    }
}

/// A cohort's toolkit lists.
pub struct ResourcesOfCohort;

impl LoaderKind for ResourcesOfCohort {
    type Loader = FilteredRelations<entity::resource::Entity, ResourceFilter>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        FilteredRelations::new(
            db,
            entity::resource::Column::CohortId,
            crate::event::policy::resource_scope(viewer),
        )
    }
}

/// Which action items a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ActionItemFilter {
    /// Only those done (`true`) or open (`false`).
    pub done: Option<bool>,
}

impl RelationFilter for ActionItemFilter {
    fn condition(&self, _order: &str) -> Condition {
        use entity::action_item;
        match self.done {
            Some(true) => Condition::all().add(action_item::Column::DoneAt.is_not_null()),
            Some(false) => Condition::all().add(action_item::Column::DoneAt.is_null()),
            None => Condition::all(),
        }
    }
}

/// An organization's action items across calls.
pub struct ActionItemsOfOrganization;

impl LoaderKind for ActionItemsOfOrganization {
    type Loader = FilteredRelations<entity::action_item::Entity, ActionItemFilter>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        FilteredRelations::new(
            db,
            entity::action_item::Column::OrganizationId,
            crate::event::policy::action_item_scope(viewer),
        )
    }
}

/// Who leads each event.
pub struct PeopleLoader {
    db: DatabaseConnection,
    scope: Condition,
}

impl Loader<Uuid> for PeopleLoader {
    type Value = Vec<entity::event_person::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Arc<DbErr>> {
        use entity::event_person;
        use sea_orm::QueryOrder as _;
        let rows = event_person::Entity::find()
            .filter(event_person::Column::EventId.is_in(keys.iter().copied()))
            .filter(self.scope.clone())
            .order_by_asc(event_person::Column::Id)
            .all(&self.db)
            .await?;
        let mut result: HashMap<Uuid, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            result.entry(row.event_id).or_default().push(row);
        }
        Ok(result)
    }
}

/// Who leads each event.
pub struct PeopleOfEvent;

impl LoaderKind for PeopleOfEvent {
    type Loader = DataLoader<PeopleLoader>;

    fn build(loaders: &Loaders) -> Self::Loader {
        let (db, viewer) = (loaders.db(), loaders.viewer());
        batched(PeopleLoader {
            db: db.clone(),
            scope: crate::event::policy::of_visible_events(
                viewer,
                entity::event_person::Column::EventId,
            ),
        })
    }
}
