//! Maximum-weight matching in a general graph: Edmonds' blossom algorithm with the O(n^3)
//! bookkeeping of Galil (least-slack edge per vertex and per blossom), all in integers.
//!
//! Vertices are `0..n`, non-trivial blossoms `n..2n`. An "end" `p` names one side of edge
//! `p / 2`: end `2k` is its first vertex, `2k + 1` its second, and `p ^ 1` is the opposite side.
//! Dual variables are stored doubled so that every update stays integral: the slack of an edge
//! between two top-level blossoms is `dual[i] + dual[j] - 2w`; labelled vertices always share
//! one parity, so the slack of an edge between two S-blossoms is even and halving it is exact.

const NONE: usize = usize::MAX;
const FREE: u8 = 0;
const S: u8 = 1;
const T: u8 = 2;
const BREADCRUMB: u8 = 4;

struct Solver<'a> {
    n: usize,
    edges: &'a [(usize, usize, i64)],
    ends_at: Vec<Vec<usize>>,
    mate: Vec<usize>,
    label: Vec<u8>,
    label_end: Vec<usize>,
    in_blossom: Vec<usize>,
    parent: Vec<usize>,
    children: Vec<Vec<usize>>,
    child_ends: Vec<Vec<usize>>,
    base: Vec<usize>,
    best_edge: Vec<usize>,
    best_edges: Vec<Option<Vec<usize>>>,
    free_blossoms: Vec<usize>,
    dual: Vec<i64>,
    tight: Vec<bool>,
    queue: Vec<usize>,
    scratch: Vec<usize>,
}

/// Maximum-weight matching of a graph on `n` vertices. Edges with weight <= 0 are ignored, as
/// are self loops; parallel edges are allowed. Returns the partner of each vertex.
pub(crate) fn max_weight_matching(n: usize, edges: &[(usize, usize, i64)]) -> Vec<Option<usize>> {
    let edges: Vec<(usize, usize, i64)> = edges
        .iter()
        .copied()
        .filter(|&(a, b, w)| w > 0 && a != b && a < n && b < n)
        .collect();
    if edges.is_empty() {
        return vec![None; n];
    }
    let mut solver = Solver::new(n, &edges);
    solver.solve();
    solver
        .mate
        .iter()
        .map(|&p| (p != NONE).then(|| solver.end_vertex(p)))
        .collect()
}

impl<'a> Solver<'a> {
    fn new(n: usize, edges: &'a [(usize, usize, i64)]) -> Self {
        let mut ends_at = vec![Vec::new(); n];
        for (k, &(a, b, _)) in edges.iter().enumerate() {
            ends_at[a].push(2 * k + 1);
            ends_at[b].push(2 * k);
        }
        let max_weight = edges.iter().map(|e| e.2).max().unwrap_or(0);
        let mut dual = vec![max_weight; n];
        dual.resize(2 * n, 0);
        Self {
            n,
            edges,
            ends_at,
            mate: vec![NONE; n],
            label: vec![FREE; 2 * n],
            label_end: vec![NONE; 2 * n],
            in_blossom: (0..n).collect(),
            parent: vec![NONE; 2 * n],
            children: vec![Vec::new(); 2 * n],
            child_ends: vec![Vec::new(); 2 * n],
            base: (0..n).chain(std::iter::repeat_n(NONE, n)).collect(),
            best_edge: vec![NONE; 2 * n],
            best_edges: vec![None; 2 * n],
            free_blossoms: (n..2 * n).rev().collect(),
            dual,
            tight: vec![false; edges.len()],
            queue: Vec::new(),
            scratch: vec![NONE; 2 * n],
        }
    }

    fn end_vertex(&self, p: usize) -> usize {
        let e = self.edges[p / 2];
        if p & 1 == 0 { e.0 } else { e.1 }
    }

    fn slack(&self, k: usize) -> i64 {
        let (a, b, w) = self.edges[k];
        self.dual[a] + self.dual[b] - 2 * w
    }

    fn leaves(&self, b: usize, out: &mut Vec<usize>) {
        if b < self.n {
            out.push(b);
        } else {
            for &c in &self.children[b] {
                self.leaves(c, out);
            }
        }
    }

    fn leaves_of(&self, b: usize) -> Vec<usize> {
        let mut out = Vec::new();
        self.leaves(b, &mut out);
        out
    }

