//! Arbitrary bytes as `aws iam get-account-authorization-details` output:
//! the importer must return Ok or an error, never panic; its typed fast path
//! and its pointer-tracking walker must agree; what it accepts must scan,
//! render and round-trip through a snapshot file.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = wmaudit::snapshot::auth_details_readers_agree(data) {
        panic!("{e}");
    }
    let Ok(account) = wmaudit::snapshot::parse_auth_details(data, "fuzz.json") else {
        return;
    };
    let snapshot = common::snapshot_with(Some(account), None);
    common::round_trip(&snapshot);
    common::scan_and_render(&snapshot);
});
