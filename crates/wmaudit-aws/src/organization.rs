//! Every account of an AWS Organization: the tree and its control policies
//! read from the management account (or a delegated administrator), then
//! each account collected as one account is, through a role assumed in it
//! (the management account with the caller's own credentials),
//! `--concurrency` accounts at a time. An account that cannot be entered or
//! read is recorded with the reason and the others go on.
//!
//! Calls: DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent
//! per root and OU, ListAccounts (all pages: AWS pages by 20), then per
//! selected account ListParents, ListPoliciesForTarget per enabled policy
//! type and target on its path (each target once), DescribePolicy per
//! policy (once), and sts:AssumeRole. See docs/organizations.md.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use tokio::sync::Semaphore;

use wmaudit_core::org::{
    AccountGap, Attached, ORGANIZATION_FORMAT, OrgAccount, OrgInfo, OrgNode, OrgPolicy,
    OrgSnapshot, RCP, SCP,
};
use wmaudit_core::snapshot::Snapshot;

use super::gap::describe;
use super::{CallLog, Clients, CollectError, CollectOptions, Progress, collect_with};

/// Which accounts to scan (`--accounts`, `--exclude-accounts`) and as whom.
#[derive(Debug, Clone, Default)]
pub struct OrgOptions {
    /// The role to assume in each member account (`--member-role NAME`).
    pub member_role: String,
    /// Only these accounts (empty: every ACTIVE account).
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
}

/// The management side: Organizations and STS, with their call log.
#[derive(Debug, Clone)]
pub struct OrgClients {
    pub organizations: aws_sdk_organizations::Client,
    pub sts: aws_sdk_sts::Client,
    pub log: CallLog,
}

/// What an organization scan read: the organization file and one snapshot
/// per account that could be collected.
#[derive(Debug)]
pub struct OrgCollection {
    pub organization: OrgSnapshot,
    pub snapshots: Vec<Snapshot>,
}

/// Temporary credentials of a member account, from sts:AssumeRole.
pub type MemberCredentials = aws_credential_types::Credentials;

/// Builds one account's clients: with the management account's own
/// credentials (`None`) or a member role's.
pub trait Enter: Send + Sync + 'static {
    fn clients(&self, credentials: Option<MemberCredentials>) -> Clients;
}

impl<F> Enter for F
where
    F: Fn(Option<MemberCredentials>) -> Clients + Send + Sync + 'static,
{
    fn clients(&self, credentials: Option<MemberCredentials>) -> Clients {
        self(credentials)
    }
}

fn org_error(what: impl Into<String>) -> CollectError {
    CollectError::Organization(what.into())
}

