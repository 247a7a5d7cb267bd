//! WorkMail's own grants, read from its API in each WorkMail region.
//!
//! Per region: ListOrganizations. Per active organization: about 12 fixed
//! calls (describe, lists of roles, rules, tokens, domains, ...), the pages
//! of users, groups and resources, then one ListMailboxPermissions per user,
//! group and resource, one ListGroupMembers per group, one
//! ListResourceDelegates per resource and one GetImpersonationRole per role.
//! Every call waits for one of `concurrency` permits, so a 500-user
//! organization's ~660 calls take about calls × latency / concurrency.
//! A failed call leaves what it would have filled `null`, with the reason
//! in the organization's `not_read`; a region whose organizations cannot be
//! listed is recorded as failed; nothing fails the whole collection unless
//! every region fails.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_workmail::Client;
use aws_sdk_workmail::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::date_time::{DateTime, Format};
use tokio::sync::Semaphore;

use super::Progress;
use super::gap::{describe, gap_text};
use wmaudit_core::snapshot::{Gap, Part};
use wmaudit_core::workmail as wm;

/// One region's client (all share the read-only interceptor and call log).
#[derive(Debug, Clone)]
pub struct RegionClient {
    pub region: String,
    pub client: Client,
}

/// Bounds calls in flight and counts mailboxes read, for progress.
#[derive(Clone)]
struct Limits {
    permits: Arc<Semaphore>,
    mailboxes: Arc<AtomicUsize>,
    progress: Progress,
}

impl Limits {
    /// Runs one call with a permit held.
    async fn call<T, F: Future<Output = T>>(&self, f: F) -> T {
        // Closed never: the semaphore lives as long as the collection.
        let _permit = self.permits.acquire().await.ok();
        f.await
    }

    fn mailbox_read(&self) {
        let n = self.mailboxes.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(100) {
            self.progress.say(format!("WorkMail: {n} mailboxes read"));
        }
    }
}

