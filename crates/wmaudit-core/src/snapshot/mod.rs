//! The account snapshot: everything a scan needs, collected live or imported
//! from the AWS CLI's own files, plus what could not be collected and why.
//!
//! `wmaudit-snapshot/1` is a stable file format (docs/snapshot.md): fields may
//! be added in a compatible way; anything else gets a new version.

pub mod auth_details;
pub mod credential_report;
pub mod error;
pub mod import;
pub mod io;
pub mod json;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::Account;
pub use credential_report::{CredentialReport, CredentialRow, ReportDate, parse_csv};
pub use error::{InputError, Place};
pub use import::{
    ImportPaths, from_files, parse_account_summary, parse_auth_details, parse_caller_identity,
    parse_credential_report,
};
pub use io::{parse_snapshot, read_snapshot, to_json_string, validate_snapshot, write_snapshot};
pub use validate::Located;

/// The format of a snapshot without WorkMail data: the one every wmaudit
/// since the first has read, so such files stay readable by older builds.
pub const SNAPSHOT_FORMAT: &str = "wmaudit-snapshot/1";
/// The format of a snapshot with a `workmail` section (added to version 1's
/// shape): an older build refuses it by version rather than by a field.
pub const SNAPSHOT_FORMAT_WORKMAIL: &str = "wmaudit-snapshot/2";
/// Every format this build reads.
pub const SNAPSHOT_FORMATS: &str = "\"wmaudit-snapshot/1\" or \"wmaudit-snapshot/2\"";

/// The parts of a snapshot; a rule declares which it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    AuthorizationDetails,
    CredentialReport,
    AccountSummary,
    CallerIdentity,
    PasswordPolicy,
    VirtualMfaDevices,
    AccountAliases,
    /// IAM's service last accessed data for principals that hold WorkMail
    /// actions. Opt-in (`--last-accessed`): one IAM job per principal.
    ServiceLastAccessed,
    /// WorkMail's own grants (organizations, mailboxes, impersonation roles,
    /// access rules), read from the WorkMail API in its three regions. Not
    /// in files imported from the AWS CLI: absent without a recorded gap,
    /// the WorkMail-side rules are *not requested*.
    WorkMail,
    /// The SCPs and RCPs over the account (an organization scan only): never
    /// in a snapshot, a gap only when the organization file lacks some.
    OrganizationPolicies,
}

impl Part {
    /// Parts collected only when asked for. Absent and not asked for (no
    /// gap recorded), the rules that need them are *not requested*, which
    /// does not make coverage incomplete; asked for and failed, they are a
    /// gap like any other.
    pub const OPT_IN: [Part; 2] = [Part::ServiceLastAccessed, Part::WorkMail];

    pub fn is_opt_in(self) -> bool {
        Self::OPT_IN.contains(&self)
    }

    pub const ALL: [Part; 7] = [
        Part::AuthorizationDetails,
        Part::CredentialReport,
        Part::AccountSummary,
        Part::CallerIdentity,
        Part::PasswordPolicy,
        Part::VirtualMfaDevices,
        Part::AccountAliases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::AuthorizationDetails => "authorization_details",
            Part::CredentialReport => "credential_report",
            Part::AccountSummary => "account_summary",
            Part::CallerIdentity => "caller_identity",
            Part::PasswordPolicy => "password_policy",
            Part::VirtualMfaDevices => "virtual_mfa_devices",
            Part::AccountAliases => "account_aliases",
            Part::ServiceLastAccessed => "service_last_accessed",
            Part::WorkMail => "workmail",
            Part::OrganizationPolicies => "organization_policies",
        }
    }
}

/// A part that is absent from the snapshot, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub part: Part,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    #[serde(default)]
    pub user_id: String,
}

impl CallerIdentity {
    /// The identity with any access key id masked: STS returns the caller's
    /// key id as `UserId` for some callers (test servers, some federations),
    /// and snapshots and reports must never hold one in the clear.
    pub fn masked(self) -> Self {
        CallerIdentity {
            account: self.account,
            arn: crate::redact::redact(&self.arn),
            user_id: crate::redact::redact(&self.user_id),
        }
    }

