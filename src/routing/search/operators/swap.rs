//! Swap: exchange two single-visit jobs of different routes, each taking the other's
//! place, priced in O(1) from the trips' segments. Only for problems of plain visits
//! (CVRP, VRPTW), where no route-level rule can be broken by an exchange.

use super::{Ctx, Move, MoveKind, Operator};
use crate::routing::problem::Problem;
use crate::routing::route::{Route, Trip, segment_feasible, trip_cost};
use crate::routing::solution::Solution;

/// The swap operator.
#[derive(Debug, Default)]
pub struct Swap;

/// Neighbours tried per job.
const NEIGHBOURS: usize = 15;

/// The trip cost after replacing the stop at `pos` by `x`, or `None` if infeasible.
fn replaced(p: &Problem, v: usize, t: &Trip, pos: usize, x: u32) -> Option<i64> {
    let loc = p.stops[x as usize].loc;
    let (a, b) = (t.loc_before(p, v, pos), t.loc_at(p, v, pos + 1));
    let dur = t
        .fwd_dur(pos)
        .then(&p.stop_duration(x), p.time(a, loc))
        .then(t.bwd_dur(pos + 1), p.time(loc, b));
    let load = t
        .fwd_load(pos)
        .then(&p.stop_load(x))
        .then(t.bwd_load(pos + 1));
    if !segment_feasible(p, v, &dur, &load, false) {
        return None;
    }
    let old = p.stops[t.stops[pos] as usize].loc;
    let dist = t.distance - p.dist(a, old) - p.dist(old, b) + p.dist(a, loc) + p.dist(loc, b);
    Some(trip_cost(p, v, t.len(), dist, dur.duration))
}

impl Operator for Swap {
    fn name(&self) -> &'static str {
        "swap"
    }

    fn supports(&self, p: &Problem) -> bool {
        p.single_visits() && p.trips == 1
    }

    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, job: u32) -> Option<Move> {
        let p = ctx.p;
        let r1 = sol.route_of(job)?;
        let u = p.jobs[job as usize].stops[0];
        for &other in p.near_jobs(job).iter().take(NEIGHBOURS) {
            let Some(r2) = sol.route_of(other) else {
                continue;
            };
            if r2 == r1 {
                continue;
            }
            let v = p.jobs[other as usize].stops[0];
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            let (ta, tb) = (&a.trips[0], &b.trips[0]);
            let (Some(i), Some(j)) = (
                ta.stops.iter().position(|&s| s == u),
                tb.stops.iter().position(|&s| s == v),
            ) else {
                continue;
            };
            let (Some(c1), Some(c2)) = (
                replaced(p, a.vehicle, ta, i, v),
                replaced(p, b.vehicle, tb, j, u),
            ) else {
                continue;
            };
            let old = trip_cost(p, a.vehicle, ta.len(), ta.distance, ta.duration)
                + trip_cost(p, b.vehicle, tb.len(), tb.distance, tb.duration);
            let delta = c1 + c2 - old;
            if delta < 0 {
                let mut s1 = ta.stops.clone();
                let mut s2 = tb.stops.clone();
                s1[i] = v;
                s2[j] = u;
                let na = Route::with_trips(p, a.vehicle, &[s1]);
                let nb = Route::with_trips(p, b.vehicle, &[s2]);
                return Some(Move {
                    delta,
                    kind: MoveKind::Replace(vec![(r1, na), (r2, nb)]),
                });
            }
        }
        None
    }
}
