//! Matching use cases: self-assessments, matching runs (computed by the engine, edited as
//! drafts, published or discarded), and what organizations do with their matches: answer,
//! meet, complete and rate. Earlier matches, declines and ratings feed later runs.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Offset as _, TimeZone as _, Utc};
use entity::enrollment::{self, EnrollmentStatus};
use entity::match_participant::{ParticipantResponse, ParticipantRole};
use entity::matching_run::{MatchingMode, RunStatus};
use entity::membership::{self, Profession};
use entity::organization::{self, OrganizationKind};
use entity::peer_match::MatchStatus;
use entity::{
    assessment, assessment_rating, match_contact, match_feedback, match_participant, matching_run,
    peer_match, topic,
};
use peerlearn_matching::{
    Contribution, Direction, Mode, Org, Params, PastMatch, Problem, Reason, Scorer, TopicRating,
    Weights,
};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveEnum as _, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, Iterable as _, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::{ApiError, FieldErrorCode};
use crate::matching::policy::{self, assessment_scope, match_scope, run_scope};
use crate::milestone::service::latest_today;
use crate::store::{begin_write, find_in_scope, lock_row, update_versioned};
use crate::validate::Validator;

/// Highest self-rated level: 0 (nothing in place) to 3 (could teach it).
pub const LEVEL_MAX: i32 = 3;
/// Most topics in one assessment.
pub const RATINGS_MAX: usize = 200;
/// Longest note, comment or reason.
pub const TEXT_MAX: usize = 5000;
/// Largest weight of a score term.
pub const WEIGHT_MAX: i64 = 100_000;
/// Largest candidate limit.
pub const CANDIDATES_MAX: i32 = 100;
/// Largest breakout group.
pub const GROUP_SIZE_MAX: i32 = 20;
/// Most top needs a group covers per member.
pub const TOP_NEEDS_MAX: i32 = 10;
/// Most mentees one mentor takes.
pub const CAPACITY_MAX: i32 = 50;
/// Most topics in a run's focus.
pub const FOCUS_MAX: usize = 50;
/// Improvement passes of the GROUPS local search.
const GROUP_PASSES: usize = 10;
/// Rows per multi-row insert, well under both databases' parameter limits.
const INSERT_CHUNK: usize = 500;

/// One topic of a submitted assessment.
#[derive(Debug, Clone, Copy)]
pub struct RatingInput {
    pub topic_id: Uuid,
    pub level: i32,
    pub wants_help: bool,
}

/// What a new matching run is asked to compute.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub cohort_id: Uuid,
    pub mode: MatchingMode,
    pub weights: Weights,
    pub candidates_limit: Option<i32>,
    pub group_size: i32,
    pub top_needs: i32,
    pub seed: i32,
    pub topic_focus: Vec<Uuid>,
    /// Mentoring: the mentor organizations and how many mentees each takes.
    pub mentors: Vec<(Uuid, i32)>,
    /// Pairs of organizations never to match.
    pub exclusions: Vec<(Uuid, Uuid)>,
}

/// A mentor and its capacity, as a run stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorCapacity {
    pub organization: Uuid,
    pub capacity: u32,
}

/// The parameters of a run, as stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunParameters {
    pub weights: Weights,
    pub candidates_limit: Option<u32>,
    pub group_size: u32,
    pub top_needs: u32,
    pub seed: u32,
    pub topic_focus: Vec<Uuid>,
    pub mentors: Vec<MentorCapacity>,
    pub exclusions: Vec<[Uuid; 2]>,
}

/// The engine's input of a run, with the tables from its indexes to organizations and topics;
/// stored with the run so that manual matches are scored on the same data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInput {
    pub organizations: Vec<Uuid>,
    pub topics: Vec<Uuid>,
    pub problem: Problem,
    pub params: Params,
}

/// Why an organization of a run has no match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnmatchedReason {
    NoNeeds,
    NoExpertise,
    Excluded,
    NoPositiveScore,
    CapacityFull,
    RemovedByStaff,
}

impl From<Reason> for UnmatchedReason {
    fn from(reason: Reason) -> Self {
        match reason {
            Reason::NoNeeds => Self::NoNeeds,
            Reason::NoExpertise => Self::NoExpertise,
            Reason::Excluded => Self::Excluded,
            Reason::NoPositiveScore => Self::NoPositiveScore,
            Reason::CapacityFull => Self::CapacityFull,
        }
    }
}

/// An organization of a run without a match, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    pub organization: Uuid,
    pub reason: UnmatchedReason,
}

/// One term of a match's score, as stored: the engine's explanation with organizations and
/// topics named by their ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Term {
    Topic {
        topic: Uuid,
        learner: Uuid,
        helper: Uuid,
        need: u8,
        expertise: u8,
        points: i64,
    },
    SameKind {
        organizations: [Uuid; 2],
        kind: String,
        points: i64,
    },
    TimeZone {
        organizations: [Uuid; 2],
        hours_apart: u32,
        points: i64,
    },
    Profession {
        organizations: [Uuid; 2],
        profession: String,
        points: i64,
    },
    History {
        organizations: [Uuid; 2],
        times_matched: u32,
        lowest_rating: Option<u8>,
        points: i64,
    },
    Excluded {
        organizations: [Uuid; 2],
        points: i64,
    },
}

fn internal(err: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{err}"))
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(internal)
}

/// The parameters stored with `run`.
pub fn parameters_of(run: &matching_run::Model) -> Result<RunParameters, ApiError> {
    serde_json::from_value(run.parameters.clone()).map_err(internal)
}

/// The organizations left unmatched by `run`.
pub fn unmatched_of(run: &matching_run::Model) -> Vec<Unmatched> {
    serde_json::from_value(run.unmatched.clone()).unwrap_or_default()
}

/// The explanation stored with `m`.
pub fn explanation_of(m: &peer_match::Model) -> Vec<Term> {
    serde_json::from_value(m.explanation.clone()).unwrap_or_default()
}

