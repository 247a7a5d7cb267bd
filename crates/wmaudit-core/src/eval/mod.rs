//! Effective permissions, computed the way IAM decides for identity-based
//! policies within one account:
//!
//! 1. an explicit Deny (identity policy or permission boundary) wins;
//! 2. otherwise an Allow in an identity policy is needed;
//! 3. and, when a permission boundary is set, an Allow in the boundary too.
//!
//! Conditions are not evaluated (wmaudit has no request context): an Allow
//! with a Condition counts as *limited*, a Deny with a Condition as not
//! definite. A resource-scoped statement is definite for the actions whose
//! every resource it covers (`organization/*`), limited for the others; an
//! action that takes no resource is matched only by `"Resource": "*"`.
//! `sts:GetCallerIdentity` needs no permission and cannot be denied.
//! 4. in a member account of an AWS Organization, the SCPs (and, for the
//!    RCP services, the RCPs) on the account's path bound the result
//!    ([`controls`]).
//!
//! Session policies and resource-based policies are out of scope (see
//! docs/evaluation.md).

pub mod controls;
mod explain;
pub mod on_resource;
mod policies;
mod principals;
pub mod trust;

use serde::Serialize;

use crate::account::Account;
use crate::catalog::{ActionId, ActionSet, Catalog};
use crate::policy::Compiler;

pub use explain::{BoundaryExplanation, Explanation, Hit};
pub(crate) use on_resource::resolve_username;
pub use on_resource::{OnResource, StatementRef};
pub use policies::{Aggregate, PolicyEntry, PolicyId, PolicyOrigin, PolicyTable, parse_raw};
pub use principals::{AttachKind, Attachment, Principal, PrincipalId, PrincipalKind, Via};

/// The verdict for one principal and one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Allowed on every resource with no condition, and nothing may deny it.
    Allowed,
    /// Allowed in some cases: only on some resources, only under a condition,
    /// or with a conditional/scoped Deny that may take it away.
    Limited,
    /// Explicitly and definitely denied.
    Denied,
    /// No Allow reaches it (or the permission boundary does not allow it).
    NotGranted,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Limited => "limited",
            Decision::Denied => "denied",
            Decision::NotGranted => "not granted",
        }
    }

    pub fn is_allowed(self) -> bool {
        matches!(self, Decision::Allowed | Decision::Limited)
    }
}

/// A principal's effective permissions over the whole catalog.
#[derive(Debug, Clone)]
pub struct Access {
    /// Allowed in at least some case (`Allowed` or `Limited`).
    pub allowed: ActionSet,
    /// Allowed in every case (`Allowed`).
    pub full: ActionSet,
    /// Definitely denied.
    pub denied: ActionSet,
    /// Allowed by identity policies but not by the permission boundary.
    pub boundary_blocked: ActionSet,
    /// Allowed by identity policies before any Deny or boundary applies.
    pub identity_allowed: ActionSet,
    /// Allowed by the identity policies and boundary, but taken away (or
    /// made conditional) by the organization's SCPs or RCPs.
    pub control_blocked: ActionSet,
}

impl Access {
    pub fn decision(&self, action: ActionId) -> Decision {
        if self.denied.contains(action) {
            Decision::Denied
        } else if self.full.contains(action) {
            Decision::Allowed
        } else if self.allowed.contains(action) {
            Decision::Limited
        } else {
            Decision::NotGranted
        }
    }
}

/// An account's principals and policies, compiled and evaluated.
pub struct Engine<'c> {
    catalog: &'c Catalog,
    pub policies: PolicyTable,
    pub principals: Vec<Principal>,
    access: Vec<Access>,
    by_arn: std::collections::HashMap<String, PrincipalId>,
    /// Principal ids sorted by kind, then ARN.
    ordered: Vec<PrincipalId>,
    /// AWS managed policies evaluated from wmaudit's embedded copy because the
    /// account data lacked them.
    pub builtin_fallbacks: Vec<String>,
    /// The organization's SCPs and RCPs over this account, when known.
    pub controls: Option<controls::Controls>,
}

