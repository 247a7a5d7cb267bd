//! The report renderers: every format over a hand-built report, validated
//! against the official SARIF 2.1.0 schema and our own JSON Schema, plus the
//! GitHub code scanning rules no schema checks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use jsonschema::Validator;
use proptest::prelude::*;
use serde_json::Value;
use wmaudit_core::eval::PrincipalKind;
use wmaudit_core::findings::{
    ConfigNotice, ConfigSummary, Coverage, DateSource, EndOfSupport, Evidence, Finding, Gate,
    NotEvaluated, NoticeKind, PrincipalSummary, Reference, ReportedFinding, Resource, ResourceKind,
    RuleMeta, ScanMeta, ScanReport, Severity, Suppressed, Verdict,
};
use wmaudit_core::report::{self, Format, RenderOptions};
use wmaudit_core::snapshot::{Gap, Part, SourceKind};

const ACCOUNT: &str = "111122223333";

// ---------------------------------------------------------------------------
// Fixtures

fn rule(id: &str, title: &str, severity: Severity, url: Option<&str>) -> RuleMeta {
    RuleMeta {
        id: id.to_owned(),
        title: title.to_owned(),
        severity,
        rationale: format!("Why {id} matters: WorkMail data is at stake."),
        remediation: format!("Fix {id}:\n\n1. Open the IAM console.\n2. Remove the access."),
        example: (id == "wildcard-workmail-policy").then(|| {
            "```json\n{\"Effect\": \"Allow\", \"Action\": \"workmail:*\"}\n```".to_owned()
        }),
        references: url
            .map(|u| {
                vec![Reference {
                    title: "AWS documentation".to_owned(),
                    url: u.to_owned(),
                }]
            })
            .unwrap_or_default(),
        tags: vec!["iam".to_owned(), "workmail".to_owned()],
    }
}

fn arn(rest: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{rest}")
}

fn finding(
    rule_id: &str,
    severity: Severity,
    kind: ResourceKind,
    name: &str,
    arn: &str,
    message: &str,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding::builder(rule_id, severity, ACCOUNT)
        .resource(kind, name, arn)
        .message(message)
        .evidence_all(evidence)
        .build()
        .expect("fixture finding")
}

fn active(f: Finding) -> ReportedFinding {
    ReportedFinding {
        finding: f,
        suppressed: None,
        in_baseline: false,
    }
}

/// Seven findings over every severity and resource kind: one suppressed, one
/// in the baseline, a user name with a space, a message with `|` and a
/// newline, the root user's `<root_account>` name.
fn sample_report() -> ScanReport {
    let rules = vec![
        rule(
            "root-access-keys",
            "Root user has access keys",
            Severity::Critical,
            Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"),
        ),
        rule(
            "workmail-admin-without-mfa",
            "WorkMail administrator without MFA",
            Severity::High,
            None,
        ),
        rule(
            "wildcard-workmail-policy",
            "Policy grants workmail:* on *",
            Severity::Medium,
            None,
        ),
        rule(
            "role-trusts-any-account",
            "Role trusts any AWS account",
            Severity::Medium,
            None,
        ),
        rule(
            "password-policy-weak",
            "Account password policy is weak",
            Severity::Low,
            None,
        ),
        rule(
            "group-without-members",
            "Group with WorkMail access has no members",
            Severity::Info,
            None,
        ),
        rule(
            "unused-rule",
            "A rule with no findings",
            Severity::Low,
            None,
        ),
    ];
    let policy_evidence = Evidence {
        policy: Some("arn:aws:iam::aws:policy/AmazonWorkMailFullAccess".to_owned()),
        attached: Some("through group mail-admins".to_owned()),
        statement: Some(0),
        sid: None,
        actions: vec!["workmail:*".into()],
        detail: None,
    };
    let mut findings = vec![
        active(finding(
            "root-access-keys",
            Severity::Critical,
            ResourceKind::RootUser,
            "<root_account>",
            &arn("root"),
            "The root user <root_account> has an active access key.",
            vec![Evidence {
                detail: Some("access_key_1_active=true".to_owned()),
                ..Evidence::default()
            }],
        )),
        active(finding(
            "workmail-admin-without-mfa",
            Severity::High,
            ResourceKind::User,
            "alice smith",
            &arn("user/alice smith"),
            "User alice smith can administer WorkMail but has no MFA device.",
            vec![policy_evidence.clone()],
        )),
        ReportedFinding {
            finding: finding(
                "workmail-admin-without-mfa",
                Severity::High,
                ResourceKind::User,
                "carol",
                &arn("user/carol"),
                "User carol can administer WorkMail but has no MFA device.",
                vec![policy_evidence],
            ),
            suppressed: Some(Suppressed {
                reason: "break-glass account, MFA in the safe".to_owned(),
                expires: Some("2030-01-01".to_owned()),
            }),
            in_baseline: false,
        },
        active(finding(
            "wildcard-workmail-policy",
            Severity::Medium,
            ResourceKind::Policy,
            "mail-ops",
            &arn("policy/mail-ops"),
            "Policy mail-ops grants workmail:* on * | review it.\nIt is attached to 2 principals.",
            vec![Evidence {
                policy: Some(arn("policy/mail-ops")),
                statement: Some(1),
                sid: Some("AllMail".to_owned()),
                actions: vec!["workmail:*".into()],
                ..Evidence::default()
            }],
        )),
        ReportedFinding {
            finding: finding(
                "role-trusts-any-account",
                Severity::Medium,
                ResourceKind::Role,
                "MailRelay",
                &arn("role/MailRelay"),
                "Role MailRelay can be assumed from any AWS account.",
                vec![],
            ),
            suppressed: None,
            in_baseline: true,
        },
        active(finding(
            "password-policy-weak",
            Severity::Low,
            ResourceKind::Account,
            ACCOUNT,
            &format!("arn:aws:iam::{ACCOUNT}:account"),
            "Account 111122223333 has no password policy.",
            vec![Evidence {
                detail: Some("GetAccountPasswordPolicy: NoSuchEntity".to_owned()),
                ..Evidence::default()
            }],
        )),
        active(finding(
            "group-without-members",
            Severity::Info,
            ResourceKind::Group,
            "mail-admins",
            &arn("group/mail-admins"),
            "Group mail-admins grants WorkMail access but has no members.",
            vec![],
        )),
    ];
    findings.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));

    ScanReport {
        meta: ScanMeta {
            tool_version: "0.1.0".to_owned(),
            source: SourceKind::Live,
            account_id: ACCOUNT.to_owned(),
            account_aliases: vec!["corp-mail".to_owned()],
            caller_arn: Some(arn("user/auditor")),
            collected_at: Some("2025-01-15T10:00:00Z".to_owned()),
            evaluated_at: Some("2025-01-15T09:58:12Z".to_owned()),
            api_calls: BTreeMap::from([
                ("sts:GetCallerIdentity".to_owned(), 1),
                ("iam:GetAccountAuthorizationDetails".to_owned(), 2),
            ]),
            catalog_version: "2025-01-01".to_owned(),
        },
        rules,
        findings,
        coverage: Coverage {
            not_collected: vec![Gap {
                part: Part::VirtualMfaDevices,
                reason: "AccessDenied: iam:ListVirtualMFADevices".to_owned(),
            }],
            not_evaluated: vec![
                NotEvaluated {
                    rule_id: "root-mfa".to_owned(),
                    resource: None,
                    reason: "virtual_mfa_devices was not collected".to_owned(),
                },
                NotEvaluated {
                    rule_id: "role-trusts-any-account".to_owned(),
                    resource: Some(Resource {
                        arn: arn("role/Legacy Role"),
                        kind: ResourceKind::Role,
                        name: "Legacy Role".to_owned(),
                    }),
                    reason: "trust policy could not be parsed".to_owned(),
                },
            ],
            incomplete_principals: BTreeMap::from([(
                arn("role/MailRelay"),
                vec!["inline policy relay: unknown condition operator".to_owned()],
            )]),
            builtin_policies_used: vec!["AmazonWorkMailFullAccess".to_owned()],
            not_requested: vec![],
        },
        principals: vec![
            PrincipalSummary {
                arn: arn("user/alice smith"),
                kind: PrincipalKind::User,
                name: "alice smith".to_owned(),
                complete: true,
                allowed: 210,
                limited: 0,
                denied: 0,
                workmail_admin: true,
                designated_admin: false,
                sensitive_actions: vec!["workmail:ResetPassword".to_owned()],
                capabilities: vec![("workmail-mail-content-access".to_owned(), 1)],
                reach: vec![],
            },
            PrincipalSummary {
                arn: arn("role/MailRelay"),
                kind: PrincipalKind::Role,
                name: "MailRelay".to_owned(),
                complete: false,
                allowed: 2,
                limited: 1,
                denied: 0,
                workmail_admin: false,
                designated_admin: false,
                sensitive_actions: vec![],
                capabilities: vec![],
                reach: vec![(
                    "admin_equivalent",
                    vec![wmaudit_core::reach::Step {
                        method: wmaudit_core::reach::Method::AssumeRole,
                        target: arn("role/Admin"),
                        actions: vec!["sts:AssumeRole"],
                        conditional: true,
                    }],
                )],
            },
        ],
        notices: vec![
            ConfigNotice {
                kind: NoticeKind::ExpiredSuppression,
                message: "suppression #2 (rule root-access-keys) expired on 2024-12-31".to_owned(),
            },
            ConfigNotice {
                kind: NoticeKind::UnusedSuppression,
                message: "suppression #3 (rule group-without-members, user bob) matched nothing"
                    .to_owned(),
            },
        ],
        gate: Gate {
            fail_on: Some(Severity::High),
            failing: 2,
            incomplete: true,
            allow_incomplete: false,
            verdict: Verdict::Failing,
        },
        end_of_support: EndOfSupport {
            service: "WorkMail".to_owned(),
            ends_on: time::macros::date!(2027 - 03 - 31),
            evaluated_on: time::macros::date!(2025 - 01 - 15),
            date_from: DateSource::Input,
            days_left: 805,
            leftover_items: 0,
            export: None,
        },
        workmail: None,
        config: ConfigSummary::default(),
        baseline: None,
        display_filter: None,
        organization: None,
    }
}

