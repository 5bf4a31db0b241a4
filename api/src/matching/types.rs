//! GraphQL types of self-assessments, matching runs, matches and match health.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::match_participant::{
    ParticipantResponse as DbParticipantResponse, ParticipantRole as DbParticipantRole,
};
use entity::matching_run::{MatchingMode as DbMatchingMode, RunStatus as DbRunStatus};
use entity::peer_match::MatchStatus as DbMatchStatus;
use entity::{
    assessment, assessment_rating, match_contact, match_feedback, match_participant, matching_run,
    peer_match,
};
use futures_util::future::try_join_all;
use sea_orm::ActiveEnum as _;
use uuid::Uuid;

use crate::cohort::types::Cohort;
use crate::graphql::in_place::InPlace;
use crate::graphql::node::{HasNodeKind as _, node_object};
use crate::graphql::pagination::{Page, connection};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::{ContextExt as _, mirror_enum};
use crate::matching::loaders::{
    AssessmentById, AssessmentSummaries, ContactById, ContactsOfMatch, FeedbackById,
    FeedbackOfMatch, HealthFacts, MatchesOfRun, MatchingRunById, ParticipantById,
    ParticipantsOfMatch, PeerMatchById, RatingsOfAssessment,
};
use crate::matching::service::{
    self, Term, UnmatchedReason as StoredReason, explanation_of, unmatched_of,
};
use crate::organization::types::{Organization, OrganizationKind, Profession};
use crate::topic::types::Topic;
use crate::user::types::User;

mirror_enum! {
    /// Which matching a run computes.
    MatchingMode mirrors DbMatchingMode {
        /// Mentee organizations to mentor organizations, each mentor with a capacity.
        Mentoring,
        /// Mutual pairs inside the whole cohort.
        PeerPairs,
        /// Breakout groups of about `groupSize` organizations.
        Groups,
    }
}

mirror_enum! {
    /// Where a matching run stands.
    MatchingRunStatus mirrors DbRunStatus {
        /// Computed, seen and edited by staff only.
        Draft,
        /// Published: the organizations see their matches and answer them.
        Published,
        /// Thrown away without publishing.
        Discarded,
    }
}

mirror_enum! {
    /// Where a match stands.
    PeerMatchStatus mirrors DbMatchStatus {
        /// Proposed: in a draft, or published and waiting for every participant's answer.
        Proposed,
        /// Every participant accepted; they are working together.
        Active,
        /// A participant declined.
        Declined,
        /// Done.
        Completed,
    }
}

mirror_enum! {
    /// What an organization is in a match.
    ParticipantRole mirrors DbParticipantRole {
        /// Helps its mentee (MENTORING).
        Mentor,
        /// Learns from its mentor (MENTORING).
        Mentee,
        /// Learns from and helps the others (PEER_PAIRS, GROUPS).
        Peer,
    }
}

mirror_enum! {
    /// An organization's answer to a proposed match.
    ParticipantResponse mirrors DbParticipantResponse {
        /// Not answered yet.
        Pending,
        /// Accepted.
        Accepted,
        /// Declined; `declineReason` says why.
        Declined,
    }
}

/// Why an organization of a run has no match.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// It asks for help on nothing (in PEER_PAIRS: and nobody needs its expertise).
    NoNeeds,
    /// Nobody available is ahead of it on a topic it needs (or needs what it knows).
    NoExpertise,
    /// Everyone who could help it is excluded from it.
    Excluded,
    /// Time-zone and history penalties bring every candidate's score to 0 or below.
    NoPositiveScore,
    /// It had candidates, but the best overall matching gave them to others.
    CapacityFull,
    /// Staff removed its proposed match from the draft.
    RemovedByStaff,
}

impl From<StoredReason> for UnmatchedReason {
    fn from(reason: StoredReason) -> Self {
        match reason {
            StoredReason::NoNeeds => Self::NoNeeds,
            StoredReason::NoExpertise => Self::NoExpertise,
            StoredReason::Excluded => Self::Excluded,
            StoredReason::NoPositiveScore => Self::NoPositiveScore,
            StoredReason::CapacityFull => Self::CapacityFull,
            StoredReason::RemovedByStaff => Self::RemovedByStaff,
        }
    }
}

