//! The `Node` interface, the registry of object types with global IDs, and the `node` and
//! `nodes` root fields.
//!
//! An object type gets a global ID by one line in [`node_types!`] below; its domain implements
//! [`NodeType`] next to the type, naming the entity it shows and the loader that finds it by
//! primary key inside the viewer's scope. The node kind, the name inside IDs and `node(id:)`
//! resolution all follow from that.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Interface, Object, Result};
use entity::Columns;
use futures_util::future::try_join_all;
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::error::ApiError;
use crate::graphql::ContextExt as _;
use crate::graphql::ids::{self, decode};
use crate::graphql::loaders::{ByIdLoader, LinkLoader, LoaderKind, Loaders};
use crate::graphql::projection::{ReadsColumns, columns_selected};

/// Names an object type inside global IDs; implemented by [`node_types!`].
pub trait HasNodeKind {
    /// The kind of the type.
    const KIND: NodeKind;

    /// The global ID of the object with primary key `id`.
    fn global_id(id: Uuid) -> ID {
        ids::encode(Self::KIND, id)
    }
}

/// An object type with a global ID, declared in its domain.
pub trait NodeType:
    HasNodeKind + From<<Self::Entity as EntityTrait>::Model> + Into<Node> + Send + Sync
{
    /// The table whose rows this type shows.
    type Entity: EntityTrait<Model: Sync + entity::FromColumns, Column: Sync> + Sync;
    /// Finds rows by primary key inside the viewer's visibility scope.
    type ById: LoaderKind<Loader = DataLoader<ByIdLoader<Self::Entity>>>;
}

impl Loaders {
    /// The object `id` of type `T` if the viewer may see it.
    pub async fn node<T: NodeType>(&self, id: Uuid) -> Result<Option<T>, ApiError> {
        self.node_reading(id, Columns::ALL).await
    }

    /// The object `id` of type `T` if the viewer may see it, read whole unless a relation
    /// read at least its `columns` ahead.
    async fn node_reading<T: NodeType>(
        &self,
        id: Uuid,
        columns: Columns,
    ) -> Result<Option<T>, ApiError> {
        let loader = self.get::<T::ById>();
        if let Some(row) = loader.loader().read_ahead(id, columns) {
            return Ok(Some(T::from(row)));
        }
        Ok(loader.load_one(id).await?.map(T::from))
    }

    /// The objects of type `T` that the link table behind `K` pairs `parent` with, in the
    /// order of the links, leaving out those the viewer may not see.
    pub async fn linked<K, L, T>(&self, parent: Uuid) -> Result<Vec<T>, ApiError>
    where
        K: LoaderKind<Loader = DataLoader<LinkLoader<L>>>,
        L: EntityTrait + Sync,
        L::Model: Sync,
        L::Column: Sync,
        T: NodeType,
    {
        let ids = self.get::<K>().load_one(parent).await?.unwrap_or_default();
        let found = try_join_all(ids.into_iter().map(|id| self.node::<T>(id))).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// The object `id` of type `T`, or `NOT_FOUND` if it does not exist or the viewer may not
    /// see it.
    pub async fn require<T: NodeType>(&self, id: Uuid) -> Result<T, ApiError> {
        self.node::<T>(id)
            .await?
            .ok_or(ApiError::NotFound(T::KIND.type_name()))
    }

    /// Like [`Loaders::require`] for the field `ctx` resolves, of type `T`: a row read ahead
    /// serves if it holds the columns the field's selection reads.
    pub async fn require_selected<T>(&self, ctx: &Context<'_>, id: Uuid) -> Result<T, ApiError>
    where
        T: NodeType + ReadsColumns<Entity = <T as NodeType>::Entity>,
    {
        self.node_reading::<T>(id, columns_selected::<T>(ctx))
            .await?
            .ok_or(ApiError::NotFound(T::KIND.type_name()))
    }
}

/// Declares every object type with a global ID: `Kind => path::to::Type`, where `Kind` is
/// the GraphQL type name.
macro_rules! node_types {
    ($($kind:ident => $($segment:ident)::+),* $(,)?) => {
        /// Every type that implements `Node`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum NodeKind {
            $(
                #[doc = concat!("`", stringify!($kind), "`")]
                $kind,
            )*
        }

        impl NodeKind {
            /// Every kind.
            pub const ALL: &'static [Self] = &[$(Self::$kind),*];

            /// The GraphQL type name, used inside the ID.
            pub fn type_name(self) -> &'static str {
                match self {
                    $(Self::$kind => stringify!($kind),)*
                }
            }
        }

        $(impl HasNodeKind for $($segment)::+ {
            const KIND: NodeKind = NodeKind::$kind;
        })*

        /// An object with a global ID that `node(id:)` can fetch again.
        #[derive(Interface)]
        #[graphql(field(
            name = "id",
            ty = "ID",
            desc = "The global ID: opaque, stable, unique."
        ))]
        pub enum Node {
            $($kind($($segment)::+),)*
        }

        /// Loads one node, `None` if the viewer cannot see it.
        async fn load(loaders: &Loaders, kind: NodeKind, id: Uuid) -> Result<Option<Node>, ApiError> {
            Ok(match kind {
                $(NodeKind::$kind => loaders.node::<$($segment)::+>(id).await?.map(Node::from),)*
            })
        }
    };
}