/// The assessment `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_assessment(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<assessment::Model, ApiError> {
    find_in_scope::<assessment::Entity>(
        db,
        assessment::Column::Id,
        id,
        assessment_scope(viewer),
        "assessment",
    )
    .await
}

/// The matching run `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_run(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<matching_run::Model, ApiError> {
    find_in_scope::<matching_run::Entity>(
        db,
        matching_run::Column::Id,
        id,
        run_scope(viewer),
        "matching run",
    )
    .await
}

/// The match `id` if the viewer may see it, else `NOT_FOUND`.
pub async fn visible_match(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<peer_match::Model, ApiError> {
    find_in_scope::<peer_match::Entity>(
        db,
        peer_match::Column::Id,
        id,
        match_scope(viewer),
        "match",
    )
    .await
}

/// Records a self-assessment of an organization: per topic a level 0-3 and whether it wants
/// help. Earlier assessments are kept; this one becomes the current needs and expertise.
///
/// **Permissions**: the organization's members, and admins.
pub async fn submit_assessment(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    organization_id: Uuid,
    ratings: Vec<RatingInput>,
) -> Result<assessment::Model, ApiError> {
    let actor = viewer.require()?;
    crate::organization::service::visible_organization(db, viewer, organization_id).await?;
    policy::check_acts_for(actor, organization_id)?;
    let mut v = Validator::new();
    if ratings.is_empty() {
        v.reject(
            "ratings",
            FieldErrorCode::Blank,
            "must rate at least one topic",
        );
    } else if ratings.len() > RATINGS_MAX {
        v.reject(
            "ratings",
            FieldErrorCode::Invalid,
            format!("must rate at most {RATINGS_MAX} topics"),
        );
    } else {
        let ids: Vec<Uuid> = ratings.iter().map(|r| r.topic_id).collect();
        let known: HashSet<Uuid> = topic::Entity::find()
            .select_only()
            .column(topic::Column::Id)
            .filter(topic::Column::Id.is_in(ids))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut seen = HashSet::new();
        for (index, rating) in ratings.iter().enumerate() {
            if !(0..=LEVEL_MAX).contains(&rating.level) {
                v.reject(
                    &format!("ratings.{index}.level"),
                    FieldErrorCode::Invalid,
                    format!("must be from 0 to {LEVEL_MAX}"),
                );
            }
            if !known.contains(&rating.topic_id) {
                v.reject(
                    &format!("ratings.{index}.topicId"),
                    FieldErrorCode::Invalid,
                    "names an unknown topic",
                );
            } else if !seen.insert(rating.topic_id) {
                v.reject(
                    &format!("ratings.{index}.topicId"),
                    FieldErrorCode::Duplicate,
                    "rates a topic already rated in this assessment",
                );
            }
        }
    }
    v.finish()?;
    let now = Utc::now();
    let created = assessment::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(organization_id),
        submitted_by_id: Set(Some(actor.user_id)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assessment_rating::Entity::insert_many(ratings.iter().map(|rating| {
        assessment_rating::ActiveModel {
            id: Set(Uuid::now_v7()),
            assessment_id: Set(created.id),
            topic_id: Set(rating.topic_id),
            level: Set(rating.level),
            wants_help: Set(rating.wants_help),
            created_at: Set(now),
        }
    }))
    .exec(db)
    .await?;
    Ok(created)
}

/// `SELECT organization_id FROM enrollment WHERE cohort_id = cohort AND status = ACTIVE`.
fn active_in(cohort: Uuid) -> SelectStatement {
    Query::select()
        .column(enrollment::Column::OrganizationId)
        .from(enrollment::Entity)
        .and_where(enrollment::Column::CohortId.eq(cohort))
        .and_where(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .to_owned()
}

/// Checks a run's input against the organizations actively enrolled in its cohort; returns
/// the parameters to store.
async fn check_run_input(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    input: &NewRun,
    enrolled: &HashSet<Uuid>,
) -> Result<RunParameters, ApiError> {
    let w = &input.weights;
    for (field, value) in [
        ("weights.topic", w.topic),
        ("weights.sameKind", w.same_kind),
        ("weights.timeZonePerHour", w.time_zone_per_hour),
        ("weights.profession", w.profession),
        ("weights.repeat", w.repeat),
        ("weights.poorRating", w.poor_rating),
    ] {
        if !(0..=WEIGHT_MAX).contains(&value) {
            v.reject(
                field,
                FieldErrorCode::Invalid,
                format!("must be from 0 to {WEIGHT_MAX}"),
            );
        }
    }
    if let Some(limit) = input.candidates_limit
        && !(1..=CANDIDATES_MAX).contains(&limit)
    {
        v.reject(
            "candidatesLimit",
            FieldErrorCode::Invalid,
            format!("must be from 1 to {CANDIDATES_MAX}"),
        );
    }
    if !(2..=GROUP_SIZE_MAX).contains(&input.group_size) {
        v.reject(
            "groupSize",
            FieldErrorCode::Invalid,
            format!("must be from 2 to {GROUP_SIZE_MAX}"),
        );
    }
    if !(1..=TOP_NEEDS_MAX).contains(&input.top_needs) {
        v.reject(
            "topNeeds",
            FieldErrorCode::Invalid,
            format!("must be from 1 to {TOP_NEEDS_MAX}"),
        );
    }
    if input.seed < 0 {
        v.reject("seed", FieldErrorCode::Invalid, "must not be negative");
    }
    let mut focus = Vec::new();
    for topic in &input.topic_focus {
        if !focus.contains(topic) {
            focus.push(*topic);
        }
    }
    if focus.len() > FOCUS_MAX {
        v.reject(
            "topicIds",
            FieldErrorCode::Invalid,
            format!("must have at most {FOCUS_MAX} topics"),
        );
    } else if !focus.is_empty() {
        let found = topic::Entity::find()
            .filter(topic::Column::Id.is_in(focus.iter().copied()))
            .count(db)
            .await?;
        if usize::try_from(found).ok() != Some(focus.len()) {
            v.reject(
                "topicIds",
                FieldErrorCode::Invalid,
                "names an unknown topic",
            );
        }
    }
    let mut mentors = Vec::new();
    match input.mode {
        MatchingMode::Mentoring if input.mentors.is_empty() => v.reject(
            "mentors",
            FieldErrorCode::Blank,
            "MENTORING needs at least one mentor organization",
        ),
        MatchingMode::Mentoring => {}
        _ if !input.mentors.is_empty() => v.reject(
            "mentors",
            FieldErrorCode::Invalid,
            "only MENTORING has mentors",
        ),
        _ => {}
    }
    for (index, (organization, capacity)) in input.mentors.iter().enumerate() {
        if !enrolled.contains(organization) {
            v.reject(
                &format!("mentors.{index}.organizationId"),
                FieldErrorCode::Invalid,
                "is not actively enrolled in the cohort",
            );
        } else if mentors
            .iter()
            .any(|m: &MentorCapacity| m.organization == *organization)
        {
            v.reject(
                &format!("mentors.{index}.organizationId"),
                FieldErrorCode::Duplicate,
                "names a mentor already listed",
            );
        }
        if (1..=CAPACITY_MAX).contains(capacity) {
            mentors.push(MentorCapacity {
                organization: *organization,
                capacity: capacity.unsigned_abs(),
            });
        } else {
            v.reject(
                &format!("mentors.{index}.capacity"),
                FieldErrorCode::Invalid,
                format!("must be from 1 to {CAPACITY_MAX}"),
            );
        }
    }
    let mut exclusions = Vec::new();
    for (index, (a, b)) in input.exclusions.iter().enumerate() {
        if a == b || !enrolled.contains(a) || !enrolled.contains(b) {
            v.reject(
                &format!("exclusions.{index}"),
                FieldErrorCode::Invalid,
                "must name two different organizations actively enrolled in the cohort",
            );
        } else {
            exclusions.push([*a, *b]);
        }
    }
    Ok(RunParameters {
        weights: input.weights,
        candidates_limit: input.candidates_limit.and_then(|l| u32::try_from(l).ok()),
        group_size: u32::try_from(input.group_size).unwrap_or(2),
        top_needs: u32::try_from(input.top_needs).unwrap_or(1),
        seed: u32::try_from(input.seed).unwrap_or(0),
        topic_focus: focus,
        mentors,
        exclusions,
    })
}

/// The offset from UTC, in minutes, of the IANA time zone `name` now.
fn utc_offset_minutes(name: Option<&str>) -> Option<i32> {
    let tz: chrono_tz::Tz = name?.parse().ok()?;
    let now = Utc::now().naive_utc();
    Some(tz.offset_from_utc_datetime(&now).fix().local_minus_utc() / 60)
}

fn position_of<T: PartialEq + sea_orm::Iterable>(value: T) -> Option<u32> {
    T::iter()
        .position(|v| v == value)
        .and_then(|i| u32::try_from(i).ok())
}

/// Builds the engine's input for `organizations`: their latest assessments (restricted to the
/// focus topics, if any), their context, their history with each other (earlier published
/// matches, whose lowest rating counts, a decline as a rating of 1) and the exclusions.
async fn build_input(
    db: &impl ConnectionTrait,
    organizations: Vec<organization::Model>,
    parameters: &RunParameters,
    mode: MatchingMode,
) -> Result<RunInput, ApiError> {
    let ids: Vec<Uuid> = organizations.iter().map(|o| o.id).collect();
    let index: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut latest: HashMap<Uuid, Uuid> = HashMap::new();
    for (id, organization) in assessment::Entity::find()
        .select_only()
        .column(assessment::Column::Id)
        .column(assessment::Column::OrganizationId)
        .filter(assessment::Column::OrganizationId.is_in(ids.iter().copied()))
        .order_by_asc(assessment::Column::Id)
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
    {
        latest.insert(organization, id);
    }
    let owner: HashMap<Uuid, Uuid> = latest.iter().map(|(o, a)| (*a, *o)).collect();
    let mut select = assessment_rating::Entity::find()
        .filter(assessment_rating::Column::AssessmentId.is_in(latest.values().copied()))
        .order_by_asc(assessment_rating::Column::Id);
    if !parameters.topic_focus.is_empty() {
        select = select.filter(
            assessment_rating::Column::TopicId.is_in(parameters.topic_focus.iter().copied()),
        );
    }
    let ratings = if latest.is_empty() {
        Vec::new()
    } else {
        select.all(db).await?
    };
    let mut topics: Vec<Uuid> = Vec::new();
    let mut topic_index: HashMap<Uuid, u32> = HashMap::new();
    let mut orgs: Vec<Org> = organizations
        .iter()
        .map(|o| Org {
            ratings: Vec::new(),
            kind: position_of(o.kind),
            utc_offset_minutes: utc_offset_minutes(o.time_zone.as_deref()),
            champion_professions: Vec::new(),
            mentor_capacity: 0,
        })
        .collect();
    for rating in ratings {
        let Some(org) = owner.get(&rating.assessment_id).and_then(|o| index.get(o)) else {
            continue;
        };
        let next = u32::try_from(topics.len()).map_err(internal)?;
        let topic = *topic_index.entry(rating.topic_id).or_insert_with(|| {
            topics.push(rating.topic_id);
            next
        });
        orgs[*org].ratings.push(TopicRating {
            topic,
            level: u8::try_from(rating.level.clamp(0, LEVEL_MAX)).unwrap_or(0),
            wants_help: rating.wants_help,
        });
    }
    for (organization, profession) in membership::Entity::find()
        .select_only()
        .column(membership::Column::OrganizationId)
        .column(membership::Column::Profession)
        .filter(membership::Column::OrganizationId.is_in(ids.iter().copied()))
        .filter(membership::Column::IsChampion.eq(true))
        .into_tuple::<(Uuid, Profession)>()
        .all(db)
        .await?
    {
        if let (Some(org), Some(profession)) = (index.get(&organization), position_of(profession))
            && !orgs[*org].champion_professions.contains(&profession)
        {
            orgs[*org].champion_professions.push(profession);
        }
    }
    if mode == MatchingMode::Mentoring {
        for mentor in &parameters.mentors {
            if let Some(org) = index.get(&mentor.organization) {
                orgs[*org].mentor_capacity = mentor.capacity;
            }
        }
    }
    let history = history_of(db, &ids, &index).await?;
    let exclusions = parameters
        .exclusions
        .iter()
        .filter_map(|[a, b]| Some([*index.get(a)?, *index.get(b)?]))
        .collect();
    let limit = parameters
        .candidates_limit
        .and_then(|l| usize::try_from(l).ok());
    let mode = match mode {
        MatchingMode::Mentoring => Mode::Mentoring {
            candidates_per_mentee: limit,
        },
        MatchingMode::PeerPairs => Mode::PeerPairs {
            candidates_per_org: limit,
        },
        MatchingMode::Groups => Mode::Groups {
            group_size: usize::try_from(parameters.group_size).map_err(internal)?,
            top_needs: usize::try_from(parameters.top_needs).map_err(internal)?,
            seed: u64::from(parameters.seed),
            max_passes: GROUP_PASSES,
        },
    };
    Ok(RunInput {
        organizations: ids,
        topics,
        problem: Problem {
            orgs,
            exclusions,
            history,
        },
        params: Params {
            weights: parameters.weights,
            mode,
        },
    })
}

/// Earlier published matches between the organizations of `index`, one entry per pair of
/// each match, with its lowest rating; a declined match counts as rated 1, so that it weighs
/// against proposing the pair again.
async fn history_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    index: &HashMap<Uuid, usize>,
) -> Result<Vec<PastMatch>, ApiError> {
    let published = Query::select()
        .column(peer_match::Column::Id)
        .from(peer_match::Entity)
        .and_where(peer_match::Column::PublishedAt.is_not_null())
        .to_owned();
    let places = match_participant::Entity::find()
        .select_only()
        .column(match_participant::Column::MatchId)
        .column(match_participant::Column::OrganizationId)
        .filter(match_participant::Column::OrganizationId.is_in(ids.iter().copied()))
        .filter(match_participant::Column::MatchId.in_subquery(published))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?;
    let mut members: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (match_id, organization) in places {
        if let Some(i) = index.get(&organization) {
            members.entry(match_id).or_default().push(*i);
        }
    }
    members.retain(|_, orgs| orgs.len() > 1);
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let mut lowest: HashMap<Uuid, u8> = HashMap::new();
    for id in peer_match::Entity::find()
        .select_only()
        .column(peer_match::Column::Id)
        .filter(peer_match::Column::Id.is_in(members.keys().copied()))
        .filter(peer_match::Column::Status.eq(MatchStatus::Declined))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
    {
        lowest.insert(id, 1);
    }
    for (match_id, rating) in match_feedback::Entity::find()
        .select_only()
        .column(match_feedback::Column::MatchId)
        .column(match_feedback::Column::Rating)
        .filter(match_feedback::Column::MatchId.is_in(members.keys().copied()))
        .into_tuple::<(Uuid, i32)>()
        .all(db)
        .await?
    {
        let rating = u8::try_from(rating.clamp(1, 5)).unwrap_or(1);
        lowest
            .entry(match_id)
            .and_modify(|r| *r = (*r).min(rating))
            .or_insert(rating);
    }
    let mut history = Vec::new();
    for (match_id, mut orgs) in members {
        orgs.sort_unstable();
        for (i, a) in orgs.iter().enumerate() {
            for b in &orgs[i + 1..] {
                history.push(PastMatch {
                    orgs: [*a, *b],
                    rating: lowest.get(&match_id).copied(),
                });
            }
        }
    }
    Ok(history)
}

fn kind_name(kind: u32) -> String {
    usize::try_from(kind)
        .ok()
        .and_then(|k| OrganizationKind::iter().nth(k))
        .map_or_else(|| "OTHER".to_owned(), |k| k.into_value())
}

fn profession_name(profession: u32) -> String {
    usize::try_from(profession)
        .ok()
        .and_then(|p| Profession::iter().nth(p))
        .map_or_else(|| "OTHER".to_owned(), |p| p.into_value())
}

/// The engine's explanation with indexes replaced by ids.
fn terms(input: &RunInput, explanation: &[Contribution]) -> Vec<Term> {
    let org = |i: usize| input.organizations.get(i).copied().unwrap_or_default();
    let pair = |[a, b]: [usize; 2]| [org(a), org(b)];
    explanation
        .iter()
        .map(|c| match c {
            Contribution::Topic {
                topic,
                learner,
                helper,
                need,
                expertise,
                points,
            } => Term::Topic {
                topic: usize::try_from(*topic)
                    .ok()
                    .and_then(|t| input.topics.get(t).copied())
                    .unwrap_or_default(),
                learner: org(*learner),
                helper: org(*helper),
                need: *need,
                expertise: *expertise,
                points: *points,
            },
            Contribution::SameKind { orgs, kind, points } => Term::SameKind {
                organizations: pair(*orgs),
                kind: kind_name(*kind),
                points: *points,
            },
            Contribution::TimeZone {
                orgs,
                hours_apart,
                points,
            } => Term::TimeZone {
                organizations: pair(*orgs),
                hours_apart: *hours_apart,
                points: *points,
            },
            Contribution::Profession {
                orgs,
                profession,
                points,
            } => Term::Profession {
                organizations: pair(*orgs),
                profession: profession_name(*profession),
                points: *points,
            },
            Contribution::History {
                orgs,
                times_matched,
                lowest_rating,
                points,
            } => Term::History {
                organizations: pair(*orgs),
                times_matched: *times_matched,
                lowest_rating: *lowest_rating,
                points: *points,
            },
            Contribution::Excluded { orgs, points } => Term::Excluded {
                organizations: pair(*orgs),
                points: *points,
            },
        })
        .collect()
}

/// A match to write: its members (ids) with their roles, score and explanation.
struct Proposal {
    members: Vec<(Uuid, ParticipantRole)>,
    score: i64,
    explanation: Vec<Term>,
    is_manual: bool,
}

/// The roles of a match's members, in the engine's order (`[mentee, mentor]` in MENTORING).
fn roles(mode: MatchingMode, members: &[Uuid]) -> Vec<(Uuid, ParticipantRole)> {
    members
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let role = match (mode, i) {
                (MatchingMode::Mentoring, 0) => ParticipantRole::Mentee,
                (MatchingMode::Mentoring, _) => ParticipantRole::Mentor,
                _ => ParticipantRole::Peer,
            };
            (*id, role)
        })
        .collect()
}

