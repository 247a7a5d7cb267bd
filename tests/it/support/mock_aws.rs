//! Canned AWS for the collector (aws-smithy-mocks), shared by the collector,
//! failing-AWS and secrets tests: the wire format of every operation the collector sends
//! (awsQuery XML, URL-encoded documents, base64 report), a happy account, and
//! clients built through the collector's own constructor. Each test crate
//! uses a different subset.
#![allow(dead_code)]

use std::time::Duration;

use aws_sdk_iam::Client as Iam;
use aws_sdk_iam::config::{Credentials, Region};
use aws_sdk_sts::Client as Sts;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use base64::Engine as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use wmaudit_aws::{self as collect, Clients, CollectOptions, Tuning};
use wmaudit_core::config::Config;
use wmaudit_core::findings::ScanReport;
use wmaudit_core::rules::RuleSet;
use wmaudit_core::scan::{ScanOptions, scan};
use wmaudit_core::snapshot::{Part, Snapshot};

pub const ACCT: &str = "111122223333";
pub const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
pub const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
pub const WORKMAIL_FULL: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";
pub const UNUSED_AWS: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const TOKEN: &str =
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleSessionToken0123456789";

// ---- wire-format helpers ----

pub fn http(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(status).expect("valid status"),
        SdkBody::from(body),
    )
}

pub fn ok(ns: &str, op: &str, result: &str) -> HttpResponse {
    http(
        200,
        format!(
            r#"<{op}Response xmlns="{ns}"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{op}Response>"#
        ),
    )
}

pub fn iam_ok(op: &str, result: &str) -> HttpResponse {
    ok(IAM_NS, op, result)
}

pub fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    http(
        status,
        format!(
            r#"<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4c9b5e3a-EXAMPLE</RequestId></ErrorResponse>"#
        ),
    )
}

pub fn denied_message(op: &str) -> String {
    format!(
        "User: arn:aws:iam::{ACCT}:user/auditor is not authorized to perform: {op} on resource: *"
    )
}

pub fn denied(op: &str) -> HttpResponse {
    error(403, "AccessDenied", &denied_message(op))
}

pub fn throttled() -> HttpResponse {
    error(400, "Throttling", "Rate exceeded")
}

/// A policy document as IAM sends it: URL-encoded JSON.
pub fn enc(actions: &[&str]) -> String {
    let json = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string();
    utf8_percent_encode(&json, NON_ALPHANUMERIC).to_string()
}

// ---- GetAccountAuthorizationDetails: three pages shaped like AWS's ----

