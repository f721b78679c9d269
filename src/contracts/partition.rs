//! Set partitioning over a route pool, solved by HiGHS.
//!
//! Rows are jobs, columns are pooled routes: `min Σ c_j λ_j + Σ_i P u_i` subject to
//! `Σ_{j∋i} λ_j + u_i = 1` for every job `i`, `Σ_{j of type v} λ_j ≤ count_v`, with
//! `λ ∈ {0,1}`, `u_i ≥ 0` (a job left unserved costs the problem's penalty `P`). A job
//! no column serves (in a dive, every job its fixed routes serve) is left out: it is
//! unserved in every solution, a constant that only swelled the objective (with HiGHS's
//! relative gap tolerance, 1e-7 of a penalty-sized objective is a whole route). The
//! incumbent is given as a MIP start, so the answer is never worse than it. The same
//! model with `λ ∈ [0,1]` is the linear relaxation whose duals price new routes in
//! column generation ([`crate::routing::pricing`]).

use super::mip::{Mip, Sense, Status, Var, cost_scale};
use crate::routing::{Partitioning, Relaxation, SetPartitioner};

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

/// The model of `sp` (relaxed or not), with its scale, column variables and, per vehicle
/// type, the index of its fleet row (`None` when the type has no binding limit). Rows
/// are added jobs first, in order, then the fleet rows.
struct Model {
    mip: Mip,
    scale: f64,
    lambda: Vec<Var>,
    fleet_rows: Vec<Option<usize>>,
    /// Model row of each job; `None` for a job no column serves (it is unserved in every
    /// solution, a constant the model leaves out).
    job_rows: Vec<Option<usize>>,
}

fn model(sp: &Partitioning<'_>, relax: bool) -> Model {
    let mut mip = Mip::new(relax);
    // Costs are scaled integers; keep the MIP's numbers moderate.
    let scale = cost_scale(sp.columns.iter().map(|c| c.cost));
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
    let mut job_rows = vec![None; sp.rows];
    let mut next_row = 0;
    for (i, cols) in rows.iter().enumerate() {
        if cols.is_empty() {
            continue;
        }
        let u = mip.continuous(0.0, 1.0, penalty);
        mip.row(
            cols.iter().map(|&j| (lambda[j], 1.0)).chain([(u, 1.0)]),
            Sense::Eq,
            1.0,
        );
        job_rows[i] = Some(next_row);
        next_row += 1;
    }
    let mut fleet_rows = vec![None; sp.type_limits.len()];
    for (v, limit) in sp.type_limits.iter().enumerate() {
        if let Some(limit) = limit {
            let cols: Vec<usize> = (0..sp.columns.len())
                .filter(|&j| sp.columns[j].vehicle == v)
                .collect();
            if cols.len() as u32 > *limit {
                mip.row(
                    cols.iter().map(|&j| (lambda[j], 1.0)),
                    Sense::Le,
                    *limit as f64,
                );
                fleet_rows[v] = Some(next_row);
                next_row += 1;
            }
        }
    }
    Model {
        mip,
        scale,
        lambda,
        fleet_rows,
        job_rows,
    }
}

impl SetPartitioner for HighsPartitioner {
    fn choose(&self, sp: &Partitioning<'_>) -> Option<Vec<usize>> {
        if sp.columns.is_empty() {
            return None;
        }
        let Model {
            mut mip, lambda, ..
        } = model(sp, false);
        mip.start(sp.incumbent.iter().map(|&j| (lambda[j], 1.0)));
        if let Some(n) = sp.limits.nodes {
            mip.node_limit(n.min(i32::MAX as u32) as i32);
        }
        if let Some(h) = sp.limits.heuristics {
            mip.heuristic_effort(h);
        }
        let sol = mip.solve(sp.limits.time, self.threads).ok()?;
        let chosen: Vec<usize> = (0..sp.columns.len())
            .filter(|&j| sol.value(lambda[j]) > 0.5)
            .collect();
        let incumbent_cost: i64 = sp.incumbent.iter().map(|&j| sp.columns[j].cost).sum();
        let cost: i64 = chosen.iter().map(|&j| sp.columns[j].cost).sum();
        (cost < incumbent_cost).then_some(chosen)
    }

    fn relax(&self, sp: &Partitioning<'_>) -> Option<Relaxation> {
        if sp.columns.is_empty() {
            return None;
        }
        let Model {
            mip,
            scale,
            lambda,
            fleet_rows,
            job_rows,
        } = model(sp, true);
        let sol = mip.solve(sp.limits.time, self.threads).ok()?;
        if sol.status != Status::Optimal {
            return None;
        }
        // A job no column serves costs its penalty in every solution, and that is its
        // price.
        let unserved = job_rows.iter().filter(|r| r.is_none()).count();
        Some(Relaxation {
            objective: sol.objective * scale + unserved as f64 * sp.row_penalty as f64,
            values: lambda.iter().map(|&l| sol.value(l)).collect(),
            row_duals: job_rows
                .iter()
                .map(|r| r.map_or(sp.row_penalty as f64, |r| sol.row_dual(r) * scale))
                .collect(),
            type_duals: fleet_rows
                .iter()
                .map(|r| r.map_or(0.0, |r| sol.row_dual(r) * scale))
                .collect(),
        })
    }
}
