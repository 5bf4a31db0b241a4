//! GraphQL types of events, registrations, attendance, notifications and calendar feeds.

use async_graphql::{Context, ID, Object, Result};
use entity::attendance::{self, AttendanceSource as DbAttendanceSource};
use entity::calendar_feed;
use entity::event::{self, EventKind as DbEventKind, EventStatus as DbEventStatus};
use entity::event_person::EventRole as DbEventRole;
use entity::notification::{self, NotificationKind as DbNotificationKind};
use entity::registration::{self, RegistrationStatus as DbRegistrationStatus};
use entity::resource::{self, ResourceKind as DbResourceKind};
use entity::{action_item, breakout_group};
use futures_util::future::try_join_all;

use crate::cohort::policy::manages_cohort;
use crate::cohort::types::Cohort;
use crate::event::loaders::{
    ActionItemById, ActionItemsOfEvent, BreakoutGroupById, GroupsOfEvent, OrganizationIdsOfGroup,
    PeopleOfEvent, ResourceById, ResourcesOfEvent, TopicIdsOfResource,
};
use crate::event::loaders::{
    AttendanceById, AttendanceOfEvent, CalendarFeedById, EventById, NotificationById,
    RegistrationById, RegistrationFilter, RegistrationsOfEvent, SeatCountsOfEvent, TopicIdsOfEvent,
    ViewerRegistration, registration_order,
};
use crate::event::service;
use crate::graphql::in_place::InPlace;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::{Page, connection};
use crate::graphql::scalars::Date;
use crate::graphql::scalars::DateTime;
use crate::graphql::{ContextExt as _, mirror_enum};
use crate::organization::types::Organization;
use crate::topic::types::Topic;
use crate::user::types::User;

mirror_enum! {
    /// What kind of event it is.
    EventKind mirrors DbEventKind {
        /// A session for the whole cohort.
        Webinar,
        /// A call where grantees talk in small breakout groups.
        CoachingCall,
        /// Open time with an expert.
        OfficeHours,
        /// Peers visit a host organization and shadow its team.
        SiteVisit,
    }
}

mirror_enum! {
    /// Whether an event takes place.
    EventStatus mirrors DbEventStatus {
        /// It will take place (or is taking place).
        Scheduled,
        /// It will not take place.
        Cancelled,
        /// It took place.
        Completed,
    }
}

mirror_enum! {
    /// Where a registration stands.
    RegistrationStatus mirrors DbRegistrationStatus {
        /// Has a seat.
        Registered,
        /// Waits for a seat; the first on the waitlist gets the next one given up.
        Waitlisted,
        /// Gave up their place.
        Cancelled,
    }
}

mirror_enum! {
    /// Where an attendance record came from.
    AttendanceSource mirrors DbAttendanceSource {
        /// Recorded or corrected by staff.
        Manual,
        /// The attendee checked in.
        SelfCheckIn,
        /// Imported from a participant report.
        Import,
    }
}

mirror_enum! {
    /// What a notification is about.
    NotificationKind mirrors DbNotificationKind {
        /// An event the person was on the list of was cancelled.
        EventCancelled,
        /// An event the person was on the list of moved.
        EventMoved,
        /// A seat opened up and the person moved from the waitlist to registered.
        SeatOffered,
    }
}

node_object!(
    /// A webinar, coaching call, office hours or site visit of a cohort.
    Event: event, EventById
);

/// A webinar, coaching call, office hours or site visit of a cohort.
#[Object]
impl Event {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// What kind of event it is.
    async fn kind(&self) -> EventKind {
        self.0.kind.into()
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What it is about.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// When it starts.
    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    /// When it ends.
    async fn ends_at(&self) -> DateTime {
        service::ends_at(&self.0).into()
    }

    /// The IANA time zone it is planned in; occurrences of a series keep its local time.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }

    /// How long it lasts, in minutes.
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }

    /// Where to join online. Shown to the people who may attend: everyone who sees the event.
    async fn join_url(&self) -> Option<&str> {
        self.0.join_url.as_deref()
    }

    /// Where it takes place.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The most people registered at once; `null` for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// When registration closes; otherwise at the start.
    async fn registration_deadline(&self) -> Option<DateTime> {
        self.0.registration_deadline.map(Into::into)
    }

    /// Whether it takes place.
    async fn status(&self) -> EventStatus {
        self.0.status.into()
    }

