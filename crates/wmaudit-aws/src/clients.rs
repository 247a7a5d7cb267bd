//! The SDK clients the collector uses, always built with the read-only
//! interceptor, adaptive retry and timeouts, whatever their origin.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::allowlist::{CallLog, ReadOnlyInterceptor};
use super::{CollectError, CollectOptions};

/// Region used when neither the options nor the environment name one. IAM
/// is global; STS answers in any region of the partition.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Retry and timeout settings. The defaults suit real AWS; tests shrink them.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Attempts per operation, first one included (adaptive retry mode).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub connect_timeout: Duration,
    /// Bound on one attempt: a hung connection ends here, then is retried.
    pub attempt_timeout: Duration,
    /// Bound on one operation, all attempts and backoff included.
    pub operation_timeout: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            // A 1,000-item GetAccountAuthorizationDetails page can be megabytes.
            attempt_timeout: Duration::from_secs(60),
            operation_timeout: Duration::from_secs(180),
        }
    }
}

impl Tuning {
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::adaptive()
            .with_max_attempts(self.max_attempts.max(1))
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }
}

/// IAM and STS clients plus the log of calls they made.
#[derive(Debug, Clone)]
pub struct Clients {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    /// One WorkMail client per region to read (none: WorkMail is skipped).
    workmail: Vec<crate::workmail::RegionClient>,
    log: CallLog,
}

impl Clients {
    /// Clients from an already loaded SDK configuration (credentials, region,
    /// endpoint, HTTP client come from it).
    pub fn from_sdk_config(sdk: &SdkConfig, tuning: &Tuning) -> Clients {
        Self::from_builders(
            aws_sdk_iam::config::Builder::from(sdk),
            aws_sdk_sts::config::Builder::from(sdk),
            tuning,
        )
    }

    /// Clients from service config builders, e.g. with a mock HTTP client.
    /// The read-only interceptor, retry and timeouts are always added here.
    pub fn from_builders(
        iam: aws_sdk_iam::config::Builder,
        sts: aws_sdk_sts::config::Builder,
        tuning: &Tuning,
    ) -> Clients {
        Self::from_builders_with_log(iam, sts, tuning, CallLog::new())
    }

    fn from_builders_with_log(
        iam: aws_sdk_iam::config::Builder,
        sts: aws_sdk_sts::config::Builder,
        tuning: &Tuning,
        log: CallLog,
    ) -> Clients {
        let guard = ReadOnlyInterceptor::new(log.clone());
        let iam = iam
            .interceptor(guard.clone())
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config())
            .build();
        let sts = sts
            .interceptor(guard)
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config())
            .build();
        Clients {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts),
            workmail: Vec::new(),
            log,
        }
    }

    /// Adds WorkMail clients, one per `(region, builder)`, with the same
    /// read-only interceptor, call log, retry and timeouts.
    pub fn with_workmail(
        mut self,
        builders: Vec<(String, aws_sdk_workmail::config::Builder)>,
        tuning: &Tuning,
    ) -> Clients {
        let guard = ReadOnlyInterceptor::new(self.log.clone());
        self.workmail = builders
            .into_iter()
            .map(|(region, b)| {
                let conf = b
                    .region(aws_sdk_workmail::config::Region::new(region.clone()))
                    .interceptor(guard.clone())
                    .retry_config(tuning.retry_config())
                    .timeout_config(tuning.timeout_config())
                    .build();
                crate::workmail::RegionClient {
                    region,
                    client: aws_sdk_workmail::Client::from_conf(conf),
                }
            })
            .collect();
        self
    }

    pub fn workmail(&self) -> &[crate::workmail::RegionClient] {
        &self.workmail
    }

    /// Loads configuration the way the AWS CLI does (environment, profile,
    /// `AWS_ENDPOINT_URL`, ...), with the options on top, and assumes
    /// `role_arn` when given.
    pub async fn load(opts: &CollectOptions, tuning: &Tuning) -> Result<Clients, CollectError> {
        let (sdk, log) = Self::load_sdk(opts, tuning).await?;
        Ok(Self::for_account(&sdk, opts, tuning, log))
    }

    /// The SDK configuration [`Clients::load`] builds its clients from, and
    /// the call log that counts its `sts:AssumeRole` calls.
    pub async fn load_sdk(
        opts: &CollectOptions,
        tuning: &Tuning,
    ) -> Result<(SdkConfig, CallLog), CollectError> {
        validate(opts)?;
        let region = RegionProviderChain::first_try(opts.region.clone().map(Region::new))
            .or_default_provider()
            .or_else(Region::from_static(DEFAULT_REGION));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let mut sdk = loader.load().await;
        let log = CallLog::new();
        if let Some(role) = &opts.role_arn {
            // aws-config's provider calls STS through its own client, which our
            // interceptor cannot reach; count its calls at the provider instead.
            let provider = AssumeRoleProvider::builder(role.clone())
                .session_name("wmaudit")
                .configure(&sdk)
                .build()
                .await;
            let counted = CountingProvider {
                inner: provider,
                log: log.clone(),
            };
            sdk = sdk
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(counted))
                .build();
        }
        Ok((sdk, log))
    }

    /// IAM, STS and (unless `--no-workmail`) WorkMail clients of one account
    /// from an SDK configuration.
    pub fn for_account(
        sdk: &SdkConfig,
        opts: &CollectOptions,
        tuning: &Tuning,
        log: CallLog,
    ) -> Clients {
        let clients = Self::from_builders_with_log(
            aws_sdk_iam::config::Builder::from(sdk),
            aws_sdk_sts::config::Builder::from(sdk),
            tuning,
            log,
        );
        let workmail = if opts.workmail {
            opts.workmail_regions
                .iter()
                .map(|r| (r.clone(), aws_sdk_workmail::config::Builder::from(sdk)))
                .collect()
        } else {
            Vec::new()
        };
        clients.with_workmail(workmail, tuning)
    }

    /// An Organizations client with the same interceptor, log, retry and
    /// timeouts (the SDK resolves Organizations' global endpoint itself).
    pub fn organizations(
        builder: aws_sdk_organizations::config::Builder,
        tuning: &Tuning,
        log: &CallLog,
    ) -> aws_sdk_organizations::Client {
        let conf = builder
            .interceptor(ReadOnlyInterceptor::new(log.clone()))
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config())
            .build();
        aws_sdk_organizations::Client::from_conf(conf)
    }

    pub fn iam(&self) -> &aws_sdk_iam::Client {
        &self.iam
    }

    pub fn sts(&self) -> &aws_sdk_sts::Client {
        &self.sts
    }

    /// Calls sent and refused so far.
    pub fn log(&self) -> &CallLog {
        &self.log
    }
}

