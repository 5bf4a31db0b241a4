#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod common;

use common::{Shape, random_problem, rate};
use peerlearn_matching::{
    Contribution, Direction, InvalidProblem, Mode, Org, Params, PastMatch, Problem, Scorer,
    SplitMix64, Weights, run,
};

const NURSE: u32 = 1;
const EPIDEMIOLOGIST: u32 = 2;

/// The worked example of `docs/matching.md`.
fn worked_example() -> Problem {
    Problem {
        orgs: vec![
            Org {
                ratings: vec![rate(7, 0, true), rate(8, 3, false)],
                kind: Some(1),
                utc_offset_minutes: Some(0),
                champion_professions: vec![NURSE],
                mentor_capacity: 0,
            },
            Org {
                ratings: vec![rate(7, 3, false), rate(8, 1, true)],
                kind: Some(1),
                utc_offset_minutes: Some(180),
                champion_professions: vec![NURSE, EPIDEMIOLOGIST],
                mentor_capacity: 0,
            },
        ],
        exclusions: vec![],
        history: vec![PastMatch {
            orgs: [0, 1],
            rating: Some(2),
        }],
    }
}

#[test]
fn worked_example_scores_as_documented() {
    let problem = worked_example();
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    let scored = scorer.pair(0, 1, Direction::Mutual).unwrap();
    assert_eq!(
        scored.explanation,
        vec![
            Contribution::Topic {
                topic: 7,
                learner: 0,
                helper: 1,
                need: 4,
                expertise: 2,
                points: 800
            },
            Contribution::Topic {
                topic: 8,
                learner: 1,
                helper: 0,
                need: 3,
                expertise: 2,
                points: 600
            },
            Contribution::SameKind {
                orgs: [0, 1],
                kind: 1,
                points: 50
            },
            Contribution::TimeZone {
                orgs: [0, 1],
                hours_apart: 3,
                points: -30
            },
            Contribution::Profession {
                orgs: [0, 1],
                profession: NURSE,
                points: 40
            },
            Contribution::History {
                orgs: [0, 1],
                times_matched: 1,
                lowest_rating: Some(2),
                points: -450
            },
        ]
    );
    assert_eq!(scored.score, 1010);
}

#[test]
fn mentoring_direction_counts_only_what_the_mentee_learns() {
    let problem = worked_example();
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    let scored = scorer.pair(0, 1, Direction::FirstLearns).unwrap();
    assert_eq!(scored.score, 1010 - 600);
}

#[test]
fn explanation_points_always_add_up_to_the_score() {
    let mut rng = SplitMix64::new(31);
    for _ in 0..30 {
        let shape = Shape {
            orgs: 12,
            mentors: 0,
            max_capacity: 1,
            topics: 6,
            exclusions: 3,
            history: 6,
        };
        let problem = random_problem(&mut rng, &shape);
        let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
        for a in 0..12 {
            for b in 0..12 {
                for direction in [Direction::Mutual, Direction::FirstLearns] {
                    if let Some(s) = scorer.pair(a, b, direction) {
                        let sum: i64 = s.explanation.iter().map(Contribution::points).sum();
                        assert_eq!(sum, s.score);
                    }
                }
            }
        }
        let group = scorer.group(&[0, 3, 5, 7], 3).unwrap();
        let sum: i64 = group.explanation.iter().map(Contribution::points).sum();
        assert_eq!(sum, group.score);
    }
}

#[test]
fn mutual_scores_are_symmetric() {
    let mut rng = SplitMix64::new(32);
    let shape = Shape {
        orgs: 15,
        mentors: 0,
        max_capacity: 1,
        topics: 8,
        exclusions: 3,
        history: 6,
    };
    let problem = random_problem(&mut rng, &shape);
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    for a in 0..15 {
        for b in 0..15 {
            let ab = scorer.pair(a, b, Direction::Mutual).map(|s| s.score);
            let ba = scorer.pair(b, a, Direction::Mutual).map(|s| s.score);
            assert_eq!(ab, ba);
        }
    }
}

#[test]
fn an_org_never_scores_with_itself() {
    let problem = worked_example();
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    assert!(scorer.pair(0, 0, Direction::Mutual).is_none());
    assert!(scorer.pair(1, 1, Direction::FirstLearns).is_none());
}

#[test]
fn excluded_pairs_have_no_score_in_either_order() {
    let mut problem = worked_example();
    problem.exclusions.push([1, 0]);
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    assert!(scorer.pair(0, 1, Direction::Mutual).is_none());
    assert!(scorer.pair(1, 0, Direction::Mutual).is_none());
}

