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
    /// A clean-up rule (tag `clean-up`): its findings are what to remove when
    /// a service ends, counted by the end-of-support block and listed in the
    /// decommission checklist.
    pub fn is_clean_up(&self) -> bool {
        self.tags.iter().any(|t| t == "clean-up")
    }

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
    /// Rules that need opt-in data that was not asked for: listed, but they
    /// do not make coverage incomplete.
    pub not_requested: Vec<NotEvaluated>,
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
    /// (rule id, how many of that rule's sensitive actions it holds), for
    /// the rules that define some and where it holds any: what it can do to
    /// mail, whether or not a finding says so (designated administrators).
    pub capabilities: Vec<(String, usize)>,
    /// Goals it does not hold but reaches in steps (`mail_content`,
    /// `admin_equivalent`), each with its shortest path.
    pub reach: Vec<(&'static str, Vec<crate::reach::Step>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    ExpiredSuppression,
    UnusedSuppression,
    /// A workmail.administrators entry that matches no principal.
    UnusedAdministrator,
    /// A suppression in use that expires within 14 days.
    ExpiringSuppression,
}

impl NoticeKind {
    /// For people: "unused suppression".
    pub fn label(&self) -> &'static str {
        match self {
            NoticeKind::ExpiredSuppression => "expired suppression",
            NoticeKind::UnusedSuppression => "unused suppression",
            NoticeKind::UnusedAdministrator => "unused administrator entry",
            NoticeKind::ExpiringSuppression => "suppression expiring soon",
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

/// The configuration a scan ran with, so a report says what was changed:
/// a disabled rule is listed here, not silently missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigSummary {
    /// The config file used, if any.
    pub file: Option<String>,
    /// It was picked up from the current directory (no `--config`).
    pub discovered: bool,
    pub disabled_rules: Vec<String>,
    /// (rule, rule file's severity, the config's).
    pub severity_overrides: Vec<(String, Severity, Severity)>,
    /// (rule, parameter names set by the config).
    pub params_changed: Vec<(String, Vec<String>)>,
    pub suppressions: usize,
    /// `workmail.administrators` patterns; empty means the default designation.
    pub administrator_patterns: Vec<String>,
    /// ARNs of the designated WorkMail administrators, sorted.
    pub designated_administrators: Vec<String>,
}

impl ConfigSummary {
    /// How the administrators were chosen, in words.
    pub fn designation_basis(&self) -> &'static str {
        if self.administrator_patterns.is_empty() {
            "default: members of groups that hold AmazonWorkMailFullAccess"
        } else {
            "configured: workmail.administrators"
        }
    }

    /// One paragraph for the human formats.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        parts.push(match &self.file {
            Some(f) if self.discovered => format!("{f} (found in the current directory)"),
            Some(f) => f.clone(),
            None => "no config file (defaults)".to_owned(),
        });
        if !self.disabled_rules.is_empty() {
            parts.push(format!("disabled: {}", self.disabled_rules.join(", ")));
        }
        if !self.severity_overrides.is_empty() {
            let s: Vec<String> = self
                .severity_overrides
                .iter()
                .map(|(r, from, to)| format!("{r} {from} -> {to}"))
                .collect();
            parts.push(format!("severity: {}", s.join(", ")));
        }
        if !self.params_changed.is_empty() {
            let s: Vec<String> = self
                .params_changed
                .iter()
                .map(|(r, keys)| format!("{r} ({})", keys.join(", ")))
                .collect();
            parts.push(format!("parameters: {}", s.join(", ")));
        }
        if self.suppressions > 0 {
            parts.push(format!(
                "{} suppression{}",
                self.suppressions,
                if self.suppressions == 1 { "" } else { "s" }
            ));
        }
        let names: Vec<&str> = self
            .designated_administrators
            .iter()
            .map(|a| a.rsplit(['/', ':']).next().unwrap_or(a))
            .collect();
        let shown = 10;
        let mut admins = names
            .iter()
            .take(shown)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > shown {
            admins.push_str(&format!(" and {} more", names.len() - shown));
        }
        if names.is_empty() {
            admins = "none".to_owned();
        }
        parts.push(format!(
            "WorkMail administrators ({}): {admins}",
            self.designation_basis()
        ));
        parts.join("; ")
    }
}

/// Where the evaluation date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// `--as-of`.
    AsOf,
    /// The input's own time (credential report generation, collection).
    Input,
    /// Neither: the machine's clock, so the report changes from day to day.
    Clock,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::AsOf => "as_of",
            DateSource::Input => "input",
            DateSource::Clock => "clock",
        }
    }

    /// How a human report says it.
    pub fn describe(self) -> &'static str {
        match self {
            DateSource::AsOf => "set with --as-of",
            DateSource::Input => "the input's date",
            DateSource::Clock => "today: the input carries no date; pass --as-of for a fixed one",
        }
    }
}

