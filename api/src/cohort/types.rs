//! GraphQL types of cohorts, enrollments and cohort staff.

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Context, ID, Object, Result};
use entity::cohort;
use entity::cohort_staff::{self, StaffRole as DbStaffRole};
use entity::enrollment::{self, EnrollmentStatus as DbEnrollmentStatus};

use crate::cohort::loaders::{CohortById, CohortStaffById, EnrollmentById};
use crate::cohort::loaders::{EnrollmentsOfCohort, StaffOfCohort};
use crate::cohort::policy;
use crate::event::loaders::DosageOfCohort;
use crate::event::loaders::{ResourceFilter, ResourcesOfCohort};
use crate::event::query::{cohort_events, event_filter};
use crate::event::types::{AttendanceSummary, attendance_summary};
use crate::event::types::{EventConnection, EventKind, ResourceConnection, ResourceKind};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::in_place::InPlace;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::Order;
use crate::graphql::pagination::OrderDirection;
use crate::graphql::pagination::{Page, connection};
use crate::graphql::projection::reads_columns;
use crate::graphql::{ContextExt as _, mirror_enum};
use crate::matching::loaders::{MatchHealthOfCohort, RunsOfCohort};
use crate::matching::types::{MatchHealth, MatchingRunConnection};
use crate::milestone::loaders::{MilestoneCountsOfCohort, MilestonesOfCohort};
use crate::milestone::types::{
    MilestoneConnection, MilestoneOrder, MilestoneStats, MilestoneStatus, feed, feed_filter, stats,
};
use crate::organization::types::Organization;
use crate::user::types::User;

mirror_enum! {
    /// Whether an organization currently takes part in a cohort.
    EnrollmentStatus mirrors DbEnrollmentStatus {
        /// Taking part.
        Active,
        /// Left the cohort; the enrollment is kept as history.
        Withdrawn,
    }
}

mirror_enum! {
    /// What a T/TA staff member does in a cohort.
    StaffRole mirrors DbStaffRole {
        /// Runs the cohort, including its staff.
        Lead,
        /// Runs coaching calls; manages enrollments and the cohort's details.
        Coach,
        /// Presents at sessions; reads the cohort.
        Presenter,
    }
}

node_object!(
    /// A group of grantee organizations going through a program together.
    Cohort: cohort, CohortById
);

/// A group of grantee organizations going through a program together.
#[Object]
impl Cohort {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// A short unique name for URLs, for example `bhi-2026`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The cohort's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the cohort is about.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The first day of the cohort.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Into::into)
    }

    /// The last day of the cohort.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Into::into)
    }

    /// Incremented on every change; pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the cohort was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the cohort was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// Whether the viewer may update the cohort and enroll or withdraw organizations.
    async fn viewer_can_manage(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::manages_cohort(ctx.actor()?, self.0.id))
    }

    /// Whether the viewer may assign and remove the cohort's staff.
    async fn viewer_can_manage_staff(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(policy::can_manage_staff(ctx.actor()?, self.0.id))
    }

    /// The organizations enrolled in the cohort, oldest first; withdrawn ones too unless
    /// `status` says otherwise.
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
        let page = Page::of_field(ctx, first, after, last, before)?
            .reading::<Enrollment>(ctx)
            .reading_ahead::<Organization>(ctx, "organization");
        let (slice, total) = ctx
            .loader::<EnrollmentsOfCohort>()?
            .with_status(status.map(Into::into))
            .page(self.0.id, page)
            .await?;
        Ok(EnrollmentConnection::new(slice, total))
    }

    /// The T/TA staff who run the cohort.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<CohortStaffConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?
            .reading::<CohortStaff>(ctx)
            .reading_ahead::<User>(ctx, "user");
        let (slice, total) = ctx.loader::<StaffOfCohort>()?.page(self.0.id, page).await?;
        Ok(CohortStaffConnection::new(slice, total))
    }

    /// Milestones posted in the cohort that the viewer can see, newest change first unless `orderBy` says
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
        #[graphql(desc = "Only milestones of this organization.")] organization_id: Option<ID>,
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
        let filter = feed_filter(status, topic_id.as_ref(), organization_id.as_ref())?;
        feed::<MilestonesOfCohort>(ctx, self.0.id, filter, order_by, page).await
    }

    /// The cohort's events that the viewer can see, by start: earliest first unless
    /// `direction` says otherwise. Filter by kind, topic and a range of start instants.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "the arguments of a filtered connection"
    )]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events of this kind.")] kind: Option<EventKind>,
        #[graphql(desc = "Only events about this topic.")] topic_id: Option<ID>,
        #[graphql(desc = "Only events starting at or after this instant.")] from: Option<DateTime>,
        #[graphql(desc = "Only events starting before this instant.")] to: Option<DateTime>,
        #[graphql(desc = "Earliest first (`ASC`, the default) or latest first.")] direction: Option<
            OrderDirection,
        >,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<EventConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let filter = event_filter(kind, topic_id.as_ref(), from, to)?;
        cohort_events(ctx, self.0.id, filter, direction, page).await
    }

    /// Attendance at the cohort's events: events attended and hours, by kind of event.
    async fn attendance_summary(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        attendance_summary::<DosageOfCohort>(ctx, self.0.id).await
    }

    /// The cohort's toolkit: slides, recordings, documents and links, oldest first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "the arguments of a filtered connection"
    )]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only resources of this kind.")] kind: Option<ResourceKind>,
        #[graphql(desc = "Only resources tagged with this topic.")] topic_id: Option<ID>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<ResourceConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let filter = ResourceFilter {
            kind: kind.map(Into::into),
            topic: topic_id
                .as_ref()
                .map(|id| decode_as(id, NodeKind::Topic))
                .transpose()?,
        };
        let (slice, total) = ctx
            .loader::<ResourcesOfCohort>()?
            .filtered(filter, Order::by_key(entity::resource::Column::Id))
            .page(self.0.id, page)
            .await?;
        Ok(ResourceConnection::new(slice, total))
    }

    /// Figures of the milestones posted in the cohort that the viewer can see.
    async fn milestone_stats(&self, ctx: &Context<'_>) -> Result<MilestoneStats> {
        stats::<MilestoneCountsOfCohort>(ctx, self.0.id).await
    }

    /// The cohort's matching runs, newest first. Seen by its staff only; empty for everyone
    /// else.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn matching_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MatchingRunConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx.loader::<RunsOfCohort>()?.page(self.0.id, page).await?;
        Ok(MatchingRunConnection::new(slice, total))
    }

    /// How the cohort's published matches are doing: answers, ratings, and active matches
    /// without recent contact. `null` for viewers who are not the cohort's staff.
    async fn match_health(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Days without a logged contact after which an active match is stale (1 to 365).",
            default = 14
        )]
        stale_after_days: u32,
    ) -> Result<Option<MatchHealth>> {
        if !crate::matching::policy::sees_runs(ctx.actor()?, self.0.id) {
            return Ok(None);
        }
        if !(1..=365).contains(&stale_after_days) {
            return Err(crate::error::ApiError::BadUserInput(
                "staleAfterDays must be from 1 to 365".to_owned(),
            )
            .into());
        }
        let facts = ctx
            .loader::<MatchHealthOfCohort>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(Some(MatchHealth {
            facts,
            stale_after_days,
        }))
    }
}

