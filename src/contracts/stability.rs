//! The stability model of term re-planning, solved by HiGHS.
//!
//! `λ_c ∈ {0,1}` column chosen; `a_{c,k} ∈ {0,1}` column `c` continues today's route `k`
//! (only for `k` with pupils in `c`); `u_i ∈ [0,1]` job `i` unserved.
//! `Σ_{c∋i} λ_c + u_i = 1`; `Σ_k a_{c,k} ≤ λ_c`; `Σ_c a_{c,k} ≤ 1`; vehicle counts per type.
//! A job with home `h` stays when its column is linked to `h`:
//! `stay_i = Σ_{c∋i} a_{c,h(i)}`, moves `= Σ_i (1 − stay_i)`.
//! Pins: `stay_i = 1`; pinned columns `λ_c = a_{c,k} = 1`. Budget: moves ≤ N.
//! Objective: `Σ_c (cost_c + minute_cost · Σ_{i∈c} |t_{c,i} − t⁰_i|) λ_c
//! + move_cost · moves + P Σ u_i`.

use super::mip::{Mip, Sense};
use crate::replan::{Choice, StabilityModel, StabilitySolver};
use std::collections::BTreeMap;

/// Branch-and-bound nodes per stability solve.
const NODE_LIMIT: i32 = 200;

/// HiGHS for [`StabilityModel`].
#[derive(Debug, Clone, Copy, Default)]
pub struct HighsStability;

impl StabilitySolver for HighsStability {
    fn choose(&self, m: &StabilityModel) -> Option<Choice> {
        if m.columns.is_empty() {
            return None;
        }
        let scale = super::mip::cost_scale(m.columns.iter().map(|c| c.cost));
        let mut mip = Mip::new(false);
        let lambda: Vec<_> = m
            .columns
            .iter()
            .map(|c| {
                let minutes: i64 = c
                    .jobs
                    .iter()
                    .filter_map(|&(j, t)| m.old_pickup[j as usize].map(|t0| (t - t0).abs() / 60))
                    .sum();
                mip.binary((c.cost + m.minute_cost * minutes) as f64 / scale)
            })
            .collect();
        // Links and the stay terms of each job.
        let mut links: Vec<Vec<(usize, super::mip::Var)>> = vec![Vec::new(); m.columns.len()];
        let mut stay: Vec<Vec<super::mip::Var>> = vec![Vec::new(); m.rows];
        let mut by_origin: BTreeMap<usize, Vec<super::mip::Var>> = BTreeMap::new();
        let move_cost = m.move_cost as f64 / scale;
        for (c, col) in m.columns.iter().enumerate() {
            let mut overlap: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
            for &(j, _) in &col.jobs {
                if let Some(h) = m.home[j as usize] {
                    overlap.entry(h).or_default().push(j);
                }
            }
            for (k, jobs) in overlap {
                // Linking saves one move per pupil of `k` on the column.
                let a = mip.binary(-move_cost * jobs.len() as f64);
                for j in jobs {
                    stay[j as usize].push(a);
                }
                by_origin.entry(k).or_default().push(a);
                links[c].push((k, a));
            }
            mip.row(
                links[c]
                    .iter()
                    .map(|&(_, a)| (a, 1.0))
                    .chain([(lambda[c], -1.0)]),
                Sense::Le,
                0.0,
            );
        }
        for vars in by_origin.values() {
            mip.row(vars.iter().map(|&a| (a, 1.0)), Sense::Le, 1.0);
        }
        let penalty = m.row_penalty as f64 / scale;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); m.rows];
        for (c, col) in m.columns.iter().enumerate() {
            for &(j, _) in &col.jobs {
                rows[j as usize].push(c);
            }
        }
        let mut unserved = Vec::new();
        for cols in &rows {
            let u = mip.continuous(0.0, 1.0, penalty);
            mip.row(
                cols.iter().map(|&c| (lambda[c], 1.0)).chain([(u, 1.0)]),
                Sense::Eq,
                1.0,
            );
            unserved.push(u);
        }
        for (v, limit) in m.type_limits.iter().enumerate() {
            if let Some(limit) = limit {
                mip.row(
                    (0..m.columns.len())
                        .filter(|&c| m.columns[c].vehicle == v)
                        .map(|c| (lambda[c], 1.0)),
                    Sense::Le,
                    *limit as f64,
                );
            }
        }
        let homed: Vec<usize> = (0..m.rows).filter(|&j| m.home[j].is_some()).collect();
        if let Some(n) = m.max_changes {
            // Σ stay ≥ |homed| − N.
            mip.row(
                homed
                    .iter()
                    .flat_map(|&j| stay[j].iter().map(|&a| (a, 1.0))),
                Sense::Ge,
                homed.len() as f64 - n as f64,
            );
        }
        for &j in &m.pinned_jobs {
            mip.row(stay[j as usize].iter().map(|&a| (a, 1.0)), Sense::Eq, 1.0);
        }
        for &(c, k) in &m.pinned_columns {
            mip.row([(lambda[c], 1.0)], Sense::Eq, 1.0);
            if let Some(&(_, a)) = links[c].iter().find(|(kk, _)| *kk == k) {
                mip.row([(a, 1.0)], Sense::Eq, 1.0);
            }
        }
        // The start: the repaired routes with their links.
        let mut start = Vec::new();
        let mut covered = vec![false; m.rows];
        for &(c, k) in &m.start {
            start.push((lambda[c], 1.0));
            for &(j, _) in &m.columns[c].jobs {
                covered[j as usize] = true;
            }
            if let Some(k) = k
                && let Some(&(_, a)) = links[c].iter().find(|(kk, _)| *kk == k)
            {
                start.push((a, 1.0));
            }
        }
        for (j, &u) in unserved.iter().enumerate() {
            if !covered[j] {
                start.push((u, 1.0));
            }
        }
        mip.start(start);
        // A node limit rather than time decides when to stop, so the answer is the same on
        // every machine; the time limit is only a safety net.
        mip.node_limit(NODE_LIMIT);
        let started = std::time::Instant::now();
        let sol = mip.solve(m.time_limit, 1).ok()?;
        let stopped_by_time = sol.status != super::mip::Status::Optimal
            && started.elapsed().as_secs_f64() >= 0.95 * m.time_limit.as_secs_f64();
        let mut out = Vec::new();
        for (c, &l) in lambda.iter().enumerate() {
            if sol.value(l) > 0.5 {
                let k = links[c]
                    .iter()
                    .find(|(_, a)| sol.value(*a) > 0.5)
                    .map(|(k, _)| *k);
                out.push((c, k));
            }
        }
        Some(Choice {
            links: out,
            stopped_by_time,
        })
    }
}
