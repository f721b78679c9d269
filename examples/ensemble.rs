//! Experiment behind BENCHMARKS.md ("Seed spread"): K independent searches of a
//! scenario's school day, their route pools merged, then set partitioning over the merged
//! pool. Prints each search's yearly cost and vehicles, and the recombined cost.
//!
//! usage: cargo run --release --example ensemble -- SCENARIO_DIR K ITERATIONS SEED [WINDOW]
//! (K = 1 and WINDOW = 1.0 measure one search alone.)
use schoolrun::contracts::partition::HighsPartitioner;
use schoolrun::progress::Progress;
use schoolrun::routing::{self, Limits, Settings};
use schoolrun::workflow::prepare::{PrepareOptions, prepare};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::Path::new(&args[1]);
    let k: u64 = args[2].parse().unwrap();
    let its: u64 = args[3].parse().unwrap();
    let base_seed: u64 = args[4].parse().unwrap();
    let window: f64 = args.get(5).map(|s| s.parse().unwrap()).unwrap_or(1.02);
    let p = prepare(dir, &PrepareOptions::default(), &Progress::hidden()).unwrap();
    let c = schoolrun::plan::compile(&p.scenario, &p.travel, &p.locations);
    let days = p.scenario.policy.school_days as f64;
    let per_year = |x: i64| x as f64 / schoolrun::plan::UNITS_PER_PENNY as f64 / 100.0 * days;
    let mut pool: Option<routing::Pool> = None;
    let mut best: Option<routing::Solution> = None;
    let t = Instant::now();
    for s in 0..k {
        let settings = Settings {
            time_limit: None,
            iterations: Some(its),
            threads: 1,
            seed: base_seed * 1000 + s,
            regret_share: 0.0,
            pricing: false,
        };
        let (out, pl) = routing::search::solve_pooled(&c.problem, &settings, None, window, 40_000);
        let cost = out.solution.cost(&c.problem);
        print!("{:.0} {} ", per_year(cost), out.solution.routes.len());
        if best.as_ref().is_none_or(|b| cost < b.cost(&c.problem)) {
            best = Some(out.solution);
        }
        match &mut pool {
            Some(x) => x.merge(pl),
            None => pool = Some(pl),
        }
    }
    let mut pool = pool.unwrap();
    let best = best.unwrap();
    let t1 = t.elapsed().as_secs_f64();
    let r = pool.recombine(
        &c.problem,
        &best,
        &HighsPartitioner::default(),
        Limits {
            time: Duration::from_secs(60),
            nodes: None,
            heuristics: None,
        },
    );
    let rc = r
        .as_ref()
        .map(|s| s.cost(&c.problem))
        .unwrap_or(best.cost(&c.problem));
    println!(
        "| best {:.0} recombined {:.0} ({} routes pooled) search {:.1}s sp {:.1}s",
        per_year(best.cost(&c.problem)),
        per_year(rc),
        pool.len(),
        t1,
        t.elapsed().as_secs_f64() - t1
    );
}
