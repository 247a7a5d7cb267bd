//! Live collection against moto (scripts/test starts it and sets
//! WMAUDIT_MOTO_URL). moto's state is shared by the tests of this binary, so
//! every test uses its own name prefix and its own access key id, by which it
//! also finds its own requests in moto's request recorder.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Once;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_iam::config::{Credentials, Region};
use base64::Engine as _;
use wmaudit_aws::{self as collect, ALLOWED_OPERATIONS, Clients, CollectOptions, Tuning};
use wmaudit_core::snapshot::{Part, Snapshot, SourceKind};

const WORKMAIL_FULL: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";
const ACCOUNT: &str = "123456789012";

/// moto's URL. Without one these tests cannot run: under CI that is a
/// failure (a gate that skipped its live tests must not pass); a developer's
/// plain `cargo test` skips them, saying so.
pub(crate) fn moto_url() -> Option<String> {
    match std::env::var("WMAUDIT_MOTO_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                !in_ci(),
                "WMAUDIT_MOTO_URL is unset under CI: run the tests with scripts/test, \
                 which starts moto and sets it"
            );
            eprintln!("skipping: WMAUDIT_MOTO_URL is unset (scripts/test starts moto and sets it)");
            None
        }
    }
}

/// `CI` as CI services set it (`true`, `1`); unset, empty, `false` or `0` is not CI.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// A prefix no earlier run against the same moto has used.
pub(crate) fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{tag}{:x}{:x}",
        std::process::id() % 0xffff,
        nanos % 0xfffff
    )
}

/// A test-only access key id (20 characters like AWS's), one per label.
fn key_id(label: &str) -> String {
    // FNV-1a: distinct labels give distinct keys, whatever their length.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("AKIAWM{:014X}", h & 0x00ff_ffff_ffff_ffff)
}

/// A client that may write (to set moto up): deliberately without the allowlist.
fn writer(url: &str) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIAWMWRITERXXXXXXXX",
            "writer-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(url)
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// The collector's clients, signing with `key`.
fn reader(url: &str, key: &str) -> Clients {
    let creds = Credentials::new(key, "reader-secret", None, None, "test");
    let iam = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(creds.clone())
        .endpoint_url(url);
    let sts = aws_sdk_sts::Config::builder()
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(url);
    Clients::from_builders(iam, sts, &Tuning::default())
}

fn opts() -> CollectOptions {
    CollectOptions {
        quiet: true,
        report_wait: Duration::from_secs(30),
        // moto implements no WorkMail operation: WorkMail is collected
        // from its replay instead (workmail_collect.rs, and the binary's
        // end-to-end test below).
        workmail: false,
        ..CollectOptions::default()
    }
}

// ---- moto's request recorder ----

/// One HTTP/1.0 request to moto's control API (no client crate needed).
fn moto_api(url: &str, method: &str, path: &str) -> String {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).expect("connect to moto");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    assert!(head.contains(" 200 "), "{method} {path}: {head}");
    body.to_owned()
}

fn start_recording(url: &str) {
    // Idempotent; never reset: other tests' entries are filtered out by key.
    moto_api(url, "POST", "/moto-api/recorder/start-recording");
}

/// `service:Action` -> count, for requests signed with `key`.
fn recorded_calls(url: &str, key: &str) -> BTreeMap<String, u64> {
    let needle = format!("Credential={key}/");
    let mut calls = BTreeMap::new();
    for line in moto_api(url, "GET", "/moto-api/recorder/download-recording").lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let auth = entry["headers"]["Authorization"].as_str().unwrap_or("");
        let Some(scope) = auth.split(&needle).nth(1) else {
            continue;
        };
        // Credential=KEY/date/region/service/aws4_request
        let service = scope.split('/').nth(2).unwrap_or("?").to_owned();
        let body = entry["body"].as_str().unwrap_or("");
        let body = if entry["body_encoded"].as_bool() == Some(true) {
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .unwrap(),
            )
            .unwrap()
        } else {
            body.to_owned()
        };
        let action = body
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("?")
            .to_owned();
        *calls.entry(format!("{service}:{action}")).or_default() += 1;
    }
    calls
}

// ---- setting moto up ----