    fn assign_label(&mut self, w: usize, label: u8, p: usize) {
        let b = self.in_blossom[w];
        self.label[w] = label;
        self.label[b] = label;
        self.label_end[w] = p;
        self.label_end[b] = p;
        self.best_edge[w] = NONE;
        self.best_edge[b] = NONE;
        if label == S {
            let mut leaves = std::mem::take(&mut self.queue);
            self.leaves(b, &mut leaves);
            self.queue = leaves;
        } else {
            let mate_end = self.mate[self.base[b]];
            self.assign_label(self.end_vertex(mate_end), S, mate_end ^ 1);
        }
    }

    /// Walks up the trees from `v` and `w`; returns the base of the new blossom if both reach a
    /// common blossom, or `NONE` when they reach two different roots (an augmenting path).
    fn scan_blossom(&mut self, mut v: usize, mut w: usize) -> usize {
        let mut path = Vec::new();
        let mut found = NONE;
        while v != NONE {
            let b = self.in_blossom[v];
            if self.label[b] & BREADCRUMB != 0 {
                found = self.base[b];
                break;
            }
            path.push(b);
            self.label[b] = S | BREADCRUMB;
            if self.label_end[b] == NONE {
                v = NONE;
            } else {
                let t = self.in_blossom[self.end_vertex(self.label_end[b])];
                v = self.end_vertex(self.label_end[t]);
            }
            if w != NONE {
                std::mem::swap(&mut v, &mut w);
            }
        }
        for b in path {
            self.label[b] = S;
        }
        found
    }

    fn add_blossom(&mut self, base: usize, k: usize) {
        let (mut v, mut w, _) = self.edges[k];
        let bb = self.in_blossom[base];
        let mut bv = self.in_blossom[v];
        let mut bw = self.in_blossom[w];
        let Some(b) = self.free_blossoms.pop() else {
            return;
        };
        self.base[b] = base;
        self.parent[b] = NONE;
        self.parent[bb] = b;
        let mut path = Vec::new();
        let mut ends = Vec::new();
        while bv != bb {
            self.parent[bv] = b;
            path.push(bv);
            ends.push(self.label_end[bv]);
            v = self.end_vertex(self.label_end[bv]);
            bv = self.in_blossom[v];
        }
        path.push(bb);
        path.reverse();
        ends.reverse();
        ends.push(2 * k);
        while bw != bb {
            self.parent[bw] = b;
            path.push(bw);
            ends.push(self.label_end[bw] ^ 1);
            w = self.end_vertex(self.label_end[bw]);
            bw = self.in_blossom[w];
        }
        self.label[b] = S;
        self.label_end[b] = self.label_end[bb];
        self.dual[b] = 0;
        self.children[b] = path.clone();
        self.child_ends[b] = ends;
        for leaf in self.leaves_of(b) {
            if self.label[self.in_blossom[leaf]] == T {
                self.queue.push(leaf);
            }
            self.in_blossom[leaf] = b;
        }

        // Least-slack edge from the new blossom to every other S-blossom.
        let mut touched = Vec::new();
        for &sub in &path {
            let candidates: Vec<usize> = match self.best_edges[sub].take() {
                Some(list) => list,
                None => self
                    .leaves_of(sub)
                    .iter()
                    .flat_map(|&leaf| self.ends_at[leaf].iter().map(|p| p / 2))
                    .collect(),
            };
            for k in candidates {
                let (i, j, _) = self.edges[k];
                let outside = if self.in_blossom[j] == b { i } else { j };
                let bj = self.in_blossom[outside];
                if bj != b && self.label[bj] == S {
                    let current = self.scratch[bj];
                    if current == NONE {
                        touched.push(bj);
                        self.scratch[bj] = k;
                    } else if self.slack(k) < self.slack(current) {
                        self.scratch[bj] = k;
                    }
                }
            }
            self.best_edge[sub] = NONE;
        }
        touched.sort_unstable();
        let list: Vec<usize> = touched
            .iter()
            .map(|&bj| std::mem::replace(&mut self.scratch[bj], NONE))
            .collect();
        self.best_edge[b] = list
            .iter()
            .copied()
            .min_by_key(|&k| (self.slack(k), k))
            .unwrap_or(NONE);
        self.best_edges[b] = Some(list);
    }

