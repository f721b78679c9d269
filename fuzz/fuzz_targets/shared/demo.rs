//! A private copy of the demo scenario for a fuzz target (on a RAM disk when there is one).

use std::path::PathBuf;

/// Copies `data/demo` into a fresh folder named after `tag` and this process.
pub fn copy(tag: &str) -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("schoolrun-fuzz-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
    for e in std::fs::read_dir(demo).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    dir
}
