//! Candidate edges with positive score, found through a per-topic index of experts so that pairs
//! without any topic in common are never looked at.

use crate::model::{Reason, Weights};
use crate::score::{Direction, Profiles, expertise_weight, need_weight, score_from_parts};

const NO_COL: u32 = u32::MAX;

/// Candidate partners of each row, best first, in compressed rows.
pub(crate) struct Candidates {
    start: Vec<usize>,
    edges: Vec<(u32, i64)>,
    /// Why each row would stay unmatched if the optimum leaves it out.
    pub(crate) reason: Vec<Reason>,
}

impl Candidates {
    /// `(column, score)` candidates of `row`, highest score first, ties by column.
    pub(crate) fn of(&self, row: usize) -> &[(u32, i64)] {
        &self.edges[self.start[row]..self.start[row + 1]]
    }
}

/// Scores every row org against every column org it shares a topic with, keeping positive
/// scores only (and, with `limit`, only the best `limit` per row).
pub(crate) fn generate(
    p: &Profiles,
    weights: &Weights,
    rows: &[usize],
    cols: &[usize],
    direction: Direction,
    limit: Option<usize>,
) -> Candidates {
    let topic_count = p.topic_count();
    let mut col_of = vec![NO_COL; p.len()];
    // Experts by topic and helper level (index 0: level 2, index 1: level 3).
    let mut experts: Vec<[Vec<u32>; 2]> = vec![[Vec::new(), Vec::new()]; topic_count];
    let mut learners: Vec<Vec<(u32, u8, u8)>> = vec![Vec::new(); topic_count];
    for (c, &org) in cols.iter().enumerate() {
        col_of[org] = c as u32;
        for &(t, level) in &p.expertise[org] {
            experts[t as usize][usize::from(level - 2)].push(c as u32);
        }
        if direction == Direction::Mutual {
            for &(t, level, need) in &p.needs[org] {
                learners[t as usize].push((c as u32, level, need));
            }
        }
    }

    let dense = (direction == Direction::FirstLearns)
        .then(|| DenseGains::new(p, cols.len(), &experts))
        .flatten();
    let mut row_units = vec![0u16; if dense.is_some() { cols.len() } else { 0 }];
    let mut histogram: Vec<u32> = Vec::new();

    let mut units = vec![0i64; cols.len()];
    let mut blocked = vec![false; cols.len()];
    let mut history = vec![0i64; cols.len()];
    // Columns with units > 0 are `touched[..touched_len]`; the spare slot lets the scatter loop
    // write unconditionally, which avoids a mispredicted branch per expert.
    let mut touched = vec![0u32; cols.len() + 1];
    let mut touched_len = 0;
    let mut row_edges: Vec<(u32, i64)> = Vec::new();
    // `(column, upper bound of the score)` of the allowed partners of the current row.
    let mut pool: Vec<(u32, i64)> = Vec::new();
    let mut start = Vec::with_capacity(rows.len() + 1);
    let mut edges = Vec::new();
    let mut reason = Vec::with_capacity(rows.len());
    start.push(0);
    for &a in rows {
        let context_bound = p.context_upper_bound(weights, a);
        if let Some(dense) = &dense
            && p.needs[a].len() * MAX_GAIN <= usize::from(u16::MAX)
        {
            dense.add_row(&p.needs[a], &experts, &mut row_units);
            let lowest = match limit {
                Some(k) if k > 0 && weights.topic > 0 => {
                    lowest_useful_units(p, weights, a, k, &row_units, &mut histogram)
                }
                _ => 1,
            };
            // Branch-free compaction of the columns that can still make the row's best k.
            for (c, u) in row_units.iter_mut().enumerate() {
                let keep = *u >= lowest;
                touched[touched_len] = c as u32;
                units[c] = i64::from(*u) * i64::from(keep);
                touched_len += usize::from(keep);
                *u = 0;
            }
        } else {
            for &(t, level, need) in &p.needs[a] {
                for helper_level in (level + 1).max(2)..=3 {
                    let gain = i64::from(need) * i64::from(expertise_weight(helper_level, level));
                    for &c in &experts[t as usize][usize::from(helper_level - 2)] {
                        let unit = &mut units[c as usize];
                        touched[touched_len] = c;
                        touched_len += usize::from(*unit == 0);
                        *unit += gain;
                    }
                }
            }
        }
        if direction == Direction::Mutual {
            for &(t, level) in &p.expertise[a] {
                for &(c, learner_level, need) in &learners[t as usize] {
                    let gain = i64::from(need) * i64::from(expertise_weight(level, learner_level));
                    if gain > 0 {
                        let unit = &mut units[c as usize];
                        touched[touched_len] = c;
                        touched_len += usize::from(*unit == 0);
                        *unit += gain;
                    }
                }
            }
        }
        for &b in &p.exclusions[a] {
            let c = col_of[b as usize];
            if c != NO_COL {
                blocked[c as usize] = true;
            }
        }
        for (b, points) in p.history_of(weights, a) {
            let c = col_of[b];
            if c != NO_COL {
                history[c as usize] = points;
            }
        }

        let (mut any_allowed, mut any_candidate) = (false, false);
        pool.clear();
        for &c in &touched[..touched_len] {
            if cols[c as usize] == a {
                continue;
            }
            any_candidate = true;
            if blocked[c as usize] {
                continue;
            }
            any_allowed = true;
            let bound = units[c as usize] * weights.topic + history[c as usize] + context_bound;
            pool.push((c, bound));
        }
        let exact = |c: u32| {
            let b = cols[c as usize];
            score_from_parts(weights, units[c as usize], || {
                p.context_without_history(weights, a, b) + history[c as usize]
            })
        };
        row_edges.clear();
        match limit {
            Some(k) if k > 0 && pool.len() > k => {
                // Score exactly the k best by upper bound; the k-th of those scores is a floor for
                // the final k-th best, so the rest only needs scoring when its bound reaches it.
                pool.select_nth_unstable_by(k - 1, |x, y| y.1.cmp(&x.1));
                let mut floor = i64::MAX;
                for &(c, _) in &pool[..k] {
                    let score = exact(c);
                    floor = floor.min(score);
                    if score > 0 {
                        row_edges.push((c, score));
                    }
                }
                let floor = floor.max(1);
                for &(c, bound) in &pool[k..] {
                    if bound >= floor {
                        let score = exact(c);
                        if score >= floor {
                            row_edges.push((c, score));
                        }
                    }
                }
            }
            _ => {
                row_edges.extend(pool.iter().map(|&(c, _)| (c, exact(c))).filter(|e| e.1 > 0));
            }
        }
        let wants_nothing = p.needs[a].is_empty();
        reason.push(if wants_nothing && direction == Direction::FirstLearns {
            Reason::NoNeeds
        } else if !any_candidate {
            if wants_nothing {
                Reason::NoNeeds
            } else {
                Reason::NoExpertise
            }
        } else if !any_allowed {
            Reason::Excluded
        } else if row_edges.is_empty() {
            Reason::NoPositiveScore
        } else {
            Reason::CapacityFull
        });

        let best_first = |x: &(u32, i64), y: &(u32, i64)| y.1.cmp(&x.1).then(x.0.cmp(&y.0));
        if let Some(k) = limit
            && row_edges.len() > k
        {
            if k > 0 {
                row_edges.select_nth_unstable_by(k - 1, best_first);
            }
            row_edges.truncate(k);
        }
        row_edges.sort_unstable_by(best_first);
        edges.extend_from_slice(&row_edges);
        start.push(edges.len());

        for &c in &touched[..touched_len] {
            units[c as usize] = 0;
        }
        touched_len = 0;
        for &b in &p.exclusions[a] {
            let c = col_of[b as usize];
            if c != NO_COL {
                blocked[c as usize] = false;
            }
        }
        for (b, _) in p.history_of(weights, a) {
            let c = col_of[b];
            if c != NO_COL {
                history[c as usize] = 0;
            }
        }
    }
    Candidates {
        start,
        edges,
        reason,
    }
}

