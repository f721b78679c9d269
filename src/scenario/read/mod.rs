//! One reader per scenario file. Each reads its table through the shared helpers
//! ([`super::table`], [`super::ids`]), records every problem in the [`Findings`], and
//! returns what it could use together with the ids it defines, which later readers
//! resolve their references against.

mod current;
mod operators;
mod prices;
mod pupils;
mod schools;
mod vehicles;

pub(crate) use current::{Known, current_routes};
pub(crate) use operators::operators;
pub(crate) use prices::{bids, bundles, rates};
pub(crate) use pupils::pupils;
pub(crate) use schools::schools;
pub(crate) use vehicles::vehicles;

use super::model::Address;
use super::table::{Findings, Row, Table};
use crate::error::Code;
use crate::units::Pence;

/// How a located file (schools.csv, pupils.csv) gives its places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coordinates {
    /// `lat, lon`: WGS84 degrees.
    LatLon,
    /// `easting, northing`: British National Grid metres, converted with OSTN15.
    Grid,
    /// Neither pair (reported once for the file).
    Missing,
}

/// Which coordinates a located file has; one problem when it has neither pair.
pub(crate) fn coordinates(t: &Table, f: &mut Findings) -> Coordinates {
    if t.has("lat") && t.has("lon") {
        Coordinates::LatLon
    } else if t.has("easting") && t.has("northing") {
        Coordinates::Grid
    } else {
        let missing = if t.has("lat") || t.has("easting") {
            if t.has("lat") { "lon" } else { "northing" }
        } else {
            "lat"
        };
        f.error(
            Code::MissingColumn,
            &t.file,
            1,
            missing,
            "",
            "columns 'lat' and 'lon' (WGS84 degrees), or 'easting' and 'northing' (British National Grid metres, EPSG:27700)",
        );
        Coordinates::Missing
    }
}

/// A row's place as (lat, lon): read as given, or converted from the National Grid.
pub(crate) fn place(row: &Row, f: &mut Findings, c: Coordinates) -> Option<(f64, f64)> {
    match c {
        Coordinates::LatLon => {
            let lat = row.number(f, "lat", -90.0, 90.0);
            let lon = row.number(f, "lon", -180.0, 180.0);
            Some((lat?, lon?))
        }
        Coordinates::Grid => {
            let e = row.number(f, "easting", 0.0, 800_000.0);
            let n = row.number(f, "northing", 0.0, 1_400_000.0);
            let (e, n) = (e?, n?);
            let found = super::grid::to_lat_lon(e, n);
            if found.is_none() {
                row.problem(
                    f,
                    Code::OutOfRange,
                    "easting",
                    &format!("{e}, {n}"),
                    "an easting and northing inside the OSTN15 grid (Great Britain and its near waters)",
                );
            }
            found
        }
        Coordinates::Missing => None,
    }
}

/// The row's UPRN and postcode, when the file has those columns and the row fills them.
pub(crate) fn address(row: &Row) -> Option<Address> {
    let uprn = row.opt("uprn").map(str::to_string);
    let postcode = row.opt("postcode").map(str::to_string);
    (uprn.is_some() || postcode.is_some()).then_some(Address { uprn, postcode })
}

/// Largest plausible money value in one field (£100,000).
pub(crate) const MAX_MONEY: f64 = 100_000.0;

/// A required amount of money in pounds, as pence.
pub(crate) fn money(row: &Row, f: &mut Findings, col: &str) -> Option<Pence> {
    row.number(f, col, 0.0, MAX_MONEY).map(Pence::from_pounds)
}

/// A required whole number from 0 to `hi`.
pub(crate) fn count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<u32> {
    let v = row.number(f, col, 0.0, hi)?;
    if v.fract() != 0.0 {
        row.problem(
            f,
            Code::NotAnInteger,
            col,
            row.raw(col).unwrap_or(""),
            "a whole number",
        );
        return None;
    }
    Some(v as u32)
}

/// An optional whole number (`Some(None)` when empty; `None` after a reported problem).
pub(crate) fn opt_count(row: &Row, f: &mut Findings, col: &str, hi: f64) -> Option<Option<u32>> {
    if row.opt(col).is_none() {
        return Some(None);
    }
    count(row, f, col, hi).map(Some)
}
