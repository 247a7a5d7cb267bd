//! WorkMail's own grants, which IAM does not show: impersonation roles,
//! mailbox permissions, access-control rules, email monitoring, personal
//! access tokens. Each reads the per-mailbox answer of
//! [`crate::workmail::access`], computed once per scan.

use serde::Deserialize;

use crate::eval::on_resource::StatementRef;
use crate::findings::{Evidence, FindingBuilder, ResourceKind};
use crate::rules::context::{Context, statement_ref_evidence};
use crate::rules::fix;
use crate::rules::output::{Output, count};
use crate::rules::params::ServicePrincipals;
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;
use crate::workmail::access::{
    ASSUME_IMPERSONATION, IamUse, MailboxAccess, OrgAccess, RoleAccess, RuleEffect,
};
use crate::workmail::{ImpersonationType, Organization};

/// A finding about something of one organization; its `arn` is the
/// organization's ARN with the entity appended (WorkMail entities have no
/// ARN of their own).
fn about(
    out: &Output<'_>,
    o: &OrgAccess<'_>,
    kind: ResourceKind,
    name: &str,
    id: &str,
) -> FindingBuilder {
    let arn = match kind {
        ResourceKind::WorkmailOrganization => o.arn.clone(),
        ResourceKind::Mailbox => format!("{}/mailbox/{id}", o.arn),
        ResourceKind::ImpersonationRole => format!("{}/impersonation-role/{id}", o.arn),
        ResourceKind::AccessToken => format!("{}/personal-access-token/{id}", o.arn),
        _ => o.arn.clone(),
    };
    out.finding().resource(kind, name, &arn)
}

fn org_name(o: &Organization) -> String {
    match &o.alias {
        Some(a) => format!("{a} ({}, {})", o.id, o.region),
        None => format!("{} ({})", o.id, o.region),
    }
}

/// Something of the organization the check needs could not be read.
fn unread(out: &mut Output<'_>, o: &OrgAccess<'_>, what: &str) {
    let reason = o
        .org
        .not_read
        .iter()
        .find(|n| n.area == what && n.entity_id.is_none())
        .map_or_else(|| "not read".to_owned(), |n| n.reason.clone());
    out.not_evaluated(
        Some(crate::findings::Resource {
            arn: o.arn.clone(),
            kind: ResourceKind::WorkmailOrganization,
            name: o.org.label().to_owned(),
        }),
        format!(
            "{what} of WorkMail organization {} could not be read: {reason}",
            org_name(o.org)
        ),
    );
}

/// The IAM statements that let a principal assume impersonation roles.
fn iam_evidence(ctx: &Context<'_>, u: &IamUse) -> Vec<Evidence> {
    let Some(engine) = ctx.engine else {
        return Vec::new();
    };
    let mut ev: Vec<Evidence> = u
        .path
        .iter()
        .enumerate()
        .map(|(i, s)| Evidence {
            actions: s.actions.iter().map(|a| (*a).to_owned().into()).collect(),
            detail: Some(format!("step {}: {} {}", i + 1, s.method.verb(), s.target)),
            ..Evidence::default()
        })
        .collect();
    ev.extend(u.statements.iter().map(|r: &StatementRef| {
        let detail = if r.conditional {
            "under a condition"
        } else if u.scoped {
            "for this role (workmail:ImpersonationRoleId)"
        } else {
            "for any impersonation role"
        };
        statement_ref_evidence(engine, r, ASSUME_IMPERSONATION, detail.to_owned())
    }));
    ev
}

/// `role/Vendor`, or `user/alice → assume role/Vendor`.
pub fn iam_chain(ctx: &Context<'_>, u: &IamUse) -> String {
    let start = ctx.engine.map_or_else(
        || u.arn.clone(),
        |e| {
            let p = e.principal(u.principal);
            format!("{}/{}", p.kind.as_str(), p.name)
        },
    );
    crate::reach::path_line(&start, &u.path).join(" → ")
}

