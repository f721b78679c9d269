//! Contraction hierarchy (Geisberger et al. 2008) and bucket-based many-to-many queries
//! (Knopp et al. 2007).
//!
//! Preparation contracts nodes one by one in order of a lazily updated priority (edge
//! difference, deleted neighbours, level), adding a shortcut `u → x` whenever no witness
//! path shorter than `u → v → x` exists within a bounded local search. Queries then only
//! ever go "upwards": from each target a backward upward search fills buckets at the nodes
//! it settles; from each source a forward upward search scans those buckets. Both searches
//! use stall-on-demand. Results are exact: they equal Dijkstra's on the original graph.

use super::{Attachments, Graph, Labels, Matrix, UNREACHABLE};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const EAGER_NEIGHBOUR_UPDATE: bool = false;
/// Settled-node limit of the witness search when a node is actually contracted.
const WITNESS_SETTLE_LIMIT: usize = 100;
/// Cheaper limit used when only estimating a node's priority.
const SIMULATE_SETTLE_LIMIT: usize = 30;

/// A prepared contraction hierarchy over a [`Graph`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContractionHierarchy {
    /// Upward arcs `v → x` (rank x > rank v), used by forward searches.
    pub(super) up: Graph,
    /// Upward arcs of the reversed graph: at `v`, `(x, w)` for each arc `x → v` with
    /// rank x > rank v; used by backward searches.
    pub(super) down: Graph,
    /// Contraction rank of each node.
    rank: Vec<u32>,
}

