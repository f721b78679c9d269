//! The `schoolrun` command line: argument parsing, calls into the library, exit codes.

use anyhow::Context;
use clap::{Parser, Subcommand};
use schoolrun::contracts::{self, partition::HighsPartitioner};
use schoolrun::error::Problem;
use schoolrun::network::{Network, default_cache_dir};
use schoolrun::progress::Progress;
use schoolrun::{Error, report, scenario};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "schoolrun",
    version,
    about = "Plans SEN home-to-school transport"
)]
struct Cli {
    /// Directory for cached prepared road networks (default: $SCHOOLRUN_CACHE_DIR, else ~/.cache/schoolrun).
    #[arg(long, global = true)]
    cache_dir: Option<PathBuf>,
    /// Never read or write the network cache.
    #[arg(long, global = true)]
    no_cache: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the pipeline on the shipped demo data.
    Demo {
        /// Where to write outputs.
        #[arg(long, default_value = "demo-out")]
        out: PathBuf,
        /// Folder holding the shipped data (default: the data folder of this source tree).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Standard vehicle-routing benchmarks and JSON problems.
    Vrp {
        #[command(subcommand)]
        command: VrpCommand,
    },
    /// Road network commands.
    Network {
        #[command(subcommand)]
        command: NetworkCommand,
    },
    /// Generates a synthetic scenario folder on a real road network.
    Generate {
        /// OpenStreetMap extract (.osm.pbf).
        #[arg(long)]
        osm: PathBuf,
        /// Number of pupils.
        #[arg(long, default_value_t = 200)]
        pupils: usize,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Scenario name.
        #[arg(long, default_value = "Generated SEN transport scenario")]
        name: String,
    },
    /// Plans the routes of a scenario and writes summary.json, routes.csv, routes.geojson.
    Plan {
        /// Scenario folder.
        dir: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Time limit in seconds (default: the scenario's solver setting).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Iteration limit per worker: makes the plan independent of machine speed.
        #[arg(long)]
        iterations: Option<u64>,
        /// Worker threads (default: the scenario's solver setting).
        #[arg(long)]
        threads: Option<usize>,
        /// Random seed (default: the scenario's solver setting).
        #[arg(long)]
        seed: Option<u64>,
        /// Skip route recombination (the set-partitioning MIP over the route pool).
        #[arg(long)]
        no_recombine: bool,
        /// `current`: re-plan from today's routes (current_routes.csv) with the
        /// stability controls, writing diff.csv, tradeoff.csv and report.html too.
        #[arg(long)]
        from: Option<String>,
        /// With --from current: most pupils moved to another vehicle.
        #[arg(long)]
        max_changes: Option<u32>,
        /// With --from current: a pupil id who keeps their vehicle (repeatable).
        #[arg(long = "pin")]
        pins: Vec<String>,
        /// With --from current: one of today's route ids that stays as it is (repeatable).
        #[arg(long = "pin-route")]
        pin_routes: Vec<String>,
        /// Print the summary as one JSON line on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Retenders a plan's routes to operators at least cost (integer programme, HiGHS).
    Tender {
        /// Scenario folder (operators, rates, bids, bundles, policy).
        dir: PathBuf,
        /// Output folder of `schoolrun plan` (reads its plan.json).
        #[arg(long)]
        plan: PathBuf,
        /// Output folder for allocation.csv, by_school.csv, by_operator.csv,
        /// sensitivity.csv and tender.json.
        #[arg(long)]
        out: PathBuf,
        /// Time limit for each MIP solve, in seconds.
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Rows of the sensitivity table (each is a re-solve); 0 skips it.
        #[arg(long, default_value_t = 8)]
        sensitivity: usize,
        /// Print the summary as one JSON line on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The whole chain: plan, retender, PTB/ITT savings and targeting, projection, and
    /// report.html, all written to OUT.
    Savings {
        /// Scenario folder.
        dir: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Search iterations per worker for the plan (fixed, so the result does not
        /// depend on machine speed).
        #[arg(long, default_value_t = DEMO_ITERATIONS)]
        iterations: u64,
        /// Worker threads (default: the scenario's solver setting).
        #[arg(long)]
        threads: Option<usize>,
        /// Random seed (default: the scenario's solver setting).
        #[arg(long)]
        seed: Option<u64>,
        /// Search iterations to repair the plan after each pupil's removal.
        #[arg(long, default_value_t = 400)]
        repair_iterations: u64,
        /// Also re-solve from scratch without N sampled pupils, to check the estimates.
        #[arg(long, default_value_t = 0)]
        check_sample: usize,
        /// Print one JSON line on stdout instead of the step lines.
        #[arg(long)]
        json: bool,
    },
    /// Checks a scenario folder and reports every problem in one pass.
    Validate {
        /// Scenario folder.
        dir: PathBuf,
        /// Largest allowed distance from a home or school to a road, in metres.
        #[arg(long, default_value_t = 500.0)]
        max_snap_m: f64,
        /// Print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Exact travel time and distance between every ordered pair of points.
    Matrix {
        /// OpenStreetMap extract (.osm.pbf).
        #[arg(long)]
        osm: PathBuf,
        /// CSV with columns id,lat,lon.
        #[arg(long)]
        points: PathBuf,
        /// Output CSV: from,to,seconds,metres.
        #[arg(long)]
        out: PathBuf,
        /// Largest allowed distance from a point to the road it snaps to, in metres.
        #[arg(long, default_value_t = 500.0)]
        max_snap_m: f64,
        /// Algorithm: ch (contraction hierarchy) or dijkstra (baseline).
        #[arg(long, default_value = "ch")]
        algorithm: String,
        /// Print a JSON summary on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum VrpCommand {
    /// Solves an instance: VRPLIB CVRP (.vrp), Solomon/Gehring-Homberger VRPTW or Li & Lim
    /// PDPTW (.txt), or schoolrun's JSON format (.json).
    Solve {
        /// The instance file.
        instance: PathBuf,
        /// Time limit in seconds.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Iteration limit per worker (makes the result independent of machine speed).
        #[arg(long)]
        iterations: Option<u64>,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Write the solution in VRPLIB format (`Route #k: ids`, `Cost X`).
        #[arg(long)]
        sol: Option<PathBuf>,
        /// Skip route recombination (the set-partitioning MIP over the route pool; never
        /// used on plain CVRP, where it measured worse).
        #[arg(long)]
        no_recombine: bool,
        /// Print one JSON line on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum NetworkCommand {
    /// Builds the road graph from an extract and prints its size.
    Build {
        /// OpenStreetMap extract (.osm.pbf).
        #[arg(long)]
        osm: PathBuf,
        /// Also write the prepared graph to this file (cache format).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print {"nodes","edges","road_km","seconds"} as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let input = e.downcast_ref::<Error>().is_some_and(Error::is_input_error);
            eprintln!("error: {e:#}");
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}

fn cache_dir(cli: &Cli) -> Option<PathBuf> {
    if cli.no_cache {
        None
    } else {
        Some(cli.cache_dir.clone().unwrap_or_else(default_cache_dir))
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let progress = Progress::stderr();
    match &cli.command {
        Command::Network {
            command: NetworkCommand::Build { osm, out, json },
        } => {
            let (net, report) = Network::build(osm, &progress)?;
            if let Some(dir) = cache_dir(&cli) {
                // Building also refreshes the cache, so later commands start at once.
                if let Err(e) = Network::load(osm, Some(&dir), &Progress::hidden()) {
                    progress.warn(&format!("could not refresh the graph cache: {e}"));
                }
            }
            if let Some(out) = out {
                net.save(out, osm)?;
            }
            let s = net.roads().summary();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({
                        "nodes": s.nodes,
                        "edges": s.edges,
                        "road_km": (s.road_km * 10.0).round() / 10.0,
                        "seconds": report.build_seconds,
                        "prepare_seconds": report.prepare_seconds,
                    })
                );
            } else {
                println!(
                    "{} nodes, {} directed edges, {:.1} km of road; built in {:.2} s, contraction hierarchy in {:.2} s",
                    s.nodes, s.edges, s.road_km, report.build_seconds, report.prepare_seconds
                );
            }
            Ok(())
        }
        Command::Matrix {
            osm,
            points,
            out,
            max_snap_m,
            algorithm,
            json,
        } => {
            if algorithm != "ch" && algorithm != "dijkstra" {
                return Err(Error::invalid(vec![Problem {
                    code: "E-UNKNOWN-VALUE",
                    file: "command line".into(),
                    line: 0,
                    column: "--algorithm".into(),
                    value: algorithm.clone(),
                    expected: "ch or dijkstra".into(),
                }])
                .into());
            }
            let pts = scenario::read_points(points)?;
            let (net, _) = Network::load(osm, cache_dir(&cli).as_deref(), &progress)?;
            let snaps = snap_points(&net, points, &pts, *max_snap_m)?;
            let t = Instant::now();
            let bar = progress.bar(2 * pts.len() as u64, "computing matrix");
            let m = if algorithm == "ch" {
                net.matrix(&snaps, &snaps, &|k| bar.inc(k))
            } else {
                net.roads()
                    .matrix_dijkstra(&snaps, &snaps, &|k| bar.inc(k * 2))
            };
            bar.finish_and_clear();
            let seconds = t.elapsed().as_secs_f64();
            let ids: Vec<String> = pts.iter().map(|p| p.id.clone()).collect();
            report::write_matrix_csv(out, &ids, &m)?;
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"points": pts.len(), "pairs": pts.len() * pts.len(), "seconds": seconds})
                );
            } else {
                eprintln!(
                    "{} pairs in {:.2} s -> {}",
                    pts.len() * pts.len(),
                    seconds,
                    out.display()
                );
            }
            Ok(())
        }
        Command::Generate {
            osm,
            pupils,
            seed,
            out,
            name,
        } => {
            let (net, _) = Network::load(osm, cache_dir(&cli).as_deref(), &progress)?;
            let schools = schoolrun::network::osm::read_schools(osm)?;
            std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
            let opts = scenario::generate::Options {
                pupils: *pupils,
                seed: *seed,
                osm_in_toml: relative_path(out, osm),
                name: name.clone(),
            };
            let sc = scenario::generate::generate(&net, &schools, &opts)?;
            scenario::write_scenario(out, &sc)?;
            let s = sc.summary();
            eprintln!(
                "wrote {}: {} schools, {} pupils, {} current routes, as-is £{:.0} per pupil per year",
                out.display(),
                s.schools,
                s.pupils,
                s.current_routes,
                s.as_is_per_pupil_year
            );
            Ok(())
        }
        Command::Vrp {
            command:
                VrpCommand::Solve {
                    instance,
                    time_limit,
                    iterations,
                    seed,
                    threads,
                    sol,
                    no_recombine,
                    json,
                },
        } => vrp_solve(
            instance,
            *time_limit,
            *iterations,
            *seed,
            *threads,
            sol.as_deref(),
            !*no_recombine,
            *json,
            &progress,
        ),
        Command::Tender {
            dir,
            plan,
            out,
            time_limit,
            sensitivity,
            json,
        } => tender(
            dir,
            plan,
            out,
            *time_limit,
            *sensitivity,
            *json,
            false,
            &progress,
        )
        .map(|_| ()),
        Command::Plan {
            dir,
            out,
            time_limit,
            iterations,
            threads,
            seed,
            no_recombine,
            from,
            max_changes,
            pins,
            pin_routes,
            json,
        } => {
            let (sc, m, coords) = load_for_planning(&cli, dir, &progress)?;
            let settings = schoolrun::routing::Settings {
                time_limit: Some(std::time::Duration::from_secs_f64(
                    time_limit.unwrap_or(sc.solver.time_limit_s),
                )),
                iterations: *iterations,
                threads: threads.unwrap_or(sc.solver.threads),
                seed: seed.unwrap_or(sc.solver.seed),
            };
            match from.as_deref() {
                None => {}
                Some("current") => {
                    return replan_cmd(
                        &sc,
                        &m,
                        &coords,
                        out,
                        &settings,
                        *max_changes,
                        pins,
                        pin_routes,
                        *json,
                        &progress,
                    );
                }
                Some(other) => {
                    return Err(Error::invalid(vec![Problem {
                        code: "E-BAD-ARGUMENT",
                        file: "command line".into(),
                        line: 0,
                        column: "--from".into(),
                        value: other.into(),
                        expected: "current".into(),
                    }])
                    .into());
                }
            }
            let spin = progress.spinner("planning routes");
            let sp = HighsPartitioner::default();
            let plan = schoolrun::plan::plan_with(
                &sc,
                &m,
                &schoolrun::plan::Locations::standard(&sc),
                &settings,
                &|it, best| {
                    spin.set_message(format!(
                        "planning routes: {it} iterations, best £{:.2}/day",
                        best as f64 / schoolrun::plan::UNITS_PER_PENNY as f64 / 100.0
                    ));
                },
                (!*no_recombine).then_some(&sp as &dyn schoolrun::routing::SetPartitioner),
            );
            spin.finish_and_clear();
            let extra = serde_json::json!({"seed": settings.seed, "threads": settings.threads, "time_limit_s": settings.time_limit.map(|d| d.as_secs_f64()), "iterations": settings.iterations});
            report::write_plan(out, &sc, &plan, &coords, extra)?;
            let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
            let saving = current - plan.cost_per_year;
            let pct = if current.0 > 0 {
                100.0 * saving.0 as f64 / current.0 as f64
            } else {
                0.0
            };
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"vehicles": plan.routes.len(), "cost_per_year": plan.cost_per_year.pounds(), "current_cost_per_year": current.pounds(), "saving_pct": pct, "unrouted": plan.unrouted.len(), "feasible": plan.violations.is_empty()})
                );
            } else {
                println!(
                    "{} vehicles, {} a year (today {}: saving {} = {:.1}%); {} pupil(s) not routed; checker: {}",
                    plan.routes.len(),
                    plan.cost_per_year,
                    current,
                    saving,
                    pct,
                    plan.unrouted
                        .iter()
                        .filter(|u| u.reason != schoolrun::plan::Reason::NotRouted)
                        .count(),
                    if plan.violations.is_empty() {
                        "ok".to_string()
                    } else {
                        format!("{} violation(s)", plan.violations.len())
                    }
                );
                eprintln!(
                    "wrote {}/summary.json, routes.csv, routes.geojson, plan.json",
                    out.display()
                );
            }
            if !plan.violations.is_empty() {
                anyhow::bail!(
                    "the plan failed the independent checker: {}",
                    plan.violations.join("; ")
                );
            }
            Ok(())
        }
        Command::Savings {
            dir,
            out,
            iterations,
            threads,
            seed,
            repair_iterations,
            check_sample,
            json,
        } => {
            let threads = match threads {
                Some(t) => *t,
                None => scenario::load(dir)?.scenario.solver.threads,
            };
            pipeline(
                &cli,
                dir,
                out,
                &PipelineOptions {
                    iterations: *iterations,
                    threads,
                    seed: *seed,
                    repair_iterations: *repair_iterations,
                    check_sample: *check_sample,
                    json: *json,
                },
                &progress,
            )
        }
        Command::Validate {
            dir,
            max_snap_m,
            json,
        } => validate(&cli, dir, *max_snap_m, *json, &progress),
        Command::Demo { out, data } => {
            let data = data
                .clone()
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data"));
            demo(&cli, &data, out, &progress)
        }
    }
}

