//! The whole chain on one scenario, as `schoolrun savings` and `schoolrun demo` run it:
//! prepare, plan, retender, PTB/ITT savings, and the report. The plan stays in memory from
//! step to step; every output is written to one folder.

use super::plan::{PlanOptions, plan_with_spinner};
use super::prepare::{PrepareOptions, Prepared, prepare};
use super::savings::{SavingsOptions, SavingsRun, savings};
use super::tender::{TenderOptions, TenderRun, tender};
use crate::error::Result;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report;
use crate::routing;
use std::path::Path;

/// Effort settings of the whole chain.
#[derive(Debug, Clone)]
pub struct ChainOptions {
    /// The network cache and snap limit.
    pub prepare: PrepareOptions,
    /// Search iterations per worker for the plan (fixed, so figures do not depend on
    /// machine speed).
    pub iterations: u64,
    /// Worker threads (default: the scenario's).
    pub threads: Option<usize>,
    /// Random seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Search iterations to repair the plan after each pupil's removal.
    pub repair_iterations: u64,
    /// Pupils re-solved thoroughly to check the savings estimates.
    pub check_sample: usize,
}

/// The year's cost at each step of the chain.
pub use crate::report::html::Budget;

/// A step of the chain, reported as it finishes.
pub enum Step<'a> {
    /// The scenario is loaded, on the road network, with its matrix.
    Prepared(&'a Prepared),
    /// The routes are planned (and written).
    Planned(&'a Plan, &'a routing::Settings),
    /// The routes are retendered (and the tender outputs written).
    Tendered(&'a TenderRun),
    /// The PTB/ITT savings are estimated.
    Savings(&'a SavingsRun),
    /// Everything is written.
    Finished(&'a Budget),
}

/// Runs the whole chain on the scenario in `dir`, writing every output to `out`.
/// `on_step` hears of each step as it finishes (the CLI prints them).
pub fn run(
    dir: &Path,
    out: &Path,
    o: &ChainOptions,
    progress: &Progress,
    on_step: &mut dyn FnMut(Step),
) -> Result<Budget> {
    let p = prepare(dir, &o.prepare, progress)?;
    on_step(Step::Prepared(&p));
    let sc = &p.scenario;
    // A fixed iteration budget keeps the plan identical on every machine. No route
    // recombination: its MIP is time-limited, which would make the plan depend on
    // machine speed (and on the demo it gains nothing, see BENCHMARKS.md).
    let plan_options = PlanOptions {
        time_limit_s: None,
        iterations: Some(o.iterations),
        threads: Some(o.threads.unwrap_or(sc.solver.threads)),
        seed: o.seed,
        recombine: false,
    };
    let (plan, mut settings) = plan_with_spinner(&p, &plan_options, progress)?;
    settings.time_limit = None;
    // Every output of the chain is written at the end, as one set.
    let mut set = crate::files::OutputSet::new(out, "savings", &p.fingerprint);
    report::plan_files(
        &mut set,
        sc,
        &plan,
        &p.coords,
        serde_json::json!({"seed": settings.seed, "threads": settings.threads, "iterations": o.iterations}),
    )?;
    on_step(Step::Planned(&plan, &settings));
    let plan_file = out.join("plan.json").display().to_string();
    let tr = tender(sc, &plan, &plan_file, &TenderOptions::default(), progress)?;
    tr.add_files(&mut set, sc.policy.school_days)?;
    on_step(Step::Tendered(&tr));
    let bar = progress.bar(0, "marginal savings");
    let sr = savings(
        &p,
        &plan,
        &settings,
        &SavingsOptions {
            repair_iterations: o.repair_iterations,
            seed: settings.seed,
            check_sample: o.check_sample,
            years: 3,
        },
        &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    on_step(Step::Savings(&sr));
    let days = sc.policy.school_days as i64;
    let budget = Budget {
        current: tr.comparisons.total.current_per_day * days,
        optimised: plan.cost_per_year,
        retendered: tr.comparisons.total.new_per_day * days,
        with_ptb_itt: tr.comparisons.total.new_per_day * days - sr.year1(),
    };
    let data = report::html::ReportData {
        sc,
        plan: &plan,
        coords: &p.coords,
        roads: p.network.roads().roads().collect(),
        award: tr.award_by_route(),
        budget,
        savings: &sr.savings,
        targets: &sr.targets,
        projection: &sr.projection,
    };
    report::savings_files(
        &mut set,
        sc,
        &sr.savings,
        &sr.targets,
        &sr.projection,
        &sr.checks,
        &report::html::render(&data),
    )?;
    set.commit()?;
    on_step(Step::Finished(&budget));
    Ok(budget)
}