node_object!(
    /// An organization's place in a cohort.
    Enrollment: enrollment, EnrollmentById
);

reads_columns!(Enrollment: enrollment {
    "id" => [Id],
    "cohort" => [CohortId],
    "organization" => [OrganizationId],
    "status" => [Status],
    "enrolledAt" => [CreatedAt],
    "withdrawnAt" => [WithdrawnAt],
    "updatedAt" => [UpdatedAt],
});

/// An organization's place in a cohort.
#[Object]
impl Enrollment {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// The enrolled organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InPlace<Organization>> {
        Ok(InPlace(
            ctx.loaders()?
                .require_selected(ctx, self.0.organization_id)
                .await?,
        ))
    }

    /// Whether the organization still takes part.
    async fn status(&self) -> EnrollmentStatus {
        self.0.status.into()
    }

    /// When the organization was first enrolled.
    async fn enrolled_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the organization withdrew, if it did.
    async fn withdrawn_at(&self) -> Option<DateTime> {
        self.0.withdrawn_at.map(Into::into)
    }

    /// When the enrollment last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// A T/TA provider's role in a cohort.
    CohortStaff: cohort_staff, CohortStaffById
);

reads_columns!(CohortStaff: cohort_staff {
    "id" => [Id],
    "cohort" => [CohortId],
    "user" => [UserId],
    "role" => [Role],
    "createdAt" => [CreatedAt],
});

/// A T/TA provider's role in a cohort.
#[Object]
impl CohortStaff {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// The staff member.
    async fn user(&self, ctx: &Context<'_>) -> Result<InPlace<User>> {
        Ok(InPlace(
            ctx.loaders()?.require_selected(ctx, self.0.user_id).await?,
        ))
    }

    /// What they do in the cohort.
    async fn role(&self) -> StaffRole {
        self.0.role.into()
    }

    /// When they were assigned.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

connection!(
    CohortConnection,
    CohortEdge,
    Cohort,
    "A page of cohorts.",
    "A cohort in a page, with its cursor."
);

connection!(
    EnrollmentConnection,
    EnrollmentEdge,
    Enrollment,
    "A page of enrollments.",
    "An enrollment in a page, with its cursor."
);

connection!(
    CohortStaffConnection,
    CohortStaffEdge,
    CohortStaff,
    "A page of cohort staff.",
    "A cohort staff member in a page, with their cursor."
);
