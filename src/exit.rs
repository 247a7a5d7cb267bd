//! The exit codes of the `wmaudit` command (README's table). A scan's status
//! is its gate's [`Verdict`] ([`Verdict::exit_code`], the same code the JSON
//! report records); the other commands exit with these.

use wmaudit_core::findings::Verdict;

pub const PASSED: u8 = 0;
/// Usage or input errors, like clap's own.
pub const ERROR: u8 = 2;

/// The status of a scan of one or more accounts: findings beat incompleteness.
pub fn of_verdicts(verdicts: impl IntoIterator<Item = Verdict>) -> u8 {
    Verdict::combine(verdicts).exit_code()
}
