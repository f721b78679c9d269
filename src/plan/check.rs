//! The plan-level checker: every pupil accounted for exactly once (routed with exactly one
//! morning and one afternoon journey, or not routed with a specific reason), journeys in
//! the right order between the right places, continuity kept, and every cost equal to the
//! one pricing function's. A plan that fails is an error, never an output.

use super::model::{Event, Half, Place, Plan, Reason};
use super::pricing::planned_route_cost;
use crate::scenario::{Continuity, Mode, Scenario};
use crate::units::Pence;

/// Everything wrong with a plan, in words (empty: the plan is sound).
pub fn check(sc: &Scenario, plan: &Plan) -> Vec<String> {
    let mut bad = Vec::new();
    let n = sc.pupils.len();
    // Per pupil and half: (route, pickups, drop-offs, pickup time, drop-off time).
    type Seen = (usize, Event, Place, i64);
    let mut seen: Vec<[Vec<Seen>; 2]> = vec![[Vec::new(), Vec::new()]; n];
    let mut total = Pence(0);
    for (k, r) in plan.routes.iter().enumerate() {
        if r.vehicle >= sc.vehicles.len() {
            bad.push(format!("route {}: unknown vehicle type", r.id));
            continue;
        }
        for (half, h) in r.halves() {
            for s in &h.stops {
                if s.pupil >= n {
                    bad.push(format!("route {}: unknown pupil #{}", r.id, s.pupil));
                    continue;
                }
                if s.school != sc.pupils[s.pupil].school {
                    bad.push(format!(
                        "route {}: pupil {} taken to another school",
                        r.id, sc.pupils[s.pupil].id
                    ));
                }
                let slot = match half {
                    Half::Am => 0,
                    Half::Pm => 1,
                };
                seen[s.pupil][slot].push((k, s.event, s.place, s.time_s));
            }
            if h.stops.windows(2).any(|w| w[1].time_s < w[0].time_s) {
                bad.push(format!("route {}: stops out of time order", r.id));
            }
        }
        let expected = planned_route_cost(sc, r);
        if r.cost_per_day != expected {
            bad.push(format!(
                "route {}: costed {} a day, the pricing function says {}",
                r.id, r.cost_per_day, expected
            ));
        }
        total += r.cost_per_day;
    }
    if total != plan.cost_per_day {
        bad.push(format!(
            "the plan's daily cost {} is not the sum of its routes' {}",
            plan.cost_per_day, total
        ));
    }
    if plan.cost_per_year != plan.cost_per_day * sc.policy.school_days as i64 {
        bad.push("the yearly cost is not the daily cost × school days".into());
    }
    let mut listed = vec![0usize; n];
    for u in &plan.unrouted {
        if u.pupil >= n {
            bad.push(format!("unrouted: unknown pupil #{}", u.pupil));
            continue;
        }
        listed[u.pupil] += 1;
        let by_mode = match sc.pupils[u.pupil].mode {
            Mode::Route => None,
            Mode::Ptb => Some(Reason::ModePtb),
            Mode::Itt => Some(Reason::ModeItt),
            Mode::Other => Some(Reason::ModeOther),
        };
        if by_mode.is_some_and(|m| m != u.reason)
            || (by_mode.is_none() && u.reason.is_arrangement())
        {
            bad.push(format!(
                "pupil {}: listed as {} but travels by mode {:?}",
                sc.pupils[u.pupil].id,
                u.reason.code(),
                sc.pupils[u.pupil].mode
            ));
        }
    }
    for (i, p) in sc.pupils.iter().enumerate() {
        let [am, pm] = &seen[i];
        let routed = !am.is_empty() || !pm.is_empty();
        match (routed, listed[i]) {
            (false, 1) => continue,
            (true, 0) => {}
            (r, l) => {
                bad.push(format!(
                    "pupil {}: {} and listed as not routed {l} time(s)",
                    p.id,
                    if r { "on a route" } else { "on no route" }
                ));
                continue;
            }
        }
        for (half, stops, from, to) in [
            ("morning", am, Place::Home, Place::School),
            ("afternoon", pm, Place::School, Place::Home),
        ] {
            let ok = stops.len() == 2
                && stops[0].0 == stops[1].0
                && stops[0].1 == Event::Pickup
                && stops[1].1 == Event::Dropoff
                && stops[0].2 == from
                && stops[1].2 == to
                && stops[0].3 <= stops[1].3;
            if !ok {
                bad.push(format!(
                    "pupil {}: the {half} journey is not exactly one pickup at {} then one drop-off at {}",
                    p.id,
                    from.word(),
                    to.word()
                ));
            }
        }
        if plan.continuity == Continuity::SameVehicle
            && am.len() == 2
            && pm.len() == 2
            && am[0].0 != pm[0].0
        {
            bad.push(format!(
                "pupil {}: comes home on another vehicle, against continuity same_vehicle",
                p.id
            ));
        }
    }
    bad
}