/// ListMailboxExportJobs covers the last 7 days: what this collection knows.
fn seven_days_ago() -> Option<String> {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(7);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn time(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

fn reason<E, R>(op: &str, e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    describe(&format!("workmail:{op}"), e)
}

/// Everything WorkMail holds in `regions`. `Err` only when no region could
/// be read at all.
pub async fn workmail(
    clients: &[RegionClient],
    concurrency: usize,
    progress: &Progress,
) -> Result<wm::WorkMail, Gap> {
    let limits = Limits {
        permits: Arc::new(Semaphore::new(concurrency.max(1))),
        mailboxes: Arc::new(AtomicUsize::new(0)),
        progress: *progress,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (i, rc) in clients.iter().enumerate() {
        let (rc, limits) = (rc.clone(), limits.clone());
        tasks.spawn(async move { (i, region(&rc, &limits).await) });
    }
    let mut results: Vec<Option<(wm::RegionStatus, Vec<wm::Organization>)>> =
        vec![None; clients.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, r)) = joined {
            results[i] = Some(r);
        }
    }
    let mut out = wm::WorkMail {
        regions: Vec::new(),
        organizations: Vec::new(),
    };
    for (rc, r) in clients.iter().zip(results) {
        let (status, orgs) = r.unwrap_or_else(|| {
            (
                wm::RegionStatus {
                    region: rc.region.clone(),
                    error: Some(
                        "internal error, please report: the region's task ended early".into(),
                    ),
                },
                Vec::new(),
            )
        });
        out.regions.push(status);
        out.organizations.extend(orgs);
    }
    if !out.regions.is_empty() && out.regions.iter().all(|r| r.error.is_some()) {
        let first = out.regions.iter().find_map(|r| r.error.clone());
        return Err(gap_text(
            Part::WorkMail,
            first.unwrap_or_else(|| "no region could be read".to_owned()),
        ));
    }
    let n = limits.mailboxes.load(Ordering::Relaxed);
    progress.say(format!(
        "WorkMail: {} in {}, {n} mailboxes read",
        count(out.organizations.len(), "organization"),
        out.regions
            .iter()
            .map(|r| r.region.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.normalize();
    Ok(out)
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

async fn region(rc: &RegionClient, limits: &Limits) -> (wm::RegionStatus, Vec<wm::Organization>) {
    let mut summaries = Vec::new();
    let mut token = None;
    loop {
        let r = limits
            .call(
                rc.client
                    .list_organizations()
                    .max_results(100)
                    .set_next_token(token.take())
                    .send(),
            )
            .await;
        match r {
            Ok(out) => {
                summaries.extend(out.organization_summaries().iter().cloned());
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                    _ => break,
                }
            }
            Err(e) => {
                return (
                    wm::RegionStatus {
                        region: rc.region.clone(),
                        error: Some(reason("ListOrganizations", &e)),
                    },
                    Vec::new(),
                );
            }
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for s in summaries {
        let Some(id) = s.organization_id().map(str::to_owned) else {
            continue;
        };
        // Deleted (or being deleted) organizations hold no reachable mailbox.
        if s.state()
            .is_some_and(|st| st.to_ascii_lowercase().starts_with("delet"))
        {
            continue;
        }
        let (rc, limits) = (rc.clone(), limits.clone());
        tasks.spawn(async move { organization(&rc, &limits, id, s).await });
    }
    let mut orgs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(o) = joined {
            orgs.push(o);
        }
    }
    (
        wm::RegionStatus {
            region: rc.region.clone(),
            error: None,
        },
        orgs,
    )
}

/// Follows NextToken until the last page; `Err` is the reason to record.
macro_rules! pages {
    ($limits:expr, $op:literal, $req:expr, $items:ident, $map:expr) => {{
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            match $limits
                .call($req.max_results(100).set_next_token(token.take()).send())
                .await
            {
                Ok(out) => {
                    all.extend(out.$items().iter().filter_map($map));
                    match out.next_token() {
                        Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                        _ => break Ok(all),
                    }
                }
                Err(e) => break Err(reason($op, &e)),
            }
        }
    }};
}

async fn organization(
    rc: &RegionClient,
    limits: &Limits,
    id: String,
    summary: aws_sdk_workmail::types::OrganizationSummary,
) -> wm::Organization {
    let c = &rc.client;
    let mut not_read = Vec::new();
    let id_ = id.as_str();
    let (
        described,
        users,
        groups,
        resources,
        roles,
        acl,
        mobile,
        monitoring,
        jobs,
        avail,
        tokens,
        idp,
        domains,
    ) = tokio::join!(
        limits.call(c.describe_organization().organization_id(id_).send()),
        async {
            pages!(
                limits,
                "ListUsers",
                c.list_users().organization_id(id_),
                users,
                user
            )
        },
        async {
            pages!(
                limits,
                "ListGroups",
                c.list_groups().organization_id(id_),
                groups,
                group
            )
        },
        async {
            pages!(
                limits,
                "ListResources",
                c.list_resources().organization_id(id_),
                resources,
                resource
            )
        },
        async {
            pages!(
                limits,
                "ListImpersonationRoles",
                c.list_impersonation_roles().organization_id(id_),
                roles,
                |r: &aws_sdk_workmail::types::ImpersonationRole| Some(r.clone())
            )
        },
        async {
            limits
                .call(c.list_access_control_rules().organization_id(id_).send())
                .await
                .map(|o| o.rules().iter().filter_map(access_rule).collect::<Vec<_>>())
                .map_err(|e| reason("ListAccessControlRules", &e))
        },
        async {
            limits
                .call(
                    c.list_mobile_device_access_rules()
                        .organization_id(id_)
                        .send(),
                )
                .await
                .map(|o| o.rules().iter().filter_map(mobile_rule).collect::<Vec<_>>())
                .map_err(|e| reason("ListMobileDeviceAccessRules", &e))
        },
        async {
            match limits
                .call(
                    c.describe_email_monitoring_configuration()
                        .organization_id(id_)
                        .send(),
                )
                .await
            {
                Ok(o) => Ok(wm::EmailMonitoring {
                    role_arn: o.role_arn().map(str::to_owned),
                    log_group_arn: o.log_group_arn().map(str::to_owned),
                }),
                // Not configured.
                Err(e) if e.code() == Some("ResourceNotFoundException") => {
                    Ok(wm::EmailMonitoring {
                        role_arn: None,
                        log_group_arn: None,
                    })
                }
                Err(e) => Err(reason("DescribeEmailMonitoringConfiguration", &e)),
            }
        },
        async {
            pages!(
                limits,
                "ListMailboxExportJobs",
                c.list_mailbox_export_jobs().organization_id(id_),
                jobs,
                export_job
            )
        },
        async {
            pages!(
                limits,
                "ListAvailabilityConfigurations",
                c.list_availability_configurations().organization_id(id_),
                availability_configurations,
                availability
            )
        },
        async {
            pages!(
                limits,
                "ListPersonalAccessTokens",
                c.list_personal_access_tokens().organization_id(id_),
                personal_access_token_summaries,
                token
            )
        },
        async {
            match limits
                .call(
                    c.describe_identity_provider_configuration()
                        .organization_id(id_)
                        .send(),
                )
                .await
            {
                Ok(o) => Ok(wm::IdentityProvider {
                    authentication_mode: o.authentication_mode().map(|m| m.as_str().to_owned()),
                    personal_access_token_status: o
                        .personal_access_token_configuration()
                        .map(|p| p.status().as_str().to_owned()),
                    personal_access_token_lifetime_days: o
                        .personal_access_token_configuration()
                        .and_then(|p| p.lifetime_in_days()),
                }),
                Err(e) if e.code() == Some("ResourceNotFoundException") => {
                    Ok(wm::IdentityProvider {
                        authentication_mode: None,
                        personal_access_token_status: None,
                        personal_access_token_lifetime_days: None,
                    })
                }
                Err(e) => Err(reason("DescribeIdentityProviderConfiguration", &e)),
            }
        },
        async {
            pages!(
                limits,
                "ListMailDomains",
                c.list_mail_domains().organization_id(id_),
                mail_domains,
                domain
            )
        },
    );
    let described = keep(
        &mut not_read,
        "organization",
        described.map_err(|e| reason("DescribeOrganization", &e)),
    );
    let mut org = wm::Organization {
        id: id.clone(),
        region: rc.region.clone(),
        arn: described.as_ref().and_then(|d| d.arn().map(str::to_owned)),
        alias: described
            .as_ref()
            .and_then(|d| d.alias())
            .or(summary.alias())
            .map(str::to_owned),
        state: described
            .as_ref()
            .and_then(|d| d.state())
            .or(summary.state())
            .map(str::to_owned),
        default_mail_domain: described
            .as_ref()
            .and_then(|d| d.default_mail_domain())
            .or(summary.default_mail_domain())
            .map(str::to_owned),
        directory_type: described
            .as_ref()
            .and_then(|d| d.directory_type().map(str::to_owned)),
        migration_admin: described
            .as_ref()
            .and_then(|d| d.migration_admin().map(str::to_owned)),
        users: keep(&mut not_read, "users", users),
        groups: keep(&mut not_read, "groups", groups),
        resources: keep(&mut not_read, "resources", resources),
        impersonation_roles: None,
        access_control_rules: keep(&mut not_read, "access_control_rules", acl),
        mobile_device_access_rules: keep(&mut not_read, "mobile_device_access_rules", mobile),
        email_monitoring: keep(&mut not_read, "email_monitoring", monitoring),
        export_jobs_since: jobs.is_ok().then(seven_days_ago).flatten(),
        export_jobs: keep(&mut not_read, "export_jobs", jobs),
        availability_configurations: keep(&mut not_read, "availability_configurations", avail),
        personal_access_tokens: keep(&mut not_read, "personal_access_tokens", tokens),
        identity_provider: keep(&mut not_read, "identity_provider", idp),
        mail_domains: keep(&mut not_read, "mail_domains", domains),
        not_read: Vec::new(),
    };
    let roles = keep(&mut not_read, "impersonation_roles", roles);
    org.not_read = not_read;
    per_entity(c, limits, &mut org, roles).await;
    org
}

/// The calls per user, group, resource and impersonation role, all at once
/// (bounded by the permits).
async fn per_entity(
    c: &Client,
    limits: &Limits,
    org: &mut wm::Organization,
    roles: Option<Vec<aws_sdk_workmail::types::ImpersonationRole>>,
) {
    enum Done {
        Perms(String, Result<Vec<wm::MailboxPermission>, String>),
        Members(String, Result<Vec<wm::Member>, String>),
        Delegates(String, Result<Vec<wm::Member>, String>),
        Role(wm::ImpersonationRole, Option<String>),
    }
    let org_id = org.id.clone();
    let mut tasks = tokio::task::JoinSet::new();
    let entity_ids: Vec<String> = org
        .users
        .iter()
        .flatten()
        .map(|u| u.id.clone())
        .chain(org.groups.iter().flatten().map(|g| g.id.clone()))
        .chain(org.resources.iter().flatten().map(|r| r.id.clone()))
        .collect();
    for eid in entity_ids {
        let (c, limits, org_id) = (c.clone(), limits.clone(), org_id.clone());
        tasks.spawn(async move {
            let r = pages!(
                limits,
                "ListMailboxPermissions",
                c.list_mailbox_permissions()
                    .organization_id(&org_id)
                    .entity_id(&eid),
                permissions,
                permission
            );
            limits.mailbox_read();
            Done::Perms(eid, r)
        });
    }
    for g in org.groups.iter().flatten() {
        let (c, limits, org_id, gid) = (c.clone(), limits.clone(), org_id.clone(), g.id.clone());
        tasks.spawn(async move {
            let r = pages!(
                limits,
                "ListGroupMembers",
                c.list_group_members()
                    .organization_id(&org_id)
                    .group_id(&gid),
                members,
                member
            );
            Done::Members(gid, r)
        });
    }
    for res in org.resources.iter().flatten() {
        let (c, limits, org_id, rid) = (c.clone(), limits.clone(), org_id.clone(), res.id.clone());
        tasks.spawn(async move {
            let r = pages!(
                limits,
                "ListResourceDelegates",
                c.list_resource_delegates()
                    .organization_id(&org_id)
                    .resource_id(&rid),
                delegates,
                delegate
            );
            Done::Delegates(rid, r)
        });
    }
    let listed_roles = roles.is_some();
    for role in roles.into_iter().flatten() {
        let Some(rid) = role.impersonation_role_id().map(str::to_owned) else {
            continue;
        };
        let (c, limits, org_id) = (c.clone(), limits.clone(), org_id.clone());
        tasks.spawn(async move {
            let got = limits
                .call(
                    c.get_impersonation_role()
                        .organization_id(&org_id)
                        .impersonation_role_id(&rid)
                        .send(),
                )
                .await;
            let kind = |t: Option<&aws_sdk_workmail::types::ImpersonationRoleType>| match t {
                Some(aws_sdk_workmail::types::ImpersonationRoleType::FullAccess) => {
                    wm::ImpersonationType::FullAccess
                }
                // READ_ONLY, or a type this build does not know: the
                // weaker reading, said in the reason below when unknown.
                _ => wm::ImpersonationType::ReadOnly,
            };
            match got {
                Ok(o) => {
                    let rules = o.rules().iter().filter_map(imp_rule).collect();
                    Done::Role(
                        wm::ImpersonationRole {
                            id: rid,
                            name: o.name().or(role.name()).map(str::to_owned),
                            kind: kind(o.r#type().or(role.r#type())),
                            description: o.description().map(str::to_owned),
                            rules: Some(rules),
                        },
                        None,
                    )
                }
                Err(e) => Done::Role(
                    wm::ImpersonationRole {
                        id: rid,
                        name: role.name().map(str::to_owned),
                        kind: kind(role.r#type()),
                        description: None,
                        rules: None,
                    },
                    Some(reason("GetImpersonationRole", &e)),
                ),
            }
        });
    }
    let mut perms = std::collections::HashMap::new();
    let mut members = std::collections::HashMap::new();
    let mut delegates = std::collections::HashMap::new();
    let mut got_roles = Vec::new();
    let mut failed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok(done) = joined else { continue };
        let mut note = |area: &str, id: &str, reason: String| {
            failed.push(wm::NotRead {
                area: area.to_owned(),
                entity_id: Some(id.to_owned()),
                reason,
            })
        };
        match done {
            Done::Perms(id, r) => {
                if let Err(e) = &r {
                    note("mailbox_permissions", &id, e.clone());
                }
                perms.insert(id, r.ok());
            }
            Done::Members(id, r) => {
                if let Err(e) = &r {
                    note("group_members", &id, e.clone());
                }
                members.insert(id, r.ok());
            }
            Done::Delegates(id, r) => {
                if let Err(e) = &r {
                    note("resource_delegates", &id, e.clone());
                }
                delegates.insert(id, r.ok());
            }
            Done::Role(role, err) => {
                if let Some(e) = err {
                    note("impersonation_role", &role.id, e);
                }
                got_roles.push(role);
            }
        }
    }
    for u in org.users.iter_mut().flatten() {
        u.permissions = perms.remove(&u.id).flatten();
    }
    for g in org.groups.iter_mut().flatten() {
        g.permissions = perms.remove(&g.id).flatten();
        g.members = members.remove(&g.id).flatten();
    }
    for r in org.resources.iter_mut().flatten() {
        r.permissions = perms.remove(&r.id).flatten();
        r.delegates = delegates.remove(&r.id).flatten();
    }
    if listed_roles {
        org.impersonation_roles = Some(got_roles);
    }
    org.not_read.extend(failed);
}

/// The value, or `None` with the reason noted.
fn keep<T>(not_read: &mut Vec<wm::NotRead>, area: &str, r: Result<T, String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(reason) => {
            not_read.push(wm::NotRead {
                area: area.to_owned(),
                entity_id: None,
                reason,
            });
            None
        }
    }
}

fn state(s: Option<&aws_sdk_workmail::types::EntityState>) -> Option<String> {
    s.map(|s| s.as_str().to_owned())
}

fn user(u: &aws_sdk_workmail::types::User) -> Option<wm::User> {
    let s = state(u.state());
    // Deleted users have no mailbox left to open.
    if s.as_deref() == Some("DELETED") {
        return None;
    }
    Some(wm::User {
        id: u.id()?.to_owned(),
        email: u.email().map(str::to_owned),
        name: u.name().map(str::to_owned),
        display_name: u.display_name().map(str::to_owned),
        state: s,
        user_role: u.user_role().map(|r| r.as_str().to_owned()),
        permissions: None,
    })
}

fn group(g: &aws_sdk_workmail::types::Group) -> Option<wm::Group> {
    let s = state(g.state());
    if s.as_deref() == Some("DELETED") {
        return None;
    }
    Some(wm::Group {
        id: g.id()?.to_owned(),
        email: g.email().map(str::to_owned),
        name: g.name().map(str::to_owned),
        state: s,
        members: None,
        permissions: None,
    })
}

fn resource(r: &aws_sdk_workmail::types::Resource) -> Option<wm::MailResource> {
    let s = state(r.state());
    if s.as_deref() == Some("DELETED") {
        return None;
    }
    Some(wm::MailResource {
        id: r.id()?.to_owned(),
        email: r.email().map(str::to_owned),
        name: r.name().map(str::to_owned),
        kind: r.r#type().map(|t| t.as_str().to_owned()),
        state: s,
        delegates: None,
        permissions: None,
    })
}

fn member_type(t: &aws_sdk_workmail::types::MemberType) -> Option<wm::MemberType> {
    match t {
        aws_sdk_workmail::types::MemberType::User => Some(wm::MemberType::User),
        aws_sdk_workmail::types::MemberType::Group => Some(wm::MemberType::Group),
        _ => None,
    }
}

fn member(m: &aws_sdk_workmail::types::Member) -> Option<wm::Member> {
    Some(wm::Member {
        id: m.id()?.to_owned(),
        kind: member_type(m.r#type()?)?,
        name: m.name().map(str::to_owned),
        state: state(m.state()),
    })
}

fn delegate(d: &aws_sdk_workmail::types::Delegate) -> Option<wm::Member> {
    Some(wm::Member {
        id: d.id().to_owned(),
        kind: member_type(d.r#type())?,
        name: None,
        state: None,
    })
}

fn permission(p: &aws_sdk_workmail::types::Permission) -> Option<wm::MailboxPermission> {
    use aws_sdk_workmail::types::PermissionType as T;
    Some(wm::MailboxPermission {
        grantee_id: p.grantee_id().to_owned(),
        grantee_type: member_type(p.grantee_type())?,
        permission_values: p
            .permission_values()
            .iter()
            .filter_map(|v| match v {
                T::FullAccess => Some(wm::Permission::FullAccess),
                T::SendAs => Some(wm::Permission::SendAs),
                T::SendOnBehalf => Some(wm::Permission::SendOnBehalf),
                _ => None,
            })
            .collect(),
    })
}

fn effect_of(s: &str) -> Option<wm::Effect> {
    match s {
        "ALLOW" => Some(wm::Effect::Allow),
        "DENY" => Some(wm::Effect::Deny),
        _ => None,
    }
}

fn imp_rule(r: &aws_sdk_workmail::types::ImpersonationRule) -> Option<wm::ImpersonationRule> {
    Some(wm::ImpersonationRule {
        id: r.impersonation_rule_id().to_owned(),
        name: r.name().map(str::to_owned),
        effect: effect_of(r.effect().as_str())?,
        target_users: r.target_users().to_vec(),
        not_target_users: r.not_target_users().to_vec(),
    })
}

fn access_rule(r: &aws_sdk_workmail::types::AccessControlRule) -> Option<wm::AccessControlRule> {
    Some(wm::AccessControlRule {
        name: r.name()?.to_owned(),
        effect: effect_of(r.effect()?.as_str())?,
        description: r.description().map(str::to_owned),
        ip_ranges: r.ip_ranges().to_vec(),
        not_ip_ranges: r.not_ip_ranges().to_vec(),
        actions: r.actions().to_vec(),
        not_actions: r.not_actions().to_vec(),
        user_ids: r.user_ids().to_vec(),
        not_user_ids: r.not_user_ids().to_vec(),
        impersonation_role_ids: r.impersonation_role_ids().to_vec(),
        not_impersonation_role_ids: r.not_impersonation_role_ids().to_vec(),
    })
}

fn mobile_rule(
    r: &aws_sdk_workmail::types::MobileDeviceAccessRule,
) -> Option<wm::MobileDeviceAccessRule> {
    Some(wm::MobileDeviceAccessRule {
        id: r.mobile_device_access_rule_id()?.to_owned(),
        name: r.name().map(str::to_owned),
        effect: effect_of(r.effect()?.as_str())?,
        description: r.description().map(str::to_owned),
    })
}

fn export_job(j: &aws_sdk_workmail::types::MailboxExportJob) -> Option<wm::ExportJob> {
    Some(wm::ExportJob {
        job_id: j.job_id()?.to_owned(),
        entity_id: j.entity_id()?.to_owned(),
        state: j.state()?.as_str().to_owned(),
        start_time: time(j.start_time()),
        end_time: time(j.end_time()),
        s3_bucket_name: j.s3_bucket_name().map(str::to_owned),
        s3_path: j.s3_path().map(str::to_owned),
    })
}

fn availability(
    a: &aws_sdk_workmail::types::AvailabilityConfiguration,
) -> Option<wm::AvailabilityConfiguration> {
    Some(wm::AvailabilityConfiguration {
        domain_name: a.domain_name()?.to_owned(),
        provider_type: a.provider_type().map(|t| t.as_str().to_owned()),
        ews_endpoint: a
            .ews_provider()
            .and_then(|e| e.ews_endpoint())
            .map(str::to_owned),
        ews_username: a
            .ews_provider()
            .and_then(|e| e.ews_username())
            .map(str::to_owned),
        lambda_arn: a.lambda_provider().map(|l| l.lambda_arn().to_owned()),
    })
}

fn token(
    t: &aws_sdk_workmail::types::PersonalAccessTokenSummary,
) -> Option<wm::PersonalAccessToken> {
    Some(wm::PersonalAccessToken {
        id: t.personal_access_token_id()?.to_owned(),
        user_id: t.user_id()?.to_owned(),
        name: t.name().map(str::to_owned),
        date_created: time(t.date_created()),
        date_last_used: time(t.date_last_used()),
        expires_time: time(t.expires_time()),
        scopes: t.scopes().to_vec(),
    })
}

fn domain(d: &aws_sdk_workmail::types::MailDomainSummary) -> Option<wm::MailDomain> {
    Some(wm::MailDomain {
        domain_name: d.domain_name()?.to_owned(),
        default_domain: d.default_domain(),
    })
}
