//! Event use cases: scheduling single events and series, editing one occurrence, the ones that
//! follow or the whole series, cancelling, registering with a capacity and a waitlist, and
//! attendance. Cancelling or moving an event records a notification for each person on its
//! list.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use entity::attendance::{self, AttendanceSource};
use entity::enrollment::{self, EnrollmentStatus};
use entity::event::{self, EventKind, EventStatus};
use entity::event_person::{self, EventRole};
use entity::notification::{self, NotificationKind};
use entity::registration::{self, RegistrationStatus};
use entity::{calendar_feed, event_series, event_topic};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldError, FieldErrorCode};
use crate::event::loaders::{EventFilter, notifications_order};
use crate::event::policy::{self, calendar_feed_scope, event_scope, notification_scope};
use crate::event::recurrence::{self, Recurrence};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::store::{begin_write, find_in_scope, lock_row, update_versioned};
use crate::topic::service::check_topic_ids;
use crate::validate::Validator;

/// Longest title.
pub const TITLE_MAX: usize = 200;
/// Longest description or reason.
pub const TEXT_MAX: usize = 5000;
/// Longest join URL.
pub const URL_MAX: usize = 2000;
/// Longest location.
pub const LOCATION_MAX: usize = 500;
/// Longest event, in minutes.
pub const DURATION_MAX: i32 = 24 * 60;
/// Most topics on one event.
pub const TOPICS_MAX: usize = 10;
/// How long before the start attendees may check themselves in.
pub const CHECK_IN_EARLY: Duration = Duration::minutes(15);

/// What a new event (or the first occurrence of a series) is.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub cohort_id: Uuid,
    pub kind: EventKind,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    pub duration_minutes: i32,
    pub join_url: Option<String>,
    pub location: Option<String>,
    pub capacity: Option<i32>,
    pub registration_deadline: Option<DateTime<Utc>>,
    pub host_organization_id: Option<Uuid>,
    pub topic_ids: Vec<Uuid>,
    pub recurrence: Option<Recurrence>,
    pub agenda: Option<String>,
    pub people: EventPeople,
}

/// Who leads an event.
#[derive(Debug, Clone, Default)]
pub struct EventPeople {
    /// Presenters or facilitators: cohort staff or members of its organizations.
    pub presenters: Vec<Uuid>,
    /// People who lead the discussion.
    pub discussion_lead_users: Vec<Uuid>,
    /// Organizations that lead the discussion.
    pub discussion_lead_organizations: Vec<Uuid>,
}

/// Most people of each part on one event.
pub const PEOPLE_MAX: usize = 20;

/// Checks that the people take part in `cohort` and the organizations are enrolled in it.
async fn check_people(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    cohort: Uuid,
    people: &EventPeople,
) -> Result<(), ApiError> {
    let named: Vec<Uuid> = people
        .presenters
        .iter()
        .chain(&people.discussion_lead_users)
        .copied()
        .collect();
    let taking_part = participants_among(db, cohort, &named).await?;
    for (field, users) in [
        ("presenterIds", &people.presenters),
        ("discussionLeadUserIds", &people.discussion_lead_users),
    ] {
        if users.len() > PEOPLE_MAX {
            v.reject(
                field,
                FieldErrorCode::Invalid,
                format!("must name at most {PEOPLE_MAX}"),
            );
        } else if !users.iter().all(|user| taking_part.contains(user)) {
            v.reject(
                field,
                FieldErrorCode::Invalid,
                "must name people who take part in the cohort",
            );
        }
    }
    let organizations = &people.discussion_lead_organizations;
    if organizations.len() > PEOPLE_MAX {
        v.reject(
            "discussionLeadOrganizationIds",
            FieldErrorCode::Invalid,
            format!("must name at most {PEOPLE_MAX}"),
        );
    } else if !organizations.is_empty() {
        let enrolled = enrollment::Entity::find()
            .filter(enrollment::Column::CohortId.eq(cohort))
            .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
            .filter(enrollment::Column::OrganizationId.is_in(organizations.iter().copied()))
            .count(db)
            .await?;
        let mut unique = organizations.clone();
        unique.sort_unstable();
        unique.dedup();
        if usize::try_from(enrolled).ok() != Some(unique.len()) {
            v.reject(
                "discussionLeadOrganizationIds",
                FieldErrorCode::Invalid,
                "must name organizations enrolled in the cohort",
            );
        }
    }
    Ok(())
}

