//! The one error type of the service layer and its stable codes.
//!
//! Services return [`ApiError`]; the GraphQL layer turns it into an error with a stable
//! `extensions.code`, or into `userErrors` for [`ApiError::Invalid`]. Database and internal
//! errors are logged (the log line carries the request id) and reach the client only as a
//! generic message.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// A problem with one input field that the user can fix (shown next to the field in a form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path to the offending input field, for example `["input", "name"]`.
    pub field: Vec<String>,
    /// Human-readable explanation.
    pub message: String,
    /// Stable machine-readable reason.
    pub code: FieldErrorCode,
}

impl FieldError {
    /// An error on `input.<name>`.
    pub fn new(name: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: vec!["input".to_owned(), name.to_owned()],
            message: message.into(),
            code,
        }
    }
}

// The one list of these codes: the GraphQL schema shows this enum as `UserErrorCode`.
/// Why a mutation input was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "UserErrorCode")]
pub enum FieldErrorCode {
    /// A required value is empty or only whitespace.
    Blank,
    /// The value is longer than allowed.
    TooLong,
    /// The value does not have the required format or is out of range.
    Invalid,
    /// Another record already uses this value.
    Taken,
    /// The change would leave the organization without a lead.
    LastLead,
    /// The organization's lead has not consented to showing the milestone publicly.
    ConsentRequired,
    /// Only an achieved milestone can be shown publicly.
    NotAchieved,
    /// Registration (or check-in) for the event is not open: it has passed its deadline, started
    /// or been cancelled.
    RegistrationClosed,
    /// Every seat of the event is taken and the request asked not to be waitlisted.
    EventFull,
    /// The value repeats one given earlier in the same input (a topic rated twice).
    Duplicate,
    /// The object is not in a state that allows this (a published run edited, a declined
    /// match answered).
    InvalidState,
    /// The organization is already in another match of the run.
    AlreadyMatched,
    /// The organizations are excluded from being matched together.
    Excluded,
}

/// Everything that can go wrong in a service call.
#[derive(Debug)]
pub enum ApiError {
    /// No valid credentials were presented.
    Unauthenticated,
    /// The viewer can see the object but may not do this to it.
    Forbidden,
    /// The object does not exist or the viewer may not see it.
    NotFound(&'static str),
    /// The object changed since the client read it.
    Conflict {
        /// Which kind of object, for the message.
        entity: &'static str,
        /// The version now stored.
        current_version: i32,
    },
    /// An idempotency key was sent again with a different input.
    IdempotencyKeyReused,
    /// The request is malformed in a way a form cannot fix (a bad ID or cursor).
    BadUserInput(String),
    /// One or more fields failed validation; returned to the client as `userErrors`.
    Invalid(Vec<FieldError>),
    /// The database could not be reached in time.
    Unavailable(DbErr),
    /// A database error other than unavailability; details are logged, never sent.
    Database(DbErr),
    /// Anything else; details are logged, never sent.
    Internal(anyhow::Error),
}

impl ApiError {
    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict { .. } => "CONFLICT",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::BadUserInput(_) | Self::Invalid(_) => "BAD_USER_INPUT",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Database(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    /// The message sent to the client: never database or internal detail.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".to_owned(),
            Self::Forbidden => "you do not have permission to do this".to_owned(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Conflict { entity, .. } => {
                format!("the {entity} was changed by someone else; reload it and try again")
            }
            Self::IdempotencyKeyReused => {
                "this idempotency key was used for a request with different input; use a new key \
                 for a new request"
                    .to_owned()
            }
            Self::BadUserInput(message) => message.clone(),
            Self::Invalid(_) => "invalid input".to_owned(),
            Self::Unavailable(_) => "the service is temporarily unavailable".to_owned(),
            Self::Database(_) | Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Logs what the client will not see: internal and database details. The log line carries
    /// the request id through the request's tracing span.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => tracing::error!(error = ?source, "internal error"),
            Self::Database(source) => tracing::error!(error = %source, "database error"),
            Self::Unavailable(source) => tracing::warn!(error = %source, "database unavailable"),
            _ => {}
        }
    }

