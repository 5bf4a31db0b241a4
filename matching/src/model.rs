use std::fmt;

use serde::{Deserialize, Serialize};

/// Opaque topic identifier, as stored by the caller.
pub type TopicId = u32;

/// An organization is its position in [`Problem::orgs`]; the caller keeps the table from index to
/// its own identifier.
pub type OrgIndex = usize;

/// Everything the engine knows about one run: the organizations and the constraints between them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The organizations taking part, referred to everywhere else by index.
    pub orgs: Vec<Org>,
    /// Pairs that must never be matched or grouped together (order inside a pair is irrelevant).
    pub exclusions: Vec<[OrgIndex; 2]>,
    /// Earlier matches between these organizations, with their feedback.
    pub history: Vec<PastMatch>,
}

/// One organization: its latest self-assessment and the context used by the score.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// Latest self-assessment, at most one rating per topic.
    pub ratings: Vec<TopicRating>,
    /// Kind of organization (health department, NGO, ...), opaque.
    pub kind: Option<u32>,
    /// Offset of its local time from UTC, in minutes.
    pub utc_offset_minutes: Option<i32>,
    /// Professions of its champions (nurse, epidemiologist, ...), opaque.
    pub champion_professions: Vec<u32>,
    /// How many mentees it takes in MENTORING; 0 makes it a mentee. Ignored by the other modes.
    pub mentor_capacity: u32,
}

/// How an organization rates itself on one topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRating {
    /// The topic rated.
    pub topic: TopicId,
    /// Self-rated level, 0 (nothing in place) to 3 (could teach it).
    pub level: u8,
    /// Whether the organization asks for help on this topic.
    pub wants_help: bool,
}

/// An earlier match between two organizations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastMatch {
    /// The two organizations matched.
    pub orgs: [OrgIndex; 2],
    /// Their rating of the match, 1 (useless) to 5 (excellent), if they gave one.
    pub rating: Option<u8>,
}

/// Points per unit of each score term, chosen per run. Every score is an integer number of points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    /// Points per unit of need times expertise on a topic.
    pub topic: i64,
    /// Points when both organizations are of the same kind.
    pub same_kind: i64,
    /// Points subtracted per whole hour between the two time zones.
    pub time_zone_per_hour: i64,
    /// Points per profession that has champions on both sides.
    pub profession: i64,
    /// Points subtracted per earlier match of the same two organizations.
    pub repeat: i64,
    /// Points subtracted once when an earlier match of the pair was rated 2 or lower.
    pub poor_rating: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            topic: 100,
            same_kind: 50,
            time_zone_per_hour: 10,
            profession: 40,
            repeat: 150,
            poor_rating: 300,
        }
    }
}

/// Weights plus the mode to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Score weights.
    pub weights: Weights,
    /// Which matching to compute.
    pub mode: Mode,
}

/// The three ways of matching organizations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// Mentees (capacity 0) to mentors (capacity > 0): the exact maximum total score, each mentee
    /// with at most one mentor and each mentor with at most its capacity.
    Mentoring {
        /// Keep only the k best-scoring mentors of each mentee as candidates; `None` keeps all.
        candidates_per_mentee: Option<usize>,
    },
    /// Mutual pairs inside the whole pool: the exact maximum-weight matching.
    PeerPairs {
        /// Keep only pairs where one side is among the k best-scoring partners of the other;
        /// `None` keeps every pair. The optimum is then exact on that candidate graph.
        candidates_per_org: Option<usize>,
    },
    /// Breakout groups whose sizes differ by at most one, found by local search.
    Groups {
        /// Target number of organizations per group.
        group_size: usize,
        /// How many of each member's highest needs the group should cover.
        top_needs: usize,
        /// Seed of the pseudo-random choices; the same seed gives the same groups.
        seed: u64,
        /// Upper bound on improvement passes over all organizations.
        max_passes: usize,
    },
}

/// The result of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Pairs or groups formed, each with its score and explanation.
    pub matches: Vec<Match>,
    /// Organizations left out, each with the reason.
    pub unmatched: Vec<Unmatched>,
    /// Sum of the scores of all matches.
    pub total_score: i64,
}

/// A pair or a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// Members: `[mentee, mentor]` in MENTORING, `[a, b]` with `a < b` in PEER_PAIRS, ascending
    /// indexes in GROUPS.
    pub members: Vec<OrgIndex>,
    /// Score in points; equals the sum of the explanation's points.
    pub score: i64,
    /// Every term of the score.
    pub explanation: Vec<Contribution>,
}