fn doc(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string()
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

struct Fixture {
    p: String,
}

impl Fixture {
    fn arn(&self, kind: &str, name: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:{kind}/{}-{name}", self.p)
    }
    fn name(&self, name: &str) -> String {
        format!("{}-{name}", self.p)
    }
}

/// Users, a group with AmazonWorkMailFullAccess, a customer managed policy,
/// inline policies everywhere, a role with a boundary, an access key, a
/// login profile and an enabled virtual MFA device.
async fn populate(iam: &aws_sdk_iam::Client, p: &str) -> Fixture {
    let f = Fixture { p: p.to_owned() };
    let n = |s: &str| f.name(s);

    iam.create_group()
        .group_name(n("admins"))
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name(n("admins"))
        .policy_arn(WORKMAIL_FULL)
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name(n("admins"))
        .policy_name("admins-inline")
        .policy_document(doc(&["workmail:ListUsers"]))
        .send()
        .await
        .unwrap();

    let read = iam
        .create_policy()
        .policy_name(n("mail-read"))
        .policy_document(doc(&["workmail:Describe*", "workmail:List*"]))
        .send()
        .await
        .unwrap();
    let read_arn = read.policy().unwrap().arn().unwrap().to_owned();
    let boundary = iam
        .create_policy()
        .policy_name(n("boundary"))
        .policy_document(doc(&["workmail:*"]))
        .send()
        .await
        .unwrap();
    let boundary_arn = boundary.policy().unwrap().arn().unwrap().to_owned();

    for u in ["alice", "bob"] {
        iam.create_user().user_name(n(u)).send().await.unwrap();
    }
    iam.add_user_to_group()
        .group_name(n("admins"))
        .user_name(n("alice"))
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(n("alice"))
        .policy_name("alice-inline")
        .policy_document(doc(&["workmail:ResetPassword"]))
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name(n("bob"))
        .policy_arn(&read_arn)
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name(n("alice"))
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name(n("alice"))
        .password("Correct-Horse-Battery-9")
        .send()
        .await
        .unwrap();
    let mfa = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(n("alice-mfa"))
        .send()
        .await
        .unwrap();
    let serial = mfa.virtual_mfa_device().unwrap().serial_number().to_owned();
    iam.enable_mfa_device()
        .user_name(n("alice"))
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();

    iam.create_role()
        .role_name(n("ops"))
        .assume_role_policy_document(TRUST)
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(n("ops"))
        .policy_name("ops-inline")
        .policy_document(doc(&["workmail:DescribeOrganization"]))
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name(n("ops"))
        .policy_arn(&read_arn)
        .send()
        .await
        .unwrap();
    f
}

fn actions_of(doc: &serde_json::Value) -> Vec<String> {
    let parsed = wmaudit_core::eval::parse_raw(doc).expect("document decodes and parses");
    parsed
        .statements
        .iter()
        .flat_map(|s| s.action.patterns().to_vec())
        .collect()
}

/// Every operation sent is on the allowlist, per the interceptor and per
/// moto's own record, and the two agree call for call.
fn assert_only_allowlisted(url: &str, key: &str, snap: &Snapshot, clients: &Clients) {
    assert!(
        clients.log().refused().is_empty(),
        "{:?}",
        clients.log().refused()
    );
    for op in snap.metadata.api_calls.keys() {
        assert!(
            ALLOWED_OPERATIONS.contains(&op.as_str()),
            "interceptor saw {op}"
        );
    }
    let recorded = recorded_calls(url, key);
    for op in recorded.keys() {
        assert!(
            ALLOWED_OPERATIONS.contains(&op.as_str()),
            "moto received {op}"
        );
    }
    assert_eq!(
        recorded, snap.metadata.api_calls,
        "moto's record vs api_calls"
    );
}

#[tokio::test]
async fn collects_a_populated_account() {
    setup_env();
    let Some(url) = moto_url() else { return };
    start_recording(&url);
    let p = unique("wma");
    let f = populate(&writer(&url), &p).await;
    let key = key_id(&p);
    let clients = reader(&url, &key);

    let snap = collect::collect_with(&clients, &opts()).await.unwrap();

    // Metadata.
    let m = &snap.metadata;
    assert_eq!(m.format, wmaudit_core::snapshot::SNAPSHOT_FORMAT);
    assert_eq!(m.source, SourceKind::Live);
    assert_eq!(m.account_id.as_deref(), Some(ACCOUNT));
    assert!(m.caller_arn.as_deref().is_some_and(|a| a.contains(ACCOUNT)));
    assert!(m.collected_at.as_deref().is_some_and(|t| t.ends_with('Z')));
    assert!(m.not_collected.is_empty(), "{:?}", m.not_collected);
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?} missing");
    }

    // Entities and attachments.
    let acct = snap.account.as_ref().unwrap();
    let alice = acct
        .users
        .iter()
        .find(|u| u.arn == f.arn("user", "alice"))
        .unwrap();
    assert_eq!(alice.groups, vec![f.name("admins")]);
    assert_eq!(alice.inline_policies.len(), 1);
    assert_eq!(
        actions_of(&alice.inline_policies[0].document),
        ["workmail:ResetPassword"]
    );
    let bob = acct
        .users
        .iter()
        .find(|u| u.arn == f.arn("user", "bob"))
        .unwrap();
    assert_eq!(bob.attached_policies.len(), 1);
    assert_eq!(bob.attached_policies[0].arn, f.arn("policy", "mail-read"));
    assert_eq!(bob.attached_policies[0].name, f.name("mail-read"));

    let admins = acct
        .groups
        .iter()
        .find(|g| g.arn == f.arn("group", "admins"))
        .unwrap();
    assert_eq!(admins.attached_policies.len(), 1);
    assert_eq!(admins.attached_policies[0].arn, WORKMAIL_FULL);
    assert_eq!(
        actions_of(&admins.inline_policies[0].document),
        ["workmail:ListUsers"]
    );

    let ops = acct
        .roles
        .iter()
        .find(|r| r.arn == f.arn("role", "ops"))
        .unwrap();
    assert_eq!(
        ops.permissions_boundary.as_deref(),
        Some(f.arn("policy", "boundary").as_str())
    );
    assert_eq!(
        actions_of(&ops.inline_policies[0].document),
        ["workmail:DescribeOrganization"]
    );
    assert_eq!(
        actions_of(ops.assume_role_policy.as_ref().unwrap()),
        ["sts:AssumeRole"]
    );

    // Documents are kept as received (text), and decode on evaluation.
    let read = acct
        .policies
        .iter()
        .find(|p| p.arn == f.arn("policy", "mail-read"))
        .unwrap();
    assert!(read.document.as_ref().unwrap().is_string());
    assert_eq!(
        actions_of(read.document.as_ref().unwrap()),
        ["workmail:Describe*", "workmail:List*"]
    );
    assert_eq!(read.name, f.name("mail-read"));
    let full = acct
        .policies
        .iter()
        .find(|p| p.arn == WORKMAIL_FULL)
        .expect("used AWS managed policy kept");
    assert_eq!(full.name, "AmazonWorkMailFullAccess");
    assert!(!actions_of(full.document.as_ref().unwrap()).is_empty());
    // moto returns all ~1,500 AWS managed policies; only used ones are kept.
    let aws_managed = acct.policies.iter().filter(|p| p.is_aws_managed()).count();
    assert!(aws_managed < 20, "{aws_managed} AWS managed policies kept");

    // Credential report rows for our users.
    let report = snap.credential_report.as_ref().unwrap();
    let a = report.user(&f.name("alice")).expect("alice's row");
    assert_eq!(a.password_enabled, Some(true));
    assert!(a.access_key_1_active);
    let b = report.user(&f.name("bob")).expect("bob's row");
    assert_eq!(b.password_enabled, Some(false));
    assert!(!b.has_active_key());
    assert!(report.generated_at.is_some());

    // Virtual MFA: the device enabled for alice, with its user.
    let devices = snap.virtual_mfa_devices.as_ref().unwrap();
    let dev = devices
        .iter()
        .find(|d| {
            d.serial_number
                .ends_with(&format!("mfa/{}", f.name("alice-mfa")))
        })
        .expect("alice's virtual MFA device");
    assert_eq!(
        dev.user_arn.as_deref(),
        Some(f.arn("user", "alice").as_str())
    );

    let summary = snap.account_summary.as_ref().unwrap();
    assert!(summary.get("Users").is_some_and(|n| *n >= 2), "{summary:?}");
    assert!(snap.account_aliases.is_some());
    assert!(snap.password_policy.is_some());

    // Calls: one page here (moto never pages), one of each other call.
    let calls = &snap.metadata.api_calls;
    assert_eq!(calls.get("iam:GetAccountAuthorizationDetails"), Some(&1));
    for op in [
        "sts:GetCallerIdentity",
        "iam:GetAccountSummary",
        "iam:GetCredentialReport",
        "iam:GetAccountPasswordPolicy",
        "iam:ListVirtualMFADevices",
        "iam:ListAccountAliases",
    ] {
        assert_eq!(calls.get(op), Some(&1), "{op}: {calls:?}");
    }
    assert!(
        calls
            .get("iam:GenerateCredentialReport")
            .is_some_and(|n| *n >= 1)
    );
    assert_only_allowlisted(&url, &key, &snap, &clients);

    // The snapshot survives its own file format.
    let text = serde_json::to_string(&snap).unwrap();
    let back: Snapshot = serde_json::from_str(&text).unwrap();
    assert_eq!(back, snap);
}

