//! Road-network jobs: building (and caching) the prepared network, the travel matrix
//! between a list of points, and generating a synthetic scenario on real roads.

use super::prepare::{Place, check_snap_limit, snap_places};
use crate::error::{Code, Error, Problem, Result};
use crate::matrix::Matrix;
use crate::network::{LoadReport, Network};
use crate::progress::Progress;
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Builds the road network of an extract, refreshing the cache in `cache_dir` and, when
/// `out` is given, also writing the prepared network there.
pub fn build(
    osm: &Path,
    cache_dir: Option<&Path>,
    out: Option<&Path>,
    progress: &Progress,
) -> Result<(Network, LoadReport)> {
    let (net, report) = Network::build(osm, progress)?;
    if let Some(dir) = cache_dir {
        // Building also refreshes the cache, so later commands start at once.
        if let Err(e) = Network::load(osm, Some(dir), &Progress::hidden()) {
            progress.warn(&format!("could not refresh the graph cache: {e}"));
        }
    }
    if let Some(out) = out {
        net.save(out, osm)?;
    }
    Ok((net, report))
}

/// How to compute a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Many-to-many queries on the contraction hierarchy (the default).
    Ch,
    /// One Dijkstra search per source (the baseline).
    Dijkstra,
}

impl Algorithm {
    /// From the command-line word.
    pub fn parse(word: &str) -> Result<Self> {
        match word {
            "ch" => Ok(Algorithm::Ch),
            "dijkstra" => Ok(Algorithm::Dijkstra),
            other => Err(Error::problem(Problem {
                code: Code::UnknownValue,
                ..Problem::argument("--algorithm", other, "ch or dijkstra")
            })),
        }
    }
}

/// The travel matrix between the points of an `id,lat,lon` file: the ids, the matrix and
/// the seconds it took.
pub fn matrix(
    osm: &Path,
    points: &Path,
    max_snap_m: f64,
    algorithm: Algorithm,
    cache_dir: Option<&Path>,
    progress: &Progress,
) -> Result<(Vec<String>, Matrix, f64)> {
    check_snap_limit(max_snap_m, "--max-snap-m")?;
    let pts = scenario::read_points(points)?;
    let (net, _) = Network::load(osm, cache_dir, progress)?;
    let file = points
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let places: Vec<Place> = pts
        .iter()
        .map(|p| Place {
            file: &file,
            line: p.line,
            id: &p.id,
            lat: p.lat,
            lon: p.lon,
        })
        .collect();
    let (snaps, problems) = snap_places(&net, &places, max_snap_m);
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let snaps: Vec<_> = snaps.into_iter().flatten().collect();
    let t = Instant::now();
    let bar = progress.bar(2 * pts.len() as u64, "computing matrix");
    let m = match algorithm {
        Algorithm::Ch => net.matrix(&snaps, &snaps, &|k| bar.inc(k)),
        Algorithm::Dijkstra => net
            .roads()
            .matrix_dijkstra(&snaps, &snaps, &|k| bar.inc(k * 2)),
    };
    bar.finish_and_clear();
    Ok((
        pts.into_iter().map(|p| p.id).collect(),
        m,
        t.elapsed().as_secs_f64(),
    ))
}

/// `to` expressed relative to the folder `from_dir` when both resolve, else absolute.
fn relative_path(from_dir: &Path, to: &Path) -> PathBuf {
    let (Ok(from), Ok(to_abs)) = (from_dir.canonicalize(), to.canonicalize()) else {
        return to.to_path_buf();
    };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to_abs.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c);
    }
    rel
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Number of pupils.
    pub pupils: usize,
    /// Random seed: the same seed gives the same files.
    pub seed: u64,
    /// Scenario name.
    pub name: String,
    /// Number of schools (`None`: every school of the extract).
    pub schools: Option<usize>,
    /// Overwrite an output folder that already holds files.
    pub force: bool,
}

/// Generates a synthetic scenario on the extract's roads and writes it to `out`. An
/// output folder that already holds files is refused unless `force`: it may be a
/// council's real scenario.
pub fn generate(
    osm: &Path,
    o: &GenerateOptions,
    out: &Path,
    cache_dir: Option<&Path>,
    progress: &Progress,
) -> Result<Scenario> {
    for (option, value, ok, expected) in [
        (
            "--pupils",
            o.pupils,
            (1..=100_000).contains(&o.pupils),
            "from 1 to 100000 pupils",
        ),
        (
            "--schools",
            o.schools.unwrap_or(2),
            (2..=5_000).contains(&o.schools.unwrap_or(2)),
            "from 2 to 5000 schools",
        ),
    ] {
        if !ok {
            return Err(Error::problem(Problem::argument(
                option,
                value.to_string(),
                expected,
            )));
        }
    }
    let occupied = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if occupied && !o.force {
        return Err(Error::problem(Problem::argument(
            "--out",
            out.display().to_string(),
            "a new or empty folder (this one holds files; add --force to overwrite them)",
        )));
    }
    let (net, _) = Network::load(osm, cache_dir, progress)?;
    let schools = crate::network::osm::read_schools(osm)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let opts = crate::synth::Options {
        pupils: o.pupils,
        seed: o.seed,
        osm_in_toml: relative_path(out, osm),
        name: o.name.clone(),
        schools: o.schools,
    };
    let sc = crate::synth::generate(&net, &schools, &opts)?;
    scenario::write_scenario(out, &sc)?;
    Ok(sc)
}