/// Replaces who leads `event`.
async fn set_people(
    db: &impl ConnectionTrait,
    event: Uuid,
    people: &EventPeople,
) -> Result<(), ApiError> {
    event_person::Entity::delete_many()
        .filter(event_person::Column::EventId.eq(event))
        .exec(db)
        .await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (role, user, organization) in people
        .presenters
        .iter()
        .map(|u| (EventRole::Presenter, Some(*u), None))
        .chain(
            people
                .discussion_lead_users
                .iter()
                .map(|u| (EventRole::DiscussionLead, Some(*u), None)),
        )
        .chain(
            people
                .discussion_lead_organizations
                .iter()
                .map(|o| (EventRole::DiscussionLead, None, Some(*o))),
        )
    {
        if seen.insert((role, user, organization)) {
            rows.push(event_person::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event),
                role: Set(role),
                user_id: Set(user),
                organization_id: Set(organization),
                created_at: Set(now),
            });
        }
    }
    if !rows.is_empty() {
        event_person::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Which occurrences of a series an edit or a cancellation applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditScope {
    /// This occurrence only.
    This,
    /// This occurrence and the ones after it.
    ThisAndFollowing,
    /// Every occurrence that has not started yet.
    All,
}

/// Changes to events; `None` keeps a field, `Some(None)` clears an optional one. A new start
/// moves every occurrence in scope by the same change of local wall-clock time.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub join_url: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub capacity: Option<Option<i32>>,
    pub agenda: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub people: Option<EventPeople>,
}

/// A page of the events the viewer may see, with `filter`, in `order`.
pub async fn list_events(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: EventFilter,
    order: &Order<event::Entity>,
    page: &Page,
) -> Result<(Slice<event::Model>, TotalCount), ApiError> {
    let select = event::Entity::find()
        .filter(event_scope(viewer))
        .filter(filter.condition());
    fetch_page(db, select, order, page).await
}

/// A page of the viewer's notifications, newest first; only unread ones with `unread_only`.
pub async fn list_notifications(
    db: &DatabaseConnection,
    viewer: &Viewer,
    unread_only: bool,
    page: &Page,
) -> Result<(Slice<notification::Model>, TotalCount), ApiError> {
    let mut select = notification::Entity::find().filter(notification_scope(viewer));
    if unread_only {
        select = select.filter(notification::Column::ReadAt.is_null());
    }
    fetch_page(db, select, &notifications_order(), page).await
}

/// Marks the viewer's notifications read: those given, or all of them. Returns how many
/// changed.
pub async fn mark_notifications_read(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: Option<Vec<Uuid>>,
) -> Result<u64, ApiError> {
    viewer.require()?;
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification_scope(viewer))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(notification::Column::Id.is_in(ids));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// A page of the viewer's calendar feeds, oldest first.
pub async fn list_calendar_feeds(
    db: &DatabaseConnection,
    viewer: &Viewer,
    page: &Page,
) -> Result<(Slice<calendar_feed::Model>, TotalCount), ApiError> {
    let select = calendar_feed::Entity::find().filter(calendar_feed_scope(viewer));
    fetch_page(db, select, &Order::by_key(calendar_feed::Column::Id), page).await
}

/// The event `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_event(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<event::Model, ApiError> {
    find_in_scope::<event::Entity>(db, event::Column::Id, id, event_scope(viewer), "event").await
}

