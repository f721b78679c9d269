//! Integration tests, one module per topic.

mod common;
mod network;
mod routing;
mod scenario;
