//! scenario.toml: any bytes give problems or settings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "shared/demo.rs"]
mod demo;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| demo::copy("toml"))
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    std::fs::write(dir.join("scenario.toml"), data).unwrap();
    let _ = schoolrun::scenario::load_all(dir);
});