fn time_zone(v: &mut Validator, name: &str) -> Option<chrono_tz::Tz> {
    if name.trim().is_empty() {
        v.reject("timeZone", FieldErrorCode::Blank, "must not be blank");
        return None;
    }
    v.time_zone("timeZone", Some(name))?.parse().ok()
}

fn check_duration(v: &mut Validator, minutes: i32) {
    if !(1..=DURATION_MAX).contains(&minutes) {
        v.reject(
            "durationMinutes",
            FieldErrorCode::Invalid,
            format!("must be between 1 and {DURATION_MAX}: an event ends after it starts"),
        );
    }
}

fn check_capacity(v: &mut Validator, capacity: Option<i32>) {
    if capacity.is_some_and(|c| c < 1) {
        v.reject("capacity", FieldErrorCode::Invalid, "must be at least 1");
    }
}

/// Schedules an event, or a series of them from a recurrence rule; returns the first.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn create_event(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewEvent,
) -> Result<event::Model, ApiError> {
    let actor = viewer.require()?;
    crate::cohort::service::visible_cohort(db, viewer, input.cohort_id).await?;
    policy::check_manage(actor, input.cohort_id)?;
    let mut v = Validator::new();
    let title = v.text("title", &input.title, TITLE_MAX);
    let description = v.optional_text("description", input.description.as_deref(), TEXT_MAX);
    let tz = time_zone(&mut v, &input.time_zone);
    let now = Utc::now();
    if input.starts_at <= now {
        v.reject("startsAt", FieldErrorCode::Invalid, "must be in the future");
    }
    check_duration(&mut v, input.duration_minutes);
    let join_url = v.optional_url("joinUrl", input.join_url.as_deref(), URL_MAX);
    let location = v.optional_text("location", input.location.as_deref(), LOCATION_MAX);
    check_capacity(&mut v, input.capacity);
    if input
        .registration_deadline
        .is_some_and(|deadline| deadline > input.starts_at)
    {
        v.reject(
            "registrationDeadline",
            FieldErrorCode::Invalid,
            "must not be after the start",
        );
    }
    match (input.kind, input.host_organization_id) {
        (EventKind::SiteVisit, None) => v.reject(
            "hostOrganizationId",
            FieldErrorCode::Blank,
            "a site visit needs a host organization",
        ),
        (EventKind::SiteVisit, Some(host)) => {
            let enrolled = enrollment::Entity::find()
                .filter(enrollment::Column::CohortId.eq(input.cohort_id))
                .filter(enrollment::Column::OrganizationId.eq(host))
                .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
                .count(db)
                .await?;
            if enrolled == 0 {
                v.reject(
                    "hostOrganizationId",
                    FieldErrorCode::Invalid,
                    "the host must be an organization enrolled in the cohort",
                );
            }
        }
        (_, Some(_)) => v.reject(
            "hostOrganizationId",
            FieldErrorCode::Invalid,
            "only a site visit has a host organization",
        ),
        (_, None) => {}
    }
    let topics = check_topic_ids(db, &mut v, "topicIds", &input.topic_ids, TOPICS_MAX).await?;
    let agenda = v.optional_text("agenda", input.agenda.as_deref(), TEXT_MAX);
    check_people(db, &mut v, input.cohort_id, &input.people).await?;
    let mut series = None;
    if let (Some(recurrence), Some(tz)) = (&input.recurrence, tz) {
        match recurrence::rule(recurrence, input.starts_at, tz)
            .and_then(|rule| Ok((recurrence::expand(&rule, input.starts_at, tz)?, rule)))
        {
            Ok(expanded) => series = Some(expanded),
            Err(FieldError { message, code, .. }) => v.reject("recurrence", code, message),
        }
    }
    v.finish()?;
    let time_zone = tz.map(|tz| tz.name().to_owned()).unwrap_or_default();
    let (starts, series_id) = match series {
        Some((starts, rule)) => {
            let row = event_series::ActiveModel {
                id: Set(Uuid::now_v7()),
                cohort_id: Set(input.cohort_id),
                rule: Set(rule),
                time_zone: Set(time_zone.clone()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?;
            (starts, Some(row.id))
        }
        None => (vec![input.starts_at], None),
    };
    let deadline_before = input
        .registration_deadline
        .map(|deadline| input.starts_at - deadline);
    let mut first = None;
    for starts_at in starts {
        let created = event::ActiveModel {
            id: Set(Uuid::now_v7()),
            cohort_id: Set(input.cohort_id),
            series_id: Set(series_id),
            kind: Set(input.kind),
            title: Set(title.clone().unwrap_or_default()),
            description: Set(description.clone()),
            starts_at: Set(starts_at),
            time_zone: Set(time_zone.clone()),
            duration_minutes: Set(input.duration_minutes),
            join_url: Set(join_url.clone()),
            location: Set(location.clone()),
            capacity: Set(input.capacity),
            registration_deadline: Set(deadline_before.map(|before| starts_at - before)),
            status: Set(EventStatus::Scheduled),
            host_organization_id: Set(input.host_organization_id),
            agenda: Set(agenda.clone()),
            notes: Set(None),
            sequence: Set(0),
            created_by_id: Set(Some(actor.user_id)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        if !topics.is_empty() {
            event_topic::Entity::insert_many(topics.iter().map(|topic| event_topic::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(created.id),
                topic_id: Set(*topic),
                created_at: Set(now),
            }))
            .exec(db)
            .await?;
        }
        set_people(db, created.id, &input.people).await?;
        first.get_or_insert(created);
    }
    first.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a series without occurrences")))
}

/// The occurrences an edit of `target` in `scope` applies to: scheduled ones only, in time
/// order, `target` first among equals.
async fn in_scope(
    db: &impl ConnectionTrait,
    target: &event::Model,
    scope: EditScope,
) -> Result<Vec<event::Model>, ApiError> {
    let (Some(series), false) = (target.series_id, scope == EditScope::This) else {
        return Ok(vec![target.clone()]);
    };
    let mut query = event::Entity::find()
        .filter(event::Column::SeriesId.eq(series))
        .filter(event::Column::Status.eq(EventStatus::Scheduled))
        .order_by_asc(event::Column::StartsAt);
    query = match scope {
        EditScope::ThisAndFollowing => query.filter(event::Column::StartsAt.gte(target.starts_at)),
        _ => query.filter(event::Column::StartsAt.gt(Utc::now())),
    };
    let mut events = query.all(db).await?;
    if !events.iter().any(|e| e.id == target.id) {
        events.insert(0, target.clone());
    }
    Ok(events)
}

/// `at` moved by `delta` of local wall-clock time in `tz`: 10:00 stays 10:00 across a
/// daylight-saving change. A local time that does not exist (the hour skipped in spring) moves
/// forward by an hour.
fn shift_local(at: DateTime<Utc>, delta: Duration, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local: NaiveDateTime = at.with_timezone(&tz).naive_local() + delta;
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or(at + delta, |t| t.with_timezone(&Utc))
}

/// Records one notification of `kind` about `event` for every person on its list.
async fn notify_registrants(
    db: &impl ConnectionTrait,
    event: &event::Model,
    kind: NotificationKind,
    message: &str,
) -> Result<(), ApiError> {
    let people = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .all(db)
        .await?;
    if people.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    notification::Entity::insert_many(people.iter().map(|person| notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(person.user_id),
        kind: Set(kind),
        event_id: Set(Some(event.id)),
        message: Set(message.to_owned()),
        read_at: Set(None),
        created_at: Set(now),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Changes an event, and with `scope` the occurrences of its series after it or all that have
/// not started; `expected_version` is the version of the event named. Moving events notifies
/// their registrants.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn update_event(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    scope: EditScope,
    changes: EventChanges,
) -> Result<event::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let target = visible_event(&txn, viewer, id).await?;
    policy::check_manage(actor, target.cohort_id)?;
    if target.status != EventStatus::Scheduled {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::Invalid,
            "only a scheduled event can be changed",
        ));
    }
    let mut v = Validator::new();
    let title = changes
        .title
        .as_deref()
        .and_then(|t| v.text("title", t, TITLE_MAX));
    let description = changes
        .description
        .as_ref()
        .map(|d| v.optional_text("description", d.as_deref(), TEXT_MAX));
    let join_url = changes
        .join_url
        .as_ref()
        .map(|u| v.optional_url("joinUrl", u.as_deref(), URL_MAX));
    let location = changes
        .location
        .as_ref()
        .map(|l| v.optional_text("location", l.as_deref(), LOCATION_MAX));
    if let Some(minutes) = changes.duration_minutes {
        check_duration(&mut v, minutes);
    }
    if let Some(capacity) = changes.capacity {
        check_capacity(&mut v, capacity);
    }
    let agenda = changes
        .agenda
        .as_ref()
        .map(|a| v.optional_text("agenda", a.as_deref(), TEXT_MAX));
    let notes = changes
        .notes
        .as_ref()
        .map(|n| v.optional_text("notes", n.as_deref(), TEXT_MAX));
    if let Some(people) = &changes.people {
        check_people(&txn, &mut v, target.cohort_id, people).await?;
    }
    let now = Utc::now();
    if changes.starts_at.is_some_and(|at| at <= now) {
        v.reject("startsAt", FieldErrorCode::Invalid, "must be in the future");
    }
    v.finish()?;
    let tz: chrono_tz::Tz = target.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let delta = changes.starts_at.map(|at| {
        at.with_timezone(&tz).naive_local() - target.starts_at.with_timezone(&tz).naive_local()
    });
    let events = in_scope(&txn, &target, scope).await?;
    let mut updated_target = None;
    for current in events {
        let moved_to = delta
            .filter(|d| !d.is_zero())
            .map(|d| shift_local(current.starts_at, d, tz));
        let mut active = event::ActiveModel {
            updated_at: Set(now),
            sequence: Set(current.sequence + 1),
            ..Default::default()
        };
        if let Some(title) = &title {
            active.title = Set(title.clone());
        }
        if let Some(description) = &description {
            active.description = Set(description.clone());
        }
        if let Some(join_url) = &join_url {
            active.join_url = Set(join_url.clone());
        }
        if let Some(location) = &location {
            active.location = Set(location.clone());
        }
        if let Some(minutes) = changes.duration_minutes {
            active.duration_minutes = Set(minutes);
        }
        if let Some(capacity) = changes.capacity {
            active.capacity = Set(capacity);
        }
        if let Some(agenda) = &agenda {
            active.agenda = Set(agenda.clone());
        }
        // Notes are about what happened at one occurrence.
        if let (Some(notes), true) = (&notes, current.id == target.id) {
            active.notes = Set(notes.clone());
        }
        if let Some(starts_at) = moved_to {
            active.starts_at = Set(starts_at);
            if let Some(deadline) = current.registration_deadline {
                active.registration_deadline =
                    Set(Some(starts_at - (current.starts_at - deadline)));
            }
        }
        let expected = if current.id == target.id {
            expected_version
        } else {
            current.version
        };
        let saved = update_versioned(
            &txn,
            event::Column::Id,
            event::Column::Version,
            current.id,
            expected,
            active,
            "event",
        )
        .await?;
        if let Some(people) = &changes.people {
            set_people(&txn, saved.id, people).await?;
        }
        if let Some(starts_at) = moved_to {
            let local = starts_at.with_timezone(&tz);
            let message = format!(
                "\"{}\" moved to {} ({})",
                saved.title,
                local.format("%A %-d %B %Y, %H:%M"),
                tz.name()
            );
            notify_registrants(&txn, &saved, NotificationKind::EventMoved, &message).await?;
        }
        if saved.id == target.id {
            updated_target = Some(saved);
        }
    }
    txn.commit().await?;
    updated_target.ok_or(ApiError::NotFound("event"))
}

/// Cancels an event, and with `scope` the occurrences of its series after it or all that have
/// not started. Their registrants are notified; cancelling a cancelled event changes nothing.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn cancel_event(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    scope: EditScope,
) -> Result<event::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let target = visible_event(&txn, viewer, id).await?;
    policy::check_manage(actor, target.cohort_id)?;
    if target.status == EventStatus::Cancelled {
        return Ok(target);
    }
    let now = Utc::now();
    for current in in_scope(&txn, &target, scope).await? {
        event::Entity::update_many()
            .col_expr(event::Column::Status, Expr::value(EventStatus::Cancelled))
            .col_expr(
                event::Column::Sequence,
                Expr::col(event::Column::Sequence).add(1),
            )
            .col_expr(
                event::Column::Version,
                Expr::col(event::Column::Version).add(1),
            )
            .col_expr(event::Column::UpdatedAt, Expr::value(now))
            .filter(event::Column::Id.eq(current.id))
            .exec(&txn)
            .await?;
        let message = format!("\"{}\" was cancelled", current.title);
        notify_registrants(&txn, &current, NotificationKind::EventCancelled, &message).await?;
    }
    let cancelled = visible_event(&txn, viewer, id).await?;
    txn.commit().await?;
    Ok(cancelled)
}

