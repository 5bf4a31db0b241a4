//! Mutations on events: scheduling, changing and cancelling (one occurrence, the following
//! ones, or the series), registration, attendance, notifications and calendar feeds.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::event;

use crate::error::ApiError;
use crate::event::calendar;
use crate::event::import;
use crate::event::recurrence::{Frequency, Recurrence};
use crate::event::service::{self, EditScope, EventChanges, EventPeople, NewEvent};
use crate::event::types::{Attendance, CalendarFeed, Event, EventKind, Registration};
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::user::types::User;

/// How often a series repeats.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecurrenceFrequency {
    /// Every `interval` weeks.
    Weekly,
    /// Every `interval` months.
    Monthly,
}

/// A day of the week.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOfWeek {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl From<DayOfWeek> for chrono::Weekday {
    fn from(day: DayOfWeek) -> Self {
        match day {
            DayOfWeek::Monday => Self::Mon,
            DayOfWeek::Tuesday => Self::Tue,
            DayOfWeek::Wednesday => Self::Wed,
            DayOfWeek::Thursday => Self::Thu,
            DayOfWeek::Friday => Self::Fri,
            DayOfWeek::Saturday => Self::Sat,
            DayOfWeek::Sunday => Self::Sun,
        }
    }
}

/// How a series repeats: weekly, every N weeks, or monthly on "the 2nd Tuesday"; ending on a
/// date or after a count, at most three years after the first occurrence. Every occurrence
/// keeps the first one's local time in the event's time zone.
#[derive(Debug, InputObject)]
pub struct RecurrenceInput {
    /// Weekly or monthly.
    pub frequency: RecurrenceFrequency,
    /// Every how many weeks or months (1 to 12); 1 if omitted.
    #[graphql(default = 1)]
    pub interval: i32,
    /// On which days; the first occurrence's day if omitted.
    #[graphql(default)]
    pub days: Vec<DayOfWeek>,
    /// Monthly on weekdays: which one of the month (1 to 4, or -1 for the last).
    pub week_of_month: Option<i32>,
    /// The last day an occurrence may fall on (in the event's time zone).
    pub until: Option<Date>,
    /// How many occurrences in all (at most 200).
    pub count: Option<i32>,
}

/// Who leads an event.
#[derive(Debug, InputObject)]
pub struct EventPeopleInput {
    /// Presenters or facilitators: cohort staff or members of its organizations (at most 20).
    #[graphql(default)]
    pub presenter_ids: Vec<ID>,
    /// People who lead the discussion (at most 20).
    #[graphql(default)]
    pub discussion_lead_user_ids: Vec<ID>,
    /// Organizations, enrolled in the cohort, that lead the discussion (at most 20).
    #[graphql(default)]
    pub discussion_lead_organization_ids: Vec<ID>,
}

