//! Mutations of matching: self-assessments, matching runs and their drafts, and what
//! organizations do with their matches.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::{assessment, matching_run, peer_match};
use peerlearn_matching::Weights;

use crate::error::{ApiError, FieldErrorCode};
use crate::graphql::errors::{UserError, payload};
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::scalars::Date;
use crate::graphql::{ContextExt as _, idempotent};
use crate::idempotency;
use crate::matching::service::{self, NewRun, RatingInput};
use crate::matching::types::{
    Assessment, MatchContact, MatchFeedback, MatchingMode, MatchingRun, PeerMatch,
};

/// How an organization rates itself on one topic.
#[derive(Debug, InputObject)]
pub struct AssessmentRatingInput {
    /// The topic.
    pub topic_id: ID,
    /// 0 (nothing in place) to 3 (could teach it).
    pub level: i32,
    /// Whether the organization asks for help on it.
    #[graphql(default)]
    pub wants_help: bool,
}

/// Input of `submitAssessment`.
#[derive(Debug, InputObject)]
pub struct SubmitAssessmentInput {
    /// The organization assessing itself.
    pub organization_id: ID,
    /// One rating per topic (1 to 200 of them).
    pub ratings: Vec<AssessmentRatingInput>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe: the same input
    /// with the same key within a day returns the first result instead of creating again; the
    /// same key with other input fails with `IDEMPOTENCY_KEY_REUSED`.
    pub idempotency_key: Option<String>,
}

/// The weights of the score terms, in points (0 to 100000 each); see `docs/matching.md`.
#[derive(Debug, InputObject)]
pub struct MatchWeightsInput {
    /// Points per unit of need times expertise on a topic.
    #[graphql(default = 100)]
    pub topic: i64,
    /// Points when both organizations are of the same kind.
    #[graphql(default = 50)]
    pub same_kind: i64,
    /// Points subtracted per whole hour between the time zones.
    #[graphql(default = 10)]
    pub time_zone_per_hour: i64,
    /// Points per profession with champions on both sides.
    #[graphql(default = 40)]
    pub profession: i64,
    /// Points subtracted per earlier match of the same organizations.
    #[graphql(default = 150)]
    pub repeat: i64,
    /// Points subtracted once when an earlier match was rated 2 or lower, or declined.
    #[graphql(default = 300)]
    pub poor_rating: i64,
}

/// A mentor organization of a MENTORING run.
#[derive(Debug, InputObject)]
pub struct MentorInput {
    /// The mentor, actively enrolled in the cohort.
    pub organization_id: ID,
    /// Most mentees it takes (1 to 50).
    #[graphql(default = 1)]
    pub capacity: i32,
}

/// Two organizations never to match.
#[derive(Debug, InputObject)]
pub struct ExclusionInput {
    /// One organization.
    pub first_organization_id: ID,
    /// The other.
    pub second_organization_id: ID,
}

/// Input of `createMatchingRun`.
#[derive(Debug, InputObject)]
pub struct CreateMatchingRunInput {
    /// The cohort whose actively enrolled organizations to match.
    pub cohort_id: ID,
    /// Which matching to compute.
    pub mode: MatchingMode,
    /// The score weights; the defaults of `docs/matching.md` if omitted.
    pub weights: Option<MatchWeightsInput>,
    /// Consider only this many best candidates per organization (1 to 100); all if omitted.
    pub candidates_limit: Option<i32>,
    /// GROUPS: organizations per group (2 to 20).
    #[graphql(default = 4)]
    pub group_size: i32,
    /// GROUPS: how many of each member's highest needs its group should cover (1 to 10).
    #[graphql(default = 3)]
    pub top_needs: i32,
    /// GROUPS: the seed of the search; the same seed on the same data gives the same groups.
    #[graphql(default)]
    pub seed: i32,
    /// Consider only these topics (at most 50); all if empty.
    #[graphql(default)]
    pub topic_ids: Vec<ID>,
    /// MENTORING: the mentors and their capacities (required); everyone else is a mentee.
    #[graphql(default)]
    pub mentors: Vec<MentorInput>,
    /// Pairs of organizations never to match.
    #[graphql(default)]
    pub exclusions: Vec<ExclusionInput>,
    /// A key of your choosing (1 to 255 characters) that makes retrying safe, as on
    /// `submitAssessment`.
    pub idempotency_key: Option<String>,
}

/// Input of `removeProposedMatch`.
#[derive(Debug, InputObject)]
pub struct RemoveProposedMatchInput {
    /// The match, in a draft run.
    pub match_id: ID,
    /// The run's `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
}

