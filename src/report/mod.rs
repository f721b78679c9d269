//! Writing outputs (and reading back the ones later commands use). Every file goes
//! through [`crate::files`], so a failure never leaves a half-written output behind.

use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::matrix::Matrix;
use crate::scenario::Words;
use std::path::Path;

pub mod budget;
pub mod html;
pub mod lines;
pub mod sheets;
pub use lines::RoadLines;
mod outputs;
pub mod plan_file;
pub use outputs::{SavingsFigures, TenderFigures, replan_files, savings_files, tender_files};
pub use plan_file::{parse as parse_plan, read as read_plan};

/// Writes a matrix as CSV, one row per ordered pair: `from,to,seconds,metres`.
/// Seconds have one decimal; unreachable pairs have empty values.
pub fn write_matrix_csv(path: &Path, ids: &[String], m: &Matrix) -> Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(["from", "to", "seconds", "metres"])?;
        let safe: Vec<String> = ids
            .iter()
            .map(|i| crate::files::safe_cell(i).into_owned())
            .collect();
        for (i, from) in safe.iter().enumerate() {
            for (j, to) in safe.iter().enumerate() {
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
/// `coords[loc]` is the `[lat, lon]` of each matrix location (snapped onto the road);
/// `lines` the roads of each leg (a leg not in it is drawn straight).
pub fn plan_files(
    set: &mut crate::files::OutputSet,
    sc: &crate::scenario::Scenario,
    plan: &crate::plan::Plan,
    coords: &[[f64; 2]],
    lines: &RoadLines,
    extra: serde_json::Value,
) -> Result<()> {
    use crate::units::hhmm;
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    let mut by_type = std::collections::BTreeMap::<&str, usize>::new();
    for r in &plan.routes {
        *by_type
            .entry(sc.vehicles[r.vehicle].id.as_str())
            .or_default() += 1;
    }
    let saving = current - plan.cost_per_year;
    let baseline = !sc.current_routes.is_empty();
    let unrouted: Vec<serde_json::Value> = plan
        .unrouted
        .iter()
        .map(|u| serde_json::json!({"pupil": sc.pupils[u.pupil].id, "reason": u.reason.code(), "detail": u.detail}))
        .collect();
    let summary = serde_json::json!({
        "scenario": sc.name,
        "pupils": sc.pupils.len(),
        "routed": plan.routed(),
        "unrouted": unrouted,
        "vehicles": plan.routes.len(),
        "vehicles_by_type": by_type,
        "assistants": plan.routes.iter().filter(|r| r.assistant).count(),
        "cost_per_day": plan.cost_per_day.pounds(),
        "cost_per_year": plan.cost_per_year.pounds(),
        "price_basis": "reference prices (vehicles.csv), both halves of the day, assistants included",
        "current_routes": sc.current_routes.len(),
        "current_cost_per_year": baseline.then(|| current.pounds()),
        "current_price_basis": "today's contract prices (current_routes.csv), assistants included",
        "saving_per_year": baseline.then(|| saving.pounds()),
        "saving_pct": baseline.then(|| crate::units::percent(saving, current)),
        "continuity": plan.continuity.word(),
        "split_pupils": plan.split_pupils,
        "chained_half_days": plan.chained_halves,
        "checker": {"ok": true, "plan_level": "ok"},
        "search": {"iterations": plan.iterations, "seconds": plan.seconds, "stopped_by_time": plan.stopped_by_time},
        "run": extra,
        "run_id": set.run_id(),
    });
    // The council's UPRN and postcode of each stop (the home's or the school's), when the
    // input files give them.
    let addresses = !sc.addresses.pupils.is_empty() || !sc.addresses.schools.is_empty();
    let address_of = |s: &crate::plan::PlanStop| match s.place {
        crate::plan::Place::Home => sc.addresses.pupils.get(&sc.pupils[s.pupil].id),
        crate::plan::Place::School => sc.addresses.schools.get(&sc.schools[s.school].id),
    };
    let routes_csv = {
        let mut w = crate::files::Csv::new();
        let mut header = vec![
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
        ];
        if addresses {
            header.extend(["uprn", "postcode"]);
        }
        let _ = w.write_record(&header);
        for r in &plan.routes {
            for (half, run) in r.halves() {
                for (k, s) in run.stops.iter().enumerate() {
                    let mut record = vec![
                        r.id.clone(),
                        sc.vehicles[r.vehicle].id.clone(),
                        (if r.assistant { "true" } else { "false" }).to_string(),
                        half.word().to_string(),
                        (k + 1).to_string(),
                        sc.pupils[s.pupil].id.clone(),
                        sc.schools[s.school].id.clone(),
                        s.event.word().to_string(),
                        s.place.word().to_string(),
                        hhmm(s.time_s),
                    ];
                    if addresses {
                        let a = address_of(s).cloned().unwrap_or_default();
                        record.push(a.uprn.unwrap_or_default());
                        record.push(a.postcode.unwrap_or_default());
                    }
                    let _ = w.write_record(&record);
                }
            }
        }
        w.into_inner().unwrap_or_default()
    };
    // RFC 7946: [lon, lat] positions, WGS84; one LineString per run along the roads
    // driven, then its stops as points.
    let mut features = Vec::new();
    let lon_lat = |p: &[f64; 2]| [p[1], p[0]];
    for r in &plan.routes {
        for (half, run) in r.halves() {
            let name = half.word();
            let pupils: Vec<&str> = r.pupils.iter().map(|&p| sc.pupils[p].id.as_str()).collect();
            let locs: Vec<usize> = run.stops.iter().map(|s| s.loc).collect();
            let line: Vec<[f64; 2]> = lines.run(coords, &locs).iter().map(lon_lat).collect();
            features.push(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {"route": r.id, "run": name, "vehicle": sc.vehicles[r.vehicle].id, "assistant": r.assistant,
                    "pupils": pupils.join(";"), "pupil_count": r.pupils.len(), "cost_per_day": crate::plan::pricing::planned_route_cost(sc, r).pounds(),
                    "metres": run.metres, "minutes": run.seconds as f64 / 60.0,
                    "geometry": if lines.is_empty() { "straight lines between stops" } else { "roads driven (OpenStreetMap)" }},
            }));
            for (k, s) in run.stops.iter().enumerate() {
                features.push(serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": lon_lat(&coords[s.loc])},
                    "properties": {"route": r.id, "run": name, "seq": k + 1, "pupil": sc.pupils[s.pupil].id, "school": sc.schools[s.school].id,
                        "event": s.event, "place": s.place, "time": hhmm(s.time_s),
                        "uprn": address_of(s).and_then(|a| a.uprn.clone()), "postcode": address_of(s).and_then(|a| a.postcode.clone())},
                }));
            }
        }
    }
    let geojson = serde_json::json!({"type": "FeatureCollection", "features": features});
    // Prepare everything first, then write each file atomically.
    let summary_text =
        serde_json::to_string_pretty(&summary).map_err(|e| Error::model(e.to_string()))?;
    let geo_text = serde_json::to_string(&geojson).map_err(|e| Error::model(e.to_string()))?;
    let plan_text = plan_file::to_json(sc, plan, set.run_id());
    set.add("plan.json", plan_text);
    set.add("routes.csv", routes_csv);
    set.add("routes.geojson", geo_text);
    set.add("summary.json", summary_text);
    set.add(
        "route_sheets.html",
        sheets::route_sheets(sc, plan, coords, lines, None),
    );
    Ok(())
}
