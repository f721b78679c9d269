//! Demand-side savings: what the council saves when a pupil moves from a route to a
//! Personal Transport Budget (PTB) or Independent Travel Training (ITT), which families to
//! talk to first, and the multi-year projection. No I/O.
//!
//! The supply-side saving of a pupil is marginal, not average: the plan is re-optimised
//! without the pupil (warm-started from the current plan with the pupil removed, then a
//! short search repairs and improves it), and the saving is the difference in daily cost.
//! Removing one pupil may free a whole vehicle, or save nothing at all.

use crate::plan::{self, Locations, Plan, Warm};
use crate::routing;
use crate::routing::Travel;
use crate::scenario::{Mode, Scenario};
use crate::units::Pence;
use rayon::prelude::*;
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

/// What one offer to one pupil is worth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferValue {
    /// The offer.
    pub offer: Offer,
    /// What the council pays in the first year (PTB payment; ITT training and pass).
    pub cost_first_year: Pence,
    /// What it pays in each later year (PTB payment; ITT pass).
    pub cost_later_years: Pence,
    /// Supply saving less cost, first year.
    pub net_first_year: Pence,
    /// Supply saving less cost, each later year.
    pub net_later_years: Pence,
    /// Net over the years of saving counted per case (policy).
    pub net_per_case: Pence,
    /// Probability the family takes it up (by offer and Values Mode).
    pub uptake: f64,
    /// `uptake × net_per_case`.
    pub expected_per_case: Pence,
}

/// The saving if one pupil leaves the routes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PupilSaving {
    /// Pupil index.
    pub pupil: usize,
    /// Pupil id.
    pub pupil_id: String,
    /// The route the pupil is on in the base plan.
    pub route: String,
    /// Supply-side saving per year, after re-optimising without the pupil.
    pub marginal_per_year: Pence,
    /// The re-optimised plan needs fewer vehicles.
    pub frees_vehicle: bool,
    /// What the pupil costs today on average (their route's cost shared equally).
    pub average_per_year: Pence,
    /// Shortest road distance home → school, metres.
    pub distance_m: i64,
    /// Eligible offers and what they are worth.
    pub offers: Vec<OfferValue>,
}

/// The joint saving of two pupils on one vehicle leaving together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSaving {
    /// Pupil indices.
    pub pupils: (usize, usize),
    /// Joint supply-side saving per year.
    pub joint_per_year: Pence,
    /// Joint minus the two single savings (positive: worth more together).
    pub synergy_per_year: Pence,
}

/// Effort of the estimates.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Search iterations to repair and improve the plan after a removal.
    pub repair_iterations: u64,
    /// Random seed.
    pub seed: u64,
    /// Most pupil pairs evaluated for interactions.
    pub max_pairs: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            repair_iterations: 400,
            seed: 1,
            max_pairs: 300,
        }
    }
}

/// Per-pupil and per-pair savings of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Savings {
    /// One entry per eligible routed pupil.
    pub pupils: Vec<PupilSaving>,
    /// Pairs of eligible pupils sharing a vehicle.
    pub pairs: Vec<PairSaving>,
}

/// The daily cost and vehicles of the school day with `gone` removed (they travel
/// another way): the base plan without them, repaired and improved by a short search,
/// priced with its real afternoons.
fn cost_without(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    warm: &Warm,
    gone: &[usize],
    s: &Settings,
) -> (Pence, usize) {
    let mut sc2 = sc.clone();
    for &p in gone {
        sc2.pupils[p].mode = Mode::Other;
    }
    let settings = routing::Settings {
        time_limit: None,
        iterations: Some(s.repair_iterations),
        threads: 1,
        seed: s.seed,
    };
    let c = plan::compile(&sc2, travel, loc);
    let initial = warm.without(gone).solution(&c);
    let out = routing::solve(&c.problem, &settings, Some(&initial), &|_, _| {});
    (
        plan::solution_cost(&sc2, &c, &out.solution),
        out.solution.routes.len(),
    )
}

