//! Mutations on milestones: posting and editing, progress, review, the showcase, comments and
//! kudos.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::milestone;

use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::scalars::Date;
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::milestone::service::{
    self, EvidenceLink, MilestoneChanges, NewMilestone, NewProgress, ReviewDecision as Decision,
};
use crate::milestone::types::{
    Milestone, MilestoneComment, MilestoneProgress, MilestoneStatus, MilestoneVisibility,
};

/// A link to evidence of a milestone.
#[derive(Debug, InputObject)]
pub struct EvidenceLinkInput {
    /// An `http` or `https` URL (at most 2000 characters).
    pub url: String,
    /// What the link shows (up to 200 characters).
    pub label: Option<String>,
}

fn links(input: Vec<EvidenceLinkInput>) -> Vec<EvidenceLink> {
    input
        .into_iter()
        .map(|link| EvidenceLink {
            url: link.url,
            label: link.label,
        })
        .collect()
}

fn topic_ids(ids: &[ID]) -> Result<Vec<uuid::Uuid>> {
    Ok(ids
        .iter()
        .map(|id| decode_as(id, NodeKind::Topic))
        .collect::<Result<_, _>>()?)
}

/// Input of `createMilestone`.
#[derive(Debug, InputObject)]
pub struct CreateMilestoneInput {
    /// The cohort to post it in; the organization must be actively enrolled in it.
    pub cohort_id: ID,
    /// The organization whose milestone it is.
    pub organization_id: ID,
    /// What was (or is to be) achieved (1 to 200 characters).
    pub title: String,
    /// The story behind it (up to 5000 characters).
    pub description: Option<String>,
    /// Topics of the taxonomy it is about (at most 10).
    #[graphql(default)]
    pub topic_ids: Vec<ID>,
    /// How far it has come; `PLANNED` if omitted.
    #[graphql(default_with = "MilestoneStatus::Planned")]
    pub status: MilestoneStatus,
    /// The day it is meant to be achieved by.
    pub target_on: Option<Date>,
    /// The day it was achieved: required with `ACHIEVED`, not in the future, and only then.
    pub achieved_on: Option<Date>,
    /// Who may see it; `COHORT` if omitted.
    #[graphql(default_with = "MilestoneVisibility::Cohort")]
    pub visibility: MilestoneVisibility,
    /// Links to evidence (at most 20).
    #[graphql(default)]
    pub evidence: Vec<EvidenceLinkInput>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// Input of `updateMilestone`. Omitted fields stay as they are.
#[derive(Debug, InputObject)]
pub struct UpdateMilestoneInput {
    /// The milestone to change.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// The new topics, replacing the old ones.
    pub topic_ids: Option<Vec<ID>>,
    /// A new status. Leaving `ACHIEVED` clears `achievedOn`.
    pub status: Option<MilestoneStatus>,
    /// A new target date; `null` clears it.
    pub target_on: MaybeUndefined<Date>,
    /// A new achievement date (only with `ACHIEVED`); `null` clears it.
    pub achieved_on: MaybeUndefined<Date>,
    /// New visibility. Anything but `PUBLIC` takes it off the showcase and withdraws the
    /// lead's consent.
    pub visibility: Option<MilestoneVisibility>,
    /// The new evidence links, replacing the old ones.
    pub evidence: Option<Vec<EvidenceLinkInput>>,
}

/// Input of `addMilestoneProgress`.
#[derive(Debug, InputObject)]
pub struct AddMilestoneProgressInput {
    /// The milestone.
    pub milestone_id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// What happened (1 to 5000 characters).
    pub note: String,
    /// The day it happened, not in the future; today if omitted.
    pub occurred_on: Option<Date>,
    /// The milestone's new status, if it changed.
    pub status: Option<MilestoneStatus>,
    /// The achievement date when the new status is `ACHIEVED`; `occurredOn` if omitted.
    pub achieved_on: Option<Date>,
}

/// A reviewer's decision.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// The milestone is verified.
    Verify,
    /// The organization should change it; the comment says what.
    RequestChanges,
}

/// Input of `reviewMilestone`.
#[derive(Debug, InputObject)]
pub struct ReviewMilestoneInput {
    /// The milestone.
    pub id: ID,
    /// The `version` the reviewer read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// Verified, or changes requested.
    pub decision: ReviewDecision,
    /// What to change (required when asking for changes), or a note (up to 5000 characters).
    pub comment: Option<String>,
}

