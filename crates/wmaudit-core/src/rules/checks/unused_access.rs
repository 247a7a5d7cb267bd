//! Access held but not used: IAM's service last accessed data (opt-in,
//! `--last-accessed`) against what a principal is allowed.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::eval::{Principal, PrincipalId};
use crate::findings::Evidence;
use crate::rules::context::Context;
use crate::rules::output::{Output, count, principal_resource, subject};
use crate::rules::params::Services;
use crate::rules::registry::{Judged, Scope, TypedCheck};
use crate::snapshot::Part;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnusedParams {
    /// What to call the services in messages ("WorkMail").
    pub label: String,
    pub services: Services,
    /// Unused for more than this many days is reported.
    pub days: u32,
}

pub struct UnusedServiceAccess;

impl TypedCheck for UnusedServiceAccess {
    type Params = UnusedParams;
    const NAME: &'static str = "unused-service-access";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails, Part::ServiceLastAccessed];
    const SCOPE: Scope = Scope::ActingPrincipals;

    fn principal(
        &self,
        ctx: &Context<'_>,
        params: &UnusedParams,
        id: PrincipalId,
        p: &Principal,
        out: &mut Output<'_>,
    ) -> Judged {
        let engine = ctx.engine();
        let mut held = engine.access(id).allowed.clone();
        held.intersect_with(&params.services.actions);
        if held.is_clear() {
            return Judged::OnPermissions;
        }
        let report = ctx
            .snapshot
            .service_last_accessed
            .as_ref()
            .and_then(|all| all.get(&p.arn));
        let Some(report) = report else {
            out.not_evaluated(
                Some(principal_resource(p)),
                format!(
                    "{} holds {} actions but has no service last accessed report in the snapshot \
                     (its IAM job did not finish, or it was created after collection)",
                    subject(p),
                    params.label
                ),
            );
            return Judged::Regardless;
        };
        let parse = |t: &str| OffsetDateTime::parse(t, &Rfc3339).ok();
        // The latest use of any of the services.
        let last = params
            .services
            .prefixes
            .iter()
            .filter_map(|svc| report.services.get(svc).cloned().flatten())
            .filter_map(|t| parse(&t).map(|at| (at, t)))
            .max();
        let held_text = count(held.count_ones(..), &format!("{} action", params.label));
        let message = match &last {
            None => format!(
                "{} holds {held_text} and has not used {} within IAM's tracking period \
                 (report of {}).",
                subject(p),
                params.label,
                report.job_completed_at
            ),
            Some((at, _)) => {
                let days = (ctx.as_of - *at).whole_days();
                if days <= i64::from(params.days) {
                    return Judged::Regardless;
                }
                format!(
                    "{} holds {held_text} and last used {} on {} ({} ago, more than {}).",
                    subject(p),
                    params.label,
                    at.date(),
                    count(usize::try_from(days).unwrap_or(usize::MAX), "day"),
                    count(params.days as usize, "day")
                )
            }
        };
        let detail = match &last {
            None => format!(
                "service last accessed: never within the tracking period ({})",
                params.services.prefixes.join(", ")
            ),
            Some((_, t)) => format!("service last accessed: {t}"),
        };
        let f = out
            .about(p)
            .message(message)
            .evidence(Evidence {
                detail: Some(detail),
                ..Evidence::default()
            })
            .evidence_all(ctx.grant_evidence(id, &held));
        out.push(f);
        Judged::Regardless
    }
}
