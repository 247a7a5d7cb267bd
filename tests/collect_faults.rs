//! Collection against canned responses (aws-smithy-mocks): paging, the
//! credential report, and every fault the collector must turn into a gap.
//! Responses are AWS's wire format (awsQuery XML, URL-encoded documents,
//! base64 report), so the SDK's own parsing is part of what is tested.

use std::time::{Duration, Instant};

use aws_sdk_iam::Client as Iam;
use aws_sdk_iam::config::{Credentials, Region};
use aws_sdk_sts::Client as Sts;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use base64::Engine as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use wmaudit::collect::{
    self, ALLOWED_OPERATIONS, Clients, CollectError, CollectOptions, Progress, Tuning,
};
use wmaudit::snapshot::{Part, Snapshot};

const ACCT: &str = "111122223333";
const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const WORKMAIL_FULL: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";
const UNUSED_AWS: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str =
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleSessionToken0123456789";

// ---- wire-format helpers ----

fn http(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(status).expect("valid status"),
        SdkBody::from(body),
    )
}

fn ok(ns: &str, op: &str, result: &str) -> HttpResponse {
    http(
        200,
        format!(
            r#"<{op}Response xmlns="{ns}"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{op}Response>"#
        ),
    )
}

fn iam_ok(op: &str, result: &str) -> HttpResponse {
    ok(IAM_NS, op, result)
}

fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    http(
        status,
        format!(
            r#"<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4c9b5e3a-EXAMPLE</RequestId></ErrorResponse>"#
        ),
    )
}

fn denied_message(op: &str) -> String {
    format!(
        "User: arn:aws:iam::{ACCT}:user/auditor is not authorized to perform: {op} on resource: *"
    )
}

fn denied(op: &str) -> HttpResponse {
    error(403, "AccessDenied", &denied_message(op))
}

fn throttled() -> HttpResponse {
    error(400, "Throttling", "Rate exceeded")
}

/// A policy document as IAM sends it: URL-encoded JSON.
fn enc(actions: &[&str]) -> String {
    let json = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string();
    utf8_percent_encode(&json, NON_ALPHANUMERIC).to_string()
}

// ---- GetAccountAuthorizationDetails: three pages shaped like AWS's ----

fn page1() -> String {
    format!(
        r#"<IsTruncated>true</IsTruncated><Marker>page-2-marker</Marker>
<UserDetailList><member>
  <Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLEALICE0001</UserId>
  <Arn>arn:aws:iam::{ACCT}:user/alice</Arn><CreateDate>2021-03-04T05:06:07Z</CreateDate>
  <GroupList><member>mail-admins</member></GroupList>
  <UserPolicyList><member><PolicyName>reset</PolicyName><PolicyDocument>{}</PolicyDocument></member></UserPolicyList>
  <AttachedManagedPolicies/>
  <PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::{ACCT}:policy/mail-boundary</PermissionsBoundaryArn></PermissionsBoundary>
  <Tags><member><Key>team</Key><Value>mail</Value></member></Tags>
</member><member>
  <Path>/ops/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLEBOB000001</UserId>
  <Arn>arn:aws:iam::{ACCT}:user/ops/bob</Arn><CreateDate>2022-03-04T05:06:07Z</CreateDate>
  <GroupList/><UserPolicyList/>
  <AttachedManagedPolicies><member><PolicyName>mail-read</PolicyName><PolicyArn>arn:aws:iam::{ACCT}:policy/mail-read</PolicyArn></member></AttachedManagedPolicies>
  <Tags/>
</member></UserDetailList>
<GroupDetailList/><RoleDetailList/><Policies/>"#,
        enc(&["workmail:ResetPassword"])
    )
}

