//! Live collection from AWS (read-only by construction).
//!
//! A fixed handful of IAM/STS calls, run concurrently: GetCallerIdentity,
//! GetAccountAuthorizationDetails (all pages), GetAccountSummary,
//! Generate/GetCredentialReport, GetAccountPasswordPolicy,
//! ListVirtualMFADevices and ListAccountAliases. The number of calls grows
//! with pages of authorization details only, never per user. Every client
//! carries [`allowlist::ReadOnlyInterceptor`], so nothing outside
//! [`ALLOWED_OPERATIONS`] can be sent. A part that fails becomes a
//! [`Gap`] and collection goes on; see docs/collection.md.

mod account_extras;
pub mod allowlist;
mod auth_details;
mod clients;
mod credential_report;
mod gap;
mod last_accessed;
pub mod organization;
pub mod workmail;

use std::fmt;
use std::io::IsTerminal;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use wmaudit_core::rules::context::WORKMAIL_SERVICES;
use wmaudit_core::snapshot::{Gap, Metadata, Part, SNAPSHOT_FORMAT, Snapshot, SourceKind};

pub use account_extras::{
    account_aliases, account_summary, caller_identity, password_policy, virtual_mfa_devices,
};
pub use allowlist::{ALLOWED_OPERATIONS, CallLog, OperationRefused, ReadOnlyInterceptor};
pub use auth_details::authorization_details;
pub use clients::{Clients, DEFAULT_REGION, Tuning};
pub use credential_report::credential_report;
pub use last_accessed::{
    DEFAULT_LAST_ACCESSED_CONCURRENCY, DEFAULT_LAST_ACCESSED_WAIT, service_last_accessed,
};

/// Default bound on waiting for IAM to generate the credential report.
pub const DEFAULT_REPORT_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// A named profile from the AWS config/credentials files.
    pub profile: Option<String>,
    /// Region for STS (IAM is global). Default: the environment's or
    /// profile's region, else us-east-1.
    pub region: Option<String>,
    /// Send every call here instead of AWS (`AWS_ENDPOINT_URL` works too).
    pub endpoint_url: Option<String>,
    /// Assume this role (STS AssumeRole) and audit as it.
    pub role_arn: Option<String>,
    /// No progress on stderr.
    pub quiet: bool,
    /// Bound on waiting for the credential report.
    pub report_wait: Duration,
    /// Also collect IAM's service last accessed data for the principals that
    /// hold WorkMail actions (one IAM job each).
    pub last_accessed: bool,
    /// Bound on waiting for those jobs, all together.
    pub last_accessed_wait: Duration,
    /// Jobs in flight at once.
    pub concurrency: usize,
    /// Bound on each API operation, retries included (default: [`Tuning`]'s).
    pub timeout: Option<Duration>,
    /// Say retries on stderr even when it is not a terminal.
    pub verbose: bool,
    /// Read WorkMail's own grants (`--no-workmail` turns it off).
    pub workmail: bool,
    /// The WorkMail regions to read (default: all three).
    pub workmail_regions: Vec<String>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            role_arn: None,
            quiet: false,
            report_wait: DEFAULT_REPORT_WAIT,
            last_accessed: false,
            last_accessed_wait: DEFAULT_LAST_ACCESSED_WAIT,
            concurrency: DEFAULT_LAST_ACCESSED_CONCURRENCY,
            timeout: None,
            verbose: false,
            workmail: true,
            workmail_regions: wmaudit_core::workmail::WORKMAIL_REGIONS
                .iter()
                .map(|r| (*r).to_owned())
                .collect(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("invalid {option} {value:?}: expected {expected}")]
    InvalidOption {
        option: &'static str,
        value: String,
        expected: &'static str,
    },
    /// `--profile NAME` names no profile of the AWS config files.
    #[error(
        "profile {name:?} is not defined in {files}{}",
        if known.is_empty() { " (no profiles are defined there)".to_owned() } else { format!(" (defined: {})", known.join(", ")) }
    )]
    UnknownProfile {
        name: String,
        files: String,
        known: Vec<String>,
    },
    /// Every call failed: typically no or invalid credentials, or no network.
    #[error(
        "nothing could be collected from AWS (check credentials, region and network): {}",
        .gaps.first().map_or("no reason recorded", |g| g.reason.as_str())
    )]
    NothingCollected { gaps: Vec<Gap> },
    /// Parts that disagree (say, a credential report of another account).
    #[error("the collected data is inconsistent: {0}")]
    Inconsistent(#[source] wmaudit_core::snapshot::InputError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The organization could not be read (not its management account or a
    /// delegated administrator, an account not in it, ...).
    #[error("cannot scan the organization: {0}")]
    Organization(String),
}

/// Progress lines on stderr, only for a person watching a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    pub fn silent() -> Self {
        Progress { enabled: false }
    }

    pub fn say(&self, msg: impl fmt::Display) {
        if self.enabled {
            eprintln!("wmaudit: {msg}");
        }
    }
}

/// [`collect`] on a runtime of its own, for callers without one (the CLI):
/// the async runtime stays inside this crate.
pub fn collect_blocking(opts: &CollectOptions) -> Result<Snapshot, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    rt.block_on(collect(opts))
}

