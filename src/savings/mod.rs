//! Demand-side savings: what the council saves when a pupil moves from a route to a
//! Personal Transport Budget (PTB) or Independent Travel Training (ITT), which families to
//! talk to first, and the multi-year projection. No I/O.
//!
//! A pupil's route saving is marginal, not average: the best plan known with the pupil,
//! against the best plan known without them, searched with equal effort from the same
//! start under common random numbers, and bracketed by two bounds that hold by
//! construction (see [`estimate`](self::estimate) and the module `estimate`). Removing one
//! pupil may free a whole vehicle, or save nothing at all. All figures are at the
//! council's reference prices (`vehicles.csv`), both halves of the day.

mod estimate;
mod target;
pub mod waterfall;

pub use estimate::Bounds;
pub use target::{Projection, Target, YearRow, project, target, year1_parts};

use crate::plan::{Locations, Plan, Warm};
use crate::routing::{self, Solution, Travel};
use crate::scenario::{Mode, Scenario};
use crate::units::Pence;
use serde::Serialize;
use std::sync::Arc;

/// An offer to a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Offer {
    /// Personal Transport Budget.
    Ptb,
    /// Independent Travel Training.
    Itt,
}

impl Offer {
    /// The offer's name as councils write it.
    pub fn name(self) -> &'static str {
        match self {
            Offer::Ptb => "PTB",
            Offer::Itt => "ITT",
        }
    }
}

/// What one offer to one pupil is worth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferValue {
    /// The offer.
    pub offer: Offer,
    /// What the council pays in the first year (PTB payment; ITT training and pass).
    pub cost_first_year: Pence,
    /// What it pays in each later year (PTB payment; ITT pass).
    pub cost_later_years: Pence,
    /// Route saving less cost, first year.
    pub net_first_year: Pence,
    /// Route saving less cost, each later year.
    pub net_later_years: Pence,
    /// Net over the years of saving counted per case (policy).
    pub net_per_case: Pence,
    /// Probability the family takes it up (by offer and Values Mode).
    pub uptake: f64,
    /// `uptake × net_per_case`.
    pub expected_per_case: Pence,
}

/// The saving if one pupil leaves the routes, a year, with its bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PupilSaving {
    /// Pupil index.
    pub pupil: usize,
    /// Pupil id.
    pub pupil_id: String,
    /// The route the pupil is on in the base plan.
    pub route: String,
    /// The estimate: best plan known with the pupil less the best known without them.
    pub marginal_per_year: Pence,
    /// Proven lower bound: the pupil taken out, nothing else changed.
    pub lower_per_year: Pence,
    /// Upper bound over the plans known: the pupil put back into the best plan without
    /// them. No saving exceeds it while the base is the best plan with everyone, but a
    /// plan without them that nobody has found can.
    pub upper_per_year: Pence,
    /// Proven ceiling: the cheapest plan carrying the pupil alone, on vehicle types
    /// without a count limit. No plan, found or not, saves more (`None`: only vehicle
    /// types with a limit can carry them).
    pub ceiling_per_year: Option<Pence>,
    /// Lower and upper bounds meet (e.g. a pupil alone in their vehicle).
    pub exact: bool,
    /// The best plan without the pupil needs fewer vehicles.
    pub frees_vehicle: bool,
    /// What the pupil costs today on average (their route's cost shared equally).
    pub average_per_year: Pence,
    /// Shortest road distance home → school, metres.
    pub distance_m: i64,
    /// Eligible offers and what they are worth.
    pub offers: Vec<OfferValue>,
}

/// The joint saving of two pupils on one vehicle leaving together, a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSaving {
    /// Pupil indices.
    pub pupils: (usize, usize),
    /// Joint route saving (estimate).
    pub joint_per_year: Pence,
    /// Proven lower bound of the joint saving.
    pub joint_lower_per_year: Pence,
    /// Upper bound of the joint saving over the plans known.
    pub joint_upper_per_year: Pence,
    /// Proven ceiling of the joint saving: the cheapest plan carrying the two alone.
    pub joint_ceiling_per_year: Option<Pence>,
    /// Joint minus the two single estimates (positive: worth more together; negative:
    /// worth less).
    pub synergy_per_year: Pence,
}

