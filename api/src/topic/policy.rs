//! Every signed-in user reads the taxonomy; only admins change it.

use sea_orm::Condition;

use crate::auth::{Actor, Viewer, scope};
use crate::error::ApiError;

/// Topics the viewer may see: all of them, once signed in.
pub fn topic_scope(viewer: &Viewer) -> Condition {
    scope(viewer, |_| Condition::all())
}

/// Checks that the actor may create and change topics.
pub fn check_manage_topics(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
