//! scenario.toml: any bytes give problems or settings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A private copy of the demo scenario (on a RAM disk when there is one).
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("schoolrun-fuzz-toml-{}", std::process::id()));
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
    let dir = folder();
    std::fs::write(dir.join("scenario.toml"), data).unwrap();
    let _ = schoolrun::scenario::load_all(dir);
});
