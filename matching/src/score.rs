use crate::model::{Contribution, InvalidProblem, OrgIndex, Problem, TopicId, Weights};

/// Points added by an excluded pair that shares a group in GROUPS; large enough that the search
/// never trades an exclusion for better coverage.
pub const GROUP_EXCLUSION_PENALTY: i64 = 1_000_000_000;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// Marks a topic an organization did not rate.
pub(crate) const UNRATED: u8 = u8::MAX;

/// Which topic directions count towards a pair score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Both learn from each other (PEER_PAIRS).
    Mutual,
    /// Only the first organization learns from the second (MENTORING: mentee, mentor).
    FirstLearns,
}

/// A score with the terms that make it up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored {
    /// Total points.
    pub score: i64,
    /// Terms, whose points add up to `score`.
    pub explanation: Vec<Contribution>,
}

/// Weight of a need at `level`: the lower the self-rating, the larger the need.
pub(crate) fn need_weight(level: u8) -> u8 {
    4 - level
}

/// Expertise weight of a helper at `helper_level` for a learner at `learner_level`, or 0 when the
/// helper is no expert or not ahead of the learner.
pub(crate) fn expertise_weight(helper_level: u8, learner_level: u8) -> u8 {
    if helper_level != UNRATED && helper_level >= 2 && helper_level > learner_level {
        helper_level - 1
    } else {
        0
    }
}

/// Per-organization data in dense form, derived once per run.
pub(crate) struct Profiles {
    pub(crate) topic_ids: Vec<TopicId>,
    /// `level[org * topic_count + topic]`, or [`UNRATED`].
    pub(crate) level: Vec<u8>,
    /// `(dense topic, level, need weight)` of topics an org wants help on, by topic.
    pub(crate) needs: Vec<Vec<(u32, u8, u8)>>,
    /// `(dense topic, level)` of topics rated 2 or 3, by topic.
    pub(crate) expertise: Vec<Vec<(u32, u8)>>,
    kind: Vec<Option<u32>>,
    /// Offsets normalised to `0..MINUTES_PER_DAY`.
    utc_offset: Vec<Option<i32>>,
    profession_ids: Vec<u32>,
    profession_words: usize,
    professions: Vec<u64>,
    /// Sorted indexes each org is excluded from.
    pub(crate) exclusions: Vec<Vec<u32>>,
    /// Sorted `(other, times matched, lowest rating)`.
    history: Vec<Vec<(u32, u32, Option<u8>)>>,
}

