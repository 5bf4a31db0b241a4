//! Mutations on a cohort's toolkit, the breakout groups of coaching calls, and action items.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use crate::event::toolkit::{self, NewResource, ResourceChanges};
use crate::event::types::{ActionItem, BreakoutGroup, Resource, ResourceKind};
use crate::graphql::ContextExt as _;
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as, encode};
use crate::graphql::scalars::Date;

fn ids(ids: &[ID], kind: NodeKind) -> Result<Vec<uuid::Uuid>> {
    Ok(ids
        .iter()
        .map(|id| decode_as(id, kind))
        .collect::<Result<Vec<_>, _>>()?)
}

fn optional_id(id: MaybeUndefined<ID>, kind: NodeKind) -> Result<Option<Option<uuid::Uuid>>> {
    Ok(match id {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(decode_as(&id, kind)?)),
    })
}

/// Input of `addResource`.
#[derive(Debug, InputObject)]
pub struct AddResourceInput {
    /// The cohort whose toolkit it joins.
    pub cohort_id: ID,
    /// An event of the cohort it belongs to, such as the webinar a recording is of.
    pub event_id: Option<ID>,
    /// What it is.
    pub kind: ResourceKind,
    /// Its title (1 to 200 characters).
    pub title: String,
    /// Where it is: an http or https URL (at most 2000 characters).
    pub url: String,
    /// What it holds (up to 5000 characters).
    pub description: Option<String>,
    /// Topics it is tagged with (at most 10).
    #[graphql(default)]
    pub topic_ids: Vec<ID>,
}

/// Input of `updateResource`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateResourceInput {
    /// The resource.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// What it is.
    pub kind: Option<ResourceKind>,
    /// A new title.
    pub title: Option<String>,
    /// A new URL.
    pub url: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// The event it belongs to; `null` makes it stand alone.
    pub event_id: MaybeUndefined<ID>,
    /// The topics, replacing the old ones.
    pub topic_ids: Option<Vec<ID>>,
}

/// Input of the mutations that remove something by ID.
#[derive(Debug, InputObject)]
pub struct RemoveInput {
    /// What to remove.
    pub id: ID,
}

/// Result of the mutations on resources.
#[derive(SimpleObject)]
pub struct ResourcePayload {
    /// The resource as it is now (or was, when removed), unless the input had errors.
    pub resource: Option<Resource>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `createBreakoutGroup`.
#[derive(Debug, InputObject)]
pub struct CreateBreakoutGroupInput {
    /// The coaching call.
    pub event_id: ID,
    /// The group's name (1 to 100 characters).
    pub name: String,
    /// Who facilitates it: someone who takes part in the cohort.
    pub facilitator_id: Option<ID>,
    /// Organizations enrolled in the cohort (at most 50).
    #[graphql(default)]
    pub organization_ids: Vec<ID>,
}

/// Input of `updateBreakoutGroup`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateBreakoutGroupInput {
    /// The group.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new facilitator; `null` removes them.
    pub facilitator_id: MaybeUndefined<ID>,
    /// The organizations, replacing the old ones.
    pub organization_ids: Option<Vec<ID>>,
}

