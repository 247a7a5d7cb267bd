//! Renderers: pure functions from a [`crate::findings::ScanReport`] to text.
//!
//! No renderer does I/O or reads the clock: the same report always renders to
//! the same bytes, so reports can be diffed, cached and snapshot-tested.
//! `docs/report-format.md` describes every format.

pub mod filter;
pub mod html;
pub mod json;
mod json_text;
pub mod markdown;
pub mod overview;
pub mod sarif;
mod sarif_model;
pub mod set;
pub mod table;
pub mod v1;
pub mod v2;

pub use set::ReportSet;

use std::fmt;
use std::str::FromStr;

use crate::findings::{
    Gate, ReportedFinding, Resource, ResourceKind, RuleMeta, ScanReport, Verdict,
};

/// An output format of `wmaudit scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Human-readable tables for a terminal.
    Table,
    /// The frozen `wmaudit-report/1` JSON document.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub-flavoured Markdown for job summaries and PR comments.
    Markdown,
    /// One self-contained HTML page for people.
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Markdown,
        Format::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format {0:?} (expected one of: table, json, sarif, markdown, html)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            // `md` is the file extension people type.
            "markdown" | "md" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// Presentation choices. Colour and width are the table's alone, so that the
/// machine formats do not depend on the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Severity colours (ANSI). The caller decides (tty, `NO_COLOR`, flag).
    pub color: bool,
    /// Terminal width in columns; `None` means [`table::DEFAULT_WIDTH`].
    pub width: Option<u16>,
    /// Most results in one SARIF run (0: no limit); see [`sarif::render_many`].
    pub sarif_max_results: usize,
}

impl RenderOptions {
    /// No colour, default width, GitHub's SARIF limit.
    pub const PLAIN: RenderOptions = RenderOptions {
        color: false,
        width: None,
        sarif_max_results: sarif::GITHUB_MAX_RESULTS,
    };
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self::PLAIN
    }
}

/// Renders `report` in `format`. Every format ends with a newline.
pub fn render(format: Format, report: &ScanReport, opts: &RenderOptions) -> String {
    render_all(format, std::slice::from_ref(report), opts)
}

/// Writes what [`render_set`] returns, streaming the machine formats.
pub fn write_all<W: std::io::Write>(
    format: Format,
    reports: &[ScanReport],
    opts: &RenderOptions,
    out: W,
) -> std::io::Result<()> {
    write_set(format, &ReportSet::of(reports), opts, out)
}

pub fn write_set<W: std::io::Write>(
    format: Format,
    set: &ReportSet<'_>,
    opts: &RenderOptions,
    mut out: W,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_set(set, out),
        Format::Sarif => sarif::write_many(set.reports, opts.sarif_max_results, out),
        Format::Table | Format::Markdown | Format::Html => {
            out.write_all(render_set(format, set, opts).as_bytes())
        }
    }
}

/// [`render_set`] of reports without an organization.
pub fn render_all(format: Format, reports: &[ScanReport], opts: &RenderOptions) -> String {
    render_set(format, &ReportSet::of(reports), opts)
}

/// Renders the reports of a run (one per account) as one document:
/// - table and Markdown: an overview of the accounts when there are several
///   or an organization, then each account's report in turn;
/// - SARIF: one log with one run per account;
/// - JSON: the `wmaudit-report/2` document, its `accounts` always an array.
pub fn render_set(format: Format, set: &ReportSet<'_>, opts: &RenderOptions) -> String {
    let reports = set.reports;
    match format {
        Format::Json => json::render_set(set),
        Format::Sarif => sarif::render_many(reports, opts.sarif_max_results),
        Format::Html => html::render_set(set),
        Format::Table | Format::Markdown if reports.is_empty() && !set.has_overview() => {
            "No accounts were scanned.\n".to_owned()
        }
        Format::Table => {
            let head = if set.has_overview() {
                overview::table(set)
            } else {
                String::new()
            };
            head + &join(reports.iter().map(|r| table::render(r, opts)), "\n")
        }
        Format::Markdown => match (reports, set.has_overview()) {
            ([one], false) => markdown::render(one),
            _ => markdown::cap(
                overview::markdown(set)
                    + &join(reports.iter().map(markdown::render_uncapped), "\n---\n\n"),
            ),
        },
    }
}

fn join(parts: impl Iterator<Item = String>, sep: &str) -> String {
    parts.collect::<Vec<_>>().join(sep)
}

// ---------------------------------------------------------------------------
// Helpers shared by the human-readable formats, so that table and Markdown
// say the same thing in the same words.

/// `user/alice`, `role/Admin`, `root`, `account`: short enough for a column.
pub(crate) fn resource_label(r: &Resource) -> String {
    match r.kind {
        ResourceKind::Account => "account".to_owned(),
        ResourceKind::RootUser => "root".to_owned(),
        kind => format!("{}/{}", kind.as_str(), r.name),
    }
}

