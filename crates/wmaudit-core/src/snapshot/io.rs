//! Reading and writing `wmaudit-snapshot/1` files (docs/snapshot.md).
//!
//! Output is deterministic: the same snapshot always gives the same bytes
//! (2-space indent, trailing newline; maps are ordered, lists normalized by
//! the producers), so snapshots can be diffed and hashed.

use std::path::Path;

use serde::Deserialize;

use super::error::{InputError, Place};
use super::import::read;
use super::validate::{self, Claim, Key, Kind, Located, arn_account};
use super::{
    CallerIdentity, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_WORKMAIL, SNAPSHOT_FORMATS, Snapshot,
};

/// Reads a snapshot file: refuses other format versions before looking at the
/// rest, then reports shape errors with the JSON path.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, InputError> {
    let (name, bytes) = read(path)?;
    parse_snapshot(&bytes, &name)
}

/// Like [`read_snapshot`] for bytes already in memory; `source` names them.
pub fn parse_snapshot(bytes: &[u8], source: &str) -> Result<Snapshot, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_format(bytes, source)?;

    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut snapshot: Snapshot = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = to_pointer(e.path());
        InputError::from_json(source, Some(pointer), e.inner())
    })?;
    de.end()
        .map_err(|e| InputError::from_json(source, None, &e))?;
    validate_snapshot(&mut snapshot, source)?;
    // A snapshot written by hand or by an older build may hold the caller's
    // key id in the clear; nothing read from it may show one.
    snapshot.caller_identity = snapshot.caller_identity.map(CallerIdentity::masked);
    snapshot.metadata.caller_arn = snapshot
        .metadata
        .caller_arn
        .map(|arn| crate::redact::redact(&arn));
    Ok(snapshot)
}

