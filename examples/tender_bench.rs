//! Tender benchmark: a generated county-scale tender (routes × operators with fleets,
//! route limits, share cap, minimum operator count and school bundles) solved by the MIP,
//! against a greedy "cheapest available operator first" allocation in the same run.
//!
//! usage: cargo run --release --example tender_bench -- [ROUTES] [OPERATORS] [SEEDS]
//! (defaults 2000 60 3). Prints one row per seed and the medians.

use schoolrun::contracts::{self, Offer, Source, Supplier, Tender, TenderBundle, TenderRoute};
use schoolrun::units::Pence;
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

const TYPES: [(&str, u32, u32, f64, f64, f64); 3] = [
    // id, seats, wheelchair spaces, day rate £, per km £, per min £
    ("taxi", 4, 0, 40.0, 1.0, 0.25),
    ("wav", 4, 1, 52.0, 1.2, 0.30),
    ("minibus", 8, 2, 80.0, 1.4, 0.35),
];
const REGIONS: usize = 12;
const SCHOOLS: usize = 120;

/// Routes in 12 regions; each operator works 3–6 regions with 1–3 vehicle types, prices
/// ±15% around reference rates, limited fleets; explicit bids on 10% of its routes;
/// two school bundles per operator on average (3–10% off).
fn generate(nr: usize, no: usize, seed: u64) -> Tender {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut routes = Vec::with_capacity(nr);
    let mut region = Vec::with_capacity(nr);
    for r in 0..nr {
        let x = rng.unit();
        let (seats, wc, v) = if x < 0.7 {
            (1 + rng.below(4) as u32, 0, 0)
        } else if x < 0.9 {
            (1 + rng.below(3) as u32, 1, 1)
        } else {
            (3 + rng.below(6) as u32, rng.below(3) as u32, 2)
        };
        let school = rng.below(SCHOOLS);
        region.push(school % REGIONS);
        routes.push(TenderRoute {
            id: format!("R{r:05}"),
            vehicle: v,
            seats,
            wheelchairs: wc,
            halves: {
                let metres = 15_000 + (rng.unit() * 50_000.0) as i64;
                let seconds = 1_800 + (rng.unit() * 3_600.0) as i64;
                vec![
                    schoolrun::plan::pricing::Engaged {
                        metres: metres / 2,
                        seconds: seconds / 2
                    };
                    2
                ]
            },
            assistant: rng.unit() < 0.3,
            schools: vec![school],
            pupils: vec![],
        });
    }
    let mut suppliers = Vec::new();
    let mut offers = Vec::new();
    let mut bundles = Vec::new();
    for o in 0..no {
        let regions: Vec<usize> = (0..3 + rng.below(4)).map(|_| rng.below(REGIONS)).collect();
        let types: Vec<usize> = (0..3).filter(|_| rng.unit() < 0.6).collect();
        let types = if types.is_empty() {
            vec![rng.below(3)]
        } else {
            types
        };
        let fleet: Vec<Option<u32>> = (0..3)
            .map(|v| {
                if !types.contains(&v) {
                    Some(0)
                } else if rng.unit() < 0.2 {
                    None
                } else {
                    Some(match v {
                        0 => 10 + rng.below(50) as u32,
                        1 => 3 + rng.below(15) as u32,
                        _ => 1 + rng.below(8) as u32,
                    })
                }
            })
            .collect();
        let factor: Vec<f64> = (0..3).map(|_| 0.85 + 0.3 * rng.unit()).collect();
        let max_routes = (rng.unit() < 0.3).then(|| 20 + rng.below(80) as u32);
        suppliers.push(Supplier {
            id: format!("OP{o:02}"),
            name: format!("Operator {o}"),
            in_house: false,
            max_routes,
            fleet: fleet.clone(),
        });
        let mut priced_by_me = vec![false; nr];
        for (r, route) in routes.iter().enumerate() {
            if !regions.contains(&region[r]) {
                continue;
            }
            let mut here: Vec<Offer> = Vec::new();
            for &v in &types {
                let (_, seats, wc, day, km, min) = TYPES[v];
                if seats < route.seats || wc < route.wheelchairs {
                    continue;
                }
                let metres: i64 = route.halves.iter().map(|h| h.metres).sum();
                let seconds: i64 = route.halves.iter().map(|h| h.seconds).sum();
                let p =
                    (day + km * metres as f64 / 1000.0 + min * seconds as f64 / 60.0) * factor[v];
                here.push(Offer {
                    route: r,
                    supplier: o,
                    vehicle: v,
                    price: Pence::from_pounds(p),
                    source: Source::RateCard,
                });
            }
            if let (true, Some(first)) = (rng.unit() < 0.1, here.first().cloned()) {
                here = vec![Offer {
                    price: Pence((first.price.0 as f64 * (0.9 + 0.15 * rng.unit())) as i64),
                    source: Source::Bid,
                    ..first
                }];
            }
            priced_by_me[r] = !here.is_empty();
            offers.extend(here);
        }
        for b in 0..rng.below(5) {
            let school = regions[0] + REGIONS * rng.below(SCHOOLS / REGIONS);
            let covered: Vec<usize> = (0..nr)
                .filter(|&r| routes[r].schools[0] == school)
                .collect();
            let priced = covered.iter().all(|&r| priced_by_me[r]);
            if !covered.is_empty() && priced {
                bundles.push(TenderBundle {
                    id: format!("B{o:02}-{b}"),
                    supplier: o,
                    routes: covered,
                    discount_pct: 3.0 + 7.0 * rng.unit(),
                });
            }
        }
    }
    Tender {
        routes,
        suppliers,
        offers,
        bundles,
        vehicle_ids: TYPES.iter().map(|t| t.0.to_string()).collect(),
        max_share: 0.08,
        min_operators: 20,
    }
}

