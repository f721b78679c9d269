//! Experiment (BENCHMARKS.md, "Set partitioning over finished plans"): the routes of
//! several finished plans of one scenario (`schoolrun plan --out DIR`), pooled, and the
//! cheapest partition of the pupils into them chosen by HiGHS. Prints each plan's yearly
//! cost, the best, and the recombined cost.
//!
//! usage: cargo run --release --example elite_spp -- SCENARIO_DIR SECONDS PLAN_DIR…
use schoolrun::contracts::partition::HighsPartitioner;
use schoolrun::progress::Progress;
use schoolrun::routing::Limits;
use schoolrun::workflow::prepare::{PrepareOptions, prepare};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::Path::new(&args[1]);
    let secs: u64 = args[2].parse().unwrap();
    let p = prepare(dir, &PrepareOptions::default(), &Progress::hidden()).unwrap();
    let c = schoolrun::plan::compile(&p.scenario, &p.travel, &p.locations);
    let pr = &c.problem;
    let days = p.scenario.policy.school_days as f64;
    let per_year = |x: i64| x as f64 / schoolrun::plan::UNITS_PER_PENNY as f64 / 100.0 * days;
    let mut pool = schoolrun::routing::Pool::new(usize::MAX);
    let mut best: Option<schoolrun::routing::Solution> = None;
    for d in &args[3..] {
        let plan =
            schoolrun::report::read_plan(std::path::Path::new(d), &p.scenario, &p.fingerprint)
                .unwrap();
        let sol = schoolrun::plan::Warm::from_plan(&plan).solution(&c);
        print!("{:.0} ", per_year(sol.cost(pr)));
        pool.add_solution(pr, &sol);
        if best.as_ref().is_none_or(|b| sol.cost(pr) < b.cost(pr)) {
            best = Some(sol);
        }
    }
    let best = best.unwrap();
    let t = Instant::now();
    let columns = pool.len();
    let r = pool.recombine(
        pr,
        &best,
        &HighsPartitioner::default(),
        Limits {
            time: Duration::from_secs(secs),
            nodes: None,
            heuristics: None,
        },
    );
    println!(
        "| best {:.0} recombined {} ({columns} routes) {:.1}s",
        per_year(best.cost(pr)),
        r.map_or("no better".to_string(), |s| format!(
            "{:.0} ({} vehicles)",
            per_year(s.cost(pr)),
            s.routes.len()
        )),
        t.elapsed().as_secs_f64()
    );
}
