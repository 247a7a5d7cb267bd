//! wmaudit's core: everything between an account snapshot and a report,
//! with no AWS SDK, no async runtime and no command line.
//!
//! Data flows one way: the live collector (crate `wmaudit-aws`) or the
//! offline importers in [`snapshot`] produce an account snapshot; [`eval`]
//! computes effective permissions with the [`policy`] engine over the
//! [`catalog`]; [`rules`] turn them into findings; [`report`] renders them.

pub mod account;
pub mod atomic_file;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod diag;
pub mod display;
pub mod eval;
pub mod findings;
pub mod org;
pub mod policy;
pub mod reach;
pub mod read_file;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod snapshot;
pub mod strict_json;
pub mod workmail;
