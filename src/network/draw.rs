//! The roads driven between two snapped points, as a polyline of OSM coordinates: the
//! shortest path on the contraction hierarchy, unpacked into the road graph's arcs, each
//! arc a chain of OSM segments with its geometry, plus the pieces of road from the first
//! point to the graph and from the graph to the last.

use super::{Network, Snap};
use crate::matrix::PathSearch;
use std::collections::HashMap;

/// For each graph arc (tail, head): the chains joining them as (packed weight, chain,
/// driven forward).
type ArcChains = HashMap<(u32, u32), Vec<(u64, u32, bool)>>;

/// Draws legs on one network (reuse it: it keeps its search workspace).
pub struct Drawer<'a> {
    net: &'a Network,
    search: PathSearch<'a>,
    /// Graph arc (tail, head) → (packed weight, chain, driven forward).
    arcs: ArcChains,
}

impl<'a> Drawer<'a> {
    /// A drawer for `net`.
    pub fn new(net: &'a Network) -> Self {
        let ch = &net.roads.chains;
        let mut arcs = ArcChains::new();
        for c in 0..ch.len() as u32 {
            let [a, b] = ch.ends[c as usize];
            let (ms, m) = ch.total(c);
            let w = crate::matrix::pack(ms, m);
            if ch.forward(c) {
                arcs.entry((a, b)).or_default().push((w, c, true));
            }
            if ch.backward(c) {
                arcs.entry((b, a)).or_default().push((w, c, false));
            }
        }
        Drawer {
            net,
            search: PathSearch::new(net.hierarchy(), net.roads.graph()),
            arcs,
        }
    }

    /// `[lat, lon]` points along the roads from `s` to `t` (at least the two points; the
    /// straight line when no road path exists, which a routable plan never has).
    pub fn leg(&mut self, s: &Snap, t: &Snap) -> Vec<[f64; 2]> {
        let roads = &self.net.roads;
        let ch = &roads.chains;
        let (src, _) = roads.attachments(s);
        let (_, tgt) = roads.attachments(t);
        let via_graph = self.search.path(&src, &tgt);
        let direct = roads.same_chain(s, t);
        let mut out = vec![[s.lat, s.lon]];
        match (direct, via_graph) {
            (Some(d), g) if g.as_ref().is_none_or(|(_, w)| d <= *w) => {
                // Along one chain, in the direction the chain allows.
                let r = ch.range(s.chain);
                let (lo, hi) = (s.pos_m.min(t.pos_m), s.pos_m.max(t.pos_m));
                let inside = r.filter(|&i| {
                    let m = ch.cum_m[i] as u64;
                    m > lo && m < hi
                });
                let mut pts: Vec<[f64; 2]> = inside.map(|i| ch.coord[i]).collect();
                if s.pos_m > t.pos_m {
                    pts.reverse();
                }
                out.extend(pts);
            }
            (_, Some((nodes, _))) => {
                let first = nodes[0];
                // From s along its chain to the first node.
                let r = ch.range(s.chain);
                let [a, _] = ch.ends[s.chain as usize];
                if first == a && ch.backward(s.chain) {
                    let mut pts: Vec<[f64; 2]> = r
                        .filter(|&i| (ch.cum_m[i] as u64) < s.pos_m)
                        .map(|i| ch.coord[i])
                        .collect();
                    pts.reverse();
                    out.extend(pts);
                } else {
                    out.extend(
                        r.filter(|&i| (ch.cum_m[i] as u64) > s.pos_m)
                            .map(|i| ch.coord[i]),
                    );
                }
                for pair in nodes.windows(2) {
                    out.extend(self.arc_points(pair[0], pair[1]).into_iter().skip(1));
                }
                // From the last node along t's chain to t.
                let last = *nodes.last().unwrap_or(&first);
                let r = ch.range(t.chain);
                let [a, _] = ch.ends[t.chain as usize];
                if last == a && ch.forward(t.chain) {
                    out.extend(
                        r.filter(|&i| (ch.cum_m[i] as u64) < t.pos_m)
                            .map(|i| ch.coord[i]),
                    );
                } else {
                    let mut pts: Vec<[f64; 2]> = r
                        .filter(|&i| (ch.cum_m[i] as u64) > t.pos_m)
                        .map(|i| ch.coord[i])
                        .collect();
                    pts.reverse();
                    out.extend(pts);
                }
            }
            _ => {}
        }
        out.push([t.lat, t.lon]);
        out.dedup();
        out
    }

    /// The geometry of graph arc `a → b` (the cheapest chain joining them), from a to b.
    fn arc_points(&self, a: u32, b: u32) -> Vec<[f64; 2]> {
        let ch = &self.net.roads.chains;
        let Some(&(_, c, forward)) = self
            .arcs
            .get(&(a, b))
            .and_then(|v| v.iter().min_by_key(|x| x.0))
        else {
            return vec![self.net.roads.node_coord(a), self.net.roads.node_coord(b)];
        };
        let mut pts: Vec<[f64; 2]> = ch.coord[ch.range(c)].to_vec();
        if !forward {
            pts.reverse();
        }
        pts
    }
}