/// A clean scan: no findings, complete coverage, no rules even.
fn empty_report() -> ScanReport {
    let mut r = sample_report();
    r.rules.clear();
    r.findings.clear();
    r.coverage = Coverage::default();
    r.principals.clear();
    r.notices.clear();
    r.meta.account_aliases.clear();
    r.meta.caller_arn = None;
    r.meta.collected_at = None;
    r.meta.evaluated_at = None;
    r.meta.api_calls.clear();
    r.meta.source = SourceKind::Files;
    r.gate = Gate {
        fail_on: None,
        failing: 0,
        incomplete: false,
        allow_incomplete: false,
        verdict: Verdict::Passed,
    };
    r
}

const PLAIN: RenderOptions = RenderOptions {
    color: false,
    width: Some(80),
    ..RenderOptions::PLAIN
};

fn parse(s: &str) -> Value {
    serde_json::from_str(s).expect("renderer output is JSON")
}

// ---------------------------------------------------------------------------
// Validators, compiled once.

fn load(path: &str) -> Value {
    let full = format!("{}/{path}", crate::REPO);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn validator(schema: &Value) -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles")
}

static SARIF_SCHEMA: LazyLock<Validator> =
    LazyLock::new(|| validator(&load("tests/schemas/sarif-2.1.0.json")));

/// One account's object (`wmaudit-report/1`, an item of `accounts`).
static REPORT_SCHEMA: LazyLock<Validator> =
    LazyLock::new(|| validator(&load("docs/wmaudit-report-v1.schema.json")));

/// The document of a run (`wmaudit-report/2`).
static DOCUMENT_SCHEMA: LazyLock<Validator> =
    LazyLock::new(|| validator(&load("docs/wmaudit-report-v2.schema.json")));

/// The published schema allows unknown properties (additive changes); this
/// strict copy does not, so a field added to the output without being
/// documented in the schema fails the test.
static STRICT_REPORT_SCHEMA: LazyLock<Validator> = LazyLock::new(|| {
    fn close(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                    m.insert("additionalProperties".to_owned(), Value::Bool(false));
                }
                m.values_mut().for_each(close);
            }
            Value::Array(a) => a.iter_mut().for_each(close),
            _ => {}
        }
    }
    let mut s = load("docs/wmaudit-report-v2.schema.json");
    close(&mut s);
    validator(&s)
});