/// Input of `addManualMatch`.
#[derive(Debug, InputObject)]
pub struct AddManualMatchInput {
    /// The draft run.
    pub run_id: ID,
    /// The run's `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// The organizations of the run to match: the mentee then the mentor in MENTORING, two in
    /// PEER_PAIRS, two or more in GROUPS. None may be in another match of the run.
    pub organization_ids: Vec<ID>,
}

/// Input of `swapMatchedOrganizations`.
#[derive(Debug, InputObject)]
pub struct SwapMatchedOrganizationsInput {
    /// The draft run.
    pub run_id: ID,
    /// The run's `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
    /// Two participants of different matches of the run, of the same role: their
    /// organizations change places.
    pub participant_ids: Vec<ID>,
}

/// Input of `publishMatchingRun`.
#[derive(Debug, InputObject)]
pub struct PublishMatchingRunInput {
    /// The draft run.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
}

/// Input of `discardMatchingRun`.
#[derive(Debug, InputObject)]
pub struct DiscardMatchingRunInput {
    /// The draft run.
    pub id: ID,
    /// The `version` the client last read; a stale one fails with `CONFLICT`.
    pub expected_version: i32,
}

/// An organization's answer to a proposed match.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchAnswer {
    /// The organization takes part.
    Accept,
    /// The organization does not take part; say why.
    Decline,
}

/// Input of `respondToMatch`.
#[derive(Debug, InputObject)]
pub struct RespondToMatchInput {
    /// The published match.
    pub match_id: ID,
    /// The participant organization answering.
    pub organization_id: ID,
    /// The answer.
    pub answer: MatchAnswer,
    /// Why it declines: required with `DECLINE` (up to 5000 characters).
    pub reason: Option<String>,
}

/// Input of `logMatchContact`.
#[derive(Debug, InputObject)]
pub struct LogMatchContactInput {
    /// The active match.
    pub match_id: ID,
    /// The day it happened, not in the future; today if omitted.
    pub occurred_on: Option<Date>,
    /// What happened (1 to 5000 characters).
    pub note: String,
}

/// Input of `completeMatch`.
#[derive(Debug, InputObject)]
pub struct CompleteMatchInput {
    /// The active match.
    pub match_id: ID,
}

/// Input of `rateMatch`.
#[derive(Debug, InputObject)]
pub struct RateMatchInput {
    /// The active or completed match.
    pub match_id: ID,
    /// The participant organization rating it; one rating per organization.
    pub organization_id: ID,
    /// 1 (useless) to 5 (excellent).
    pub rating: i32,
    /// What the organization says about it (up to 5000 characters).
    pub comment: Option<String>,
}

