//! Snapping coordinates onto the nearest road a vehicle may stop on (R-tree over road
//! segments, orthogonal projection onto the segment).

use super::RoadNetwork;
use super::build::haversine_m;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};
use serde::Serialize;

/// A point snapped onto a road.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snap {
    /// The road (chain) snapped onto.
    pub chain: u32,
    /// Travel time (ms) from the chain's start to the snapped point.
    pub pos_ms: u64,
    /// Distance (m) from the chain's start to the snapped point.
    pub pos_m: u64,
    /// Straight-line distance (m) from the original coordinate to the road.
    pub distance_m: f64,
    /// Latitude of the snapped point on the road.
    pub lat: f64,
    /// Longitude of the snapped point on the road.
    pub lon: f64,
}

/// A point that could not be snapped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapFailure {
    /// Index of the point in the input.
    pub index: usize,
    /// Distance to the nearest usable road, or `None` when the coordinate is unusable.
    pub distance_m: Option<f64>,
}

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// Local equirectangular projection to metres around the network's centre: accurate to
/// well under a metre for snapping within a county.
pub(crate) struct SnapIndex {
    tree: RTree<Segment>,
    lat0: f64,
    lon0: f64,
    kx: f64,
}

const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

impl SnapIndex {
    pub(crate) fn new(roads: &RoadNetwork) -> Self {
        let b = roads.bbox();
        let lat0 = (b[0] + b[2]) / 2.0;
        let lon0 = (b[1] + b[3]) / 2.0;
        let kx = lat0.to_radians().cos();
        let mut idx = SnapIndex {
            tree: RTree::new(),
            lat0,
            lon0,
            kx,
        };
        let ch = &roads.chains;
        let mut segs = Vec::new();
        for c in 0..ch.len() as u32 {
            if !ch.snappable(c) {
                continue;
            }
            let r = ch.range(c);
            for k in r.start..r.end - 1 {
                let a = idx.project(ch.coord[k]);
                let b = idx.project(ch.coord[k + 1]);
                segs.push(Segment::new(Line::new(a, b), (c, (k - r.start) as u32)));
            }
        }
        idx.tree = RTree::bulk_load(segs);
        idx
    }

    fn project(&self, [lat, lon]: [f64; 2]) -> [f64; 2] {
        [
            (lon - self.lon0) * self.kx * M_PER_DEG,
            (lat - self.lat0) * M_PER_DEG,
        ]
    }

    fn unproject(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        [
            y / M_PER_DEG + self.lat0,
            x / (self.kx * M_PER_DEG) + self.lon0,
        ]
    }

    pub(crate) fn snap(&self, roads: &RoadNetwork, lat: f64, lon: f64) -> Option<Snap> {
        if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            return None;
        }
        let p = self.project([lat, lon]);
        let seg = self.tree.nearest_neighbor(p)?;
        let (c, k) = seg.data;
        let line = seg.geom();
        let (a, b) = (line.from, line.to);
        let d = [b[0] - a[0], b[1] - a[1]];
        let len2 = d[0] * d[0] + d[1] * d[1];
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let q = [a[0] + t * d[0], a[1] + t * d[1]];
        let snapped = self.unproject(q);
        let ch = &roads.chains;
        let i = ch.range(c).start + k as usize;
        let lerp = |v: &[u32]| -> u64 {
            (v[i] as f64 + t * (v[i + 1] as f64 - v[i] as f64)).round() as u64
        };
        Some(Snap {
            chain: c,
            pos_ms: lerp(&ch.cum_ms),
            pos_m: lerp(&ch.cum_m),
            distance_m: haversine_m([lat, lon], snapped),
            lat: snapped[0],
            lon: snapped[1],
        })
    }
}
