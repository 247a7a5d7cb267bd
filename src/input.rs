//! Turning the input options into snapshots: the demo, snapshot files, AWS
//! CLI files, or a live collection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::args::InputArgs;
use wmaudit_aws::organization::OrgOptions;
use wmaudit_aws::{CollectOptions, collect_blocking};
use wmaudit_core::org::{ORGANIZATION_FORMAT, OrgSnapshot, read_organization};
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
            || self.organization
    }

    /// Whether any input option is given (`merge` takes its inputs as arguments).
    pub fn any_given(&self) -> bool {
        self.demo || !self.snapshot.is_empty() || self.file_flags() || self.live_flags()
    }

    /// Which source the options select; conflicting options are a usage error.
    pub fn source(&self) -> Result<SourceKind, UsageError> {
        let chosen = [
            (self.demo, "--demo"),
            (!self.snapshot.is_empty(), "--snapshot"),
            (self.file_flags(), "--auth-details/--credential-report/..."),
            (
                self.live_flags(),
                "--profile/--region/--endpoint-url/--role-arn/--last-accessed/--timeout/--organization",
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

/// What a run evaluates: the accounts' snapshots and, for an organization,
/// its tree and control policies.
pub struct Loaded {
    pub snapshots: Vec<Snapshot>,
    pub organization: Option<OrgSnapshot>,
}

/// Loads or collects what the options select: one account, several, or an
/// organization (live with `--organization`, or a directory `collect
/// --organization` wrote).
pub fn load_run(input: &InputArgs) -> Result<Loaded> {
    if input.organization {
        input.source()?;
        let opts = collect_options(input)?;
        let sel = OrgOptions {
            member_role: input.member_role.clone().unwrap_or_default(),
            accounts: input.accounts.clone(),
            exclude_accounts: input.exclude_accounts.clone(),
        };
        check_org_options(&sel)?;
        let c = wmaudit_aws::collect_organization_blocking(&opts, &sel).map_err(|e| match e {
            // An account the organization does not have is the user's mistake.
            wmaudit_aws::CollectError::Organization(m)
                if m.contains("is not an ACTIVE account") =>
            {
                anyhow::Error::from(UsageError(m))
            }
            other => other.into(),
        })?;
        return Ok(Loaded {
            snapshots: c.snapshots,
            organization: Some(c.organization),
        });
    }
    if !input.snapshot.is_empty() && input.source()? == SourceKind::Files {
        return load_paths(&input.snapshot, false);
    }
    Ok(Loaded {
        snapshots: load(input)?,
        organization: None,
    })
}

fn check_org_options(sel: &OrgOptions) -> Result<(), UsageError> {
    let role = &sel.member_role;
    if role.is_empty() || role.starts_with("arn:") || role.contains(char::is_whitespace) {
        return Err(UsageError(format!(
            "--member-role {role:?}: expected a role name such as wmaudit-auditor (the same \
             name in every member account), not an ARN"
        )));
    }
    for id in sel.accounts.iter().chain(&sel.exclude_accounts) {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsageError(format!(
                "--accounts/--exclude-accounts {id:?}: expected a 12-digit account id"
            )));
        }
    }
    Ok(())
}

/// Whether a file is an organization file: its writer puts `format` first,
/// so the first bytes tell without parsing a large snapshot twice.
fn is_organization_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    String::from_utf8_lossy(&head[..n]).contains(ORGANIZATION_FORMAT)
}

/// Snapshot and organization files, and directories of them (`*.json`,
/// in name order). With an organization, or `strict` (`merge`), an account
/// given twice is refused, naming both files.
pub fn load_paths(paths: &[PathBuf], strict: bool) -> Result<Loaded> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    UsageError(format!("{}: cannot read the directory: {e}", p.display()))
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json") && f.is_file())
                .collect();
            in_dir.sort();
            if in_dir.is_empty() {
                bail!(UsageError(format!(
                    "{}: no *.json files (expected the snapshots and organization.json that \
                     `wmaudit collect --organization -o DIR` writes)",
                    p.display()
                )));
            }
            files.extend(in_dir);
        } else {
            files.push(p.clone());
        }
    }
    let mut snapshots: Vec<(Snapshot, PathBuf)> = Vec::new();
    let mut organization: Option<(OrgSnapshot, PathBuf)> = None;
    for f in files {
        if is_organization_file(&f) {
            let org = read_organization(&f)?;
            organization = Some(match organization {
                None => (org, f),
                Some((have, first)) => {
                    let merged = have.merge(org).map_err(|why| {
                        UsageError(format!("{} and {}: {why}", first.display(), f.display()))
                    })?;
                    (merged, first)
                }
            });
        } else {
            let s = read_snapshot(&f)?;
            not_from_the_future(&s, &f)?;
            snapshots.push((s, f));
        }
    }
    if strict || organization.is_some() {
        let mut seen: std::collections::BTreeMap<String, &PathBuf> = Default::default();
        for (s, f) in &snapshots {
            let id = s.account_id().unwrap_or_default();
            if let Some(first) = seen.insert(id.clone(), f) {
                bail!(UsageError(format!(
                    "account {id} is in both {} and {}: each account once",
                    first.display(),
                    f.display()
                )));
            }
        }
    }
    if let Some((org, f)) = &organization {
        for (s, sf) in &snapshots {
            let id = s.account_id().unwrap_or_default();
            if org.account(&id).is_none() {
                bail!(UsageError(format!(
                    "{}: account {id} is not an account of organization {} ({})",
                    sf.display(),
                    org.organization.id,
                    f.display()
                )));
            }
        }
    }
    Ok(Loaded {
        snapshots: snapshots.into_iter().map(|(s, _)| s).collect(),
        organization: organization.map(|(o, _)| o),
    })
}

fn collect_options(input: &InputArgs) -> Result<CollectOptions> {
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
    Ok(CollectOptions {
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
    })
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
            let opts = collect_options(input)?;
            Ok(vec![collect_blocking(&opts)?])
        }
    }
}
