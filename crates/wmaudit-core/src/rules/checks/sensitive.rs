//! Sensitive actions (reading, exporting or redirecting mail, taking over
//! mailboxes, destroying data) held outside the designated administrators,
//! and administrators whose credentials are weak.

use serde::Deserialize;

use crate::catalog::ActionSet;
use crate::eval::{Principal, PrincipalId, PrincipalKind};
use crate::findings::Evidence;
use crate::rules::context::Context;
use crate::rules::output::{Output, count, subject};
use crate::rules::params::Actions;
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::{CredentialRow, Part};

use super::workmail_admin::sample;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveParams {
    /// The actions this rule is about, spelled exactly (no wildcards).
    pub actions: Actions,
    /// Designated WorkMail administrators may hold them.
    pub exempt_designated_admins: bool,
    /// What holding them allows, for the message ("read, export or redirect mail").
    pub capability: String,
    /// A mail flow rule's Lambda role may hold the `workmailmessageflow`
    /// actions: reading and rewriting messages in transit is its job.
    #[serde(default)]
    pub exempt_mail_flow_lambda_roles: bool,
}

pub struct SensitiveActions;

impl TypedCheck for SensitiveActions {
    type Params = SensitiveParams;
    const NAME: &'static str = "sensitive-actions";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];
    const SCOPE: Scope = Scope::ActingPrincipals;

    fn sensitive_actions(&self, params: &SensitiveParams) -> Option<ActionSet> {
        Some(params.actions.0.clone())
    }

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &SensitiveParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let catalog = engine.catalog();
        if params.exempt_designated_admins && ctx.admins.contains(&id) {
            return Judged::Regardless;
        }
        let mut held = engine.access(id).allowed.clone();
        held.intersect_with(&params.actions.0);
        if params.exempt_mail_flow_lambda_roles && ctx.is_mail_flow_lambda_role(p) {
            held.difference_with(&catalog.service_set("workmailmessageflow"));
        }
        if held.is_clear() {
            return Judged::OnPermissions;
        }
        let (designation, basis) = if !params.exempt_designated_admins {
            ("", None)
        } else if ctx.admins_from_config {
            (
                " and is not a designated WorkMail administrator",
                Some("designated administrators: workmail.administrators in the config"),
            )
        } else {
            (
                " and is not a designated WorkMail administrator",
                Some(
                    "designated administrators: members of groups that hold AmazonWorkMailFullAccess (no workmail.administrators configured)",
                ),
            )
        };
        // Say so when every such grant needs MFA: still held, but not with a
        // password alone or a long-term key.
        let mut without_mfa = engine.allowed_without_mfa(id);
        without_mfa.intersect_with(&held);
        let mfa_note = if without_mfa.is_clear() {
            " (every grant is conditional on MFA)"
        } else {
            ""
        };
        let mut f = out
            .about(p)
            .message(format!(
                "{} can {} with {} ({}){designation}{mfa_note}.",
                subject(p),
                params.capability,
                count(held.count_ones(..), "action"),
                sample(catalog, &held, 4)
            ))
            .evidence_all(ctx.grant_evidence(id, &held));
        if let Some(basis) = basis {
            f = f.evidence(Evidence {
                detail: Some(basis.to_owned()),
                ..Evidence::default()
            });
        }
        // Who else gets here in steps (the same actions as a goal: the
        // escalation rules' reach, computed once per scan).
        let reach = ctx.reach(crate::reach::Goal::Any(&params.actions.0));
        if let Some(others) = reach.by_end.get(&p.arn) {
            let names: Vec<String> = others
                .iter()
                .take(3)
                .map(|&o| {
                    let q = engine.principal(o);
                    format!("{}/{}", q.kind.as_str(), q.name)
                })
                .collect();
            let more = others.len().saturating_sub(names.len());
            f = f.evidence(Evidence {
                detail: Some(format!(
                    "also reachable by {}: {}{} (wmaudit explain NAME --paths)",
                    count(others.len(), "principal"),
                    names.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )),
                ..Evidence::default()
            });
        }
        out.push(f);
        Judged::OnPermissions
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminMfaParams {
    /// Holding any of these also makes a principal an administrator here.
    pub actions: Actions,
}

pub struct AdminWithoutMfa;

impl TypedCheck for AdminWithoutMfa {
    type Params = AdminMfaParams;
    const NAME: &'static str = "admin-without-mfa";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails, Part::CredentialReport];

    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &AdminMfaParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        // Roles have no password or long-lived keys of their own.
        if p.kind != PrincipalKind::User {
            return Judged::Regardless;
        }
        let access = engine.access(id);
        let admin = ctx.workmail.admin.is_subset(&access.allowed);
        let mut held = access.allowed.clone();
        held.intersect_with(&params.actions.0);
        let row = ctx.credential_users.get(p.arn.as_str()).copied();
        if !admin && held.is_clear() {
            // Weak credentials on a user whose permissions are only partly
            // known: the missing part may make it an administrator. Strong
            // ones pass whatever the permissions.
            return if row.is_none_or(|r| !weak_credentials(r).is_empty()) {
                Judged::OnPermissions
            } else {
                Judged::Regardless
            };
        }
        let Some(row) = row else {
            out.not_evaluated(
                Some(crate::rules::output::principal_resource(p)),
                format!("user {} is not in the credential report", p.name),
            );
            return Judged::Regardless;
        };
        let weak = weak_credentials(row);
        if weak.is_empty() {
            return Judged::Regardless;
        }
        // Grants that require MFA cannot be used with these credentials (a
        // password without MFA, a long-term key): only the others count.
        let without_mfa = engine.allowed_without_mfa(id);
        let admin = admin && ctx.workmail.admin.is_subset(&without_mfa);
        held.intersect_with(&without_mfa);
        if !admin && held.is_clear() {
            return Judged::Regardless;
        }
        let what = if admin {
            "administers WorkMail".to_owned()
        } else {
            format!(
                "holds {}",
                count(held.count_ones(..), "sensitive WorkMail action")
            )
        };
        let f = out
            .about(p)
            .message(format!(
                "IAM user {} {what} and has {}.",
                p.name,
                weak.join(" and ")
            ))
            .evidence(Evidence {
                detail: Some(format!(
                    "credential report: password_enabled = {}, mfa_active = {}, access_key_1_active = {}, access_key_2_active = {}",
                    row.password_enabled.map_or("not_supported".into(), |b| b.to_string()),
                    row.mfa_active,
                    row.access_key_1_active,
                    row.access_key_2_active
                )),
                ..Evidence::default()
            });
        out.push(f);
        Judged::Regardless
    }
}

fn weak_credentials(row: &CredentialRow) -> Vec<&'static str> {
    let mut weak = Vec::new();
    if row.password_enabled == Some(true) && !row.mfa_active {
        weak.push("a console password without MFA");
    }
    if row.has_active_key() {
        weak.push("an active access key");
    }
    weak
}
