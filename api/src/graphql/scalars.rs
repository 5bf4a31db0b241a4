//! The time scalars of the schema, named and described for clients rather than after the Rust
//! types behind them.

use serde::{Deserialize, Serialize};

/// An instant, RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

async_graphql::scalar!(
    DateTime,
    "DateTime",
    "An instant in time, as an RFC 3339 string in UTC, for example `2026-03-05T17:00:00Z`."
);

impl From<chrono::DateTime<chrono::Utc>> for DateTime {
    fn from(value: chrono::DateTime<chrono::Utc>) -> Self {
        Self(value)
    }
}

/// A calendar date without a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub chrono::NaiveDate);

async_graphql::scalar!(
    Date,
    "Date",
    "A calendar date as `YYYY-MM-DD`, for example `2026-03-05`."
);

impl From<chrono::NaiveDate> for Date {
    fn from(value: chrono::NaiveDate) -> Self {
        Self(value)
    }
}
