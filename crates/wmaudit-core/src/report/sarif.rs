//! SARIF 2.1.0 for GitHub code scanning.
//!
//! IAM findings have no source file, and GitHub rejects a whole upload if one
//! result lacks a physical location or uses a URI with a scheme (an ARN parses
//! as scheme `arn`). So every result gets a made-up relative path per resource
//! (`aws/<account>/iam/user/alice`), the ARN goes into `logicalLocations`
//! and the message, and `primaryLocationLineHash` carries the finding's own
//! fingerprint because there is no line for the upload action to hash.
//! See docs/report-format.md (what GitHub code scanning accepts is summarised there).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::findings::{Finding, ResourceKind, RuleMeta, ScanReport, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::sarif_model::{
    ArtifactLocation, AutomationDetails, Configuration, Driver, Fingerprints, Help, Invocation,
    Location, Log, LogicalLocation, Notification, PhysicalLocation, Region, ReportingDescriptor,
    ResultProperties, RuleProperties, Run, RunProperties, SarifResult, Text, Tool,
};

pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub keeps at most 20 tags per rule.
const MAX_TAGS: usize = 20;

/// GitHub code scanning rejects a whole upload when one run has more results
/// than this (and shows the 5,000 most severe of those it accepts).
pub const GITHUB_MAX_RESULTS: usize = 25_000;

/// GitHub code scanning refuses a SARIF file of more than 20 runs.
pub const GITHUB_MAX_RUNS: usize = 20;

/// Indentation stops at `runs[].results` (log 1, runs 2, run 3, results 4):
/// each result, and the run's tool section, is one line.
const RESULT_DEPTH: usize = 4;

/// Path segments keep only RFC 3986 unreserved characters; everything else
/// (spaces, `+=,@` allowed in IAM names, non-ASCII) is percent-encoded so the
/// path is a valid `uri-reference` that GitHub accepts.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One SARIF log with one run for this report's account, at most
/// [`GITHUB_MAX_RESULTS`] results.
pub fn render(report: &ScanReport) -> String {
    render_many([report], GITHUB_MAX_RESULTS)
}

/// One SARIF log with one run per report (per account). GitHub refuses two
/// runs with the same tool and category, so a repeated account id gets the
/// first free `-2`, `-3`, ... suffix in its `automationDetails.id`. GitHub
/// accepts at most 20 runs per file; splitting is the caller's business.
///
/// A run holds at most `max_results` results (0: no limit): when an account
/// has more active findings, the most severe are kept and the run says how
/// many were left out ([`omitted`]), so the upload is accepted instead of
/// rejected whole. The JSON report always has every finding.
pub fn render_many<'a>(
    reports: impl IntoIterator<Item = &'a ScanReport>,
    max_results: usize,
) -> String {
    super::json_text::to_pretty_string(&log(reports, max_results), RESULT_DEPTH)
}

/// [`render_many`] written straight to `out`.
pub fn write_many<'a>(
    reports: impl IntoIterator<Item = &'a ScanReport>,
    max_results: usize,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    super::json_text::write_pretty(&log(reports, max_results), RESULT_DEPTH, out)
}

/// How many of the report's active findings a run limited to `max_results`
/// leaves out.
pub fn omitted(report: &ScanReport, max_results: usize) -> usize {
    let active = report.active().count();
    if max_results == 0 {
        0
    } else {
        active.saturating_sub(max_results)
    }
}

/// Which active findings (by position among them) a run keeps: all of them
/// under the limit, else the `max_results` most severe, ties in report order.
fn kept(report: &ScanReport, max_results: usize) -> Option<Vec<bool>> {
    if omitted(report, max_results) == 0 {
        return None;
    }
    let mut order: Vec<(usize, Severity)> = report
        .active()
        .enumerate()
        .map(|(i, f)| (i, f.severity))
        .collect();
    // Stable: equal severities keep their report order.
    order.sort_by_key(|&(_, sev)| std::cmp::Reverse(sev));
    let mut keep = vec![false; order.len()];
    for &(i, _) in order.iter().take(max_results) {
        keep[i] = true;
    }
    Some(keep)
}

