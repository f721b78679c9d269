//! Solving the tender: the elastic MIP (every limit with a penalised slack), its start
//! from a greedy award, and the award or the reasons none exists.

use super::mip::{Mip, MipError, Sense, Solved, Status, Var};
use super::tender::{Award, Infeasible, Limit, Tender, TenderSettings};
use crate::units::Pence;
use std::collections::BTreeMap;
use std::time::Duration;

/// Outcome of a solve, before it is read as an award.
pub(super) enum Solve {
    Award(Award),
    Infeasible(Infeasible),
}

/// Penalty per unit of violation of a capacity or policy constraint (pounds per day):
/// far above any route price, so it is used only when nothing else works.
const VIOLATION: f64 = 1e6;
/// Penalty for a route left without supplier: above any capacity violation, so the
/// explanation names the capacity that is short rather than an arbitrary route.
const UNSUPPLIED: f64 = 1e7;

struct Model {
    mip: Mip,
    x: Vec<Var>,
    unsupplied: Vec<Var>,
    z: Vec<Var>,
    /// Per bundle, the discount variables of its supplier's offers on covered routes.
    bundle_y: Vec<Vec<(usize, Var)>>,
    slacks: Vec<(Limit, Var)>,
    /// Offers counted by each slack's row (empty for the operator minimum).
    slack_rows: Vec<Vec<usize>>,
    /// Operator-wins-work variables, by supplier.
    wins: Vec<(usize, Var)>,
    /// Rows whose usage we read back: (limit, offers counted).
    usage: Vec<(Limit, Vec<usize>)>,
}