/// The fewest topic units a column needs to be among the `k > 0` best of row `a`, given the
/// row's units against every column (`weights.topic > 0`).
///
/// Take the largest `t` such that at least `k` columns with `t` units or more are neither `a`
/// itself, nor excluded, nor have history with `a`: those score at least `t * topic` plus the
/// lowest possible context, so the k-th best score does too, and a column whose upper bound stays
/// below that cannot make the best k, ties included.
fn lowest_useful_units(
    p: &Profiles,
    weights: &Weights,
    a: usize,
    k: usize,
    units: &[u16],
    histogram: &mut Vec<u32>,
) -> u16 {
    let top = p.needs[a].len() * MAX_GAIN;
    histogram.clear();
    histogram.resize(top + 1, 0);
    for &u in units {
        histogram[usize::from(u)] += 1;
    }
    let (mut past, mut best_history) = (0, 0i64);
    for (_, points) in p.history_of(weights, a) {
        past += 1;
        best_history = best_history.max(points);
    }
    let wanted = (k + 1 + p.exclusions[a].len() + past) as u64;
    let mut count = 0u64;
    let Some(t) = (1..=top).rev().find(|&t| {
        count += u64::from(histogram[t]);
        count >= wanted
    }) else {
        return 1;
    };
    let floor = t as i64 * weights.topic + p.context_lower_bound(weights, a);
    let needed = floor - p.context_upper_bound(weights, a) - best_history;
    let mut lowest = needed.div_euclid(weights.topic);
    if lowest * weights.topic < needed {
        lowest += 1;
    }
    lowest.clamp(1, t as i64) as u16
}

