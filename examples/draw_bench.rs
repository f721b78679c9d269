//! Cost of drawing a plan's runs along the roads (`routes.geojson`, the report's map):
//! prepares a scenario, reads a plan written by `schoolrun plan`, and times unpacking
//! every leg into road geometry.
//!
//! usage: cargo run --release --example draw_bench -- SCENARIO_DIR PLAN_OUT_DIR

use schoolrun::progress::Progress;
use schoolrun::workflow::{PrepareOptions, prepare, road_lines};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: draw_bench SCENARIO_DIR PLAN_OUT_DIR");
        std::process::exit(2);
    };
    let p = prepare(
        dir.as_ref(),
        &PrepareOptions::default(),
        &Progress::hidden(),
    )?;
    let file = std::path::Path::new(out).join("plan.json");
    let text = std::fs::read_to_string(&file)?;
    let plan =
        schoolrun::report::plan_file::parse(&file.display().to_string(), &text, &p.scenario)?;
    let stops: usize = plan
        .routes
        .iter()
        .flat_map(|r| r.halves())
        .map(|(_, h)| h.stops.len())
        .sum();
    let mut times = Vec::new();
    let mut lines = None;
    for _ in 0..3 {
        let t = Instant::now();
        lines = Some(road_lines(&p, &[&plan]));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let lines = lines.unwrap_or_default();
    println!(
        "routes {} stops {} legs {} road points {} median of 3: {:.3} s",
        plan.routes.len(),
        stops,
        lines.len(),
        lines.points(),
        times[1]
    );
    Ok(())
}
