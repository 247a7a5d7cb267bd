//! SCPs and RCPs in the engine, and the organization file: every level of
//! the path must allow, any Deny denies, a conditional Deny limits, the
//! management account and service-linked roles are exempt, RCPs bound only
//! their services; bad organization files are refused with the place.

use serde_json::{Value, json};
use wmaudit_core::account::Account;
use wmaudit_core::catalog::Catalog;
use wmaudit_core::eval::{Decision, Engine};
use wmaudit_core::org::{OrgSnapshot, parse_organization};

const MEMBER: &str = "444455556666";
const MANAGEMENT: &str = "111122223333";

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

/// Root -> OU Mail -> OU Prod -> the member; the management account at the root.
fn org(extra_policies: Value, mail: Value, prod: Value, member: Value, rcps: Value) -> Value {
    let mut policies = vec![
        json!({"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "aws_managed": true, "description": null, "document": allow_all()}),
        json!({"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY", "aws_managed": true, "description": null,
               "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}}),
    ];
    policies.extend(extra_policies.as_array().unwrap().iter().cloned());
    let attached = |scps: Value| json!({"service_control_policies": scps, "resource_control_policies": ["p-RCPFullAWSAccess"]});
    let mut member_attached = attached(member);
    member_attached["resource_control_policies"] = rcps;
    json!({
        "format": "wmaudit-organization/1",
        "tool_version": "0.1.0",
        "collected_at": "2026-11-20T09:00:00Z",
        "organization": {"id": "o-example1234", "arn": null, "management_account_id": MANAGEMENT, "feature_set": "ALL"},
        "roots": [{"id": "r-root", "name": "Root", "parent_id": null,
                   "policy_types": ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"],
                   "attached": attached(json!(["p-FullAWSAccess"]))}],
        "organizational_units": [
            {"id": "ou-mail", "name": "Mail", "parent_id": "r-root", "attached": attached(mail)},
            {"id": "ou-prod", "name": "Prod", "parent_id": "ou-mail", "attached": attached(prod)}
        ],
        "accounts": [
            {"id": MEMBER, "name": "mail-prod", "email": null, "status": "ACTIVE", "parent_id": "ou-prod", "attached": member_attached},
            {"id": MANAGEMENT, "name": "management", "email": null, "status": "ACTIVE", "parent_id": "r-root", "attached": attached(json!(["p-FullAWSAccess", "p-deny"]))}
        ],
        "policies": policies,
        "not_collected": [],
        "api_calls": {}
    })
}

fn parse(v: &Value) -> OrgSnapshot {
    parse_organization(v.to_string().as_bytes(), "organization.json").unwrap()
}

/// A user with WorkMail and S3 everywhere, and a service-linked role with the same.
fn account(id: &str) -> Account {
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["workmail:*", "s3:GetObject"], "Resource": "*"}]});
    serde_json::from_value(json!({
        "users": [{"name": "alice", "arn": format!("arn:aws:iam::{id}:user/alice"),
                   "inline_policies": [{"name": "mail", "document": doc}]}],
        "roles": [{"name": "AWSServiceRoleForWorkMail", "path": "/aws-service-role/workmail.amazonaws.com/",
                   "arn": format!("arn:aws:iam::{id}:role/aws-service-role/workmail.amazonaws.com/AWSServiceRoleForWorkMail"),
                   "inline_policies": [{"name": "mail", "document": doc}]}]
    }))
    .unwrap()
}

fn decide(org: &OrgSnapshot, account_id: &str, who: &str, action: &str) -> (Decision, Vec<String>) {
    let catalog = Catalog::builtin();
    let a = account(account_id);
    let controls = org.controls(account_id).unwrap();
    let engine = Engine::with_controls(catalog, &a, Some(&controls));
    let id = engine.find(who)[0];
    let action = catalog.lookup(action).unwrap();
    let e = engine.explain(id, action);
    (
        e.decision,
        e.controls.iter().map(|c| c.describe()).collect(),
    )
}

const EXPORT: &str = "workmail:StartMailboxExportJob";

fn deny(id: &str, name: &str, statement: Value) -> Value {
    json!({"id": id, "name": name, "type": "SERVICE_CONTROL_POLICY", "aws_managed": false, "description": null,
           "document": {"Version": "2012-10-17", "Statement": [statement]}})
}

