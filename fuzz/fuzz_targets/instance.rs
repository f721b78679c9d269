//! Benchmark instance readers (VRPLIB `.vrp`, Solomon and Li & Lim text, our JSON): any
//! text gives an instance or a format error, never a panic or a huge allocation. The first
//! byte picks the format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = ["f.vrp", "f.json", "f.txt"][pick as usize % 3];
    let text = String::from_utf8_lossy(bytes);
    if let Ok(instance) = schoolrun::instance::parse(std::path::Path::new(name), &text) {
        // What the reader accepts, the solver and checker take without panicking.
        let settings = schoolrun::routing::Settings {
            time_limit: None,
            iterations: Some(5),
            threads: 1,
            seed: 1,
        };
        let outcome = schoolrun::routing::solve(&instance.problem, &settings, None, &|_, _| {});
        let _ = schoolrun::routing::verify(&instance.problem, &outcome.solution);
        let _ = instance.reported_cost(&outcome.solution);
    }
});
