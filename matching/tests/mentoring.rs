#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod common;

use std::collections::HashMap;

use common::{Shape, random_problem, rate};
use peerlearn_matching::{
    Direction, Mode, Org, Outcome, Params, Problem, Reason, Scorer, SplitMix64, Weights, run,
};

fn mentoring(problem: &Problem, candidates_per_mentee: Option<usize>) -> Outcome {
    let params = Params {
        weights: Weights::default(),
        mode: Mode::Mentoring {
            candidates_per_mentee,
        },
    };
    run(problem, &params).unwrap()
}

/// Best total by dynamic programming over mentees and the remaining capacity of every mentor.
fn exhaustive_optimum(problem: &Problem) -> i64 {
    let scorer = Scorer::new(problem, &Weights::default()).unwrap();
    let mentors: Vec<usize> = (0..problem.orgs.len())
        .filter(|&o| problem.orgs[o].mentor_capacity > 0)
        .collect();
    let mentees: Vec<usize> = (0..problem.orgs.len())
        .filter(|&o| problem.orgs[o].mentor_capacity == 0)
        .collect();
    let score: Vec<Vec<i64>> = mentees
        .iter()
        .map(|&m| {
            mentors
                .iter()
                .map(|&t| {
                    scorer
                        .pair(m, t, Direction::FirstLearns)
                        .map_or(0, |s| s.score)
                })
                .collect()
        })
        .collect();
    let capacity: Vec<u32> = mentors
        .iter()
        .map(|&t| problem.orgs[t].mentor_capacity)
        .collect();
    fn best(
        i: usize,
        left: &mut Vec<u32>,
        score: &[Vec<i64>],
        memo: &mut HashMap<(usize, Vec<u32>), i64>,
    ) -> i64 {
        if i == score.len() {
            return 0;
        }
        if let Some(&v) = memo.get(&(i, left.clone())) {
            return v;
        }
        let mut value = best(i + 1, left, score, memo);
        for j in 0..left.len() {
            if left[j] > 0 && score[i][j] > 0 {
                left[j] -= 1;
                value = value.max(score[i][j] + best(i + 1, left, score, memo));
                left[j] += 1;
            }
        }
        memo.insert((i, left.clone()), value);
        value
    }
    best(0, &mut capacity.clone(), &score, &mut HashMap::new())
}

fn check_feasible(problem: &Problem, outcome: &Outcome) {
    let mut load = vec![0u32; problem.orgs.len()];
    let mut seen = vec![false; problem.orgs.len()];
    for m in &outcome.matches {
        let [mentee, mentor] = m.members[..] else {
            panic!("a mentoring match has two members");
        };
        assert_eq!(problem.orgs[mentee].mentor_capacity, 0);
        assert!(problem.orgs[mentor].mentor_capacity > 0);
        assert!(!seen[mentee], "a mentee has at most one mentor");
        seen[mentee] = true;
        load[mentor] += 1;
        assert!(m.score > 0, "pairs scoring zero or less are never matched");
        assert_eq!(
            m.score,
            m.explanation.iter().map(|c| c.points()).sum::<i64>()
        );
        assert!(!problem.exclusions.contains(&[mentee, mentor]));
        assert!(!problem.exclusions.contains(&[mentor, mentee]));
    }
    for (o, org) in problem.orgs.iter().enumerate() {
        assert!(load[o] <= org.mentor_capacity, "mentor {o} over capacity");
        if org.mentor_capacity == 0 && !seen[o] {
            assert!(outcome.unmatched.iter().any(|u| u.org == o));
        }
    }
    assert_eq!(
        outcome.total_score,
        outcome.matches.iter().map(|m| m.score).sum::<i64>()
    );
}

#[test]
fn mentoring_reaches_the_exhaustive_optimum_on_small_instances() {
    let mut rng = SplitMix64::new(11);
    for case in 0..400 {
        let mentors = 1 + rng.below(5) as usize;
        let mentees = 1 + rng.below(8) as usize;
        let shape = Shape {
            orgs: mentors + mentees,
            mentors,
            max_capacity: 1 + rng.below(3) as u32,
            topics: 2 + rng.below(5) as u32,
            exclusions: rng.below(4) as usize,
            history: rng.below(4) as usize,
        };
        let problem = random_problem(&mut rng, &shape);
        let outcome = mentoring(&problem, None);
        check_feasible(&problem, &outcome);
        assert_eq!(
            outcome.total_score,
            exhaustive_optimum(&problem),
            "case {case}: {problem:?}"
        );
    }
}