    fn expand_blossom(&mut self, b: usize, end_of_stage: bool) {
        let children = self.children[b].clone();
        for &s in &children {
            self.parent[s] = NONE;
            if s < self.n {
                self.in_blossom[s] = s;
            } else if end_of_stage && self.dual[s] == 0 {
                self.expand_blossom(s, end_of_stage);
            } else {
                for leaf in self.leaves_of(s) {
                    self.in_blossom[leaf] = s;
                }
            }
        }
        if !end_of_stage && self.label[b] == T {
            // Relabel the even-length path of sub-blossoms from the entry child to the base.
            let len = children.len() as isize;
            let at = |j: isize| j.rem_euclid(len) as usize;
            let entry = self.in_blossom[self.end_vertex(self.label_end[b] ^ 1)];
            let mut j = children.iter().position(|&c| c == entry).unwrap_or(0) as isize;
            let (step, trick) = if j % 2 == 1 {
                j -= len;
                (1isize, 0usize)
            } else {
                (-1isize, 1usize)
            };
            let ends = self.child_ends[b].clone();
            let mut p = self.label_end[b];
            while j != 0 {
                let v = self.end_vertex(p ^ 1);
                self.label[v] = FREE;
                let q = ends[at(j - trick as isize)] ^ trick ^ 1;
                let u = self.end_vertex(q);
                self.label[u] = FREE;
                self.assign_label(v, T, p);
                self.tight[ends[at(j - trick as isize)] / 2] = true;
                j += step;
                p = ends[at(j - trick as isize)] ^ trick;
                self.tight[p / 2] = true;
                j += step;
            }
            let bv = children[at(j)];
            let v = self.end_vertex(p ^ 1);
            self.label[v] = T;
            self.label[bv] = T;
            self.label_end[v] = p;
            self.label_end[bv] = p;
            self.best_edge[bv] = NONE;
            j += step;
            while children[at(j)] != entry {
                let bv = children[at(j)];
                if self.label[bv] == S {
                    j += step;
                    continue;
                }
                let labelled = self
                    .leaves_of(bv)
                    .into_iter()
                    .find(|&leaf| self.label[leaf] != FREE);
                if let Some(v) = labelled {
                    self.label[v] = FREE;
                    let mate_vertex = self.end_vertex(self.mate[self.base[bv]]);
                    self.label[mate_vertex] = FREE;
                    self.assign_label(v, T, self.label_end[v]);
                }
                j += step;
            }
        }
        self.label[b] = FREE;
        self.label_end[b] = NONE;
        self.children[b].clear();
        self.child_ends[b].clear();
        self.base[b] = NONE;
        self.best_edges[b] = None;
        self.best_edge[b] = NONE;
        self.free_blossoms.push(b);
    }

    /// Swaps matched and unmatched edges inside blossom `b` so that vertex `v` becomes its base.
    fn augment_blossom(&mut self, b: usize, v: usize) {
        let mut t = v;
        while self.parent[t] != b {
            t = self.parent[t];
        }
        if t >= self.n {
            self.augment_blossom(t, v);
        }
        let len = self.children[b].len() as isize;
        let at = |j: isize| j.rem_euclid(len) as usize;
        let i = self.children[b].iter().position(|&c| c == t).unwrap_or(0);
        let mut j = i as isize;
        let (step, trick) = if j % 2 == 1 {
            j -= len;
            (1isize, 0usize)
        } else {
            (-1isize, 1usize)
        };
        while j != 0 {
            j += step;
            let t = self.children[b][at(j)];
            let p = self.child_ends[b][at(j - trick as isize)] ^ trick;
            if t >= self.n {
                self.augment_blossom(t, self.end_vertex(p));
            }
            j += step;
            let t = self.children[b][at(j)];
            if t >= self.n {
                self.augment_blossom(t, self.end_vertex(p ^ 1));
            }
            let (x, y) = (self.end_vertex(p), self.end_vertex(p ^ 1));
            self.mate[x] = p ^ 1;
            self.mate[y] = p;
        }
        self.children[b].rotate_left(i);
        self.child_ends[b].rotate_left(i);
        self.base[b] = self.base[self.children[b][0]];
    }