/// Effort of the estimates.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Search iterations for each plan with and without a pupil, per round.
    pub repair_iterations: u64,
    /// Random seed (each pupil's and round's searches derive theirs from it).
    pub seed: u64,
    /// Most pupil pairs evaluated for interactions.
    pub max_pairs: usize,
    /// Most rounds of searches against an improved base.
    pub max_rounds: usize,
    /// Nearest pupils whose vehicles join the region a pupil's paired searches re-plan
    /// (0: the pupil's own vehicle-day alone).
    pub region_neighbours: usize,
}

/// Iterations of each paired search by default. The searches re-plan only the routes
/// around the pupil, so they converge in fewer iterations than a search of the whole day.
/// Re-planning the own vehicle-day (the default region), 3,000 changed no figure on the
/// demo (BENCHMARKS.md, "How far a pupil's leaving is re-planned").
pub const REPAIR_ITERATIONS: u64 = 1000;

/// Nearest pupils whose vehicles join the re-planned region, by default: none, so a
/// pupil's saving is what re-planning their own vehicle's day without them saves. Wider
/// regions find more (with 10 neighbours, up to about 10% more over three years on the demo),
/// but which of it a search finds is luck: per-pupil figures then move by hundreds of
/// pounds a year between seeds (BENCHMARKS.md, "How far a pupil's leaving is
/// re-planned"). Re-planning the own vehicle is also what a council can do mid-contract.
pub const REGION_NEIGHBOURS: usize = 0;

/// Rounds of paired searches at most, by default. A round that improves the base starts
/// another; they stop as soon as one does not. On a plan the searches still improve (a
/// given plan of 20,000 iterations), four rounds let every seed reach the same base where
/// two left 3–9% of the pupils' figures depending on the order in which the seeds' searches
/// had improved it (BENCHMARKS.md, "How far a pupil's leaving is re-planned").
pub const MAX_ROUNDS: usize = 4;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            repair_iterations: REPAIR_ITERATIONS,
            seed: 1,
            max_pairs: 300,
            max_rounds: MAX_ROUNDS,
            region_neighbours: REGION_NEIGHBOURS,
        }
    }
}

/// Per-pupil and per-pair savings against the best plan known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Savings {
    /// One entry per eligible routed pupil.
    pub pupils: Vec<PupilSaving>,
    /// Pairs of eligible pupils sharing a vehicle.
    pub pairs: Vec<PairSaving>,
    /// The base's cost a year (reference prices, both halves).
    pub base_per_year: Pence,
    /// The plan the searches found better than the one given, if any: the base of every
    /// figure here, and the plan the chain reports.
    #[serde(skip)]
    pub improved: Option<Plan>,
    /// Rounds of searches made.
    pub rounds: usize,
    /// Times the base was replaced by a better plan.
    pub improvements: usize,
    /// Whether the last round of searches found no better base (the bounds hold anyway).
    pub converged: bool,
    /// Search iterations spent.
    pub iterations: u64,
    /// Nearest pupils whose vehicles were re-planned with the vehicle a pupil leaves.
    pub region_neighbours: usize,
    /// Figures that break their own bounds (always empty unless there is a bug).
    pub anomalies: Vec<String>,
    /// The best plan known without each pupil, in the order of `pupils`.
    #[serde(skip)]
    pub withouts: Vec<Warm>,
}

/// Routed, eligible pupils with their route's index in `plan`.
fn eligible(sc: &Scenario, plan: &Plan) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (r, route) in plan.routes.iter().enumerate() {
        for &i in &route.pupils {
            let p = &sc.pupils[i];
            if p.mode == Mode::Route && (p.ptb_eligible || p.itt_eligible) {
                out.push((i, r));
            }
        }
    }
    out.sort_unstable();
    out.dedup_by_key(|x| x.0);
    out
}

