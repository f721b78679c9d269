//! The golden demo: the whole chain (`schoolrun demo`, fixed iterations) compared figure by
//! figure with the outputs recorded in `tests/golden/demo/`. A restructuring must leave
//! every output unchanged; a deliberate change of behaviour re-records them with
//! `SCHOOLRUN_BLESS=1 cargo test --release golden` and says why in its commit.
//!
//! Normalisation: wall-clock timings (JSON keys `seconds` or `…_seconds` holding a
//! fraction, and `time_limit_s`) and the run id that ties one command's outputs together
//! (`run_id`, and the report's `schoolrun-run` meta tag) are dropped; every other figure
//! must match exactly.
//! Large files are compared by a 64-bit FNV-1a digest of their normalised text.

use crate::common::{bin, data};
use std::path::{Path, PathBuf};

/// Files compared in full (normalised text kept in the repository).
const FULL: &[&str] = &[
    "allocation.csv",
    "by_operator.csv",
    "by_school.csv",
    "projection.csv",
    "savings.csv",
    "savings.json",
    "sensitivity.csv",
    "summary.json",
    "targets.csv",
    "tender.json",
    "routes.csv",
];
/// Files compared by digest (too large to keep).
const DIGEST: &[&str] = &["plan.json", "routes.geojson", "report.html"];

fn fnv(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn strip_timings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|k, v| {
                let timing = (k == "seconds" || k.ends_with("_seconds") || k == "time_limit_s")
                    && v.as_f64()
                        .is_some_and(|x| x.fract() != 0.0 || k == "time_limit_s");
                !timing && k != "run_id"
            });
            m.values_mut().for_each(strip_timings);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

fn normalise(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} missing from the demo outputs: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "json") {
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        strip_timings(&mut v);
        serde_json::to_string_pretty(&v).expect("serialisable") + "\n"
    } else if let Some(at) = text.find("<meta name=\"schoolrun-run\"") {
        let end = at + text[at..].find('>').map_or(0, |e| e + 1);
        format!("{}{}", &text[..at], &text[end..])
    } else {
        text
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/demo")
}

#[test]
fn demo_outputs_match_the_golden_figures() {
    let out = tempfile::tempdir().unwrap();
    crate::common::succeed(
        bin()
            .args(["demo", "--out"])
            .arg(out.path())
            .arg("--data")
            .arg(data("")),
    );
    let golden = golden_dir();
    let bless = std::env::var_os("SCHOOLRUN_BLESS").is_some();
    let mut digests = String::new();
    let mut differ = Vec::new();
    for f in FULL {
        let actual = normalise(&out.path().join(f));
        let g = golden.join(f);
        if bless {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&g, &actual).unwrap();
        } else if std::fs::read_to_string(&g).ok().as_deref() != Some(actual.as_str()) {
            differ.push(f.to_string());
        }
    }
    for f in DIGEST {
        digests.push_str(&format!("{f} {}\n", fnv(&normalise(&out.path().join(f)))));
    }
    let dg = golden.join("DIGESTS");
    if bless {
        std::fs::write(&dg, &digests).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&dg).unwrap_or_default();
    for (a, e) in digests
        .lines()
        .zip(expected.lines().chain(std::iter::repeat("")))
    {
        if a != e {
            differ.push(a.split(' ').next().unwrap_or("").to_string());
        }
    }
    if !differ.is_empty() {
        let keep = std::env::temp_dir().join("schoolrun-golden-actual");
        let _ = std::fs::remove_dir_all(&keep);
        std::fs::create_dir_all(&keep).unwrap();
        for f in FULL.iter().chain(DIGEST) {
            let _ = std::fs::write(keep.join(f), normalise(&out.path().join(f)));
        }
        panic!(
            "demo outputs differ from tests/golden/demo in: {}; the normalised outputs are in {}",
            differ.join(", "),
            keep.display()
        );
    }
}
