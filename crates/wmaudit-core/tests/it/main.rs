//! wmaudit-core's integration tests: one binary, one module per subject.
//! Fixtures, rule files, docs and sample reports live at the repository's
//! top level, shared with the binary's tests.

/// The repository's top level (this crate is `crates/wmaudit-core`).
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[path = "../../examples/synth/mod.rs"]
mod synth;

#[path = "../../../../fuzz/fuzz_targets/common.rs"]
mod fuzz_common;

mod auth_details_paths;
mod crosscheck;
mod fuzz_regressions;
mod generated;
mod import;
mod module_graph;
mod organization;
mod report_formats;
mod rules;
