#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod common;

use common::{Shape, random_problem};
use peerlearn_matching::{Mode, Outcome, Params, Problem, Scorer, SplitMix64, Weights, run};

const TOP_NEEDS: usize = 3;

fn groups(problem: &Problem, group_size: usize, seed: u64) -> Outcome {
    let params = Params {
        weights: Weights::default(),
        mode: Mode::Groups {
            group_size,
            top_needs: TOP_NEEDS,
            seed,
            max_passes: 10,
        },
    };
    run(problem, &params).unwrap()
}

fn shape(orgs: usize, exclusions: usize) -> Shape {
    Shape {
        orgs,
        mentors: 0,
        max_capacity: 1,
        topics: 12,
        exclusions,
        history: orgs / 4,
    }
}

/// Objective of a uniformly random grouping with the same group sizes.
fn random_grouping_score(problem: &Problem, outcome: &Outcome, rng: &mut SplitMix64) -> i64 {
    let scorer = Scorer::new(problem, &Weights::default()).unwrap();
    let mut orgs: Vec<usize> = (0..problem.orgs.len()).collect();
    rng.shuffle(&mut orgs);
    let mut rest = &orgs[..];
    let mut total = 0;
    for m in &outcome.matches {
        let (group, tail) = rest.split_at(m.members.len());
        total += scorer.group(group, TOP_NEEDS).unwrap().score;
        rest = tail;
    }
    total
}

#[test]
fn group_sizes_differ_by_at_most_one_and_everyone_is_placed_once() {
    let mut rng = SplitMix64::new(41);
    for (n, size) in [(1, 4), (5, 4), (7, 4), (23, 5), (40, 6), (101, 3), (10, 1)] {
        let problem = random_problem(&mut rng, &shape(n, 0));
        let outcome = groups(&problem, size, 1);
        let sizes: Vec<usize> = outcome.matches.iter().map(|m| m.members.len()).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1, "n={n} size={size}: {sizes:?}");
        let mut placed: Vec<usize> = outcome
            .matches
            .iter()
            .flat_map(|m| m.members.iter().copied())
            .collect();
        placed.sort_unstable();
        assert_eq!(placed, (0..n).collect::<Vec<_>>());
        assert!(outcome.unmatched.is_empty());
    }
}

#[test]
fn group_scores_and_explanations_agree_with_the_scorer() {
    let mut rng = SplitMix64::new(42);
    let problem = random_problem(&mut rng, &shape(30, 4));
    let outcome = groups(&problem, 4, 9);
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    for m in &outcome.matches {
        let scored = scorer.group(&m.members, TOP_NEEDS).unwrap();
        assert_eq!(scored.score, m.score);
        assert_eq!(scored.explanation, m.explanation);
        assert_eq!(
            m.score,
            m.explanation.iter().map(|c| c.points()).sum::<i64>()
        );
    }
    assert_eq!(
        outcome.total_score,
        outcome.matches.iter().map(|m| m.score).sum::<i64>()
    );
}

#[test]
fn the_same_seed_gives_the_same_groups() {
    let mut rng = SplitMix64::new(43);
    let problem = random_problem(&mut rng, &shape(60, 3));
    assert_eq!(groups(&problem, 5, 77), groups(&problem, 5, 77));
}

#[test]
fn excluded_pairs_never_share_a_group_when_it_can_be_avoided() {
    let mut rng = SplitMix64::new(44);
    for seed in 0..20 {
        let problem = random_problem(&mut rng, &shape(40, 8));
        let outcome = groups(&problem, 4, seed);
        for m in &outcome.matches {
            for &[a, b] in &problem.exclusions {
                if a != b {
                    assert!(!(m.members.contains(&a) && m.members.contains(&b)));
                }
            }
        }
    }
}

#[test]
fn groups_beat_random_grouping_on_average_and_on_most_instances() {
    let mut rng = SplitMix64::new(45);
    let (mut wins, mut ours, mut random) = (0, 0i64, 0i64);
    let instances = 60;
    for seed in 0..instances {
        let n = 12 + rng.below(40) as usize;
        let problem = random_problem(&mut rng, &shape(n, 2));
        let outcome = groups(&problem, 2 + rng.below(4) as usize, seed);
        let baseline = random_grouping_score(&problem, &outcome, &mut rng);
        ours += outcome.total_score;
        random += baseline;
        if outcome.total_score > baseline {
            wins += 1;
        }
    }
    assert!(ours > random, "ours {ours} vs random {random}");
    assert!(wins * 10 >= instances * 9, "won {wins} of {instances}");
}
