//! Arbitrary bytes as a `wmaudit-organization/1` file: Ok or an error, never
//! a panic; an accepted file round-trips and bounds a scan that renders.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::organization(data));