    fn augment_matching(&mut self, k: usize) {
        let (v, w, _) = self.edges[k];
        for (mut s, mut p) in [(v, 2 * k + 1), (w, 2 * k)] {
            loop {
                let bs = self.in_blossom[s];
                if bs >= self.n {
                    self.augment_blossom(bs, s);
                }
                self.mate[s] = p;
                if self.label_end[bs] == NONE {
                    break;
                }
                let t = self.end_vertex(self.label_end[bs]);
                let bt = self.in_blossom[t];
                s = self.end_vertex(self.label_end[bt]);
                let j = self.end_vertex(self.label_end[bt] ^ 1);
                if bt >= self.n {
                    self.augment_blossom(bt, j);
                }
                self.mate[j] = self.label_end[bt];
                p = self.label_end[bt] ^ 1;
            }
        }
    }

    fn top_level_blossoms(&self) -> impl Iterator<Item = usize> + '_ {
        (self.n..2 * self.n).filter(|&b| self.base[b] != NONE && self.parent[b] == NONE)
    }

    fn solve(&mut self) {
        let n = self.n;
        for _stage in 0..n {
            self.label.fill(FREE);
            self.best_edge.fill(NONE);
            for list in &mut self.best_edges[n..] {
                *list = None;
            }
            self.tight.fill(false);
            self.queue.clear();
            for v in 0..n {
                if self.mate[v] == NONE && self.label[self.in_blossom[v]] == FREE {
                    self.assign_label(v, S, NONE);
                }
            }
            if !self.run_stage() {
                break;
            }
            let spent: Vec<usize> = self
                .top_level_blossoms()
                .filter(|&b| self.label[b] == S && self.dual[b] == 0)
                .collect();
            for b in spent {
                if self.base[b] != NONE && self.parent[b] == NONE {
                    self.expand_blossom(b, true);
                }
            }
        }
    }

    /// Grows the alternating forest until it augments the matching (true) or the duals prove
    /// the matching optimal (false).
    fn run_stage(&mut self) -> bool {
        loop {
            while let Some(v) = self.queue.pop() {
                for idx in 0..self.ends_at[v].len() {
                    let p = self.ends_at[v][idx];
                    let k = p / 2;
                    let w = self.end_vertex(p);
                    if self.in_blossom[v] == self.in_blossom[w] {
                        continue;
                    }
                    let mut slack = 0;
                    if !self.tight[k] {
                        slack = self.slack(k);
                        if slack <= 0 {
                            self.tight[k] = true;
                        }
                    }
                    let bw = self.in_blossom[w];
                    if self.tight[k] {
                        if self.label[bw] == FREE {
                            self.assign_label(w, T, p ^ 1);
                        } else if self.label[bw] == S {
                            let base = self.scan_blossom(v, w);
                            if base == NONE {
                                self.augment_matching(k);
                                return true;
                            }
                            self.add_blossom(base, k);
                        } else if self.label[w] == FREE {
                            self.label[w] = T;
                            self.label_end[w] = p ^ 1;
                        }
                    } else if self.label[bw] == S {
                        let bv = self.in_blossom[v];
                        if self.best_edge[bv] == NONE || slack < self.slack(self.best_edge[bv]) {
                            self.best_edge[bv] = k;
                        }
                    } else if self.label[w] == FREE
                        && (self.best_edge[w] == NONE || slack < self.slack(self.best_edge[w]))
                    {
                        self.best_edge[w] = k;
                    }
                }
            }

            // No tight edge left to follow: change the duals by the largest safe amount.
            let mut delta = self.dual[..self.n].iter().copied().min().unwrap_or(0);
            let mut action = Action::Optimal;
            for v in 0..self.n {
                let e = self.best_edge[v];
                if self.label[self.in_blossom[v]] == FREE && e != NONE {
                    let d = self.slack(e);
                    if d < delta {
                        delta = d;
                        action = Action::TightenToFree(e);
                    }
                }
            }
            for b in 0..2 * self.n {
                let e = self.best_edge[b];
                if self.parent[b] == NONE && self.label[b] == S && e != NONE {
                    if b >= self.n && self.base[b] == NONE {
                        continue;
                    }
                    let d = self.slack(e) / 2;
                    if d < delta {
                        delta = d;
                        action = Action::TightenBetweenS(e);
                    }
                }
            }
            for b in self.n..2 * self.n {
                if self.base[b] != NONE
                    && self.parent[b] == NONE
                    && self.label[b] == T
                    && self.dual[b] < delta
                {
                    delta = self.dual[b];
                    action = Action::Expand(b);
                }
            }

            for v in 0..self.n {
                match self.label[self.in_blossom[v]] {
                    S => self.dual[v] -= delta,
                    T => self.dual[v] += delta,
                    _ => {}
                }
            }
            for b in self.n..2 * self.n {
                if self.base[b] != NONE && self.parent[b] == NONE {
                    match self.label[b] {
                        S => self.dual[b] += delta,
                        T => self.dual[b] -= delta,
                        _ => {}
                    }
                }
            }

            match action {
                Action::Optimal => return false,
                Action::TightenToFree(k) => {
                    self.tight[k] = true;
                    let (i, j, _) = self.edges[k];
                    let s_side = if self.label[self.in_blossom[i]] == FREE {
                        j
                    } else {
                        i
                    };
                    self.queue.push(s_side);
                }
                Action::TightenBetweenS(k) => {
                    self.tight[k] = true;
                    self.queue.push(self.edges[k].0);
                }
                Action::Expand(b) => self.expand_blossom(b, false),
            }
        }
    }
}

