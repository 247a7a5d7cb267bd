//! Every shipped rule against two small hand-written snapshots in
//! `tests/fixtures/rules/<id>/`: `fires.json`, on which the rule must report
//! at least one finding, and `passes.json`, a near miss on which it must
//! report nothing and still be evaluated. Every result goes through the whole
//! `scan::scan`, and the findings of each fixture are insta snapshots so a
//! change of message or evidence shows up in review.
//!
//! Also: the *not evaluated* paths (missing credential report, missing policy
//! documents) and config behaviour (suppressions, baseline, severity
//! overrides, `fail_on`, designated administrators) through `scan`.
//!
//! The `bug_*` tests are regressions for check bugs found while writing
//! these fixtures (all fixed).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use wmaudit_core::config::Config;
use wmaudit_core::findings::{Finding, NotEvaluated, NoticeKind, ScanReport, Severity, Verdict};
use wmaudit_core::rules::{RuleSet, checks};
use wmaudit_core::scan::{ScanOptions, scan};
use wmaudit_core::snapshot::{Gap, Part, ReportDate, Snapshot, SourceKind, parse_snapshot};

/// Every fixture's credential report was generated at this instant.
const AS_OF: OffsetDateTime = datetime!(2026-11-20 09:00:00 UTC);
const ACCOUNT: &str = "111122223333";

// ---------------------------------------------------------------------------
// Helpers

fn fixtures_dir() -> PathBuf {
    Path::new(crate::REPO).join("tests/fixtures/rules")
}

fn fixture_path(rel: &str) -> PathBuf {
    fixtures_dir().join(rel)
}

fn load(rel: &str) -> Snapshot {
    let path = fixture_path(rel);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    parse_snapshot(&bytes, &path.display().to_string())
        .unwrap_or_else(|e| panic!("fixture {} is not a valid snapshot: {e}", path.display()))
}

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("the shipped rules load")
}

/// A rule set holding only this shipped rule.
fn only(id: &str) -> RuleSet {
    let mut set = RuleSet::default();
    let rule = builtin()
        .get(id)
        .unwrap_or_else(|| panic!("no shipped rule {id}"))
        .clone();
    set.add(rule).unwrap();
    set
}

fn options<'a>(rules: &'a RuleSet, config: &'a Config) -> ScanOptions<'a> {
    ScanOptions {
        as_of: Some(AS_OF),
        ..ScanOptions::new(rules, config)
    }
}

fn run(snapshot: &Snapshot, rules: &RuleSet) -> ScanReport {
    scan(snapshot, &options(rules, &Config::default()))
}

/// A scan evaluated at `as_of` instead of the fixtures' time.
fn scan_at(snapshot: &Snapshot, rules: &RuleSet, as_of: OffsetDateTime) -> ScanReport {
    scan(
        snapshot,
        &ScanOptions {
            as_of: Some(as_of),
            ..options(rules, &Config::default())
        },
    )
}

fn findings_of<'r>(report: &'r ScanReport, rule_id: &str) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .map(|f| &f.finding)
        .filter(|f| f.rule_id == rule_id)
        .collect()
}

fn not_evaluated_of<'r>(report: &'r ScanReport, rule_id: &str) -> Vec<&'r NotEvaluated> {
    report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| n.rule_id == rule_id)
        .collect()
}

/// The resource names a rule found something on, for short assertions.
fn flagged(report: &ScanReport, rule_id: &str) -> Vec<String> {
    findings_of(report, rule_id)
        .iter()
        .map(|f| format!("{}/{}", f.resource.kind.as_str(), f.resource.name))
        .collect()
}

/// One rule's results on one report, in the order the report has them.
fn render(report: &ScanReport, rule_id: &str) -> Value {
    let findings: Vec<Value> = findings_of(report, rule_id)
        .into_iter()
        .map(|f| {
            json!({
                "rule_id": f.rule_id,
                "severity": f.severity,
                "resource": {
                    "kind": f.resource.kind,
                    "name": f.resource.name,
                    "arn": f.resource.arn,
                },
                "message": f.message,
                "evidence": f.evidence,
                "discriminator": f.discriminator,
                "fingerprint": f.fingerprint,
                "fix": f.fix,
            })
        })
        .collect();
    let not_evaluated: Vec<Value> = not_evaluated_of(report, rule_id)
        .into_iter()
        .map(|n| {
            json!({
                "resource": n.resource.as_ref().map(|r| r.arn.clone()),
                "reason": n.reason,
            })
        })
        .collect();
    json!({ "findings": findings, "not_evaluated": not_evaluated })
}

// ---------------------------------------------------------------------------
// Every rule: fixtures, behaviour and documentation