/// Pairs of pupils in `list` sharing a vehicle in `warm`, at most `max`.
fn pairs_sharing(list: &[usize], warm: &Warm, max: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for (_, halves) in &warm.routes {
        let mut here: Vec<usize> = halves[0]
            .iter()
            .chain(&halves[1])
            .map(|&(p, _)| p)
            .filter(|p| list.contains(p))
            .collect();
        here.sort_unstable();
        here.dedup();
        for (a, &i) in here.iter().enumerate() {
            for &j in &here[a + 1..] {
                out.push(vec![i, j]);
            }
        }
    }
    out.sort_unstable();
    out.truncate(max);
    out
}

/// The value of each eligible offer for a pupil with the given supply saving per year.
pub fn offer_values(
    sc: &Scenario,
    pupil: usize,
    saving: Pence,
    average: Pence,
    distance_m: i64,
) -> Vec<OfferValue> {
    let pol = &sc.policy;
    let p = &sc.pupils[pupil];
    let years = pol.years_of_saving.max(1) as i64;
    let mut out = Vec::new();
    let value = |offer, first: Pence, later: Pence, uptake: f64| {
        let net_first = saving - first;
        let net_later = saving - later;
        let per_case = net_first + net_later * (years - 1);
        OfferValue {
            offer,
            cost_first_year: first,
            cost_later_years: later,
            net_first_year: net_first,
            net_later_years: net_later,
            net_per_case: per_case,
            uptake,
            expected_per_case: Pence((per_case.0 as f64 * uptake).round() as i64),
        }
    };
    if p.ptb_eligible {
        // Rate per mile × road miles × legs a day × school days.
        let miles = distance_m as f64 / 1609.344;
        let mut pay = Pence(
            (pol.ptb_rate_per_mile.0 as f64
                * miles
                * pol.ptb_legs_per_day as f64
                * pol.school_days as f64)
                .round() as i64,
        );
        if pol.ptb_cap_at_cost && pay > average {
            pay = average;
        }
        out.push(value(
            Offer::Ptb,
            pay,
            pay,
            pol.ptb_uptake.for_mode(p.values_mode),
        ));
    }
    if p.itt_eligible {
        out.push(value(
            Offer::Itt,
            pol.itt_training_cost + pol.itt_annual_pass,
            pol.itt_annual_pass,
            pol.itt_uptake.for_mode(p.values_mode),
        ));
    }
    out
}

