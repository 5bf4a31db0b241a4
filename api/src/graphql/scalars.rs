//! The time scalars of the schema, named and described for clients rather than after the Rust
//! types behind them. Malformed values are rejected while the request is validated, so a
//! request carrying one does not run at all.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// An instant, RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant in time, as an RFC 3339 string, for example `2026-03-05T17:00:00Z`. Instants are
/// returned in UTC; any offset is accepted in inputs.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|at| Self(at.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(
                        "expected an RFC 3339 instant such as 2026-03-05T17:00:00Z",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if chrono::DateTime::parse_from_rfc3339(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(value: chrono::DateTime<Utc>) -> Self {
        Self(value)
    }
}

/// A calendar date without a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

fn parse_date(text: &str) -> Option<NaiveDate> {
    // Exactly YYYY-MM-DD: chrono alone would also take years with fewer digits.
    (text.len() == 10)
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// A calendar date as `YYYY-MM-DD`, for example `2026-03-05`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => parse_date(text).map(Self).ok_or_else(|| {
                InputValueError::custom("expected a calendar date such as 2026-03-05")
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if parse_date(text).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(value: NaiveDate) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_dates() {
        assert!(Date::is_valid(&Value::String("2026-02-28".to_owned())));
        for bad in ["2026-02-30", "26-01-01", "tomorrow", "2026-1-1"] {
            assert!(!Date::is_valid(&Value::String(bad.to_owned())), "{bad}");
        }
        assert!(!Date::is_valid(&Value::Number(1.into())));
    }

    #[test]
    fn instants_are_rfc_3339_and_come_back_in_utc() {
        let parsed = DateTime::parse(Value::String("2026-03-05T18:00:00+01:00".to_owned()));
        let Ok(parsed) = parsed else {
            panic!("a valid instant was rejected");
        };
        assert_eq!(
            parsed.to_value(),
            Value::String("2026-03-05T17:00:00Z".to_owned())
        );
        assert!(!DateTime::is_valid(&Value::String("yesterday".to_owned())));
    }
}
