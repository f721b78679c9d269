//! PTB/ITT savings of a plan: each eligible pupil's marginal saving, the offers to make
//! under the caseloads, the projection, and (optionally) checks against thorough re-solves.

use super::prepare::Prepared;
use crate::plan::Plan;
use crate::routing;
use crate::savings::{self, Projection, Savings, Target};
use crate::units::Pence;
use std::time::Instant;

/// Effort of the savings estimates.
#[derive(Debug, Clone)]
pub struct SavingsOptions {
    /// Search iterations to repair the plan after each pupil's removal.
    pub repair_iterations: u64,
    /// Random seed.
    pub seed: u64,
    /// Pupils re-solved thoroughly to check the estimates (0 = none).
    pub check_sample: usize,
    /// Years of the projection.
    pub years: u32,
}

/// The savings of a plan.
pub struct SavingsRun {
    /// Per pupil and per pair.
    pub savings: Savings,
    /// Offers to make, in order.
    pub targets: Vec<Target>,
    /// The multi-year projection.
    pub projection: Projection,
    /// Checks against thorough re-solves: (pupil, fast estimate, thorough), a year.
    pub checks: Vec<(usize, Pence, Pence)>,
    /// Seconds for the estimates.
    pub seconds: f64,
}

impl SavingsRun {
    /// The expected net saving in the first year.
    pub fn year1(&self) -> Pence {
        self.projection
            .rows
            .first()
            .map(|r| r.in_year)
            .unwrap_or_default()
    }
}

/// Estimates the savings of `plan`. `progress(done, total)` reports the estimates.
pub fn savings(
    p: &Prepared,
    plan: &Plan,
    search: &routing::Settings,
    o: &SavingsOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> SavingsRun {
    let sc = &p.scenario;
    let (m, loc) = (&p.travel, &p.locations);
    let ss = savings::Settings {
        repair_iterations: o.repair_iterations,
        seed: o.seed,
        ..Default::default()
    };
    let t = Instant::now();
    let estimates = savings::estimate(sc, m, loc, plan, &ss, progress);
    let seconds = t.elapsed().as_secs_f64();
    let targets = savings::target(sc, &estimates);
    let projection = savings::project(sc, &estimates, &targets, o.years);
    let checks = if o.check_sample > 0 {
        let full = routing::Settings {
            threads: 1,
            ..search.clone()
        };
        savings::check_against_full(sc, m, loc, plan, &estimates, o.check_sample, &full)
    } else {
        Vec::new()
    };
    SavingsRun {
        savings: estimates,
        targets,
        projection,
        checks,
        seconds,
    }
}
