//! WorkMail administration that is missing, incomplete or taken away.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::catalog::{ActionSet, Catalog};
use crate::eval::{Principal, PrincipalId};
use crate::findings::{Evidence, ResourceKind};
use crate::rules::context::{Context, via_label};
use crate::rules::output::{Output, count, subject};
use crate::rules::params::PolicyArn;
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::Part;

use super::root::NoParams;

/// "ses: 233, ds: 10" — a long action list summarised by service.
pub fn by_service(catalog: &Catalog, set: &ActionSet) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in set.ones() {
        let svc = &catalog.services()[catalog.action(id).service].prefix;
        *counts.entry(svc).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first few action names of a set, for messages.
pub fn sample(catalog: &Catalog, set: &ActionSet, n: usize) -> String {
    let names = catalog.names(set);
    let more = names.len().saturating_sub(n);
    let mut s = names.into_iter().take(n).collect::<Vec<_>>().join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

pub struct NoAdmin;

impl TypedCheck for NoAdmin {
    type Params = NoParams;
    const NAME: &'static str = "workmail-no-admin";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let mut incomplete = Vec::new();
        for (id, p) in ctx.acting_principals() {
            if ctx.workmail.admin.is_subset(&engine.access(id).allowed) {
                return;
            }
            if !p.is_complete() {
                incomplete.push(p.arn.clone());
            }
        }
        if !incomplete.is_empty() {
            out.not_evaluated(
                None,
                format!(
                    "no principal was found that can administer WorkMail, but {} could not be fully evaluated: {}",
                    incomplete.len(),
                    incomplete.join(", ")
                ),
            );
            return;
        }
        let f = out
            .finding()
            .resource(ResourceKind::Account, &ctx.account_id, &ctx.root_arn())
            .message(format!(
                "No IAM user or role in account {} can administer WorkMail: none holds all {} WorkMail actions AmazonWorkMailFullAccess grants on an organization.",
                ctx.account_id,
                ctx.workmail.admin.count_ones(..)
            ));
        out.push(f);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncompleteParams {
    /// Only principals holding at least this many WorkMail write actions look
    /// like administrators; a help-desk grant of one action is not flagged.
    pub min_write_actions: usize,
}

pub struct AdminIncomplete;

impl TypedCheck for AdminIncomplete {
    type Params = IncompleteParams;
    const NAME: &'static str = "workmail-admin-incomplete";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &IncompleteParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        let access = engine.access(id);
        let mut writes = access.allowed.clone();
        writes.intersect_with(&ctx.workmail.all);
        writes.intersect_with(&ctx.workmail.mutating);
        let mut missing = ctx.workmail.console_needs.clone();
        missing.difference_with(&access.allowed);
        let n = writes.count_ones(..);
        if n == 0 || n < params.min_write_actions || missing.is_clear() {
            return Judged::OnPermissions;
        }
        let f = out
            .about(p)
            .message(format!(
                "{} holds {} but lacks {} the WorkMail console needs alongside them ({}).",
                subject(p),
                count(n, "WorkMail write action"),
                count(missing.count_ones(..), "action"),
                by_service(catalog, &missing)
            ))
            .evidence(Evidence {
                detail: Some("missing actions granted by AmazonWorkMailFullAccess".into()),
                actions: crate::rules::context::compact_names(catalog, &missing),
                ..Evidence::default()
            });
        out.push(f);
        Judged::OnPermissions
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IneffectiveParams {
    /// Managed policies whose WorkMail grants should take effect.
    pub policies: Vec<PolicyArn>,
}

pub struct PolicyIneffective;

impl TypedCheck for PolicyIneffective {
    type Params = IneffectiveParams;
    const NAME: &'static str = "workmail-policy-ineffective";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &IneffectiveParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        // Only a principal that holds one of the policies is judged at all.
        let mut judged = Judged::Regardless;
        let access = engine.access(id);
        for arn in params.policies.iter().map(PolicyArn::as_str) {
            let vias = ctx.attached_via(p, arn);
            if vias.is_empty() {
                continue;
            }
            let Some(pid) = engine.policies.managed(arn) else {
                continue;
            };
            let mut granted = engine.policies.get(pid).aggregate.allow_any.clone();
            granted.intersect_with(&ctx.workmail.all);
            let mut lost = granted.clone();
            lost.difference_with(&access.allowed);
            // A missing Deny or boundary document could take it away.
            judged = Judged::OnPermissions;
            if lost.is_clear() {
                continue;
            }
            let name = arn.rsplit('/').next().unwrap_or(arn);
            let how = vias.iter().map(via_label).collect::<Vec<_>>().join(" and ");
            // What takes them away: the organization's policy by name, when
            // it is one of them.
            let mut by_org = lost.clone();
            by_org.intersect_with(&access.control_blocked);
            let taker = match (by_org.ones().next(), engine.controls_over(id)) {
                (Some(a), Some(c)) => {
                    let blocks = c.explain(a);
                    let named: Vec<String> = blocks
                        .iter()
                        .filter(|b| !b.conditional)
                        .map(|b| b.describe())
                        .collect();
                    let first = named.first().cloned().unwrap_or_else(|| {
                        blocks.first().map(|b| b.describe()).unwrap_or_default()
                    });
                    format!("the organization's control policies ({first})")
                }
                _ => "an explicit Deny or a permission boundary".to_owned(),
            };
            let f = out
                .about(p)
                .message(format!(
                    "{name} is attached to {} {} ({how}), but {taker} takes away {} of its {} WorkMail actions: {}.",
                    p.kind.as_str(),
                    p.name,
                    lost.count_ones(..),
                    granted.count_ones(..),
                    sample(catalog, &lost, 5)
                ))
                .evidence_all(ctx.deny_evidence(id, &lost))
                .discriminator(arn.to_owned());
            out.push(f);
        }
        judged
    }
}
