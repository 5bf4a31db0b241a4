//! Mutations on the topic taxonomy.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::topic;

use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::topic::service::{self, NewTopic, TopicChanges};
use crate::topic::types::Topic;

/// Input of `createTopic`.
#[derive(Debug, InputObject)]
pub struct CreateTopicInput {
    /// A short unique name: lowercase letters and digits separated by single hyphens.
    pub slug: String,
    /// The topic's name (1 to 100 characters).
    pub name: String,
    /// What the topic covers (up to 2000 characters).
    pub description: Option<String>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Result of `createTopic` and `updateTopic`.
#[derive(SimpleObject)]
pub struct TopicPayload {
    /// The topic as it is now, unless the input had errors.
    pub topic: Option<Topic>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateTopic`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateTopicInput {
    /// The topic to change.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new slug.
    pub slug: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
}

/// Mutations on the topic taxonomy.
#[derive(Default)]
pub struct TopicMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl TopicMutation {
    /// Adds a topic to the taxonomy.
    ///
    /// **Permissions**: admins.
    async fn create_topic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new topic.")] input: CreateTopicInput,
    ) -> Result<TopicPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("createTopic", input.idempotency_key.as_deref(), &input);
        let new = NewTopic {
            slug: input.slug,
            name: input.name,
            description: input.description,
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |topic: &topic::Model| topic.id,
            async |txn| service::create_topic(txn, viewer, new).await,
            async |id| service::visible_topic(db, viewer, id).await,
        )
        .await;
        payload(result, |topic, user_errors| TopicPayload {
            topic: topic.map(Into::into),
            user_errors,
        })
    }

    /// Changes a topic.
    ///
    /// **Permissions**: admins.
    async fn update_topic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateTopicInput,
    ) -> Result<TopicPayload> {
        let id = decode_as(&input.id, NodeKind::Topic)?;
        let result = service::update_topic(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            TopicChanges {
                slug: input.slug,
                name: input.name,
                description: input.description.into(),
            },
        )
        .await;
        payload(result, |topic, user_errors| TopicPayload {
            topic: topic.map(Into::into),
            user_errors,
        })
    }
}
