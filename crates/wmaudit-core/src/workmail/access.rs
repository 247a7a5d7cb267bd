//! Who can read a mailbox, send as it or impersonate it, and how: WorkMail's
//! own grants (mailbox permissions, resource delegates, impersonation roles
//! minus what access-control rules block) joined with IAM (who may call
//! `workmail:AssumeImpersonationRole` for which role, directly or through an
//! escalation path).
//!
//! Cost: groups are expanded once per organization (memoized), roles'
//! targets once per role, and IAM once per (holder, role): linear in
//! mailboxes + grants + principals × roles, never principals × mailboxes.
//! Impersonation is recorded per role, and each mailbox names the roles
//! that reach it rather than copying every IAM principal onto it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use fixedbitset::FixedBitSet;

use crate::eval::on_resource::StatementRef;
use crate::eval::{Decision, Engine, PrincipalId, PrincipalKind};
use crate::reach::{Method, Reach, Step};

use super::model::*;

/// The IAM action that gives an EWS token for an impersonation role.
pub const ASSUME_IMPERSONATION: &str = "workmail:AssumeImpersonationRole";
/// Its condition key: which role.
pub const ROLE_ID_KEY: &str = "workmail:ImpersonationRoleId";
/// A role id no organization has: a principal allowed to assume *it* can
/// assume any role created later.
const PROBE_ROLE_ID: &str = "wmaudit-role-created-later";

/// What a grant lets its holder do with a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Right {
    /// Mailbox permission FULL_ACCESS: open, read, change and delete.
    FullAccess,
    SendAs,
    SendOnBehalf,
    /// A resource's delegate: manages its bookings.
    Delegate,
    /// Through an impersonation role of this type (EWS).
    Impersonate(ImpersonationType),
}

impl Right {
    pub fn as_str(self) -> &'static str {
        match self {
            Right::FullAccess => "full_access",
            Right::SendAs => "send_as",
            Right::SendOnBehalf => "send_on_behalf",
            Right::Delegate => "delegate",
            Right::Impersonate(ImpersonationType::ReadOnly) => "impersonate_read_only",
            Right::Impersonate(ImpersonationType::FullAccess) => "impersonate_full_access",
        }
    }

    /// Can it read the mail?
    pub fn reads(self) -> bool {
        matches!(self, Right::FullAccess | Right::Impersonate(_))
    }
}

/// A WorkMail user, group or resource, as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityRef {
    pub id: String,
    pub kind: &'static str,
    /// Email, else name, else id.
    pub label: String,
}

/// One way into one mailbox: a grant to a user, or to a group (whose
/// members each hold it; expanded only on demand, [`OrgAccess::members`],
/// so a report never multiplies mailboxes by group sizes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub right: Right,
    /// The grantee as named: a user, a group, or an id not in the lists.
    pub holder: EntityRef,
    /// For a group: its users, nested groups included (`None`: some
    /// membership could not be read).
    pub members: Option<usize>,
}

/// A mailbox and every way into it.
#[derive(Debug, Clone)]
pub struct MailboxAccess {
    pub id: String,
    /// `user` or `resource`.
    pub kind: &'static str,
    pub email: Option<String>,
    pub name: Option<String>,
    pub grants: Vec<Grant>,
    /// Impersonation roles (indexes into [`OrgAccess::roles`]) that reach it.
    pub impersonated_by: Vec<usize>,
    /// What could not be read about it.
    pub unknown: Vec<String>,
}

impl MailboxAccess {
    pub fn label(&self) -> &str {
        self.email
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(&self.id)
    }
}

/// How access-control rules treat EWS for an impersonation role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleEffect {
    /// Allowed from any IP address.
    Open { allowed_by: Vec<String> },
    /// Allowed only from some addresses.
    IpRestricted { rules: Vec<String> },
    /// Denied, or no rule allows it.
    Blocked { why: String },
    /// The rules could not be read.
    Unknown,
}

