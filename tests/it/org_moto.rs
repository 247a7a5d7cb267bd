//! `scan --organization` and `collect --organization` against moto's
//! Organizations, STS and IAM: a fresh management account per run (moto
//! lets credentials from AssumeRole of a role in account X act in X), an
//! organization with nested OUs, six member accounts, a Deny SCP on mail
//! export and impersonation at an OU, an allow-list SCP that leaves no
//! WorkMail action at another, and the same IAM users in every account.

use std::time::Duration;

use aws_sdk_iam::config::{Credentials, Region};
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType};
use serde_json::Value;

use crate::collect_moto::moto_url;

const MEMBER_ROLE: &str = "wmaudit-auditor";

const DENY_MAIL_EXPORT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoExport","Effect":"Deny","Action":["workmail:StartMailboxExportJob","workmail:AssumeImpersonationRole","workmail:CreateImpersonationRole"],"Resource":"*"}]}"#;
const ALLOW_LIST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*","s3:*"],"Resource":"*"}]}"#;
/// What each account's users hold: an exporter outside the administrators
/// and an administrator by AmazonWorkMailFullAccess.
const EXPORTER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["workmail:StartMailboxExportJob","workmail:DescribeMailboxExportJob"],"Resource":"*"}]}"#;
const WORKMAIL_FULL: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";

fn creds(c: &aws_sdk_sts::types::Credentials) -> Credentials {
    Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    )
}

/// Credentials acting in `account` (moto: AssumeRole of any role there).
async fn into_account(url: &str, account: &str) -> Credentials {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                "AKIAWMORGSETUPXXXXXX",
                "setup",
                None,
                None,
                "test",
            ))
            .endpoint_url(url)
            .build(),
    );
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/setup"))
        .role_session_name("setup")
        .send()
        .await
        .unwrap();
    creds(out.credentials().unwrap())
}

fn orgs(url: &str, c: &Credentials) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .credentials_provider(c.clone())
            .endpoint_url(url)
            .build(),
    )
}

fn iam(url: &str, c: &Credentials) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .region(Region::new("us-east-1"))
            .credentials_provider(c.clone())
            .endpoint_url(url)
            .build(),
    )
}

/// The same principals in every account: the member role, an exporter and
/// an administrator.
async fn principals(url: &str, account: &str, management: &str) {
    let c = into_account(url, account).await;
    let iam = iam(url, &c);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name(MEMBER_ROLE)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    for user in ["exporter", "mailadmin"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    iam.put_user_policy()
        .user_name("exporter")
        .policy_name("export")
        .policy_document(EXPORTER)
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("mailadmin")
        .policy_arn(WORKMAIL_FULL)
        .send()
        .await
        .unwrap();
}

struct Org {
    management: String,
    id: String,
    /// name -> account id
    accounts: Vec<(String, String)>,
    deny_policy: String,
    mail_ou: String,
}

impl Org {
    fn account(&self, name: &str) -> &str {
        &self.accounts.iter().find(|(n, _)| n == name).unwrap().1
    }
}

async fn build(url: &str, management: &str) -> Org {
    let mc = into_account(url, management).await;
    let o = orgs(url, &mc);
    let org = o
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let id = org.organization().unwrap().id().unwrap().to_owned();
    let root = o.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    for t in [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ] {
        o.enable_policy_type()
            .root_id(&root)
            .policy_type(t)
            .send()
            .await
            .unwrap();
    }
    let ou = |parent: String, name: &'static str| {
        let o = o.clone();
        async move {
            o.create_organizational_unit()
                .parent_id(parent)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit()
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        }
    };
    let mail = ou(root.clone(), "Mail").await;
    let prod = ou(mail.clone(), "Prod").await;
    let restricted = ou(root.clone(), "Restricted").await;
    // name, OU (None: the root)
    let plan = [
        ("mail-prod", Some(&prod)),
        ("mail-dev", Some(&mail)),
        ("restricted", Some(&restricted)),
        ("plain", None),
        ("plain-2", None),
        ("plain-3", None),
    ];
    let mut accounts = vec![("management".to_owned(), management.to_owned())];
    for (name, dest) in plan {
        let created = o
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        let account = created
            .create_account_status()
            .unwrap()
            .account_id()
            .unwrap()
            .to_owned();
        if let Some(dest) = dest {
            o.move_account()
                .account_id(&account)
                .source_parent_id(&root)
                .destination_parent_id(dest)
                .send()
                .await
                .unwrap();
        }
        accounts.push((name.to_owned(), account));
    }
    let policy = |name: &'static str, doc: &'static str| {
        let o = o.clone();
        async move {
            o.create_policy()
                .name(name)
                .description(name)
                .content(doc)
                .r#type(PolicyType::ServiceControlPolicy)
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap()
                .policy_summary()
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        }
    };
    let deny = policy("DenyMailExport", DENY_MAIL_EXPORT).await;
    let allow_list = policy("OnlyIamS3", ALLOW_LIST).await;
    for target in [&mail, &management.to_owned()] {
        o.attach_policy()
            .policy_id(&deny)
            .target_id(target)
            .send()
            .await
            .unwrap();
    }
    o.attach_policy()
        .policy_id(&allow_list)
        .target_id(&restricted)
        .send()
        .await
        .unwrap();
    o.detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(&restricted)
        .send()
        .await
        .unwrap();
    for (_, account) in &accounts {
        principals(url, account, management).await;
    }
    Org {
        management: management.to_owned(),
        id,
        accounts,
        deny_policy: deny,
        mail_ou: mail,
    }
}