/// Result of `submitAssessment`.
#[derive(SimpleObject)]
pub struct SubmitAssessmentPayload {
    /// The new assessment, unless the input had errors.
    pub assessment: Option<Assessment>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of the mutations that create or change a matching run.
#[derive(SimpleObject)]
pub struct MatchingRunPayload {
    /// The run as it is now, unless the input had errors.
    pub matching_run: Option<MatchingRun>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `addManualMatch`.
#[derive(SimpleObject)]
pub struct AddManualMatchPayload {
    /// The run as it is now, unless the input had errors.
    pub matching_run: Option<MatchingRun>,
    /// The new match, unless the input had errors.
    #[graphql(name = "match")]
    pub peer_match: Option<PeerMatch>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of the mutations that change a match.
#[derive(SimpleObject)]
pub struct PeerMatchPayload {
    /// The match as it is now, unless the input had errors.
    #[graphql(name = "match")]
    pub peer_match: Option<PeerMatch>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `logMatchContact`.
#[derive(SimpleObject)]
pub struct LogMatchContactPayload {
    /// The logged contact, unless the input had errors.
    pub contact: Option<MatchContact>,
    /// The match as it is now, unless the input had errors.
    #[graphql(name = "match")]
    pub peer_match: Option<PeerMatch>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `rateMatch`.
#[derive(SimpleObject)]
pub struct RateMatchPayload {
    /// The rating, unless the input had errors.
    pub feedback: Option<MatchFeedback>,
    /// The match, unless the input had errors.
    #[graphql(name = "match")]
    pub peer_match: Option<PeerMatch>,
    /// Problems with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

fn run_payload(result: Result<matching_run::Model, ApiError>) -> Result<MatchingRunPayload> {
    payload(result, |run, user_errors| MatchingRunPayload {
        matching_run: run.map(Into::into),
        user_errors,
    })
}

fn match_payload(result: Result<peer_match::Model, ApiError>) -> Result<PeerMatchPayload> {
    payload(result, |m, user_errors| PeerMatchPayload {
        peer_match: m.map(Into::into),
        user_errors,
    })
}

fn ids_of(ids: &[ID], kind: NodeKind) -> Result<Vec<uuid::Uuid>> {
    Ok(ids
        .iter()
        .map(|id| decode_as(id, kind))
        .collect::<Result<_, _>>()?)
}

/// Mutations of matching.
#[derive(Default)]
pub struct MatchingMutation;

#[Object(guard = "crate::graphql::SignedIn")]
impl MatchingMutation {
    /// Records an organization's self-assessment; earlier ones are kept as its history, this
    /// one becomes its current needs and expertise.
    ///
    /// **Permissions**: the organization's members, and admins.
    async fn submit_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment.")] input: SubmitAssessmentInput,
    ) -> Result<SubmitAssessmentPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent("submitAssessment", input.idempotency_key.as_deref(), &input);
        let organization = decode_as(&input.organization_id, NodeKind::Organization)?;
        let ratings = input
            .ratings
            .iter()
            .map(|r| {
                Ok(RatingInput {
                    topic_id: decode_as(&r.topic_id, NodeKind::Topic)?,
                    level: r.level,
                    wants_help: r.wants_help,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let result = idempotency::once(
            db,
            viewer,
            request,
            |a: &assessment::Model| a.id,
            async |txn| service::submit_assessment(txn, viewer, organization, ratings).await,
            async |id| service::visible_assessment(db, viewer, id).await,
        )
        .await;
        payload(result, |a, user_errors| SubmitAssessmentPayload {
            assessment: a.map(Into::into),
            user_errors,
        })
    }

    /// Computes a draft matching run for a cohort from its organizations' latest assessments
    /// and their history together. Only the cohort's staff see it until it is published.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn create_matching_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to compute.")] input: CreateMatchingRunInput,
    ) -> Result<MatchingRunPayload> {
        let (db, viewer) = (ctx.db()?, ctx.viewer()?);
        let request = idempotent(
            "createMatchingRun",
            input.idempotency_key.as_deref(),
            &input,
        );
        let weights = input
            .weights
            .as_ref()
            .map_or_else(Weights::default, |w| Weights {
                topic: w.topic,
                same_kind: w.same_kind,
                time_zone_per_hour: w.time_zone_per_hour,
                profession: w.profession,
                repeat: w.repeat,
                poor_rating: w.poor_rating,
            });
        let mentors = input
            .mentors
            .iter()
            .map(|m| {
                Ok((
                    decode_as(&m.organization_id, NodeKind::Organization)?,
                    m.capacity,
                ))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let exclusions = input
            .exclusions
            .iter()
            .map(|e| {
                Ok((
                    decode_as(&e.first_organization_id, NodeKind::Organization)?,
                    decode_as(&e.second_organization_id, NodeKind::Organization)?,
                ))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let new = NewRun {
            cohort_id: decode_as(&input.cohort_id, NodeKind::Cohort)?,
            mode: input.mode.into(),
            weights,
            candidates_limit: input.candidates_limit,
            group_size: input.group_size,
            top_needs: input.top_needs,
            seed: input.seed,
            topic_focus: ids_of(&input.topic_ids, NodeKind::Topic)?,
            mentors,
            exclusions,
        };
        let result = idempotency::once(
            db,
            viewer,
            request,
            |run: &matching_run::Model| run.id,
            async |txn| service::create_matching_run(txn, viewer, new).await,
            async |id| service::visible_run(db, viewer, id).await,
        )
        .await;
        run_payload(result)
    }

    /// Takes a proposed match out of a draft run; its organizations are listed as unmatched.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn remove_proposed_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The match and the run's version.")] input: RemoveProposedMatchInput,
    ) -> Result<MatchingRunPayload> {
        let id = decode_as(&input.match_id, NodeKind::PeerMatch)?;
        let result =
            service::remove_proposed_match(ctx.db()?, ctx.viewer()?, id, input.expected_version)
                .await;
        run_payload(result)
    }

    /// Adds a match of staff's choosing to a draft run, scored and explained by the engine.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn add_manual_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run and the organizations to match.")] input: AddManualMatchInput,
    ) -> Result<AddManualMatchPayload> {
        let id = decode_as(&input.run_id, NodeKind::MatchingRun)?;
        let organizations = ids_of(&input.organization_ids, NodeKind::Organization)?;
        let result = service::add_manual_match(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            organizations,
        )
        .await;
        payload(result, |added, user_errors| {
            let (run, m) = added.unzip();
            AddManualMatchPayload {
                matching_run: run.map(Into::into),
                peer_match: m.map(Into::into),
                user_errors,
            }
        })
    }

    /// Exchanges the organizations of two participants of different matches of a draft run
    /// (both mentees, both mentors, or peers); the engine rescores both matches.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn swap_matched_organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run and the two participants.")] input: SwapMatchedOrganizationsInput,
    ) -> Result<MatchingRunPayload> {
        let id = decode_as(&input.run_id, NodeKind::MatchingRun)?;
        let places = ids_of(&input.participant_ids, NodeKind::MatchParticipant)?;
        let [first, second] = places[..] else {
            return run_payload(Err(ApiError::invalid(
                "participantIds",
                FieldErrorCode::Invalid,
                "must name exactly two participants",
            )));
        };
        let result = service::swap_matched_organizations(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.expected_version,
            first,
            second,
        )
        .await;
        run_payload(result)
    }

    /// Publishes a draft run: its organizations see their proposed matches and answer them.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn publish_matching_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run.")] input: PublishMatchingRunInput,
    ) -> Result<MatchingRunPayload> {
        let id = decode_as(&input.id, NodeKind::MatchingRun)?;
        let result =
            service::publish_matching_run(ctx.db()?, ctx.viewer()?, id, input.expected_version)
                .await;
        run_payload(result)
    }

    /// Discards a draft run without publishing it.
    ///
    /// **Permissions**: the cohort's leads and coaches, and admins.
    async fn discard_matching_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run.")] input: DiscardMatchingRunInput,
    ) -> Result<MatchingRunPayload> {
        let id = decode_as(&input.id, NodeKind::MatchingRun)?;
        let result =
            service::discard_matching_run(ctx.db()?, ctx.viewer()?, id, input.expected_version)
                .await;
        run_payload(result)
    }

    /// An organization's answer to a published match. A decline closes the match; once every
    /// participant accepted, it is `ACTIVE`.
    ///
    /// **Permissions**: the participant organization's members, and admins.
    async fn respond_to_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The answer.")] input: RespondToMatchInput,
    ) -> Result<PeerMatchPayload> {
        let id = decode_as(&input.match_id, NodeKind::PeerMatch)?;
        let organization = decode_as(&input.organization_id, NodeKind::Organization)?;
        let result = service::respond_to_match(
            ctx.db()?,
            ctx.viewer()?,
            id,
            organization,
            input.answer == MatchAnswer::Accept,
            input.reason,
        )
        .await;
        match_payload(result)
    }