/// Routed, eligible pupils with the id of their route in `base`.
fn eligible(sc: &Scenario, base: &Plan) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (r, route) in base.routes.iter().enumerate() {
        if route.am.is_none() {
            continue;
        }
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

/// Estimates every eligible pupil's marginal saving against `base` (and the joint saving
/// of eligible pairs on one vehicle). Each estimate starts from the base plan without the
/// pupil(s) and runs `repair_iterations` of search; estimates run in parallel and are
/// deterministic. `progress(done, total)` is called as they finish.
pub fn estimate(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    base: &Plan,
    s: &Settings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Savings {
    let warm = Warm::from_plan(base);
    let days = sc.policy.school_days as i64;
    // The reference: the base plan, priced the same way as every estimate.
    let (base_cost, base_vehicles) = {
        let c = plan::compile(sc, travel, loc);
        let sol = warm.solution(&c);
        (plan::solution_cost(sc, &c, &sol), sol.routes.len())
    };
    let list = eligible(sc, base);
    let mut pairs_todo = Vec::new();
    for (a, &(i, ri)) in list.iter().enumerate() {
        for &(j, rj) in &list[a + 1..] {
            if ri == rj && pairs_todo.len() < s.max_pairs {
                pairs_todo.push((i, j));
            }
        }
    }
    let total = list.len() + pairs_todo.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(d, total);
    };
    let singles: Vec<(Pence, bool)> = list
        .par_iter()
        .map(|&(i, _)| {
            let (cost, vehicles) = cost_without(sc, travel, loc, &warm, &[i], s);
            tick();
            ((base_cost - cost).max(Pence(0)), vehicles < base_vehicles)
        })
        .collect();
    let joint: Vec<Pence> = pairs_todo
        .par_iter()
        .map(|&(i, j)| {
            let (cost, _) = cost_without(sc, travel, loc, &warm, &[i, j], s);
            tick();
            (base_cost - cost).max(Pence(0))
        })
        .collect();
    let mut pupils = Vec::new();
    for (k, &(i, r)) in list.iter().enumerate() {
        let route = &base.routes[r];
        let average = Pence(route.cost_per_day.0 / route.pupils.len().max(1) as i64) * days;
        let distance_m = travel.dist(loc.home[i] as u32, loc.school[sc.pupils[i].school] as u32);
        let saving = singles[k].0 * days;
        pupils.push(PupilSaving {
            pupil: i,
            pupil_id: sc.pupils[i].id.clone(),
            route: route.id.clone(),
            marginal_per_year: saving,
            frees_vehicle: singles[k].1,
            average_per_year: average,
            distance_m,
            offers: offer_values(sc, i, saving, average, distance_m),
        });
    }
    let single_of = |i: usize| {
        list.iter()
            .position(|x| x.0 == i)
            .map(|k| singles[k].0 * days)
            .unwrap_or_default()
    };
    let pairs = pairs_todo
        .iter()
        .zip(&joint)
        .map(|(&(i, j), &jt)| PairSaving {
            pupils: (i, j),
            joint_per_year: jt * days,
            synergy_per_year: jt * days - single_of(i) - single_of(j),
        })
        .collect();
    Savings { pupils, pairs }
}

/// Checks the fast estimates against thorough re-solves on a sample of pupils. The
/// thorough saving re-optimises with the `full` budget both from scratch and from the
/// base plan without the pupil, keeps the cheaper, and compares it with the base plan
/// given the same budget (so a longer search finding savings unrelated to the pupil
/// does not count). Returns (pupil index, fast estimate, thorough saving), per year.
pub fn check_against_full(
    sc: &Scenario,
    travel: &Arc<Travel>,
    loc: &Locations,
    base: &Plan,
    savings: &Savings,
    sample: usize,
    full: &routing::Settings,
) -> Vec<(usize, Pence, Pence)> {
    let days = sc.policy.school_days as i64;
    let warm = Warm::from_plan(base);
    let best_of = |sc2: &Scenario, w: &Warm| {
        let c = plan::compile(sc2, travel, loc);
        let initial = w.solution(&c);
        let warm_run = routing::solve(&c.problem, full, Some(&initial), &|_, _| {});
        let cold_run = routing::solve(&c.problem, full, None, &|_, _| {});
        plan::solution_cost(sc2, &c, &warm_run.solution).min(plan::solution_cost(
            sc2,
            &c,
            &cold_run.solution,
        ))
    };
    let reference = {
        let c = plan::compile(sc, travel, loc);
        let sol = warm.solution(&c);
        plan::solution_cost(sc, &c, &sol).min(best_of(sc, &warm))
    };
    let step = (savings.pupils.len() / sample.max(1)).max(1);
    let picked: Vec<&PupilSaving> = savings.pupils.iter().step_by(step).take(sample).collect();
    picked
        .par_iter()
        .map(|ps| {
            let mut sc2 = sc.clone();
            sc2.pupils[ps.pupil].mode = Mode::Other;
            let after = best_of(&sc2, &warm.without(&[ps.pupil]));
            (ps.pupil, ps.marginal_per_year, (reference - after) * days)
        })
        .collect()
}

/// One offer to make this term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Priority (1 = first).
    pub priority: usize,
    /// Pupil index.
    pub pupil: usize,
    /// Pupil id.
    pub pupil_id: String,
    /// The offer.
    pub offer: Offer,
    /// Expected net saving over the case (uptake × net per case), with interactions
    /// with pupils chosen before.
    pub expected_per_case: Pence,
    /// Net saving per year if accepted (first year).
    pub net_first_year: Pence,
    /// Uptake probability.
    pub uptake: f64,
    /// Why this pupil, in words.
    pub reason: String,
}

