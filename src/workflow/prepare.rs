//! Preparing a scenario for planning: load and check the folder, load the road network,
//! check every home and school against it, snap them, and compute the travel matrix.

use crate::error::{Code, Error, Problem, Result};
use crate::network::{LoadReport, Network, Snap};
use crate::plan::Locations;
use crate::progress::Progress;
use crate::routing::Travel;
use crate::scenario::{self, Loaded, Scenario, Summary};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Where the prepared network is cached and how far a point may be from a road.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// Folder of the network cache (`None`: never read or write it).
    pub cache_dir: Option<PathBuf>,
    /// Largest allowed distance from a home or school to the road it snaps to, metres.
    pub max_snap_m: f64,
}

/// The default snap limit: a kerb within 500 m.
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            cache_dir: Some(crate::network::default_cache_dir()),
            max_snap_m: DEFAULT_MAX_SNAP_M,
        }
    }
}

/// A scenario ready to plan: checked, on the road network, with its travel matrix.
pub struct Prepared {
    /// The scenario folder.
    pub dir: PathBuf,
    /// Fingerprint of the scenario folder's files (recorded with every output).
    pub fingerprint: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Warnings found while reading it.
    pub warnings: Vec<Problem>,
    /// The prepared road network (shared by the variants of a budget run).
    pub network: Arc<Network>,
    /// How the network was obtained (built or from the cache, and how long it took).
    pub network_report: LoadReport,
    /// Exact travel times (s) and distances (m) between every pair of locations, shared
    /// read-only by every problem compiled from this scenario.
    pub travel: Arc<Travel>,
    /// Which matrix location is each pupil's home and each school.
    pub locations: Locations,
    /// `[lat, lon]` of each matrix location, snapped onto its road.
    pub coords: Vec<[f64; 2]>,
    /// Where each matrix location lies on the road network.
    pub snaps: Vec<Snap>,
    /// Seconds spent computing the matrix.
    pub matrix_seconds: f64,
}

/// A point to check against the road network, with where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    /// File the point was read from.
    pub file: &'a str,
    /// Line in that file.
    pub line: usize,
    /// Id of the school, pupil or point.
    pub id: &'a str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Snaps every place onto the network: the snaps, and a problem for each place outside
/// the network's area or farther than `max_snap_m` from a road, all in one pass.
pub fn snap_places(
    net: &Network,
    places: &[Place],
    max_snap_m: f64,
) -> (Vec<Option<Snap>>, Vec<Problem>) {
    const MARGIN_DEG: f64 = 0.02;
    let b = net.roads().bbox();
    let area = format!(
        "a point inside the road network's area (lat {:.3} to {:.3}, lon {:.3} to {:.3})",
        b[0], b[2], b[1], b[3]
    );
    let mut problems = Vec::new();
    let mut snaps = Vec::with_capacity(places.len());
    for pl in places {
        let problem = |code, expected: String| Problem {
            code,
            file: pl.file.to_string(),
            line: pl.line,
            col: 0,
            column: "lat,lon".into(),
            value: format!("{} ({}, {})", pl.id, pl.lat, pl.lon),
            expected,
        };
        if pl.lat < b[0] - MARGIN_DEG
            || pl.lat > b[2] + MARGIN_DEG
            || pl.lon < b[1] - MARGIN_DEG
            || pl.lon > b[3] + MARGIN_DEG
        {
            // How far outside: to the nearest point of the network's area.
            let near = [pl.lat.clamp(b[0], b[2]), pl.lon.clamp(b[1], b[3])];
            let km = crate::network::haversine_m([pl.lat, pl.lon], near) / 1000.0;
            problems.push(problem(
                Code::OutsideNetwork,
                format!("{area}; this point is {km:.1} km outside it"),
            ));
            snaps.push(None);
            continue;
        }
        match net.snap(pl.lat, pl.lon) {
            Some(s) if s.distance_m <= max_snap_m => snaps.push(Some(s)),
            found => {
                problems.push(problem(
                    Code::TooFarFromRoad,
                    match found {
                        Some(s) => format!(
                            "a point within {max_snap_m:.0} m of a road (nearest is {:.0} m away)",
                            s.distance_m
                        ),
                        None => "a point near a road".into(),
                    },
                ));
                snaps.push(None);
            }
        }
    }
    (snaps, problems)
}

