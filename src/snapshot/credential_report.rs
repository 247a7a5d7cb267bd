//! The IAM credential report: one row per user plus `<root_account>`.
//!
//! Parsed by column name, never by position: AWS has added columns before.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A date cell: a timestamp or one of the markers AWS writes instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportDate {
    At(OffsetDateTime),
    /// `N/A`: the credential does not exist (or was never used, for keys).
    NotApplicable,
    /// `not_supported`: the column does not apply (root's password fields).
    NotSupported,
    /// `no_information`: never used since IAM started tracking.
    NoInformation,
}

impl ReportDate {
    /// Parses a cell: RFC 3339 (`2024-05-01T10:20:30+00:00` as AWS writes it,
    /// or with `Z`), or one of the markers.
    pub fn parse(cell: &str) -> Result<Self, String> {
        match cell.trim() {
            "N/A" | "" => Ok(ReportDate::NotApplicable),
            "not_supported" => Ok(ReportDate::NotSupported),
            "no_information" => Ok(ReportDate::NoInformation),
            s => OffsetDateTime::parse(s, &Rfc3339)
                .map(|t| ReportDate::At(t.to_offset(time::UtcOffset::UTC)))
                .map_err(|_| {
                    format!(
                        "expected an RFC 3339 timestamp, N/A, not_supported or no_information, found {s:?}"
                    )
                }),
        }
    }

    pub fn time(self) -> Option<OffsetDateTime> {
        match self {
            ReportDate::At(t) => Some(t),
            _ => None,
        }
    }

    pub fn render(&self) -> String {
        match self {
            ReportDate::At(t) => t.format(&Rfc3339).unwrap_or_else(|_| t.to_string()),
            ReportDate::NotApplicable => "N/A".into(),
            ReportDate::NotSupported => "not_supported".into(),
            ReportDate::NoInformation => "no_information".into(),
        }
    }
}

impl Serialize for ReportDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render())
    }
}

impl<'de> Deserialize<'de> for ReportDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ReportDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One row. Root's row has `user = "<root_account>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: ReportDate,
    /// None for root (`not_supported`): root always has a password.
    pub password_enabled: Option<bool>,
    pub password_last_used: ReportDate,
    pub password_last_changed: ReportDate,
    pub mfa_active: bool,
    pub access_key_1_active: bool,
    pub access_key_1_last_rotated: ReportDate,
    pub access_key_1_last_used_date: ReportDate,
    pub access_key_2_active: bool,
    pub access_key_2_last_rotated: ReportDate,
    pub access_key_2_last_used_date: ReportDate,
    pub cert_1_active: bool,
    pub cert_2_active: bool,
}

pub const ROOT_USER: &str = "<root_account>";

impl CredentialRow {
    pub fn is_root(&self) -> bool {
        self.user == ROOT_USER
    }

    pub fn has_active_key(&self) -> bool {
        self.access_key_1_active || self.access_key_2_active
    }

    /// Can sign in to the console: root always can; a user when a password is set.
    pub fn has_console_password(&self) -> bool {
        self.password_enabled.unwrap_or(self.is_root())
    }

    /// The latest use of the password or either access key.
    pub fn last_used(&self) -> Option<OffsetDateTime> {
        [
            self.password_last_used,
            self.access_key_1_last_used_date,
            self.access_key_2_last_used_date,
        ]
        .into_iter()
        .filter_map(ReportDate::time)
        .max()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialReport {
    /// When AWS generated the report, so staleness is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<ReportDate>,
    pub rows: Vec<CredentialRow>,
}

impl CredentialReport {
    pub fn root(&self) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| r.is_root())
    }

    pub fn user(&self, name: &str) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| !r.is_root() && r.user == name)
    }
}