/// Chooses the offers to make under the caseload limits (policy `ptb_caseload`,
/// `itt_caseload`), greedily by expected net saving over the case, one offer per pupil.
/// Interactions: once a pupil is chosen, a pupil sharing their vehicle gains
/// `uptake_a × uptake_b × synergy × years` (both accepting is worth more, or less, than
/// the two apart).
pub fn target(sc: &Scenario, savings: &Savings) -> Vec<Target> {
    let years = sc.policy.years_of_saving.max(1) as f64;
    let mut left = [sc.policy.ptb_caseload, sc.policy.itt_caseload];
    let slot = |o: Offer| match o {
        Offer::Ptb => 0,
        Offer::Itt => 1,
    };
    let mut chosen: Vec<(usize, f64)> = Vec::new(); // (pupil, uptake)
    let mut out: Vec<Target> = Vec::new();
    loop {
        let mut best: Option<(f64, usize, usize, String)> = None;
        for (k, ps) in savings.pupils.iter().enumerate() {
            if chosen.iter().any(|c| c.0 == ps.pupil) {
                continue;
            }
            for (oi, ov) in ps.offers.iter().enumerate() {
                if left[slot(ov.offer)] == 0 {
                    continue;
                }
                let mut gain = ov.expected_per_case.0 as f64;
                let mut partner = None;
                for pair in &savings.pairs {
                    let other = if pair.pupils.0 == ps.pupil {
                        pair.pupils.1
                    } else if pair.pupils.1 == ps.pupil {
                        pair.pupils.0
                    } else {
                        continue;
                    };
                    if let Some(&(_, u)) = chosen.iter().find(|c| c.0 == other) {
                        let g = ov.uptake * u * pair.synergy_per_year.0 as f64 * years;
                        gain += g;
                        if g > 0.0 {
                            partner = Some(other);
                        }
                    }
                }
                if gain <= 0.0 {
                    continue;
                }
                let reason = {
                    let mut r = if ps.frees_vehicle {
                        format!("leaving frees a whole vehicle on {}", ps.route)
                    } else if ps.marginal_per_year.0 > 0 {
                        format!(
                            "saves {} a year of route cost on {}",
                            ps.marginal_per_year, ps.route
                        )
                    } else {
                        format!(
                            "no route saving on {}, but the offer costs less than today",
                            ps.route
                        )
                    };
                    if let Some(o) = partner {
                        r.push_str(&format!("; worth more together with {}", sc.pupils[o].id));
                    }
                    r.push_str(&format!(
                        "; {:.0}% uptake ({:?} family)",
                        100.0 * ov.uptake,
                        sc.pupils[ps.pupil].values_mode
                    ));
                    r
                };
                let better = match &best {
                    None => true,
                    Some((g, bk, boi, _)) => {
                        gain > *g + 1e-9 || ((gain - *g).abs() <= 1e-9 && (k, oi) < (*bk, *boi))
                    }
                };
                if better {
                    best = Some((gain, k, oi, reason));
                }
            }
        }
        let Some((gain, k, oi, reason)) = best else {
            break;
        };
        let ps = &savings.pupils[k];
        let ov = &ps.offers[oi];
        left[slot(ov.offer)] -= 1;
        chosen.push((ps.pupil, ov.uptake));
        out.push(Target {
            priority: out.len() + 1,
            pupil: ps.pupil,
            pupil_id: ps.pupil_id.clone(),
            offer: ov.offer,
            expected_per_case: Pence(gain.round() as i64),
            net_first_year: ov.net_first_year,
            uptake: ov.uptake,
            reason,
        });
    }
    out
}

