//! Relocate: take a job off its route and put it at its best place in a neighbour's route,
//! in its own route, or (when it is alone) in an empty vehicle of another type. Works for
//! every job shape (visits, pairs, a whole school day).

use super::{Ctx, Move, MoveKind, Operator};
use crate::routing::evaluate::{
    Target, best_in, near_routes, removal_gain, route_with, route_without,
};
use crate::routing::problem::Problem;
use crate::routing::route::Route;
use crate::routing::solution::Solution;

/// The relocate operator.
#[derive(Debug, Default)]
pub struct Relocate {
    routes: Vec<usize>,
    /// Only moves to other routes (no re-ordering within the job's own route).
    pub between_routes_only: bool,
}

impl Relocate {
    /// Relocation to other routes only.
    pub fn between_routes() -> Self {
        Relocate {
            routes: Vec::new(),
            between_routes_only: true,
        }
    }
}

impl Operator for Relocate {
    fn name(&self) -> &'static str {
        "relocate"
    }

    fn supports(&self, _: &Problem) -> bool {
        true
    }

    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, u: u32) -> Option<Move> {
        let p = ctx.p;
        let own = sol.route_of(u)?;
        let gain = removal_gain(p, sol, u);
        near_routes(p, sol, u, &mut self.routes);
        let mut best: Option<Move> = None;
        let mut consider = |delta: i64, kind: MoveKind| {
            if delta < 0 && best.as_ref().is_none_or(|b| delta < b.delta) {
                best = Some(Move { delta, kind });
            }
        };
        for &ri in &self.routes {
            if ri == own {
                continue;
            }
            let t = Target {
                route: &sol.routes[ri],
                index: Some(ri),
                leaving: None,
            };
            if let Some(ins) = best_in(&mut ctx.ws, p, sol, &t, u, &mut ctx.rng, 0.0) {
                consider(ins.delta - gain, MoveKind::Relocate { job: u, to: ins });
            }
        }
        // Alone on its route: perhaps a cheaper type of vehicle.
        if sol.routes[own].jobs == 1 {
            for v in 0..p.vehicles.len() {
                if v == sol.routes[own].vehicle || !sol.has_room(p, v) {
                    continue;
                }
                let templ = ctx.ws.template(v).clone();
                let t = Target {
                    route: &templ,
                    index: None,
                    leaving: None,
                };
                if let Some(ins) = best_in(&mut ctx.ws, p, sol, &t, u, &mut ctx.rng, 0.0) {
                    consider(ins.delta - gain, MoveKind::Relocate { job: u, to: ins });
                }
            }
        }
        // Within its own route.
        if !self.between_routes_only && sol.routes[own].jobs > 1 {
            let mut without = std::mem::take(&mut ctx.ws.tmp[0]);
            route_without(p, &sol.routes[own], u, &mut without);
            let t = Target {
                route: &without,
                index: Some(own),
                leaving: None,
            };
            if let Some(ins) = best_in(&mut ctx.ws, p, sol, &t, u, &mut ctx.rng, 0.0) {
                // The insertion priced a split the job already causes.
                let split = if p.split_cost > 0 && sol.partner_elsewhere(p, u, Some(own)) {
                    p.split_cost
                } else {
                    0
                };
                let delta = without.cost + ins.delta - split - sol.routes[own].cost;
                if delta < 0 && best.as_ref().is_none_or(|b| delta < b.delta) {
                    let mut r = Route::default();
                    route_with(p, &without, u, &ins, &mut r);
                    best = Some(Move {
                        delta,
                        kind: MoveKind::Replace(vec![(own, r)]),
                    });
                }
            }
            ctx.ws.tmp[0] = without;
        }
        best
    }
}