/// Why registration is closed for `event` at `now`, if it is.
fn closed(event: &event::Model, now: DateTime<Utc>) -> Option<&'static str> {
    if event.status != EventStatus::Scheduled {
        Some("the event is not scheduled")
    } else if now >= event.starts_at {
        Some("the event has started")
    } else if event.registration_deadline.is_some_and(|d| now >= d) {
        Some("registration closed at the deadline")
    } else {
        None
    }
}

/// Puts the actor on the list of `event` inside `txn`, which holds the event's row lock:
/// registered while seats are left, else waitlisted (or `EVENT_FULL` when `waitlist` is
/// false). Someone already on the list stays where they are.
async fn join_list(
    txn: &impl ConnectionTrait,
    event: &event::Model,
    user: Uuid,
    waitlist: bool,
) -> Result<registration::Model, ApiError> {
    let now = Utc::now();
    let existing = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::UserId.eq(user))
        .one(txn)
        .await?;
    if let Some(existing) = &existing
        && existing.status != RegistrationStatus::Cancelled
    {
        return Ok(existing.clone());
    }
    if let Some(reason) = closed(event, now) {
        return Err(ApiError::invalid(
            "eventId",
            FieldErrorCode::RegistrationClosed,
            reason,
        ));
    }
    let taken = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Registered))
        .count(txn)
        .await?;
    let full = event
        .capacity
        .is_some_and(|capacity| taken >= u64::try_from(capacity).unwrap_or(0));
    if full && !waitlist {
        return Err(ApiError::invalid(
            "eventId",
            FieldErrorCode::EventFull,
            "every seat is taken",
        ));
    }
    let status = if full {
        RegistrationStatus::Waitlisted
    } else {
        RegistrationStatus::Registered
    };
    Ok(match existing {
        Some(cancelled) => {
            let mut active: registration::ActiveModel = cancelled.into();
            active.status = Set(status);
            active.queued_at = Set(now);
            active.updated_at = Set(now);
            active.update(txn).await?
        }
        None => {
            registration::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event.id),
                user_id: Set(user),
                status: Set(status),
                queued_at: Set(now),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    })
}

