//! Lookups of users for other domains' use cases.

use entity::user;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::store::find_in_scope;
use crate::user::policy::user_scope;

/// The user `id` if the viewer may see them, else `NOT_FOUND`.
pub async fn visible_user(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<user::Model, ApiError> {
    find_in_scope::<user::Entity>(db, user::Column::Id, id, user_scope(viewer), "user").await
}