/// What a term of a match's score is about.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchTermKind {
    /// `learner` needs help on `topic` and `helper` has the expertise: need x expertise x
    /// the topic weight.
    Topic,
    /// Both organizations are of the same kind.
    SameKind,
    /// Their time zones are `hoursApart` apart.
    TimeZone,
    /// Both have champions of `profession`.
    Profession,
    /// They were matched `timesMatched` times before; a low rating or a decline counts
    /// against them.
    History,
    /// GROUPS only: the group holds an excluded pair.
    Excluded,
}

async fn topic(ctx: &Context<'_>, id: Uuid) -> Result<Option<Topic>> {
    Ok(ctx.loaders()?.node::<Topic>(id).await?)
}

async fn organization(ctx: &Context<'_>, id: Uuid) -> Result<Option<Organization>> {
    Ok(ctx.loaders()?.node::<Organization>(id).await?)
}

async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<User>> {
    match id {
        Some(id) => Ok(ctx.loaders()?.node::<User>(id).await?),
        None => Ok(None),
    }
}

async fn organizations(ctx: &Context<'_>, ids: &[Uuid]) -> Result<Vec<Organization>> {
    let loaders = ctx.loaders()?;
    let found = try_join_all(ids.iter().map(|id| loaders.node::<Organization>(*id))).await?;
    Ok(found.into_iter().flatten().collect())
}

node_object!(
    /// An organization's self-assessment: how it rated itself on each topic, at one moment.
    Assessment: assessment, AssessmentById
);

/// An organization's self-assessment: how it rated itself on each topic, at one moment.
#[Object]
impl Assessment {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The organization that assessed itself.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InPlace<Organization>> {
        Ok(InPlace(
            ctx.loaders()?.require(self.0.organization_id).await?,
        ))
    }

    /// Its ratings, one per topic, in the order given.
    async fn ratings(&self, ctx: &Context<'_>) -> Result<Vec<AssessmentRating>> {
        Ok(ctx
            .loader::<RatingsOfAssessment>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AssessmentRating)
            .collect())
    }

    /// Who submitted it, if the viewer may see them.
    async fn submitted_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.submitted_by_id).await
    }

    /// When it was submitted.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// How an organization rated itself on one topic.
pub struct AssessmentRating(pub assessment_rating::Model);

/// How an organization rated itself on one topic.
#[Object]
impl AssessmentRating {
    /// The topic.
    async fn topic(&self, ctx: &Context<'_>) -> Result<Option<Topic>> {
        topic(ctx, self.0.topic_id).await
    }

    /// The level: 0 (nothing in place) to 3 (could teach it).
    async fn level(&self) -> i32 {
        self.0.level
    }

    /// Whether the organization asks for help on it.
    async fn wants_help(&self) -> bool {
        self.0.wants_help
    }
}

/// A topic an organization wants help with, from its latest assessment.
#[derive(SimpleObject)]
pub struct TopicNeed {
    /// The topic.
    pub topic: Option<Topic>,
    /// Its level on the topic, 0 to 3.
    pub level: i32,
    /// How much it needs help: 4 minus its level (1 to 4).
    pub weight: i32,
}

/// A topic an organization knows well (level 2 or 3), from its latest assessment.
#[derive(SimpleObject)]
pub struct TopicExpertise {
    /// The topic.
    pub topic: Option<Topic>,
    /// Its level on the topic, 2 or 3.
    pub level: i32,
    /// How much it can help: its level minus 1 (1 or 2).
    pub weight: i32,
}

/// How an organization's level on a topic changed between its first and latest assessments.
#[derive(SimpleObject)]
pub struct TopicGrowth {
    /// The topic.
    pub topic: Option<Topic>,
    /// The level in the first assessment, if it rated the topic then.
    pub first_level: Option<i32>,
    /// The level in the latest assessment, if it rates the topic now.
    pub latest_level: Option<i32>,
    /// Latest minus first, when both exist.
    pub change: Option<i32>,
}

