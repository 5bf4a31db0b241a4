//! Loaders of topics.

use entity::topic;

use crate::graphql::loaders::by_id_loader;
use crate::topic::policy::topic_scope;

by_id_loader!(
    /// Topics by id.
    TopicById: topic::Entity, topic::Column::Id, topic_scope
);