    /// `arn:aws:iam::123456789012:root`: the account's root user.
    pub fn is_root(&self) -> bool {
        self.arn.ends_with(":root") && self.arn.split(':').nth(2).is_some_and(|svc| svc == "iam")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// ARN of the user it is assigned to, if any (root's is `...:root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_date: Option<String>,
}

/// Where the data came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Live,
    Files,
    Demo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub format: String,
    pub tool_version: String,
    /// RFC 3339 UTC time of live collection. None for imported files, whose
    /// collection time is unknown (and so that the same files give the same report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    pub source: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    /// API calls made per operation (live collection only).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::strict_json::unique_map"
    )]
    pub api_calls: BTreeMap<String, u64>,
    /// Parts that could not be collected, with the reason.
    #[serde(default)]
    pub not_collected: Vec<Gap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub metadata: Metadata,
    /// Present when authorization details were collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
    /// GetAccountSummary's SummaryMap.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict_json::unique_map_opt"
    )]
    pub account_summary: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_identity: Option<CallerIdentity>,
    /// GetAccountPasswordPolicy; `Some(None)` (written as `null`) means "no
    /// policy set", an absent key means "not collected".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "password_policy"
    )]
    pub password_policy: Option<Option<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_mfa_devices: Option<Vec<VirtualMfaDevice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_aliases: Option<Vec<String>>,
    /// Service last accessed data by principal ARN (opt-in, live only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict_json::unique_map_opt"
    )]
    pub service_last_accessed: Option<BTreeMap<String, LastAccessed>>,
    /// WorkMail's own grants (format `wmaudit-snapshot/2` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workmail: Option<crate::workmail::WorkMail>,
}

/// One principal's IAM service last accessed report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastAccessed {
    /// When IAM finished the report (RFC 3339): the end of its tracking period.
    pub job_completed_at: String,
    /// Service namespace -> the last time the principal authenticated to it
    /// (RFC 3339), or `null`: not within IAM's tracking period.
    #[serde(deserialize_with = "crate::strict_json::unique_map")]
    pub services: BTreeMap<String, Option<String>>,
}

/// The password policy. A key that is present, even as `null`, is `Some`:
/// serde's default would read `null` back as `None` and turn "none set"
/// into "not collected". Its keys are unique, like every input's.
fn password_policy<'de, D>(d: D) -> Result<Option<Option<serde_json::Value>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<crate::strict_json::Strict>::deserialize(d).map(|o| Some(o.map(|s| s.0)))
}

impl Snapshot {
    /// Keeps the WorkMail export history of `previous` (an older snapshot of
    /// the same account): AWS lists only the last 7 days of export jobs.
    /// Organizations are matched by region and id. Returns how many
    /// organizations gained history; an error names what does not match.
    pub fn merge_export_history(&mut self, previous: &Snapshot) -> Result<usize, String> {
        let (Some(mine), Some(old)) = (self.account_id(), previous.account_id()) else {
            return Err("the account of one of the snapshots is unknown".to_owned());
        };
        if mine != old {
            return Err(format!(
                "it is of account {old}, and this collection of account {mine}"
            ));
        }
        let (Some(wm), Some(prev)) = (&mut self.workmail, &previous.workmail) else {
            return Ok(0);
        };
        let mut merged = 0;
        for o in &mut wm.organizations {
            if let Some(p) = prev
                .organizations
                .iter()
                .find(|p| p.region == o.region && p.id == o.id)
            {
                o.merge_export_history(p);
                merged += 1;
            }
        }
        Ok(merged)
    }