#[test]
fn every_rule_fires_on_its_fixture_and_passes_its_near_miss() {
    let rules = builtin();
    // Guards against passing vacuously on an empty rule set.
    assert!(rules.len() >= 19, "only {} shipped rules", rules.len());
    let mut problems = Vec::new();
    for rule in rules.iter() {
        let id = &rule.meta.id;
        let mut missing = false;
        for fixture in ["fires", "passes"] {
            let path = fixture_path(&format!("{id}/{fixture}.json"));
            if !path.is_file() {
                problems.push(format!("{id}: missing fixture {}", path.display()));
                missing = true;
            }
        }
        if missing {
            continue;
        }

        let report = run(&load(&format!("{id}/fires.json")), &rules);
        if findings_of(&report, id).is_empty() {
            problems.push(format!("{id}: no finding on fires.json"));
        }
        for n in not_evaluated_of(&report, id) {
            problems.push(format!("{id}: not evaluated on fires.json: {}", n.reason));
        }

        let report = run(&load(&format!("{id}/passes.json")), &rules);
        for n in report
            .coverage
            .not_requested
            .iter()
            .filter(|n| &n.rule_id == id)
        {
            problems.push(format!("{id}: not requested on passes.json: {}", n.reason));
        }
        for f in findings_of(&report, id) {
            problems.push(format!("{id}: finding on passes.json: {}", f.message));
        }
        for n in not_evaluated_of(&report, id) {
            problems.push(format!(
                "{id}: not evaluated on passes.json (a pass must be evaluated): {}",
                n.reason
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_is_documented() {
    let mut problems = Vec::new();
    for rule in builtin().iter() {
        let m = &rule.meta;
        if m.title.trim().is_empty() {
            problems.push(format!("{}: empty title", m.id));
        }
        if m.rationale.trim().is_empty() {
            problems.push(format!("{}: empty rationale", m.id));
        }
        if m.remediation.trim().is_empty() {
            problems.push(format!("{}: empty remediation", m.id));
        }
        if m.example.as_deref().is_none_or(|e| e.trim().is_empty()) {
            problems.push(format!("{}: no example", m.id));
        }
        if m.references.is_empty() {
            problems.push(format!("{}: no reference", m.id));
        }
        for r in &m.references {
            if !r.url.starts_with("https://") || r.url.len() <= "https://".len() {
                problems.push(format!("{}: reference {:?} is not https", m.id, r.url));
            }
            if r.title.trim().is_empty() {
                problems.push(format!("{}: reference {} has no title", m.id, r.url));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A fixture directory for a rule that does not exist is a renamed or
/// removed rule whose fixtures were left behind. Directories starting with
/// `_` hold fixtures of the cross-rule tests below.
#[test]
fn fixture_directories_belong_to_rules() {
    let rules = builtin();
    let mut stray = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().unwrap().is_dir() {
            stray.push(format!("{name} (not a directory)"));
        } else if !name.starts_with('_') && rules.get(&name).is_none() {
            stray.push(name);
        }
    }
    assert!(stray.is_empty(), "fixtures for no rule: {stray:?}");
}

/// Fixtures stay small, readable files: 2-space pretty JSON, as imported
/// from files, for the one example account.
#[test]
fn fixtures_are_pretty_files_snapshots_of_one_account() {
    let mut checked = 0;
    let mut problems = Vec::new();
    let mut dirs = vec![fixtures_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(fixtures_dir())
                .unwrap()
                .display()
                .to_string();
            if path.extension().is_none_or(|e| e != "json") {
                problems.push(format!("{rel}: not a .json file"));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Value = serde_json::from_str(&text).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
            if text != pretty {
                problems.push(format!(
                    "{rel}: not 2-space pretty JSON with a final newline"
                ));
            }
            let snapshot =
                parse_snapshot(text.as_bytes(), &rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
            if snapshot.metadata.source != SourceKind::Files {
                problems.push(format!("{rel}: source is not \"files\""));
            }
            if snapshot.account_id().as_deref() != Some(ACCOUNT) {
                problems.push(format!("{rel}: account is not {ACCOUNT}"));
            }
            // Every absent part is a recorded gap, as `from_files` writes them.
            for part in Part::ALL {
                let gap = snapshot
                    .metadata
                    .not_collected
                    .iter()
                    .any(|g| g.part == part);
                if snapshot.has(part) == gap {
                    problems.push(format!(
                        "{rel}: {} is {} and {} a gap",
                        part.as_str(),
                        if snapshot.has(part) {
                            "present"
                        } else {
                            "absent"
                        },
                        if gap { "is" } else { "is not" }
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 38, "only {checked} fixtures found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Snapshots of every rule's results on its fixtures

/// Snapshots one rule's results on both of its fixtures.
fn snapshot_rule(id: &str) {
    let rules = builtin();
    for fixture in ["fires", "passes"] {
        let report = run(&load(&format!("{id}/{fixture}.json")), &rules);
        insta::assert_json_snapshot!(format!("{id}__{fixture}"), render(&report, id));
    }
}

macro_rules! snapshot_tests {
    ($($name:ident => $id:literal,)*) => {
        const SNAPSHOTTED: &[&str] = &[$($id),*];
        $(
            #[test]
            fn $name() {
                snapshot_rule($id);
            }
        )*
    };
}

snapshot_tests! {
    snapshot_iam_console_without_mfa => "iam-console-without-mfa",
    snapshot_iam_no_admin_group => "iam-no-admin-group",
    snapshot_iam_privilege_escalation => "iam-privilege-escalation",
    snapshot_iam_user_direct_policies => "iam-user-direct-policies",
    snapshot_root_access_keys => "root-access-keys",
    snapshot_root_hardware_mfa => "root-hardware-mfa",
    snapshot_root_mfa_disabled => "root-mfa-disabled",
    snapshot_root_recent_use => "root-recent-use",
    snapshot_root_used_for_audit => "root-used-for-audit",
    snapshot_workmail_admin_incomplete => "workmail-admin-incomplete",
    snapshot_workmail_admin_without_mfa => "workmail-admin-without-mfa",
    snapshot_workmail_destructive => "workmail-destructive",
    snapshot_workmail_direct_user_grant => "workmail-direct-user-grant",
    snapshot_workmail_escalation_path => "workmail-escalation-path",
    snapshot_workmail_export_role_broad => "workmail-export-role-broad",
    snapshot_workmail_export_role_confused_deputy => "workmail-export-role-confused-deputy",
    snapshot_workmail_export_rights => "workmail-export-rights",
    snapshot_workmail_leftover_permissions => "workmail-leftover-permissions",
    snapshot_workmail_leftover_roles => "workmail-leftover-roles",
    snapshot_workmail_mail_content_access => "workmail-mail-content-access",
    snapshot_workmail_messageflow_readonly_reads_mail => "workmail-messageflow-readonly-reads-mail",
    snapshot_workmail_no_admin => "workmail-no-admin",
    snapshot_workmail_permissions_unused => "workmail-permissions-unused",
    snapshot_workmail_policy_ineffective => "workmail-policy-ineffective",
    snapshot_workmail_readonly_can_write => "workmail-readonly-can-write",
    snapshot_workmail_role_external_trust => "workmail-role-external-trust",
    snapshot_workmail_unknown_action => "workmail-unknown-action",
    snapshot_workmail_via_wildcard => "workmail-via-wildcard",
    snapshot_workmail_impersonation_all_mailboxes => "workmail-impersonation-all-mailboxes",
    snapshot_workmail_impersonation_unscoped_iam => "workmail-impersonation-unscoped-iam",
    snapshot_workmail_mailbox_full_access_broad => "workmail-mailbox-full-access-broad",
    snapshot_workmail_access_rules_open => "workmail-access-rules-open",
    snapshot_workmail_email_monitoring_external => "workmail-email-monitoring-external",
    snapshot_workmail_personal_access_token_stale => "workmail-personal-access-token-stale",
    snapshot_workmail_mailboxes_not_exported => "workmail-mailboxes-not-exported",
}

#[test]
fn every_rule_has_a_snapshot_test() {
    let rules = builtin();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r.meta.id.as_str()).collect();
    let snapshotted: BTreeSet<&str> = SNAPSHOTTED.iter().copied().collect();
    assert_eq!(
        ids, snapshotted,
        "add the rule to snapshot_tests! (or remove it from there)"
    );
}

// ---------------------------------------------------------------------------
// Rule details the fixtures pin down

#[test]
fn fires_fixtures_flag_the_expected_resources() {
    let rules = builtin();
    let cases: &[(&str, &[&str])] = &[
        ("iam-console-without-mfa", &["user/carol"]),
        ("iam-no-admin-group", &["account/111122223333"]),
        (
            "iam-privilege-escalation",
            &["user/breakglass", "user/selfadmin"],
        ),
        ("iam-user-direct-policies", &["user/bob"]),
        ("root-access-keys", &["root/root"]),
        ("root-hardware-mfa", &["root/root"]),
        ("root-mfa-disabled", &["root/root"]),
        ("root-recent-use", &["root/root"]),
        ("root-used-for-audit", &["root/root"]),
        ("workmail-admin-incomplete", &["user/bob"]),
        ("workmail-admin-without-mfa", &["user/dave"]),
        ("workmail-destructive", &["user/grace"]),
        ("workmail-direct-user-grant", &["user/carol"]),
        (
            "workmail-escalation-path",
            &[
                "role/Hop",
                "user/assumer",
                "user/builder",
                "user/chain",
                "user/codeupdater",
                "user/defaulter",
                "user/eventer",
                "user/joiner",
                "user/keymaker",
                "user/lambdadev",
                "user/launcher",
                "user/namedonly",
                "user/rolewriter",
                "user/selfwriter",
                "user/stacker",
                "user/trustwriter",
            ],
        ),
        (
            "workmail-export-role-broad",
            &[
                "role/WorkMailExportRole",
                "role/WorkMailExportRole",
                "role/WorkMailExportRole",
                "role/WorkMailExportRole",
            ],
        ),
        (
            "workmail-export-role-confused-deputy",
            &[
                "role/CopiedExportRole",
                "role/MonitoringRole",
                "role/WorkMailExportRole",
            ],
        ),
        ("workmail-export-rights", &["user/vendor", "user/wildcard"]),
        (
            "workmail-leftover-permissions",
            &[
                "group/Support",
                "policy/MailOnlyBoundary",
                "policy/MailOps",
                "user/bob",
            ],
        ),
        (
            "workmail-leftover-roles",
            &[
                "role/AWSServiceRoleForAmazonWorkMailEvents",
                "role/MailFlowFunction",
                "role/MonitoringRole",
                "role/WorkMailExportRole",
            ],
        ),
        ("workmail-mail-content-access", &["role/MailMigrationRole"]),
        (
            "workmail-messageflow-readonly-reads-mail",
            &["group/Support"],
        ),
        ("workmail-no-admin", &["account/111122223333"]),
        ("workmail-permissions-unused", &["user/erin", "user/frank"]),
        ("workmail-policy-ineffective", &["user/erin", "user/judy"]),
        ("workmail-readonly-can-write", &["role/HelpDeskRole"]),
        (
            "workmail-role-external-trust",
            &[
                "role/GitHubExport",
                "role/MailVendor",
                "role/OpenAdmin",
                "role/UserProvisioning",
                "role/VendorHop",
            ],
        ),
        (
            "workmail-unknown-action",
            &["policy/MailFlowMessageAccess", "user/ivan", "user/ivan"],
        ),
        (
            "workmail-via-wildcard",
            &["policy/DevPowerUser", "user/ops-bot"],
        ),
        (
            "workmail-impersonation-all-mailboxes",
            &[
                "impersonation role/Archiver",
                "impersonation role/VendorReader",
            ],
        ),
        ("workmail-impersonation-unscoped-iam", &["role/MailVendor"]),
        (
            "workmail-mailbox-full-access-broad",
            &["mailbox/alice@example.com", "mailbox/bob@example.com"],
        ),
        (
            "workmail-access-rules-open",
            &["workmail organization/example-mail"],
        ),
        (
            "workmail-email-monitoring-external",
            &["workmail organization/example-mail"],
        ),
        (
            "workmail-mailboxes-not-exported",
            &[
                "mailbox/bob@example.com",
                "mailbox/carol@example.com",
                "mailbox/dave@example.com",
                "mailbox/erin@example.com",
                "mailbox/room@example.com",
            ],
        ),
        (
            "workmail-personal-access-token-stale",
            &[
                "personal access token/client-1",
                "personal access token/client-2",
                "personal access token/client-3",
            ],
        ),
    ];
    assert_eq!(cases.len(), rules.len());
    for (id, expected) in cases {
        let report = run(&load(&format!("{id}/fires.json")), &rules);
        let mut got = flagged(&report, id);
        got.sort();
        assert_eq!(got, *expected, "{id}");
    }
}

/// Info until 2027-03-01, high from that day (and after the end).
#[test]
fn mailboxes_not_exported_become_urgent_in_march_2027() {
    let rules = only("workmail-mailboxes-not-exported");
    let snapshot = load("workmail-mailboxes-not-exported/fires.json");
    let severities = |as_of: OffsetDateTime| {
        let report = scan_at(&snapshot, &rules, as_of);
        let mut s: Vec<Severity> = findings_of(&report, "workmail-mailboxes-not-exported")
            .iter()
            .map(|f| f.severity)
            .collect();
        s.dedup();
        s
    };
    assert_eq!(
        severities(datetime!(2027-02-28 23:59:59 UTC)),
        [Severity::Info]
    );
    assert_eq!(
        severities(datetime!(2027-03-01 00:00:00 UTC)),
        [Severity::High]
    );
    assert_eq!(
        severities(datetime!(2027-04-02 00:00:00 UTC)),
        [Severity::High]
    );
    let report = scan_at(&snapshot, &rules, datetime!(2027-04-02 00:00:00 UTC));
    let f = findings_of(&report, "workmail-mailboxes-not-exported");
    assert!(
        f[0].message.contains("WorkMail ended on 2027-03-31"),
        "{}",
        f[0].message
    );
    let coverage = report.end_of_support.export.as_ref().unwrap();
    assert_eq!(
        (
            coverage.mailboxes,
            coverage.exported,
            coverage.failed,
            coverage.running,
            coverage.never
        ),
        (6, 1, 1, 1, 3)
    );
    assert_eq!(coverage.since.as_deref(), Some("2026-11-13T09:00:00Z"));
    let text = report.end_of_support.export_text();
    assert_eq!(
        text,
        "1 of 6 mailboxes exported, 1 failed, 1 running, 3 never (export jobs known since \
         2026-11-13); contacts and tasks are not exported"
    );
}

#[test]
fn root_recent_use_window_is_inclusive_and_measured_from_as_of() {
    let rules = only("root-recent-use");
    // Root's latest use in passes.json: 2026-07-23T09:00:00Z.
    let snapshot = load("root-recent-use/passes.json");
    let at = |as_of: OffsetDateTime| {
        findings_of(&scan_at(&snapshot, &rules, as_of), "root-recent-use").len()
    };
    assert_eq!(at(datetime!(2026-10-21 09:00:00 UTC)), 1, "exactly 90 days");
    assert_eq!(at(datetime!(2026-10-21 09:00:01 UTC)), 0, "90 days and 1 s");
    assert_eq!(at(AS_OF), 0, "120 days");
}

/// Before WorkMail's last day the clean-up rules are a plan (info); from
/// that day on, clean-up at the rule's severity. The day itself counts as ended.
#[test]
fn end_of_support_rules_turn_from_plan_to_clean_up_on_the_day() {
    for id in ["workmail-leftover-permissions", "workmail-leftover-roles"] {
        let rules = only(id);
        let snapshot = load(&format!("{id}/fires.json"));
        let at = |as_of: OffsetDateTime| {
            let report = scan_at(&snapshot, &rules, as_of);
            let found = findings_of(&report, id);
            assert!(!found.is_empty(), "{id} fires at {as_of}");
            let severities: BTreeSet<Severity> = found.iter().map(|f| f.severity).collect();
            let messages: Vec<String> = found.iter().map(|f| f.message.clone()).collect();
            (severities, messages)
        };
        let (sev, msgs) = at(datetime!(2027-03-30 23:59:59 UTC));
        assert_eq!(sev, BTreeSet::from([Severity::Info]), "{id}");
        assert!(
            msgs.iter()
                .all(|m| m.contains("(in 1 day)") && m.contains("plan to")),
            "{msgs:?}"
        );
        let (sev, msgs) = at(datetime!(2027-03-31 00:00:00 UTC));
        assert_eq!(sev, BTreeSet::from([Severity::Medium]), "{id}");
        assert!(
            msgs.iter()
                .all(|m| m.contains("WorkMail ended on 2027-03-31") && !m.contains("plan to")),
            "{msgs:?}"
        );
    }
}

/// The date in the shipped rules is the one reports count down to.
#[test]
fn shipped_end_of_support_rules_use_the_workmail_date() {
    for id in ["workmail-leftover-permissions", "workmail-leftover-roles"] {
        let rule = builtin().get(id).unwrap().clone();
        let text = std::fs::read_to_string(Path::new(crate::REPO).join(format!("rules/{id}.toml")))
            .unwrap();
        assert!(
            text.contains(&format!(
                "ends = {}",
                wmaudit_core::rules::context::WORKMAIL_END_OF_SUPPORT
            )),
            "{}",
            rule.meta.id
        );
    }
}

#[test]
fn as_of_defaults_to_the_credential_report_generation_time() {
    // A report generated in 2016 with root used 9 days before: recent then,
    // whatever the wall clock says now.
    let mut snapshot = load("root-recent-use/fires.json");
    let report_data = snapshot.credential_report.as_mut().unwrap();
    report_data.generated_at = Some(ReportDate::parse("2016-03-01T00:00:00+00:00").unwrap());
    report_data.rows[0].password_last_used =
        ReportDate::parse("2016-02-21T10:00:00+00:00").unwrap();
    assert!(report_data.rows[0].is_root());

    let rules = only("root-recent-use");
    let config = Config::default();
    let report = scan(
        &snapshot,
        &ScanOptions {
            as_of: None,
            ..options(&rules, &config)
        },
    );
    assert_eq!(
        report.meta.evaluated_at.as_deref(),
        Some("2016-03-01T00:00:00Z")
    );
    assert_eq!(flagged(&report, "root-recent-use"), ["root/root"]);

    // Without a credential report or a collection time there is no data
    // time: the report shows none rather than the wall clock.
    let rules = only("root-used-for-audit");
    let report = scan(
        &load("root-used-for-audit/fires.json"),
        &ScanOptions {
            as_of: None,
            ..options(&rules, &config)
        },
    );
    assert_eq!(report.meta.evaluated_at, None);
    assert_eq!(flagged(&report, "root-used-for-audit"), ["root/root"]);
}

#[test]
fn rule_params_from_config_change_the_window() {
    let mut config = Config::parse(
        "[rules.root-recent-use]\nparams = { days = 180 }\n",
        "wmaudit.toml",
    )
    .unwrap();
    let mut rules = only("root-recent-use");
    config.apply(&mut rules).unwrap();
    let report = scan(
        &load("root-recent-use/passes.json"),
        &options(&rules, &config),
    );
    let f = findings_of(&report, "root-recent-use");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message
            .contains("2026-07-23T09:00:00Z (access_key_1_last_used_date)")
            && f[0].message.ends_with("within the last 180 days."),
        "{}",
        f[0].message
    );
}

// ---------------------------------------------------------------------------
// Not evaluated

/// The rules whose check needs this part of the snapshot.
fn rules_needing(part: Part) -> BTreeSet<String> {
    builtin()
        .iter()
        .filter(|r| checks::find(&r.check).unwrap().needs().contains(&part))
        .map(|r| r.meta.id.clone())
        .collect()
}

#[test]
fn without_a_credential_report_the_rules_that_need_it_are_not_evaluated() {
    let needing = rules_needing(Part::CredentialReport);
    assert_eq!(
        needing,
        [
            "iam-console-without-mfa",
            "root-access-keys",
            "root-hardware-mfa",
            "root-mfa-disabled",
            "root-recent-use",
            "workmail-admin-without-mfa",
        ]
        .map(String::from)
        .into(),
    );
    let rules = builtin();
    let snapshot = load("_not-evaluated/no-credential-report.json");
    let report = run(&snapshot, &rules);
    for id in &needing {
        assert!(
            findings_of(&report, id).is_empty(),
            "{id} reported a finding"
        );
        let ne = not_evaluated_of(&report, id);
        assert_eq!(ne.len(), 1, "{id}: {ne:?}");
        assert_eq!(ne[0].resource, None, "{id}");
        assert!(
            ne[0]
                .reason
                .contains("not provided (use --credential-report FILE)"),
            "{id}: {}",
            ne[0].reason
        );
    }
    // root-hardware-mfa needs the virtual MFA list too: both gaps are named.
    let hw = not_evaluated_of(&report, "root-hardware-mfa");
    assert!(
        hw[0].reason.contains("collect live to include it"),
        "{}",
        hw[0].reason
    );
    // Every other rule ran: the account data is complete.
    for rule in rules.iter().filter(|r| !needing.contains(&r.meta.id)) {
        assert!(
            not_evaluated_of(&report, &rule.meta.id).is_empty(),
            "{} was not evaluated",
            rule.meta.id
        );
    }
    assert!(report.coverage.incomplete_principals.is_empty());

    // Not evaluated makes the gate incomplete, unless allowed.
    let config = Config::default();
    let base = |allow_incomplete| {
        scan(
            &snapshot,
            &ScanOptions {
                fail_on: None,
                allow_incomplete,
                ..options(&rules, &config)
            },
        )
        .gate
    };
    let gate = base(false);
    assert!(gate.incomplete);
    assert_eq!(gate.verdict, Verdict::Incomplete);
    assert_eq!(base(true).verdict, Verdict::Passed);
}

#[test]
fn a_recorded_collection_gap_is_the_not_evaluated_reason() {
    let mut snapshot = load("_not-evaluated/no-credential-report.json");
    snapshot
        .metadata
        .not_collected
        .retain(|g| g.part != Part::CredentialReport);
    snapshot.metadata.not_collected.push(Gap {
        part: Part::CredentialReport,
        reason: "iam:GetCredentialReport: AccessDenied (add iam:GenerateCredentialReport and iam:GetCredentialReport to the auditor's policy)".into(),
    });
    let report = run(&snapshot, &only("root-mfa-disabled"));
    let ne = not_evaluated_of(&report, "root-mfa-disabled");
    assert_eq!(ne.len(), 1);
    assert!(
        ne[0]
            .reason
            .starts_with("iam:GetCredentialReport: AccessDenied"),
        "{}",
        ne[0].reason
    );

    // With no gap recorded at all, the reason still names the part.
    snapshot.metadata.not_collected.clear();
    let report = run(&snapshot, &only("root-mfa-disabled"));
    assert_eq!(
        not_evaluated_of(&report, "root-mfa-disabled")[0].reason,
        "credential_report was not provided"
    );
}

#[test]
fn a_credential_report_without_a_root_row_leaves_root_rules_not_evaluated() {
    let mut snapshot = load("root-mfa-disabled/fires.json");
    snapshot
        .credential_report
        .as_mut()
        .unwrap()
        .rows
        .retain(|r| !r.is_root());
    let report = run(&snapshot, &builtin());
    for id in ["root-access-keys", "root-mfa-disabled", "root-recent-use"] {
        assert!(findings_of(&report, id).is_empty(), "{id}");
        let ne = not_evaluated_of(&report, id);
        assert_eq!(ne.len(), 1, "{id}");
        assert!(
            ne[0].reason.contains("no <root_account> row"),
            "{id}: {}",
            ne[0].reason
        );
    }
}

const NINA: &str = "arn:aws:iam::111122223333:user/nina";

#[test]
fn a_missing_policy_document_makes_principal_rules_not_evaluated() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &builtin(),
    );
    assert_eq!(
        report.coverage.incomplete_principals.get(NINA),
        Some(&vec![
            "managed policy arn:aws:iam::111122223333:policy/MailOpsDelegated is attached but its document is not in the account data".to_owned()
        ])
    );
    for id in [
        "workmail-mail-content-access",
        "workmail-destructive",
        "workmail-readonly-can-write",
    ] {
        assert!(findings_of(&report, id).is_empty(), "{id}");
        let ne = not_evaluated_of(&report, id);
        assert_eq!(ne.len(), 1, "{id}: {ne:?}");
        let resource = ne[0].resource.as_ref().expect("names the principal");
        assert_eq!(resource.arn, NINA, "{id}");
        assert!(
            ne[0]
                .reason
                .starts_with("permissions of user nina could not be fully evaluated: ")
                && ne[0].reason.contains(
                    "MailOpsDelegated is attached but its document is not in the account data"
                ),
            "{id}: {}",
            ne[0].reason
        );
    }
}

#[test]
fn workmail_no_admin_is_not_evaluated_when_the_only_candidate_is_incomplete() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &only("workmail-no-admin"),
    );
    assert!(findings_of(&report, "workmail-no-admin").is_empty());
    let ne = not_evaluated_of(&report, "workmail-no-admin");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert_eq!(ne[0].resource, None);
    assert_eq!(
        ne[0].reason,
        format!(
            "no principal was found that can administer WorkMail, but 1 could not be fully evaluated: {NINA}"
        )
    );
    assert!(report.gate.incomplete);

    // Without the unreadable attachment nina is fully evaluated: a plain finding.
    let mut snapshot = load("_not-evaluated/missing-policy-document.json");
    let account = snapshot.account.as_mut().unwrap();
    account.users[0].attached_policies.clear();
    let report = run(&snapshot, &only("workmail-no-admin"));
    assert_eq!(
        flagged(&report, "workmail-no-admin"),
        ["account/111122223333"]
    );
    assert!(not_evaluated_of(&report, "workmail-no-admin").is_empty());
}

#[test]
fn a_complete_administrator_settles_workmail_no_admin_despite_incomplete_others() {
    // oscar's boundary is missing, but bob administers WorkMail: a finding
    // could not appear whatever oscar's boundary says.
    let report = run(
        &load("_not-evaluated/missing-boundary.json"),
        &only("workmail-no-admin"),
    );
    assert!(findings_of(&report, "workmail-no-admin").is_empty());
    assert!(not_evaluated_of(&report, "workmail-no-admin").is_empty());
    assert!(
        report
            .coverage
            .incomplete_principals
            .contains_key("arn:aws:iam::111122223333:user/oscar")
    );
}

// --- Checks that pass where they cannot know (see the ignore reasons) ------

#[test]

fn bug_admin_incomplete_reports_principal_with_missing_policy_not_evaluated() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &only("workmail-admin-incomplete"),
    );
    let ne = not_evaluated_of(&report, "workmail-admin-incomplete");
    assert_eq!(ne.len(), 1, "expected nina not evaluated, got {ne:?}");
    assert_eq!(ne[0].resource.as_ref().unwrap().arn, NINA);
}

#[test]

fn bug_policy_ineffective_reports_principal_with_missing_boundary_not_evaluated() {
    let report = run(
        &load("_not-evaluated/missing-boundary.json"),
        &only("workmail-policy-ineffective"),
    );
    assert!(findings_of(&report, "workmail-policy-ineffective").is_empty());
    let ne = not_evaluated_of(&report, "workmail-policy-ineffective");
    assert_eq!(ne.len(), 1, "expected oscar not evaluated, got {ne:?}");
    assert_eq!(
        ne[0].resource.as_ref().unwrap().arn,
        "arn:aws:iam::111122223333:user/oscar"
    );
}

#[test]

fn bug_direct_user_grant_reports_user_with_missing_direct_policy_not_evaluated() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &only("workmail-direct-user-grant"),
    );
    let ne = not_evaluated_of(&report, "workmail-direct-user-grant");
    assert_eq!(ne.len(), 1, "expected nina not evaluated, got {ne:?}");
    assert_eq!(ne[0].resource.as_ref().unwrap().arn, NINA);
}

#[test]

fn bug_user_direct_policies_reports_attachment_without_document() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &only("iam-user-direct-policies"),
    );
    let f = findings_of(&report, "iam-user-direct-policies");
    assert_eq!(f.len(), 1, "expected a finding on nina, got {f:?}");
    assert!(
        f[0].message.contains("MailOpsDelegated"),
        "{}",
        f[0].message
    );
}

#[test]

fn bug_admin_without_mfa_reports_incomplete_user_with_weak_credentials_not_evaluated() {
    let report = run(
        &load("_not-evaluated/missing-policy-document.json"),
        &only("workmail-admin-without-mfa"),
    );
    let ne = not_evaluated_of(&report, "workmail-admin-without-mfa");
    assert_eq!(ne.len(), 1, "expected nina not evaluated, got {ne:?}");
    assert_eq!(ne[0].resource.as_ref().unwrap().arn, NINA);
}

#[test]

fn bug_root_hardware_mfa_ignores_unassigned_leftover_device() {
    let report = run(
        &load("root-hardware-mfa/unassigned-leftover.json"),
        &only("root-hardware-mfa"),
    );
    assert_eq!(flagged(&report, "root-hardware-mfa"), Vec::<String>::new());
}

#[test]

fn bug_messageflow_readonly_on_mail_flow_lambda_role_is_accepted() {
    let report = run(
        &load("workmail-messageflow-readonly-reads-mail/lambda-role.json"),
        &only("workmail-messageflow-readonly-reads-mail"),
    );
    assert_eq!(
        flagged(&report, "workmail-messageflow-readonly-reads-mail"),
        Vec::<String>::new()
    );
}

#[test]

fn bug_no_admin_group_with_member_of_missing_group_is_not_evaluated() {
    let report = run(
        &load("iam-no-admin-group/member-of-missing-group.json"),
        &only("iam-no-admin-group"),
    );
    assert_eq!(flagged(&report, "iam-no-admin-group"), Vec::<String>::new());
    let ne = not_evaluated_of(&report, "iam-no-admin-group");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert!(ne[0].reason.contains("Administrators"), "{}", ne[0].reason);
}

#[test]
fn bug_via_wildcard_partial_notaction_does_not_claim_all() {
    let report = run(
        &load("workmail-via-wildcard/notaction-partial.json"),
        &only("workmail-via-wildcard"),
    );
    let f = findings_of(&report, "workmail-via-wildcard");
    assert_eq!(f.len(), 1, "a NotAction Allow is still flagged");
    assert!(!f[0].message.contains("all 125"), "{}", f[0].message);
}

#[test]

fn bug_unknown_action_after_wildcard_service_prefix_is_reported() {
    let report = run(
        &load("workmail-unknown-action/wildcard-service.json"),
        &only("workmail-unknown-action"),
    );
    assert_eq!(flagged(&report, "workmail-unknown-action"), ["user/ivan"]);
}

// ---------------------------------------------------------------------------
// Config behaviour through scan

const MIGRATION_ROLE: &str = "arn:aws:iam::111122223333:role/MailMigrationRole";

fn mail_content_scan(config: &Config, baseline: Option<BTreeSet<String>>) -> ScanReport {
    let rules = only("workmail-mail-content-access");
    scan(
        &load("workmail-mail-content-access/fires.json"),
        &ScanOptions {
            baseline: baseline.map(wmaudit_core::scan::Baseline::from_fingerprints),
            ..options(&rules, config)
        },
    )
}

fn parse_config(text: &str) -> Config {
    let mut config = Config::parse(text, "wmaudit.toml").unwrap();
    let mut rules = builtin();
    config.apply(&mut rules).unwrap();
    config
}

#[test]
fn unsuppressed_finding_fails_the_gate() {
    let report = mail_content_scan(&Config::default(), None);
    assert_eq!(report.findings.len(), 1);
    assert!(report.findings[0].is_active());
    assert_eq!(report.gate.failing, 1);
    assert_eq!(report.gate.verdict, Verdict::Failing);
    assert!(report.notices.is_empty());
}

#[test]
fn a_suppression_with_a_reason_suppresses_and_does_not_gate() {
    let config = parse_config(
        r#"
[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::111122223333:role/MailMigration*"
reason = "Mailbox export during the migration off WorkMail, ticket MIG-12"
expires = 2027-03-31
"#,
    );
    let report = mail_content_scan(&config, None);
    assert_eq!(report.findings.len(), 1);
    let f = &report.findings[0];
    assert_eq!(f.finding.resource.arn, MIGRATION_ROLE);
    let s = f.suppressed.as_ref().expect("suppressed");
    assert_eq!(
        s.reason,
        "Mailbox export during the migration off WorkMail, ticket MIG-12"
    );
    assert_eq!(s.expires.as_deref(), Some("2027-03-31"));
    assert!(!f.is_active());
    assert_eq!(report.gate.failing, 0);
    assert_eq!(report.gate.verdict, Verdict::Passed);
    assert!(report.notices.is_empty(), "{:?}", report.notices);
}

#[test]
fn an_expired_suppression_stops_applying_and_yields_a_notice() {
    let config = parse_config(
        r#"
[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::111122223333:role/MailMigrationRole"
reason = "Pilot export, ticket MIG-3"
expires = 2026-11-19
"#,
    );
    let report = mail_content_scan(&config, None);
    assert!(report.findings[0].suppressed.is_none());
    assert_eq!(report.gate.failing, 1);
    assert_eq!(report.notices.len(), 1);
    assert_eq!(report.notices[0].kind, NoticeKind::ExpiredSuppression);
    assert_eq!(
        report.notices[0].message,
        "suppression at line 2 (rule workmail-mail-content-access, resource arn:aws:iam::111122223333:role/MailMigrationRole) expired on 2026-11-19 and no longer applies"
    );
}

#[test]
fn a_suppression_expiring_today_still_applies() {
    let config = parse_config(
        r#"
[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::111122223333:role/MailMigrationRole"
reason = "Last day of the export window"
expires = 2026-11-20
"#,
    );
    let report = mail_content_scan(&config, None);
    assert!(report.findings[0].suppressed.is_some());
    // Still applies, and says it is about to lapse.
    assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    assert_eq!(report.notices[0].kind, NoticeKind::ExpiringSuppression);
    assert!(
        report.notices[0]
            .message
            .contains("expires on 2026-11-20 (today, its last day)"),
        "{:?}",
        report.notices
    );
}

/// Warned from 14 days before the expiry, not 15.
#[test]
fn a_suppression_expiring_within_14_days_is_warned_about() {
    let at = |expires: &str| {
        let config = parse_config(&format!(
            "[[suppress]]\nrule = \"workmail-mail-content-access\"\n\
             resource = \"arn:aws:iam::111122223333:role/MailMigrationRole\"\n\
             reason = \"export window\"\nexpires = {expires}\n"
        ));
        mail_content_scan(&config, None).notices
    };
    let warned = at("2026-12-04");
    assert_eq!(warned.len(), 1);
    assert!(warned[0].message.contains("(in 14 days)"), "{warned:?}");
    assert!(at("2026-12-05").is_empty());
}

#[test]
fn an_unused_suppression_yields_a_notice() {
    let config = parse_config(
        r#"
[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::111122223333:role/OldMigrationRole"
reason = "Decommissioned in 2025"

[[suppress]]
rule = "root-access-keys"
reason = "Not this rule's finding either"
"#,
    );
    let report = mail_content_scan(&config, None);
    assert!(report.findings[0].is_active());
    assert_eq!(report.gate.failing, 1);
    let notices: Vec<(NoticeKind, &str)> = report
        .notices
        .iter()
        .map(|n| (n.kind.clone(), n.message.as_str()))
        .collect();
    assert_eq!(
        notices,
        [
            (
                NoticeKind::UnusedSuppression,
                "suppression at line 2 (rule workmail-mail-content-access, resource arn:aws:iam::111122223333:role/OldMigrationRole) matches no finding; remove it"
            ),
            (
                NoticeKind::UnusedSuppression,
                "suppression at line 7 (rule root-access-keys, resource *) matches no finding; remove it"
            ),
        ]
    );
}

#[test]
fn a_baseline_fingerprint_removes_the_finding_from_the_gate() {
    let first = mail_content_scan(&Config::default(), None);
    let fingerprint = first.findings[0].finding.fingerprint.clone();
    assert_eq!(fingerprint.len(), 32);

    let report = mail_content_scan(&Config::default(), Some(BTreeSet::from([fingerprint])));
    assert!(report.findings[0].in_baseline);
    assert!(!report.findings[0].is_active());
    assert_eq!(report.gate.failing, 0);
    assert_eq!(report.gate.verdict, Verdict::Passed);

    // A baseline of other findings changes nothing.
    let report = mail_content_scan(
        &Config::default(),
        Some(BTreeSet::from([
            "0123456789abcdef0123456789abcdef".to_owned()
        ])),
    );
    assert!(report.findings[0].is_active());
    assert_eq!(report.gate.failing, 1);
}

#[test]
fn a_severity_override_changes_the_finding_and_the_gate() {
    let mut config = Config::parse(
        "[rules.workmail-mail-content-access]\nseverity = \"low\"\n",
        "wmaudit.toml",
    )
    .unwrap();
    let mut rules = only("workmail-mail-content-access");
    assert_eq!(
        rules
            .get("workmail-mail-content-access")
            .unwrap()
            .meta
            .severity,
        Severity::Critical
    );
    config.apply(&mut rules).unwrap();
    let report = scan(
        &load("workmail-mail-content-access/fires.json"),
        &options(&rules, &config),
    );
    assert_eq!(report.findings[0].finding.severity, Severity::Low);
    assert_eq!(report.rules[0].severity, Severity::Low);
    assert_eq!(report.gate.failing, 0, "low is below fail_on = high");
    assert_eq!(report.gate.verdict, Verdict::Passed);
}

#[test]
fn fail_on_none_never_fails() {
    let rules = builtin();
    let config = Config::default();
    for id in SNAPSHOTTED {
        let report = scan(
            &load(&format!("{id}/fires.json")),
            &ScanOptions {
                fail_on: None,
                allow_incomplete: true,
                ..options(&rules, &config)
            },
        );
        assert!(report.active().count() > 0, "{id}");
        assert_eq!(report.gate.failing, 0, "{id}");
        assert_eq!(report.gate.verdict, Verdict::Passed, "{id}");
    }
}

#[test]
fn config_administrators_exempt_a_role_from_mail_content_access() {
    let config = parse_config(
        r#"
[workmail]
administrators = [
  "arn:aws:iam::111122223333:role/MailMigration*",
  "arn:aws:iam::111122223333:group/WorkMailAdmins",
]
"#,
    );
    let report = mail_content_scan(&config, None);
    assert!(
        report.findings.is_empty(),
        "{:?}",
        report
            .findings
            .iter()
            .map(|f| &f.finding.message)
            .collect::<Vec<_>>()
    );
    assert!(not_evaluated_of(&report, "workmail-mail-content-access").is_empty());
    let designated: Vec<&str> = report
        .principals
        .iter()
        .filter(|p| p.designated_admin)
        .map(|p| p.arn.as_str())
        .collect();
    assert_eq!(
        designated,
        ["arn:aws:iam::111122223333:user/bob", MIGRATION_ROLE]
    );
}

#[test]
fn config_administrators_replace_the_group_default_and_say_so() {
    // Configured administrators replace the default (members of a group
    // holding AmazonWorkMailFullAccess): with only the role designated, bob's
    // mail-content actions are a finding, and the message says where
    // designation comes from.
    let config = parse_config(
        r#"
[workmail]
administrators = ["arn:aws:iam::111122223333:role/MailMigrationRole"]
"#,
    );
    let report = mail_content_scan(&config, None);
    assert_eq!(
        report
            .findings
            .iter()
            .map(|f| f.finding.resource.name.as_str())
            .collect::<Vec<_>>(),
        ["bob"]
    );
    let basis: Vec<&str> = report.findings[0]
        .finding
        .evidence
        .iter()
        .filter_map(|e| e.detail.as_deref())
        .filter(|d| d.starts_with("designated administrators"))
        .collect();
    assert_eq!(
        basis,
        ["designated administrators: workmail.administrators in the config"]
    );
    assert!(
        report.findings[0]
            .finding
            .message
            .contains("is not a designated WorkMail administrator"),
        "{}",
        report.findings[0].finding.message
    );
}

#[test]
fn a_disabled_rule_does_not_run() {
    let mut config = Config::parse(
        "[rules.workmail-mail-content-access]\nenabled = false\n",
        "wmaudit.toml",
    )
    .unwrap();
    let mut rules = builtin();
    config.apply(&mut rules).unwrap();
    assert!(rules.get("workmail-mail-content-access").is_none());
    let report = scan(
        &load("workmail-mail-content-access/fires.json"),
        &options(&rules, &config),
    );
    assert!(findings_of(&report, "workmail-mail-content-access").is_empty());
    assert!(not_evaluated_of(&report, "workmail-mail-content-access").is_empty());
}

/// Opt-in data: not asked for, the rule is *not requested* (listed, not a
/// gap); asked for and failed, it is not evaluated; a principal missing
/// from the data is not evaluated, never passed.
#[test]
fn last_accessed_is_opt_in_but_never_a_silent_pass() {
    let id = "workmail-permissions-unused";
    let rules = only(id);
    let mut snapshot = load(&format!("{id}/fires.json"));
    let data = snapshot.service_last_accessed.take().unwrap();

    let report = run(&snapshot, &rules);
    assert!(findings_of(&report, id).is_empty());
    assert!(not_evaluated_of(&report, id).is_empty());
    assert!(report.coverage.is_complete());
    let nr = &report.coverage.not_requested;
    assert_eq!(nr.len(), 1, "{nr:?}");
    assert!(nr[0].reason.contains("--last-accessed"), "{nr:?}");

    let mut failed = snapshot.clone();
    failed.metadata.not_collected.push(Gap {
        part: Part::ServiceLastAccessed,
        reason: "AccessDenied: iam:GenerateServiceLastAccessedDetails".into(),
    });
    let report = run(&failed, &rules);
    assert!(report.coverage.not_requested.is_empty());
    let ne = not_evaluated_of(&report, id);
    assert_eq!(ne.len(), 1);
    assert!(ne[0].reason.contains("AccessDenied"), "{ne:?}");
    assert!(!report.coverage.is_complete());

    let mut partial = snapshot.clone();
    let mut some = data.clone();
    some.retain(|arn, _| arn.ends_with("/erin"));
    partial.service_last_accessed = Some(some);
    let report = run(&partial, &rules);
    assert_eq!(flagged(&report, id), ["user/erin"]);
    let ne = not_evaluated_of(&report, id);
    assert_eq!(ne.len(), 1);
    assert!(ne[0].reason.contains("User frank"), "{ne:?}");
}

/// workmail-role-external-trust judges mail content with the same actions
/// as workmail-mail-content-access: one list, kept equal.
#[test]
fn external_trust_uses_the_mail_content_list() {
    let rules = builtin();
    let of = |id: &str, key: &str| rules.get(id).unwrap().params.get(key).cloned();
    assert_eq!(
        of("workmail-role-external-trust", "mail_content"),
        of("workmail-mail-content-access", "actions")
    );
    assert_eq!(
        of("workmail-escalation-path", "actions"),
        of("workmail-mail-content-access", "actions")
    );
}