/// An IAM principal that can use an impersonation role.
#[derive(Debug, Clone)]
pub struct IamUse {
    pub principal: PrincipalId,
    pub arn: String,
    /// The principal at the end of the path that holds the permission
    /// (itself when direct).
    pub holder: PrincipalId,
    /// The escalation path to the holder (empty when direct).
    pub path: Vec<Step>,
    /// Allowed only under a condition not decided here.
    pub conditional: bool,
    /// The statements that allow it (on the holder).
    pub statements: Vec<StatementRef>,
    /// Whether the allowing statements name this role (a
    /// `workmail:ImpersonationRoleId` condition) rather than any role.
    pub scoped: bool,
}

#[derive(Debug, Clone)]
pub struct RoleAccess<'a> {
    pub role: &'a ImpersonationRole,
    /// Users whose mailboxes it opens (`None`: its rules could not be read).
    pub targets: Option<BTreeSet<&'a str>>,
    pub effect: RuleEffect,
    pub iam: Vec<IamUse>,
}

impl RoleAccess<'_> {
    pub fn label(&self) -> &str {
        self.role.name.as_deref().unwrap_or(&self.role.id)
    }
}

#[derive(Debug, Clone)]
pub struct OrgAccess<'a> {
    pub org: &'a Organization,
    pub arn: String,
    pub mailboxes: Vec<MailboxAccess>,
    pub roles: Vec<RoleAccess<'a>>,
    /// Enabled users with a mailbox: what "every mailbox" means.
    pub enabled_users: BTreeSet<&'a str>,
    /// IAM principals allowed to assume any impersonation role, including
    /// ones created later (no `workmail:ImpersonationRoleId` condition).
    pub unscoped: Vec<IamUse>,
    /// Every user, group and resource by id.
    index: HashMap<&'a str, EntityRef>,
}

impl OrgAccess<'_> {
    /// A user's, group's or resource's label by id.
    pub fn entity(&self, id: &str) -> EntityRef {
        self.index
            .get(id)
            .cloned()
            .unwrap_or_else(|| unknown_entity(id))
    }

    /// A group's users, nested groups expanded (`None`: some membership
    /// could not be read). For one mailbox at a time (explain).
    pub fn members(&self, group: &str) -> Option<Vec<EntityRef>> {
        let mut groups = Groups::new(self.org);
        let id = self.org.groups.iter().flatten().find(|g| g.id == group)?;
        let set = groups.expand(&id.id)?;
        Some(
            groups
                .ids(&set)
                .into_iter()
                .map(|u| self.entity(u))
                .collect(),
        )
    }
}

/// The answer for every organization of the snapshot.
pub fn analyze<'a>(
    wm: &'a WorkMail,
    engine: Option<&Engine<'_>>,
    reach: Option<&Reach>,
    partition: &str,
    account: &str,
) -> Vec<OrgAccess<'a>> {
    wm.organizations
        .iter()
        .map(|o| org(o, engine, reach, partition, account))
        .collect()
}

