//! A service that ends on a known date (WorkMail: 2027-03-31) leaves grants,
//! attachments and roles behind that nobody remembers to remove. Before the
//! date these are a plan (reported at the `severity_before` severity), from
//! it on a clean-up (the rule's severity).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::account::Role;
use crate::eval::trust::{Trust, Trustee};
use crate::eval::{AttachKind, PolicyId, PolicyOrigin, PrincipalId, PrincipalKind};
use crate::findings::{Evidence, FindingBuilder, ResourceKind, Severity};
use crate::policy::{ActionSpec, wildcard_match};
use crate::rules::context::Context;
use crate::rules::fix;
use crate::rules::output::{Output, count, subject};
use crate::rules::params::{Day, PolicyArn, ServicePrincipals, Services};
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;

use super::service_roles::is_service_linked;

/// The date and how findings before it are reported.
fn phase(ctx: &Context<'_>, label: &str, ends: Day, before: Severity) -> Phase {
    let days = (ends.0 - ctx.as_of.date()).whole_days();
    if days > 0 {
        Phase {
            severity: Some(before),
            when: format!(
                "after {label} ends on {} (in {})",
                ends.0,
                count(usize::try_from(days).unwrap_or(usize::MAX), "day")
            ),
        }
    } else {
        Phase {
            severity: None,
            when: format!("{label} ended on {}", ends.0),
        }
    }
}

struct Phase {
    /// `Some` before the date: the plan's severity.
    severity: Option<Severity>,
    /// "after WorkMail ends on 2027-03-31 (121 days from now)".
    when: String,
}

impl Phase {
    /// What to do: now, or as a plan for the day.
    fn todo(&self, action: &str) -> String {
        match self.severity {
            Some(_) => format!("plan to {action} then"),
            None => action.to_owned(),
        }
    }

    fn apply(&self, b: FindingBuilder) -> FindingBuilder {
        match self.severity {
            Some(s) => b.severity(s),
            None => b,
        }
    }
}

// ---------------------------------------------------------------------------
// retired-service-grants

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantsParams {
    /// The service's name in messages.
    pub label: String,
    /// The day the service ends.
    pub ends: Day,
    /// Severity of the plan items reported before that day.
    pub severity_before: Severity,
    /// Service prefixes whose actions become dead grants.
    pub services: Services,
    /// AWS managed policies that exist only for the service.
    pub managed_policies: Vec<PolicyArn>,
}

pub struct RetiredServiceGrants;