impl<'c> Engine<'c> {
    /// Compiles every distinct policy once, then evaluates every principal.
    pub fn new(catalog: &'c Catalog, account: &Account) -> Self {
        Self::with_controls(catalog, account, None)
    }

    /// [`Engine::new`] for a member account of an organization: every
    /// principal's access is bounded by the SCPs and RCPs on its path.
    pub fn with_controls(
        catalog: &'c Catalog,
        account: &Account,
        controls: Option<&crate::org::AccountControls<'_>>,
    ) -> Self {
        let mut compiler = Compiler::new(catalog).in_partition(&partition_of(account));
        let controls = controls.map(|c| controls::Controls::build(c, &mut compiler));
        let (mut policies, builtin_fallbacks) = PolicyTable::build(account, &mut compiler);
        let mut principals = principals::build(account, &mut policies, &mut compiler);
        // Control policies known only in part: every principal they bound is
        // known only in part, and the runner makes its checks *not evaluated*.
        if let Some(c) = controls.as_ref().filter(|c| !c.problems.is_empty()) {
            let why = format!(
                "the organization's control policies over it are known only in part: {}",
                c.problems.join("; ")
            );
            for p in principals.iter_mut().filter(|p| c.applies_to(p)) {
                p.problems.push(why.clone());
            }
        }
        // Each group's policies, unioned once for all its members.
        let group_aggregates: Vec<Option<Aggregate>> = principals
            .iter()
            .map(|p| {
                (p.kind == PrincipalKind::Group).then(|| {
                    let mut agg = Aggregate::empty(catalog);
                    for a in &p.attachments {
                        agg.union_with(&policies.get(a.policy).aggregate);
                    }
                    agg
                })
            })
            .collect();
        let access = principals
            .iter()
            .map(|p| {
                let ceiling = controls
                    .as_ref()
                    .filter(|c| c.applies_to(p))
                    .map(controls::Controls::ceiling);
                evaluate(
                    catalog,
                    (&policies, &group_aggregates, &principals),
                    p,
                    ceiling,
                )
            })
            .collect();
        let by_arn = principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i))
            .collect();
        let mut ordered: Vec<PrincipalId> = (0..principals.len()).collect();
        ordered.sort_by(|&a, &b| {
            let (pa, pb) = (&principals[a], &principals[b]);
            (pa.kind, &pa.arn).cmp(&(pb.kind, &pb.arn))
        });
        Engine {
            catalog,
            policies,
            principals,
            access,
            by_arn,
            ordered,
            builtin_fallbacks,
            controls,
        }
    }

    /// The control policies over `id`, when they apply to it.
    pub fn controls_over(&self, id: PrincipalId) -> Option<&controls::Controls> {
        self.controls
            .as_ref()
            .filter(|c| c.applies_to(self.principal(id)))
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    pub fn access(&self, id: PrincipalId) -> &Access {
        &self.access[id]
    }

    pub fn principal(&self, id: PrincipalId) -> &Principal {
        &self.principals[id]
    }

    /// Principal ids in a stable order: kind, then ARN. Sorted once: every
    /// rule walks the principals in this order.
    pub fn principal_ids(&self) -> &[PrincipalId] {
        &self.ordered
    }

    /// Every identity policy of `p` and how it reaches it: its own, then
    /// each group's in membership order.
    pub fn attachments<'a>(&'a self, p: &'a Principal) -> impl Iterator<Item = Attachment> + 'a {
        p.attachments
            .iter()
            .cloned()
            .chain(p.member_of.iter().flat_map(move |&g| {
                let group = &self.principals[g];
                let via = Via::Group(group.name.clone());
                group.attachments.iter().map(move |a| Attachment {
                    policy: a.policy,
                    via: via.clone(),
                    kind: a.kind,
                })
            }))
    }

    /// The actions `id` is allowed through grants that do not require MFA:
    /// what a user without an MFA device, or a long-term access key, can use.
    /// Computed on demand (for findings about weak credentials).
    pub fn allowed_without_mfa(&self, id: PrincipalId) -> ActionSet {
        let p = self.principal(id);
        let mut out = self.catalog.empty_set();
        for a in self.attachments(p) {
            if let Ok(c) = &self.policies.get(a.policy).compiled {
                for st in &c.statements {
                    if st.effect == crate::policy::Effect::Allow && !st.mfa_required {
                        out.union_with(&st.actions);
                    }
                }
            }
        }
        out.intersect_with(&self.access(id).allowed);
        if let Some(a) = self.catalog.lookup(NO_PERMISSION_NEEDED) {
            out.insert(a);
        }
        out
    }

    /// The principal with this ARN.
    pub fn by_arn(&self, arn: &str) -> Option<PrincipalId> {
        self.by_arn.get(arn).copied()
    }

    /// Finds a principal by ARN, or by name (users, then groups, then roles).
    /// Also what reports print: `user/judy`, `role/path/Deploy` (the kind
    /// limits the search), and names in any case, as IAM compares them.
    pub fn find(&self, name_or_arn: &str) -> Vec<PrincipalId> {
        if name_or_arn.starts_with("arn:") {
            return self.by_arn(name_or_arn).into_iter().collect();
        }
        let (kind, name) = match name_or_arn.split_once('/') {
            Some(("user", rest)) => (Some(PrincipalKind::User), rest),
            Some(("group", rest)) => (Some(PrincipalKind::Group), rest),
            Some(("role", rest)) => (Some(PrincipalKind::Role), rest),
            _ => (None, name_or_arn),
        };
        // After a kind, a path before the name (`role/service/Deploy`).
        let name = if kind.is_some() {
            name.rsplit('/').next().unwrap_or(name)
        } else {
            name
        };
        let mut ids: Vec<PrincipalId> = (0..self.principals.len())
            .filter(|&i| {
                let p = &self.principals[i];
                kind.is_none_or(|k| p.kind == k) && p.name.eq_ignore_ascii_case(name)
            })
            .collect();
        ids.sort_by_key(|&i| self.principals[i].kind);
        ids
    }
}

