//! The road network: built from an OpenStreetMap extract, cached on disk, with snapping of
//! coordinates onto roads and exact travel-time/distance matrices between snapped points.

mod build;
pub mod cache;
pub mod draw;
pub mod osm;
mod snap;
pub mod synthetic;
pub mod tags;

pub use build::haversine_m;
pub use cache::{default_cache_dir, fingerprint};
pub use snap::{Snap, SnapFailure};

use crate::error::{Error, ErrorKind, Result};
use crate::matrix::{self, Attachments, ContractionHierarchy, Graph, Matrix};
use serde::{Deserialize, Serialize};
use snap::SnapIndex;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Roads between junctions: each chain is one contracted run of OSM segments with its
/// full geometry, cumulative length (m) and time (ms) at every vertex.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Chains {
    ends: Vec<[u32; 2]>,
    /// Bit 0: forward allowed, 1: backward allowed, 2: snappable, 3: residential.
    flags: Vec<u8>,
    first: Vec<u32>,
    coord: Vec<[f64; 2]>,
    cum_m: Vec<u32>,
    cum_ms: Vec<u32>,
}

impl Chains {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn push(
        &mut self,
        a: u32,
        b: u32,
        [fwd, bwd, snappable, residential]: [bool; 4],
        coords: impl Iterator<Item = [f64; 2]>,
        cum: impl Iterator<Item = (u32, u32)>,
    ) {
        if self.first.is_empty() {
            self.first.push(0);
        }
        self.ends.push([a, b]);
        self.flags
            .push(fwd as u8 | (bwd as u8) << 1 | (snappable as u8) << 2 | (residential as u8) << 3);
        self.coord.extend(coords);
        for (m, ms) in cum {
            self.cum_m.push(m);
            self.cum_ms.push(ms);
        }
        self.first.push(self.coord.len() as u32);
    }

    fn range(&self, c: u32) -> std::ops::Range<usize> {
        self.first[c as usize] as usize..self.first[c as usize + 1] as usize
    }
    fn forward(&self, c: u32) -> bool {
        self.flags[c as usize] & 1 != 0
    }
    fn backward(&self, c: u32) -> bool {
        self.flags[c as usize] & 2 != 0
    }
    fn snappable(&self, c: u32) -> bool {
        self.flags[c as usize] & 4 != 0
    }
    fn residential(&self, c: u32) -> bool {
        self.flags[c as usize] & 8 != 0
    }
    /// Total (ms, m) of a chain.
    fn total(&self, c: u32) -> (u64, u64) {
        let last = self.range(c).end - 1;
        (self.cum_ms[last] as u64, self.cum_m[last] as u64)
    }
}

/// A road graph with its geometry (no preparation for queries).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoadNetwork {
    graph: Graph,
    node_coord: Vec<[f64; 2]>,
    chains: Chains,
}

/// Size figures of a network, as printed by `schoolrun network build`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Summary {
    /// Junction nodes in the graph.
    pub nodes: usize,
    /// Directed arcs (a two-way road counts twice).
    pub edges: usize,
    /// Length of road, each road counted once whatever its directions.
    pub road_km: f64,
}

impl RoadNetwork {
    pub(crate) fn from_parts(graph: Graph, node_coord: Vec<[f64; 2]>, chains: Chains) -> Self {
        RoadNetwork {
            graph,
            node_coord,
            chains,
        }
    }

    /// Builds the network from an extract (no cache).
    pub fn from_osm(path: &Path) -> Result<Self> {
        let raw = osm::read_roads(path)?;
        build::build(&raw).ok_or_else(|| {
            Error::new(ErrorKind::EmptyNetwork {
                path: path.to_path_buf(),
            })
        })
    }

    /// Builds the network from raw ways (used for synthetic graphs).
    pub fn from_raw(raw: &osm::RawRoads) -> Option<Self> {
        build::build(raw)
    }

    /// The routing graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// `[lat, lon]` of a graph node.
    pub fn node_coord(&self, v: u32) -> [f64; 2] {
        self.node_coord[v as usize]
    }

    /// Size figures.
    pub fn summary(&self) -> Summary {
        let road_m: u64 = (0..self.chains.len() as u32)
            .map(|c| self.chains.total(c).1)
            .sum();
        Summary {
            nodes: self.graph.num_nodes(),
            edges: self.graph.num_arcs(),
            road_km: road_m as f64 / 1000.0,
        }
    }

    /// `(min_lat, min_lon, max_lat, max_lon)` of the road geometry.
    pub fn bbox(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for c in &self.chains.coord {
            b[0] = b[0].min(c[0]);
            b[1] = b[1].min(c[1]);
            b[2] = b[2].max(c[0]);
            b[3] = b[3].max(c[1]);
        }
        b
    }