/// The v2 schema's account is the v1 schema, word for word: they cannot drift.
#[test]
fn the_document_schema_embeds_the_account_schema() {
    let v1 = load("docs/wmaudit-report-v1.schema.json");
    let v2 = load("docs/wmaudit-report-v2.schema.json");
    for (k, v) in v1["$defs"].as_object().unwrap() {
        assert_eq!(&v2["$defs"][k], v, "$defs/{k}");
    }
    let account = &v2["$defs"]["account"];
    for k in ["type", "required", "properties"] {
        assert_eq!(account[k], v1[k], "{k}");
    }
}

fn assert_valid(v: &Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}",
        errors.join("\n")
    );
}

/// What GitHub code scanning refuses and no schema catches.
fn assert_github_rules(sarif: &Value) {
    let runs = sarif["runs"].as_array().expect("runs");
    let mut ids = BTreeSet::new();
    for run in runs {
        let id = run["automationDetails"]["id"]
            .as_str()
            .expect("automationDetails.id");
        assert!(ids.insert(id.to_owned()), "two runs share category {id}");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for r in rules {
            let sev = r["properties"]["security-severity"]
                .as_str()
                .expect("security-severity is a string");
            let n: f64 = sev.parse().expect("security-severity is numeric");
            assert!((0.1..=10.0).contains(&n), "{sev}");
            let tags = r["properties"]["tags"].as_array().expect("tags");
            assert!(tags.len() <= 20);
            assert!(tags.iter().any(|t| t == "security"));
            assert!(
                r["shortDescription"]["text"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .count()
                    <= 1024
            );
        }
        let results = run["results"].as_array().expect("results array present");
        let mut hashes = BTreeSet::new();
        for res in results {
            let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(
                rules[idx]["id"], res["ruleId"],
                "ruleIndex points at ruleId"
            );
            let locs = res["locations"].as_array().expect("locations");
            assert_eq!(locs.len(), 1);
            let uri = locs[0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("physicalLocation.artifactLocation.uri");
            assert!(!uri.is_empty());
            assert!(!uri.starts_with("arn:"), "{uri}");
            assert!(!uri.starts_with('/'), "{uri} is not relative");
            let before_slash = uri.split('/').next().unwrap_or("");
            assert!(!before_slash.contains(':'), "{uri} has a scheme");
            assert!(
                !uri.bytes().any(|b| b == b' ' || !b.is_ascii_graphic()),
                "{uri} is not percent-encoded"
            );
            let lower = uri.to_ascii_lowercase();
            assert!(!lower.contains("test") && !lower.contains("docs"), "{uri}");
            let region = &locs[0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], 1);
            assert_eq!(region["startColumn"], 1);
            let hash = res["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("primaryLocationLineHash");
            assert!(!hash.is_empty());
            assert!(hashes.insert(hash.to_owned()), "duplicate hash {hash}");
            assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        }
    }
}

// ---------------------------------------------------------------------------
// Format selection

#[test]
fn format_names_parse() {
    for f in Format::ALL {
        assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        assert_eq!(f.to_string(), f.as_str());
    }
    assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
    assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
    assert!("xml".parse::<Format>().is_err());
}

#[test]
fn every_format_is_deterministic_and_ends_with_newline() {
    let a = sample_report();
    let b = sample_report();
    for f in Format::ALL {
        for opts in [PLAIN, RenderOptions::default()] {
            let x = report::render(f, &a, &opts);
            assert_eq!(x, report::render(f, &a, &opts), "{f} twice");
            assert_eq!(x, report::render(f, &b, &opts), "{f} equal input");
            assert!(x.ends_with('\n') && !x.ends_with("\n\n"), "{f}");
        }
    }
}

#[test]
fn machine_formats_ignore_render_options() {
    let r = sample_report();
    let colored = RenderOptions {
        color: true,
        width: Some(40),
        ..RenderOptions::PLAIN
    };
    for f in [Format::Json, Format::Sarif, Format::Markdown] {
        assert_eq!(
            report::render(f, &r, &PLAIN),
            report::render(f, &r, &colored)
        );
        assert!(!report::render(f, &r, &colored).contains('\u{1b}'));
    }
}

#[test]
fn several_accounts_render_as_one_document() {
    let a = sample_report();
    let mut b = empty_report();
    b.meta.account_id = "444455556666".to_owned();
    let both = [a.clone(), b.clone()];
    for f in Format::ALL {
        assert_eq!(
            report::render_all(f, std::slice::from_ref(&a), &PLAIN),
            report::render(f, &a, &PLAIN),
            "{f}: one account is the plain report"
        );
        let out = report::render_all(f, &both, &PLAIN);
        assert!(
            out.contains("111122223333") && out.contains("444455556666"),
            "{f}"
        );
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "{f}");
    }
    let json = parse(&report::render_all(Format::Json, &both, &PLAIN));
    assert_valid(&STRICT_REPORT_SCHEMA, &json, "two accounts");
    let items = json["accounts"].as_array().expect("accounts: an array");
    assert_eq!(items.len(), 2);
    assert_eq!(json["overview"].as_array().unwrap().len(), 2);
    // One account is an array of one: the shape never changes with the count.
    let one = parse(&report::render_all(
        Format::Json,
        std::slice::from_ref(&a),
        &PLAIN,
    ));
    assert_eq!(one["accounts"].as_array().unwrap().len(), 1);
    let none = parse(&report::render_all(Format::Json, &[], &PLAIN));
    assert_eq!(none["accounts"], serde_json::json!([]));
    assert_valid(&STRICT_REPORT_SCHEMA, &none, "no accounts");
    let sarif = parse(&report::render_all(Format::Sarif, &both, &PLAIN));
    assert_valid(&SARIF_SCHEMA, &sarif, "two accounts");
    assert_github_rules(&sarif);
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 2);
    let none = parse(&report::render_all(Format::Sarif, &[], &PLAIN));
    assert_valid(&SARIF_SCHEMA, &none, "no accounts");
}

// ---------------------------------------------------------------------------
// JSON

#[test]
fn json_validates_against_its_schema() {
    for (name, r) in [("sample", sample_report()), ("empty", empty_report())] {
        let doc = parse(&report::render(Format::Json, &r, &PLAIN));
        assert_valid(&DOCUMENT_SCHEMA, &doc, name);
        assert_valid(&STRICT_REPORT_SCHEMA, &doc, name);
        let account = parse(&report::json::render(&r));
        assert_valid(&REPORT_SCHEMA, &account, name);
        assert_eq!(doc["accounts"][0], account, "{name}");
    }
}