/// The one action any caller may call whatever the policies say: "No
/// permissions are required to perform this operation. If an administrator
/// attaches a policy to your identity that explicitly denies access to the
/// sts:GetCallerIdentity action, you can still perform this operation"
/// (STS API reference, GetCallerIdentity).
pub(crate) const NO_PERMISSION_NEEDED: &str = "sts:GetCallerIdentity";
pub(crate) const NO_PERMISSION_NOTE: &str =
    "needs no permission and cannot be denied (STS API reference, GetCallerIdentity)";

/// The partition of the account's ARNs (`aws` when none says).
fn partition_of(account: &Account) -> String {
    account
        .users
        .iter()
        .map(|u| &u.arn)
        .chain(account.groups.iter().map(|g| &g.arn))
        .chain(account.roles.iter().map(|r| &r.arn))
        .find_map(|arn| arn.split(':').nth(1).filter(|p| !p.is_empty()))
        .unwrap_or("aws")
        .to_owned()
}

fn evaluate(
    catalog: &Catalog,
    (table, groups, principals): (&PolicyTable, &[Option<Aggregate>], &[Principal]),
    p: &Principal,
    ceiling: Option<&Aggregate>,
) -> Access {
    let mut id = Aggregate::empty(catalog);
    for a in &p.attachments {
        id.union_with(&table.get(a.policy).aggregate);
    }
    for g in p.member_of.iter().filter_map(|&g| groups[g].as_ref()) {
        id.union_with(g);
    }
    let boundary = p.boundary.map(|b| &table.get(b).aggregate);

    let mut denied = id.deny_full.clone();
    if let Some(b) = boundary {
        denied.union_with(&b.deny_full);
    }

    let mut allowed = id.allow_any.clone();
    allowed.difference_with(&denied);
    let mut boundary_blocked = catalog.empty_set();
    if let Some(b) = boundary {
        boundary_blocked = allowed.clone();
        boundary_blocked.difference_with(&b.allow_any);
        allowed.intersect_with(&b.allow_any);
    }

    let mut full = id.allow_full.clone();
    full.difference_with(&id.deny_any);
    if let Some(b) = boundary {
        full.intersect_with(&b.allow_full);
        full.difference_with(&b.deny_any);
    }
    full.intersect_with(&allowed);

    // Allowed only where a Deny also applies: every resource pattern of every
    // Allow is contained in an unconditional Deny's (Allow and Deny on the
    // same organization ARN). Only actions with a resource-scoped Deny are
    // looked at, so this costs nothing for most principals.
    let mut scoped_deny = id.deny_any.clone();
    scoped_deny.difference_with(&id.deny_full);
    scoped_deny.intersect_with(&allowed);
    if !scoped_deny.is_clear() {
        let own = p.attachments.iter().map(|a| a.policy);
        let via_groups = p
            .member_of
            .iter()
            .flat_map(|&g| principals[g].attachments.iter().map(|a| a.policy));
        let policies: Vec<PolicyId> = own.chain(via_groups).collect();
        for a in scoped_deny.ones() {
            if allows_only_where_denied(table, &policies, p.boundary, a) {
                allowed.set(a, false);
                full.set(a, false);
                denied.insert(a);
            }
        }
    }

    // The organization's bound: what no level allows goes, a Deny anywhere
    // on the path denies, anything only partly allowed is limited.
    let mut control_blocked = catalog.empty_set();
    if let Some(c) = ceiling {
        let before_full = full.clone();
        let before = allowed.clone();
        denied.union_with(&c.deny_full);
        allowed.intersect_with(&c.allow_any);
        allowed.difference_with(&c.deny_full);
        full.intersect_with(&c.allow_full);
        full.difference_with(&c.deny_any);
        full.intersect_with(&allowed);
        control_blocked = before;
        control_blocked.difference_with(&allowed);
        let mut weakened = before_full;
        weakened.difference_with(&full);
        control_blocked.union_with(&weakened);
    }

    if let Some(a) = catalog.lookup(NO_PERMISSION_NEEDED) {
        allowed.insert(a);
        full.insert(a);
        denied.set(a, false);
        boundary_blocked.set(a, false);
        control_blocked.set(a, false);
    }

    Access {
        allowed,
        full,
        denied,
        boundary_blocked,
        identity_allowed: id.allow_any,
        control_blocked,
    }
}