    /// Geometry of every road as `(polyline, residential)`, for drawing maps and for
    /// placing synthetic homes.
    pub fn roads(&self) -> impl Iterator<Item = (&[[f64; 2]], bool)> + '_ {
        (0..self.chains.len() as u32).map(|c| {
            (
                &self.chains.coord[self.chains.range(c)],
                self.chains.residential(c),
            )
        })
    }

    /// Where a snapped point attaches to the graph, as (source side, target side).
    fn attachments(&self, s: &Snap) -> (Attachments, Attachments) {
        let [a, b] = self.chains.ends[s.chain as usize];
        let (tms, tm) = self.chains.total(s.chain);
        let to_end = matrix::pack(tms - s.pos_ms, tm - s.pos_m);
        let from_start = matrix::pack(s.pos_ms, s.pos_m);
        let (mut src, mut tgt) = (Vec::with_capacity(2), Vec::with_capacity(2));
        if self.chains.forward(s.chain) {
            src.push((b, to_end));
            tgt.push((a, from_start));
        }
        if self.chains.backward(s.chain) {
            src.push((a, from_start));
            tgt.push((b, to_end));
        }
        (src, tgt)
    }

    /// Along-the-road weight between two points snapped onto the same chain, if the
    /// chain's direction allows driving straight from one to the other.
    fn same_chain(&self, s: &Snap, t: &Snap) -> Option<u64> {
        if s.chain != t.chain {
            return None;
        }
        if self.chains.forward(s.chain) && s.pos_ms <= t.pos_ms && s.pos_m <= t.pos_m {
            return Some(matrix::pack(t.pos_ms - s.pos_ms, t.pos_m - s.pos_m));
        }
        if self.chains.backward(s.chain) && s.pos_ms >= t.pos_ms && s.pos_m >= t.pos_m {
            return Some(matrix::pack(s.pos_ms - t.pos_ms, s.pos_m - t.pos_m));
        }
        None
    }

    /// Baseline matrix by one Dijkstra per source (no preparation needed).
    pub fn matrix_dijkstra(
        &self,
        sources: &[Snap],
        targets: &[Snap],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Matrix {
        let (src, tgt) = self.all_attachments(sources, targets);
        let mut m = matrix::matrix_dijkstra(&self.graph, &src, &tgt, progress);
        self.fix_same_chain(sources, targets, &mut m);
        m
    }

    fn all_attachments(
        &self,
        sources: &[Snap],
        targets: &[Snap],
    ) -> (Vec<Attachments>, Vec<Attachments>) {
        let src = sources.iter().map(|s| self.attachments(s).0).collect();
        let tgt = targets.iter().map(|t| self.attachments(t).1).collect();
        (src, tgt)
    }

    /// Points on the same chain may reach each other without passing a junction.
    fn fix_same_chain(&self, sources: &[Snap], targets: &[Snap], m: &mut Matrix) {
        let mut by_chain: Vec<(u32, usize)> = targets
            .iter()
            .enumerate()
            .map(|(j, t)| (t.chain, j))
            .collect();
        by_chain.sort_unstable();
        for (i, s) in sources.iter().enumerate() {
            let lo = by_chain.partition_point(|e| e.0 < s.chain);
            for &(c, j) in &by_chain[lo..] {
                if c != s.chain {
                    break;
                }
                if let Some(w) = self.same_chain(s, &targets[j])
                    && w < m.get(i, j)
                {
                    m.set(i, j, w);
                }
            }
        }
    }
}

/// A road network prepared for queries: contraction hierarchy and snapping index.
pub struct Network {
    roads: RoadNetwork,
    ch: ContractionHierarchy,
    index: SnapIndex,
}

/// How long loading took and whether the cache was used.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Seconds spent reading the extract and building the graph (0 when cached).
    pub build_seconds: f64,
    /// Seconds spent preparing the contraction hierarchy (0 when cached).
    pub prepare_seconds: f64,
    /// Seconds spent loading the cache file, if it was used.
    pub cache_load_seconds: f64,
    /// The cache file used or written, if any.
    pub cache_file: Option<PathBuf>,
    /// True when the graph came from the cache.
    pub from_cache: bool,
    /// True when a cache file for this extract was found damaged and rebuilt.
    pub damaged_cache: bool,
}

impl Network {
    /// Prepares a built network: contracts it and indexes its roads for snapping.
    pub fn prepare(roads: RoadNetwork, progress: &(dyn Fn(u64) + Sync)) -> Self {
        let ch = ContractionHierarchy::prepare(&roads.graph, progress);
        Self::assemble(roads, ch)
    }

