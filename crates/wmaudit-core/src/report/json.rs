//! The JSON report: the scan in the `wmaudit-report/1` wire format
//! ([`v1`]), borrowed, not copied.

use std::borrow::Cow;

use crate::findings::{
    ConfigNotice, ConfigSummary, EndOfSupport, Evidence, PrincipalSummary, ReportedFinding,
    Resource, ResourceKind, RuleMeta, ScanReport, Severity, Verdict,
};
use crate::snapshot::SourceKind;

use super::json_text::{to_pretty_string, write_pretty};
use super::set::ReportSet;
pub use super::v1;
pub use super::v1::SCHEMA;
pub use super::v2;

/// Indentation stops at an account's lists (findings, principals, ...):
/// each of their items is one line. An account object alone is depth 1; in
/// the document it is an item of `accounts`, depth 3.
const ONE_REPORT_DEPTH: usize = 2;
const DOCUMENT_DEPTH: usize = 4;

/// One account's object (the `wmaudit-report/1` shape, as in the document's
/// `accounts`), 2-space indent down to its lists, one line per list item.
pub fn render(report: &ScanReport) -> String {
    to_pretty_string(&v1::Report::from_scan(report), ONE_REPORT_DEPTH)
}

/// The `wmaudit-report/2` document of a run without an organization.
pub fn render_many(reports: &[ScanReport]) -> String {
    render_set(&ReportSet::of(reports))
}

/// The `wmaudit-report/2` document of a run.
pub fn render_set(set: &ReportSet<'_>) -> String {
    to_pretty_string(&document(set), DOCUMENT_DEPTH)
}

/// Writes what [`render_many`] returns without holding the whole text in
/// memory (a large account's report is hundreds of MB).
pub fn write_many<W: std::io::Write>(reports: &[ScanReport], out: W) -> std::io::Result<()> {
    write_set(&ReportSet::of(reports), out)
}

pub fn write_set<W: std::io::Write>(set: &ReportSet<'_>, out: W) -> std::io::Result<()> {
    write_pretty(&document(set), DOCUMENT_DEPTH, out)
}

/// The document, borrowing the reports.
pub fn document<'a>(set: &ReportSet<'a>) -> v2::Document<'a> {
    let overview = set.overview();
    let count = |gate: &str| overview.iter().filter(|r| r.gate == gate).count();
    let verdict = set.verdict();
    v2::Document {
        schema: b(v2::SCHEMA),
        tool: v1::Tool {
            name: b("wmaudit"),
            version: Cow::Borrowed(env!("CARGO_PKG_VERSION")),
        },
        gate: v2::RunGate {
            exit_code: i32::from(verdict.exit_code()),
            passed: verdict == Verdict::Passed,
            accounts: overview.len(),
            failing: count("failing"),
            incomplete: count("incomplete"),
            not_evaluated: count("not evaluated"),
        },
        organization: set.organization.map(organization),
        overview: overview
            .into_iter()
            .map(|r| v2::AccountLine {
                account_id: b(r.account_id),
                name: b(r.name),
                ou_path: Cow::Owned(r.ou_path),
                gate: b(if r.gate == "not evaluated" {
                    "not_evaluated"
                } else {
                    r.gate
                }),
                exit_code: i32::from(r.exit_code),
                findings: r
                    .counts
                    .map(|[critical, high, medium, low, info]| v2::Counts {
                        critical,
                        high,
                        medium,
                        low,
                        info,
                    }),
                reason: r.reason.map(Cow::Owned),
            })
            .collect(),
        accounts: set.reports.iter().map(v1::Report::from_scan).collect(),
    }
}

fn ids(l: &Option<Vec<String>>) -> Option<Vec<Cow<'_, str>>> {
    l.as_ref()
        .map(|v| v.iter().map(|s| Cow::Borrowed(s.as_str())).collect())
}

fn organization<'a>(org: &'a crate::org::OrgSnapshot) -> v2::Organization<'a> {
    let node = |n: &'a crate::org::OrgNode| -> v2::Node<'a> {
        v2::Node {
            id: b(&n.id),
            name: b(&n.name),
            parent_id: opt(&n.parent_id),
            path: Cow::Owned(crate::org::OrgSnapshot::names(&org.lineage(n))),
            policy_types: n
                .policy_types
                .as_ref()
                .map(|t| t.iter().map(|s| b(s)).collect()),
            service_control_policies: ids(&n.attached.service_control_policies),
            resource_control_policies: ids(&n.attached.resource_control_policies),
        }
    };
    v2::Organization {
        id: b(&org.organization.id),
        management_account_id: b(&org.organization.management_account_id),
        feature_set: opt(&org.organization.feature_set),
        roots: org.roots.iter().map(node).collect(),
        organizational_units: org.organizational_units.iter().map(node).collect(),
        policies: org
            .policies
            .iter()
            .map(|p| v2::Policy {
                id: b(&p.id),
                name: b(&p.name),
                kind: b(&p.kind),
                aws_managed: p.aws_managed,
                description: opt(&p.description),
            })
            .collect(),
    }
}