async fn insert_matches(
    db: &impl ConnectionTrait,
    run: &matching_run::Model,
    proposals: Vec<Proposal>,
) -> Result<Vec<peer_match::Model>, ApiError> {
    let now = Utc::now();
    let mut matches = Vec::with_capacity(proposals.len());
    let mut participants = Vec::new();
    for proposal in proposals {
        let m = peer_match::Model {
            id: Uuid::now_v7(),
            run_id: run.id,
            cohort_id: run.cohort_id,
            score: proposal.score,
            explanation: to_json(&proposal.explanation)?,
            status: MatchStatus::Proposed,
            is_manual: proposal.is_manual,
            published_at: None,
            activated_at: None,
            completed_at: None,
            last_contact_on: None,
            created_at: now,
            updated_at: now,
        };
        for (organization, role) in proposal.members {
            participants.push(match_participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                match_id: Set(m.id),
                organization_id: Set(organization),
                role: Set(role),
                response: Set(ParticipantResponse::Pending),
                decline_reason: Set(None),
                responded_by_id: Set(None),
                responded_at: Set(None),
                created_at: Set(now),
            });
        }
        matches.push(m);
    }
    for chunk in matches.chunks(INSERT_CHUNK) {
        peer_match::Entity::insert_many(
            chunk
                .iter()
                .map(|m| peer_match::ActiveModel::from(m.clone())),
        )
        .exec(db)
        .await?;
    }
    while !participants.is_empty() {
        let rest = participants.split_off(participants.len().min(INSERT_CHUNK));
        match_participant::Entity::insert_many(participants)
            .exec(db)
            .await?;
        participants = rest;
    }
    Ok(matches)
}

