//! Turning the input options into snapshots: the demo, snapshot files, AWS
//! CLI files, or a live collection.

use std::time::Duration;

use anyhow::{Result, bail};

use crate::args::InputArgs;
use wmaudit_aws::{CollectOptions, collect_blocking};
use wmaudit_core::snapshot::import::{ImportPaths, from_files};
use wmaudit_core::snapshot::io::read_snapshot;
use wmaudit_core::snapshot::{Snapshot, SourceKind};

/// A usage error: exit code 2, like clap's own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl InputArgs {
    fn file_flags(&self) -> bool {
        self.auth_details.is_some()
            || self.credential_report.is_some()
            || self.account_summary.is_some()
            || self.caller_identity.is_some()
            || self.virtual_mfa_devices.is_some()
            || self.password_policy.is_some()
            || self.account_aliases.is_some()
    }

    fn live_flags(&self) -> bool {
        self.profile.is_some()
            || self.region.is_some()
            || self.endpoint_url.is_some()
            || self.role_arn.is_some()
            || self.last_accessed
            || self.timeout.is_some()
    }

    /// Which source the options select; conflicting options are a usage error.
    pub fn source(&self) -> Result<SourceKind, UsageError> {
        let chosen = [
            (self.demo, "--demo"),
            (!self.snapshot.is_empty(), "--snapshot"),
            (self.file_flags(), "--auth-details/--credential-report/..."),
            (
                self.live_flags(),
                "--profile/--region/--endpoint-url/--role-arn/--last-accessed/--timeout",
            ),
        ];
        let on: Vec<&str> = chosen.iter().filter(|(b, _)| *b).map(|(_, n)| *n).collect();
        if on.len() > 1 {
            return Err(UsageError(format!(
                "choose one input source; got {}",
                on.join(" and ")
            )));
        }
        Ok(if self.demo {
            SourceKind::Demo
        } else if !self.snapshot.is_empty() || self.file_flags() {
            SourceKind::Files
        } else {
            SourceKind::Live
        })
    }
}

/// Data read from a file must not be newer than the clock (a report
/// "generated" in 2099 would make every age look short); `file` is named.
fn not_from_the_future(s: &Snapshot, file: &std::path::Path) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    wmaudit_core::scan::check_data_time(s, now)
        .map_err(|m| UsageError(format!("{}: {m}", file.display())).into())
}

/// Loads or collects the snapshots the options select.
pub fn load(input: &InputArgs) -> Result<Vec<Snapshot>> {
    match input.source()? {
        SourceKind::Demo => Ok(wmaudit_core::demo::snapshots()?),
        SourceKind::Files if !input.snapshot.is_empty() => input
            .snapshot
            .iter()
            .map(|p| {
                let s = read_snapshot(p)?;
                not_from_the_future(&s, p)?;
                Ok(s)
            })
            .collect(),
        SourceKind::Files => {
            let paths = ImportPaths {
                auth_details: input.auth_details.clone(),
                credential_report: input.credential_report.clone(),
                account_summary: input.account_summary.clone(),
                caller_identity: input.caller_identity.clone(),
                virtual_mfa_devices: input.virtual_mfa_devices.clone(),
                password_policy: input.password_policy.clone(),
                account_aliases: input.account_aliases.clone(),
            };
            let s = from_files(&paths)?;
            if let Some(p) = &input.credential_report {
                not_from_the_future(&s, p)?;
            }
            Ok(vec![s])
        }
        SourceKind::Live => {
            if input.report_wait == 0 {
                bail!(UsageError("--report-wait must be at least 1 second".into()));
            }
            if input.last_accessed_wait == 0 {
                bail!(UsageError(
                    "--last-accessed-wait must be at least 1 second".into()
                ));
            }
            if input.timeout == Some(0) {
                bail!(UsageError("--timeout must be at least 1 second".into()));
            }
            if input.concurrency == 0 {
                bail!(UsageError("--concurrency must be at least 1".into()));
            }
            let opts = CollectOptions {
                profile: input.profile.clone(),
                region: input.region.clone(),
                endpoint_url: input.endpoint_url.clone(),
                role_arn: input.role_arn.clone(),
                quiet: input.quiet,
                report_wait: Duration::from_secs(input.report_wait),
                last_accessed: input.last_accessed,
                last_accessed_wait: Duration::from_secs(input.last_accessed_wait),
                concurrency: input.concurrency,
                timeout: input.timeout.map(Duration::from_secs),
                verbose: input.verbose,
                workmail: !input.no_workmail,
                workmail_regions: if input.workmail_regions.is_empty() {
                    CollectOptions::default().workmail_regions
                } else {
                    input.workmail_regions.clone()
                },
            };
            Ok(vec![collect_blocking(&opts)?])
        }
    }
}