/// Whether every Allow of `action` in the identity `policies` is
/// resource-scoped and each of its patterns is contained in the patterns of
/// an unconditional, resource-scoped Deny of it (in those policies or the
/// permission boundary, whose Allows bound but do not grant).
fn allows_only_where_denied(
    table: &PolicyTable,
    policies: &[PolicyId],
    boundary: Option<PolicyId>,
    action: ActionId,
) -> bool {
    use crate::policy::{Effect, ResourceScope, covers};
    let statements_of = |id: PolicyId| match &table.get(id).compiled {
        Ok(c) => c.statements.as_slice(),
        Err(_) => &[],
    };
    let mut allows: Vec<&[String]> = Vec::new();
    let mut denies: Vec<&[String]> = Vec::new();
    let identity = policies.iter().flat_map(|&id| statements_of(id));
    let bounding = boundary.into_iter().flat_map(statements_of);
    for (st, in_boundary) in identity
        .map(|st| (st, false))
        .chain(bounding.map(|st| (st, true)))
        .filter(|(st, _)| st.actions.contains(action))
    {
        match (st.effect, &st.resources) {
            (Effect::Allow, _) if in_boundary => {}
            (Effect::Allow, ResourceScope::Only(p)) => allows.push(p),
            // An Allow on "*" or with NotResource reaches beyond any pattern list.
            (Effect::Allow, _) => return false,
            (Effect::Deny, ResourceScope::Only(p)) if !st.conditional => denies.push(p),
            (Effect::Deny, _) => {}
        }
    }
    !allows.is_empty()
        && allows.iter().all(|patterns| {
            patterns
                .iter()
                .all(|a| denies.iter().any(|d| d.iter().any(|d| covers(d, a))))
        })
}

#[cfg(test)]
mod tests;
