//! wmaudit: a read-only compliance auditor for AWS accounts that run Amazon
//! WorkMail.
//!
//! Data flows one way: [`collect`] (or the offline importers in [`snapshot`])
//! produce an account snapshot; [`eval`] computes effective permissions with
//! the [`policy`] engine over the [`catalog`]; [`rules`] turn them into
//! findings; [`report`] renders findings.

pub mod account;
pub mod atomic_file;
pub mod catalog;
pub mod cli;
pub mod collect;
pub mod config;
pub mod demo;
pub mod eval;
pub mod findings;
pub mod policy;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod snapshot;
