//! Series of events from a recurrence rule: weekly, every N weeks, or monthly on "the 2nd
//! Tuesday", ending on a date or after a count, at most three years ahead. The expansion is
//! the `rrule` crate's, in the event's own time zone, so every occurrence keeps the local
//! wall-clock time across daylight-saving changes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rrule::RRuleSet;

use crate::error::{FieldError, FieldErrorCode};

/// The furthest a series may run past its first occurrence.
pub const HORIZON: Duration = Duration::days(3 * 366);
/// The most occurrences one series may have.
pub const MAX_OCCURRENCES: u16 = 200;

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every `interval` weeks.
    Weekly,
    /// Every `interval` months.
    Monthly,
}

/// A recurrence as a client describes it.
#[derive(Debug, Clone)]
pub struct Recurrence {
    pub frequency: Frequency,
    /// Every how many weeks or months (1 to 12).
    pub interval: u16,
    /// On which days of the week; the first occurrence's day if empty.
    pub weekdays: Vec<Weekday>,
    /// Monthly only: which of the month's `weekdays` (1 to 4, or -1 for the last).
    pub week_of_month: Option<i16>,
    /// The last day an occurrence may fall on, in the event's time zone.
    pub until: Option<NaiveDate>,
    /// How many occurrences in all.
    pub count: Option<u32>,
}

fn invalid(message: impl Into<String>) -> FieldError {
    FieldError::new("recurrence", FieldErrorCode::Invalid, message)
}