#[test]
fn json_schema_rejects_what_it_should() {
    let whole = parse(&report::render(Format::Json, &sample_report(), &PLAIN));
    let mut bad = whole.clone();
    bad["accounts"] = serde_json::json!({});
    assert!(
        !DOCUMENT_SCHEMA.is_valid(&bad),
        "accounts is always an array"
    );
    let mut bad = whole.clone();
    bad["schema"] = "wmaudit-report/1".into();
    assert!(!DOCUMENT_SCHEMA.is_valid(&bad));
    let mut bad = whole;
    bad["accounts"][0]["findings"][0]["severity"] = "urgent".into();
    assert!(!DOCUMENT_SCHEMA.is_valid(&bad), "accounts are checked");
    let doc = parse(&report::json::render(&sample_report()));
    let mut bad = doc.clone();
    bad["schema"] = "wmaudit-report/2".into();
    assert!(!REPORT_SCHEMA.is_valid(&bad));
    let mut bad = doc.clone();
    bad["findings"][0]["severity"] = "urgent".into();
    assert!(!REPORT_SCHEMA.is_valid(&bad));
    let mut bad = doc.clone();
    bad["scan"]["collected_at"] = "yesterday".into();
    assert!(!REPORT_SCHEMA.is_valid(&bad), "date-time format is checked");
    // Additive changes stay valid against the published schema.
    let mut added = doc;
    added["scan"]["new_field"] = 1.into();
    assert!(REPORT_SCHEMA.is_valid(&added));
}

#[test]
fn json_content() {
    let r = sample_report();
    let whole = report::render(Format::Json, &r, &PLAIN);
    assert!(
        whole.starts_with("{\n  \"schema\": \"wmaudit-report/2\",\n  \"tool\": {\n    \"name\"")
    );
    let text = report::json::render(&r);
    assert!(
        text.starts_with("{\n  \"schema\": \"wmaudit-report/1\",\n  \"tool\": {\n    \"name\"")
    );
    let doc = parse(&text);
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema",
            "tool",
            "scan",
            "summary",
            "gate",
            "end_of_support",
            "configuration",
            "baseline",
            "workmail",
            "organization",
            "coverage",
            "findings",
            "principals",
            "notices",
            "rules"
        ]
    );
    let relay = &doc["principals"][1];
    assert_eq!(relay["reach"][0]["goal"], "admin_equivalent", "{relay}");
    assert_eq!(relay["reach"][0]["steps"][0]["method"], "assume_role");
    assert_eq!(relay["reach"][0]["steps"][0]["conditional"], true);
    assert_eq!(doc["principals"][0]["reach"], serde_json::json!([]));
    assert_eq!(doc["end_of_support"]["phase"], "readiness");
    assert_eq!(doc["end_of_support"]["days_left"], 805);
    assert_eq!(doc["end_of_support"]["date_from"], "input");
    assert_eq!(doc["tool"]["version"], "0.1.0");
    assert_eq!(doc["scan"]["account_aliases"][0], "corp-mail");
    assert_eq!(doc["scan"]["source"], "live");
    // api_calls keys sorted whatever the insertion order.
    let calls: Vec<&String> = doc["scan"]["api_calls"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        calls,
        [
            "iam:GetAccountAuthorizationDetails",
            "sts:GetCallerIdentity"
        ]
    );

    let s = &doc["summary"];
    assert_eq!(
        (
            s["critical"].as_u64(),
            s["high"].as_u64(),
            s["medium"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!((s["low"].as_u64(), s["info"].as_u64()), (Some(1), Some(1)));
    assert_eq!(s["total"], 5);
    assert_eq!(s["suppressed"], 1);
    assert_eq!(s["baseline"], 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        7,
        "suppressed and baseline findings are in the JSON"
    );

    assert_eq!(doc["gate"]["fail_on"], "high");
    assert_eq!(doc["gate"]["passed"], false);
    assert_eq!(doc["coverage"]["complete"], false);
    assert_eq!(doc["coverage"]["not_evaluated"][0]["resource"], Value::Null);
    assert_eq!(
        doc["coverage"]["not_collected"][0]["part"],
        "virtual_mfa_devices"
    );

    let root = &findings[0];
    assert_eq!(root["rule_id"], "root-access-keys");
    assert_eq!(root["title"], "Root user has access keys");
    assert_eq!(root["resource"]["kind"], "root");
    assert_eq!(root["suppressed"], Value::Null);
    assert_eq!(
        root["evidence"][0]["policy"],
        Value::Null,
        "absent evidence is null"
    );
    assert_eq!(root["evidence"][0]["actions"], serde_json::json!([]));
    assert_eq!(
        root["fingerprint"],
        r.findings[0].finding.fingerprint.as_str()
    );
    let carol = findings
        .iter()
        .find(|f| f["resource"]["name"] == "carol")
        .unwrap();
    assert_eq!(carol["suppressed"]["expires"], "2030-01-01");
    assert_eq!(doc["principals"][1]["kind"], "role");
    assert_eq!(doc["notices"][0]["kind"], "expired_suppression");
    assert_eq!(doc["rules"].as_array().unwrap().len(), 7);
    assert_eq!(doc["rules"][1]["example"], Value::Null);
}

#[test]
fn json_round_trips_through_the_wire_types() {
    use wmaudit_core::report::json::v1;
    let scan = sample_report();
    let text = report::json::render(&scan);
    let back: v1::Report = serde_json::from_str(&text).expect("v1 deserializes its own output");
    assert_eq!(back, v1::Report::from_scan(&scan));
    // And the value read back writes the same bytes: one model both ways.
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::from_str::<Value>(&text).unwrap()
    );
}

// ---------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_official_schema() {
    for (name, r) in [("sample", sample_report()), ("empty", empty_report())] {
        let doc = parse(&report::render(Format::Sarif, &r, &PLAIN));
        assert_valid(&SARIF_SCHEMA, &doc, name);
        assert_github_rules(&doc);
    }
}

#[test]
fn sarif_schema_catches_bad_uris() {
    // The test would prove nothing if format validation were off.
    let mut doc = parse(&report::render(Format::Sarif, &sample_report(), &PLAIN));
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "aws/111122223333/iam/user/alice smith".into();
    assert!(!SARIF_SCHEMA.is_valid(&doc));
}

