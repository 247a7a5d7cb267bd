//! Provenance: which statements grant, deny or bound one action for one
//! principal. Computed on demand (for findings and `explain`), not for every
//! action of every principal.

use serde::Serialize;

use super::{Decision, Engine, PolicyId, PrincipalId, Via};
use crate::catalog::ActionId;
use crate::policy::{CompiledStatement, Effect, ResourceScope};

/// One statement that applies to the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    #[serde(skip)]
    pub policy: PolicyId,
    pub via: Via,
    pub statement: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub conditional: bool,
    pub not_action: bool,
    pub resources: ResourceScope,
    /// The statement covers every resource this action can act on.
    pub every_resource: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoundaryExplanation {
    #[serde(skip)]
    pub policy: PolicyId,
    pub allows: Vec<Hit>,
    pub denies: Vec<Hit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    #[serde(skip)]
    pub action: ActionId,
    pub decision: Decision,
    pub grants: Vec<Hit>,
    pub denies: Vec<Hit>,
    pub boundary: Option<BoundaryExplanation>,
    /// The organization's SCPs and RCPs that bound the action for this
    /// principal ("denied by SCP p-xxxx (Name) attached to OU Mail").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<super::controls::ControlBlock>,
    /// Why the decision holds without any statement, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

impl Explanation {
    /// Human-readable reasons why a `Limited` decision is limited.
    pub fn limits(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.decision != Decision::Limited {
            return out;
        }
        if !self.grants.iter().any(|h| !h.conditional) {
            out.push("every grant has a condition".to_owned());
        }
        for h in self.grants.iter().filter(|h| !h.every_resource) {
            match &h.resources {
                ResourceScope::All => {}
                ResourceScope::Only(r) => out.push(format!("only on {}", r.join(", "))),
                ResourceScope::AllExcept(r) => out.push(format!("not on {}", r.join(", "))),
            }
        }
        if !self.denies.is_empty() {
            out.push("a conditional or resource-scoped Deny may apply".to_owned());
        }
        if let Some(b) = &self.boundary
            && (!b.allows.iter().any(|h| !h.conditional && h.every_resource)
                || !b.denies.is_empty())
        {
            out.push("the permission boundary allows it only in part".to_owned());
        }
        out.sort();
        out.dedup();
        out
    }
}

impl Engine<'_> {
    /// Every statement that bears on `action` for `principal`.
    pub fn explain(&self, principal: PrincipalId, action: ActionId) -> Explanation {
        let p = self.principal(principal);
        let mut grants = Vec::new();
        let mut denies = Vec::new();
        for a in self.attachments(p) {
            for (st, hit) in self.hits(a.policy, &a.via, action) {
                match st.effect {
                    Effect::Allow => grants.push(hit),
                    Effect::Deny => denies.push(hit),
                }
            }
        }
        let boundary = p.boundary.map(|b| {
            let (mut allows, mut denies) = (Vec::new(), Vec::new());
            for (st, hit) in self.hits(b, &Via::Direct, action) {
                match st.effect {
                    Effect::Allow => allows.push(hit),
                    Effect::Deny => denies.push(hit),
                }
            }
            BoundaryExplanation {
                policy: b,
                allows,
                denies,
            }
        });
        Explanation {
            action,
            decision: self.access(principal).decision(action),
            grants,
            denies,
            boundary,
            controls: self
                .controls_over(principal)
                .map(|c| c.explain(action))
                .unwrap_or_default(),
            note: (Some(action) == self.catalog().lookup(super::NO_PERMISSION_NEEDED))
                .then_some(super::NO_PERMISSION_NOTE),
        }
    }

    fn hits<'s>(
        &'s self,
        policy: PolicyId,
        via: &'s Via,
        action: ActionId,
    ) -> impl Iterator<Item = (&'s CompiledStatement, Hit)> + 's {
        let statements = match &self.policies.get(policy).compiled {
            Ok(c) => c.statements.as_slice(),
            Err(_) => &[],
        };
        statements
            .iter()
            .filter(move |st| st.actions.contains(action))
            .map(move |st| {
                (
                    st,
                    Hit {
                        policy,
                        via: via.clone(),
                        statement: st.index,
                        sid: st.sid.clone(),
                        effect: st.effect,
                        conditional: st.conditional,
                        not_action: st.not_action,
                        resources: st.resources.clone(),
                        every_resource: st.every_resource().contains(action),
                    },
                )
            })
    }
}