fn log<'a>(reports: impl IntoIterator<Item = &'a ScanReport>, max_results: usize) -> Log<'a> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let runs: Vec<Run<'a>> = reports
        .into_iter()
        .map(|r| {
            let account = account_segment(&r.meta.account_id);
            let mut category = account.clone();
            let mut n = 1;
            while !used.insert(category.clone()) {
                n += 1;
                category = format!("{account}-{n}");
            }
            run(r, &category, max_results)
        })
        .collect();
    Log {
        schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs,
    }
}

/// `critical`..`info` as GitHub's numeric `security-severity`, a string.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// SARIF `level`: GitHub shows error/warning/note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `root-access-keys` -> `RootAccessKeys`: SARIF's `name` is an identifier.
pub fn pascal_case(id: &str) -> String {
    let mut out = String::new();
    for word in id.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        out.push_str("Rule");
    }
    out
}

fn encode_segment(s: &str) -> String {
    // `.` and `..` would be dot-segments, which URI resolution removes.
    if !s.is_empty() && s.chars().all(|c| c == '.') {
        return "%2E".repeat(s.len());
    }
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn account_segment(account_id: &str) -> String {
    if account_id.trim().is_empty() {
        "unknown-account".to_owned()
    } else {
        encode_segment(account_id)
    }
}

/// The made-up relative path GitHub shows for a resource: never an ARN,
/// never empty, no scheme, and without the words GitHub uses to classify
/// paths as test or documentation code.
pub fn artifact_uri(f: &Finding) -> String {
    let account = account_segment(&f.account);
    let name = if f.resource.name.is_empty() {
        "unnamed".to_owned()
    } else {
        encode_segment(&f.resource.name)
    };
    match f.resource.kind {
        ResourceKind::Account => format!("aws/{account}/account"),
        ResourceKind::RootUser => format!("aws/{account}/iam/root"),
        ResourceKind::WorkmailOrganization => format!("aws/{account}/workmail/organization/{name}"),
        ResourceKind::Mailbox => format!("aws/{account}/workmail/mailbox/{name}"),
        ResourceKind::ImpersonationRole => {
            format!("aws/{account}/workmail/impersonation-role/{name}")
        }
        ResourceKind::AccessToken => format!("aws/{account}/workmail/access-token/{name}"),
        kind => format!("aws/{account}/iam/{}/{name}", kind.as_str()),
    }
}

/// A `helpUri` must be an absolute URI; a reference that is not one is
/// left to the Markdown help rather than making the log invalid.
fn help_uri(rule: &RuleMeta) -> Option<&str> {
    rule.references
        .iter()
        .map(|r| r.url.trim())
        .find(|u| is_http_uri(u))
}

/// `http(s)://host[:port]` and a path, query or fragment of characters RFC
/// 3986 allows there: conservative, so the schema's `uri` format holds.
fn is_http_uri(u: &str) -> bool {
    let Some(rest) = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
    else {
        return false;
    };
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    let (host, port) = authority.split_once(':').unwrap_or((authority, ""));
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
    let port_ok = port.bytes().all(|c| c.is_ascii_digit());
    let b = tail.as_bytes();
    let tail_ok = tail.matches('#').count() <= 1
        && b.iter().enumerate().all(|(i, &c)| match c {
            b'%' => {
                b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            _ => c.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=".contains(&c),
        });
    host_ok && port_ok && tail_ok
}

fn help_text(rule: &RuleMeta) -> String {
    let mut s = format!(
        "{}\n\nWhy it matters: {}\n\nHow to fix: {}\n",
        rule.title,
        rule.rationale.trim(),
        rule.remediation.trim()
    );
    if let Some(ex) = &rule.example {
        s.push_str(&format!("\nExample:\n{}\n", ex.trim()));
    }
    if !rule.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &rule.references {
            s.push_str(&format!("- {}: {}\n", r.title, r.url));
        }
    }
    s
}

fn non_empty<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.trim().is_empty() { fallback } else { s }
}

fn tags(rule: &RuleMeta) -> Vec<String> {
    let mut seen = BTreeSet::new();
    std::iter::once("security")
        .chain(rule.tags.iter().map(String::as_str))
        .map(str::trim)
        .filter(|t| !t.is_empty() && seen.insert(t.to_owned()))
        .take(MAX_TAGS)
        .map(str::to_owned)
        .collect()
}

