//! What surrounds events: a cohort's toolkit of resources, the breakout groups of coaching
//! calls, and the action items organizations take away from them.

use chrono::{NaiveDate, Utc};
use entity::enrollment::{self, EnrollmentStatus};
use entity::event::{self, EventKind};
use entity::resource::{self, ResourceKind};
use entity::{action_item, breakout_group, breakout_group_member, membership, resource_topic};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    ModelTrait as _, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode};
use crate::event::policy::{self, action_item_scope, breakout_group_scope, resource_scope};
use crate::event::service::{URL_MAX, participants_among, visible_event};
use crate::store::{begin_write, find_in_scope, update_versioned};
use crate::topic::service::check_topic_ids;
use crate::validate::Validator;

/// Longest title of a resource.
pub const TITLE_MAX: usize = 200;
/// Longest description.
pub const TEXT_MAX: usize = 5000;
/// Longest group name.
pub const GROUP_NAME_MAX: usize = 100;
/// Longest action item.
pub const ACTION_MAX: usize = 500;
/// Most topics on a resource.
pub const TOPICS_MAX: usize = 10;
/// Most organizations in a breakout group.
pub const GROUP_MAX: usize = 50;

/// A new entry of a cohort's toolkit.
#[derive(Debug, Clone)]
pub struct NewResource {
    pub cohort_id: Uuid,
    pub event_id: Option<Uuid>,
    pub kind: ResourceKind,
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    pub topic_ids: Vec<Uuid>,
}

/// Changes to a resource; `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ResourceChanges {
    pub kind: Option<ResourceKind>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_id: Option<Option<Uuid>>,
    pub topic_ids: Option<Vec<Uuid>>,
}