fn page2() -> String {
    format!(
        r#"<IsTruncated>true</IsTruncated><Marker>page-3-marker</Marker>
<UserDetailList/>
<GroupDetailList><member>
  <Path>/</Path><GroupName>mail-admins</GroupName><GroupId>AGPAEXAMPLEGROUP0001</GroupId>
  <Arn>arn:aws:iam::{ACCT}:group/mail-admins</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate>
  <GroupPolicyList><member><PolicyName>list</PolicyName><PolicyDocument>{}</PolicyDocument></member></GroupPolicyList>
  <AttachedManagedPolicies><member><PolicyName>AmazonWorkMailFullAccess</PolicyName><PolicyArn>{WORKMAIL_FULL}</PolicyArn></member></AttachedManagedPolicies>
</member></GroupDetailList>
<RoleDetailList><member>
  <Path>/</Path><RoleName>mail-ops</RoleName><RoleId>AROAEXAMPLEROLE00001</RoleId>
  <Arn>arn:aws:iam::{ACCT}:role/mail-ops</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate>
  <AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>
  <InstanceProfileList/>
  <RolePolicyList><member><PolicyName>describe</PolicyName><PolicyDocument>{}</PolicyDocument></member></RolePolicyList>
  <AttachedManagedPolicies/>
  <PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::{ACCT}:policy/mail-boundary</PermissionsBoundaryArn></PermissionsBoundary>
  <Tags/>
  <RoleLastUsed><LastUsedDate>2024-05-01T10:20:30Z</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>
</member></RoleDetailList>
<Policies/>"#,
        enc(&["workmail:ListUsers"]),
        enc(&["sts:AssumeRole"]),
        enc(&["workmail:DescribeOrganization"]),
    )
}

fn managed(arn: &str, name: &str, attachments: u32, boundary_uses: u32, doc: &str) -> String {
    format!(
        r#"<member><PolicyName>{name}</PolicyName><PolicyId>ANPAEXAMPLE{name}</PolicyId><Arn>{arn}</Arn><Path>/</Path>
<DefaultVersionId>v2</DefaultVersionId><AttachmentCount>{attachments}</AttachmentCount><PermissionsBoundaryUsageCount>{boundary_uses}</PermissionsBoundaryUsageCount>
<IsAttachable>true</IsAttachable><CreateDate>2020-01-01T00:00:00Z</CreateDate><UpdateDate>2023-01-01T00:00:00Z</UpdateDate>
<PolicyVersionList>
  <member><Document>{}</Document><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>
  <member><Document>{doc}</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2023-01-01T00:00:00Z</CreateDate></member>
</PolicyVersionList></member>"#,
        enc(&["old:Version"])
    )
}

fn page3() -> String {
    format!(
        r#"<IsTruncated>false</IsTruncated>
<UserDetailList/><GroupDetailList/><RoleDetailList/>
<Policies>{}{}{}{}</Policies>"#,
        managed(
            &format!("arn:aws:iam::{ACCT}:policy/mail-read"),
            "mail-read",
            1,
            0,
            &enc(&["workmail:Describe*", "workmail:List*"])
        ),
        managed(
            &format!("arn:aws:iam::{ACCT}:policy/mail-boundary"),
            "mail-boundary",
            0,
            2,
            &enc(&["workmail:*"])
        ),
        managed(
            WORKMAIL_FULL,
            "AmazonWorkMailFullAccess",
            1,
            0,
            &enc(&["workmail:*"])
        ),
        managed(
            UNUSED_AWS,
            "AmazonS3ReadOnlyAccess",
            0,
            0,
            &enc(&["s3:Get*"])
        ),
    )
}

const AUTH: &str = "GetAccountAuthorizationDetails";

