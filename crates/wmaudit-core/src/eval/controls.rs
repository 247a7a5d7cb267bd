//! Organizations' control policies in the engine (Organizations User Guide,
//! "SCP evaluation"): at every level from the root through each OU to the
//! account, some attached SCP must allow an action, and a Deny in any SCP on
//! the path wins. SCPs grant nothing; they bound. They do not apply to the
//! management account nor to service-linked roles. RCPs bound what can be
//! done to the account's resources; they are applied, the same way, to the
//! actions of the RCP services this catalog holds ([`RCP_SERVICES`]).
//!
//! The bound is one [`Aggregate`] per account, intersected with every
//! principal's access once: no per-principal policy walk.

use serde::Serialize;

use super::policies::{Aggregate, parse_raw};
use super::{Principal, PrincipalKind};
use crate::catalog::{ActionId, ActionSet, Catalog};
use crate::org::{AccountControls, LevelKind, OrgPolicy, RCP};
use crate::policy::{CompiledPolicy, Compiler, Effect, PolicyError};

/// Services of this catalog that support RCPs (Organizations User Guide,
/// "Resource control policies", supported services). WorkMail is not one.
pub const RCP_SERVICES: &[&str] = &["kms", "s3", "sts"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ControlKind {
    #[serde(rename = "scp")]
    Scp,
    #[serde(rename = "rcp")]
    Rcp,
}

impl ControlKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlKind::Scp => "SCP",
            ControlKind::Rcp => "RCP",
        }
    }
}

#[derive(Debug)]
pub struct ControlPolicy {
    pub id: String,
    pub name: String,
    pub kind: ControlKind,
    pub compiled: Result<CompiledPolicy, PolicyError>,
    pub aggregate: Aggregate,
}

#[derive(Debug, Clone)]
pub struct ControlLevel {
    pub kind: LevelKind,
    pub id: String,
    pub name: String,
    /// Indexes into [`Controls::policies`].
    pub policies: Vec<usize>,
}

impl ControlLevel {
    /// `OU Mail (ou-ab12-cdef3456)`.
    pub fn label(&self) -> String {
        self.kind.label(&self.name, &self.id)
    }
}

/// The control policies over one account, compiled.
#[derive(Debug)]
pub struct Controls {
    pub policies: Vec<ControlPolicy>,
    pub scp_levels: Option<Vec<ControlLevel>>,
    pub rcp_levels: Option<Vec<ControlLevel>>,
    pub management: bool,
    /// Why the bound is not fully known (unread lists, unreadable documents).
    pub problems: Vec<String>,
    ceiling: Aggregate,
    rcp_scope: ActionSet,
}

/// Why a control policy bounds one action.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ControlBlock {
    pub kind: ControlKind,
    /// `deny`: a Deny statement; `not_allowed`: no policy at the level allows it.
    pub reason: BlockReason,
    pub level: String,
    pub policy_id: Option<String>,
    pub policy_name: Option<String>,
    pub sid: Option<String>,
    /// The Deny has a condition (or the Allow at the level is only partial):
    /// the action may still be allowed.
    pub conditional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    Deny,
    NotAllowed,
}

impl ControlBlock {
    /// "denied by SCP p-xxxx (DenyMailExport) attached to OU Mail (ou-...)".
    pub fn describe(&self) -> String {
        let kind = self.kind.as_str();
        match (self.reason, &self.policy_id, self.conditional) {
            (BlockReason::Deny, Some(id), false) => format!(
                "denied by {kind} {id} ({}) attached to {}{}",
                self.policy_name.as_deref().unwrap_or(""),
                self.level,
                self.sid
                    .as_ref()
                    .map(|s| format!(", statement {s}"))
                    .unwrap_or_default()
            ),
            (BlockReason::Deny, Some(id), true) => format!(
                "may be denied by a conditional or resource-scoped Deny in {kind} {id} ({}) attached to {}",
                self.policy_name.as_deref().unwrap_or(""),
                self.level
            ),
            (_, _, true) => format!(
                "allowed only in part by the {kind}s attached to {}",
                self.level
            ),
            _ => format!("not allowed by any {kind} attached to {}", self.level),
        }
    }
}

