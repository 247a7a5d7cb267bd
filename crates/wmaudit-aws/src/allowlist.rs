//! Read-only by construction: every client the collector builds carries
//! [`ReadOnlyInterceptor`], which refuses any operation not on
//! [`ALLOWED_OPERATIONS`] before it is serialized, and again before each
//! attempt is signed, so a refused request never leaves the process. The same
//! interceptor counts every attempt actually sent (retries included).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
    BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The only operations wmaudit sends, as `service:Operation` (IAM action names).
///
/// Everything is a Get/List/Describe except `iam:GenerateCredentialReport` and
/// `iam:GenerateServiceLastAccessedDetails` (they only ask IAM to build a
/// report; IAM classes both as Read) and `sts:AssumeRole` (used only with
/// `--role-arn`, to become the audit role, and with `--organization`, to
/// enter each member account as `--member-role`).
pub const ALLOWED_OPERATIONS: &[&str] = &[
    "iam:GenerateCredentialReport",
    "iam:GenerateServiceLastAccessedDetails",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetAccountPasswordPolicy",
    "iam:GetAccountSummary",
    "iam:GetCredentialReport",
    "iam:GetServiceLastAccessedDetails",
    "iam:ListAccountAliases",
    "iam:ListVirtualMFADevices",
    "organizations:DescribeOrganization",
    "organizations:DescribePolicy",
    "organizations:ListAccounts",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:ListRoots",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
    "workmail:DescribeEmailMonitoringConfiguration",
    "workmail:DescribeIdentityProviderConfiguration",
    "workmail:DescribeOrganization",
    "workmail:GetImpersonationRole",
    "workmail:ListAccessControlRules",
    "workmail:ListAvailabilityConfigurations",
    "workmail:ListGroupMembers",
    "workmail:ListGroups",
    "workmail:ListImpersonationRoles",
    "workmail:ListMailDomains",
    "workmail:ListMailboxExportJobs",
    "workmail:ListMailboxPermissions",
    "workmail:ListMobileDeviceAccessRules",
    "workmail:ListOrganizations",
    "workmail:ListPersonalAccessTokens",
    "workmail:ListResourceDelegates",
    "workmail:ListResources",
    "workmail:ListUsers",
];

/// Is `service:Operation` on the allowlist? Exact match: IAM action names are
/// case-insensitive, but the SDK always spells them one way.
pub fn is_allowed(operation: &str) -> bool {
    ALLOWED_OPERATIONS.contains(&operation)
}

/// The error an interceptor returns for an operation not on the allowlist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} refused: not on wmaudit's read-only allowlist")]
pub struct OperationRefused {
    pub operation: String,
}

impl OperationRefused {
    /// Finds a refusal anywhere in an error's source chain (the SDK wraps it).
    pub fn find<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a OperationRefused> {
        let mut cur = Some(err);
        while let Some(e) = cur {
            if let Some(r) = e.downcast_ref::<OperationRefused>() {
                return Some(r);
            }
            cur = e.source();
        }
        None
    }
}

#[derive(Debug, Default)]
struct LogInner {
    sent: BTreeMap<String, u64>,
    refused: Vec<String>,
    /// Say each retry on stderr (a person is watching).
    announce_retries: bool,
}

/// Calls sent per operation, and operations refused; shared by all clients of
/// one collection.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<LogInner>>);

impl CallLog {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut LogInner) -> T) -> T {
        // A panic elsewhere while holding the lock leaves plain counters behind:
        // still meaningful, so keep going rather than poison every later call.
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Counts one attempt sent for `operation`.
    pub fn record_sent(&self, operation: &str) {
        self.with(|l| *l.sent.entry(operation.to_owned()).or_default() += 1);
    }

    /// Print a line on stderr for every retried attempt from now on: a
    /// throttled or hung endpoint is otherwise minutes of silence.
    pub fn announce_retries(&self, on: bool) {
        self.with(|l| l.announce_retries = on);
    }

    fn retried(&self, operation: &str, attempt: u32) {
        if self.with(|l| l.announce_retries) {
            eprintln!("wmaudit: retrying {operation} (attempt {attempt})");
        }
    }

    fn record_refused(&self, operation: &str) {
        self.with(|l| l.refused.push(operation.to_owned()));
    }

    /// Attempts sent per operation (`service:Operation`).
    pub fn sent(&self) -> BTreeMap<String, u64> {
        self.with(|l| l.sent.clone())
    }

    /// Operations refused by the allowlist, in the order they were tried.
    pub fn refused(&self) -> Vec<String> {
        self.with(|l| l.refused.clone())
    }
}

/// Refuses operations not on [`ALLOWED_OPERATIONS`]; counts attempts sent.
#[derive(Debug, Clone)]
pub struct ReadOnlyInterceptor {
    log: CallLog,
}

