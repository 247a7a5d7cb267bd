//! Arbitrary text through the policy parser and, when it parses, the compiler.
//! Any panic, overflow or hang here is a bug: documents come from accounts
//! under audit, which wmaudit must not trust.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::policy_document(data));