/// Registers the viewer for an event, and with `whole_series` for every later occurrence of
/// its series whose registration is open. Returns the registration for the event named.
///
/// **Permissions**: members of organizations actively enrolled in the event's cohort.
pub async fn register(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
    whole_series: bool,
    waitlist: bool,
) -> Result<registration::Model, ApiError> {
    let actor = viewer.require()?;
    let target = visible_event(db, viewer, event_id).await?;
    policy::check_register(actor, target.cohort_id)?;
    let mut events = vec![target.clone()];
    if let (true, Some(series)) = (whole_series, target.series_id) {
        events.extend(
            event::Entity::find()
                .filter(event::Column::SeriesId.eq(series))
                .filter(event::Column::StartsAt.gt(target.starts_at))
                .filter(event::Column::Status.eq(EventStatus::Scheduled))
                .order_by_asc(event::Column::StartsAt)
                .all(db)
                .await?,
        );
    }
    let txn = begin_write(db).await?;
    let mut first = None;
    for event in events {
        // Seats are counted under the event's row lock: two people racing for the last seat
        // queue here, and the second finds it taken.
        lock_row::<event::Entity>(&txn, event::Column::Id, event.id).await?;
        let event = event::Entity::find_by_id(event.id)
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound("event"))?;
        match join_list(&txn, &event, actor.user_id, waitlist).await {
            Ok(joined) => {
                first.get_or_insert(joined);
            }
            // Later occurrences that are closed or full are skipped; the one named decides.
            Err(ApiError::Invalid(_)) if first.is_some() => {}
            Err(err) => return Err(err),
        }
    }
    txn.commit().await?;
    first.ok_or(ApiError::NotFound("event"))
}

