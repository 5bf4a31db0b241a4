//! Who may see and run events.
//!
//! - Everyone who sees a cohort (its staff, members of its actively enrolled organizations,
//!   admins) sees its events, with their join URLs and locations: they are the people who may
//!   attend. Members of organizations outside the cohort see nothing of it, not even counts.
//! - The cohort's leads and coaches (and admins) schedule, change and cancel events, see every
//!   registration and attendance record, mark attendance and import reports.
//! - Members of organizations actively enrolled in the cohort register and check themselves
//!   in; they see their own registrations and attendance.
//! - Calendar feeds and notifications are private to their user.

use entity::{attendance, calendar_feed, event, notification, registration};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, scope};
use crate::cohort::policy::{manages_cohort, visible_cohorts};
use crate::error::ApiError;

/// Events the viewer may see: those of cohorts they see.
pub fn event_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(event::Column::CohortId.is_in(visible_cohorts(actor)))
    })
}

/// Rows about people at events (registrations, attendance) that the actor may see: their own,
/// and everyone's at the events of cohorts they run.
fn people_at_events(
    actor: &Actor,
    user: impl ColumnTrait,
    event_id: impl ColumnTrait,
) -> Condition {
    let managed: Vec<Uuid> = actor
        .staff
        .keys()
        .copied()
        .filter(|cohort| manages_cohort(actor, *cohort))
        .collect();
    Condition::any().add(user.eq(actor.user_id)).add(
        event_id.in_subquery(
            Query::select()
                .column(event::Column::Id)
                .from(event::Entity)
                .and_where(event::Column::CohortId.is_in(managed))
                .to_owned(),
        ),
    )
}

/// Registrations the viewer may see.
pub fn registration_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        people_at_events(
            actor,
            registration::Column::UserId,
            registration::Column::EventId,
        )
    })
}

/// Attendance records the viewer may see.
pub fn attendance_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        people_at_events(
            actor,
            attendance::Column::UserId,
            attendance::Column::EventId,
        )
    })
}

/// Notifications the viewer may see: their own, from admins too.
pub fn notification_scope(viewer: &Viewer) -> Condition {
    match viewer {
        Viewer::User(actor) => Condition::all().add(notification::Column::UserId.eq(actor.user_id)),
        Viewer::Anonymous => crate::auth::nothing(),
    }
}

/// Calendar feeds the viewer may see: their own, from admins too.
pub fn calendar_feed_scope(viewer: &Viewer) -> Condition {
    match viewer {
        Viewer::User(actor) => {
            Condition::all().add(calendar_feed::Column::UserId.eq(actor.user_id))
        }
        Viewer::Anonymous => crate::auth::nothing(),
    }
}

/// Checks that the actor schedules and changes the events of `cohort`.
pub fn check_manage(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if manages_cohort(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the actor may register for the events of `cohort`: members of organizations
/// actively enrolled in it.
pub fn can_register(actor: &Actor, cohort: Uuid) -> bool {
    actor.peer_cohorts.contains(&cohort)
}

/// Checks that the actor may register for the events of `cohort`.
pub fn check_register(actor: &Actor, cohort: Uuid) -> Result<(), ApiError> {
    if can_register(actor, cohort) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Resources the viewer may see: those of cohorts they see.
pub fn resource_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(entity::resource::Column::CohortId.is_in(visible_cohorts(actor)))
    })
}

/// Rows hanging off events (breakout groups, event people) that the viewer may see: those of
/// events they see.
pub fn of_visible_events(viewer: &Viewer, event_id: impl ColumnTrait) -> Condition {
    scope(viewer, |actor| {
        Condition::all().add(
            event_id.in_subquery(
                Query::select()
                    .column(event::Column::Id)
                    .from(event::Entity)
                    .and_where(event::Column::CohortId.is_in(visible_cohorts(actor)))
                    .to_owned(),
            ),
        )
    })
}

/// Breakout groups the viewer may see: those of events they see.
pub fn breakout_group_scope(viewer: &Viewer) -> Condition {
    of_visible_events(viewer, entity::breakout_group::Column::EventId)
}

/// Action items the viewer may see: their organizations', and all of those from the events of
/// cohorts they staff.
pub fn action_item_scope(viewer: &Viewer) -> Condition {
    use entity::action_item;
    scope(viewer, |actor| {
        Condition::any()
            .add(action_item::Column::OrganizationId.is_in(actor.memberships.keys().copied()))
            .add(
                action_item::Column::EventId.in_subquery(
                    Query::select()
                        .column(event::Column::Id)
                        .from(event::Entity)
                        .and_where(event::Column::CohortId.is_in(actor.staff.keys().copied()))
                        .to_owned(),
                ),
            )
    })
}

/// Checks that the actor may record and change the action items of `organization` from the
/// events of `cohort`: the organization's members, the cohort's leads and coaches, and admins.
pub fn check_action_items(actor: &Actor, cohort: Uuid, organization: Uuid) -> Result<(), ApiError> {
    if manages_cohort(actor, cohort) || actor.memberships.contains_key(&organization) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
