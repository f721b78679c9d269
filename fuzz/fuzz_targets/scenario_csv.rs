//! Scenario CSV readers: any bytes in any of the scenario's CSV files give problems or a
//! scenario, never a panic or a hang. The first input byte picks the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const FILES: [&str; 8] = [
    "schools.csv",
    "pupils.csv",
    "vehicles.csv",
    "operators.csv",
    "rates.csv",
    "bids.csv",
    "bundles.csv",
    "current_routes.csv",
];

#[path = "shared/demo.rs"]
mod demo;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| demo::copy("csv"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let dir = folder();
    let file = dir.join(FILES[pick as usize % FILES.len()]);
    let original = std::fs::read(&file).ok();
    std::fs::write(&file, bytes).unwrap();
    let _ = schoolrun::scenario::load_all(dir);
    match original {
        Some(bytes) => std::fs::write(&file, bytes).unwrap(),
        None => std::fs::remove_file(&file).unwrap(),
    }
});
