//! Synthetic county-scale road networks for benchmarks: a jittered grid with a road
//! hierarchy, missing links and one-way streets, built through the same pipeline as OSM.

use super::osm::{RawRoads, RawWay};
use super::tags::WayProfile;

/// A small deterministic random number generator (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A `side × side` grid of junctions about 90 m apart (so 1,100 × 1,100 covers roughly
/// 100 km × 100 km, a large English county) around 52.5°N 1°W. Every 50th line is an
/// A-road (65 km/h), every 10th a B-road (50 km/h), the rest local streets (20–40 km/h);
/// 12% of local links are missing and 5% are one-way in a random direction. Positions are
/// jittered by up to ±25 m so no two edges are exactly alike.
pub fn grid(side: u32, seed: u64) -> RawRoads {
    let mut rng = SplitMix(seed ^ 0x5EED);
    let spacing_deg_lat = 90.0 / 111_195.0;
    let spacing_deg_lon = spacing_deg_lat / 52.5f64.to_radians().cos();
    let mut coords = Vec::with_capacity((side * side) as usize);
    for j in 0..side {
        for i in 0..side {
            let jl = (rng.unit() - 0.5) * 50.0 / 111_195.0;
            let jo = (rng.unit() - 0.5) * 50.0 / 111_195.0 / 52.5f64.to_radians().cos();
            coords.push([
                52.0 + j as f64 * spacing_deg_lat + jl,
                -1.5 + i as f64 * spacing_deg_lon + jo,
            ]);
        }
    }
    let id = |i: u32, j: u32| j * side + i;
    let mut ways = Vec::new();
    let class = |line: u32| -> Option<f64> {
        if line.is_multiple_of(50) {
            Some(65.0)
        } else if line.is_multiple_of(10) {
            Some(50.0)
        } else {
            None
        }
    };
    let mut link = |a: u32, b: u32, line: u32, rng: &mut SplitMix| {
        let major = class(line);
        if major.is_none() && rng.unit() < 0.12 {
            return;
        }
        let speed = major.unwrap_or_else(|| 20.0 + 20.0 * rng.unit());
        let (forward, backward) = if major.is_none() && rng.unit() < 0.05 {
            if rng.unit() < 0.5 {
                (true, false)
            } else {
                (false, true)
            }
        } else {
            (true, true)
        };
        ways.push(RawWay {
            nodes: vec![a, b],
            profile: WayProfile {
                speed_kmh: speed,
                forward,
                backward,
                snappable: true,
                residential: major.is_none(),
            },
        });
    };
    for j in 0..side {
        for i in 0..side {
            if i + 1 < side {
                link(id(i, j), id(i + 1, j), j, &mut rng);
            }
            if j + 1 < side {
                link(id(i, j), id(i, j + 1), i, &mut rng);
            }
        }
    }
    RawRoads { coords, ways }
}
