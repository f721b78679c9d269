//! Compact (CSR) directed graph with packed weights.

use serde::{Deserialize, Serialize};

/// A directed graph in compressed sparse row form: the arcs leaving node `v` are
/// `first_out[v]..first_out[v + 1]` in `head` and `weight`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Graph {
    first_out: Vec<u32>,
    head: Vec<u32>,
    weight: Vec<u64>,
}

impl Graph {
    /// Builds the graph from `(tail, head, packed weight)` arcs over nodes `0..num_nodes`.
    /// Arcs keep their relative order per tail, so the result is deterministic.
    pub fn from_arcs(num_nodes: usize, arcs: &[(u32, u32, u64)]) -> Self {
        let mut first_out = vec![0u32; num_nodes + 1];
        for &(t, _, _) in arcs {
            first_out[t as usize + 1] += 1;
        }
        for v in 0..num_nodes {
            first_out[v + 1] += first_out[v];
        }
        let mut next = first_out.clone();
        let mut head = vec![0u32; arcs.len()];
        let mut weight = vec![0u64; arcs.len()];
        for &(t, h, w) in arcs {
            let slot = next[t as usize] as usize;
            head[slot] = h;
            weight[slot] = w;
            next[t as usize] += 1;
        }
        Graph {
            first_out,
            head,
            weight,
        }
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    pub fn num_arcs(&self) -> usize {
        self.head.len()
    }

    /// The arcs leaving `v` as `(head, packed weight)`.
    #[inline]
    pub fn arcs(&self, v: u32) -> impl Iterator<Item = (u32, u64)> + '_ {
        let r = self.first_out[v as usize] as usize..self.first_out[v as usize + 1] as usize;
        self.head[r.clone()]
            .iter()
            .copied()
            .zip(self.weight[r].iter().copied())
    }

    /// All arcs as `(tail, head, weight)`, in storage order.
    pub fn all_arcs(&self) -> impl Iterator<Item = (u32, u32, u64)> + '_ {
        (0..self.num_nodes() as u32).flat_map(move |v| self.arcs(v).map(move |(h, w)| (v, h, w)))
    }

    /// The graph with every arc reversed.
    pub fn reversed(&self) -> Graph {
        let arcs: Vec<(u32, u32, u64)> = self.all_arcs().map(|(t, h, w)| (h, t, w)).collect();
        Graph::from_arcs(self.num_nodes(), &arcs)
    }
}
