//! plan.json, read back by `tender`, `savings` and re-planning: any text gives a checked
//! plan of the demo scenario or an input error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn demo() -> &'static schoolrun::scenario::Scenario {
    static SC: OnceLock<schoolrun::scenario::Scenario> = OnceLock::new();
    SC.get_or_init(|| {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
        schoolrun::scenario::load(&dir).unwrap().scenario
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = schoolrun::report::parse_plan("plan.json", &text, demo());
});