/// Takes the viewer off the list of an event; a seat given up goes to the first person on the
/// waitlist, who is notified. Cancelling twice changes nothing.
///
/// **Permissions**: whoever is on the list.
pub async fn cancel_registration(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
) -> Result<registration::Model, ApiError> {
    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    let txn = begin_write(db).await?;
    lock_row::<event::Entity>(&txn, event::Column::Id, event.id).await?;
    let existing = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("registration"))?;
    if existing.status == RegistrationStatus::Cancelled {
        return Ok(existing);
    }
    let now = Utc::now();
    let was_registered = existing.status == RegistrationStatus::Registered;
    let mut active: registration::ActiveModel = existing.into();
    active.status = Set(RegistrationStatus::Cancelled);
    active.updated_at = Set(now);
    let cancelled = active.update(&txn).await?;
    if was_registered && closed(&event, now).is_none() {
        let next = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event.id))
            .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
            .order_by_asc(registration::Column::QueuedAt)
            .order_by_asc(registration::Column::Id)
            .one(&txn)
            .await?;
        if let Some(next) = next {
            let user = next.user_id;
            let mut promoted: registration::ActiveModel = next.into();
            promoted.status = Set(RegistrationStatus::Registered);
            promoted.updated_at = Set(now);
            promoted.update(&txn).await?;
            notification::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user),
                kind: Set(NotificationKind::SeatOffered),
                event_id: Set(Some(event.id)),
                message: Set(format!(
                    "A seat opened up: you are registered for \"{}\"",
                    event.title
                )),
                read_at: Set(None),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(cancelled)
}