#[test]
fn context_alone_never_makes_a_pair_worth_matching() {
    let mut problem = worked_example();
    problem.orgs[0].ratings = vec![rate(7, 3, false)];
    problem.orgs[1].ratings = vec![rate(8, 3, false)];
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    let scored = scorer.pair(0, 1, Direction::Mutual).unwrap();
    assert_eq!(scored.score, 0);
    assert!(scored.explanation.is_empty());
}

#[test]
fn an_expert_does_not_help_someone_at_the_same_level() {
    let mut problem = worked_example();
    problem.orgs[0].ratings = vec![rate(7, 3, true)];
    problem.orgs[1].ratings = vec![rate(7, 3, false)];
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    assert_eq!(scorer.pair(0, 1, Direction::Mutual).unwrap().score, 0);
}

#[test]
fn champions_of_the_same_profession_earn_one_term_per_profession() {
    let mut problem = worked_example();
    problem.orgs[0].champion_professions = vec![EPIDEMIOLOGIST, NURSE];
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    let shared: Vec<u32> = scorer
        .pair(0, 1, Direction::Mutual)
        .unwrap()
        .explanation
        .iter()
        .filter_map(|c| match c {
            Contribution::Profession { profession, .. } => Some(*profession),
            _ => None,
        })
        .collect();
    assert_eq!(shared, vec![NURSE, EPIDEMIOLOGIST]);
}

#[test]
fn time_zones_are_compared_around_the_clock() {
    let mut problem = worked_example();
    problem.orgs[0].utc_offset_minutes = Some(-11 * 60);
    problem.orgs[1].utc_offset_minutes = Some(12 * 60);
    let scorer = Scorer::new(&problem, &Weights::default()).unwrap();
    let hours = scorer
        .pair(0, 1, Direction::Mutual)
        .unwrap()
        .explanation
        .iter()
        .find_map(|c| match c {
            Contribution::TimeZone { hours_apart, .. } => Some(*hours_apart),
            _ => None,
        });
    assert_eq!(hours, Some(1));
}

#[test]
fn repeated_and_poorly_rated_pairs_lose_points() {
    let mut problem = worked_example();
    problem.history = vec![];
    let fresh = Scorer::new(&problem, &Weights::default())
        .unwrap()
        .pair(0, 1, Direction::Mutual)
        .unwrap()
        .score;
    problem.history = vec![PastMatch {
        orgs: [1, 0],
        rating: Some(5),
    }];
    let repeated = Scorer::new(&problem, &Weights::default())
        .unwrap()
        .pair(0, 1, Direction::Mutual)
        .unwrap()
        .score;
    problem.history.push(PastMatch {
        orgs: [0, 1],
        rating: Some(1),
    });
    let poorly_rated = Scorer::new(&problem, &Weights::default())
        .unwrap()
        .pair(0, 1, Direction::Mutual)
        .unwrap()
        .score;
    assert_eq!(fresh - repeated, 150);
    assert_eq!(repeated - poorly_rated, 150 + 300);
}

#[test]
fn inconsistent_problems_are_refused() {
    let params = Params {
        weights: Weights::default(),
        mode: Mode::PeerPairs {
            candidates_per_org: None,
        },
    };
    let mut problem = worked_example();
    problem.exclusions.push([0, 5]);
    assert_eq!(
        run(&problem, &params),
        Err(InvalidProblem::OrgOutOfRange { index: 5 })
    );
    let mut problem = worked_example();
    problem.orgs[0].ratings.push(rate(7, 1, false));
    assert_eq!(
        run(&problem, &params),
        Err(InvalidProblem::DuplicateTopic { org: 0, topic: 7 })
    );
    let mut problem = worked_example();
    problem.orgs[1].ratings[0].level = 4;
    assert!(matches!(
        run(&problem, &params),
        Err(InvalidProblem::LevelOutOfRange { level: 4, .. })
    ));
    let mut problem = worked_example();
    problem.history[0].rating = Some(0);
    assert_eq!(
        run(&problem, &params),
        Err(InvalidProblem::RatingOutOfRange { rating: 0 })
    );
}

#[test]
fn engine_inputs_and_outputs_can_move_to_a_blocking_thread() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<Problem>();
    assert_send::<Params>();
    assert_send::<peerlearn_matching::Outcome>();
    assert_send::<InvalidProblem>();
}