/// Every entity of the organization by id, labelled once.
fn index(o: &Organization) -> HashMap<&str, EntityRef> {
    let label = |id: &str, email: &Option<String>, name: &Option<String>| {
        email
            .clone()
            .or_else(|| name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let users = o
        .users
        .iter()
        .flatten()
        .map(|u| ("user", &u.id, &u.email, &u.name));
    let groups = o
        .groups
        .iter()
        .flatten()
        .map(|g| ("group", &g.id, &g.email, &g.name));
    let rooms = o
        .resources
        .iter()
        .flatten()
        .map(|r| ("resource", &r.id, &r.email, &r.name));
    let mut map = HashMap::new();
    for (kind, id, email, name) in users.chain(groups).chain(rooms) {
        let e = EntityRef {
            id: id.clone(),
            kind,
            label: label(id, email, name),
        };
        map.insert(id.as_str(), e);
    }
    map
}

fn unknown_entity(id: &str) -> EntityRef {
    EntityRef {
        id: id.to_owned(),
        kind: "unknown",
        label: format!("{id} (not in the organization's lists)"),
    }
}

/// Group membership, expanded on demand: each group's users (nested groups
/// included, each group once so cycles end) as a bit set over the
/// organization's users, memoized. Bit sets keep even a deep nesting of
/// large groups cheap: a union is a pass over machine words.
struct Groups<'a> {
    by_id: HashMap<&'a str, &'a Group>,
    user_ix: HashMap<&'a str, usize>,
    users: Vec<&'a str>,
    memo: HashMap<&'a str, Option<Rc<FixedBitSet>>>,
}

impl<'a> Groups<'a> {
    fn new(o: &'a Organization) -> Self {
        let users: Vec<&str> = o.users.iter().flatten().map(|u| u.id.as_str()).collect();
        Groups {
            by_id: o
                .groups
                .iter()
                .flatten()
                .map(|g| (g.id.as_str(), g))
                .collect(),
            user_ix: users.iter().enumerate().map(|(i, u)| (*u, i)).collect(),
            users,
            memo: HashMap::new(),
        }
    }

    /// `None` when some membership on the way could not be read, or the
    /// group is not in the organization's list. Depth-first with its own
    /// stack: a snapshot nesting a million groups must not overflow ours.
    fn expand(&mut self, root: &'a str) -> Option<Rc<FixedBitSet>> {
        struct Frame<'a> {
            id: &'a str,
            members: Option<&'a [Member]>,
            next: usize,
            set: FixedBitSet,
            unknown: bool,
        }
        if let Some(hit) = self.memo.get(root) {
            return hit.clone();
        }
        let frame = |this: &mut Self, id: &'a str| {
            // Marked in progress: a cycle back to it contributes nothing.
            this.memo.insert(id, Some(Rc::new(FixedBitSet::new())));
            let members = this.by_id.get(id).and_then(|g| g.members.as_deref());
            Frame {
                id,
                members,
                next: 0,
                set: FixedBitSet::with_capacity(this.users.len()),
                unknown: members.is_none(),
            }
        };
        let mut stack = vec![frame(self, root)];
        while let Some(top) = stack.last_mut() {
            let member = top.members.and_then(|m| m.get(top.next));
            if let Some(m) = member {
                top.next += 1;
                if !is_enabled(m.state.as_deref()) {
                    continue;
                }
                match m.kind {
                    MemberType::User => {
                        // A member not in the user list (deleted) opens nothing.
                        if let Some(&i) = self.user_ix.get(m.id.as_str()) {
                            top.set.insert(i);
                        }
                    }
                    MemberType::Group => match self.memo.get(m.id.as_str()) {
                        Some(Some(done)) => top.set.union_with(done),
                        Some(None) => top.unknown = true,
                        None => {
                            let child = frame(self, &m.id);
                            stack.push(child);
                        }
                    },
                }
                continue;
            }
            let Some(done) = stack.pop() else { break };
            let result = (!done.unknown).then(|| Rc::new(done.set));
            if let Some(parent) = stack.last_mut() {
                match &result {
                    Some(set) => parent.set.union_with(set),
                    None => parent.unknown = true,
                }
            }
            self.memo.insert(done.id, result);
        }
        self.memo.get(root).cloned().flatten()
    }

    fn ids(&self, set: &FixedBitSet) -> Vec<&'a str> {
        set.ones().map(|i| self.users[i]).collect()
    }
}