// Conversions are explicit `match`es, not serde of the internal enums, so a
// renamed internal variant cannot silently change the wire format.

fn resource_kind(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Account => "account",
        ResourceKind::RootUser => "root",
        ResourceKind::User => "user",
        ResourceKind::Group => "group",
        ResourceKind::Role => "role",
        ResourceKind::Policy => "policy",
        ResourceKind::WorkmailOrganization => "workmail_organization",
        ResourceKind::Mailbox => "mailbox",
        ResourceKind::ImpersonationRole => "impersonation_role",
        ResourceKind::AccessToken => "personal_access_token",
    }
}

fn source(s: &SourceKind) -> &'static str {
    match s {
        SourceKind::Live => "live",
        SourceKind::Files => "files",
        SourceKind::Demo => "demo",
    }
}

fn notice_kind(k: &crate::findings::NoticeKind) -> &'static str {
    match k {
        crate::findings::NoticeKind::ExpiredSuppression => "expired_suppression",
        crate::findings::NoticeKind::UnusedSuppression => "unused_suppression",
        crate::findings::NoticeKind::UnusedAdministrator => "unused_administrator",
        crate::findings::NoticeKind::ExpiringSuppression => "expiring_suppression",
    }
}

fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

fn opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

fn resource(r: &Resource) -> v1::Resource<'_> {
    v1::Resource {
        arn: b(&r.arn),
        kind: b(resource_kind(r.kind)),
        name: b(&r.name),
    }
}

pub(crate) fn evidence(e: &Evidence) -> v1::Evidence<'_> {
    v1::Evidence {
        policy: opt(&e.policy),
        attached: opt(&e.attached),
        statement: e.statement,
        sid: opt(&e.sid),
        actions: Cow::Borrowed(&e.actions),
        detail: opt(&e.detail),
    }
}

/// The evidence list, converted while it is written.
pub(crate) fn evidence_list(list: &[Evidence]) -> v1::Seq<'_, v1::Evidence<'_>> {
    v1::Seq::lazy(list.len(), move || list.iter().map(evidence))
}

fn finding<'a>(report: &'a ScanReport, rf: &'a ReportedFinding) -> v1::Finding<'a> {
    let f = &rf.finding;
    v1::Finding {
        rule_id: b(&f.rule_id),
        severity: b(f.severity.as_str()),
        // A finding of a rule the report does not describe still needs a title.
        title: b(super::rule_meta(report, &f.rule_id).map_or(&f.rule_id, |r| &r.title)),
        resource: resource(&f.resource),
        account: b(&f.account),
        message: b(&f.message),
        evidence: evidence_list(&f.evidence),
        fingerprint: b(&f.fingerprint),
        suppressed: rf.suppressed.as_ref().map(|s| v1::Suppressed {
            reason: b(&s.reason),
            expires: opt(&s.expires),
        }),
        in_baseline: rf.in_baseline,
        fix_commands: Cow::Borrowed(&f.fix),
    }
}

fn principal(p: &PrincipalSummary) -> v1::Principal<'_> {
    v1::Principal {
        arn: b(&p.arn),
        kind: b(p.kind.as_str()),
        name: b(&p.name),
        complete: p.complete,
        allowed: p.allowed,
        limited: p.limited,
        denied: p.denied,
        workmail_admin: p.workmail_admin,
        designated_admin: p.designated_admin,
        sensitive_actions: Cow::Borrowed(&p.sensitive_actions),
        capabilities: p
            .capabilities
            .iter()
            .map(|(rule, n)| v1::Capability {
                rule: b(rule),
                actions: *n,
            })
            .collect(),
        reach: p
            .reach
            .iter()
            .map(|(goal, steps)| v1::ReachPath {
                goal: b(goal),
                steps: steps
                    .iter()
                    .map(|s| v1::ReachStep {
                        method: b(s.method.as_str()),
                        target: b(&s.target),
                        actions: s.actions.iter().map(|a| b(a)).collect(),
                        conditional: s.conditional,
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn not_evaluated(n: &crate::findings::NotEvaluated) -> v1::NotEvaluated<'_> {
    v1::NotEvaluated {
        rule_id: b(&n.rule_id),
        resource: n.resource.as_ref().map(resource),
        reason: b(&n.reason),
    }
}

pub(crate) fn configuration(c: &ConfigSummary) -> v1::Configuration<'_> {
    v1::Configuration {
        file: opt(&c.file),
        discovered: c.discovered,
        disabled_rules: Cow::Borrowed(&c.disabled_rules),
        severity_overrides: c
            .severity_overrides
            .iter()
            .map(|(rule, from, to)| v1::SeverityOverride {
                rule: b(rule),
                from: b(from.as_str()),
                to: b(to.as_str()),
            })
            .collect(),
        params_changed: c
            .params_changed
            .iter()
            .map(|(rule, keys)| v1::ParamsChanged {
                rule: b(rule),
                params: Cow::Borrowed(keys),
            })
            .collect(),
        suppressions: c.suppressions,
        administrator_patterns: Cow::Borrowed(&c.administrator_patterns),
        designated_by: b(if c.administrator_patterns.is_empty() {
            "default"
        } else {
            "configured"
        }),
        designated_administrators: Cow::Borrowed(&c.designated_administrators),
    }
}

pub(crate) fn end_of_support(e: &EndOfSupport) -> v1::EndOfSupport<'_> {
    v1::EndOfSupport {
        service: b(&e.service),
        ends_on: Cow::Owned(e.ends_on.to_string()),
        evaluated_on: Cow::Owned(e.evaluated_on.to_string()),
        date_from: b(e.date_from.as_str()),
        days_left: e.days_left,
        phase: b(if e.ended() { "clean_up" } else { "readiness" }),
        leftover_items: e.leftover_items,
        export_coverage: e.export.clone(),
    }
}

fn notice(n: &ConfigNotice) -> v1::Notice<'_> {
    v1::Notice {
        kind: b(notice_kind(&n.kind)),
        message: b(&n.message),
    }
}

fn rule(r: &RuleMeta) -> v1::Rule<'_> {
    v1::Rule {
        id: b(&r.id),
        title: b(&r.title),
        severity: b(r.severity.as_str()),
        rationale: b(&r.rationale),
        remediation: b(&r.remediation),
        example: opt(&r.example),
        references: r
            .references
            .iter()
            .map(|x| v1::Reference {
                title: b(&x.title),
                url: b(&x.url),
            })
            .collect(),
        tags: Cow::Borrowed(&r.tags),
    }
}

