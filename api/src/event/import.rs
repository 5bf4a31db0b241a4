//! Attendance from a Zoom participant report (CSV). Reports vary: a byte-order mark, columns
//! in another order or with other names ("Name (Original Name)", "User Email"), extra columns,
//! blank lines, times in several formats. Each row is matched to a person of the cohort by
//! email (the account's, or a verified sign-in identity's), then by name; repeated joins add
//! up; every row that cannot be used is reported with its reason instead of failing the import.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use entity::attendance::AttendanceSource;
use entity::{identity, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode};
use crate::event::policy;
use crate::event::service::{DURATION_MAX, cohort_participants, upsert_attendance, visible_event};

/// The largest report accepted, in bytes.
pub const REPORT_MAX: usize = 2 * 1024 * 1024;

/// One usable row of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// The line of the file (1 is the header).
    pub line: u64,
    pub name: String,
    pub email: Option<String>,
    pub minutes: i64,
    pub guest: bool,
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Each person matched, with the minutes recorded.
    pub attended: Vec<(Uuid, i32)>,
    /// Rows that were not used.
    pub skipped: Vec<Skipped>,
}

/// Which column holds what.
#[derive(Debug, Default)]
struct Columns {
    name: Option<usize>,
    email: Option<usize>,
    join: Option<usize>,
    leave: Option<usize>,
    duration: Option<usize>,
    guest: Option<usize>,
}

fn columns(header: &csv::StringRecord) -> Columns {
    let mut found = Columns::default();
    for (index, title) in header.iter().enumerate() {
        let title = title.trim().trim_start_matches('\u{feff}').to_lowercase();
        let slot = if title.contains("email") {
            &mut found.email
        } else if title.contains("join") {
            &mut found.join
        } else if title.contains("leave") {
            &mut found.leave
        } else if title.contains("duration") || title.contains("minutes") {
            &mut found.duration
        } else if title.contains("guest") {
            &mut found.guest
        } else if title.contains("name") {
            &mut found.name
        } else {
            continue;
        };
        slot.get_or_insert(index);
    }
    found
}

/// Date-time formats seen in reports: Zoom's US format with and without seconds or AM/PM, and
/// ISO-like ones.
const TIME_FORMATS: [&str; 7] = [
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
];

fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    TIME_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// `Jane Doe (Jane D.)` is Zoom's "Name (Original Name)": the name shown, then the account's.
fn display_name(text: &str) -> String {
    let text = text.trim();
    match text.find(" (") {
        Some(at) if text.ends_with(')') => text[..at].trim().to_owned(),
        _ => text.to_owned(),
    }
}

