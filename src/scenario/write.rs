//! Writing a scenario folder (the inverse of `load`), used by the generator.

use super::model::*;
use crate::report::write_atomic;
use std::path::Path;

fn b(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

fn money(p: crate::units::Pence) -> String {
    format!("{:.2}", p.pounds())
}

fn csv_file(path: &Path, header: &[&str], rows: Vec<Vec<String>>) -> crate::Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(header)?;
        for r in rows {
            out.write_record(&r)?;
        }
        out.flush()?;
        Ok(())
    })
}

/// Writes every file of a scenario folder. All contents are prepared before the first
/// file is written, and each file is written atomically.
pub fn write_scenario(dir: &Path, sc: &Scenario) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let schools = sc
        .schools
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.name.clone(),
                format!("{:.6}", s.lat),
                format!("{:.6}", s.lon),
                s.am_arrive_earliest.to_string(),
                s.am_arrive_latest.to_string(),
                s.pm_depart.to_string(),
            ]
        })
        .collect();
    let pupils = sc
        .pupils
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                sc.schools[p.school].id.clone(),
                format!("{:.6}", p.lat),
                format!("{:.6}", p.lon),
                match p.phase {
                    Phase::Primary => "primary",
                    Phase::Secondary => "secondary",
                }
                .into(),
                b(p.wheelchair).into(),
                b(p.needs_assistant).into(),
                b(p.solo).into(),
                p.max_ride_min.map(|m| m.to_string()).unwrap_or_default(),
                p.incompatible_with
                    .iter()
                    .map(|&j| sc.pupils[j].id.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                match p.mode {
                    Mode::Route => "route",
                    Mode::Ptb => "ptb",
                    Mode::Itt => "itt",
                    Mode::Other => "other",
                }
                .into(),
                b(p.ptb_eligible).into(),
                b(p.itt_eligible).into(),
                match p.values_mode {
                    ValuesMode::Settler => "settler",
                    ValuesMode::Prospector => "prospector",
                    ValuesMode::Pioneer => "pioneer",
                    ValuesMode::Unknown => "unknown",
                }
                .into(),
            ]
        })
        .collect();
    let vehicles = sc
        .vehicles
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                v.seats.to_string(),
                v.wheelchair_spaces.to_string(),
                money(v.day_rate),
                money(v.per_km),
                money(v.per_min),
                v.available.map(|a| a.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let mut op_header = vec!["operator_id", "name", "max_routes"];
    op_header.extend(sc.vehicles.iter().map(|v| v.id.as_str()));
    let operators = sc
        .operators
        .iter()
        .map(|o| {
            let mut r = vec![
                o.id.clone(),
                o.name.clone(),
                o.max_routes.map(|m| m.to_string()).unwrap_or_default(),
            ];
            r.extend(
                o.fleet
                    .iter()
                    .map(|f| f.map(|x| x.to_string()).unwrap_or_default()),
            );
            r
        })
        .collect();
    let rates = sc
        .rates
        .iter()
        .map(|r| {
            vec![
                sc.operators[r.operator].id.clone(),
                sc.vehicles[r.vehicle].id.clone(),
                money(r.day_rate),
                money(r.per_km),
                money(r.per_min),
            ]
        })
        .collect();
    let bundles = sc
        .bundles
        .iter()
        .map(|bd| {
            let (routes, school) = match &bd.scope {
                BundleScope::Routes(r) => (r.join(";"), String::new()),
                BundleScope::School(s) => (String::new(), sc.schools[*s].id.clone()),
            };
            vec![
                bd.id.clone(),
                sc.operators[bd.operator].id.clone(),
                routes,
                school,
                format!("{}", bd.discount_pct),
            ]
        })
        .collect();
    let current = sc
        .current_routes
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                sc.operators[r.operator].id.clone(),
                sc.vehicles[r.vehicle].id.clone(),
                money(r.price_per_day),
                b(r.assistant).into(),
                r.pupils
                    .iter()
                    .map(|&p| sc.pupils[p].id.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ]
        })
        .collect();
    let p = &sc.policy;
    let toml = format!(
        r#"# schoolrun scenario (SPEC §3). Generated by `schoolrun generate`; synthetic pupils.
name = "{name}"
# Road network: OpenStreetMap extract (© OpenStreetMap contributors, ODbL).
osm = "{osm}"
school_days = {days}

[policy]
ptb_rate_per_mile = {ptb_rate:.2}
ptb_legs_per_day = {legs}
ptb_cap_at_cost = {cap}
itt_training_cost = {itt_train:.2}
itt_annual_pass = {itt_pass:.2}
assistant_day_cost = {pa:.2}
primary_max_ride_min = {prim}
secondary_max_ride_min = {sec}
boarding_min = {board}
wheelchair_boarding_min = {wboard}
years_of_saving = {years}
ptb_caseload = {ptbc}
itt_caseload = {ittc}
stability_cost_per_move = {smove:.2}
stability_cost_per_minute = {smin:.2}

[policy.ptb_uptake]
settler = {ps}
prospector = {pp}
pioneer = {pi}
unknown = {pu}

[policy.itt_uptake]
settler = {is}
prospector = {ip}
pioneer = {ii}
unknown = {iu}

[solver]
time_limit_s = {tl}
threads = {th}
seed = {seed}

# Procurement policy for `schoolrun tender`.
[tender]
max_share = {share}
min_operators = {minop}
in_house_overhead_pct = {ovh}

[tender.in_house]
{in_house}"#,
        name = sc.name.replace('"', "'"),
        osm = sc.osm.display().to_string().replace('\\', "/"),
        days = p.school_days,
        ptb_rate = p.ptb_rate_per_mile.pounds(),
        legs = p.ptb_legs_per_day,
        cap = p.ptb_cap_at_cost,
        itt_train = p.itt_training_cost.pounds(),
        itt_pass = p.itt_annual_pass.pounds(),
        pa = p.assistant_day_cost.pounds(),
        prim = p.primary_max_ride_min,
        sec = p.secondary_max_ride_min,
        board = p.boarding_min,
        wboard = p.wheelchair_boarding_min,
        years = p.years_of_saving,
        ptbc = p.ptb_caseload,
        ittc = p.itt_caseload,
        smove = p.stability_cost_per_move.pounds(),
        smin = p.stability_cost_per_minute.pounds(),
        ps = p.ptb_uptake.settler,
        pp = p.ptb_uptake.prospector,
        pi = p.ptb_uptake.pioneer,
        pu = p.ptb_uptake.unknown,
        is = p.itt_uptake.settler,
        ip = p.itt_uptake.prospector,
        ii = p.itt_uptake.pioneer,
        iu = p.itt_uptake.unknown,
        tl = sc.solver.time_limit_s,
        th = sc.solver.threads,
        seed = sc.solver.seed,
        share = sc.tender.max_share,
        minop = sc.tender.min_operators,
        ovh = sc.tender.in_house_overhead_pct,
        in_house = sc
            .tender
            .in_house
            .iter()
            .zip(&sc.vehicles)
            .filter(|(n, _)| **n > 0)
            .map(|(n, v)| format!("{} = {n}\n", v.id))
            .collect::<String>(),
    );
    csv_file(
        &dir.join("schools.csv"),
        &[
            "school_id",
            "name",
            "lat",
            "lon",
            "am_arrive_earliest",
            "am_arrive_latest",
            "pm_depart",
        ],
        schools,
    )?;
    csv_file(
        &dir.join("pupils.csv"),
        &[
            "pupil_id",
            "school_id",
            "lat",
            "lon",
            "phase",
            "wheelchair",
            "needs_assistant",
            "solo",
            "max_ride_min",
            "incompatible_with",
            "mode",
            "ptb_eligible",
            "itt_eligible",
            "values_mode",
        ],
        pupils,
    )?;
    csv_file(
        &dir.join("vehicles.csv"),
        &[
            "vehicle_type",
            "seats",
            "wheelchair_spaces",
            "day_rate",
            "per_km",
            "per_min",
            "available",
        ],
        vehicles,
    )?;
    csv_file(&dir.join("operators.csv"), &op_header, operators)?;
    csv_file(
        &dir.join("rates.csv"),
        &[
            "operator_id",
            "vehicle_type",
            "day_rate",
            "per_km",
            "per_min",
        ],
        rates,
    )?;
    csv_file(
        &dir.join("bundles.csv"),
        &[
            "bundle_id",
            "operator_id",
            "route_ids",
            "school_id",
            "discount_pct",
        ],
        bundles,
    )?;
    csv_file(
        &dir.join("current_routes.csv"),
        &[
            "route_id",
            "operator_id",
            "vehicle_type",
            "price_per_day",
            "assistant",
            "pupil_ids",
        ],
        current,
    )?;
    write_atomic(&dir.join("scenario.toml"), |w| w.write_all(toml.as_bytes()))?;
    Ok(())
}