/// The profiles the AWS config and credentials files define, and the files
/// read (as the CLI finds them: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
/// else ~/.aws/config and ~/.aws/credentials).
fn defined_profiles() -> (Vec<String>, String) {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let path = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let mut names = Vec::new();
    let mut files = Vec::new();
    for (p, is_config) in [
        (path("AWS_CONFIG_FILE", "config"), true),
        (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
    ] {
        let Some(p) = p else { continue };
        files.push(p.display().to_string());
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for line in text.lines() {
            let Some(section) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            else {
                continue;
            };
            let section = section.trim();
            let name = if is_config {
                match section.strip_prefix("profile") {
                    Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim(),
                    _ if section == "default" => "default",
                    _ => continue,
                }
            } else {
                section
            };
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    (names, files.join(" or "))
}

fn validate(opts: &CollectOptions) -> Result<(), CollectError> {
    if let Some(name) = &opts.profile {
        let (known, files) = defined_profiles();
        if !known.iter().any(|k| k == name) {
            return Err(CollectError::UnknownProfile {
                name: name.clone(),
                files,
                known,
            });
        }
    }
    if let Some(url) = &opts.endpoint_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(CollectError::InvalidOption {
            option: "endpoint URL",
            value: url.clone(),
            expected: "an http:// or https:// URL",
        });
    }
    if let Some(arn) = &opts.role_arn {
        let mut parts = arn.splitn(6, ':');
        let ok = parts.next() == Some("arn")
            && parts.next().is_some_and(|p| !p.is_empty())
            && parts.next() == Some("iam")
            && parts.next() == Some("")
            && parts.next().is_some_and(|a| !a.is_empty())
            && parts
                .next()
                .is_some_and(|r| r.starts_with("role/") && r.len() > 5);
        if !ok {
            return Err(CollectError::InvalidOption {
                option: "role ARN",
                value: arn.clone(),
                expected: "a role ARN such as arn:aws:iam::123456789012:role/wmaudit-auditor",
            });
        }
    }
    for r in &opts.workmail_regions {
        if !wmaudit_core::workmail::WORKMAIL_REGIONS.contains(&r.as_str()) {
            return Err(CollectError::InvalidOption {
                option: "WorkMail region",
                value: r.clone(),
                expected: "us-east-1, us-west-2 or eu-west-1 (WorkMail exists only there)",
            });
        }
    }
    if let Some(r) = &opts.region
        && (r.is_empty() || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(CollectError::InvalidOption {
            option: "region",
            value: r.clone(),
            expected: "a region name such as us-east-1",
        });
    }
    Ok(())
}

/// Counts each credential fetch of the AssumeRole provider as one
/// `sts:AssumeRole` call (its internal retries are not visible here).
#[derive(Debug)]
struct CountingProvider {
    inner: AssumeRoleProvider,
    log: CallLog,
}

impl ProvideCredentials for CountingProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.log.record_sent("sts:AssumeRole");
        self.inner.provide_credentials()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> CollectOptions {
        CollectOptions::default()
    }

    #[test]
    fn validates_options() {
        assert!(validate(&opts()).is_ok());
        let mut o = opts();
        o.role_arn = Some("arn:aws:iam::123456789012:role/wmaudit-auditor".into());
        assert!(validate(&o).is_ok());
        o.role_arn = Some("arn:aws:iam::123456789012:user/bob".into());
        assert!(validate(&o).is_err());
        o.role_arn = Some("wmaudit-auditor".into());
        assert!(validate(&o).is_err());
        let mut o = opts();
        o.endpoint_url = Some("localhost:5000".into());
        let e = validate(&o).unwrap_err().to_string();
        assert!(e.contains("localhost:5000"), "{e}");
        let mut o = opts();
        o.region = Some("us east".into());
        assert!(validate(&o).is_err());
        let mut o = opts();
        o.workmail_regions = vec!["eu-west-1".into(), "ap-south-1".into()];
        let e = validate(&o).unwrap_err().to_string();
        assert!(
            e.contains("ap-south-1") && e.contains("us-east-1, us-west-2 or eu-west-1"),
            "{e}"
        );
    }
}