/// Builds the elastic model: every capacity and policy row has a penalised slack and every
/// route a penalised "unsupplied" variable, so the model is always feasible and the
/// slacks in use name what makes the real tender infeasible.
fn build(t: &Tender, relax: bool) -> Model {
    let mut mip = Mip::new(relax);
    let x: Vec<_> = t
        .offers
        .iter()
        .map(|o| mip.binary(o.price.pounds()))
        .collect();
    let unsupplied: Vec<_> = (0..t.routes.len())
        .map(|_| mip.continuous(0.0, 1.0, UNSUPPLIED))
        .collect();
    let mut by_route: Vec<Vec<usize>> = vec![Vec::new(); t.routes.len()];
    let mut by_supplier: Vec<Vec<usize>> = vec![Vec::new(); t.suppliers.len()];
    let mut by_fleet: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (k, o) in t.offers.iter().enumerate() {
        by_route[o.route].push(k);
        by_supplier[o.supplier].push(k);
        by_fleet.entry((o.supplier, o.vehicle)).or_default().push(k);
    }
    for (r, ks) in by_route.iter().enumerate() {
        mip.row(
            ks.iter()
                .map(|&k| (x[k], 1.0))
                .chain([(unsupplied[r], 1.0)]),
            Sense::Eq,
            1.0,
        );
    }
    let mut slacks = Vec::new();
    let mut slack_rows: Vec<Vec<usize>> = Vec::new();
    let mut wins = Vec::new();
    let mut usage = Vec::new();
    // Routes a supplier could win at most: a limit at or above it never binds.
    let reach = |ks: &[usize]| {
        let mut routes: Vec<usize> = ks.iter().map(|&k| t.offers[k].route).collect();
        routes.dedup();
        routes.len() as u32
    };
    let mut capacity_row = |mip: &mut Mip, limit: Limit, ks: &[usize], cap: u32| {
        if reach(ks) <= cap {
            usage.push((limit, ks.to_vec()));
            return;
        }
        let s = mip.continuous(0.0, f64::INFINITY, VIOLATION);
        mip.row(
            ks.iter().map(|&k| (x[k], 1.0)).chain([(s, -1.0)]),
            Sense::Le,
            cap as f64,
        );
        slacks.push((limit.clone(), s));
        slack_rows.push(ks.to_vec());
        usage.push((limit, ks.to_vec()));
    };
    for (&(s, v), ks) in &by_fleet {
        if let Some(limit) = t.suppliers[s].fleet[v] {
            capacity_row(
                &mut mip,
                Limit::Fleet {
                    supplier: s,
                    vehicle: v,
                    limit,
                },
                ks,
                limit,
            );
        }
    }
    let share = t.share_cap();
    for (s, ks) in by_supplier.iter().enumerate() {
        if let Some(limit) = t.suppliers[s].max_routes {
            capacity_row(&mut mip, Limit::MaxRoutes { supplier: s, limit }, ks, limit);
        }
        if let (Some(limit), false) = (share, t.suppliers[s].in_house) {
            capacity_row(&mut mip, Limit::ShareCap { supplier: s, limit }, ks, limit);
        }
    }
    if t.min_operators > 1 {
        // y_s ≤ Σ x over the supplier's offers: an operator counts only if it wins a route.
        let mut ys = Vec::new();
        for (s, ks) in by_supplier.iter().enumerate() {
            if t.suppliers[s].in_house || ks.is_empty() {
                continue;
            }
            let y = mip.binary(0.0);
            mip.row(
                ks.iter().map(|&k| (x[k], -1.0)).chain([(y, 1.0)]),
                Sense::Le,
                0.0,
            );
            ys.push(y);
            wins.push((s, y));
        }
        let s = mip.continuous(0.0, f64::INFINITY, VIOLATION);
        let limit = Limit::MinOperators {
            limit: t.min_operators,
        };
        mip.row(
            ys.iter().map(|&y| (y, 1.0)).chain([(s, 1.0)]),
            Sense::Ge,
            t.min_operators as f64,
        );
        slacks.push((limit, s));
        slack_rows.push(Vec::new());
    }
    // Bundles: z_b = 1 only if the supplier wins every covered route. For each covered
    // route the bundle "selects" the awarded offer: Σ_{k∈K(r,s_b)} y_bk = z_b, and
    // Σ_b y_bk ≤ x_k (so a route carries at most one discount); the discount is
    // Σ π_b c_k y_bk. No big-M, so the LP relaxation stays tight.
    let mut z = Vec::new();
    let mut bundle_y: Vec<Vec<(usize, Var)>> = Vec::new();
    let mut y_of_offer: BTreeMap<usize, Vec<Var>> = BTreeMap::new();
    for b in &t.bundles {
        let zb = mip.binary(0.0);
        let mut mine = Vec::new();
        let pct = b.discount_pct / 100.0;
        for &r in &b.routes {
            let ys: Vec<Var> = by_route[r]
                .iter()
                .copied()
                .filter(|&k| t.offers[k].supplier == b.supplier)
                .map(|k| {
                    let y = mip.continuous(0.0, 1.0, -pct * t.offers[k].price.pounds());
                    y_of_offer.entry(k).or_default().push(y);
                    mine.push((k, y));
                    y
                })
                .collect();
            mip.row(
                ys.iter().map(|&y| (y, 1.0)).chain([(zb, -1.0)]),
                Sense::Eq,
                0.0,
            );
        }
        z.push(zb);
        bundle_y.push(mine);
    }
    for (&k, ys) in &y_of_offer {
        mip.row(
            ys.iter().map(|&y| (y, 1.0)).chain([(x[k], -1.0)]),
            Sense::Le,
            0.0,
        );
    }
    Model {
        mip,
        x,
        unsupplied,
        z,
        bundle_y,
        slacks,
        slack_rows,
        wins,
        usage,
    }
}