/// Collection does not make more calls for more users: authorization
/// details come in pages (1,000 entities each on AWS), everything else is
/// one call per account.
#[tokio::test]
async fn call_count_does_not_grow_with_users() {
    setup_env();
    let Some(url) = moto_url() else { return };
    start_recording(&url);
    let iam = writer(&url);
    let p = unique("wmn");
    let mut per_size = Vec::new();
    let mut made = 0;
    for total in [5, 50] {
        while made < total {
            iam.create_user()
                .user_name(format!("{p}-u{made}"))
                .send()
                .await
                .unwrap();
            made += 1;
        }
        let key = key_id(&format!("{p}n{total}"));
        let clients = reader(&url, &key);
        let snap = collect::collect_with(&clients, &opts()).await.unwrap();
        let ours = snap
            .account
            .as_ref()
            .unwrap()
            .users
            .iter()
            .filter(|u| u.name.starts_with(&format!("{p}-u")))
            .count();
        assert_eq!(ours, total);
        assert_only_allowlisted(&url, &key, &snap, &clients);
        println!("{total} users: api_calls {:?}", snap.metadata.api_calls);
        per_size.push(snap.metadata.api_calls);
    }
    // Report polling depends on timing, not on users; compare everything else.
    let strip = |m: &BTreeMap<String, u64>| {
        let mut m = m.clone();
        m.remove("iam:GenerateCredentialReport");
        m
    };
    assert_eq!(strip(&per_size[0]), strip(&per_size[1]));
    assert_eq!(per_size[0]["iam:GetAccountAuthorizationDetails"], 1);
}

