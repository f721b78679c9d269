//! Contract allocation (retendering) and route recombination, as integer programmes
//! solved by HiGHS through good_lp. This is the only module that knows the MIP solver.
//!
//! # The tender formulation
//!
//! **Sets.** Routes `R` (vehicle-days of a plan); suppliers `S` (operators, plus the
//! council's own fleet `IN-HOUSE` when `[tender.in_house]` lists vehicles); vehicle types
//! `V`; offers `K ⊆ R × S × V`: supplier `s` can run route `r` with a type `v` that fits
//! it (seats ≥ the route's busiest seat count with the assistant, wheelchair spaces ≥ its
//! busiest wheelchair count). An offer's price `c_k` per day is the operator's bid for the
//! route (`bids.csv`, on the planned type) or else its rate card (`rates.csv`: day rate +
//! per km × km + per minute × minutes of the AM and PM runs), or for the in-house fleet
//! the council's own costs (`vehicles.csv`) plus `in_house_overhead_pct`. Types dearer
//! than a cheaper type the supplier has without a fleet limit are dropped (dominated).
//! Bundles `B`: supplier `s_b`, covered routes `R_b` (a listed set or all routes of a
//! school), discount `π_b`.
//!
//! **Variables.** `x_k ∈ {0,1}` offer `k` is awarded; `z_b ∈ {0,1}` bundle `b` is won;
//! `y_{b,k} ∈ [0,1]` bundle `b` discounts offer `k`; `w_s ∈ {0,1}` operator `s` wins
//! work (only when a minimum number of operators is set).
//!
//! **Constraints.**
//! 1. Each route exactly one supplier: `Σ_{k∈K(r)} x_k = 1` for all `r`.
//! 2. Fleet: `Σ_{k∈K(s,v)} x_k ≤ fleet_{s,v}` where the supplier states a limit.
//! 3. Route limit: `Σ_{k∈K(s)} x_k ≤ max_routes_s`.
//! 4. Share cap (operators only): `Σ_{k∈K(s)} x_k ≤ ⌊max_share · |R|⌋`.
//! 5. Minimum operators: `w_s ≤ Σ_{k∈K(s)} x_k`, `Σ_s w_s ≥ min_operators`.
//! 6. Bundles: for every covered route `r ∈ R_b`, `Σ_{k∈K(r,s_b)} y_{b,k} = z_b` with
//!    `y_{b,k} ∈ [0,1]`, and for every offer `Σ_b y_{b,k} ≤ x_k`. So `z_b = 1` only if
//!    `s_b` wins every covered route, `y` then marks the awarded offers, and a route
//!    carries at most one bundle's discount. The discount is `Σ_b Σ_k π_b c_k y_{b,k}`;
//!    no big-M, so the LP relaxation stays tight.
//!
//! Rows 2–4 are left out when they cannot bind (the supplier could not win more routes).
//!
//! **Objective.** Minimise `Σ_k c_k x_k − Σ_b Σ_k π_b c_k y_{b,k}` (£ per school day).
//!
//! **Infeasibility.** Rows 1–5 are elastic: row 1 has an "unsupplied" variable and rows
//! 2–5 a slack, each with a penalty far above any price (unsupplied ten times dearer than
//! a unit of slack). The model is always solvable; if any penalty variable is used, the
//! tender has no allocation and the slacks name the constraints that are short and by how
//! much ("OP2's wav fleet (12 vehicle(s)) is 2 route(s) short").
//!
//! **Bounds.** The same model with `x, z, w ∈ [0,1]` gives the LP-relaxation bound;
//! HiGHS's best bound gives the proven gap of the MIP (solved to a relative gap of 1e-7).
//!
//! # Route recombination
//!
//! [`partition::HighsPartitioner`] solves the set-partitioning problem over a pool of
//! routes collected by the search (see [`crate::routing::SetPartitioner`]).

mod mip;
pub mod partition;
mod sensitivity;
mod solve;
pub mod stability;
mod tender;

pub use mip::MipError;
pub use sensitivity::{Sensitivity, sensitivity};
pub use solve::{TenderError, greedy, solve};
pub use tender::{
    Award, Infeasible, Limit, Offer, Source, Supplier, Tender, TenderBundle, TenderRoute,
    TenderSettings,
};

use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::units::Pence;
use serde::Serialize;
use std::collections::BTreeMap;

/// Reads a plan's vehicle-days as tender routes: the peak seats (with the assistant) and
/// wheelchair spaces on board, the metres and seconds of each half of the day, schools and
/// pupils.
pub fn routes_from_plan(sc: &Scenario, plan: &Plan) -> Vec<TenderRoute> {
    plan.routes
        .iter()
        .map(|r| {
            let (mut seats, mut wheelchairs) = (0u32, 0u32);
            let mut schools = Vec::new();
            let mut halves = Vec::new();
            for (_, h) in r.halves() {
                halves.push(crate::plan::pricing::Engaged::from(h));
                let (mut s, mut w) = (0i64, 0i64);
                for stop in &h.stops {
                    let pupil = &sc.pupils[stop.pupil];
                    let sign = if stop.event == crate::plan::Event::Pickup {
                        1
                    } else {
                        -1
                    };
                    if pupil.wheelchair {
                        w += sign;
                    } else {
                        s += sign;
                    }
                    seats = seats.max(s.max(0) as u32);
                    wheelchairs = wheelchairs.max(w.max(0) as u32);
                    if !schools.contains(&pupil.school) {
                        schools.push(pupil.school);
                    }
                }
            }
            TenderRoute {
                id: r.id.clone(),
                vehicle: r.vehicle,
                seats: seats + u32::from(r.assistant),
                wheelchairs,
                halves,
                assistant: r.assistant,
                schools,
                pupils: r.pupils.clone(),
            }
        })
        .collect()
}

