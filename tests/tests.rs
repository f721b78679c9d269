//! Integration tests, one module per topic.

mod budget;
mod common;
mod contracts;
mod day;
mod defects;
mod golden;
mod network;
mod replan;
mod routing;
mod savings;
mod scenario;
