//! Everything a renderer needs about one scan. Renderers are pure functions
//! of a [`ScanReport`]; this is an internal type, not a wire format (the JSON
//! report has its own frozen `v1` structs in `report::json`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Finding, NotEvaluated, Severity};
use crate::eval::PrincipalKind;
use crate::snapshot::{Gap, SourceKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

/// A rule's documentation and effective severity (after config overrides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    pub example: Option<String>,
    pub references: Vec<Reference>,
    pub tags: Vec<String>,
}

impl RuleMeta {
    /// The rule's documentation as Markdown: why, how to fix, example, references.
    pub fn help_markdown(&self) -> String {
        let mut s = format!(
            "# {}: {}\n\nSeverity: **{}**\n\n## Why it matters\n\n{}\n\n## How to fix\n\n{}\n",
            self.id,
            self.title,
            self.severity,
            self.rationale.trim(),
            self.remediation.trim()
        );
        if let Some(ex) = &self.example {
            s.push_str(&format!("\n## Example\n\n{}\n", ex.trim()));
        }
        if !self.references.is_empty() {
            s.push_str("\n## References\n\n");
            for r in &self.references {
                s.push_str(&format!("- [{}]({})\n", r.title, r.url));
            }
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanMeta {
    pub tool_version: String,
    pub source: SourceKind,
    pub account_id: String,
    pub account_aliases: Vec<String>,
    pub caller_arn: Option<String>,
    pub collected_at: Option<String>,
    /// The time rules measured ages against (credential report generation,
    /// else collection time); fixed by the input so reports are reproducible.
    pub evaluated_at: Option<String>,
    pub api_calls: BTreeMap<String, u64>,
    pub catalog_version: String,
}

/// What this scan could not see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub not_collected: Vec<Gap>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Principals whose permissions could only be evaluated in part: ARN -> problems.
    pub incomplete_principals: BTreeMap<String, Vec<String>>,
    /// AWS managed policies evaluated from wmaudit's embedded copy.
    pub builtin_policies_used: Vec<String>,
}

impl Coverage {
    /// Complete when every rule ran and every principal was fully evaluated.
    /// Parts no rule needs may be missing (they are listed, not gated on).
    pub fn is_complete(&self) -> bool {
        self.not_evaluated.is_empty() && self.incomplete_principals.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub reason: String,
    pub expires: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportedFinding {
    pub finding: Finding,
    /// Set when a config suppression matched (suppressed findings never gate).
    pub suppressed: Option<Suppressed>,
    /// Present in the `--baseline` report (baseline findings never gate).
    pub in_baseline: bool,
}

impl ReportedFinding {
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none() && !self.in_baseline
    }
}

/// One principal's WorkMail access at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalSummary {
    pub arn: String,
    pub kind: PrincipalKind,
    pub name: String,
    pub complete: bool,
    /// Counts over the `workmail` and `workmailmessageflow` actions.
    pub allowed: usize,
    pub limited: usize,
    pub denied: usize,
    /// Holds every WorkMail action of AmazonWorkMailFullAccess.
    pub workmail_admin: bool,
    pub designated_admin: bool,
    /// Sensitive WorkMail actions it can perform (allowed or limited).
    pub sensitive_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    ExpiredSuppression,
    UnusedSuppression,
    /// A workmail.administrators entry that matches no principal.
    UnusedAdministrator,
}

impl NoticeKind {
    /// For people: "unused suppression".
    pub fn label(&self) -> &'static str {
        match self {
            NoticeKind::ExpiredSuppression => "expired suppression",
            NoticeKind::UnusedSuppression => "unused suppression",
            NoticeKind::UnusedAdministrator => "unused administrator entry",
        }
    }
}

/// A problem with the configuration itself, reported so it gets fixed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConfigNotice {
    pub kind: NoticeKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// None means `--fail-on none`.
    pub fail_on: Option<Severity>,
    /// Active findings at or above the threshold.
    pub failing: usize,
    pub incomplete: bool,
    pub allow_incomplete: bool,
    pub verdict: Verdict,
}

/// The gate's decision. [`Verdict::exit_code`] is the one mapping to the
/// process status: the command line exits with it, and the JSON report and
/// the gate line record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Verdict {
    /// No active finding at or above the threshold, and everything evaluated
    /// (or `--allow-incomplete`).
    Passed,
    /// Something could not be evaluated.
    Incomplete,
    /// Active findings at or above the threshold. Ordered last: findings beat
    /// incompleteness when verdicts are combined.
    Failing,
}

impl Verdict {
    /// The exit code README documents for this verdict, which reports record.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failing => 1,
            Verdict::Incomplete => 3,
        }
    }

    /// Several accounts' verdicts as one: a failure first, then incompleteness.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts.into_iter().max().unwrap_or(Verdict::Passed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    pub meta: ScanMeta,
    pub rules: Vec<RuleMeta>,
    /// Sorted by [`Finding::sort_key`].
    pub findings: Vec<ReportedFinding>,
    pub coverage: Coverage,
    pub principals: Vec<PrincipalSummary>,
    pub notices: Vec<ConfigNotice>,
    pub gate: Gate,
}

impl ScanReport {
    /// Findings that count (not suppressed, not in the baseline).
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.is_active())
            .map(|f| &f.finding)
    }

    pub fn count_by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in self.active() {
            *m.entry(f.severity).or_insert(0) += 1;
        }
        m
    }
}
