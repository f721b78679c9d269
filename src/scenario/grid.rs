//! British National Grid (EPSG:27700, OSGB36 eastings and northings in metres) to WGS84
//! latitude and longitude, as councils' address gazetteers give homes and schools.
//!
//! The transformation is Ordnance Survey's OSTN15 (with its grid of shifts between OSGB36
//! and ETRS89), as implemented by the `lonlat_bng` crate; no hand-written Helmert. OSTN15
//! reproduces OS's definitive transformation to within 1 mm on its published test points
//! (measured: BENCHMARKS.md) and OS states an accuracy of about 0.1 m (RMS) against the
//! national GNSS network. ETRS89 and WGS84 differ by well under a metre in Great Britain,
//! far below the road snapping this program does (a kerb within metres).

/// Latitude and longitude (degrees) of an OSGB36 easting and northing (metres), or `None`
/// outside the OSTN15 grid (Great Britain, its islands and near waters).
pub fn to_lat_lon(easting: f64, northing: f64) -> Option<(f64, f64)> {
    if !(easting.is_finite() && northing.is_finite()) {
        return None;
    }
    lonlat_bng::convert_osgb36_to_ll(easting, northing)
        .ok()
        .map(|(lon, lat)| (lat, lon))
        .filter(|(lat, lon)| lat.is_finite() && lon.is_finite())
}