/// `to` expressed relative to the folder `from_dir` when both resolve, else absolute.
fn relative_path(from_dir: &Path, to: &Path) -> PathBuf {
    let (Ok(from), Ok(to_abs)) = (from_dir.canonicalize(), to.canonicalize()) else {
        return to.to_path_buf();
    };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to_abs.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c);
    }
    rel
}

fn validate(
    cli: &Cli,
    dir: &Path,
    max_snap_m: f64,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let (loaded, mut errors) = scenario::load_all(dir);
    if loaded.scenario.osm.is_file() {
        match Network::load(&loaded.scenario.osm, cache_dir(cli).as_deref(), progress) {
            Ok((net, _)) => errors.extend(scenario::check_locations(&loaded, &net, max_snap_m)),
            Err(e) => errors.push(Problem {
                code: "E-OSM-UNREADABLE",
                file: "scenario.toml".into(),
                line: 0,
                column: "osm".into(),
                value: loaded.scenario.osm.display().to_string(),
                expected: format!("a readable .osm.pbf extract ({e})"),
            }),
        }
    }
    let summary = loaded.scenario.summary();
    if json {
        println!(
            "{}",
            serde_json::json!({"valid": errors.is_empty(), "errors": errors, "warnings": loaded.warnings, "summary": summary})
        );
    } else {
        for e in &errors {
            println!("error: {e}");
        }
        for w in &loaded.warnings {
            println!("warning: {w}");
        }
        println!(
            "{}: {} error(s), {} warning(s)",
            dir.display(),
            errors.len(),
            loaded.warnings.len()
        );
        let s = &summary;
        println!(
            "  {} schools; {} pupils ({} to route, {} on PTB, {} on ITT, {} other); of those routed {} wheelchair users, {} need an assistant, {} solo",
            s.schools,
            s.pupils,
            s.routed,
            s.on_ptb,
            s.on_itt,
            s.other,
            s.wheelchair,
            s.needs_assistant,
            s.solo
        );
        println!(
            "  {} vehicle types, {} operators, {} current routes carrying {} pupils",
            s.vehicle_types, s.operators, s.current_routes, s.current_route_pupils
        );
        if s.current_routes > 0 {
            println!(
                "  as-is cost: £{:.2} per day, £{:.0} per year, £{:.0} per pupil per year",
                s.as_is_per_day, s.as_is_per_year, s.as_is_per_pupil_year
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(errors).into())
    }
}

#[allow(clippy::too_many_arguments)]
fn vrp_solve(
    instance: &Path,
    time_limit: f64,
    iterations: Option<u64>,
    seed: u64,
    threads: usize,
    sol: Option<&Path>,
    recombine: bool,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let inst = schoolrun::instance::read(instance)?;
    let sp = HighsPartitioner::default();
    let settings = schoolrun::routing::Settings {
        time_limit: Some(std::time::Duration::from_secs_f64(time_limit)),
        iterations,
        threads,
        seed,
    };
    let spin = progress.spinner(&format!("solving {}", inst.name));
    let outcome = schoolrun::routing::solve_with(
        &inst.problem,
        &settings,
        None,
        &|it, best| {
            spin.set_message(format!(
                "solving {}: {it} iterations, best {:.2}",
                inst.name,
                best as f64 / inst.problem.cost_scale
            ));
        },
        // Measured (BENCHMARKS.md): recombination gains on time-windowed sets and loses
        // on CVRPLIB X at the same time, so plain CVRP runs without it.
        (recombine && inst.family != schoolrun::instance::Family::Cvrp)
            .then_some(&sp as &dyn schoolrun::routing::SetPartitioner),
    );
    spin.finish_and_clear();
    let report = schoolrun::routing::verify(&inst.problem, &outcome.solution);
    let feasible = report.ok() && outcome.solution.unassigned.is_empty();
    let cost = inst.reported_cost(&outcome.solution);
    if let Some(path) = sol {
        report::write_atomic(path, |w| {
            for (k, r) in outcome.solution.routes.iter().enumerate() {
                let ids: Vec<String> = r
                    .stops
                    .iter()
                    .map(|&s| {
                        let st = &inst.problem.stops[s as usize];
                        match inst.family {
                            schoolrun::instance::Family::Pdptw => st.loc.to_string(),
                            _ => inst.job_numbers[st.job as usize].to_string(),
                        }
                    })
                    .collect();
                writeln!(w, "Route #{}: {}", k + 1, ids.join(" "))?;
            }
            if cost.fract() == 0.0 {
                writeln!(w, "Cost {cost}")
            } else {
                writeln!(w, "Cost {cost:.4}")
            }
        })?;
    }
    for v in report.violations.iter().take(10) {
        eprintln!("checker: {v}");
    }
    if json {
        println!(
            "{}",
            serde_json::json!({
                "instance": inst.name,
                "cost": (cost * 10_000.0).round() / 10_000.0,
                "vehicles": outcome.solution.routes.len(),
                "seconds": (outcome.seconds * 1000.0).round() / 1000.0,
                "feasible": feasible,
                "unassigned": outcome.solution.unassigned.len(),
                "iterations": outcome.iterations,
            })
        );
    } else {
        println!(
            "{} cost {:.4} with {} vehicles in {:.2} s; feasible: {feasible}",
            inst.name,
            cost,
            outcome.solution.routes.len(),
            outcome.seconds
        );
    }
    Ok(())
}

/// Loads and validates a scenario, its road network and the matrix between homes and
/// schools (homes first, then schools), with the snapped coordinates of each.
fn load_for_planning(
    cli: &Cli,
    dir: &Path,
    progress: &Progress,
) -> anyhow::Result<(scenario::Scenario, schoolrun::matrix::Matrix, Vec<[f64; 2]>)> {
    let loaded = scenario::load(dir)?;
    let (net, _) = Network::load(&loaded.scenario.osm, cache_dir(cli).as_deref(), progress)?;
    let problems = scenario::check_locations(&loaded, &net, 500.0);
    if !problems.is_empty() {
        return Err(Error::invalid(problems).into());
    }
    let sc = loaded.scenario;
    let mut pts: Vec<[f64; 2]> = sc.pupils.iter().map(|p| [p.lat, p.lon]).collect();
    pts.extend(sc.schools.iter().map(|s| [s.lat, s.lon]));
    let snaps = net
        .snap_all(&pts, 500.0)
        .map_err(|f| anyhow::anyhow!("{} locations did not snap", f.len()))?;
    let m = net.matrix(&snaps, &snaps, &|_| {});
    let coords = snaps.iter().map(|s| [s.lat, s.lon]).collect();
    Ok((sc, m, coords))
}

fn snap_points(
    net: &Network,
    file: &Path,
    pts: &[scenario::Point],
    max_m: f64,
) -> anyhow::Result<Vec<schoolrun::network::Snap>> {
    let coords: Vec<[f64; 2]> = pts.iter().map(|p| [p.lat, p.lon]).collect();
    net.snap_all(&coords, max_m).map_err(|failures| {
        let name = file.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Error::invalid(
            failures
                .iter()
                .map(|f| {
                    let p = &pts[f.index];
                    Problem {
                        code: "E-TOO-FAR-FROM-ROAD",
                        file: name.clone(),
                        line: p.line,
                        column: "lat,lon".into(),
                        value: format!("{} ({}, {})", p.id, p.lat, p.lon),
                        expected: match f.distance_m {
                            Some(d) => format!("a point within {max_m:.0} m of a road (nearest road is {d:.0} m away)"),
                            None => "a point on the road network".into(),
                        },
                    }
                })
                .collect(),
        )
        .into()
    })
}

/// `schoolrun plan DIR --from current`: repair today's routes (the fast path for starters
/// and leavers), the saving-versus-changes table, then the plan under the stability
/// costs, pins and change budget; writes the plan outputs, diff.csv, tradeoff.csv and
/// report.html.
#[allow(clippy::too_many_arguments)]
fn replan_cmd(
    sc: &scenario::Scenario,
    m: &schoolrun::matrix::Matrix,
    coords: &[[f64; 2]],
    out: &Path,
    settings: &schoolrun::routing::Settings,
    max_changes: Option<u32>,
    pins: &[String],
    pin_routes: &[String],
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    use schoolrun::replan;
    let pupil_index: std::collections::HashMap<&str, usize> = sc
        .pupils
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut bad = Vec::new();
    let pinned_pupils: Vec<usize> = pins
        .iter()
        .filter_map(|id| {
            let i = pupil_index.get(id.as_str()).copied();
            if i.is_none() {
                bad.push(Problem {
                    code: "E-UNKNOWN-ID",
                    file: "command line".into(),
                    line: 0,
                    column: "--pin".into(),
                    value: id.clone(),
                    expected: "a pupil id from pupils.csv".into(),
                });
            }
            i
        })
        .collect();
    let pinned_routes: Vec<usize> = pin_routes
        .iter()
        .filter_map(|id| {
            let k = sc.current_routes.iter().position(|r| &r.id == id);
            if k.is_none() {
                bad.push(Problem {
                    code: "E-UNKNOWN-ID",
                    file: "command line".into(),
                    line: 0,
                    column: "--pin-route".into(),
                    value: id.clone(),
                    expected: "a route id from current_routes.csv".into(),
                });
            }
            k
        })
        .collect();
    if !bad.is_empty() {
        return Err(Error::invalid(bad).into());
    }
    if sc.current_routes.is_empty() {
        return Err(Error::invalid(vec![Problem {
            code: "E-FILE-MISSING",
            file: "current_routes.csv".into(),
            line: 0,
            column: String::new(),
            value: String::new(),
            expected: "today's routes, to re-plan from".into(),
        }])
        .into());
    }
    let loc = schoolrun::plan::Locations::standard(sc);
    let t0 = Instant::now();
    let r = replan::repair(sc, m, &loc);
    let fast_s = t0.elapsed().as_secs_f64();
    let p = &r.compiled.problem;
    let days = sc.policy.school_days as i64;
    let price = |sol: &schoolrun::routing::Solution| {
        schoolrun::plan::mirrored_day_cost(sc, m, &loc, &r.compiled, sol).0 * days
    };
    let repaired_cost = price(&r.solution);
    let spin = progress.spinner("re-planning: searching from today's routes");
    let (cands, free) = replan::candidates(&r, settings);
    let solver = contracts::stability::HighsStability;
    let mip_time = std::time::Duration::from_secs(60);
    let mut table = Vec::new();
    let mut previous: Option<replan::Replanned> = None;
    for budget in [Some(0), Some(5), Some(10), Some(20), None] {
        spin.set_message(format!(
            "re-planning: best plan moving at most {}",
            budget.map_or("any number of".to_string(), |b| b.to_string())
        ));
        // A penny a day per move: among equal costs, the plan moving fewest pupils.
        let o = replan::Options {
            move_cost: schoolrun::units::Pence(1),
            minute_cost: schoolrun::units::Pence(0),
            max_changes: budget,
            pinned_pupils: pinned_pupils.clone(),
            pinned_routes: pinned_routes.clone(),
            // Each budget starts from the answer under the tighter one; no budget from
            // the unconstrained optimum.
            start: if budget.is_none() {
                Some(free.clone())
            } else {
                previous.clone()
            },
        };
        // Should the MIP fail in its time, the starting point stands (it is feasible for
        // this budget).
        let fallback = o.start.clone().unwrap_or_else(|| replan::Replanned {
            solution: r.solution.clone(),
            origin: r.origin.clone(),
        });
        let s = replan::improve(&r, &cands, &o, &solver, mip_time).unwrap_or(fallback);
        let moved = replan::moved_jobs(&r, &s, p).len();
        table.push((budget, moved, price(&s.solution)));
        previous = Some(s);
    }
    let o = replan::Options {
        move_cost: sc.policy.stability_cost_per_move,
        minute_cost: sc.policy.stability_cost_per_minute,
        max_changes,
        pinned_pupils,
        pinned_routes,
        start: None,
    };
    let chosen = replan::improve(&r, &cands, &o, &solver, mip_time).unwrap_or(replan::Replanned {
        solution: r.solution.clone(),
        origin: r.origin.clone(),
    });
    spin.finish_and_clear();
    let outcome = schoolrun::routing::Outcome {
        solution: chosen.solution.clone(),
        iterations: 0,
        seconds: t0.elapsed().as_secs_f64(),
    };
    let mut plan = schoolrun::plan::finish(sc, m, &loc, settings, None, &r.compiled, &outcome);
    replan::name_routes(sc, &r.compiled, &chosen, &mut plan);
    let changes = replan::diff(sc, &r, &plan);
    let moved = changes
        .iter()
        .filter(|c| c.vehicle_changed && !c.old_route.is_empty() && !c.new_route.is_empty())
        .count();
    report::write_plan(
        out,
        sc,
        &plan,
        coords,
        serde_json::json!({"from": "current", "max_changes": max_changes, "seed": settings.seed}),
    )?;
    report::write_replan(out, sc, &r.checks, &table, &changes, repaired_cost)?;
    let current = sc.current_cost_per_day() * days;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "vehicles": plan.routes.len(),
                "cost_per_year": plan.cost_per_year.pounds(),
                "current_cost_per_year": current.pounds(),
                "moved": moved,
                "starters": r.starters.len(),
                "forced_moves": r.forced_moves.len(),
                "broken_routes": r.checks.iter().filter(|c| !c.violations.is_empty()).count(),
                "repair_seconds": fast_s,
                "tradeoff": table.iter().map(|(b, n, c)| serde_json::json!({"max_changes": b, "moved": n, "cost_per_year": c.pounds()})).collect::<Vec<_>>(),
                "feasible": plan.violations.is_empty(),
            })
        );
    } else {
        println!(
            "today: {} routes, {} break a rule; {} starter(s) placed and {} pupil(s) moved off broken routes in {:.3} s (repaired: {} a year)",
            r.checks.len(),
            r.checks.iter().filter(|c| !c.violations.is_empty()).count(),
            r.starters.len(),
            r.forced_moves.len(),
            fast_s,
            repaired_cost
        );
        println!("saving against pupils moved (reference prices, afternoons as mirrors, a year):");
        for (b, n, c) in &table {
            println!(
                "  at most {:>9}: {:>3} moved, {} ({} saved)",
                b.map_or("unlimited".to_string(), |b| b.to_string()),
                n,
                c,
                repaired_cost - *c
            );
        }
        println!(
            "plan: {} vehicles, {} a year; {} pupil(s) change vehicle; checker: {}",
            plan.routes.len(),
            plan.cost_per_year,
            moved,
            if plan.violations.is_empty() {
                "ok"
            } else {
                "VIOLATIONS"
            }
        );
        eprintln!(
            "wrote {}/diff.csv, diff_by_route.csv, diff_by_school.csv, tradeoff.csv, current_checks.csv, report.html and the plan outputs",
            out.display()
        );
    }
    if !plan.violations.is_empty() {
        anyhow::bail!(
            "the plan failed the checker: {}",
            plan.violations.join("; ")
        );
    }
    Ok(())
}