async fn set_resource_topics(
    db: &impl ConnectionTrait,
    resource: Uuid,
    topics: &[Uuid],
) -> Result<(), ApiError> {
    resource_topic::Entity::delete_many()
        .filter(resource_topic::Column::ResourceId.eq(resource))
        .exec(db)
        .await?;
    if topics.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    resource_topic::Entity::insert_many(topics.iter().map(|topic| resource_topic::ActiveModel {
        id: Set(Uuid::now_v7()),
        resource_id: Set(resource),
        topic_id: Set(*topic),
        created_at: Set(now),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Checks that `event` is one of `cohort`'s that the viewer sees.
async fn check_event_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    v: &mut Validator,
    event: Uuid,
    cohort: Uuid,
) -> Result<(), ApiError> {
    match visible_event(db, viewer, event).await {
        Ok(found) if found.cohort_id == cohort => {}
        Ok(_) | Err(ApiError::NotFound(_)) => {
            v.reject(
                "eventId",
                FieldErrorCode::Invalid,
                "must be an event of the cohort",
            );
        }
        Err(err) => return Err(err),
    }
    Ok(())
}

/// The resource `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_resource(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<resource::Model, ApiError> {
    find_in_scope::<resource::Entity>(
        db,
        resource::Column::Id,
        id,
        resource_scope(viewer),
        "resource",
    )
    .await
}

/// Adds a link to a cohort's toolkit, alone or attached to one of its events (a recording can
/// be added after the event).
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn add_resource(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewResource,
) -> Result<resource::Model, ApiError> {
    let actor = viewer.require()?;
    crate::cohort::service::visible_cohort(db, viewer, input.cohort_id).await?;
    policy::check_manage(actor, input.cohort_id)?;
    let mut v = Validator::new();
    let title = v.text("title", &input.title, TITLE_MAX);
    let url = v.url("url", &input.url, URL_MAX);
    let description = v.optional_text("description", input.description.as_deref(), TEXT_MAX);
    if let Some(event) = input.event_id {
        check_event_of(db, viewer, &mut v, event, input.cohort_id).await?;
    }
    let topics = check_topic_ids(db, &mut v, "topicIds", &input.topic_ids, TOPICS_MAX).await?;
    v.finish()?;
    let now = Utc::now();
    let created = resource::ActiveModel {
        id: Set(Uuid::now_v7()),
        cohort_id: Set(input.cohort_id),
        event_id: Set(input.event_id),
        kind: Set(input.kind),
        title: Set(title.unwrap_or_default()),
        url: Set(url.unwrap_or_default()),
        description: Set(description),
        created_by_id: Set(Some(actor.user_id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    set_resource_topics(db, created.id, &topics).await?;
    Ok(created)
}

/// Changes a resource if `expected_version` is current.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn update_resource(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: ResourceChanges,
) -> Result<resource::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_resource(&txn, viewer, id).await?;
    policy::check_manage(actor, current.cohort_id)?;
    let mut v = Validator::new();
    let mut active = resource::ActiveModel {
        title: v.text_change("title", changes.title, TITLE_MAX),
        description: v.optional_text_change("description", changes.description, TEXT_MAX),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(url) = changes.url
        && let Some(url) = v.url("url", &url, URL_MAX)
    {
        active.url = Set(url);
    }
    if let Some(kind) = changes.kind {
        active.kind = Set(kind);
    }
    if let Some(event) = changes.event_id {
        if let Some(event) = event {
            check_event_of(&txn, viewer, &mut v, event, current.cohort_id).await?;
        }
        active.event_id = Set(event);
    }
    let topics = match &changes.topic_ids {
        Some(ids) => Some(check_topic_ids(&txn, &mut v, "topicIds", ids, TOPICS_MAX).await?),
        None => None,
    };
    v.finish()?;
    let updated = update_versioned(
        &txn,
        resource::Column::Id,
        resource::Column::Version,
        id,
        expected_version,
        active,
        "resource",
    )
    .await?;
    if let Some(topics) = topics {
        set_resource_topics(&txn, id, &topics).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Removes a resource from the toolkit and returns it as it was.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn remove_resource(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<resource::Model, ApiError> {
    let actor = viewer.require()?;
    let current = visible_resource(db, viewer, id).await?;
    policy::check_manage(actor, current.cohort_id)?;
    current.clone().delete(db).await?;
    Ok(current)
}

/// A breakout group's organizations: each actively enrolled in the cohort, at most
/// [`GROUP_MAX`], duplicates once.
async fn check_members(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    cohort: Uuid,
    organizations: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    let mut unique = Vec::with_capacity(organizations.len());
    for id in organizations {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.len() > GROUP_MAX {
        v.reject(
            "organizationIds",
            FieldErrorCode::Invalid,
            format!("must have at most {GROUP_MAX} organizations"),
        );
        return Ok(Vec::new());
    }
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::CohortId.eq(cohort))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollment::Column::OrganizationId.is_in(unique.iter().copied()))
        .count(db)
        .await?;
    if usize::try_from(enrolled).ok() != Some(unique.len()) {
        v.reject(
            "organizationIds",
            FieldErrorCode::Invalid,
            "must be organizations enrolled in the cohort",
        );
    }
    Ok(unique)
}

async fn check_facilitator(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    cohort: Uuid,
    facilitator: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(user) = facilitator
        && !participants_among(db, cohort, &[user])
            .await?
            .contains(&user)
    {
        v.reject(
            "facilitatorId",
            FieldErrorCode::Invalid,
            "must be someone who takes part in the cohort",
        );
    }
    Ok(())
}

async fn set_group_members(
    db: &impl ConnectionTrait,
    group: Uuid,
    organizations: &[Uuid],
) -> Result<(), ApiError> {
    breakout_group_member::Entity::delete_many()
        .filter(breakout_group_member::Column::GroupId.eq(group))
        .exec(db)
        .await?;
    if organizations.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    breakout_group_member::Entity::insert_many(organizations.iter().map(|org| {
        breakout_group_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(group),
            organization_id: Set(*org),
            created_at: Set(now),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The breakout group `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_group(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<breakout_group::Model, ApiError> {
    find_in_scope::<breakout_group::Entity>(
        db,
        breakout_group::Column::Id,
        id,
        breakout_group_scope(viewer),
        "breakout group",
    )
    .await
}

/// Forms a breakout group on a coaching call: a name, a facilitator, organizations enrolled
/// in the cohort.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn create_breakout_group(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
    name: &str,
    facilitator: Option<Uuid>,
    organizations: &[Uuid],
) -> Result<breakout_group::Model, ApiError> {
    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    let mut v = Validator::new();
    if event.kind != EventKind::CoachingCall {
        v.reject(
            "eventId",
            FieldErrorCode::Invalid,
            "breakout groups belong to coaching calls",
        );
    }
    let name = v.text("name", name, GROUP_NAME_MAX);
    check_facilitator(db, &mut v, event.cohort_id, facilitator).await?;
    let members = check_members(db, &mut v, event.cohort_id, organizations).await?;
    v.finish()?;
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let group = breakout_group::ActiveModel {
        id: Set(Uuid::now_v7()),
        event_id: Set(event.id),
        name: Set(name.unwrap_or_default()),
        facilitator_id: Set(facilitator),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    set_group_members(&txn, group.id, &members).await?;
    txn.commit().await?;
    Ok(group)
}

/// Changes a breakout group if `expected_version` is current; `organizations` replaces its
/// members.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn update_breakout_group(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    name: Option<String>,
    facilitator: Option<Option<Uuid>>,
    organizations: Option<Vec<Uuid>>,
) -> Result<breakout_group::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_group(&txn, viewer, id).await?;
    let event = visible_event(&txn, viewer, current.event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    let mut v = Validator::new();
    let mut active = breakout_group::ActiveModel {
        name: v.text_change("name", name, GROUP_NAME_MAX),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(facilitator) = facilitator {
        check_facilitator(&txn, &mut v, event.cohort_id, facilitator).await?;
        active.facilitator_id = Set(facilitator);
    }
    let members = match &organizations {
        Some(ids) => Some(check_members(&txn, &mut v, event.cohort_id, ids).await?),
        None => None,
    };
    v.finish()?;
    let updated = update_versioned(
        &txn,
        breakout_group::Column::Id,
        breakout_group::Column::Version,
        id,
        expected_version,
        active,
        "breakout group",
    )
    .await?;
    if let Some(members) = members {
        set_group_members(&txn, id, &members).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Removes a breakout group and returns it as it was.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn remove_breakout_group(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<breakout_group::Model, ApiError> {
    let actor = viewer.require()?;
    let current = visible_group(db, viewer, id).await?;
    let event = visible_event(db, viewer, current.event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    current.clone().delete(db).await?;
    Ok(current)
}

/// Changes to an action item; `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ActionItemChanges {
    pub title: Option<String>,
    pub owner: Option<Option<Uuid>>,
    pub due_on: Option<Option<NaiveDate>>,
    /// Done, or open again.
    pub done: Option<bool>,
}

/// The action item `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_action_item(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<action_item::Model, ApiError> {
    find_in_scope::<action_item::Entity>(
        db,
        action_item::Column::Id,
        id,
        action_item_scope(viewer),
        "action item",
    )
    .await
}

async fn check_owner(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    organization: Uuid,
    owner: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(owner) = owner {
        let member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(organization))
            .filter(membership::Column::UserId.eq(owner))
            .count(db)
            .await?;
        if member == 0 {
            v.reject(
                "ownerId",
                FieldErrorCode::Invalid,
                "must be a member of the organization",
            );
        }
    }
    Ok(())
}

/// Records an action item an organization took away from an event.
///
/// **Permissions**: the organization's members, the cohort's leads and coaches, and admins.
pub async fn create_action_item(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    event_id: Uuid,
    organization: Uuid,
    title: &str,
    owner: Option<Uuid>,
    due_on: Option<NaiveDate>,
) -> Result<action_item::Model, ApiError> {
    let actor = viewer.require()?;
    let event: event::Model = visible_event(db, viewer, event_id).await?;
    crate::organization::service::visible_organization(db, viewer, organization).await?;
    policy::check_action_items(actor, event.cohort_id, organization)?;
    let mut v = Validator::new();
    let title = v.text("title", title, ACTION_MAX);
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::CohortId.eq(event.cohort_id))
        .filter(enrollment::Column::OrganizationId.eq(organization))
        .count(db)
        .await?;
    if enrolled == 0 {
        v.reject(
            "organizationId",
            FieldErrorCode::Invalid,
            "must be an organization of the event's cohort",
        );
    }
    check_owner(db, &mut v, organization, owner).await?;
    v.finish()?;
    let now = Utc::now();
    Ok(action_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        event_id: Set(event.id),
        organization_id: Set(organization),
        owner_id: Set(owner),
        title: Set(title.unwrap_or_default()),
        due_on: Set(due_on),
        done_at: Set(None),
        created_by_id: Set(Some(actor.user_id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Changes an action item if `expected_version` is current: its title, owner, due date, or
/// whether it is done.
///
/// **Permissions**: the organization's members, the cohort's leads and coaches, and admins.
pub async fn update_action_item(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    changes: ActionItemChanges,
) -> Result<action_item::Model, ApiError> {
    let ActionItemChanges {
        title,
        owner,
        due_on,
        done,
    } = changes;
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let current = visible_action_item(&txn, viewer, id).await?;
    let event = visible_event(&txn, viewer, current.event_id).await?;
    policy::check_action_items(actor, event.cohort_id, current.organization_id)?;
    let mut v = Validator::new();
    let mut active = action_item::ActiveModel {
        title: v.text_change("title", title, ACTION_MAX),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(owner) = owner {
        check_owner(&txn, &mut v, current.organization_id, owner).await?;
        active.owner_id = Set(owner);
    }
    if let Some(due_on) = due_on {
        active.due_on = Set(due_on);
    }
    match (done, current.done_at) {
        (Some(true), None) => active.done_at = Set(Some(Utc::now())),
        (Some(false), Some(_)) => active.done_at = Set(None),
        _ => active.done_at = ActiveValue::NotSet,
    }
    v.finish()?;
    let updated = update_versioned(
        &txn,
        action_item::Column::Id,
        action_item::Column::Version,
        id,
        expected_version,
        active,
        "action item",
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Turns the groups of a GROUPS matching run into the breakout groups of a coaching call of
/// the same cohort: one group per proposed or accepted match, named in order ("Group 1", ...),
/// with the match's organizations that are still enrolled. A call that already has groups is
/// left alone (`INVALID_STATE`): remove them first.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn groups_from_run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    event_id: Uuid,
    run_id: Uuid,
) -> Result<Vec<breakout_group::Model>, ApiError> {
    use entity::match_participant;
    use entity::matching_run::{MatchingMode, RunStatus};
    use entity::peer_match::{self, MatchStatus};
    use sea_orm::QueryOrder as _;

    let actor = viewer.require()?;
    let event = visible_event(db, viewer, event_id).await?;
    policy::check_manage(actor, event.cohort_id)?;
    let run = crate::matching::service::visible_run(db, viewer, run_id).await?;
    let mut v = Validator::new();
    if event.kind != EventKind::CoachingCall {
        v.reject(
            "eventId",
            FieldErrorCode::Invalid,
            "breakout groups belong to coaching calls",
        );
    }
    if run.cohort_id != event.cohort_id {
        v.reject(
            "runId",
            FieldErrorCode::Invalid,
            "the run is of another cohort",
        );
    } else if run.mode != MatchingMode::Groups {
        v.reject(
            "runId",
            FieldErrorCode::Invalid,
            "only a GROUPS run forms breakout groups",
        );
    } else if run.status == RunStatus::Discarded {
        v.reject(
            "runId",
            FieldErrorCode::InvalidState,
            "the run was discarded",
        );
    }
    v.finish()?;
    let txn = begin_write(db).await?;
    crate::store::lock_row::<event::Entity>(&txn, event::Column::Id, event.id).await?;
    let existing = breakout_group::Entity::find()
        .filter(breakout_group::Column::EventId.eq(event.id))
        .count(&txn)
        .await?;
    if existing > 0 {
        return Err(ApiError::invalid(
            "eventId",
            FieldErrorCode::InvalidState,
            "the call already has breakout groups; remove them first",
        ));
    }
    let matches = peer_match::Entity::find()
        .filter(peer_match::Column::RunId.eq(run.id))
        .filter(peer_match::Column::Status.ne(MatchStatus::Declined))
        .order_by_asc(peer_match::Column::Id)
        .all(&txn)
        .await?;
    let participants = match_participant::Entity::find()
        .filter(match_participant::Column::MatchId.is_in(matches.iter().map(|m| m.id)))
        .order_by_asc(match_participant::Column::Id)
        .all(&txn)
        .await?;
    let enrolled: Vec<Uuid> = enrollment::Entity::find()
        .filter(enrollment::Column::CohortId.eq(event.cohort_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| e.organization_id)
        .collect();
    let now = Utc::now();
    let mut groups = Vec::with_capacity(matches.len());
    for (n, found) in matches.iter().enumerate() {
        let members: Vec<Uuid> = participants
            .iter()
            .filter(|p| p.match_id == found.id && enrolled.contains(&p.organization_id))
            .map(|p| p.organization_id)
            .collect();
        let group = breakout_group::ActiveModel {
            id: Set(Uuid::now_v7()),
            event_id: Set(event.id),
            name: Set(format!("Group {}", n + 1)),
            facilitator_id: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        set_group_members(&txn, group.id, &members).await?;
        groups.push(group);
    }
    txn.commit().await?;
    Ok(groups)
}
