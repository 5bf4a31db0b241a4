//! Matching engine for peer learning: explainable pair scores and three ways of matching
//! organizations (MENTORING, PEER_PAIRS, GROUPS). Pure, synchronous and deterministic; see
//! `docs/matching.md` for the score formula and the guarantees of each mode.

mod blossom;
mod candidates;
mod groups;
mod mentoring;
mod model;
mod pairs;
mod rng;
mod score;

pub use model::{
    Contribution, InvalidProblem, Match, Mode, Org, OrgIndex, Outcome, Params, PastMatch, Problem,
    Reason, TopicId, TopicRating, Unmatched, Weights,
};
pub use rng::SplitMix64;
pub use score::{Direction, GROUP_EXCLUSION_PENALTY, Scored, Scorer};

/// Runs the mode in `params` on `problem`.
pub fn run(problem: &Problem, params: &Params) -> Result<Outcome, InvalidProblem> {
    let scorer = Scorer::new(problem, &params.weights)?;
    Ok(match params.mode {
        Mode::Mentoring {
            candidates_per_mentee,
        } => mentoring::run(&scorer, candidates_per_mentee),
        Mode::PeerPairs { candidates_per_org } => pairs::run(&scorer, candidates_per_org),
        Mode::Groups {
            group_size,
            top_needs,
            seed,
            max_passes,
        } => {
            if group_size == 0 {
                return Err(InvalidProblem::GroupSizeZero);
            }
            groups::run(&scorer, group_size, top_needs, seed, max_passes)
        }
    })
}
