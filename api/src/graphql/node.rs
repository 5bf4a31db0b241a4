//! The `Node` interface and the `node` and `nodes` root fields.

use async_graphql::{Context, ID, Interface, Object, Result};
use futures_util::future::try_join_all;
use uuid::Uuid;

use crate::account::types::{AccessToken, Identity, Session};
use crate::cohort::types::{Cohort, CohortStaff, Enrollment};
use crate::error::ApiError;
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{NodeKind, decode};
use crate::graphql::loaders::Loaders;
use crate::invitation::types::Invitation;
use crate::organization::types::{Membership, Organization};
use crate::topic::types::Topic;
use crate::user::types::User;

/// An object with a global ID that `node(id:)` can fetch again.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The global ID: opaque, stable, unique."
))]
pub enum Node {
    User(User),
    Organization(Organization),
    Membership(Membership),
    Cohort(Cohort),
    Enrollment(Enrollment),
    CohortStaff(CohortStaff),
    Topic(Topic),
    Invitation(Invitation),
    Identity(Identity),
    Session(Session),
    AccessToken(AccessToken),
}

/// The most IDs `nodes` resolves at once.
const MAX_NODES: usize = 100;

/// Loads one node through the request's loaders, `None` if the viewer cannot see it.
async fn load(loaders: &Loaders, kind: NodeKind, id: Uuid) -> Result<Option<Node>, ApiError> {
    Ok(match kind {
        NodeKind::User => loaders
            .user
            .load_one(id)
            .await?
            .map(|m| Node::User(m.into())),
        NodeKind::Organization => loaders
            .organization
            .load_one(id)
            .await?
            .map(|m| Node::Organization(m.into())),
        NodeKind::Membership => loaders
            .membership
            .load_one(id)
            .await?
            .map(|m| Node::Membership(m.into())),
        NodeKind::Cohort => loaders
            .cohort
            .load_one(id)
            .await?
            .map(|m| Node::Cohort(m.into())),
        NodeKind::Enrollment => loaders
            .enrollment
            .load_one(id)
            .await?
            .map(|m| Node::Enrollment(m.into())),
        NodeKind::CohortStaff => loaders
            .cohort_staff
            .load_one(id)
            .await?
            .map(|m| Node::CohortStaff(m.into())),
        NodeKind::Topic => loaders
            .topic
            .load_one(id)
            .await?
            .map(|m| Node::Topic(m.into())),
        NodeKind::Invitation => loaders
            .invitation
            .load_one(id)
            .await?
            .map(|m| Node::Invitation(m.into())),
        NodeKind::Identity => loaders
            .identity
            .load_one(id)
            .await?
            .map(|m| Node::Identity(m.into())),
        NodeKind::Session => loaders
            .session
            .load_one(id)
            .await?
            .map(|m| Node::Session(m.into())),
        NodeKind::AccessToken => loaders
            .access_token
            .load_one(id)
            .await?
            .map(|m| Node::AccessToken(m.into())),
    })
}

/// Root fields for refetching any object by its global ID.
#[derive(Default)]
pub struct NodeQuery;

#[Object(guard = "crate::graphql::SignedIn")]
impl NodeQuery {
    /// Fetches any object by its global ID. `null` with a `NOT_FOUND` error if it does not
    /// exist or the viewer cannot see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID from any object's `id` field.")] id: ID,
    ) -> Result<Option<Node>> {
        // Nullable, so that a missing object nulls only this field, not the whole response.
        let (kind, uuid) = decode(&id)?;
        Ok(Some(
            load(ctx.loaders()?, kind, uuid)
                .await?
                .ok_or(ApiError::NotFound(kind.type_name()))?,
        ))
    }

    /// Fetches up to 100 objects by global ID, in the order given; `null` in place of each
    /// one that does not exist or that the viewer cannot see.
    #[graphql(complexity = "ids.len().max(1).saturating_mul(child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs from objects' `id` fields (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::BadUserInput(format!("pass at most {MAX_NODES} IDs")).into());
        }
        let keys = ids.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let loaders = ctx.loaders()?;
        let nodes =
            try_join_all(keys.into_iter().map(|(kind, id)| load(loaders, kind, id))).await?;
        Ok(nodes)
    }
}
