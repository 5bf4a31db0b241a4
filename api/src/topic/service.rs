//! Topic use cases.

use chrono::Utc;
use entity::topic;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode};
use crate::graphql::pagination::{Order, Page, Slice, TotalCount, fetch_page};
use crate::store::{find_in_scope, update_versioned};
use crate::topic::policy::{check_manage_topics, topic_scope};
use crate::validate::Validator;

/// Longest topic name.
pub const NAME_MAX: usize = 100;
/// Longest topic description.
pub const DESCRIPTION_MAX: usize = 2000;
const SLUG_TAKEN: &str = "another topic already uses this slug";

/// What a new topic starts with.
#[derive(Debug, Clone)]
pub struct NewTopic {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

/// Changes to a topic; `None` keeps a field, `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct TopicChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

/// The topic `id`, else `NOT_FOUND`.
pub async fn visible_topic(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<topic::Model, ApiError> {
    find_in_scope::<topic::Entity>(db, topic::Column::Id, id, topic_scope(viewer), "topic").await
}

/// A page of the topic taxonomy.
pub async fn list_topics(
    db: &DatabaseConnection,
    viewer: &Viewer,
    page: &Page,
) -> Result<(Slice<topic::Model>, TotalCount), ApiError> {
    let select = topic::Entity::find().filter(topic_scope(viewer));
    fetch_page(db, select, &Order::by_key(topic::Column::Id), page).await
}

/// Adds a topic to the taxonomy.
///
/// **Permissions**: admins.
pub async fn create_topic(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewTopic,
) -> Result<topic::Model, ApiError> {
    check_manage_topics(viewer.require()?)?;
    let mut v = Validator::new();
    let slug = v.slug("slug", &input.slug);
    let name = v.text("name", &input.name, NAME_MAX);
    let description = v.optional_text("description", input.description.as_deref(), DESCRIPTION_MAX);
    v.finish()?;
    let now = Utc::now();
    topic::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.unwrap_or_default()),
        name: Set(name.unwrap_or_default()),
        description: Set(description),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| ApiError::from(e).on_unique("slug", SLUG_TAKEN))
}

/// Changes a topic if `expected_version` is current.
///
/// **Permissions**: admins.
pub async fn update_topic(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: TopicChanges,
) -> Result<topic::Model, ApiError> {
    let actor = viewer.require()?;
    visible_topic(db, viewer, id).await?;
    check_manage_topics(actor)?;
    let mut v = Validator::new();
    let active = topic::ActiveModel {
        slug: v.slug_change("slug", changes.slug),
        name: v.text_change("name", changes.name, NAME_MAX),
        description: v.optional_text_change("description", changes.description, DESCRIPTION_MAX),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    v.finish()?;
    update_versioned(
        db,
        topic::Column::Id,
        topic::Column::Version,
        id,
        expected_version,
        active,
        "topic",
    )
    .await
    .map_err(|e| e.on_unique("slug", SLUG_TAKEN))
}

/// Checks topic ids given in `field`: at most `max`, each an existing topic; duplicates count
/// once. Returns them without duplicates, in the order given.
pub async fn check_topic_ids(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    field: &str,
    ids: &[Uuid],
    max: usize,
) -> Result<Vec<Uuid>, ApiError> {
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.len() > max {
        v.reject(
            field,
            FieldErrorCode::Invalid,
            format!("must have at most {max} topics"),
        );
        return Ok(Vec::new());
    }
    if !unique.is_empty() {
        let found = topic::Entity::find()
            .filter(topic::Column::Id.is_in(unique.iter().copied()))
            .count(db)
            .await?;
        if usize::try_from(found).ok() != Some(unique.len()) {
            v.reject(field, FieldErrorCode::Invalid, "names an unknown topic");
        }
    }
    Ok(unique)
}