#[test]
fn sarif_results_are_active_findings_only() {
    let r = sample_report();
    let doc = parse(&report::render(Format::Sarif, &r, &PLAIN));
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "wmaudit/111122223333/");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let text = serde_json::to_string(results).unwrap();
    assert!(!text.contains("user/carol"), "suppressed finding left out");
    assert!(!text.contains("MailRelay"), "baseline finding left out");
    let hashes: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    let expected: Vec<&str> = r.active().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(hashes, expected, "the hash is the finding's fingerprint");

    let empty = parse(&report::render(Format::Sarif, &empty_report(), &PLAIN));
    assert_eq!(empty["runs"][0]["results"], serde_json::json!([]));
}

/// GitHub rejects a run with more than 25,000 results: over the limit, the
/// most severe are kept (ties in report order) and the run says how many
/// were left out, rather than the whole upload failing.
#[test]
fn sarif_keeps_the_most_severe_results_under_the_limit() {
    let r = sample_report();
    let active: Vec<&Finding> = r.active().collect();
    let mut by_severity: Vec<(usize, Severity)> = active
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.severity))
        .collect();
    by_severity.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
    for limit in [1usize, 2, 4] {
        let opts = RenderOptions {
            sarif_max_results: limit,
            ..PLAIN
        };
        let doc = parse(&report::render(Format::Sarif, &r, &opts));
        assert_valid(&SARIF_SCHEMA, &doc, "limited run");
        assert_github_rules(&doc);
        let run = &doc["runs"][0];
        let mut want: Vec<usize> = by_severity.iter().take(limit).map(|&(i, _)| i).collect();
        want.sort();
        let want_hashes: Vec<&str> = want
            .iter()
            .map(|&i| active[i].fingerprint.as_str())
            .collect();
        let got: Vec<&str> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(got, want_hashes, "limit {limit}");
        let omitted = active.len() - limit;
        assert_eq!(run["properties"]["omittedFindings"], omitted);
        let first_note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(first_note["level"], "warning");
        let text = first_note["message"]["text"].as_str().unwrap();
        assert!(
            text.starts_with(&format!("{omitted} of {} findings", active.len())),
            "{text}"
        );
        assert_eq!(report::sarif::omitted(&r, limit), omitted);
    }
    // At or above the count, and with 0 (no limit), nothing is left out.
    for limit in [0, active.len(), report::sarif::GITHUB_MAX_RESULTS] {
        let opts = RenderOptions {
            sarif_max_results: limit,
            ..PLAIN
        };
        let doc = parse(&report::render(Format::Sarif, &r, &opts));
        assert_eq!(
            doc["runs"][0]["results"].as_array().unwrap().len(),
            active.len()
        );
        assert_eq!(doc["runs"][0]["properties"]["omittedFindings"], 0);
        assert_eq!(report::sarif::omitted(&r, limit), 0);
    }
}

#[test]
fn sarif_locations() {
    let doc = parse(&report::render(Format::Sarif, &sample_report(), &PLAIN));
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "aws/111122223333/iam/root",
            "aws/111122223333/iam/user/alice%20smith",
            "aws/111122223333/iam/policy/mail-ops",
            "aws/111122223333/account",
            "aws/111122223333/iam/group/mail-admins",
        ]
    );
    let alice = &results[1];
    assert_eq!(
        alice["locations"][0]["logicalLocations"],
        serde_json::json!([{
            "name": "alice smith",
            "fullyQualifiedName": "arn:aws:iam::111122223333:user/alice smith",
            "kind": "resource"
        }])
    );
    assert_eq!(alice["level"], "error");
    assert_eq!(results[2]["level"], "warning");
    assert_eq!(results[3]["level"], "note");
    assert_eq!(results[4]["level"], "note");
    assert_eq!(alice["properties"]["severity"], "high");
    assert_eq!(
        alice["properties"]["evidence"][0]["actions"],
        serde_json::json!(["workmail:*"])
    );
    // The first sentence names the resource; the ARN is in the text.
    for r in results {
        let text = r["message"]["text"].as_str().unwrap();
        let fqn = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert!(text.contains(fqn), "{text}");
    }
    assert!(
        alice["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("User alice smith can administer WorkMail")
    );
}

#[test]
fn sarif_rules() {
    let r = sample_report();
    let doc = parse(&report::render(Format::Sarif, &r, &PLAIN));
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "wmaudit");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|x| x["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = r.rules.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, expected, "every rule, in the report's order");

    let root = &rules[0];
    assert_eq!(root["name"], "RootAccessKeys");
    assert_eq!(
        root["shortDescription"]["text"],
        "Root user has access keys"
    );
    assert_eq!(
        root["fullDescription"]["text"],
        r.rules[0].rationale.as_str()
    );
    assert_eq!(
        root["help"]["markdown"],
        r.rules[0].help_markdown().as_str()
    );
    assert!(
        root["help"]["text"]
            .as_str()
            .unwrap()
            .contains("How to fix")
    );
    assert_eq!(
        root["helpUri"],
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"
    );
    assert_eq!(root["defaultConfiguration"]["level"], "error");
    assert_eq!(root["properties"]["precision"], "high");
    assert_eq!(
        root["properties"]["tags"],
        serde_json::json!(["security", "iam", "workmail"])
    );

    assert!(
        rules[1].get("helpUri").is_none(),
        "no helpUri without a reference"
    );
    let sev: Vec<&str> = rules
        .iter()
        .map(|x| x["properties"]["security-severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["9.5", "8.0", "5.5", "5.5", "3.0", "1.0", "3.0"]);
}

#[test]
fn sarif_one_run_per_account() {
    let a = sample_report();
    let mut b = sample_report();
    b.meta.account_id = "444455556666".to_owned();
    for f in &mut b.findings {
        f.finding.account = "444455556666".to_owned();
    }
    let c = sample_report(); // the same account again
    let mut d = sample_report(); // an id that looks like a suffixed one
    d.meta.account_id = "111122223333-2".to_owned();
    let doc = parse(&report::sarif::render_many([&a, &b, &c, &d, &a], 0));
    assert_valid(&SARIF_SCHEMA, &doc, "three runs");
    assert_github_rules(&doc);
    let ids: Vec<&str> = doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "wmaudit/111122223333/",
            "wmaudit/444455556666/",
            "wmaudit/111122223333-2/",
            "wmaudit/111122223333-2-2/",
            "wmaudit/111122223333-3/",
        ]
    );
}

