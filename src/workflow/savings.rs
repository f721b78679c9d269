//! PTB/ITT savings of a plan: each eligible pupil's marginal saving, the offers to make
//! under the caseloads, the projection, and (optionally) checks against thorough re-solves.

use super::prepare::Prepared;
use crate::plan::Plan;
use crate::routing;
use crate::savings::{self, Check, Projection, Savings, Target};
use crate::units::Pence;
use std::time::Instant;

/// Progress stage: the estimates.
pub const STAGE_ESTIMATES: &str = "PTB/ITT savings";
/// Progress stage: the thorough re-solves of `--check-sample`.
pub const STAGE_CHECKS: &str = "check: thorough re-solves";
/// Progress stage: the estimates again, on a cheaper base the checks found.
pub const STAGE_AGAIN: &str = "PTB/ITT savings (cheaper base)";

/// Effort of the savings estimates.
#[derive(Debug, Clone)]
pub struct SavingsOptions {
    /// Search iterations to repair the plan after each pupil's removal.
    pub repair_iterations: u64,
    /// Random seed.
    pub seed: u64,
    /// Pupils re-solved thoroughly to check the estimates (0 = none).
    pub check_sample: usize,
    /// Iterations of each thorough re-solve.
    pub check_iterations: u64,
    /// Most rounds of searches against an improved base.
    pub max_rounds: usize,
    /// Nearest pupils whose vehicles join a pupil's re-planned region (see
    /// `savings::Settings`).
    pub region_neighbours: usize,
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
    /// Checks against thorough re-solves.
    pub checks: Vec<Check>,
    /// When the thorough re-solves found a plan cheaper than the estimates' base: the
    /// checks against the first estimates, and the first base's cost a year. The
    /// estimates were then made again on the cheaper plan (`checks` are against those).
    pub first_checks: Option<(Vec<Check>, Pence)>,
    /// Seconds for the estimates.
    pub seconds: f64,
}

impl SavingsRun {
    /// The expected net saving in the first year (reference prices).
    pub fn year1(&self) -> Pence {
        self.projection
            .rows
            .first()
            .map(|r| r.in_year)
            .unwrap_or_default()
    }

    /// The expected first-year net saving with the route savings scaled by `ratio` (to
    /// another price basis) and the offers' costs as paid.
    pub fn year1_at(&self, ratio: f64) -> Pence {
        let (routes, costs) = savings::year1_parts(&self.savings, &self.targets);
        Pence((routes.0 as f64 * ratio).round() as i64) - costs
    }

    /// The plan the figures are based on: the one given, or the better one the searches
    /// found.
    pub fn plan<'a>(&'a self, given: &'a Plan) -> &'a Plan {
        self.savings.improved.as_ref().unwrap_or(given)
    }
}

/// Estimates the savings of `plan`. `progress(stage, done, total)` reports the estimates
/// and the checks, each stage by its name.
pub fn savings(
    p: &Prepared,
    plan: &Plan,
    search: &routing::Settings,
    o: &SavingsOptions,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> SavingsRun {
    let sc = &p.scenario;
    let (m, loc) = (&p.travel, &p.locations);
    let ss = savings::Settings {
        repair_iterations: o.repair_iterations,
        seed: o.seed,
        max_rounds: o.max_rounds,
        region_neighbours: o.region_neighbours,
        ..Default::default()
    };
    let t = Instant::now();
    let mut estimates = savings::estimate(sc, m, loc, plan, &ss, &|d, t| {
        progress(STAGE_ESTIMATES, d, t)
    });
    let mut seconds = t.elapsed().as_secs_f64();
    let mut checks = Vec::new();
    let mut first_checks = None;
    if o.check_sample > 0 {
        let effort = savings::CheckEffort {
            sample: o.check_sample,
            search: routing::Settings {
                threads: 1,
                iterations: Some(o.check_iterations),
                time_limit: None,
                ..search.clone()
            },
        };
        let mut refs = savings::references(sc, m, loc, plan, &estimates, &effort, &|d, t| {
            progress(STAGE_CHECKS, d, t)
        });
        checks = savings::check(sc, m, loc, plan, &estimates, &refs);
        // The base must be the best plan known: when a re-solve beat it, the estimates
        // are made again on that plan, and checked against the same re-solves.
        if let Some(better) = refs.better.take() {
            let first_base = estimates.base_per_year;
            let t = Instant::now();
            estimates = savings::estimate(sc, m, loc, &better, &ss, &|d, t| {
                progress(STAGE_AGAIN, d, t)
            });
            seconds += t.elapsed().as_secs_f64();
            if estimates.improved.is_none() {
                estimates.improved = Some(better);
            }
            let again = savings::check(sc, m, loc, plan, &estimates, &refs);
            first_checks = Some((std::mem::replace(&mut checks, again), first_base));
        }
    }
    let targets = savings::target(sc, &estimates);
    let projection = savings::project(sc, &estimates, &targets, o.years);
    SavingsRun {
        savings: estimates,
        targets,
        projection,
        checks,
        first_checks,
        seconds,
    }
}