async fn summary(
    ctx: &Context<'_>,
    organization: Uuid,
) -> Result<crate::matching::loaders::AssessmentSummary> {
    Ok(ctx
        .loader::<AssessmentSummaries>()?
        .load_one(organization)
        .await?
        .unwrap_or_default())
}

/// The needs of an organization, largest first (then by topic), from its latest assessment
/// that the viewer may see.
pub async fn needs(ctx: &Context<'_>, organization: Uuid) -> Result<Vec<TopicNeed>> {
    let mut latest: Vec<_> = summary(ctx, organization)
        .await?
        .latest
        .into_iter()
        .filter(|r| r.wants_help)
        .collect();
    latest.sort_by_key(|r| (r.level, r.topic_id));
    let mut result = Vec::with_capacity(latest.len());
    for rating in latest {
        result.push(TopicNeed {
            topic: topic(ctx, rating.topic_id).await?,
            level: rating.level,
            weight: 4 - rating.level,
        });
    }
    Ok(result)
}

/// The expertise of an organization, strongest first (then by topic), from its latest
/// assessment that the viewer may see.
pub async fn expertise(ctx: &Context<'_>, organization: Uuid) -> Result<Vec<TopicExpertise>> {
    let mut latest: Vec<_> = summary(ctx, organization)
        .await?
        .latest
        .into_iter()
        .filter(|r| r.level >= 2)
        .collect();
    latest.sort_by_key(|r| (std::cmp::Reverse(r.level), r.topic_id));
    let mut result = Vec::with_capacity(latest.len());
    for rating in latest {
        result.push(TopicExpertise {
            topic: topic(ctx, rating.topic_id).await?,
            level: rating.level,
            weight: rating.level - 1,
        });
    }
    Ok(result)
}

/// The growth of an organization per topic, first against latest assessment.
pub async fn growth(ctx: &Context<'_>, organization: Uuid) -> Result<Vec<TopicGrowth>> {
    let summary = summary(ctx, organization).await?;
    let mut topics: Vec<Uuid> = summary
        .first
        .iter()
        .chain(&summary.latest)
        .map(|r| r.topic_id)
        .collect();
    topics.sort_unstable();
    topics.dedup();
    let level = |ratings: &[assessment_rating::Model], t: Uuid| {
        ratings.iter().find(|r| r.topic_id == t).map(|r| r.level)
    };
    let mut result = Vec::with_capacity(topics.len());
    for t in topics {
        let (first, latest) = (level(&summary.first, t), level(&summary.latest, t));
        result.push(TopicGrowth {
            topic: topic(ctx, t).await?,
            first_level: first,
            latest_level: latest,
            change: first.zip(latest).map(|(f, l)| l - f),
        });
    }
    Ok(result)
}

/// The weights of a run's score terms, in points.
#[derive(SimpleObject)]
pub struct MatchWeights {
    /// Points per unit of need times expertise on a topic.
    pub topic: i64,
    /// Points when both organizations are of the same kind.
    pub same_kind: i64,
    /// Points subtracted per whole hour between the time zones.
    pub time_zone_per_hour: i64,
    /// Points per profession with champions on both sides.
    pub profession: i64,
    /// Points subtracted per earlier match of the same organizations.
    pub repeat: i64,
    /// Points subtracted once when an earlier match was rated 2 or lower, or declined.
    pub poor_rating: i64,
}

/// A mentor organization of a MENTORING run and how many mentees it takes.
pub struct MentorCapacity(service::MentorCapacity);

/// A mentor organization of a MENTORING run and how many mentees it takes.
#[Object]
impl MentorCapacity {
    /// The mentor.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        organization(ctx, self.0.organization).await
    }

    /// Most mentees it takes.
    async fn capacity(&self) -> u32 {
        self.0.capacity
    }
}

/// What a run was asked to compute.
pub struct MatchingParameters(service::RunParameters);