enum Action {
    Optimal,
    TightenToFree(usize),
    TightenBetweenS(usize),
    Expand(usize),
}

#[cfg(test)]
mod tests {
    use super::max_weight_matching;
    use crate::rng::SplitMix64;

    fn brute_force(n: usize, edges: &[(usize, usize, i64)]) -> i64 {
        let mut w = vec![vec![i64::MIN; n]; n];
        for &(a, b, x) in edges {
            if x > 0 && a != b {
                w[a][b] = w[a][b].max(x);
                w[b][a] = w[a][b];
            }
        }
        let mut best = vec![0i64; 1 << n];
        for mask in 1usize..1 << n {
            let i = mask.trailing_zeros() as usize;
            let rest = mask & !(1 << i);
            let mut value = best[rest];
            for j in 0..n {
                if rest & (1 << j) != 0 && w[i][j] > 0 {
                    value = value.max(w[i][j] + best[rest & !(1 << j)]);
                }
            }
            best[mask] = value;
        }
        best[(1 << n) - 1]
    }

    fn total(edges: &[(usize, usize, i64)], mate: &[Option<usize>]) -> i64 {
        let mut sum = 0;
        for (v, m) in mate.iter().enumerate() {
            if let Some(u) = *m {
                assert_eq!(mate[u], Some(v), "matching is symmetric");
                if v < u {
                    sum += edges
                        .iter()
                        .filter(|e| (e.0 == v && e.1 == u) || (e.0 == u && e.1 == v))
                        .map(|e| e.2)
                        .max()
                        .unwrap_or(i64::MIN);
                }
            }
        }
        sum
    }

    #[test]
    fn blossom_matches_exhaustive_search_on_random_graphs() {
        let mut rng = SplitMix64::new(7);
        for case in 0..1500 {
            let n = 1 + rng.below(12) as usize;
            let density = 1 + rng.below(10);
            let max_w = [3, 10, 1000][case % 3];
            let mut edges = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    if rng.below(10) < density {
                        let w = rng.below(max_w) as i64 - (max_w as i64) / 5;
                        edges.push(if rng.below(2) == 0 {
                            (a, b, w)
                        } else {
                            (b, a, w)
                        });
                    }
                }
            }
            let mate = max_weight_matching(n, &edges);
            assert_eq!(
                total(&edges, &mate),
                brute_force(n, &edges),
                "case {case}: n={n} edges={edges:?}"
            );
        }
    }

    #[test]
    fn blossom_handles_nested_odd_cycles() {
        let edges = [
            (0, 1, 10),
            (1, 2, 10),
            (2, 0, 10),
            (2, 3, 9),
            (3, 4, 10),
            (4, 5, 10),
            (5, 3, 10),
            (5, 6, 4),
            (0, 7, 3),
        ];
        let mate = max_weight_matching(8, &edges);
        assert_eq!(total(&edges, &mate), brute_force(8, &edges));
    }
}