/// One year of the projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRow {
    /// Year (1 = this year).
    pub year: u32,
    /// Expected pupils moving to PTB this year.
    pub ptb_moved: f64,
    /// Expected pupils moving to ITT this year.
    pub itt_moved: f64,
    /// Expected net saving from this year's cases in their first year.
    pub in_year: Pence,
    /// Expected net saving from earlier years' cases still counted.
    pub from_earlier: Pence,
    /// `in_year + from_earlier`.
    pub total: Pence,
}

/// The multi-year projection, in the shape councils use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// Years of saving counted per case.
    pub years_per_case: u32,
    /// One row per year.
    pub rows: Vec<YearRow>,
    /// Sum over the years.
    pub total: Pence,
}

/// Projects `years` years assuming the same offers are made each year with the same
/// expected results (this term's list as the yearly cohort), each case saving for the
/// policy's `years_of_saving` years: the first year at its first-year net, later years
/// at the later-year net.
pub fn project(sc: &Scenario, savings: &Savings, targets: &[Target], years: u32) -> Projection {
    let per_case = sc.policy.years_of_saving.max(1);
    let value = |t: &Target| {
        savings
            .pupils
            .iter()
            .find(|p| p.pupil == t.pupil)
            .and_then(|p| p.offers.iter().find(|o| o.offer == t.offer))
    };
    let mut first = 0f64;
    let mut later = 0f64;
    let (mut ptb, mut itt) = (0.0, 0.0);
    for t in targets {
        if let Some(v) = value(t) {
            first += v.uptake * v.net_first_year.0 as f64;
            later += v.uptake * v.net_later_years.0 as f64;
            match t.offer {
                Offer::Ptb => ptb += v.uptake,
                Offer::Itt => itt += v.uptake,
            }
        }
    }
    let (first, later) = (Pence(first.round() as i64), Pence(later.round() as i64));
    let mut rows = Vec::new();
    let mut total = Pence(0);
    for y in 1..=years {
        // Cohorts from earlier years still counted: those started within years_per_case.
        let earlier = (y - 1).min(per_case - 1) as i64;
        let row = YearRow {
            year: y,
            ptb_moved: ptb,
            itt_moved: itt,
            in_year: first,
            from_earlier: later * earlier,
            total: first + later * earlier,
        };
        total += row.total;
        rows.push(row);
    }
    Projection {
        years_per_case: per_case,
        rows,
        total,
    }
}
