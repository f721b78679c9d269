//! Reading a scenario folder into the domain model, collecting every problem in one pass:
//! the settings, then each file in the order its references need (schools and vehicle
//! types, pupils, operators, prices, today's routes).

use super::model::*;
use super::read;
use super::settings;
use super::table::Findings;
use crate::error::{Code, Problem};
use std::path::Path;

/// A scenario with where each school and pupil came from, and the warnings found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Warnings (the scenario is usable).
    pub warnings: Vec<Problem>,
    /// Line of each school in `schools.csv`.
    pub school_lines: Vec<usize>,
    /// Line of each pupil in `pupils.csv`.
    pub pupil_lines: Vec<usize>,
}

/// Reads and validates a scenario folder. Errors (all of them) come back as
/// [`crate::Error`] of kind `Invalid`; warnings come with the scenario.
pub fn load(dir: &Path) -> crate::Result<Loaded> {
    let (loaded, errors) = load_all(dir);
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(crate::Error::invalid(errors))
    }
}

/// Reads a scenario folder as far as possible: everything that parsed, plus every error.
/// The partial scenario lets further checks (e.g. against the road network) run in the
/// same pass; it must not be planned on while errors remain.
pub fn load_all(dir: &Path) -> (Loaded, Vec<Problem>) {
    let mut f = Findings::default();
    if !dir.is_dir() {
        f.push(Problem::file(
            Code::NotAFolder,
            dir.display().to_string(),
            "",
            "a scenario folder",
        ));
    }
    let settings = settings::read(dir, &mut f);
    let schools = read::schools(dir, &mut f);
    let vehicles = read::vehicles(dir, &mut f);
    let mut tender = settings.tender.clone();
    tender.in_house = vec![0; vehicles.list.len()];
    for (vt, n, line) in &settings.in_house {
        let key = format!("tender.in_house.{vt}");
        match vehicles.ids.lookup(vt) {
            super::ids::Lookup::Found(v) => tender.in_house[v] = *n,
            super::ids::Lookup::Invalid => {}
            super::ids::Lookup::Unknown => f.error(
                Code::UnknownId,
                "scenario.toml",
                *line,
                &key,
                vt,
                format!(
                    "a vehicle type from vehicles.csv ({})",
                    vehicles.ids.names()
                ),
            ),
        }
    }
    let pupils = read::pupils(dir, &mut f, &schools.ids, &vehicles.list);
    let operators = read::operators(dir, &mut f, &vehicles.list);
    let rates = read::rates(dir, &mut f, &operators.ids, &vehicles.ids, &vehicles.list);
    let bids = read::bids(dir, &mut f, &operators.ids);
    let bundles = read::bundles(dir, &mut f, &operators.ids, &schools.ids);
    let current_routes = read::current_routes(
        dir,
        &mut f,
        &read::Known {
            pupils: &pupils.list,
            pupil_ids: &pupils.ids,
            vehicles: &vehicles.list,
            vehicle_ids: &vehicles.ids,
            operator_ids: &operators.ids,
        },
    );
    let mut errors = f.errors;
    errors.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    (
        Loaded {
            scenario: Scenario {
                name: settings.name,
                osm: settings.osm,
                policy: settings.policy,
                solver: settings.solver,
                tender,
                schools: schools.list,
                pupils: pupils.list,
                vehicles: vehicles.list,
                operators: operators.list,
                rates,
                bids,
                bundles,
                current_routes,
                addresses: crate::scenario::Addresses {
                    pupils: pupils.addresses,
                    schools: schools.addresses,
                },
            },
            warnings: f.warnings,
            school_lines: schools.lines,
            pupil_lines: pupils.lines,
        },
        errors,
    )
}
