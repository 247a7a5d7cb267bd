//! The exit codes of the `wmaudit` command (README's table). The library
//! decides a [`Verdict`]; only the command line turns it into a process status.

use wmaudit_core::findings::Verdict;

pub const PASSED: u8 = 0;
pub const FINDINGS: u8 = 1;
/// Usage or input errors, like clap's own.
pub const ERROR: u8 = 2;
pub const INCOMPLETE: u8 = 3;

/// The status of a scan of one or more accounts: findings beat incompleteness.
pub fn of_verdicts(verdicts: impl IntoIterator<Item = Verdict>) -> u8 {
    match Verdict::combine(verdicts) {
        Verdict::Passed => PASSED,
        Verdict::Failing => FINDINGS,
        Verdict::Incomplete => INCOMPLETE,
    }
}
