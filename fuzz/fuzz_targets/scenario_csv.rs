//! Scenario CSV readers: any bytes in any of the scenario's CSV files give problems or a
//! scenario, never a panic or a hang. The first input byte picks the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The scenario's CSV files (every file of the folder but scenario.toml).
fn csv_files() -> &'static [&'static str] {
    &schoolrun::scenario::FILES[1..]
}

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
    let files = csv_files();
    let file = dir.join(files[pick as usize % files.len()]);
    let original = std::fs::read(&file).ok();
    std::fs::write(&file, bytes).unwrap();
    let _ = schoolrun::scenario::load_all(dir);
    match original {
        Some(bytes) => std::fs::write(&file, bytes).unwrap(),
        None => std::fs::remove_file(&file).unwrap(),
    }
});