    /// The organization hosting a site visit.
    async fn host_organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.host_organization_id {
            Some(id) => Ok(ctx.loaders()?.node::<Organization>(id).await?),
            None => Ok(None),
        }
    }

    /// The topics it is about.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        Ok(ctx
            .loaders()?
            .linked::<TopicIdsOfEvent, _, Topic>(self.0.id)
            .await?)
    }

    /// Whether it is an occurrence of a series.
    async fn is_recurring(&self) -> bool {
        self.0.series_id.is_some()
    }

    /// How many people are registered.
    async fn registered_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(ctx
            .loader::<SeatCountsOfEvent>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .registered)
    }

    /// How many people wait for a seat.
    async fn waitlist_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(ctx
            .loader::<SeatCountsOfEvent>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .waitlisted)
    }

    /// The viewer's own registration, if they have one.
    async fn viewer_registration(&self, ctx: &Context<'_>) -> Result<Option<Registration>> {
        Ok(ctx
            .loader::<ViewerRegistration>()?
            .load_one(self.0.id)
            .await?
            .map(Into::into))
    }

    /// Whether the viewer may change and cancel it, see its list and record attendance.
    async fn viewer_can_manage(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(manages_cohort(ctx.actor()?, self.0.cohort_id))
    }

    /// The list of people, in waitlist order: everyone's for the cohort's leads and coaches,
    /// the viewer's own for others.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only registrations with this status.")] status: Option<
            RegistrationStatus,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<RegistrationConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let filter = RegistrationFilter {
            status: status.map(Into::into),
        };
        let (slice, total) = ctx
            .loader::<RegistrationsOfEvent>()?
            .filtered(filter, registration_order())
            .page(self.0.id, page)
            .await?;
        Ok(RegistrationConnection::new(slice, total))
    }

    /// Who attended and for how long: everyone for the cohort's leads and coaches, the
    /// viewer's own record for others.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<AttendanceConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<AttendanceOfEvent>()?
            .page(self.0.id, page)
            .await?;
        Ok(AttendanceConnection::new(slice, total))
    }

    /// What it will cover.
    async fn agenda(&self) -> Option<&str> {
        self.0.agenda.as_deref()
    }

    /// What was said and decided.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// Its presenters or facilitators, as far as the viewer may see them.
    async fn presenters(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        people_in(ctx, self.0.id, DbEventRole::Presenter).await
    }

    /// The people who lead the discussion, as far as the viewer may see them.
    async fn discussion_lead_people(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        people_in(ctx, self.0.id, DbEventRole::DiscussionLead).await
    }

    /// The organizations that lead the discussion.
    async fn discussion_lead_organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let loaders = ctx.loaders()?;
        let people = ctx
            .loader::<PeopleOfEvent>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let found = try_join_all(
            people
                .into_iter()
                .filter(|p| p.role == DbEventRole::DiscussionLead)
                .filter_map(|p| p.organization_id)
                .map(|id| loaders.node::<Organization>(id)),
        )
        .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Slides, recordings, documents and links attached to it, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<ResourceConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ResourcesOfEvent>()?
            .page(self.0.id, page)
            .await?;
        Ok(ResourceConnection::new(slice, total))
    }

    /// The breakout groups of a coaching call, in the order they were formed.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn breakout_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<BreakoutGroupConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx.loader::<GroupsOfEvent>()?.page(self.0.id, page).await?;
        Ok(BreakoutGroupConnection::new(slice, total))
    }

    /// Action items taken away from it: the viewer's organizations', or all for the cohort's
    /// staff.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<ActionItemConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ActionItemsOfEvent>()?
            .page(self.0.id, page)
            .await?;
        Ok(ActionItemConnection::new(slice, total))
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was scheduled.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// A person's place on an event's list.
    Registration: registration, RegistrationById
);

/// A person's place on an event's list.
#[Object]
impl Registration {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<InPlace<Event>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.event_id).await?))
    }

    /// The person, if the viewer may see them.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loaders()?.node::<User>(self.0.user_id).await?)
    }

    /// Where it stands.
    async fn status(&self) -> RegistrationStatus {
        self.0.status.into()
    }

    /// When the person last joined the list: the waitlist's order.
    async fn queued_at(&self) -> DateTime {
        self.0.queued_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// How long a person attended an event, and who last set it and why.
    Attendance: attendance, AttendanceById
);

