//! The command line's arguments (clap).

use clap::{Parser, Subcommand};
use schoolrun::workflow;
use std::path::PathBuf;

/// Search iterations per worker in the demo and in `schoolrun savings`. A plan of 45,000
/// or more leaves the savings searches little to improve elsewhere, so every seed's
/// estimates are about the same base and repeat (at 20,000 the seeds' searches improved
/// the base differently, and 91% of pupils repeated within max(2%, £100) a year against
/// 96–100%; BENCHMARKS.md, "How far a pupil's leaving is re-planned"). 60,000 took the
/// demo to 55–66 s on the 2-core machine of BENCHMARKS.md, past its minute; 45,000 takes
/// it to about 51 s with 100% of pupils repeating (BENCHMARKS.md, "The demo's minute").
pub const DEMO_ITERATIONS: u64 = 45_000;

/// Seeds the demo and `schoolrun savings` run by default (each headline's spread).
pub const DEMO_SEEDS: usize = 3;

/// The command line.
#[derive(Parser)]
#[command(
    name = "schoolrun",
    version,
    about = "Plans SEN home-to-school transport"
)]
pub struct Cli {
    /// Directory for cached prepared road networks (default: $SCHOOLRUN_CACHE_DIR, else ~/.cache/schoolrun).
    #[arg(long, global = true)]
    pub cache_dir: Option<PathBuf>,
    /// Never read or write the network cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
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
        /// Number of schools: from the extract's schools when it has enough, the rest
        /// placed on the road network (default: every school in the extract).
        #[arg(long)]
        schools: Option<usize>,
        /// Overwrite the output folder if it already holds files.
        #[arg(long)]
        force: bool,
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
        /// Share of search iterations recreated by regret insertion instead of greedy
        /// insertion (0 to 1): a cheaper plan per iteration at 2.5x the time per iteration
        /// (0.3); about level per second, in cost and in seed spread, from 60,000 to
        /// 480,000 iterations (BENCHMARKS.md).
        #[arg(long, default_value_t = 0.0)]
        regret_share: f64,
        /// Before recombining, grow the route pool by column generation (prices from the
        /// set-partitioning relaxation, new routes by local search) and dive for a plan,
        /// searching at each step of the dive the pupils it has left; then settle the
        /// dive's best plans by cool searches and recombine twice. On the demo at 60,000
        /// iterations: a plan about 2.5% cheaper and a seed spread of 0.26% over six seeds,
        /// 1.1% over nine (2.5% without), for about seven minutes a plan (BENCHMARKS.md).
        /// For scenarios of a few hundred pupils: at 1,000 it ran 15 minutes for no gain.
        /// Ignored with --no-recombine.
        #[arg(long)]
        price: bool,
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
        /// Seeds to run: each headline is given with its median and range over them,
        /// and the outputs are those of the cheapest plan.
        #[arg(long, default_value_t = DEMO_SEEDS)]
        seeds: usize,
        /// Search iterations for each plan with and without a pupil (per round).
        #[arg(long, default_value_t = schoolrun::savings::REPAIR_ITERATIONS)]
        repair_iterations: u64,
        /// Nearest pupils whose vehicles join the region re-planned when a pupil leaves
        /// (0: their own vehicle's day alone). Wider regions find more saving, but per
        /// pupil it then moves between seeds by hundreds of pounds a year.
        #[arg(long, default_value_t = schoolrun::savings::REGION_NEIGHBOURS)]
        region_neighbours: usize,
        /// Also re-solve N sampled pupils thoroughly (long searches with and without
        /// each, from several starts) and report whether they fall within the bounds.
        #[arg(long, default_value_t = 0)]
        check_sample: usize,
        /// Iterations of each thorough re-solve of --check-sample.
        #[arg(long, default_value_t = 20_000)]
        check_iterations: u64,
        /// Output folder of `schoolrun plan` (reads its plan.json): the savings of that
        /// plan, the one the council runs, instead of a new plan for each seed (then
        /// --iterations is not used and the seeds differ only in the savings searches).
        #[arg(long)]
        plan: Option<PathBuf>,
        /// Print one JSON line on stdout instead of the step lines.
        #[arg(long)]
        json: bool,
    },
    /// Budget-setting runs: variants of a scenario (demand, prices, policy, fleet), each
    /// over demand samples, planned, retendered and given PTB/ITT savings in parallel;
    /// writes budget.csv, forecast.csv, budget.json and budget.html. `budget merge`
    /// joins the output folders of shards.
    Budget(BudgetArgs),
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

/// `schoolrun vrp …`.
#[derive(Subcommand)]
pub enum VrpCommand {
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

/// `schoolrun network …`.
#[derive(Subcommand)]
pub enum NetworkCommand {
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

/// `schoolrun budget DIR --variants FILE --out OUT` (or `schoolrun budget merge`).
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BudgetArgs {
    /// `merge`: join shards' output folders.
    #[command(subcommand)]
    pub command: Option<BudgetCommand>,
    /// Scenario folder.
    #[arg(required = true)]
    pub dir: Option<PathBuf>,
    /// Variants file (TOML; see docs/budget.md).
    #[arg(long, required = true)]
    pub variants: Option<PathBuf>,
    /// Output folder (jobs in OUT/jobs; a rerun skips finished jobs).
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Demand samples per variant (each figure's median and P10–P90 come from them).
    #[arg(long, default_value_t = 3)]
    pub samples: usize,
    /// Years of the forecast.
    #[arg(long, default_value_t = 3)]
    pub years: u32,
    /// Run only every N-th job starting at the K-th (K/N, 1-based), for batch
    /// schedulers; join the shards' folders with `schoolrun budget merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Jobs run at once (default: the machine's cores). Each job plans on one thread,
    /// so the figures do not depend on this.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Search iterations of each job's plan.
    #[arg(long, default_value_t = workflow::budget::BUDGET_ITERATIONS)]
    pub iterations: u64,
    /// Search iterations of each plan with and without a pupil.
    #[arg(long, default_value_t = workflow::budget::BUDGET_REPAIR_ITERATIONS)]
    pub repair_iterations: u64,
    /// Nearest pupils whose vehicles join the region re-planned when a pupil leaves
    /// (0: their own vehicle's day alone), as in `schoolrun savings`.
    #[arg(long, default_value_t = schoolrun::savings::REGION_NEIGHBOURS)]
    pub region_neighbours: usize,
    /// Print one JSON line on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `schoolrun budget …` subcommands.
#[derive(Subcommand)]
pub enum BudgetCommand {
    /// Joins the output folders of a sharded budget run into one, and writes the
    /// comparison and the forecast.
    Merge {
        /// Output folder of the merged run.
        #[arg(long)]
        out: PathBuf,
        /// The shards' output folders.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Print one JSON line on stdout instead of the table.
        #[arg(long)]
        json: bool,
    },
}