/// What a run was asked to compute.
#[Object]
impl MatchingParameters {
    /// The weights of the score terms.
    async fn weights(&self) -> MatchWeights {
        let w = self.0.weights;
        MatchWeights {
            topic: w.topic,
            same_kind: w.same_kind,
            time_zone_per_hour: w.time_zone_per_hour,
            profession: w.profession,
            repeat: w.repeat,
            poor_rating: w.poor_rating,
        }
    }

    /// Only this many best candidates per organization were considered; all if `null`.
    async fn candidates_limit(&self) -> Option<u32> {
        self.0.candidates_limit
    }

    /// GROUPS: organizations per group.
    async fn group_size(&self) -> u32 {
        self.0.group_size
    }

    /// GROUPS: how many of each member's highest needs its group should cover.
    async fn top_needs(&self) -> u32 {
        self.0.top_needs
    }

    /// GROUPS: the seed of the search; the same seed on the same data gives the same groups.
    async fn seed(&self) -> u32 {
        self.0.seed
    }

    /// Only these topics were considered; all if empty.
    async fn topic_focus(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        let loaders = ctx.loaders()?;
        let found = try_join_all(
            self.0
                .topic_focus
                .iter()
                .map(|id| loaders.node::<Topic>(*id)),
        )
        .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// MENTORING: the mentors and their capacities.
    async fn mentors(&self) -> Vec<MentorCapacity> {
        self.0.mentors.iter().copied().map(MentorCapacity).collect()
    }

    /// Pairs of organizations that were never to be matched.
    async fn exclusions(&self, ctx: &Context<'_>) -> Result<Vec<Vec<Organization>>> {
        let mut result = Vec::with_capacity(self.0.exclusions.len());
        for pair in &self.0.exclusions {
            result.push(organizations(ctx, pair).await?);
        }
        Ok(result)
    }
}

/// An organization of a run left without a match, and why.
pub struct UnmatchedOrganization(service::Unmatched);

/// An organization of a run left without a match, and why.
#[Object]
impl UnmatchedOrganization {
    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        organization(ctx, self.0.organization).await
    }

    /// Why it has no match.
    async fn reason(&self) -> UnmatchedReason {
        self.0.reason.into()
    }
}

node_object!(
    /// A run of the matching engine over a cohort: a draft that staff edit, then publish or
    /// discard.
    MatchingRun: matching_run, MatchingRunById
);

/// A run of the matching engine over a cohort: a draft that staff edit, then publish or
/// discard.
#[Object]
impl MatchingRun {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The cohort whose organizations it matches.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// Which matching it computes.
    async fn mode(&self) -> MatchingMode {
        self.0.mode.into()
    }

    /// Where it stands.
    async fn status(&self) -> MatchingRunStatus {
        self.0.status.into()
    }

    /// What it was asked to compute.
    async fn parameters(&self) -> Result<MatchingParameters> {
        Ok(MatchingParameters(service::parameters_of(&self.0)?))
    }

    /// The sum of the scores of its matches.
    async fn total_score(&self) -> i64 {
        self.0.total_score
    }

    /// Its matches, in the order they were made.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn matches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<PeerMatchConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx.loader::<MatchesOfRun>()?.page(self.0.id, page).await?;
        Ok(PeerMatchConnection::new(slice, total))
    }

    /// The organizations left without a match, with the reason.
    async fn unmatched(&self) -> Vec<UnmatchedOrganization> {
        unmatched_of(&self.0)
            .into_iter()
            .map(UnmatchedOrganization)
            .collect()
    }

    /// Who created it, if the viewer may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.created_by_id).await
    }

    /// When it was published.
    async fn published_at(&self) -> Option<DateTime> {
        self.0.published_at.map(Into::into)
    }

    /// Incremented on every change; pass it as `expectedVersion` when changing the run.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was computed.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One term of a match's score. Only the fields of its `kind` are set.
pub struct MatchTerm(Term);

/// One term of a match's score. Only the fields of its `kind` are set.
#[Object]
impl MatchTerm {
    /// What the term is about.
    async fn kind(&self) -> MatchTermKind {
        match self.0 {
            Term::Topic { .. } => MatchTermKind::Topic,
            Term::SameKind { .. } => MatchTermKind::SameKind,
            Term::TimeZone { .. } => MatchTermKind::TimeZone,
            Term::Profession { .. } => MatchTermKind::Profession,
            Term::History { .. } => MatchTermKind::History,
            Term::Excluded { .. } => MatchTermKind::Excluded,
        }
    }