fn people(input: Option<&EventPeopleInput>) -> Result<EventPeople> {
    let Some(input) = input else {
        return Ok(EventPeople::default());
    };
    let users = |ids: &[ID]| {
        ids.iter()
            .map(|id| decode_as(id, NodeKind::User))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(EventPeople {
        presenters: users(&input.presenter_ids)?,
        discussion_lead_users: users(&input.discussion_lead_user_ids)?,
        discussion_lead_organizations: input
            .discussion_lead_organization_ids
            .iter()
            .map(|id| decode_as(id, NodeKind::Organization))
            .collect::<Result<Vec<_>, _>>()?,
    })
}

/// Input of `createEvent`.
#[derive(Debug, InputObject)]
pub struct CreateEventInput {
    /// The cohort.
    pub cohort_id: ID,
    /// What kind of event.
    pub kind: EventKind,
    /// The title (1 to 200 characters).
    pub title: String,
    /// What it is about (up to 5000 characters).
    pub description: Option<String>,
    /// When it starts; in the future.
    pub starts_at: DateTime,
    /// The IANA time zone it is planned in, for example `America/Denver`.
    pub time_zone: String,
    /// How long it lasts, in minutes (1 to 1440).
    pub duration_minutes: i32,
    /// Where to join online: an http or https URL.
    pub join_url: Option<String>,
    /// Where it takes place.
    pub location: Option<String>,
    /// The most people registered at once; no limit if omitted.
    pub capacity: Option<i32>,
    /// When registration closes; at the start if omitted. Series keep it as far before each
    /// occurrence.
    pub registration_deadline: Option<DateTime>,
    /// The organization hosting a site visit (required for one, refused otherwise).
    pub host_organization_id: Option<ID>,
    /// Topics it is about (at most 10).
    #[graphql(default)]
    pub topic_ids: Vec<ID>,
    /// Makes it a series.
    pub recurrence: Option<RecurrenceInput>,
    /// What it will cover (up to 5000 characters).
    pub agenda: Option<String>,
    /// Who leads it.
    pub people: Option<EventPeopleInput>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Which occurrences of a series a change applies to.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventScope {
    /// This occurrence only.
    #[default]
    ThisEvent,
    /// This occurrence and the ones after it.
    ThisAndFollowing,
    /// Every occurrence that has not started yet.
    WholeSeries,
}

impl From<EventScope> for EditScope {
    fn from(scope: EventScope) -> Self {
        match scope {
            EventScope::ThisEvent => Self::This,
            EventScope::ThisAndFollowing => Self::ThisAndFollowing,
            EventScope::WholeSeries => Self::All,
        }
    }
}

/// Input of `updateEvent`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateEventInput {
    /// The event.
    pub id: ID,
    /// The `version` the client last read of this event; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// Which occurrences of its series to change; this one only if omitted.
    #[graphql(default)]
    pub scope: EventScope,
    /// A new title.
    pub title: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// A new start, in the future. Other occurrences in scope move by the same change of
    /// local time, so 10:00 stays 10:00 across daylight-saving changes.
    pub starts_at: Option<DateTime>,
    /// A new duration in minutes.
    pub duration_minutes: Option<i32>,
    /// A new join URL; `null` clears it.
    pub join_url: MaybeUndefined<String>,
    /// A new location; `null` clears it.
    pub location: MaybeUndefined<String>,
    /// A new capacity; `null` removes the limit.
    pub capacity: MaybeUndefined<i32>,
    /// A new agenda; `null` clears it.
    pub agenda: MaybeUndefined<String>,
    /// Notes of what was said and decided, on this occurrence only; `null` clears them.
    pub notes: MaybeUndefined<String>,
    /// Who leads it, replacing the people named before.
    pub people: Option<EventPeopleInput>,
}

/// Input of `cancelEvent`.
#[derive(Debug, InputObject)]
pub struct CancelEventInput {
    /// The event.
    pub id: ID,
    /// Which occurrences of its series to cancel; this one only if omitted.
    #[graphql(default)]
    pub scope: EventScope,
}

/// Result of the mutations that change events.
#[derive(SimpleObject)]
pub struct EventPayload {
    /// The event as it is now, unless the input had errors.
    pub event: Option<Event>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `registerForEvent`.
#[derive(Debug, InputObject)]
pub struct RegisterForEventInput {
    /// The event.
    pub event_id: ID,
    /// Also every later occurrence of its series whose registration is open.
    #[graphql(default)]
    pub whole_series: bool,
    /// Join the waitlist when every seat is taken (the default); `false` fails with
    /// `EVENT_FULL` instead.
    #[graphql(default = true)]
    pub waitlist: bool,
}

/// Input of `cancelRegistration` and `checkIn`.
#[derive(Debug, InputObject)]
pub struct EventIdInput {
    /// The event.
    pub event_id: ID,
}

/// Result of `registerForEvent` and `cancelRegistration`.
#[derive(SimpleObject)]
pub struct RegistrationPayload {
    /// The viewer's registration as it is now, unless the input had errors.
    pub registration: Option<Registration>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `recordAttendance`.
#[derive(Debug, InputObject)]
pub struct RecordAttendanceInput {
    /// The event.
    pub event_id: ID,
    /// The attendee: someone who takes part in the cohort.
    pub user_id: ID,
    /// Minutes attended (0 to 1440); 0 records an absence.
    pub minutes: i32,
    /// Why, kept with the record (1 to 5000 characters).
    pub reason: String,
}

/// Result of `recordAttendance` and `checkIn`.
#[derive(SimpleObject)]
pub struct AttendancePayload {
    /// The attendance record, unless the input had errors.
    pub attendance: Option<Attendance>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `importAttendance`.
#[derive(Debug, InputObject)]
pub struct ImportAttendanceInput {
    /// The event.
    pub event_id: ID,
    /// The text of a participant report (CSV, as Zoom exports it: name, email, join time,
    /// leave time, duration, guest), at most 2 MiB.
    pub report: String,
}

/// A row of a report that was not used.
#[derive(SimpleObject)]
pub struct SkippedRow {
    /// The line of the file (the header is line 1).
    pub line: i32,
    /// The name on the row, if any.
    pub name: Option<String>,
    /// The email on the row, if any.
    pub email: Option<String>,
    /// Why it was not used.
    pub reason: String,
}

/// A person the import recorded.
#[derive(SimpleObject)]
pub struct ImportedAttendee {
    /// The person, if the viewer may see them.
    pub user: Option<User>,
    /// Minutes recorded: the sum of their joins.
    pub minutes: i32,
}

/// Result of `importAttendance`.
#[derive(SimpleObject)]
pub struct ImportAttendancePayload {
    /// The people recorded, unless the report could not be read at all.
    pub attended: Vec<ImportedAttendee>,
    /// Every row that was not used, with the reason.
    pub skipped: Vec<SkippedRow>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `createCalendarFeed`.
#[derive(Debug, InputObject)]
pub struct CreateCalendarFeedInput {
    /// A cohort whose events the feed lists (for its leads and coaches); the viewer's own
    /// events if omitted.
    pub cohort_id: Option<ID>,
}

/// Result of `createCalendarFeed`.
#[derive(SimpleObject)]
pub struct CreateCalendarFeedPayload {
    /// The feed, unless the input had errors.
    pub feed: Option<CalendarFeed>,
    /// The path of the feed's private URL on this server, such as
    /// `/calendar/plc_….ics`: shown once; subscribe to it from a calendar app.
    pub path: Option<String>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `revokeCalendarFeed`.
#[derive(Debug, InputObject)]
pub struct RevokeCalendarFeedInput {
    /// The feed.
    pub id: ID,
}

/// Result of `revokeCalendarFeed`.
#[derive(SimpleObject)]
pub struct RevokeCalendarFeedPayload {
    /// The feed, now revoked, unless the input had errors.
    pub feed: Option<CalendarFeed>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `markNotificationsRead`.
#[derive(Debug, InputObject)]
pub struct MarkNotificationsReadInput {
    /// The notifications to mark; all of the viewer's if omitted.
    pub ids: Option<Vec<ID>>,
}

/// Result of `markNotificationsRead`.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// How many notifications were marked read.
    pub marked: u64,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

fn recurrence(input: RecurrenceInput) -> Result<Recurrence, ApiError> {
    let bad =
        |what: &str| ApiError::invalid("recurrence", crate::error::FieldErrorCode::Invalid, what);
    Ok(Recurrence {
        frequency: match input.frequency {
            RecurrenceFrequency::Weekly => Frequency::Weekly,
            RecurrenceFrequency::Monthly => Frequency::Monthly,
        },
        interval: u16::try_from(input.interval)
            .map_err(|_| bad("interval must be between 1 and 12"))?,
        weekdays: input.days.into_iter().map(Into::into).collect(),
        week_of_month: input
            .week_of_month
            .map(i16::try_from)
            .transpose()
            .map_err(|_| bad("weekOfMonth must be 1 to 4, or -1 for the last"))?,
        until: input.until.map(|d| d.0),
        count: input
            .count
            .map(u32::try_from)
            .transpose()
            .map_err(|_| bad("count must be between 1 and 200"))?,
    })
}

fn event_payload(result: Result<event::Model, ApiError>) -> Result<EventPayload> {
    payload(result, |event, user_errors| EventPayload {
        event: event.map(Into::into),
        user_errors,
    })
}

/// Mutations on events.
#[derive(Default)]
pub struct EventMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl EventMutation {
    /// Schedules an event, or a series of them with `recurrence` (each occurrence is an event
    /// of its own); returns the first.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new event.")] input: CreateEventInput,
    ) -> Result<EventPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("createEvent", input.idempotency_key.as_deref(), &input);
        let recurrence = match input.recurrence.map(recurrence).transpose() {
            Ok(recurrence) => recurrence,
            Err(err) => return event_payload(Err(err)),
        };
        let new = NewEvent {
            cohort_id: decode_as(&input.cohort_id, NodeKind::Cohort)?,
            kind: input.kind.into(),
            title: input.title,
            description: input.description,
            starts_at: input.starts_at.0,
            time_zone: input.time_zone,
            duration_minutes: input.duration_minutes,
            join_url: input.join_url,
            location: input.location,
            capacity: input.capacity,
            registration_deadline: input.registration_deadline.map(|d| d.0),
            host_organization_id: input
                .host_organization_id
                .as_ref()
                .map(|id| decode_as(id, NodeKind::Organization))
                .transpose()?,
            topic_ids: input
                .topic_ids
                .iter()
                .map(|id| decode_as(id, NodeKind::Topic))
                .collect::<Result<_, _>>()?,
            recurrence,
            agenda: input.agenda,
            people: people(input.people.as_ref())?,
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |event: &event::Model| event.id,
            async |txn| service::create_event(txn, viewer, new).await,
            async |id| service::visible_event(db, viewer, id).await,
        )
        .await;
        event_payload(result)
    }

    /// Changes an event, or with `scope` the following occurrences of its series or all that
    /// have not started. Moving events notifies the people on their lists.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateEventInput,
    ) -> Result<EventPayload> {
        let id = decode_as(&input.id, NodeKind::Event)?;
        let changes = EventChanges {
            title: input.title,
            description: input.description.into(),
            starts_at: input.starts_at.map(|d| d.0),
            duration_minutes: input.duration_minutes,
            join_url: input.join_url.into(),
            location: input.location.into(),
            capacity: input.capacity.into(),
            agenda: input.agenda.into(),
            notes: input.notes.into(),
            people: input.people.as_ref().map(|p| people(Some(p))).transpose()?,
        };
        let result = service::update_event(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            input.scope.into(),
            changes,
        )
        .await;
        event_payload(result)
    }

    /// Cancels an event, or with `scope` the following occurrences of its series or all that
    /// have not started. The people on their lists are notified; calendar feeds show them
    /// cancelled.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn cancel_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the scope.")] input: CancelEventInput,
    ) -> Result<EventPayload> {
        let id = decode_as(&input.id, NodeKind::Event)?;
        event_payload(service::cancel_event(ctx.db()?, ctx.viewer()?, id, input.scope.into()).await)
    }

    /// Registers the viewer for an event (and perhaps the rest of its series): a seat while
    /// any is left, else the waitlist. Registering again changes nothing.
    ///
    /// **Permissions**: members of organizations enrolled in the event's cohort.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: RegisterForEventInput,
    ) -> Result<RegistrationPayload> {
        let id = decode_as(&input.event_id, NodeKind::Event)?;
        let result = service::register(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.whole_series,
            input.waitlist,
        )
        .await;
        payload(result, |registration, user_errors| RegistrationPayload {
            registration: registration.map(Into::into),
            user_errors,
        })
    }

    /// Takes the viewer off an event's list; a seat given up goes to the first on the
    /// waitlist.
    ///
    /// **Permissions**: whoever is on the list.
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: EventIdInput,
    ) -> Result<RegistrationPayload> {
        let id = decode_as(&input.event_id, NodeKind::Event)?;
        let result = service::cancel_registration(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |registration, user_errors| RegistrationPayload {
            registration: registration.map(Into::into),
            user_errors,
        })
    }

    /// Records or corrects someone's attendance, with the reason; who and when are kept.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The attendance.")] input: RecordAttendanceInput,
    ) -> Result<AttendancePayload> {
        let event = decode_as(&input.event_id, NodeKind::Event)?;
        let user = decode_as(&input.user_id, NodeKind::User)?;
        let result = service::record_attendance(
            ctx.db()?,
            ctx.viewer()?,
            event,
            user,
            input.minutes,
            &input.reason,
        )
        .await;
        payload(result, |attendance, user_errors| AttendancePayload {
            attendance: attendance.map(Into::into),
            user_errors,
        })
    }

    /// The viewer checks in to an event that is under way (from 15 minutes before the start
    /// to its end).
    ///
    /// **Permissions**: members of organizations enrolled in the event's cohort.
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: EventIdInput,
    ) -> Result<AttendancePayload> {
        let id = decode_as(&input.event_id, NodeKind::Event)?;
        let result = service::check_in(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |attendance, user_errors| AttendancePayload {
            attendance: attendance.map(Into::into),
            user_errors,
        })
    }

    /// Imports a participant report (Zoom's CSV) into an event's attendance: rows are matched
    /// by email, then by name within the cohort; repeated joins add up; every row that cannot
    /// be used comes back in `skipped` with the reason.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn import_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the report.")] input: ImportAttendanceInput,
    ) -> Result<ImportAttendancePayload> {
        let id = decode_as(&input.event_id, NodeKind::Event)?;
        let loaders = ctx.loaders()?;
        match import::import_attendance(ctx.db()?, ctx.viewer()?, id, &input.report).await {
            Ok(report) => {
                let mut attended = Vec::with_capacity(report.attended.len());
                for (user, minutes) in report.attended {
                    attended.push(ImportedAttendee {
                        user: loaders.node::<User>(user).await?,
                        minutes,
                    });
                }
                Ok(ImportAttendancePayload {
                    attended,
                    skipped: report
                        .skipped
                        .into_iter()
                        .map(|s| SkippedRow {
                            line: i32::try_from(s.line).unwrap_or(i32::MAX),
                            name: s.name,
                            email: s.email,
                            reason: s.reason,
                        })
                        .collect(),
                    user_errors: Vec::new(),
                })
            }
            Err(err) => payload(Err(err), |_: Option<()>, user_errors| {
                ImportAttendancePayload {
                    attended: Vec::new(),
                    skipped: Vec::new(),
                    user_errors,
                }
            }),
        }
    }

    /// Creates a private iCalendar feed URL: the viewer's events (marked with their
    /// registration), or a cohort's for its staff. The URL is shown once; revoke it with
    /// `revokeCalendarFeed`.
    ///
    /// **Permissions**: anyone signed in for their own feed; the cohort's leads and coaches,
    /// and admins, for a cohort's.
    async fn create_calendar_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose events.")] input: CreateCalendarFeedInput,
    ) -> Result<CreateCalendarFeedPayload> {
        let cohort = input
            .cohort_id
            .as_ref()
            .map(|id| decode_as(id, NodeKind::Cohort))
            .transpose()?;
        let result = calendar::create_feed(ctx.db()?, ctx.viewer()?, cohort).await;
        payload(result, |issued, user_errors| {
            let path = issued.as_ref().map(calendar::IssuedFeed::path);
            CreateCalendarFeedPayload {
                feed: issued.map(|i| i.feed.into()),
                path,
                user_errors,
            }
        })
    }

    /// Revokes one of the viewer's calendar feeds: its URL answers 404 from then on.
    ///
    /// **Permissions**: the feed's owner.
    async fn revoke_calendar_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The feed.")] input: RevokeCalendarFeedInput,
    ) -> Result<RevokeCalendarFeedPayload> {
        let id = decode_as(&input.id, NodeKind::CalendarFeed)?;
        let result = calendar::revoke_feed(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |feed, user_errors| RevokeCalendarFeedPayload {
            feed: feed.map(Into::into),
            user_errors,
        })
    }

    /// Marks the viewer's notifications read: those given, or all.
    ///
    /// **Permissions**: the notifications' owner; others' IDs change nothing.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which notifications.")] input: MarkNotificationsReadInput,
    ) -> Result<MarkNotificationsReadPayload> {
        let ids = input
            .ids
            .as_ref()
            .map(|ids| {
                ids.iter()
                    .map(|id| decode_as(id, NodeKind::Notification))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let result = service::mark_notifications_read(ctx.db()?, ctx.viewer()?, ids).await;
        payload(result, |marked, user_errors| MarkNotificationsReadPayload {
            marked: marked.unwrap_or(0),
            user_errors,
        })
    }
}
