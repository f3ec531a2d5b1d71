//! druk's integration tests: one binary, so the crate links once.
//!
//! Golden files are rewritten with `BLESS=1 cargo test`; review the diff before committing.

mod bibliography;
mod cli;
mod common;
mod epubcheck;
mod errors;
mod fidelity;
mod fixtures;
mod floats;
mod fuzzed;
mod generated;
mod hostile;
mod html;
mod images;
mod layout;
mod outputs;
mod print;
mod printready;
mod robust;
mod serve;
mod spec;
mod styles;
mod tables;
