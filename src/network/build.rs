//! Turning raw road ways into the routing graph: degree-2 chains contracted into single
//! edges that keep their geometry, the largest strongly connected component kept, arcs in
//! CSR form.

use super::osm::RawRoads;
use super::{Chains, RoadNetwork};
use crate::matrix::{Graph, pack};

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, la2) = (a[0].to_radians(), b[0].to_radians());
    let dla = la2 - la1;
    let dlo = (b[1] - a[1]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

#[derive(Clone, Copy)]
struct Segment {
    a: u32,
    b: u32,
    fwd: bool,
    bwd: bool,
    snappable: bool,
    residential: bool,
    speed_ms: f64,
}

impl Segment {
    fn other(&self, v: u32) -> u32 {
        if self.a == v { self.b } else { self.a }
    }
    /// (allowed leaving `v` along the segment, allowed arriving at `v` along it).
    fn flags_from(&self, v: u32) -> (bool, bool) {
        if self.a == v {
            (self.fwd, self.bwd)
        } else {
            (self.bwd, self.fwd)
        }
    }
}

/// Builds the network. Returns `None` when no road is left.
pub fn build(raw: &RawRoads) -> Option<RoadNetwork> {
    let n = raw.coords.len();
    let mut segs: Vec<Segment> = Vec::new();
    for way in &raw.ways {
        let p = way.profile;
        if !(p.forward || p.backward) {
            continue;
        }
        for pair in way.nodes.windows(2) {
            if pair[0] != pair[1] {
                segs.push(Segment {
                    a: pair[0],
                    b: pair[1],
                    fwd: p.forward,
                    bwd: p.backward,
                    snappable: p.snappable,
                    residential: p.residential,
                    speed_ms: p.speed_kmh / 3.6,
                });
            }
        }
    }
    if segs.is_empty() {
        return None;
    }
    // Node → incident segments (CSR).
    let mut first = vec![0u32; n + 1];
    for s in &segs {
        first[s.a as usize + 1] += 1;
        first[s.b as usize + 1] += 1;
    }
    for v in 0..n {
        first[v + 1] += first[v];
    }
    let mut fill = first.clone();
    let mut inc = vec![0u32; first[n] as usize];
    for (i, s) in segs.iter().enumerate() {
        for v in [s.a, s.b] {
            inc[fill[v as usize] as usize] = i as u32;
            fill[v as usize] += 1;
        }
    }
    let incident = |v: u32| &inc[first[v as usize] as usize..first[v as usize + 1] as usize];

    // A node is a junction unless exactly two compatible segments pass through it.
    let mut junction = vec![false; n];
    for v in 0..n as u32 {
        let ss = incident(v);
        junction[v as usize] = match ss {
            [] => false,
            [s1, s2] => {
                let (a, b) = (segs[*s1 as usize], segs[*s2 as usize]);
                // Travelling x → v → y: arriving on a, leaving on b.
                let (a_leave, a_arrive) = a.flags_from(v);
                let (b_leave, b_arrive) = b.flags_from(v);
                !(a_arrive == b_leave
                    && a_leave == b_arrive
                    && a.snappable == b.snappable
                    && a.residential == b.residential)
            }
            _ => true,
        };
    }

    let mut used = vec![false; segs.len()];
    let mut raw_chains = RawChains::default();
    let walk = |start: u32,
                s0: u32,
                used: &mut Vec<bool>,
                out: &mut RawChains,
                junction: &mut Vec<bool>| {
        let (fwd, bwd) = segs[s0 as usize].flags_from(start);
        let snappable = segs[s0 as usize].snappable;
        let residential = segs[s0 as usize].residential;
        let mut geom = vec![start];
        let (mut m, mut t) = (0.0f64, 0.0f64);
        let mut cum = vec![(0u32, 0u32)];
        let (mut cur, mut seg) = (start, s0);
        loop {
            used[seg as usize] = true;
            let s = segs[seg as usize];
            let next = s.other(cur);
            let len = haversine_m(raw.coords[cur as usize], raw.coords[next as usize]);
            m += len;
            t += len / s.speed_ms * 1000.0;
            geom.push(next);
            cum.push((m.round() as u32, t.round() as u32));
            if junction[next as usize] {
                break;
            }
            let ss = incident(next);
            let cont = if ss[0] == seg { ss[1] } else { ss[0] };
            if used[cont as usize] {
                // Only reachable through malformed loops; make the end a junction so the
                // chain is well formed.
                junction[next as usize] = true;
                break;
            }
            cur = next;
            seg = cont;
        }
        out.push(geom, cum, [fwd, bwd, snappable, residential]);
    };
    for v in 0..n as u32 {
        if !junction[v as usize] {
            continue;
        }
        for &s in incident(v) {
            if !used[s as usize] {
                walk(v, s, &mut used, &mut raw_chains, &mut junction);
            }
        }
    }
    // Pure cycles of degree-2 nodes: cut each at one node.
    for s in 0..segs.len() {
        if !used[s] {
            let v = segs[s].a;
            junction[v as usize] = true;
            walk(v, s as u32, &mut used, &mut raw_chains, &mut junction);
        }
    }

    // Largest strongly connected component over the junction graph.
    let mut jid = vec![u32::MAX; n];
    let mut jnodes: Vec<u32> = Vec::new();
    for v in 0..n {
        if junction[v] {
            jid[v] = jnodes.len() as u32;
            jnodes.push(v as u32);
        }
    }
    let mut pg =
        petgraph::graph::DiGraph::<(), ()>::with_capacity(jnodes.len(), raw_chains.len() * 2);
    for _ in 0..jnodes.len() {
        pg.add_node(());
    }
    for c in 0..raw_chains.len() {
        let (a, b) = raw_chains.ends(c);
        let (a, b) = (jid[a as usize], jid[b as usize]);
        if raw_chains.fwd[c] {
            pg.add_edge(a.into(), b.into(), ());
        }
        if raw_chains.bwd[c] {
            pg.add_edge(b.into(), a.into(), ());
        }
    }
    let sccs = petgraph::algo::kosaraju_scc(&pg);
    let largest = sccs.iter().max_by(|x, y| {
        x.len()
            .cmp(&y.len())
            .then_with(|| y.iter().min().cmp(&x.iter().min()))
    })?;
    let mut keep = vec![false; jnodes.len()];
    for ix in largest {
        keep[ix.index()] = true;
    }
    let mut new_id = vec![u32::MAX; jnodes.len()];
    let mut node_coord = Vec::new();
    for (j, &v) in jnodes.iter().enumerate() {
        if keep[j] {
            new_id[j] = node_coord.len() as u32;
            node_coord.push(raw.coords[v as usize]);
        }
    }
    let mut chains = Chains::default();
    let mut arcs = Vec::new();
    for c in 0..raw_chains.len() {
        let (a, b) = raw_chains.ends(c);
        let (ja, jb) = (jid[a as usize] as usize, jid[b as usize] as usize);
        if !(keep[ja] && keep[jb]) {
            continue;
        }
        let (na, nb) = (new_id[ja], new_id[jb]);
        let id = chains.len() as u32;
        let geom = raw_chains.geom(c);
        let cum = raw_chains.cum(c);
        let (tm, tt) = *cum.last().unwrap_or(&(0, 0));
        let w = pack(tt as u64, tm as u64);
        if na != nb {
            if raw_chains.fwd[c] {
                arcs.push((na, nb, w));
            }
            if raw_chains.bwd[c] {
                arcs.push((nb, na, w));
            }
        }
        chains.push(
            na,
            nb,
            [
                raw_chains.fwd[c],
                raw_chains.bwd[c],
                raw_chains.snappable[c],
                raw_chains.residential[c],
            ],
            geom.iter().map(|&v| raw.coords[v as usize]),
            cum.iter().copied(),
        );
        debug_assert_eq!(id as usize + 1, chains.len());
    }
    if arcs.is_empty() {
        return None;
    }
    let graph = Graph::from_arcs(node_coord.len(), &arcs);
    Some(RoadNetwork::from_parts(graph, node_coord, chains))
}

/// Chains before the component filter, indexed by raw node ids.
#[derive(Default)]
struct RawChains {
    first: Vec<u32>,
    nodes: Vec<u32>,
    cum: Vec<(u32, u32)>,
    fwd: Vec<bool>,
    bwd: Vec<bool>,
    snappable: Vec<bool>,
    residential: Vec<bool>,
}

impl RawChains {
    fn len(&self) -> usize {
        self.fwd.len()
    }
    fn push(
        &mut self,
        geom: Vec<u32>,
        cum: Vec<(u32, u32)>,
        [fwd, bwd, snappable, residential]: [bool; 4],
    ) {
        if self.first.is_empty() {
            self.first.push(0);
        }
        self.nodes.extend_from_slice(&geom);
        self.cum.extend_from_slice(&cum);
        self.first.push(self.nodes.len() as u32);
        self.fwd.push(fwd);
        self.bwd.push(bwd);
        self.snappable.push(snappable);
        self.residential.push(residential);
    }
    fn range(&self, c: usize) -> std::ops::Range<usize> {
        self.first[c] as usize..self.first[c + 1] as usize
    }
    fn geom(&self, c: usize) -> &[u32] {
        &self.nodes[self.range(c)]
    }
    fn cum(&self, c: usize) -> &[(u32, u32)] {
        &self.cum[self.range(c)]
    }
    fn ends(&self, c: usize) -> (u32, u32) {
        let g = self.geom(c);
        (g[0], g[g.len() - 1])
    }
}