impl TypedCheck for RetiredServiceGrants {
    type Params = GrantsParams;
    const NAME: &'static str = "retired-service-grants";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &GrantsParams, out: &mut Output<'_>) {
        let phase = phase(ctx, &params.label, params.ends, params.severity_before);
        let engine = ctx.engine();
        // Who holds each managed policy directly: its detach commands.
        let mut holders: BTreeMap<PolicyId, Vec<PrincipalId>> = BTreeMap::new();
        // And whose permission boundary it is: a policy in use as one cannot
        // be deleted.
        let mut bounded: BTreeMap<PolicyId, Vec<PrincipalId>> = BTreeMap::new();
        for (id, p) in ctx.all_principals() {
            for a in &p.attachments {
                if a.kind == AttachKind::Managed {
                    holders.entry(a.policy).or_default().push(id);
                }
            }
            if let Some(b) = p.boundary {
                bounded.entry(b).or_default().push(id);
            }
        }
        let service_policies: BTreeSet<&str> = params
            .managed_policies
            .iter()
            .map(PolicyArn::as_str)
            .collect();
        // The service's own managed policies, per attachment.
        for (&pid, ids) in &holders {
            let Some(arn) = engine.policies.get(pid).origin.managed_arn() else {
                continue;
            };
            if !service_policies.contains(arn) {
                continue;
            }
            let name = arn.rsplit('/').next().unwrap_or(arn);
            for &id in ids {
                let p = engine.principal(id);
                let f = out
                    .about(p)
                    .discriminator(format!("attached:{arn}"))
                    .message(format!(
                        "{} has {name} attached: {}, it grants nothing; {}.",
                        subject(p),
                        phase.when,
                        phase.todo("detach it")
                    ))
                    .evidence(Evidence {
                        policy: Some(arn.to_owned()),
                        attached: Some("directly".to_owned()),
                        ..Evidence::default()
                    })
                    .fix(fix::detach(p.kind, &p.name, arn));
                out.push(phase.apply(f));
            }
        }
        // Customer policies' statements that name the service's actions.
        for (pid, entry) in engine.policies.entries.iter().enumerate() {
            if entry.origin.is_aws_managed() {
                continue;
            }
            let Ok(c) = &entry.compiled else { continue };
            let mut evidence = Vec::new();
            let mut whole = true;
            let mut named = 0;
            for (i, st) in c.document.statements.iter().enumerate() {
                let ActionSpec::Action(patterns) = &st.action else {
                    whole = false;
                    continue;
                };
                let hits: Vec<&String> = patterns
                    .iter()
                    .filter(|p| names_service(p, &params.services.prefixes))
                    .collect();
                if hits.is_empty() {
                    whole = false;
                    continue;
                }
                named += 1;
                let all = hits.len() == patterns.len();
                whole &= all;
                evidence.push(Evidence {
                    statement: Some(i),
                    sid: st.sid.clone(),
                    actions: hits.iter().map(|h| (*h).clone().into()).collect(),
                    detail: Some(if all {
                        "remove the statement".to_owned()
                    } else {
                        "remove these actions from the statement".to_owned()
                    }),
                    ..Evidence::default()
                });
            }
            if named == 0 {
                continue;
            }
            let statements = count(named, "statement");
            let f = match &entry.origin {
                PolicyOrigin::Managed { arn, name, .. } => {
                    let mut f = out
                        .finding()
                        .resource(ResourceKind::Policy, name, arn)
                        .discriminator("statements");
                    let action = if whole {
                        let users = holders.get(&pid).map_or(0, Vec::len);
                        for &id in holders.get(&pid).into_iter().flatten() {
                            let p = engine.principal(id);
                            f = f.fix(fix::detach(p.kind, &p.name, arn));
                        }
                        let boundaries = bounded.get(&pid).map_or(0, Vec::len);
                        for &id in bounded.get(&pid).into_iter().flatten() {
                            let p = engine.principal(id);
                            f = f.fix(fix::delete_boundary(p.kind, &p.name));
                        }
                        f = f.fix(fix::delete_policy(arn));
                        let mut uses = Vec::new();
                        if users > 0 {
                            uses.push(count(users, "attachment"));
                        }
                        if boundaries > 0 {
                            uses.push(format!(
                                "{} as permission boundary",
                                count(boundaries, "use")
                            ));
                        }
                        let what = if uses.is_empty() {
                            "delete it".to_owned()
                        } else {
                            format!("detach it ({}) and delete it", uses.join(", "))
                        };
                        format!("nothing else is in it: {}", phase.todo(&what))
                    } else {
                        f = f.fix(fix::new_version(arn, name));
                        phase.todo("remove them and save a new default version")
                    };
                    f.message(format!(
                        "Policy {name} names {} actions in {statements}: {}, they grant nothing; {action}.",
                        params.label, phase.when
                    ))
                }
                PolicyOrigin::Inline { owner, name } => {
                    let Some(oid) = engine.by_arn(owner) else {
                        continue;
                    };
                    let o = engine.principal(oid);
                    let (f, action) = if whole {
                        (
                            out.about(o).fix(fix::delete_inline(o.kind, &o.name, name)),
                            phase.todo("delete the policy"),
                        )
                    } else {
                        (
                            out.about(o).fix(fix::put_inline(o.kind, &o.name, name)),
                            phase.todo("remove them from the policy"),
                        )
                    };
                    f.discriminator(format!("inline:{name}")).message(format!(
                        "{}'s inline policy {name} names {} actions in {statements}: {}, they grant nothing; {action}.",
                        subject(o),
                        params.label,
                        phase.when
                    ))
                }
            };
            let policy = crate::rules::context::policy_label(&entry.origin);
            let f = f.evidence_all(evidence.into_iter().map(|e| Evidence {
                policy: Some(policy.clone()),
                ..e
            }));
            out.push(phase.apply(f));
        }
    }
}

/// Does an Action pattern name one of these services by its prefix? `*` and
/// `*:*` grant everything and are other rules' business.
fn names_service(pattern: &str, services: &[String]) -> bool {
    let Some((svc, _)) = pattern.split_once(':') else {
        return false;
    };
    svc.chars().any(|c| c != '*') && services.iter().any(|s| wildcard_match(svc, s, true))
}

// ---------------------------------------------------------------------------
// retired-service-roles

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesParams {
    pub label: String,
    pub ends: Day,
    pub severity_before: Severity,
    /// The service's own principals: roles they assume exist for it.
    pub trusted_by: ServicePrincipals,
    /// Services that run code (a mail flow rule's Lambda function)...
    pub code_services: ServicePrincipals,
    /// ...whose roles exist for the service when they hold these actions.
    pub holding: Services,
}

pub struct RetiredServiceRoles;

