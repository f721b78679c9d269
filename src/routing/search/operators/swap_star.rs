//! SWAP* (Vidal 2022), in its general form: exchange a job with a neighbour on another
//! route, each going to its best place in the other's route rather than into the vacated
//! slot. Priced by the shared evaluator on scratch copies of the two routes, so it works
//! for every job shape and rule.

use super::{Ctx, Move, MoveKind, Operator};
use crate::routing::evaluate::{Target, best_in, removal_gain, route_with, route_without};
use crate::routing::problem::Problem;
use crate::routing::route::Route;
use crate::routing::solution::Solution;

/// The SWAP* operator.
#[derive(Debug, Default)]
pub struct SwapStar;

/// Neighbours tried per job.
const NEIGHBOURS: usize = 8;

impl Operator for SwapStar {
    fn name(&self) -> &'static str {
        "SWAP*"
    }

    fn supports(&self, _: &Problem) -> bool {
        true
    }

    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, u: u32) -> Option<Move> {
        let p = ctx.p;
        let r1 = sol.route_of(u)?;
        let gain_u = removal_gain(p, sol, u);
        for &v in p.near_jobs(u).iter().take(NEIGHBOURS) {
            let Some(r2) = sol.route_of(v) else {
                continue;
            };
            if r2 == r1 || p.jobs[u as usize].partner == Some(v) {
                continue;
            }
            // The removals alone must leave room for a gain.
            if gain_u + removal_gain(p, sol, v) <= 0 {
                continue;
            }
            let (a, b) = (&sol.routes[r1], &sol.routes[r2]);
            let mut wa = std::mem::take(&mut ctx.ws.tmp[0]);
            let mut wb = std::mem::take(&mut ctx.ws.tmp[1]);
            route_without(p, a, u, &mut wa);
            route_without(p, b, v, &mut wb);
            let split_before = |x: u32, r: usize| -> i64 {
                if p.split_cost > 0 && sol.partner_elsewhere(p, x, Some(r)) {
                    p.split_cost
                } else {
                    0
                }
            };
            let found = if wa.cost + wb.cost >= a.cost + b.cost {
                None
            } else {
                let ta = Target {
                    route: &wa,
                    index: Some(r1),
                    leaving: Some(u),
                };
                let tb = Target {
                    route: &wb,
                    index: Some(r2),
                    leaving: Some(v),
                };
                let iv = best_in(&mut ctx.ws, p, sol, &ta, v, &mut ctx.rng, 0.0);
                let iu = iv.and_then(|_| best_in(&mut ctx.ws, p, sol, &tb, u, &mut ctx.rng, 0.0));
                match (iv, iu) {
                    (Some(iv), Some(iu)) => {
                        let delta = wa.cost + iv.delta + wb.cost + iu.delta
                            - a.cost
                            - b.cost
                            - split_before(u, r1)
                            - split_before(v, r2);
                        (delta < 0).then(|| {
                            let mut na = Route::default();
                            let mut nb = Route::default();
                            route_with(p, &wa, v, &iv, &mut na);
                            route_with(p, &wb, u, &iu, &mut nb);
                            Move {
                                delta,
                                kind: MoveKind::Replace(vec![(r1, na), (r2, nb)]),
                            }
                        })
                    }
                    _ => None,
                }
            };
            ctx.ws.tmp[0] = wa;
            ctx.ws.tmp[1] = wb;
            if found.is_some() {
                return found;
            }
        }
        None
    }
}
