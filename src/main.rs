//! The `schoolrun` command line: argument parsing (`cli::args`), calls into the library's
//! workflow functions, printing (`cli::print`), and exit codes (0 success, 2 bad input,
//! 1 internal error). No planning logic lives here.

mod cli;

use anyhow::Context;
use clap::Parser;
use cli::args::{
    BudgetCommand, Cli, Command, DEMO_ITERATIONS, DEMO_SEEDS, NetworkCommand, VrpCommand,
};
use cli::print;
use schoolrun::error::Problem;
use schoolrun::network::default_cache_dir;
use schoolrun::progress::Progress;
use schoolrun::units::Pence;
use schoolrun::workflow::{self, PrepareOptions};
use schoolrun::{Error, report, scenario};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> std::process::ExitCode {
    // Output piped into a program that stops reading (`| head`) ends this one quietly, as
    // Unix tools do, instead of a panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let input = e.downcast_ref::<Error>().is_some_and(Error::is_input_error);
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(if input { 2 } else { 1 })
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
    let cache = cli.cache_dir();
    match &cli.command {
        Command::Network {
            command: NetworkCommand::Build { osm, out, json },
        } => {
            let (net, r) =
                workflow::network::build(osm, cache.as_deref(), out.as_deref(), &progress)?;
            let s = net.roads().summary();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"nodes": s.nodes, "edges": s.edges, "road_km": (s.road_km * 10.0).round() / 10.0, "seconds": r.build_seconds, "prepare_seconds": r.prepare_seconds})
                );
            } else {
                println!(
                    "{} nodes, {} directed edges, {:.1} km of road; built in {:.2} s, contraction hierarchy in {:.2} s",
                    s.nodes, s.edges, s.road_km, r.build_seconds, r.prepare_seconds
                );
            }
        }
        Command::Matrix {
            osm,
            points,
            out,
            max_snap_m,
            algorithm,
            json,
        } => {
            let algorithm = workflow::network::Algorithm::parse(algorithm)?;
            let (ids, m, seconds) = workflow::network::matrix(
                osm,
                points,
                *max_snap_m,
                algorithm,
                cache.as_deref(),
                &progress,
            )?;
            report::write_matrix_csv(out, &ids, &m)?;
            let pairs = ids.len() * ids.len();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"points": ids.len(), "pairs": pairs, "seconds": seconds})
                );
            } else {
                eprintln!("{pairs} pairs in {seconds:.2} s -> {}", out.display());
            }
        }
        Command::Generate {
            osm,
            pupils,
            seed,
            out,
            name,
            schools,
            force,
        } => {
            let o = workflow::network::GenerateOptions {
                pupils: *pupils,
                seed: *seed,
                name: name.clone(),
                schools: *schools,
                force: *force,
            };
            let sc = workflow::network::generate(osm, &o, out, cache.as_deref(), &progress)?;
            let s = sc.summary();
            eprintln!(
                "wrote {}: {} schools, {} pupils, {} current routes, as-is {} per pupil per year",
                out.display(),
                s.schools,
                s.pupils,
                s.current_routes,
                schoolrun::units::Pence::from_pounds(s.as_is_per_pupil_year)
            );
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
        } => {
            let spin = progress.spinner("solving");
            let o = workflow::vrp::VrpOptions {
                time_limit_s: *time_limit,
                iterations: *iterations,
                seed: *seed,
                threads: *threads,
                recombine: !*no_recombine,
            };
            let r = workflow::vrp::solve(instance, &o, &|name, it, best| {
                spin.set_message(format!("solving {name}: {it} iterations, best {best:.2}"));
            })?;
            spin.finish_and_clear();
            if let Some(path) = sol {
                let text = r.instance.solution_text(&r.outcome.solution);
                schoolrun::files::write_atomic(path, |w| w.write_all(text.as_bytes()))?;
            }
            for v in r.check.violations.iter().take(10) {
                eprintln!("checker: {v}");
            }
            let (name, sol) = (&r.instance.name, &r.outcome.solution);
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"instance": name, "cost": (r.cost * 10_000.0).round() / 10_000.0, "vehicles": sol.routes.len(), "seconds": (r.outcome.seconds * 1000.0).round() / 1000.0, "feasible": r.feasible, "unassigned": sol.unassigned.len(), "iterations": r.outcome.iterations})
                );
            } else {
                println!(
                    "{name} cost {:.4} with {} vehicles in {:.2} s; feasible: {}",
                    r.cost,
                    sol.routes.len(),
                    r.outcome.seconds,
                    r.feasible
                );
            }
        }
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
            let fingerprint = scenario::fingerprint(dir);
            let p = report::read_plan(plan, &sc, &fingerprint)?;
            let plan_file = plan.join("plan.json").display().to_string();
            let tr = workflow::tender::tender(&sc, &p, &plan_file, &opts, &progress)?;
            let mut set = schoolrun::files::OutputSet::new(out, "tender", &fingerprint);
            tr.add_files(&mut set, sc.policy.school_days)?;
            set.commit()?;
            print::tender(sc.policy.school_days as i64, &tr, *json);
            if !*json {
                eprintln!(
                    "wrote {}/allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json",
                    out.display()
                );
            }
        }
        Command::Plan {
            dir,
            out,
            time_limit,
            iterations,
            threads,
            seed,
            no_recombine,
            regret_share,
            price,
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
                regret_share: *regret_share,
                price: *price,
            };
            let replan = match from.as_deref() {
                None => {
                    // Re-planning options without --from current would be silently ignored.
                    let stray = [
                        ("--max-changes", max_changes.is_some()),
                        ("--pin", !pins.is_empty()),
                        ("--pin-route", !pin_routes.is_empty()),
                    ];
                    let bad: Vec<Problem> = stray
                        .iter()
                        .filter(|(_, given)| *given)
                        .map(|(opt, _)| {
                            Problem::argument(opt, "", "--from current: it applies only when re-planning from today's routes")
                        })
                        .collect();
                    if !bad.is_empty() {
                        return Err(Error::invalid(bad).into());
                    }
                    None
                }
                Some("current") => Some(workflow::ReplanOptions {
                    max_changes: *max_changes,
                    pins: pins.clone(),
                    pin_routes: pin_routes.clone(),
                }),
                Some(other) => {
                    let p = Problem::argument("--from", other, "current");
                    return Err(Error::problem(p).into());
                }
            };
            let p = workflow::prepare(dir, &cli.prepare_options(*max_snap_m), &progress)?;
            let sc = &p.scenario;
            match replan {
                None => {
                    let (plan, settings) =
                        workflow::plan::plan_with_spinner(&p, &options, &progress)?;
                    let extra = serde_json::json!({"seed": settings.seed, "threads": settings.threads, "time_limit_s": settings.time_limit.map(|d| d.as_secs_f64()), "iterations": settings.iterations});
                    let mut set = schoolrun::files::OutputSet::new(out, "plan", &p.fingerprint);
                    let lines = workflow::road_lines(&p, &[&plan]);
                    report::plan_files(&mut set, sc, &plan, &p.coords, &lines, extra)?;
                    set.commit()?;
                    print::plan(sc, &plan, *json);
                    if !*json {
                        eprintln!(
                            "wrote {}/summary.json, routes.csv, routes.geojson, route_sheets.html, plan.json",
                            out.display()
                        );
                    }
                }
                Some(o) => {
                    let settings = options.settings(sc)?;
                    let spin = progress.spinner("re-planning");
                    let r = workflow::replan::replan(&p, &settings, &o, &|m| {
                        spin.set_message(m.to_string())
                    })?;
                    spin.finish_and_clear();
                    let extra = serde_json::json!({"from": "current", "max_changes": o.max_changes, "seed": settings.seed});
                    let mut set = schoolrun::files::OutputSet::new(
                        out,
                        "plan --from current",
                        &p.fingerprint,
                    );
                    let lines = workflow::road_lines(&p, &[&r.plan]);
                    report::plan_files(&mut set, sc, &r.plan, &p.coords, &lines, extra)?;
                    let table: Vec<(Option<u32>, usize, Pence)> = r
                        .table
                        .iter()
                        .map(|t| (t.max_changes, t.moved, t.cost_per_year))
                        .collect();
                    let map = report::html::ChangeMap {
                        plan: &r.plan,
                        coords: &p.coords,
                        lines: &lines,
                        roads: p.network.roads().roads().collect(),
                    };
                    report::replan_files(
                        &mut set,
                        sc,
                        &r.repaired.checks,
                        &table,
                        &r.changes,
                        r.repaired_cost,
                        Some(&map),
                    )?;
                    set.commit()?;
                    print::replan(sc, &r, *json);
                    if !*json {
                        eprintln!(
                            "wrote {}/diff.csv, diff_by_route.csv, diff_by_school.csv, tradeoff.csv, current_checks.csv, report.html and the plan outputs",
                            out.display()
                        );
                    }
                }
            }
        }
        Command::Savings {
            dir,
            out,
            iterations,
            threads,
            seed,
            seeds,
            repair_iterations,
            region_neighbours,
            check_sample,
            check_iterations,
            plan,
            json,
        } => {
            if *seeds == 0 {
                let p = Problem::argument("--seeds", "0", "at least one seed");
                return Err(Error::problem(p).into());
            }
            let o = workflow::ChainOptions {
                prepare: cli.prepare_options(workflow::DEFAULT_MAX_SNAP_M),
                iterations: *iterations,
                threads: *threads,
                seed: *seed,
                seeds: *seeds,
                repair_iterations: *repair_iterations,
                region_neighbours: *region_neighbours,
                check_sample: *check_sample,
                check_iterations: *check_iterations,
                max_rounds: schoolrun::savings::Settings::default().max_rounds,
                years: 3,
                plan_from: plan.clone(),
            };
            chain(dir, out, &o, *json, &progress)?;
        }
        Command::Validate {
            dir,
            max_snap_m,
            json,
        } => {
            let v = workflow::validate(dir, &cli.prepare_options(*max_snap_m), &progress)?;
            print::validation(dir, &v, *json);
            if !v.errors.is_empty() {
                // The problems are listed on stdout already; stderr says only how many.
                use std::io::Write;
                let _ = std::io::stdout().flush();
                eprintln!(
                    "error: {} problem(s) in the input, listed above",
                    v.errors.len()
                );
                std::process::exit(2);
            }
        }
        Command::Budget(b) => match &b.command {
            Some(BudgetCommand::Merge { out, parts, json }) => {
                let r = workflow::budget::merge(parts, out)
                    .with_context(|| format!("merging budget shards into {}", out.display()))?;
                print::budget(&r, out, *json);
            }
            None => {
                let (Some(dir), Some(variants), Some(out)) = (&b.dir, &b.variants, &b.out) else {
                    anyhow::bail!("budget needs DIR, --variants and --out");
                };
                let o = workflow::budget::BudgetOptions {
                    prepare: cli.prepare_options(workflow::DEFAULT_MAX_SNAP_M),
                    samples: b.samples,
                    years: b.years,
                    shard: b
                        .shard
                        .as_deref()
                        .map(workflow::budget::parse_shard)
                        .transpose()?,
                    threads: b.threads.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(1, |n| n.get())
                    }),
                    iterations: b.iterations,
                    repair_iterations: b.repair_iterations,
                    max_rounds: workflow::budget::BUDGET_MAX_ROUNDS,
                    region_neighbours: b.region_neighbours,
                };
                let r = workflow::budget::run(dir, variants, out, &o, &progress)
                    .with_context(|| format!("budget run on {}", dir.display()))?;
                print::budget(&r, out, b.json);
            }
        },
        Command::Demo { out, data } => {
            let data = data
                .clone()
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data"));
            println!(
                "schoolrun demo — Rutland (roads © OpenStreetMap contributors, ODbL; synthetic pupils)"
            );
            let o = workflow::ChainOptions {
                prepare: cli.prepare_options(workflow::DEFAULT_MAX_SNAP_M),
                iterations: DEMO_ITERATIONS,
                threads: Some(2),
                seed: None,
                seeds: DEMO_SEEDS,
                repair_iterations: schoolrun::savings::Settings::default().repair_iterations,
                check_sample: 0,
                check_iterations: 0,
                max_rounds: schoolrun::savings::Settings::default().max_rounds,
                region_neighbours: schoolrun::savings::REGION_NEIGHBOURS,
                years: 3,
                plan_from: None,
            };
            chain(&data.join("demo"), out, &o, false, &progress)?;
        }
    }
    Ok(())
}

/// `schoolrun savings` and `schoolrun demo`: the whole chain, one line per step.
fn chain(
    dir: &Path,
    out: &Path,
    o: &workflow::ChainOptions,
    json: bool,
    progress: &Progress,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let mut printer = print::ChainPrinter::new(json);
    workflow::chain::run(dir, out, o, progress, &mut |step| printer.step(step))
        .with_context(|| format!("running the chain on {}", dir.display()))?;
    if json {
        printer
            .summary
            .insert("seconds".into(), t.elapsed().as_secs_f64().into());
        println!("{}", serde_json::Value::Object(printer.summary));
    } else {
        println!(
            "   outputs in {}: report.html, route_sheets.html, summary.json, routes.csv, routes.geojson, plan.json, allocation.csv, by_school.csv, by_operator.csv, sensitivity.csv, tender.json, savings.csv, targets.csv, projection.csv, savings.json",
            out.display()
        );
        println!("done in {:.2} s", t.elapsed().as_secs_f64());
    }
    Ok(())
}
