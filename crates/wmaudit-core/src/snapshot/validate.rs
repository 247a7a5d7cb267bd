//! One validation of the account's identities, whatever the source (an AWS
//! CLI file, live collection, a snapshot): a verdict about "user x" must be
//! about one user, of one account.
//!
//! Each source says where an entity sits in it (a JSON pointer, a page of a
//! response), so every error names the place the user must fix.

use std::collections::HashMap;

use super::error::{InputError, Place};
use crate::account::Account;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
    Role,
    Policy,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
            Kind::Policy => "managed policy",
        }
    }

    fn name_what(self) -> &'static str {
        match self {
            Kind::User => "user name",
            Kind::Group => "group name",
            Kind::Role => "role name",
            Kind::Policy => "managed policy name",
        }
    }
}

/// A field of an entity that validation may point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Name,
    Arn,
}

/// Where something is: the file (or response) and the JSON pointer in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub pointer: String,
}

/// The place of entity `index` of a kind, in the source's own order (before
/// [`Account::normalize`]), or of one of its keys.
pub(crate) type Locate<'a> = &'a dyn Fn(Kind, usize, Option<Key>) -> Located;

/// The account id in an ARN; None for AWS managed policies (`aws`) and ARNs
/// without one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && *a != "aws")
}

/// Names and ARNs present; each ARN once per kind; user, group and role names
/// unique regardless of case, as IAM keeps them (a user's `GroupList` holds
/// names, and the credential report joins by name: two entities with one
/// name would make either silently win); every ARN in one account.
pub(crate) fn identities(account: &Account, at: Locate) -> Result<(), InputError> {
    let users = account
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.arn.as_str()));
    let groups = account
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.arn.as_str()));
    let roles = account
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.arn.as_str()));
    let policies = account
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.arn.as_str()));
    let mut owner: Option<(&str, Located)> = None;
    check_kind(Kind::User, users, at, &mut owner)?;
    check_kind(Kind::Group, groups, at, &mut owner)?;
    check_kind(Kind::Role, roles, at, &mut owner)?;
    check_kind(Kind::Policy, policies, at, &mut owner)
}

fn check_kind<'a>(
    kind: Kind,
    entities: impl Iterator<Item = (&'a str, &'a str)>,
    at: Locate,
    owner: &mut Option<(&'a str, Located)>,
) -> Result<(), InputError> {
    let mut arns: HashMap<&str, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, (name, arn)) in entities.enumerate() {
        for (key, value) in [(Key::Name, name), (Key::Arn, arn)] {
            if value.is_empty() {
                let l = at(kind, i, Some(key));
                return Err(InputError::shape(
                    &l.file,
                    Place::Pointer(l.pointer),
                    "a non-empty string",
                    "string \"\"",
                ));
            }
        }
        if let Some(&first) = arns.get(arn) {
            return Err(duplicate(
                kind.what(),
                arn,
                at(kind, first, None),
                at(kind, i, None),
            ));
        }
        arns.insert(arn, i);
        // AWS managed policies share names across paths with customer ones.
        if kind != Kind::Policy {
            let folded = name.to_lowercase();
            if let Some(&first) = names.get(&folded) {
                return Err(duplicate(
                    kind.name_what(),
                    name,
                    at(kind, first, None),
                    at(kind, i, None),
                ));
            }
            names.insert(folded, i);
        }
        // One output describes one account; a mix means files were combined
        // by mistake, and the audit would blend two accounts' permissions.
        if let Some(acct) = arn_account(arn) {
            match owner {
                None => *owner = Some((acct, at(kind, i, None))),
                Some((o, first)) if *o != acct => {
                    let l = at(kind, i, Some(Key::Arn));
                    return Err(InputError::shape(
                        &l.file,
                        Place::Pointer(l.pointer),
                        format!("an ARN in account {o} (as at {})", bare(&first.pointer)),
                        format!("{arn:?} in account {acct}"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

fn bare(pointer: &str) -> String {
    Place::Pointer(pointer.to_owned()).bare()
}

fn duplicate(what: &'static str, key: &str, first: Located, second: Located) -> InputError {
    let first_place = if first.file == second.file {
        Place::Pointer(first.pointer)
    } else {
        Place::PointerIn {
            file: first.file,
            pointer: first.pointer,
        }
    };
    InputError::Duplicate {
        file: second.file,
        what,
        key: key.to_owned(),
        first: Box::new(first_place),
        second: Box::new(Place::Pointer(second.pointer)),
    }
}

/// Something that says which account the data is about.
pub(crate) struct Claim {
    pub account: String,
    pub file: String,
    pub place: Place,
    /// What the account was read from (an ARN, or the metadata field).
    pub from: String,
}

/// Every part of one snapshot (or every imported file) is about one account.
/// Returns that account, if any part says.
pub(crate) fn one_account(claims: &[Claim]) -> Result<Option<String>, InputError> {
    let Some(first) = claims.first() else {
        return Ok(None);
    };
    if let Some(other) = claims.iter().find(|c| c.account != first.account) {
        let first_where = if first.file == other.file {
            first.place.bare()
        } else {
            first.file.clone()
        };
        return Err(InputError::shape(
            &other.file,
            other.place.clone(),
            format!(
                "the same account as {first_where} ({}, from {}); \
                 data from one account at a time",
                first.account, first.from
            ),
            format!("account {} (from {})", other.account, other.from),
        ));
    }
    Ok(Some(first.account.clone()))
}