/// A page's marker (None for the first) and its body.
type Page = (Option<&'static str>, fn() -> String);

/// One rule per page, each matching only its own marker (and checking the
/// request asks for every entity type at the largest page size).
fn page_rules() -> Vec<Rule> {
    let pages: [Page; 3] = [
        (None, page1),
        (Some("page-2-marker"), page2),
        (Some("page-3-marker"), page3),
    ];
    pages
        .into_iter()
        .map(|(marker, body)| {
            mock!(Iam::get_account_authorization_details)
                .match_requests(move |r| r.marker() == marker && well_formed(r))
                .then_http_response(move || iam_ok(AUTH, &body()))
        })
        .collect()
}

fn well_formed(
    r: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsInput,
) -> bool {
    r.max_items() == Some(1000) && r.filter().len() == 5
}

// ---- the other operations, happy path ----

const REPORT_CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,2024-04-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111122223333:user/alice,2021-03-04T05:06:07+00:00,true,2024-05-01T10:20:30+00:00,2024-01-01T00:00:00+00:00,N/A,false,true,2024-01-01T00:00:00+00:00,2024-05-02T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::111122223333:user/ops/bob,2022-03-04T05:06:07+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

fn report_xml() -> String {
    format!(
        "<Content>{}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2024-05-03T04:05:06Z</GeneratedTime>",
        base64::engine::general_purpose::STANDARD.encode(REPORT_CSV)
    )
}

fn happy_iam_rules() -> Vec<Rule> {
    let mut rules = page_rules();
    rules.extend([
        mock!(Iam::get_account_summary).then_http_response(|| {
            iam_ok(
                "GetAccountSummary",
                "<SummaryMap><entry><key>AccountMFAEnabled</key><value>1</value></entry><entry><key>Users</key><value>2</value></entry></SummaryMap>",
            )
        }),
        mock!(Iam::generate_credential_report).then_http_response(|| {
            iam_ok("GenerateCredentialReport", "<State>COMPLETE</State>")
        }),
        mock!(Iam::get_credential_report)
            .then_http_response(|| iam_ok("GetCredentialReport", &report_xml())),
        mock!(Iam::get_account_password_policy).then_http_response(|| {
            error(404, "NoSuchEntity", "The Password Policy with domain name 111122223333 cannot be found.")
        }),
        mock!(Iam::list_virtual_mfa_devices).then_http_response(|| {
            iam_ok(
                "ListVirtualMFADevices",
                &format!(
                    "<IsTruncated>false</IsTruncated><VirtualMFADevices><member><SerialNumber>arn:aws:iam::{ACCT}:mfa/root-account-mfa-device</SerialNumber><User><Path>/</Path><UserName>root</UserName><UserId>{ACCT}</UserId><Arn>arn:aws:iam::{ACCT}:root</Arn><CreateDate>2019-01-01T00:00:00Z</CreateDate></User><EnableDate>2019-01-02T00:00:00Z</EnableDate></member></VirtualMFADevices>"
                ),
            )
        }),
        mock!(Iam::list_account_aliases).then_http_response(|| {
            iam_ok(
                "ListAccountAliases",
                "<IsTruncated>false</IsTruncated><AccountAliases><member>acme-mail</member></AccountAliases>",
            )
        }),
    ]);
    rules
}

fn happy_sts_rules() -> Vec<Rule> {
    vec![mock!(Sts::get_caller_identity).then_http_response(|| {
        ok(
            STS_NS,
            "GetCallerIdentity",
            &format!("<Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>AIDAEXAMPLEAUDITOR01</UserId><Account>{ACCT}</Account>"),
        )
    })]
}

// ---- building clients ----

/// Small backoff and timeouts so fault tests take milliseconds.
fn fast() -> Tuning {
    Tuning {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_millis(500),
        operation_timeout: Duration::from_secs(2),
    }
}

fn creds() -> Credentials {
    Credentials::new(
        "AKIAEXAMPLEFAULTS001",
        SECRET,
        Some(TOKEN.into()),
        None,
        "test",
    )
}

fn interceptor(rules: &[Rule], mode: RuleMode) -> MockResponseInterceptor {
    rules
        .iter()
        .fold(MockResponseInterceptor::new().rule_mode(mode), |i, r| {
            i.with_rule(r)
        })
}

/// Clients through the collector's own constructor (allowlist, retry,
/// timeouts), answering from the rules. The first matching rule wins, so a
/// fault rule placed before the happy ones overrides them.
fn clients(iam: &[Rule], sts: &[Rule], mode: RuleMode, tuning: &Tuning) -> Clients {
    let iam_conf = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(iam, mode));
    let sts_conf = aws_sdk_sts::Config::builder()
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(sts, mode));
    Clients::from_builders(iam_conf, sts_conf, tuning)
}

