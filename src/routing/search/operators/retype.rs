//! Retype: run a route's stops, unchanged, with another type of vehicle when that is
//! cheaper and still fits (a wheelchair-accessible vehicle whose wheelchair user moved to
//! another route becomes a taxi, say).

use super::{Ctx, Move, MoveKind, Operator};
use crate::routing::evaluate::route_feasible;
use crate::routing::problem::Problem;
use crate::routing::solution::Solution;

/// The retype operator.
#[derive(Debug, Default)]
pub struct Retype;

impl Operator for Retype {
    fn name(&self) -> &'static str {
        "retype"
    }

    fn supports(&self, p: &Problem) -> bool {
        p.vehicles.len() > 1
            && p.vehicles.windows(2).all(|w| {
                w[0].start == w[1].start && w[0].end == w[1].end && w[0].shift == w[1].shift
            })
    }

    fn evaluate(&mut self, ctx: &mut Ctx, sol: &Solution, u: u32) -> Option<Move> {
        let p = ctx.p;
        let ri = sol.route_of(u)?;
        let r = &sol.routes[ri];
        let mut best: Option<Move> = None;
        for v in 0..p.vehicles.len() {
            if v == r.vehicle || !sol.has_room(p, v) {
                continue;
            }
            // Fixed cost is the first screen: a dearer day rate rarely pays.
            let mut nr = (**r).clone();
            nr.vehicle = v;
            nr.update(p);
            let delta = nr.cost - r.cost;
            if delta < 0
                && best.as_ref().is_none_or(|b| delta < b.delta)
                && route_feasible(&mut ctx.ws, p, &nr)
            {
                best = Some(Move {
                    delta,
                    kind: MoveKind::Replace(vec![(ri, nr)]),
                });
            }
        }
        best
    }
}