impl Profiles {
    pub(crate) fn new(problem: &Problem) -> Result<Self, InvalidProblem> {
        let n = problem.orgs.len();
        let mut topic_ids: Vec<TopicId> = problem
            .orgs
            .iter()
            .flat_map(|o| o.ratings.iter().map(|r| r.topic))
            .collect();
        topic_ids.sort_unstable();
        topic_ids.dedup();
        let topic_count = topic_ids.len();
        let dense = |topic: TopicId| topic_ids.binary_search(&topic).unwrap_or_default() as u32;

        let mut level = vec![UNRATED; n * topic_count];
        let mut needs = Vec::with_capacity(n);
        let mut expertise = Vec::with_capacity(n);
        for (org, o) in problem.orgs.iter().enumerate() {
            let mut org_needs = Vec::new();
            let mut org_expertise = Vec::new();
            for rating in &o.ratings {
                if rating.level > 3 {
                    return Err(InvalidProblem::LevelOutOfRange {
                        org,
                        topic: rating.topic,
                        level: rating.level,
                    });
                }
                let t = dense(rating.topic);
                let cell = &mut level[org * topic_count + t as usize];
                if *cell != UNRATED {
                    return Err(InvalidProblem::DuplicateTopic {
                        org,
                        topic: rating.topic,
                    });
                }
                *cell = rating.level;
                if rating.wants_help {
                    org_needs.push((t, rating.level, need_weight(rating.level)));
                }
                if rating.level >= 2 {
                    org_expertise.push((t, rating.level));
                }
            }
            org_needs.sort_unstable();
            org_expertise.sort_unstable();
            needs.push(org_needs);
            expertise.push(org_expertise);
        }

        let mut profession_ids: Vec<u32> = problem
            .orgs
            .iter()
            .flat_map(|o| o.champion_professions.iter().copied())
            .collect();
        profession_ids.sort_unstable();
        profession_ids.dedup();
        let profession_words = profession_ids.len().div_ceil(64);
        let mut professions = vec![0u64; n * profession_words];
        for (org, o) in problem.orgs.iter().enumerate() {
            for p in &o.champion_professions {
                let bit = profession_ids.binary_search(p).unwrap_or_default();
                professions[org * profession_words + bit / 64] |= 1 << (bit % 64);
            }
        }

        let check = |index: OrgIndex| {
            if index < n {
                Ok(index)
            } else {
                Err(InvalidProblem::OrgOutOfRange { index })
            }
        };
        let mut exclusions = vec![Vec::new(); n];
        for &[a, b] in &problem.exclusions {
            let (a, b) = (check(a)?, check(b)?);
            exclusions[a].push(b as u32);
            exclusions[b].push(a as u32);
        }
        for list in &mut exclusions {
            list.sort_unstable();
            list.dedup();
        }
        let mut history: Vec<Vec<(u32, u32, Option<u8>)>> = vec![Vec::new(); n];
        for past in &problem.history {
            let [a, b] = past.orgs;
            let (a, b) = (check(a)?, check(b)?);
            if let Some(rating) = past.rating
                && !(1..=5).contains(&rating)
            {
                return Err(InvalidProblem::RatingOutOfRange { rating });
            }
            for (x, y) in [(a, b), (b, a)] {
                let list = &mut history[x];
                match list.iter_mut().find(|e| e.0 == y as u32) {
                    Some(entry) => {
                        entry.1 += 1;
                        entry.2 = min_rating(entry.2, past.rating);
                    }
                    None => list.push((y as u32, 1, past.rating)),
                }
            }
        }
        for list in &mut history {
            list.sort_unstable();
        }

        Ok(Self {
            topic_ids,
            level,
            needs,
            expertise,
            kind: problem.orgs.iter().map(|o| o.kind).collect(),
            utc_offset: problem
                .orgs
                .iter()
                .map(|o| {
                    o.utc_offset_minutes
                        .map(|m| m.rem_euclid(MINUTES_PER_DAY as i32))
                })
                .collect(),
            profession_ids,
            profession_words,
            professions,
            exclusions,
            history,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.needs.len()
    }

    pub(crate) fn topic_count(&self) -> usize {
        self.topic_ids.len()
    }

    pub(crate) fn level(&self, org: usize, topic: u32) -> u8 {
        self.level[org * self.topic_count() + topic as usize]
    }

    pub(crate) fn is_excluded(&self, a: usize, b: usize) -> bool {
        self.exclusions[a].binary_search(&(b as u32)).is_ok()
    }

    #[inline(always)]
    fn hours_apart(&self, a: usize, b: usize) -> Option<u32> {
        let minutes = self.utc_offset[a]?.abs_diff(self.utc_offset[b]?);
        Some(minutes.min(MINUTES_PER_DAY - minutes) / 60)
    }

    fn shared_professions(&self, a: usize, b: usize) -> impl Iterator<Item = u32> + '_ {
        let w = self.profession_words;
        (0..w).flat_map(move |word| {
            let mut bits = self.professions[a * w + word] & self.professions[b * w + word];
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.profession_ids[word * 64 + bit]
                })
            })
        })
    }

    #[inline(always)]
    fn shared_profession_count(&self, a: usize, b: usize) -> i64 {
        let w = self.profession_words;
        if w == 1 {
            return i64::from((self.professions[a] & self.professions[b]).count_ones());
        }
        (0..w)
            .map(|word| {
                i64::from(
                    (self.professions[a * w + word] & self.professions[b * w + word]).count_ones(),
                )
            })
            .sum()
    }

    fn past(&self, a: usize, b: usize) -> Option<(u32, Option<u8>)> {
        let list = &self.history[a];
        list.binary_search_by_key(&(b as u32), |e| e.0)
            .ok()
            .map(|i| (list[i].1, list[i].2))
    }

    /// Context and history points of a pair: everything but topics and exclusions.
    pub(crate) fn context_points(&self, weights: &Weights, a: usize, b: usize) -> i64 {
        let mut points = self.context_without_history(weights, a, b);
        if let Some((times, lowest)) = self.past(a, b) {
            points += history_points(weights, times, lowest);
        }
        points
    }

    /// History points of `a` with each org it was matched with before.
    pub(crate) fn history_of(
        &self,
        weights: &Weights,
        a: usize,
    ) -> impl Iterator<Item = (usize, i64)> + '_ {
        let weights = *weights;
        self.history[a]
            .iter()
            .map(move |&(b, times, lowest)| (b as usize, history_points(&weights, times, lowest)))
    }

    /// An upper bound of [`Self::context_without_history`] of `a` with anyone.
    pub(crate) fn context_upper_bound(&self, weights: &Weights, a: usize) -> i64 {
        let w = self.profession_words;
        let professions: i64 = self.professions[a * w..(a + 1) * w]
            .iter()
            .map(|word| i64::from(word.count_ones()))
            .sum();
        let kind = if self.kind[a].is_some() {
            weights.same_kind.max(0)
        } else {
            0
        };
        let hours = 12 * (-weights.time_zone_per_hour).max(0);
        kind + hours + (professions * weights.profession).max(0)
    }

    /// A lower bound of [`Self::context_without_history`] of `a` with anyone.
    pub(crate) fn context_lower_bound(&self, weights: &Weights, a: usize) -> i64 {
        let w = self.profession_words;
        let professions: i64 = self.professions[a * w..(a + 1) * w]
            .iter()
            .map(|word| i64::from(word.count_ones()))
            .sum();
        let kind = if self.kind[a].is_some() {
            weights.same_kind.min(0)
        } else {
            0
        };
        let hours = -12 * weights.time_zone_per_hour.max(0);
        kind + hours + (professions * weights.profession).min(0)
    }

    /// Kind, time-zone and profession points of a pair.
    #[inline(always)]
    pub(crate) fn context_without_history(&self, weights: &Weights, a: usize, b: usize) -> i64 {
        let mut points = 0;
        if let (Some(x), Some(y)) = (self.kind[a], self.kind[b])
            && x == y
        {
            points += weights.same_kind;
        }
        if let Some(hours) = self.hours_apart(a, b) {
            points -= i64::from(hours) * weights.time_zone_per_hour;
        }
        points += self.shared_profession_count(a, b) * weights.profession;
        points
    }

    pub(crate) fn explain_topics(
        &self,
        weights: &Weights,
        learner: usize,
        helper: usize,
        out: &mut Vec<Contribution>,
    ) {
        for &(t, lvl, need) in &self.needs[learner] {
            let expertise = expertise_weight(self.level(helper, t), lvl);
            if expertise > 0 {
                out.push(Contribution::Topic {
                    topic: self.topic_ids[t as usize],
                    learner,
                    helper,
                    need,
                    expertise,
                    points: i64::from(need) * i64::from(expertise) * weights.topic,
                });
            }
        }
    }

    pub(crate) fn explain_context(
        &self,
        weights: &Weights,
        a: usize,
        b: usize,
        out: &mut Vec<Contribution>,
    ) {
        let orgs = [a.min(b), a.max(b)];
        if let (Some(x), Some(y)) = (self.kind[a], self.kind[b])
            && x == y
        {
            out.push(Contribution::SameKind {
                orgs,
                kind: x,
                points: weights.same_kind,
            });
        }
        if let Some(hours_apart) = self.hours_apart(a, b) {
            out.push(Contribution::TimeZone {
                orgs,
                hours_apart,
                points: -i64::from(hours_apart) * weights.time_zone_per_hour,
            });
        }
        for profession in self.shared_professions(a, b) {
            out.push(Contribution::Profession {
                orgs,
                profession,
                points: weights.profession,
            });
        }
        if let Some((times_matched, lowest_rating)) = self.past(a, b) {
            out.push(Contribution::History {
                orgs,
                times_matched,
                lowest_rating,
                points: history_points(weights, times_matched, lowest_rating),
            });
        }
    }

    pub(crate) fn explain_pair(
        &self,
        weights: &Weights,
        a: usize,
        b: usize,
        direction: Direction,
    ) -> Option<Scored> {
        if a == b || self.is_excluded(a, b) {
            return None;
        }
        let mut explanation = Vec::new();
        self.explain_topics(weights, a, b, &mut explanation);
        if direction == Direction::Mutual {
            self.explain_topics(weights, b, a, &mut explanation);
        }
        if explanation.is_empty() {
            return Some(Scored {
                score: 0,
                explanation,
            });
        }
        self.explain_context(weights, a, b, &mut explanation);
        let score = explanation.iter().map(Contribution::points).sum();
        Some(Scored { score, explanation })
    }

    /// The `top_needs` highest needs of an org: highest weight first, then lowest topic.
    pub(crate) fn top_needs(&self, org: usize, top_needs: usize) -> Vec<(u32, u8, u8)> {
        let mut needs = self.needs[org].clone();
        needs.sort_by_key(|&(t, _, need)| (std::cmp::Reverse(need), t));
        needs.truncate(top_needs);
        needs
    }
}

