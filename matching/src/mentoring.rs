//! MENTORING: maximum total score with mentor capacities, as a min-cost flow solved by
//! successive shortest paths (Dijkstra with potentials, stopping as soon as the sink is settled,
//! and never pushing a node that is already farther than the best exit seen).
//!
//! Network: each mentee sends one unit either to a mentor (cost `-score`) or straight to the sink
//! (cost 0, "stays unmatched"); each mentor passes at most its capacity to the sink. Mentees are
//! added one at a time; a shortest augmenting path keeps the flow optimal for the mentees added
//! so far, so the final flow is a maximum-score assignment.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::candidates::{self, Candidates};
use crate::model::{Match, Outcome, Unmatched};
use crate::score::{Direction, Scorer};

const NONE: u32 = u32::MAX;

pub(crate) fn run(scorer: &Scorer<'_>, limit: Option<usize>) -> Outcome {
    let orgs = &scorer.problem().orgs;
    let mentees: Vec<usize> = (0..orgs.len())
        .filter(|&o| orgs[o].mentor_capacity == 0)
        .collect();
    let mentors: Vec<usize> = (0..orgs.len())
        .filter(|&o| orgs[o].mentor_capacity > 0)
        .collect();
    let capacity: Vec<u32> = mentors.iter().map(|&o| orgs[o].mentor_capacity).collect();
    let candidates = candidates::generate(
        &scorer.profiles,
        scorer.weights(),
        &mentees,
        &mentors,
        Direction::FirstLearns,
        limit,
    );
    let mentor_of = assign(&candidates, &capacity);

    let mut outcome = Outcome {
        matches: Vec::new(),
        unmatched: Vec::new(),
        total_score: 0,
    };
    for (i, &mentee) in mentees.iter().enumerate() {
        let Some(scored) = (mentor_of[i] != NONE)
            .then(|| mentors[mentor_of[i] as usize])
            .and_then(|mentor| {
                scorer
                    .pair(mentee, mentor, Direction::FirstLearns)
                    .map(|s| (mentor, s))
            })
        else {
            outcome.unmatched.push(Unmatched {
                org: mentee,
                reason: candidates.reason[i],
            });
            continue;
        };
        let (mentor, scored) = scored;
        outcome.total_score += scored.score;
        outcome.matches.push(Match {
            members: vec![mentee, mentor],
            score: scored.score,
            explanation: scored.explanation,
        });
    }
    outcome
}

/// Optimal mentor (column) of each mentee (row), or `NONE`.
fn assign(candidates: &Candidates, capacity: &[u32]) -> Vec<u32> {
    let rows = candidates.reason.len();
    let cols = capacity.len();
    let sink = rows + cols;
    let mut node = vec![Node::default(); sink + 1];
    for (c, &cap) in capacity.iter().enumerate() {
        node[rows + c].spare = cap;
    }
    let mut solver = Flow {
        candidates,
        mentor_of: vec![NONE; rows],
        matched_score: vec![0; rows],
        assigned: vec![Vec::new(); cols],
        node,
        round: 0,
        heap: BinaryHeap::new(),
        packed_heap: BinaryHeap::new(),
        packed: false,
        key_bits: (u32::BITS - ((sink + 1) as u32).leading_zeros()).max(1),
        best_exit: i64::MAX,
        settled_list: Vec::new(),
        rows,
        sink,
    };
    for row in 0..rows {
        if !candidates.of(row).is_empty() {
            solver.add_row(row);
        }
    }
    solver.mentor_of
}

/// Everything the search reads about one node, together so that a relaxation touches one cache
/// line instead of one per array.
#[derive(Clone, Copy, Default)]
struct Node {
    /// Node potential: reduced costs `cost + potential[from] - potential[to]` stay non-negative
    /// on residual edges.
    potential: i64,
    dist: i64,
    /// Round in which `dist` and `pred` were last set.
    visit: u32,
    /// Round in which the node was settled.
    settled: u32,
    pred: u32,
    /// Free slots of a mentor (0 for the other nodes).
    spare: u32,
}

struct Flow<'a> {
    candidates: &'a Candidates,
    mentor_of: Vec<u32>,
    matched_score: Vec<i64>,
    assigned: Vec<Vec<u32>>,
    /// Rows, then columns at `rows + c`, then the sink.
    node: Vec<Node>,
    round: u32,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    /// The same order as `heap` with `(distance, key)` packed into one `u64`, used when every
    /// distance of the search fits above the key bits (cheaper to compare and move).
    packed_heap: BinaryHeap<Reverse<u64>>,
    packed: bool,
    key_bits: u32,
    best_exit: i64,
    settled_list: Vec<u32>,
    rows: usize,
    sink: usize,
}

