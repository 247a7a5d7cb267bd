//! A principal that does not hold the goal's actions but can get to them
//! in steps: assuming a role, writing its own permissions, joining a group,
//! taking another user's credentials, running code as a role (`reach`).

use serde::Deserialize;

use crate::findings::{Evidence, Severity};
use crate::reach::Goal;
use crate::rules::context::Context;
use crate::rules::output::{Output, subject};
use crate::rules::params::Actions;
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationParams {
    /// The actions to reach (any of them), or none with `every_action`.
    #[serde(default)]
    pub actions: Option<Actions>,
    /// The goal is every action on every resource (admin-equivalence).
    #[serde(default)]
    pub every_action: bool,
    /// What holding them allows, for the message.
    pub capability: String,
    /// Designated WorkMail administrators may reach them.
    pub exempt_designated_admins: bool,
}

pub struct EscalationPath;

impl TypedCheck for EscalationPath {
    type Params = EscalationParams;
    const NAME: &'static str = "escalation-path";
    const NEEDS: &'static [Part] = &[Part::AuthorizationDetails];

    fn check_params(&self, p: &EscalationParams) -> Result<(), String> {
        match (&p.actions, p.every_action) {
            (Some(_), false) | (None, true) => Ok(()),
            _ => Err("give either `actions` or `every_action = true`".to_owned()),
        }
    }

    fn account(&self, ctx: &Context<'_>, params: &EscalationParams, out: &mut Output<'_>) {
        let engine = ctx.engine();
        let every = engine.catalog().full_set();
        let goal = match &params.actions {
            Some(a) => Goal::Any(&a.0),
            None => Goal::All(&every),
        };

        let reach = ctx.reach(goal);
        for (id, p) in ctx.acting_principals() {
            if params.exempt_designated_admins && ctx.admins.contains(&id) {
                continue;
            }
            if let Some(pot) = reach.potential.get(&id) {
                // Through existing resources: possible, never definite.
                let more = pot.role_count.saturating_sub(pot.roles.len());
                let roles: Vec<String> = pot
                    .roles
                    .iter()
                    .map(|r| format!("role/{}", r.rsplit('/').next().unwrap_or(r)))
                    .collect();
                let f = out
                    .about(p)
                    .discriminator("potential")
                    .severity(Severity::Medium)
                    .message(format!(
                        "{} has no definite path to the actions to {}, but may get to them \
                         through existing {} resources: it can {}, and {} runs {} that can \
                         ({}{}). IAM data does not show which resource runs as which role: \
                         check them.",
                        subject(p),
                        params.capability,
                        pot.service,
                        pot.actions.join(" and "),
                        pot.service,
                        crate::rules::output::count(pot.role_count, "role"),
                        roles.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ))
                    .evidence(Evidence {
                        actions: pot.actions.iter().map(|a| (*a).to_owned().into()).collect(),
                        detail: Some(format!(
                            "potential: {} resources may run as {}",
                            pot.service,
                            pot.roles.join(", ")
                        )),
                        ..Evidence::default()
                    });
                out.push(f);
                continue;
            }
            let Some(path) = reach.paths.get(&id) else {
                // Not reached and known only in part: the missing part may
                // hold a step.
                if !p.is_complete() && !goal.held_by(engine, id) {
                    out.inconclusive(p);
                }
                continue;
            };
            let line = crate::reach::path_line(&format!("{}/{}", p.kind.as_str(), p.name), path);
            let conditional = path.iter().any(|s| s.conditional);
            let f = out
                .about(p)
                .message(format!(
                    "{} does not hold the actions to {} but can get to them{}: {}.",
                    subject(p),
                    params.capability,
                    if conditional { " in some cases" } else { "" },
                    line.join(" → ")
                ))
                .evidence_all(path.iter().enumerate().map(|(i, s)| Evidence {
                    actions: s.actions.iter().map(|a| (*a).to_owned().into()).collect(),
                    detail: Some(format!(
                        "step {}: {} {}{}",
                        i + 1,
                        s.method.verb(),
                        s.target,
                        if s.conditional {
                            " (under a condition)"
                        } else {
                            ""
                        }
                    )),
                    ..Evidence::default()
                }));
            out.push(f);
        }
    }
}