#[test]
fn sarif_survives_inconsistent_input() {
    // Findings of a rule the report does not describe, duplicate findings,
    // an empty fingerprint and an empty name: still a valid upload.
    let mut r = sample_report();
    r.rules.remove(0);
    let dup = r.findings[1].clone();
    r.findings.push(dup);
    r.findings[3].finding.fingerprint.clear();
    r.findings[3].finding.resource.name.clear();
    r.meta.account_id.clear();
    let doc = parse(&report::render(Format::Sarif, &r, &PLAIN));
    assert_valid(&SARIF_SCHEMA, &doc, "inconsistent");
    assert_github_rules(&doc);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.last().unwrap()["id"], "root-access-keys");
}

#[test]
fn sarif_paths_encode_everything_unsafe() {
    let mut r = empty_report();
    let names = [
        "a b",
        "x+y=z,w@v",
        "..",
        "ünï",
        "a/b",
        "%20",
        "#frag?q",
        "tab\there",
    ];
    for name in names {
        r.findings.push(active(
            Finding::builder("odd-names", Severity::High, ACCOUNT)
                .resource(ResourceKind::User, name, &arn(&format!("user/{name}")))
                .message(format!("User {name} is odd."))
                .build()
                .unwrap(),
        ));
    }
    let doc = parse(&report::render(Format::Sarif, &r, &PLAIN));
    assert_valid(&SARIF_SCHEMA, &doc, "odd names");
    assert_github_rules(&doc);
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    let p = "aws/111122223333/iam/user/";
    assert_eq!(
        uris,
        [
            format!("{p}a%20b"),
            format!("{p}x%2By%3Dz%2Cw%40v"),
            format!("{p}%2E%2E"),
            format!("{p}%C3%BCn%C3%AF"),
            format!("{p}a%2Fb"),
            format!("{p}%2520"),
            format!("{p}%23frag%3Fq"),
            format!("{p}tab%09here"),
        ]
    );
}

#[test]
fn pascal_case_names() {
    use wmaudit_core::report::sarif::pascal_case;
    assert_eq!(pascal_case("root-access-keys"), "RootAccessKeys");
    assert_eq!(pascal_case("wm.admin_mfa"), "WmAdminMfa");
    assert_eq!(pascal_case("WM001"), "WM001");
    assert_eq!(pascal_case("--"), "Rule");
}

// ---------------------------------------------------------------------------
// Table

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(report::render(Format::Table, &sample_report(), &PLAIN));
}

#[test]
fn table_empty_snapshot() {
    insta::assert_snapshot!(report::render(Format::Table, &empty_report(), &PLAIN));
}

#[test]
fn table_fits_the_width() {
    for width in [40u16, 60, 80, 120] {
        let opts = RenderOptions {
            color: false,
            width: Some(width),
            ..RenderOptions::PLAIN
        };
        let out = report::render(Format::Table, &sample_report(), &opts);
        for line in out.lines() {
            assert!(
                line.chars().count() <= usize::from(width),
                "width {width}: {line:?} is {} chars",
                line.chars().count()
            );
        }
    }
}

#[test]
fn table_colour_only_when_asked() {
    let r = sample_report();
    assert!(!report::render(Format::Table, &r, &PLAIN).contains('\u{1b}'));
    let colored = report::render(
        Format::Table,
        &r,
        &RenderOptions {
            color: true,
            width: Some(80),
            ..RenderOptions::PLAIN
        },
    );
    assert!(colored.contains('\u{1b}'));
    // Same text once the escapes are gone.
    assert_eq!(
        strip_ansi(&colored),
        report::render(Format::Table, &r, &PLAIN)
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn table_content() {
    let out = report::render(Format::Table, &sample_report(), &PLAIN);
    assert!(out.contains("111122223333 (corp-mail)"));
    assert!(out.contains("FAILED (exit code 1)"));
    assert!(out.contains("Not listed: 1 suppressed finding and 1 baseline finding."));
    assert!(!out.contains("carol"), "suppressed findings are not listed");
    assert!(out.contains("Not evaluated"));
    assert!(out.contains("virtual_mfa_devices"));
    assert!(out.contains("root-mfa on whole account"));
    assert!(out.contains("expired suppression"));
    // Active findings come in the report's order.
    let list = out.find("Findings (").expect("the findings list");
    let pos = |s: &str| list + out[list..].find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(pos("root-access-keys") < pos("user/alice smith"));
    assert!(pos("user/alice smith") < pos("policy/mail-ops"));
    assert!(pos("policy/mail-ops") < pos("group/mail-admins"));
    // Never hidden: an empty report still says coverage is complete.
    let empty = report::render(Format::Table, &empty_report(), &PLAIN);
    assert!(empty.contains("Not evaluated\nNothing: coverage is complete."));
}

// ---------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(report::render(Format::Markdown, &sample_report(), &PLAIN));
}

#[test]
fn markdown_empty_snapshot() {
    insta::assert_snapshot!(report::render(Format::Markdown, &empty_report(), &PLAIN));
}

#[test]
fn markdown_escapes_table_cells() {
    let out = report::render(Format::Markdown, &sample_report(), &PLAIN);
    let row = out
        .lines()
        .find(|l| l.contains("| policy/mail-ops |") && l.contains("It is attached"))
        .expect("mail-ops row");
    assert!(
        row.contains("on \\* \\| review it.<br>It is attached"),
        "{row}"
    );
    // Every table row has the same number of unescaped cell separators.
    let mut header_cells = None;
    for line in out.lines() {
        if !line.starts_with("| ") {
            header_cells = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, *header_cells.get_or_insert(cells), "{line}");
    }
    // `<root_account>` must not vanish as an HTML tag.
    assert!(out.contains("\\<root\\_account\\>"));
    // One collapsible block per rule with active findings.
    assert_eq!(out.matches("<details>").count(), 5);
    assert!(!out.contains("unused-rule"));
    assert!(out.contains("### Not evaluated"));
}

#[test]
fn markdown_rule_titles_stay_on_the_summary_line() {
    // Found by the property test: a line break in a rule title put `|` at
    // the start of a line.
    let mut r = sample_report();
    r.rules[0].title = "Root <keys>\n| & more".to_owned();
    let out = report::render(Format::Markdown, &r, &PLAIN);
    assert!(out.contains(
        "<summary><code>root-access-keys</code> Root &lt;keys&gt; | &amp; more (critical, 1 finding)</summary>"
    ));
}

#[test]
fn markdown_code_spans() {
    use wmaudit_core::report::markdown::{cell_code, code};
    assert_eq!(code("a"), "`a`");
    assert_eq!(code("a`b"), "``a`b``");
    assert_eq!(code("`x"), "`` `x ``");
    assert_eq!(cell_code("a|b"), "`a\\|b`");
    assert_eq!(code("a\nb"), "`a b`");
}

// ---------------------------------------------------------------------------
// No panics, valid output, whatever the strings.

fn odd_report(
    name: String,
    message: String,
    alias: String,
    reason: String,
    rule_id: String,
    url: String,
) -> ScanReport {
    let mut r = sample_report();
    r.meta.account_aliases = vec![alias];
    r.meta.account_id = name.clone();
    for f in &mut r.findings {
        f.finding.resource.name = name.clone();
        f.finding.message = message.clone();
        f.finding.account = name.clone();
    }
    // One finding and one rule with an arbitrary id; the rule keeps the id.
    r.findings[0].finding.rule_id = rule_id.clone();
    r.rules[0].id = rule_id.clone();
    r.rules[0].title = message.clone();
    r.rules[0].tags = vec![name.clone(); 30];
    r.rules[1].references = vec![Reference {
        title: reason.clone(),
        url,
    }];
    r.coverage.not_evaluated[0].reason = reason.clone();
    r.notices[0].message = reason;
    r
}

proptest! {
    // No regression files: failures print the minimal input instead.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(48)
    })]

    #[test]
    fn any_strings_render_valid_output(
        name in "\\PC{0,12}",
        message in "(\\PC|\n|\\|){0,40}",
        alias in "\\PC{0,10}",
        reason in "\\PC{0,20}",
        rule_id in "\\PC{0,30}",
        url in "(https?://)?\\PC{0,20}",
        width in 0u16..200,
    ) {
        let r = odd_report(name, message, alias, reason, rule_id, url);
        let sarif = parse(&report::render(Format::Sarif, &r, &PLAIN));
        assert_valid(&SARIF_SCHEMA, &sarif, "sarif");
        assert_github_rules(&sarif);
        let json = parse(&report::render(Format::Json, &r, &PLAIN));
        assert_valid(&STRICT_REPORT_SCHEMA, &json, "json");
        let md = report::render(Format::Markdown, &r, &PLAIN);
        // Every row of a table has as many cells as its header.
        let mut header_cells = None;
        for line in md.lines() {
            if !line.starts_with("| ") {
                header_cells = None;
                continue;
            }
            let cells = line.replace("\\|", "").matches('|').count();
            let want = *header_cells.get_or_insert(cells);
            prop_assert!(cells == want, "{} (the header has {})", line, want);
        }
        let opts = RenderOptions { color: false, width: Some(width), ..RenderOptions::PLAIN };
        let table = report::render(Format::Table, &r, &opts);
        prop_assert!(table.ends_with('\n'));
    }
}

