//! The reports of one run: one per account scanned, plus, for an
//! organization, the accounts that could not be scanned. Every format renders
//! a set; the gate of a set is its accounts' gates combined.

use crate::findings::{ScanReport, Severity, Verdict};
use crate::org::OrgSnapshot;

#[derive(Debug, Clone, Copy)]
pub struct ReportSet<'a> {
    pub reports: &'a [ScanReport],
    pub organization: Option<&'a OrgSnapshot>,
    /// `--allow-incomplete`: an account not evaluated does not fail the run.
    pub allow_incomplete: bool,
}

/// An account of the organization that has no report, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAccount<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub ou_path: String,
    pub reason: String,
}

/// One line of the overview: an account and its gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRow<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub ou_path: String,
    /// Active findings by severity, most severe first; `None` when the
    /// account was not evaluated.
    pub counts: Option<[usize; 5]>,
    /// `passed`, `failing`, `incomplete` or `not evaluated`.
    pub gate: &'static str,
    pub exit_code: u8,
    pub reason: Option<String>,
}

impl<'a> ReportSet<'a> {
    /// A set of reports without an organization.
    pub fn of(reports: &'a [ScanReport]) -> Self {
        ReportSet {
            reports,
            organization: None,
            allow_incomplete: reports.iter().all(|r| r.gate.allow_incomplete)
                && !reports.is_empty(),
        }
    }

    /// The organization's listed accounts that have no report, in id order.
    pub fn missing(&self) -> Vec<MissingAccount<'a>> {
        let Some(org) = self.organization else {
            return Vec::new();
        };
        let scanned: std::collections::HashSet<&str> = self
            .reports
            .iter()
            .map(|r| r.meta.account_id.as_str())
            .collect();
        let mut out: Vec<MissingAccount<'a>> = org
            .accounts
            .iter()
            .filter(|a| !scanned.contains(a.id.as_str()))
            .map(|a| MissingAccount {
                account_id: &a.id,
                name: &a.name,
                ou_path: org.ou_path(a),
                reason: org
                    .not_collected
                    .iter()
                    .find(|g| g.account_id == a.id)
                    .map_or_else(
                        || "no snapshot of this account was given".to_owned(),
                        |g| g.reason.clone(),
                    ),
            })
            .collect();
        out.sort_by(|a, b| a.account_id.cmp(b.account_id));
        out
    }

    /// The run's verdict: any failing account fails it, then any incomplete
    /// or missing account makes it incomplete (unless allowed).
    pub fn verdict(&self) -> Verdict {
        let missing = if self.missing().is_empty() || self.allow_incomplete {
            Verdict::Passed
        } else {
            Verdict::Incomplete
        };
        Verdict::combine(
            self.reports
                .iter()
                .map(|r| r.gate.verdict)
                .chain(std::iter::once(missing)),
        )
    }

    /// Whether to show the overview: an organization, or several accounts.
    pub fn has_overview(&self) -> bool {
        self.organization.is_some() || self.reports.len() > 1
    }

    /// Every account, scanned or not, by account id.
    pub fn overview(&self) -> Vec<OverviewRow<'a>> {
        let mut rows: Vec<OverviewRow<'a>> = self
            .reports
            .iter()
            .map(|r| {
                let by = r.count_by_severity();
                let n = |s: Severity| by.get(&s).copied().unwrap_or(0);
                let (name, ou_path) = match &r.organization {
                    Some(o) => (o.name.as_str(), o.ou_path.clone()),
                    None => (
                        r.meta.account_aliases.first().map_or("", String::as_str),
                        String::new(),
                    ),
                };
                OverviewRow {
                    account_id: &r.meta.account_id,
                    name,
                    ou_path,
                    counts: Some([
                        n(Severity::Critical),
                        n(Severity::High),
                        n(Severity::Medium),
                        n(Severity::Low),
                        n(Severity::Info),
                    ]),
                    gate: match r.gate.verdict {
                        Verdict::Passed => "passed",
                        Verdict::Failing => "failing",
                        Verdict::Incomplete => "incomplete",
                    },
                    exit_code: r.gate.verdict.exit_code(),
                    reason: None,
                }
            })
            .chain(self.missing().into_iter().map(|m| OverviewRow {
                account_id: m.account_id,
                name: m.name,
                ou_path: m.ou_path,
                counts: None,
                gate: "not evaluated",
                exit_code: if self.allow_incomplete { 0 } else { 3 },
                reason: Some(m.reason),
            }))
            .collect();
        rows.sort_by(|a, b| a.account_id.cmp(b.account_id));
        rows
    }
}
