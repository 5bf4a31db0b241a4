//! GROUPS: greedy seeding plus pairwise swaps, both guided by a per-topic index of experts.
//! Swaps keep every group size fixed, so sizes differ by at most one from the start to the end.

use crate::model::{Match, Outcome};
use crate::rng::SplitMix64;
use crate::score::{GROUP_EXCLUSION_PENALTY, Profiles, Scorer, expertise_weight};

/// Random experts tried per uncovered need, and random partners tried per organization.
const EXPERTS_PER_NEED: usize = 2;
const RANDOM_TRIES: usize = 2;

pub(crate) fn run(
    scorer: &Scorer<'_>,
    group_size: usize,
    top_needs: usize,
    seed: u64,
    max_passes: usize,
) -> Outcome {
    let n = scorer.problem().orgs.len();
    let mut outcome = Outcome {
        matches: Vec::new(),
        unmatched: Vec::new(),
        total_score: 0,
    };
    if n == 0 {
        return outcome;
    }
    let mut search = Search::new(scorer, group_size, top_needs, seed);
    search.seed_groups();
    for _ in 0..max_passes {
        if !search.improve_pass() {
            break;
        }
    }

    let mut groups: Vec<Vec<usize>> = search
        .groups
        .iter()
        .map(|g| {
            let mut members: Vec<usize> = g.iter().map(|&m| m as usize).collect();
            members.sort_unstable();
            members
        })
        .collect();
    groups.sort_unstable();
    for members in groups {
        if let Some(scored) = scorer.group(&members, top_needs) {
            outcome.total_score += scored.score;
            outcome.matches.push(Match {
                members,
                score: scored.score,
                explanation: scored.explanation,
            });
        }
    }
    outcome
}

struct Search<'a> {
    profiles: &'a Profiles,
    scorer: &'a Scorer<'a>,
    rng: SplitMix64,
    /// Top needs `(dense topic, level, need)` of each org.
    top: Vec<Vec<(u32, u8, u8)>>,
    /// Orgs rated 2 or 3 per topic, level-3 experts first.
    experts: Vec<Vec<u32>>,
    level3_count: Vec<usize>,
    size: Vec<usize>,
    groups: Vec<Vec<u32>>,
    value: Vec<i64>,
    group_of: Vec<u32>,
    scratch: [Vec<u32>; 2],
}

const UNPLACED: u32 = u32::MAX;

impl<'a> Search<'a> {
    fn new(scorer: &'a Scorer<'a>, group_size: usize, top_needs: usize, seed: u64) -> Self {
        let profiles = &scorer.profiles;
        let n = profiles.len();
        let count = ((n + group_size / 2) / group_size).max(1);
        let size = (0..count)
            .map(|g| n / count + usize::from(g < n % count))
            .collect();
        let mut experts = vec![Vec::new(); profiles.topic_count()];
        for org in 0..n {
            for &(t, level) in &profiles.expertise[org] {
                if level == 3 {
                    experts[t as usize].push(org as u32);
                }
            }
        }
        let level3_count = experts.iter().map(Vec::len).collect();
        for org in 0..n {
            for &(t, level) in &profiles.expertise[org] {
                if level == 2 {
                    experts[t as usize].push(org as u32);
                }
            }
        }
        Self {
            profiles,
            scorer,
            rng: SplitMix64::new(seed),
            top: (0..n).map(|o| profiles.top_needs(o, top_needs)).collect(),
            experts,
            level3_count,
            size,
            groups: vec![Vec::new(); count],
            value: vec![0; count],
            group_of: vec![UNPLACED; n],
            scratch: [Vec::new(), Vec::new()],
        }
    }

    /// Objective of one group; the same value as [`Scorer::group`], computed without building
    /// the explanation.
    fn value_of(&self, members: &[u32]) -> i64 {
        let p = self.profiles;
        let weights = self.scorer.weights();
        let mut value = 0;
        for (i, &m) in members.iter().enumerate() {
            for &(t, level, need) in &self.top[m as usize] {
                let best = members
                    .iter()
                    .filter(|&&o| o != m)
                    .map(|&o| expertise_weight(p.level(o as usize, t), level))
                    .max()
                    .unwrap_or(0);
                value += i64::from(need) * i64::from(best) * weights.topic;
            }
            for &o in &members[i + 1..] {
                value += p.context_points(weights, m as usize, o as usize);
                if p.is_excluded(m as usize, o as usize) {
                    value -= GROUP_EXCLUSION_PENALTY;
                }
            }
        }
        value
    }

    /// A random org that could cover `(topic, level)`, if any.
    fn random_expert(&mut self, topic: u32, level: u8) -> Option<u32> {
        let list = &self.experts[topic as usize];
        let pool = match level {
            0 | 1 => list.len(),
            2 => self.level3_count[topic as usize],
            _ => 0,
        };
        (pool > 0).then(|| list[self.rng.below(pool as u64) as usize])
    }

    fn is_covered(&self, group: &[u32], member: u32, topic: u32, level: u8) -> bool {
        group.iter().any(|&o| {
            o != member && expertise_weight(self.profiles.level(o as usize, topic), level) > 0
        })
    }

    fn place(&mut self, org: u32, group: usize) {
        self.groups[group].push(org);
        self.group_of[org as usize] = group as u32;
        self.value[group] = self.value_of(&self.groups[group]);
    }