/// How long a person attended an event, and who last set it and why.
#[Object]
impl Attendance {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<InPlace<Event>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.event_id).await?))
    }

    /// The attendee, if the viewer may see them.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loaders()?.node::<User>(self.0.user_id).await?)
    }

    /// Minutes attended.
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }

    /// Where the record came from.
    async fn source(&self) -> AttendanceSource {
        self.0.source.into()
    }

    /// Who last recorded or adjusted it, if the viewer may see them.
    async fn adjusted_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.adjusted_by_id {
            Some(id) => Ok(ctx.loaders()?.node::<User>(id).await?),
            None => Ok(None),
        }
    }

    /// Why it was last recorded or adjusted.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When it was last recorded or adjusted.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// Something the viewer should know about, such as a cancelled event.
    Notification: notification, NotificationById
);

/// Something the viewer should know about, such as a cancelled event.
#[Object]
impl Notification {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// What it is about.
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }

    /// The event it is about, if the viewer still sees it.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        match self.0.event_id {
            Some(id) => Ok(ctx.loaders()?.node::<Event>(id).await?),
            None => Ok(None),
        }
    }

    /// What happened, in a sentence.
    async fn message(&self) -> &str {
        &self.0.message
    }

    /// When the viewer marked it read.
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(Into::into)
    }

    /// When it happened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// A private iCalendar feed URL of the viewer's: their events, or a cohort's.
    CalendarFeed: calendar_feed, CalendarFeedById
);

/// A private iCalendar feed URL of the viewer's: their events, or a cohort's.
#[Object]
impl CalendarFeed {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort of a cohort feed; `null` for the viewer's own events.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<Option<Cohort>> {
        match self.0.cohort_id {
            Some(id) => Ok(ctx.loaders()?.node::<Cohort>(id).await?),
            None => Ok(None),
        }
    }

    /// When it was revoked; its URL answers 404 since.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

connection!(
    EventConnection,
    EventEdge,
    Event,
    "A page of events.",
    "An event in a page, with its cursor."
);

connection!(
    RegistrationConnection,
    RegistrationEdge,
    Registration,
    "A page of registrations.",
    "A registration in a page, with its cursor."
);

connection!(
    AttendanceConnection,
    AttendanceEdge,
    Attendance,
    "A page of attendance records.",
    "An attendance record in a page, with its cursor."
);

connection!(
    NotificationConnection,
    NotificationEdge,
    Notification,
    "A page of notifications.",
    "A notification in a page, with its cursor."
);

connection!(
    CalendarFeedConnection,
    CalendarFeedEdge,
    CalendarFeed,
    "A page of calendar feeds.",
    "A calendar feed in a page, with its cursor."
);

/// Attendance at one kind of event.
#[derive(async_graphql::SimpleObject)]
pub struct KindAttendance {
    /// The kind of event.
    pub kind: EventKind,
    /// Events with at least one attendee.
    pub events_attended: u64,
    /// Hours attended, summed over attendees (person-hours of contact).
    pub hours: f64,
}

/// Attendance summed over events (the dosage of T/TA a program reports to its funder):
/// counting the events of cohorts the viewer runs, and for an organization's own members
/// every event of theirs they see.
#[derive(async_graphql::SimpleObject)]
pub struct AttendanceSummary {
    /// Events with at least one attendee, over every kind.
    pub events_attended: u64,
    /// Hours attended, summed over attendees and kinds.
    pub hours: f64,
    /// The same per kind of event, for the kinds with attendance.
    pub by_kind: Vec<KindAttendance>,
}

#[expect(clippy::cast_precision_loss, reason = "minutes far below 2^52")]
fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// The attendance summary of a parent from its loader `K`.
pub async fn attendance_summary<K>(
    ctx: &Context<'_>,
    parent: uuid::Uuid,
) -> Result<AttendanceSummary>
where
    K: crate::graphql::loaders::LoaderKind<
            Loader = async_graphql::dataloader::DataLoader<crate::event::loaders::DosageLoader>,
        >,
{
    let by_kind = ctx
        .loader::<K>()?
        .load_one(parent)
        .await?
        .unwrap_or_default();
    let mut kinds: Vec<(DbEventKind, crate::event::loaders::KindDosage)> =
        by_kind.into_iter().collect();
    kinds.sort_by_key(|(kind, _)| sea_orm::ActiveEnum::to_value(kind));
    Ok(AttendanceSummary {
        events_attended: kinds.iter().map(|(_, d)| d.events).sum(),
        hours: hours(kinds.iter().map(|(_, d)| d.minutes).sum()),
        by_kind: kinds
            .into_iter()
            .map(|(kind, dosage)| KindAttendance {
                kind: kind.into(),
                events_attended: dosage.events,
                hours: hours(dosage.minutes),
            })
            .collect(),
    })
}

