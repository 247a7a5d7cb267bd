//! Who holds which policies, and how each policy reaches them.

use std::collections::HashMap;

use serde::Serialize;

use super::policies::{PolicyId, PolicyTable};
use crate::account::{Account, InlinePolicy, PolicyAttachment};
use crate::policy::Compiler;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    Group,
    Role,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

/// How a policy reaches a principal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "group", rename_all = "snake_case")]
pub enum Via {
    /// Attached to (or embedded in) the principal itself.
    Direct,
    /// Through membership of this group.
    Group(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachKind {
    Inline,
    Managed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub policy: PolicyId,
    pub via: Via,
    pub kind: AttachKind,
}

pub type PrincipalId = usize;

#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    /// The principal's own identity policies (`Via::Direct`). A user's
    /// group policies are its groups' own ([`Principal::member_of`]), shared,
    /// not copied: 6,000 members of a group with 6,000 policies were 36
    /// million copies (1.9 GB). `Engine::attachments` walks both.
    pub attachments: Vec<Attachment>,
    /// The groups (their principal ids) a user is in, in membership order.
    pub member_of: Vec<PrincipalId>,
    pub boundary: Option<PolicyId>,
    pub boundary_arn: Option<String>,
    /// Group names (users only).
    pub groups: Vec<String>,
    /// What makes this principal's evaluation incomplete.
    pub problems: Vec<String>,
}

impl Principal {
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }
}

pub(super) fn build(
    account: &Account,
    table: &mut PolicyTable,
    compiler: &mut Compiler<'_>,
) -> Vec<Principal> {
    let group_index: HashMap<&str, usize> = account
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.as_str(), i))
        .collect();

    // A group's own attachments, computed once and reused by every member.
    let groups: Vec<Principal> = account
        .groups
        .iter()
        .map(|g| {
            let mut p = new_principal(PrincipalKind::Group, &g.name, &g.arn);
            attach(
                &mut p,
                &g.inline_policies,
                &g.attached_policies,
                Via::Direct,
                table,
                compiler,
            );
            p
        })
        .collect();

    let mut out = Vec::with_capacity(account.users.len() + groups.len() + account.roles.len());
    for u in &account.users {
        let mut p = new_principal(PrincipalKind::User, &u.name, &u.arn);
        attach(
            &mut p,
            &u.inline_policies,
            &u.attached_policies,
            Via::Direct,
            table,
            compiler,
        );
        for gname in &u.groups {
            match group_index.get(gname.as_str()) {
                Some(&gi) => {
                    // Groups follow the users in the principal list.
                    p.member_of.push(account.users.len() + gi);
                    p.problems.extend(
                        groups[gi]
                            .problems
                            .iter()
                            .map(|m| format!("through group {gname}: {m}")),
                    );
                }
                None => p.problems.push(format!(
                    "member of group {gname:?}, which is not in the account data"
                )),
            }
            p.groups.push(gname.clone());
        }
        set_boundary(&mut p, u.permissions_boundary.as_deref(), table);
        out.push(p);
    }
    out.extend(groups);
    for r in &account.roles {
        let mut p = new_principal(PrincipalKind::Role, &r.name, &r.arn);
        attach(
            &mut p,
            &r.inline_policies,
            &r.attached_policies,
            Via::Direct,
            table,
            compiler,
        );
        set_boundary(&mut p, r.permissions_boundary.as_deref(), table);
        out.push(p);
    }
    out
}

fn new_principal(kind: PrincipalKind, name: &str, arn: &str) -> Principal {
    Principal {
        kind,
        name: name.to_owned(),
        arn: arn.to_owned(),
        attachments: Vec::new(),
        member_of: Vec::new(),
        boundary: None,
        boundary_arn: None,
        groups: Vec::new(),
        problems: Vec::new(),
    }
}

fn attach(
    p: &mut Principal,
    inline: &[InlinePolicy],
    managed: &[PolicyAttachment],
    via: Via,
    table: &mut PolicyTable,
    compiler: &mut Compiler<'_>,
) {
    for ip in inline {
        let id = table.push_inline(&p.arn, ip, compiler);
        if let Err(e) = &table.get(id).compiled {
            p.problems
                .push(format!("inline policy {:?} cannot be read: {e}", ip.name));
        }
        p.attachments.push(Attachment {
            policy: id,
            via: via.clone(),
            kind: AttachKind::Inline,
        });
    }
    for mp in managed {
        match table.managed(&mp.arn) {
            Some(id) => {
                if let Err(e) = &table.get(id).compiled {
                    p.problems
                        .push(format!("managed policy {} cannot be read: {e}", mp.arn));
                }
                p.attachments.push(Attachment {
                    policy: id,
                    via: via.clone(),
                    kind: AttachKind::Managed,
                });
            }
            None => p.problems.push(format!(
                "managed policy {} is attached but its document is not in the account data",
                mp.arn
            )),
        }
    }
}

fn set_boundary(p: &mut Principal, arn: Option<&str>, table: &PolicyTable) {
    let Some(arn) = arn else { return };
    p.boundary_arn = Some(arn.to_owned());
    match table.managed(arn) {
        Some(id) => {
            if let Err(e) = &table.get(id).compiled {
                p.problems
                    .push(format!("permission boundary {arn} cannot be read: {e}"));
            }
            p.boundary = Some(id);
        }
        None => p.problems.push(format!(
            "permission boundary {arn} is set but its document is not in the account data"
        )),
    }
}