/// Reads a report into usable rows and skipped ones.
pub fn parse(report: &str) -> Result<(Vec<ReportRow>, Vec<Skipped>), ApiError> {
    let report = report.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(report.as_bytes());
    let header = reader
        .headers()
        .map_err(|_| unreadable("the report has no readable header line"))?
        .clone();
    let columns = columns(&header);
    if columns.name.is_none() && columns.email.is_none() {
        return Err(unreadable(
            "the report needs a name or an email column (a Zoom participant report has both)",
        ));
    }
    if columns.duration.is_none() && (columns.join.is_none() || columns.leave.is_none()) {
        return Err(unreadable(
            "the report needs a duration column, or join and leave time columns",
        ));
    }
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                skipped.push(Skipped {
                    line: err.position().map_or(0, csv::Position::line),
                    name: None,
                    email: None,
                    reason: "the line is not valid CSV".to_owned(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |column: Option<usize>| {
            column
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let name = cell(columns.name).map(display_name);
        let email = cell(columns.email).map(str::to_lowercase);
        let skip = |reason: &str| Skipped {
            line,
            name: name.clone(),
            email: email.clone(),
            reason: reason.to_owned(),
        };
        if name.is_none() && email.is_none() {
            skipped.push(skip("the row has neither a name nor an email"));
            continue;
        }
        let minutes = match cell(columns.duration) {
            Some(duration) => duration.parse::<f64>().ok().map(|m| m.round() as i64),
            None => match (
                cell(columns.join).and_then(parse_time),
                cell(columns.leave).and_then(parse_time),
            ) {
                (Some(join), Some(leave)) if leave >= join => Some((leave - join).num_minutes()),
                (Some(_), Some(_)) => {
                    skipped.push(skip("the leave time is before the join time"));
                    continue;
                }
                _ => None,
            },
        };
        let Some(minutes) = minutes.filter(|m| *m >= 0) else {
            skipped.push(skip(
                "the duration, or the join and leave times, cannot be read",
            ));
            continue;
        };
        let guest = cell(columns.guest)
            .is_some_and(|g| matches!(g.to_lowercase().as_str(), "yes" | "true" | "1" | "y"));
        rows.push(ReportRow {
            line,
            name: name.unwrap_or_default(),
            email,
            minutes,
            guest,
        });
    }
    Ok((rows, skipped))
}

fn unreadable(message: &str) -> ApiError {
    ApiError::invalid("report", FieldErrorCode::Invalid, message)
}

/// The people who take part in `cohort`: members of its actively enrolled organizations and
/// its staff, with their account and verified identity emails.
async fn cohort_people(
    db: &DatabaseConnection,
    cohort: Uuid,
) -> Result<(Vec<user::Model>, Vec<identity::Model>), ApiError> {
    let users = user::Entity::find()
        .filter(cohort_participants(cohort))
        .all(db)
        .await?;
    let identities = identity::Entity::find()
        .filter(identity::Column::UserId.is_in(users.iter().map(|u| u.id)))
        .filter(identity::Column::EmailVerified.eq(true))
        .all(db)
        .await?;
    Ok((users, identities))
}

/// Imports a participant report into the attendance of an event: matched people get the sum
/// of their joins (replacing what was there, as an `IMPORT` by the viewer), and every other
/// row comes back with its reason.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn import_attendance(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
    report: &str,
) -> Result<ImportReport, ApiError> {
    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    if report.len() > REPORT_MAX {
        return Err(unreadable("the report is larger than 2 MiB"));
    }
    let (rows, mut skipped) = parse(report)?;
    let (people, identities) = cohort_people(db, event.cohort_id).await?;
    let mut by_email: HashMap<String, Uuid> = HashMap::new();
    for person in &people {
        if let Some(email) = &person.email {
            by_email.insert(email.to_lowercase(), person.id);
        }
    }
    for identity in &identities {
        if let Some(email) = &identity.email {
            by_email
                .entry(email.to_lowercase())
                .or_insert(identity.user_id);
        }
    }
    let mut by_name: HashMap<String, Vec<Uuid>> = HashMap::new();
    for person in &people {
        by_name
            .entry(person.name.trim().to_lowercase())
            .or_default()
            .push(person.id);
    }
    let mut minutes: HashMap<Uuid, i64> = HashMap::new();
    let mut order = Vec::new();
    for row in rows {
        let found = match row.email.as_ref().and_then(|e| by_email.get(e)) {
            Some(user) => Ok(*user),
            None => match by_name.get(&row.name.to_lowercase()).map(Vec::as_slice) {
                Some([user]) => Ok(*user),
                Some([_, _, ..]) => Err("several people in the cohort have this name"),
                _ if row.guest => Err("a guest who is not in the cohort"),
                _ => Err("no one in the cohort has this email or name"),
            },
        };
        match found {
            Ok(user) => {
                if !minutes.contains_key(&user) {
                    order.push(user);
                }
                *minutes.entry(user).or_default() += row.minutes;
            }
            Err(reason) => skipped.push(Skipped {
                line: row.line,
                name: Some(row.name).filter(|n| !n.is_empty()),
                email: row.email,
                reason: reason.to_owned(),
            }),
        }
    }
    let txn = db.begin().await?;
    let mut attended = Vec::with_capacity(order.len());
    for user in order {
        let total = minutes.get(&user).copied().unwrap_or(0);
        let total = i32::try_from(total.min(i64::from(DURATION_MAX))).unwrap_or(DURATION_MAX);
        upsert_attendance(
            &txn,
            event.id,
            user,
            total,
            AttendanceSource::Import,
            Some(actor.user_id),
            Some("imported from a participant report".to_owned()),
        )
        .await?;
        attended.push((user, total));
    }
    txn.commit().await?;
    skipped.sort_by_key(|s| s.line);
    Ok(ImportReport { attended, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_messy_report_is_read_row_by_row() {
        let report = "\u{feff}User Email,Name (Original Name),Extra,Join Time,Leave Time,Duration (Minutes),Guest\n\
            ana@example.org,Ana Diaz (Ana),x,03/09/2027 10:01:00 AM,03/09/2027 10:31:00 AM,30,No\n\
            \n\
            ,Ben Cho,,2027-03-09 10:00:00,2027-03-09 10:20:00,,Yes\n\
            ,Cy Bad,,yesterday,later,,No\n\
            ,,,,,,\n";
        let parsed = parse(report);
        let Ok((rows, skipped)) = parsed else {
            panic!("the report parses");
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Ana Diaz");
        assert_eq!(rows[0].email.as_deref(), Some("ana@example.org"));
        assert_eq!(rows[0].minutes, 30);
        assert_eq!(rows[1].minutes, 20);
        assert!(rows[1].guest);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].name.as_deref(), Some("Cy Bad"));
    }

    #[test]
    fn a_report_without_the_needed_columns_is_refused() {
        assert!(parse("Foo,Bar\n1,2\n").is_err());
        assert!(parse("Name,Email\nAna,ana@example.org\n").is_err());
    }
}
