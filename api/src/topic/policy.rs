//! Everyone reads the taxonomy, anonymous viewers included; only admins change it.

use sea_orm::Condition;

use crate::auth::{Actor, Viewer, public_scope};
use crate::error::ApiError;

/// Topics the viewer may see: all of them. The taxonomy is public, so that the showcase and
/// the program's website can name topics without a sign-in.
pub fn topic_scope(viewer: &Viewer) -> Condition {
    public_scope(viewer, Condition::all(), |_| Condition::all())
}

/// Checks that the actor may create and change topics.
pub fn check_manage_topics(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