    /// The points it adds to the score (negative for penalties).
    async fn points(&self) -> i64 {
        match self.0 {
            Term::Topic { points, .. }
            | Term::SameKind { points, .. }
            | Term::TimeZone { points, .. }
            | Term::Profession { points, .. }
            | Term::History { points, .. }
            | Term::Excluded { points, .. } => points,
        }
    }

    /// `TOPIC`: the topic.
    async fn topic(&self, ctx: &Context<'_>) -> Result<Option<Topic>> {
        match self.0 {
            Term::Topic { topic: id, .. } => topic(ctx, id).await,
            _ => Ok(None),
        }
    }

    /// `TOPIC`: the organization that needs help.
    async fn learner(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0 {
            Term::Topic { learner, .. } => organization(ctx, learner).await,
            _ => Ok(None),
        }
    }

    /// `TOPIC`: the organization with the expertise.
    async fn helper(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0 {
            Term::Topic { helper, .. } => organization(ctx, helper).await,
            _ => Ok(None),
        }
    }

    /// `TOPIC`: the learner's need, 4 minus its level.
    async fn need(&self) -> Option<u8> {
        match self.0 {
            Term::Topic { need, .. } => Some(need),
            _ => None,
        }
    }

    /// `TOPIC`: the helper's expertise, its level minus 1.
    async fn expertise(&self) -> Option<u8> {
        match self.0 {
            Term::Topic { expertise, .. } => Some(expertise),
            _ => None,
        }
    }

    /// The two organizations of a pair term (all but `TOPIC`).
    async fn organizations(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        match &self.0 {
            Term::Topic { .. } => Ok(Vec::new()),
            Term::SameKind {
                organizations: o, ..
            }
            | Term::TimeZone {
                organizations: o, ..
            }
            | Term::Profession {
                organizations: o, ..
            }
            | Term::History {
                organizations: o, ..
            }
            | Term::Excluded {
                organizations: o, ..
            } => organizations(ctx, o).await,
        }
    }

    /// `SAME_KIND`: the kind both organizations are.
    async fn organization_kind(&self) -> Option<OrganizationKind> {
        match &self.0 {
            Term::SameKind { kind, .. } => {
                entity::organization::OrganizationKind::try_from_value(kind)
                    .ok()
                    .map(Into::into)
            }
            _ => None,
        }
    }

    /// `PROFESSION`: the profession with champions on both sides.
    async fn profession(&self) -> Option<Profession> {
        match &self.0 {
            Term::Profession { profession, .. } => {
                entity::membership::Profession::try_from_value(profession)
                    .ok()
                    .map(Into::into)
            }
            _ => None,
        }
    }

    /// `TIME_ZONE`: whole hours between the time zones.
    async fn hours_apart(&self) -> Option<u32> {
        match self.0 {
            Term::TimeZone { hours_apart, .. } => Some(hours_apart),
            _ => None,
        }
    }

    /// `HISTORY`: how many times they were matched before.
    async fn times_matched(&self) -> Option<u32> {
        match self.0 {
            Term::History { times_matched, .. } => Some(times_matched),
            _ => None,
        }
    }

    /// `HISTORY`: the lowest rating of those matches (a decline counts as 1).
    async fn lowest_rating(&self) -> Option<u8> {
        match self.0 {
            Term::History { lowest_rating, .. } => lowest_rating,
            _ => None,
        }
    }
}

node_object!(
    /// A pair or group of organizations proposed by a matching run: its score, why, and
    /// where it stands.
    PeerMatch: peer_match, PeerMatchById
);