/// The validation every snapshot gets, read from a file or just collected
/// (file import and live collection also run its parts on their input): a
/// snapshot is a file anyone can edit, and a clean root row
/// placed before the real one, or a user of another account, must not pass.
pub fn validate_snapshot(snapshot: &mut Snapshot, source: &str) -> Result<(), InputError> {
    let pointer = |p: String| Place::Pointer(p);
    if let Some(account) = &snapshot.account {
        validate::identities(account, &|kind, i, key| {
            let list = match kind {
                Kind::User => "users",
                Kind::Group => "groups",
                Kind::Role => "roles",
                Kind::Policy => "policies",
            };
            let field = match key {
                Some(Key::Name) => "/name",
                Some(Key::Arn) => "/arn",
                None => "",
            };
            Located {
                file: source.to_owned(),
                pointer: format!("/account/{list}/{i}{field}"),
            }
        })?;
    }
    if let Some(report) = &snapshot.credential_report {
        super::credential_report::check_rows(report, &|i| {
            (
                source.to_owned(),
                pointer(format!("/credential_report/rows/{i}")),
            )
        })?;
    }
    let claim = |account: &str, place: Place, from: String| Claim {
        account: account.to_owned(),
        file: source.to_owned(),
        place,
        from,
    };
    let mut claims = Vec::new();
    if let Some(id) = &snapshot.metadata.account_id {
        claims.push(claim(
            id,
            pointer("/metadata/account_id".into()),
            "metadata.account_id".into(),
        ));
    }
    if let Some(c) = &snapshot.caller_identity {
        claims.push(claim(
            &c.account,
            pointer("/caller_identity/account".into()),
            "caller_identity.account".into(),
        ));
    }
    if let Some(account) = &snapshot.account {
        for arn in super::import::entity_arns(account) {
            if let Some(acct) = arn_account(arn) {
                claims.push(claim(acct, Place::Arn(arn.clone()), format!("{arn:?}")));
                break;
            }
        }
    }
    if let Some(report) = &snapshot.credential_report {
        for (i, row) in report.rows.iter().enumerate() {
            if let Some(acct) = arn_account(&row.arn) {
                let place = pointer(format!("/credential_report/rows/{i}/arn"));
                claims.push(claim(acct, place, format!("{:?}", row.arn)));
            }
        }
    }
    if let Some(all) = &snapshot.service_last_accessed {
        for (arn, la) in all {
            let at = |rest: &str| pointer(format!("/service_last_accessed/{}{rest}", escape(arn)));
            match arn_account(arn) {
                Some(acct) => claims.push(claim(acct, at(""), format!("{arn:?}"))),
                None => {
                    return Err(InputError::shape(
                        source,
                        at(""),
                        "a user or role ARN as the key",
                        format!("{arn:?}"),
                    ));
                }
            }
            let times =
                std::iter::once(("/job_completed_at".to_owned(), Some(&la.job_completed_at)))
                    .chain(
                        la.services
                            .iter()
                            .map(|(svc, t)| (format!("/services/{}", escape(svc)), t.as_ref())),
                    );
            for (rest, t) in times {
                if let Some(t) = t
                    && time::OffsetDateTime::parse(
                        t,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_err()
                {
                    return Err(InputError::shape(
                        source,
                        at(&rest),
                        "an RFC 3339 date-time (2026-11-20T09:00:00Z) or null",
                        format!("{t:?}"),
                    ));
                }
            }
        }
    }
    if let Some(wm) = &mut snapshot.workmail {
        if snapshot.metadata.format != SNAPSHOT_FORMAT_WORKMAIL {
            return Err(InputError::shape(
                source,
                pointer("/metadata/format".into()),
                format!("{SNAPSHOT_FORMAT_WORKMAIL:?}: the file has a \"workmail\" section"),
                format!("{:?}", snapshot.metadata.format),
            ));
        }
        crate::workmail::validate(wm, source)?;
        for (i, o) in wm.organizations.iter().enumerate() {
            if let Some(acct) = o.arn.as_deref().and_then(arn_account) {
                let place = pointer(format!("/workmail/organizations/{i}/arn"));
                claims.push(claim(acct, place, format!("{:?}", o.arn)));
            }
        }
        wm.normalize();
    }
    validate::one_account(&claims)?;
    // Entity order in a hand-edited file must not change the report.
    if let Some(account) = &mut snapshot.account {
        account.normalize();
    }
    if let Some(report) = &mut snapshot.credential_report {
        report.normalize();
    }
    Ok(())
}

/// A JSON pointer token (RFC 6901): `~` and `/` escaped.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Only what is needed to check the version; everything else is skipped, so
/// a future format's new shape cannot cause a confusing error here.
#[derive(Deserialize)]
struct Probe {
    metadata: Option<ProbeMetadata>,
    /// A report's `schema`, to name the mistake.
    schema: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ProbeMetadata {
    format: Option<serde_json::Value>,
}

fn check_format(bytes: &[u8], source: &str) -> Result<(), InputError> {
    const EXPECTED: &str = "a wmaudit snapshot: an object with \"metadata\": {\"format\": \"wmaudit-snapshot/1\", ...}";
    // A report given where a snapshot belongs said "trailing characters".
    let is_report = |schema: Option<&serde_json::Value>| {
        schema
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.starts_with("wmaudit-report/"))
    };
    let report_error = || {
        InputError::shape(
            source,
            Place::Pointer(String::new()),
            format!(
                "{EXPECTED} (this is a wmaudit report, not a snapshot: a report goes to \
                 --baseline; `wmaudit collect -o FILE` writes a snapshot)"
            ),
            "a wmaudit-report/1 report",
        )
    };
    // Only the probe on the good path: a whole `Value` tree of a large
    // snapshot costs seconds; it is built only to describe a bad file.
    let probe: Probe = match serde_json::from_slice::<super::json::Obj<Probe>>(bytes) {
        Ok(p) => p.0,
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            let (place, found) = match serde_json::from_slice::<serde_json::Value>(bytes) {
                // Several accounts' reports are an array of them.
                Ok(serde_json::Value::Array(items))
                    if items.first().is_some_and(|r| is_report(r.get("schema"))) =>
                {
                    return Err(report_error());
                }
                Ok(v) if v.is_object() => (
                    Place::Pointer("/metadata".into()),
                    "a metadata value that is not an object".to_owned(),
                ),
                Ok(v) => (Place::Pointer(String::new()), super::json::describe(&v)),
                Err(e) => return Err(InputError::from_json(source, None, &e)),
            };
            return Err(InputError::shape(source, place, EXPECTED, found));
        }
        Err(e) => return Err(InputError::from_json(source, None, &e)),
    };
    if probe.metadata.is_none() && is_report(probe.schema.as_ref()) {
        return Err(report_error());
    }
    let Some(metadata) = probe.metadata else {
        return Err(InputError::shape(
            source,
            Place::Pointer("/metadata".into()),
            EXPECTED,
            "no such key",
        ));
    };
    match metadata.format {
        Some(serde_json::Value::String(found))
            if found == SNAPSHOT_FORMAT || found == SNAPSHOT_FORMAT_WORKMAIL =>
        {
            Ok(())
        }
        Some(serde_json::Value::String(found)) => Err(InputError::UnsupportedFormat {
            file: source.to_owned(),
            found,
            supported: SNAPSHOT_FORMATS,
            version: env!("CARGO_PKG_VERSION"),
        }),
        Some(other) => Err(InputError::shape(
            source,
            Place::Pointer("/metadata/format".into()),
            format!("the string {SNAPSHOT_FORMAT:?}"),
            super::json::describe(&other),
        )),
        None => Err(InputError::shape(
            source,
            Place::Pointer("/metadata/format".into()),
            format!("key \"format\" (required): {SNAPSHOT_FORMAT:?}"),
            "no such key",
        )),
    }
}

/// serde_path_to_error's path as an RFC 6901 JSON pointer.
pub(crate) fn to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        let part = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => "?".to_owned(),
        };
        out.push('/');
        out.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// The snapshot as pretty JSON (2-space indent) with a trailing newline.
pub fn to_json_string(snapshot: &Snapshot) -> String {
    // Serializing these types cannot fail: every map key is a string and
    // serde_json::Value holds no non-finite numbers.
    let mut out = match serde_json::to_string_pretty(snapshot) {
        Ok(s) => s,
        Err(e) => unreachable!("snapshot serialization failed: {e}"),
    };
    out.push('\n');
    out
}

/// Writes the snapshot to `path` (see [`to_json_string`]).
pub fn write_snapshot(snapshot: &Snapshot, path: &Path) -> Result<(), InputError> {
    let text = to_json_string(snapshot);
    crate::atomic_file::write_file(path, |w| std::io::Write::write_all(w, text.as_bytes())).map_err(
        |error| InputError::Write {
            file: path.display().to_string(),
            error,
        },
    )
}