/// One mailbox's grants: permissions and delegates, each group with its
/// member count (memoized per organization).
fn mailbox<'a>(
    idx: &HashMap<&'a str, EntityRef>,
    groups: &mut Groups<'a>,
    kind: &'static str,
    (id, email, name): (&'a String, &'a Option<String>, &'a Option<String>),
    perms: &'a Option<Vec<MailboxPermission>>,
    delegates: Option<&'a Option<Vec<Member>>>,
) -> MailboxAccess {
    let mut m = MailboxAccess {
        id: id.clone(),
        kind,
        email: email.clone(),
        name: name.clone(),
        grants: Vec::new(),
        impersonated_by: Vec::new(),
        unknown: Vec::new(),
    };
    let entity = |id: &str| idx.get(id).cloned().unwrap_or_else(|| unknown_entity(id));
    let mut grant_to = |m: &mut MailboxAccess, grantee: &'a str, kind: MemberType, r: Right| {
        let holder = entity(grantee);
        let members = match kind {
            MemberType::User => None,
            MemberType::Group => {
                let n = groups.expand(grantee).map(|u| u.count_ones(..));
                if n.is_none() {
                    m.unknown.push(format!(
                        "the members of group {} could not be read",
                        holder.label
                    ));
                }
                n
            }
        };
        m.grants.push(Grant {
            right: r,
            holder,
            members,
        });
    };
    match perms {
        Some(perms) => {
            for p in perms {
                for r in rights(&p.permission_values) {
                    grant_to(&mut m, &p.grantee_id, p.grantee_type, r);
                }
            }
        }
        None => m
            .unknown
            .push("its mailbox permissions could not be read".to_owned()),
    }
    match delegates {
        Some(Some(ds)) => {
            for d in ds {
                grant_to(&mut m, &d.id, d.kind, Right::Delegate);
            }
        }
        Some(None) => m.unknown.push("its delegates could not be read".to_owned()),
        None => {}
    }
    m.grants.sort();
    m.grants.dedup();
    m.unknown.dedup();
    m
}

fn rights(values: &[Permission]) -> impl Iterator<Item = Right> + '_ {
    values.iter().map(|p| match p {
        Permission::FullAccess => Right::FullAccess,
        Permission::SendAs => Right::SendAs,
        Permission::SendOnBehalf => Right::SendOnBehalf,
    })
}

fn org<'a>(
    o: &'a Organization,
    engine: Option<&Engine<'_>>,
    reach: Option<&Reach>,
    partition: &str,
    account: &str,
) -> OrgAccess<'a> {
    let arn = o.arn_or(partition, account);
    let idx = index(o);
    let mut groups = Groups::new(o);
    let enabled_users: BTreeSet<&str> = o.mailbox_users().map(|u| u.id.as_str()).collect();

    let roles: Vec<RoleAccess<'a>> = o
        .impersonation_roles
        .iter()
        .flatten()
        .map(|role| RoleAccess {
            role,
            targets: role
                .rules
                .as_ref()
                .map(|rules| targets(rules, &enabled_users)),
            effect: ews_effect(o.access_control_rules.as_deref(), Some(&role.id)),
            iam: Vec::new(),
        })
        .collect();

    let mut mailboxes = Vec::new();
    for u in o.mailbox_users() {
        let ids = (&u.id, &u.email, &u.name);
        let m = mailbox(&idx, &mut groups, "user", ids, &u.permissions, None);
        mailboxes.push(m);
    }
    for r in o.mailbox_resources() {
        let ids = (&r.id, &r.email, &r.name);
        let d = Some(&r.delegates);
        let m = mailbox(&idx, &mut groups, "resource", ids, &r.permissions, d);
        mailboxes.push(m);
    }
    let mut out = OrgAccess {
        org: o,
        arn,
        mailboxes,
        roles,
        enabled_users,
        unscoped: Vec::new(),
        index: idx,
    };
    // Mailboxes each role reaches (user mailboxes only: impersonation
    // targets users).
    let index: HashMap<String, usize> = out
        .mailboxes
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == "user")
        .map(|(i, m)| (m.id.clone(), i))
        .collect();
    for (ri, r) in out.roles.iter().enumerate() {
        if matches!(r.effect, RuleEffect::Blocked { .. }) {
            continue;
        }
        match &r.targets {
            Some(t) => {
                for u in t {
                    if let Some(&i) = index.get(*u) {
                        out.mailboxes[i].impersonated_by.push(ri);
                    }
                }
            }
            None => {
                for m in out.mailboxes.iter_mut().filter(|m| m.kind == "user") {
                    m.unknown.push(format!(
                        "the rules of impersonation role {} could not be read",
                        r.label()
                    ));
                }
            }
        }
    }
    if let Some(engine) = engine {
        iam_side(&mut out, engine, reach);
    }
    out
}