fn opts() -> CollectOptions {
    CollectOptions {
        quiet: true,
        report_wait: Duration::from_secs(5),
        ..CollectOptions::default()
    }
}

async fn collect_with_faults(iam_faults: Vec<Rule>, sts_faults: Vec<Rule>) -> (Snapshot, Clients) {
    let iam: Vec<Rule> = iam_faults.into_iter().chain(happy_iam_rules()).collect();
    let sts: Vec<Rule> = sts_faults.into_iter().chain(happy_sts_rules()).collect();
    let c = clients(&iam, &sts, RuleMode::MatchAny, &fast());
    let snap = collect::collect_with(&c, &opts())
        .await
        .expect("a snapshot");
    (snap, c)
}

fn assert_no_secrets(snap: &Snapshot) {
    let text = serde_json::to_string(snap).unwrap();
    assert!(!text.contains(SECRET), "secret key in snapshot");
    assert!(!text.contains(&TOKEN[..40]), "session token in snapshot");
}

// ---- tests ----

#[tokio::test]
async fn pages_authorization_details_in_order() {
    // Sequential: each request must match the next rule, or the mock panics.
    let c = clients(&page_rules(), &[], RuleMode::Sequential, &fast());
    let acct = collect::authorization_details(&c, &Progress::silent())
        .await
        .expect("complete account");
    assert_eq!(c.log().sent()["iam:GetAccountAuthorizationDetails"], 3);

    let names = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        acct.users
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["alice", "bob"]
    );
    assert_eq!(acct.groups.len(), 1);
    assert_eq!(acct.roles.len(), 1);

    let alice = &acct.users[0];
    assert_eq!(
        alice.permissions_boundary.as_deref(),
        Some("arn:aws:iam::111122223333:policy/mail-boundary")
    );
    assert_eq!(alice.groups, names(vec!["mail-admins"]));
    assert_eq!(alice.create_date.as_deref(), Some("2021-03-04T05:06:07Z"));
    assert_eq!(alice.tags.len(), 1);
    let doc = &alice.inline_policies[0].document;
    assert!(
        doc.as_str().is_some_and(|s| s.starts_with("%7B")),
        "kept URL-encoded: {doc}"
    );
    let parsed = wmaudit::eval::parse_raw(doc).unwrap();
    assert_eq!(
        parsed.statements[0].action.patterns(),
        ["workmail:ResetPassword"]
    );

    let bob = &acct.users[1];
    assert_eq!(bob.path, "/ops/");
    assert_eq!(bob.attached_policies[0].name, "mail-read");

    let role = &acct.roles[0];
    assert!(role.permissions_boundary.is_some());
    assert_eq!(role.last_used.as_deref(), Some("2024-05-01T10:20:30Z"));
    let trust = wmaudit::eval::parse_raw(role.assume_role_policy.as_ref().unwrap()).unwrap();
    assert_eq!(trust.statements[0].action.patterns(), ["sts:AssumeRole"]);

    // Customer managed policies kept, with the default version's document;
    // AWS managed only when used.
    let arns: Vec<&str> = acct.policies.iter().map(|p| p.arn.as_str()).collect();
    assert!(arns.contains(&WORKMAIL_FULL), "{arns:?}");
    assert!(!arns.contains(&UNUSED_AWS), "{arns:?}");
    assert_eq!(acct.policies.len(), 3);
    let read = acct
        .policies
        .iter()
        .find(|p| p.name == "mail-read")
        .unwrap();
    assert_eq!(read.default_version_id.as_deref(), Some("v2"));
    let doc = wmaudit::eval::parse_raw(read.document.as_ref().unwrap()).unwrap();
    assert_eq!(
        doc.statements[0].action.patterns(),
        ["workmail:Describe*", "workmail:List*"]
    );
    let boundary = acct
        .policies
        .iter()
        .find(|p| p.name == "mail-boundary")
        .unwrap();
    assert_eq!(boundary.permissions_boundary_usage_count, Some(2));
}

