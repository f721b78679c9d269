//! Scenario files: the demo validates clean, every kind of broken file is reported with
//! its code and location, and no file content makes the readers panic.

use crate::common::{bin, data, rutland};
use proptest::prelude::*;
use schoolrun::Problem;
use schoolrun::scenario::{self, load_all};
use schoolrun::workflow::prepare::check_locations;
use std::path::Path;

/// A private copy of the demo scenario whose `osm` path is absolute.
pub(crate) fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(data("demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let toml = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let osm = data("osm/rutland-latest.osm.pbf");
    let toml = toml.replace(
        "\"../osm/rutland-latest.osm.pbf\"",
        &format!("{:?}", osm.display().to_string()),
    );
    std::fs::write(dir.path().join("scenario.toml"), toml).unwrap();
    dir
}

/// All errors for a folder: the readers' and the road network checks.
pub(crate) fn errors(dir: &Path) -> Vec<Problem> {
    let (loaded, mut errs) = load_all(dir);
    if loaded.scenario.osm.is_file() {
        errs.extend(check_locations(&loaded, rutland(), 500.0));
    }
    errs
}

pub(crate) fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

pub(crate) fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Sets `column` of the record whose first field is `id` (or data row `id` = "#k").
/// Returns the file line of that record.
pub(crate) fn set(dir: &Path, file: &str, id: &str, column: &str, value: &str) -> usize {
    let path = dir.join(file);
    let mut rows = read_csv(&path);
    let c = rows[0].iter().position(|h| h == column).unwrap();
    let r = match id.strip_prefix('#') {
        Some(k) => k.parse::<usize>().unwrap(),
        None => rows.iter().position(|row| row[0] == id).unwrap(),
    };
    rows[r][c] = value.to_string();
    write_csv(&path, &rows);
    r + 1
}

fn drop_column(dir: &Path, file: &str, column: &str) {
    let path = dir.join(file);
    let mut rows = read_csv(&path);
    let c = rows[0].iter().position(|h| h == column).unwrap();
    for r in &mut rows {
        r.remove(c);
    }
    write_csv(&path, &rows);
}

pub(crate) fn edit_toml(dir: &Path, from: &str, to: &str) {
    let p = dir.join("scenario.toml");
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{from}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

fn pupil_line(dir: &Path, id: &str) -> usize {
    read_csv(&dir.join("pupils.csv"))
        .iter()
        .position(|r| r[0] == id)
        .unwrap()
        + 1
}

#[test]
fn demo_scenario_loads_and_validates_clean() {
    let (loaded, errs) = load_all(&data("demo"));
    assert!(errs.is_empty(), "{errs:#?}");
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    assert!(check_locations(&loaded, rutland(), 500.0).is_empty());
    let s = loaded.scenario.summary();
    assert!((150..=250).contains(&s.pupils));
    assert_eq!(
        s.current_route_pupils, s.routed,
        "every routed pupil is on a current route"
    );
    assert!(
        (6_000.0..9_000.0).contains(&s.as_is_per_pupil_year),
        "{s:?}"
    );
}

type Edit = fn(&Path) -> usize;

struct Case {
    name: &'static str,
    edit: Edit,
    code: &'static str,
    file: &'static str,
    column: &'static str,
}

const fn case(
    name: &'static str,
    edit: Edit,
    code: &'static str,
    file: &'static str,
    column: &'static str,
) -> Case {
    Case {
        name,
        edit,
        code,
        file,
        column,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "lat not a number",
            |d| set(d, "pupils.csv", "P0001", "lat", "abc"),
            "E-NOT-A-NUMBER",
            "pupils.csv",
            "lat",
        ),
        case(
            "lat out of range",
            |d| set(d, "pupils.csv", "P0002", "lat", "95.2"),
            "E-OUT-OF-RANGE",
            "pupils.csv",
            "lat",
        ),
        case(
            "unknown school",
            |d| set(d, "pupils.csv", "P0003", "school_id", "S99"),
            "E-UNKNOWN-ID",
            "pupils.csv",
            "school_id",
        ),
        case(
            "duplicate pupil id",
            |d| set(d, "pupils.csv", "P0005", "pupil_id", "P0004"),
            "E-DUPLICATE-ID",
            "pupils.csv",
            "pupil_id",
        ),
        case(
            "bad boolean",
            |d| set(d, "pupils.csv", "P0006", "wheelchair", "maybe"),
            "E-NOT-A-BOOLEAN",
            "pupils.csv",
            "wheelchair",
        ),
        case(
            "unknown phase",
            |d| set(d, "pupils.csv", "P0007", "phase", "nursery"),
            "E-UNKNOWN-VALUE",
            "pupils.csv",
            "phase",
        ),
        case(
            "unknown incompatible pupil",
            |d| set(d, "pupils.csv", "P0008", "incompatible_with", "P9999"),
            "E-UNKNOWN-ID",
            "pupils.csv",
            "incompatible_with",
        ),
        case(
            "incompatible with self",
            |d| set(d, "pupils.csv", "P0009", "incompatible_with", "P0009"),
            "E-SELF-REFERENCE",
            "pupils.csv",
            "incompatible_with",
        ),
        case(
            "home far from any road",
            |d| {
                set(d, "pupils.csv", "P0010", "lat", "52.652");
                set(d, "pupils.csv", "P0010", "lon", "-0.625")
            },
            "E-TOO-FAR-FROM-ROAD",
            "pupils.csv",
            "lat,lon",
        ),
        case(
            "home outside the network",
            |d| {
                set(d, "pupils.csv", "P0011", "lat", "51.5072");
                set(d, "pupils.csv", "P0011", "lon", "-0.1276")
            },
            "E-OUTSIDE-NETWORK",
            "pupils.csv",
            "lat,lon",
        ),
        case(
            "bad max ride",
            |d| set(d, "pupils.csv", "P0012", "max_ride_min", "0"),
            "E-OUT-OF-RANGE",
            "pupils.csv",
            "max_ride_min",
        ),
        case(
            "bad time",
            |d| set(d, "schools.csv", "S03", "am_arrive_earliest", "9am"),
            "E-NOT-A-TIME",
            "schools.csv",
            "am_arrive_earliest",
        ),
        case(
            "empty school window",
            |d| set(d, "schools.csv", "S04", "am_arrive_latest", "07:00"),
            "E-EMPTY-WINDOW",
            "schools.csv",
            "am_arrive_latest",
        ),
        case(
            "missing column",
            |d| {
                drop_column(d, "schools.csv", "pm_depart");
                1
            },
            "E-MISSING-COLUMN",
            "schools.csv",
            "pm_depart",
        ),
        case(
            "negative cost",
            |d| set(d, "vehicles.csv", "taxi", "day_rate", "-5"),
            "E-NEGATIVE",
            "vehicles.csv",
            "day_rate",
        ),
        case(
            "fractional seats",
            |d| set(d, "vehicles.csv", "taxi", "seats", "2.5"),
            "E-NOT-AN-INTEGER",
            "vehicles.csv",
            "seats",
        ),
        case(
            "solo pupil on a shared route",
            |d| {
                set(d, "pupils.csv", "P0153", "solo", "true");
                2
            },
            "E-SOLO-SHARED",
            "current_routes.csv",
            "pupil_ids",
        ),
        case(
            "pupil on two routes",
            |d| {
                set(
                    d,
                    "current_routes.csv",
                    "R002",
                    "pupil_ids",
                    "P0070;P0148;P0157;P0153",
                )
            },
            "E-PUPIL-IN-TWO-ROUTES",
            "current_routes.csv",
            "pupil_ids",
        ),
        case(
            "unknown operator",
            |d| set(d, "current_routes.csv", "R003", "operator_id", "OP9"),
            "E-UNKNOWN-ID",
            "current_routes.csv",
            "operator_id",
        ),
        case(
            "unknown vehicle type in rates",
            |d| set(d, "rates.csv", "#1", "vehicle_type", "bus"),
            "E-UNKNOWN-ID",
            "rates.csv",
            "vehicle_type",
        ),
        case(
            "operator limit not a number",
            |d| set(d, "operators.csv", "OP1", "max_routes", "ten"),
            "E-NOT-A-NUMBER",
            "operators.csv",
            "max_routes",
        ),
        case(
            "bundle discount over 100%",
            |d| set(d, "bundles.csv", "B1", "discount_pct", "150"),
            "E-OUT-OF-RANGE",
            "bundles.csv",
            "discount_pct",
        ),
        case(
            "short row",
            |d| {
                let p = d.join("pupils.csv");
                let mut t = std::fs::read_to_string(&p).unwrap();
                t.push_str("P9000,S01,52.6\n");
                let line = t.lines().count();
                std::fs::write(p, t).unwrap();
                line
            },
            "E-FIELD-COUNT",
            "pupils.csv",
            "",
        ),
        case(
            "toml syntax",
            |d| {
                edit_toml(d, "school_days = 190", "school_days = = 190");
                5
            },
            "E-TOML-SYNTAX",
            "scenario.toml",
            "",
        ),
        case(
            "toml value out of range",
            |d| {
                edit_toml(d, "school_days = 190", "school_days = 400");
                5
            },
            "E-OUT-OF-RANGE",
            "scenario.toml",
            "school_days",
        ),
        case(
            "missing extract",
            |d| {
                let t = std::fs::read_to_string(d.join("scenario.toml")).unwrap();
                let start = t.find("osm = ").unwrap();
                let end = start + t[start..].find('\n').unwrap();
                std::fs::write(
                    d.join("scenario.toml"),
                    format!("{}osm = \"nowhere.osm.pbf\"{}", &t[..start], &t[end..]),
                )
                .unwrap();
                4
            },
            "E-FILE-MISSING",
            "scenario.toml",
            "osm",
        ),
        case(
            "missing pupils file",
            |d| {
                std::fs::remove_file(d.join("pupils.csv")).unwrap();
                0
            },
            "E-FILE-UNREADABLE",
            "pupils.csv",
            "",
        ),
    ]
}

#[test]
fn each_broken_file_gives_its_code_and_location() {
    let cases = cases();
    assert!(cases.len() >= 20);
    for c in cases {
        let dir = demo_copy();
        let line = (c.edit)(dir.path());
        let errs = errors(dir.path());
        let hit = errs.iter().find(|e| e.code.as_str() == c.code);
        let Some(e) = hit else {
            panic!("{}: no {} in {errs:#?}", c.name, c.code)
        };
        assert_eq!(e.file, c.file, "{}", c.name);
        assert_eq!(e.line, line, "{}: {e}", c.name);
        assert_eq!(e.column, c.column, "{}: {e}", c.name);
        assert!(!e.expected.is_empty(), "{}", c.name);
        if c.code == "E-OUTSIDE-NETWORK" {
            // The pupil is named, with how far outside the network's area they live.
            assert!(e.value.contains("P0011"), "{e}");
            let km: f64 = e
                .expected
                .split(" km outside")
                .next()
                .unwrap()
                .rsplit(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!((100.0..200.0).contains(&km), "{e}");
        }
        // One defect, one error (the missing-extract case also stops the network checks).
        assert_eq!(errs.len(), 1, "{}: {errs:#?}", c.name);
    }
}

#[test]
fn no_wheelchair_vehicle_names_every_wheelchair_pupil() {
    let dir = demo_copy();
    set(dir.path(), "vehicles.csv", "wav", "wheelchair_spaces", "0");
    set(
        dir.path(),
        "vehicles.csv",
        "minibus",
        "wheelchair_spaces",
        "0",
    );
    let errs = errors(dir.path());
    let (loaded, _) = load_all(&data("demo"));
    let wc: Vec<usize> = loaded
        .scenario
        .pupils
        .iter()
        .filter(|p| p.wheelchair && p.mode == scenario::Mode::Route)
        .map(|p| pupil_line(dir.path(), &p.id))
        .collect();
    assert!(!wc.is_empty());
    assert!(
        errs.iter()
            .all(|e| e.code.as_str() == "E-NO-VEHICLE-FITS" && e.file == "pupils.csv"),
        "{errs:#?}"
    );
    let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
    assert_eq!(lines, wc);
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let dir = demo_copy();
    set(dir.path(), "pupils.csv", "P0001", "lat", "abc");
    set(
        dir.path(),
        "schools.csv",
        "S03",
        "am_arrive_earliest",
        "9am",
    );
    set(dir.path(), "vehicles.csv", "taxi", "day_rate", "-1");
    set(
        dir.path(),
        "current_routes.csv",
        "R003",
        "operator_id",
        "OP9",
    );
    let codes: Vec<&str> = errors(dir.path()).iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
}

#[test]
fn cli_validate_exit_codes_and_as_is_cost() {
    let out = bin().arg("validate").arg(data("demo")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("0 error(s)"), "{text}");
    assert!(text.contains("per pupil per year"), "{text}");
    let dir = demo_copy();
    set(dir.path(), "pupils.csv", "P0001", "lat", "abc");
    set(
        dir.path(),
        "schools.csv",
        "S04",
        "am_arrive_latest",
        "07:00",
    );
    let out = bin()
        .args(["validate", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 2);
    assert_eq!(v["errors"][0]["file"], "pupils.csv");
}

#[test]
fn generator_is_deterministic_and_writes_a_valid_folder() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        crate::common::succeed(
            bin()
                .args(["generate", "--pupils", "60", "--seed", "9", "--osm"])
                .arg(data("osm/rutland-latest.osm.pbf"))
                .arg("--out")
                .arg(d.path()),
        );
    }
    for f in [
        "pupils.csv",
        "schools.csv",
        "current_routes.csv",
        "rates.csv",
        "operators.csv",
        "vehicles.csv",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs between runs with the same seed"
        );
    }
    let errs = errors(a.path());
    assert!(errs.is_empty(), "{errs:#?}");
    // Schools come from all three ways OSM maps them.
    let schools =
        schoolrun::network::osm::read_schools(&data("osm/rutland-latest.osm.pbf")).unwrap();
    assert_eq!(schools.len(), 28);
    for prefix in ["n", "w", "r"] {
        assert!(
            schools.iter().any(|s| s.osm_id.starts_with(prefix)),
            "{prefix}"
        );
    }
}