/// The users an impersonation role opens: ALLOW rules' targets minus DENY
/// rules' (a DENY wins). A rule with neither TargetUsers nor NotTargetUsers
/// names no one.
fn targets<'a>(rules: &[ImpersonationRule], users: &BTreeSet<&'a str>) -> BTreeSet<&'a str> {
    let of = |r: &ImpersonationRule| -> BTreeSet<&'a str> {
        // Sets, not list scans: a rule may list every user.
        let listed: HashSet<&str> = r.target_users.iter().map(String::as_str).collect();
        let excluded: HashSet<&str> = r.not_target_users.iter().map(String::as_str).collect();
        users
            .iter()
            .copied()
            .filter(|u| {
                if !listed.is_empty() {
                    listed.contains(u) && !excluded.contains(u)
                } else if !excluded.is_empty() {
                    !excluded.contains(u)
                } else {
                    false
                }
            })
            .collect()
    };
    let mut allowed = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for r in rules {
        match r.effect {
            Effect::Allow => allowed.extend(of(r)),
            Effect::Deny => denied.extend(of(r)),
        }
    }
    allowed.difference(&denied).copied().collect()
}

/// Does an access-control rule apply to EWS for this impersonation role
/// (`None`: for an ordinary user), whatever the IP address?
fn applies(rule: &AccessControlRule, role: Option<&str>) -> bool {
    let protocol = (rule.actions.is_empty()
        || rule.actions.iter().any(|a| a.eq_ignore_ascii_case("EWS")))
        && !rule
            .not_actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case("EWS"));
    let subject = match role {
        Some(id) => {
            // A rule naming only users does not apply to a role, and the reverse.
            let names_users = !rule.user_ids.is_empty() || !rule.not_user_ids.is_empty();
            let names_roles = !rule.impersonation_role_ids.is_empty()
                || !rule.not_impersonation_role_ids.is_empty();
            if names_roles {
                (rule.impersonation_role_ids.is_empty()
                    || rule.impersonation_role_ids.iter().any(|r| r == id))
                    && !rule.not_impersonation_role_ids.iter().any(|r| r == id)
            } else {
                !names_users
            }
        }
        None => {
            rule.impersonation_role_ids.is_empty()
                && rule.not_impersonation_role_ids.is_empty()
                && rule.user_ids.is_empty()
        }
    };
    protocol && subject
}

fn ip_limited(rule: &AccessControlRule) -> bool {
    !rule.ip_ranges.is_empty() || !rule.not_ip_ranges.is_empty()
}

/// EWS for a role (or users): WorkMail applies a matching DENY over any
/// ALLOW, and with no matching ALLOW access is blocked (deleting every rule
/// blocks the organization).
pub fn ews_effect(rules: Option<&[AccessControlRule]>, role: Option<&str>) -> RuleEffect {
    let Some(rules) = rules else {
        return RuleEffect::Unknown;
    };
    let matching: Vec<&AccessControlRule> = rules.iter().filter(|r| applies(r, role)).collect();
    if let Some(d) = matching
        .iter()
        .find(|r| r.effect == Effect::Deny && !ip_limited(r))
    {
        return RuleEffect::Blocked {
            why: format!("access-control rule {} denies EWS", d.name),
        };
    }
    let allows: Vec<&&AccessControlRule> = matching
        .iter()
        .filter(|r| r.effect == Effect::Allow)
        .collect();
    if allows.is_empty() {
        return RuleEffect::Blocked {
            why: "no access-control rule allows EWS".to_owned(),
        };
    }
    let ip_denies: Vec<String> = matching
        .iter()
        .filter(|r| r.effect == Effect::Deny)
        .map(|r| r.name.clone())
        .collect();
    let open_allows: Vec<String> = allows
        .iter()
        .filter(|r| !ip_limited(r))
        .map(|r| r.name.clone())
        .collect();
    if !ip_denies.is_empty() || open_allows.is_empty() {
        let mut rules = ip_denies;
        if open_allows.is_empty() {
            rules.extend(allows.iter().map(|r| r.name.clone()));
        }
        RuleEffect::IpRestricted { rules }
    } else {
        RuleEffect::Open {
            allowed_by: open_allows,
        }
    }
}