    /// Logs a contact between the organizations of an active match.
    ///
    /// **Permissions**: the participants' members, the cohort's leads and coaches, and admins.
    async fn log_match_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact.")] input: LogMatchContactInput,
    ) -> Result<LogMatchContactPayload> {
        let id = decode_as(&input.match_id, NodeKind::PeerMatch)?;
        let result = service::log_match_contact(
            ctx.db()?,
            ctx.viewer()?,
            id,
            input.occurred_on.map(|d| d.0),
            &input.note,
        )
        .await;
        payload(result, |logged, user_errors| {
            let (m, contact) = logged.unzip();
            LogMatchContactPayload {
                contact: contact.map(Into::into),
                peer_match: m.map(Into::into),
                user_errors,
            }
        })
    }

    /// Marks an active match as completed.
    ///
    /// **Permissions**: the participants' members, the cohort's leads and coaches, and admins.
    async fn complete_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The match.")] input: CompleteMatchInput,
    ) -> Result<PeerMatchPayload> {
        let id = decode_as(&input.match_id, NodeKind::PeerMatch)?;
        match_payload(service::complete_match(ctx.db()?, ctx.viewer()?, id).await)
    }

    /// An organization's rating of an active or completed match; one per organization.
    /// Later runs weigh low ratings against matching the same organizations again.
    ///
    /// **Permissions**: the participant organization's members, and admins.
    async fn rate_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rating.")] input: RateMatchInput,
    ) -> Result<RateMatchPayload> {
        let id = decode_as(&input.match_id, NodeKind::PeerMatch)?;
        let organization = decode_as(&input.organization_id, NodeKind::Organization)?;
        let result = service::rate_match(
            ctx.db()?,
            ctx.viewer()?,
            id,
            organization,
            input.rating,
            input.comment,
        )
        .await;
        payload(result, |rated, user_errors| {
            let (m, feedback) = rated.unzip();
            RateMatchPayload {
                feedback: feedback.map(Into::into),
                peer_match: m.map(Into::into),
                user_errors,
            }
        })
    }
}
