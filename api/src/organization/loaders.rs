//! Loaders of organizations and memberships.

use entity::{membership, organization, user};

use crate::graphql::loaders::{by_id_loader, relation_loader};
use crate::graphql::pagination::Order;
use crate::organization::policy::{membership_scope, organization_scope};
use crate::user::loaders::UserById;

by_id_loader!(
    /// Organizations by id, as far as the viewer may see them.
    OrganizationById: organization::Entity, organization::Column::Id, organization_scope
);

by_id_loader!(
    /// Memberships by id, as far as the viewer may see them.
    MembershipById: membership::Entity, membership::Column::Id, membership_scope
);

relation_loader!(
    /// An organization's members, oldest first, each read with their user.
    MembersOfOrganization: membership::Entity,
    membership::Column::OrganizationId,
    Order::by_key(membership::Column::Id),
    membership_scope,
    ahead: user::Entity => UserById
);

relation_loader!(
    /// A user's memberships, oldest first, each read with its organization.
    MembershipsOfUser: membership::Entity,
    membership::Column::UserId,
    Order::by_key(membership::Column::Id),
    membership_scope,
    ahead: organization::Entity => OrganizationById
);
