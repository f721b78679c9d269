//! Shared fixtures for the integration tests.

use schoolrun::network::Network;
use schoolrun::progress::Progress;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Path to a file under the crate's `data/` folder.
pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(rel)
}

/// Path to the shipped Rutland extract.
pub fn rutland_pbf() -> PathBuf {
    data("osm/rutland-latest.osm.pbf")
}

/// The prepared Rutland network, built once per test binary (no cache).
pub fn rutland() -> &'static Network {
    static NET: OnceLock<Network> = OnceLock::new();
    NET.get_or_init(|| {
        Network::build(&rutland_pbf(), &Progress::hidden())
            .expect("Rutland builds")
            .0
    })
}

/// The schoolrun binary under test.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_schoolrun"));
    c.env(
        "SCHOOLRUN_CACHE_DIR",
        std::env::temp_dir().join("schoolrun-test-cache"),
    );
    c
}

/// A deterministic pseudo-random sequence for sampling.
pub struct Rng(pub u64);
impl Rng {
    /// Next value in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` points snapped onto Rutland's roads, spread over the county.
pub fn rutland_points(n: usize, seed: u64) -> Vec<schoolrun::network::Snap> {
    let net = rutland();
    let mut rng = Rng(seed.max(1));
    let mut out = Vec::new();
    while out.len() < n {
        let lat = 52.55 + 0.17 * rng.unit();
        let lon = -0.82 + 0.32 * rng.unit();
        if let Some(s) = net.snap(lat, lon)
            && s.distance_m < 500.0
        {
            out.push(s);
        }
    }
    out
}

/// The demo scenario and the matrix between its homes and schools (homes first).
pub fn demo() -> (schoolrun::scenario::Scenario, schoolrun::matrix::Matrix) {
    let sc = schoolrun::scenario::load(&data("demo")).unwrap().scenario;
    let net = rutland();
    let mut pts: Vec<[f64; 2]> = sc.pupils.iter().map(|p| [p.lat, p.lon]).collect();
    pts.extend(sc.schools.iter().map(|s| [s.lat, s.lon]));
    let snaps = net.snap_all(&pts, 500.0).unwrap();
    let m = net.matrix(&snaps, &snaps, &|_| {});
    (sc, m)
}

/// The demo scenario prepared as the command line prepares it (network from the tests'
/// cache), built once per test binary.
pub fn prepared_demo() -> &'static schoolrun::workflow::Prepared {
    static P: OnceLock<schoolrun::workflow::Prepared> = OnceLock::new();
    P.get_or_init(|| {
        let o = schoolrun::workflow::PrepareOptions {
            cache_dir: Some(std::env::temp_dir().join("schoolrun-test-cache")),
            max_snap_m: schoolrun::workflow::DEFAULT_MAX_SNAP_M,
        };
        schoolrun::workflow::prepare(&data("demo"), &o, &Progress::hidden()).expect("demo prepares")
    })
}

/// Runs a command that must succeed; fails the test with its stderr otherwise.
pub fn succeed(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