/// An organization that was not matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    /// The organization.
    pub org: OrgIndex,
    /// Why it was left out.
    pub reason: Reason,
}

/// Why an organization was left unmatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// It asks for help on nothing, and (in PEER_PAIRS) nobody needs its expertise either.
    NoNeeds,
    /// Nobody available has expertise it needs (or, in PEER_PAIRS, needs its expertise).
    NoExpertise,
    /// Every organization that could help it is excluded from it.
    Excluded,
    /// Candidates exist, but history and context penalties bring every score to zero or below.
    NoPositiveScore,
    /// It had candidates with a positive score, but the optimum gave them to others.
    CapacityFull,
}

/// One term of a score. Points of all terms add up to the score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Contribution {
    /// `learner` needs help on `topic` and `helper` has the expertise.
    Topic {
        /// The topic.
        topic: TopicId,
        /// Organization asking for help.
        learner: OrgIndex,
        /// Organization with the expertise.
        helper: OrgIndex,
        /// Need weight of the learner: 4 minus its level.
        need: u8,
        /// Expertise weight of the helper: its level minus 1.
        expertise: u8,
        /// `need * expertise * weights.topic`.
        points: i64,
    },
    /// Both organizations are of the same kind.
    SameKind {
        /// The two organizations.
        orgs: [OrgIndex; 2],
        /// Their kind.
        kind: u32,
        /// `weights.same_kind`.
        points: i64,
    },
    /// Distance between the time zones.
    TimeZone {
        /// The two organizations.
        orgs: [OrgIndex; 2],
        /// Whole hours apart, at most 12.
        hours_apart: u32,
        /// `-hours_apart * weights.time_zone_per_hour`.
        points: i64,
    },
    /// Both sides have champions of this profession.
    Profession {
        /// The two organizations.
        orgs: [OrgIndex; 2],
        /// The shared profession.
        profession: u32,
        /// `weights.profession`.
        points: i64,
    },
    /// The two organizations were matched before.
    History {
        /// The two organizations.
        orgs: [OrgIndex; 2],
        /// Number of earlier matches.
        times_matched: u32,
        /// Lowest rating given to those matches.
        lowest_rating: Option<u8>,
        /// `-(times_matched * weights.repeat)`, minus `weights.poor_rating` when rated 2 or lower.
        points: i64,
    },
    /// GROUPS only: an excluded pair ended up in the same group.
    Excluded {
        /// The two organizations.
        orgs: [OrgIndex; 2],
        /// `-GROUP_EXCLUSION_PENALTY`.
        points: i64,
    },
}

impl Contribution {
    /// Points this term adds to the score.
    pub fn points(&self) -> i64 {
        match self {
            Self::Topic { points, .. }
            | Self::SameKind { points, .. }
            | Self::TimeZone { points, .. }
            | Self::Profession { points, .. }
            | Self::History { points, .. }
            | Self::Excluded { points, .. } => *points,
        }
    }
}

/// A problem the engine refuses to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvalidProblem {
    /// An exclusion or past match names an organization that does not exist.
    OrgOutOfRange {
        /// The index given.
        index: OrgIndex,
    },
    /// A level outside 0..=3.
    LevelOutOfRange {
        /// The organization.
        org: OrgIndex,
        /// The topic.
        topic: TopicId,
        /// The level given.
        level: u8,
    },
    /// Two ratings of one organization for the same topic.
    DuplicateTopic {
        /// The organization.
        org: OrgIndex,
        /// The topic.
        topic: TopicId,
    },
    /// A match rating outside 1..=5.
    RatingOutOfRange {
        /// The rating given.
        rating: u8,
    },
    /// GROUPS with a group size of 0.
    GroupSizeZero,
}

impl fmt::Display for InvalidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OrgOutOfRange { index } => {
                write!(f, "organization index {index} is out of range")
            }
            Self::LevelOutOfRange { org, topic, level } => {
                write!(
                    f,
                    "organization {org} rates topic {topic} at level {level}, outside 0..=3"
                )
            }
            Self::DuplicateTopic { org, topic } => {
                write!(f, "organization {org} rates topic {topic} more than once")
            }
            Self::RatingOutOfRange { rating } => {
                write!(f, "match rating {rating} is outside 1..=5")
            }
            Self::GroupSizeZero => write!(f, "group size must be at least 1"),
        }
    }
}

impl std::error::Error for InvalidProblem {}
