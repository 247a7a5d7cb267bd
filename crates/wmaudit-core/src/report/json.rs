//! The JSON report: the frozen `wmaudit-report/1` wire format.
//!
//! The wire structs in [`v1`] are separate from the internal model on purpose:
//! internal types may change freely, this format may only grow (new fields,
//! new enum values announced in docs/report-format.md). The JSON Schema is
//! docs/wmaudit-report-v1.schema.json.

use crate::findings::{
    ConfigNotice, Evidence, NoticeKind, PrincipalSummary, ReportedFinding, Resource, ResourceKind,
    RuleMeta, ScanReport, Severity, Verdict,
};
use crate::snapshot::SourceKind;

use super::json_text::{to_pretty_string, write_pretty};

/// The value of the top-level `schema` field.
pub const SCHEMA: &str = "wmaudit-report/1";

/// Indentation stops at the report's lists (findings, principals, ...):
/// each of their items is one line. A report is the top-level value (depth 1)
/// or an item of the top-level array (depth 2).
const ONE_REPORT_DEPTH: usize = 2;
const MANY_REPORTS_DEPTH: usize = 3;

/// Renders the report as JSON (2-space indent down to the report's lists, one
/// line per list item, trailing newline).
pub fn render(report: &ScanReport) -> String {
    to_pretty_string(&v1::Report::from_scan(report), ONE_REPORT_DEPTH)
}

/// Several reports: a JSON array of `wmaudit-report/1` objects, in order.
pub fn render_many(reports: &[ScanReport]) -> String {
    let all: Vec<v1::Report> = reports.iter().map(v1::Report::from_scan).collect();
    to_pretty_string(&all, MANY_REPORTS_DEPTH)
}

/// Writes the report(s) as `render`/`render_many` would, without holding the
/// whole text in memory (a large account's report is hundreds of MB).
/// Findings are converted to their wire form one at a time while writing
/// ([`Streamed`]), so no second copy of every finding is held.
pub fn write_many<W: std::io::Write>(reports: &[ScanReport], out: W) -> std::io::Result<()> {
    match reports {
        [one] => write_pretty(&Streamed::new(one), ONE_REPORT_DEPTH, out),
        _ => {
            let all: Vec<Streamed> = reports.iter().map(Streamed::new).collect();
            write_pretty(&all, MANY_REPORTS_DEPTH, out)
        }
    }
}

/// [`v1::Report`] with the same fields in the same order (so the same bytes),
/// except that `findings` are converted while they are serialized. The owned
/// copy of every finding was most of the JSON writer's memory: about 85 MB at
/// 10,000 users (docs/benchmarks.md).
#[derive(serde::Serialize)]
struct Streamed<'a> {
    schema: String,
    tool: v1::Tool,
    scan: v1::Scan,
    summary: v1::Summary,
    gate: v1::Gate,
    coverage: v1::Coverage,
    findings: StreamedFindings<'a>,
    principals: Vec<v1::Principal>,
    notices: Vec<v1::Notice>,
    rules: Vec<v1::Rule>,
}

impl<'a> Streamed<'a> {
    fn new(report: &'a ScanReport) -> Self {
        let v1::Report {
            schema,
            tool,
            scan,
            summary,
            gate,
            coverage,
            findings: _,
            principals,
            notices,
            rules,
        } = v1::Report::with_findings(report, Vec::new());
        Streamed {
            schema,
            tool,
            scan,
            summary,
            gate,
            coverage,
            findings: StreamedFindings(report),
            principals,
            notices,
            rules,
        }
    }
}

struct StreamedFindings<'a>(&'a ScanReport);

impl serde::Serialize for StreamedFindings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let report = self.0;
        let mut seq = s.serialize_seq(Some(report.findings.len()))?;
        for f in &report.findings {
            seq.serialize_element(&FindingRef::new(report, f))?;
        }
        seq.end()
    }
}

