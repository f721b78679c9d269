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

/// A private copy of the demo scenario (on a RAM disk when there is one).
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("schoolrun-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
        for e in std::fs::read_dir(demo).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        dir
    })
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
