//! GraphQL types of milestones, their timeline, comments and history, the figures of a
//! cohort's or an organization's milestones, and the public showcase.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::milestone::{
    self, MilestoneStatus as DbMilestoneStatus, MilestoneVisibility as DbMilestoneVisibility,
    ReviewState as DbReviewState,
};
use entity::milestone_change::{self, ChangeKind as DbChangeKind};
use entity::{milestone_comment, milestone_progress};
use uuid::Uuid;

use crate::cohort::types::Cohort;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::in_place::InPlace;
use crate::graphql::loaders::LoaderKind;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::{Page, connection, order_input};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::{ContextExt as _, mirror_enum};
use crate::milestone::loaders::{
    ChangeById, ChangesOfMilestone, CommentById, CommentsOfMilestone, CreditIdsOfMilestone,
    CreditedNames, FeedFilter, KudosCount, MilestoneById, MilestoneCounts, MilestoneCountsLoader,
    MilestoneFeeds, ProgressById, ProgressOfMilestone, ShowcasedMilestoneById,
    ShowcasedOrganizationById, TopicIdsOfMilestone, ViewerKudos,
};
use crate::milestone::policy;
use crate::milestone::service::{self, EvidenceLink as StoredLink};
use crate::organization::types::{Organization, OrganizationKind};
use crate::topic::types::Topic;
use crate::user::types::User;

mirror_enum! {
    /// How far a milestone has come.
    MilestoneStatus mirrors DbMilestoneStatus {
        /// Planned, not started.
        Planned,
        /// Being worked on.
        InProgress,
        /// Done; `achievedOn` says when.
        Achieved,
        /// Put off for now.
        Deferred,
    }
}

mirror_enum! {
    /// Who may see a milestone.
    MilestoneVisibility mirrors DbMilestoneVisibility {
        /// The organization's members and the cohort's staff.
        Organization,
        /// Everyone in the cohort.
        Cohort,
        /// Everyone in the cohort, and the public showcase once the organization's lead
        /// consents and the cohort's staff approve.
        Public,
    }
}

mirror_enum! {
    /// What the cohort's staff made of a milestone.
    ReviewState mirrors DbReviewState {
        /// Not reviewed since it was posted or last changed.
        Unreviewed,
        /// Verified by staff.
        Verified,
        /// Staff asked for changes; `reviewComment` says which.
        ChangesRequested,
    }
}

mirror_enum! {
    /// What a recorded change of a milestone changed.
    MilestoneChangeKind mirrors DbChangeKind {
        /// The milestone was posted.
        Created,
        /// Its status.
        Status,
        /// Its visibility.
        Visibility,
        /// Its review state.
        Review,
        /// The lead's consent to the public showcase (`GIVEN` or `NONE`).
        ShowcaseConsent,
        /// The staff's approval for the public showcase (`GIVEN` or `NONE`).
        ShowcaseApproval,
    }
}

/// Where a milestone stands on the way to the public showcase.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowcaseStatus {
    /// Not `PUBLIC`: not meant for the showcase.
    NotPublic,
    /// `PUBLIC`, waiting for the organization's lead to consent.
    AwaitingConsent,
    /// Consented, waiting for the milestone to be achieved.
    AwaitingAchievement,
    /// Consented and achieved, waiting for the cohort's staff to approve.
    AwaitingApproval,
    /// On the public showcase.
    Showcased,
}

/// Where `m` stands on the way to the showcase.
fn showcase_status(m: &milestone::Model) -> ShowcaseStatus {
    if m.visibility != DbMilestoneVisibility::Public {
        ShowcaseStatus::NotPublic
    } else if m.consented_at.is_none() {
        ShowcaseStatus::AwaitingConsent
    } else if m.status != DbMilestoneStatus::Achieved {
        ShowcaseStatus::AwaitingAchievement
    } else if m.approved_at.is_none() {
        ShowcaseStatus::AwaitingApproval
    } else {
        ShowcaseStatus::Showcased
    }
}

/// A link to evidence of a milestone.
#[derive(SimpleObject)]
pub struct EvidenceLink {
    /// An `http` or `https` URL.
    pub url: String,
    /// What the link shows.
    pub label: Option<String>,
}

impl From<StoredLink> for EvidenceLink {
    fn from(link: StoredLink) -> Self {
        Self {
            url: link.url,
            label: link.label,
        }
    }
}

