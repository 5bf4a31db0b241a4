//! Account use cases.

use chrono::{DateTime, Utc};
use entity::{access_token, identity, user};
use sea_orm::{
    ActiveModelTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, Set, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use crate::account::policy::{
    check_manage_users, identity_scope, personal_token_scope, session_scope,
};
use crate::auth::Viewer;
use crate::auth::session::{revoke, revoke_all};
use crate::auth::token::{IssuedToken, create_personal_token};
use crate::error::{ApiError, FieldErrorCode};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::store::find_in_scope;
use crate::validate::Validator;

/// The viewer's personal access token `id`, else `NOT_FOUND`.
pub async fn own_token(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<access_token::Model, ApiError> {
    find_in_scope::<access_token::Entity>(
        db,
        access_token::Column::Id,
        id,
        personal_token_scope(viewer),
        "access token",
    )
    .await
}

/// Creates a personal access token for the viewer. The secret is returned once.
///
/// **Permissions**: any signed-in user, for themselves.
pub async fn create_token(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<IssuedToken, ApiError> {
    let actor = viewer.require()?;
    let mut v = Validator::new();
    let name = v.text("name", name, 100);
    if expires_at.is_some_and(|at| at <= Utc::now()) {
        v.reject(
            "expiresAt",
            FieldErrorCode::Invalid,
            "must be in the future",
        );
    }
    v.finish()?;
    create_personal_token(db, actor.user_id, &name.unwrap_or_default(), expires_at).await
}

/// Revokes one of the viewer's personal access tokens.
///
/// **Permissions**: the token's owner.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<access_token::Model, ApiError> {
    let token = own_token(db, viewer, id).await?;
    revoke(db, &token).await?;
    own_token(db, viewer, id).await
}

/// Ends one of the viewer's sessions (a mobile sign-in ends with all its tokens).
///
/// **Permissions**: the session's owner.
pub async fn revoke_session(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<access_token::Model, ApiError> {
    let session = find_in_scope::<access_token::Entity>(
        db,
        access_token::Column::Id,
        id,
        session_scope(viewer),
        "session",
    )
    .await?;
    revoke(db, &session).await?;
    Ok(session)
}

/// Removes one of the viewer's external identities; they can no longer sign in with it.
///
/// **Permissions**: the identity's owner.
pub async fn unlink_identity(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<identity::Model, ApiError> {
    let found = find_in_scope::<identity::Entity>(
        db,
        identity::Column::Id,
        id,
        identity_scope(viewer),
        "identity",
    )
    .await?;
    found.clone().delete(db).await?;
    Ok(found)
}

/// Deactivates or reactivates a user. Deactivation ends all their sessions and tokens at once.
///
/// **Permissions**: admins; nobody can deactivate themselves.
pub async fn set_user_active(
    db: &(impl ConnectionTrait + TransactionTrait),
    viewer: &Viewer,
    id: Uuid,
    active: bool,
) -> Result<user::Model, ApiError> {
    let actor = viewer.require()?;
    let found = crate::user::service::visible_user(db, viewer, id).await?;
    check_manage_users(actor)?;
    if !active && found.id == actor.user_id {
        return Err(ApiError::invalid(
            "id",
            FieldErrorCode::Invalid,
            "you cannot deactivate yourself",
        ));
    }
    if found.is_active == active {
        // Nothing changes, and an active user's sessions stay signed in.
        return Ok(found);
    }
    let txn = db.begin().await?;
    let mut model: user::ActiveModel = found.into();
    model.is_active = Set(active);
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    // Also on reactivation: a token issued by a sign-in or refresh that raced the deactivation
    // must not come back to life with the account.
    revoke_all(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A page of `user`'s own records of `E` inside `scope`, or an empty page when `user` is not
/// the viewer: at most one user per request is the viewer, so this costs at most one query per
/// field.
pub async fn own_page<E: EntityTrait>(
    db: &DatabaseConnection,
    viewer: &Viewer,
    user: Uuid,
    scope: fn(&Viewer) -> Condition,
    order: Order<E>,
    page: &Page,
) -> Result<(Slice<E::Model>, TotalCount), ApiError>
where
    E::Model: Sync + entity::FromColumns,
{
    if viewer.require()?.user_id != user {
        page.check(&order)?;
        return Ok((Slice::default(), TotalCount::zero()));
    }
    fetch_page(db, E::find().filter(scope(viewer)), &order, page).await
}
