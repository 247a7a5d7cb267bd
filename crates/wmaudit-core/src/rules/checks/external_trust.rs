//! Roles that hold WorkMail power and can be assumed from outside their
//! account without a condition that narrows who: another account without
//! `sts:ExternalId`, anyone (`*`) without an organization or account
//! condition, a web identity provider without a `sub` condition, a SAML
//! provider. Roles trusted by AWS services are the confused-deputy rule's.

use serde::Deserialize;

use crate::eval::trust::{POSITIVE_OPERATORS, Trust, TrustGrant, Trustee};
use crate::findings::Severity;
use crate::policy::Conditions;
use crate::rules::context::Context;
use crate::rules::output::{Output, principal_resource};
use crate::rules::params::Actions;
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;

use super::service_roles::{is_service_linked, trust_evidence};
use super::workmail_admin::sample;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalTrustParams {
    /// Holding any of these is reading mail (the rule's severity).
    pub mail_content: Actions,
    /// Severity when the role changes WorkMail but reads no mail.
    pub admin_severity: Severity,
}

pub struct ExternalTrust;

/// Does a positive, non-`IfExists` condition give one of these keys a value
/// that narrows (not a lone `*`)?
fn narrowed(conditions: &Conditions, keys: &[&str]) -> Option<String> {
    for (op, by_key) in conditions {
        if !POSITIVE_OPERATORS.contains(&op.as_str()) {
            continue;
        }
        for (key, values) in by_key {
            if keys.iter().any(|k| k.eq_ignore_ascii_case(key))
                && !values.is_empty()
                && values.iter().all(|v| v.chars().any(|c| c != '*'))
            {
                return Some(format!("{op} {key}"));
            }
        }
    }
    None
}

/// Who outside the account a grant lets in, when nothing narrows it.
fn open_to_outside(g: &TrustGrant<'_>, account: &str) -> Option<String> {
    match &g.trustee {
        Trustee::Aws(who) => {
            let other = if who.len() == 12 && who.bytes().all(|b| b.is_ascii_digit()) {
                Some(*who)
            } else {
                who.split(':').nth(4)
            };
            match other {
                Some(a) if a != account => narrowed(
                    g.conditions,
                    &[
                        "sts:ExternalId",
                        "aws:PrincipalOrgID",
                        "aws:PrincipalOrgPaths",
                    ],
                )
                .is_none()
                .then(|| format!("account {a} ({who}) without an sts:ExternalId condition")),
                _ => None,
            }
        }
        Trustee::Anyone => narrowed(
            g.conditions,
            &[
                "aws:PrincipalOrgID",
                "aws:PrincipalOrgPaths",
                "aws:PrincipalAccount",
                "aws:PrincipalArn",
                "aws:SourceAccount",
            ],
        )
        .is_none()
        .then(|| {
            "anyone (\"*\") without an aws:PrincipalOrgID or aws:PrincipalAccount condition"
                .to_owned()
        }),
        Trustee::Federated(p) if p.contains(":saml-provider/") => Some(format!(
            "every user the SAML identity provider {} signs in",
            p.rsplit('/').next().unwrap_or(p)
        )),
        Trustee::Federated(p) => {
            let host = p.split("oidc-provider/").nth(1).unwrap_or(p);
            let sub = format!("{host}:sub");
            let aud = format!("{host}:aud");
            // GitHub's audience is the same for every repository: only the
            // subject says which one.
            let keys: Vec<&str> = if host == "token.actions.githubusercontent.com" {
                vec![&sub]
            } else {
                vec![&sub, &aud]
            };
            narrowed(g.conditions, &keys).is_none().then(|| {
                format!("any identity of the web identity provider {host} (no {sub} condition)")
            })
        }
        Trustee::Service(_) | Trustee::Other(..) => None,
    }
}

