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
        self.decision_on_with(id, action, arn, &[])
    }

    /// [`Engine::decision_on`] for a request that carries these condition
    /// keys with these values (`workmail:ImpersonationRoleId`, say): a
    /// statement whose conditions use only known keys is decided exactly
    /// (applies or not); one that also uses others stays conditional.
    pub fn decision_on_with(
        &self,
        id: PrincipalId,
        action: ActionId,
        arn: &str,
        context: &[(&str, &str)],
    ) -> OnResource {
        let p = self.principal(id);
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for a in self.attachments(p) {
            self.scan_on(
                id,
                a.policy,
                Some(a.via),
                (action, arn, context),
                &mut allows,
                &mut denies,
            );
        }
        let mut boundary_allows = Vec::new();
        if let Some(b) = p.boundary {
            self.scan_on(
                id,
                b,
                None,
                (action, arn, context),
                &mut boundary_allows,
                &mut denies,
            );
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
        // The organization's bound, per action (an SCP scoped to some
        // resources makes it limited, never decided per resource here).
        let decision = match self.controls_over(id).map(|c| c.ceiling()) {
            Some(c) if decision.is_allowed() && c.deny_full.contains(action) => Decision::Denied,
            Some(c) if decision.is_allowed() && !c.allow_any.contains(action) => {
                Decision::NotGranted
            }
            Some(c)
                if decision == Decision::Allowed
                    && (!c.allow_full.contains(action) || c.deny_any.contains(action)) =>
            {
                Decision::Limited
            }
            _ => decision,
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
    fn scan_on(
        &self,
        id: PrincipalId,
        policy: PolicyId,
        via: Option<Via>,
        (action, arn, context): (ActionId, &str, &[(&str, &str)]),
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
            let unknown = if st.conditional && !context.is_empty() {
                let conditions = c.document.statements.get(st.index).map(|s| &s.condition);
                match conditions.map(|cs| conditions_hold(cs, context)) {
                    Some(Known::False) => continue,
                    Some(Known::True) => false,
                    _ => true,
                }
            } else {
                st.conditional
            };
            let r = StatementRef {
                policy,
                via: via.clone(),
                statement: st.index,
                sid: st.sid.clone(),
                conditional: unknown || variable,
            };
            match st.effect {
                Effect::Allow => allows.push(r),
                Effect::Deny => denies.push(r),
            }
        }
    }
}

/// A condition block's value for a request whose context holds some keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    True,
    False,
    /// It uses a key the context does not hold, or an operator not decided here.
    Unknown,
}

/// Conditions are ANDed: one false entry makes the block false, one unknown
/// (with no false) unknown. Only string operators on single-valued keys are
/// decided; anything else is unknown, never guessed.
pub(crate) fn conditions_hold(
    conditions: &crate::policy::Conditions,
    context: &[(&str, &str)],
) -> Known {
    let mut result = Known::True;
    for (op, keys) in conditions {
        for (key, values) in keys {
            let value = context
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| *v);
            let known = match value {
                None => Known::Unknown,
                Some(v) => string_condition(op, values, v),
            };
            match known {
                Known::False => return Known::False,
                Known::Unknown => result = Known::Unknown,
                Known::True => {}
            }
        }
    }
    result
}

fn string_condition(op: &str, values: &[String], v: &str) -> Known {
    let op = op.strip_suffix("IfExists").unwrap_or(op);
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|x| f(x));
    let hit = match op {
        "StringEquals" => any(&|x| x == v),
        "StringEqualsIgnoreCase" => any(&|x| x.eq_ignore_ascii_case(v)),
        "StringLike" => any(&|x| wildcard_match(x, v, false)),
        "StringNotEquals" => !any(&|x| x == v),
        "StringNotEqualsIgnoreCase" => !any(&|x| x.eq_ignore_ascii_case(v)),
        "StringNotLike" => !any(&|x| wildcard_match(x, v, false)),
        _ => return Known::Unknown,
    };
    if hit { Known::True } else { Known::False }
}

#[cfg(test)]
mod condition_tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> crate::policy::Conditions {
        let mut keys = std::collections::BTreeMap::new();
        keys.insert(
            key.to_owned(),
            values.iter().map(|v| (*v).to_owned()).collect(),
        );
        let mut c = crate::policy::Conditions::new();
        c.insert(op.to_owned(), keys);
        c
    }

    #[test]
    fn known_keys_are_decided_and_others_stay_unknown() {
        let ctx = [("workmail:ImpersonationRoleId", "role-1")];
        let k = "workmail:ImpersonationRoleId";
        assert_eq!(
            conditions_hold(&cond("StringEquals", k, &["role-1"]), &ctx),
            Known::True
        );
        assert_eq!(
            conditions_hold(&cond("StringEquals", k, &["role-2"]), &ctx),
            Known::False
        );
        assert_eq!(
            conditions_hold(&cond("StringLike", k, &["role-*"]), &ctx),
            Known::True
        );
        assert_eq!(
            conditions_hold(&cond("StringNotEquals", k, &["role-1"]), &ctx),
            Known::False
        );
        assert_eq!(
            conditions_hold(&cond("StringEqualsIfExists", k, &["role-1"]), &ctx),
            Known::True
        );
        // Keys are case-insensitive, as IAM's are.
        assert_eq!(
            conditions_hold(
                &cond("StringEquals", "WorkMail:impersonationroleid", &["role-1"]),
                &ctx
            ),
            Known::True
        );
        assert_eq!(
            conditions_hold(&cond("StringEquals", "aws:SourceIp", &["x"]), &ctx),
            Known::Unknown
        );
        assert_eq!(
            conditions_hold(&cond("IpAddress", k, &["role-1"]), &ctx),
            Known::Unknown
        );
        // ANDed: a false entry beats an unknown one.
        let mut both = cond("StringEquals", k, &["role-2"]);
        both.extend(cond("Bool", "aws:SecureTransport", &["true"]));
        assert_eq!(conditions_hold(&both, &ctx), Known::False);
    }
}
