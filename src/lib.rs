//! schoolrun: planning home-to-school transport for pupils with special educational needs.
//!
//! Data flows one way: an OpenStreetMap extract becomes a [`network`], snapped points give
//! a [`matrix`] of travel times and distances, which the routing engine, contract
//! allocation and savings analysis build on.
#![deny(missing_docs)]

pub mod budget;
pub mod contracts;
pub mod error;
pub mod files;
pub mod instance;
pub mod matrix;
pub mod network;
pub mod plan;
pub mod progress;
pub mod replan;
pub mod report;
pub mod rng;
pub mod routing;
pub mod savings;
pub mod scenario;
pub mod synth;
pub mod units;
pub mod workflow;

pub use error::{Error, ErrorKind, Problem, Result};
