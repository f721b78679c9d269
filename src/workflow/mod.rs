//! The library's entry points, one per user job: build a road network or a matrix,
//! generate a scenario, prepare a scenario (load, check, snap, matrix), plan it, re-plan
//! it from today's routes, retender a plan, estimate its PTB/ITT savings, run the whole
//! chain, and solve a benchmark instance. The command line only parses arguments, calls these
//! and prints what they return; tests call them directly.

pub mod budget;
pub mod chain;
pub mod network;
pub mod plan;
pub mod prepare;
pub mod replan;
pub mod savings;
pub mod tender;
pub mod vrp;

pub use chain::{ChainOptions, Headlines, Spread, Step, WaterStep, Waterfall};
pub use plan::{PlanOptions, check_time_limit};
pub use prepare::{
    DEFAULT_MAX_SNAP_M, Place, PrepareOptions, Prepared, Validation, prepare, road_lines,
    snap_places, validate,
};
pub use replan::{ReplanOptions, Replanning, TradeOff};
pub use savings::{SavingsOptions, SavingsRun};
pub use tender::{TenderOptions, TenderRun};