    /// Is this part present? Absent parts make the rules that need them *not evaluated*.
    pub fn has(&self, part: Part) -> bool {
        match part {
            Part::AuthorizationDetails => self.account.is_some(),
            Part::CredentialReport => self.credential_report.is_some(),
            Part::AccountSummary => self.account_summary.is_some(),
            Part::CallerIdentity => self.caller_identity.is_some(),
            Part::PasswordPolicy => self.password_policy.is_some(),
            Part::VirtualMfaDevices => self.virtual_mfa_devices.is_some(),
            Part::AccountAliases => self.account_aliases.is_some(),
            Part::ServiceLastAccessed => self.service_last_accessed.is_some(),
            Part::WorkMail => self.workmail.is_some(),
            // Not a snapshot part: the organization file's, judged at scan time.
            Part::OrganizationPolicies => true,
        }
    }

    /// An opt-in part that was not asked for: absent, and no gap recorded.
    pub fn not_requested(&self, part: Part) -> bool {
        part.is_opt_in()
            && !self.has(part)
            && !self.metadata.not_collected.iter().any(|g| g.part == part)
    }

    /// Why a part is missing: the recorded gap, or "not provided".
    pub fn gap_reason(&self, part: Part) -> String {
        self.metadata
            .not_collected
            .iter()
            .find(|g| g.part == part)
            .map(|g| g.reason.clone())
            .unwrap_or_else(|| format!("{} was not provided", part.as_str()))
    }

    /// The account id, from the metadata, the caller, or any ARN in the data.
    pub fn account_id(&self) -> Option<String> {
        if let Some(id) = &self.metadata.account_id {
            return Some(id.clone());
        }
        if let Some(c) = &self.caller_identity {
            return Some(c.account.clone());
        }
        let acct = self.account.as_ref()?;
        acct.users
            .iter()
            .map(|u| &u.arn)
            .chain(acct.groups.iter().map(|g| &g.arn))
            .chain(acct.roles.iter().map(|r| &r.arn))
            .find_map(|arn| arn.split(':').nth(4).filter(|s| !s.is_empty()))
            .map(str::to_owned)
    }
}

#[cfg(test)]
mod round_trip_tests {
    use super::*;

    #[test]
    fn no_password_policy_survives_a_file() {
        let mut s = parse_snapshot(
            br#"{"metadata":{"format":"wmaudit-snapshot/1","tool_version":"0","source":"live","not_collected":[]}}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(s.password_policy, None);
        s.password_policy = Some(None);
        let back = parse_snapshot(to_json_string(&s).as_bytes(), "t.json").unwrap();
        assert_eq!(back.password_policy, Some(None));
        assert!(back.has(Part::PasswordPolicy));
    }

    #[test]
    fn last_accessed_is_checked_where_it_is_wrong() {
        let with = |la: &str| {
            format!(
                r#"{{"metadata":{{"format":"wmaudit-snapshot/1","tool_version":"0","source":"live","account_id":"111122223333"}},"service_last_accessed":{la}}}"#
            )
        };
        let ok = with(
            r#"{"arn:aws:iam::111122223333:user/a/b":{"job_completed_at":"2026-11-20T08:00:00Z","services":{"workmail":null,"workmailmessageflow":"2026-01-02T03:04:05Z"}}}"#,
        );
        let s = parse_snapshot(ok.as_bytes(), "s.json").unwrap();
        assert!(s.has(Part::ServiceLastAccessed));
        assert!(!s.not_requested(Part::ServiceLastAccessed));

        let bad_date = with(
            r#"{"arn:aws:iam::111122223333:user/a/b":{"job_completed_at":"2026-11-20T08:00:00Z","services":{"workmail":"yesterday"}}}"#,
        );
        let e = parse_snapshot(bad_date.as_bytes(), "s.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.json")
                && e.contains(
                    "/service_last_accessed/arn:aws:iam::111122223333:user~1a~1b/services/workmail"
                ),
            "{e}"
        );
        assert!(e.contains("RFC 3339") && e.contains("yesterday"), "{e}");

        let other_account = with(
            r#"{"arn:aws:iam::444455556666:user/x":{"job_completed_at":"2026-11-20T08:00:00Z","services":{}}}"#,
        );
        let e = parse_snapshot(other_account.as_bytes(), "s.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("444455556666") && e.contains("111122223333"),
            "{e}"
        );

        let dup = with(
            r#"{"arn:aws:iam::111122223333:user/x":{"job_completed_at":"2026-11-20T08:00:00Z","services":{"workmail":null,"workmail":null}}}"#,
        );
        assert!(
            parse_snapshot(dup.as_bytes(), "s.json").is_err(),
            "duplicate keys refused"
        );
    }

