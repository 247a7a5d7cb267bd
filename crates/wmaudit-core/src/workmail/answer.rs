//! The per-mailbox answer as reports and `wmaudit explain --mailbox` show it:
//! plain data (strings and lists), each way in with its chain of steps.
//! Impersonation is listed once per role, with the IAM principals that can
//! use it; a mailbox names the roles that reach it.

use serde::{Deserialize, Serialize};

use super::access::{IamUse, OrgAccess, RuleEffect};
use crate::eval::Engine;
use crate::reach::path_line;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAnswer {
    pub id: String,
    pub region: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub mailboxes: Vec<MailboxAnswer>,
    pub impersonation_roles: Vec<RoleAnswer>,
    /// IAM principals that can assume any impersonation role, even one
    /// created later (no `workmail:ImpersonationRoleId` condition).
    pub any_impersonation_role: Vec<IamAnswer>,
    /// What could not be read, and why.
    pub not_read: Vec<String>,
    /// Its mailboxes exported or not (WorkMail ends on 2027-03-31).
    pub export_coverage: super::ExportCoverage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxAnswer {
    pub id: String,
    /// `user` or `resource`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// WorkMail users (and groups' members) with a mailbox permission or
    /// delegation on it.
    pub access: Vec<AccessAnswer>,
    /// Ids of the impersonation roles that open it (see the organization's
    /// `impersonation_roles` for who can use them).
    pub impersonated_by: Vec<String>,
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessAnswer {
    /// full_access, send_as, send_on_behalf, delegate.
    pub right: String,
    pub who: String,
    pub who_id: String,
    /// `user`, `group` (each member holds it), or `unknown` (an id not in
    /// the organization's lists).
    pub who_kind: String,
    /// For a group: its users, nested groups included; `null` when some
    /// membership could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<usize>,
    /// For a group, with `explain --mailbox` only: who they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_list: Vec<String>,
    /// How: `FULL_ACCESS on the mailbox`, `to each member of group X`.
    pub chain: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAnswer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// READ_ONLY or FULL_ACCESS.
    #[serde(rename = "type")]
    pub kind: String,
    /// Users it can impersonate (`null`: its rules could not be read).
    pub targets: Option<usize>,
    pub of_users: usize,
    /// What the access-control rules make of EWS for it.
    pub access_rules: String,
    pub usable_by: Vec<IamAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamAnswer {
    pub principal: String,
    /// `user/alice → assume role/Vendor → workmail:AssumeImpersonationRole`.
    pub chain: Vec<String>,
    pub conditional: bool,
    /// Limited to this role by `workmail:ImpersonationRoleId`.
    pub scoped: bool,
    /// `policy (Sid or #index)` of the statements that allow it.
    pub statements: Vec<String>,
}

pub fn effect_text(e: &RuleEffect) -> String {
    match e {
        RuleEffect::Open { allowed_by } => {
            format!(
                "EWS allowed from any IP address by {}",
                allowed_by.join(", ")
            )
        }
        RuleEffect::IpRestricted { rules } => {
            format!("EWS limited by IP address ({})", rules.join(", "))
        }
        RuleEffect::Blocked { why } => format!("blocked: {why}"),
        RuleEffect::Unknown => "unknown: the access-control rules could not be read".to_owned(),
    }
}

fn iam(engine: Option<&Engine<'_>>, u: &IamUse, role: Option<&str>) -> IamAnswer {
    let (start, statements) = match engine {
        Some(e) => {
            let p = e.principal(u.principal);
            let st = u
                .statements
                .iter()
                .map(|r| {
                    let origin = &e.policies.get(r.policy).origin;
                    let which = r
                        .sid
                        .clone()
                        .unwrap_or_else(|| format!("statement #{}", r.statement));
                    format!("{} ({which})", crate::rules::context::policy_label(origin))
                })
                .collect();
            (format!("{}/{}", p.kind.as_str(), p.name), st)
        }
        None => (u.arn.clone(), Vec::new()),
    };
    let mut chain = path_line(&start, &u.path);
    let holder_note = if u.path.is_empty() || u.holder == u.principal {
        String::new()
    } else {
        engine.map_or_else(String::new, |e| {
            format!(" as {}", e.principal(u.holder).name)
        })
    };
    chain.push(match (role, u.scoped) {
        (Some(id), true) => {
            format!("workmail:AssumeImpersonationRole{holder_note} (ImpersonationRoleId={id})")
        }
        _ => format!("workmail:AssumeImpersonationRole{holder_note} (any impersonation role)"),
    });
    IamAnswer {
        principal: u.arn.clone(),
        chain,
        conditional: u.conditional,
        scoped: u.scoped,
        statements,
    }
}

pub fn org_answer(o: &OrgAccess<'_>, engine: Option<&Engine<'_>>) -> OrgAnswer {
    let mut not_read: Vec<String> = o
        .org
        .not_read
        .iter()
        .map(|n| match &n.entity_id {
            Some(id) => format!("{} of {}: {}", n.area, o.entity(id).label, n.reason),
            None => format!("{}: {}", n.area, n.reason),
        })
        .collect();
    not_read.dedup();
    OrgAnswer {
        id: o.org.id.clone(),
        region: o.org.region.clone(),
        arn: o.arn.clone(),
        alias: o.org.alias.clone(),
        mailboxes: o
            .mailboxes
            .iter()
            .map(|m| MailboxAnswer {
                id: m.id.clone(),
                kind: m.kind.to_owned(),
                email: m.email.clone(),
                name: m.name.clone(),
                access: m
                    .grants
                    .iter()
                    .map(|g| {
                        let mut chain = vec![match g.right {
                            super::access::Right::Delegate => "delegate of the resource".to_owned(),
                            r => format!("{} on the mailbox", r.as_str().to_ascii_uppercase()),
                        }];
                        if g.holder.kind == "group" {
                            chain.push(match g.members {
                                Some(n) => {
                                    format!("to each of the {n} users of group {}", g.holder.label)
                                }
                                None => format!(
                                    "to each user of group {} (members unknown)",
                                    g.holder.label
                                ),
                            });
                        }
                        AccessAnswer {
                            right: g.right.as_str().to_owned(),
                            who: g.holder.label.clone(),
                            who_id: g.holder.id.clone(),
                            who_kind: g.holder.kind.to_owned(),
                            members: g.members,
                            member_list: Vec::new(),
                            chain,
                        }
                    })
                    .collect(),
                impersonated_by: m
                    .impersonated_by
                    .iter()
                    .map(|&i| o.roles[i].role.id.clone())
                    .collect(),
                unknown: m.unknown.clone(),
            })
            .collect(),
        impersonation_roles: o
            .roles
            .iter()
            .map(|r| RoleAnswer {
                id: r.role.id.clone(),
                name: r.role.name.clone(),
                kind: r.role.kind.as_str().to_owned(),
                targets: r.targets.as_ref().map(|t| t.len()),
                of_users: o.enabled_users.len(),
                access_rules: effect_text(&r.effect),
                usable_by: r
                    .iam
                    .iter()
                    .map(|u| iam(engine, u, Some(&r.role.id)))
                    .collect(),
            })
            .collect(),
        any_impersonation_role: o.unscoped.iter().map(|u| iam(engine, u, None)).collect(),
        not_read,
        export_coverage: o.org.export_coverage(),
    }
}

/// The report's `workmail` section: what was read, and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkMailAnswer {
    pub regions: Vec<super::RegionStatus>,
    pub organizations: Vec<OrgAnswer>,
}

impl WorkMailAnswer {
    /// "no WorkMail organization in us-east-1, us-west-2, eu-west-1", or
    /// one clause per organization.
    pub fn summary(&self) -> String {
        let read: Vec<&str> = self
            .regions
            .iter()
            .filter(|r| r.error.is_none())
            .map(|r| r.region.as_str())
            .collect();
        let failed: Vec<String> = self
            .regions
            .iter()
            .filter(|r| r.error.is_some())
            .map(|r| format!("{} could not be read", r.region))
            .collect();
        let mut parts = Vec::new();
        if self.organizations.is_empty() {
            if !read.is_empty() {
                parts.push(format!("no WorkMail organization in {}", read.join(", ")));
            }
        } else {
            for o in &self.organizations {
                let readable = o
                    .mailboxes
                    .iter()
                    .filter(|m| {
                        !m.impersonated_by.is_empty()
                            || m.access.iter().any(|a| a.right == "full_access")
                    })
                    .count();
                let usable: std::collections::BTreeSet<&str> = o
                    .impersonation_roles
                    .iter()
                    .flat_map(|r| r.usable_by.iter().map(|u| u.principal.as_str()))
                    .collect();
                let e = &o.export_coverage;
                let exported = if e.unknown_organizations > 0 {
                    "export jobs unknown".to_owned()
                } else {
                    let running = if e.running > 0 {
                        format!(", running {}", e.running)
                    } else {
                        String::new()
                    };
                    format!(
                        "exported {}, failed {}{running}, never {}",
                        e.exported, e.failed, e.never
                    )
                };
                parts.push(format!(
                    "organization {} ({}): {} mailboxes, {} readable by someone else; {} \
                     impersonation roles, usable by {} IAM principals; {exported}",
                    o.alias.as_deref().unwrap_or(&o.id),
                    o.region,
                    o.mailboxes.len(),
                    readable,
                    o.impersonation_roles.len(),
                    usable.len()
                ));
            }
        }
        parts.extend(failed);
        parts.join("; ")
    }
}
