//! Times each mode on large random instances and prints a Markdown table.
//!
//! `cargo bench -p peerlearn-matching --bench matching` (add `-- quick` for one run per case,
//! `-- complete` to also time PEER_PAIRS on the complete graph, which takes minutes).

#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::time::{Duration, Instant};

use peerlearn_matching::{
    Mode, Org, Params, PastMatch, Problem, SplitMix64, TopicRating, Weights, run,
};

const TOPICS: u32 = 30;

fn random_org(rng: &mut SplitMix64) -> Org {
    let mut ratings = Vec::new();
    for topic in 0..TOPICS {
        if rng.below(10) < 8 {
            let level = rng.below(4) as u8;
            ratings.push(TopicRating {
                topic,
                level,
                wants_help: rng.below(4) > u64::from(level),
            });
        }
    }
    Org {
        ratings,
        kind: Some(rng.below(5) as u32),
        utc_offset_minutes: Some((rng.below(24) as i32 - 11) * 60),
        champion_professions: (0..6u32).filter(|_| rng.below(4) == 0).collect(),
        mentor_capacity: 0,
    }
}

fn instance(seed: u64, orgs: usize, mentors: usize, capacity: u32) -> Problem {
    let mut rng = SplitMix64::new(seed);
    let mut list: Vec<Org> = (0..orgs).map(|_| random_org(&mut rng)).collect();
    for org in list.iter_mut().take(mentors) {
        org.mentor_capacity = capacity;
    }
    let n = orgs as u64;
    let exclusions = (0..orgs / 20)
        .map(|_| [rng.below(n) as usize, rng.below(n) as usize])
        .collect();
    let history = (0..orgs / 5)
        .map(|_| PastMatch {
            orgs: [rng.below(n) as usize, rng.below(n) as usize],
            rating: Some(1 + rng.below(5) as u8),
        })
        .collect();
    Problem {
        orgs: list,
        exclusions,
        history,
    }
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let runs = if quick { 1 } else { 5 };
    let mut cases: Vec<(&str, Problem, Mode)> = vec![
        (
            "MENTORING 10,000 mentees, 1,000 mentors x 12, k = 50",
            instance(1, 11_000, 1_000, 12),
            Mode::Mentoring {
                candidates_per_mentee: Some(50),
            },
        ),
        (
            "PEER_PAIRS 2,000 orgs, k = 20",
            instance(2, 2_000, 0, 0),
            Mode::PeerPairs {
                candidates_per_org: Some(20),
            },
        ),
    ];
    if std::env::args().any(|a| a == "complete") {
        cases.push((
            "PEER_PAIRS 2,000 orgs, complete graph",
            instance(2, 2_000, 0, 0),
            Mode::PeerPairs {
                candidates_per_org: None,
            },
        ));
    }
    cases.push((
        "GROUPS 10,000 orgs, size 5, top 3 needs, 10 passes",
        instance(3, 10_000, 0, 0),
        Mode::Groups {
            group_size: 5,
            top_needs: 3,
            seed: 7,
            max_passes: 10,
        },
    ));
    println!("| case | median | min | max | RSS before | peak RSS | matches | total score |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, problem, mode) in cases {
        let params = Params {
            weights: Weights::default(),
            mode,
        };
        let before = status_kib("VmRSS:").unwrap_or(0);
        reset_peak();
        let mut times: Vec<Duration> = Vec::new();
        let mut summary = (0, 0);
        for _ in 0..runs {
            let start = Instant::now();
            let outcome = run(&problem, &params).unwrap();
            times.push(start.elapsed());
            summary = (outcome.matches.len(), outcome.total_score);
        }
        let peak = status_kib("VmHWM:").unwrap_or(0);
        times.sort();
        println!(
            "| {name} | {:.3} s | {:.3} s | {:.3} s | {:.0} MiB | {:.0} MiB | {} | {} |",
            times[times.len() / 2].as_secs_f64(),
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64(),
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            summary.0,
            summary.1,
        );
    }
}
