//! GraphQL types of organizations and memberships.

use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID, Object, Result};
use entity::membership::{self, MembershipRole as DbMembershipRole, Profession as DbProfession};
use entity::organization::{self, OrganizationKind as DbOrganizationKind};

use crate::cohort::loaders::EnrollmentsOfOrganization;
use crate::cohort::types::{EnrollmentConnection, EnrollmentStatus};
use crate::event::loaders::{ActionItemFilter, ActionItemsOfOrganization, DosageOfOrganization};
use crate::event::types::ActionItemConnection;
use crate::event::types::{AttendanceSummary, attendance_summary};
use crate::graphql::in_place::InPlace;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::{Page, connection};
use crate::graphql::projection::reads_columns;
use crate::graphql::{ContextExt as _, mirror_enum};
use crate::matching::loaders::{AssessmentsOfOrganization, ParticipationsOfOrganization};
use crate::matching::types::{
    AssessmentConnection, MatchParticipantConnection, TopicExpertise, TopicGrowth, TopicNeed,
};
use crate::milestone::loaders::{MilestoneCountsOfOrganization, MilestonesOfOrganization};
use crate::milestone::types::{
    MilestoneConnection, MilestoneOrder, MilestoneStats, MilestoneStatus, feed, feed_filter, stats,
};
use crate::organization::loaders::{MembersOfOrganization, MembershipById, OrganizationById};
use crate::organization::policy;
use crate::user::types::User;

mirror_enum! {
    /// What kind of organization a grantee is.
    OrganizationKind mirrors DbOrganizationKind {
        /// A primary-care or specialty clinic.
        Clinic,
        /// A federally qualified or community health center.
        CommunityHealthCenter,
        /// A tribal or urban Indian health program.
        TribalHealthProgram,
        /// A hospital or hospital system.
        Hospital,
        /// A state, county or city health department.
        HealthDepartment,
        /// A community-based organization.
        CommunityOrganization,
        /// Anything else.
        Other,
    }
}

mirror_enum! {
    /// A member's role in their organization.
    MembershipRole mirrors DbMembershipRole {
        /// Manages the organization's profile and members.
        Lead,
        /// Takes part in the organization's work.
        Member,
    }
}

mirror_enum! {
    /// The profession a member practises.
    Profession mirrors DbProfession {
        /// Physician (MD, DO).
        Physician,
        /// Nurse practitioner or physician assistant.
        NursePractitioner,
        /// Registered or licensed practical nurse.
        Nurse,
        /// Behavioral-health clinician (LCSW, LPC, psychologist).
        BehavioralHealthClinician,
        /// Psychiatrist or psychiatric nurse practitioner.
        PsychiatricProvider,
        /// Care manager or care coordinator.
        CareManager,
        /// Community health worker or promotor(a).
        CommunityHealthWorker,
        /// Peer support specialist.
        PeerSupportSpecialist,
        /// Pharmacist.
        Pharmacist,
        /// Billing or revenue-cycle specialist.
        BillingSpecialist,
        /// Administrator or practice manager.
        Administrator,
        /// Any other profession.
        Other,
    }
}

node_object!(
    /// A grantee organization: a clinic, a tribal health program, a health center.
    Organization: organization, OrganizationById
);

reads_columns!(Organization: organization {
    "id" => [Id],
    "name" => [Name],
    "kind" => [Kind],
    "region" => [Region],
    "timeZone" => [TimeZone],
    "version" => [Version],
    "createdAt" => [CreatedAt],
    "updatedAt" => [UpdatedAt],
    "viewerCanUpdate" => [Id],
    "viewerCanManageMembers" => [Id],
    "members" => [Id],
    "enrollments" => [Id],
    "milestones" => [Id],
    "attendanceSummary" => [Id],
    "actionItems" => [Id],
    "milestoneStats" => [Id],
    "assessments" => [Id],
    "needs" => [Id],
    "expertise" => [Id],
    "growth" => [Id],
    "matchParticipations" => [Id],
});

/// A grantee organization: a clinic, a tribal health program, a health center.
#[Object]
impl Organization {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The organization's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of organization this is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }

