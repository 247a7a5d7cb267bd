//! WorkMail's own permission system: the snapshot section ([`model`]) and
//! the join with IAM that answers, per mailbox, who can read it, send as it
//! or impersonate it, and how ([`access`]).

pub mod access;
pub mod answer;
pub mod model;

use std::collections::BTreeSet;

pub use model::*;

use crate::snapshot::{InputError, Place};

/// Checks what serde cannot: identifiers unique where the join needs them,
/// organizations only in regions that were read, dates that parse. A
/// snapshot is a file anyone can edit; an ambiguous one is refused, naming
/// the place.
pub fn validate(wm: &WorkMail, source: &str) -> Result<(), InputError> {
    let at = |p: String| Place::Pointer(p);
    let err = |p: String, expected: &str, found: String| {
        Err(InputError::shape(source, at(p), expected, found))
    };
    let mut regions = BTreeSet::new();
    for (i, r) in wm.regions.iter().enumerate() {
        if !WORKMAIL_REGIONS.contains(&r.region.as_str()) {
            return err(
                format!("/workmail/regions/{i}/region"),
                "a WorkMail region (us-east-1, us-west-2 or eu-west-1)",
                format!("{:?}", r.region),
            );
        }
        if !regions.insert(r.region.as_str()) {
            return err(
                format!("/workmail/regions/{i}/region"),
                "each region once",
                format!("{:?} a second time", r.region),
            );
        }
    }
    let mut orgs = BTreeSet::new();
    for (i, o) in wm.organizations.iter().enumerate() {
        let here = |rest: &str| format!("/workmail/organizations/{i}{rest}");
        match wm.regions.iter().find(|r| r.region == o.region) {
            Some(r) if r.error.is_none() => {}
            Some(_) => {
                return err(
                    here("/region"),
                    "a region that was read (this one is recorded as failed)",
                    format!("{:?}", o.region),
                );
            }
            None => {
                return err(
                    here("/region"),
                    "one of the regions listed in /workmail/regions",
                    format!("{:?}", o.region),
                );
            }
        }
        if !orgs.insert((&o.region, &o.id)) {
            return err(
                here("/id"),
                "each organization once",
                format!("{:?} a second time", o.id),
            );
        }
        // Users, groups and resources share one id space in WorkMail.
        let mut ids = BTreeSet::new();
        let lists: [(&str, Vec<&str>); 3] = [
            (
                "users",
                o.users.iter().flatten().map(|u| u.id.as_str()).collect(),
            ),
            (
                "groups",
                o.groups.iter().flatten().map(|g| g.id.as_str()).collect(),
            ),
            (
                "resources",
                o.resources
                    .iter()
                    .flatten()
                    .map(|r| r.id.as_str())
                    .collect(),
            ),
        ];
        for (list, entries) in &lists {
            for (j, id) in entries.iter().enumerate() {
                if !ids.insert(*id) {
                    return err(
                        here(&format!("/{list}/{j}/id")),
                        "an entity id used once in the organization",
                        format!("{id:?} a second time"),
                    );
                }
            }
        }
        let mut role_ids = BTreeSet::new();
        for (j, r) in o.impersonation_roles.iter().flatten().enumerate() {
            if !role_ids.insert(r.id.as_str()) {
                return err(
                    here(&format!("/impersonation_roles/{j}/id")),
                    "each impersonation role once",
                    format!("{:?} a second time", r.id),
                );
            }
        }
        if let Some(d) = &o.export_jobs_since
            && parse_time(d).is_none()
        {
            return err(
                here("/export_jobs_since"),
                "an RFC 3339 date-time (2026-11-20T09:00:00Z)",
                format!("{d:?}"),
            );
        }
        let dates = o
            .export_jobs
            .iter()
            .flatten()
            .enumerate()
            .flat_map(|(j, e)| {
                [
                    (format!("/export_jobs/{j}/start_time"), &e.start_time),
                    (format!("/export_jobs/{j}/end_time"), &e.end_time),
                ]
            })
            .chain(
                o.personal_access_tokens
                    .iter()
                    .flatten()
                    .enumerate()
                    .flat_map(|(j, t)| {
                        [
                            (
                                format!("/personal_access_tokens/{j}/date_created"),
                                &t.date_created,
                            ),
                            (
                                format!("/personal_access_tokens/{j}/date_last_used"),
                                &t.date_last_used,
                            ),
                            (
                                format!("/personal_access_tokens/{j}/expires_time"),
                                &t.expires_time,
                            ),
                        ]
                    }),
            );
        for (p, d) in dates {
            if let Some(d) = d
                && parse_time(d).is_none()
            {
                return err(
                    here(&p),
                    "an RFC 3339 date-time (2026-11-20T09:00:00Z)",
                    format!("{d:?}"),
                );
            }
        }
    }
    Ok(())
}

pub(crate) fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}
