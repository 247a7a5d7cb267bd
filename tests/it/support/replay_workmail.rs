//! A replay of WorkMail's API for the collector: an HTTP connector that
//! answers the awsJson1_1 requests the SDK sends (`X-Amz-Target:
//! WorkMailService.ListUsers`, JSON body) from an in-memory organization,
//! with responses shaped as botocore's `workmail/2017-10-01` model has them
//! (PascalCase members, epoch-second timestamps, `NextToken` paging at
//! `MaxResults`, errors as `{"__type": ..., "Message": ...}`). moto has no
//! WorkMail, so this is the peer; faults (a denied operation, throttling, a
//! failing region) and latency are set per test.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};

use crate::mock_aws::{ACCT, creds};
use wmaudit_aws::{Clients, Tuning};

/// One organization as the replay serves it (wire shapes).
#[derive(Debug, Clone, Default)]
pub struct Org {
    pub id: String,
    pub alias: String,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub resources: Vec<Value>,
    /// Entity id -> its ListMailboxPermissions `Permissions`.
    pub permissions: BTreeMap<String, Vec<Value>>,
    /// Group id -> `Members`.
    pub members: BTreeMap<String, Vec<Value>>,
    /// Resource id -> `Delegates`.
    pub delegates: BTreeMap<String, Vec<Value>>,
    /// GetImpersonationRole outputs.
    pub roles: Vec<Value>,
    pub access_rules: Vec<Value>,
    pub tokens: Vec<Value>,
    pub export_jobs: Vec<Value>,
    pub monitoring: Option<Value>,
}

#[derive(Debug, Default)]
pub struct Faults {
    /// Operations answered with AccessDeniedException (IAM said no).
    pub denied: Vec<&'static str>,
    /// Operation -> how many first calls are throttled.
    pub throttled: BTreeMap<&'static str, usize>,
    /// A region whose every call fails with 503.
    pub failing_region: Option<&'static str>,
    /// Added to every answer.
    pub latency: Duration,
}

#[derive(Debug)]
pub struct Replay {
    /// Region -> its organizations.
    pub regions: BTreeMap<&'static str, Vec<Org>>,
    pub faults: Mutex<Faults>,
    pub calls: AtomicUsize,
    /// Most requests in flight at once, to show the bound holds.
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    /// The account in organization ARNs.
    pub account: String,
}

pub fn uid(n: usize) -> String {
    format!("a1b2c3d4-0000-4000-8000-{n:012}")
}