    /// Where the organization works, for example a state or a county.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    /// The organization's IANA time zone, for example `America/Denver`.
    async fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the organization was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the organization was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// Whether the viewer may edit this organization's profile.
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_update_organization(ctx.actor()?, self.0.id))
    }

    /// Whether the viewer may add, change and remove this organization's members.
    async fn viewer_can_manage_members(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_manage_members(ctx.actor()?, self.0.id))
    }

    /// The organization's members. Empty unless the viewer belongs to the organization or
    /// staffs one of its cohorts.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MembershipConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?
            .reading::<Membership>(ctx)
            .reading_ahead::<User>(ctx, "user");
        let (slice, total) = ctx
            .loader::<MembersOfOrganization>()?
            .page(self.0.id, page)
            .await?;
        Ok(MembershipConnection::new(slice, total))
    }

    /// The cohorts this organization is or was enrolled in, as far as the viewer sees them.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only enrollments with this status; all of them if omitted.")]
        status: Option<EnrollmentStatus>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<EnrollmentConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<EnrollmentsOfOrganization>()?
            .with_status(status.map(Into::into))
            .page(self.0.id, page)
            .await?;
        Ok(EnrollmentConnection::new(slice, total))
    }

    /// Milestones of the organization that the viewer can see, newest change first unless `orderBy` says
    /// otherwise.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "the arguments of a filtered connection"
    )]
    async fn milestones(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only milestones with this status.")] status: Option<MilestoneStatus>,
        #[graphql(desc = "Only milestones about this topic.")] topic_id: Option<ID>,
        #[graphql(desc = "How to sort the list; newest change first if omitted.")] order_by: Option<
            MilestoneOrder,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MilestoneConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let filter = feed_filter(status, topic_id.as_ref(), None)?;
        feed::<MilestonesOfOrganization>(ctx, self.0.id, filter, order_by, page).await
    }

    /// Attendance by the organization's members: events attended and hours, by kind of event.
    async fn attendance_summary(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        attendance_summary::<DosageOfOrganization>(ctx, self.0.id).await
    }

    /// The action items the organization took away from events, oldest first: seen by its
    /// members and by the staff of the events' cohorts.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those done (`true`) or open (`false`).")] done: Option<bool>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<ActionItemConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ActionItemsOfOrganization>()?
            .filtered(
                ActionItemFilter { done },
                crate::graphql::pagination::Order::by_key(entity::action_item::Column::Id),
            )
            .page(self.0.id, page)
            .await?;
        Ok(ActionItemConnection::new(slice, total))
    }

    /// Figures of the milestones of the organization that the viewer can see.
    async fn milestone_stats(&self, ctx: &Context<'_>) -> Result<MilestoneStats> {
        stats::<MilestoneCountsOfOrganization>(ctx, self.0.id).await
    }

    /// The organization's self-assessments, newest first. Seen by its members and the staff
    /// of its cohorts; empty for everyone else.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<AssessmentConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<AssessmentsOfOrganization>()?
            .page(self.0.id, page)
            .await?;
        Ok(AssessmentConnection::new(slice, total))
    }

    /// The topics it wants help with in its latest assessment, largest need first. Empty
    /// for viewers who may not see its assessments.
    async fn needs(&self, ctx: &Context<'_>) -> Result<Vec<TopicNeed>> {
        crate::matching::types::needs(ctx, self.0.id).await
    }

    /// The topics it rates at level 2 or 3 in its latest assessment, strongest first.
    /// Empty for viewers who may not see its assessments.
    async fn expertise(&self, ctx: &Context<'_>) -> Result<Vec<TopicExpertise>> {
        crate::matching::types::expertise(ctx, self.0.id).await
    }

    /// Per topic, its level in its first and in its latest assessment. Empty for viewers
    /// who may not see its assessments.
    async fn growth(&self, ctx: &Context<'_>) -> Result<Vec<TopicGrowth>> {
        crate::matching::types::growth(ctx, self.0.id).await
    }

    /// Its places in matches the viewer may see, newest first: published ones for its
    /// members, drafts too for the cohort's staff.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn match_participations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MatchParticipantConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ParticipationsOfOrganization>()?
            .page(self.0.id, page)
            .await?;
        Ok(MatchParticipantConnection::new(slice, total))
    }
}

node_object!(
    /// A user's place in an organization.
    Membership: membership, MembershipById
);

reads_columns!(Membership: membership {
    "id" => [Id],
    "organization" => [OrganizationId],
    "user" => [UserId],
    "role" => [Role],
    "profession" => [Profession],
    "isChampion" => [IsChampion],
    "version" => [Version],
    "createdAt" => [CreatedAt],
    "updatedAt" => [UpdatedAt],
});

/// A user's place in an organization.
#[Object]
impl Membership {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InPlace<Organization>> {
        Ok(InPlace(
            ctx.loaders()?
                .require_selected(ctx, self.0.organization_id)
                .await?,
        ))
    }

    /// The member.
    async fn user(&self, ctx: &Context<'_>) -> Result<InPlace<User>> {
        Ok(InPlace(
            ctx.loaders()?.require_selected(ctx, self.0.user_id).await?,
        ))
    }

    /// The member's role in the organization.
    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }

    /// The member's profession.
    async fn profession(&self) -> Profession {
        self.0.profession.into()
    }

    /// Whether the member champions the program in their profession.
    async fn is_champion(&self) -> bool {
        self.0.is_champion
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the member joined.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the membership was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

connection!(
    OrganizationConnection,
    OrganizationEdge,
    Organization,
    "A page of organizations.",
    "An organization in a page, with its cursor."
);

connection!(
    MembershipConnection,
    MembershipEdge,
    Membership,
    "A page of memberships.",
    "A membership in a page, with its cursor."
);