impl TypedCheck for RetiredServiceRoles {
    type Params = RolesParams;
    const NAME: &'static str = "retired-service-roles";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &RolesParams, out: &mut Output<'_>) {
        let phase = phase(ctx, &params.label, params.ends, params.severity_before);
        let engine = ctx.engine();
        for role in ctx.roles_trusted_by(&params.trusted_by).iter() {
            let services = trusting_services(role, &params.trusted_by);
            let f = out
                .finding()
                .resource(ResourceKind::Role, &role.name, &role.arn)
                .discriminator("service-role")
                .message(format!(
                    "Role {} exists for {} (assumed by {}): {}, nothing uses it; {}.",
                    role.name,
                    params.label,
                    services.join(", "),
                    phase.when,
                    phase.todo("delete it")
                ))
                .evidence(Evidence {
                    policy: Some("trust policy".to_owned()),
                    detail: Some(format!("trusts {}", services.join(", "))),
                    ..Evidence::default()
                });
            out.push(phase.apply(removal(f, role)));
        }
        // Email monitoring's role (WorkMail data, when collected) may be
        // trusted by anything: it exists for WorkMail all the same.
        let trusted: Vec<&str> = ctx
            .roles_trusted_by(&params.trusted_by)
            .iter()
            .map(|r| r.arn.as_str())
            .collect();
        let mut monitoring: Vec<(&str, String)> = ctx
            .snapshot
            .workmail
            .iter()
            .flat_map(|w| &w.organizations)
            .filter_map(|o| {
                let arn = o.email_monitoring.as_ref()?.role_arn.as_deref()?;
                Some((arn, o.label().to_owned()))
            })
            .filter(|(arn, _)| !trusted.contains(arn))
            .collect();
        monitoring.sort();
        monitoring.dedup_by(|a, b| a.0 == b.0);
        for (arn, org) in monitoring {
            let Some(role) = ctx.account_roles.get(arn) else {
                continue;
            };
            let f = out
                .finding()
                .resource(ResourceKind::Role, &role.name, &role.arn)
                .discriminator("monitoring-role")
                .message(format!(
                    "Role {} is the email monitoring role of {} organization {org}: {}, nothing \
                     uses it; {}.",
                    role.name,
                    params.label,
                    phase.when,
                    phase.todo("delete it")
                ))
                .evidence(Evidence {
                    detail: Some(format!(
                        "email monitoring of organization {org} writes through it"
                    )),
                    ..Evidence::default()
                });
            out.push(phase.apply(removal(f, role)));
        }
        for role in ctx.roles_trusted_by(&params.code_services).iter() {
            let Some(id) = engine.by_arn(&role.arn) else {
                continue;
            };
            let mut held = engine.access(id).allowed.clone();
            held.intersect_with(&params.holding.actions);
            if held.is_clear() {
                continue;
            }
            let p = engine.principal(id);
            let f = out
                .about(p)
                .discriminator("code-role")
                .message(format!(
                    "Role {} runs code ({}) that handles {} mail ({}): {}, no mail reaches it; {}.",
                    role.name,
                    trusting_services(role, &params.code_services).join(", "),
                    params.label,
                    engine.catalog().names(&held).join(", "),
                    phase.when,
                    phase.todo(
                        "delete the function and the role (or remove these grants if it does other work)"
                    )
                ))
                .evidence_all(ctx.grant_evidence(id, &held));
            out.push(phase.apply(f));
        }
    }
}

/// The commands that delete a role: a service-linked role in one, any other
/// after detaching and deleting its policies.
fn removal(mut f: crate::findings::FindingBuilder, role: &Role) -> crate::findings::FindingBuilder {
    if is_service_linked(role) {
        return f.fix(fix::delete_service_linked_role(&role.name));
    }
    for p in &role.attached_policies {
        f = f.fix(fix::detach(PrincipalKind::Role, &role.name, &p.arn));
    }
    for p in &role.inline_policies {
        f = f.fix(fix::delete_inline(PrincipalKind::Role, &role.name, &p.name));
    }
    f.fix(fix::delete_role(&role.name))
}

/// The service principals matching `services` that the role's trust names.
fn trusting_services(role: &Role, services: &ServicePrincipals) -> Vec<String> {
    let mut out: Vec<String> = Trust::of(role)
        .ok()
        .flatten()
        .map(|t| {
            t.grants()
                .into_iter()
                .filter_map(|g| match g.trustee {
                    Trustee::Service(s) if services.matches(s) => Some(s.to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_prefixes_are_matched_not_wildcards_over_everything() {
        let s = vec!["workmail".to_owned(), "workmailmessageflow".to_owned()];
        assert!(names_service("workmail:ListUsers", &s));
        assert!(names_service("WorkMail:*", &s));
        assert!(names_service("workmail*:Get*", &s));
        assert!(!names_service("*", &s));
        assert!(!names_service("*:*", &s));
        assert!(!names_service("ses:SendEmail", &s));
        assert!(!names_service("workmail", &s));
    }
}