#[tokio::test]
async fn full_collection_with_root_report_row() {
    let (snap, c) = collect_with_faults(vec![], vec![]).await;
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?}");
    }
    assert_eq!(snap.metadata.account_id.as_deref(), Some(ACCT));
    assert_eq!(
        snap.metadata.caller_arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/auditor")
    );

    let report = snap.credential_report.as_ref().unwrap();
    let root = report.root().expect("the <root_account> row");
    assert!(root.mfa_active);
    assert_eq!(root.password_enabled, None);
    assert!(report.user("alice").unwrap().access_key_1_active);
    assert!(report.generated_at.is_some());

    let mfa = snap.virtual_mfa_devices.as_ref().unwrap();
    assert_eq!(mfa.len(), 1);
    assert!(
        mfa[0]
            .user_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(":root"))
    );
    assert_eq!(
        snap.password_policy,
        Some(None),
        "NoSuchEntity means none set"
    );
    assert_eq!(
        snap.account_aliases.as_deref(),
        Some(&["acme-mail".to_owned()][..])
    );
    assert_eq!(
        snap.account_summary.as_ref().unwrap()["AccountMFAEnabled"],
        1
    );

    let calls = &snap.metadata.api_calls;
    assert_eq!(calls["iam:GetAccountAuthorizationDetails"], 3);
    assert_eq!(calls.values().sum::<u64>(), 3 + 7, "{calls:?}");
    for op in calls.keys() {
        assert!(ALLOWED_OPERATIONS.contains(&op.as_str()), "{op}");
    }
    assert!(c.log().refused().is_empty());
    assert_no_secrets(&snap);
}

/// Which part each operation feeds, and a rule denying it.
fn deny_rule(op: &'static str) -> (Part, Rule, bool) {
    let d = move || denied(op);
    match op {
        "sts:GetCallerIdentity" => (
            Part::CallerIdentity,
            mock!(Sts::get_caller_identity).then_http_response(d),
            true,
        ),
        "iam:GetAccountAuthorizationDetails" => (
            Part::AuthorizationDetails,
            mock!(Iam::get_account_authorization_details).then_http_response(d),
            false,
        ),
        "iam:GetAccountSummary" => (
            Part::AccountSummary,
            mock!(Iam::get_account_summary).then_http_response(d),
            false,
        ),
        "iam:GenerateCredentialReport" => (
            Part::CredentialReport,
            mock!(Iam::generate_credential_report).then_http_response(d),
            false,
        ),
        "iam:GetCredentialReport" => (
            Part::CredentialReport,
            mock!(Iam::get_credential_report).then_http_response(d),
            false,
        ),
        "iam:GetAccountPasswordPolicy" => (
            Part::PasswordPolicy,
            mock!(Iam::get_account_password_policy).then_http_response(d),
            false,
        ),
        "iam:ListVirtualMFADevices" => (
            Part::VirtualMfaDevices,
            mock!(Iam::list_virtual_mfa_devices).then_http_response(d),
            false,
        ),
        "iam:ListAccountAliases" => (
            Part::AccountAliases,
            mock!(Iam::list_account_aliases).then_http_response(d),
            false,
        ),
        other => panic!("no rule for {other}"),
    }
}

#[tokio::test]
async fn access_denied_on_each_operation_leaves_one_gap() {
    let ops = ALLOWED_OPERATIONS
        .iter()
        .filter(|op| **op != "sts:AssumeRole");
    for op in ops {
        let (part, rule, is_sts) = deny_rule(op);
        let (snap, _) = if is_sts {
            collect_with_faults(vec![], vec![rule]).await
        } else {
            collect_with_faults(vec![rule], vec![]).await
        };
        let gaps = &snap.metadata.not_collected;
        assert_eq!(gaps.len(), 1, "{op}: {gaps:?}");
        assert_eq!(gaps[0].part, part, "{op}");
        assert_eq!(
            gaps[0].reason,
            format!("{op}: AccessDenied: {}", denied_message(op)),
            "{op}"
        );
        assert!(!snap.has(part), "{op}");
        for other in Part::ALL.into_iter().filter(|p| *p != part) {
            assert!(snap.has(other), "{op}: {other:?} should still be collected");
        }
        // Not retried: one attempt.
        assert_eq!(snap.metadata.api_calls[*op], 1, "{op}");
        if part == Part::AuthorizationDetails {
            assert!(snap.account.is_none());
        }
        if part == Part::CallerIdentity {
            assert_eq!(snap.metadata.account_id, None);
        }
        assert_no_secrets(&snap);
    }
}