fn evidence(m: &milestone::Model) -> Vec<EvidenceLink> {
    service::evidence_of(m)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The topics of a milestone, in order, skipping any the viewer may not see.
async fn topics_of(ctx: &Context<'_>, milestone: Uuid) -> Result<Vec<Topic>> {
    Ok(ctx
        .loaders()?
        .linked::<TopicIdsOfMilestone, _, Topic>(milestone)
        .await?)
}

/// The user `id`, if there is one and the viewer may see them.
async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<User>> {
    match id {
        Some(id) => Ok(ctx.loaders()?.node::<User>(id).await?),
        None => Ok(None),
    }
}

node_object!(
    /// An achievement of a grantee organization in a cohort: planned, worked on, achieved.
    Milestone: milestone, MilestoneById
);

/// An achievement of a grantee organization in a cohort: planned, worked on, achieved.
#[Object]
impl Milestone {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort it was posted in.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// The organization whose milestone it is.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InPlace<Organization>> {
        Ok(InPlace(
            ctx.loaders()?.require(self.0.organization_id).await?,
        ))
    }

    /// What was (or is to be) achieved.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The story behind it.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// How far it has come.
    async fn status(&self) -> MilestoneStatus {
        self.0.status.into()
    }

    /// The day it is meant to be achieved by.
    async fn target_on(&self) -> Option<Date> {
        self.0.target_on.map(Into::into)
    }

    /// The day it was achieved; set exactly when the status is `ACHIEVED`.
    async fn achieved_on(&self) -> Option<Date> {
        self.0.achieved_on.map(Into::into)
    }

    /// Whether the target date has passed without the milestone being achieved.
    async fn is_overdue(&self) -> bool {
        self.0.status != DbMilestoneStatus::Achieved
            && self
                .0
                .target_on
                .is_some_and(|target| target < chrono::Utc::now().date_naive())
    }

    /// Who may see it.
    async fn visibility(&self) -> MilestoneVisibility {
        self.0.visibility.into()
    }

    /// Links to evidence: reports, dashboards, stories.
    async fn evidence(&self) -> Vec<EvidenceLink> {
        evidence(&self.0)
    }

    /// The topics of the taxonomy it is about.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        topics_of(ctx, self.0.id).await
    }

    /// What the cohort's staff made of it.
    async fn review_state(&self) -> ReviewState {
        self.0.review_state.into()
    }

    /// The reviewer's comment: what to change, or a note with the verification.
    async fn review_comment(&self) -> Option<&str> {
        self.0.review_comment.as_deref()
    }

    /// Who reviewed it last, if the viewer may see them.
    async fn reviewed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.reviewed_by_id).await
    }

    /// When it was reviewed last.
    async fn reviewed_at(&self) -> Option<DateTime> {
        self.0.reviewed_at.map(Into::into)
    }

    /// Where it stands on the way to the public showcase.
    async fn showcase_status(&self) -> ShowcaseStatus {
        showcase_status(&self.0)
    }

    /// When the organization's lead consented to the showcase, if they did and have not
    /// withdrawn.
    async fn showcase_consented_at(&self) -> Option<DateTime> {
        self.0.consented_at.map(Into::into)
    }

    /// The lead who consented to the showcase, if the viewer may see them.
    async fn showcase_consented_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.consented_by_id).await
    }

    /// When the cohort's staff approved it for the showcase, if they did and have not
    /// withdrawn.
    async fn showcase_approved_at(&self) -> Option<DateTime> {
        self.0.approved_at.map(Into::into)
    }

    /// The staff member who approved it for the showcase, if the viewer may see them.
    async fn showcase_approved_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.approved_by_id).await
    }

    /// The members the lead chose to name on the showcase.
    async fn credited_members(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        Ok(ctx
            .loaders()?
            .linked::<CreditIdsOfMilestone, _, User>(self.0.id)
            .await?)
    }

    /// Its public form, while it is on the showcase.
    async fn showcased(&self, ctx: &Context<'_>) -> Result<Option<ShowcasedMilestone>> {
        Ok(ctx.loaders()?.node::<ShowcasedMilestone>(self.0.id).await?)
    }

    /// How many people gave it kudos.
    async fn kudos_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(ctx
            .loader::<KudosCount>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or(0))
    }

    /// Whether the viewer gave it kudos.
    async fn viewer_has_given_kudos(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx
            .loader::<ViewerKudos>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or(false))
    }

    /// Whether the viewer may edit it and add progress.
    async fn viewer_can_edit(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_post(ctx.actor()?, self.0.organization_id))
    }

    /// Whether the viewer may review it and approve it for the showcase.
    async fn viewer_can_review(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_review(ctx.actor()?, self.0.cohort_id))
    }

    /// Whether the viewer may consent to showing it publicly.
    async fn viewer_can_consent(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_consent(ctx.actor()?, self.0.organization_id))
    }

    /// The progress timeline, earliest date first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MilestoneProgressConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ProgressOfMilestone>()?
            .page(self.0.id, page)
            .await?;
        Ok(MilestoneProgressConnection::new(slice, total))
    }

    /// Comments, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MilestoneCommentConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<CommentsOfMilestone>()?
            .page(self.0.id, page)
            .await?;
        Ok(MilestoneCommentConnection::new(slice, total))
    }

    /// Every change of status, visibility, review and showcase state, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MilestoneChangeConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ChangesOfMilestone>()?
            .page(self.0.id, page)
            .await?;
        Ok(MilestoneChangeConnection::new(slice, total))
    }

    /// Who posted it, if the viewer may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.created_by_id).await
    }

    /// Incremented on every change; pass it as `expectedVersion` when changing the milestone.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was posted.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed (an edit, progress, a review or a showcase decision).
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// A dated entry of a milestone's progress timeline.
    MilestoneProgress: milestone_progress, ProgressById
);