/// With `role_arn`, the scan runs as the assumed role (aws-config's
/// AssumeRoleProvider), and the AssumeRole call is counted.
#[tokio::test]
async fn assumes_the_audit_role() {
    setup_env();
    let Some(url) = moto_url() else { return };
    let p = unique("wmr");
    let iam = writer(&url);
    iam.create_role()
        .role_name(format!("{p}-auditor"))
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    let opts = CollectOptions {
        endpoint_url: Some(url.clone()),
        region: Some("us-east-1".into()),
        role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/{p}-auditor")),
        ..opts()
    };
    let snap = collect::collect(&opts).await.unwrap();
    let caller = snap.metadata.caller_arn.as_deref().unwrap();
    assert!(
        caller.contains(&format!("assumed-role/{p}-auditor/wmaudit")),
        "{caller}"
    );
    assert_eq!(snap.metadata.api_calls.get("sts:AssumeRole"), Some(&1));
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
}

/// `collect` loads credentials like the AWS CLI does (here from the
/// environment, set once for this binary before any test reads it).
#[tokio::test]
async fn collect_loads_config_from_the_environment() {
    setup_env();
    let Some(url) = moto_url() else { return };
    start_recording(&url);
    let opts = CollectOptions {
        endpoint_url: Some(url.clone()),
        ..opts()
    };
    let snap = collect::collect(&opts).await.unwrap();
    assert_eq!(snap.metadata.account_id.as_deref(), Some(ACCOUNT));
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    let recorded = recorded_calls(&url, ENV_KEY);
    assert!(
        recorded.contains_key("sts:GetCallerIdentity"),
        "{recorded:?}"
    );
    for op in recorded.keys() {
        assert!(
            ALLOWED_OPERATIONS.contains(&op.as_str()),
            "moto received {op}"
        );
    }
}

const ENV_KEY: &str = "AKIAWMENVIRONMENTXXX";

/// Every test calls this first (see the SAFETY note).
fn setup_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: every test that loads configuration from the environment
        // calls this first, and Once makes the others wait until it is done;
        // no other thread of this binary reads these variables.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", ENV_KEY);
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "env-secret");
            std::env::remove_var("AWS_SESSION_TOKEN");
            std::env::remove_var("AWS_PROFILE");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/wmaudit-test-config");
            std::env::set_var(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/wmaudit-test-credentials",
            );
        }
    });
}

