//! Arbitrary bytes as a credential report (the CLI's JSON or the decoded
//! CSV): Ok or an error, never a panic; an accepted report must scan, render
//! and round-trip through a snapshot file.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = wmaudit::snapshot::parse_credential_report(data, "fuzz.csv") else {
        return;
    };
    let snapshot = common::snapshot_with(None, Some(report));
    common::round_trip(&snapshot);
    common::scan_and_render(&snapshot);
});
