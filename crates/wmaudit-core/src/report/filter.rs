//! Display filters for the human formats (`--min-severity`, `--rule`,
//! `--principal`): they narrow what a person reads, never what the gate
//! counts, and the filtered report says so.

use crate::findings::{ReportedFinding, ScanReport, Severity};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayFilter {
    pub min_severity: Option<Severity>,
    /// Rule ids; empty: every rule.
    pub rules: Vec<String>,
    /// Names, `kind/name` labels or ARNs, compared without case; empty:
    /// every resource.
    pub principals: Vec<String>,
}

impl DisplayFilter {
    pub fn is_empty(&self) -> bool {
        self.min_severity.is_none() && self.rules.is_empty() && self.principals.is_empty()
    }

    fn keeps(&self, f: &ReportedFinding) -> bool {
        let f = &f.finding;
        let label = super::resource_label(&f.resource);
        self.min_severity.is_none_or(|m| f.severity >= m)
            && (self.rules.is_empty() || self.rules.contains(&f.rule_id))
            && (self.principals.is_empty()
                || self.principals.iter().any(|p| {
                    p.eq_ignore_ascii_case(&f.resource.name)
                        || p.eq_ignore_ascii_case(&label)
                        || *p == f.resource.arn
                }))
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = self.min_severity {
            parts.push(format!("severity {m} and above"));
        }
        if !self.rules.is_empty() {
            parts.push(format!("rule {}", self.rules.join(" or ")));
        }
        if !self.principals.is_empty() {
            parts.push(format!("on {}", self.principals.join(" or ")));
        }
        parts.join(", ")
    }
}

/// The report as the filter shows it: findings narrowed, the gate as it
/// was, and a note saying both.
pub fn apply(report: &ScanReport, filter: &DisplayFilter) -> ScanReport {
    if filter.is_empty() {
        return report.clone();
    }
    let before = super::active_findings(report).count();
    let mut out = report.clone();
    out.findings.retain(|f| filter.keeps(f));
    let after = super::active_findings(&out).count();
    out.display_filter = Some(format!(
        "Display filter ({}): {after} of {before} active findings shown; the gate counts all {before}.",
        filter.describe()
    ));
    out
}
