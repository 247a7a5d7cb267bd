//! Roles that an AWS service assumes on the account's behalf (WorkMail's
//! mailbox export role): who else can get in, what the role can reach, and
//! who can hand it to the service.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::account::Role;
use crate::catalog::ActionSet;
use crate::eval::trust::{POSITIVE_OPERATORS, Trust, TrustGrant, Trustee};
use crate::eval::{Decision, Principal, PrincipalId, StatementRef};
use crate::findings::{Evidence, ResourceKind};
use crate::policy::{Conditions, Effect, ResourceScope};
use crate::rules::context::{Context, policy_label, statement_ref_evidence, via_label};
use crate::rules::output::{Output, count, subject};
use crate::rules::params::{Actions, ServicePrincipals, Services};
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::Part;

use super::workmail_admin::{by_service, sample};

/// Service-linked roles: AWS writes and guards their trust policies, and
/// the account cannot change them.
pub fn is_service_linked(role: &Role) -> bool {
    role.path.starts_with("/aws-service-role/")
}

/// The roles a check looks at: trusted by one of `services`, not service-linked.
fn service_roles<'a>(ctx: &Context<'a>, services: &ServicePrincipals) -> Vec<&'a Role> {
    ctx.roles_trusted_by(services)
        .iter()
        .copied()
        .filter(|r| !is_service_linked(r))
        .collect()
}

/// A trust policy statement as a finding's evidence.
pub(super) fn trust_evidence(g: &TrustGrant<'_>, detail: String) -> Evidence {
    Evidence {
        policy: Some("trust policy".to_owned()),
        statement: Some(g.statement),
        sid: g.sid.map(str::to_owned),
        detail: Some(detail),
        ..Evidence::default()
    }
}

// ---------------------------------------------------------------------------
// service-trust-unguarded

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnguardedParams {
    /// Service principals whose trust must be restricted to this account.
    pub services: ServicePrincipals,
}

pub struct ServiceTrustUnguarded;

/// Condition keys that tie a service's request to the account (or
/// organization) it acts for. `sts:ExternalId` is what older WorkMail
/// documentation used: the service sets it to the caller's account id.
const GUARD_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "sts:ExternalId",
];

const NEGATED: &[&str] = &[
    "StringNotEquals",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
];

/// Does this value of a guard key name this account only? `Err` says why not.
fn value_names_account(key: &str, value: &str, account: &str) -> Result<(), String> {
    let k = key.to_ascii_lowercase();
    let ok = match k.as_str() {
        "aws:sourcearn" => value.split(':').nth(4) == Some(account),
        "aws:sourceorgid" | "aws:sourceorgpaths" => {
            !value.is_empty() && value.chars().any(|c| c != '*' && c != '/')
        }
        _ => value == account,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{key} allows {value:?}, not only this account ({account})"
        ))
    }
}

/// How a statement's conditions guard it: `Ok` when one guard key restricts
/// it to this account, else the reasons the guard keys present fall short.
fn guarded(conditions: &Conditions, account: &str, ops: &[&str]) -> Result<(), Vec<String>> {
    let mut why = Vec::new();
    for (op, keys) in conditions {
        for (key, values) in keys {
            let Some(&guard) = GUARD_KEYS.iter().find(|g| g.eq_ignore_ascii_case(key)) else {
                continue;
            };
            if op.ends_with("IfExists") {
                why.push(format!(
                    "{op} on {guard} lets a request without the key through"
                ));
                continue;
            }
            if !ops.contains(&op.as_str()) {
                why.push(format!(
                    "{op} on {guard} does not restrict it to this account"
                ));
                continue;
            }
            let bad: Vec<String> = values
                .iter()
                .filter_map(|v| value_names_account(guard, v, account).err())
                .collect();
            if bad.is_empty() && !values.is_empty() {
                return Ok(());
            }
            why.extend(bad);
        }
    }
    Err(why)
}

