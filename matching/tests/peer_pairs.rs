#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod common;

use common::{Shape, random_problem, rate};
use peerlearn_matching::{
    Direction, Mode, Org, Outcome, Params, Problem, Reason, Scorer, SplitMix64, Weights, run,
};

fn peer_pairs(problem: &Problem, candidates_per_org: Option<usize>) -> Outcome {
    let params = Params {
        weights: Weights::default(),
        mode: Mode::PeerPairs { candidates_per_org },
    };
    run(problem, &params).unwrap()
}

/// Best total over all matchings, by dynamic programming over subsets.
fn exhaustive_optimum(problem: &Problem) -> i64 {
    let n = problem.orgs.len();
    let scorer = Scorer::new(problem, &Weights::default()).unwrap();
    let w: Vec<Vec<i64>> = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| scorer.pair(a, b, Direction::Mutual).map_or(0, |s| s.score))
                .collect()
        })
        .collect();
    let mut best = vec![0i64; 1 << n];
    for mask in 1usize..1 << n {
        let a = mask.trailing_zeros() as usize;
        let rest = mask & !(1 << a);
        let mut value = best[rest];
        for b in 0..n {
            if rest & (1 << b) != 0 && w[a][b] > 0 {
                value = value.max(w[a][b] + best[rest & !(1 << b)]);
            }
        }
        best[mask] = value;
    }
    best[(1 << n) - 1]
}

fn check_feasible(problem: &Problem, outcome: &Outcome) {
    let n = problem.orgs.len();
    let mut seen = vec![0; n];
    for m in &outcome.matches {
        let [a, b] = m.members[..] else {
            panic!("a peer match has two members");
        };
        assert!(a < b, "members are ordered and distinct");
        seen[a] += 1;
        seen[b] += 1;
        assert!(m.score > 0, "pairs scoring zero or less are never matched");
        assert_eq!(
            m.score,
            m.explanation.iter().map(|c| c.points()).sum::<i64>()
        );
        assert!(!problem.exclusions.contains(&[a, b]) && !problem.exclusions.contains(&[b, a]));
    }
    for u in &outcome.unmatched {
        seen[u.org] += 1;
    }
    assert!(
        seen.iter().all(|&s| s == 1),
        "every org is matched once or reported"
    );
}

#[test]
fn peer_pairs_reach_the_exhaustive_optimum_on_small_instances() {
    let mut rng = SplitMix64::new(21);
    for case in 0..300 {
        let n = 1 + rng.below(12) as usize;
        let shape = Shape {
            orgs: n,
            mentors: 0,
            max_capacity: 1,
            topics: 2 + rng.below(5) as u32,
            exclusions: rng.below(4) as usize,
            history: rng.below(4) as usize,
        };
        let problem = random_problem(&mut rng, &shape);
        let outcome = peer_pairs(&problem, None);
        check_feasible(&problem, &outcome);
        assert_eq!(
            outcome.total_score,
            exhaustive_optimum(&problem),
            "case {case}: {problem:?}"
        );
    }
}

#[test]
fn peer_pairs_with_a_candidate_limit_stay_feasible_and_never_beat_the_optimum() {
    let mut rng = SplitMix64::new(22);
    for _ in 0..100 {
        let shape = Shape {
            orgs: 12,
            mentors: 0,
            max_capacity: 1,
            topics: 5,
            exclusions: 3,
            history: 3,
        };
        let problem = random_problem(&mut rng, &shape);
        let limited = peer_pairs(&problem, Some(2));
        check_feasible(&problem, &limited);
        assert!(limited.total_score <= exhaustive_optimum(&problem));
    }
}

fn org(ratings: Vec<peerlearn_matching::TopicRating>) -> Org {
    Org {
        ratings,
        ..Org::default()
    }
}

#[test]
fn unmatched_peers_come_back_with_the_right_reason() {
    let problem = Problem {
        orgs: vec![
            org(vec![rate(1, 1, false)]),
            org(vec![rate(9, 0, true)]),
            org(vec![rate(2, 0, true)]),
            org(vec![rate(2, 3, false)]),
            org(vec![rate(3, 0, true)]),
            org(vec![rate(3, 1, true)]),
            org(vec![rate(3, 3, false)]),
        ],
        exclusions: vec![[2, 3]],
        history: vec![],
    };
    let outcome = peer_pairs(&problem, None);
    let reason = |o: usize| {
        outcome
            .unmatched
            .iter()
            .find(|u| u.org == o)
            .map(|u| u.reason)
    };
    assert_eq!(reason(0), Some(Reason::NoNeeds));
    assert_eq!(reason(1), Some(Reason::NoExpertise));
    assert_eq!(reason(2), Some(Reason::Excluded));
    assert_eq!(reason(3), Some(Reason::Excluded));
    assert_eq!(reason(4), None);
    assert_eq!(reason(5), Some(Reason::CapacityFull));
    assert_eq!(outcome.matches[0].members, vec![4, 6]);
}

#[test]
fn peer_pairs_give_the_same_outcome_for_the_same_input() {
    let mut rng = SplitMix64::new(23);
    let shape = Shape {
        orgs: 80,
        mentors: 0,
        max_capacity: 1,
        topics: 6,
        exclusions: 5,
        history: 5,
    };
    let problem = random_problem(&mut rng, &shape);
    assert_eq!(peer_pairs(&problem, Some(4)), peer_pairs(&problem, Some(4)));
    assert_eq!(peer_pairs(&problem, None), peer_pairs(&problem, None));
}