struct Witness {
    labels: Labels,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Self {
        Witness {
            labels: Labels::new(n),
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    fn get(&self, v: u32) -> u64 {
        self.labels.get(v)
    }

    /// Bounded Dijkstra from `source` in the remaining graph, never passing `avoid`,
    /// stopping beyond `max_dist`, after `limit` settled nodes, or once all `targets`
    /// (nodes whose `target_mark` equals `mark`) are settled.
    #[allow(clippy::too_many_arguments)]
    fn search(
        &mut self,
        out: &[Vec<(u32, u64)>],
        source: u32,
        avoid: u32,
        max_dist: u64,
        limit: usize,
        mut targets_left: usize,
        is_target: impl Fn(u32) -> bool,
    ) {
        self.labels.clear();
        self.heap.clear();
        self.labels.set(source, 0);
        self.heap.push(Reverse((0, source)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.get(v) {
                continue;
            }
            if d > max_dist || settled >= limit {
                break;
            }
            settled += 1;
            if is_target(v) {
                targets_left -= 1;
                if targets_left == 0 {
                    break;
                }
            }
            for &(h, w) in &out[v as usize] {
                if h == avoid {
                    continue;
                }
                let nd = d.saturating_add(w);
                if nd < self.get(h) && nd <= max_dist {
                    self.labels.set(h, nd);
                    self.heap.push(Reverse((nd, h)));
                }
            }
        }
    }
}

/// The dynamic graph during contraction: remaining arcs out of and into every node.
struct Remaining {
    out: Vec<Vec<(u32, u64)>>,
    inn: Vec<Vec<(u32, u64)>>,
}

impl Remaining {
    fn add_or_improve(list: &mut Vec<(u32, u64)>, node: u32, w: u64) {
        if let Some(e) = list.iter_mut().find(|e| e.0 == node) {
            if w < e.1 {
                e.1 = w;
            }
        } else {
            list.push((node, w));
        }
    }

    /// Shortcuts `(u, x, w)` that contracting `v` needs; calls `found` for each.
    fn shortcuts(
        &self,
        v: u32,
        ws: &mut Witness,
        limit: usize,
        mut found: impl FnMut(u32, u32, u64),
    ) {
        let out_v = &self.out[v as usize];
        if out_v.is_empty() {
            return;
        }
        for &(u, wu) in &self.inn[v as usize] {
            let max_out = out_v
                .iter()
                .filter(|&&(x, _)| x != u)
                .map(|&(_, w)| w)
                .max();
            let Some(max_out) = max_out else { continue };
            let targets = out_v.iter().filter(|&&(x, _)| x != u).count();
            ws.search(
                &self.out,
                u,
                v,
                wu.saturating_add(max_out),
                limit,
                targets,
                |y| y != u && out_v.iter().any(|&(x, _)| x == y),
            );
            for &(x, wx) in out_v {
                if x == u {
                    continue;
                }
                let via = wu.saturating_add(wx);
                if ws.get(x) > via {
                    found(u, x, via);
                }
            }
        }
    }
}

fn priority(g: &Remaining, v: u32, ws: &mut Witness, deleted: u32, level: u32) -> i64 {
    let mut added = 0i64;
    g.shortcuts(v, ws, SIMULATE_SETTLE_LIMIT, |_, _, _| added += 1);
    let removed = (g.out[v as usize].len() + g.inn[v as usize].len()) as i64;
    2 * (added - removed) + deleted as i64 + level as i64
}

impl ContractionHierarchy {
    /// Contracts the whole graph. `progress` receives the number of nodes contracted since
    /// its last call. Deterministic: ties in priority are broken by node id.
    pub fn prepare(graph: &Graph, progress: &(dyn Fn(u64) + Sync)) -> Self {
        let n = graph.num_nodes();
        let mut rem = Remaining {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
        };
        for (t, h, w) in graph.all_arcs() {
            if t != h {
                Remaining::add_or_improve(&mut rem.out[t as usize], h, w);
                Remaining::add_or_improve(&mut rem.inn[h as usize], t, w);
            }
        }
        let mut deleted = vec![0u32; n];
        let mut level = vec![0u32; n];
        let mut contracted = vec![false; n];
        let mut current = {
            let rem_ref = &rem;
            (0..n as u32)
                .into_par_iter()
                .map_init(|| Witness::new(n), |ws, v| priority(rem_ref, v, ws, 0, 0))
                .collect::<Vec<i64>>()
        };
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = (0..n as u32)
            .map(|v| Reverse((current[v as usize], v)))
            .collect();
        let mut ws = Witness::new(n);
        let mut rank = vec![u32::MAX; n];
        let mut up_arcs: Vec<(u32, u32, u64)> = Vec::new();
        let mut down_arcs: Vec<(u32, u32, u64)> = Vec::new();
        let mut next_rank = 0u32;
        let mut shortcuts: Vec<(u32, u32, u64)> = Vec::new();
        let mut neighbours: Vec<u32> = Vec::new();
        let mut reported = 0u64;

        while let Some(Reverse((p, v))) = heap.pop() {
            if contracted[v as usize] || p != current[v as usize] {
                continue;
            }
            // Lazy update: the stored priority may be stale; re-evaluate before committing.
            let fresh = priority(&rem, v, &mut ws, deleted[v as usize], level[v as usize]);
            if let Some(&Reverse((next_p, _))) = heap.peek()
                && fresh > next_p
            {
                current[v as usize] = fresh;
                heap.push(Reverse((fresh, v)));
                continue;
            }
            shortcuts.clear();
            rem.shortcuts(v, &mut ws, WITNESS_SETTLE_LIMIT, |u, x, w| {
                shortcuts.push((u, x, w))
            });

            rank[v as usize] = next_rank;
            next_rank += 1;
            contracted[v as usize] = true;
            let out_v = std::mem::take(&mut rem.out[v as usize]);
            let in_v = std::mem::take(&mut rem.inn[v as usize]);
            neighbours.clear();
            for &(x, w) in &out_v {
                up_arcs.push((v, x, w));
                rem.inn[x as usize].retain(|e| e.0 != v);
                neighbours.push(x);
            }
            for &(u, w) in &in_v {
                down_arcs.push((v, u, w));
                rem.out[u as usize].retain(|e| e.0 != v);
                neighbours.push(u);
            }
            for &(u, x, w) in &shortcuts {
                Remaining::add_or_improve(&mut rem.out[u as usize], x, w);
                Remaining::add_or_improve(&mut rem.inn[x as usize], u, w);
            }
            neighbours.sort_unstable();
            neighbours.dedup();
            for &x in &neighbours {
                let xi = x as usize;
                deleted[xi] += 1;
                level[xi] = level[xi].max(level[v as usize] + 1);
                let p = if EAGER_NEIGHBOUR_UPDATE {
                    priority(&rem, x, &mut ws, deleted[xi], level[xi])
                } else {
                    current[xi] + 1
                };
                if p != current[xi] {
                    current[xi] = p;
                    heap.push(Reverse((p, x)));
                }
            }
            if next_rank as u64 - reported >= 1024 {
                progress(next_rank as u64 - reported);
                reported = next_rank as u64;
            }
        }
        progress(next_rank as u64 - reported);
        ContractionHierarchy {
            up: Graph::from_arcs(n, &up_arcs),
            down: Graph::from_arcs(n, &down_arcs),
            rank,
        }
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.rank.len()
    }

    /// Number of arcs in the hierarchy (original upward arcs plus shortcuts).
    pub fn num_arcs(&self) -> usize {
        self.up.num_arcs() + self.down.num_arcs()
    }

    /// Exact many-to-many packed distances from every source to every target.
    pub fn many_to_many(
        &self,
        sources: &[Attachments],
        targets: &[Attachments],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Matrix {
        let n = self.num_nodes();
        let m = targets.len();
        // Backward upward searches, one per target, in parallel.
        let spaces: Vec<Vec<(u32, u64)>> = targets
            .par_iter()
            .map_init(
                || Upward::new(n),
                |s, t| {
                    let r = s.search(&self.down, &self.up, t);
                    progress(1);
                    r
                },
            )
            .collect();
        // Buckets in CSR form: for each node, the (target, distance to target) pairs.
        let mut first = vec![0u32; n + 1];
        for space in &spaces {
            for &(v, _) in space {
                first[v as usize + 1] += 1;
            }
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let mut fill = first.clone();
        let total = first[n] as usize;
        let mut bucket = vec![(0u32, 0u64); total];
        for (t, space) in spaces.iter().enumerate() {
            for &(v, d) in space {
                bucket[fill[v as usize] as usize] = (t as u32, d);
                fill[v as usize] += 1;
            }
        }
        drop(spaces);
        let mut cells = vec![UNREACHABLE; sources.len() * m];
        if m > 0 {
            cells
                .par_chunks_mut(m)
                .zip(sources.par_iter())
                .for_each_init(
                    || Upward::new(n),
                    |s, (row, src)| {
                        let space = s.search(&self.up, &self.down, src);
                        for (v, d) in space {
                            let r = first[v as usize] as usize..first[v as usize + 1] as usize;
                            for &(t, dt) in &bucket[r] {
                                let cand = d.saturating_add(dt);
                                let cell = &mut row[t as usize];
                                if cand < *cell {
                                    *cell = cand;
                                }
                            }
                        }
                        progress(1);
                    },
                );
        }
        Matrix::from_cells(sources.len(), m, cells)
    }
}

/// Workspace of an upward search with stall-on-demand.
struct Upward {
    labels: Labels,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Upward {
    fn new(n: usize) -> Self {
        Upward {
            labels: Labels::new(n),
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    fn get(&self, v: u32) -> u64 {
        self.labels.get(v)
    }

    /// Searches `relax` arcs upwards from the attachments; `stall` holds the opposite
    /// direction's upward arcs used to prove a node's label is not shortest. Returns the
    /// settled, unstalled nodes with their distances.
    fn search(&mut self, relax: &Graph, stall: &Graph, start: &Attachments) -> Vec<(u32, u64)> {
        self.labels.clear();
        self.heap.clear();
        for &(v, d) in start {
            if d < self.get(v) {
                self.labels.set(v, d);
                self.heap.push(Reverse((d, v)));
            }
        }
        let mut settled = Vec::new();
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.get(v) {
                continue;
            }
            if stall
                .arcs(v)
                .any(|(x, w)| self.get(x).saturating_add(w) < d)
            {
                continue;
            }
            settled.push((v, d));
            for (x, w) in relax.arcs(v) {
                let nd = d.saturating_add(w);
                if nd < self.get(x) {
                    self.labels.set(x, nd);
                    self.heap.push(Reverse((nd, x)));
                }
            }
        }
        settled
    }
}

#[cfg(test)]
mod tests {
    use super::super::matrix_dijkstra;
    use super::*;

    /// A small pseudo-random strongly connected digraph.
    fn random_graph(n: u32, extra: u32, seed: u64) -> Graph {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut arcs = Vec::new();
        for v in 0..n {
            arcs.push((v, (v + 1) % n, 1 + next() % 1000));
        }
        for _ in 0..extra {
            let a = (next() % n as u64) as u32;
            let b = (next() % n as u64) as u32;
            arcs.push((a, b, 1 + next() % 1000));
        }
        Graph::from_arcs(n as usize, &arcs)
    }

    #[test]
    fn ch_equals_dijkstra_on_random_graphs() {
        for seed in 1..6u64 {
            let g = random_graph(300, 900, seed);
            let ch = ContractionHierarchy::prepare(&g, &|_| {});
            let pts: Vec<Attachments> = (0..40u32).map(|i| vec![(i * 7 % 300, i as u64)]).collect();
            let two: Vec<Attachments> = (0..40u32)
                .map(|i| vec![(i * 11 % 300, 3), ((i * 13 + 5) % 300, 1)])
                .collect();
            let a = ch.many_to_many(&pts, &two, &|_| {});
            let b = matrix_dijkstra(&g, &pts, &two, &|_| {});
            assert_eq!(a, b, "seed {seed}");
        }
    }
}