fn rule_descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let title = non_empty(&rule.title, &rule.id);
    ReportingDescriptor {
        id: rule.id.clone(),
        name: pascal_case(&rule.id),
        // GitHub documents a 1024-character limit for the short description.
        short_description: Text::new(truncate_chars(title, 1024)),
        full_description: Text::new(non_empty(&rule.rationale, title).to_owned()),
        help: Help {
            text: help_text(rule),
            markdown: rule.help_markdown(),
        },
        help_uri: help_uri(rule).map(str::to_owned),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags: tags(rule),
            precision: "high",
            security_severity: security_severity(rule.severity),
        },
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A stand-in descriptor for a finding whose rule the report does not
/// describe, so that `ruleIndex` always points at something.
fn unknown_rule(id: &str, severity: Severity) -> RuleMeta {
    RuleMeta {
        id: id.to_owned(),
        title: id.to_owned(),
        severity,
        rationale: String::new(),
        remediation: "See the wmaudit rule documentation.".to_owned(),
        example: None,
        references: Vec::new(),
        tags: Vec::new(),
    }
}

/// The message's first sentence is GitHub's alert title, so it must name the
/// resource; the ARN follows so the alert is unambiguous.
fn message_text(f: &Finding) -> String {
    let msg = f.message.trim();
    let r = &f.resource;
    let label = match r.kind {
        ResourceKind::Account => format!("Account {}", non_empty(&f.account, &r.name)),
        ResourceKind::RootUser => "Root user".to_owned(),
        kind => format!("{} {}", capitalize(kind.as_str()), r.name),
    };
    let first = first_sentence(msg);
    let names_it = (!r.name.is_empty() && first.contains(&r.name))
        || (!r.arn.is_empty() && first.contains(&r.arn))
        || (r.kind == ResourceKind::RootUser && first.to_ascii_lowercase().contains("root"));
    let mut text = if msg.is_empty() {
        format!("{label}.")
    } else if names_it {
        msg.to_owned()
    } else {
        format!("{label}: {msg}")
    };
    if let Some(via) = super::via_line(f) {
        text.push_str(&format!("\n\n{}", capitalize(&via)));
    }
    if !r.arn.is_empty() && !text.contains(&r.arn) {
        text.push_str(&format!("\n\nResource: {}", r.arn));
    }
    text
}

fn first_sentence(s: &str) -> &str {
    let end = [". ", ".\n", "\n"]
        .iter()
        .filter_map(|p| s.find(p))
        .min()
        .unwrap_or(s.len());
    &s[..end]
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn run<'a>(report: &'a ScanReport, category: &str, max_results: usize) -> Run<'a> {
    // Rules in the report's order (first of a repeated id wins), then
    // stand-ins for rules that only appear in findings, sorted by id.
    let mut rules: Vec<RuleMeta> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for r in &report.rules {
        if !index.contains_key(&r.id) {
            index.insert(r.id.clone(), rules.len());
            rules.push(r.clone());
        }
    }
    let mut missing: BTreeMap<&str, Severity> = BTreeMap::new();
    for f in report.active() {
        if !index.contains_key(&f.rule_id) {
            let e = missing.entry(&f.rule_id).or_insert(f.severity);
            *e = (*e).max(f.severity);
        }
    }
    for (id, sev) in missing {
        index.insert(id.to_owned(), rules.len());
        rules.push(unknown_rule(id, sev));
    }

    // GitHub merges alerts with the same rule, path and hash: a repeated
    // fingerprint (hand-made or duplicated input) gets a suffix so no
    // finding disappears. Counted over every active finding, so a finding's
    // hash does not depend on the limit.
    let keep = kept(report, max_results);
    let mut hashes: HashMap<Cow<'a, str>, usize> = HashMap::new();
    let results: Vec<SarifResult<'a>> = report
        .active()
        .enumerate()
        .filter_map(|(i, f)| {
            let base: Cow<'a, str> = if f.fingerprint.is_empty() {
                Cow::Owned(crate::findings::fingerprint(
                    &f.rule_id,
                    &f.account,
                    &f.resource.arn,
                    &f.discriminator,
                ))
            } else {
                Cow::Borrowed(&f.fingerprint)
            };
            let n = hashes.entry(base.clone()).or_insert(0);
            *n += 1;
            let hash = if *n == 1 {
                base
            } else {
                Cow::Owned(format!("{base}:{n}"))
            };
            let kept = keep.as_ref().is_none_or(|k| k[i]);
            kept.then(|| result(f, index.get(&f.rule_id).copied().unwrap_or(0), hash))
        })
        .collect();
    let left_out = omitted(report, max_results);

    let meta = &report.meta;
    let (suppressed, baseline) = super::hidden_counts(report);
    let warning = |text: String| Notification {
        level: "warning",
        message: Text::new(text),
    };
    let mut notes: Vec<Notification> = super::coverage_gaps(report)
        .into_iter()
        .map(|g| warning(format!("Not evaluated: {}: {}", g.what, g.reason)))
        .collect();
    if left_out > 0 {
        notes.insert(0, warning(omitted_message(report, max_results)));
    }
    if notes.is_empty() {
        notes.push(Notification {
            level: "note",
            message: Text::new("Coverage is complete: every rule was evaluated."),
        });
    }
    if let Some(line) = super::not_requested_line(report) {
        notes.push(Notification {
            level: "note",
            message: Text::new(line),
        });
    }
    let config_notes: Vec<Notification> = report
        .notices
        .iter()
        .map(|n| warning(n.message.clone()))
        .collect();

    Run {
        tool: Tool {
            driver: Driver {
                name: "wmaudit",
                semantic_version: &meta.tool_version,
                rules: rules.iter().map(rule_descriptor).collect(),
            },
        },
        automation_details: AutomationDetails {
            id: format!("wmaudit/{category}/"),
        },
        invocations: [Invocation {
            execution_successful: true,
            tool_execution_notifications: notes,
            tool_configuration_notifications: config_notes,
        }],
        column_kind: "utf16CodeUnits",
        results,
        properties: RunProperties {
            account_id: &meta.account_id,
            account_aliases: &meta.account_aliases,
            catalog_version: &meta.catalog_version,
            scope_limits: super::SCOPE_LIMITS,
            coverage_complete: report.coverage.is_complete(),
            suppressed_findings: suppressed,
            baseline_findings: baseline,
            omitted_findings: left_out,
            end_of_support: super::json::end_of_support(&report.end_of_support),
            configuration: super::json::configuration(&report.config),
        },
    }
}