/// A complete starting point for the elastic model from a choice of offers (routes
/// without one are unsupplied): slacks cover any excess, bundles are not taken.
fn start_values(t: &Tender, m: &Model, choice: &[Option<usize>]) -> Vec<(Var, f64)> {
    let mut v = Vec::new();
    let mut chosen = vec![false; t.offers.len()];
    for (r, c) in choice.iter().enumerate() {
        match c {
            Some(k) => {
                chosen[*k] = true;
                v.push((m.x[*k], 1.0));
            }
            None => v.push((m.unsupplied[r], 1.0)),
        }
    }
    let mut winners = std::collections::BTreeSet::new();
    for &(s, w) in &m.wins {
        let wins = choice.iter().flatten().any(|&k| t.offers[k].supplier == s);
        if wins {
            winners.insert(s);
            v.push((w, 1.0));
        }
    }
    for (b, taken) in bundles_taken(t, choice).into_iter().enumerate() {
        if taken {
            v.push((m.z[b], 1.0));
            v.extend(
                m.bundle_y[b]
                    .iter()
                    .filter(|(k, _)| chosen[*k])
                    .map(|&(_, y)| (y, 1.0)),
            );
        }
    }
    for ((limit, slack), ks) in m.slacks.iter().zip(&m.slack_rows) {
        let excess = match *limit {
            Limit::Fleet { limit, .. }
            | Limit::MaxRoutes { limit, .. }
            | Limit::ShareCap { limit, .. } => {
                (ks.iter().filter(|&&k| chosen[k]).count() as f64 - limit as f64).max(0.0)
            }
            Limit::MinOperators { limit } => (limit as f64 - winners.len() as f64).max(0.0),
        };
        v.push((*slack, excess));
    }
    v
}

/// Routes in `order`, each to the first of its offers (in `rank` order) whose fleet,
/// route limit and share cap still have room; `None` where no offer has room.
fn allocate_in_order(
    t: &Tender,
    order: &[usize],
    rank: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> Vec<Option<usize>> {
    let cap = t.share_cap().unwrap_or(u32::MAX);
    let mut used_type = vec![vec![0u32; t.vehicle_ids.len()]; t.suppliers.len()];
    let mut used = vec![0u32; t.suppliers.len()];
    let by_route = offers_by_route(t);
    let mut choice = vec![None; t.routes.len()];
    for &r in order {
        let mut ks = by_route[r].clone();
        ks.sort_by(|&a, &b| rank(a, b).then(a.cmp(&b)));
        choice[r] = ks.into_iter().find(|&k| {
            let o = &t.offers[k];
            let s = &t.suppliers[o.supplier];
            s.fleet[o.vehicle].is_none_or(|f| used_type[o.supplier][o.vehicle] < f)
                && s.max_routes.is_none_or(|m| used[o.supplier] < m)
                && (s.in_house || used[o.supplier] < cap)
        });
        if let Some(k) = choice[r] {
            let o = &t.offers[k];
            used_type[o.supplier][o.vehicle] += 1;
            used[o.supplier] += 1;
        }
    }
    choice
}

fn offers_by_route(t: &Tender) -> Vec<Vec<usize>> {
    let mut by_route: Vec<Vec<usize>> = vec![Vec::new(); t.routes.len()];
    for (k, o) in t.offers.iter().enumerate() {
        by_route[o.route].push(k);
    }
    by_route
}

/// The by-hand allocation: routes with the fewest offers first, each to its cheapest
/// offer whose fleet, route limit and share cap still have room (no bundles). Used to
/// start the MIP, and as the baseline in benchmarks.
pub fn greedy(t: &Tender) -> Vec<Option<usize>> {
    let by_route = offers_by_route(t);
    let mut order: Vec<usize> = (0..t.routes.len()).collect();
    order.sort_by_key(|&r| (by_route[r].len(), r));
    allocate_in_order(t, &order, |a, b| t.offers[a].price.cmp(&t.offers[b].price))
}

fn explain(t: &Tender, m: &Model, sol: &Solved) -> Option<Infeasible> {
    let mut reasons = Vec::new();
    let mut files = Vec::new();
    for (r, &u) in m.unsupplied.iter().enumerate() {
        if sol.value(u) > 0.5 {
            let route = &t.routes[r];
            files.push("rates.csv");
            reasons.push(format!(
                "route {} (needs {} seat(s) and {} wheelchair space(s)) has no supplier: no operator bids for it or has a rate card for a vehicle type that fits",
                route.id, route.seats, route.wheelchairs
            ));
        }
    }
    for (limit, s) in &m.slacks {
        let short = sol.value(*s);
        if short > 0.5 {
            let what = match limit {
                Limit::MinOperators { .. } => "operator(s)".to_string(),
                _ => "route(s)".to_string(),
            };
            files.push(limit.file());
            reasons.push(format!(
                "{} is {} {what} short of what the routes need",
                limit.describe(t),
                short.round() as i64
            ));
        }
    }
    (!reasons.is_empty()).then_some(Infeasible { reasons, files })
}

/// Rounds an LP solution: routes in order of how firmly the LP assigns them, each to its
/// offer with the largest LP value that still has room, else the cheapest with room.
fn lp_round(t: &Tender, x: &[f64]) -> Vec<Option<usize>> {
    let by_route = offers_by_route(t);
    let firm = |r: usize| by_route[r].iter().map(|&k| x[k]).fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..t.routes.len()).collect();
    order.sort_by(|&a, &b| firm(b).total_cmp(&firm(a)).then(a.cmp(&b)));
    allocate_in_order(t, &order, |a, b| {
        x[b].total_cmp(&x[a])
            .then(t.offers[a].price.cmp(&t.offers[b].price))
    })
}