/// `WMAUDIT_REPORT_DUMP=dir cargo test --test report_formats dump -- --ignored`
/// writes every format of the sample report to `dir`, for inspection and
/// external validators (sarif-multitool).
#[test]
#[ignore = "writes files; run by hand"]
fn dump() {
    let Some(dir) = std::env::var_os("WMAUDIT_REPORT_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let r = sample_report();
    for (f, ext) in [
        (Format::Table, "txt"),
        (Format::Json, "json"),
        (Format::Sarif, "sarif"),
        (Format::Markdown, "md"),
    ] {
        std::fs::write(
            dir.join(format!("sample.{ext}")),
            report::render(f, &r, &PLAIN),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("empty.sarif"),
        report::render(Format::Sarif, &empty_report(), &PLAIN),
    )
    .unwrap();
    let mut other = sample_report();
    other.meta.account_id = "444455556666".to_owned();
    for f in &mut other.findings {
        f.finding.account = "444455556666".to_owned();
    }
    std::fs::write(
        dir.join("multi.sarif"),
        report::render_all(Format::Sarif, &[r, other], &PLAIN),
    )
    .unwrap();
}

/// A baseline is read with the report's own model: a file that is not a
/// whole report is refused with the place, and an array of reports works.
#[test]
fn baselines_are_read_with_the_report_model() {
    use wmaudit_core::scan::load_baseline;
    let dir = tempfile::tempdir().unwrap();
    let scan = sample_report();
    // One account's object and arrays of them (wmaudit-report/1 files) ...
    let text = report::json::render(&scan);
    let fingerprints: std::collections::BTreeSet<String> = scan
        .findings
        .iter()
        .map(|f| f.finding.fingerprint.clone())
        .collect();
    let one = dir.path().join("one.json");
    std::fs::write(&one, &text).unwrap();
    assert_eq!(load_baseline(&one).unwrap().fingerprints(), fingerprints);
    let many = dir.path().join("many.json");
    std::fs::write(&many, format!("[{text}, {text}]")).unwrap();
    assert_eq!(load_baseline(&many).unwrap().fingerprints(), fingerprints);
    // ... and the current document.
    let doc = dir.path().join("doc.json");
    std::fs::write(&doc, report::render(Format::Json, &scan, &PLAIN)).unwrap();
    assert_eq!(load_baseline(&doc).unwrap().fingerprints(), fingerprints);

    let refuse = |name: &str, body: String, says: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let e = load_baseline(&path).unwrap_err().to_string();
        assert!(e.starts_with(&path.display().to_string()), "{e}");
        assert!(e.contains(says), "says {says}: {e}");
    };
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["findings"][1]["fingerprint"] = serde_json::json!(7);
    refuse(
        "type.json",
        v.to_string(),
        "at /findings/1/fingerprint: expected a string, found number 7",
    );
    // In the document too, the place inside `accounts`.
    let mut v: Value = serde_json::from_str(&report::render(Format::Json, &scan, &PLAIN)).unwrap();
    v["accounts"][0]["findings"][1]["fingerprint"] = serde_json::json!(7);
    refuse(
        "doc-type.json",
        v.to_string(),
        "at /accounts/0/findings/1/fingerprint: expected a string, found number 7",
    );
    v["accounts"] = serde_json::json!({});
    refuse(
        "doc-shape.json",
        v.to_string(),
        "at /accounts: expected the wmaudit-report/2 shape",
    );
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("gate");
    refuse(
        "missing.json",
        v.to_string(),
        "at the top level: expected field `gate`, found no such field",
    );
    refuse(
        "schema.json",
        format!("[{text}, {{\"schema\": \"wmaudit-report/2\"}}]"),
        "at /1/schema: expected \"wmaudit-report/1\"",
    );
}

/// #15 defect 7: a 5,000-user account's Markdown was 67,083 characters
/// (GitHub comments allow 65,536), and the Not evaluated section listed every
/// principal of a missing group. Capped at a line break with a note; one row
/// per cause.
#[test]
fn markdown_fits_github_limits() {
    use wmaudit_core::config::Config;
    use wmaudit_core::report::markdown;
    use wmaudit_core::rules::RuleSet;
    use wmaudit_core::scan::{ScanOptions, scan};
    use wmaudit_core::snapshot::parse_auth_details;

    let mut cfg = crate::synth::Config::new(5000, 11);
    cfg.encoding = crate::synth::DocEncoding::Json;
    let mut auth = crate::synth::generate(&cfg).auth_details();
    // 300 users in a group the data lacks: 300 principals, one cause.
    for u in auth["UserDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .take(300)
    {
        u["GroupList"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!("Vanished"));
    }
    let account = parse_auth_details(auth.to_string().as_bytes(), "a.json").unwrap();
    let snapshot = wmaudit_core::snapshot::Snapshot {
        metadata: wmaudit_core::snapshot::Metadata {
            format: wmaudit_core::snapshot::SNAPSHOT_FORMAT.into(),
            tool_version: "0".into(),
            collected_at: None,
            source: SourceKind::Files,
            account_id: None,
            caller_arn: None,
            api_calls: BTreeMap::new(),
            not_collected: Vec::new(),
        },
        account: Some(account),
        credential_report: None,
        account_summary: None,
        caller_identity: None,
        password_policy: None,
        virtual_mfa_devices: None,
        account_aliases: None,
        service_last_accessed: None,
        workmail: None,
    };
    let rules = RuleSet::builtin().unwrap();
    let config = Config::default();
    let report = scan(&snapshot, &ScanOptions::new(&rules, &config));
    let uncapped = markdown::render_uncapped(&report);
    let text = markdown::render(&report);
    assert!(
        text.len() <= markdown::MAX_MARKDOWN_BYTES,
        "{} bytes",
        text.len()
    );
    if uncapped.len() > markdown::MAX_MARKDOWN_BYTES {
        assert!(text.contains("**Cut here:**"), "says what was cut");
    }
    assert!(
        uncapped.contains("| 300 items: principal arn:aws:iam::"),
        "one row for the missing group's 300 members"
    );
}

/// Every human format says what grants a finding (#15 defect 6): the
/// policy, how it is attached and the statement, as JSON's evidence has it.
#[test]
fn human_formats_say_what_grants_each_finding() {
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    let opts = wmaudit_core::scan::ScanOptions::new(&rules, &config);
    let demo = wmaudit_core::demo::snapshots().unwrap();
    let r = wmaudit_core::scan::scan(&demo[0], &opts);
    let via = "via inline:helpdesk-password-reset (through group HelpDesk), statement \"ResetForgottenPasswords\"";
    let wide = RenderOptions {
        width: Some(1000),
        ..PLAIN
    };
    let table = report::render(Format::Table, &r, &wide);
    assert!(table.contains(via), "{table}");
    let md = report::render(Format::Markdown, &r, &PLAIN);
    assert!(
        md.contains("via inline:helpdesk-password-reset (through group HelpDesk), statement \"ResetForgottenPasswords\""),
        "{md}"
    );
    let sarif = parse(&report::render(Format::Sarif, &r, &PLAIN));
    let texts: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("\n\nVia inline:helpdesk-password-reset (through group HelpDesk)")),
        "{texts:?}"
    );
}