/// WorkMail's end of support as of the evaluation date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndOfSupport {
    pub service: String,
    /// The last day (`YYYY-MM-DD`).
    #[serde(serialize_with = "day")]
    pub ends_on: time::Date,
    #[serde(serialize_with = "day")]
    pub evaluated_on: time::Date,
    pub date_from: DateSource,
    /// Days from the evaluation date to the end; 0 or less once it is over.
    pub days_left: i64,
    /// Active findings of clean-up rules (tag `clean-up`): the decommission
    /// plan before the date, the clean-up list after it.
    pub leftover_items: usize,
    /// Mailboxes exported or not, from WorkMail's export jobs; `None`
    /// without WorkMail data.
    pub export: Option<crate::workmail::ExportCoverage>,
}

fn day<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl EndOfSupport {
    /// "3 of 22 mailboxes exported, 1 failed, 18 never (known since ...);
    /// contacts and tasks are not exported", or why it is unknown.
    pub fn export_text(&self) -> String {
        let Some(c) = &self.export else {
            return "unknown (WorkMail's own data is not collected)".to_owned();
        };
        if c.mailboxes == 0 && c.unknown_organizations == 0 {
            return "no mailboxes".to_owned();
        }
        let mut s = format!("{} of {} mailboxes exported", c.exported, c.mailboxes);
        if c.failed > 0 {
            s.push_str(&format!(", {} failed", c.failed));
        }
        if c.running > 0 {
            s.push_str(&format!(", {} running", c.running));
        }
        s.push_str(&format!(", {} never", c.never));
        if let Some(since) = &c.since {
            s.push_str(&format!(
                " (export jobs known since {})",
                &since[..since.len().min(10)]
            ));
        }
        if c.unknown_organizations > 0 {
            s.push_str(&format!(
                "; the export jobs of {} organization(s) could not be read",
                c.unknown_organizations
            ));
        }
        s.push_str("; contacts and tasks are not exported");
        s
    }

    pub fn ended(&self) -> bool {
        self.days_left <= 0
    }

    /// One sentence for the human formats.
    pub fn summary(&self) -> String {
        let plural = |n: i64, one: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {one}s")
            }
        };
        let items = plural(
            i64::try_from(self.leftover_items).unwrap_or(i64::MAX),
            "item",
        );
        if self.ended() {
            format!(
                "{} ended on {} ({} before {}, {}). Clean-up: {items} to remove.",
                self.service,
                self.ends_on,
                plural(-self.days_left, "day"),
                self.evaluated_on,
                self.date_from.describe()
            )
        } else {
            format!(
                "{} ends on {}: {} after {} ({}). Export every mailbox before then; \
                 decommission plan: {items} to remove after it. Export coverage: {}.",
                self.service,
                self.ends_on,
                plural(self.days_left, "day"),
                self.evaluated_on,
                self.date_from.describe(),
                self.export_text()
            )
        }
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
    pub end_of_support: EndOfSupport,
    /// WorkMail's own grants, per mailbox; `None` when not collected.
    pub workmail: Option<crate::workmail::answer::WorkMailAnswer>,
    pub config: ConfigSummary,
    /// Against `--baseline`, when one was given.
    pub baseline: Option<BaselineDelta>,
    /// Set on a copy narrowed for display (`report::filter`): what it shows.
    pub display_filter: Option<String>,
    /// The account's place in its AWS Organization, when scanned with one.
    pub organization: Option<AccountInOrg>,
}

/// Where an account sits in its organization and what bounds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountInOrg {
    pub organization_id: String,
    pub name: String,
    /// `Root/Mail/Prod`.
    pub ou_path: String,
    /// The management account: SCPs and RCPs do not apply to it.
    pub management: bool,
    /// `p-xxxx (Name) at OU Mail (ou-...)`, root first; empty when SCPs are
    /// not enabled.
    pub scps: Vec<String>,
    pub rcps: Vec<String>,
    /// Principals with some action taken away or limited by them.
    pub bounded_principals: usize,
}

/// This scan against a baseline report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaselineDelta {
    /// Active findings the baseline does not have.
    pub new: usize,
    /// Findings the baseline has (not counted by the gate).
    pub unchanged: usize,
    /// Baseline findings of this account that this scan no longer finds.
    pub fixed: Vec<FixedFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixedFinding {
    pub fingerprint: String,
    pub rule_id: String,
    /// `kind/name`, as reports print it.
    pub resource: String,
    pub message: String,
}

impl BaselineDelta {
    pub fn summary(&self) -> String {
        format!(
            "{} new, {} unchanged, {} fixed since the baseline",
            self.new,
            self.unchanged,
            self.fixed.len()
        )
    }
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