/// Wire types of `wmaudit-report/1`. Field order here is the order in the
/// output; every field is always present (absent values are `null` or empty),
/// so consumers never have to guess whether a key was dropped.
pub mod v1 {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Report {
        pub schema: String,
        pub tool: Tool,
        pub scan: Scan,
        pub summary: Summary,
        pub gate: Gate,
        pub coverage: Coverage,
        pub findings: Vec<Finding>,
        pub principals: Vec<Principal>,
        pub notices: Vec<Notice>,
        pub rules: Vec<Rule>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Tool {
        pub name: String,
        pub version: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Scan {
        pub account_id: String,
        pub account_aliases: Vec<String>,
        /// `live`, `files` or `demo`.
        pub source: String,
        pub caller_arn: Option<String>,
        pub collected_at: Option<String>,
        pub evaluated_at: Option<String>,
        /// API calls per operation; a map, so keys come out sorted.
        pub api_calls: BTreeMap<String, u64>,
        pub catalog_version: String,
    }

    /// Counts of active findings by severity, plus what was left out.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Summary {
        pub critical: usize,
        pub high: usize,
        pub medium: usize,
        pub low: usize,
        pub info: usize,
        pub total: usize,
        pub suppressed: usize,
        pub baseline: usize,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Gate {
        /// A severity, or `null` for `--fail-on none`.
        pub fail_on: Option<String>,
        pub failing: usize,
        pub incomplete: bool,
        pub allow_incomplete: bool,
        pub exit_code: i32,
        /// `exit_code == 0`.
        pub passed: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Coverage {
        pub complete: bool,
        pub not_collected: Vec<NotCollected>,
        pub not_evaluated: Vec<NotEvaluated>,
        pub incomplete_principals: Vec<IncompletePrincipal>,
        pub builtin_policies_used: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct NotCollected {
        pub part: String,
        pub reason: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct NotEvaluated {
        pub rule_id: String,
        /// `null` when the rule could not run for the whole account.
        pub resource: Option<Resource>,
        pub reason: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct IncompletePrincipal {
        pub arn: String,
        pub problems: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Resource {
        pub arn: String,
        /// `account`, `root`, `user`, `group`, `role` or `policy`.
        pub kind: String,
        pub name: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Finding {
        pub rule_id: String,
        pub severity: String,
        pub title: String,
        pub resource: Resource,
        pub account: String,
        pub message: String,
        pub evidence: Vec<Evidence>,
        pub fingerprint: String,
        pub suppressed: Option<Suppressed>,
        pub in_baseline: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Evidence {
        pub policy: Option<String>,
        pub attached: Option<String>,
        pub statement: Option<usize>,
        pub sid: Option<String>,
        pub actions: Vec<String>,
        pub detail: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Suppressed {
        pub reason: String,
        pub expires: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Principal {
        pub arn: String,
        /// `user`, `group` or `role`.
        pub kind: String,
        pub name: String,
        pub complete: bool,
        pub allowed: usize,
        pub limited: usize,
        pub denied: usize,
        pub workmail_admin: bool,
        pub designated_admin: bool,
        pub sensitive_actions: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Notice {
        /// `expired_suppression` or `unused_suppression`.
        pub kind: String,
        pub message: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Rule {
        pub id: String,
        pub title: String,
        pub severity: String,
        pub rationale: String,
        pub remediation: String,
        pub example: Option<String>,
        pub references: Vec<Reference>,
        pub tags: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Reference {
        pub title: String,
        pub url: String,
    }
}

// Conversions are explicit `match`es, not serde of the internal enums, so a
// renamed internal variant cannot silently change the wire format.

fn severity(s: Severity) -> String {
    s.as_str().to_owned()
}

fn resource_kind(k: ResourceKind) -> String {
    resource_kind_str(k).to_owned()
}

fn resource_kind_str(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Account => "account",
        ResourceKind::RootUser => "root",
        ResourceKind::User => "user",
        ResourceKind::Group => "group",
        ResourceKind::Role => "role",
        ResourceKind::Policy => "policy",
    }
}

fn source(s: &SourceKind) -> String {
    match s {
        SourceKind::Live => "live",
        SourceKind::Files => "files",
        SourceKind::Demo => "demo",
    }
    .to_owned()
}

fn notice_kind(k: &NoticeKind) -> String {
    match k {
        NoticeKind::ExpiredSuppression => "expired_suppression",
        NoticeKind::UnusedSuppression => "unused_suppression",
    }
    .to_owned()
}

fn resource(r: &Resource) -> v1::Resource {
    v1::Resource {
        arn: r.arn.clone(),
        kind: resource_kind(r.kind),
        name: r.name.clone(),
    }
}

/// The v1 evidence shape, borrowed: for SARIF, which repeats it per result
/// and need not own a copy. Same fields, same order as [`v1::Evidence`].
#[derive(serde::Serialize)]
pub(crate) struct EvidenceRef<'a> {
    policy: Option<&'a str>,
    attached: Option<&'a str>,
    statement: Option<usize>,
    sid: Option<&'a str>,
    actions: &'a [crate::findings::ActionName],
    detail: Option<&'a str>,
}

impl<'a> From<&'a Evidence> for EvidenceRef<'a> {
    fn from(e: &'a Evidence) -> Self {
        EvidenceRef {
            policy: e.policy.as_deref(),
            attached: e.attached.as_deref(),
            statement: e.statement,
            sid: e.sid.as_deref(),
            actions: &e.actions,
            detail: e.detail.as_deref(),
        }
    }
}

/// [`v1::Finding`], borrowed: what the streamed writer serializes, so that
/// writing a report copies no finding (at 10,000 users the findings hold
/// over a million action names). Same fields, same order, same bytes
/// (`write_many_matches_render` checks).
#[derive(serde::Serialize)]
struct FindingRef<'a> {
    rule_id: &'a str,
    severity: &'static str,
    title: &'a str,
    resource: ResourceRef<'a>,
    account: &'a str,
    message: &'a str,
    evidence: EvidenceList<'a>,
    fingerprint: &'a str,
    suppressed: Option<SuppressedRef<'a>>,
    in_baseline: bool,
}

#[derive(serde::Serialize)]
struct ResourceRef<'a> {
    arn: &'a str,
    kind: &'static str,
    name: &'a str,
}

#[derive(serde::Serialize)]
struct SuppressedRef<'a> {
    reason: &'a str,
    expires: Option<&'a str>,
}

/// Evidence serialized in place, without collecting a `Vec` per finding.
pub(crate) struct EvidenceList<'a>(pub &'a [Evidence]);

impl serde::Serialize for EvidenceList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(EvidenceRef::from))
    }
}

impl<'a> FindingRef<'a> {
    fn new(report: &'a ScanReport, rf: &'a ReportedFinding) -> Self {
        let f = &rf.finding;
        FindingRef {
            rule_id: &f.rule_id,
            severity: f.severity.as_str(),
            title: super::rule_meta(report, &f.rule_id).map_or(&f.rule_id, |r| &r.title),
            resource: ResourceRef {
                arn: &f.resource.arn,
                kind: resource_kind_str(f.resource.kind),
                name: &f.resource.name,
            },
            account: &f.account,
            message: &f.message,
            evidence: EvidenceList(&f.evidence),
            fingerprint: &f.fingerprint,
            suppressed: rf.suppressed.as_ref().map(|s| SuppressedRef {
                reason: &s.reason,
                expires: s.expires.as_deref(),
            }),
            in_baseline: rf.in_baseline,
        }
    }
}

pub(crate) fn evidence(e: &Evidence) -> v1::Evidence {
    v1::Evidence {
        policy: e.policy.clone(),
        attached: e.attached.clone(),
        statement: e.statement,
        sid: e.sid.clone(),
        actions: e.actions.iter().map(|a| a.to_string()).collect(),
        detail: e.detail.clone(),
    }
}

fn finding(report: &ScanReport, rf: &ReportedFinding) -> v1::Finding {
    let f = &rf.finding;
    v1::Finding {
        rule_id: f.rule_id.clone(),
        severity: severity(f.severity),
        // A finding of a rule the report does not describe still needs a title.
        title: super::rule_meta(report, &f.rule_id)
            .map(|r| r.title.clone())
            .unwrap_or_else(|| f.rule_id.clone()),
        resource: resource(&f.resource),
        account: f.account.clone(),
        message: f.message.clone(),
        evidence: f.evidence.iter().map(evidence).collect(),
        fingerprint: f.fingerprint.clone(),
        suppressed: rf.suppressed.as_ref().map(|s| v1::Suppressed {
            reason: s.reason.clone(),
            expires: s.expires.clone(),
        }),
        in_baseline: rf.in_baseline,
    }
}

fn principal(p: &PrincipalSummary) -> v1::Principal {
    v1::Principal {
        arn: p.arn.clone(),
        kind: p.kind.as_str().to_owned(),
        name: p.name.clone(),
        complete: p.complete,
        allowed: p.allowed,
        limited: p.limited,
        denied: p.denied,
        workmail_admin: p.workmail_admin,
        designated_admin: p.designated_admin,
        sensitive_actions: p.sensitive_actions.clone(),
    }
}

fn notice(n: &ConfigNotice) -> v1::Notice {
    v1::Notice {
        kind: notice_kind(&n.kind),
        message: n.message.clone(),
    }
}

fn rule(r: &RuleMeta) -> v1::Rule {
    v1::Rule {
        id: r.id.clone(),
        title: r.title.clone(),
        severity: severity(r.severity),
        rationale: r.rationale.clone(),
        remediation: r.remediation.clone(),
        example: r.example.clone(),
        references: r
            .references
            .iter()
            .map(|x| v1::Reference {
                title: x.title.clone(),
                url: x.url.clone(),
            })
            .collect(),
        tags: r.tags.clone(),
    }
}

impl v1::Report {
    /// The wire form of a scan report.
    pub fn from_scan(report: &ScanReport) -> v1::Report {
        let findings = report.findings.iter().map(|f| finding(report, f)).collect();
        Self::with_findings(report, findings)
    }

    /// Everything but the findings from `report`; `findings` as given.
    fn with_findings(report: &ScanReport, findings: Vec<v1::Finding>) -> v1::Report {
        let m = &report.meta;
        let counts = report.count_by_severity();
        let count = |s: Severity| counts.get(&s).copied().unwrap_or(0);
        let (suppressed, baseline) = super::hidden_counts(report);
        let c = &report.coverage;
        let g = &report.gate;
        v1::Report {
            schema: SCHEMA.to_owned(),
            tool: v1::Tool {
                name: "wmaudit".to_owned(),
                version: m.tool_version.clone(),
            },
            scan: v1::Scan {
                account_id: m.account_id.clone(),
                account_aliases: m.account_aliases.clone(),
                source: source(&m.source),
                caller_arn: m.caller_arn.clone(),
                collected_at: m.collected_at.clone(),
                evaluated_at: m.evaluated_at.clone(),
                api_calls: m.api_calls.clone(),
                catalog_version: m.catalog_version.clone(),
            },
            summary: v1::Summary {
                critical: count(Severity::Critical),
                high: count(Severity::High),
                medium: count(Severity::Medium),
                low: count(Severity::Low),
                info: count(Severity::Info),
                total: counts.values().sum(),
                suppressed,
                baseline,
            },
            gate: v1::Gate {
                fail_on: g.fail_on.map(severity),
                failing: g.failing,
                incomplete: g.incomplete,
                allow_incomplete: g.allow_incomplete,
                exit_code: i32::from(g.verdict.exit_code()),
                passed: g.verdict == Verdict::Passed,
            },
            coverage: v1::Coverage {
                complete: c.is_complete(),
                not_collected: c
                    .not_collected
                    .iter()
                    .map(|g| v1::NotCollected {
                        part: g.part.as_str().to_owned(),
                        reason: g.reason.clone(),
                    })
                    .collect(),
                not_evaluated: c
                    .not_evaluated
                    .iter()
                    .map(|n| v1::NotEvaluated {
                        rule_id: n.rule_id.clone(),
                        resource: n.resource.as_ref().map(resource),
                        reason: n.reason.clone(),
                    })
                    .collect(),
                incomplete_principals: c
                    .incomplete_principals
                    .iter()
                    .map(|(arn, problems)| v1::IncompletePrincipal {
                        arn: arn.clone(),
                        problems: problems.clone(),
                    })
                    .collect(),
                builtin_policies_used: c.builtin_policies_used.clone(),
            },
            findings,
            principals: report.principals.iter().map(principal).collect(),
            notices: report.notices.iter().map(notice).collect(),
            rules: report.rules.iter().map(rule).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::RuleSet;
    use crate::scan::{ScanOptions, scan};

    /// The streaming writer must give the same bytes as the renderer, for one
    /// report (an object), several (an array) and none.
    #[test]
    fn write_many_matches_render() {
        let rules = RuleSet::builtin().unwrap();
        let config = Config::default();
        let opts = ScanOptions::new(&rules, &config);
        let mut reports: Vec<_> = crate::demo::snapshots()
            .unwrap()
            .iter()
            .map(|s| scan(s, &opts))
            .collect();
        assert!(reports[0].findings.len() >= 3);
        // Every optional part of a finding, present and absent.
        reports[0].findings[0].suppressed = Some(crate::findings::Suppressed {
            reason: "accepted \"risk\"".into(),
            expires: Some("2027-03-31".into()),
        });
        reports[0].findings[1].suppressed = Some(crate::findings::Suppressed {
            reason: "no expiry".into(),
            expires: None,
        });
        reports[0].findings[2].in_baseline = true;
        for some in [&reports[..1], &reports[..], &[]] {
            let mut out = Vec::new();
            super::write_many(some, &mut out).unwrap();
            let expected = match some {
                [one] => super::render(one),
                _ => super::render_many(some),
            };
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }
}