/// The schools and homes of a scenario as places, in matrix order (see
/// [`Locations::points`]); `line` gives each one's line in its file (0 when unknown).
fn places_of<'a>(sc: &'a Scenario, line: &dyn Fn(crate::plan::Point) -> usize) -> Vec<Place<'a>> {
    let (_, order) = Locations::points(sc);
    order
        .iter()
        .map(|&pt| match pt {
            crate::plan::Point::Home(i) => Place {
                file: "pupils.csv",
                line: line(pt),
                id: &sc.pupils[i].id,
                lat: sc.pupils[i].lat,
                lon: sc.pupils[i].lon,
            },
            crate::plan::Point::School(s) => Place {
                file: "schools.csv",
                line: line(pt),
                id: &sc.schools[s].id,
                lat: sc.schools[s].lat,
                lon: sc.schools[s].lon,
            },
        })
        .collect()
}

/// The schools and homes of a loaded scenario as places, with their lines.
fn places(loaded: &Loaded) -> Vec<Place<'_>> {
    places_of(&loaded.scenario, &|pt| match pt {
        crate::plan::Point::Home(i) => loaded.pupil_lines[i],
        crate::plan::Point::School(s) => loaded.school_lines[s],
    })
}

/// Checks every school and home of a loaded scenario against the road network: inside
/// its area and within `max_snap_m` of a road a vehicle can stop on.
pub fn check_locations(loaded: &Loaded, net: &Network, max_snap_m: f64) -> Vec<Problem> {
    snap_places(net, &places(loaded), max_snap_m).1
}

/// Checks the snap limit given on the command line or in a library call.
pub fn check_snap_limit(max_snap_m: f64, option: &str) -> Result<()> {
    if max_snap_m.is_finite() && max_snap_m > 0.0 && max_snap_m <= 100_000.0 {
        Ok(())
    } else {
        Err(Error::problem(Problem::argument(
            option,
            max_snap_m.to_string(),
            "a distance in metres above 0 and at most 100000",
        )))
    }
}

/// Memory the travel data of `points` locations needs, in bytes: the network's matrix
/// while it is computed and the routing matrices built from it.
pub fn matrix_bytes(points: usize) -> u64 {
    let n = points as u64 + 1;
    16 * n * n
}

/// Memory this machine has available, in bytes (`None` when it cannot be told).
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A problem when a scenario of `pupils` pupils and `schools` schools would need more
/// memory than this machine has available (the travel matrix grows with the square of
/// the locations).
pub fn memory_problem(pupils: usize, schools: usize) -> Option<Problem> {
    let need = matrix_bytes(pupils + schools);
    let have = available_memory()?;
    (need > have / 10 * 8).then(|| {
        Problem::file(
            Code::TooLarge,
            "pupils.csv",
            format!("{pupils} pupils and {schools} schools"),
            format!(
                "a scenario whose travel matrix fits in memory: it needs about {:.1} GB, this machine has {:.1} GB available (split the county into areas)",
                need as f64 / 1e9,
                have as f64 / 1e9
            ),
        )
    })
}

/// Loads, checks, snaps and measures a scenario folder (every problem in one pass).
pub fn prepare(dir: &Path, o: &PrepareOptions, progress: &Progress) -> Result<Prepared> {
    check_snap_limit(o.max_snap_m, "--max-snap-m")?;
    let loaded = scenario::load(dir)?;
    if let Some(p) = memory_problem(loaded.scenario.pupils.len(), loaded.scenario.schools.len()) {
        return Err(Error::problem(p));
    }
    let (network, network_report) =
        Network::load(&loaded.scenario.osm, o.cache_dir.as_deref(), progress)?;
    let (snaps, problems) = snap_places(&network, &places(&loaded), o.max_snap_m);
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let snaps: Vec<Snap> = snaps.into_iter().flatten().collect();
    let fingerprint = scenario::fingerprint(dir);
    let network = Arc::new(network);
    Ok(measured(
        dir,
        fingerprint,
        loaded.scenario,
        loaded.warnings,
        network,
        network_report,
        &snaps,
        progress,
    ))
}

