//! IAM users and groups: AWS's WorkMail prerequisites ask for IAM users in
//! groups, with an administrators group, instead of root or per-user grants.

use std::collections::BTreeSet;

use crate::eval::{Principal, PrincipalId, PrincipalKind};
use crate::findings::{Evidence, Resource, ResourceKind};
use crate::rules::context::Context;
use crate::rules::output::Output;
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::Part;

use super::root::NoParams;

pub struct NoAdminGroup;

impl TypedCheck for NoAdminGroup {
    type Params = NoParams;
    const NAME: &'static str = "iam-no-admin-group";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let everything = engine.catalog().full_set();
        let members: BTreeSet<&str> = engine
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::User)
            .flat_map(|p| p.groups.iter().map(String::as_str))
            .collect();
        let known: BTreeSet<&str> = engine
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Group)
            .map(|p| p.name.as_str())
            .collect();
        // A group users belong to but the data lacks may be the admin group.
        let mut incomplete: Vec<String> = members
            .iter()
            .filter(|m| !known.contains(*m))
            .map(|m| format!("{m} (not in the account data)"))
            .collect();
        for (id, g) in ctx.all_principals() {
            if g.kind != PrincipalKind::Group || !members.contains(g.name.as_str()) {
                continue;
            }
            if everything.is_subset(&engine.access(id).allowed) {
                return;
            }
            if !g.is_complete() {
                incomplete.push(g.name.clone());
            }
        }
        if !incomplete.is_empty() {
            out.not_evaluated(
                None,
                format!(
                    "no group with members is an administrators group, but these groups could not be fully evaluated: {}",
                    incomplete.join(", ")
                ),
            );
            return;
        }
        let f = out
            .finding()
            .resource(ResourceKind::Account, &ctx.account_id, &ctx.root_arn())
            .message(format!(
                "Account {} has no IAM group with administrative permissions that has a member.",
                ctx.account_id
            ))
            .evidence(Evidence {
                detail: Some(format!(
                    "{} with members; none allows every action wmaudit evaluates",
                    crate::rules::output::count(members.len(), "group")
                )),
                ..Evidence::default()
            });
        out.push(f);
    }
}

pub struct UserDirectPolicies;

impl TypedCheck for UserDirectPolicies {
    type Params = NoParams;
    const NAME: &'static str = "iam-user-direct-policies";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    const SCOPE: Scope = Scope::ActingPrincipals;

    // From the account data: an attachment counts even when its document is
    // missing (the evaluated attachments leave such policies out), so the
    // verdict stands whatever is unknown about the user's permissions.
    fn principal(
        &self,
        ctx: &Context<'_>,
        _: &NoParams,
        _: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        if p.kind != PrincipalKind::User {
            return Judged::Regardless;
        }
        let Some(user) = ctx.account_users.get(p.arn.as_str()) else {
            return Judged::Regardless;
        };
        let direct: BTreeSet<String> = user
            .attached_policies
            .iter()
            .map(|a| a.arn.clone())
            .chain(
                user.inline_policies
                    .iter()
                    .map(|i| format!("inline:{}", i.name)),
            )
            .collect();
        if direct.is_empty() {
            return Judged::Regardless;
        }
        let f = out
            .about(p)
            .message(format!(
                "IAM user {} has {} {} attached directly instead of through a group: {}.",
                p.name,
                direct.len(),
                if direct.len() == 1 {
                    "policy"
                } else {
                    "policies"
                },
                direct.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .evidence_all(direct.into_iter().map(|policy| Evidence {
                policy: Some(policy),
                attached: Some("directly".into()),
                ..Evidence::default()
            }));
        out.push(f);
        Judged::Regardless
    }
}

pub struct ConsoleWithoutMfa;

impl TypedCheck for ConsoleWithoutMfa {
    type Params = NoParams;
    const NAME: &'static str = "iam-console-without-mfa";
    const NEEDS: &'static [Part] = &[Part::CredentialReport];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let Some(report) = &ctx.snapshot.credential_report else {
            return;
        };
        let generated = report.generated_at.map_or_else(
            || "at an unknown time".to_owned(),
            |d| format!("at {}", d.render()),
        );
        // Joined by ARN with the authorization details, when present: a row
        // without a user there would be a finding about nobody (a user
        // deleted since, or data from two times), and a user without a row
        // (created since: reports can be 4 hours old) would pass unjudged.
        let account = ctx.snapshot.account.as_ref();
        let mut rows: Vec<_> = report.rows.iter().filter(|r| !r.is_root()).collect();
        rows.sort_by(|a, b| a.arn.cmp(&b.arn));
        for r in rows {
            let resource = Resource {
                arn: r.arn.clone(),
                kind: ResourceKind::User,
                name: r.user.clone(),
            };
            if account.is_some() && !ctx.account_users.contains_key(r.arn.as_str()) {
                out.not_evaluated(
                    Some(resource),
                    format!(
                        "the credential report (generated {generated}) has a row for {} that \
                         matches no IAM user of the authorization details: a user deleted since, \
                         or files from different times; not judged",
                        r.arn
                    ),
                );
                continue;
            }
            let Some(password) = r.password_enabled else {
                out.not_evaluated(
                    Some(resource),
                    format!(
                        "the credential report says password_enabled = not_supported for IAM user \
                         {}, which AWS writes only for the root user; whether it can sign in is unknown",
                        r.user
                    ),
                );
                continue;
            };
            if !password || r.mfa_active {
                continue;
            }
            let f = out
                .finding()
                .resource(ResourceKind::User, &r.user, &r.arn)
                .message(format!(
                    "IAM user {} can sign in to the console and has no MFA device.",
                    r.user
                ))
                .evidence(Evidence {
                    detail: Some(format!(
                        "credential report: password_enabled = true, mfa_active = false, password_last_used = {}",
                        r.password_last_used.render()
                    )),
                    ..Evidence::default()
                });
            out.push(f);
        }
        // Users in ARN order (the account is normalized), each looked up in
        // the context's index of report rows.
        for u in account.into_iter().flat_map(|a| &a.users) {
            if !ctx.credential_users.contains_key(u.arn.as_str()) {
                let name = &u.name;
                out.not_evaluated(
                    Some(Resource {
                        arn: u.arn.clone(),
                        kind: ResourceKind::User,
                        name: name.clone(),
                    }),
                    format!(
                        "IAM user {name} is not in the credential report (generated {generated}; \
                         a report can be up to 4 hours old): whether it can sign in without MFA is unknown"
                    ),
                );
            }
        }
    }
}