    /// A single field error as an `Invalid` error.
    pub fn invalid(name: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(name, code, message)])
    }

    /// Turns a unique-constraint violation into a `TAKEN` field error on `field`; any other
    /// error stays what it is.
    pub fn on_unique(self, field: &str, message: &str) -> Self {
        match &self {
            Self::Database(err) if is_unique_violation(err) => {
                Self::invalid(field, FieldErrorCode::Taken, message)
            }
            _ => self,
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Database(err)
        }
    }
}

impl From<std::sync::Arc<DbErr>> for ApiError {
    fn from(err: std::sync::Arc<DbErr>) -> Self {
        DbErr::clone(&err).into()
    }
}

/// Whether a database error is a unique-constraint violation: another writer got there first.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether a database error means "could not reach the database" rather than a bad statement.
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            e.as_ref(),
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use async_graphql::EnumType as _;

    use super::*;

    /// One error of every kind. The match below stops compiling when a variant is added, so
    /// the new one must be listed here too.
    fn one_of_each() -> Vec<ApiError> {
        let all = vec![
            ApiError::Unauthenticated,
            ApiError::Forbidden,
            ApiError::NotFound("organization"),
            ApiError::Conflict {
                entity: "organization",
                current_version: 2,
            },
            ApiError::IdempotencyKeyReused,
            ApiError::BadUserInput(String::new()),
            ApiError::Invalid(Vec::new()),
            ApiError::Unavailable(DbErr::Custom(String::new())),
            ApiError::Database(DbErr::Custom(String::new())),
            ApiError::Internal(anyhow::anyhow!("")),
        ];
        for err in &all {
            match err {
                ApiError::Unauthenticated
                | ApiError::Forbidden
                | ApiError::NotFound(_)
                | ApiError::Conflict { .. }
                | ApiError::IdempotencyKeyReused
                | ApiError::BadUserInput(_)
                | ApiError::Invalid(_)
                | ApiError::Unavailable(_)
                | ApiError::Database(_)
                | ApiError::Internal(_) => {}
            }
        }
        all
    }

    /// Codes the transport gives requests that never reach the services.
    const TRANSPORT_CODES: [&str; 8] = [
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_REQUEST",
        "METHOD_NOT_ALLOWED",
        "NOT_ACCEPTABLE",
        "UNSUPPORTED_MEDIA_TYPE",
        "PAYLOAD_TOO_LARGE",
        "REQUEST_TIMEOUT",
        "PERSISTED_QUERY_NOT_FOUND",
    ];

    /// The text of every source file under `dir`, but this file's tests.
    fn sources(dir: &Path, found: &mut String) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if path.ends_with("error.rs") {
                    // Here the codes are defined, not raised: only `on_unique` raises one.
                    let helpers = text.find("pub fn on_unique").unwrap_or(text.len());
                    let end = text.find("impl From<DbErr>").unwrap_or(text.len());
                    found.push_str(text.get(helpers..end).unwrap_or_default());
                } else {
                    found.push_str(&text);
                }
            }
        }
    }

    #[test]
    fn every_error_code_is_documented() {
        let guide = include_str!("../../docs/api.md");
        let mut codes: Vec<&str> = one_of_each().iter().map(ApiError::code).collect();
        codes.extend(TRANSPORT_CODES);
        codes.extend(FieldErrorCode::items().iter().map(|item| item.name));
        let missing: Vec<&str> = codes
            .into_iter()
            .filter(|code| !guide.contains(&format!("`{code}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/api.md does not explain {missing:?}"
        );
    }

    #[test]
    fn every_error_is_raised_somewhere() {
        let mut code = String::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut code,
        );
        assert!(code.contains("ApiError::"), "no sources found");
        let mut unused = Vec::new();
        for item in FieldErrorCode::items() {
            let variant = format!("FieldErrorCode::{:?}", item.value);
            if !code.contains(&variant) {
                unused.push(variant);
            }
        }
        // Database errors arrive through `From<DbErr>`; every other error is named where raised.
        for err in one_of_each() {
            let variant = format!("{err:?}");
            let name = variant
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or_default()
                .to_owned();
            if !matches!(name.as_str(), "Unavailable" | "Database")
                && !code.contains(&format!("ApiError::{name}"))
            {
                unused.push(format!("ApiError::{name}"));
            }
        }
        for transport in TRANSPORT_CODES {
            if !code.contains(&format!("\"{transport}\"")) {
                unused.push(transport.to_owned());
            }
        }
        assert!(unused.is_empty(), "codes nothing raises: {unused:?}");
    }
}