/// An organization of `users` users, `groups` groups (each of up to 10
/// users), `resources` rooms, two impersonation roles (one READ_ONLY over
/// everyone, one FULL_ACCESS over three users) and the default access rule.
pub fn org(id: &str, users: usize, groups: usize, resources: usize) -> Org {
    let user = |i: usize| {
        json!({
            "Id": uid(i), "Email": format!("user{i}@example.com"), "Name": format!("user{i}"),
            "DisplayName": format!("User {i}"), "State": "ENABLED", "UserRole": "USER",
            "EnabledDate": 1.7e9
        })
    };
    let mut o = Org {
        id: id.to_owned(),
        alias: format!("{id}-alias"),
        users: (1..=users).map(user).collect(),
        ..Org::default()
    };
    // A deleted user: skipped by the collector.
    o.users
        .push(json!({"Id": uid(999_999), "Name": "gone", "State": "DELETED", "UserRole": "USER"}));
    for g in 1..=groups {
        let gid = format!("b1b2c3d4-0000-4000-8000-{g:012}");
        o.groups.push(json!({"Id": gid, "Email": format!("group{g}@example.com"), "Name": format!("group{g}"), "State": "ENABLED"}));
        let members: Vec<Value> = (0..10)
            .map(|k| (g * 7 + k) % users.max(1) + 1)
            .map(|u| json!({"Id": uid(u), "Name": format!("user{u}"), "Type": "USER", "State": "ENABLED"}))
            .collect();
        o.members.insert(gid.clone(), members);
    }
    for r in 1..=resources {
        let rid = format!("r-{r:032}");
        o.resources.push(json!({"Id": rid, "Email": format!("room{r}@example.com"), "Name": format!("room{r}"), "Type": "ROOM", "State": "ENABLED"}));
        o.delegates
            .insert(rid, vec![json!({"Id": uid(1), "Type": "USER"})]);
    }
    // user1's mailbox: FULL_ACCESS to group1.
    if groups > 0 {
        o.permissions.insert(
            uid(1),
            vec![json!({"GranteeId": "b1b2c3d4-0000-4000-8000-000000000001", "GranteeType": "GROUP", "PermissionValues": ["FULL_ACCESS"]})],
        );
    }
    o.roles = vec![
        json!({"ImpersonationRoleId": "c1b2c3d4-0000-4000-8000-000000000001", "Name": "Migration",
               "Type": "READ_ONLY", "Description": "vendor",
               "Rules": [{"ImpersonationRuleId": "r1", "Name": "all", "Effect": "ALLOW", "NotTargetUsers": [uid(999_998)]}],
               "DateCreated": 1.7e9, "DateModified": 1.7e9}),
        json!({"ImpersonationRoleId": "c1b2c3d4-0000-4000-8000-000000000002", "Name": "Legal",
               "Type": "FULL_ACCESS",
               "Rules": [{"ImpersonationRuleId": "r2", "Effect": "ALLOW", "TargetUsers": [uid(1), uid(2), uid(3)]}]}),
    ];
    o.access_rules = vec![
        json!({"Name": "default-rule", "Effect": "ALLOW", "Description": "Default", "DateCreated": 1.7e9}),
    ];
    o.tokens = vec![
        json!({"PersonalAccessTokenId": "pat-1", "UserId": uid(1), "Name": "thunderbird",
                          "DateCreated": 1.7e9, "DateLastUsed": 1.71e9, "Scopes": ["EWS"]}),
    ];
    o.export_jobs = vec![
        json!({"JobId": "job-1", "EntityId": uid(1), "State": "COMPLETED",
                                "S3BucketName": "exports", "S3Path": "a", "EstimatedProgress": 100,
                                "StartTime": 1.7e9, "EndTime": 1.7001e9}),
    ];
    o
}

impl Replay {
    pub fn new(regions: BTreeMap<&'static str, Vec<Org>>, faults: Faults) -> Arc<Self> {
        Arc::new(Replay {
            regions,
            faults: Mutex::new(faults),
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            account: ACCT.to_owned(),
        })
    }

    /// The same, in another account (moto's is 123456789012).
    pub fn in_account(
        regions: BTreeMap<&'static str, Vec<Org>>,
        faults: Faults,
        account: &str,
    ) -> Arc<Self> {
        let mut r = Arc::into_inner(Self::new(regions, faults)).expect("not shared yet");
        r.account = account.to_owned();
        Arc::new(r)
    }