/// The warning a limited run carries (and the CLI prints).
pub fn omitted_message(report: &ScanReport, max_results: usize) -> String {
    let active = report.active().count();
    let left_out = omitted(report, max_results);
    format!(
        "{left_out} of {active} findings for account {} are not in this SARIF run: it keeps the \
         {max_results} most severe, because GitHub code scanning rejects a run with more than \
         {GITHUB_MAX_RESULTS} results. The JSON report has every finding; \
         --sarif-max-results changes the limit (0: none).",
        non_empty(&report.meta.account_id, "(unknown)"),
    )
}

fn result<'a>(f: &'a Finding, rule_index: usize, hash: Cow<'a, str>) -> SarifResult<'a> {
    let r = &f.resource;
    SarifResult {
        rule_id: &f.rule_id,
        rule_index,
        level: level(f.severity),
        message: Text::new(message_text(f)),
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact_uri(f),
                },
                region: Region {
                    start_line: 1,
                    start_column: 1,
                },
            },
            logical_locations: [LogicalLocation {
                name: (!r.name.is_empty()).then_some(r.name.as_str()),
                fully_qualified_name: non_empty(&r.arn, &r.name),
                kind: "resource",
            }],
        }],
        partial_fingerprints: Fingerprints {
            primary_location_line_hash: hash,
        },
        properties: ResultProperties {
            severity: f.severity.as_str(),
            account: &f.account,
            resource_arn: &r.arn,
            resource_kind: r.kind.as_str(),
            evidence: super::json::evidence_list(&f.evidence),
            fix_commands: &f.fix,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_uris_must_be_plain_http_urls() {
        for ok in [
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html",
            "http://example.com:8080/a?b=c#d",
            "https://example.com",
        ] {
            assert!(is_http_uri(ok), "{ok}");
        }
        for bad in [
            "",
            "docs/rules.md",
            "ftp://example.com",
            "https://",
            "https://[",
            "https://a b",
            "https://example.com/%zz",
            "https://example.com:80x",
            "https://example.com/a#b#c",
            "https://example.com/<x>",
        ] {
            assert!(!is_http_uri(bad), "{bad}");
        }
    }

    #[test]
    fn first_sentence_ends_at_a_period_or_line_break() {
        assert_eq!(first_sentence("User a.b is bad. More."), "User a.b is bad");
        assert_eq!(first_sentence("one\ntwo"), "one");
        assert_eq!(first_sentence("no end"), "no end");
    }
}