/// Bundles a choice wins, taken in order while no route is discounted twice.
fn bundles_taken(t: &Tender, choice: &[Option<usize>]) -> Vec<bool> {
    let mut discounted = vec![false; t.routes.len()];
    t.bundles
        .iter()
        .map(|b| {
            let won = b.routes.iter().all(|&r| {
                !discounted[r] && choice[r].is_some_and(|k| t.offers[k].supplier == b.supplier)
            });
            if won {
                b.routes.iter().for_each(|&r| discounted[r] = true);
            }
            won
        })
        .collect()
}

/// The elastic objective of a starting point: prices less the bundles it wins, plus the
/// penalties of any route left unsupplied and any limit exceeded.
fn start_cost(t: &Tender, m: &Model, choice: &[Option<usize>]) -> f64 {
    let values = start_values(t, m, choice);
    let mut cost = 0.0;
    for c in choice {
        match c {
            Some(k) => cost += t.offers[*k].price.pounds(),
            None => cost += UNSUPPLIED,
        }
    }
    for (b, taken) in bundles_taken(t, choice).into_iter().enumerate() {
        if taken {
            let pct = t.bundles[b].discount_pct / 100.0;
            cost -= t.bundles[b]
                .routes
                .iter()
                .filter_map(|&r| choice[r])
                .map(|k| pct * t.offers[k].price.pounds())
                .sum::<f64>();
        }
    }
    for (var, val) in values {
        if m.slacks.iter().any(|(_, s)| s.same(var)) {
            cost += VIOLATION * val;
        }
    }
    cost
}

/// First reduced-cost threshold, as a share of the LP bound (see `solve_once`).
const DELTA_SHARE: f64 = 5e-5;

/// The MIP restricted to the offers `keep` (indices into `t.offers`), started from
/// `start` (offer indices into `t.offers`, `None` = unsupplied).
struct Restricted {
    tender: Tender,
    keep: Vec<usize>,
    model: Model,
    sol: Solved,
    size: (usize, usize),
}

impl Restricted {
    fn solve(
        t: &Tender,
        keep: Vec<usize>,
        start: &[Option<usize>],
        time_limit: Duration,
        threads: usize,
    ) -> Result<Restricted, MipError> {
        let mut tender = t.clone();
        tender.offers = keep.iter().map(|&k| t.offers[k].clone()).collect();
        let mut new_index = vec![None; t.offers.len()];
        for (i, &k) in keep.iter().enumerate() {
            new_index[k] = Some(i);
        }
        let start: Vec<Option<usize>> =
            start.iter().map(|c| c.and_then(|k| new_index[k])).collect();
        let mut model = build(&tender, false);
        let values = start_values(&tender, &model, &start);
        model.mip.start(values);
        let size = model.mip.size();
        let mip = std::mem::replace(&mut model.mip, Mip::new(false));
        let sol = mip.solve(time_limit, threads)?;
        Ok(Restricted {
            tender,
            keep,
            model,
            sol,
            size,
        })
    }