/// What `tender` found, for the demo's summary lines.
struct TenderOutcome {
    /// Supplier and price per day of each route, in plan order.
    award: Vec<(String, schoolrun::units::Pence)>,
    award_per_year: schoolrun::units::Pence,
    current_per_year: schoolrun::units::Pence,
    new_per_year: schoolrun::units::Pence,
    optimal: bool,
    gap: f64,
    seconds: f64,
    bundles_won: usize,
}

/// `schoolrun tender`: reads the plan, builds and solves the tender, writes the outputs.
fn tender(
    dir: &Path,
    plan_dir: &Path,
    out: &Path,
    time_limit: f64,
    sensitivity_rows: usize,
    json: bool,
    quiet: bool,
    progress: &Progress,
) -> anyhow::Result<TenderOutcome> {
    let t0 = Instant::now();
    let sc = scenario::load(dir)?.scenario;
    let plan = report::read_plan(plan_dir)?;
    let routes = contracts::routes_from_plan(&sc, &plan).map_err(|errs| {
        Error::invalid(
            errs.into_iter()
                .map(|e| Problem {
                    code: "E-PLAN-MISMATCH",
                    file: plan_dir.join("plan.json").display().to_string(),
                    line: 0,
                    column: String::new(),
                    value: e,
                    expected: "a plan made from this scenario".into(),
                })
                .collect(),
        )
    })?;
    // Every bid must name a route of the plan being tendered.
    let ids: std::collections::BTreeSet<&str> = routes.iter().map(|r| r.id.as_str()).collect();
    let bad: Vec<Problem> = sc
        .bids
        .iter()
        .filter(|b| !ids.contains(b.route_id.as_str()))
        .map(|b| Problem {
            code: "E-UNKNOWN-ID",
            file: "bids.csv".into(),
            line: b.line,
            column: "route_id".into(),
            value: b.route_id.clone(),
            expected: format!("a route id of the plan in {}", plan_dir.display()),
        })
        .collect();
    if !bad.is_empty() {
        return Err(Error::invalid(bad).into());
    }
    let (t, warnings) = contracts::Tender::from_scenario(&sc, routes);
    for w in &warnings {
        progress.warn(w);
    }
    let settings = contracts::TenderSettings {
        time_limit: std::time::Duration::from_secs_f64(time_limit),
        threads: 1,
    };
    let spin = progress.spinner(&format!(
        "tendering {} routes to {} suppliers ({} offers, {} bundles)",
        t.routes.len(),
        t.suppliers.len(),
        t.offers.len(),
        t.bundles.len()
    ));
    let award = match contracts::solve(&t, &settings).map_err(|e| anyhow::anyhow!(e))? {
        Ok(a) => a,
        Err(inf) => {
            spin.finish_and_clear();
            return Err(Error::invalid(
                inf.reasons
                    .iter()
                    .map(|r| Problem {
                        code: "E-TENDER-INFEASIBLE",
                        file: "operators.csv".into(),
                        line: 0,
                        column: String::new(),
                        value: r.clone(),
                        expected: "enough suppliers, fleet and policy room for every route".into(),
                    })
                    .collect(),
            )
            .into());
        }
    };
    spin.set_message("sensitivity: re-solving with each binding limit relaxed");
    let sens = if sensitivity_rows > 0 {
        contracts::sensitivity(&t, &award, &settings, sensitivity_rows)
            .map_err(|e| anyhow::anyhow!(e))?
    } else {
        Vec::new()
    };
    spin.finish_and_clear();
    let cmp = contracts::compare(&sc, &t, &award);
    let days = sc.policy.school_days as i64;
    report::write_tender(
        out,
        sc.policy.school_days,
        &t,
        &award,
        &cmp,
        &sens,
        &warnings,
        serde_json::json!({"time_limit_s": time_limit, "seconds": t0.elapsed().as_secs_f64()}),
    )?;
    let o = TenderOutcome {
        award: (0..t.routes.len())
            .map(|r| {
                (
                    t.suppliers[t.offers[award.choice[r]].supplier].id.clone(),
                    award.price[r],
                )
            })
            .collect(),
        award_per_year: award.cost_per_day * days,
        current_per_year: cmp.total.current_per_day * days,
        new_per_year: cmp.total.new_per_day * days,
        optimal: award.optimal,
        gap: award.gap,
        seconds: t0.elapsed().as_secs_f64(),
        bundles_won: award.bundles_won.len(),
    };
    let saving = o.current_per_year - o.new_per_year;
    let pct = 100.0 * saving.0 as f64 / o.current_per_year.0.max(1) as f64;
    if quiet {
    } else if json {
        println!(
            "{}",
            serde_json::json!({"routes": t.routes.len(), "award_per_year": o.award_per_year.pounds(), "new_per_year": o.new_per_year.pounds(), "current_per_year": o.current_per_year.pounds(), "saving_pct": pct, "optimal": o.optimal, "gap": o.gap, "lp_bound_per_day": award.lp_bound, "seconds": o.seconds})
        );
    } else {
        println!(
            "{} routes to {} supplier(s): {} a year with assistants ({} vehicles and drivers), today {}: saving {} ({pct:.1}%); {} (gap {:.4}%, LP bound £{:.2}/day); {} bundle(s) won",
            t.routes.len(),
            cmp.operators.iter().filter(|c| c.new_count > 0).count(),
            o.new_per_year,
            o.award_per_year,
            o.current_per_year,
            saving,
            if o.optimal {
                "proven optimal"
            } else {
                "time limit reached"
            },
            100.0 * o.gap,
            award.lp_bound,
            o.bundles_won
        );
        for s in sens.iter().take(5) {
            println!(
                "  if {}: saves {} a year",
                s.change,
                s.saving_per_day * days
            );
        }
        eprintln!(
            "wrote {}/allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json",
            out.display()
        );
    }
    Ok(o)
}