/// Points of a pair given its topic units; context only counts once topics do.
pub(crate) fn score_from_parts(
    weights: &Weights,
    units: i64,
    context: impl FnOnce() -> i64,
) -> i64 {
    if units == 0 {
        0
    } else {
        units * weights.topic + context()
    }
}

fn history_points(weights: &Weights, times: u32, lowest: Option<u8>) -> i64 {
    let poor = lowest.is_some_and(|r| r <= 2);
    -(i64::from(times) * weights.repeat) - if poor { weights.poor_rating } else { 0 }
}

fn min_rating(a: Option<u8>, b: Option<u8>) -> Option<u8> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Scores pairs and groups of one problem with one set of weights, with explanations.
pub struct Scorer<'a> {
    weights: Weights,
    pub(crate) profiles: Profiles,
    problem: &'a Problem,
}

impl<'a> Scorer<'a> {
    /// Prepares the problem for scoring; fails on inconsistent input.
    pub fn new(problem: &'a Problem, weights: &Weights) -> Result<Self, InvalidProblem> {
        Ok(Self {
            weights: *weights,
            profiles: Profiles::new(problem)?,
            problem,
        })
    }

    /// The problem being scored.
    pub fn problem(&self) -> &'a Problem {
        self.problem
    }

    /// The weights in use.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Score of the pair `(a, b)`, or `None` when `a == b`, either index is out of range, or the
    /// pair is excluded. A pair without any topic term scores 0 with an empty explanation.
    pub fn pair(&self, a: OrgIndex, b: OrgIndex, direction: Direction) -> Option<Scored> {
        let n = self.profiles.len();
        if a >= n || b >= n {
            return None;
        }
        self.profiles.explain_pair(&self.weights, a, b, direction)
    }

    /// GROUPS objective of one group: coverage of each member's `top_needs` highest needs by the
    /// best expert among the others, plus context, history and exclusion terms of every pair.
    /// `None` when an index is out of range.
    pub fn group(&self, members: &[OrgIndex], top_needs: usize) -> Option<Scored> {
        let p = &self.profiles;
        if members.iter().any(|&m| m >= p.len()) {
            return None;
        }
        let mut explanation = Vec::new();
        for &m in members {
            for (t, lvl, need) in p.top_needs(m, top_needs) {
                let best = members
                    .iter()
                    .filter(|&&o| o != m)
                    .map(|&o| (expertise_weight(p.level(o, t), lvl), std::cmp::Reverse(o)))
                    .max();
                if let Some((expertise, std::cmp::Reverse(helper))) = best
                    && expertise > 0
                {
                    explanation.push(Contribution::Topic {
                        topic: p.topic_ids[t as usize],
                        learner: m,
                        helper,
                        need,
                        expertise,
                        points: i64::from(need) * i64::from(expertise) * self.weights.topic,
                    });
                }
            }
        }
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                p.explain_context(&self.weights, a, b, &mut explanation);
                if p.is_excluded(a, b) {
                    explanation.push(Contribution::Excluded {
                        orgs: [a.min(b), a.max(b)],
                        points: -GROUP_EXCLUSION_PENALTY,
                    });
                }
            }
        }
        let score = explanation.iter().map(Contribution::points).sum();
        Some(Scored { score, explanation })
    }
}
