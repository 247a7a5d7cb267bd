//! Offline import: builds a [`Snapshot`] from the files the AWS CLI writes.
//!
//! | part                  | command                                           |
//! |-----------------------|---------------------------------------------------|
//! | authorization details | `aws iam get-account-authorization-details`       |
//! | credential report     | `aws iam get-credential-report` (JSON or the CSV) |
//! | account summary       | `aws iam get-account-summary`                     |
//! | caller identity       | `aws sts get-caller-identity`                     |
//! | virtual MFA devices   | `aws iam list-virtual-mfa-devices`                |
//! | password policy       | `aws iam get-account-password-policy` (or `{}`)   |
//! | account aliases       | `aws iam list-account-aliases`                    |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use serde::Deserialize;
use serde_json::Value;

pub use super::auth_details::parse_auth_details;
use super::credential_report::{CredentialReport, ReportDate, parse_csv};
use super::error::{InputError, Place};
use super::json::{self, Field, Seg};
use super::validate::{Claim, arn_account, one_account};
use super::{
    CallerIdentity, Gap, Metadata, Part, SNAPSHOT_FORMAT, Snapshot, SourceKind, VirtualMfaDevice,
};

/// The files to import; any may be absent (its part becomes a gap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPaths {
    pub auth_details: Option<PathBuf>,
    pub credential_report: Option<PathBuf>,
    pub account_summary: Option<PathBuf>,
    pub caller_identity: Option<PathBuf>,
    pub virtual_mfa_devices: Option<PathBuf>,
    pub password_policy: Option<PathBuf>,
    pub account_aliases: Option<PathBuf>,
}

/// The command-line option that supplies each part from a file, for gap reasons.
pub fn import_option(part: Part) -> &'static str {
    match part {
        Part::AuthorizationDetails => "--auth-details",
        Part::CredentialReport => "--credential-report",
        Part::AccountSummary => "--account-summary",
        Part::CallerIdentity => "--caller-identity",
        Part::VirtualMfaDevices => "--virtual-mfa-devices",
        Part::PasswordPolicy => "--password-policy",
        Part::AccountAliases => "--account-aliases",
        // Not importable: one IAM job per principal, collected live.
        Part::ServiceLastAccessed => "--last-accessed",
        // Not importable: read live from the WorkMail API (`wmaudit collect`).
        Part::WorkMail => "`wmaudit collect` (WorkMail is read from its API)",
        Part::OrganizationPolicies => "`wmaudit collect --organization`",
    }
}

/// Reads the given files into a snapshot. Parts not given, and parts files
/// cannot provide, are recorded as gaps. Files from different accounts are
/// refused.
pub fn from_files(paths: &ImportPaths) -> Result<Snapshot, InputError> {
    let account = load(&paths.auth_details, parse_auth_details)?;
    let credential_report = load(&paths.credential_report, parse_credential_report)?;
    let account_summary = load(&paths.account_summary, parse_account_summary)?;
    let caller_identity = load(&paths.caller_identity, parse_caller_identity)?;
    let virtual_mfa_devices = load(&paths.virtual_mfa_devices, parse_virtual_mfa_devices)?;
    let password_policy = load(&paths.password_policy, parse_password_policy)?;
    let account_aliases = load(&paths.account_aliases, parse_account_aliases)?;

    let mut snapshot = Snapshot {
        metadata: Metadata {
            format: SNAPSHOT_FORMAT.to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: None,
            source: SourceKind::Files,
            account_id: None,
            caller_arn: caller_identity.as_ref().map(|(_, c)| c.arn.clone()),
            api_calls: BTreeMap::new(),
            not_collected: Vec::new(),
        },
        account: account.as_ref().map(|(_, a)| a.clone()),
        credential_report: credential_report.as_ref().map(|(_, r)| r.clone()),
        account_summary: account_summary.map(|(_, s)| s),
        caller_identity: caller_identity.as_ref().map(|(_, c)| c.clone()),
        password_policy: password_policy.map(|(_, p)| p),
        virtual_mfa_devices: virtual_mfa_devices.as_ref().map(|(_, d)| d.clone()),
        account_aliases: account_aliases.map(|(_, a)| a),
        service_last_accessed: None,
        workmail: None,
    };

    // Every ARN-bearing file must be about the same account as the others.
    let claim = |file: &str, arn: &str| {
        arn_account(arn).map(|acct| Claim {
            account: acct.to_owned(),
            file: file.to_owned(),
            place: Place::Arn(arn.to_owned()),
            from: format!("{arn:?}"),
        })
    };
    let mut claims: Vec<Claim> = Vec::new();
    if let Some((file, c)) = &caller_identity {
        claims.push(Claim {
            account: c.account.clone(),
            file: file.clone(),
            place: Place::Pointer("/Account".into()),
            from: format!("{:?}", c.arn),
        });
    }
    if let Some((file, a)) = &account {
        claims.extend(entity_arns(a).find_map(|arn| claim(file, arn)));
    }
    if let Some((file, r)) = &credential_report {
        claims.extend(r.rows.iter().filter_map(|row| claim(file, &row.arn)));
    }
    if let Some((file, devices)) = &virtual_mfa_devices {
        claims.extend(
            devices
                .iter()
                .filter_map(|d| d.user_arn.as_deref().and_then(|arn| claim(file, arn))),
        );
    }
    snapshot.metadata.account_id = one_account(&claims)?;

    for part in Part::ALL {
        if snapshot.has(part) {
            continue;
        }
        let reason = format!("not provided (use {} FILE)", import_option(part));
        snapshot.metadata.not_collected.push(Gap { part, reason });
    }
    Ok(snapshot)
}

