//! Recreate: put unassigned jobs back, greedily at their cheapest verified place (SISR's
//! orders and blinks), or by regret-2 (the construction on small problems, and a share
//! of the search's iterations when asked for). A new vehicle of every type with
//! room is always among the candidates, so every job that fits a vehicle of its own is
//! placed.

use super::operators::Ctx;
use crate::routing::evaluate::{
    Insertion, Target, best_in, best_insertion, best_two, keep_two, near_routes,
};
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

/// Regret-2 insertion for the search's recreate step (Ropke & Pisinger 2006): repeatedly
/// inserts the job whose cheapest and second-cheapest targets (routes, or a new vehicle)
/// differ most, so that a job with few good places is placed before the others take
/// them. Each job's two best are kept between insertions and only the route that changed
/// is looked at again, unless one of the job's two was on it or a vehicle was added;
/// so a step costs about what greedy insertion does.
pub fn regret_cached(ctx: &mut Ctx, sol: &mut Solution, jobs: Vec<u32>, routes: &mut Vec<usize>) {
    let p = ctx.p;
    type Two = (Option<Insertion>, Option<Insertion>);
    let two = |ctx: &mut Ctx, sol: &Solution, j: u32, routes: &mut Vec<usize>| -> Two {
        near_routes(p, sol, j, routes);
        best_two(
            &mut ctx.ws,
            p,
            sol,
            j,
            routes,
            true,
            &mut ctx.rng,
            0.0,
            true,
        )
    };
    let mut open: Vec<(u32, Two)> = Vec::with_capacity(jobs.len());
    for j in jobs {
        if sol.route_of(j).is_none() {
            let t = two(ctx, sol, j, routes);
            open.push((j, t));
        }
    }
    loop {
        // Jobs with no place stay unassigned.
        open.retain(|(_, (b, _))| b.is_some());
        let key = |(j, (b, s)): &(u32, Two)| {
            let best = b.map_or(i64::MAX, |b| b.delta);
            let regret = s.map_or(i64::MAX, |s| s.delta.saturating_sub(best));
            (regret, std::cmp::Reverse(best), std::cmp::Reverse(*j))
        };
        let Some(k) = (0..open.len()).max_by_key(|&k| key(&open[k])) else {
            break;
        };
        let (job, (best, _)) = open.swap_remove(k);
        let Some(ins) = best else { continue };
        let before = sol.routes.len();
        sol.insert(p, job, &ins);
        let opened = sol.routes.len() != before;
        let ri = if opened {
            sol.routes.len() - 1
        } else {
            ins.route
        };
        for (j, t) in open.iter_mut() {
            let on_ri = |i: &Option<Insertion>| i.is_some_and(|i| i.route == ri);
            // A new vehicle changes which types have room, and a continuity cost
            // depends on where the partner went: look at every route again.
            if opened || p.split_cost > 0 || on_ri(&t.0) || on_ri(&t.1) {
                *t = two(ctx, sol, *j, routes);
                continue;
            }
            let target = Target {
                route: &sol.routes[ri],
                index: Some(ri),
                leaving: None,
            };
            let Some(c) = best_in(&mut ctx.ws, p, sol, &target, *j, &mut ctx.rng, 0.0) else {
                continue;
            };
            keep_two(&mut t.0, &mut t.1, c);
        }
    }
}