/// Input of `consentToShowcase`.
#[derive(Debug, InputObject)]
pub struct ConsentToShowcaseInput {
    /// The milestone; it becomes `PUBLIC`.
    pub id: ID,
    /// The `version` the lead read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// Members of the organization to name on the showcase (at most 20); nobody is named
    /// unless listed here.
    #[graphql(default)]
    pub credited_user_ids: Vec<ID>,
}

/// Input of `approveShowcase`.
#[derive(Debug, InputObject)]
pub struct ApproveShowcaseInput {
    /// The milestone: consented by its organization's lead, and achieved.
    pub id: ID,
    /// The `version` the reviewer read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
}

/// Input of `withdrawFromShowcase`.
#[derive(Debug, InputObject)]
pub struct WithdrawFromShowcaseInput {
    /// The milestone.
    pub id: ID,
    /// Why, for the history (up to 5000 characters).
    pub reason: Option<String>,
}

/// Input of `addMilestoneComment`.
#[derive(Debug, InputObject)]
pub struct AddMilestoneCommentInput {
    /// The milestone.
    pub milestone_id: ID,
    /// The comment (1 to 5000 characters).
    pub body: String,
}

/// Input of `giveKudos` and `withdrawKudos`.
#[derive(Debug, InputObject)]
pub struct KudosInput {
    /// The milestone.
    pub milestone_id: ID,
}

/// Result of the mutations that change a milestone.
#[derive(SimpleObject)]
pub struct MilestonePayload {
    /// The milestone as it is now, unless the input had errors.
    pub milestone: Option<Milestone>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `addMilestoneProgress`.
#[derive(SimpleObject)]
pub struct AddMilestoneProgressPayload {
    /// The new entry, unless the input had errors.
    pub progress: Option<MilestoneProgress>,
    /// The milestone as it is now, unless the input had errors.
    pub milestone: Option<Milestone>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `addMilestoneComment`.
#[derive(SimpleObject)]
pub struct AddMilestoneCommentPayload {
    /// The new comment, unless the input had errors.
    pub comment: Option<MilestoneComment>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

fn milestone_payload(
    result: Result<milestone::Model, crate::error::ApiError>,
) -> Result<MilestonePayload> {
    payload(result, |milestone, user_errors| MilestonePayload {
        milestone: milestone.map(Into::into),
        user_errors,
    })
}

/// Mutations on milestones.
#[derive(Default)]
pub struct MilestoneMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl MilestoneMutation {
    /// Posts a milestone for an organization in a cohort it is enrolled in.
    ///
    /// **Permissions**: the organization's members, and admins.
    async fn create_milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new milestone.")] input: CreateMilestoneInput,
    ) -> Result<MilestonePayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("createMilestone", input.idempotency_key.as_deref(), &input);
        let new = NewMilestone {
            cohort_id: decode_as(&input.cohort_id, NodeKind::Cohort)?,
            organization_id: decode_as(&input.organization_id, NodeKind::Organization)?,
            title: input.title,
            description: input.description,
            topic_ids: topic_ids(&input.topic_ids)?,
            status: input.status.into(),
            target_on: input.target_on.map(|d| d.0),
            achieved_on: input.achieved_on.map(|d| d.0),
            visibility: input.visibility.into(),
            evidence: links(input.evidence),
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |milestone: &milestone::Model| milestone.id,
            async |txn| service::create_milestone(txn, viewer, new).await,
            async |id| service::visible_milestone(db, viewer, id).await,
        )
        .await;
        milestone_payload(result)
    }

