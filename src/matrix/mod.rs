//! Exact many-to-many shortest travel times and distances on a directed road graph.
//!
//! The graph is a compact CSR array of arcs whose weight packs the pair (travel time in
//! milliseconds, length in metres) into one `u64` so that ordinary shortest-path algorithms
//! minimise time first and break ties by distance. Two algorithms compute the same exact
//! matrix: parallel one-to-many Dijkstra (the baseline, no preparation) and a contraction
//! hierarchy with bucket-based many-to-many queries (Knopp et al. 2007), which is what makes
//! county-sized graphs fast. This module does no I/O.

mod ch;
mod dijkstra;
mod graph;
mod path;

pub use ch::ContractionHierarchy;
pub use dijkstra::Dijkstra;
pub use graph::Graph;
pub use path::PathSearch;

use rayon::prelude::*;

/// Tentative distances of repeated searches over one graph, cleared in O(1) between
/// searches by a generation stamp (shared by the hierarchy's witness and query searches
/// and the path search).
pub(crate) struct Labels {
    dist: Vec<u64>,
    stamp: Vec<u32>,
    generation: u32,
}

impl Labels {
    /// Labels for `n` nodes, all unset.
    pub(crate) fn new(n: usize) -> Self {
        Labels {
            dist: vec![u64::MAX; n],
            stamp: vec![0; n],
            generation: 0,
        }
    }

    /// Forgets every label.
    pub(crate) fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
    }

    /// The label of `v` (`u64::MAX` when unset).
    #[inline]
    pub(crate) fn get(&self, v: u32) -> u64 {
        if self.stamp[v as usize] == self.generation {
            self.dist[v as usize]
        } else {
            u64::MAX
        }
    }

    /// Sets the label of `v`.
    #[inline]
    pub(crate) fn set(&mut self, v: u32, d: u64) {
        self.stamp[v as usize] = self.generation;
        self.dist[v as usize] = d;
    }
}

/// Bits of a packed weight holding metres; 2^26 m = 67,108 km, far beyond any trip.
const METRE_BITS: u32 = 26;
const METRE_MASK: u64 = (1 << METRE_BITS) - 1;

/// An unreachable pair.
pub const UNREACHABLE: u64 = u64::MAX;

/// Packs a travel time (ms) and length (m) into one lexicographically ordered weight.
///
/// Sums of packed weights are exact as long as the summed metres stay below 2^26 (67,108 km),
/// which holds for every route on one county's (or one country's) roads.
#[inline]
pub fn pack(ms: u64, metres: u64) -> u64 {
    (ms << METRE_BITS) | (metres & METRE_MASK)
}

/// Travel time in milliseconds of a packed weight.
#[inline]
pub fn ms(w: u64) -> u64 {
    w >> METRE_BITS
}

/// Length in metres of a packed weight.
#[inline]
pub fn metres(w: u64) -> u64 {
    w & METRE_MASK
}

/// Where a query point attaches to the graph: graph nodes with the packed weight of the
/// piece of road between the point and that node (point → node for a source, node → point
/// for a target). A point snapped in the middle of a two-way road has two attachments.
pub type Attachments = Vec<(u32, u64)>;

/// A dense row-major matrix of packed weights between query points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    n_rows: usize,
    n_cols: usize,
    cells: Vec<u64>,
}

impl Matrix {
    /// A matrix from row-major packed weights.
    pub fn from_cells(n_rows: usize, n_cols: usize, cells: Vec<u64>) -> Self {
        assert_eq!(cells.len(), n_rows * n_cols, "matrix cell count");
        Matrix {
            n_rows,
            n_cols,
            cells,
        }
    }
    /// Number of rows (sources).
    pub fn rows(&self) -> usize {
        self.n_rows
    }
    /// Number of columns (targets).
    pub fn cols(&self) -> usize {
        self.n_cols
    }
    /// Packed weight from source `i` to target `j` ([`UNREACHABLE`] when there is no path).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> u64 {
        self.cells[i * self.n_cols + j]
    }
    /// Mutable access to one cell.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, w: u64) {
        self.cells[i * self.n_cols + j] = w;
    }
    /// Travel time in milliseconds, `None` when unreachable.
    pub fn time_ms(&self, i: usize, j: usize) -> Option<u64> {
        let w = self.get(i, j);
        (w != UNREACHABLE).then(|| ms(w))
    }
    /// Length in metres, `None` when unreachable.
    pub fn distance_m(&self, i: usize, j: usize) -> Option<u64> {
        let w = self.get(i, j);
        (w != UNREACHABLE).then(|| metres(w))
    }
}

/// Baseline: one full Dijkstra per source, in parallel. Exact; no preparation.
pub fn matrix_dijkstra(
    graph: &Graph,
    sources: &[Attachments],
    targets: &[Attachments],
    progress: &(dyn Fn(u64) + Sync),
) -> Matrix {
    let m = targets.len();
    let mut cells = vec![UNREACHABLE; sources.len() * m];
    if m > 0 {
        cells
            .par_chunks_mut(m)
            .zip(sources.par_iter())
            .for_each_init(
                || Dijkstra::new(graph.num_nodes()),
                |dij, (row, src)| {
                    dij.run(graph, src);
                    for (cell, tgt) in row.iter_mut().zip(targets) {
                        *cell = tgt
                            .iter()
                            .filter_map(|&(node, w)| dij.dist(node).map(|d| d.saturating_add(w)))
                            .min()
                            .unwrap_or(UNREACHABLE);
                    }
                    progress(1);
                },
            );
    }
    Matrix::from_cells(sources.len(), m, cells)
}