/// The by-hand baseline (`contracts::greedy`): its daily cost, or `None` when it gets
/// stuck with a route it cannot place.
fn greedy(t: &Tender) -> Option<i64> {
    contracts::greedy(t)
        .iter()
        .map(|c| c.map(|k| t.offers[k].price.0))
        .sum()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let nr = args.first().copied().unwrap_or(2000);
    let no = args.get(1).copied().unwrap_or(60);
    let seeds = args.get(2).copied().unwrap_or(3);
    println!(
        "{:>4} {:>7} {:>7} {:>8} {:>6} {:>12} {:>12} {:>12} {:>9} {:>8} {:>12} {:>8}",
        "seed",
        "routes",
        "ops",
        "offers",
        "bund",
        "LP bound £",
        "MIP £/day",
        "greedy £",
        "gap %",
        "MIP s",
        "vs greedy %",
        "optimal"
    );
    let (mut secs, mut gains) = (Vec::new(), Vec::new());
    for seed in 1..=seeds as u64 {
        let t = generate(nr, no, seed);
        let start = Instant::now();
        let res = contracts::solve(
            &t,
            &contracts::TenderSettings {
                time_limit: std::time::Duration::from_secs(120),
                threads: 1,
            },
        );
        if let Err(contracts::TenderError::Solver(e)) = &res {
            panic!("the solver failed: {e}");
        }
        let s = start.elapsed().as_secs_f64();
        let g = greedy(&t);
        match res {
            Ok(a) => {
                eprintln!(
                    "seed {seed}: MIP solve {:.2} s of {:.2} s; {} variables, {} constraints",
                    a.seconds, s, a.size.0, a.size.1
                );
                let gain = g.map(|g| 100.0 * (g - a.cost_per_day.0) as f64 / g as f64);
                println!(
                    "{:>4} {:>7} {:>7} {:>8} {:>6} {:>12.2} {:>12.2} {:>12} {:>9.5} {:>8.2} {:>12} {:>8}",
                    seed,
                    nr,
                    no,
                    t.offers.len(),
                    t.bundles.len(),
                    a.lp_bound,
                    a.cost_per_day.pounds(),
                    g.map(|g| format!("{:.2}", g as f64 / 100.0))
                        .unwrap_or("stuck".into()),
                    100.0 * a.gap,
                    s,
                    gain.map(|x| format!("{x:.2}")).unwrap_or("-".into()),
                    a.optimal
                );
                secs.push(s);
                if let Some(x) = gain {
                    gains.push(x);
                }
            }
            Err(inf) => println!("{seed:>4} infeasible: {inf}"),
        }
    }
    if !secs.is_empty() {
        println!(
            "median total solve time (LP relaxation + MIP) {:.2} s over {} seeds; median saving against greedy {:.2}%",
            median(&mut secs),
            secs.len(),
            if gains.is_empty() {
                f64::NAN
            } else {
                median(&mut gains)
            }
        );
    }
}
