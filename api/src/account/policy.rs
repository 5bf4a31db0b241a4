//! Identities, sessions and tokens are private to their user, administrators included.
//! Only administrators deactivate and reactivate users.

use chrono::Utc;
use entity::access_token::{self, TokenKind};
use entity::identity;
use sea_orm::{ColumnTrait, Condition};

use crate::auth::{Actor, Viewer, nothing};
use crate::error::ApiError;

/// Like `auth::scope`, but without the administrators' view of everything.
fn own(viewer: &Viewer, rule: impl FnOnce(&Actor) -> Condition) -> Condition {
    match viewer {
        Viewer::Anonymous => nothing(),
        Viewer::User(actor) => rule(actor),
    }
}

/// The viewer's own external identities.
pub fn identity_scope(viewer: &Viewer) -> Condition {
    own(viewer, |actor| {
        Condition::all().add(identity::Column::UserId.eq(actor.user_id))
    })
}

/// The viewer's own live sessions: browser sessions and mobile sign-ins (their refresh tokens).
pub fn session_scope(viewer: &Viewer) -> Condition {
    own(viewer, |actor| {
        Condition::all()
            .add(access_token::Column::UserId.eq(actor.user_id))
            .add(
                access_token::Column::Kind.is_in([TokenKind::WebSession, TokenKind::MobileRefresh]),
            )
            .add(access_token::Column::RevokedAt.is_null())
            .add(
                Condition::any()
                    .add(access_token::Column::ExpiresAt.is_null())
                    .add(access_token::Column::ExpiresAt.gt(Utc::now())),
            )
    })
}

/// The viewer's own personal access tokens, revoked ones included.
pub fn personal_token_scope(viewer: &Viewer) -> Condition {
    own(viewer, |actor| {
        Condition::all()
            .add(access_token::Column::UserId.eq(actor.user_id))
            .add(access_token::Column::Kind.eq(TokenKind::Personal))
    })
}

/// Checks that the actor may deactivate and reactivate users.
pub fn check_manage_users(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