/// Every ARN of the account's users, groups, roles and managed policies.
pub(crate) fn entity_arns(a: &crate::account::Account) -> impl Iterator<Item = &String> {
    a.users
        .iter()
        .map(|u| &u.arn)
        .chain(a.groups.iter().map(|g| &g.arn))
        .chain(a.roles.iter().map(|r| &r.arn))
        .chain(a.policies.iter().map(|p| &p.arn))
}

/// Reads and parses an optional file; the file's display name goes along so
/// later cross-file errors can name it.
fn load<T>(
    path: &Option<PathBuf>,
    parse: fn(&[u8], &str) -> Result<T, InputError>,
) -> Result<Option<(String, T)>, InputError> {
    let Some(path) = path else { return Ok(None) };
    let (name, bytes) = read(path)?;
    let value = parse(&bytes, &name)?;
    Ok(Some((name, value)))
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<(String, Vec<u8>), InputError> {
    let name = path.display().to_string();
    match crate::read_file::read_bounded(path, crate::read_file::MAX_DATA_FILE) {
        Ok(bytes) => Ok((name, bytes)),
        Err(error) => Err(InputError::Read { file: name, error }),
    }
}

/// A credential report file: the JSON `aws iam get-credential-report` prints
/// (base64 Content, GeneratedTime), or the decoded CSV (no generation time).
pub fn parse_credential_report(bytes: &[u8], source: &str) -> Result<CredentialReport, InputError> {
    let body = json::strip_bom(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return parse_csv(bytes, None, source);
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        report_format: Option<String>,
        generated_time: Option<String>,
        #[serde(default)]
        content: Field<String>,
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => "the output of `aws iam get-credential-report`".to_owned(),
            _ => "a string".to_owned(),
        }
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    let out = out.0;
    let at = |key: &str| Place::Pointer(format!("/{key}"));
    if let Some(format) = out.report_format
        && format != "text/csv"
    {
        let found = json::describe(&Value::String(format));
        return Err(InputError::shape(
            source,
            at("ReportFormat"),
            "\"text/csv\"",
            found,
        ));
    }
    let generated_at = match out.generated_time {
        None => None,
        Some(t) => Some(ReportDate::parse(&t).map_err(|_| {
            let found = json::describe(&Value::String(t.clone()));
            InputError::shape(source, at("GeneratedTime"), "an RFC 3339 timestamp", found)
        })?),
    };
    let content = out.content.required(source, "/Content".into(), "Content")?;
    // The CLI prints one line, but a wrapped copy should decode just as well.
    let compact: Vec<u8> = content
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let csv = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|e| {
            InputError::shape(
                source,
                at("Content"),
                format!("base64-encoded CSV ({e})"),
                json::describe(&Value::String(content.clone())),
            )
        })?;
    parse_csv(
        &csv,
        generated_at,
        &format!("{source} (base64-decoded /Content)"),
    )
}

/// `aws iam get-account-summary`: `{"SummaryMap": {"Users": 3, ...}}`.
pub fn parse_account_summary(
    bytes: &[u8],
    source: &str,
) -> Result<BTreeMap<String, i64>, InputError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        #[serde(default, deserialize_with = "summary_map")]
        summary_map: Field<BTreeMap<String, i64>>,
    }
    fn summary_map<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Field<BTreeMap<String, i64>>, D::Error> {
        #[derive(Deserialize)]
        struct Counts(
            #[serde(deserialize_with = "crate::strict_json::unique_map")] BTreeMap<String, i64>,
        );
        Ok(Option::<Counts>::deserialize(d)?.map_or(Field::Null, |c| Field::Value(c.0)))
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => "the output of `aws iam get-account-summary` ({\"SummaryMap\": {...}})",
            [_] => "an object of counts",
            _ => "an integer",
        }
        .to_owned()
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    out.0
        .summary_map
        .required(source, "/SummaryMap".into(), "SummaryMap")
}