/// Result of the mutations on breakout groups.
#[derive(SimpleObject)]
pub struct BreakoutGroupPayload {
    /// The group as it is now, unless the input had errors.
    pub group: Option<BreakoutGroup>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `removeBreakoutGroup`.
#[derive(SimpleObject)]
pub struct RemoveBreakoutGroupPayload {
    /// The ID of the group removed, unless the input had errors.
    pub removed_group_id: Option<ID>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `createBreakoutGroupsFromRun`.
#[derive(Debug, InputObject)]
pub struct CreateBreakoutGroupsFromRunInput {
    /// The coaching call; it must have no breakout groups yet.
    pub event_id: ID,
    /// A GROUPS matching run of the same cohort, draft or published.
    pub run_id: ID,
}

/// Result of `createBreakoutGroupsFromRun`.
#[derive(SimpleObject)]
pub struct CreateBreakoutGroupsFromRunPayload {
    /// The groups formed, one per group of the run, unless the input had errors.
    pub groups: Option<Vec<BreakoutGroup>>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Input of `createActionItem`.
#[derive(Debug, InputObject)]
pub struct CreateActionItemInput {
    /// The event it came from.
    pub event_id: ID,
    /// The organization that takes it on: one of the event's cohort.
    pub organization_id: ID,
    /// What to do (1 to 500 characters).
    pub title: String,
    /// The member who owns it.
    pub owner_id: Option<ID>,
    /// When it is due.
    pub due_on: Option<Date>,
}

/// Input of `updateActionItem`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateActionItemInput {
    /// The action item.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new owner; `null` leaves it unowned.
    pub owner_id: MaybeUndefined<ID>,
    /// A new due date; `null` clears it.
    pub due_on: MaybeUndefined<Date>,
    /// Done (`true`) or open again (`false`).
    pub done: Option<bool>,
}

/// Result of the mutations on action items.
#[derive(SimpleObject)]
pub struct ActionItemPayload {
    /// The action item as it is now, unless the input had errors.
    pub action_item: Option<ActionItem>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Mutations on a cohort's toolkit, breakout groups and action items.
#[derive(Default)]
pub struct ToolkitMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl ToolkitMutation {
    /// Adds a link to a cohort's toolkit, alone or attached to one of its events.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn add_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new resource.")] input: AddResourceInput,
    ) -> Result<ResourcePayload> {
        let new = NewResource {
            cohort_id: decode_as(&input.cohort_id, NodeKind::Cohort)?,
            event_id: input
                .event_id
                .as_ref()
                .map(|id| decode_as(id, NodeKind::Event))
                .transpose()?,
            kind: input.kind.into(),
            title: input.title,
            url: input.url,
            description: input.description,
            topic_ids: ids(&input.topic_ids, NodeKind::Topic)?,
        };
        let result = toolkit::add_resource(ctx.db()?, ctx.viewer()?, new).await;
        payload(result, |resource, user_errors| ResourcePayload {
            resource: resource.map(Into::into),
            user_errors,
        })
    }

    /// Changes a resource.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn update_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateResourceInput,
    ) -> Result<ResourcePayload> {
        let id = decode_as(&input.id, NodeKind::Resource)?;
        let changes = ResourceChanges {
            kind: input.kind.map(Into::into),
            title: input.title,
            url: input.url,
            description: input.description.into(),
            event_id: optional_id(input.event_id, NodeKind::Event)?,
            topic_ids: input
                .topic_ids
                .as_deref()
                .map(|t| ids(t, NodeKind::Topic))
                .transpose()?,
        };
        let result = toolkit::update_resource(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            changes,
        )
        .await;
        payload(result, |resource, user_errors| ResourcePayload {
            resource: resource.map(Into::into),
            user_errors,
        })
    }

    /// Removes a resource from the toolkit; the payload shows it as it was.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn remove_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The resource.")] input: RemoveInput,
    ) -> Result<ResourcePayload> {
        let id = decode_as(&input.id, NodeKind::Resource)?;
        let result = toolkit::remove_resource(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |resource, user_errors| ResourcePayload {
            resource: resource.map(Into::into),
            user_errors,
        })
    }