/// Reads the organization's tree, accounts and control policies.
pub async fn discover(
    org: &OrgClients,
    sel: &OrgOptions,
    progress: &Progress,
) -> Result<OrgSnapshot, CollectError> {
    let o = &org.organizations;
    let described = o
        .describe_organization()
        .send()
        .await
        .map_err(|e| org_error(describe("organizations:DescribeOrganization", &e)))?;
    let info = described
        .organization()
        .ok_or_else(|| org_error("organizations:DescribeOrganization returned no organization"))?;
    let organization = OrgInfo {
        id: info.id().unwrap_or_default().to_owned(),
        arn: info.arn().map(str::to_owned),
        management_account_id: info.master_account_id().unwrap_or_default().to_owned(),
        feature_set: info.feature_set().map(|f| f.as_str().to_owned()),
    };

    let mut roots = Vec::new();
    let mut pages = o.list_roots().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| org_error(describe("organizations:ListRoots", &e)))?;
        for r in page.roots() {
            let mut types: Vec<String> = r
                .policy_types()
                .iter()
                .filter(|t| t.status() == Some(&PolicyTypeStatus::Enabled))
                .filter_map(|t| t.r#type().map(|t| t.as_str().to_owned()))
                .collect();
            types.sort();
            roots.push(OrgNode {
                id: r.id().unwrap_or_default().to_owned(),
                name: r.name().unwrap_or_default().to_owned(),
                parent_id: None,
                policy_types: Some(types),
                attached: Attached::default(),
            });
        }
    }

    // The OU tree, breadth first; each parent's children all pages.
    let mut ous: Vec<OrgNode> = Vec::new();
    let mut queue: Vec<String> = roots.iter().map(|r| r.id.clone()).collect();
    while let Some(parent) = queue.pop() {
        let mut pages = o
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                org_error(describe(
                    "organizations:ListOrganizationalUnitsForParent",
                    &e,
                ))
            })?;
            for ou in page.organizational_units() {
                let id = ou.id().unwrap_or_default().to_owned();
                queue.push(id.clone());
                ous.push(OrgNode {
                    id,
                    name: ou.name().unwrap_or_default().to_owned(),
                    parent_id: Some(parent.clone()),
                    policy_types: None,
                    attached: Attached::default(),
                });
            }
        }
    }
    ous.sort_by(|a, b| a.id.cmp(&b.id));

    // Every page, whatever its size: AWS pages ListAccounts by 20.
    let mut listed = Vec::new();
    let mut pages = o.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| org_error(describe("organizations:ListAccounts", &e)))?;
        listed.extend(page.accounts().iter().cloned());
    }
    let active: BTreeMap<String, (String, Option<String>)> = listed
        .iter()
        .filter(|a| {
            a.status().map(|s| s.as_str()) == Some("ACTIVE")
                || a.state().map(|s| s.as_str()) == Some("ACTIVE")
        })
        .filter_map(|a| {
            Some((
                a.id()?.to_owned(),
                (
                    a.name().unwrap_or_default().to_owned(),
                    a.email().map(str::to_owned),
                ),
            ))
        })
        .collect();
    for id in sel.accounts.iter().chain(&sel.exclude_accounts) {
        if !active.contains_key(id) {
            return Err(org_error(format!(
                "account {id} is not an ACTIVE account of organization {} ({} ACTIVE accounts listed)",
                organization.id,
                active.len()
            )));
        }
    }
    let selected: Vec<(&String, &(String, Option<String>))> = active
        .iter()
        .filter(|(id, _)| sel.accounts.is_empty() || sel.accounts.contains(id))
        .filter(|(id, _)| !sel.exclude_accounts.contains(id))
        .collect();
    progress.say(format!(
        "organization {}: {} ACTIVE account(s), {} selected, {} OU(s)",
        organization.id,
        active.len(),
        selected.len(),
        ous.len()
    ));

    let mut accounts = Vec::new();
    for (id, (name, email)) in selected {
        let parents = o
            .list_parents()
            .child_id(id)
            .send()
            .await
            .map_err(|e| org_error(describe("organizations:ListParents", &e)))?;
        let parent_id = parents
            .parents()
            .first()
            .and_then(|p| p.id())
            .unwrap_or_default()
            .to_owned();
        accounts.push(OrgAccount {
            id: id.clone(),
            name: name.clone(),
            email: email.clone(),
            status: "ACTIVE".to_owned(),
            parent_id,
            attached: Attached::default(),
        });
    }

    let mut snapshot = OrgSnapshot {
        format: ORGANIZATION_FORMAT.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        collected_at: Some(super::now_rfc3339()),
        organization,
        roots,
        organizational_units: ous,
        accounts,
        policies: Vec::new(),
        not_collected: Vec::new(),
        api_calls: BTreeMap::new(),
    };
    attach_policies(o, &mut snapshot).await;
    snapshot.sort();
    Ok(snapshot)
}

