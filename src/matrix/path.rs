//! Shortest paths, not just their weights: a point-to-point query on the contraction
//! hierarchy that keeps parents, and the unpacking of its shortcuts into arcs of the
//! original graph.
//!
//! Shortcuts do not store the node they bypass. A shortcut `u → x` of weight `w` was added
//! when some node `v` ranked below both was contracted, and the arcs `u → v` and `v → x`
//! it replaced stay in the hierarchy (in `v`'s downward and upward lists), so the middle
//! is found again as a `v` below `u` with `w(u → v) + w(v → x) = w`. Any such `v` gives a
//! path of the same weight. Keeping the cache format unchanged is worth the small search.

use super::{Attachments, ContractionHierarchy, Graph, Labels};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One direction's search space with parents.
struct Side {
    labels: Labels,
    parent: Vec<(u32, u64)>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

const NONE: u32 = u32::MAX;

impl Side {
    fn new(n: usize) -> Self {
        Side {
            labels: Labels::new(n),
            parent: vec![(NONE, 0); n],
            heap: BinaryHeap::new(),
        }
    }

    fn get(&self, v: u32) -> u64 {
        self.labels.get(v)
    }

    fn set(&mut self, v: u32, d: u64, parent: (u32, u64)) {
        self.labels.set(v, d);
        self.parent[v as usize] = parent;
    }

    /// A full upward search over `relax` from the attachments; the nodes it reached.
    fn search(&mut self, relax: &Graph, start: &Attachments) -> Vec<u32> {
        self.labels.clear();
        self.heap.clear();
        for &(v, d) in start {
            if d < self.get(v) {
                self.set(v, d, (NONE, 0));
                self.heap.push(Reverse((d, v)));
            }
        }
        let mut reached = Vec::new();
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.get(v) {
                continue;
            }
            reached.push(v);
            for (x, w) in relax.arcs(v) {
                let nd = d.saturating_add(w);
                if nd < self.get(x) {
                    self.set(x, nd, (v, w));
                    self.heap.push(Reverse((nd, x)));
                }
            }
        }
        reached
    }
}

/// A reusable workspace for path queries on one hierarchy (one per thread).
pub struct PathSearch<'a> {
    ch: &'a ContractionHierarchy,
    graph: &'a Graph,
    /// At `u`: `(v, w)` for every hierarchy arc `u → v` with `v` ranked below `u`.
    lower_out: Graph,
    fwd: Side,
    bwd: Side,
}

impl<'a> PathSearch<'a> {
    /// A workspace for `ch`, prepared from `graph`.
    pub fn new(ch: &'a ContractionHierarchy, graph: &'a Graph) -> Self {
        let n = ch.num_nodes();
        PathSearch {
            ch,
            graph,
            lower_out: ch.down.reversed(),
            fwd: Side::new(n),
            bwd: Side::new(n),
        }
    }

    /// The shortest path from a source's attachments to a target's: the original graph's
    /// nodes in order (the first is one of the source's attachment nodes, the last one of
    /// the target's) with the packed weight including both attachments; `None` when
    /// unreachable.
    pub fn path(&mut self, source: &Attachments, target: &Attachments) -> Option<(Vec<u32>, u64)> {
        let reached = self.fwd.search(&self.ch.up, source);
        self.bwd.search(&self.ch.down, target);
        let mut best = (u64::MAX, NONE);
        for v in reached {
            let (a, b) = (self.fwd.get(v), self.bwd.get(v));
            if a != u64::MAX && b != u64::MAX && a.saturating_add(b) < best.0 {
                best = (a + b, v);
            }
        }
        if best.1 == NONE {
            return None;
        }
        // Hierarchy arcs up to the meeting node, then down from it.
        let mut arcs: Vec<(u32, u32, u64)> = Vec::new();
        let mut v = best.1;
        loop {
            let (p, w) = self.fwd.parent[v as usize];
            if p == NONE {
                break;
            }
            arcs.push((p, v, w));
            v = p;
        }
        let first = v;
        arcs.reverse();
        let mut v = best.1;
        loop {
            let (p, w) = self.bwd.parent[v as usize];
            if p == NONE {
                break;
            }
            arcs.push((v, p, w));
            v = p;
        }
        let mut nodes = vec![first];
        for (u, x, w) in arcs {
            self.unpack(u, x, w, &mut nodes);
        }
        Some((nodes, best.0))
    }

    /// Appends the original nodes after `u` on hierarchy arc `u → x` of weight `w`.
    fn unpack(&self, u: u32, x: u32, w: u64, out: &mut Vec<u32>) {
        let mut stack = vec![(u, x, w)];
        while let Some((a, b, w)) = stack.pop() {
            if self.graph.arcs(a).any(|(h, aw)| h == b && aw == w) {
                out.push(b);
                continue;
            }
            let middle = self.lower_out.arcs(a).find_map(|(m, w1)| {
                self.ch
                    .up
                    .arcs(m)
                    .find(|&(h, w2)| h == b && w1.checked_add(w2) == Some(w))
                    .map(|(_, w2)| (m, w1, w2))
            });
            match middle {
                Some((m, w1, w2)) => {
                    stack.push((m, b, w2));
                    stack.push((a, m, w1));
                }
                // Not reachable for a hierarchy built by `prepare`; keep the path whole.
                None => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::pack;

    /// A grid with one-way streets: every unpacked path is a chain of original arcs
    /// whose weights add up to the hierarchy's distance, and equals Dijkstra's.
    #[test]
    fn unpacked_paths_are_original_arcs_of_shortest_weight() {
        let (w, h) = (12u32, 9u32);
        let id = |x: u32, y: u32| y * w + x;
        let mut arcs = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let cost = |k: u32| pack(1000 + (k * 7919 % 500) as u64, 10 + (k % 13) as u64);
                if x + 1 < w {
                    arcs.push((id(x, y), id(x + 1, y), cost(id(x, y))));
                    if y % 3 != 1 {
                        arcs.push((id(x + 1, y), id(x, y), cost(id(x, y) + 1)));
                    }
                }
                if y + 1 < h {
                    arcs.push((id(x, y), id(x, y + 1), cost(id(x, y) + 2)));
                    arcs.push((id(x, y + 1), id(x, y), cost(id(x, y) + 3)));
                }
            }
        }
        let g = Graph::from_arcs((w * h) as usize, &arcs);
        let ch = ContractionHierarchy::prepare(&g, &|_| {});
        let mut ps = PathSearch::new(&ch, &g);
        for (s, t) in [
            (0, w * h - 1),
            (id(5, 1), id(0, 1)),
            (id(11, 8), id(3, 2)),
            (7, 7),
        ] {
            let (nodes, total) = ps.path(&vec![(s, 0)], &vec![(t, 0)]).unwrap();
            assert_eq!((nodes[0], *nodes.last().unwrap()), (s, t));
            let mut sum = 0u64;
            for pair in nodes.windows(2) {
                let arc = g
                    .arcs(pair[0])
                    .filter(|&(hd, _)| hd == pair[1])
                    .map(|(_, aw)| aw)
                    .min()
                    .expect("consecutive nodes are joined by an original arc");
                sum += arc;
            }
            assert_eq!(sum, total, "{s} → {t}");
            let mut d = crate::matrix::Dijkstra::new(g.num_nodes());
            d.run(&g, &[(s, 0)]);
            assert_eq!(d.dist(t), Some(total));
        }
    }
}