/// One holder's decision for one role id.
#[derive(Clone)]
struct Allowed {
    principal: PrincipalId,
    conditional: bool,
    statements: Vec<StatementRef>,
    scoped: bool,
}

/// Who in IAM can use each role, and who can use any role.
fn iam_side(out: &mut OrgAccess<'_>, engine: &Engine<'_>, reach: Option<&Reach>) {
    let Some(action) = engine.catalog().lookup(ASSUME_IMPERSONATION) else {
        return;
    };
    // Direct holders: principals allowed the action somewhere.
    let holders: Vec<PrincipalId> = engine
        .principal_ids()
        .iter()
        .copied()
        .filter(|&p| engine.access(p).decision(action).is_allowed())
        .collect();
    let holder_set: HashSet<PrincipalId> = holders.iter().copied().collect();
    let decide = |p: PrincipalId, role_id: &str| {
        let d = engine.decision_on_with(p, action, &out.arn, &[(ROLE_ID_KEY, role_id)]);
        d.decision.is_allowed().then_some(d)
    };
    // Per role id (and the probe): the holders allowed.
    let mut by_role: BTreeMap<&str, Vec<Allowed>> = BTreeMap::new();
    let ids: Vec<&str> = out
        .roles
        .iter()
        .map(|r| r.role.id.as_str())
        .chain([PROBE_ROLE_ID])
        .collect();
    for &p in &holders {
        let any = decide(p, PROBE_ROLE_ID);
        for &id in &ids {
            let d = if id == PROBE_ROLE_ID {
                any.clone()
            } else {
                decide(p, id)
            };
            let Some(d) = d else { continue };
            by_role.entry(id).or_default().push(Allowed {
                principal: p,
                conditional: d.decision == Decision::Limited,
                statements: d.allows,
                scoped: id != PROBE_ROLE_ID && any.is_none(),
            });
        }
    }
    // Through a path: the last step's target holds the permission, or the
    // step (a policy write) lets the principal give it to itself.
    let mut via_path: Vec<(PrincipalId, Option<PrincipalId>, &Vec<Step>)> = Vec::new();
    if let Some(reach) = reach {
        let mut ids: Vec<&PrincipalId> = reach.paths.keys().collect();
        ids.sort();
        for &p in ids {
            if engine.principal(p).kind == PrincipalKind::Group || holder_set.contains(&p) {
                continue;
            }
            let path = &reach.paths[&p];
            let Some(last) = path.last() else { continue };
            let end = match last.method {
                // What it writes is its own choice: any role. A version made
                // the default is counted the same way (conservatively).
                Method::WriteOwnPolicy | Method::WriteRolePolicy | Method::SetDefaultVersion => {
                    None
                }
                _ => engine.by_arn(&last.target),
            };
            via_path.push((p, end, path));
        }
    }
    let make = |p: PrincipalId, holder: PrincipalId, path: &[Step], a: Option<&Allowed>| {
        let conditional = a.is_some_and(|a| a.conditional) || path.iter().any(|s| s.conditional);
        IamUse {
            principal: p,
            arn: engine.principal(p).arn.clone(),
            holder,
            path: path.to_vec(),
            conditional,
            statements: a.map(|a| a.statements.clone()).unwrap_or_default(),
            scoped: a.is_some_and(|a| a.scoped),
        }
    };
    let uses = |id: &str| -> Vec<IamUse> {
        let direct = by_role.get(id).map(Vec::as_slice).unwrap_or(&[]);
        // By principal: each path's end is a lookup, not a scan.
        let by_principal: HashMap<PrincipalId, &Allowed> =
            direct.iter().map(|a| (a.principal, a)).collect();
        let mut v: Vec<IamUse> = direct
            .iter()
            .filter(|a| engine.principal(a.principal).kind != PrincipalKind::Group)
            .map(|a| make(a.principal, a.principal, &[], Some(a)))
            .collect();
        for (p, end, path) in &via_path {
            match end {
                // A policy write gives itself anything: any role.
                None => v.push(make(*p, *p, path, None)),
                Some(h) => {
                    if let Some(a) = by_principal.get(h) {
                        v.push(make(*p, *h, path, Some(a)));
                    }
                }
            }
        }
        v.sort_by(|a, b| a.arn.cmp(&b.arn));
        v
    };
    for i in 0..out.roles.len() {
        let id = out.roles[i].role.id.clone();
        out.roles[i].iam = uses(&id);
    }
    out.unscoped = uses(PROBE_ROLE_ID);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(effect: Effect, targets: &[&str], not: &[&str]) -> ImpersonationRule {
        ImpersonationRule {
            id: "r".into(),
            name: None,
            effect,
            target_users: targets.iter().map(|s| (*s).to_owned()).collect(),
            not_target_users: not.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn impersonation_targets_allow_minus_deny() {
        let users: BTreeSet<&str> = ["a", "b", "c", "d"].into_iter().collect();
        let t =
            |rules: &[ImpersonationRule]| targets(rules, &users).into_iter().collect::<Vec<_>>();
        assert_eq!(t(&[rule(Effect::Allow, &[], &["d"])]), ["a", "b", "c"]);
        assert_eq!(
            t(&[
                rule(Effect::Allow, &[], &["d"]),
                rule(Effect::Deny, &["a"], &[])
            ]),
            ["b", "c"],
            "a DENY wins"
        );
        assert_eq!(
            t(&[rule(Effect::Allow, &["a", "x"], &[])]),
            ["a"],
            "unknown ids reach nobody"
        );
        assert!(
            t(&[rule(Effect::Allow, &[], &[])]).is_empty(),
            "no targets: no one"
        );
        assert!(t(&[]).is_empty());
    }

    fn acl(name: &str, effect: Effect) -> AccessControlRule {
        AccessControlRule {
            name: name.into(),
            effect,
            description: None,
            ip_ranges: vec![],
            not_ip_ranges: vec![],
            actions: vec![],
            not_actions: vec![],
            user_ids: vec![],
            not_user_ids: vec![],
            impersonation_role_ids: vec![],
            not_impersonation_role_ids: vec![],
        }
    }

    #[test]
    fn access_rules_for_ews() {
        let role = Some("role-1");
        let default = acl("default-rule", Effect::Allow);
        assert!(matches!(
            ews_effect(Some(std::slice::from_ref(&default)), role),
            RuleEffect::Open { .. }
        ));
        assert_eq!(ews_effect(None, role), RuleEffect::Unknown);
        assert!(
            matches!(ews_effect(Some(&[]), role), RuleEffect::Blocked { .. }),
            "no rule at all blocks everything"
        );
        let mut deny_role = acl("no-impersonation", Effect::Deny);
        deny_role.impersonation_role_ids = vec!["role-1".into()];
        let both = [default.clone(), deny_role.clone()];
        assert!(matches!(
            ews_effect(Some(&both), role),
            RuleEffect::Blocked { .. }
        ));
        assert!(
            matches!(
                ews_effect(Some(&both), Some("role-2")),
                RuleEffect::Open { .. }
            ),
            "the DENY names another role"
        );
        assert!(
            matches!(ews_effect(Some(&both), None), RuleEffect::Open { .. }),
            "a rule naming roles does not apply to users"
        );
        let mut deny_ip = acl("office-only", Effect::Deny);
        deny_ip.actions = vec!["EWS".into()];
        deny_ip.not_ip_ranges = vec!["203.0.113.0/24".into()];
        let r = ews_effect(Some(&[default.clone(), deny_ip]), role);
        assert_eq!(
            r,
            RuleEffect::IpRestricted {
                rules: vec!["office-only".into()]
            }
        );
        let mut imap_only = acl("imap-deny", Effect::Deny);
        imap_only.actions = vec!["IMAP".into()];
        assert!(
            matches!(
                ews_effect(Some(&[default.clone(), imap_only]), role),
                RuleEffect::Open { .. }
            ),
            "a DENY for another protocol leaves EWS open"
        );
        let mut users_only = acl("users", Effect::Deny);
        users_only.user_ids = vec!["u1".into()];
        assert!(
            matches!(
                ews_effect(Some(&[default, users_only]), role),
                RuleEffect::Open { .. }
            ),
            "a rule naming users does not apply to a role"
        );
        let mut allow_ip = acl("allow-office", Effect::Allow);
        allow_ip.ip_ranges = vec!["198.51.100.0/24".into()];
        assert!(matches!(
            ews_effect(Some(&[allow_ip]), role),
            RuleEffect::IpRestricted { .. }
        ));
    }

    fn group(id: &str, members: Option<Vec<(&str, MemberType)>>) -> Group {
        Group {
            id: id.into(),
            email: None,
            name: None,
            state: None,
            members: members.map(|m| {
                m.into_iter()
                    .map(|(id, kind)| Member {
                        id: id.into(),
                        kind,
                        name: None,
                        state: None,
                    })
                    .collect()
            }),
            permissions: None,
        }
    }

    #[test]
    fn groups_expand_nested_and_end_cycles() {
        let g1 = group(
            "g1",
            Some(vec![("u1", MemberType::User), ("g2", MemberType::Group)]),
        );
        let g2 = group(
            "g2",
            Some(vec![("u2", MemberType::User), ("g1", MemberType::Group)]),
        );
        let g3 = group("g3", Some(vec![("g4", MemberType::Group)]));
        let g4 = group("g4", None);
        let user = |id: &str| User {
            id: id.into(),
            email: None,
            name: None,
            display_name: None,
            state: None,
            user_role: None,
            permissions: None,
        };
        let o = Organization {
            id: "m-1".into(),
            region: "us-east-1".into(),
            arn: None,
            alias: None,
            state: None,
            default_mail_domain: None,
            directory_type: None,
            migration_admin: None,
            users: Some(vec![user("u1"), user("u2")]),
            groups: Some(vec![g1, g2, g3, g4]),
            resources: None,
            impersonation_roles: None,
            access_control_rules: None,
            mobile_device_access_rules: None,
            email_monitoring: None,
            export_jobs: None,
            export_jobs_since: None,
            availability_configurations: None,
            personal_access_tokens: None,
            identity_provider: None,
            mail_domains: None,
            not_read: vec![],
        };
        let mut groups = Groups::new(&o);
        let users = groups.expand("g1").unwrap();
        assert_eq!(groups.ids(&users), ["u1", "u2"]);
        assert_eq!(groups.expand("g3"), None, "unknown members are unknown");
        assert_eq!(groups.expand("nope"), None);

        // A chain nested 200,000 deep (a hostile snapshot) neither overflows
        // the stack nor loses the user at the bottom.
        let n = 200_000;
        let chain: Vec<Group> = (0..n)
            .map(|i| {
                let next = if i + 1 < n {
                    (format!("c{}", i + 1), MemberType::Group)
                } else {
                    ("u2".to_owned(), MemberType::User)
                };
                Group {
                    members: Some(vec![Member {
                        id: next.0,
                        kind: next.1,
                        name: None,
                        state: None,
                    }]),
                    ..group(&format!("c{i}"), None)
                }
            })
            .collect();
        let deep = Organization {
            groups: Some(chain),
            ..o.clone()
        };
        let mut groups = Groups::new(&deep);
        let users = groups.expand("c0").unwrap();
        assert_eq!(groups.ids(&users), ["u2"]);
    }
}
