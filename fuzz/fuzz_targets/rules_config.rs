//! Arbitrary text as a rule file and as `wmaudit.toml`: Ok or an error with a
//! line, never a panic; an accepted config must apply to the shipped rules
//! (or refuse with an error) and an accepted rule must join the rule set.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::rules_config(data));