    /// The chosen offer per route, as indices into the full tender's offers.
    fn choice(&self) -> Vec<Option<usize>> {
        let mut choice = vec![None; self.tender.routes.len()];
        for (k, &xk) in self.model.x.iter().enumerate() {
            if self.sol.value(xk) > 0.5 {
                choice[self.tender.offers[k].route] = Some(self.keep[k]);
            }
        }
        choice
    }
}

pub(super) fn solve_once(
    t: &Tender,
    settings: &TenderSettings,
    start: Option<&Award>,
) -> Result<Solve, MipError> {
    let started = std::time::Instant::now();
    let mut lp = build(t, true);
    let lp_mip = std::mem::replace(&mut lp.mip, Mip::new(true));
    let lp_sol = lp_mip.solve(settings.time_limit, settings.threads)?;
    let lp_bound = lp_sol.objective;
    let x_lp: Vec<f64> = lp.x.iter().map(|&v| lp_sol.value(v)).collect();
    let rc: Vec<f64> = lp.x.iter().map(|&v| lp_sol.reduced_cost(v)).collect();
    // A starting point: a previous award (still feasible when limits are only relaxed),
    // else the best of the greedy allocation, the rounded LP, and the MIP restricted to
    // the offers the LP uses (small, since the LP is nearly integral: without bundles and
    // the operator minimum the tender is a network flow).
    let mut choice: Vec<Option<usize>> = match start {
        Some(a) => a.choice.iter().map(|&k| Some(k)).collect(),
        None => {
            let a = lp_round(t, &x_lp);
            let b = greedy(t);
            if start_cost(t, &lp, &a) <= start_cost(t, &lp, &b) {
                a
            } else {
                b
            }
        }
    };
    // Reduced-cost fixing, iterated: an offer whose LP reduced cost exceeds U − L (U the
    // cost of a known solution, L the LP bound) cannot be in a solution cheaper than U.
    // Solve the MIP over offers with reduced cost ≤ δ for a small δ; if its optimum U
    // satisfies U − L ≤ δ, no left-out offer could improve it and U is optimal for the
    // whole tender; otherwise retry with δ = U − L, which is then certain to prove it.
    let started_upper = start_cost(t, &lp, &choice);
    let mut delta = (lp_bound.abs() * DELTA_SHARE)
        .max(1.0)
        .min(started_upper - lp_bound);
    let full = loop {
        let in_start: std::collections::BTreeSet<usize> =
            choice.iter().flatten().copied().collect();
        let keep: Vec<usize> = (0..t.offers.len())
            .filter(|&k| rc[k] <= delta + 1e-6 || in_start.contains(&k))
            .collect();
        let everything = keep.len() == t.offers.len();
        let remaining = settings.time_limit.saturating_sub(started.elapsed());
        let r = Restricted::solve(t, keep, &choice, remaining, settings.threads)?;
        let upper = r.sol.objective;
        if std::env::var_os("SCHOOLRUN_MIP_LOG").is_some() {
            eprintln!(
                "tender: LP {lp_bound:.2}, δ {delta:.2}: {} of {} offers, optimum {upper:.2}",
                r.keep.len(),
                t.offers.len()
            );
        }
        let proven = upper - lp_bound <= delta + 1e-6;
        if everything || proven || r.sol.status != Status::Optimal {
            break r;
        }
        choice = r.choice();
        delta = upper - lp_bound;
    };
    // The bound of the left-out offers: L plus their least reduced cost.
    let removed_bound = {
        let mut kept = vec![false; t.offers.len()];
        full.keep.iter().for_each(|&k| kept[k] = true);
        (0..t.offers.len())
            .filter(|&k| !kept[k])
            .map(|k| lp_bound + rc[k])
            .fold(f64::INFINITY, f64::min)
    };
    let size = full.size;
    let (m, sol) = (&full.model, &full.sol);
    if let Some(inf) = explain(&full.tender, m, sol) {
        return Ok(Solve::Infeasible(inf));
    }
    let choice: Vec<usize> = full
        .choice()
        .into_iter()
        .map(|c| c.unwrap_or(usize::MAX))
        .collect();
    let reduced = &full.tender;
    let keep = &full.keep;
    if choice.contains(&usize::MAX) {
        return Err(MipError::Failed(
            "the MIP solver returned a route without a supplier".into(),
        ));
    }
    let mut bundle = vec![None; t.routes.len()];
    let mut bundles_won = Vec::new();
    for (bi, b) in t.bundles.iter().enumerate() {
        let won = b
            .routes
            .iter()
            .all(|&r| t.offers[choice[r]].supplier == b.supplier);
        if won && sol.value(m.z[bi]) > 0.5 && b.discount_pct > 0.0 {
            bundles_won.push(bi);
            for &r in &b.routes {
                bundle[r] = Some(bi);
            }
        }
    }
    let price: Vec<Pence> = (0..t.routes.len())
        .map(|r| {
            let p = t.offers[choice[r]].price;
            match bundle[r] {
                Some(b) => {
                    Pence((p.0 as f64 * (1.0 - t.bundles[b].discount_pct / 100.0)).round() as i64)
                }
                None => p,
            }
        })
        .collect();
    let mut binding = Vec::new();
    for (limit, ks) in &m.usage {
        let used = ks
            .iter()
            .filter(|&&k| choice[reduced.offers[k].route] == keep[k])
            .count() as u32;
        let cap = match *limit {
            Limit::Fleet { limit, .. }
            | Limit::MaxRoutes { limit, .. }
            | Limit::ShareCap { limit, .. } => limit,
            Limit::MinOperators { .. } => continue,
        };
        if used >= cap {
            binding.push(limit.clone());
        }
    }
    if t.min_operators > 1 {
        let winners: std::collections::BTreeSet<usize> = choice
            .iter()
            .map(|&k| t.offers[k].supplier)
            .filter(|&s| !t.suppliers[s].in_house)
            .collect();
        if winners.len() as u32 <= t.min_operators {
            binding.push(Limit::MinOperators {
                limit: t.min_operators,
            });
        }
    }
    let objective = sol.objective;
    let bound = sol.bound.min(removed_bound);
    let gap = if objective.abs() > 1e-9 {
        ((objective - bound) / objective.abs()).max(0.0)
    } else {
        0.0
    };
    Ok(Solve::Award(Award {
        cost_per_day: price.iter().copied().sum(),
        choice,
        price,
        bundle,
        bundles_won,
        objective,
        mip_bound: bound,
        lp_bound: lp_bound.min(objective),
        gap,
        optimal: sol.status == Status::Optimal,
        size,
        binding,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// Why a tender produced no award.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TenderError {
    /// No allocation meets the limits; the reasons name what is short.
    #[error("{0}")]
    Infeasible(Infeasible),
    /// The MIP solver failed.
    #[error(transparent)]
    Solver(#[from] MipError),
}

impl From<TenderError> for crate::Error {
    fn from(e: TenderError) -> Self {
        match e {
            TenderError::Infeasible(inf) => crate::Error::invalid(
                inf.reasons
                    .iter()
                    .zip(&inf.files)
                    .map(|(r, file)| {
                        crate::error::Problem::file(
                            crate::error::Code::TenderInfeasible,
                            *file,
                            r.clone(),
                            "enough suppliers, fleet and policy room for every route",
                        )
                    })
                    .collect(),
            ),
            TenderError::Solver(m) => crate::Error::model(m.to_string()),
        }
    }
}

impl From<MipError> for crate::Error {
    fn from(e: MipError) -> Self {
        crate::Error::model(e.to_string())
    }
}

/// Solves the tender: the least-cost award, or why none exists.
pub fn solve(t: &Tender, settings: &TenderSettings) -> Result<Award, TenderError> {
    match solve_once(t, settings, None)? {
        Solve::Award(a) => Ok(a),
        Solve::Infeasible(i) => Err(TenderError::Infeasible(i)),
    }
}