impl Controls {
    pub fn build(raw: &AccountControls<'_>, compiler: &mut Compiler<'_>) -> Controls {
        let catalog = compiler.catalog();
        let mut policies: Vec<ControlPolicy> = Vec::new();
        let mut problems = raw.problems.clone();
        let mut levels = |list: &Option<Vec<crate::org::Level<'_>>>| {
            list.as_ref().map(|levels| {
                levels
                    .iter()
                    .map(|l| ControlLevel {
                        kind: l.kind,
                        id: l.id.to_owned(),
                        name: l.name.to_owned(),
                        policies: l
                            .policies
                            .iter()
                            .map(|p| intern(&mut policies, &mut problems, compiler, p))
                            .collect(),
                    })
                    .collect::<Vec<_>>()
            })
        };
        let scp_levels = levels(&raw.scps);
        let rcp_levels = levels(&raw.rcps);
        let mut rcp_scope = catalog.empty_set();
        for s in RCP_SERVICES {
            rcp_scope.union_with(&catalog.service_set(s));
        }
        let mut ceiling = bound(catalog, &policies, scp_levels.as_deref(), None);
        let rcp = bound(catalog, &policies, rcp_levels.as_deref(), Some(&rcp_scope));
        ceiling.bound_by(&rcp);
        problems.sort();
        problems.dedup();
        Controls {
            policies,
            scp_levels,
            rcp_levels,
            management: raw.management,
            problems,
            ceiling,
            rcp_scope,
        }
    }

    /// Whether the bound applies to `p`: not in the management account, not
    /// a service-linked role.
    pub fn applies_to(&self, p: &Principal) -> bool {
        !self.management && !is_service_linked(p)
    }

    /// The account's bound: what every level allows, what any level denies.
    pub fn ceiling(&self) -> &Aggregate {
        &self.ceiling
    }

    /// Every reason the control policies bound `action` (empty: they do not).
    pub fn explain(&self, action: ActionId) -> Vec<ControlBlock> {
        let mut out = Vec::new();
        for (kind, levels) in [
            (ControlKind::Scp, &self.scp_levels),
            (ControlKind::Rcp, &self.rcp_levels),
        ] {
            let Some(levels) = levels else { continue };
            if kind == ControlKind::Rcp && !self.rcp_scope.contains(action) {
                continue;
            }
            for level in levels {
                let mut allowed_any = false;
                let mut allowed_full = false;
                for &pi in &level.policies {
                    let p = &self.policies[pi];
                    allowed_any |= p.aggregate.allow_any.contains(action);
                    allowed_full |= p.aggregate.allow_full.contains(action);
                    let Ok(c) = &p.compiled else { continue };
                    for st in c.statements.iter().filter(|s| s.effect == Effect::Deny) {
                        if !st.actions.contains(action) {
                            continue;
                        }
                        let definite = st.definite().is_some_and(|d| d.contains(action));
                        out.push(ControlBlock {
                            kind,
                            reason: BlockReason::Deny,
                            level: level.label(),
                            policy_id: Some(p.id.clone()),
                            policy_name: Some(p.name.clone()),
                            sid: st.sid.clone(),
                            conditional: !definite,
                        });
                    }
                }
                if !allowed_full {
                    out.push(ControlBlock {
                        kind,
                        reason: BlockReason::NotAllowed,
                        level: level.label(),
                        policy_id: None,
                        policy_name: None,
                        sid: None,
                        conditional: allowed_any,
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The index of `p` in `policies`, compiling it the first time it is seen
/// (FullAWSAccess is attached at every level); a document that does not
/// compile bounds nothing and is a problem.
fn intern(
    policies: &mut Vec<ControlPolicy>,
    problems: &mut Vec<String>,
    compiler: &mut Compiler<'_>,
    p: &OrgPolicy,
) -> usize {
    if let Some(i) = policies.iter().position(|c| c.id == p.id) {
        return i;
    }
    let catalog = compiler.catalog();
    let kind = if p.kind == RCP {
        ControlKind::Rcp
    } else {
        ControlKind::Scp
    };
    let compiled = parse_raw(&p.document).and_then(|d| compiler.compile(d));
    let aggregate = match &compiled {
        Ok(c) => Aggregate::of(c, catalog),
        Err(e) => {
            problems.push(format!(
                "{} {} ({}) cannot be evaluated: {e}",
                kind.as_str(),
                p.id,
                p.name
            ));
            Aggregate::empty(catalog)
        }
    };
    policies.push(ControlPolicy {
        id: p.id.clone(),
        name: p.name.clone(),
        kind,
        compiled,
        aggregate,
    });
    policies.len() - 1
}

/// Service-linked roles live under `/aws-service-role/` (IAM User Guide).
pub fn is_service_linked(p: &Principal) -> bool {
    p.kind == PrincipalKind::Role && p.arn.contains(":role/aws-service-role/")
}

/// One kind's bound: intersection over levels of the union of each level's
/// policies' allows; union of every deny. `scope`: the actions the kind
/// covers (every other action is unbounded by it).
fn bound(
    catalog: &Catalog,
    policies: &[ControlPolicy],
    levels: Option<&[ControlLevel]>,
    scope: Option<&ActionSet>,
) -> Aggregate {
    let mut out = Aggregate {
        allow_any: catalog.full_set(),
        allow_full: catalog.full_set(),
        deny_any: catalog.empty_set(),
        deny_full: catalog.empty_set(),
    };
    let Some(levels) = levels else {
        return out;
    };
    for level in levels {
        let mut here = Aggregate::empty(catalog);
        for &pi in &level.policies {
            here.union_with(&policies[pi].aggregate);
        }
        out.bound_by(&here);
    }
    if let Some(scope) = scope {
        let mut outside = catalog.full_set();
        outside.difference_with(scope);
        out.allow_any.union_with(&outside);
        out.allow_full.union_with(&outside);
        out.deny_any.intersect_with(scope);
        out.deny_full.intersect_with(scope);
    }
    out
}