/// Estimates every eligible pupil's saving against the best plan known, starting from
/// `base` (and the joint saving of eligible pairs sharing a vehicle): paired searches with
/// and without each pupil, the base replaced whenever a search beats it, and the bounds
/// at the fixed point. Deterministic for a seed; runs in parallel. `progress(done,
/// total)` is called as searches finish.
pub fn estimate(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    base: &Plan,
    s: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Savings {
    let days = sc.policy.school_days as i64;
    let list = eligible(sc, base);
    let singles: Vec<Vec<usize>> = list.iter().map(|&(i, _)| vec![i]).collect();
    let ids: Vec<usize> = list.iter().map(|x| x.0).collect();
    let total = singles.len() * s.max_rounds.max(1) + s.max_pairs.min(singles.len() * 4);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = |n: usize| {
        let d = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        progress(d.min(total), total);
    };
    let ctx = estimate::Ctx::new(sc, travel, loc, s);
    let (est, pair_sets) = ctx.run(
        base,
        &singles,
        &|warm| pairs_sharing(&ids, warm, s.max_pairs),
        &tick,
    );
    // Fewer pairs than the most allowed may have shared a vehicle: the bar ends full.
    progress(total, total);
    let improved = if est.improvements > 0 {
        ctx.plan_of(est.base.clone(), base).ok()
    } else {
        None
    };
    let plan = improved.as_ref().unwrap_or(base);
    let route_of: std::collections::HashMap<usize, usize> =
        eligible(sc, plan).into_iter().collect();
    let mut anomalies = Vec::new();
    let mut check = |what: String, b: &Bounds, ceiling: Option<Pence>| {
        if b.lower < Pence(0)
            || b.lower > b.estimate
            || b.estimate > b.upper
            || ceiling.is_some_and(|c| b.estimate > c)
        {
            anomalies.push(format!(
                "{what}: lower {} estimate {} upper {} ceiling {} a day",
                b.lower,
                b.estimate,
                b.upper,
                ceiling.map_or("none".to_string(), |c| c.to_string())
            ));
        }
    };
    let mut pupils = Vec::new();
    for (k, &i) in ids.iter().enumerate() {
        let (b, ceiling) = (est.bounds[k], est.ceilings[k]);
        check(format!("pupil {}", sc.pupils[i].id), &b, ceiling);
        let route = route_of.get(&i).map(|&r| &plan.routes[r]);
        let average = route.map_or(Pence(0), |r| {
            Pence(r.cost_per_day.0 / r.pupils.len().max(1) as i64) * days
        });
        let distance_m = travel.dist(loc.home[i] as u32, loc.school[sc.pupils[i].school] as u32);
        let saving = b.estimate * days;
        pupils.push(PupilSaving {
            pupil: i,
            pupil_id: sc.pupils[i].id.clone(),
            route: route.map_or(String::new(), |r| r.id.clone()),
            marginal_per_year: saving,
            lower_per_year: b.lower * days,
            upper_per_year: b.upper * days,
            ceiling_per_year: ceiling.map(|c| c * days),
            exact: b.lower == b.upper,
            frees_vehicle: b.frees_vehicle,
            average_per_year: average,
            distance_m,
            offers: offer_values(sc, i, saving, average, distance_m),
        });
    }
    let single_of = |i: usize| {
        ids.iter()
            .position(|&x| x == i)
            .map(|k| est.bounds[k].estimate * days)
            .unwrap_or_default()
    };
    let mut pairs = Vec::new();
    for (k, g) in pair_sets.iter().enumerate() {
        let (b, ceiling) = (
            est.bounds[singles.len() + k],
            est.ceilings[singles.len() + k],
        );
        check(
            format!("pair {} + {}", sc.pupils[g[0]].id, sc.pupils[g[1]].id),
            &b,
            ceiling,
        );
        let joint = b.estimate * days;
        pairs.push(PairSaving {
            pupils: (g[0], g[1]),
            joint_per_year: joint,
            joint_lower_per_year: b.lower * days,
            joint_upper_per_year: b.upper * days,
            joint_ceiling_per_year: ceiling.map(|c| c * days),
            synergy_per_year: joint - single_of(g[0]) - single_of(g[1]),
        });
    }
    Savings {
        pupils,
        pairs,
        base_per_year: est.base_cost * days,
        improved,
        rounds: est.rounds,
        improvements: est.improvements,
        converged: est.converged,
        iterations: est.iterations,
        region_neighbours: s.region_neighbours,
        anomalies,
        withouts: est.withouts.into_iter().take(ids.len()).collect(),
    }
}

/// One pupil's estimate against an independent, thorough reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Pupil index.
    pub pupil: usize,
    /// The estimate, a year.
    pub estimate: Pence,
    /// Its bounds, a year.
    pub lower: Pence,
    /// Upper bound over the plans known, a year.
    pub upper: Pence,
    /// Proven ceiling, a year (`None`: none proven).
    pub ceiling: Option<Pence>,
    /// The thorough saving, a year: the cheapest plan with everyone known (the
    /// re-solves' and the estimates' base) less the cheapest without the pupil (the
    /// re-solves' plans, each side's carried to the other, and the base with the pupil
    /// taken out).
    pub thorough: Pence,
    /// Whether the thorough saving lies within [lower, upper].
    pub inside: bool,
    /// Whether it lies within the proven bracket [lower, ceiling].
    pub inside_proven: bool,
}

/// What thorough re-solves of a sample of pupils found: per pupil, the cheapest plans
/// with and without them, and the cheapest plan with everyone over the whole sample when
/// it beats the base of the estimates (then it is the best plan known, and the estimates
/// belong on it).
pub struct References {
    /// Pupil index, cheapest plan with everyone and cheapest without the pupil, a day.
    pub pupils: Vec<(usize, Pence, Pence)>,
    /// A plan cheaper than the estimates' base, if the re-solves found one.
    pub better: Option<Plan>,
}