/// The SCPs and RCPs of every target on a selected account's path, each
/// target and policy read once. A list that cannot be read stays `None`
/// with the reason: the accounts under it are evaluated as incomplete.
async fn attach_policies(o: &aws_sdk_organizations::Client, org: &mut OrgSnapshot) {
    let mut targets: BTreeSet<String> = BTreeSet::new();
    for a in &org.accounts {
        targets.insert(a.id.clone());
        for n in org.path(a) {
            targets.insert(n.id.clone());
        }
    }
    let enabled = |kind: &str| {
        org.roots.iter().any(|r| {
            r.policy_types
                .as_ref()
                .is_some_and(|t| t.iter().any(|t| t == kind))
        })
    };
    let kinds: Vec<&str> = [SCP, RCP].into_iter().filter(|k| enabled(k)).collect();
    let mut lists: BTreeMap<(String, &str), Result<Vec<String>, String>> = BTreeMap::new();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for target in &targets {
        for &kind in &kinds {
            let mut ids = Vec::new();
            let mut pages = o
                .list_policies_for_target()
                .target_id(target)
                .filter(PolicyType::from(kind))
                .into_paginator()
                .send();
            let mut result = Ok(());
            while let Some(page) = pages.next().await {
                match page {
                    Ok(p) => ids.extend(
                        p.policies()
                            .iter()
                            .filter_map(|s| s.id())
                            .map(str::to_owned),
                    ),
                    Err(e) => {
                        result = Err(describe("organizations:ListPoliciesForTarget", &e));
                        break;
                    }
                }
            }
            ids.sort();
            wanted.extend(ids.iter().cloned());
            lists.insert((target.clone(), kind), result.map(|()| ids));
        }
    }
    for id in &wanted {
        match o.describe_policy().policy_id(id).send().await {
            Ok(out) => {
                let Some(p) = out.policy() else { continue };
                let s = p.policy_summary();
                org.policies.push(OrgPolicy {
                    id: id.clone(),
                    name: s.and_then(|s| s.name()).unwrap_or_default().to_owned(),
                    kind: s
                        .and_then(|s| s.r#type())
                        .map_or(SCP, |t| t.as_str())
                        .to_owned(),
                    aws_managed: s.is_some_and(|s| s.aws_managed()),
                    description: s.and_then(|s| s.description()).map(str::to_owned),
                    document: serde_json::Value::String(p.content().unwrap_or_default().to_owned()),
                });
            }
            // Left out: the levels that attach it say it was not read.
            Err(_) => continue,
        }
    }
    let fill = |id: &str, attached: &mut Attached| {
        for &kind in &kinds {
            let Some(result) = lists.get(&(id.to_owned(), kind)) else {
                continue;
            };
            let slot = if kind == SCP {
                &mut attached.service_control_policies
            } else {
                &mut attached.resource_control_policies
            };
            match result {
                Ok(ids) => *slot = Some(ids.clone()),
                Err(why) => attached.not_read.push(why.clone()),
            }
        }
    };
    for n in org
        .roots
        .iter_mut()
        .chain(org.organizational_units.iter_mut())
    {
        fill(&n.id, &mut n.attached);
    }
    for a in &mut org.accounts {
        fill(&a.id, &mut a.attached);
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/NAME` (a name may carry a path).
pub fn member_role_arn(partition: &str, account: &str, role: &str) -> String {
    let role = role.trim_start_matches('/');
    format!("arn:{partition}:iam::{account}:role/{role}")
}

/// sts:AssumeRole into one member account, through the management side's
/// STS client (allowlisted, counted, mockable).
pub async fn assume(
    sts: &aws_sdk_sts::Client,
    role_arn: &str,
) -> Result<MemberCredentials, String> {
    let out = sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("wmaudit")
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot assume {role_arn}: {}",
                describe("sts:AssumeRole", &e)
            )
        })?;
    let c = out.credentials().ok_or_else(|| {
        format!("cannot assume {role_arn}: sts:AssumeRole returned no credentials")
    })?;
    let expires = std::time::SystemTime::try_from(*c.expiration()).ok();
    Ok(aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        expires,
        "wmaudit-member-role",
    ))
}

/// Discovers the organization, then collects every selected account.
pub async fn collect_organization_with(
    org: &OrgClients,
    sel: &OrgOptions,
    opts: &CollectOptions,
    caller_account: &str,
    enter: impl Enter,
) -> Result<OrgCollection, CollectError> {
    let progress = Progress::new(opts.quiet);
    let mut organization = discover(org, sel, &progress).await?;
    let partition = organization
        .organization
        .arn
        .as_deref()
        .and_then(|a| a.split(':').nth(1))
        .unwrap_or("aws")
        .to_owned();
    let total = organization.accounts.len();
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let enter = Arc::new(enter);
    let mut member_opts = opts.clone();
    // Each account's own progress lines would interleave: one line per account.
    member_opts.quiet = true;
    let member_opts = Arc::new(member_opts);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, account) in organization.accounts.iter().enumerate() {
        let id = account.id.clone();
        let own = id == caller_account;
        let role_arn = member_role_arn(&partition, &id, &sel.member_role);
        let (sts, enter, opts) = (org.sts.clone(), enter.clone(), member_opts.clone());
        let (permits, done, failed) = (permits.clone(), done.clone(), failed.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = async {
                let credentials = if own {
                    None
                } else {
                    Some(assume(&sts, &role_arn).await?)
                };
                let clients = enter.clients(credentials);
                let snapshot = collect_with(&clients, &opts)
                    .await
                    .map_err(|e| format!("nothing could be read: {e}"))?;
                match snapshot.metadata.account_id.as_deref() {
                    Some(got) if got != id => Err(format!(
                        "the credentials of {role_arn} act in account {got}, not {id}"
                    )),
                    _ => Ok(snapshot),
                }
            }
            .await;
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            let f = failed.load(Ordering::SeqCst) + usize::from(result.is_err());
            if result.is_err() {
                failed.fetch_add(1, Ordering::SeqCst);
            }
            progress.say(format!("accounts: {n}/{total} done, {f} failed"));
            (i, id, result)
        });
    }
    let mut snapshots = Vec::new();
    let mut gaps = Vec::new();
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(r) = joined {
            results.push(r);
        }
    }
    results.sort_by_key(|(i, _, _)| *i);
    for (_, id, result) in results {
        match result {
            Ok(s) => snapshots.push(s),
            Err(reason) => gaps.push(AccountGap {
                account_id: id,
                reason: super::gap::redact(&reason),
            }),
        }
    }
    organization.not_collected = gaps;
    organization.api_calls = org.log.sent();
    Ok(OrgCollection {
        organization,
        snapshots,
    })
}

/// [`collect_organization_with`] with clients built the way `collect` builds
/// them: the management account's configuration, each member through its role.
pub async fn collect_organization(
    opts: &CollectOptions,
    sel: &OrgOptions,
) -> Result<OrgCollection, CollectError> {
    let tuning = super::tuning(opts);
    let (sdk, log) = Clients::load_sdk(opts, &tuning).await?;
    let guard = super::ReadOnlyInterceptor::new(log.clone());
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&sdk)
            .interceptor(guard)
            .retry_config(tuning.retry_config())
            .timeout_config(tuning.timeout_config())
            .build(),
    );
    let org = OrgClients {
        organizations: Clients::organizations(
            aws_sdk_organizations::config::Builder::from(&sdk),
            &tuning,
            &log,
        ),
        sts: sts.clone(),
        log,
    };
    let caller = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| org_error(describe("sts:GetCallerIdentity", &e)))?;
    let caller_account = caller.account().unwrap_or_default().to_owned();
    let member_opts = opts.clone();
    let enter = move |credentials: Option<MemberCredentials>| {
        let sdk = match credentials {
            None => sdk.clone(),
            Some(c) => sdk
                .clone()
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(c),
                )
                .build(),
        };
        Clients::for_account(&sdk, &member_opts, &tuning, CallLog::new())
    };
    collect_organization_with(&org, sel, opts, &caller_account, enter).await
}
