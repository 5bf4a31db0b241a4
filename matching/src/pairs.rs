//! PEER_PAIRS: maximum-weight matching of the candidate graph.

use crate::blossom::max_weight_matching;
use crate::candidates;
use crate::model::{Match, Outcome, Unmatched};
use crate::score::{Direction, Scorer};

pub(crate) fn run(scorer: &Scorer<'_>, limit: Option<usize>) -> Outcome {
    let n = scorer.problem().orgs.len();
    let everyone: Vec<usize> = (0..n).collect();
    let candidates = candidates::generate(
        &scorer.profiles,
        scorer.weights(),
        &everyone,
        &everyone,
        Direction::Mutual,
        limit,
    );
    // Scores are symmetric, so an edge kept by either side has the same weight both ways.
    let mut edges: Vec<(usize, usize, i64)> = (0..n)
        .flat_map(|a| {
            candidates
                .of(a)
                .iter()
                .map(move |&(b, score)| (a.min(b as usize), a.max(b as usize), score))
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let mate = max_weight_matching(n, &edges);

    let mut outcome = Outcome {
        matches: Vec::new(),
        unmatched: Vec::new(),
        total_score: 0,
    };
    for (a, partner) in mate.iter().enumerate() {
        match partner.and_then(|b| scorer.pair(a, b, Direction::Mutual).map(|s| (b, s))) {
            Some((b, scored)) => {
                if a < b {
                    outcome.total_score += scored.score;
                    outcome.matches.push(Match {
                        members: vec![a, b],
                        score: scored.score,
                        explanation: scored.explanation,
                    });
                }
            }
            None => outcome.unmatched.push(Unmatched {
                org: a,
                reason: candidates.reason[a],
            }),
        }
    }
    outcome
}