/// A management account no earlier run against this moto has used.
fn fresh_account() -> String {
    let n = crate::collect_moto::unique("")
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("5{:011}", n % 100_000_000_000)
}

fn run(url: &str, c: &Credentials, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("wmaudit")
        .unwrap()
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_ACCESS_KEY_ID", c.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", c.secret_access_key())
        .env("AWS_SESSION_TOKEN", c.session_token().unwrap_or_default())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap()
}

fn account<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["scan"]["account_id"] == id)
        .unwrap_or_else(|| panic!("no report for {id}"))
}

fn fired<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn on(findings: &[&Value], name: &str) -> bool {
    findings.iter().any(|f| f["resource"]["name"] == name)
}

#[test]
fn scans_an_organization_under_its_scps() {
    let Some(url) = moto_url() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let management = fresh_account();
    let org = rt.block_on(build(&url, &management));
    let mc = rt.block_on(into_account(&url, &management));
    let dir = tempfile::tempdir().unwrap();
    let org_run = |cmd: &str, extra: &[&str]| {
        let mut args = vec![
            cmd,
            "--organization",
            "--member-role",
            MEMBER_ROLE,
            "--no-workmail",
        ];
        args.extend_from_slice(extra);
        run(&url, &mc, dir.path(), &args)
    };
    let out = org_run(
        "scan",
        &[
            "--concurrency",
            "3",
            "--fail-on",
            "none",
            "--allow-incomplete",
            "--format",
            "json",
            "--sarif-dir",
            "sarif",
            "--markdown",
            "summary.md",
            "--html",
            "page.html",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "wmaudit-report/2");
    assert_eq!(doc["organization"]["id"], org.id.as_str());
    assert_eq!(
        doc["organization"]["management_account_id"],
        management.as_str()
    );
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 7, "{stderr}");
    assert_eq!(doc["gate"]["not_evaluated"], 0);
    // The tree: Prod under Mail, both with their paths.
    let ous = doc["organization"]["organizational_units"]
        .as_array()
        .unwrap();
    assert!(ous.iter().any(|o| o["path"] == "Root/Mail/Prod"), "{ous:?}");

    // Under OU Mail's Deny: no export rights, and the administrator's
    // policy is ineffective, naming the SCP and the OU.
    for name in ["mail-prod", "mail-dev"] {
        let r = account(&doc, org.account(name));
        assert!(
            !on(&fired(r, "workmail-mail-content-access"), "exporter"),
            "{name}"
        );
        let ineffective = fired(r, "workmail-policy-ineffective");
        assert!(on(&ineffective, "mailadmin"), "{name}: {ineffective:?}");
        let msg = ineffective[0]["message"].as_str().unwrap();
        assert!(
            msg.contains(&format!(
                "denied by SCP {} (DenyMailExport) attached to OU Mail ({})",
                org.deny_policy, org.mail_ou
            )),
            "{msg}"
        );
        let evidence = ineffective[0]["evidence"].to_string();
        assert!(evidence.contains("DenyMailExport"), "{evidence}");
        assert_eq!(r["organization"]["management"], false);
    }
    assert_eq!(
        account(&doc, org.account("mail-prod"))["organization"]["ou_path"],
        "Root/Mail/Prod"
    );
    // Outside it: the same users, the same findings as without SCPs.
    for name in ["plain", "plain-2"] {
        let r = account(&doc, org.account(name));
        assert!(
            on(&fired(r, "workmail-mail-content-access"), "exporter"),
            "{name}"
        );
        let ineffective = fired(r, "workmail-policy-ineffective");
        assert!(ineffective.is_empty(), "{name}: {ineffective:?}");
    }
    // The management account: the Deny is attached to it, and does nothing.
    let m = account(&doc, &org.management);
    assert_eq!(m["organization"]["management"], true);
    assert!(on(&fired(m, "workmail-mail-content-access"), "exporter"));
    assert!(fired(m, "workmail-policy-ineffective").is_empty());
    // The allow-list leaves no WorkMail action: nobody administers it.
    let r = account(&doc, org.account("restricted"));
    assert!(!fired(r, "workmail-no-admin").is_empty());
    assert!(!on(&fired(r, "workmail-mail-content-access"), "exporter"));
    assert!(fired(account(&doc, org.account("plain")), "workmail-no-admin").is_empty());

    // One SARIF file per account, one run each, its own category.
    for (_, id) in &org.accounts {
        let text = std::fs::read_to_string(dir.path().join(format!("sarif/{id}.sarif"))).unwrap();
        let sarif: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(sarif["runs"].as_array().unwrap().len(), 1);
        assert_eq!(
            sarif["runs"][0]["automationDetails"]["id"],
            format!("wmaudit/{id}/")
        );
    }
    let page = std::fs::read_to_string(dir.path().join("page.html")).unwrap();
    assert!(
        page.contains(&format!("wmaudit: organization {}, 7 accounts", org.id)),
        "the page's title names the organization"
    );
    assert!(
        page.contains("<dt>Organization</dt>"),
        "each account says where it sits"
    );
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.starts_with("## wmaudit: overview"), "{md}");
    assert!(md.contains("| Root/Mail/Prod |"), "{md}");

    // Collected to directories, in two batches (a fanned-out job), then
    // scanned offline: the same findings.
    let ids: Vec<&str> = org.accounts.iter().map(|(_, id)| id.as_str()).collect();
    let (first_half, second_half) = ids.split_at(3);
    assert!(first_half.contains(&org.account("mail-prod")));
    for (batch, list) in [("b1", first_half), ("b2", second_half)] {
        let list = list.join(",");
        let out = org_run("collect", &["--accounts", &list, "-o", batch, "--quiet"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let offline = |args: &[&str]| {
        let mut all = vec![
            "scan",
            "--fail-on",
            "none",
            "--allow-incomplete",
            "--format",
            "json",
        ];
        all.extend_from_slice(args);
        let out = run(&url, &mc, dir.path(), &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let both = ["--snapshot", "b1", "--snapshot", "b2"];
    let first = offline(&both);
    assert_eq!(first, offline(&both), "deterministic");
    let again: Value = serde_json::from_slice(&first).unwrap();
    let fingerprints = |d: &Value| {
        let mut v: Vec<String> = d["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["findings"].as_array().unwrap().iter())
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(fingerprints(&again), fingerprints(&doc));

    // explain, with the organization file beside the account's snapshot,
    // says which SCP takes the action away.
    let snap = format!("b1/{}.json", org.account("mail-prod"));
    let out = run(
        &url,
        &mc,
        dir.path(),
        &[
            "explain",
            "exporter",
            "--snapshot",
            &snap,
            "--snapshot",
            "b1/organization.json",
            "--action",
            "workmail:StartMailboxExportJob",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    let action = &explained[0]["actions"][0];
    assert_eq!(action["decision"], "denied");
    assert_eq!(
        action["organization"][0],
        format!(
            "denied by SCP {} (DenyMailExport) attached to OU Mail ({}), statement NoExport",
            org.deny_policy, org.mail_ou
        )
    );
    assert_eq!(action["controls"][0]["policy_name"], "DenyMailExport");

    // The batches merged: one report with the same findings; a batch given
    // twice is refused.
    let out = run(
        &url,
        &mc,
        dir.path(),
        &[
            "merge",
            "b1",
            "b2",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--allow-incomplete",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fingerprints(&merged), fingerprints(&doc));
    assert_eq!(merged["organization"]["id"], org.id.as_str());
    let out = run(&url, &mc, dir.path(), &["merge", "b1", "b1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is in both"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Only some accounts; an account the organization does not have is a
    // usage error.
    let only = format!("{},{}", org.account("plain"), org.account("mail-dev"));
    let out = org_run(
        "scan",
        &["--accounts", &only, "--format", "json", "--fail-on", "none"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 2);
    let out = org_run("scan", &["--accounts", "999999999999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("999999999999 is not an ACTIVE account"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
