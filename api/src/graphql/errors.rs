//! How service errors reach GraphQL clients: top-level errors with a stable `extensions.code`,
//! or `userErrors` in a mutation payload.

use async_graphql::{ErrorExtensions as _, SimpleObject};

use crate::error::{ApiError, FieldError, FieldErrorCode};

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.log();
        let code = err.code();
        async_graphql::Error::new(err.message()).extend_with(|_, extensions| {
            extensions.set("code", code);
            if let ApiError::Conflict {
                current_version, ..
            } = err
            {
                extensions.set("currentVersion", current_version);
            }
        })
    }
}

/// A problem with the input of a mutation that the user can fix, such as a blank name.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// Path to the input field that caused the error, for example `["input", "name"]`.
    pub field: Option<Vec<String>>,
    /// A human-readable explanation, suitable for showing next to the field.
    pub message: String,
    /// A stable, machine-readable reason.
    pub code: FieldErrorCode,
}

impl From<FieldError> for UserError {
    fn from(err: FieldError) -> Self {
        Self {
            field: Some(err.field),
            message: err.message,
            code: err.code,
        }
    }
}

/// Builds a mutation payload: the result on success, `userErrors` on invalid input, and a
/// top-level error for anything else.
pub fn payload<T, P>(
    result: Result<T, ApiError>,
    build: impl FnOnce(Option<T>, Vec<UserError>) -> P,
) -> async_graphql::Result<P> {
    match result {
        Ok(value) => Ok(build(Some(value), Vec::new())),
        Err(ApiError::Invalid(errors)) => Ok(build(
            None,
            errors.into_iter().map(UserError::from).collect(),
        )),
        Err(err) => Err(err.into()),
    }
}
