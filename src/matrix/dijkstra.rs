//! One-to-many Dijkstra with a reusable, allocation-free workspace.

use super::Graph;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Reusable Dijkstra state; distances are reset lazily with a generation stamp so a run
/// costs only what it touches.
pub struct Dijkstra {
    dist: Vec<u64>,
    stamp: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Dijkstra {
    /// A workspace for graphs of up to `num_nodes` nodes.
    pub fn new(num_nodes: usize) -> Self {
        Dijkstra {
            dist: vec![u64::MAX; num_nodes],
            stamp: vec![0; num_nodes],
            generation: 0,
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.heap.clear();
    }

    /// Shortest packed distance to `v` found by the last run, if reached.
    #[inline]
    pub fn dist(&self, v: u32) -> Option<u64> {
        (self.stamp[v as usize] == self.generation).then(|| self.dist[v as usize])
    }

    #[inline]
    fn improve(&mut self, v: u32, d: u64) -> bool {
        let i = v as usize;
        if self.stamp[i] != self.generation || d < self.dist[i] {
            self.stamp[i] = self.generation;
            self.dist[i] = d;
            self.heap.push(Reverse((d, v)));
            true
        } else {
            false
        }
    }

    /// Runs a complete search from the given sources (node, initial packed distance).
    pub fn run(&mut self, graph: &Graph, sources: &[(u32, u64)]) {
        self.reset();
        for &(v, d) in sources {
            self.improve(v, d);
        }
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            for (h, w) in graph.arcs(v) {
                self.improve(h, d.saturating_add(w));
            }
        }
    }
}