/// Escalation paths end to end (#11): an iam-vulnerable-style account built
/// in moto, one user per method, collected live and scanned; each user's
/// path is the one its policy allows.
#[tokio::test]
async fn escalation_paths_from_a_live_account() {
    setup_env();
    let Some(url) = moto_url() else { return };
    let p = unique("esc");
    let iam = writer(&url);
    let f = Fixture { p: p.clone() };
    let n = |s: &str| f.name(s);
    let one = |action: &str, resource: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": resource}]})
        .to_string()
    };
    let export = one("workmail:StartMailboxExportJob", "*");
    let root_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    // What the paths lead to: a role, a user and a group that read mail.
    iam.create_role()
        .role_name(n("mailrole"))
        .assume_role_policy_document(&root_trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(n("mailrole"))
        .policy_name("export")
        .policy_document(&export)
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name(n("mailer"))
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(n("mailer"))
        .policy_name("export")
        .policy_document(&export)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name(n("mailgroup"))
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name(n("mailgroup"))
        .policy_name("export")
        .policy_document(&export)
        .send()
        .await
        .unwrap();
    // A role EC2 runs as: trusted by ec2.amazonaws.com, in an instance profile.
    let ec2_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for (role, profile) in [("ec2role", true), ("bareec2role", false)] {
        iam.create_role()
            .role_name(n(role))
            .assume_role_policy_document(ec2_trust)
            .send()
            .await
            .unwrap();
        iam.put_role_policy()
            .role_name(n(role))
            .policy_name("export")
            .policy_document(&export)
            .send()
            .await
            .unwrap();
        if profile {
            iam.create_instance_profile()
                .instance_profile_name(n(role))
                .send()
                .await
                .unwrap();
            iam.add_role_to_instance_profile()
                .instance_profile_name(n(role))
                .role_name(n(role))
                .send()
                .await
                .unwrap();
        }
    }
    let launch = |role: &str| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f.arn("role", role)}]})
        .to_string()
    };
    // One user per method.
    let methods = [
        (
            "assumer",
            one("sts:AssumeRole", &f.arn("role", "mailrole")),
            "assume role/",
        ),
        (
            "selfwriter",
            one("iam:PutUserPolicy", &f.arn("user", "selfwriter")),
            "iam:PutUserPolicy on user/",
        ),
        (
            "keymaker",
            one("iam:CreateAccessKey", &f.arn("user", "mailer")),
            "take the credentials of user/",
        ),
        (
            "joiner",
            one("iam:AddUserToGroup", &f.arn("group", "mailgroup")),
            "join group group/",
        ),
        (
            "trustwriter",
            one("iam:UpdateAssumeRolePolicy", &f.arn("role", "mailrole")),
            "rewrite the trust of role/",
        ),
        ("launcher", launch("ec2role"), "to ec2 (RunInstances)"),
    ];
    for (user, policy, _) in &methods {
        iam.create_user().user_name(n(user)).send().await.unwrap();
        iam.put_user_policy()
            .user_name(n(user))
            .policy_name("method")
            .policy_document(policy)
            .send()
            .await
            .unwrap();
    }
    // A customer policy whose non-default version exports mail, attached to
    // a user who may make any version the default.
    let ses = one("ses:SendEmail", "*");
    let created = iam
        .create_policy()
        .policy_name(n("switchable"))
        .policy_document(&ses)
        .send()
        .await
        .unwrap();
    let switchable = created.policy().and_then(|p| p.arn()).unwrap().to_owned();
    iam.create_policy_version()
        .policy_arn(&switchable)
        .policy_document(&export)
        .set_as_default(false)
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name(n("defaulter"))
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name(n("defaulter"))
        .policy_arn(&switchable)
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(n("defaulter"))
        .policy_name("versions")
        .policy_document(one("iam:SetDefaultPolicyVersion", &switchable))
        .send()
        .await
        .unwrap();
    // Near misses: an EC2 role in no instance profile (no instance can run
    // as it), and self-service keys on its own user only.
    iam.create_user()
        .user_name(n("barelauncher"))
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(n("barelauncher"))
        .policy_name("launch")
        .policy_document(launch("bareec2role"))
        .send()
        .await
        .unwrap();
    iam.create_user()
        .user_name(n("selfservice"))
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name(n("selfservice"))
        .policy_name("keys")
        .policy_document(one(
            "iam:CreateAccessKey",
            &format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
        ))
        .send()
        .await
        .unwrap();

    let snap = collect::collect_with(&reader(&url, &key_id(&p)), &opts())
        .await
        .unwrap();
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    let report = wmaudit_core::scan::scan(
        &snap,
        &wmaudit_core::scan::ScanOptions::new(&rules, &config),
    );
    let path_of = |user: &str| {
        report
            .findings
            .iter()
            .map(|f| &f.finding)
            .find(|f| f.rule_id == "workmail-escalation-path" && f.resource.name == n(user))
            .map(|f| f.message.clone())
    };
    for (user, _, step) in &methods {
        let msg = path_of(user).unwrap_or_else(|| panic!("no path for {user}"));
        assert!(msg.contains(step), "{user}: {msg}");
    }
    assert_eq!(
        path_of("selfservice"),
        None,
        "self-service keys reach no one else"
    );
    assert_eq!(
        path_of("barelauncher"),
        None,
        "a role in no instance profile"
    );
    let msg = path_of("defaulter").expect("a path through the policy's other version");
    assert!(
        msg.contains("iam:SetDefaultPolicyVersion on policy/"),
        "{msg}"
    );
    let ec2role = snap
        .account
        .as_ref()
        .unwrap()
        .roles
        .iter()
        .find(|r| r.name == n("ec2role"))
        .unwrap();
    assert_eq!(
        ec2role.instance_profiles,
        [format!(
            "arn:aws:iam::{ACCOUNT}:instance-profile/{}",
            n("ec2role")
        )]
    );
}

