//! Set partitioning over a route pool, solved by HiGHS.
//!
//! Rows are jobs, columns are pooled routes: `min Σ c_j λ_j + Σ_i P u_i` subject to
//! `Σ_{j∋i} λ_j + u_i = 1` for every job `i`, `Σ_{j of type v} λ_j ≤ count_v`, with
//! `λ ∈ {0,1}`, `u_i ≥ 0` (a job left unserved costs the problem's penalty `P`). The
//! incumbent is given as a MIP start, so the answer is never worse than it.

use super::mip::Mip;
use crate::routing::{Partitioning, SetPartitioner};

/// The set-partitioning solver used by `plan` and `vrp solve`.
#[derive(Debug, Clone, Copy)]
pub struct HighsPartitioner {
    /// HiGHS threads.
    pub threads: usize,
}

impl Default for HighsPartitioner {
    fn default() -> Self {
        HighsPartitioner { threads: 1 }
    }
}

impl SetPartitioner for HighsPartitioner {
    fn choose(&self, sp: &Partitioning<'_>) -> Option<Vec<usize>> {
        if sp.columns.is_empty() {
            return None;
        }
        let mut mip = Mip::new(false);
        // Costs are scaled integers; keep the MIP's numbers moderate.
        let scale = sp
            .columns
            .iter()
            .map(|c| c.cost.unsigned_abs())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let lambda: Vec<_> = sp
            .columns
            .iter()
            .map(|c| mip.binary(c.cost as f64 / scale))
            .collect();
        let penalty = sp.row_penalty as f64 / scale;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); sp.rows];
        for (j, c) in sp.columns.iter().enumerate() {
            for &i in c.rows {
                rows[i as usize].push(j);
            }
        }
        for cols in &rows {
            let u = mip.continuous(0.0, 1.0, penalty);
            mip.row(
                cols.iter().map(|&j| (lambda[j], 1.0)).chain([(u, 1.0)]),
                super::mip::Sense::Eq,
                1.0,
            );
        }
        for (v, limit) in sp.type_limits.iter().enumerate() {
            if let Some(limit) = limit {
                let cols: Vec<usize> = (0..sp.columns.len())
                    .filter(|&j| sp.columns[j].vehicle == v)
                    .collect();
                if cols.len() as u32 > *limit {
                    mip.row(
                        cols.iter().map(|&j| (lambda[j], 1.0)),
                        super::mip::Sense::Le,
                        *limit as f64,
                    );
                }
            }
        }
        mip.start(sp.incumbent.iter().map(|&j| (lambda[j], 1.0)));
        if let Some(n) = sp.node_limit {
            mip.node_limit(n.min(i32::MAX as u32) as i32);
        }
        let sol = mip.solve(sp.time_limit, self.threads).ok()?;
        let chosen: Vec<usize> = (0..sp.columns.len())
            .filter(|&j| sol.value(lambda[j]) > 0.5)
            .collect();
        let incumbent_cost: i64 = sp.incumbent.iter().map(|&j| sp.columns[j].cost).sum();
        let cost: i64 = chosen.iter().map(|&j| sp.columns[j].cost).sum();
        (cost < incumbent_cost).then_some(chosen)
    }
}