    /// Changes a milestone. Changing what it says or its status after a review asks for a
    /// new review and takes it off the showcase until staff approve it again.
    ///
    /// **Permissions**: the organization's members, and admins.
    async fn update_milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateMilestoneInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.id, NodeKind::Milestone)?;
        let changes = MilestoneChanges {
            title: input.title,
            description: input.description.into(),
            topic_ids: input.topic_ids.as_deref().map(topic_ids).transpose()?,
            status: input.status.map(Into::into),
            target_on: Option::<Option<Date>>::from(input.target_on).map(|d| d.map(|d| d.0)),
            achieved_on: Option::<Option<Date>>::from(input.achieved_on).map(|d| d.map(|d| d.0)),
            visibility: input.visibility.map(Into::into),
            evidence: input.evidence.map(links),
        };
        let result = service::update_milestone(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            changes,
        )
        .await;
        milestone_payload(result)
    }

    /// Adds a dated entry to a milestone's progress timeline, perhaps changing its status.
    ///
    /// **Permissions**: the organization's members, and admins.
    async fn add_milestone_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry.")] input: AddMilestoneProgressInput,
    ) -> Result<AddMilestoneProgressPayload> {
        let id = decode_as(&input.milestone_id, NodeKind::Milestone)?;
        let result = service::add_progress(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            NewProgress {
                note: input.note,
                occurred_on: input.occurred_on.map(|d| d.0),
                status: input.status.map(Into::into),
                achieved_on: input.achieved_on.map(|d| d.0),
            },
        )
        .await;
        payload(result, |added, user_errors| {
            let (milestone, progress) = added.unzip();
            AddMilestoneProgressPayload {
                progress: progress.map(Into::into),
                milestone: milestone.map(Into::into),
                user_errors,
            }
        })
    }

    /// Records a review of a milestone: verified, or changes requested. The organization
    /// sees the review on the milestone.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn review_milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review.")] input: ReviewMilestoneInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.id, NodeKind::Milestone)?;
        let decision = match input.decision {
            ReviewDecision::Verify => Decision::Verify,
            ReviewDecision::RequestChanges => Decision::RequestChanges,
        };
        let result = service::review_milestone(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            decision,
            input.comment,
        )
        .await;
        milestone_payload(result)
    }

    /// The organization's consent to show a milestone on the public showcase, the first of
    /// two yeses; it makes the milestone `PUBLIC`. The cohort's staff approve next.
    ///
    /// **Permissions**: the organization's leads, and admins.
    async fn consent_to_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone and the members to credit.")] input: ConsentToShowcaseInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.id, NodeKind::Milestone)?;
        let credited = input
            .credited_user_ids
            .iter()
            .map(|id| decode_as(id, NodeKind::User))
            .collect::<Result<Vec<_>, _>>()?;
        let result = service::consent_to_showcase(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            credited,
        )
        .await;
        milestone_payload(result)
    }

    /// The staff's approval to show a consented, achieved milestone on the public showcase,
    /// the second yes; it is showcased from then on.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn approve_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone.")] input: ApproveShowcaseInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.id, NodeKind::Milestone)?;
        let result =
            service::approve_showcase(ctx.db()?, ctx.viewer()?, id, input.expected_version).await;
        milestone_payload(result)
    }

    /// Takes a milestone off the public showcase at once: the organization's lead withdraws
    /// consent (and with it the approval), the cohort's staff withdraw their approval.
    ///
    /// **Permissions**: the organization's leads, the cohort's leads and coaches, and admins.
    async fn withdraw_from_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone.")] input: WithdrawFromShowcaseInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.id, NodeKind::Milestone)?;
        let result =
            service::withdraw_from_showcase(ctx.db()?, ctx.viewer()?, id, input.reason).await;
        milestone_payload(result)
    }

    /// Comments on a milestone.
    ///
    /// **Permissions**: whoever can see the milestone.
    async fn add_milestone_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment.")] input: AddMilestoneCommentInput,
    ) -> Result<AddMilestoneCommentPayload> {
        let id = decode_as(&input.milestone_id, NodeKind::Milestone)?;
        let result = service::add_comment(ctx.db()?, ctx.viewer()?, id, &input.body).await;
        payload(result, |comment, user_errors| AddMilestoneCommentPayload {
            comment: comment.map(Into::into),
            user_errors,
        })
    }

    /// Gives the viewer's kudos to a milestone; one per person, so giving again changes
    /// nothing.
    ///
    /// **Permissions**: whoever can see the milestone.
    async fn give_kudos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone.")] input: KudosInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.milestone_id, NodeKind::Milestone)?;
        milestone_payload(service::set_kudos(ctx.db()?, ctx.viewer()?, id, true).await)
    }

    /// Takes back the viewer's kudos for a milestone; taking back none changes nothing.
    ///
    /// **Permissions**: whoever can see the milestone.
    async fn withdraw_kudos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone.")] input: KudosInput,
    ) -> Result<MilestonePayload> {
        let id = decode_as(&input.milestone_id, NodeKind::Milestone)?;
        milestone_payload(service::set_kudos(ctx.db()?, ctx.viewer()?, id, false).await)
    }
}