/// The account's place in its organization, in one line: name, OU, and
/// the control policies over it.
pub(crate) fn organization_line(report: &ScanReport) -> Option<String> {
    let o = report.organization.as_ref()?;
    let bound = if o.management {
        "the management account: SCPs and RCPs do not apply".to_owned()
    } else if o.scps.is_empty() {
        "SCPs not enabled".to_owned()
    } else {
        format!(
            "SCPs {}; they limit {} principal(s)",
            o.scps.join(", "),
            o.bounded_principals
        )
    };
    Some(format!(
        "{} ({}) in {} at {}; {bound}",
        o.name, report.meta.account_id, o.organization_id, o.ou_path
    ))
}

/// What the report knows of WorkMail's own grants, in one line: the
/// organizations and who can read their mailboxes, "no WorkMail
/// organization in ...", or why it is not known.
pub(crate) fn workmail_line(report: &ScanReport) -> String {
    match &report.workmail {
        Some(w) => format!(
            "{} (`wmaudit explain --mailbox ADDRESS` for one mailbox)",
            w.summary()
        ),
        None => {
            let gap = report
                .coverage
                .not_collected
                .iter()
                .find(|g| g.part == crate::snapshot::Part::WorkMail);
            match gap {
                Some(g) => format!("not read: {}", g.reason),
                None => "not collected (WorkMail's own grants are read live by `wmaudit collect` \
                         or `scan`, not from AWS CLI files)"
                    .to_owned(),
            }
        }
    }
}

/// The rule's metadata, if the report carries it.
pub(crate) fn rule_meta<'a>(report: &'a ScanReport, id: &str) -> Option<&'a RuleMeta> {
    report.rules.iter().find(|r| r.id == id)
}

/// Findings that are neither suppressed nor in the baseline.
pub(crate) fn active_findings(report: &ScanReport) -> impl Iterator<Item = &ReportedFinding> {
    report.findings.iter().filter(|f| f.is_active())
}

/// Suppressed and baseline findings, each counted once: a finding that is
/// both counts as suppressed (the explicit decision wins).
pub(crate) fn hidden_counts(report: &ScanReport) -> (usize, usize) {
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let baseline = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.in_baseline)
        .count();
    (suppressed, baseline)
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The gate's outcome in words. The verdict is the source of truth for
/// passed/failed; the rest explains why.
pub(crate) struct GateText {
    pub passed: bool,
    pub text: String,
}

pub(crate) fn gate_verdict(gate: &Gate) -> GateText {
    let passed = gate.verdict == Verdict::Passed;
    // What decided the verdict first, then what did not count: "FAILED
    // (exit code 3): not gating" read as a contradiction.
    let mut reasons = Vec::new();
    let findings = gate.fail_on.map(|sev| {
        format!(
            "{} at or above {sev}",
            plural(gate.failing, "active finding", "active findings")
        )
    });
    let incomplete = gate.incomplete.then(|| {
        if gate.allow_incomplete {
            "coverage is incomplete (allowed)".to_owned()
        } else {
            "coverage is incomplete".to_owned()
        }
    });
    let incomplete_decides = gate.verdict == Verdict::Incomplete;
    if incomplete_decides {
        reasons.extend(incomplete.clone());
    }
    match findings {
        Some(f) => reasons.push(f),
        None => reasons.push("findings do not gate (--fail-on none)".to_owned()),
    }
    if !incomplete_decides {
        reasons.extend(incomplete);
    }
    let head = if passed {
        "passed".to_owned()
    } else {
        format!("FAILED (exit code {})", gate.verdict.exit_code())
    };
    GateText {
        passed,
        text: format!("{head}: {}", reasons.join("; ")),
    }
}

/// What no scan of wmaudit looks at, said in every human report so that a
/// pass is read for what it is.
pub const SCOPE_LIMITS: &str = "identity policies and permission boundaries, and AWS \
    Organizations SCPs and RCPs only when the organization is read (--organization or its \
    organization.json): resource-based policies and session policies are not read, and \
    condition values other than MFA and workmail:ImpersonationRoleId are not evaluated (a conditional grant is reported as limited)";

/// The gate's verdict in one line, as the table and Markdown print it (the
/// CLI prints it on stderr when the report goes to a file).
pub fn gate_line(report: &ScanReport) -> String {
    gate_verdict(&report.gate).text
}

