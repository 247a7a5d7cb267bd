//! Arbitrary bytes as `aws iam get-account-authorization-details` output:
//! the importer must return Ok or an error naming the file and a place,
//! never panic; what it accepts must scan, render and round-trip through a
//! snapshot file.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::auth_details(data));