/// Writes the attendance of `user` at `event`: replaces what is there, keeping who made the
/// change, when and why.
pub(crate) async fn upsert_attendance(
    db: &impl ConnectionTrait,
    event: Uuid,
    user: Uuid,
    minutes: i32,
    source: AttendanceSource,
    adjusted_by: Option<Uuid>,
    reason: Option<String>,
) -> Result<attendance::Model, ApiError> {
    let now = Utc::now();
    let existing = attendance::Entity::find()
        .filter(attendance::Column::EventId.eq(event))
        .filter(attendance::Column::UserId.eq(user))
        .one(db)
        .await?;
    Ok(match existing {
        Some(existing) => {
            let mut active: attendance::ActiveModel = existing.into();
            active.minutes = Set(minutes);
            active.source = Set(source);
            active.adjusted_by_id = Set(adjusted_by);
            active.reason = Set(reason);
            active.updated_at = Set(now);
            active.update(db).await?
        }
        None => {
            attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event),
                user_id: Set(user),
                minutes: Set(minutes),
                source: Set(source),
                adjusted_by_id: Set(adjusted_by),
                reason: Set(reason),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    })
}

/// The users who take part in `cohort`, as a condition on `user.id`: members of its actively
/// enrolled organizations, and its staff.
pub(crate) fn cohort_participants(cohort: Uuid) -> sea_orm::Condition {
    use entity::{cohort_staff, membership, user};
    use sea_orm::sea_query::Query;
    let members = Query::select()
        .column(membership::Column::UserId)
        .from(membership::Entity)
        .and_where(
            membership::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(enrollment::Column::OrganizationId)
                    .from(enrollment::Entity)
                    .and_where(enrollment::Column::CohortId.eq(cohort))
                    .and_where(enrollment::Column::Status.eq(EnrollmentStatus::Active))
                    .to_owned(),
            ),
        )
        .to_owned();
    let staff = Query::select()
        .column(cohort_staff::Column::UserId)
        .from(cohort_staff::Entity)
        .and_where(cohort_staff::Column::CohortId.eq(cohort))
        .to_owned();
    sea_orm::Condition::any()
        .add(user::Column::Id.in_subquery(members))
        .add(user::Column::Id.in_subquery(staff))
}

