//! Arbitrary bytes as a `wmaudit-snapshot/1` file: Ok or an error, never a
//! panic; an accepted snapshot must scan, render, and read back unchanged
//! after being written.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::snapshot(data));
