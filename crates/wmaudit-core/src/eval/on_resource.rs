//! One action on one resource: `iam:PassRole` on *this* role, not on any.
//!
//! [`Engine::access`] answers per action over every resource; a statement
//! scoped to `role/Export*` is *limited* there. Here the same rules apply to
//! one ARN: the statement either names it or does not. Computed on demand,
//! per (principal, action, resource), for the few pairs a check asks about.

use crate::catalog::ActionId;
use crate::policy::{CompiledStatement, Effect, ResourceScope, wildcard_match};

use super::{Decision, Engine, PolicyId, PrincipalId, Via};

/// A statement that decided, for provenance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatementRef {
    pub policy: PolicyId,
    /// `None` for the permission boundary.
    pub via: Option<Via>,
    pub statement: usize,
    pub sid: Option<String>,
    /// The statement has a Condition (or a policy variable in its resource).
    pub conditional: bool,
}

/// The decision for one action on one resource, and what made it.
#[derive(Debug, Clone)]
pub struct OnResource {
    pub decision: Decision,
    pub allows: Vec<StatementRef>,
    pub denies: Vec<StatementRef>,
}

/// `${aws:username}` is the calling user's own name: resolved, so a
/// self-service policy (`user/${aws:username}`) reaches that user only.
pub(crate) fn resolve_username<'p>(
    pattern: &'p str,
    username: Option<&str>,
) -> std::borrow::Cow<'p, str> {
    match username {
        Some(u) if pattern.contains("${aws:username}") => {
            std::borrow::Cow::Owned(pattern.replace("${aws:username}", u))
        }
        _ => std::borrow::Cow::Borrowed(pattern),
    }
}

/// Does a statement's resource element match this ARN: definitely
/// (`Some(false)`), only depending on a policy variable (`Some(true)`), or
/// not (`None`)?
fn matches(st: &CompiledStatement, arn: &str, username: Option<&str>) -> Option<bool> {
    let hit = |pats: &[String]| {
        let mut variable = false;
        for p in pats {
            let p = resolve_username(p, username);
            if p.contains("${") {
                variable = true;
            } else if wildcard_match(&p, arn, false) {
                return Some(false);
            }
        }
        variable.then_some(true)
    };
    match &st.resources {
        ResourceScope::All => Some(false),
        ResourceScope::Only(pats) => hit(pats),
        // A variable in a NotResource could exclude this ARN or not.
        ResourceScope::AllExcept(pats) => match hit(pats) {
            Some(false) => None,
            Some(true) => Some(true),
            None => Some(false),
        },
    }
}

impl Engine<'_> {
    /// IAM's decision for `action` on the resource `arn`, for principal `id`:
    /// an unconditional matching Deny denies; otherwise an identity Allow is
    /// needed and, with a boundary, a boundary Allow too. Conditions make a
    /// grant `Limited` and a Deny possible, as in [`Engine::access`].
    pub fn decision_on(&self, id: PrincipalId, action: ActionId, arn: &str) -> OnResource {
        let p = self.principal(id);
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for a in self.attachments(p) {
            self.scan_on(
                id,
                a.policy,
                Some(a.via),
                action,
                arn,
                &mut allows,
                &mut denies,
            );
        }
        let mut boundary_allows = Vec::new();
        if let Some(b) = p.boundary {
            self.scan_on(id, b, None, action, arn, &mut boundary_allows, &mut denies);
        }
        let definite = |v: &[StatementRef]| v.iter().any(|r| !r.conditional);
        let decision = if definite(&denies) {
            Decision::Denied
        } else if allows.is_empty() || (p.boundary.is_some() && boundary_allows.is_empty()) {
            Decision::NotGranted
        } else if definite(&allows)
            && (p.boundary.is_none() || definite(&boundary_allows))
            && denies.is_empty()
        {
            Decision::Allowed
        } else {
            Decision::Limited
        };
        allows.extend(boundary_allows);
        allows.sort();
        denies.sort();
        OnResource {
            decision,
            allows,
            denies,
        }
    }

    /// One policy's statements that match (action, arn), by effect.
    #[allow(clippy::too_many_arguments)]
    fn scan_on(
        &self,
        id: PrincipalId,
        policy: PolicyId,
        via: Option<Via>,
        action: ActionId,
        arn: &str,
        allows: &mut Vec<StatementRef>,
        denies: &mut Vec<StatementRef>,
    ) {
        let Ok(c) = &self.policies.get(policy).compiled else {
            return;
        };
        let me = self.principal(id);
        let username = (me.kind == super::PrincipalKind::User).then_some(me.name.as_str());
        for st in &c.statements {
            if !st.actions.contains(action) {
                continue;
            }
            let Some(variable) = matches(st, arn, username) else {
                continue;
            };
            let r = StatementRef {
                policy,
                via: via.clone(),
                statement: st.index,
                sid: st.sid.clone(),
                conditional: st.conditional || variable,
            };
            match st.effect {
                Effect::Allow => allows.push(r),
                Effect::Deny => denies.push(r),
            }
        }
    }
}