#[test]
fn mentoring_with_a_candidate_limit_stays_feasible_and_never_beats_the_optimum() {
    let mut rng = SplitMix64::new(12);
    for _ in 0..100 {
        let shape = Shape {
            orgs: 14,
            mentors: 5,
            max_capacity: 2,
            topics: 4,
            exclusions: 2,
            history: 2,
        };
        let problem = random_problem(&mut rng, &shape);
        let limited = mentoring(&problem, Some(2));
        check_feasible(&problem, &limited);
        assert!(limited.total_score <= exhaustive_optimum(&problem));
    }
}

#[test]
fn candidate_limit_of_one_gives_each_mentee_only_its_best_mentor() {
    let problem = Problem {
        orgs: vec![
            mentee(vec![rate(1, 0, true), rate(2, 1, true)]),
            mentee(vec![rate(1, 0, true)]),
            mentor(1, vec![rate(1, 3, false), rate(2, 3, false)]),
            mentor(1, vec![rate(1, 3, false)]),
        ],
        ..Problem::default()
    };
    // Only mentee 0 gains from topic 2, so the optimum gives it mentor 2 and mentee 1 mentor 3.
    let full = mentoring(&problem, None);
    let limited = mentoring(&problem, Some(1));
    assert_eq!(full.matches.len(), 2);
    assert_eq!(limited.matches[0].members, vec![0, 2]);
    // Mentee 1 ties between mentors 2 and 3 and keeps the lower index as its only candidate.
    assert_eq!(limited.unmatched.len(), 1);
    assert_eq!(limited.unmatched[0].reason, Reason::CapacityFull);
}

fn mentee(ratings: Vec<peerlearn_matching::TopicRating>) -> Org {
    Org {
        ratings,
        ..Org::default()
    }
}

fn mentor(capacity: u32, ratings: Vec<peerlearn_matching::TopicRating>) -> Org {
    Org {
        ratings,
        mentor_capacity: capacity,
        ..Org::default()
    }
}

#[test]
fn unmatched_mentees_come_back_with_the_right_reason() {
    let problem = Problem {
        orgs: vec![
            mentee(vec![rate(1, 3, false)]),
            mentee(vec![rate(9, 0, true)]),
            mentee(vec![rate(2, 0, true)]),
            mentee(vec![rate(1, 0, true)]),
            mentee(vec![rate(1, 1, true)]),
            mentee(vec![rate(3, 2, true)]),
            mentor(1, vec![rate(1, 3, false)]),
            mentor(1, vec![rate(2, 2, false), rate(3, 3, false)]),
        ],
        exclusions: vec![[2, 7]],
        history: vec![peerlearn_matching::PastMatch {
            orgs: [5, 7],
            rating: Some(1),
        }],
    };
    let outcome = mentoring(&problem, None);
    let reason = |org: usize| {
        outcome
            .unmatched
            .iter()
            .find(|u| u.org == org)
            .map(|u| u.reason)
    };
    assert_eq!(reason(0), Some(Reason::NoNeeds));
    assert_eq!(reason(1), Some(Reason::NoExpertise));
    assert_eq!(reason(2), Some(Reason::Excluded));
    // Mentees 3 and 4 compete for mentor 6; 3 needs it more.
    assert_eq!(reason(3), None);
    assert_eq!(reason(4), Some(Reason::CapacityFull));
    assert_eq!(reason(5), Some(Reason::NoPositiveScore));
}

#[test]
fn mentoring_never_pairs_an_org_with_itself_or_an_excluded_mentor() {
    let mut rng = SplitMix64::new(13);
    for _ in 0..50 {
        let shape = Shape {
            orgs: 12,
            mentors: 4,
            max_capacity: 3,
            topics: 3,
            exclusions: 12,
            history: 0,
        };
        let problem = random_problem(&mut rng, &shape);
        check_feasible(&problem, &mentoring(&problem, None));
    }
}

#[test]
fn mentoring_gives_the_same_outcome_for_the_same_input() {
    let mut rng = SplitMix64::new(14);
    let shape = Shape {
        orgs: 60,
        mentors: 10,
        max_capacity: 4,
        topics: 6,
        exclusions: 5,
        history: 5,
    };
    let problem = random_problem(&mut rng, &shape);
    assert_eq!(mentoring(&problem, Some(5)), mentoring(&problem, Some(5)));
}

#[test]
fn mentoring_outcome_round_trips_through_json() {
    let mut rng = SplitMix64::new(15);
    let shape = Shape {
        orgs: 10,
        mentors: 3,
        max_capacity: 2,
        topics: 4,
        exclusions: 1,
        history: 1,
    };
    let problem = random_problem(&mut rng, &shape);
    let outcome = mentoring(&problem, None);
    let json = serde_json::to_string(&outcome).unwrap();
    let back: Outcome = serde_json::from_str(&json).unwrap();
    assert_eq!(back, outcome);
    let problem_json = serde_json::to_string(&problem).unwrap();
    assert_eq!(
        serde_json::from_str::<Problem>(&problem_json).unwrap(),
        problem
    );
}
