//! Random instances shared by the test binaries.

#![allow(dead_code, reason = "each test binary uses a different part")]

use peerlearn_matching::{Org, PastMatch, Problem, SplitMix64, TopicRating};

/// Shape of a random instance.
pub struct Shape {
    pub orgs: usize,
    pub mentors: usize,
    pub max_capacity: u32,
    pub topics: u32,
    pub exclusions: usize,
    pub history: usize,
}

pub fn random_org(rng: &mut SplitMix64, topics: u32) -> Org {
    let mut ratings = Vec::new();
    for topic in 0..topics {
        if rng.below(10) < 7 {
            let level = rng.below(4) as u8;
            ratings.push(TopicRating {
                topic: 100 + topic,
                level,
                wants_help: rng.below(4) >= u64::from(level),
            });
        }
    }
    let offsets = [-480, -300, 0, 60, 180, 330, 480, 540, 720];
    Org {
        ratings,
        kind: (rng.below(4) > 0).then(|| rng.below(3) as u32),
        utc_offset_minutes: (rng.below(5) > 0)
            .then(|| offsets[rng.below(offsets.len() as u64) as usize]),
        champion_professions: (0..4u32).filter(|_| rng.below(3) == 0).collect(),
        mentor_capacity: 0,
    }
}

pub fn random_problem(rng: &mut SplitMix64, shape: &Shape) -> Problem {
    let mut orgs: Vec<Org> = (0..shape.orgs)
        .map(|_| random_org(rng, shape.topics))
        .collect();
    for org in orgs.iter_mut().take(shape.mentors) {
        org.mentor_capacity = 1 + rng.below(u64::from(shape.max_capacity)) as u32;
    }
    let n = shape.orgs as u64;
    let pick = |rng: &mut SplitMix64| [rng.below(n) as usize, rng.below(n) as usize];
    let exclusions = (0..shape.exclusions).map(|_| pick(rng)).collect();
    let history = (0..shape.history)
        .map(|_| PastMatch {
            orgs: pick(rng),
            rating: (rng.below(2) == 0).then(|| 1 + rng.below(5) as u8),
        })
        .collect();
    Problem {
        orgs,
        exclusions,
        history,
    }
}

/// A rating helper for hand-written instances.
pub fn rate(topic: u32, level: u8, wants_help: bool) -> TopicRating {
    TopicRating {
        topic,
        level,
        wants_help,
    }
}