impl ReadOnlyInterceptor {
    pub fn new(log: CallLog) -> Self {
        ReadOnlyInterceptor { log }
    }

    /// The operation's `service:Operation` name, from the metadata the
    /// generated operation puts in the config bag.
    fn operation(cfg: &ConfigBag) -> Result<String, BoxError> {
        match cfg.load::<Metadata>() {
            Some(m) => Ok(format!("{}:{}", m.service().to_ascii_lowercase(), m.name())),
            // Fail closed: an operation we cannot name cannot be shown to be read-only.
            None => Err(Box::new(OperationRefused {
                operation: "<unnamed operation>".into(),
            })),
        }
    }

    fn check(&self, cfg: &ConfigBag) -> Result<String, BoxError> {
        let op = Self::operation(cfg)?;
        if is_allowed(&op) {
            Ok(op)
        } else {
            self.log.record_refused(&op);
            Err(Box::new(OperationRefused { operation: op }))
        }
    }
}

impl Intercept for ReadOnlyInterceptor {
    fn name(&self) -> &'static str {
        "wmaudit::ReadOnlyInterceptor"
    }

    // Not read_before_execution: for client-level interceptors it runs before
    // the operation's runtime plugin has stored its Metadata in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.check(cfg).map(drop)
    }

    // Checked again per attempt, right before signing: nothing unlisted gets a signature.
    fn modify_before_signing(
        &self,
        _context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.check(cfg).map(drop)
    }

    // Runs once per attempt, so retries are counted.
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = self.check(cfg)?;
        self.log.record_sent(&op);
        let attempt = cfg
            .load::<aws_smithy_runtime_api::client::retries::RequestAttempts>()
            .map_or(1, |a| a.attempts());
        if attempt > 1 {
            self.log.retried(&op, attempt);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::{Clients, Tuning};

    #[test]
    fn allowlist_is_read_only_by_name() {
        for op in ALLOWED_OPERATIONS {
            let (svc, name) = op.split_once(':').unwrap();
            assert!(
                matches!(svc, "iam" | "sts" | "workmail" | "organizations"),
                "{op}"
            );
            assert!(
                name.starts_with("Get")
                    || name.starts_with("List")
                    || name.starts_with("Describe")
                    || *op == "iam:GenerateCredentialReport"
                    || *op == "iam:GenerateServiceLastAccessedDetails"
                    || *op == "sts:AssumeRole",
                "{op}"
            );
        }
        assert!(!is_allowed("iam:CreateUser"));
        assert!(!is_allowed("iam:getaccountsummary"));
    }

    /// A loopback "server" that counts connections and answers each with a
    /// canned IAM response, so the test can tell whether a request got out.
    fn counting_server() -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                h.fetch_add(1, Ordering::SeqCst);
                let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                let mut buf = [0u8; 65536];
                let _ = s.read(&mut buf);
                let body = r#"<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap><entry><key>Users</key><value>2</value></entry></SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountSummaryResponse>"#;
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, hits)
    }

    fn builders(url: &str) -> (aws_sdk_iam::config::Builder, aws_sdk_sts::config::Builder) {
        let creds =
            aws_sdk_iam::config::Credentials::new("AKIDALLOWLIST", "s3cr3t", None, None, "test");
        let iam = aws_sdk_iam::Config::builder()
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .endpoint_url(url);
        let sts = aws_sdk_sts::Config::builder()
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .endpoint_url(url);
        (iam, sts)
    }

    #[tokio::test]
    async fn unlisted_operation_is_refused_before_it_is_sent() {
        let (url, hits) = counting_server();
        let (iam, sts) = builders(&url);
        let clients = Clients::from_builders(iam, sts, &Tuning::default());

        let err = clients
            .iam()
            .create_user()
            .user_name("intruder")
            .send()
            .await
            .expect_err("CreateUser must be refused");
        let refused = OperationRefused::find(&err).expect("the refusal is in the error chain");
        assert_eq!(refused.operation, "iam:CreateUser");
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "CreateUser reached the server"
        );
        assert_eq!(clients.log().refused(), vec!["iam:CreateUser".to_owned()]);
        assert!(clients.log().sent().is_empty());

        // Control: an allowlisted call through the same client does reach it.
        let out = clients.iam().get_account_summary().send().await.unwrap();
        assert_eq!(out.summary_map().map(|m| m.len()), Some(1));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        assert_eq!(
            clients.log().sent(),
            BTreeMap::from([("iam:GetAccountSummary".to_owned(), 1)])
        );

        // STS too: GetSessionToken is a read-ish call but not on the list.
        let err = clients.sts().get_session_token().send().await.unwrap_err();
        assert!(OperationRefused::find(&err).is_some());
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