impl TypedCheck for ServiceTrustUnguarded {
    type Params = UnguardedParams;
    const NAME: &'static str = "service-trust-unguarded";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &UnguardedParams, out: &mut Output<'_>) {
        for role in service_roles(ctx, &params.services) {
            let trust = match Trust::of(role) {
                Ok(Some(t)) => t,
                _ => continue,
            };
            // A Deny for everyone but this account guards every Allow.
            let deny_guard = trust.denies().iter().any(|d| {
                matches!(d.trustee, Trustee::Anyone)
                    || matches!(d.trustee, Trustee::Service(s) if params.services.matches(s))
            } && guarded(d.conditions, &ctx.account_id, NEGATED).is_ok());
            if deny_guard {
                continue;
            }
            for g in trust.grants() {
                let Trustee::Service(service) = g.trustee else {
                    continue;
                };
                if !params.services.matches(service) {
                    continue;
                }
                let Err(why) = guarded(g.conditions, &ctx.account_id, POSITIVE_OPERATORS) else {
                    continue;
                };
                let why = if why.is_empty() {
                    "no aws:SourceAccount, aws:SourceArn or sts:ExternalId condition".to_owned()
                } else {
                    why.join("; ")
                };
                let at = g.sid.map_or(format!("statement {}", g.statement), |s| {
                    format!("statement {s:?}")
                });
                let f = out
                    .finding()
                    .resource(ResourceKind::Role, &role.name, &role.arn)
                    .discriminator(format!("{}#{service}", g.statement))
                    .message(format!(
                        "Role {} trusts {service} ({at} of its trust policy) without tying it to \
                         this account: {why}. The service acts for any account that asks, so \
                         another account's request could use this role (confused deputy).",
                        role.name
                    ))
                    .evidence(trust_evidence(&g, why));
                out.push(f);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// service-role-overbroad

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverbroadParams {
    /// The service principals whose roles are checked.
    pub services: ServicePrincipals,
    /// Every action the service needs the role to hold.
    pub needs: Actions,
    /// Services whose grants must name their resources (a bucket, a key),
    /// not `"Resource": "*"`.
    pub scoped: Services,
    /// Service prefix -> a condition key every Allow of its actions must
    /// carry (`kms = "kms:ViaService"`).
    #[serde(default)]
    pub conditions: BTreeMap<String, String>,
    /// What to call the role in messages ("mailbox export role").
    pub label: String,
}

pub struct ServiceRoleOverbroad;

impl TypedCheck for ServiceRoleOverbroad {
    type Params = OverbroadParams;
    const NAME: &'static str = "service-role-overbroad";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn check_params(&self, p: &OverbroadParams) -> Result<(), String> {
        let catalog = crate::catalog::Catalog::builtin();
        for svc in p.conditions.keys() {
            if catalog.service(svc).is_none() {
                return Err(format!(
                    "conditions: {svc:?} is not a service prefix wmaudit knows"
                ));
            }
        }
        Ok(())
    }

    fn account(&self, ctx: &Context<'_>, params: &OverbroadParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        for role in service_roles(ctx, &params.services) {
            let label = &params.label;
            // Who else the trust lets in.
            if let Ok(Some(trust)) = Trust::of(role) {
                let others: Vec<_> = trust
                    .grants()
                    .into_iter()
                    .filter(
                        |g| !matches!(g.trustee, Trustee::Service(s) if params.services.matches(s)),
                    )
                    .collect();
                if !others.is_empty() {
                    let who: Vec<String> = others.iter().map(|g| g.trustee.describe()).collect();
                    let f = out
                        .finding()
                        .resource(ResourceKind::Role, &role.name, &role.arn)
                        .discriminator("trust")
                        .message(format!(
                            "The {label} {} can also be assumed by {}: whoever assumes it gets its \
                             access to the exported mail.",
                            role.name,
                            who.join(", ")
                        ))
                        .evidence_all(others.iter().map(|g| {
                            trust_evidence(g, format!("lets in {}", g.trustee.describe()))
                        }));
                    out.push(f);
                }
            }
            let Some(id) = engine.by_arn(&role.arn) else {
                continue;
            };
            let p = engine.principal(id);
            if !p.is_complete() {
                out.not_evaluated(
                    Some(crate::rules::output::principal_resource(p)),
                    format!(
                        "permissions of the {label} {} could not be fully evaluated: {}",
                        p.name,
                        p.problems.join("; ")
                    ),
                );
                continue;
            }
            self.beyond_needs(ctx, params, id, p, out);
            self.statement_problems(ctx, params, p, out);
        }
    }
}

impl ServiceRoleOverbroad {
    /// Actions the role holds that the service never uses.
    fn beyond_needs(
        &self,
        ctx: &Context<'_>,
        params: &OverbroadParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) {
        let engine = ctx.engine();
        let mut beyond = engine.access(id).allowed.clone();
        beyond.difference_with(&params.needs.0);
        // Every principal can call it; no policy grants or removes it.
        if let Some(free) = engine.catalog().lookup(crate::eval::NO_PERMISSION_NEEDED) {
            beyond.set(free, false);
        }
        if beyond.is_clear() {
            return;
        }
        let f = out
            .about(p)
            .discriminator("beyond-needs")
            .message(format!(
                "The {} {} holds {} the service does not need ({}), such as {}.",
                params.label,
                p.name,
                count(beyond.count_ones(..), "action"),
                by_service(engine.catalog(), &beyond),
                engine.catalog().names(&beyond)[..3.min(beyond.count_ones(..))].join(", ")
            ))
            .evidence_all(ctx.grant_evidence(id, &beyond));
        out.push(f);
    }

    /// Allow statements on every resource of a scoped service, or without a
    /// required condition key.
    fn statement_problems(
        &self,
        ctx: &Context<'_>,
        params: &OverbroadParams,
        p: &Principal,
        out: &mut Output<'_>,
    ) {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        let mut everywhere = Vec::new();
        let mut everywhere_services = std::collections::BTreeSet::new();
        let mut unconditioned: BTreeMap<&str, (ActionSet, Vec<Evidence>)> = BTreeMap::new();
        for a in engine.attachments(p) {
            let entry = engine.policies.get(a.policy);
            let Ok(c) = &entry.compiled else { continue };
            for st in c.statements.iter().filter(|s| s.effect == Effect::Allow) {
                let ev = |actions: &ActionSet, detail: &str| Evidence {
                    policy: Some(policy_label(&entry.origin)),
                    attached: Some(via_label(&a.via)),
                    statement: Some(st.index),
                    sid: st.sid.clone(),
                    actions: crate::rules::context::compact_names(catalog, actions),
                    detail: Some(detail.to_owned()),
                };
                let mut scoped = st.actions.clone();
                scoped.intersect_with(&params.scoped.actions);
                if !scoped.is_clear() && !matches!(st.resources, ResourceScope::Only(_)) {
                    for i in scoped.ones() {
                        everywhere_services.insert(
                            catalog.services()[catalog.action(i).service]
                                .prefix
                                .as_str(),
                        );
                    }
                    everywhere.push(ev(&scoped, "on every resource"));
                }
                for (svc, key) in &params.conditions {
                    let mut of_svc = st.actions.clone();
                    of_svc.intersect_with(&catalog.service_set(svc));
                    if of_svc.is_clear() {
                        continue;
                    }
                    let doc = &c.document.statements[st.index];
                    let has_key = doc
                        .condition
                        .values()
                        .any(|keys| keys.keys().any(|k| k.eq_ignore_ascii_case(key)));
                    if !has_key {
                        let (set, evidence) = unconditioned
                            .entry(key.as_str())
                            .or_insert_with(|| (catalog.empty_set(), Vec::new()));
                        set.union_with(&of_svc);
                        evidence.push(ev(&of_svc, &format!("no {key} condition")));
                    }
                }
            }
        }
        if !everywhere.is_empty() {
            let f = out
                .about(p)
                .discriminator("every-resource")
                .message(format!(
                    "The {} {} is granted {} actions on every resource, not only its own \
                     bucket and key: exported mail can be written (or read back) anywhere the role reaches.",
                    params.label,
                    p.name,
                    everywhere_services.into_iter().collect::<Vec<_>>().join(" and ")
                ))
                .evidence_all(everywhere);
            out.push(f);
        }
        for (key, (set, evidence)) in unconditioned {
            let f = out
                .about(p)
                .discriminator(format!("condition:{key}"))
                .message(format!(
                    "The {} {} is granted {} without a {key} condition: they work \
                     outside the one service that should use them.",
                    params.label,
                    p.name,
                    sample(catalog, &set, 5)
                ))
                .evidence_all(evidence);
            out.push(f);
        }
    }
}

// ---------------------------------------------------------------------------
// can-pass-service-role

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassRoleParams {
    /// Actions that, together with passing the role, do the harm.
    pub actions: Actions,
    /// The service principals whose roles are passed.
    pub services: ServicePrincipals,
    /// What the combination does, for messages.
    pub effect: String,
}

pub struct CanPassServiceRole;

impl TypedCheck for CanPassServiceRole {
    type Params = PassRoleParams;
    const NAME: &'static str = "can-pass-service-role";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];
    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &PassRoleParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        if ctx.admins.contains(&id) {
            return Judged::Regardless;
        }
        let engine = ctx.engine();
        let catalog = engine.catalog();
        let access = engine.access(id);
        if !params.actions.0.is_subset(&access.allowed) {
            return Judged::OnPermissions;
        }
        let Some(pass) = catalog.lookup("iam:PassRole") else {
            return Judged::OnPermissions;
        };
        let mut passable: Vec<(&Role, Vec<StatementRef>, Decision)> = Vec::new();
        for role in service_roles(ctx, &params.services) {
            let on = engine.decision_on(id, pass, &role.arn);
            if on.decision.is_allowed() {
                passable.push((role, on.allows, on.decision));
            }
        }
        if passable.is_empty() {
            return Judged::OnPermissions;
        }
        // Scoped to an organization still exports all of it: only a
        // condition makes the pair conditional.
        let conditional = conditions_only(ctx, p, &params.actions.0)
            || passable.iter().any(|(_, _, d)| *d == Decision::Limited);
        let names: Vec<&str> = passable.iter().map(|(r, _, _)| r.name.as_str()).collect();
        let mut evidence = ctx.grant_evidence(id, &params.actions.0);
        for (role, allows, _) in &passable {
            for r in allows {
                let detail = if r.conditional {
                    format!("on role {}, under a condition", role.name)
                } else {
                    format!("on role {}", role.name)
                };
                let action = catalog.action(pass).full_name;
                evidence.push(statement_ref_evidence(engine, r, action, detail));
            }
        }
        let f = out
            .about(p)
            .message(format!(
                "{} can use {} and pass the role {} (iam:PassRole){}: together they {}.",
                subject(p),
                catalog.names(&params.actions.0).join(" and "),
                names.join(", "),
                if conditional {
                    ", under conditions"
                } else {
                    ""
                },
                params.effect
            ))
            .evidence_all(evidence);
        out.push(f);
        Judged::OnPermissions
    }
}

/// Is some action of `actions` granted to `p` only by statements with a
/// Condition?
fn conditions_only(ctx: &Context<'_>, p: &Principal, actions: &ActionSet) -> bool {
    let engine = ctx.engine();
    let mut unconditional = engine.catalog().empty_set();
    for a in engine.attachments(p) {
        if let Ok(c) = &engine.policies.get(a.policy).compiled {
            for st in &c.statements {
                if st.effect == Effect::Allow && !st.conditional {
                    unconditional.union_with(&st.actions);
                }
            }
        }
    }
    !actions.is_subset(&unconditional)
}