/// The travel matrix between snapped locations, and the prepared scenario.
#[allow(clippy::too_many_arguments)]
fn measured(
    dir: &Path,
    fingerprint: String,
    scenario: Scenario,
    warnings: Vec<Problem>,
    network: Arc<Network>,
    network_report: LoadReport,
    snaps: &[Snap],
    progress: &Progress,
) -> Prepared {
    let t = Instant::now();
    let bar = progress.bar(2 * snaps.len() as u64, "computing travel matrix");
    let matrix = network.matrix(snaps, snaps, &|k| bar.inc(k));
    bar.finish_and_clear();
    let travel = crate::plan::travel(&matrix);
    drop(matrix);
    let matrix_seconds = t.elapsed().as_secs_f64();
    let (locations, _) = Locations::points(&scenario);
    Prepared {
        dir: dir.to_path_buf(),
        fingerprint,
        coords: snaps.iter().map(|s| [s.lat, s.lon]).collect(),
        snaps: snaps.to_vec(),
        scenario,
        warnings,
        network,
        network_report,
        travel,
        locations,
        matrix_seconds,
    }
}

/// Another scenario on the same road network as `base` (a budget variant): when its
/// schools and homes are the base's, the base's matrix is shared; otherwise every
/// location is snapped (a problem names the pupil or school too far from a road) and the
/// matrix computed. `fingerprint` identifies the variant in its outputs.
pub fn prepare_variant(
    base: &Prepared,
    scenario: Scenario,
    fingerprint: String,
    max_snap_m: f64,
    progress: &Progress,
) -> Result<Prepared> {
    let same_places = scenario.pupils.len() == base.scenario.pupils.len()
        && scenario.schools.len() == base.scenario.schools.len()
        && scenario
            .pupils
            .iter()
            .zip(&base.scenario.pupils)
            .all(|(a, b)| a.id == b.id && a.lat == b.lat && a.lon == b.lon && a.school == b.school);
    if same_places {
        return Ok(Prepared {
            dir: base.dir.clone(),
            fingerprint,
            scenario,
            warnings: Vec::new(),
            network: base.network.clone(),
            network_report: base.network_report.clone(),
            travel: base.travel.clone(),
            locations: base.locations.clone(),
            coords: base.coords.clone(),
            snaps: base.snaps.clone(),
            matrix_seconds: 0.0,
        });
    }
    let places = places_of(&scenario, &|_| 0);
    let (snaps, problems) = snap_places(&base.network, &places, max_snap_m);
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let snaps: Vec<Snap> = snaps.into_iter().flatten().collect();
    Ok(measured(
        &base.dir,
        fingerprint,
        scenario,
        Vec::new(),
        base.network.clone(),
        base.network_report.clone(),
        &snaps,
        progress,
    ))
}

/// The roads driven on every leg of `plans`, along the network (each leg once).
pub fn road_lines(p: &Prepared, plans: &[&crate::plan::Plan]) -> crate::report::RoadLines {
    let mut lines = crate::report::RoadLines::default();
    let mut drawer = crate::network::draw::Drawer::new(&p.network);
    for plan in plans {
        for r in &plan.routes {
            for (_, run) in r.halves() {
                for pair in run.stops.windows(2) {
                    let (a, b) = (pair[0].loc, pair[1].loc);
                    if a != b && !lines.contains(a, b) {
                        lines.insert(a, b, drawer.leg(&p.snaps[a], &p.snaps[b]));
                    }
                }
            }
        }
    }
    lines
}

/// What `validate` found.
#[derive(Debug)]
pub struct Validation {
    /// Every error, in one pass.
    pub errors: Vec<Problem>,
    /// Warnings.
    pub warnings: Vec<Problem>,
    /// Headline figures of what could be read.
    pub summary: Summary,
}

/// Checks a scenario folder as `plan` would: the files, then (when the extract can be
/// read) every location against the road network.
pub fn validate(dir: &Path, o: &PrepareOptions, progress: &Progress) -> Result<Validation> {
    check_snap_limit(o.max_snap_m, "--max-snap-m")?;
    let (loaded, mut errors) = scenario::load_all(dir);
    errors.extend(memory_problem(
        loaded.scenario.pupils.len(),
        loaded.scenario.schools.len(),
    ));
    if loaded.scenario.osm.is_file() {
        match Network::load(&loaded.scenario.osm, o.cache_dir.as_deref(), progress) {
            Ok((net, _)) => errors.extend(check_locations(&loaded, &net, o.max_snap_m)),
            Err(e) => errors.push(Problem {
                column: "osm".into(),
                ..Problem::file(
                    Code::OsmUnreadable,
                    "scenario.toml",
                    loaded.scenario.osm.display().to_string(),
                    format!("a readable .osm.pbf extract ({e})"),
                )
            }),
        }
    }
    Ok(Validation {
        errors,
        warnings: loaded.warnings,
        summary: loaded.scenario.summary(),
    })
}
