use serde_json::{Value, json};

use super::*;
use crate::account::{Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, User};
use crate::catalog::Catalog;

const FULL: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";

fn allow(action: Value, resource: Value) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":action,"Resource":resource}]})
}

fn deny(action: Value) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Sid":"NoExport","Effect":"Deny","Action":action,"Resource":"*"}]})
}

fn user(name: &str) -> User {
    User {
        name: name.into(),
        arn: format!("arn:aws:iam::111122223333:user/{name}"),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        groups: vec![],
        inline_policies: vec![],
        attached_policies: vec![],
        permissions_boundary: None,
        tags: vec![],
    }
}

fn group(name: &str) -> Group {
    Group {
        name: name.into(),
        arn: format!("arn:aws:iam::111122223333:group/{name}"),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        inline_policies: vec![],
        attached_policies: vec![],
    }
}

fn inline(name: &str, document: Value) -> InlinePolicy {
    InlinePolicy {
        name: name.into(),
        document,
    }
}

fn attach(arn: &str) -> PolicyAttachment {
    PolicyAttachment {
        name: arn.rsplit('/').next().unwrap().into(),
        arn: arn.into(),
    }
}

fn customer(name: &str, document: Value) -> ManagedPolicy {
    ManagedPolicy {
        name: name.into(),
        arn: format!("arn:aws:iam::111122223333:policy/{name}"),
        id: String::new(),
        path: "/".into(),
        default_version_id: Some("v1".into()),
        attachment_count: Some(1),
        permissions_boundary_usage_count: None,
        update_date: None,
        document: Some(document),
        other_versions: vec![],
    }
}

fn action(name: &str) -> usize {
    Catalog::builtin().lookup(name).unwrap()
}

fn decide(engine: &Engine<'_>, who: &str, act: &str) -> Decision {
    let id = engine.find(who)[0];
    engine.access(id).decision(action(act))
}