fn day_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The RFC 5545 `RRULE` value of `recurrence` for a series whose first occurrence is `start`
/// in `tz`.
pub fn rule(
    recurrence: &Recurrence,
    start: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<String, FieldError> {
    if !(1..=12).contains(&recurrence.interval) {
        return Err(invalid("interval must be between 1 and 12"));
    }
    let mut parts = vec![
        match recurrence.frequency {
            Frequency::Weekly => "FREQ=WEEKLY".to_owned(),
            Frequency::Monthly => "FREQ=MONTHLY".to_owned(),
        },
        format!("INTERVAL={}", recurrence.interval),
    ];
    let local_start = start.with_timezone(&tz);
    let mut days = recurrence.weekdays.clone();
    days.dedup();
    match (recurrence.frequency, recurrence.week_of_month) {
        (Frequency::Weekly, Some(_)) => {
            return Err(invalid("weekOfMonth applies to monthly series only"));
        }
        (Frequency::Weekly, None) => {
            if days.is_empty() {
                days.push(local_start.weekday());
            }
            let codes: Vec<&str> = days.iter().copied().map(day_code).collect();
            parts.push(format!("BYDAY={}", codes.join(",")));
        }
        (Frequency::Monthly, Some(nth)) => {
            if !matches!(nth, 1..=4 | -1) {
                return Err(invalid("weekOfMonth must be 1 to 4, or -1 for the last"));
            }
            if days.is_empty() {
                days.push(local_start.weekday());
            }
            let codes: Vec<String> = days
                .iter()
                .map(|day| format!("{nth}{}", day_code(*day)))
                .collect();
            parts.push(format!("BYDAY={}", codes.join(",")));
        }
        (Frequency::Monthly, None) => {
            if !days.is_empty() {
                return Err(invalid(
                    "a monthly series on weekdays needs weekOfMonth, for example 2 for the 2nd",
                ));
            }
        }
    }
    match (recurrence.until, recurrence.count) {
        (None, None) => {
            return Err(invalid(
                "a series must end: give `until` or `count` (at most three years ahead)",
            ));
        }
        (Some(_), Some(_)) => return Err(invalid("give `until` or `count`, not both")),
        (Some(until), None) => {
            if until < local_start.date_naive() {
                return Err(invalid("until must not be before the first occurrence"));
            }
            // The end of that day in the event's zone, as UTC (RFC 5545 3.3.10).
            let end = tz
                .from_local_datetime(&until.and_time(NaiveTime::MIN))
                .earliest()
                .map_or(start, |midnight| midnight.with_timezone(&Utc))
                + Duration::days(1)
                - Duration::seconds(1);
            parts.push(format!("UNTIL={}", end.format("%Y%m%dT%H%M%SZ")));
        }
        (None, Some(count)) => {
            if count == 0 || count > u32::from(MAX_OCCURRENCES) {
                return Err(invalid(format!(
                    "count must be between 1 and {MAX_OCCURRENCES}"
                )));
            }
            parts.push(format!("COUNT={count}"));
        }
    }
    Ok(parts.join(";"))
}

/// The instants of the occurrences of `rule` starting at `start` in `tz`: at most
/// [`MAX_OCCURRENCES`], none later than [`HORIZON`] after the first.
pub fn expand(
    rule: &str,
    start: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Vec<DateTime<Utc>>, FieldError> {
    let local = start.with_timezone(&tz);
    let text = format!(
        "DTSTART;TZID={}:{}\nRRULE:{rule}",
        tz.name(),
        local.format("%Y%m%dT%H%M%S")
    );
    let set: RRuleSet = text
        .parse()
        .map_err(|err: rrule::RRuleError| invalid(format!("not a valid recurrence: {err}")))?;
    let result = set.all(MAX_OCCURRENCES + 1);
    let dates: Vec<DateTime<Utc>> = result
        .dates
        .iter()
        .map(|date| date.with_timezone(&Utc))
        .collect();
    if dates.len() > usize::from(MAX_OCCURRENCES) {
        return Err(invalid(format!(
            "a series may have at most {MAX_OCCURRENCES} occurrences"
        )));
    }
    if dates.last().is_some_and(|last| *last - start > HORIZON) {
        return Err(invalid("a series may run at most three years ahead"));
    }
    if dates.is_empty() {
        return Err(invalid("the recurrence has no occurrence"));
    }
    Ok(dates)
}

#[cfg(test)]
mod tests {
    use chrono::Timelike;

    use super::*;

    fn denver(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::America::Denver
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn weekly_occurrences_keep_the_local_time_across_daylight_saving() {
        let tz = chrono_tz::America::Denver;
        // Tuesdays at 10:00 from late February 2027 across the March 14 change.
        let start = denver(2027, 2, 23, 10);
        let recurrence = Recurrence {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: Vec::new(),
            week_of_month: None,
            until: None,
            count: Some(6),
        };
        let rule = rule(&recurrence, start, tz).unwrap_or_default();
        assert_eq!(rule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=6");
        let dates = expand(&rule, start, tz).unwrap_or_default();
        assert_eq!(dates.len(), 6);
        for date in &dates {
            assert_eq!(date.with_timezone(&tz).hour(), 10, "{date}");
        }
        // 17:00 UTC in winter, 16:00 UTC in summer.
        assert_eq!(dates[0].hour(), 17);
        assert_eq!(dates[5].hour(), 16);
    }

    #[test]
    fn monthly_on_the_second_tuesday() {
        let tz = chrono_tz::America::New_York;
        let start = tz
            .with_ymd_and_hms(2027, 1, 12, 13, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let recurrence = Recurrence {
            frequency: Frequency::Monthly,
            interval: 1,
            weekdays: vec![Weekday::Tue],
            week_of_month: Some(2),
            until: NaiveDate::from_ymd_opt(2027, 6, 30),
            count: None,
        };
        let rule = rule(&recurrence, start, tz).unwrap_or_default();
        let days: Vec<u32> = expand(&rule, start, tz)
            .unwrap_or_default()
            .iter()
            .map(|d| d.with_timezone(&tz).day())
            .collect();
        assert_eq!(days, [12, 9, 9, 13, 11, 8]);
    }

    #[test]
    fn endless_or_too_long_series_are_refused() {
        let tz = chrono_tz::UTC;
        let start = Utc::now();
        let mut recurrence = Recurrence {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: Vec::new(),
            week_of_month: None,
            until: None,
            count: None,
        };
        assert!(rule(&recurrence, start, tz).is_err());
        recurrence.until = Some((start + Duration::days(4 * 365)).date_naive());
        let too_long = rule(&recurrence, start, tz).unwrap_or_default();
        assert!(expand(&too_long, start, tz).is_err());
        recurrence.frequency = Frequency::Monthly;
        recurrence.until = Some((start + Duration::days(1200)).date_naive());
        let monthly = rule(&recurrence, start, tz).unwrap_or_default();
        assert!(expand(&monthly, start, tz).is_err());
    }
}
