//! Solving a benchmark instance or JSON problem, re-verified by the independent checker.

use super::plan::check_time_limit;
use crate::contracts::partition::HighsPartitioner;
use crate::error::Result;
use crate::instance::{self, Family, Instance};
use crate::routing::{self, Outcome, SetPartitioner};
use std::path::Path;

/// What to solve with.
#[derive(Debug, Clone)]
pub struct VrpOptions {
    /// Wall-clock limit in seconds.
    pub time_limit_s: f64,
    /// Iteration limit per worker.
    pub iterations: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Recombine the route pool at the end (never on plain CVRP, where it measured worse).
    pub recombine: bool,
}

/// A solved instance.
pub struct VrpRun {
    /// The instance.
    pub instance: Instance,
    /// The search's outcome.
    pub outcome: Outcome,
    /// The checker's report.
    pub check: routing::check::Report,
    /// Cost in the family's convention.
    pub cost: f64,
    /// Every rule holds and every job is served.
    pub feasible: bool,
}

/// Reads and solves an instance. `progress(iterations, best)` reports the search.
pub fn solve(
    path: &Path,
    o: &VrpOptions,
    progress: &(dyn Fn(&str, u64, f64) + Sync),
) -> Result<VrpRun> {
    let inst = instance::read(path)?;
    let settings = routing::Settings {
        time_limit: Some(check_time_limit(o.time_limit_s, "--time-limit")?),
        iterations: o.iterations,
        threads: o.threads,
        seed: o.seed,
        regret_share: 0.0,
        pricing: false,
    };
    let sp = HighsPartitioner::default();
    let scale = inst.problem.cost_scale;
    let outcome = routing::solve_with(
        &inst.problem,
        &settings,
        None,
        &|it, best| progress(&inst.name, it, best as f64 / scale),
        // Measured (BENCHMARKS.md): recombination gains on time-windowed sets and loses
        // on CVRPLIB X at the same time, so plain CVRP runs without it.
        (o.recombine && inst.family != Family::Cvrp).then_some(&sp as &dyn SetPartitioner),
    );
    let check = routing::verify(&inst.problem, &outcome.solution);
    let feasible = check.ok() && outcome.solution.unassigned.is_empty();
    let cost = inst.reported_cost(&outcome.solution);
    Ok(VrpRun {
        instance: inst,
        outcome,
        check,
        cost,
        feasible,
    })
}