    /// Forms a breakout group on a coaching call.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn create_breakout_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new group.")] input: CreateBreakoutGroupInput,
    ) -> Result<BreakoutGroupPayload> {
        let event = decode_as(&input.event_id, NodeKind::Event)?;
        let facilitator = input
            .facilitator_id
            .as_ref()
            .map(|id| decode_as(id, NodeKind::User))
            .transpose()?;
        let organizations = ids(&input.organization_ids, NodeKind::Organization)?;
        let result = toolkit::create_breakout_group(
            ctx.db()?,
            ctx.viewer()?,
            event,
            &input.name,
            facilitator,
            &organizations,
        )
        .await;
        payload(result, |group, user_errors| BreakoutGroupPayload {
            group: group.map(Into::into),
            user_errors,
        })
    }

    /// Changes a breakout group: its name, facilitator or organizations.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn update_breakout_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateBreakoutGroupInput,
    ) -> Result<BreakoutGroupPayload> {
        let id = decode_as(&input.id, NodeKind::BreakoutGroup)?;
        let organizations = input
            .organization_ids
            .as_deref()
            .map(|o| ids(o, NodeKind::Organization))
            .transpose()?;
        let result = toolkit::update_breakout_group(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            input.name,
            optional_id(input.facilitator_id, NodeKind::User)?,
            organizations,
        )
        .await;
        payload(result, |group, user_errors| BreakoutGroupPayload {
            group: group.map(Into::into),
            user_errors,
        })
    }

    /// Forms a coaching call's breakout groups from a GROUPS matching run: one per group of the
    /// run (declined ones left out), with its organizations still enrolled.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn create_breakout_groups_from_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The call and the run.")] input: CreateBreakoutGroupsFromRunInput,
    ) -> Result<CreateBreakoutGroupsFromRunPayload> {
        let event = decode_as(&input.event_id, NodeKind::Event)?;
        let run = decode_as(&input.run_id, NodeKind::MatchingRun)?;
        let result = toolkit::groups_from_run(ctx.db()?, ctx.viewer()?, event, run).await;
        payload(result, |groups, user_errors| {
            CreateBreakoutGroupsFromRunPayload {
                groups: groups.map(|groups| groups.into_iter().map(Into::into).collect()),
                user_errors,
            }
        })
    }

    /// Removes a breakout group.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn remove_breakout_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group.")] input: RemoveInput,
    ) -> Result<RemoveBreakoutGroupPayload> {
        let id = decode_as(&input.id, NodeKind::BreakoutGroup)?;
        let result = toolkit::remove_breakout_group(ctx.db()?, ctx.viewer()?, id).await;
        payload(result, |group, user_errors| RemoveBreakoutGroupPayload {
            removed_group_id: group.map(|g| encode(NodeKind::BreakoutGroup, g.id)),
            user_errors,
        })
    }

    /// Records an action item an organization took away from an event.
    ///
    /// **Permissions**: the organization's members, the cohort's leads and coaches, and
    /// admins.
    async fn create_action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new action item.")] input: CreateActionItemInput,
    ) -> Result<ActionItemPayload> {
        let event = decode_as(&input.event_id, NodeKind::Event)?;
        let organization = decode_as(&input.organization_id, NodeKind::Organization)?;
        let owner = input
            .owner_id
            .as_ref()
            .map(|id| decode_as(id, NodeKind::User))
            .transpose()?;
        let result = toolkit::create_action_item(
            ctx.db()?,
            ctx.viewer()?,
            event,
            organization,
            &input.title,
            owner,
            input.due_on.map(|d| d.0),
        )
        .await;
        payload(result, |item, user_errors| ActionItemPayload {
            action_item: item.map(Into::into),
            user_errors,
        })
    }

    /// Changes an action item, or marks it done or open.
    ///
    /// **Permissions**: the organization's members, the cohort's leads and coaches, and
    /// admins.
    async fn update_action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateActionItemInput,
    ) -> Result<ActionItemPayload> {
        let id = decode_as(&input.id, NodeKind::ActionItem)?;
        let result = toolkit::update_action_item(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            toolkit::ActionItemChanges {
                title: input.title,
                owner: optional_id(input.owner_id, NodeKind::User)?,
                due_on: Option::<Option<Date>>::from(input.due_on).map(|d| d.map(|d| d.0)),
                done: input.done,
            },
        )
        .await;
        payload(result, |item, user_errors| ActionItemPayload {
            action_item: item.map(Into::into),
            user_errors,
        })
    }
}
