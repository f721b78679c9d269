//! Reading and validating input files: scenario folders and point lists. No network and
//! no outputs: checks against the road network live in [`crate::workflow`].

pub mod grid;
pub mod ids;
mod load;
pub mod model;
mod read;
pub mod schema;
pub mod settings;
pub mod table;
mod write;

pub use load::{Loaded, load, load_all};
pub use model::*;
pub use write::write_scenario;

use crate::error::Code;
use crate::error::{Error, Result};
use std::path::Path;
use table::{Findings, Table};

/// The files of a scenario folder, in the order they are fingerprinted.
pub const FILES: &[&str] = &[
    "scenario.toml",
    "schools.csv",
    "pupils.csv",
    "vehicles.csv",
    "operators.csv",
    "rates.csv",
    "bids.csv",
    "bundles.csv",
    "current_routes.csv",
];

/// The files a plan is made from: who travels, where to, and in what.
const PLAN_INPUTS: &[&str] = &["schools.csv", "pupils.csv", "vehicles.csv"];

/// A fingerprint of the files a plan is made from (names and contents): outputs record
/// it, so that a later command never reads a plan of one scenario against another's
/// pupils. Settings, prices and bids may change between `plan` and `tender` (that is what
/// a tender round does); the plan checker re-verifies the plan under the new settings.
pub fn fingerprint(dir: &Path) -> String {
    let mut all = Vec::new();
    for f in PLAN_INPUTS {
        if let Ok(bytes) = table::read_regular(&dir.join(f)) {
            all.extend_from_slice(f.as_bytes());
            all.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            all.extend_from_slice(&bytes);
        }
    }
    crate::files::fnv(&all)
}

/// A named coordinate.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The point's id as given.
    pub id: String,
    /// Latitude (WGS84 degrees).
    pub lat: f64,
    /// Longitude (WGS84 degrees).
    pub lon: f64,
    /// Line of the point in its file.
    pub line: usize,
}

/// Reads an `id,lat,lon` CSV, reporting every bad row (and duplicate ids) at once.
pub fn read_points(path: &Path) -> Result<Vec<Point>> {
    let mut f = Findings::default();
    let table = Table::read(
        path,
        schema::POINTS.required,
        schema::POINTS.optional,
        &mut f,
    );
    let mut points = Vec::new();
    if let Some(table) = &table {
        let mut seen = std::collections::BTreeMap::new();
        for row in table.rows() {
            let id = row.text(&mut f, "id");
            let lat = row.number(&mut f, "lat", -90.0, 90.0);
            let lon = row.number(&mut f, "lon", -180.0, 180.0);
            if let Some(id) = id
                && let Some(first) = seen.insert(id.to_string(), row.line)
            {
                row.problem(
                    &mut f,
                    Code::DuplicateId,
                    "id",
                    id,
                    format!("a unique id (first used on line {first})"),
                );
            }
            if let (Some(id), Some(lat), Some(lon)) = (id, lat, lon) {
                points.push(Point {
                    id: id.to_string(),
                    lat,
                    lon,
                    line: row.line,
                });
            }
        }
        if table.rows().next().is_none() {
            f.error(Code::NoRows, &table.file, 0, "", "", "at least one point");
        }
    }
    if f.errors.is_empty() {
        Ok(points)
    } else {
        Err(Error::invalid(f.errors))
    }
}
