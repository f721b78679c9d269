//! Which families to talk to first under the caseloads, and the multi-year projection:
//! both from the same per-pupil figures, pair synergies included.

use super::{Offer, Savings};
use crate::scenario::Scenario;
use crate::units::Pence;
use serde::Serialize;

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
    /// Expected synergy a year with the pupils chosen before: for each partner sharing
    /// the vehicle, both uptakes × the pair's synergy (counted in `expected_per_case` and
    /// in the projection alike).
    pub synergy_per_year: Pence,
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
        let mut best: Option<(f64, usize, usize, String, f64)> = None;
        for (k, ps) in savings.pupils.iter().enumerate() {
            if chosen.iter().any(|c| c.0 == ps.pupil) {
                continue;
            }
            for (oi, ov) in ps.offers.iter().enumerate() {
                if left[slot(ov.offer)] == 0 {
                    continue;
                }
                let mut gain = ov.expected_per_case.0 as f64;
                let mut synergy = 0.0;
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
                        let per_year = ov.uptake * u * pair.synergy_per_year.0 as f64;
                        let g = per_year * years;
                        synergy += per_year;
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
                    Some((g, bk, boi, _, _)) => {
                        gain > *g + 1e-9 || ((gain - *g).abs() <= 1e-9 && (k, oi) < (*bk, *boi))
                    }
                };
                if better {
                    best = Some((gain, k, oi, reason, synergy));
                }
            }
        }
        let Some((gain, k, oi, reason, synergy)) = best else {
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
            synergy_per_year: Pence(synergy.round() as i64),
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
/// at the later-year net, each with the expected pair synergy the targeting counted.
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
            // The same figures as the targeting: each offer's expected net, and the
            // expected synergy with the partners chosen before it.
            first += v.uptake * v.net_first_year.0 as f64 + t.synergy_per_year.0 as f64;
            later += v.uptake * v.net_later_years.0 as f64 + t.synergy_per_year.0 as f64;
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

/// The first year of the targets' expected saving in two parts: route savings (with the
/// expected synergies), and what the offers cost. `in_year` of the projection's first
/// row is their difference.
pub fn year1_parts(savings: &Savings, targets: &[Target]) -> (Pence, Pence) {
    let mut routes = 0f64;
    let mut costs = 0f64;
    for t in targets {
        let Some(v) = savings
            .pupils
            .iter()
            .find(|p| p.pupil == t.pupil)
            .and_then(|p| p.offers.iter().find(|o| o.offer == t.offer))
        else {
            continue;
        };
        routes += v.uptake * (v.net_first_year + v.cost_first_year).0 as f64
            + t.synergy_per_year.0 as f64;
        costs += v.uptake * v.cost_first_year.0 as f64;
    }
    (Pence(routes.round() as i64), Pence(costs.round() as i64))
}
