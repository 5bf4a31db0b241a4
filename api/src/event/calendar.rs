//! iCalendar (RFC 5545) feeds: a private, revocable URL per user (the events of their cohorts,
//! marked with their registration) or per cohort (for its staff), for calendar apps to
//! subscribe to over plain HTTP GET.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use entity::calendar_feed;
use entity::event::{self, EventStatus};
use entity::registration::{self, RegistrationStatus};
use entity::{cohort, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::{Actor, Viewer, token};
use crate::cohort::policy::{can_see_cohort, visible_cohorts};
use crate::error::ApiError;
use crate::event::policy::check_manage;
use crate::event::service::ends_at;
use crate::http::AppState;

/// How far back a feed reaches.
const PAST: Duration = Duration::days(90);
/// The most events one feed lists.
const MAX_EVENTS: u64 = 2000;
/// Where feeds are served; the secret and `.ics` follow.
pub const PATH_PREFIX: &str = "/calendar/";

/// A new feed: the stored row and the secret of its URL, shown once.
#[derive(Debug)]
pub struct IssuedFeed {
    pub feed: calendar_feed::Model,
    pub secret: String,
}

impl IssuedFeed {
    /// The path of the feed's URL on this server.
    pub fn path(&self) -> String {
        format!("{PATH_PREFIX}{}.ics", self.secret)
    }
}

/// Creates a calendar feed for the viewer: of their own events, or of `cohort` if they run it.
///
/// **Permissions**: anyone signed in for their own feed; the cohort's leads and coaches, and
/// admins, for a cohort's.
pub async fn create_feed(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cohort: Option<Uuid>,
) -> Result<IssuedFeed, ApiError> {
    let actor = viewer.require()?;
    if let Some(cohort) = cohort {
        crate::cohort::service::visible_cohort(db, viewer, cohort).await?;
        check_manage(actor, cohort)?;
    }
    let secret = format!("plc_{}", token::random_string());
    let feed = calendar_feed::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token::hash(&secret)),
        user_id: Set(actor.user_id),
        cohort_id: Set(cohort),
        revoked_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(IssuedFeed { feed, secret })
}

/// Revokes one of the viewer's feeds: its URL answers 404 from then on.
pub async fn revoke_feed(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<calendar_feed::Model, ApiError> {
    let actor = viewer.require()?;
    let feed = calendar_feed::Entity::find_by_id(id)
        .filter(calendar_feed::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("calendar feed"))?;
    if feed.revoked_at.is_some() {
        return Ok(feed);
    }
    let mut active: calendar_feed::ActiveModel = feed.into();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(db).await?)
}

/// `GET /calendar/{secret}.ics`: the feed, or 404 for an unknown or revoked one, or one whose
/// owner has lost access.
pub async fn serve(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let not_found = || HttpResponse::NotFound().finish();
    let Some(secret) = path.strip_suffix(".ics") else {
        return not_found();
    };
    match render_feed(&state.db, secret).await {
        Ok(Some(body)) => HttpResponse::Ok()
            .content_type("text/calendar; charset=utf-8")
            .insert_header(("cache-control", "private, max-age=300"))
            .body(body),
        Ok(None) => not_found(),
        Err(err) => {
            err.log();
            HttpResponse::ServiceUnavailable().finish()
        }
    }
}