impl Flow<'_> {
    #[inline(always)]
    fn relax(&mut self, from: usize, to: usize, d: i64) {
        if d > self.best_exit {
            return;
        }
        let round = self.round;
        let sink_potential = self.node[self.sink].potential;
        let n = &mut self.node[to];
        if n.settled == round {
            return;
        }
        if to == self.sink {
            self.best_exit = d;
        } else if n.spare > 0 {
            self.best_exit = self.best_exit.min(d + n.potential - sink_potential);
        }
        if n.visit != round || d < n.dist {
            n.visit = round;
            n.dist = d;
            n.pred = from as u32;
            let key = self.heap_key(to);
            if self.packed {
                self.packed_heap
                    .push(Reverse(((d as u64) << self.key_bits) | u64::from(key)));
            } else {
                self.heap.push(Reverse((d, key)));
            }
        }
    }

    /// Heap order among equal distances: the sink first (ending the search on a plateau of
    /// ties at once), then mentors, then mentees.
    #[inline(always)]
    fn heap_key(&self, node: usize) -> u32 {
        if node == self.sink {
            0
        } else if node >= self.rows {
            (node - self.rows + 1) as u32
        } else {
            (self.sink - self.rows + 1 + node) as u32
        }
    }

    fn pop(&mut self) -> Option<(i64, u32)> {
        if self.packed {
            let Reverse(packed) = self.packed_heap.pop()?;
            let key = (packed & ((1 << self.key_bits) - 1)) as u32;
            Some(((packed >> self.key_bits) as i64, key))
        } else {
            self.heap.pop().map(|Reverse(entry)| entry)
        }
    }

    fn node_of_key(&self, key: u32) -> usize {
        let key = key as usize;
        let cols = self.sink - self.rows;
        if key == 0 {
            self.sink
        } else if key <= cols {
            self.rows + key - 1
        } else {
            key - cols - 1
        }
    }

    fn add_row(&mut self, row: usize) {
        self.round += 1;
        let rows = self.rows;
        let sink = self.sink;
        // A new row has no flow yet: give it the smallest potential that keeps its edges valid.
        let mut pot = self.node[sink].potential;
        for &(c, score) in self.candidates.of(row) {
            pot = pot.max(score + self.node[rows + c as usize].potential);
        }
        self.node[row].potential = pot;

        self.heap.clear();
        self.packed_heap.clear();
        // Every distance pushed is between 0 and the first exit, straight to the sink.
        let first_exit = pot - self.node[sink].potential;
        self.packed = first_exit >= 0 && first_exit < 1i64 << (63 - self.key_bits);
        self.settled_list.clear();
        self.best_exit = i64::MAX;
        self.relax(NONE as usize, row, 0);
        while let Some((d, key)) = self.pop() {
            let node = self.node_of_key(key);
            let n = &mut self.node[node];
            if n.settled == self.round || d > n.dist {
                continue;
            }
            n.settled = self.round;
            let (pu, spare) = (n.potential, n.spare);
            self.settled_list.push(node as u32);
            if node == sink {
                break;
            }
            let sink_potential = self.node[sink].potential;
            if node < rows {
                // Unmatched is always possible for a row that is matched or brand new.
                self.relax(node, sink, d + pu - sink_potential);
                let current = self.mentor_of[node];
                let candidates = self.candidates;
                for &(c, score) in candidates.of(node) {
                    // Scores come best first and prices are >= 0: no later edge can do better.
                    if d - score + pu > self.best_exit {
                        break;
                    }
                    if c != current {
                        let to = rows + c as usize;
                        let reduced = d - score + pu - self.node[to].potential;
                        self.relax(node, to, reduced);
                    }
                }
            } else {
                let c = node - rows;
                if spare > 0 {
                    self.relax(node, sink, d + pu - sink_potential);
                }
                for idx in 0..self.assigned[c].len() {
                    let r = self.assigned[c][idx] as usize;
                    let reduced = d + self.matched_score[r] + pu - self.node[r].potential;
                    self.relax(node, r, reduced);
                }
            }
        }

        let total = self.node[sink].dist;
        for &node in &self.settled_list {
            let n = &mut self.node[node as usize];
            n.potential += n.dist - total;
        }

        // Walk back from the sink, flipping the path.
        let mut node = sink;
        let mut prev = self.node[sink].pred as usize;
        if prev < rows {
            self.unassign(prev);
        }
        while prev != NONE as usize {
            if node != sink && node >= rows && prev < rows {
                let c = node - rows;
                let score = self
                    .candidates
                    .of(prev)
                    .iter()
                    .find(|e| e.0 as usize == c)
                    .map_or(0, |e| e.1);
                if self.mentor_of[prev] != NONE {
                    self.unassign(prev);
                }
                self.mentor_of[prev] = c as u32;
                self.matched_score[prev] = score;
                self.assigned[c].push(prev as u32);
                self.node[node].spare -= 1;
            }
            node = prev;
            prev = self.node[node].pred as usize;
        }
    }

    fn unassign(&mut self, row: usize) {
        let c = self.mentor_of[row];
        if c != NONE {
            let list = &mut self.assigned[c as usize];
            if let Some(pos) = list.iter().position(|&r| r as usize == row) {
                list.swap_remove(pos);
                self.node[self.rows + c as usize].spare += 1;
            }
            self.mentor_of[row] = NONE;
        }
    }
}