/// A pair or group of organizations proposed by a matching run: its score, why, and where
/// it stands.
#[Object]
impl PeerMatch {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The run that proposed it; `null` for viewers who are not the cohort's staff.
    async fn run(&self, ctx: &Context<'_>) -> Result<Option<MatchingRun>> {
        Ok(ctx.loaders()?.node::<MatchingRun>(self.0.run_id).await?)
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<InPlace<Cohort>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.cohort_id).await?))
    }

    /// Where it stands.
    async fn status(&self) -> PeerMatchStatus {
        self.0.status.into()
    }

    /// Its score in points: the sum of the explanation's points.
    async fn score(&self) -> i64 {
        self.0.score
    }

    /// Why these organizations were matched: every term of the score.
    async fn explanation(&self) -> Vec<MatchTerm> {
        explanation_of(&self.0).into_iter().map(MatchTerm).collect()
    }

    /// The organizations, with their roles and answers.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<MatchParticipant>> {
        Ok(ctx
            .loader::<ParticipantsOfMatch>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(MatchParticipant)
            .collect())
    }

    /// Logged contacts, earliest date first.
    #[graphql(
        complexity = "crate::graphql::pagination::page_complexity(first, last, child_complexity)"
    )]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many items, from the start (1 to 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many items, from the end (1 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return items before this cursor.")] before: Option<String>,
    ) -> Result<MatchContactConnection> {
        let page = Page::of_field(ctx, first, after, last, before)?;
        let (slice, total) = ctx
            .loader::<ContactsOfMatch>()?
            .page(self.0.id, page)
            .await?;
        Ok(MatchContactConnection::new(slice, total))
    }

    /// The ratings the viewer may see: the cohort's staff see all, an organization its own.
    async fn feedback(&self, ctx: &Context<'_>) -> Result<Vec<MatchFeedback>> {
        Ok(ctx
            .loader::<FeedbackOfMatch>()?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(MatchFeedback)
            .collect())
    }

    /// Whether staff added or changed it by hand rather than the engine proposing it as is.
    async fn is_manual(&self) -> bool {
        self.0.is_manual
    }

    /// When its run was published.
    async fn published_at(&self) -> Option<DateTime> {
        self.0.published_at.map(Into::into)
    }

    /// When the last participant accepted it.
    async fn activated_at(&self) -> Option<DateTime> {
        self.0.activated_at.map(Into::into)
    }

    /// When it was completed.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(Into::into)
    }

    /// The day of the latest logged contact.
    async fn last_contact_on(&self) -> Option<Date> {
        self.0.last_contact_on.map(Into::into)
    }

    /// When it was proposed.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

node_object!(
    /// An organization in a match: its role and its answer.
    MatchParticipant: match_participant, ParticipantById
);

/// An organization in a match: its role and its answer.
#[Object]
impl MatchParticipant {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The match.
    #[graphql(name = "match")]
    async fn peer_match(&self, ctx: &Context<'_>) -> Result<InPlace<PeerMatch>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.match_id).await?))
    }

    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        organization(ctx, self.0.organization_id).await
    }

    /// What it is in the match.
    async fn role(&self) -> ParticipantRole {
        self.0.role.into()
    }

    /// Its answer.
    async fn response(&self) -> ParticipantResponse {
        self.0.response.into()
    }

    /// Why it declined.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }

    /// Who answered for it, if the viewer may see them.
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.responded_by_id).await
    }

    /// When it answered.
    async fn responded_at(&self) -> Option<DateTime> {
        self.0.responded_at.map(Into::into)
    }
}

node_object!(
    /// A logged contact between matched organizations: a call, a visit, a shadowing day.
    MatchContact: match_contact, ContactById
);

/// A logged contact between matched organizations: a call, a visit, a shadowing day.
#[Object]
impl MatchContact {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The match.
    #[graphql(name = "match")]
    async fn peer_match(&self, ctx: &Context<'_>) -> Result<InPlace<PeerMatch>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.match_id).await?))
    }

    /// Who logged it, if the viewer may see them.
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

    /// When it was logged.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

node_object!(
    /// An organization's rating of a match.
    MatchFeedback: match_feedback, FeedbackById
);

/// An organization's rating of a match.
#[Object]
impl MatchFeedback {
    /// The global ID.
    pub async fn id(&self) -> ID {
        Self::global_id(self.0.id)
    }