/// The WorkMail actions that change something (administration), if any.
fn workmail_writes(
    ctx: &Context<'_>,
    allowed: &crate::catalog::ActionSet,
) -> Option<crate::catalog::ActionSet> {
    let mut w = allowed.clone();
    w.intersect_with(&ctx.workmail.all);
    w.intersect_with(&ctx.workmail.mutating);
    (!w.is_clear()).then_some(w)
}

impl TypedCheck for ExternalTrust {
    type Params = ExternalTrustParams;
    const NAME: &'static str = "external-trust";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &ExternalTrustParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        // A role that reaches mail in steps is as good as one that holds it.
        let reach = ctx.reach(crate::reach::Goal::Any(&params.mail_content.0));
        let mut roles: Vec<_> = ctx.account_roles.values().copied().collect();
        roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        for role in roles {
            // AWS writes service-linked roles' trust; IAM Identity Center
            // assigns its reserved roles in its own data, not in IAM.
            if is_service_linked(role) || role.path.starts_with("/aws-reserved/") {
                continue;
            }
            let Some(id) = engine.by_arn(&role.arn) else {
                continue;
            };
            let p = engine.principal(id);
            let allowed = &engine.access(id).allowed;
            let mut content = allowed.clone();
            content.intersect_with(&params.mail_content.0);
            let (capability, severity) = if !content.is_clear() {
                (
                    format!(
                        "reads, exports or redirects mail ({})",
                        sample(catalog, &content, 3)
                    ),
                    None,
                )
            } else if let Some(path) = reach.paths.get(&id) {
                (
                    format!(
                        "can get to the mail in {} (first: {} {})",
                        crate::rules::output::count(path.len(), "step"),
                        path[0].method.verb(),
                        path[0].target
                    ),
                    None,
                )
            } else if let Some(writes) = workmail_writes(ctx, allowed) {
                (
                    format!(
                        "changes WorkMail ({})",
                        crate::rules::output::count(writes.count_ones(..), "write action")
                    ),
                    Some(params.admin_severity),
                )
            } else {
                if !p.is_complete() {
                    out.not_evaluated(
                        Some(principal_resource(p)),
                        format!(
                            "permissions of role {} could not be fully evaluated: {}",
                            p.name,
                            p.problems.join("; ")
                        ),
                    );
                }
                continue;
            };
            let trust = match Trust::of(role) {
                Ok(Some(t)) => t,
                Ok(None) => continue,
                Err(e) => {
                    out.not_evaluated(
                        Some(principal_resource(p)),
                        format!("the trust policy of role {} cannot be read: {e}", role.name),
                    );
                    continue;
                }
            };
            for g in trust.grants() {
                let Some(who) = open_to_outside(&g, &ctx.account_id) else {
                    continue;
                };
                let mut f = out
                    .about(p)
                    .discriminator(format!("{}#{}", g.statement, g.trustee.describe()))
                    .message(format!(
                        "Role {} {capability} and can be assumed by {who}.",
                        role.name
                    ))
                    .evidence(trust_evidence(
                        &g,
                        format!("lets in {}", g.trustee.describe()),
                    ));
                if let Some(s) = severity {
                    f = f.severity(s);
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn cond(op: &str, key: &str, v: &str) -> Conditions {
        BTreeMap::from([(
            op.to_owned(),
            BTreeMap::from([(key.to_owned(), vec![v.to_owned()])]),
        )])
    }

    #[test]
    fn a_condition_narrows_only_with_a_positive_operator_and_a_real_value() {
        let k = ["sts:ExternalId"];
        assert!(narrowed(&cond("StringEquals", "sts:externalid", "x-123"), &k).is_some());
        assert!(narrowed(&cond("StringEqualsIfExists", "sts:ExternalId", "x"), &k).is_none());
        assert!(narrowed(&cond("StringLike", "sts:ExternalId", "*"), &k).is_none());
        assert!(narrowed(&cond("StringNotEquals", "sts:ExternalId", "x"), &k).is_none());
    }
}
