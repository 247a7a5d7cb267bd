//! WorkMail grants that are broader than their holder needs, or reach
//! principals by the wrong path.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::eval::{PolicyOrigin, Principal, PrincipalId, PrincipalKind, Via};
use crate::findings::{Evidence, ResourceKind};
use crate::policy::{ActionSpec, Effect, has_wildcard, wildcard_match};
use crate::rules::context::{Context, policy_label, via_label};
use crate::rules::output::{Output, count, principal_kind, subject};
use crate::rules::params::{PolicyArn, Service, Services};
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::Part;

use super::workmail_admin::sample;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOnlyParams {
    /// The read-only managed policy whose holders are checked.
    pub policy: PolicyArn,
    /// Services whose write actions the holder should not have.
    pub services: Services,
}

pub struct ReadOnlyCanWrite;

impl TypedCheck for ReadOnlyCanWrite {
    type Params = ReadOnlyParams;
    const NAME: &'static str = "read-only-holder-can-write";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &ReadOnlyParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        let policy_name = params.policy.name();
        if ctx.attached_via(p, params.policy.as_str()).is_empty() {
            return Judged::Regardless;
        }
        let mut writes = engine.access(id).allowed.clone();
        writes.intersect_with(&params.services.actions);
        writes.intersect_with(&ctx.workmail.mutating);
        if writes.is_clear() {
            return Judged::OnPermissions;
        }
        let f = out
            .about(p)
            .message(format!(
                "{} has {policy_name} but effectively holds {} as well: {}.",
                subject(p),
                count(writes.count_ones(..), "write action"),
                sample(catalog, &writes, 5)
            ))
            .evidence_all(ctx.grant_evidence(id, &writes));
        out.push(f);
        Judged::OnPermissions
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WildcardParams {
    /// The service whose every action a wildcard grant covers.
    pub service: Service,
    /// What to call the service in messages ("WorkMail").
    pub label: String,
}

pub struct ViaWildcard;

impl TypedCheck for ViaWildcard {
    type Params = WildcardParams;
    const NAME: &'static str = "wildcard-grant";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &WildcardParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        let service = params.service.actions.clone();
        let names: Vec<&str> = catalog.names(&service);
        // Who holds each policy, so a finding can say whom it affects.
        let mut holders: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for p in &engine.principals {
            for a in &p.attachments {
                if a.via == Via::Direct {
                    holders.entry(a.policy).or_default().insert(p.arn.clone());
                }
            }
        }
        for (&pid, held_by) in &holders {
            let entry = engine.policies.get(pid);
            if entry.origin.is_aws_managed() {
                continue;
            }
            let Ok(compiled) = &entry.compiled else {
                continue;
            };
            for st in &compiled.statements {
                if st.effect != Effect::Allow || st.actions.is_disjoint(&service) {
                    continue;
                }
                let how = match &compiled.document.statements[st.index].action {
                    ActionSpec::NotAction(_) => Some("a NotAction Allow".to_owned()),
                    ActionSpec::Action(patterns) => patterns
                        .iter()
                        .find(|pat| {
                            has_wildcard(pat) && names.iter().all(|n| wildcard_match(pat, n, true))
                        })
                        .map(|pat| format!("the wildcard {pat:?}")),
                };
                let Some(how) = how else { continue };
                let mut granted = st.actions.clone();
                granted.intersect_with(&service);
                let total = service.count_ones(..);
                // A NotAction may leave some of the service out: say how much it grants.
                let how_many = if granted.count_ones(..) == total {
                    format!("all {total} {} actions", params.label)
                } else {
                    format!(
                        "{} of the {total} {} actions",
                        granted.count_ones(..),
                        params.label
                    )
                };
                let label = policy_label(&entry.origin);
                let builder = match &entry.origin {
                    PolicyOrigin::Managed { arn, name, .. } => out
                        .finding()
                        .resource(ResourceKind::Policy, name, arn)
                        .message(format!(
                            "Policy {name} grants {how_many} through {how} in statement {}.",
                            st.index
                        )),
                    PolicyOrigin::Inline { owner, name } => {
                        let Some(owner_id) = engine.by_arn(owner) else {
                            continue;
                        };
                        let p = engine.principal(owner_id);
                        out.finding()
                            .resource(principal_kind(p.kind), &p.name, &p.arn)
                            .message(format!(
                                "Inline policy {name} of {} {} grants {how_many} through {how} in statement {}.",
                                p.kind.as_str(),
                                p.name,
                                st.index
                            ))
                    }
                };
                let shown: Vec<&str> = held_by.iter().take(10).map(String::as_str).collect();
                let f = builder
                    .evidence(Evidence {
                        policy: Some(label.clone()),
                        statement: Some(st.index),
                        sid: st.sid.clone(),
                        detail: Some(format!(
                            "attached directly to {} principal(s): {}{}",
                            held_by.len(),
                            shown.join(", "),
                            if held_by.len() > shown.len() {
                                ", ..."
                            } else {
                                ""
                            }
                        )),
                        ..Evidence::default()
                    })
                    .discriminator(format!("{label}#{}", st.index));
                out.push(f);
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachedParams {
    /// The managed policy that should not be attached.
    pub policy: PolicyArn,
    /// Why, in a sentence, for the message.
    pub reason: String,
    /// Roles that only these service principals can assume are where the
    /// policy belongs (e.g. a mail flow rule's Lambda): not flagged.
    #[serde(default)]
    pub exempt_roles_trusted_only_by: Vec<String>,
}

pub struct ManagedPolicyAttached;

impl TypedCheck for ManagedPolicyAttached {
    type Params = AttachedParams;
    const NAME: &'static str = "managed-policy-attached";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    // Attachments, not permissions: a principal known in part is still judged.
    const SCOPE: Scope = Scope::AllPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &AttachedParams,
        _id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let name = params.policy.name();
        if !ctx
            .attached_via(p, params.policy.as_str())
            .contains(&Via::Direct)
        {
            return Judged::Regardless;
        }
        if p.kind == PrincipalKind::Role
            && ctx.trusted_only_by(&p.arn, &params.exempt_roles_trusted_only_by)
        {
            return Judged::Regardless;
        }
        let f = out
            .about(p)
            .message(format!(
                "{name} is attached to {} {}: {}",
                p.kind.as_str(),
                p.name,
                params.reason
            ))
            .evidence(Evidence {
                policy: Some(params.policy.as_str().to_owned()),
                attached: Some("directly".into()),
                ..Evidence::default()
            });
        out.push(f);
        Judged::Regardless
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectParams {
    pub services: Services,
    /// What to call these services' actions in messages ("WorkMail").
    pub label: String,
}

pub struct DirectUserGrant;

impl TypedCheck for DirectUserGrant {
    type Params = DirectParams;
    const NAME: &'static str = "direct-user-grant";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &DirectParams,
        _id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let scope = &params.services.actions;
        if p.kind != PrincipalKind::User {
            return Judged::Regardless;
        }
        let mut evidence = Vec::new();
        let mut total = engine.catalog().empty_set();
        for a in p.attachments.iter().filter(|a| a.via == Via::Direct) {
            let entry = engine.policies.get(a.policy);
            let mut granted = entry.aggregate.allow_any.clone();
            granted.intersect_with(scope);
            if granted.is_clear() {
                continue;
            }
            total.union_with(&granted);
            evidence.push(Evidence {
                policy: Some(policy_label(&entry.origin)),
                attached: Some(via_label(&a.via)),
                detail: Some(format!("grants {} actions", granted.count_ones(..))),
                ..Evidence::default()
            });
        }
        if evidence.is_empty() {
            // A directly attached policy whose document is missing may grant them.
            return Judged::OnPermissions;
        }
        let f = out
            .about(p)
            .message(format!(
                "IAM user {} is granted {} by {} attached directly, not through a group.",
                p.name,
                count(total.count_ones(..), &format!("{} action", params.label)),
                if evidence.len() == 1 {
                    "1 policy".to_owned()
                } else {
                    format!("{} policies", evidence.len())
                }
            ))
            .evidence_all(evidence);
        out.push(f);
        Judged::OnPermissions
    }
}
