//! Planning a prepared scenario: the search's settings from the scenario and the command
//! line, the plan, and the checks every plan must pass before it is shown to anyone.

use super::prepare::Prepared;
use crate::contracts::partition::HighsPartitioner;
use crate::error::{Error, Problem, Result};

use crate::plan::{self, Plan};
use crate::progress::Progress;
use crate::routing::{self, SetPartitioner};
use std::time::Duration;

/// How hard and how to search.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Wall-clock limit in seconds (default: the scenario's solver setting).
    pub time_limit_s: Option<f64>,
    /// Iterations per worker: the plan then depends only on input, seed and threads.
    pub iterations: Option<u64>,
    /// Worker threads (default: the scenario's solver setting).
    pub threads: Option<usize>,
    /// Random seed (default: the scenario's solver setting).
    pub seed: Option<u64>,
    /// Recombine the search's route pool with a set-partitioning MIP at the end.
    pub recombine: bool,
    /// Share of iterations recreated by regret insertion (0 to 1; default 0).
    pub regret_share: f64,
    /// Grow the route pool by column generation before recombining (`--price`).
    pub price: bool,
}

/// Checks a share (0 to 1) given on the command line.
pub fn check_share(share: f64, option: &str) -> Result<f64> {
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err(Error::problem(Problem::argument(
            option,
            share.to_string(),
            "a share from 0 to 1",
        )))
    }
}

/// Checks a time limit given on the command line.
pub fn check_time_limit(seconds: f64, option: &str) -> Result<Duration> {
    if seconds.is_finite() && (0.0..=7.0 * 86_400.0).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(Error::problem(Problem::argument(
            option,
            seconds.to_string(),
            "a number of seconds from 0 to 604800 (a week)",
        )))
    }
}

impl PlanOptions {
    /// The search settings for a scenario. With an iteration budget and no time limit
    /// given, no time limit applies: the plan then depends only on input, seed, threads
    /// and iterations, not on machine speed or load.
    pub fn settings(&self, sc: &crate::scenario::Scenario) -> Result<routing::Settings> {
        let limit = match (self.time_limit_s, self.iterations) {
            (Some(s), _) => Some(s),
            (None, Some(_)) => None,
            (None, None) => Some(sc.solver.time_limit_s),
        };
        Ok(routing::Settings {
            time_limit: limit
                .map(|s| check_time_limit(s, "--time-limit"))
                .transpose()?,
            iterations: self.iterations,
            threads: self.threads.unwrap_or(sc.solver.threads).max(1),
            seed: self.seed.unwrap_or(sc.solver.seed),
            regret_share: check_share(self.regret_share, "--regret-share")?,
            pricing: self.price && self.recombine,
        })
    }
}

/// A plan that routes nobody, although pupils are to be routed, is an input problem (no
/// vehicle type available, say), never a result.
pub fn nobody_routed(sc: &crate::scenario::Scenario, plan: &Plan) -> Result<()> {
    let to_route = sc
        .pupils
        .iter()
        .filter(|p| p.mode == crate::scenario::Mode::Route)
        .count();
    if to_route > 0 && plan.routed() == 0 {
        let mut reasons: Vec<&str> = plan
            .unrouted
            .iter()
            .filter(|u| !u.reason.is_arrangement())
            .map(|u| u.reason.code())
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        return Err(Error::problem(Problem::file(
            crate::error::Code::NothingToPlan,
            "vehicles.csv",
            format!("0 of {to_route} pupils routed ({})", reasons.join(", ")),
            "vehicles to route pupils in (check the available counts and the pupils' needs)",
        )));
    }
    Ok(())
}

/// Plans a prepared scenario. `progress(iterations, best cost)` reports the search.
pub fn plan(
    p: &Prepared,
    o: &PlanOptions,
    progress: &(dyn Fn(u64, i64) + Sync),
) -> Result<(Plan, routing::Settings)> {
    let sc = &p.scenario;
    let settings = o.settings(sc)?;
    let partitioner = HighsPartitioner::default();
    let plan = plan::plan(
        sc,
        &p.travel,
        &p.locations,
        &settings,
        progress,
        o.recombine.then_some(&partitioner as &dyn SetPartitioner),
        None,
    )?;
    nobody_routed(sc, &plan)?;
    Ok((plan, settings))
}

/// Runs [`plan`] with a spinner on `bar`.
pub fn plan_with_spinner(
    p: &Prepared,
    o: &PlanOptions,
    bar: &Progress,
) -> Result<(Plan, routing::Settings)> {
    let spin = bar.spinner("planning routes");
    let out = plan(p, o, &|it, best| {
        spin.set_message(format!(
            "planning routes: {it} iterations, best {}/day",
            crate::units::Pence(best / plan::UNITS_PER_PENNY)
        ));
    });
    spin.finish_and_clear();
    out
}