/// Largest topic units one need can bring: need weight 4 times expertise weight 2.
const MAX_GAIN: usize = 8;

/// Topic units per `(topic, learner level)` against every column, as dense rows of `u16`, for the
/// topics whose experts are a large share of the columns: adding such a row is a tight loop the
/// compiler vectorises, where scattering over the expert list costs a load and a store per expert.
struct DenseGains {
    cols: usize,
    /// Row index of `(topic, learner level 0-2)` in `gains`, or `NO_COL` for a sparse topic.
    row_of: Vec<u32>,
    gains: Vec<u16>,
}

impl DenseGains {
    /// `None` when no topic is dense enough to pay for a full row.
    fn new(p: &Profiles, cols: usize, experts: &[[Vec<u32>; 2]]) -> Option<Self> {
        let topic_count = p.topic_count();
        let mut row_of = vec![NO_COL; topic_count * 3];
        let mut gains = Vec::new();
        let mut rows = 0;
        for (t, by_level) in experts.iter().enumerate() {
            if (by_level[0].len() + by_level[1].len()) * 8 < cols {
                continue;
            }
            for learner_level in 0..3u8 {
                row_of[t * 3 + usize::from(learner_level)] = rows;
                rows += 1;
                let start = gains.len();
                gains.resize(start + cols, 0);
                for helper_level in (learner_level + 1).max(2)..=3 {
                    let gain = u16::from(need_weight(learner_level))
                        * u16::from(expertise_weight(helper_level, learner_level));
                    for &c in &by_level[usize::from(helper_level - 2)] {
                        gains[start + c as usize] = gain;
                    }
                }
            }
        }
        (rows > 0).then_some(Self {
            cols,
            row_of,
            gains,
        })
    }