const FILES: [&str; 8] = [
    "scenario.toml",
    "schools.csv",
    "pupils.csv",
    "vehicles.csv",
    "operators.csv",
    "rates.csv",
    "bundles.csv",
    "current_routes.csv",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(file in 0usize..FILES.len(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let dir = demo_copy();
        std::fs::write(dir.path().join(FILES[file]), &bytes).unwrap();
        let _ = errors(dir.path());
    }

    #[test]
    fn random_field_edits_never_panic(
        file in 1usize..FILES.len(),
        row in 0usize..40,
        col in 0usize..16,
        value in prop_oneof![
            Just(String::new()), Just("NaN".to_string()), Just("inf".to_string()), Just("-0".to_string()),
            Just("1e308".to_string()), Just(";;;".to_string()), Just("\"".to_string()), Just("é🚌".to_string()),
            Just("P0001;P0001".to_string()), Just("25:61".to_string()), Just("S01".to_string()), Just("OP1".to_string()),
            "[ -~]{0,12}",
        ],
    ) {
        let dir = demo_copy();
        let path = dir.path().join(FILES[file]);
        let mut rows = read_csv(&path);
        if !rows.is_empty() {
            let r = row % rows.len();
            let c = col % rows[r].len().max(1);
            if let Some(cell) = rows[r].get_mut(c) {
                *cell = value;
            }
            write_csv(&path, &rows);
        }
        let _ = errors(dir.path());
    }
}

/// Ordnance Survey's published OSTN15 test points: every easting and northing converts
/// to the ETRS89 latitude and longitude OS gives for it, within a centimetre.
#[test]
fn national_grid_points_convert_to_the_os_published_positions() {
    let rows =
        read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ostn15-test-points.csv"));
    let mut worst: f64 = 0.0;
    let mut checked = 0;
    for r in &rows[1..] {
        let v: Vec<f64> = r[1..5].iter().map(|x| x.parse().unwrap()).collect();
        let (lat, lon) = scenario::grid::to_lat_lon(v[2], v[3])
            .unwrap_or_else(|| panic!("{} is inside the grid", r[0]));
        let off = schoolrun::network::haversine_m([lat, lon], [v[0], v[1]]);
        worst = worst.max(off);
        checked += 1;
    }
    assert!(checked >= 30, "{checked} points");
    assert!(worst < 0.01, "largest residual {worst} m");
    assert!(scenario::grid::to_lat_lon(-1000.0, 50.0).is_none());
    assert!(scenario::grid::to_lat_lon(f64::NAN, 50.0).is_none());
}

/// Council data as it comes: pupils.csv and schools.csv with easting, northing (British
/// National Grid) instead of lat, lon, and UPRN and postcode columns carried to the
/// outputs; a point outside the grid is an error at its line.
#[test]
fn easting_northing_files_plan_like_lat_lon_and_carry_uprns() {
    let dir = demo_copy();
    let original = scenario::load(dir.path()).unwrap().scenario;
    for file in ["pupils.csv", "schools.csv"] {
        let rows = read_csv(&dir.path().join(file));
        let (ilat, ilon) = (
            rows[0].iter().position(|h| h == "lat").unwrap(),
            rows[0].iter().position(|h| h == "lon").unwrap(),
        );
        let mut w = csv::Writer::from_path(dir.path().join(file)).unwrap();
        for (k, r) in rows.iter().enumerate() {
            let mut out = r.clone();
            if k == 0 {
                out[ilat] = "easting".into();
                out[ilon] = "northing".into();
                out.extend(["uprn".to_string(), "postcode".to_string()]);
            } else {
                let (lat, lon): (f64, f64) = (r[ilat].parse().unwrap(), r[ilon].parse().unwrap());
                let (e, n) = lonlat_bng::convert_osgb36(lon, lat).unwrap();
                out[ilat] = format!("{e:.3}");
                out[ilon] = format!("{n:.3}");
                out.extend([format!("10000{k:04}"), "LE15 6AA".to_string()]);
            }
            w.write_record(&out).unwrap();
        }
    }
    let grid = scenario::load(dir.path()).unwrap().scenario;
    for (a, b) in original.pupils.iter().zip(&grid.pupils) {
        let off = schoolrun::network::haversine_m([a.lat, a.lon], [b.lat, b.lon]);
        assert!(off < 0.01, "{}: {off} m", a.id);
    }
    assert_eq!(grid.addresses.pupils.len(), grid.pupils.len());
    assert_eq!(
        grid.addresses.schools["S01"].postcode.as_deref(),
        Some("LE15 6AA")
    );
    let out = tempfile::tempdir().unwrap();
    crate::common::succeed(
        bin()
            .args(["plan"])
            .arg(dir.path())
            .args([
                "--iterations",
                "300",
                "--threads",
                "1",
                "--no-recombine",
                "--out",
            ])
            .arg(out.path()),
    );
    let routes = read_csv(&out.path().join("routes.csv"));
    let (iu, ip) = (
        routes[0].iter().position(|h| h == "uprn").unwrap(),
        routes[0].iter().position(|h| h == "pupil").unwrap(),
    );
    let home = routes
        .iter()
        .skip(1)
        .find(|r| r.contains(&"home".to_string()))
        .unwrap();
    assert_eq!(
        Some(&home[iu]),
        grid.addresses.pupils[&home[ip]].uprn.as_ref(),
        "a home stop carries the pupil's UPRN"
    );
    // A point outside the OSTN15 grid, and a file with neither pair of columns.
    let text = std::fs::read_to_string(dir.path().join("pupils.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let ie = lines[0].split(',').position(|h| h == "easting").unwrap();
    let mut cells: Vec<String> = lines[3].split(',').map(String::from).collect();
    cells[ie] = "799999".into();
    lines[3] = cells.join(",");
    std::fs::write(dir.path().join("pupils.csv"), lines.join("\n") + "\n").unwrap();
    let errs = errors(dir.path());
    assert!(
        errs.iter()
            .any(|p| p.file == "pupils.csv" && p.line == 4 && p.column == "easting"),
        "{errs:?}"
    );
    drop_column(dir.path(), "schools.csv", "northing");
    let errs = errors(dir.path());
    assert!(
        errs.iter().any(|p| p.file == "schools.csv"
            && p.column == "northing"
            && p.expected.contains("easting")),
        "{errs:?}"
    );
}