#[tokio::test]
async fn throttling_is_retried_and_counted() {
    let summary = mock!(Iam::get_account_summary)
        .sequence()
        .http_response(throttled)
        .times(2)
        .http_response(|| {
            iam_ok(
                "GetAccountSummary",
                "<SummaryMap><entry><key>Users</key><value>7</value></entry></SummaryMap>",
            )
        })
        .build();
    let page2_throttled = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-2-marker"))
        .sequence()
        .http_response(throttled)
        .http_response(|| iam_ok(AUTH, &page2()))
        .build();
    let (snap, _) = collect_with_faults(vec![summary, page2_throttled], vec![]).await;
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    assert_eq!(snap.account_summary.as_ref().unwrap()["Users"], 7);
    assert_eq!(snap.metadata.api_calls["iam:GetAccountSummary"], 3);
    assert_eq!(
        snap.metadata.api_calls["iam:GetAccountAuthorizationDetails"],
        4
    );
    assert_eq!(
        snap.account.as_ref().unwrap().groups.len(),
        1,
        "page 2 is in"
    );
}

#[tokio::test]
async fn throttling_that_persists_becomes_a_gap() {
    let summary = mock!(Iam::get_account_summary).then_http_response(throttled);
    let (snap, _) = collect_with_faults(vec![summary], vec![]).await;
    let gaps = &snap.metadata.not_collected;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].part, Part::AccountSummary);
    assert_eq!(
        gaps[0].reason,
        "iam:GetAccountSummary: Throttling: Rate exceeded"
    );
    assert_eq!(
        snap.metadata.api_calls["iam:GetAccountSummary"], 3,
        "max attempts"
    );
}

#[tokio::test]
async fn stuck_credential_report_is_a_bounded_wait_then_a_gap() {
    let stuck = mock!(Iam::generate_credential_report)
        .then_http_response(|| iam_ok("GenerateCredentialReport", "<State>INPROGRESS</State>"));
    let iam: Vec<Rule> = std::iter::once(stuck).chain(happy_iam_rules()).collect();
    let c = clients(&iam, &happy_sts_rules(), RuleMode::MatchAny, &fast());
    let o = CollectOptions {
        report_wait: Duration::from_millis(1200),
        ..opts()
    };
    let t = Instant::now();
    let snap = collect::collect_with(&c, &o).await.unwrap();
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1200), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let gaps = &snap.metadata.not_collected;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].part, Part::CredentialReport);
    assert!(
        gaps[0]
            .reason
            .starts_with("iam:GenerateCredentialReport: ReportNotComplete: still INPROGRESS"),
        "{}",
        gaps[0].reason
    );
    assert!(snap.credential_report.is_none());
    // Polled with backoff (0.5 s, 1 s, ...), not hammered; never fetched.
    let polls = snap.metadata.api_calls["iam:GenerateCredentialReport"];
    assert!((2..=4).contains(&polls), "{polls} polls");
    assert!(
        !snap
            .metadata
            .api_calls
            .contains_key("iam:GetCredentialReport")
    );
}

