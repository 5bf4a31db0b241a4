//! Root queries about events, notifications and calendar feeds.

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use entity::event;

use crate::event::loaders::{EventFilter, by_start};
use crate::event::service;
use crate::event::types::{
    CalendarFeedConnection, Event, EventConnection, EventKind, NotificationConnection,
};
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::{Order, OrderDirection, Page};
use crate::graphql::scalars::DateTime;

/// The order of a list of events: by start, earliest first unless `direction` says otherwise.
fn event_order(direction: Option<OrderDirection>) -> Order<event::Entity> {
    by_start().direction_of(direction.unwrap_or_default().is_descending())
}

/// The filter of a list of events from its arguments.
pub fn event_filter(
    kind: Option<EventKind>,
    topic_id: Option<&ID>,
    from: Option<DateTime>,
    to: Option<DateTime>,
) -> Result<EventFilter> {
    Ok(EventFilter {
        kind: kind.map(Into::into),
        topic: topic_id
            .map(|id| decode_as(id, NodeKind::Topic))
            .transpose()?,
        from: from.map(|at| at.0),
        to: to.map(|at| at.0),
    })
}

/// Root queries about events.
#[derive(Default)]
pub struct EventQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl EventQuery {
    /// One event. `null` with a `NOT_FOUND` error if it does not exist or the viewer cannot
    /// see it.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's global ID.")] id: ID,
    ) -> Result<Option<Event>> {
        let id = decode_as(&id, NodeKind::Event)?;
        Ok(Some(ctx.loaders()?.require(id).await?))
    }

    /// The events of every cohort the viewer sees, by start. Upcoming ones by default: pass
    /// `from` (and `to`) for another range, and `direction: DESC` for the latest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "the arguments of a filtered connection"
    )]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events of this kind.")] kind: Option<EventKind>,
        #[graphql(desc = "Only events about this topic.")] topic_id: Option<ID>,
        #[graphql(desc = "Only events starting at or after this instant; now if omitted.")]
        from: Option<DateTime>,
        #[graphql(desc = "Only events starting before this instant.")] to: Option<DateTime>,
        #[graphql(desc = "Earliest first (`ASC`, the default) or latest first.")] direction: Option<
            OrderDirection,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<EventConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let from = Some(from.unwrap_or(DateTime(Utc::now())));
        let filter = event_filter(kind, topic_id.as_ref(), from, to)?;
        let order = event_order(direction);
        Ok(
            service::list_events(ctx.db()?, ctx.viewer()?, filter, &order, &page)
                .await?
                .into(),
        )
    }

    /// The viewer's notifications, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those not marked read.", default)] unread_only: bool,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<NotificationConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        Ok(
            service::list_notifications(ctx.db()?, ctx.viewer()?, unread_only, &page)
                .await?
                .into(),
        )
    }

    /// The viewer's calendar feeds, revoked ones included, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn calendar_feeds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<CalendarFeedConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        Ok(
            service::list_calendar_feeds(ctx.db()?, ctx.viewer()?, &page)
                .await?
                .into(),
        )
    }
}

/// Events of a cohort, for `Cohort.events`.
pub async fn cohort_events(
    ctx: &Context<'_>,
    cohort: uuid::Uuid,
    filter: EventFilter,
    direction: Option<OrderDirection>,
    page: Page,
) -> Result<EventConnection> {
    let (slice, total) = ctx
        .loader::<crate::event::loaders::EventsOfCohort>()?
        .filtered(filter, event_order(direction))
        .page(cohort, page)
        .await?;
    Ok(EventConnection::new(slice, total))
}
