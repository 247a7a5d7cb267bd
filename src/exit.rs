//! The exit codes of the `wmaudit` command (README's table). A scan's status
//! is its run's verdict (`ReportSet::verdict`: the accounts' gates combined,
//! an organization's account not evaluated counting as incomplete; the same
//! code the JSON report records); the other commands exit with these.

pub const PASSED: u8 = 0;
/// Usage or input errors, like clap's own.
pub const ERROR: u8 = 2;
