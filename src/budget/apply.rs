//! A variant applied to a scenario in memory: `scenario.toml` values, price uplifts, the
//! fleet, and one sample of demand (new pupils drawn from the scenario's own cohort,
//! leavers drawn from it).

use super::variants::Variant;
use crate::rng::{Rng, derive};
use crate::scenario::Scenario;
use crate::scenario::settings::{self, Settings};
use crate::units::Pence;

/// What a demand sample did to the cohort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Demand {
    /// Pupils added.
    pub added: usize,
    /// Pupils who left.
    pub left: usize,
}

/// Places a new pupil's home near `(lat, lon)`, on a road: the point, drawn with `rng`.
pub type PlaceHome<'a> = &'a (dyn Fn(f64, f64, &mut Rng) -> (f64, f64) + Sync);

fn scaled(p: Pence, factor: f64) -> Pence {
    Pence((p.0 as f64 * factor).round() as i64)
}

/// The variant's scenario. `demand_seed` draws the demand sample: the same seed gives
/// the same new pupils (and leavers) in every variant with the same percentages, and a
/// smaller growth's new pupils are the first ones of a larger growth's, so variants
/// compare on common random numbers.
pub fn apply(
    base: &Scenario,
    v: &Variant,
    demand_seed: u64,
    place: PlaceHome,
) -> (Scenario, Demand) {
    let mut sc = base.clone();
    // scenario.toml values, through the same key table that reads the file.
    let mut s = Settings {
        name: sc.name.clone(),
        osm: sc.osm.clone(),
        policy: sc.policy.clone(),
        solver: sc.solver.clone(),
        tender: sc.tender.clone(),
        in_house: Vec::new(),
    };
    for (key, value) in &v.settings {
        settings::apply(&mut s, key, value);
    }
    (sc.policy, sc.solver, sc.tender) = (s.policy, s.solver, s.tender);
    uplift(&mut sc, v);
    for &(t, count) in &v.fleet {
        sc.vehicles[t].available = count.apply(sc.vehicles[t].available);
    }
    if !v.in_house.is_empty() {
        sc.tender.in_house.resize(sc.vehicles.len(), 0);
        for &(t, count) in &v.in_house {
            sc.tender.in_house[t] = count.apply(Some(sc.tender.in_house[t])).unwrap_or(0);
        }
    }
    let demand = demand(&mut sc, base, v, demand_seed, place);
    (sc, demand)
}

/// Price uplifts: every price times (1 + all) × (1 + the operator's) × (1 + the vehicle
/// type's), each rounded to the penny.
fn uplift(sc: &mut Scenario, v: &Variant) {
    let all = 1.0 + v.price_uplift_pct / 100.0;
    let op = |o: usize| {
        v.operator_uplift_pct
            .iter()
            .filter(|x| x.0 == o)
            .fold(1.0, |f, x| f * (1.0 + x.1 / 100.0))
    };
    let vt = |t: usize| {
        v.vehicle_uplift_pct
            .iter()
            .filter(|x| x.0 == t)
            .fold(1.0, |f, x| f * (1.0 + x.1 / 100.0))
    };
    if all == 1.0 && v.operator_uplift_pct.is_empty() && v.vehicle_uplift_pct.is_empty() {
        return;
    }
    for (t, ty) in sc.vehicles.iter_mut().enumerate() {
        let f = all * vt(t);
        ty.day_rate = scaled(ty.day_rate, f);
        ty.per_km = scaled(ty.per_km, f);
        ty.per_min = scaled(ty.per_min, f);
    }
    for r in &mut sc.rates {
        let f = all * op(r.operator) * vt(r.vehicle);
        r.day_rate = scaled(r.day_rate, f);
        r.per_km = scaled(r.per_km, f);
        r.per_min = scaled(r.per_min, f);
    }
    for b in &mut sc.bids {
        b.price_per_day = scaled(b.price_per_day, all * op(b.operator));
    }
    for r in &mut sc.current_routes {
        r.price_per_day = scaled(r.price_per_day, all * op(r.operator) * vt(r.vehicle));
    }
    sc.policy.assistant_day_cost = scaled(sc.policy.assistant_day_cost, all);
}

/// Draws the demand sample: new pupils, each a copy of a pupil drawn from the cohort
/// (needs, school, phase, arrangement, eligibility) living near them on a road, then
/// leavers drawn from the cohort. Today's routes lose their leavers; one left with no
/// pupil is dropped (its contract would end).
fn demand(sc: &mut Scenario, base: &Scenario, v: &Variant, seed: u64, place: PlaceHome) -> Demand {
    let n = base.pupils.len();
    if n == 0 || !v.changes_demand() {
        return Demand::default();
    }
    let adds = (n as f64 * v.growth_pct / 100.0).round() as usize;
    let leaves = ((n as f64 * v.leavers_pct / 100.0).round() as usize).min(n.saturating_sub(1));
    let mut rng = Rng::new(derive(seed, &[1]));
    let mut taken: std::collections::HashSet<String> =
        base.pupils.iter().map(|p| p.id.clone()).collect();
    let mut next = 0usize;
    for _ in 0..adds {
        let donor = &base.pupils[rng.below(n)];
        let mut p = donor.clone();
        (p.lat, p.lon) = place(donor.lat, donor.lon, &mut rng);
        p.incompatible_with.clear();
        p.id = loop {
            next += 1;
            let id = format!("NEW{next:04}");
            if taken.insert(id.clone()) {
                break id;
            }
        };
        sc.pupils.push(p);
    }
    // Leavers from the scenario's own cohort (not the new pupils): a partial shuffle.
    let mut rng = Rng::new(derive(seed, &[2]));
    let mut order: Vec<usize> = (0..n).collect();
    for k in 0..leaves {
        let j = k + rng.below(n - k);
        order.swap(k, j);
    }
    let mut gone = vec![false; sc.pupils.len()];
    for &i in &order[..leaves] {
        gone[i] = true;
    }
    remove_pupils(sc, &gone);
    Demand {
        added: adds,
        left: leaves,
    }
}

/// Removes the pupils marked `gone`, renumbering every reference to the others.
pub fn remove_pupils(sc: &mut Scenario, gone: &[bool]) {
    if !gone.iter().any(|g| *g) {
        return;
    }
    let mut new_index = vec![usize::MAX; gone.len()];
    let mut k = 0;
    for (i, g) in gone.iter().enumerate() {
        if !g {
            new_index[i] = k;
            k += 1;
        }
    }
    let keep = |i: &usize| !gone[*i];
    let mut i = 0;
    sc.pupils.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
    for p in &mut sc.pupils {
        p.incompatible_with.retain(keep);
        for j in &mut p.incompatible_with {
            *j = new_index[*j];
        }
    }
    for r in &mut sc.current_routes {
        r.pupils.retain(keep);
        for j in &mut r.pupils {
            *j = new_index[*j];
        }
    }
    sc.current_routes.retain(|r| !r.pupils.is_empty());
}