/// The binary end to end: IAM from moto (`AWS_ENDPOINT_URL`), WorkMail from
/// its replay (`AWS_ENDPOINT_URL_WORKMAIL`, as the AWS CLI honours it);
/// `collect` writes a wmaudit-snapshot/2 file, `explain --mailbox` answers
/// from it offline, and `scan` reports the WorkMail-side findings.
#[test]
fn the_binary_collects_workmail_and_explains_a_mailbox() {
    setup_env();
    let Some(url) = moto_url() else { return };
    use crate::replay_workmail::{Faults, Replay, org, uid};
    let replay = Replay::in_account(
        BTreeMap::from([(
            "eu-west-1",
            vec![org("m-000000000000000000000000000000e2", 12, 2, 1)],
        )]),
        Faults::default(),
        ACCOUNT,
    );
    let workmail_url = replay.serve();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("wmaudit")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("AWS_PROFILE")
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_ENDPOINT_URL_WORKMAIL", &workmail_url)
            .env("AWS_ACCESS_KEY_ID", ENV_KEY)
            .env("AWS_SECRET_ACCESS_KEY", "env-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("no-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap()
    };
    let out = run(&[
        "collect",
        "--workmail-regions",
        "eu-west-1,us-east-1",
        "--report-wait",
        "30",
        "-o",
        "snap.json",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("snap.json")).unwrap()).unwrap();
    assert_eq!(snap["metadata"]["format"], "wmaudit-snapshot/2");
    let regions: Vec<&str> = snap["workmail"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(
        regions,
        ["eu-west-1", "us-east-1"],
        "--workmail-regions narrows"
    );
    assert_eq!(
        snap["workmail"]["organizations"][0]["users"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        snap["metadata"]["api_calls"]["workmail:ListOrganizations"],
        2
    );

    let out = run(&[
        "explain",
        "--snapshot",
        "snap.json",
        "--mailbox",
        "user1@example.com",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("Mailbox user1@example.com (user "),
        "{text}"
    );
    assert!(
        text.contains("← member of group group1@example.com ← FULL_ACCESS on the mailbox"),
        "{text}"
    );
    assert!(
        text.contains("Impersonate through role Migration ("),
        "{text}"
    );
    let out = run(&[
        "explain",
        "--snapshot",
        "snap.json",
        "--mailbox",
        "user1@example.co",
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&[
        "scan",
        "--snapshot",
        "snap.json",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    let report = crate::only_account(&String::from_utf8_lossy(&out.stdout));
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"workmail-access-rules-open"), "{ids:?}");
    assert!(
        ids.contains(&"workmail-mailbox-full-access-broad"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"workmail-personal-access-token-stale"),
        "{ids:?}"
    );
    assert_eq!(
        report["workmail"]["organizations"][0]["mailboxes"][0]["id"],
        uid(1)
    );
}
