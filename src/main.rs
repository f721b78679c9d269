//! The `schoolrun` command line: argument parsing, calls into the library's workflow
//! functions, printing, and exit codes. No planning logic lives here.

use anyhow::Context;
use clap::{Parser, Subcommand};
use schoolrun::error::{Code, Problem};
use schoolrun::network::{Network, default_cache_dir};
use schoolrun::progress::Progress;
use schoolrun::units::{Pence, percent};
use schoolrun::workflow::{self, PrepareOptions, Step};
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
        /// Largest allowed distance from a home or school to a road, in metres.
        #[arg(long, default_value_t = workflow::DEFAULT_MAX_SNAP_M)]
        max_snap_m: f64,
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
        #[arg(long, default_value_t = workflow::DEFAULT_MAX_SNAP_M)]
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
        #[arg(long, default_value_t = workflow::DEFAULT_MAX_SNAP_M)]
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

/// Search iterations per worker in the demo.
const DEMO_ITERATIONS: u64 = 20_000;

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

impl Cli {
    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            None
        } else {
            Some(self.cache_dir.clone().unwrap_or_else(default_cache_dir))
        }
    }

    fn prepare_options(&self, max_snap_m: f64) -> PrepareOptions {
        PrepareOptions {
            cache_dir: self.cache_dir(),
            max_snap_m,
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let progress = Progress::stderr();
    match &cli.command {
        Command::Network {
            command: NetworkCommand::Build { osm, out, json },
        } => network_build(&cli, osm, out.as_deref(), *json, &progress),
        Command::Matrix {
            osm,
            points,
            out,
            max_snap_m,
            algorithm,
            json,
        } => matrix(&cli, osm, points, out, *max_snap_m, algorithm, *json, &progress),
        Command::Generate {
            osm,
            pupils,
            seed,
            out,
            name,
        } => {
            let (net, _) = Network::load(osm, cli.cache_dir().as_deref(), &progress)?;
            let schools = schoolrun::network::osm::read_schools(osm)?;
            std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
            let opts = schoolrun::synth::Options {
                pupils: *pupils,
                seed: *seed,
                osm_in_toml: relative_path(out, osm),
                name: name.clone(),
            };
            let sc = schoolrun::synth::generate(&net, &schools, &opts)?;
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
        } => {
            let opts = workflow::TenderOptions {
                time_limit: workflow::check_time_limit(*time_limit, "--time-limit")?,
                sensitivity_rows: *sensitivity,
            };
            let sc = scenario::load(dir)?.scenario;
            let p = report::read_plan(plan)?;
            let plan_file = plan.join("plan.json").display().to_string();
            let tr = workflow::tender::tender(&sc, &p, &plan_file, &opts, &progress)?;
            write_tender(out, &sc, &tr, opts.time_limit.as_secs_f64())?;
            print_tender(sc.policy.school_days as i64, &tr, *json);
            if !*json {
                eprintln!(
                    "wrote {}/allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json",
                    out.display()
                );
            }
            Ok(())
        }
        Command::Plan {
            dir,
            out,
            time_limit,
            iterations,
            threads,
            seed,
            no_recombine,
            max_snap_m,
            from,
            max_changes,
            pins,
            pin_routes,
            json,
        } => {
            let options = workflow::PlanOptions {
                time_limit_s: *time_limit,
                iterations: *iterations,
                threads: *threads,
                seed: *seed,
                recombine: !*no_recombine,
            };
            let replan = match from.as_deref() {
                None => None,
                Some("current") => Some(workflow::ReplanOptions {
                    max_changes: *max_changes,
                    pins: pins.clone(),
                    pin_routes: pin_routes.clone(),
                }),
                Some(other) => {
                    return Err(Error::problem(Problem::argument(
                        "--from",
                        other,
                        "current",
                    ))
                    .into());
                }
            };
            let p = workflow::prepare(dir, &cli.prepare_options(*max_snap_m), &progress)?;
            match replan {
                Some(r) => replan_cmd(&p, out, &options, &r, *json, &progress),
                None => plan_cmd(&p, out, &options, *json, &progress),
            }
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
        } => chain(
            &cli,
            dir,
            out,
            &workflow::ChainOptions {
                prepare: cli.prepare_options(workflow::DEFAULT_MAX_SNAP_M),
                iterations: *iterations,
                threads: *threads,
                seed: *seed,
                repair_iterations: *repair_iterations,
                check_sample: *check_sample,
            },
            *json,
            &progress,
        ),
        Command::Validate {
            dir,
            max_snap_m,
            json,
        } => validate(&cli, dir, *max_snap_m, *json, &progress),
        Command::Demo { out, data } => {
            let data = data
                .clone()
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data"));
            println!(
                "schoolrun demo — Rutland (roads © OpenStreetMap contributors, ODbL; synthetic pupils)"
            );
            chain(
                &cli,
                &data.join("demo"),
                out,
                &workflow::ChainOptions {
                    prepare: cli.prepare_options(workflow::DEFAULT_MAX_SNAP_M),
                    iterations: DEMO_ITERATIONS,
                    threads: Some(2),
                    seed: None,
                    repair_iterations: schoolrun::savings::Settings::default().repair_iterations,
                    check_sample: 0,
                },
                false,
                &progress,
            )
        }
    }
}

fn network_build(
    cli: &Cli,
    osm: &Path,
    out: Option<&Path>,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let (net, report) = Network::build(osm, progress)?;
    if let Some(dir) = cli.cache_dir() {
        // Building also refreshes the cache, so later commands start at once.
        if let Err(e) = Network::load(osm, Some(&dir), &Progress::hidden()) {
            progress.warn(&format!("could not refresh the graph cache: {e}"));
        }
    }
    if let Some(out) = out {
        net.save(out, osm)?;
    }
    let s = net.roads().summary();
    if json {
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

#[allow(clippy::too_many_arguments)]
fn matrix(
    cli: &Cli,
    osm: &Path,
    points: &Path,
    out: &Path,
    max_snap_m: f64,
    algorithm: &str,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    if algorithm != "ch" && algorithm != "dijkstra" {
        return Err(Error::problem(Problem {
            code: Code::UnknownValue,
            ..Problem::argument("--algorithm", algorithm, "ch or dijkstra")
        })
        .into());
    }
    workflow::prepare::check_snap_limit(max_snap_m, "--max-snap-m")?;
    let pts = scenario::read_points(points)?;
    let (net, _) = Network::load(osm, cli.cache_dir().as_deref(), progress)?;
    let file = points
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let places: Vec<workflow::Place> = pts
        .iter()
        .map(|p| workflow::Place {
            file: &file,
            line: p.line,
            id: &p.id,
            lat: p.lat,
            lon: p.lon,
        })
        .collect();
    let (snaps, problems) = workflow::snap_places(&net, &places, max_snap_m);
    if !problems.is_empty() {
        return Err(Error::invalid(problems).into());
    }
    let snaps: Vec<_> = snaps.into_iter().flatten().collect();
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
    if json {
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
    let v = workflow::validate(dir, &cli.prepare_options(max_snap_m), progress)?;
    if json {
        println!(
            "{}",
            serde_json::json!({"valid": v.errors.is_empty(), "errors": v.errors, "warnings": v.warnings, "summary": v.summary})
        );
    } else {
        for e in &v.errors {
            println!("error: {e}");
        }
        for w in &v.warnings {
            println!("warning: {w}");
        }
        println!(
            "{}: {} error(s), {} warning(s)",
            dir.display(),
            v.errors.len(),
            v.warnings.len()
        );
        let s = &v.summary;
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
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid(v.errors).into())
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
    let sp = schoolrun::contracts::partition::HighsPartitioner::default();
    let settings = schoolrun::routing::Settings {
        time_limit: Some(workflow::check_time_limit(time_limit, "--time-limit")?),
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
        let text = inst.solution_text(&outcome.solution);
        schoolrun::files::write_atomic(path, |w| w.write_all(text.as_bytes()))?;
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

fn plan_cmd(
    p: &workflow::Prepared,
    out: &Path,
    options: &workflow::PlanOptions,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let sc = &p.scenario;
    let (plan, settings) = workflow::plan::plan_with_spinner(p, options, progress)?;
    let extra = serde_json::json!({"seed": settings.seed, "threads": settings.threads, "time_limit_s": settings.time_limit.map(|d| d.as_secs_f64()), "iterations": settings.iterations});
    report::write_plan(out, sc, &plan, &p.coords, extra)?;
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    let saving = current - plan.cost_per_year;
    let pct = percent(saving, current);
    if json {
        println!(
            "{}",
            serde_json::json!({"vehicles": plan.routes.len(), "cost_per_year": plan.cost_per_year.pounds(), "current_cost_per_year": current.pounds(), "saving_pct": pct, "unrouted": plan.unrouted.len(), "feasible": plan.violations.is_empty()})
        );
    } else {
        println!(
            "{} vehicles, {} a year (today {}: saving {} = {:.1}%); {} pupil(s) not routed; checker: ok",
            plan.routes.len(),
            plan.cost_per_year,
            current,
            saving,
            pct,
            plan.unrouted
                .iter()
                .filter(|u| u.reason != schoolrun::plan::Reason::NotRouted)
                .count(),
        );
        eprintln!(
            "wrote {}/summary.json, routes.csv, routes.geojson, plan.json",
            out.display()
        );
    }
    Ok(())
}

fn replan_cmd(
    p: &workflow::Prepared,
    out: &Path,
    options: &workflow::PlanOptions,
    o: &workflow::ReplanOptions,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let sc = &p.scenario;
    let settings = options.settings(sc)?;
    let spin = progress.spinner("re-planning");
    let r = workflow::replan::replan(p, &settings, o, &|m| spin.set_message(m.to_string()))?;
    spin.finish_and_clear();
    let plan = &r.plan;
    report::write_plan(
        out,
        sc,
        plan,
        &p.coords,
        serde_json::json!({"from": "current", "max_changes": o.max_changes, "seed": settings.seed}),
    )?;
    let table: Vec<(Option<u32>, usize, Pence)> = r
        .table
        .iter()
        .map(|t| (t.max_changes, t.moved, t.cost_per_year))
        .collect();
    report::write_replan(out, sc, &r.repaired.checks, &table, &r.changes, r.repaired_cost)?;
    let current = sc.current_cost_per_day() * sc.policy.school_days as i64;
    let checks = &r.repaired.checks;
    let broken = checks.iter().filter(|c| !c.violations.is_empty()).count();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "vehicles": plan.routes.len(),
                "cost_per_year": plan.cost_per_year.pounds(),
                "current_cost_per_year": current.pounds(),
                "moved": r.moved,
                "starters": r.repaired.starters.len(),
                "forced_moves": r.repaired.forced_moves.len(),
                "broken_routes": broken,
                "repair_seconds": r.repair_seconds,
                "tradeoff": r.table.iter().map(|t| serde_json::json!({"max_changes": t.max_changes, "moved": t.moved, "cost_per_year": t.cost_per_year.pounds()})).collect::<Vec<_>>(),
                "feasible": plan.violations.is_empty(),
            })
        );
    } else {
        println!(
            "today: {} routes, {broken} break a rule; {} starter(s) placed and {} pupil(s) moved off broken routes in {:.3} s (repaired: {} a year)",
            checks.len(),
            r.repaired.starters.len(),
            r.repaired.forced_moves.len(),
            r.repair_seconds,
            r.repaired_cost
        );
        println!("saving against pupils moved (reference prices, afternoons as mirrors, a year):");
        for t in &r.table {
            println!(
                "  at most {:>9}: {:>3} moved, {} ({} saved)",
                t.max_changes
                    .map_or("unlimited".to_string(), |b| b.to_string()),
                t.moved,
                t.cost_per_year,
                r.repaired_cost - t.cost_per_year
            );
        }
        println!(
            "plan: {} vehicles, {} a year; {} pupil(s) change vehicle; checker: ok",
            plan.routes.len(),
            plan.cost_per_year,
            r.moved,
        );
        eprintln!(
            "wrote {}/diff.csv, diff_by_route.csv, diff_by_school.csv, tradeoff.csv, current_checks.csv, report.html and the plan outputs",
            out.display()
        );
    }
    Ok(())
}

fn write_tender(
    out: &Path,
    sc: &scenario::Scenario,
    tr: &workflow::TenderRun,
    time_limit_s: f64,
) -> anyhow::Result<()> {
    report::write_tender(
        out,
        sc.policy.school_days,
        &tr.tender,
        &tr.award,
        &tr.comparisons,
        &tr.sensitivity,
        &tr.warnings,
        serde_json::json!({"time_limit_s": time_limit_s, "seconds": tr.seconds}),
    )?;
    Ok(())
}

/// The tender's summary: one line (or JSON) and the top sensitivity rows.
fn print_tender(days: i64, tr: &workflow::TenderRun, json: bool) {
    let (t, award, cmp) = (&tr.tender, &tr.award, &tr.comparisons);
    let current = cmp.total.current_per_day * days;
    let new = cmp.total.new_per_day * days;
    let award_per_year = award.cost_per_day * days;
    let pct = percent(current - new, current);
    if json {
        println!(
            "{}",
            serde_json::json!({"routes": t.routes.len(), "award_per_year": award_per_year.pounds(), "new_per_year": new.pounds(), "current_per_year": current.pounds(), "saving_pct": pct, "optimal": award.optimal, "gap": award.gap, "lp_bound_per_day": award.lp_bound, "seconds": tr.seconds})
        );
        return;
    }
    println!(
        "{} routes to {} supplier(s): {} a year with assistants ({} vehicles and drivers), today {}: saving {} ({pct:.1}%); {} (gap {:.4}%, LP bound £{:.2}/day); {} bundle(s) won",
        t.routes.len(),
        cmp.operators.iter().filter(|c| c.new_count > 0).count(),
        new,
        award_per_year,
        current,
        current - new,
        if award.optimal {
            "proven optimal"
        } else {
            "time limit reached"
        },
        100.0 * award.gap,
        award.lp_bound,
        award.bundles_won.len()
    );
    for s in tr.sensitivity.iter().take(5) {
        println!(
            "  if {}: saves {} a year",
            s.change,
            s.saving_per_day * days
        );
    }
}

/// `schoolrun savings` and `schoolrun demo`: the whole chain, one line per step.
fn chain(
    cli: &Cli,
    dir: &Path,
    out: &Path,
    o: &workflow::ChainOptions,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let _ = cli;
    let t = Instant::now();
    // Figures of the scenario that later steps' lines need.
    let mut days = 0i64;
    let mut current = Pence(0);
    let mut caseloads = (0, 0);
    let mut vehicles_today = 0;
    let say = |line: String| {
        if !json {
            println!("{line}");
        }
    };
    let mut summary = serde_json::Map::new();
    let mut on_step = |step: Step| match step {
        Step::Prepared(p) => {
            let (sc, report) = (&p.scenario, &p.network_report);
            days = sc.policy.school_days as i64;
            current = sc.current_cost_per_day() * days;
            caseloads = (sc.policy.ptb_caseload, sc.policy.itt_caseload);
            vehicles_today = sc.current_routes.len();
            let s = p.network.roads().summary();
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
                p.warnings.len()
            ));
            say(format!(
                "   today's routes: {} vehicles carrying {} pupils; as-is £{:.0} a day, £{:.0} a year, £{:.0} per pupil per year",
                sm.current_routes,
                sm.current_route_pupils,
                sm.as_is_per_day,
                sm.as_is_per_year,
                sm.as_is_per_pupil_year
            ));
            say(format!(
                "3. travel matrix: {} × {} points in {:.3} s",
                p.coords.len(),
                p.coords.len(),
                p.matrix_seconds
            ));
        }
        Step::Planned(plan, _) => {
            summary.insert("vehicles".into(), plan.routes.len().into());
            let saving = current - plan.cost_per_year;
            say(format!(
                "4. optimised routes: {} vehicles (today {vehicles_today}), {} a year vs {current} today: saving {saving} ({:.1}%); checker: every rule holds; {} iterations in {:.1} s",
                plan.routes.len(),
                plan.cost_per_year,
                percent(saving, current),
                plan.iterations,
                plan.seconds
            ));
        }
        Step::Tendered(tr) => {
            if !json {
                print!("5. retender: ");
                print_tender(days, tr, false);
            }
        }
        Step::Savings(sr) => {
            let s = &sr.savings;
            say(format!(
                "6. PTB/ITT: {} eligible pupils ({} would free a vehicle, {} save nothing), {} pairs, in {:.1} s; {} offers chosen (caseload {} PTB, {} ITT): expected {} in year 1, {} over 3 years",
                s.pupils.len(),
                s.pupils.iter().filter(|p| p.frees_vehicle).count(),
                s.pupils.iter().filter(|p| p.marginal_per_year.0 == 0).count(),
                s.pairs.len(),
                sr.seconds,
                sr.targets.len(),
                caseloads.0,
                caseloads.1,
                sr.year1(),
                sr.projection.total
            ));
            for (p, fast, full) in &sr.checks {
                say(format!(
                    "   check pupil #{p}: fast estimate {fast} a year, full re-solve {full}"
                ));
            }
            summary.insert("ptb_itt_year1".into(), sr.year1().pounds().into());
            summary.insert("ptb_itt_3_years".into(), sr.projection.total.pounds().into());
            summary.insert("targets".into(), sr.targets.len().into());
        }
        Step::Finished(b) => {
            say(format!(
                "7. budget a year: today {}, optimised routes {}, retendered {}, with PTB/ITT {} ({:.1}% below today)",
                b.current,
                b.optimised,
                b.retendered,
                b.with_ptb_itt,
                percent(b.current - b.with_ptb_itt, b.current)
            ));
            say(format!(
                "   outputs in {}: report.html, summary.json, routes.csv, routes.geojson, plan.json, allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json, savings.csv, targets.csv, projection.csv, savings.json",
                out.display()
            ));
            summary.insert("current_per_year".into(), b.current.pounds().into());
            summary.insert("optimised_per_year".into(), b.optimised.pounds().into());
            summary.insert("retendered_per_year".into(), b.retendered.pounds().into());
            summary.insert("with_ptb_itt_per_year".into(), b.with_ptb_itt.pounds().into());
        }
    };
    workflow::chain::run(dir, out, o, progress, &mut on_step)
        .with_context(|| format!("running the chain on {}", dir.display()))?;
    if json {
        summary.insert("seconds".into(), t.elapsed().as_secs_f64().into());
        println!("{}", serde_json::Value::Object(summary));
    }
    say(format!("done in {:.2} s", t.elapsed().as_secs_f64()));
    Ok(())
}