/// Where a finding comes from, in one line for the human formats: the
/// statements its evidence names (policy, how it is attached, Sid or index),
/// at most three, then a count. `None` when the evidence names no policy
/// (a credential report cell, a trust policy detail stands in the message).
pub(crate) fn via_line(f: &crate::findings::Finding) -> Option<String> {
    const SHOWN: usize = 3;
    let parts: Vec<String> = f
        .evidence
        .iter()
        .filter_map(|e| {
            let policy = e.policy.as_deref()?;
            // An ARN is long; its name says which policy.
            let name = if policy.starts_with("arn:") {
                policy.rsplit('/').next().unwrap_or(policy)
            } else {
                policy
            };
            let mut s = name.to_owned();
            if let Some(a) = &e.attached {
                s.push_str(&format!(" ({a})"));
            }
            match (&e.sid, e.statement) {
                (Some(sid), _) => s.push_str(&format!(", statement {sid:?}")),
                (None, Some(i)) => s.push_str(&format!(", statement {i}")),
                (None, None) => {}
            }
            Some(s)
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let more = parts.len().saturating_sub(SHOWN);
    let mut line = parts.into_iter().take(SHOWN).collect::<Vec<_>>().join("; ");
    if more > 0 {
        line.push_str(&format!("; and {more} more"));
    }
    Some(format!("via {line}"))
}

/// Findings that share a rule and a *via* line (the same statements): one
/// cause, however many principals it reaches.
pub(crate) struct Cause<'a> {
    pub severity: crate::findings::Severity,
    pub rule: &'a str,
    /// Empty when the evidence names no statement.
    pub via: String,
    /// Resource labels, in report order.
    pub on: Vec<String>,
}

/// The active findings grouped by cause: most severe first, then the causes
/// that reach the most resources.
pub(crate) fn causes(report: &ScanReport) -> Vec<Cause<'_>> {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<(crate::findings::Severity, &str, String), Vec<String>> =
        BTreeMap::new();
    for rf in active_findings(report) {
        let f = &rf.finding;
        groups
            .entry((
                f.severity,
                f.rule_id.as_str(),
                via_line(f).unwrap_or_default(),
            ))
            .or_default()
            .push(resource_label(&f.resource));
    }
    let mut list: Vec<Cause<'_>> = groups
        .into_iter()
        .map(|((severity, rule, via), on)| Cause {
            severity,
            rule,
            via,
            on,
        })
        .collect();
    list.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.severity),
            std::cmp::Reverse(a.on.len()),
            a.rule,
            &a.via,
        )
            .cmp(&(
                std::cmp::Reverse(b.severity),
                std::cmp::Reverse(b.on.len()),
                b.rule,
                &b.via,
            ))
    });
    list
}

/// Who can get to the mail: every principal with WorkMail actions or a
/// designation, and the capability columns (rules with sensitive actions
/// that some principal holds), with each principal's active finding count.
pub(crate) struct MailAccess<'a> {
    pub columns: Vec<&'a str>,
    pub rows: Vec<(&'a crate::findings::PrincipalSummary, usize)>,
}

pub(crate) fn mail_access(report: &ScanReport) -> MailAccess<'_> {
    use std::collections::HashMap;
    let mut columns: Vec<&str> = Vec::new();
    for rule in &report.rules {
        let held = report
            .principals
            .iter()
            .any(|p| p.capabilities.iter().any(|(id, _)| *id == rule.id));
        if held && !columns.contains(&rule.id.as_str()) {
            columns.push(&rule.id);
        }
    }
    let mut per_arn: HashMap<&str, usize> = HashMap::new();
    for rf in active_findings(report) {
        *per_arn.entry(rf.finding.resource.arn.as_str()).or_default() += 1;
    }
    let rows = report
        .principals
        .iter()
        .filter(|p| p.allowed + p.limited > 0 || p.designated_admin || !p.capabilities.is_empty())
        .map(|p| (p, per_arn.get(p.arn.as_str()).copied().unwrap_or(0)))
        .collect();
    MailAccess { columns, rows }
}

/// Rows of the who-can-get-to-the-mail and cause views in the text formats
/// (the HTML page and JSON have every one).
pub(crate) const MAX_VIEW_ROWS: usize = 50;

/// Active findings per rule, in the report's rule order.
pub(crate) fn rule_counts(report: &ScanReport) -> Vec<(&RuleMeta, usize)> {
    let mut out: Vec<(&RuleMeta, usize)> = Vec::new();
    for rule in &report.rules {
        if out.iter().any(|(r, _)| r.id == rule.id) {
            continue;
        }
        let n = active_findings(report)
            .filter(|f| f.finding.rule_id == rule.id)
            .count();
        if n > 0 {
            out.push((rule, n));
        }
    }
    out
}

