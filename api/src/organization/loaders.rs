//! Loaders of organizations and memberships.

use entity::{membership, organization};

use crate::graphql::loaders::{by_id_loader, relation_loader};
use crate::graphql::pagination::Order;
use crate::organization::policy::{membership_scope, organization_scope};

by_id_loader!(
    /// Organizations by id, as far as the viewer may see them.
    OrganizationById: organization::Entity, organization::Column::Id, organization_scope
);

by_id_loader!(
    /// Memberships by id, as far as the viewer may see them.
    MembershipById: membership::Entity, membership::Column::Id, membership_scope
);

relation_loader!(
    /// An organization's members, oldest first.
    MembersOfOrganization: membership::Entity,
    membership::Column::OrganizationId,
    Order::by_key(membership::Column::Id),
    membership_scope
);

relation_loader!(
    /// A user's memberships, oldest first.
    MembershipsOfUser: membership::Entity,
    membership::Column::UserId,
    Order::by_key(membership::Column::Id),
    membership_scope
);