    fn assemble(roads: RoadNetwork, ch: ContractionHierarchy) -> Self {
        let index = SnapIndex::new(&roads);
        Network { roads, ch, index }
    }

    /// Loads the prepared network for an extract from `cache_dir` if a cache file built
    /// from the very same extract (by content) exists, else builds, prepares and caches it.
    /// A missing or unwritable cache directory only costs time.
    pub fn load(
        osm: &Path,
        cache_dir: Option<&Path>,
        progress: &crate::progress::Progress,
    ) -> Result<(Self, LoadReport)> {
        let fp = cache::fingerprint(osm)?;
        let cache_file = cache_dir.map(|d| cache::file_for(d, osm, fp));
        let mut damaged = false;
        if let Some(file) = &cache_file {
            let t = Instant::now();
            let cached = cache::load(file, fp);
            damaged = matches!(cached, cache::Cached::Damaged);
            if damaged {
                progress.warn(&format!(
                    "the cached road network {} is damaged (checksum mismatch); rebuilding it",
                    file.display()
                ));
            }
            if let cache::Cached::Found(both) = cached {
                let (roads, ch) = *both;
                let net = Self::assemble(roads, ch);
                return Ok((
                    net,
                    LoadReport {
                        build_seconds: 0.0,
                        prepare_seconds: 0.0,
                        cache_load_seconds: t.elapsed().as_secs_f64(),
                        cache_file: cache_file.clone(),
                        from_cache: true,
                        damaged_cache: false,
                    },
                ));
            }
        }
        let (net, mut report) = Self::build(osm, progress)?;
        report.damaged_cache = damaged;
        if let Some(file) = &cache_file {
            match cache::store(file, fp, &net.roads, &net.ch) {
                Ok(()) => report.cache_file = Some(file.clone()),
                Err(e) => progress.warn(&format!("could not write the graph cache: {e}")),
            }
        }
        Ok((net, report))
    }

    /// Builds and prepares without touching any cache.
    pub fn build(osm: &Path, progress: &crate::progress::Progress) -> Result<(Self, LoadReport)> {
        let t = Instant::now();
        let spin = progress.spinner("reading OpenStreetMap extract and building the graph");
        let roads = RoadNetwork::from_osm(osm)?;
        spin.finish();
        let build_seconds = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let bar = progress.bar(roads.graph.num_nodes() as u64, "contracting graph");
        let net = Self::prepare(roads, &|k| bar.inc(k));
        bar.finish();
        Ok((
            net,
            LoadReport {
                build_seconds,
                prepare_seconds: t.elapsed().as_secs_f64(),
                cache_load_seconds: 0.0,
                cache_file: None,
                from_cache: false,
                damaged_cache: false,
            },
        ))
    }

    /// Writes the prepared network to a cache-format file.
    pub fn save(&self, file: &Path, osm: &Path) -> Result<()> {
        let fp = cache::fingerprint(osm)?;
        cache::store(file, fp, &self.roads, &self.ch)
    }

    /// The underlying road network.
    pub fn roads(&self) -> &RoadNetwork {
        &self.roads
    }

    /// The contraction hierarchy.
    pub fn hierarchy(&self) -> &ContractionHierarchy {
        &self.ch
    }

    /// Snaps a coordinate onto the nearest road a vehicle may stop on.
    pub fn snap(&self, lat: f64, lon: f64) -> Option<Snap> {
        self.index.snap(&self.roads, lat, lon)
    }

    /// Snaps every point; points farther than `max_m` from a road (or with impossible
    /// coordinates) are returned as failures naming their index, all in one pass.
    pub fn snap_all(
        &self,
        points: &[[f64; 2]],
        max_m: f64,
    ) -> std::result::Result<Vec<Snap>, Vec<SnapFailure>> {
        let mut ok = Vec::with_capacity(points.len());
        let mut failed = Vec::new();
        for (i, &[lat, lon]) in points.iter().enumerate() {
            match self.snap(lat, lon) {
                Some(s) if s.distance_m <= max_m => ok.push(s),
                Some(s) => failed.push(SnapFailure {
                    index: i,
                    distance_m: Some(s.distance_m),
                }),
                None => failed.push(SnapFailure {
                    index: i,
                    distance_m: None,
                }),
            }
        }
        if failed.is_empty() {
            Ok(ok)
        } else {
            Err(failed)
        }
    }

    /// Exact matrix of packed (time, distance) weights from every source to every target.
    pub fn matrix(
        &self,
        sources: &[Snap],
        targets: &[Snap],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Matrix {
        let (src, tgt) = self.roads.all_attachments(sources, targets);
        let mut m = self.ch.many_to_many(&src, &tgt, progress);
        self.roads.fix_same_chain(sources, targets, &mut m);
        m
    }
}