/// The baseline comparison in lines for the human formats: the summary,
/// then the fixed findings (at most [`MAX_VIEW_ROWS`]).
pub(crate) fn baseline_lines(report: &ScanReport) -> Option<(String, Vec<String>)> {
    let d = report.baseline.as_ref()?;
    let mut fixed: Vec<String> = d
        .fixed
        .iter()
        .take(MAX_VIEW_ROWS)
        .map(|f| {
            format!(
                "fixed: {} on {}: {}",
                f.rule_id,
                f.resource,
                f.message.trim()
            )
        })
        .collect();
    if d.fixed.len() > MAX_VIEW_ROWS {
        fixed.push(format!(
            "… and {} more fixed (the JSON report lists every one)",
            d.fixed.len() - MAX_VIEW_ROWS
        ));
    }
    Some((d.summary(), fixed))
}

/// How many of a column's sensitive actions a principal holds ("" if none).
pub(crate) fn held(p: &crate::findings::PrincipalSummary, column: &str) -> String {
    p.capabilities
        .iter()
        .find(|(id, _)| id == column)
        .map_or(String::new(), |(_, n)| n.to_string())
}

/// Rules left out because they need opt-in data nobody asked for, in one
/// sentence (not a coverage gap, but never silent).
pub(crate) fn not_requested_line(report: &ScanReport) -> Option<String> {
    let list = &report.coverage.not_requested;
    if list.is_empty() {
        return None;
    }
    let items: Vec<String> = list
        .iter()
        .map(|n| format!("{}: {}", n.rule_id, n.reason))
        .collect();
    Some(format!(
        "Not requested (opt-in data, not a coverage gap): {}.",
        items.join("; ")
    ))
}

/// One line of the "not evaluated" section: what was not looked at, and why.
pub(crate) struct Gap {
    pub what: String,
    pub reason: String,
}

/// Gaps grouped by reason, in first-seen order: 984 principals missing the
/// same group are one cause, not 984 lines (a Markdown section was 1.33 MB
/// with 15 missing groups). Linear: a map from reason to its place.
pub(crate) fn gap_causes<'a>(
    gaps: impl IntoIterator<Item = &'a Gap>,
) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut causes: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for g in gaps {
        let i = *index.entry(g.reason.as_str()).or_insert_with(|| {
            causes.push((g.reason.as_str(), Vec::new()));
            causes.len() - 1
        });
        causes[i].1.push(g.what.as_str());
    }
    causes
}

/// Everything the scan could not see, in a fixed order: missing data, rules
/// that could not run, principals evaluated in part.
pub(crate) fn coverage_gaps(report: &ScanReport) -> Vec<Gap> {
    let c = &report.coverage;
    let mut out = Vec::new();
    for g in &c.not_collected {
        out.push(Gap {
            what: format!("data: {}", g.part.as_str()),
            reason: g.reason.clone(),
        });
    }
    for n in &c.not_evaluated {
        let on = match &n.resource {
            Some(r) => resource_label(r),
            None => "whole account".to_owned(),
        };
        out.push(Gap {
            what: format!("rule {} on {on}", n.rule_id),
            reason: n.reason.clone(),
        });
    }
    for (arn, problems) in &c.incomplete_principals {
        out.push(Gap {
            what: format!("principal {arn}"),
            reason: if problems.is_empty() {
                "evaluated in part".to_owned()
            } else {
                problems.join("; ")
            },
        });
    }
    out
}

#[cfg(test)]
mod via_tests {
    use crate::findings::{Evidence, Finding, ResourceKind, Severity};

    fn finding(evidence: Vec<Evidence>) -> Finding {
        Finding::builder("r", Severity::High, "111122223333")
            .resource(ResourceKind::User, "u", "arn:aws:iam::111122223333:user/u")
            .message("User u.")
            .evidence_all(evidence)
            .build()
            .unwrap()
    }

    fn statement(policy: &str, i: usize, sid: Option<&str>) -> Evidence {
        Evidence {
            policy: Some(policy.into()),
            attached: Some("through group G".into()),
            statement: Some(i),
            sid: sid.map(Into::into),
            ..Evidence::default()
        }
    }

    #[test]
    fn names_three_statements_then_counts() {
        let f = finding(
            (0..5)
                .map(|i| statement("arn:aws:iam::111122223333:policy/path/Mail", i, None))
                .collect(),
        );
        assert_eq!(
            super::via_line(&f).unwrap(),
            "via Mail (through group G), statement 0; Mail (through group G), statement 1; \
             Mail (through group G), statement 2; and 2 more"
        );
        let f = finding(vec![statement("inline:x", 4, Some("Sid1"))]);
        assert_eq!(
            super::via_line(&f).unwrap(),
            "via inline:x (through group G), statement \"Sid1\""
        );
        let f = finding(vec![Evidence {
            detail: Some("password_enabled=true".into()),
            ..Evidence::default()
        }]);
        assert_eq!(super::via_line(&f), None, "no policy, no via line");
    }
}