#[test]
fn a_deny_anywhere_on_the_path_denies_with_provenance() {
    let o = parse(&org(
        json!([deny(
            "p-deny",
            "DenyMailExport",
            json!({"Sid": "NoExport", "Effect": "Deny", "Action": EXPORT, "Resource": "*"})
        )]),
        json!(["p-FullAWSAccess", "p-deny"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    let (d, why) = decide(&o, MEMBER, "alice", EXPORT);
    assert_eq!(d, Decision::Denied);
    assert_eq!(
        why,
        ["denied by SCP p-deny (DenyMailExport) attached to OU Mail (ou-mail), statement NoExport"]
    );
    // Other actions untouched.
    assert_eq!(
        decide(&o, MEMBER, "alice", "workmail:ListUsers").0,
        Decision::Allowed
    );
    // The management account: the same Deny is attached to it, and does nothing.
    assert_eq!(
        decide(&o, MANAGEMENT, "alice", EXPORT),
        (Decision::Allowed, vec![])
    );
    // A service-linked role: SCPs do not apply.
    assert_eq!(
        decide(&o, MEMBER, "AWSServiceRoleForWorkMail", EXPORT),
        (Decision::Allowed, vec![])
    );
}

#[test]
fn every_level_must_allow() {
    // OU Prod allows only S3: WorkMail is gone below it, whatever the root allows.
    let only_s3 = json!({"id": "p-s3", "name": "OnlyS3", "type": "SERVICE_CONTROL_POLICY", "aws_managed": false, "description": null,
                         "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}});
    let o = parse(&org(
        json!([only_s3]),
        json!(["p-FullAWSAccess"]),
        json!(["p-s3"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    let (d, why) = decide(&o, MEMBER, "alice", EXPORT);
    assert_eq!(d, Decision::NotGranted);
    assert_eq!(
        why,
        ["not allowed by any SCP attached to OU Prod (ou-prod)"]
    );
    assert_eq!(
        decide(&o, MEMBER, "alice", "s3:GetObject").0,
        Decision::Allowed
    );
    // An account level with no SCP at all allows nothing.
    let o = parse(&org(
        json!([]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!([]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    assert_eq!(
        decide(&o, MEMBER, "alice", "workmail:ListUsers").0,
        Decision::NotGranted
    );
}

#[test]
fn a_conditional_deny_limits() {
    let o = parse(&org(
        json!([deny(
            "p-cond",
            "DenyOutsideVpn",
            json!({"Effect": "Deny", "Action": "workmail:*", "Resource": "*",
                                                        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
        )]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess", "p-cond"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    let (d, why) = decide(&o, MEMBER, "alice", EXPORT);
    assert_eq!(d, Decision::Limited);
    assert!(
        why[0].starts_with(
            "may be denied by a conditional or resource-scoped Deny in SCP p-cond (DenyOutsideVpn)"
        ),
        "{why:?}"
    );
}

#[test]
fn rcps_bound_their_services_only() {
    let rcp = json!({"id": "p-rcp", "name": "NoS3", "type": "RESOURCE_CONTROL_POLICY", "aws_managed": false, "description": null,
                     "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "workmail:*"], "Resource": "*"}]}});
    let o = parse(&org(
        json!([rcp]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess", "p-rcp"]),
    ));
    let (d, why) = decide(&o, MEMBER, "alice", "s3:GetObject");
    assert_eq!(d, Decision::Denied);
    assert!(
        why[0].starts_with("denied by RCP p-rcp (NoS3) attached to account mail-prod"),
        "{why:?}"
    );
    // WorkMail is not an RCP service: the RCP's WorkMail Deny does nothing.
    assert_eq!(decide(&o, MEMBER, "alice", EXPORT).0, Decision::Allowed);
}

#[test]
fn without_scps_enabled_nothing_is_bounded() {
    let mut v = org(json!([]), json!([]), json!([]), json!([]), json!([]));
    v["roots"][0]["policy_types"] = json!([]);
    let o = parse(&v);
    assert_eq!(
        decide(&o, MEMBER, "alice", EXPORT),
        (Decision::Allowed, vec![])
    );
}

#[test]
fn bad_organization_files_are_refused_with_the_place() {
    let good = org(
        json!([]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    );
    let refuse = |v: Value, says: &str| {
        let e = parse_organization(v.to_string().as_bytes(), "org.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("org.json: "), "{e}");
        assert!(e.contains(says), "says {says:?}: {e}");
    };
    let mut v = good.clone();
    v["format"] = json!("wmaudit-organization/9");
    refuse(v, "at /format: expected \"wmaudit-organization/1\"");
    let mut v = good.clone();
    v["organizational_units"][0]["parent_id"] = json!("ou-prod");
    refuse(v, "a cycle through");
    let mut v = good.clone();
    v["accounts"][0]["parent_id"] = json!("ou-nowhere");
    refuse(
        v,
        "at /accounts/0/parent_id: expected the id of a root or OU of this file",
    );
    let mut v = good.clone();
    v["organizational_units"][1]["id"] = json!("ou-mail");
    refuse(v, "duplicate organization id \"ou-mail\"");
    let mut v = good.clone();
    v["accounts"][0]["attached"]["service_control_policies"] = json!(["p-RCPFullAWSAccess"]);
    refuse(
        v,
        "at /accounts/0/attached/service_control_policies/0: expected the id of a SERVICE_CONTROL_POLICY",
    );
    let mut v = good.clone();
    v["accounts"][0]["id"] = json!("4444");
    refuse(v, "at /accounts/0/id: expected a 12-digit account id");
    let mut v = good.clone();
    v["policies"][0]["document"] = json!("not a policy");
    refuse(v, "at /policies/0/document: expected a policy document");
    let mut v = good;
    v["accounts"][0]["surprise"] = json!(1);
    refuse(v, "at /accounts/0/surprise: expected one of `id`");
}

#[test]
fn an_unlisted_level_is_a_problem_and_merges_are_checked() {
    let mut v = org(
        json!([]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    );
    v["organizational_units"][0]["attached"]["service_control_policies"] = Value::Null;
    v["organizational_units"][0]["attached"]["not_read"] =
        json!(["organizations:ListPoliciesForTarget: AccessDeniedException: no"]);
    let o = parse(&v);
    let c = o.controls(MEMBER).unwrap();
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    assert!(
        c.problems[0]
            .contains("OU Mail (ou-mail) could not be listed: organizations:ListPoliciesForTarget")
    );
    let engine = Engine::with_controls(Catalog::builtin(), &account(MEMBER), Some(&c));
    let alice = engine.find("alice")[0];
    assert!(!engine.principal(alice).is_complete(), "known only in part");

    // Two batches of one organization merge; another organization, or the
    // same account twice, is refused.
    let mut a = parse(&org(
        json!([]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    let mut b = a.clone();
    a.accounts.retain(|x| x.id == MEMBER);
    b.accounts.retain(|x| x.id == MANAGEMENT);
    let merged = a.clone().merge(b.clone()).unwrap();
    assert_eq!(merged.accounts.len(), 2);
    assert!(
        a.clone()
            .merge(a.clone())
            .unwrap_err()
            .contains("is in both")
    );
    let mut other = b;
    other.organization.id = "o-other".into();
    assert!(a.merge(other).unwrap_err().contains("differ"));
}

/// The fuzz target's seeds are organizations it accepts (a seed refused at
/// once would fuzz nothing but the reader's first check).
#[test]
fn the_fuzz_seeds_are_read() {
    let dir = std::path::Path::new(crate::REPO).join("fuzz/corpus/organization");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let org = parse_organization(&bytes, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(org.controls("111122223333").is_some());
        n += 1;
    }
    assert!(n >= 3);
}

/// A policy written to oneself gives no more than the SCPs allow: the
/// escalation path to mail content goes when an SCP denies all of WorkMail,
/// and stays in the management account, which SCPs do not bound.
#[test]
fn escalation_paths_are_bounded_by_scps() {
    use wmaudit_core::config::Config;
    use wmaudit_core::rules::RuleSet;
    use wmaudit_core::scan::{ScanOptions, scan};
    let deny_mail = deny(
        "p-nomail",
        "NoWorkMail",
        json!({"Effect": "Deny", "Action": ["workmail:*", "workmailmessageflow:*", "ses:*"], "Resource": "*"}),
    );
    let o = parse(&org(
        json!([deny_mail]),
        json!(["p-FullAWSAccess", "p-nomail"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-FullAWSAccess"]),
        json!(["p-RCPFullAWSAccess"]),
    ));
    let writer = |id: &str| -> wmaudit_core::snapshot::Snapshot {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PutUserPolicy",
                          "Resource": format!("arn:aws:iam::{id}:user/writer")}]});
        serde_json::from_value(json!({
            "metadata": {"format": "wmaudit-snapshot/1", "tool_version": "test", "collected_at": "2026-11-20T09:00:00Z",
                         "source": "files", "account_id": id, "caller_arn": null, "api_calls": {}, "not_collected": []},
            "account": {"users": [{"name": "writer", "arn": format!("arn:aws:iam::{id}:user/writer"),
                                   "inline_policies": [{"name": "self", "document": doc}]}]}
        }))
        .unwrap()
    };
    let rules = RuleSet::builtin().unwrap();
    let config = Config::default();
    let paths = |snapshot: &wmaudit_core::snapshot::Snapshot, org: Option<&OrgSnapshot>| {
        let mut opts = ScanOptions::new(&rules, &config);
        opts.organization = org;
        opts.fail_on = None;
        scan(snapshot, &opts)
            .findings
            .iter()
            .filter(|f| f.finding.rule_id == "workmail-escalation-path")
            .count()
    };
    assert_eq!(paths(&writer(MEMBER), None), 1, "the path without SCPs");
    assert_eq!(
        paths(&writer(MEMBER), Some(&o)),
        0,
        "an SCP denies the goal"
    );
    assert_eq!(
        paths(&writer(MANAGEMENT), Some(&o)),
        1,
        "not in the management account"
    );
}