pub fn page1() -> String {
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

pub fn page2() -> String {
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

pub fn managed(arn: &str, name: &str, attachments: u32, boundary_uses: u32, doc: &str) -> String {
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

pub fn page3() -> String {
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

pub const AUTH: &str = "GetAccountAuthorizationDetails";

/// A page's marker (None for the first) and its body.
pub type Page = (Option<&'static str>, fn() -> String);

/// One rule per page, each matching only its own marker (and checking the
/// request asks for every entity type at the largest page size).
pub fn page_rules() -> Vec<Rule> {
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

pub fn well_formed(
    r: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsInput,
) -> bool {
    r.max_items() == Some(1000) && r.filter().len() == 5
}

// ---- the other operations, happy path ----

pub const REPORT_CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,2024-04-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111122223333:user/alice,2021-03-04T05:06:07+00:00,true,2024-05-01T10:20:30+00:00,2024-01-01T00:00:00+00:00,N/A,false,true,2024-01-01T00:00:00+00:00,2024-05-02T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::111122223333:user/ops/bob,2022-03-04T05:06:07+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

pub fn report_xml() -> String {
    format!(
        "<Content>{}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2024-05-03T04:05:06Z</GeneratedTime>",
        base64::engine::general_purpose::STANDARD.encode(REPORT_CSV)
    )
}

pub fn happy_iam_rules() -> Vec<Rule> {
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
        mock!(Iam::generate_service_last_accessed_details).then_http_response(|| {
            iam_ok(
                "GenerateServiceLastAccessedDetails",
                "<JobId>examplef-1305-c245-eba4-71fe298bcda7</JobId>",
            )
        }),
        mock!(Iam::get_service_last_accessed_details).then_http_response(|| {
            iam_ok(
                "GetServiceLastAccessedDetails",
                "<JobStatus>COMPLETED</JobStatus><JobType>SERVICE_LEVEL</JobType><JobCreationDate>2024-05-03T04:00:00Z</JobCreationDate><ServicesLastAccessed><member><ServiceName>Amazon WorkMail</ServiceName><ServiceNamespace>workmail</ServiceNamespace><LastAuthenticated>2024-04-30T10:00:00Z</LastAuthenticated><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member></ServicesLastAccessed><JobCompletionDate>2024-05-03T04:00:05Z</JobCompletionDate><IsTruncated>false</IsTruncated>",
            )
        }),
    ]);
    rules
}

pub fn happy_sts_rules() -> Vec<Rule> {
    vec![mock!(Sts::get_caller_identity).then_http_response(|| {
        ok(
            STS_NS,
            "GetCallerIdentity",
            &format!("<Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>AIDAEXAMPLEAUDITOR01</UserId><Account>{ACCT}</Account>"),
        )
    })]
}

// ---- building clients ----

/// Small backoff so fault tests take milliseconds. The operation bound is
/// generous: adaptive retry's client-side rate limiter slows down after
/// throttling, and on a loaded 2-core machine 2 s was sometimes not enough
/// for a call that does recover (tests of hung calls use their own bounds).
pub fn fast() -> Tuning {
    Tuning {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_secs(2),
        operation_timeout: Duration::from_secs(6),
    }
}

pub fn creds() -> Credentials {
    Credentials::new(
        "AKIAEXAMPLEFAULTS001",
        SECRET,
        Some(TOKEN.into()),
        None,
        "test",
    )
}

pub fn interceptor(rules: &[Rule], mode: RuleMode) -> MockResponseInterceptor {
    rules
        .iter()
        .fold(MockResponseInterceptor::new().rule_mode(mode), |i, r| {
            i.with_rule(r)
        })
}

/// Clients through the collector's own constructor (allowlist, retry,
/// timeouts), answering from the rules. The first matching rule wins, so a
/// fault rule placed before the happy ones overrides them.
pub fn clients(iam: &[Rule], sts: &[Rule], mode: RuleMode, tuning: &Tuning) -> Clients {
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

/// The default collection: without the opt-in `--last-accessed`
/// (tests/it/last_accessed.rs covers that one's faults).
pub fn opts() -> CollectOptions {
    CollectOptions {
        quiet: true,
        report_wait: Duration::from_secs(5),
        ..CollectOptions::default()
    }
}

/// The operations of opt-in parts, left out of the default collection's
/// per-operation fault loops.
pub fn opt_in_operation(op: &str) -> bool {
    // WorkMail's operations have their own faults (tests/it/workmail_collect.rs),
    // and Organizations' are the management side's (tests/it/org_faults.rs).
    op.contains("ServiceLastAccessed")
        || op.starts_with("workmail:")
        || op.starts_with("organizations:")
}

pub async fn collect_with_faults(
    iam_faults: Vec<Rule>,
    sts_faults: Vec<Rule>,
) -> (Snapshot, Clients) {
    let iam: Vec<Rule> = iam_faults.into_iter().chain(happy_iam_rules()).collect();
    let sts: Vec<Rule> = sts_faults.into_iter().chain(happy_sts_rules()).collect();
    let c = clients(&iam, &sts, RuleMode::MatchAny, &fast());
    let snap = collect::collect_with(&c, &opts())
        .await
        .expect("a snapshot");
    (snap, c)
}

pub fn assert_no_secrets(snap: &Snapshot) {
    let text = serde_json::to_string(snap).unwrap();
    assert!(!text.contains(SECRET), "secret key in snapshot");
    assert!(!text.contains(&TOKEN[..40]), "session token in snapshot");
}

/// GetCallerIdentity answering with this `UserId`.
pub fn caller_rule(user_id: &'static str) -> Rule {
    mock!(Sts::get_caller_identity).then_http_response(move || {
        ok(
            STS_NS,
            "GetCallerIdentity",
            &format!(
                "<Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>{user_id}</UserId><Account>{ACCT}</Account>"
            ),
        )
    })
}

/// Like [`clients`] in `MatchAny` mode, over another HTTP client.
pub fn clients_over(
    iam: &[Rule],
    sts: &[Rule],
    tuning: &Tuning,
    http: SharedHttpClient,
) -> Clients {
    let iam_conf = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(http.clone())
        .interceptor(interceptor(iam, RuleMode::MatchAny));
    let sts_conf = aws_sdk_sts::Config::builder()
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(http)
        .interceptor(interceptor(sts, RuleMode::MatchAny));
    Clients::from_builders(iam_conf, sts_conf, tuning)
}

/// The mock HTTP client, except that a request whose awsQuery body is for
/// `action` (and, when given, carries `marker`) is never answered: a
/// connection that hangs, which only the SDK's timeouts end.
pub fn hanging(action: &'static str, marker: Option<&'static str>) -> SharedHttpClient {
    SharedHttpClient::new(Hanging {
        inner: create_mock_http_client(),
        action,
        marker,
    })
}

#[derive(Debug)]
struct Hanging {
    inner: SharedHttpClient,
    action: &'static str,
    marker: Option<&'static str>,
}

impl HttpClient for Hanging {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(HangingConnector {
            inner: self.inner.http_connector(settings, components),
            action: self.action,
            marker: self.marker,
        })
    }
}

#[derive(Debug)]
struct HangingConnector {
    inner: SharedHttpConnector,
    action: &'static str,
    marker: Option<&'static str>,
}

impl HttpConnector for HangingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let fields: Vec<&str> = body.split('&').collect();
        let is_action = fields.contains(&format!("Action={}", self.action).as_str());
        let has_marker = self
            .marker
            .is_none_or(|m| fields.contains(&format!("Marker={m}").as_str()));
        if is_action && has_marker {
            return HttpConnectorFuture::new(std::future::pending());
        }
        self.inner.call(request)
    }
}

/// Scans a snapshot with the shipped rules, the default config and
/// `--fail-on high`, as `wmaudit scan` does.
pub fn scan_snapshot(snap: &Snapshot) -> ScanReport {
    let rules = RuleSet::builtin().expect("shipped rules");
    let config = Config::default();
    scan(snap, &ScanOptions::new(&rules, &config))
}

/// A happy account whose credential report never leaves `INPROGRESS`.
pub fn stuck_report_iam_rules() -> Vec<Rule> {
    let stuck = mock!(Iam::generate_credential_report)
        .then_http_response(|| iam_ok("GenerateCredentialReport", "<State>INPROGRESS</State>"));
    std::iter::once(stuck).chain(happy_iam_rules()).collect()
}

/// Which part an allowed operation feeds, a rule that denies it
/// (AccessDenied), and whether the rule is for the STS client.
pub fn deny_rule(op: &str) -> (Part, Rule, bool) {
    let op: &'static str = wmaudit_aws::ALLOWED_OPERATIONS
        .iter()
        .find(|o| **o == op)
        .copied()
        .unwrap_or_else(|| panic!("{op} is not an allowed operation"));
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
        "iam:GenerateServiceLastAccessedDetails" => (
            Part::ServiceLastAccessed,
            mock!(Iam::generate_service_last_accessed_details).then_http_response(d),
            false,
        ),
        "iam:GetServiceLastAccessedDetails" => (
            Part::ServiceLastAccessed,
            mock!(Iam::get_service_last_accessed_details).then_http_response(d),
            false,
        ),
        other => panic!("no rule for {other}"),
    }
}