/// Which of `users` take part in `cohort`, in one statement.
pub(crate) async fn participants_among(
    db: &impl ConnectionTrait,
    cohort: Uuid,
    users: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, ApiError> {
    use entity::user;
    use sea_orm::QuerySelect as _;
    if users.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(users.iter().copied()))
        .filter(cohort_participants(cohort))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Staff record or correct how long someone attended, with the reason.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn record_attendance(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
    user_id: Uuid,
    minutes: i32,
    reason: &str,
) -> Result<attendance::Model, ApiError> {
    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    crate::user::service::visible_user(db, viewer, user_id).await?;
    let mut v = Validator::new();
    let reason = v.text("reason", reason, TEXT_MAX);
    if !(0..=DURATION_MAX).contains(&minutes) {
        v.reject(
            "minutes",
            FieldErrorCode::Invalid,
            format!("must be between 0 and {DURATION_MAX}"),
        );
    }
    if !participants_among(db, event.cohort_id, &[user_id])
        .await?
        .contains(&user_id)
    {
        v.reject(
            "userId",
            FieldErrorCode::Invalid,
            "does not take part in the cohort",
        );
    }
    v.finish()?;
    let txn = db.begin().await?;
    let saved = upsert_attendance(
        &txn,
        event.id,
        user_id,
        minutes,
        AttendanceSource::Manual,
        Some(actor.user_id),
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// An attendee checks themselves in during the event (from a quarter of an hour before the
/// start to the end); the attendance counts the planned duration until staff adjust it.
///
/// **Permissions**: members of organizations actively enrolled in the event's cohort.
pub async fn check_in(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
) -> Result<attendance::Model, ApiError> {
    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    policy::check_register(actor, event.cohort_id)?;
    let now = Utc::now();
    let ends_at = event.starts_at + Duration::minutes(i64::from(event.duration_minutes));
    if event.status == EventStatus::Cancelled
        || now < event.starts_at - CHECK_IN_EARLY
        || now > ends_at
    {
        return Err(ApiError::invalid(
            "eventId",
            FieldErrorCode::RegistrationClosed,
            "check-in is open from 15 minutes before the start to the end of the event",
        ));
    }
    let existing = attendance::Entity::find()
        .filter(attendance::Column::EventId.eq(event.id))
        .filter(attendance::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        return Ok(existing);
    }
    upsert_attendance(
        db,
        event.id,
        actor.user_id,
        event.duration_minutes,
        AttendanceSource::SelfCheckIn,
        None,
        None,
    )
    .await
}

/// When an event ends.
pub fn ends_at(event: &event::Model) -> DateTime<Utc> {
    event.starts_at + Duration::minutes(i64::from(event.duration_minutes))
}