    /// One expert anchor per group, then every other org into the open group where it adds
    /// most, among groups holding experts on its top needs and a few random ones.
    fn seed_groups(&mut self) {
        let n = self.profiles.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        self.rng.shuffle(&mut order);
        let expertise_total = |o: u32| -> u32 {
            self.profiles.expertise[o as usize]
                .iter()
                .map(|&(_, level)| u32::from(level) - 1)
                .sum()
        };
        order.sort_by_key(|&o| std::cmp::Reverse(expertise_total(o)));
        let count = self.groups.len();
        let (anchors, rest) = order.split_at(count.min(n));
        let mut rest = rest.to_vec();
        for (g, &anchor) in anchors.iter().enumerate() {
            self.place(anchor, g);
        }
        let need_total = |o: u32| -> u32 {
            self.top[o as usize]
                .iter()
                .map(|&(_, _, need)| u32::from(need))
                .sum()
        };
        rest.sort_by_key(|&o| std::cmp::Reverse(need_total(o)));

        let mut open: Vec<usize> = (0..count)
            .filter(|&g| self.groups[g].len() < self.size[g])
            .collect();
        let mut choices = Vec::new();
        for org in rest {
            choices.clear();
            for idx in 0..self.top[org as usize].len() {
                let (t, level, _) = self.top[org as usize][idx];
                for _ in 0..EXPERTS_PER_NEED {
                    if let Some(expert) = self.random_expert(t, level) {
                        let g = self.group_of[expert as usize];
                        if g != UNPLACED && self.groups[g as usize].len() < self.size[g as usize] {
                            choices.push(g as usize);
                        }
                    }
                }
            }
            for _ in 0..RANDOM_TRIES {
                if !open.is_empty() {
                    choices.push(open[self.rng.below(open.len() as u64) as usize]);
                }
            }
            choices.sort_unstable();
            choices.dedup();
            let mut best: Option<(i64, usize)> = None;
            for &g in &choices {
                let mut with = std::mem::take(&mut self.scratch[0]);
                with.clear();
                with.extend_from_slice(&self.groups[g]);
                with.push(org);
                let gain = self.value_of(&with) - self.value[g];
                self.scratch[0] = with;
                if best.is_none_or(|(b, _)| gain > b) {
                    best = Some((gain, g));
                }
            }
            let Some(g) = best.map(|(_, g)| g).or_else(|| open.first().copied()) else {
                break;
            };
            self.place(org, g);
            if self.groups[g].len() >= self.size[g]
                && let Some(pos) = open.iter().position(|&x| x == g)
            {
                open.swap_remove(pos);
            }
        }
    }

    /// Gain of swapping `x` and `y` (in different groups).
    fn swap_gain(&mut self, x: u32, y: u32) -> i64 {
        let (gx, gy) = (
            self.group_of[x as usize] as usize,
            self.group_of[y as usize] as usize,
        );
        let [mut a, mut b] = std::mem::take(&mut self.scratch);
        a.clear();
        a.extend(self.groups[gx].iter().map(|&m| if m == x { y } else { m }));
        b.clear();
        b.extend(self.groups[gy].iter().map(|&m| if m == y { x } else { m }));
        let gain = self.value_of(&a) + self.value_of(&b) - self.value[gx] - self.value[gy];
        self.scratch = [a, b];
        gain
    }

    fn swap(&mut self, x: u32, y: u32) {
        let (gx, gy) = (
            self.group_of[x as usize] as usize,
            self.group_of[y as usize] as usize,
        );
        for (g, from, to) in [(gx, x, y), (gy, y, x)] {
            if let Some(slot) = self.groups[g].iter_mut().find(|m| **m == from) {
                *slot = to;
            }
            self.group_of[to as usize] = g as u32;
            self.value[g] = self.value_of(&self.groups[g]);
        }
    }

    /// Tries, for every org in random order, swaps that bring an expert on an uncovered need
    /// into its group or move it next to one; applies the best improving swap. Returns whether
    /// anything improved.
    fn improve_pass(&mut self) -> bool {
        let n = self.profiles.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        self.rng.shuffle(&mut order);
        let mut improved = false;
        let mut partners = Vec::new();
        for x in order {
            partners.clear();
            let gx = self.group_of[x as usize] as usize;
            for mi in 0..self.groups[gx].len() {
                let m = self.groups[gx][mi];
                for ni in 0..self.top[m as usize].len() {
                    let (t, level, _) = self.top[m as usize][ni];
                    if self.is_covered(&self.groups[gx], m, t, level) {
                        continue;
                    }
                    for _ in 0..EXPERTS_PER_NEED {
                        let Some(expert) = self.random_expert(t, level) else {
                            break;
                        };
                        let ge = self.group_of[expert as usize] as usize;
                        if ge == gx {
                            continue;
                        }
                        if m == x {
                            partners.extend(self.groups[ge].iter().filter(|&&o| o != expert));
                        } else {
                            partners.push(expert);
                        }
                    }
                }
            }
            for _ in 0..RANDOM_TRIES {
                partners.push(self.rng.below(n as u64) as u32);
            }
            let mut best: Option<(i64, u32)> = None;
            let tried = std::mem::take(&mut partners);
            for &y in &tried {
                if self.group_of[y as usize] as usize == gx {
                    continue;
                }
                let gain = self.swap_gain(x, y);
                if gain > 0 && best.is_none_or(|(b, _)| gain > b) {
                    best = Some((gain, y));
                }
            }
            partners = tried;
            if let Some((_, y)) = best {
                self.swap(x, y);
                improved = true;
            }
        }
        improved
    }
}
