//! Writing outputs (and reading back the ones later commands use). Every file goes
//! through [`crate::files`], so a failure never leaves a half-written output behind.

use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::matrix::Matrix;
use std::path::Path;

pub mod html;
mod outputs;
pub use outputs::{read_plan, write_replan, write_savings, write_tender};

/// Writes a matrix as CSV, one row per ordered pair: `from,to,seconds,metres`.
/// Seconds have one decimal; unreachable pairs have empty values.
pub fn write_matrix_csv(path: &Path, ids: &[String], m: &Matrix) -> Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(["from", "to", "seconds", "metres"])?;
        for (i, from) in ids.iter().enumerate() {
            for (j, to) in ids.iter().enumerate() {
                match (m.time_ms(i, j), m.distance_m(i, j)) {
                    (Some(t), Some(d)) => {
                        let ds = (t + 50) / 100;
                        let secs = format!("{}.{}", ds / 10, ds % 10);
                        out.write_record([from.as_str(), to.as_str(), &secs, &d.to_string()])?
                    }
                    _ => out.write_record([from.as_str(), to.as_str(), "", ""])?,
                }
            }
        }
        out.flush()?;
        Ok(())
    })
}

/// Writes a plan's outputs (SPEC §5): `summary.json`, `routes.csv`, `routes.geojson`, and
/// `plan.json` (the whole plan, read back by `schoolrun tender` and `schoolrun savings`).
/// `coords[loc]` is the `[lat, lon]` of each matrix location (snapped onto the road).
pub fn write_plan(
    out: &Path,
    sc: &crate::scenario::Scenario,
    plan: &crate::plan::Plan,
    coords: &[[f64; 2]],
    extra: serde_json::Value,
) -> Result<()> {
    use crate::units::hhmm;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    let routed: usize = plan
        .routes
        .iter()
        .filter(|r| r.am.is_some())
        .map(|r| r.pupils.len())
        .sum();
    let mut by_type = std::collections::BTreeMap::<&str, usize>::new();
    for r in &plan.routes {
        *by_type.entry(r.vehicle.as_str()).or_default() += 1;
    }
    let saving = current - plan.cost_per_year;
    let summary = serde_json::json!({
        "scenario": sc.name,
        "pupils": sc.pupils.len(),
        "routed": routed,
        "unrouted": plan.unrouted,
        "vehicles": plan.routes.len(),
        "vehicles_by_type": by_type,
        "assistants": plan.routes.iter().filter(|r| r.assistant).count(),
        "cost_per_day": plan.cost_per_day.pounds(),
        "cost_per_year": plan.cost_per_year.pounds(),
        "current_routes": sc.current_routes.len(),
        "current_cost_per_year": current.pounds(),
        "saving_per_year": saving.pounds(),
        "saving_pct": crate::units::percent(saving, current),
        "pm_split_pupils": plan.pm_split_pupils,
        "checker": {"ok": plan.violations.is_empty(), "violations": plan.violations},
        "search": {"iterations": plan.iterations, "seconds": plan.seconds},
        "run": extra,
    });
    let routes_csv = {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "route",
            "vehicle",
            "assistant",
            "run",
            "seq",
            "pupil",
            "school",
            "event",
            "place",
            "time",
        ]);
        for r in &plan.routes {
            for (name, run) in [("am", &r.am), ("pm", &r.pm)] {
                let Some(run) = run else { continue };
                for (k, s) in run.stops.iter().enumerate() {
                    let _ = w.write_record([
                        r.id.as_str(),
                        r.vehicle.as_str(),
                        if r.assistant { "true" } else { "false" },
                        name,
                        &(k + 1).to_string(),
                        s.pupil.as_str(),
                        s.school.as_str(),
                        s.event.word(),
                        s.place.word(),
                        &hhmm(s.time_s),
                    ]);
                }
            }
        }
        w.into_inner().unwrap_or_default()
    };
    let mut features = Vec::new();
    for r in &plan.routes {
        for (name, run) in [("am", &r.am), ("pm", &r.pm)] {
            let Some(run) = run else { continue };
            let line: Vec<[f64; 2]> = run
                .stops
                .iter()
                .map(|s| [coords[s.loc][1], coords[s.loc][0]])
                .collect();
            features.push(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {"route": r.id, "run": name, "vehicle": r.vehicle, "assistant": r.assistant,
                    "pupils": r.pupils.join(";"), "metres": run.metres, "minutes": run.seconds as f64 / 60.0,
                    "note": "straight lines between stops"},
            }));
            for (k, s) in run.stops.iter().enumerate() {
                features.push(serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [coords[s.loc][1], coords[s.loc][0]]},
                    "properties": {"route": r.id, "run": name, "seq": k + 1, "pupil": s.pupil, "school": s.school,
                        "event": s.event, "place": s.place, "time": hhmm(s.time_s)},
                }));
            }
        }
    }
    let geojson = serde_json::json!({"type": "FeatureCollection", "features": features});
    // Prepare everything first, then write each file atomically.
    let summary_text =
        serde_json::to_string_pretty(&summary).map_err(|e| Error::model(e.to_string()))?;
    let geo_text = serde_json::to_string(&geojson).map_err(|e| Error::model(e.to_string()))?;
    let plan_text = serde_json::to_string(plan).map_err(|e| Error::model(e.to_string()))?;
    write_atomic(&out.join("plan.json"), |w| {
        w.write_all(plan_text.as_bytes())
    })?;
    write_atomic(&out.join("routes.csv"), |w| w.write_all(&routes_csv))?;
    write_atomic(&out.join("routes.geojson"), |w| {
        w.write_all(geo_text.as_bytes())
    })?;
    write_atomic(&out.join("summary.json"), |w| {
        w.write_all(summary_text.as_bytes())
    })?;
    Ok(())
}