/// Computes a draft matching run for a cohort: the engine matches the organizations actively
/// enrolled in it, from their latest assessments and their history, off the async threads.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn create_matching_run(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewRun,
) -> Result<matching_run::Model, ApiError> {
    let actor = viewer.require()?;
    crate::cohort::service::visible_cohort(db, viewer, input.cohort_id).await?;
    policy::check_run(actor, input.cohort_id)?;
    let organizations = organization::Entity::find()
        .filter(organization::Column::Id.in_subquery(active_in(input.cohort_id)))
        .order_by_asc(organization::Column::Id)
        .all(db)
        .await?;
    let enrolled: HashSet<Uuid> = organizations.iter().map(|o| o.id).collect();
    let mut v = Validator::new();
    let parameters = check_run_input(db, &mut v, &input, &enrolled).await?;
    v.finish()?;
    let run_input = build_input(db, organizations, &parameters, input.mode).await?;
    let (problem, params) = (run_input.problem.clone(), run_input.params.clone());
    // The engine is CPU-bound: it runs on a blocking thread, not on the request's worker.
    let outcome = tokio::task::spawn_blocking(move || peerlearn_matching::run(&problem, &params))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let unmatched: Vec<Unmatched> = outcome
        .unmatched
        .iter()
        .filter_map(|u| {
            Some(Unmatched {
                organization: *run_input.organizations.get(u.org)?,
                reason: u.reason.into(),
            })
        })
        .collect();
    let proposals: Vec<Proposal> = outcome
        .matches
        .iter()
        .map(|m| {
            let members: Vec<Uuid> = m
                .members
                .iter()
                .filter_map(|i| run_input.organizations.get(*i).copied())
                .collect();
            Proposal {
                members: roles(input.mode, &members),
                score: m.score,
                explanation: terms(&run_input, &m.explanation),
                is_manual: false,
            }
        })
        .collect();
    let now = Utc::now();
    let run = matching_run::ActiveModel {
        id: Set(Uuid::now_v7()),
        cohort_id: Set(input.cohort_id),
        mode: Set(input.mode),
        status: Set(RunStatus::Draft),
        parameters: Set(to_json(&parameters)?),
        problem: Set(to_json(&run_input)?),
        unmatched: Set(to_json(&unmatched)?),
        total_score: Set(outcome.total_score),
        created_by_id: Set(Some(actor.user_id)),
        published_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    insert_matches(db, &run, proposals).await?;
    Ok(run)
}

/// The run of a draft edit: visible, managed by the actor, and still a draft (else an
/// `INVALID_STATE` error on `field`, the input field that named the run).
async fn editable_run(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    field: &str,
) -> Result<matching_run::Model, ApiError> {
    let actor = viewer.require()?;
    let run = visible_run(db, viewer, id).await?;
    policy::check_run(actor, run.cohort_id)?;
    if run.status != RunStatus::Draft {
        return Err(ApiError::invalid(
            field,
            FieldErrorCode::InvalidState,
            "only a draft run can change",
        ));
    }
    Ok(run)
}

/// Saves `changes` to the run `id` if `expected_version` is current.
async fn save_run(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    mut changes: matching_run::ActiveModel,
) -> Result<matching_run::Model, ApiError> {
    changes.updated_at = Set(Utc::now());
    update_versioned(
        db,
        matching_run::Column::Id,
        matching_run::Column::Version,
        id,
        expected_version,
        changes,
        "matching run",
    )
    .await
}

/// Takes a proposed match out of a draft run; its organizations are listed as unmatched,
/// removed by staff.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn remove_proposed_match(
    db: &DatabaseConnection,
    viewer: &Viewer,
    match_id: Uuid,
    expected_version: i32,
) -> Result<matching_run::Model, ApiError> {
    let txn = begin_write(db).await?;
    let found = visible_match(&txn, viewer, match_id).await?;
    let run = editable_run(&txn, viewer, found.run_id, "matchId").await?;
    let members = match_participant::Entity::find()
        .filter(match_participant::Column::MatchId.eq(match_id))
        .order_by_asc(match_participant::Column::Id)
        .all(&txn)
        .await?;
    let mut unmatched = unmatched_of(&run);
    unmatched.extend(members.iter().map(|p| Unmatched {
        organization: p.organization_id,
        reason: UnmatchedReason::RemovedByStaff,
    }));
    let saved = save_run(
        &txn,
        run.id,
        expected_version,
        matching_run::ActiveModel {
            total_score: Set(run.total_score - found.score),
            unmatched: Set(to_json(&unmatched)?),
            ..Default::default()
        },
    )
    .await?;
    peer_match::Entity::delete_by_id(match_id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Adds a match of staff's choosing to a draft run, scored and explained by the engine on the
/// run's own input: in MENTORING the mentee then the mentor, in PEER_PAIRS two organizations,
/// in GROUPS two or more. None may be in another match of the run, nor excluded from another.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn add_manual_match(
    db: &DatabaseConnection,
    viewer: &Viewer,
    run_id: Uuid,
    expected_version: i32,
    organizations: Vec<Uuid>,
) -> Result<(matching_run::Model, peer_match::Model), ApiError> {
    let txn = begin_write(db).await?;
    let run = editable_run(&txn, viewer, run_id, "runId").await?;
    let input: RunInput = serde_json::from_value(run.problem.clone()).map_err(internal)?;
    let parameters = parameters_of(&run)?;
    let mut v = Validator::new();
    let wanted = match run.mode {
        MatchingMode::Mentoring | MatchingMode::PeerPairs => organizations.len() == 2,
        MatchingMode::Groups => organizations.len() >= 2,
    };
    let distinct: HashSet<Uuid> = organizations.iter().copied().collect();
    let mut indexes = Vec::with_capacity(organizations.len());
    if !wanted || distinct.len() != organizations.len() {
        v.reject(
            "organizationIds",
            FieldErrorCode::Invalid,
            "must name two different organizations (two or more in GROUPS)",
        );
    } else {
        for (i, id) in organizations.iter().enumerate() {
            match input.organizations.iter().position(|o| o == id) {
                Some(index) => indexes.push(index),
                None => v.reject(
                    &format!("organizationIds.{i}"),
                    FieldErrorCode::Invalid,
                    "is not one of the organizations of this run",
                ),
            }
        }
        let taken = match_participant::Entity::find()
            .select_only()
            .column(match_participant::Column::OrganizationId)
            .filter(match_participant::Column::OrganizationId.is_in(distinct.iter().copied()))
            .filter(
                match_participant::Column::MatchId.in_subquery(
                    Query::select()
                        .column(peer_match::Column::Id)
                        .from(peer_match::Entity)
                        .and_where(peer_match::Column::RunId.eq(run.id))
                        .to_owned(),
                ),
            )
            .into_tuple::<Uuid>()
            .all(&txn)
            .await?;
        for (i, id) in organizations.iter().enumerate() {
            if taken.contains(id) {
                v.reject(
                    &format!("organizationIds.{i}"),
                    FieldErrorCode::AlreadyMatched,
                    "is already in a match of this run",
                );
            }
        }
    }
    v.finish()?;
    let scorer = Scorer::new(&input.problem, &input.params.weights).map_err(internal)?;
    let scored = score_members(&scorer, run.mode, &parameters, &indexes, "organizationIds")?;
    let mut unmatched = unmatched_of(&run);
    unmatched.retain(|u| !distinct.contains(&u.organization));
    let saved = save_run(
        &txn,
        run.id,
        expected_version,
        matching_run::ActiveModel {
            total_score: Set(run.total_score + scored.score),
            unmatched: Set(to_json(&unmatched)?),
            ..Default::default()
        },
    )
    .await?;
    let mut created = insert_matches(
        &txn,
        &saved,
        vec![Proposal {
            members: roles(run.mode, &organizations),
            score: scored.score,
            explanation: terms(&input, &scored.explanation),
            is_manual: true,
        }],
    )
    .await?;
    txn.commit().await?;
    let created = created.pop().ok_or_else(|| internal("no match written"))?;
    Ok((saved, created))
}

/// Scores the members of a match (engine indexes, the mentee first in MENTORING) the way the
/// engine scores its own; an excluded pair among them is an `EXCLUDED` error on `field`.
fn score_members(
    scorer: &Scorer<'_>,
    mode: MatchingMode,
    parameters: &RunParameters,
    members: &[usize],
    field: &str,
) -> Result<peerlearn_matching::Scored, ApiError> {
    let scored = match (mode, members) {
        (MatchingMode::Mentoring, [a, b]) => scorer.pair(*a, *b, Direction::FirstLearns),
        (MatchingMode::PeerPairs, [a, b]) => scorer.pair(*a, *b, Direction::Mutual),
        (_, members) => scorer
            .group(
                members,
                usize::try_from(parameters.top_needs).map_err(internal)?,
            )
            .filter(|s| {
                !s.explanation
                    .iter()
                    .any(|c| matches!(c, Contribution::Excluded { .. }))
            }),
    };
    scored.ok_or_else(|| {
        ApiError::invalid(
            field,
            FieldErrorCode::Excluded,
            "these organizations are excluded from being matched together",
        )
    })
}

/// Exchanges the organizations of two participants of different matches of a draft run
/// (both mentees, both mentors, or peers) and rescores both matches with the engine.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn swap_matched_organizations(
    db: &DatabaseConnection,
    viewer: &Viewer,
    run_id: Uuid,
    expected_version: i32,
    first: Uuid,
    second: Uuid,
) -> Result<matching_run::Model, ApiError> {
    let txn = begin_write(db).await?;
    let run = editable_run(&txn, viewer, run_id, "runId").await?;
    let input: RunInput = serde_json::from_value(run.problem.clone()).map_err(internal)?;
    let parameters = parameters_of(&run)?;
    let of_run = Query::select()
        .column(peer_match::Column::Id)
        .from(peer_match::Entity)
        .and_where(peer_match::Column::RunId.eq(run.id))
        .to_owned();
    let places = match_participant::Entity::find()
        .filter(match_participant::Column::Id.is_in([first, second]))
        .filter(match_participant::Column::MatchId.in_subquery(of_run))
        .all(&txn)
        .await?;
    let place = |id: Uuid| places.iter().find(|p| p.id == id).cloned();
    let (Some(a), Some(b)) = (place(first), place(second)) else {
        return Err(ApiError::invalid(
            "participantIds",
            FieldErrorCode::Invalid,
            "must name two participants of matches of this run",
        ));
    };
    let mut v = Validator::new();
    if a.match_id == b.match_id {
        v.reject(
            "participantIds",
            FieldErrorCode::Invalid,
            "must name participants of two different matches",
        );
    }
    if a.role != b.role {
        v.reject(
            "participantIds",
            FieldErrorCode::Invalid,
            "must name participants of the same role",
        );
    }
    v.finish()?;
    let scorer = Scorer::new(&input.problem, &input.params.weights).map_err(internal)?;
    let mut rescored = Vec::with_capacity(2);
    for (leaving, joining) in [(&a, &b), (&b, &a)] {
        let mut members = match_participant::Entity::find()
            .filter(match_participant::Column::MatchId.eq(leaving.match_id))
            .order_by_asc(match_participant::Column::Id)
            .all(&txn)
            .await?;
        // The engine's order: the mentee before the mentor.
        members.sort_by_key(|p| p.role != ParticipantRole::Mentee);
        let mut ids = Vec::with_capacity(members.len());
        for member in &members {
            let organization = if member.id == leaving.id {
                joining.organization_id
            } else {
                member.organization_id
            };
            ids.push(organization);
        }
        let indexes = ids
            .iter()
            .map(|id| input.organizations.iter().position(|o| o == id))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| internal("a matched organization is not part of its run"))?;
        let scored = score_members(&scorer, run.mode, &parameters, &indexes, "participantIds")?;
        rescored.push((leaving.match_id, scored));
    }
    let old_scores: i64 = peer_match::Entity::find()
        .select_only()
        .column(peer_match::Column::Score)
        .filter(peer_match::Column::Id.is_in([a.match_id, b.match_id]))
        .into_tuple::<i64>()
        .all(&txn)
        .await?
        .into_iter()
        .sum();
    let new_scores: i64 = rescored.iter().map(|(_, s)| s.score).sum();
    let saved = save_run(
        &txn,
        run.id,
        expected_version,
        matching_run::ActiveModel {
            total_score: Set(run.total_score - old_scores + new_scores),
            ..Default::default()
        },
    )
    .await?;
    let now = Utc::now();
    for (place, organization) in [(&a, b.organization_id), (&b, a.organization_id)] {
        match_participant::ActiveModel {
            id: Set(place.id),
            organization_id: Set(organization),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    for (match_id, scored) in rescored {
        peer_match::ActiveModel {
            id: Set(match_id),
            score: Set(scored.score),
            explanation: Set(to_json(&terms(&input, &scored.explanation))?),
            is_manual: Set(true),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(saved)
}

/// Publishes a draft run: its organizations see their proposed matches and answer them.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn publish_matching_run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
) -> Result<matching_run::Model, ApiError> {
    let txn = begin_write(db).await?;
    let run = editable_run(&txn, viewer, id, "id").await?;
    let now = Utc::now();
    let saved = save_run(
        &txn,
        run.id,
        expected_version,
        matching_run::ActiveModel {
            status: Set(RunStatus::Published),
            published_at: Set(Some(now)),
            ..Default::default()
        },
    )
    .await?;
    peer_match::Entity::update_many()
        .col_expr(peer_match::Column::PublishedAt, Some(now).into())
        .col_expr(peer_match::Column::UpdatedAt, now.into())
        .filter(peer_match::Column::RunId.eq(run.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Discards a draft run; nobody but staff ever sees it.
///
/// **Permissions**: the cohort's leads and coaches, and admins.
pub async fn discard_matching_run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
) -> Result<matching_run::Model, ApiError> {
    let txn = begin_write(db).await?;
    let run = editable_run(&txn, viewer, id, "id").await?;
    let saved = save_run(
        &txn,
        run.id,
        expected_version,
        matching_run::ActiveModel {
            status: Set(RunStatus::Discarded),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

fn not_open(message: &str) -> ApiError {
    ApiError::invalid("matchId", FieldErrorCode::InvalidState, message)
}

/// The participant row of `organization` in the match, or a field error.
async fn participant(
    db: &impl ConnectionTrait,
    match_id: Uuid,
    organization: Uuid,
) -> Result<match_participant::Model, ApiError> {
    match_participant::Entity::find()
        .filter(match_participant::Column::MatchId.eq(match_id))
        .filter(match_participant::Column::OrganizationId.eq(organization))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "organizationId",
                FieldErrorCode::Invalid,
                "is not a participant of this match",
            )
        })
}

/// An organization's answer to a published, proposed match. A decline (with a reason) closes
/// the match as `DECLINED`; once every participant accepted it is `ACTIVE`.
///
/// **Permissions**: the participant organization's members, and admins.
pub async fn respond_to_match(
    db: &DatabaseConnection,
    viewer: &Viewer,
    match_id: Uuid,
    organization: Uuid,
    accept: bool,
    reason: Option<String>,
) -> Result<peer_match::Model, ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    visible_match(&txn, viewer, match_id).await?;
    policy::check_acts_for(actor, organization)?;
    // Answers of the participants are decided one at a time, so the last acceptance sees
    // all the others.
    lock_row::<peer_match::Entity>(&txn, peer_match::Column::Id, match_id).await?;
    let current = visible_match(&txn, viewer, match_id).await?;
    let place = participant(&txn, match_id, organization).await?;
    if current.published_at.is_none() || current.status != MatchStatus::Proposed {
        return Err(not_open(
            "only a published match awaiting answers can be answered",
        ));
    }
    let mut v = Validator::new();
    let reason = v.optional_text("reason", reason.as_deref(), TEXT_MAX);
    if !accept && reason.is_none() {
        v.reject(
            "reason",
            FieldErrorCode::Blank,
            "must say why when declining",
        );
    }
    v.finish()?;
    let now = Utc::now();
    let response = if accept {
        ParticipantResponse::Accepted
    } else {
        ParticipantResponse::Declined
    };
    match_participant::ActiveModel {
        id: Set(place.id),
        response: Set(response),
        decline_reason: Set(if accept { None } else { reason }),
        responded_by_id: Set(Some(actor.user_id)),
        responded_at: Set(Some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let answers = match_participant::Entity::find()
        .select_only()
        .column(match_participant::Column::Response)
        .filter(match_participant::Column::MatchId.eq(match_id))
        .into_tuple::<ParticipantResponse>()
        .all(&txn)
        .await?;
    let mut changes = peer_match::ActiveModel {
        id: Set(match_id),
        updated_at: Set(now),
        ..Default::default()
    };
    if answers.contains(&ParticipantResponse::Declined) {
        changes.status = Set(MatchStatus::Declined);
    } else if answers.iter().all(|a| *a == ParticipantResponse::Accepted) {
        changes.status = Set(MatchStatus::Active);
        changes.activated_at = Set(Some(now));
    }
    let updated = changes.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// An active match the actor follows up on: visible, and theirs to follow up.
async fn followed_match(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    match_id: Uuid,
) -> Result<peer_match::Model, ApiError> {
    let actor = viewer.require()?;
    let found = visible_match(db, viewer, match_id).await?;
    let organizations = match_participant::Entity::find()
        .select_only()
        .column(match_participant::Column::OrganizationId)
        .filter(match_participant::Column::MatchId.eq(match_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    if !policy::can_follow_up(actor, found.cohort_id, &organizations) {
        return Err(ApiError::Forbidden);
    }
    Ok(found)
}

/// Logs a contact between the organizations of an active match: a call, a visit, shadowing.
///
/// **Permissions**: the participants' members, the cohort's leads and coaches, and admins.
pub async fn log_match_contact(
    db: &DatabaseConnection,
    viewer: &Viewer,
    match_id: Uuid,
    occurred_on: Option<NaiveDate>,
    note: &str,
) -> Result<(peer_match::Model, match_contact::Model), ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let found = followed_match(&txn, viewer, match_id).await?;
    if found.status != MatchStatus::Active {
        return Err(not_open("contacts are logged on active matches"));
    }
    let mut v = Validator::new();
    let note = v.text("note", note, TEXT_MAX);
    let occurred_on = occurred_on.unwrap_or_else(|| Utc::now().date_naive());
    if occurred_on > latest_today() {
        v.reject(
            "occurredOn",
            FieldErrorCode::Invalid,
            "must not be in the future",
        );
    }
    v.finish()?;
    let now = Utc::now();
    let contact = match_contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        match_id: Set(match_id),
        author_id: Set(Some(actor.user_id)),
        occurred_on: Set(occurred_on),
        note: Set(note.unwrap_or_default()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let latest = found.last_contact_on.max(Some(occurred_on));
    let updated = peer_match::ActiveModel {
        id: Set(match_id),
        last_contact_on: Set(latest),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok((updated, contact))
}

/// Marks an active match as completed.
///
/// **Permissions**: the participants' members, the cohort's leads and coaches, and admins.
pub async fn complete_match(
    db: &DatabaseConnection,
    viewer: &Viewer,
    match_id: Uuid,
) -> Result<peer_match::Model, ApiError> {
    let txn = begin_write(db).await?;
    let found = followed_match(&txn, viewer, match_id).await?;
    if found.status != MatchStatus::Active {
        return Err(not_open("only an active match can be completed"));
    }
    let now = Utc::now();
    let updated = peer_match::ActiveModel {
        id: Set(match_id),
        status: Set(MatchStatus::Completed),
        completed_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// An organization's rating of an active or completed match, 1 to 5 with a comment; one per
/// organization and match. Later runs weigh it (see `docs/matching.md`).
///
/// **Permissions**: the participant organization's members, and admins.
pub async fn rate_match(
    db: &DatabaseConnection,
    viewer: &Viewer,
    match_id: Uuid,
    organization: Uuid,
    rating: i32,
    comment: Option<String>,
) -> Result<(peer_match::Model, match_feedback::Model), ApiError> {
    let actor = viewer.require()?;
    let txn = begin_write(db).await?;
    let found = visible_match(&txn, viewer, match_id).await?;
    policy::check_acts_for(actor, organization)?;
    participant(&txn, match_id, organization).await?;
    if !matches!(found.status, MatchStatus::Active | MatchStatus::Completed) {
        return Err(not_open("only an active or completed match can be rated"));
    }
    let mut v = Validator::new();
    if !(1..=5).contains(&rating) {
        v.reject("rating", FieldErrorCode::Invalid, "must be from 1 to 5");
    }
    let comment = v.optional_text("comment", comment.as_deref(), TEXT_MAX);
    v.finish()?;
    let feedback = match_feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        match_id: Set(match_id),
        organization_id: Set(organization),
        author_id: Set(Some(actor.user_id)),
        rating: Set(rating),
        comment: Set(comment),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|err| {
        ApiError::from(err).on_unique(
            "organizationId",
            "the organization has already rated this match",
        )
    })?;
    txn.commit().await?;
    Ok((found, feedback))
}