    /// Serves the replay over HTTP on loopback (for the binary, through
    /// `AWS_ENDPOINT_URL_WORKMAIL`); the region comes from the request's
    /// SigV4 credential scope. Returns the URL.
    pub fn serve(self: &Arc<Self>) -> String {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let replay = Arc::clone(self);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let replay = Arc::clone(&replay);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut out = stream;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let (mut len, mut target, mut auth) =
                            (0usize, String::new(), String::new());
                        loop {
                            let mut h = String::new();
                            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                                return;
                            }
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            let (k, v) = h.split_once(':').unwrap_or((h, ""));
                            match k.to_ascii_lowercase().as_str() {
                                "content-length" => len = v.trim().parse().unwrap_or(0),
                                "x-amz-target" => target = v.trim().to_owned(),
                                "authorization" => auth = v.trim().to_owned(),
                                _ => {}
                            }
                        }
                        let mut body = vec![0u8; len];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        // Credential=AKID/20261130/us-east-1/workmail/aws4_request
                        let region = auth
                            .split("Credential=")
                            .nth(1)
                            .and_then(|c| c.split('/').nth(2))
                            .unwrap_or("")
                            .to_owned();
                        let op = target.strip_prefix("WorkMailService.").unwrap_or(&target);
                        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        replay.calls.fetch_add(1, Ordering::SeqCst);
                        let (status, answer) = replay.answer(&region, op, &json);
                        let text = answer.to_string();
                        let kind = answer["__type"].as_str().unwrap_or("").to_owned();
                        let _ = write!(
                            out,
                            "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {kind}\r\nContent-Length: {}\r\n\r\n{text}",
                            text.len()
                        );
                    }
                });
            }
        });
        url
    }

    /// WorkMail builders for `regions`, answering from this replay.
    pub fn builders(
        self: &Arc<Self>,
        regions: &[&str],
    ) -> Vec<(String, aws_sdk_workmail::config::Builder)> {
        regions
            .iter()
            .map(|r| {
                let b = aws_sdk_workmail::Config::builder()
                    .credentials_provider(creds())
                    .http_client(SharedHttpClient::new(ReplayClient(Arc::clone(self))));
                ((*r).to_owned(), b)
            })
            .collect()
    }

    fn answer(&self, region: &str, op: &str, body: &Value) -> (u16, Value) {
        let err = |status: u16, kind: &str, msg: String| {
            (status, json!({"__type": kind, "Message": msg}))
        };
        {
            let mut f = self.faults.lock().unwrap();
            if f.failing_region == Some(region) {
                return err(503, "ServiceUnavailable", "unavailable".into());
            }
            if f.denied.contains(&op) {
                return err(
                    400,
                    "AccessDeniedException",
                    format!(
                        "User: arn:aws:iam::{ACCT}:user/auditor is not authorized to perform: workmail:{op}"
                    ),
                );
            }
            if let Some(n) = f.throttled.get_mut(op)
                && *n > 0
            {
                *n -= 1;
                return err(400, "ThrottlingException", "Rate exceeded".into());
            }
        }
        let orgs = self.regions.get(region).map(Vec::as_slice).unwrap_or(&[]);
        let org_id = body["OrganizationId"].as_str().unwrap_or("");
        let find = || orgs.iter().find(|o| o.id == org_id);
        let page = |key: &str, items: &[Value]| -> (u16, Value) {
            let max = body["MaxResults"].as_u64().unwrap_or(100) as usize;
            let start: usize = body["NextToken"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let end = (start + max).min(items.len());
            let mut out = json!({ key: items[start.min(end)..end] });
            if end < items.len() {
                out["NextToken"] = json!(end.to_string());
            }
            (200, out)
        };
        if op == "ListOrganizations" {
            let summaries: Vec<Value> = orgs
                .iter()
                .map(|o| json!({"OrganizationId": o.id, "Alias": o.alias, "DefaultMailDomain": "example.com", "State": "Active"}))
                .chain([json!({"OrganizationId": "m-deleted", "Alias": "old", "State": "Deleted"})])
                .collect();
            return page("OrganizationSummaries", &summaries);
        }
        let Some(o) = find() else {
            return err(
                400,
                "OrganizationNotFoundException",
                format!("no organization {org_id}"),
            );
        };
        let entity = |k: &str| body[k].as_str().unwrap_or("").to_owned();
        match op {
            "DescribeOrganization" => (
                200,
                json!({
                    "OrganizationId": o.id, "Alias": o.alias, "State": "Active", "DirectoryType": "WorkMailDirectory",
                    "DefaultMailDomain": "example.com",
                    "ARN": format!("arn:aws:workmail:{region}:{}:organization/{}", self.account, o.id),
                    "CompletedDate": 1.6e9
                }),
            ),
            "ListUsers" => page("Users", &o.users),
            "ListGroups" => page("Groups", &o.groups),
            "ListResources" => page("Resources", &o.resources),
            "ListGroupMembers" => page(
                "Members",
                o.members
                    .get(&entity("GroupId"))
                    .map_or(&[][..], Vec::as_slice),
            ),
            "ListResourceDelegates" => page(
                "Delegates",
                o.delegates
                    .get(&entity("ResourceId"))
                    .map_or(&[][..], Vec::as_slice),
            ),
            "ListMailboxPermissions" => page(
                "Permissions",
                o.permissions
                    .get(&entity("EntityId"))
                    .map_or(&[][..], Vec::as_slice),
            ),
            "ListImpersonationRoles" => {
                let summaries: Vec<Value> = o.roles.iter().map(|r| json!({
                    "ImpersonationRoleId": r["ImpersonationRoleId"], "Name": r["Name"], "Type": r["Type"],
                    "DateCreated": 1.7e9, "DateModified": 1.7e9
                })).collect();
                page("Roles", &summaries)
            }
            "GetImpersonationRole" => match o
                .roles
                .iter()
                .find(|r| r["ImpersonationRoleId"] == body["ImpersonationRoleId"])
            {
                Some(r) => (200, r.clone()),
                None => err(400, "ResourceNotFoundException", "no such role".into()),
            },
            "ListAccessControlRules" => (200, json!({"Rules": o.access_rules})),
            "ListMobileDeviceAccessRules" => (200, json!({"Rules": []})),
            "DescribeEmailMonitoringConfiguration" => match &o.monitoring {
                Some(m) => (200, m.clone()),
                None => err(
                    400,
                    "ResourceNotFoundException",
                    "The monitoring configuration doesn't exist".into(),
                ),
            },
            "ListMailboxExportJobs" => page("Jobs", &o.export_jobs),
            "ListAvailabilityConfigurations" => page("AvailabilityConfigurations", &[]),
            "ListPersonalAccessTokens" => page("PersonalAccessTokenSummaries", &o.tokens),
            "DescribeIdentityProviderConfiguration" => {
                err(400, "ResourceNotFoundException", "not configured".into())
            }
            "ListMailDomains" => page(
                "MailDomains",
                &[json!({"DomainName": "example.com", "DefaultDomain": true})],
            ),
            other => err(
                400,
                "UnknownOperationException",
                format!("the replay has no {other}"),
            ),
        }
    }
}

