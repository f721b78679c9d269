//! Recreate: put unassigned jobs back, greedily at their cheapest verified place (SISR's
//! orders and blinks), or by regret-2 on small problems. A new vehicle of every type with
//! room is always among the candidates, so every job that fits a vehicle of its own is
//! placed.

use super::operators::Ctx;
use crate::routing::evaluate::{Insertion, Target, best_in, best_insertion, near_routes};
use crate::routing::solution::Solution;

/// Probability of skipping a position (SISR's blinks).
pub const BLINK: f64 = 0.01;

/// Inserts `jobs` one by one at their cheapest place, in one of SISR's orders (random,
/// larger demand first, far from the depot first, near first; weights 4/4/2/1).
pub fn greedy(
    ctx: &mut Ctx,
    sol: &mut Solution,
    mut jobs: Vec<u32>,
    blink: f64,
    routes: &mut Vec<usize>,
) {
    let p = ctx.p;
    jobs.sort_unstable();
    for i in (1..jobs.len()).rev() {
        let k = ctx.rng.below(i + 1);
        jobs.swap(i, k);
    }
    let demand = |j: u32| -> i32 {
        let s = &p.stops[p.jobs[j as usize].stops[0] as usize];
        s.delivery
            .iter()
            .chain(s.pickup.iter())
            .map(|x| x.abs())
            .sum()
    };
    let far = |j: u32| -> i64 {
        let s = &p.stops[p.jobs[j as usize].stops[0] as usize];
        p.dist(p.vehicles[0].start, s.loc)
    };
    match ctx.rng.below(11) {
        0..4 => {}
        4..8 => jobs.sort_by_key(|&j| std::cmp::Reverse(demand(j))),
        8..10 => jobs.sort_by_key(|&j| std::cmp::Reverse(far(j))),
        _ => jobs.sort_by_key(|&j| far(j)),
    }
    for j in jobs {
        if sol.route_of(j).is_some() {
            continue;
        }
        near_routes(p, sol, j, routes);
        if let Some(ins) = best_insertion(&mut ctx.ws, p, sol, j, routes, true, &mut ctx.rng, blink)
        {
            sol.insert(p, j, &ins);
        }
    }
}

/// Regret-2 insertion: repeatedly inserts the job whose best and second-best routes
/// differ most in cost, so that hard-to-place jobs are placed while they still can be.
/// O(jobs² × routes): for small problems.
pub fn regret(ctx: &mut Ctx, sol: &mut Solution, jobs: Vec<u32>) {
    let p = ctx.p;
    let mut open = jobs;
    while !open.is_empty() {
        let mut pick: Option<(i64, u32, Insertion)> = None;
        let mut dead = Vec::new();
        for &j in &open {
            let mut best: Option<Insertion> = None;
            let mut second = i64::MAX;
            let mut consider = |c: Insertion| match best {
                Some(b) if c.delta >= b.delta => second = second.min(c.delta),
                _ => {
                    if let Some(b) = best {
                        second = second.min(b.delta);
                    }
                    best = Some(c);
                }
            };
            for ri in 0..sol.routes.len() {
                let t = Target {
                    route: &sol.routes[ri],
                    index: Some(ri),
                    leaving: None,
                };
                if let Some(c) = best_in(&mut ctx.ws, p, sol, &t, j, &mut ctx.rng, 0.0) {
                    consider(c);
                }
            }
            // A new vehicle is always a candidate.
            if let Some(c) = best_insertion(&mut ctx.ws, p, sol, j, &[], true, &mut ctx.rng, 0.0) {
                consider(c);
            }
            let Some(b) = best else {
                dead.push(j);
                continue;
            };
            let regret = second.saturating_sub(b.delta);
            if pick
                .as_ref()
                .is_none_or(|(r, pj, _)| regret > *r || (regret == *r && j < *pj))
            {
                pick = Some((regret, j, b));
            }
        }
        open.retain(|j| !dead.contains(j));
        let Some((_, j, ins)) = pick else { break };
        sol.insert(p, j, &ins);
        open.retain(|&x| x != j);
    }
}
