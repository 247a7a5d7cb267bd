//! Policies that name actions which do not exist: the permission their
//! author meant to grant (or deny!) is silently missing.

use serde::Deserialize;

use crate::eval::PolicyOrigin;
use crate::findings::{Evidence, ResourceKind};
use crate::policy::ProblemKind;
use crate::rules::context::Context;
use crate::rules::output::{Output, principal_kind};
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Service prefixes whose action names are checked.
    pub services: Vec<String>,
}

pub struct UnknownAction;

impl TypedCheck for UnknownAction {
    type Params = Params;
    const NAME: &'static str = "unknown-action";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn account(&self, ctx: &Context<'_>, params: &Params, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let mut entries: Vec<_> = engine
            .policies
            .entries
            .iter()
            // AWS's own policies are AWS's to fix (and may be newer than our catalog).
            .filter(|e| !e.origin.is_aws_managed())
            .filter_map(|e| e.compiled.as_ref().ok().map(|c| (&e.origin, c)))
            .collect();
        entries.sort_by_key(|(o, _)| policy_sort_key(o));
        for (origin, compiled) in entries {
            for problem in &compiled.problems {
                // A lookalike prefix counts under the service it imitates.
                let meant = match problem.kind {
                    ProblemKind::LookalikeService => problem.suggestion.as_deref(),
                    _ => None,
                };
                let svc = meant
                    .unwrap_or(&problem.pattern)
                    .split(':')
                    .next()
                    .unwrap_or("");
                // `workmail*:X` is in scope of `workmail` too.
                let in_scope = params
                    .services
                    .iter()
                    .any(|s| crate::policy::wildcard_match(svc, s, true));
                if !in_scope {
                    continue;
                }
                let what = match problem.kind {
                    ProblemKind::UnknownAction => "matches no existing action",
                    ProblemKind::MalformedAction => "is not of the form service:action",
                    ProblemKind::LookalikeService => {
                        "names no service: its prefix only looks like one (spaces, invisible \
                         characters or non-Latin letters), so IAM matches no action"
                    }
                };
                let hint = problem
                    .suggestion
                    .as_ref()
                    .map(|s| format!(" Did you mean {s}?"))
                    .unwrap_or_default();
                let element = if problem.in_not_action {
                    "NotAction"
                } else {
                    "Action"
                };
                let (builder, policy_label) = match origin {
                    PolicyOrigin::Managed { arn, name, .. } => (
                        out.finding()
                            .resource(ResourceKind::Policy, name, arn)
                            .message(format!(
                                "Policy {name} names {:?} in statement {} ({element}), which {what}.{hint}",
                                problem.pattern, problem.statement
                            )),
                        arn.clone(),
                    ),
                    PolicyOrigin::Inline { owner, name } => {
                        let Some(pid) = engine.by_arn(owner) else {
                            continue;
                        };
                        let p = engine.principal(pid);
                        (
                            out.finding()
                                .resource(principal_kind(p.kind), &p.name, &p.arn)
                                .message(format!(
                                    "Inline policy {name} of {} {} names {:?} in statement {} ({element}), which {what}.{hint}",
                                    p.kind.as_str(),
                                    p.name,
                                    problem.pattern,
                                    problem.statement
                                )),
                            format!("inline:{name}"),
                        )
                    }
                };
                let f = builder
                    .evidence(Evidence {
                        policy: Some(policy_label.clone()),
                        statement: Some(problem.statement),
                        sid: problem.sid.clone(),
                        actions: vec![problem.pattern.clone().into()],
                        detail: problem
                            .suggestion
                            .as_ref()
                            .map(|s| format!("did you mean {s}")),
                        ..Evidence::default()
                    })
                    .discriminator(format!(
                        "{policy_label}#{}#{}",
                        problem.statement, problem.pattern
                    ));
                out.push(f);
            }
        }
    }
}

fn policy_sort_key(o: &PolicyOrigin) -> (String, String) {
    match o {
        PolicyOrigin::Managed { arn, .. } => (arn.clone(), String::new()),
        PolicyOrigin::Inline { owner, name } => (owner.clone(), name.clone()),
    }
}