/// How many pupils `--check-sample` re-solves, and each re-solve's search.
pub struct CheckEffort {
    /// Pupils re-solved (every k-th eligible pupil).
    pub sample: usize,
    /// The search of each re-solve (iterations, seed).
    pub search: routing::Settings,
}

/// What the check's re-solves and its comparison both start from: the estimates' base
/// (the plan the searches improved to, if they did) as a solution of the whole problem,
/// and its cost a day.
fn check_base<'a>(
    sc: &'a Scenario,
    travel: &'a Arc<Travel>,
    loc: &'a Locations,
    s: &'a Settings,
    base: &'a Plan,
    savings: &'a Savings,
) -> (estimate::Ctx<'a>, &'a Plan, Solution, Pence) {
    let ctx = estimate::Ctx::new(sc, travel, loc, s);
    let plan = savings.improved.as_ref().unwrap_or(base);
    let full_sol = Warm::from_plan(plan).solution(ctx.full_problem());
    let base_cost = ctx.cost(&full_sol);
    (ctx, plan, full_sol, base_cost)
}

/// Re-solves a sample of pupils thoroughly, with and without each (`effort`, from several
/// starts), independent of the estimates' searches.
pub fn references(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    base: &Plan,
    savings: &Savings,
    effort: &CheckEffort,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> References {
    use rayon::prelude::*;
    let (sample, full) = (effort.sample, &effort.search);
    let s = Settings::default();
    let (ctx, plan, full_sol, base_cost) = check_base(sc, travel, loc, &s, base, savings);
    let iterations = full.iterations.unwrap_or(20_000);
    let step = (savings.pupils.len() / sample.max(1)).max(1);
    let picked: Vec<&PupilSaving> = savings.pupils.iter().step_by(step).take(sample).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0, picked.len());
    let found: Vec<_> = picked
        .par_iter()
        .map(|ps| {
            let seed = crate::rng::derive(full.seed, &[ps.pupil as u64, 0xC4EC]);
            let k = savings.pupils.iter().position(|p| p.pupil == ps.pupil);
            let removed = Warm::from_plan(plan).without(&[ps.pupil]);
            let prev = k.and_then(|k| savings.withouts.get(k)).unwrap_or(&removed);
            let r = ctx.thorough(&full_sol, &[ps.pupil], prev, iterations, seed);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(d, picked.len());
            (ps.pupil, r)
        })
        .collect();
    let better = found
        .iter()
        .filter(|(_, r)| r.with < base_cost)
        .min_by_key(|(_, r)| r.with)
        .and_then(|(_, r)| ctx.plan_of(r.best.clone(), plan).ok());
    References {
        pupils: found.iter().map(|(p, r)| (*p, r.with, r.without)).collect(),
        better,
    }
}

/// Checks the estimates against the thorough re-solves' plans, with the estimates' base
/// (and it with the pupil taken out) among the plans known: a base cheaper than every
/// re-solve's plan is the best plan with everyone known, whoever found it.
pub fn check(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    base: &Plan,
    savings: &Savings,
    refs: &References,
) -> Vec<Check> {
    use rayon::prelude::*;
    let days = sc.policy.school_days as i64;
    let s = Settings::default();
    let (ctx, _, full_sol, base_cost) = check_base(sc, travel, loc, &s, base, savings);
    refs.pupils
        .par_iter()
        .filter_map(|&(pupil, with, without)| {
            let ps = savings.pupils.iter().find(|p| p.pupil == pupil)?;
            let removed = ctx.removed_cost(&full_sol, &[pupil]);
            let with = with.min(base_cost);
            let thorough = (with - without.min(removed).min(with)) * days;
            Some(Check {
                pupil,
                estimate: ps.marginal_per_year,
                lower: ps.lower_per_year,
                upper: ps.upper_per_year,
                ceiling: ps.ceiling_per_year,
                thorough,
                inside: ps.lower_per_year <= thorough && thorough <= ps.upper_per_year,
                inside_proven: ps.lower_per_year <= thorough
                    && ps.ceiling_per_year.is_none_or(|c| thorough <= c),
            })
        })
        .collect()
}