/// Search iterations per worker in the demo.
const DEMO_ITERATIONS: u64 = 20_000;

/// Effort settings of the whole pipeline.
struct PipelineOptions {
    iterations: u64,
    threads: usize,
    seed: Option<u64>,
    repair_iterations: u64,
    check_sample: usize,
    json: bool,
}

fn demo(cli: &Cli, data: &Path, out: &Path, progress: &Progress) -> anyhow::Result<()> {
    println!(
        "schoolrun demo — Rutland (roads © OpenStreetMap contributors, ODbL; synthetic pupils)"
    );
    pipeline(
        cli,
        &data.join("demo"),
        out,
        &PipelineOptions {
            iterations: DEMO_ITERATIONS,
            threads: 2,
            seed: None,
            repair_iterations: schoolrun::savings::Settings::default().repair_iterations,
            check_sample: 0,
            json: false,
        },
        progress,
    )
}

/// The whole chain on one scenario: network, validation, matrix, plan, tender, savings,
/// and the report. Used by `schoolrun savings` and `schoolrun demo`.
fn pipeline(
    cli: &Cli,
    dir: &Path,
    out: &Path,
    o: &PipelineOptions,
    progress: &Progress,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let say = |line: String| {
        if !o.json {
            println!("{line}");
        }
    };
    let loaded =
        scenario::load(dir).with_context(|| format!("loading the scenario {}", dir.display()))?;
    let sc = &loaded.scenario;
    let (net, report) = Network::load(&sc.osm, cache_dir(cli).as_deref(), progress)
        .with_context(|| format!("loading the road network {}", sc.osm.display()))?;
    let s = net.roads().summary();
    say(format!(
        "1. road network: {} junctions, {} directed edges, {:.1} km of road ({})",
        s.nodes,
        s.edges,
        s.road_km,
        if report.from_cache {
            format!("from cache in {:.2} s", report.cache_load_seconds)
        } else {
            format!(
                "built in {:.2} s",
                report.build_seconds + report.prepare_seconds
            )
        }
    ));
    let problems = scenario::check_locations(&loaded, &net, 500.0);
    if !problems.is_empty() {
        return Err(Error::invalid(problems).into());
    }
    let sm = sc.summary();
    say(format!(
        "2. scenario '{}': {} schools, {} pupils ({} to route: {} wheelchair users, {} need an assistant, {} solo); valid, {} warning(s)",
        sc.name,
        sm.schools,
        sm.pupils,
        sm.routed,
        sm.wheelchair,
        sm.needs_assistant,
        sm.solo,
        loaded.warnings.len()
    ));
    say(format!(
        "   today's routes: {} vehicles carrying {} pupils; as-is £{:.0} a day, £{:.0} a year, £{:.0} per pupil per year",
        sm.current_routes,
        sm.current_route_pupils,
        sm.as_is_per_day,
        sm.as_is_per_year,
        sm.as_is_per_pupil_year
    ));
    let mut coords: Vec<[f64; 2]> = sc.pupils.iter().map(|p| [p.lat, p.lon]).collect();
    coords.extend(sc.schools.iter().map(|s| [s.lat, s.lon]));
    let snaps = net
        .snap_all(&coords, 500.0)
        .map_err(|f| anyhow::anyhow!("{} points did not snap", f.len()))?;
    let tm = Instant::now();
    let m = net.matrix(&snaps, &snaps, &|_| {});
    say(format!(
        "3. travel matrix: {} × {} points in {:.3} s",
        snaps.len(),
        snaps.len(),
        tm.elapsed().as_secs_f64()
    ));
    // A fixed iteration budget keeps the plan identical on every machine. No route
    // recombination here: its MIP is time-limited, which would make the plan depend on
    // machine speed (and on the demo it gains nothing, see BENCHMARKS.md).
    let settings = schoolrun::routing::Settings {
        time_limit: None,
        iterations: Some(o.iterations),
        threads: o.threads,
        seed: o.seed.unwrap_or(sc.solver.seed),
    };
    let loc = schoolrun::plan::Locations::standard(sc);
    let spin = progress.spinner("planning routes");
    let plan = schoolrun::plan::plan(sc, &m, &loc, &settings, &|it, _| {
        spin.set_message(format!("planning routes: {it} iterations"));
    });
    spin.finish_and_clear();
    let snapped: Vec<[f64; 2]> = snaps.iter().map(|s| [s.lat, s.lon]).collect();
    report::write_plan(
        out,
        sc,
        &plan,
        &snapped,
        serde_json::json!({"seed": settings.seed, "threads": settings.threads, "iterations": o.iterations}),
    )?;
    let days = sc.policy.school_days as i64;
    let current = sc.current_cost_per_day() * days;
    let saving = current - plan.cost_per_year;
    say(format!(
        "4. optimised routes: {} vehicles (today {}), {} a year vs {} today: saving {} ({:.1}%); checker: {}; {} iterations in {:.1} s",
        plan.routes.len(),
        sc.current_routes.len(),
        plan.cost_per_year,
        current,
        saving,
        100.0 * saving.0 as f64 / current.0.max(1) as f64,
        if plan.violations.is_empty() {
            "every rule holds"
        } else {
            "VIOLATIONS"
        },
        plan.iterations,
        plan.seconds
    ));
    if !plan.violations.is_empty() {
        anyhow::bail!(
            "the plan failed the checker: {}",
            plan.violations.join("; ")
        );
    }
    if !o.json {
        print!("5. retender: ");
    }
    let tr = tender(dir, out, out, 60.0, 8, false, o.json, progress)?;

    let bar = progress.bar(0, "marginal savings");
    let ss = schoolrun::savings::Settings {
        repair_iterations: o.repair_iterations,
        seed: settings.seed,
        ..Default::default()
    };
    let ts = Instant::now();
    let savings = schoolrun::savings::estimate(sc, &m, &loc, &plan, &ss, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let savings_seconds = ts.elapsed().as_secs_f64();
    let targets = schoolrun::savings::target(sc, &savings);
    let projection = schoolrun::savings::project(sc, &savings, &targets, 3);
    let checks = if o.check_sample > 0 {
        let full = schoolrun::routing::Settings {
            threads: 1,
            ..settings.clone()
        };
        schoolrun::savings::check_against_full(sc, &m, &loc, &plan, &savings, o.check_sample, &full)
    } else {
        Vec::new()
    };
    let year1 = projection
        .rows
        .first()
        .map(|r| r.in_year)
        .unwrap_or_default();
    let budget = report::html::Budget {
        current: tr.current_per_year,
        optimised: plan.cost_per_year,
        retendered: tr.new_per_year,
        with_ptb_itt: tr.new_per_year - year1,
    };
    let freed = savings.pupils.iter().filter(|p| p.frees_vehicle).count();
    let zero = savings
        .pupils
        .iter()
        .filter(|p| p.marginal_per_year.0 == 0)
        .count();
    say(format!(
        "6. PTB/ITT: {} eligible pupils ({} would free a vehicle, {} save nothing), {} pairs, in {:.1} s; {} offers chosen (caseload {} PTB, {} ITT): expected {} in year 1, {} over 3 years",
        savings.pupils.len(),
        freed,
        zero,
        savings.pairs.len(),
        savings_seconds,
        targets.len(),
        sc.policy.ptb_caseload,
        sc.policy.itt_caseload,
        year1,
        projection.total
    ));
    for (p, fast, full) in &checks {
        say(format!(
            "   check {}: fast estimate {} a year, full re-solve {}",
            sc.pupils[*p].id, fast, full
        ));
    }
    let data = report::html::ReportData {
        sc,
        plan: &plan,
        coords: &snapped,
        roads: net.roads().roads().collect(),
        award: tr.award.clone(),
        budget,
        savings: &savings,
        targets: &targets,
        projection: &projection,
    };
    report::write_savings(
        out,
        sc,
        &savings,
        &targets,
        &projection,
        &checks,
        &report::html::render(&data),
    )?;
    say(format!(
        "7. budget a year: today {}, optimised routes {}, retendered {}, with PTB/ITT {} ({:.1}% below today)",
        budget.current,
        budget.optimised,
        budget.retendered,
        budget.with_ptb_itt,
        100.0 * (budget.current - budget.with_ptb_itt).0 as f64 / budget.current.0.max(1) as f64
    ));
    say(format!(
        "   outputs in {}: report.html, summary.json, routes.csv, routes.geojson, plan.json, allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json, savings.csv, targets.csv, projection.csv, savings.json",
        out.display()
    ));
    if o.json {
        println!(
            "{}",
            serde_json::json!({
                "vehicles": plan.routes.len(),
                "current_per_year": budget.current.pounds(),
                "optimised_per_year": budget.optimised.pounds(),
                "retendered_per_year": budget.retendered.pounds(),
                "with_ptb_itt_per_year": budget.with_ptb_itt.pounds(),
                "ptb_itt_year1": year1.pounds(),
                "ptb_itt_3_years": projection.total.pounds(),
                "targets": targets.len(),
                "seconds": t.elapsed().as_secs_f64(),
            })
        );
    }
    say(format!("done in {:.2} s", t.elapsed().as_secs_f64()));
    Ok(())
}