    /// The match.
    #[graphql(name = "match")]
    async fn peer_match(&self, ctx: &Context<'_>) -> Result<InPlace<PeerMatch>> {
        Ok(InPlace(ctx.loaders()?.require(self.0.match_id).await?))
    }

    /// The organization that rated it.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        organization(ctx, self.0.organization_id).await
    }

    /// Who rated it, if the viewer may see them.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user(ctx, self.0.author_id).await
    }

    /// 1 (useless) to 5 (excellent).
    async fn rating(&self) -> i32 {
        self.0.rating
    }

    /// What the organization says about it.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// When it was given.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// How a cohort's published matches are doing.
pub struct MatchHealth {
    /// The facts.
    pub facts: HealthFacts,
    /// Days without contact after which an active match is stale.
    pub stale_after_days: u32,
}

impl MatchHealth {
    /// Active matches with no contact logged in the last `stale_after_days` days (counting
    /// from activation when none was ever logged).
    fn stale(&self) -> Vec<Uuid> {
        let today = chrono::Utc::now().date_naive();
        let limit = today - chrono::Days::new(u64::from(self.stale_after_days));
        self.facts
            .active
            .iter()
            .filter(|m| {
                let since = m
                    .last_contact_on
                    .or(m.activated_at.map(|at| at.date_naive()));
                since.is_none_or(|day| day < limit)
            })
            .map(|m| m.id)
            .collect()
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// How a cohort's published matches are doing.
#[Object]
impl MatchHealth {
    /// Days without contact after which an active match counts as stale.
    async fn stale_after_days(&self) -> u32 {
        self.stale_after_days
    }

    /// Matches waiting for answers.
    async fn proposed_matches(&self) -> u64 {
        self.facts.proposed
    }

    /// Active matches.
    async fn active_matches(&self) -> u64 {
        self.facts.active.len() as u64
    }

    /// Completed matches.
    async fn completed_matches(&self) -> u64 {
        self.facts.completed
    }

    /// Declined matches.
    async fn declined_matches(&self) -> u64 {
        self.facts.declined
    }

    /// The share of answered matches that were declined, 0 to 1; `null` before any answer
    /// settled a match.
    async fn decline_rate(&self) -> Option<f64> {
        let settled = self.facts.declined + self.facts.active.len() as u64 + self.facts.completed;
        ratio(self.facts.declined, settled)
    }

    /// The average rating, 1 to 5; `null` without ratings.
    async fn average_rating(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "sums far below 2^52")]
        let sum = self.facts.rating_sum as f64;
        ratio(1, self.facts.rating_count).map(|share| sum * share)
    }

    /// How many ratings there are.
    async fn rating_count(&self) -> u64 {
        self.facts.rating_count
    }

    /// Active matches with no contact logged in `staleAfterDays` days (counted from
    /// activation when none was logged).
    async fn stale_matches(&self, ctx: &Context<'_>) -> Result<Vec<PeerMatch>> {
        let loaders = ctx.loaders()?;
        let found = try_join_all(
            self.stale()
                .into_iter()
                .map(|id| loaders.node::<PeerMatch>(id)),
        )
        .await?;
        Ok(found.into_iter().flatten().collect())
    }
}

connection!(
    AssessmentConnection,
    AssessmentEdge,
    Assessment,
    "A page of assessments.",
    "An assessment in a page, with its cursor."
);

connection!(
    MatchingRunConnection,
    MatchingRunEdge,
    MatchingRun,
    "A page of matching runs.",
    "A matching run in a page, with its cursor."
);

connection!(
    PeerMatchConnection,
    PeerMatchEdge,
    PeerMatch,
    "A page of matches.",
    "A match in a page, with its cursor."
);

connection!(
    MatchParticipantConnection,
    MatchParticipantEdge,
    MatchParticipant,
    "A page of places in matches.",
    "A place in a match, in a page, with its cursor."
);

connection!(
    MatchContactConnection,
    MatchContactEdge,
    MatchContact,
    "A page of logged contacts.",
    "A logged contact in a page, with its cursor."
);
