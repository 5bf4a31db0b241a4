//! Loaders of users.

use entity::user;

use crate::graphql::loaders::by_id_loader;
use crate::user::policy::user_scope;

by_id_loader!(
    /// Users by id, as far as the viewer may see them.
    UserById: user::Entity, user::Column::Id, user_scope
);