/// A dated entry of a milestone's progress timeline.
#[Object]
impl MilestoneProgress {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The milestone.
    async fn milestone(&self, ctx: &Context<'_>) -> Result<InPlace<Milestone>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.milestone_id).await?))
    }

    /// Who wrote it, if the viewer may see them.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.author_id).await
    }

    /// The day it happened.
    async fn occurred_on(&self) -> Date {
        self.0.occurred_on.into()
    }

    /// What happened.
    async fn note(&self) -> &str {
        &self.0.note
    }

    /// The status before this entry, if the entry changed it.
    async fn status_before(&self) -> Option<MilestoneStatus> {
        self.0.status_before.map(Into::into)
    }

    /// The status this entry set, if it changed it.
    async fn status_after(&self) -> Option<MilestoneStatus> {
        self.0.status_after.map(Into::into)
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// A comment on a milestone.
    MilestoneComment: milestone_comment, CommentById
);

/// A comment on a milestone.
#[Object]
impl MilestoneComment {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The milestone.
    async fn milestone(&self, ctx: &Context<'_>) -> Result<InPlace<Milestone>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.milestone_id).await?))
    }

    /// Who wrote it, if the viewer may see them.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.author_id).await
    }

    /// The text.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// A recorded change of a milestone: who changed what, when, from what to what.
    MilestoneChange: milestone_change, ChangeById
);

/// A recorded change of a milestone: who changed what, when, from what to what.
#[Object]
impl MilestoneChange {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The milestone.
    async fn milestone(&self, ctx: &Context<'_>) -> Result<InPlace<Milestone>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.milestone_id).await?))
    }

    /// Who made the change, if the viewer may see them.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.actor_id).await
    }

    /// What changed.
    async fn kind(&self) -> MilestoneChangeKind {
        self.0.kind.into()
    }

    /// The value before (an enum value name, or `GIVEN`/`NONE` for showcase decisions).
    async fn before(&self) -> Option<&str> {
        self.0.before.as_deref()
    }

    /// The value after, in the same form as `before`.
    async fn after(&self) -> Option<&str> {
        self.0.after.as_deref()
    }

    /// Why: the reviewer's comment, a withdrawal's reason, or what caused an automatic change.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// When it happened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// A milestone on the public showcase: only what the organization agreed to show, and
    /// nothing personal but the names its lead chose to credit.
    ShowcasedMilestone: milestone, ShowcasedMilestoneById
);

/// A milestone on the public showcase: only what the organization agreed to show, and
/// nothing personal but the names its lead chose to credit.
#[Object]
impl ShowcasedMilestone {
    /// The global ID (not the milestone's own).
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// What was achieved.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The story behind it.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The day it was achieved.
    async fn achieved_on(&self) -> Option<Date> {
        self.0.achieved_on.map(Into::into)
    }

    /// Links to evidence.
    async fn evidence(&self) -> Vec<EvidenceLink> {
        evidence(&self.0)
    }

