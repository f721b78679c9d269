//! 2-opt*: exchange the tails of two routes' trips, so that a job is followed by a
//! neighbour. For pickup-and-delivery trips the cuts must leave nobody on board (a run
//! ends, another begins), which makes it the move that chains runs: the end of one
//! vehicle's run joined to the start of another's. Screened in O(1) from the segments;
//! the few promising exchanges are then checked against every rule.

use super::{Ctx, Move, MoveKind, Operator};
use crate::routing::evaluate::route_feasible;
use crate::routing::problem::{Problem, StopKind};
use crate::routing::route::{Trip, segment_feasible, trip_cost};
use crate::routing::solution::Solution;

/// The 2-opt* operator.
#[derive(Debug, Default)]
pub struct TwoOptStar;

/// Neighbours tried per job.
const NEIGHBOURS: usize = 15;

/// Nobody on board after the first `pos` stops of a trip: every pair picked up there is
/// also delivered there.
fn clean_cut(p: &Problem, t: &Trip, pos: usize) -> bool {
    let mut open = 0i32;
    for &s in &t.stops[..pos] {
        match p.stops[s as usize].kind {
            StopKind::Pickup => open += 1,
            StopKind::Delivery => open -= 1,
            StopKind::Visit => {}
        }
    }
    open == 0
}

/// The change in split partners when the jobs of `tail_a` move to route `r2` and those
/// of `tail_b` to route `r1`.
fn split_delta(
    p: &Problem,
    sol: &Solution,
    r1: usize,
    r2: usize,
    tail_a: &[u32],
    tail_b: &[u32],
) -> i64 {
    if p.split_cost == 0 {
        return 0;
    }
    let job = |s: &u32| p.stops[*s as usize].job;
    let new_route = |x: u32| -> Option<usize> {
        if tail_a.iter().any(|s| job(s) == x) {
            Some(r2)
        } else if tail_b.iter().any(|s| job(s) == x) {
            Some(r1)
        } else {
            sol.route_of(x)
        }
    };
    let mut delta = 0;
    for x in tail_a.iter().chain(tail_b).map(job) {
        let Some(q) = p.jobs[x as usize].partner else {
            continue;
        };
        let (Some(ox), Some(oq)) = (sol.route_of(x), sol.route_of(q)) else {
            continue;
        };
        let moved_q = tail_a.iter().chain(tail_b).any(|s| job(s) == q);
        if moved_q && q < x {
            continue;
        }
        let before = ox != oq;
        let after = new_route(x) != new_route(q);
        delta += p.split_cost * (i64::from(after) - i64::from(before));
    }
    delta
}

impl Operator for TwoOptStar {
    fn name(&self) -> &'static str {
        "2-opt*"
    }

    fn supports(&self, p: &Problem) -> bool {
        p.single_part_jobs() && p.vehicles.windows(2).all(|w| w[0].end == w[1].end)
    }

    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, job: u32) -> Option<Move> {
        let p = ctx.p;
        let r1 = sol.route_of(job)?;
        let j = &p.jobs[job as usize];
        let t = j.parts.iter().position(Option::is_some)?;
        let part = j.parts[t]?;
        for &other in p.near_jobs(job).iter().take(NEIGHBOURS) {
            let Some(r2) = sol.route_of(other) else {
                continue;
            };
            if r2 == r1 {
                continue;
            }
            let Some(opart) = p.jobs[other as usize].parts[t] else {
                continue;
            };
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            let (ta, tb) = (&a.trips[t], &b.trips[t]);
            // Cut `a` after the job's last stop, `b` before the neighbour's first.
            let (Some(i), Some(k)) = (
                ta.stops.iter().position(|&s| s == part.last),
                tb.stops.iter().position(|&s| s == opart.first),
            ) else {
                continue;
            };
            let (va, vb) = (a.vehicle, b.vehicle);
            let (ul, vl) = (
                p.stops[part.last as usize].loc,
                p.stops[opart.first as usize].loc,
            );
            // New a: a[..=i] + b[k..]; new b: b[..k] + a[i+1..].
            let d1 = ta.fwd_dur(i + 1).then(tb.bwd_dur(k), p.time(ul, vl));
            let l1 = ta.fwd_load(i + 1).then(tb.bwd_load(k));
            let (bl, al) = (tb.loc_before(p, vb, k), ta.loc_at(p, va, i + 1));
            let d2 = tb.fwd_dur(k).then(ta.bwd_dur(i + 1), p.time(bl, al));
            let l2 = tb.fwd_load(k).then(ta.bwd_load(i + 1));
            if !segment_feasible(p, va, &d1, &l1, a.assistant_jobs > 0)
                || !segment_feasible(p, vb, &d2, &l2, b.assistant_jobs > 0)
            {
                continue;
            }
            let n1 = i + 1 + (tb.len() - k);
            let n2 = k + (ta.len() - i - 1);
            let dist1 = ta.dist_to(i + 1) + p.dist(ul, vl) + tb.dist_from(k);
            let dist2 = tb.dist_to(k) + p.dist(bl, al) + ta.dist_from(i + 1);
            let screen = trip_cost(p, va, n1, dist1, d1.duration)
                + trip_cost(p, vb, n2, dist2, d2.duration)
                - trip_cost(p, va, ta.len(), ta.distance, ta.duration)
                - trip_cost(p, vb, tb.len(), tb.distance, tb.duration);
            if screen >= 0 || !clean_cut(p, ta, i + 1) || !clean_cut(p, tb, k) {
                continue;
            }
            // Promising: build both routes and check every rule.
            let mut na = (**a).clone();
            let mut nb = (**b).clone();
            na.trips[t].stops.truncate(i + 1);
            na.trips[t].stops.extend_from_slice(&tb.stops[k..]);
            nb.trips[t].stops.truncate(k);
            nb.trips[t].stops.extend_from_slice(&ta.stops[i + 1..]);
            na.update_trip(p, t);
            nb.update_trip(p, t);
            if !route_feasible(&mut ctx.ws, p, &na) || !route_feasible(&mut ctx.ws, p, &nb) {
                continue;
            }
            let delta = na.cost + nb.cost - a.cost - b.cost
                + split_delta(p, sol, r1, r2, &ta.stops[i + 1..], &tb.stops[k..]);
            if delta < 0 {
                return Some(Move {
                    delta,
                    kind: MoveKind::Replace(vec![(r1, na), (r2, nb)]),
                });
            }
        }
        None
    }
}
