//! Loaders of the viewer's own sign-in records.

use entity::{access_token, identity};

use crate::account::policy::{identity_scope, personal_token_scope, session_scope};
use crate::graphql::loaders::by_id_loader;

by_id_loader!(
    /// The viewer's identities by id.
    IdentityById: identity::Entity, identity::Column::Id, identity_scope
);

by_id_loader!(
    /// The viewer's live sessions by id.
    SessionById: access_token::Entity, access_token::Column::Id, session_scope
);

by_id_loader!(
    /// The viewer's personal access tokens by id.
    AccessTokenById: access_token::Entity, access_token::Column::Id, personal_token_scope
);
