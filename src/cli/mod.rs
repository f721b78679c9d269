//! The binary's parts: arguments and printing.

pub mod args;
pub mod print;