/// "targets all 20 users", "targets 3 of 20 users".
pub fn targets_text(r: &RoleAccess<'_>, all: usize) -> String {
    match &r.targets {
        None => "targets unknown (its rules could not be read)".to_owned(),
        Some(t) if t.len() == all && all > 0 => format!("targets all {}", count(all, "user")),
        Some(t) => format!("targets {} of {}", t.len(), count(all, "user")),
    }
}

// ---------------------------------------------------------------------------
// impersonation-broad

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadParams {
    /// A role that reaches all but this many enabled users counts as "all".
    pub all_but: usize,
}

pub struct ImpersonationBroad;

impl TypedCheck for ImpersonationBroad {
    type Params = BroadParams;
    const NAME: &'static str = "impersonation-broad";
    const NEEDS: &'static [Part] = &[Part::WorkMail, Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &BroadParams, out: &mut Output<'_>) {
        for o in ctx.mailbox_access() {
            if o.org.impersonation_roles.is_none() {
                unread(out, o, "impersonation_roles");
                continue;
            }
            let all = o.enabled_users.len();
            for r in &o.roles {
                let Some(t) = &r.targets else {
                    out.not_evaluated(
                        None,
                        format!(
                            "the rules of impersonation role {} in {} could not be read",
                            r.label(),
                            org_name(o.org)
                        ),
                    );
                    continue;
                };
                if all == 0 || t.len() + params.all_but < all {
                    continue;
                }
                if let RuleEffect::Blocked { .. } = r.effect {
                    continue;
                }
                let outsiders: Vec<&IamUse> = r
                    .iam
                    .iter()
                    .filter(|u| !ctx.admins.contains(&u.principal))
                    .collect();
                let full = r.role.kind == ImpersonationType::FullAccess;
                if !full && outsiders.is_empty() {
                    continue;
                }
                let mut why = Vec::new();
                if full {
                    why.push("FULL_ACCESS (read, change and delete mail)".to_owned());
                }
                if !outsiders.is_empty() {
                    let names: Vec<String> = outsiders
                        .iter()
                        .take(3)
                        .map(|u| iam_chain(ctx, u))
                        .collect();
                    let more = outsiders.len().saturating_sub(3);
                    why.push(format!(
                        "usable by {} outside the WorkMail administrators: {}{}",
                        count(outsiders.len(), "IAM principal"),
                        names.join("; "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ));
                }
                let rules = match &r.effect {
                    RuleEffect::IpRestricted { rules } => {
                        format!(
                            " Access-control rules limit it by IP address ({}).",
                            rules.join(", ")
                        )
                    }
                    RuleEffect::Unknown => {
                        " The access-control rules could not be read.".to_owned()
                    }
                    _ => String::new(),
                };
                let mut f = about(
                    out,
                    o,
                    ResourceKind::ImpersonationRole,
                    r.label(),
                    &r.role.id,
                )
                .message(format!(
                    "Impersonation role {} of WorkMail organization {} {} ({}): {}.{rules}",
                    r.label(),
                    org_name(o.org),
                    targets_text(r, all),
                    r.role.kind.as_str(),
                    why.join("; ")
                ))
                .evidence(Evidence {
                    detail: Some(format!(
                        "impersonation role {} ({}), type {}",
                        r.label(),
                        r.role.id,
                        r.role.kind.as_str()
                    )),
                    ..Evidence::default()
                });
                for u in outsiders.iter().take(3) {
                    f = f.evidence_all(iam_evidence(ctx, u));
                }
                // After the migration the role has no use left.
                f = f.fix(fix::delete_impersonation_role(
                    &o.org.region,
                    &o.org.id,
                    &r.role.id,
                ));
                out.push(f);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// impersonation-unscoped

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnscopedParams {
    /// Designated WorkMail administrators can create roles anyway.
    pub exempt_designated_admins: bool,
}

pub struct ImpersonationUnscoped;

impl TypedCheck for ImpersonationUnscoped {
    type Params = UnscopedParams;
    const NAME: &'static str = "impersonation-unscoped";
    const NEEDS: &'static [Part] = &[Part::WorkMail, Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &UnscopedParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let mut found = std::collections::HashSet::new();
        for o in ctx.mailbox_access() {
            for u in &o.unscoped {
                if params.exempt_designated_admins && ctx.admins.contains(&u.principal) {
                    continue;
                }
                let p = engine.principal(u.principal);
                let how = if u.path.is_empty() {
                    String::new()
                } else {
                    format!(" through a path ({})", iam_chain(ctx, u))
                };
                let f = out
                    .about(p)
                    .discriminator(o.arn.clone())
                    .message(format!(
                        "{} {} can assume any impersonation role of WorkMail organization {}{how}{}: \
                         nothing limits it with workmail:ImpersonationRoleId, so a role created \
                         later (targeting every mailbox) is usable at once.",
                        match p.kind {
                            crate::eval::PrincipalKind::Role => "Role",
                            crate::eval::PrincipalKind::Group => "Group",
                            crate::eval::PrincipalKind::User => "User",
                        },
                        p.name,
                        org_name(o.org),
                        if u.conditional { " (under a condition)" } else { "" },
                    ))
                    .evidence_all(iam_evidence(ctx, u));
                out.push(f);
                found.insert(u.principal);
            }
        }
        // Principals known only in part may hold it in the missing part.
        for (id, p) in ctx.acting_principals() {
            if !p.is_complete() && !found.contains(&id) && !ctx.mailbox_access().is_empty() {
                out.inconclusive(p);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// mailbox-full-access-broad

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullAccessParams {
    /// More users than this with FULL_ACCESS to one mailbox is broad.
    pub max_users: usize,
}

pub struct MailboxFullAccessBroad;

impl TypedCheck for MailboxFullAccessBroad {
    type Params = FullAccessParams;
    const NAME: &'static str = "mailbox-full-access-broad";
    const NEEDS: &'static [Part] = &[Part::WorkMail];

    fn account(&self, ctx: &Context<'_>, params: &FullAccessParams, out: &mut Output<'_>) {
        for o in ctx.mailbox_access() {
            if o.org.users.is_none() {
                unread(out, o, "users");
            }
            for m in &o.mailboxes {
                let full = |g: &&crate::workmail::access::Grant| {
                    g.right == crate::workmail::access::Right::FullAccess && g.holder.id != m.id
                };
                let users: Vec<&str> = m
                    .grants
                    .iter()
                    .filter(full)
                    .filter(|g| g.holder.kind != "group")
                    .map(|g| g.holder.label.as_str())
                    .collect();
                let groups: Vec<&crate::workmail::access::Grant> = m
                    .grants
                    .iter()
                    .filter(full)
                    .filter(|g| g.holder.kind == "group")
                    .collect();
                if groups.is_empty() && users.len() <= params.max_users {
                    if !m.unknown.is_empty() {
                        not_known(out, o, m);
                    }
                    continue;
                }
                let mut parts = Vec::new();
                if !groups.is_empty() {
                    let named: Vec<String> = groups
                        .iter()
                        .map(|g| match g.members {
                            Some(n) => format!("group {} ({})", g.holder.label, count(n, "member")),
                            None => format!("group {} (members unknown)", g.holder.label),
                        })
                        .collect();
                    parts.push(format!("granted to {}", named.join(", ")));
                }
                if !users.is_empty() {
                    let shown: Vec<&str> = users.iter().take(5).copied().collect();
                    parts.push(format!(
                        "granted to {}: {}{}",
                        count(users.len(), "user"),
                        shown.join(", "),
                        if users.len() > 5 {
                            format!(" and {} more", users.len() - 5)
                        } else {
                            String::new()
                        }
                    ));
                }
                let mut f = about(out, o, ResourceKind::Mailbox, m.label(), &m.id)
                    .message(format!(
                        "Mailbox {} of WorkMail organization {} has FULL_ACCESS {}.",
                        m.label(),
                        org_name(o.org),
                        parts.join("; ")
                    ))
                    .evidence_all(groups.iter().map(|g| Evidence {
                        detail: Some(format!(
                            "FULL_ACCESS granted to group {} ({})",
                            g.holder.label, g.holder.id
                        )),
                        ..Evidence::default()
                    }));
                for g in &groups {
                    f = f.fix(fix::delete_mailbox_permissions(
                        &o.org.region,
                        &o.org.id,
                        &m.id,
                        &g.holder.id,
                    ));
                }
                out.push(f);
            }
        }
    }
}

fn not_known(out: &mut Output<'_>, o: &OrgAccess<'_>, m: &MailboxAccess) {
    out.not_evaluated(
        Some(crate::findings::Resource {
            arn: format!("{}/mailbox/{}", o.arn, m.id),
            kind: ResourceKind::Mailbox,
            name: m.label().to_owned(),
        }),
        format!("mailbox {}: {}", m.label(), m.unknown.join("; ")),
    );
}

// ---------------------------------------------------------------------------
// access-rules-open

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenRulesParams {}

pub struct AccessRulesOpen;

impl TypedCheck for AccessRulesOpen {
    type Params = OpenRulesParams;
    const NAME: &'static str = "access-rules-open";
    const NEEDS: &'static [Part] = &[Part::WorkMail];

    fn account(&self, ctx: &Context<'_>, _params: &OpenRulesParams, out: &mut Output<'_>) {
        for o in ctx.mailbox_access() {
            let Some(rules) = o.org.access_control_rules.as_deref() else {
                unread(out, o, "access_control_rules");
                continue;
            };
            // Each impersonation role, and EWS for ordinary users.
            let mut open = Vec::new();
            for r in &o.roles {
                if let RuleEffect::Open { allowed_by } = &r.effect {
                    open.push(format!(
                        "impersonation role {} (allowed by {})",
                        r.label(),
                        allowed_by.join(", ")
                    ));
                }
            }
            if let RuleEffect::Open { allowed_by } =
                crate::workmail::access::ews_effect(Some(rules), None)
            {
                open.push(format!(
                    "users over EWS (allowed by {})",
                    allowed_by.join(", ")
                ));
            }
            if open.is_empty() {
                continue;
            }
            let f = about(
                out,
                o,
                ResourceKind::WorkmailOrganization,
                o.org.label(),
                &o.org.id,
            )
            .message(format!(
                "WorkMail organization {} lets {} in from any IP address: no access-control \
                     rule limits EWS (the protocol impersonation and migration tools use) by IP.",
                org_name(o.org),
                open.join(" and ")
            ))
            .evidence_all(rules.iter().map(|r| Evidence {
                detail: Some(format!(
                    "access-control rule {} ({:?}): protocols {}, IP ranges {}",
                    r.name,
                    r.effect,
                    if r.actions.is_empty() {
                        "all".to_owned()
                    } else {
                        r.actions.join(", ")
                    },
                    if r.ip_ranges.is_empty() && r.not_ip_ranges.is_empty() {
                        "any".to_owned()
                    } else if r.ip_ranges.is_empty() {
                        format!("all but {}", r.not_ip_ranges.join(", "))
                    } else {
                        r.ip_ranges.join(", ")
                    }
                )),
                ..Evidence::default()
            }));
            out.push(f);
        }
    }
}

// ---------------------------------------------------------------------------
// email-monitoring-external

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringParams {
    /// The service principal that should be the only one to assume the role.
    pub services: ServicePrincipals,
}

pub struct EmailMonitoringExternal;

impl TypedCheck for EmailMonitoringExternal {
    type Params = MonitoringParams;
    const NAME: &'static str = "email-monitoring-external";
    const NEEDS: &'static [Part] = &[Part::WorkMail, Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &MonitoringParams, out: &mut Output<'_>) {
        for o in ctx.mailbox_access() {
            let Some(m) = &o.org.email_monitoring else {
                unread(out, o, "email_monitoring");
                continue;
            };
            let mut why = Vec::new();
            if let Some(lg) = &m.log_group_arn
                && let Some(acct) = lg.split(':').nth(4)
                && acct != ctx.account_id
            {
                why.push(format!(
                    "writes mail events to log group {lg} in account {acct}"
                ));
            }
            if let Some(role) = &m.role_arn {
                let acct = role.split(':').nth(4).unwrap_or("");
                if acct != ctx.account_id {
                    why.push(format!("uses role {role} of account {acct}"));
                } else if !ctx.account_roles.contains_key(role.as_str()) {
                    // Deleted, or never collected: its trust cannot be judged.
                    out.not_evaluated(
                        None,
                        format!(
                            "email monitoring of WorkMail organization {} uses role {role}, which \
                             the account's IAM data does not hold",
                            org_name(o.org)
                        ),
                    );
                } else if !ctx.trusted_only_by(role, &params.services.0) {
                    why.push(format!(
                        "uses role {role}, which principals other than {} can assume",
                        params.services.0.join(", ")
                    ));
                }
            }
            if why.is_empty() {
                continue;
            }
            let f = about(
                out,
                o,
                ResourceKind::WorkmailOrganization,
                o.org.label(),
                &o.org.id,
            )
            .discriminator("email-monitoring")
            .message(format!(
                "Email monitoring of WorkMail organization {} {}: whoever controls it reads \
                     every mail event (senders, recipients, subjects).",
                org_name(o.org),
                why.join(" and ")
            ))
            .evidence(Evidence {
                detail: Some(format!(
                    "DescribeEmailMonitoringConfiguration: role {}, log group {}",
                    m.role_arn.as_deref().unwrap_or("none"),
                    m.log_group_arn.as_deref().unwrap_or("none")
                )),
                ..Evidence::default()
            });
            out.push(f);
        }
    }
}

// ---------------------------------------------------------------------------
// personal-access-token-stale

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenParams {
    /// A token not used for more days than this is stale.
    pub max_unused_days: i64,
}

pub struct AccessTokenStale;

impl TypedCheck for AccessTokenStale {
    type Params = TokenParams;
    const NAME: &'static str = "personal-access-token-stale";
    const NEEDS: &'static [Part] = &[Part::WorkMail];

    fn account(&self, ctx: &Context<'_>, params: &TokenParams, out: &mut Output<'_>) {
        let now = ctx.as_of;
        for o in ctx.mailbox_access() {
            let Some(tokens) = &o.org.personal_access_tokens else {
                unread(out, o, "personal_access_tokens");
                continue;
            };
            for t in tokens {
                let parse = |d: &Option<String>| d.as_deref().and_then(crate::workmail::parse_time);
                let expired = parse(&t.expires_time).is_some_and(|e| e <= now);
                if expired {
                    continue;
                }
                let mut why = Vec::new();
                if t.expires_time.is_none() {
                    why.push("never expires".to_owned());
                }
                let last = parse(&t.date_last_used).or(parse(&t.date_created));
                match (last, &t.date_last_used) {
                    (Some(l), used) => {
                        let days = (now - l).whole_days();
                        if days > params.max_unused_days {
                            why.push(if used.is_some() {
                                format!("was last used {days} days ago")
                            } else {
                                format!("has not been used in the {days} days since it was created")
                            });
                        }
                    }
                    (None, _) => why.push("has no record of use or creation".to_owned()),
                }
                if why.is_empty() {
                    continue;
                }
                let owner = o.entity(&t.user_id);
                let name = t.name.as_deref().unwrap_or(&t.id);
                let f = about(out, o, ResourceKind::AccessToken, name, &t.id)
                    .fix(fix::delete_access_token(&o.org.region, &o.org.id, &t.id))
                    .message(format!(
                    "Personal access token {name} of {} in WorkMail organization {} {}: it opens \
                     the mailbox without the password or MFA.",
                    owner.label,
                    org_name(o.org),
                    why.join(" and ")
                ));
                out.push(f);
            }
        }
    }
}
