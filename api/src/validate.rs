//! Input validation that collects every problem at once, so a form can show them all.

use sea_orm::ActiveValue;

use crate::error::{ApiError, FieldError, FieldErrorCode};

fn set_if_valid<T: Into<sea_orm::Value>>(value: Option<T>) -> ActiveValue<T> {
    value.map_or(ActiveValue::NotSet, ActiveValue::Set)
}

/// Whether `text` holds a control character other than tab, line feed and carriage return:
/// a NUL byte, which PostgreSQL cannot store in text, or another that no form produces.
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Collects field errors; [`Validator::finish`] fails with all of them.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// A validator with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error on `input.<field>`.
    pub fn reject(&mut self, field: &str, code: FieldErrorCode, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// A required, trimmed, non-blank text of at most `max` characters. Returns the trimmed
    /// value when it passes.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let trimmed = value.trim();
        if has_control_characters(trimmed) {
            self.reject(
                field,
                FieldErrorCode::Invalid,
                "must not contain control characters",
            );
            None
        } else if trimmed.is_empty() {
            self.reject(field, FieldErrorCode::Blank, "must not be blank");
            None
        } else if trimmed.chars().count() > max {
            self.reject(
                field,
                FieldErrorCode::TooLong,
                format!("must be at most {max} characters"),
            );
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    /// An optional text: blank becomes `None`, otherwise as [`Validator::text`].
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        match value.map(str::trim) {
            None | Some("") => None,
            Some(v) => self.text(field, v, max),
        }
    }

    /// A URL-safe identifier: lowercase letters, digits and single hyphens, at most 64 long.
    pub fn slug(&mut self, field: &str, value: &str) -> Option<String> {
        let value = self.text(field, value, 64)?;
        let well_formed = value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if well_formed {
            Some(value)
        } else {
            self.reject(
                field,
                FieldErrorCode::Invalid,
                "must be lowercase letters and digits separated by single hyphens",
            );
            None
        }
    }

    /// An IANA time-zone name such as `America/Denver`.
    pub fn time_zone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional_text(field, value, 64)?;
        if value.parse::<chrono_tz::Tz>().is_ok() {
            Some(value)
        } else {
            self.reject(
                field,
                FieldErrorCode::Invalid,
                "must be an IANA time zone name such as America/Denver",
            );
            None
        }
    }

    /// A change to a required text for an update: `NotSet` when the client left it out or it
    /// failed validation (the error is recorded).
    pub fn text_change(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> ActiveValue<String> {
        set_if_valid(value.and_then(|v| self.text(field, &v, max)))
    }

    /// A change to a slug for an update, as [`Validator::text_change`].
    pub fn slug_change(&mut self, field: &str, value: Option<String>) -> ActiveValue<String> {
        set_if_valid(value.and_then(|v| self.slug(field, &v)))
    }

    /// A change to an optional text for an update: `NotSet` when left out, `NULL` when cleared
    /// or blank.
    pub fn optional_text_change(
        &mut self,
        field: &str,
        value: Option<Option<String>>,
        max: usize,
    ) -> ActiveValue<Option<String>> {
        match value {
            None => ActiveValue::NotSet,
            Some(v) => ActiveValue::Set(self.optional_text(field, v.as_deref(), max)),
        }
    }

    /// A change to a time zone for an update, as [`Validator::optional_text_change`].
    pub fn time_zone_change(
        &mut self,
        field: &str,
        value: Option<Option<String>>,
    ) -> ActiveValue<Option<String>> {
        match value {
            None => ActiveValue::NotSet,
            Some(v) => ActiveValue::Set(self.time_zone(field, v.as_deref())),
        }
    }

    /// An absolute `http` or `https` URL with a host, of at most `max` characters, trimmed.
    pub fn url(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let url = value.trim();
        let well_formed = url.chars().count() <= max
            && !has_control_characters(url)
            && url::Url::parse(url).is_ok_and(|parsed| {
                matches!(parsed.scheme(), "http" | "https")
                    && parsed.host_str().is_some_and(|h| !h.is_empty())
            });
        if well_formed {
            Some(url.to_owned())
        } else {
            self.reject(
                field,
                FieldErrorCode::Invalid,
                format!("must be an http or https URL of at most {max} characters"),
            );
            None
        }
    }

    /// An optional URL, as [`Validator::url`]; blank is `None`.
    pub fn optional_url(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        match value.map(str::trim) {
            None | Some("") => None,
            Some(v) => self.url(field, v, max),
        }
    }

    /// Fails with every recorded error, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut v = Validator::new();
        assert_eq!(v.text("name", "  Clinic  ", 10), Some("Clinic".to_owned()));
        assert_eq!(v.text("name", "   ", 10), None);
        assert_eq!(v.text("name", "abcdefghijk", 10), None);
        let Err(ApiError::Invalid(errors)) = v.finish() else {
            panic!("expected two field errors");
        };
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, [FieldErrorCode::Blank, FieldErrorCode::TooLong]);
    }

    #[test]
    fn slugs_and_time_zones_are_checked() {
        let mut v = Validator::new();
        assert!(v.slug("slug", "bhi-2026").is_some());
        assert!(v.slug("slug", "Bad Slug").is_none());
        assert!(v.slug("slug", "double--hyphen").is_none());
        assert!(v.time_zone("timeZone", Some("America/Denver")).is_some());
        assert!(v.time_zone("timeZone", Some("Mars/Olympus")).is_none());
        assert!(v.time_zone("timeZone", None).is_none());
        assert!(v.finish().is_err());
    }
}