/// `aws iam list-virtual-mfa-devices`: `{"VirtualMFADevices": [{"SerialNumber",
/// "User": {"Arn", ...}, "EnableDate"}], "IsTruncated": false}`. A device
/// without `User` is not assigned; root's is assigned to `...:root`.
pub fn parse_virtual_mfa_devices(
    bytes: &[u8],
    source: &str,
) -> Result<Vec<VirtualMfaDevice>, InputError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        #[serde(rename = "VirtualMFADevices", default)]
        devices: Field<Vec<json::Obj<Device>>>,
        #[serde(default)]
        is_truncated: Option<bool>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Device {
        #[serde(default)]
        serial_number: Field<String>,
        #[serde(default, deserialize_with = "json::object_opt")]
        user: Option<DeviceUser>,
        enable_date: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct DeviceUser {
        arn: Option<String>,
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => "the output of `aws iam list-virtual-mfa-devices`",
            [_] => "an array of devices",
            [_, _] => "a device object with SerialNumber",
            [.., Seg::Key(k)] if k == "User" => "an object with Arn",
            [.., Seg::Key(k)] if k == "IsTruncated" => "true or false",
            _ => "a string",
        }
        .to_owned()
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    let out = out.0;
    if out.is_truncated == Some(true) {
        return Err(InputError::shape(
            source,
            Place::Pointer("/IsTruncated".into()),
            "false: the complete output (run the command without --max-items)",
            "boolean true",
        ));
    }
    let devices = out
        .devices
        .required(source, "/VirtualMFADevices".into(), "VirtualMFADevices")?;
    let mut out = Vec::with_capacity(devices.len());
    for (i, d) in devices.into_iter().enumerate() {
        let d = d.0;
        let serial_number = d.serial_number.required_str(
            source,
            format!("/VirtualMFADevices/{i}/SerialNumber"),
            "SerialNumber",
        )?;
        out.push(VirtualMfaDevice {
            serial_number,
            user_arn: d.user.and_then(|u| u.arn),
            enable_date: d.enable_date,
        });
    }
    out.sort_by(|a, b| a.serial_number.cmp(&b.serial_number));
    Ok(out)
}

/// `aws iam get-account-password-policy`: `{"PasswordPolicy": {...}}`. An
/// account without one makes the CLI fail with NoSuchEntity; give `{}` for
/// that ("no policy set", which the password-policy rules judge).
pub fn parse_password_policy(bytes: &[u8], source: &str) -> Result<Option<Value>, InputError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        #[serde(default, deserialize_with = "crate::strict_json::strict_opt")]
        password_policy: Option<Value>,
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => "the output of `aws iam get-account-password-policy` ({\"PasswordPolicy\": {...}}), or {} for none",
            _ => "an object",
        }
        .to_owned()
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    match out.0.password_policy {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(other) => Err(InputError::shape(
            source,
            Place::Pointer("/PasswordPolicy".into()),
            "an object",
            json::describe(&other),
        )),
    }
}

/// `aws iam list-account-aliases`: `{"AccountAliases": ["alias"]}`.
pub fn parse_account_aliases(bytes: &[u8], source: &str) -> Result<Vec<String>, InputError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        #[serde(default)]
        account_aliases: Field<Vec<String>>,
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => "the output of `aws iam list-account-aliases` ({\"AccountAliases\": [...]})",
            [_] => "an array of aliases",
            _ => "a string",
        }
        .to_owned()
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    let mut aliases =
        out.0
            .account_aliases
            .required(source, "/AccountAliases".into(), "AccountAliases")?;
    aliases.sort();
    Ok(aliases)
}

/// `aws sts get-caller-identity`: `{"UserId", "Account", "Arn"}`.
pub fn parse_caller_identity(bytes: &[u8], source: &str) -> Result<CallerIdentity, InputError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        #[serde(default)]
        account: Field<String>,
        #[serde(default)]
        arn: Field<String>,
        user_id: Option<String>,
    }
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] => {
                "the output of `aws sts get-caller-identity` ({\"UserId\", \"Account\", \"Arn\"})"
            }
            _ => "a string",
        }
        .to_owned()
    }
    let text = json::text(bytes, source)?;
    let out: json::Obj<Output> = json::from_text(text, source, "", expect)?;
    let out = out.0;
    let required = |f: Field<String>, key: &str| f.required_str(source, format!("/{key}"), key);
    let account = required(out.account, "Account")?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputError::shape(
            source,
            Place::Pointer("/Account".into()),
            "a 12-digit AWS account id",
            json::describe(&Value::String(account)),
        ));
    }
    Ok(CallerIdentity {
        account,
        arn: required(out.arn, "Arn")?,
        user_id: out.user_id.unwrap_or_default(),
    }
    .masked())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_identity_checks_the_account() {
        let err = parse_caller_identity(br#"{"Account": "12", "Arn": "x"}"#, "c.json")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("c.json: at /Account: expected a 12-digit AWS account id, found string \"12\"")
        );
    }

    #[test]
    fn summary_values_must_be_integers() {
        let err = parse_account_summary(br#"{"SummaryMap": {"Users": "3"}}"#, "s.json")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("s.json: at /SummaryMap/Users: expected an integer, found string \"3\"")
        );
    }

    #[test]
    fn unreadable_file_is_named() {
        let paths = ImportPaths {
            auth_details: Some(PathBuf::from("/nonexistent/wmaudit/auth.json")),
            ..ImportPaths::default()
        };
        let err = from_files(&paths).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("/nonexistent/wmaudit/auth.json: cannot read:")),
            "{err:?}"
        );
    }
}