/// #15 views: the text formats lead with who can get to the mail (the
/// designated administrators included, though they raise no findings), the
/// findings per rule and by cause; names are not cut inside a word.
#[test]
fn text_formats_lead_with_access_and_causes() {
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    let opts = wmaudit_core::scan::ScanOptions::new(&rules, &config);
    let demo = wmaudit_core::demo::snapshots().unwrap();
    let r = wmaudit_core::scan::scan(&demo[0], &opts);
    let md = report::render(Format::Markdown, &r, &PLAIN);
    let at = |s: &str| {
        md.find(s)
            .unwrap_or_else(|| panic!("no {s:?} in the Markdown"))
    };
    assert!(at("### Who can get to the mail") < at("### Findings by cause"));
    assert!(at("### Findings by cause") < at("### Findings\n"));
    assert!(at("### Findings per rule") < at("### Findings\n"));
    // bob is a designated administrator with no finding: listed, with 0.
    assert!(
        md.contains("| user/bob | yes | yes | 12 | 15 | 0 |"),
        "{md}"
    );
    let content = r
        .active()
        .filter(|f| f.rule_id == "workmail-mail-content-access")
        .count();
    assert!(
        md.contains(&format!(
            "| `workmail-mail-content-access` | critical | {content} |"
        )),
        "{md}"
    );

    let table = report::render(Format::Table, &r, &PLAIN);
    let t = |s: &str| {
        table
            .find(s)
            .unwrap_or_else(|| panic!("no {s:?} in the table"))
    };
    assert!(t("Who can get to the mail") < t("Findings by cause"));
    let list = format!("Findings ({} active)", r.active().count());
    assert!(t("Findings by cause") < t(&list));
    for name in [
        "group/Administrators",
        "group/WorkMailAdmins",
        "role/MailMigrationRole",
    ] {
        assert!(table.contains(name), "{name} is cut in the table:\n{table}");
    }
}

/// Every format says what no scan looks at (#15 defect 9), so that a pass
/// is read for what it is.
#[test]
fn every_format_states_the_scope_limits() {
    // Letters only: the table wraps the sentence inside its box.
    let squash = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let want = squash(
        "SCPs and RCPs only when the organization is read (--organization or its \
         organization.json): resource-based policies and session policies are not read",
    );
    let r = sample_report();
    for format in Format::ALL {
        let text = report::render(format, &r, &PLAIN);
        assert!(
            squash(&text).contains(&want),
            "{format} does not state the scope"
        );
    }
}