/// The users of `event` in `role` that the viewer may see.
async fn people_in(ctx: &Context<'_>, event: uuid::Uuid, role: DbEventRole) -> Result<Vec<User>> {
    let loaders = ctx.loaders()?;
    let people = ctx
        .loader::<PeopleOfEvent>()?
        .load_one(event)
        .await?
        .unwrap_or_default();
    let found = try_join_all(
        people
            .into_iter()
            .filter(|p| p.role == role)
            .filter_map(|p| p.user_id)
            .map(|id| loaders.node::<User>(id)),
    )
    .await?;
    Ok(found.into_iter().flatten().collect())
}

mirror_enum! {
    /// What a resource is.
    ResourceKind mirrors DbResourceKind {
        /// Presentation slides.
        Slides,
        /// A recording of an event.
        Recording,
        /// A document: a guide, a template, a report.
        Document,
        /// Any other link.
        Link,
    }
}

node_object!(
    /// An entry of a cohort's toolkit: a link to slides, a recording, a document or a page.
    Resource: resource, ResourceById
);

/// An entry of a cohort's toolkit: a link to slides, a recording, a document or a page.
#[Object]
impl Resource {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort whose toolkit it is in.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// The event it belongs to, if any.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        match self.0.event_id {
            Some(id) => Ok(ctx.loaders()?.node::<Event>(id).await?),
            None => Ok(None),
        }
    }

    /// What it is.
    async fn kind(&self) -> ResourceKind {
        self.0.kind.into()
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Where it is: an http or https URL.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// What it holds.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The topics it is tagged with.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        Ok(ctx
            .loaders()?
            .linked::<TopicIdsOfResource, _, Topic>(self.0.id)
            .await?)
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// A small group of organizations on a coaching call, with a facilitator.
    BreakoutGroup: breakout_group, BreakoutGroupById
);

/// A small group of organizations on a coaching call, with a facilitator.
#[Object]
impl BreakoutGroup {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The coaching call.
    async fn event(&self, ctx: &Context<'_>) -> Result<InPlace<Event>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.event_id).await?))
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who facilitates it, if the viewer may see them.
    async fn facilitator(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.facilitator_id {
            Some(id) => Ok(ctx.loaders()?.node::<User>(id).await?),
            None => Ok(None),
        }
    }

    /// The organizations in it.
    async fn organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        Ok(ctx
            .loaders()?
            .linked::<OrganizationIdsOfGroup, _, Organization>(self.0.id)
            .await?)
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

node_object!(
    /// Something an organization agreed on a call to do.
    ActionItem: action_item, ActionItemById
);

/// Something an organization agreed on a call to do.
#[Object]
impl ActionItem {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The event it came from.
    async fn event(&self, ctx: &Context<'_>) -> Result<InPlace<Event>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.event_id).await?))
    }

    /// The organization that took it on.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InPlace<Organization>> {
        Ok(InPlace(
            ctx.loaders()?.require(self.0.organization_id).await?,
        ))
    }

    /// The member who owns it, if the viewer may see them.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.owner_id {
            Some(id) => Ok(ctx.loaders()?.node::<User>(id).await?),
            None => Ok(None),
        }
    }

    /// What to do.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// When it is due.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Into::into)
    }

    /// Whether it is done.
    async fn is_done(&self) -> bool {
        self.0.done_at.is_some()
    }

    /// When it was marked done.
    async fn done_at(&self) -> Option<DateTime> {
        self.0.done_at.map(Into::into)
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

connection!(
    ResourceConnection,
    ResourceEdge,
    Resource,
    "A page of resources.",
    "A resource in a page, with its cursor."
);

connection!(
    BreakoutGroupConnection,
    BreakoutGroupEdge,
    BreakoutGroup,
    "A page of breakout groups.",
    "A breakout group in a page, with its cursor."
);

connection!(
    ActionItemConnection,
    ActionItemEdge,
    ActionItem,
    "A page of action items.",
    "An action item in a page, with its cursor."
);