async fn render_feed(db: &impl ConnectionTrait, secret: &str) -> Result<Option<String>, ApiError> {
    let found = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(token::hash(secret)))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    let Some(feed) = found else {
        return Ok(None);
    };
    let owner = user::Entity::find_by_id(feed.user_id).one(db).await?;
    let Some(owner) = owner.filter(|u| u.is_active) else {
        return Ok(None);
    };
    let actor = Actor::load(db, owner).await?;
    let cohorts: Vec<Uuid> = match feed.cohort_id {
        Some(cohort) if can_see_cohort(&actor, cohort) => vec![cohort],
        Some(_) => return Ok(None),
        None => visible_cohorts(&actor).collect(),
    };
    let events = event::Entity::find()
        .filter(event::Column::CohortId.is_in(cohorts.iter().copied()))
        .filter(event::Column::StartsAt.gte(Utc::now() - PAST))
        .order_by_asc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id)
        .limit(MAX_EVENTS)
        .all(db)
        .await?;
    let names: HashMap<Uuid, String> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(cohorts.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let registrations: HashMap<Uuid, RegistrationStatus> = if feed.cohort_id.is_none() {
        registration::Entity::find()
            .filter(registration::Column::UserId.eq(actor.user_id))
            .filter(registration::Column::EventId.is_in(events.iter().map(|e| e.id)))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.event_id, r.status))
            .collect()
    } else {
        HashMap::new()
    };
    let title = match feed.cohort_id.and_then(|c| names.get(&c)) {
        Some(name) => format!("{name} events"),
        None => format!("{}'s cohort events", actor.user.name),
    };
    Ok(Some(calendar(&title, &events, &names, &registrations)))
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends a content line folded at 75 octets (RFC 5545 3.1), ending in CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    out.push_str("\r\n");
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VCALENDAR of `events`: UTC times (so every calendar shows the right local time on both
/// sides of a daylight-saving change), stable UIDs, `SEQUENCE` from the event, cancelled
/// events as `STATUS:CANCELLED`, the cohort's name in each entry, and the viewer's
/// registration, when there is one, in the description (registered events block time).
pub fn calendar(
    title: &str,
    events: &[event::Model],
    cohorts: &HashMap<Uuid, String>,
    registrations: &HashMap<Uuid, RegistrationStatus>,
) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//peerlearn//events//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(title)));
    for event in events {
        let cohort = cohorts.get(&event.cohort_id).map_or("", String::as_str);
        let registration = registrations.get(&event.id);
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@peerlearn", event.id));
        line(&mut out, &format!("DTSTAMP:{}", stamp(event.updated_at)));
        line(
            &mut out,
            &format!("LAST-MODIFIED:{}", stamp(event.updated_at)),
        );
        line(&mut out, &format!("SEQUENCE:{}", event.sequence));
        line(&mut out, &format!("DTSTART:{}", stamp(event.starts_at)));
        line(&mut out, &format!("DTEND:{}", stamp(ends_at(event))));
        line(
            &mut out,
            &format!("SUMMARY:{}", escape(&format!("{} ({cohort})", event.title))),
        );
        line(&mut out, &format!("CATEGORIES:{}", escape(cohort)));
        let mut description = format!("Cohort: {cohort}");
        if let Some(status) = registration {
            let _ = write!(
                description,
                "\nYour registration: {}",
                match status {
                    RegistrationStatus::Registered => "registered",
                    RegistrationStatus::Waitlisted => "on the waitlist",
                    RegistrationStatus::Cancelled => "cancelled",
                }
            );
        }
        if let Some(text) = &event.description {
            let _ = write!(description, "\n\n{text}");
        }
        if let Some(url) = &event.join_url {
            let _ = write!(description, "\n\nJoin: {url}");
            line(&mut out, &format!("URL:{url}"));
        }
        line(&mut out, &format!("DESCRIPTION:{}", escape(&description)));
        if let Some(location) = event.location.as_ref().or(event.join_url.as_ref()) {
            line(&mut out, &format!("LOCATION:{}", escape(location)));
        }
        let status = match event.status {
            EventStatus::Cancelled => "CANCELLED",
            EventStatus::Scheduled | EventStatus::Completed => "CONFIRMED",
        };
        line(&mut out, &format!("STATUS:{status}"));
        let busy = registration == Some(&RegistrationStatus::Registered);
        line(
            &mut out,
            if busy {
                "TRANSP:OPAQUE"
            } else {
                "TRANSP:TRANSPARENT"
            },
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for part in out.split("\r\n") {
            assert!(part.len() <= 75, "{part}");
        }
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("SUMMARY:{}", "é".repeat(60))
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
