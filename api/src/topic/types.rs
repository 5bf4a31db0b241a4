//! The `Topic` type.

use crate::graphql::scalars::DateTime;
use async_graphql::{ID, Object};
use entity::topic;

use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::connection;
use crate::topic::loaders::TopicById;

node_object!(
    /// An entry of the topic taxonomy that needs, expertise, milestones and sessions refer to.
    Topic: topic, TopicById
);

/// An entry of the topic taxonomy that needs, expertise, milestones and sessions refer to.
#[Object]
impl Topic {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// A short unique name, for example `warm-handoff`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The topic's name, for example "Warm handoff".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the topic covers.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the topic was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the topic was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

connection!(
    TopicConnection,
    TopicEdge,
    Topic,
    "A page of topics.",
    "A topic in a page, with its cursor."
);
