//! Road geometry of the legs a plan drives, for `routes.geojson` and the report's map:
//! each leg (from one matrix location to the next) as the polyline of the roads driven.
//! Computed by `workflow::road_lines` on the road network; this module only assembles
//! runs from legs.

use std::collections::HashMap;

/// The polyline of each leg a plan drives, keyed by (from, to) matrix locations.
#[derive(Debug, Clone, Default)]
pub struct RoadLines {
    legs: HashMap<(usize, usize), Vec<[f64; 2]>>,
}

impl RoadLines {
    /// Records the roads of the leg `from → to` (`[lat, lon]` points).
    pub fn insert(&mut self, from: usize, to: usize, points: Vec<[f64; 2]>) {
        self.legs.insert((from, to), points);
    }

    /// Whether the leg `from → to` is known.
    pub fn contains(&self, from: usize, to: usize) -> bool {
        self.legs.contains_key(&(from, to))
    }

    /// Legs known.
    pub fn len(&self) -> usize {
        self.legs.len()
    }

    /// Whether no leg is known (every run is then drawn straight between its stops).
    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    /// Points (`[lat, lon]`) along the roads through the locations `locs` in order, a
    /// straight line for a leg not known; consecutive repeats removed.
    pub fn run(&self, coords: &[[f64; 2]], locs: &[usize]) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for (k, &l) in locs.iter().enumerate() {
            if k > 0
                && locs[k - 1] != l
                && let Some(leg) = self.legs.get(&(locs[k - 1], l))
            {
                out.extend(leg.iter().copied());
                continue;
            }
            out.push(coords[l]);
        }
        out.dedup();
        out
    }

    /// Points along the roads in total (for measuring the geometry's size).
    pub fn points(&self) -> usize {
        self.legs.values().map(Vec::len).sum()
    }
}