    /// A `workmail` section that is wrong is refused, naming the file, the
    /// JSON pointer and what was expected: never half-read.
    #[test]
    fn workmail_section_is_checked_where_it_is_wrong() {
        let with = |format: &str, wm: &str| {
            format!(
                r#"{{"metadata":{{"format":"{format}","tool_version":"0","source":"live","account_id":"111122223333"}},"workmail":{wm}}}"#
            )
        };
        let org = |extra: &str| {
            format!(
                r#"{{"regions":[{{"region":"us-east-1"}},{{"region":"us-west-2","error":"denied"}}],"organizations":[{{"id":"m-1","region":"us-east-1","arn":"arn:aws:workmail:us-east-1:111122223333:organization/m-1"{extra}}}]}}"#
            )
        };
        let err = |text: String| {
            parse_snapshot(text.as_bytes(), "s.json")
                .unwrap_err()
                .to_string()
        };
        let ok = with("wmaudit-snapshot/2", &org(r#","users":[{"id":"u1"}]"#));
        assert!(
            parse_snapshot(ok.as_bytes(), "s.json")
                .unwrap()
                .has(Part::WorkMail)
        );

        let e = err(with("wmaudit-snapshot/1", &org("")));
        assert!(
            e.contains("s.json")
                && e.contains("/metadata/format")
                && e.contains("wmaudit-snapshot/2"),
            "{e}"
        );

        let e = err(with(
            "wmaudit-snapshot/2",
            &org(r#","users":[{"id":"u1"}],"groups":[{"id":"u1"}]"#),
        ));
        assert!(
            e.contains("/workmail/organizations/0/groups/0/id") && e.contains("used once"),
            "{e}"
        );

        let failed = r#"{"regions":[{"region":"us-west-2","error":"denied"}],"organizations":[{"id":"m-1","region":"us-west-2"}]}"#;
        let e = err(with("wmaudit-snapshot/2", failed));
        assert!(
            e.contains("/workmail/organizations/0/region") && e.contains("a region that was read"),
            "{e}"
        );

        let e = err(with(
            "wmaudit-snapshot/2",
            r#"{"regions":[{"region":"ap-south-1"}],"organizations":[]}"#,
        ));
        assert!(
            e.contains("/workmail/regions/0/region") && e.contains("a WorkMail region"),
            "{e}"
        );

        let e = err(with(
            "wmaudit-snapshot/2",
            &org(
                r#","export_jobs":[{"job_id":"j","entity_id":"u","state":"COMPLETED","start_time":"last week"}]"#,
            ),
        ));
        assert!(
            e.contains("/workmail/organizations/0/export_jobs/0/start_time")
                && e.contains("RFC 3339"),
            "{e}"
        );

        let e = err(with(
            "wmaudit-snapshot/2",
            &org(
                r#","users":[{"id":"u1","permissions":[{"grantee_id":"g","grantee_type":"GROUP","permission_values":["READ_EVERYTHING"]}]}]"#,
            ),
        ));
        assert!(
            e.contains("/workmail/organizations/0/users/0/permissions/0/permission_values/0"),
            "{e}"
        );

        // An organization of another account than the snapshot's.
        let other = r#"{"regions":[{"region":"us-east-1"}],"organizations":[{"id":"m-1","region":"us-east-1","arn":"arn:aws:workmail:us-east-1:444455556666:organization/m-1"}]}"#;
        let e = err(with("wmaudit-snapshot/2", other));
        assert!(
            e.contains("444455556666") && e.contains("111122223333"),
            "{e}"
        );
    }
}