node_types! {
    User => crate::user::types::User,
    Organization => crate::organization::types::Organization,
    Membership => crate::organization::types::Membership,
    Cohort => crate::cohort::types::Cohort,
    Enrollment => crate::cohort::types::Enrollment,
    CohortStaff => crate::cohort::types::CohortStaff,
    Topic => crate::topic::types::Topic,
    Invitation => crate::invitation::types::Invitation,
    Identity => crate::account::types::Identity,
    Session => crate::account::types::Session,
    AccessToken => crate::account::types::AccessToken,
    Milestone => crate::milestone::types::Milestone,
    MilestoneProgress => crate::milestone::types::MilestoneProgress,
    MilestoneComment => crate::milestone::types::MilestoneComment,
    MilestoneChange => crate::milestone::types::MilestoneChange,
    ShowcasedMilestone => crate::milestone::types::ShowcasedMilestone,
    Event => crate::event::types::Event,
    Registration => crate::event::types::Registration,
    Attendance => crate::event::types::Attendance,
    Notification => crate::event::types::Notification,
    CalendarFeed => crate::event::types::CalendarFeed,
    Resource => crate::event::types::Resource,
    BreakoutGroup => crate::event::types::BreakoutGroup,
    ActionItem => crate::event::types::ActionItem,
    Assessment => crate::matching::types::Assessment,
    MatchingRun => crate::matching::types::MatchingRun,
    PeerMatch => crate::matching::types::PeerMatch,
    MatchParticipant => crate::matching::types::MatchParticipant,
    MatchContact => crate::matching::types::MatchContact,
    MatchFeedback => crate::matching::types::MatchFeedback,
}

impl NodeKind {
    /// The kind by its type name.
    pub fn from_type_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.type_name() == name)
    }
}

/// The most IDs `nodes` resolves at once.
const MAX_NODES: usize = 100;

/// Root fields for refetching any object by its global ID. Open to anonymous viewers, who
/// find only public objects.
#[derive(Default)]
pub struct NodeQuery;

#[Object(guard = "crate::graphql::Public")]
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

/// Declares an object type with a global ID over the rows of the entity module `table`: the
/// newtype, its conversion from a row and its [`NodeType`], found by primary key through `by_id`.
macro_rules! node_object {
    ($(#[$meta:meta])* $name:ident: $table:ident, $by_id:ty) => {
        $(#[$meta])*
        pub struct $name(pub $table::Model);

        impl From<$table::Model> for $name {
            fn from(model: $table::Model) -> Self {
                Self(model)
            }
        }

        impl $crate::graphql::node::NodeType for $name {
            type Entity = $table::Entity;
            type ById = $by_id;
        }
    };
}

pub(crate) use node_object;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_found_by_their_type_name() {
        for kind in NodeKind::ALL {
            assert_eq!(NodeKind::from_type_name(kind.type_name()), Some(*kind));
        }
        assert_eq!(NodeKind::from_type_name("Nothing"), None);
    }
}
