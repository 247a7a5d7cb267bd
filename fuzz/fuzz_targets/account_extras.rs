//! Arbitrary bytes as the virtual MFA device list, the password policy and
//! the account aliases files: a value or an error naming the file and a
//! place, never a panic; what is accepted must scan, render and round-trip.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::account_extras(data));
