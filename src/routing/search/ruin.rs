//! SISR ruin (Christiaens & Vanden Berghe 2020): remove strings of consecutive jobs from
//! the routes near a random seed job, sometimes keeping a few inside the string.

use super::operators::Ctx;
use crate::routing::solution::Solution;

/// Average jobs removed. SISR's 10 measured worse than 15 at fixed iterations (Solomon
/// 0.38% → 0.34%, X 0.81% → 0.76%, demo day spread narrower; 6 and 25 were worse).
const AVG_REMOVED: f64 = 15.0;
/// Longest string.
const MAX_STRING: f64 = 10.0;
/// Probability of a split string.
const SPLIT_PROBABILITY: f64 = 0.5;
/// Growth of the kept part of a split string.
const SPLIT_BETA: f64 = 0.01;

/// A random assigned job (`None` when there is none).
fn random_assigned(ctx: &mut Ctx, sol: &Solution) -> Option<u32> {
    let n = ctx.p.jobs.len();
    if sol.routes.is_empty() || n == 0 {
        return None;
    }
    for _ in 0..32 {
        let j = ctx.rng.below(n) as u32;
        if sol.route_of(j).is_some() {
            return Some(j);
        }
    }
    let assigned: Vec<u32> = (0..n as u32)
        .filter(|&j| sol.route_of(j).is_some())
        .collect();
    (!assigned.is_empty()).then(|| assigned[ctx.rng.below(assigned.len())])
}

/// A random assigned job of `focus`, if it has any (a few draws), else of the solution.
fn seed_job(ctx: &mut Ctx, sol: &Solution, focus: &[u32]) -> Option<u32> {
    if !focus.is_empty() {
        for _ in 0..8 {
            let j = focus[ctx.rng.below(focus.len())];
            if sol.route_of(j).is_some() {
                return Some(j);
            }
        }
    }
    random_assigned(ctx, sol)
}

/// Removes strings of jobs around a seed job (drawn from `focus` when it is not empty);
/// the removed jobs become unassigned.
pub fn ruin(ctx: &mut Ctx, sol: &mut Solution, focus: &[u32]) {
    let p = ctx.p;

    let Some(seed) = seed_job(ctx, sol, focus) else {
        return;
    };
    let avg = sol.routes.iter().map(|r| r.jobs as f64).sum::<f64>() / sol.routes.len() as f64;
    let ls_max = MAX_STRING.min(avg).max(1.0);
    let ks_max = (4.0 * AVG_REMOVED / (1.0 + ls_max) - 1.0).max(1.0);
    let ks = (ctx.rng.unit() * ks_max) as usize + 1;
    let mut ruined: Vec<u32> = Vec::with_capacity(ks);
    let candidates = std::iter::once(seed).chain(p.near_jobs(seed).iter().copied());
    let mut string: Vec<u32> = Vec::new();
    for c in candidates {
        if ruined.len() >= ks {
            break;
        }
        let Some(ri) = sol.route_of(c) else { continue };
        let route_jobs: Vec<u32> = sol.routes[ri].job_list(p).collect();
        // Identify routes by their first job, as indices move when routes empty.
        let key = route_jobs[0];
        if ruined.contains(&key) {
            continue;
        }
        ruined.push(key);
        let n = route_jobs.len();
        let l_max = (n as f64).min(ls_max);
        let l = ((ctx.rng.unit() * l_max) as usize + 1).min(n);
        let pos = route_jobs.iter().position(|&x| x == c).unwrap_or(0);
        string.clear();
        if ctx.rng.unit() < SPLIT_PROBABILITY && l < n {
            // Split string: a window of l + m jobs of which m are kept.
            let mut m = 1;
            while l + m < n && ctx.rng.unit() > SPLIT_BETA {
                m += 1;
            }
            let w = l + m;
            let lo = pos.saturating_sub(ctx.rng.below(w)).min(n - w);
            let keep_at = ctx.rng.below(l + 1);
            string.extend(
                (lo..lo + w)
                    .filter(|&i| i < lo + keep_at || i >= lo + keep_at + m)
                    .map(|i| route_jobs[i]),
            );
        } else {
            let lo = pos.saturating_sub(ctx.rng.below(l)).min(n - l);
            string.extend_from_slice(&route_jobs[lo..lo + l]);
        }
        for &j in &string {
            sol.remove(p, j);
        }
    }
}