#[test]
fn decision_table() {
    let mut acct = Account::default();
    // Deny in a group policy overrides an Allow in the user's own policy.
    let mut g = group("NoExport");
    g.inline_policies.push(inline(
        "deny",
        deny(json!("workmail:StartMailboxExportJob")),
    ));
    acct.groups.push(g);
    let mut u = user("alice");
    u.inline_policies
        .push(inline("all", allow(json!("workmail:*"), json!("*"))));
    u.groups.push("NoExport".into());
    acct.users.push(u);
    // NotAction iam:* grants all of WorkMail; a NotAction Deny takes back all but reads.
    let mut u = user("bob");
    u.inline_policies.push(inline(
        "notaction",
        json!({"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}),
    ));
    u.inline_policies.push(inline(
        "only-reads",
        json!({"Statement":[{"Effect":"Deny","NotAction":["workmail:Get*","workmail:List*","workmail:Describe*"],"Resource":"*"}]}),
    ));
    acct.users.push(u);
    // Action "*" with a conditional Deny: still allowed, but only limited.
    let mut u = user("carol");
    u.inline_policies.push(inline(
        "admin",
        json!({"Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"workmail:ResetPassword","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}
        ]}),
    ));
    acct.users.push(u);
    // Scoped to one organization, and a conditional Allow.
    let mut u = user("dave");
    u.inline_policies.push(inline(
        "scoped",
        json!({"Statement":[
            {"Effect":"Allow","Action":"workmail:*","Resource":"arn:aws:workmail:us-east-1:111122223333:organization/m-1"},
            {"Effect":"Allow","Action":"workmail:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}
        ]}),
    ));
    acct.users.push(u);

    let engine = Engine::new(Catalog::builtin(), &acct);
    let cases = [
        ("alice", "workmail:StartMailboxExportJob", Decision::Denied),
        ("alice", "workmail:CreateUser", Decision::Allowed),
        ("alice", "ses:SendEmail", Decision::NotGranted),
        ("bob", "workmail:ListUsers", Decision::Allowed),
        ("bob", "workmail:DeleteOrganization", Decision::Denied),
        ("bob", "iam:CreateUser", Decision::Denied),
        ("bob", "ec2:RunInstances", Decision::Denied),
        ("carol", "workmail:ResetPassword", Decision::Limited),
        ("carol", "iam:CreateUser", Decision::Allowed),
        (
            "carol",
            "workmailmessageflow:GetRawMessageContent",
            Decision::Allowed,
        ),
        ("dave", "workmail:CreateUser", Decision::Limited),
        ("dave", "workmail:ListUsers", Decision::Limited),
        ("dave", "ses:SendEmail", Decision::NotGranted),
        (
            "NoExport",
            "workmail:StartMailboxExportJob",
            Decision::Denied,
        ),
        ("NoExport", "workmail:ListUsers", Decision::NotGranted),
    ];
    for (who, act, want) in cases {
        assert_eq!(decide(&engine, who, act), want, "{who} {act}");
    }
    assert!(engine.principals.iter().all(|p| p.is_complete()));
}

#[test]
fn provenance_names_policy_path_and_statement() {
    let mut acct = Account::default();
    let mut g = group("MailAdmins");
    g.attached_policies.push(attach(FULL));
    g.inline_policies.push(inline(
        "deny-export",
        deny(json!("workmail:StartMailboxExportJob")),
    ));
    acct.groups.push(g);
    let mut u = user("erin");
    u.groups.push("MailAdmins".into());
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    let erin = engine.find("erin")[0];

    let e = engine.explain(erin, action("workmail:CreateUser"));
    assert_eq!(e.decision, Decision::Allowed);
    assert_eq!(e.grants.len(), 1);
    let hit = &e.grants[0];
    assert_eq!(hit.via, Via::Group("MailAdmins".into()));
    let origin = &engine.policies.get(hit.policy).origin;
    assert_eq!(origin.managed_arn(), Some(FULL));
    // Not in the account data: evaluated from the embedded AWS copy.
    assert!(matches!(origin, PolicyOrigin::Managed { builtin_version: Some(v), .. } if v == "v10"));
    assert_eq!(engine.builtin_fallbacks, vec![FULL.to_string()]);

    let e = engine.explain(erin, action("workmail:StartMailboxExportJob"));
    assert_eq!(e.decision, Decision::Denied);
    assert_eq!(e.denies.len(), 1);
    assert_eq!(e.denies[0].sid.as_deref(), Some("NoExport"));
    assert_eq!(e.denies[0].statement, 0);
    assert!(matches!(&engine.policies.get(e.denies[0].policy).origin,
        PolicyOrigin::Inline { owner, name } if owner.ends_with("group/MailAdmins") && name == "deny-export"));
}

#[test]
fn boundary_without_workmail_cancels_full_access() {
    let mut acct = Account::default();
    acct.policies.push(customer(
        "NoMail",
        allow(json!(["s3:*", "ec2:Describe*"]), json!("*")),
    ));
    let mut u = user("frank");
    u.attached_policies.push(attach(FULL));
    u.permissions_boundary = Some("arn:aws:iam::111122223333:policy/NoMail".into());
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    let frank = engine.find("frank")[0];
    let access = engine.access(frank);
    let wm = Catalog::builtin().service_set("workmail");
    assert!(access.allowed.is_disjoint(&wm));
    assert!(wm.is_subset(&access.boundary_blocked));
    assert!(wm.is_subset(&access.identity_allowed));
    assert_eq!(
        decide(&engine, "frank", "workmail:CreateUser"),
        Decision::NotGranted
    );
    // ec2:DescribeVpcs is in both AmazonWorkMailFullAccess and the boundary.
    assert_eq!(
        decide(&engine, "frank", "ec2:DescribeVpcs"),
        Decision::Allowed
    );
    let e = engine.explain(frank, action("workmail:CreateUser"));
    assert!(e.boundary.as_ref().is_some_and(|b| b.allows.is_empty()));
}

#[test]
fn account_document_wins_over_embedded_copy() {
    let mut acct = Account::default();
    let mut p = customer(
        "AmazonWorkMailFullAccess",
        allow(json!("workmail:ListUsers"), json!("*")),
    );
    p.arn = FULL.into();
    acct.policies.push(p);
    let mut u = user("gina");
    u.attached_policies.push(attach(FULL));
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    assert!(engine.builtin_fallbacks.is_empty());
    assert_eq!(
        decide(&engine, "gina", "workmail:ListUsers"),
        Decision::Allowed
    );
    assert_eq!(
        decide(&engine, "gina", "workmail:CreateUser"),
        Decision::NotGranted
    );
}

#[test]
fn missing_and_broken_data_make_principals_incomplete() {
    let mut acct = Account::default();
    let mut u = user("hank");
    u.groups.push("Ghost".into());
    u.attached_policies
        .push(attach("arn:aws:iam::111122223333:policy/Vanished"));
    u.inline_policies
        .push(inline("broken", json!({"Statement": 5})));
    u.permissions_boundary = Some("arn:aws:iam::111122223333:policy/NoSuchBoundary".into());
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    let p = engine.principal(engine.find("hank")[0]);
    assert!(!p.is_complete());
    let all = p.problems.join("\n");
    for want in [
        "Ghost",
        "Vanished",
        "broken",
        "/Statement",
        "NoSuchBoundary",
    ] {
        assert!(all.contains(want), "{want} missing from {all}");
    }
}

#[test]
fn url_encoded_inline_policy() {
    let mut acct = Account::default();
    let mut u = user("ivy");
    u.inline_policies.push(inline(
        "enc",
        Value::String("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22workmail%3AResetPassword%22%2C%22Resource%22%3A%22*%22%7D%5D%7D".into()),
    ));
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    assert_eq!(
        decide(&engine, "ivy", "workmail:ResetPassword"),
        Decision::Allowed
    );
}

/// IAM's resource rules (issue #16 items 6, 9, 10, 11): actions that take no
/// resource, NotResource of another service, a Deny that contains every
/// resource, and sts:GetCallerIdentity.
#[test]
fn resource_rules() {
    let org = "arn:aws:workmail:us-east-1:111122223333:organization/m-1";
    let mut acct = Account::default();
    // Allow workmail:* on one organization: ListOrganizations (no resource)
    // is not granted; the organization's actions are limited to it.
    let mut u = user("scoped");
    u.inline_policies
        .push(inline("org", allow(json!("workmail:*"), json!(org))));
    acct.users.push(u);
    // Allow with NotResource naming S3 only: WorkMail is granted fully.
    let mut u = user("notres");
    u.inline_policies.push(inline(
        "notres",
        json!({"Statement":[{"Effect":"Allow","Action":"workmail:*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}),
    ));
    acct.users.push(u);
    // A Deny with NotResource of S3 ARNs denies every WorkMail action.
    let mut u = user("denied-notres");
    u.inline_policies
        .push(inline("all", allow(json!("workmail:*"), json!("*"))));
    u.inline_policies.push(inline(
        "deny",
        json!({"Statement":[{"Effect":"Deny","Action":"workmail:*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}),
    ));
    acct.users.push(u);
    // A Deny on every organization against an Allow on one: denied.
    let mut u = user("denied-orgs");
    u.inline_policies
        .push(inline("org", allow(json!("workmail:*"), json!(org))));
    u.inline_policies.push(inline(
        "deny",
        json!({"Statement":[{"Effect":"Deny","Action":"workmail:DeleteOrganization","Resource":"arn:aws:workmail:*:*:organization/*"}]}),
    ));
    acct.users.push(u);
    // An Allow on every organization is a full grant of the organization's
    // actions, but still not of ListOrganizations.
    let mut u = user("all-orgs");
    u.inline_policies.push(inline(
        "orgs",
        allow(
            json!("workmail:*"),
            json!("arn:aws:workmail:*:*:organization/*"),
        ),
    ));
    acct.users.push(u);
    // Allow and Deny on the same organization: nothing is left.
    let mut u = user("same-org");
    u.inline_policies
        .push(inline("org", allow(json!("workmail:*"), json!(org))));
    u.inline_policies.push(inline(
        "deny",
        json!({"Statement":[{"Effect":"Deny","Action":"workmail:StartMailboxExportJob","Resource":org}]}),
    ));
    acct.users.push(u);
    // A conditional Deny on it leaves the Allow limited.
    let mut u = user("same-org-conditional");
    u.inline_policies
        .push(inline("org", allow(json!("workmail:*"), json!(org))));
    u.inline_policies.push(inline(
        "deny",
        json!({"Statement":[{"Effect":"Deny","Action":"workmail:StartMailboxExportJob","Resource":org,
               "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}),
    ));
    acct.users.push(u);
    // Everything denied, GetCallerIdentity included: it stays allowed.
    let mut u = user("nobody");
    u.inline_policies.push(inline("deny-all", deny(json!("*"))));
    acct.users.push(u);

    let engine = Engine::new(Catalog::builtin(), &acct);
    let cases = [
        ("scoped", "workmail:ListOrganizations", Decision::NotGranted),
        (
            "scoped",
            "workmail:CreateOrganization",
            Decision::NotGranted,
        ),
        ("scoped", "workmail:ResetPassword", Decision::Limited),
        ("notres", "workmail:ResetPassword", Decision::Allowed),
        ("notres", "workmail:ListOrganizations", Decision::Allowed),
        ("denied-notres", "workmail:ResetPassword", Decision::Denied),
        (
            "denied-notres",
            "workmail:ListOrganizations",
            Decision::Denied,
        ),
        (
            "denied-orgs",
            "workmail:DeleteOrganization",
            Decision::Denied,
        ),
        ("denied-orgs", "workmail:ResetPassword", Decision::Limited),
        ("all-orgs", "workmail:ResetPassword", Decision::Allowed),
        (
            "all-orgs",
            "workmail:ListOrganizations",
            Decision::NotGranted,
        ),
        ("nobody", "sts:GetCallerIdentity", Decision::Allowed),
        ("nobody", "workmail:ListOrganizations", Decision::Denied),
        ("scoped", "sts:GetCallerIdentity", Decision::Allowed),
        (
            "same-org",
            "workmail:StartMailboxExportJob",
            Decision::Denied,
        ),
        ("same-org", "workmail:ListUsers", Decision::Limited),
        (
            "same-org-conditional",
            "workmail:StartMailboxExportJob",
            Decision::Limited,
        ),
    ];
    for (who, act, want) in cases {
        assert_eq!(decide(&engine, who, act), want, "{who} {act}");
    }
    // The grant on every organization names no resource limit.
    let id = engine.find("all-orgs")[0];
    let e = engine.explain(id, action("workmail:ResetPassword"));
    assert!(e.limits().is_empty(), "{:?}", e.limits());
    assert!(e.grants[0].every_resource);
    let nobody = engine.find("nobody")[0];
    let e = engine.explain(nobody, action("sts:GetCallerIdentity"));
    assert_eq!(e.note, Some(NO_PERMISSION_NOTE));
}

/// Issue #16 item 12: members share their group's attachments instead of
/// each holding a copy (6,000 members of a group with 6,000 policies were
/// 36 million copies), and provenance still names the group.
#[test]
fn members_share_group_attachments() {
    let mut acct = Account::default();
    let mut g = group("big");
    for i in 0..50 {
        g.inline_policies.push(inline(
            &format!("p{i}"),
            allow(json!("workmail:ListUsers"), json!("*")),
        ));
    }
    acct.groups.push(g);
    for i in 0..20 {
        let mut u = user(&format!("u{i}"));
        u.groups.push("big".into());
        acct.users.push(u);
    }
    let engine = Engine::new(Catalog::builtin(), &acct);
    let u = engine.principal(engine.find("u7")[0]);
    assert!(
        u.attachments.is_empty(),
        "no copies of the group's policies"
    );
    assert_eq!(u.member_of, engine.find("big"));
    assert_eq!(engine.attachments(u).count(), 50);
    assert!(
        engine
            .attachments(u)
            .all(|a| a.via == Via::Group("big".into()))
    );
    assert_eq!(
        decide(&engine, "u7", "workmail:ListUsers"),
        Decision::Allowed
    );
}

/// `iam:PassRole` on one role: the statement names it, a wildcard covers
/// it, NotResource excludes it, a Deny or a boundary takes it away, and a
/// Condition or a policy variable makes it limited.
#[test]
fn decision_on_one_resource() {
    let role = "arn:aws:iam::111122223333:role/WorkMailExportRole";
    let pass = |resource: Value| allow(json!("iam:PassRole"), resource);
    let mut acct = Account::default();
    let cases: Vec<(&str, Vec<Value>, Decision)> = vec![
        ("exact", vec![pass(json!(role))], Decision::Allowed),
        (
            "glob",
            vec![pass(json!("arn:aws:iam::*:role/WorkMail*"))],
            Decision::Allowed,
        ),
        ("star", vec![pass(json!("*"))], Decision::Allowed),
        (
            "other",
            vec![pass(json!("arn:aws:iam::111122223333:role/App"))],
            Decision::NotGranted,
        ),
        (
            "case",
            vec![pass(json!(
                "arn:aws:iam::111122223333:role/workmailexportrole"
            ))],
            Decision::NotGranted,
        ),
        (
            "notresource",
            vec![
                json!({"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":role}]}),
            ],
            Decision::NotGranted,
        ),
        (
            "denied",
            vec![
                pass(json!("*")),
                json!({"Statement":[{"Effect":"Deny","Action":"iam:Pass*","Resource":role}]}),
            ],
            Decision::Denied,
        ),
        (
            "deniedelsewhere",
            vec![
                pass(json!("*")),
                json!({"Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/App"}]}),
            ],
            Decision::Allowed,
        ),
        (
            "conditional",
            vec![
                json!({"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":role,
                "Condition":{"StringEquals":{"iam:PassedToService":"export.workmail.amazonaws.com"}}}]}),
            ],
            Decision::Limited,
        ),
        // ${aws:username} is the caller's own name: role/variable, not this role.
        (
            "variable",
            vec![pass(json!(
                "arn:aws:iam::111122223333:role/${aws:username}"
            ))],
            Decision::NotGranted,
        ),
        // A variable wmaudit cannot resolve may match: limited.
        (
            "tagvariable",
            vec![pass(json!(
                "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}*"
            ))],
            Decision::Limited,
        ),
        (
            "maybedenied",
            vec![
                pass(json!("*")),
                json!({"Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"*",
                "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}),
            ],
            Decision::Limited,
        ),
    ];
    for (name, docs, _) in &cases {
        let mut u = user(name);
        for (i, d) in docs.iter().enumerate() {
            u.inline_policies.push(inline(&format!("p{i}"), d.clone()));
        }
        acct.users.push(u);
    }
    // A boundary that allows PassRole only on other roles.
    acct.policies.push(customer(
        "AppOnly",
        pass(json!("arn:aws:iam::111122223333:role/App*")),
    ));
    let mut u = user("bounded");
    u.inline_policies.push(inline("p0", pass(json!("*"))));
    u.permissions_boundary = Some("arn:aws:iam::111122223333:policy/AppOnly".into());
    acct.users.push(u);
    let engine = Engine::new(Catalog::builtin(), &acct);
    let on = |who: &str| engine.decision_on(engine.find(who)[0], action("iam:PassRole"), role);
    for (name, _, expected) in &cases {
        assert_eq!(on(name).decision, *expected, "{name}");
    }
    assert_eq!(on("bounded").decision, Decision::NotGranted);
    let exact = on("exact");
    assert_eq!(exact.allows.len(), 1);
    assert_eq!(exact.allows[0].via, Some(Via::Direct));
    assert_eq!(on("denied").denies.len(), 1);
}