#[derive(Debug)]
struct ReplayClient(Arc<Replay>);

impl HttpClient for ReplayClient {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ReplayConnector(Arc::clone(&self.0)))
    }
}

#[derive(Debug)]
struct ReplayConnector(Arc<Replay>);

impl HttpConnector for ReplayConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let replay = Arc::clone(&self.0);
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or("")
            .to_owned();
        let op = target
            .strip_prefix("WorkMailService.")
            .unwrap_or(&target)
            .to_owned();
        // https://workmail.us-east-1.amazonaws.com/
        let region = request.uri().split('.').nth(1).unwrap_or("").to_owned();
        let body: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        HttpConnectorFuture::new(async move {
            replay.calls.fetch_add(1, Ordering::SeqCst);
            let now = replay.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            replay.max_in_flight.fetch_max(now, Ordering::SeqCst);
            let latency = replay.faults.lock().unwrap().latency;
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let (status, json) = replay.answer(&region, &op, &body);
            replay.in_flight.fetch_sub(1, Ordering::SeqCst);
            let mut resp = HttpResponse::new(
                StatusCode::try_from(status).expect("valid status"),
                SdkBody::from(json.to_string()),
            );
            resp.headers_mut()
                .insert("content-type", "application/x-amz-json-1.1");
            if status != 200 {
                let kind = json["__type"].as_str().unwrap_or("").to_owned();
                resp.headers_mut().insert("x-amzn-errortype", kind);
            }
            Ok(resp)
        })
    }
}

/// IAM/STS from the happy mock account plus WorkMail from the replay.
pub fn clients_with(replay: &Arc<Replay>, regions: &[&str], tuning: &Tuning) -> Clients {
    let iam = crate::mock_aws::happy_iam_rules();
    let sts = crate::mock_aws::happy_sts_rules();
    crate::mock_aws::clients(&iam, &sts, aws_smithy_mocks::RuleMode::MatchAny, tuning)
        .with_workmail(replay.builders(regions), tuning)
}