#[tokio::test]
async fn error_on_page_three_is_a_gap_for_the_whole_part() {
    let mut rules = page_rules();
    rules[2] = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-3-marker"))
        .then_http_response(|| error(500, "ServiceFailure", "Internal failure"));
    let c = clients(&rules, &[], RuleMode::Sequential, &fast());
    let gap = collect::authorization_details(&c, &Progress::silent())
        .await
        .expect_err("no partial account");
    assert_eq!(gap.part, Part::AuthorizationDetails);
    assert_eq!(
        gap.reason,
        "iam:GetAccountAuthorizationDetails: ServiceFailure: Internal failure (page 3)"
    );
    // Pages 1 and 2 once each, page 3 with every retry (5xx is transient).
    assert_eq!(c.log().sent()["iam:GetAccountAuthorizationDetails"], 2 + 3);

    // Through collect: a snapshot without an account, and the gap recorded.
    let mut rules: Vec<Rule> = page_rules();
    rules[2] = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-3-marker"))
        .then_http_response(|| denied("iam:GetAccountAuthorizationDetails"));
    let (snap, _) = collect_with_faults(rules, vec![]).await;
    assert!(snap.account.is_none());
    assert_eq!(snap.metadata.not_collected.len(), 1);
    assert!(snap.has(Part::CredentialReport));
}

#[tokio::test]
async fn truncated_page_without_marker_is_not_complete() {
    let rule = mock!(Iam::get_account_authorization_details).then_http_response(|| {
        iam_ok(
            AUTH,
            "<IsTruncated>true</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/>",
        )
    });
    let c = clients(&[rule], &[], RuleMode::Sequential, &fast());
    let gap = collect::authorization_details(&c, &Progress::silent())
        .await
        .unwrap_err();
    assert!(gap.reason.contains("IncompletePaging"), "{}", gap.reason);
}

#[tokio::test]
async fn error_messages_never_carry_secrets() {
    // A misbehaving endpoint that echoes the session token and secret back.
    let echo = mock!(Iam::get_account_summary).then_http_response(|| {
        error(
            403,
            "InvalidClientTokenId",
            &format!("The security token {TOKEN} (secret {SECRET}) is invalid"),
        )
    });
    let (snap, _) = collect_with_faults(vec![echo], vec![]).await;
    let reason = &snap.metadata.not_collected[0].reason;
    assert!(
        reason.starts_with(
            "iam:GetAccountSummary: InvalidClientTokenId: The security token [redacted]"
        ),
        "{reason}"
    );
    assert_no_secrets(&snap);
}

#[tokio::test]
async fn nothing_collected_is_an_error() {
    let iam: Vec<Rule> = [
        "iam:GetAccountAuthorizationDetails",
        "iam:GetAccountSummary",
        "iam:GenerateCredentialReport",
        "iam:GetAccountPasswordPolicy",
        "iam:ListVirtualMFADevices",
        "iam:ListAccountAliases",
    ]
    .into_iter()
    .map(|op| deny_rule(op).1)
    .collect();
    let sts = vec![deny_rule("sts:GetCallerIdentity").1];
    let c = clients(&iam, &sts, RuleMode::MatchAny, &fast());
    let err = collect::collect_with(&c, &opts()).await.unwrap_err();
    let CollectError::NothingCollected { gaps } = &err else {
        panic!("{err}")
    };
    assert_eq!(gaps.len(), Part::ALL.len());
    assert!(err.to_string().contains("AccessDenied"), "{err}");
}

/// A server that accepts connections and never answers: attempt and
/// operation timeouts end the scan quickly, every part a timeout.
#[tokio::test]
async fn hung_connection_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(64) {
            held.push(s); // keep it open, say nothing
        }
    });
    let tuning = Tuning {
        max_attempts: 2,
        attempt_timeout: Duration::from_millis(300),
        operation_timeout: Duration::from_secs(1),
        ..fast()
    };
    let iam = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .endpoint_url(&url);
    let sts = aws_sdk_sts::Config::builder()
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(creds())
        .endpoint_url(&url);
    let c = Clients::from_builders(iam, sts, &tuning);
    let t = Instant::now();
    let err = collect::collect_with(&c, &opts()).await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let CollectError::NothingCollected { gaps } = &err else {
        panic!("{err}")
    };
    assert!(
        gaps.iter().all(|g| g.reason.contains(": Timeout: ")),
        "{gaps:?}"
    );
    assert!(!err.to_string().contains(SECRET));
}