/// One line of a cost comparison: today's contracts against the award, both per day and
/// including passenger assistants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Route, school or operator id, or `total`.
    pub key: String,
    /// Routes today (for operators) or pupils (for routes and schools).
    pub current_count: usize,
    /// Routes after the tender (for operators) or pupils.
    pub new_count: usize,
    /// Today's cost per day.
    pub current_per_day: Pence,
    /// Cost per day after the tender.
    pub new_per_day: Pence,
}

/// Comparisons of the award with today's contracts (`current_routes.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparisons {
    /// Per new route: its award price against what its pupils cost today.
    pub routes: Vec<Comparison>,
    /// Per school, costs shared between a route's pupils equally.
    pub schools: Vec<Comparison>,
    /// Per operator (and in-house): today's contracts against the award.
    pub operators: Vec<Comparison>,
    /// Everything.
    pub total: Comparison,
}

/// Compares the award with today's contracts. A route's cost (price plus the assistant's
/// day cost) is shared equally between its pupils to attribute it to routes and schools.
pub fn compare(sc: &Scenario, t: &Tender, award: &Award) -> Comparisons {
    let pa = sc.policy.assistant_day_cost;
    let share = |cost: Pence, n: usize| -> f64 { cost.0 as f64 / n.max(1) as f64 };
    let mut current_of_pupil = vec![0.0f64; sc.pupils.len()];
    let mut current_by_op: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    let mut current_total = Pence(0);
    for cr in &sc.current_routes {
        let cost = cr.price_per_day + if cr.assistant { pa } else { Pence(0) };
        current_total += cost;
        for &p in &cr.pupils {
            current_of_pupil[p] += share(cost, cr.pupils.len());
        }
        let e = current_by_op
            .entry(sc.operators[cr.operator].id.clone())
            .or_default();
        e.0 += 1;
        e.1 += cost.0;
    }
    let mut new_of_pupil = vec![0.0f64; sc.pupils.len()];
    let mut routes = Vec::new();
    let mut new_by_op: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    let mut new_total = Pence(0);
    // A pupil carried by two routes (morning and afternoon on different vehicles) has
    // today's cost shared between them, so no pupil is counted twice.
    let mut routes_of_pupil = vec![0usize; sc.pupils.len()];
    for route in &t.routes {
        for &p in &route.pupils {
            routes_of_pupil[p] += 1;
        }
    }
    for (r, route) in t.routes.iter().enumerate() {
        let cost = award.price[r] + if route.assistant { pa } else { Pence(0) };
        new_total += cost;
        for &p in &route.pupils {
            new_of_pupil[p] += share(cost, route.pupils.len());
        }
        let today: f64 = route
            .pupils
            .iter()
            .map(|&p| current_of_pupil[p] / routes_of_pupil[p].max(1) as f64)
            .sum();
        routes.push(Comparison {
            key: route.id.clone(),
            current_count: route.pupils.len(),
            new_count: route.pupils.len(),
            current_per_day: Pence(today.round() as i64),
            new_per_day: cost,
        });
        let e = new_by_op
            .entry(t.suppliers[t.offers[award.choice[r]].supplier].id.clone())
            .or_default();
        e.0 += 1;
        e.1 += cost.0;
    }
    let schools = sc
        .schools
        .iter()
        .enumerate()
        .filter_map(|(s, school)| {
            let ps: Vec<usize> = (0..sc.pupils.len())
                .filter(|&p| sc.pupils[p].school == s)
                .collect();
            let cur: f64 = ps.iter().map(|&p| current_of_pupil[p]).sum();
            let new: f64 = ps.iter().map(|&p| new_of_pupil[p]).sum();
            let n_cur = ps.iter().filter(|&&p| current_of_pupil[p] > 0.0).count();
            let n_new = ps.iter().filter(|&&p| new_of_pupil[p] > 0.0).count();
            (n_cur + n_new > 0).then(|| Comparison {
                key: school.id.clone(),
                current_count: n_cur,
                new_count: n_new,
                current_per_day: Pence(cur.round() as i64),
                new_per_day: Pence(new.round() as i64),
            })
        })
        .collect();
    let mut keys: Vec<String> = current_by_op
        .keys()
        .chain(new_by_op.keys())
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    let operators = keys
        .into_iter()
        .map(|k| {
            let c = current_by_op.get(&k).copied().unwrap_or_default();
            let n = new_by_op.get(&k).copied().unwrap_or_default();
            Comparison {
                key: k,
                current_count: c.0,
                new_count: n.0,
                current_per_day: Pence(c.1),
                new_per_day: Pence(n.1),
            }
        })
        .collect();
    Comparisons {
        routes,
        schools,
        operators,
        total: Comparison {
            key: "total".into(),
            current_count: sc.current_routes.len(),
            new_count: t.routes.len(),
            current_per_day: current_total,
            new_per_day: new_total,
        },
    }
}
