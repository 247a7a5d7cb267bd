//! Arbitrary bytes as a credential report (the CLI's JSON or the decoded
//! CSV): Ok or an error, never a panic; an accepted report must scan, render
//! and round-trip through a snapshot file.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::credential_report(data));