    /// The topics it is about.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        topics_of(ctx, self.0.id).await
    }

    /// The organization, as the public sees it.
    async fn organization(&self, ctx: &Context<'_>) -> Result<PublicOrganization> {
        let organization = ctx
            .loader::<ShowcasedOrganizationById>()?
            .load_one(self.0.organization_id)
            .await?
            .ok_or(crate::error::ApiError::NotFound("organization"))?;
        Ok(PublicOrganization {
            name: organization.name,
            kind: organization.kind.into(),
            region: organization.region,
        })
    }

    /// The names of the members the organization's lead chose to credit.
    async fn credits(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx
            .loader::<CreditedNames>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// The public part of a grantee organization, as the showcase shows it.
#[derive(SimpleObject)]
pub struct PublicOrganization {
    /// The organization's name.
    pub name: String,
    /// What kind of organization it is.
    pub kind: OrganizationKind,
    /// Where it works, for example a state or a tribal nation.
    pub region: Option<String>,
}

/// Figures of a cohort's or an organization's milestones, counting those the viewer can see.
pub struct MilestoneStats(pub MilestoneCounts);

/// Figures of a cohort's or an organization's milestones, counting those the viewer can see.
#[Object]
impl MilestoneStats {
    /// All milestones.
    async fn total(&self) -> u64 {
        self.total_count()
    }

    /// Planned, not started.
    async fn planned(&self) -> u64 {
        self.0.planned
    }

    /// Being worked on.
    async fn in_progress(&self) -> u64 {
        self.0.in_progress
    }

    /// Achieved.
    async fn achieved(&self) -> u64 {
        self.0.achieved
    }

    /// Deferred.
    async fn deferred(&self) -> u64 {
        self.0.deferred
    }

    /// Past their target date and not achieved.
    async fn overdue(&self) -> u64 {
        self.0.overdue
    }

    /// The share of all milestones that are achieved, from 0 to 1; `null` when there are none.
    async fn achieved_share(&self) -> Option<f64> {
        let total = self.total_count();
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        (total > 0).then(|| self.0.achieved as f64 / total as f64)
    }
}

impl MilestoneStats {
    fn total_count(&self) -> u64 {
        self.0.planned + self.0.in_progress + self.0.achieved + self.0.deferred
    }
}

order_input!(
    /// How to sort milestones.
    MilestoneOrder,
    /// What to sort milestones by.
    MilestoneOrderField for milestone {
        /// When the milestone was posted.
        CreatedAt,
        /// When the milestone last changed.
        UpdatedAt => ("updatedAt", milestone::Column::UpdatedAt),
        /// The day it was achieved; lists achieved milestones only.
        AchievedOn => ("achievedOn", milestone::Column::AchievedOn),
    }
);

/// The filter of a feed from its arguments.
pub fn feed_filter(
    status: Option<MilestoneStatus>,
    topic_id: Option<&ID>,
    organization_id: Option<&ID>,
) -> Result<FeedFilter> {
    Ok(FeedFilter {
        status: status.map(Into::into),
        topic: topic_id
            .map(|id| decode_as(id, NodeKind::Topic))
            .transpose()?,
        organization: organization_id
            .map(|id| decode_as(id, NodeKind::Organization))
            .transpose()?,
    })
}

/// The milestone figures of a parent; the loader kind `K` says which kind of parent.
pub async fn stats<K>(ctx: &Context<'_>, parent: Uuid) -> Result<MilestoneStats>
where
    K: LoaderKind<Loader = DataLoader<MilestoneCountsLoader>>,
{
    Ok(MilestoneStats(
        ctx.loader::<K>()?
            .load_one(parent)
            .await?
            .unwrap_or_default(),
    ))
}

/// A page of a parent's milestone feed; the loader kind `K` says which parent.
pub async fn feed<K: LoaderKind<Loader = MilestoneFeeds>>(
    ctx: &Context<'_>,
    parent: Uuid,
    filter: FeedFilter,
    order_by: Option<MilestoneOrder>,
    page: Page,
) -> Result<MilestoneConnection> {
    // Newest change first unless the client says otherwise.
    let order = order_by
        .unwrap_or(MilestoneOrder {
            field: MilestoneOrderField::UpdatedAt,
            direction: crate::graphql::pagination::OrderDirection::Desc,
        })
        .order();
    let (slice, total) = ctx
        .loader::<K>()?
        .filtered(filter, order)
        .page(parent, page)
        .await?;
    Ok(MilestoneConnection::new(slice, total))
}

connection!(
    MilestoneConnection,
    MilestoneEdge,
    Milestone,
    "A page of milestones.",
    "A milestone in a page, with its cursor."
);

connection!(
    MilestoneProgressConnection,
    MilestoneProgressEdge,
    MilestoneProgress,
    "A page of a milestone's progress timeline.",
    "A progress entry in a page, with its cursor."
);

connection!(
    MilestoneCommentConnection,
    MilestoneCommentEdge,
    MilestoneComment,
    "A page of comments.",
    "A comment in a page, with its cursor."
);

connection!(
    MilestoneChangeConnection,
    MilestoneChangeEdge,
    MilestoneChange,
    "A page of a milestone's history.",
    "A recorded change in a page, with its cursor."
);

connection!(
    ShowcasedMilestoneConnection,
    ShowcasedMilestoneEdge,
    ShowcasedMilestone,
    "A page of the public showcase.",
    "A showcased milestone in a page, with its cursor."
);