/// Collects a snapshot of the account the credentials (or `role_arn`) belong to.
pub async fn collect(opts: &CollectOptions) -> Result<Snapshot, CollectError> {
    let tuning = tuning(opts);
    let clients = Clients::load(opts, &tuning).await?;
    clients
        .log()
        .announce_retries(opts.verbose || Progress::new(opts.quiet).enabled);
    collect_with(&clients, opts).await.map_err(|e| match e {
        // The fix names the profile when there is one.
        CollectError::NothingCollected { mut gaps } => {
            if let Some(p) = &opts.profile {
                for g in &mut gaps {
                    g.reason = g.reason.replace(
                        "run `aws sso login` with the same profile",
                        &format!("run `aws sso login --profile {p}`"),
                    );
                }
            }
            CollectError::NothingCollected { gaps }
        }
        other => other,
    })
}

/// The default tuning with `--timeout` applied.
pub(crate) fn tuning(opts: &CollectOptions) -> Tuning {
    let mut tuning = Tuning::default();
    if let Some(t) = opts.timeout {
        tuning.operation_timeout = t;
        tuning.attempt_timeout = tuning.attempt_timeout.min(t);
        tuning.connect_timeout = tuning.connect_timeout.min(t);
    }
    tuning
}

/// [`organization::collect_organization`] on a runtime of its own.
pub fn collect_organization_blocking(
    opts: &CollectOptions,
    sel: &organization::OrgOptions,
) -> Result<organization::OrgCollection, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    rt.block_on(organization::collect_organization(opts, sel))
}

/// Collects with pre-built clients (see [`Clients::from_builders`]); the
/// connection options of `opts` (profile, region, endpoint, role) do not
/// apply here.
pub async fn collect_with(
    clients: &Clients,
    opts: &CollectOptions,
) -> Result<Snapshot, CollectError> {
    let progress = Progress::new(opts.quiet);
    progress.say("collecting from AWS (read-only)");
    let (caller, account, summary, report, password, mfa, aliases, workmail) = tokio::join!(
        caller_identity(clients),
        authorization_details(clients, &progress),
        account_summary(clients),
        credential_report(clients, opts.report_wait, &progress),
        password_policy(clients),
        virtual_mfa_devices(clients),
        account_aliases(clients),
        async {
            if clients.workmail().is_empty() {
                None
            } else {
                Some(workmail::workmail(clients.workmail(), opts.concurrency, &progress).await)
            }
        },
    );

    let mut gaps = Vec::new();
    let caller_identity = keep(caller, &mut gaps);
    let account = keep(account, &mut gaps);
    let account_summary = keep(summary, &mut gaps);
    let credential_report = keep(report, &mut gaps);
    let password_policy = keep(password, &mut gaps);
    let virtual_mfa_devices = keep(mfa, &mut gaps);
    let account_aliases = keep(aliases, &mut gaps);
    let workmail = workmail.and_then(|w| keep(w, &mut gaps));
    // Opt-in, after the account: whose data to ask for depends on it.
    let service_last_accessed = match (&account, opts.last_accessed) {
        (Some(account), true) => {
            let services: Vec<String> = WORKMAIL_SERVICES.iter().map(|s| (*s).to_owned()).collect();
            let prefixes: Vec<&str> = services.iter().map(String::as_str).collect();
            let arns = wmaudit_core::scan::principals_holding(account, &prefixes);
            progress.say(format!(
                "service last accessed: {} principals hold WorkMail actions",
                arns.len()
            ));
            keep(
                service_last_accessed(
                    clients,
                    arns,
                    &services,
                    opts.last_accessed_wait,
                    opts.concurrency,
                    &progress,
                )
                .await,
                &mut gaps,
            )
        }
        (None, true) => {
            gaps.push(Gap {
                part: Part::ServiceLastAccessed,
                reason: "not collected: it needs the authorization details, which could not be \
                         collected"
                    .to_owned(),
            });
            None
        }
        (_, false) => None,
    };
    gaps.sort_by_key(|g| g.part);

    if Part::ALL.iter().all(|p| gaps.iter().any(|g| g.part == *p)) {
        return Err(CollectError::NothingCollected { gaps });
    }

    let metadata = Metadata {
        format: if workmail.is_some() {
            wmaudit_core::snapshot::SNAPSHOT_FORMAT_WORKMAIL
        } else {
            SNAPSHOT_FORMAT
        }
        .to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        collected_at: Some(now_rfc3339()),
        source: SourceKind::Live,
        account_id: caller_identity.as_ref().map(|c| c.account.clone()),
        caller_arn: caller_identity.as_ref().map(|c| c.arn.clone()),
        api_calls: clients.log().sent(),
        not_collected: gaps,
    };
    let mut snapshot = Snapshot {
        metadata,
        account,
        credential_report,
        account_summary,
        caller_identity,
        password_policy,
        virtual_mfa_devices,
        account_aliases,
        service_last_accessed,
        workmail,
    };
    wmaudit_core::snapshot::validate_snapshot(&mut snapshot, "the collected data")
        .map_err(CollectError::Inconsistent)?;
    Ok(snapshot)
}

fn keep<T>(r: Result<T, Gap>, gaps: &mut Vec<Gap>) -> Option<T> {
    r.map_err(|g| gaps.push(g)).ok()
}

pub(crate) fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    // Whole seconds: sub-second precision only adds noise to reports.
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_else(|_| now.to_string())
}
