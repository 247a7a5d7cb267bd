//! The snapshot's `workmail` section: WorkMail's own permission system, as
//! read from its API (docs/snapshot.md). Field names follow the API's, in
//! snake case. A list that could not be read is `null` (absent), with the
//! reason in the organization's `not_read`: absent is never "empty".
//! Identifiers, names and addresses are kept; no message content, ever.

use serde::{Deserialize, Serialize};

/// The regions where WorkMail exists: every other region has no endpoint.
pub const WORKMAIL_REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkMail {
    /// Every region asked, with the error if it could not be listed.
    pub regions: Vec<RegionStatus>,
    /// Active organizations of the regions that could be read (deleted ones
    /// are skipped: they hold no mailbox anyone can open).
    pub organizations: Vec<Organization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionStatus {
    pub region: String,
    /// Why ListOrganizations failed there; absent when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Something of one organization that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotRead {
    /// What: `users`, `mailbox_permissions`, `impersonation_roles`, ...
    pub area: String,
    /// The user, group, resource or role it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `m-` followed by 32 hex digits.
    pub id: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mail_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_type: Option<String>,
    /// The user id DescribeOrganization names as MigrationAdmin, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_admin: Option<String>,
    #[serde(default)]
    pub users: Option<Vec<User>>,
    #[serde(default)]
    pub groups: Option<Vec<Group>>,
    #[serde(default)]
    pub resources: Option<Vec<MailResource>>,
    #[serde(default)]
    pub impersonation_roles: Option<Vec<ImpersonationRole>>,
    #[serde(default)]
    pub access_control_rules: Option<Vec<AccessControlRule>>,
    #[serde(default)]
    pub mobile_device_access_rules: Option<Vec<MobileDeviceAccessRule>>,
    /// Read, and configured or not (`role_arn` absent: not configured).
    #[serde(default)]
    pub email_monitoring: Option<EmailMonitoring>,
    /// ListMailboxExportJobs (the last 7 days only), merged with the jobs of
    /// a previous snapshot when `collect --previous` was given.
    #[serde(default)]
    pub export_jobs: Option<Vec<ExportJob>>,
    /// Export jobs are known from this time on (RFC 3339): AWS lists the
    /// last 7 days only, so a collection knows 7 days back, and one merged
    /// with `collect --previous` knows back to the previous one's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_jobs_since: Option<String>,
    #[serde(default)]
    pub availability_configurations: Option<Vec<AvailabilityConfiguration>>,
    #[serde(default)]
    pub personal_access_tokens: Option<Vec<PersonalAccessToken>>,
    #[serde(default)]
    pub identity_provider: Option<IdentityProvider>,
    #[serde(default)]
    pub mail_domains: Option<Vec<MailDomain>>,
    #[serde(default)]
    pub not_read: Vec<NotRead>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    FullAccess,
    SendAs,
    SendOnBehalf,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::FullAccess => "FULL_ACCESS",
            Permission::SendAs => "SEND_AS",
            Permission::SendOnBehalf => "SEND_ON_BEHALF",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MemberType {
    User,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImpersonationType {
    ReadOnly,
    FullAccess,
}

impl ImpersonationType {
    pub fn as_str(self) -> &'static str {
        match self {
            ImpersonationType::ReadOnly => "READ_ONLY",
            ImpersonationType::FullAccess => "FULL_ACCESS",
        }
    }
}

/// One ListMailboxPermissions entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxPermission {
    pub grantee_id: String,
    pub grantee_type: MemberType,
    pub permission_values: Vec<Permission>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// ENABLED, DISABLED (no mailbox), DELETED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// USER, RESOURCE, SYSTEM_USER, REMOTE_USER.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    /// Grants on this user's mailbox; `null` when they could not be read.
    #[serde(default)]
    pub permissions: Option<Vec<MailboxPermission>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Direct members; `null` when they could not be read.
    #[serde(default)]
    pub members: Option<Vec<Member>>,
    #[serde(default)]
    pub permissions: Option<Vec<MailboxPermission>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: MemberType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A room or equipment mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailResource {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ROOM or EQUIPMENT.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Users and groups that manage its bookings.
    #[serde(default)]
    pub delegates: Option<Vec<Member>>,
    #[serde(default)]
    pub permissions: Option<Vec<MailboxPermission>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpersonationRole {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: ImpersonationType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// From GetImpersonationRole; `null` when it could not be read.
    #[serde(default)]
    pub rules: Option<Vec<ImpersonationRule>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpersonationRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_target_users: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessControlRule {
    pub name: String,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ip_ranges: Vec<String>,
    /// Protocols: ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_user_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impersonation_role_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_impersonation_role_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileDeviceAccessRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailMonitoring {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportJob {
    pub job_id: String,
    pub entity_id: String,
    /// RUNNING, COMPLETED, FAILED, CANCELLED.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityConfiguration {
    pub domain_name: String,
    /// EWS or LAMBDA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ews_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ews_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalAccessToken {
    pub id: String,
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_last_used: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityProvider {
    /// IDENTITY_PROVIDER_ONLY or IDENTITY_PROVIDER_AND_DIRECTORY; absent: none set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_access_token_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_access_token_lifetime_days: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailDomain {
    pub domain_name: String,
    #[serde(default)]
    pub default_domain: bool,
}

/// Mailboxes with and without a completed export, for one organization or
/// all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCoverage {
    /// Mailboxes (enabled users and resources) whose export history is known.
    pub mailboxes: usize,
    /// With a COMPLETED export job.
    pub exported: usize,
    /// With jobs, none completed, the last one FAILED or CANCELLED.
    pub failed: usize,
    /// With a job still RUNNING and none completed.
    pub running: usize,
    /// Never exported (no job in the known history).
    pub never: usize,
    /// Organizations whose export jobs could not be read (not counted).
    pub unknown_organizations: usize,
    /// The earliest date from which the history is known (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

impl ExportCoverage {
    /// Several organizations' coverage as one.
    pub fn sum<'c>(all: impl IntoIterator<Item = &'c ExportCoverage>) -> ExportCoverage {
        let mut c = ExportCoverage::default();
        for one in all {
            c.mailboxes += one.mailboxes;
            c.exported += one.exported;
            c.failed += one.failed;
            c.running += one.running;
            c.never += one.never;
            c.unknown_organizations += one.unknown_organizations;
            if let Some(since) = &one.since
                && c.since.as_ref().is_none_or(|s| since < s)
            {
                c.since = Some(since.clone());
            }
        }
        c
    }
}

impl WorkMail {
    /// Regions that could not be listed.
    pub fn failed_regions(&self) -> impl Iterator<Item = &RegionStatus> {
        self.regions.iter().filter(|r| r.error.is_some())
    }

    /// Lists in a fixed order, whatever order the API or a hand edit gave:
    /// the report must not depend on it.
    pub fn normalize(&mut self) {
        self.regions.sort_by(|a, b| a.region.cmp(&b.region));
        self.organizations
            .sort_by(|a, b| (&a.region, &a.id).cmp(&(&b.region, &b.id)));
        for o in &mut self.organizations {
            o.normalize();
        }
    }
}

/// Where one mailbox stands in its organization's export history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Exported,
    Failed,
    Running,
    Never,
}

/// Each mailbox's export state and latest job, from one pass over the jobs
/// (a lookup per mailbox, never a scan of every job per mailbox).
pub fn export_states(
    jobs: &[ExportJob],
) -> std::collections::HashMap<&str, (ExportState, &ExportJob)> {
    let mut out: std::collections::HashMap<&str, (ExportState, &ExportJob)> =
        std::collections::HashMap::new();
    let rank = |s: ExportState| match s {
        ExportState::Exported => 3,
        ExportState::Running => 2,
        ExportState::Failed => 1,
        ExportState::Never => 0,
    };
    for j in jobs {
        let state = match j.state.as_str() {
            "COMPLETED" => ExportState::Exported,
            "RUNNING" => ExportState::Running,
            _ => ExportState::Failed,
        };
        let e = out.entry(j.entity_id.as_str()).or_insert((state, j));
        if rank(state) > rank(e.0) {
            e.0 = state;
        }
        if j.start_time > e.1.start_time {
            e.1 = j;
        }
    }
    out
}

/// Absent state counts as enabled: a grant is shown, not hidden.
pub fn is_enabled(state: Option<&str>) -> bool {
    !matches!(state, Some("DELETED" | "DISABLED"))
}

impl Organization {
    /// Users with a mailbox: enabled, and not WorkMail's system users.
    pub fn mailbox_users(&self) -> impl Iterator<Item = &User> {
        self.users.iter().flatten().filter(|u| {
            is_enabled(u.state.as_deref()) && u.user_role.as_deref() != Some("SYSTEM_USER")
        })
    }

    /// Enabled rooms and equipment.
    pub fn mailbox_resources(&self) -> impl Iterator<Item = &MailResource> {
        self.resources
            .iter()
            .flatten()
            .filter(|r| is_enabled(r.state.as_deref()))
    }

    /// This organization's mailboxes exported or not.
    pub fn export_coverage(&self) -> ExportCoverage {
        let mut c = ExportCoverage::default();
        let Some(jobs) = &self.export_jobs else {
            c.unknown_organizations = 1;
            return c;
        };
        let states = export_states(jobs);
        let users = self.mailbox_users().map(|u| u.id.as_str());
        let rooms = self.mailbox_resources().map(|r| r.id.as_str());
        for id in users.chain(rooms) {
            c.mailboxes += 1;
            match states.get(id).map_or(ExportState::Never, |s| s.0) {
                ExportState::Exported => c.exported += 1,
                ExportState::Failed => c.failed += 1,
                ExportState::Running => c.running += 1,
                ExportState::Never => c.never += 1,
            }
        }
        c.since = self.export_jobs_since.clone();
        c
    }

    /// The export jobs of `previous` (the same organization in an older
    /// snapshot) added to this one's: AWS forgets jobs after 7 days, the
    /// snapshot does not. A job in both keeps this collection's state.
    pub fn merge_export_history(&mut self, previous: &Organization) {
        let (Some(mine), Some(old)) = (&mut self.export_jobs, &previous.export_jobs) else {
            return;
        };
        for j in old {
            if !mine.iter().any(|m| m.job_id == j.job_id) {
                mine.push(j.clone());
            }
        }
        if let Some(p) = &previous.export_jobs_since
            && self.export_jobs_since.as_ref().is_none_or(|s| p < s)
        {
            self.export_jobs_since = Some(p.clone());
        }
        self.normalize();
    }

    /// `arn:aws:workmail:REGION:ACCOUNT:organization/ID`: DescribeOrganization's
    /// ARN, or built from the parts when it could not be read.
    pub fn arn_or(&self, partition: &str, account: &str) -> String {
        self.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{partition}:workmail:{}:{account}:organization/{}",
                self.region, self.id
            )
        })
    }

    /// Alias if there is one, else the id.
    pub fn label(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.id)
    }

    fn normalize(&mut self) {
        let perms = |p: &mut Option<Vec<MailboxPermission>>| {
            if let Some(p) = p {
                for x in p.iter_mut() {
                    x.permission_values.sort();
                    x.permission_values.dedup();
                }
                p.sort();
            }
        };
        if let Some(users) = &mut self.users {
            users.sort_by(|a, b| a.id.cmp(&b.id));
            users.iter_mut().for_each(|u| perms(&mut u.permissions));
        }
        if let Some(groups) = &mut self.groups {
            groups.sort_by(|a, b| a.id.cmp(&b.id));
            for g in groups.iter_mut() {
                perms(&mut g.permissions);
                if let Some(m) = &mut g.members {
                    m.sort();
                }
            }
        }
        if let Some(resources) = &mut self.resources {
            resources.sort_by(|a, b| a.id.cmp(&b.id));
            for r in resources.iter_mut() {
                perms(&mut r.permissions);
                if let Some(d) = &mut r.delegates {
                    d.sort();
                }
            }
        }
        if let Some(roles) = &mut self.impersonation_roles {
            roles.sort_by(|a, b| a.id.cmp(&b.id));
        }
        // Access-control rules keep their order: AWS evaluates them by it.
        if let Some(jobs) = &mut self.export_jobs {
            jobs.sort_by(|a, b| (&a.start_time, &a.job_id).cmp(&(&b.start_time, &b.job_id)));
            jobs.dedup_by(|a, b| a.job_id == b.job_id);
        }
        if let Some(t) = &mut self.personal_access_tokens {
            t.sort_by(|a, b| a.id.cmp(&b.id));
        }
        if let Some(d) = &mut self.mail_domains {
            d.sort_by(|a, b| a.domain_name.cmp(&b.domain_name));
        }
        if let Some(a) = &mut self.availability_configurations {
            a.sort_by(|x, y| x.domain_name.cmp(&y.domain_name));
        }
        self.not_read.sort();
        self.not_read.dedup();
    }
}