impl<'a> v1::Report<'a> {
    /// The wire form of a scan report, borrowing from it.
    pub fn from_scan(report: &'a ScanReport) -> v1::Report<'a> {
        let m = &report.meta;
        let counts = report.count_by_severity();
        let count = |s: Severity| counts.get(&s).copied().unwrap_or(0);
        let (suppressed, baseline) = super::hidden_counts(report);
        let c = &report.coverage;
        let g = &report.gate;
        v1::Report {
            schema: b(SCHEMA),
            tool: v1::Tool {
                name: b("wmaudit"),
                version: b(&m.tool_version),
            },
            scan: v1::Scan {
                account_id: b(&m.account_id),
                account_aliases: Cow::Borrowed(&m.account_aliases),
                source: b(source(&m.source)),
                caller_arn: opt(&m.caller_arn),
                collected_at: opt(&m.collected_at),
                evaluated_at: opt(&m.evaluated_at),
                api_calls: Cow::Borrowed(&m.api_calls),
                catalog_version: b(&m.catalog_version),
                scope_limits: b(super::SCOPE_LIMITS),
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
                fail_on: g.fail_on.map(|s| b(s.as_str())),
                failing: g.failing,
                incomplete: g.incomplete,
                allow_incomplete: g.allow_incomplete,
                exit_code: i32::from(g.verdict.exit_code()),
                passed: g.verdict == Verdict::Passed,
            },
            end_of_support: Some(end_of_support(&report.end_of_support)),
            configuration: Some(configuration(&report.config)),
            workmail: report.workmail.clone(),
            organization: report.organization.as_ref().map(|o| v1::AccountOrg {
                organization_id: b(&o.organization_id),
                name: b(&o.name),
                ou_path: b(&o.ou_path),
                management: o.management,
                service_control_policies: Cow::Borrowed(&o.scps),
                resource_control_policies: Cow::Borrowed(&o.rcps),
                bounded_principals: o.bounded_principals,
            }),
            baseline: report.baseline.as_ref().map(|d| v1::BaselineDelta {
                new: d.new,
                unchanged: d.unchanged,
                fixed: d
                    .fixed
                    .iter()
                    .map(|f| v1::FixedFinding {
                        fingerprint: b(&f.fingerprint),
                        rule_id: b(&f.rule_id),
                        resource: b(&f.resource),
                        message: b(&f.message),
                    })
                    .collect(),
            }),
            coverage: v1::Coverage {
                complete: c.is_complete(),
                not_collected: c
                    .not_collected
                    .iter()
                    .map(|g| v1::NotCollected {
                        part: b(g.part.as_str()),
                        reason: b(&g.reason),
                    })
                    .collect(),
                not_evaluated: c.not_evaluated.iter().map(not_evaluated).collect(),
                incomplete_principals: c
                    .incomplete_principals
                    .iter()
                    .map(|(arn, problems)| v1::IncompletePrincipal {
                        arn: b(arn),
                        problems: Cow::Borrowed(problems),
                    })
                    .collect(),
                builtin_policies_used: Cow::Borrowed(&c.builtin_policies_used),
                not_requested: c.not_requested.iter().map(not_evaluated).collect(),
            },
            findings: v1::Seq::lazy(report.findings.len(), move || {
                report.findings.iter().map(move |f| finding(report, f))
            }),
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
    /// report, several and none.
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
            assert_eq!(String::from_utf8(out).unwrap(), super::render_many(some));
        }
    }
}
