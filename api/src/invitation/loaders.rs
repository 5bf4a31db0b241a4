//! Loaders of invitations.

use entity::invitation;

use crate::graphql::loaders::by_id_loader;
use crate::invitation::policy::invitation_scope;

by_id_loader!(
    /// Invitations by id, as far as the viewer may see them.
    InvitationById: invitation::Entity, invitation::Column::Id, invitation_scope
);