    /// Adds the topic units of a learner with `needs` to `units` (one slot per column); the
    /// caller makes sure the sum fits.
    fn add_row(&self, needs: &[(u32, u8, u8)], experts: &[[Vec<u32>; 2]], units: &mut [u16]) {
        for &(t, level, need) in needs {
            if level >= 3 {
                continue;
            }
            let row = self.row_of[t as usize * 3 + usize::from(level)];
            if row != NO_COL {
                let start = row as usize * self.cols;
                for (u, &g) in units.iter_mut().zip(&self.gains[start..start + self.cols]) {
                    *u = u.wrapping_add(g);
                }
                continue;
            }
            for helper_level in (level + 1).max(2)..=3 {
                let gain = u16::from(need) * u16::from(expertise_weight(helper_level, level));
                for &c in &experts[t as usize][usize::from(helper_level - 2)] {
                    units[c as usize] = units[c as usize].wrapping_add(gain);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::generate;
    use crate::model::{Org, PastMatch, Problem, TopicRating, Weights};
    use crate::rng::SplitMix64;
    use crate::score::{Direction, Profiles};

    fn random_problem(rng: &mut SplitMix64, n: usize) -> Problem {
        let mut orgs = Vec::new();
        for _ in 0..n {
            let mut ratings = Vec::new();
            for topic in 0..6u32 {
                if rng.below(10) < 7 {
                    let level = rng.below(4) as u8;
                    let wants_help = rng.below(4) >= u64::from(level);
                    ratings.push(TopicRating {
                        topic,
                        level,
                        wants_help,
                    });
                }
            }
            let kind = (rng.below(4) > 0).then(|| rng.below(3) as u32);
            let utc_offset_minutes = (rng.below(5) > 0).then(|| rng.below(24) as i32 * 60);
            let champion_professions = (0..4u32).filter(|_| rng.below(3) == 0).collect();
            orgs.push(Org {
                ratings,
                kind,
                utc_offset_minutes,
                champion_professions,
                mentor_capacity: 0,
            });
        }
        let pick =
            |rng: &mut SplitMix64| [rng.below(n as u64) as usize, rng.below(n as u64) as usize];
        let exclusions = (0..n / 4).map(|_| pick(rng)).collect();
        let mut history = Vec::new();
        for _ in 0..n / 2 {
            let orgs = pick(rng);
            history.push(PastMatch {
                orgs,
                rating: Some(1 + rng.below(5) as u8),
            });
        }
        Problem {
            orgs,
            exclusions,
            history,
        }
    }

    #[test]
    fn pruned_top_k_equals_the_best_k_of_all_candidates() {
        let mut rng = SplitMix64::new(21);
        for case in 0..300 {
            let n = 2 + rng.below(40) as usize;
            let problem = random_problem(&mut rng, n);
            let weights = if case % 3 == 0 {
                Weights {
                    same_kind: 400,
                    profession: 250,
                    ..Weights::default()
                }
            } else {
                Weights::default()
            };
            let profiles = Profiles::new(&problem).unwrap();
            let split = rng.below(n as u64) as usize;
            let rows: Vec<usize> = (0..split).collect();
            let cols: Vec<usize> = (split..n).collect();
            let everyone: Vec<usize> = (0..n).collect();
            for (rows, cols, direction) in [
                (&rows, &cols, Direction::FirstLearns),
                (&everyone, &everyone, Direction::Mutual),
            ] {
                let all = generate(&profiles, &weights, rows, cols, direction, None);
                for (row, &a) in rows.iter().enumerate() {
                    let mut scored: Vec<(u32, i64)> = (0..cols.len())
                        .filter_map(|c| {
                            let s = profiles.explain_pair(&weights, a, cols[c], direction)?;
                            (s.score > 0).then_some((c as u32, s.score))
                        })
                        .collect();
                    scored.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                    assert_eq!(all.of(row), &scored[..], "case {case} row {row}");
                }
                let k = rng.below(6) as usize;
                let limited = generate(&profiles, &weights, rows, cols, direction, Some(k));
                for row in 0..rows.len() {
                    let best: Vec<_> = all.of(row).iter().take(k).copied().collect();
                    assert_eq!(limited.of(row), &best[..], "case {case} row {row}");
                    assert_eq!(limited.reason[row], all.reason[row]);
                }
            }
        }
    }
}
