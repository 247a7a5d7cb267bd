//! What every check can see: the snapshot, the evaluated account, WorkMail
//! facts derived from AWS's own managed policies, and who the designated
//! WorkMail administrators are.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::account::Role;
use crate::catalog::{ActionSet, Catalog, builtin_managed_policies};
use crate::eval::trust::{Trust, Trustee};
use crate::eval::{
    Engine, PolicyId, PolicyOrigin, Principal, PrincipalId, PrincipalKind, Via, parse_raw,
};
use crate::findings::{ActionName, Evidence};
use crate::policy::{CompiledStatement, Compiler, Effect, wildcard_match};
use crate::rules::params::ServicePrincipals;
use crate::snapshot::{CredentialRow, Snapshot};

pub const WORKMAIL_FULL_ACCESS: &str = "arn:aws:iam::aws:policy/AmazonWorkMailFullAccess";
pub const WORKMAIL_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonWorkMailReadOnlyAccess";
pub const MESSAGE_FLOW_READ_ONLY: &str =
    "arn:aws:iam::aws:policy/AmazonWorkMailMessageFlowReadOnlyAccess";
pub const MESSAGE_FLOW_FULL_ACCESS: &str =
    "arn:aws:iam::aws:policy/AmazonWorkMailMessageFlowFullAccess";

/// AWS ends WorkMail on this day: "After March 31, 2027, you will no longer
/// be able to access the WorkMail console or WorkMail resources."
pub const WORKMAIL_END_OF_SUPPORT: time::Date = time::macros::date!(2027 - 03 - 31);

/// WorkMail's IAM service prefixes (and service last accessed namespaces).
pub const WORKMAIL_SERVICES: &[&str] = &["workmail", "workmailmessageflow"];

/// The service principal of a mail flow rule's Lambda function.
pub const MAIL_FLOW_LAMBDA_SERVICE: &str = "lambda.amazonaws.com";

/// Sets derived once from the catalog and AWS's managed policy documents.
pub struct WorkMailFacts {
    /// Every `workmail` and `workmailmessageflow` action.
    pub all: ActionSet,
    /// The WorkMail actions AmazonWorkMailFullAccess grants on an
    /// organization: what an administrator holds. The few that take no
    /// resource (ListOrganizations, CreateOrganization) are left out, so an
    /// administrator whose policy is scoped to the organizations it runs
    /// (`"Resource": "arn:aws:workmail:...:organization/m-1"`, which cannot
    /// grant them) still counts as one.
    pub admin: ActionSet,
    /// What else AmazonWorkMailFullAccess grants, which the console needs (ds, ses, ...).
    pub console_needs: ActionSet,
    /// Actions that change state (write, permissions management, tagging).
    pub mutating: ActionSet,
}

impl WorkMailFacts {
    pub fn new(catalog: &Catalog) -> Self {
        let mut all = catalog.service_set("workmail");
        all.union_with(&catalog.service_set("workmailmessageflow"));
        let full = builtin_grants(catalog, WORKMAIL_FULL_ACCESS);
        let mut admin = full.clone();
        admin.intersect_with(&all);
        for (i, a) in catalog.actions().iter().enumerate() {
            if a.resource_types.is_empty() {
                admin.set(i, false);
            }
        }
        let mut console_needs = full;
        console_needs.difference_with(&all);
        let mut mutating = catalog.empty_set();
        for (i, a) in catalog.actions().iter().enumerate() {
            if a.access_level.is_mutating() {
                mutating.insert(i);
            }
        }
        WorkMailFacts {
            all,
            admin,
            console_needs,
            mutating,
        }
    }
}

/// The actions an embedded AWS managed policy allows (ignoring its own
/// conditions, as a grant that may apply).
pub fn builtin_grants(catalog: &Catalog, arn: &str) -> ActionSet {
    let mut out = catalog.empty_set();
    let Some(p) = builtin_managed_policies().by_arn(arn) else {
        return out;
    };
    let mut compiler = Compiler::new(catalog);
    if let Ok(c) = parse_raw(&p.document).and_then(|d| compiler.compile(d)) {
        for st in c.statements.iter().filter(|s| s.effect == Effect::Allow) {
            out.union_with(&st.actions);
        }
    }
    out
}

pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// Present exactly when the snapshot has authorization details.
    pub engine: Option<&'a Engine<'a>>,
    pub account_id: String,
    pub partition: String,
    /// "Now" for age comparisons; fixed by the input for reproducible reports.
    pub as_of: OffsetDateTime,
    pub workmail: &'a WorkMailFacts,
    /// Designated WorkMail administrators.
    pub admins: HashSet<PrincipalId>,
    /// Whether `admins` came from the config (else from group membership).
    pub admins_from_config: bool,
    /// Credential report rows of IAM users (not root), by ARN, so a
    /// principal-level check finds a user's row without a scan per user.
    /// By ARN, not name: a row whose name matches but ARN does not is
    /// another user (deleted and re-created, or another account).
    pub credential_users: HashMap<&'a str, &'a CredentialRow>,
    /// The account's IAM users as collected, by ARN (what a user has attached
    /// counts even where evaluation left a policy out).
    pub account_users: HashMap<&'a str, &'a crate::account::User>,
    /// The account's roles by ARN (trust policies are read per role: a scan
    /// of every role for each would be quadratic).
    pub account_roles: HashMap<&'a str, &'a Role>,
    /// Groups' evidence parts, shared by their members (see `group_part`).
    pub evidence_cache: EvidenceCache,
    /// [`Context::roles_trusted_by`]'s answers.
    pub service_roles: Mutex<HashMap<Vec<String>, Arc<Vec<&'a Role>>>>,
    /// [`Context::reach`]'s answers, by (every action?, goal).
    pub reach_cache: Mutex<HashMap<(bool, ActionSet), Arc<crate::reach::Reach>>>,
    /// [`Context::mailbox_access`]'s answer, computed once.
    pub workmail_access: std::sync::OnceLock<Vec<crate::workmail::access::OrgAccess<'a>>>,
}

/// (group, effect, actions) -> that group's evidence for them.
pub type EvidenceCache = Mutex<HashMap<(PrincipalId, Effect, ActionSet), Arc<Found>>>;

impl<'a> Context<'a> {
    /// Who can get into each mailbox of each WorkMail organization, and how
    /// (WorkMail's grants joined with IAM, paths included). Empty without
    /// WorkMail data; without authorization details, WorkMail's side only.
    pub fn mailbox_access(&self) -> &[crate::workmail::access::OrgAccess<'a>] {
        self.workmail_access.get_or_init(|| {
            let Some(wm) = &self.snapshot.workmail else {
                return Vec::new();
            };
            let reach = self.engine.and_then(|e| {
                let set = e
                    .catalog()
                    .set_of([crate::workmail::access::ASSUME_IMPERSONATION])
                    .ok()?;
                Some(self.reach(crate::reach::Goal::Any(&set)))
            });
            crate::workmail::access::analyze(
                wm,
                self.engine,
                reach.as_deref(),
                &self.partition,
                &self.account_id,
            )
        })
    }

    pub fn engine(&self) -> &'a Engine<'a> {
        // Checks declare AuthorizationDetails in NEEDS; the runner only runs
        // them when the engine exists.
        self.engine
            .expect("check declared authorization_details in NEEDS")
    }

    pub fn root_arn(&self) -> String {
        format!("arn:{}:iam::{}:root", self.partition, self.account_id)
    }

    /// Users and roles: the principals that act. Groups only grant.
    pub fn acting_principals(&self) -> impl Iterator<Item = (PrincipalId, &'a Principal)> + '_ {
        let engine = self.engine();
        engine
            .principal_ids()
            .iter()
            .map(move |&id| (id, engine.principal(id)))
            .filter(|(_, p)| p.kind != PrincipalKind::Group)
    }

    /// Every principal, groups included, in a stable order.
    pub fn all_principals(&self) -> impl Iterator<Item = (PrincipalId, &'a Principal)> + '_ {
        let engine = self.engine();
        engine
            .principal_ids()
            .iter()
            .map(move |&id| (id, engine.principal(id)))
    }

    /// Can only these service principals assume the role? False when the
    /// trust policy is missing, unreadable, or lets in anything else.
    pub fn trusted_only_by(&self, role_arn: &str, services: &[String]) -> bool {
        let Some(Ok(Some(trust))) = self.account_roles.get(role_arn).map(|r| Trust::of(r)) else {
            return false;
        };
        let grants = trust.grants();
        !grants.is_empty()
            && grants.iter().all(
                |g| matches!(g.trustee, Trustee::Service(s) if services.iter().any(|x| x == s)),
            )
    }

    /// Who reaches `goal` and how, computed once per goal for all the rules
    /// that ask (escalation paths, external trust).
    pub fn reach(&self, goal: crate::reach::Goal<'_>) -> Arc<crate::reach::Reach> {
        let key = match goal {
            crate::reach::Goal::Any(g) => (false, g.clone()),
            crate::reach::Goal::All(g) => (true, g.clone()),
        };
        if let Some(hit) = self
            .reach_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return hit;
        }
        let r = Arc::new(crate::reach::paths_to(
            self.engine(),
            &self.account_roles,
            goal,
        ));
        if let Ok(mut c) = self.reach_cache.lock() {
            c.insert(key, Arc::clone(&r));
        }
        r
    }

    /// The account's roles whose trust policy lets in a service principal
    /// matching `services`, by ARN, each parsed once per set of patterns
    /// (principal-level checks ask for every principal).
    pub fn roles_trusted_by(&self, services: &ServicePrincipals) -> Arc<Vec<&'a Role>> {
        if let Some(hit) = self
            .service_roles
            .lock()
            .ok()
            .and_then(|c| c.get(&services.0).cloned())
        {
            return hit;
        }
        let mut roles: Vec<&'a Role> = self
            .account_roles
            .values()
            .copied()
            .filter(|r| {
                Trust::of(r).ok().flatten().is_some_and(|t| {
                    t.grants()
                        .iter()
                        .any(|g| matches!(g.trustee, Trustee::Service(s) if services.matches(s)))
                })
            })
            .collect();
        roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        let roles = Arc::new(roles);
        if let Ok(mut c) = self.service_roles.lock() {
            c.insert(services.0.clone(), Arc::clone(&roles));
        }
        roles
    }

    /// The one notion of a mail flow rule's Lambda role: a role only
    /// `lambda.amazonaws.com` can assume. Its `workmailmessageflow` actions
    /// (reading and rewriting messages in transit) are what it is for, so
    /// neither workmail-mail-content-access nor the managed-policy rule flags
    /// them there; it says where AmazonWorkMailMessageFlowReadOnlyAccess belongs.
    pub fn is_mail_flow_lambda_role(&self, p: &Principal) -> bool {
        p.kind == PrincipalKind::Role
            && self.trusted_only_by(&p.arn, &[MAIL_FLOW_LAMBDA_SERVICE.to_owned()])
    }

    /// Does this managed policy reach the principal, and how?
    pub fn attached_via(&self, p: &Principal, arn: &str) -> Vec<Via> {
        let engine = self.engine();
        let Some(policy) = engine.policies.managed(arn) else {
            return Vec::new();
        };
        // Integer comparisons, group by group: a member of a group with
        // thousands of policies must not cost thousands of string copies.
        let holds = |q: &Principal| q.attachments.iter().any(|a| a.policy == policy);
        let mut vias: Vec<Via> = Vec::new();
        if holds(p) {
            vias.push(Via::Direct);
        }
        for &g in &p.member_of {
            let group = engine.principal(g);
            if holds(group) {
                vias.push(Via::Group(group.name.clone()));
            }
        }
        vias.sort();
        vias.dedup();
        vias
    }

    /// The statements that grant `actions` to a principal, one evidence
    /// entry per (policy, attachment path, statement) with the actions it grants.
    pub fn grant_evidence(&self, id: PrincipalId, actions: &ActionSet) -> Vec<Evidence> {
        self.statement_evidence(id, actions, Effect::Allow)
    }

    /// The statements that deny `actions`.
    pub fn deny_evidence(&self, id: PrincipalId, actions: &ActionSet) -> Vec<Evidence> {
        self.statement_evidence(id, actions, Effect::Deny)
    }

    fn statement_evidence(
        &self,
        id: PrincipalId,
        actions: &ActionSet,
        effect: Effect,
    ) -> Vec<Evidence> {
        // One pass over the principal's statements with set intersections,
        // not one explanation per action: this runs for every finding.
        let engine = self.engine();
        let catalog = engine.catalog();
        let p = engine.principal(id);
        let mut found = Found::default();
        // The principal's own policies.
        for a in &p.attachments {
            self.scan_policy(a.policy, "directly", actions, effect, &mut found);
        }
        // Each group's part once, shared by all its members: 300 members of
        // a group whose policy has 10,000 statements held 3 million entries.
        for &g in &p.member_of {
            let part = self.group_part(g, actions, effect);
            found.merge(&part);
        }
        if effect == Effect::Deny
            && let Some(b) = p.boundary
        {
            let origin = &engine.policies.get(b).origin;
            // What the boundary does not allow at all, then its own Denies.
            let mut blocked = actions.clone();
            blocked.difference_with(&engine.policies.get(b).aggregate.allow_any);
            if !blocked.is_clear() {
                found.add(
                    (
                        policy_label(origin),
                        "as permission boundary".into(),
                        usize::MAX,
                        None,
                    ),
                    &blocked,
                );
            }
            self.scan_policy(
                b,
                "as permission boundary",
                actions,
                Effect::Deny,
                &mut found,
            );
        }
        if effect == Effect::Deny
            && let Some(c) = engine.controls_over(id)
        {
            // The organization's part: which SCP or RCP, at which level.
            let mut blocked = actions.clone();
            blocked.intersect_with(&engine.access(id).control_blocked);
            for a in blocked.ones() {
                let mut one = catalog.empty_set();
                one.insert(a);
                for b in c.explain(a) {
                    let policy = match (&b.policy_id, &b.policy_name) {
                        (Some(id), Some(name)) => format!("{} {id} ({name})", b.kind.as_str()),
                        _ => format!("no {} allows it", b.kind.as_str()),
                    };
                    found.add(
                        (
                            policy,
                            format!("attached to {}", b.level),
                            usize::MAX,
                            b.sid.clone(),
                        ),
                        &one,
                    );
                }
            }
        }
        found.into_evidence(catalog, effect)
    }

    /// The evidence entries of one policy's statements.
    fn scan_policy(
        &self,
        policy: PolicyId,
        via: &str,
        actions: &ActionSet,
        effect: Effect,
        found: &mut Found,
    ) {
        let engine = self.engine();
        let entry = engine.policies.get(policy);
        let any = match effect {
            Effect::Allow => &entry.aggregate.allow_any,
            Effect::Deny => &entry.aggregate.deny_any,
        };
        if any.is_disjoint(actions) {
            return;
        }
        let label = policy_label(&entry.origin);
        for st in statements(engine, policy) {
            if st.effect != effect || st.actions.is_disjoint(actions) {
                continue;
            }
            let mut hit = st.actions.clone();
            hit.intersect_with(actions);
            found.add(
                (label.clone(), via.to_owned(), st.index, st.sid.clone()),
                &hit,
            );
        }
    }

    /// A group's evidence for `actions`, computed once per (group, effect,
    /// actions) and shared by its members.
    fn group_part(&self, group: PrincipalId, actions: &ActionSet, effect: Effect) -> Arc<Found> {
        let engine = self.engine();
        let g = engine.principal(group);
        // Small groups are cheaper to scan again than to look up: the key
        // hashes and compares a set the size of the catalog.
        let size: usize = g
            .attachments
            .iter()
            .map(|a| statements(engine, a.policy).len())
            .sum();
        let shared = size >= SHARE_FROM_STATEMENTS;
        let key = (group, effect, actions.clone());
        if shared
            && let Some(part) = self
                .evidence_cache
                .lock()
                .ok()
                .and_then(|c| c.get(&key).cloned())
        {
            return part;
        }
        let via = via_label(&Via::Group(g.name.clone()));
        let mut part = Found::default();
        for a in &g.attachments {
            self.scan_policy(a.policy, &via, actions, effect, &mut part);
        }
        let part = Arc::new(part);
        if shared && let Ok(mut cache) = self.evidence_cache.lock() {
            cache.insert(key, Arc::clone(&part));
        }
        part
    }
}

fn statements<'e>(engine: &'e Engine<'_>, policy: PolicyId) -> &'e [CompiledStatement] {
    match &engine.policies.get(policy).compiled {
        Ok(c) => c.statements.as_slice(),
        Err(_) => &[],
    }
}

/// A group's evidence is shared by its members from this many statements on.
const SHARE_FROM_STATEMENTS: usize = 64;

/// At most this many statements are listed as a finding's evidence; the rest
/// are counted, with the actions they grant, in one more entry. 10,000
/// statements times 300 principals was a 1.4 GB scan and a 430 MB report.
pub const MAX_EVIDENCE: usize = 20;

/// (policy, attached how, statement index, sid)
type EvidenceKey = (String, String, usize, Option<String>);

/// Evidence entries, at most [`MAX_EVIDENCE`], and what was left out.
#[derive(Debug, Default)]
pub struct Found {
    entries: BTreeMap<EvidenceKey, ActionSet>,
    more: usize,
    more_actions: Option<ActionSet>,
}

impl Found {
    fn add(&mut self, key: EvidenceKey, set: &ActionSet) {
        if let Some(have) = self.entries.get_mut(&key) {
            have.union_with(set);
        } else if self.entries.len() < MAX_EVIDENCE {
            self.entries.insert(key, set.clone());
        } else {
            self.more += 1;
            match &mut self.more_actions {
                Some(m) => m.union_with(set),
                None => self.more_actions = Some(set.clone()),
            }
        }
    }

    fn merge(&mut self, other: &Found) {
        for (k, v) in &other.entries {
            self.add(k.clone(), v);
        }
        if let Some(m) = &other.more_actions {
            self.more += other.more;
            match &mut self.more_actions {
                Some(mine) => mine.union_with(m),
                None => self.more_actions = Some(m.clone()),
            }
        }
    }

    fn into_evidence(self, catalog: &Catalog, effect: Effect) -> Vec<Evidence> {
        let mut out: Vec<Evidence> = self
            .entries
            .into_iter()
            .map(|((policy, attached, statement, sid), set)| Evidence {
                policy: Some(policy),
                attached: Some(attached),
                statement: (statement != usize::MAX).then_some(statement),
                sid,
                actions: compact_names(catalog, &set),
                detail: None,
            })
            .collect();
        if let Some(rest) = self.more_actions {
            let verb = match effect {
                Effect::Allow => "grant",
                Effect::Deny => "deny",
            };
            out.push(Evidence {
                actions: compact_names(catalog, &rest),
                detail: Some(format!(
                    "and {} more statements that {verb} these actions (`wmaudit explain` lists every one)",
                    self.more
                )),
                ..Evidence::default()
            });
        }
        out
    }
}

/// Action names for evidence: a large service whose every action is in the
/// set is written `service:*` (233 SES actions are one entry, not 233).
pub fn compact_names(catalog: &Catalog, set: &ActionSet) -> Vec<ActionName> {
    // Walks the set bits only (services are contiguous, in catalog order):
    // this runs for every evidence entry of every finding, and the sets are
    // sparse in a 2,227-action catalog.
    let mut out = Vec::new();
    let mut ones = set.ones().peekable();
    while let Some(&first) = ones.peek() {
        let svc = &catalog.services()[catalog.action(first).service];
        let range = svc.range.clone();
        // Small services stay explicit: naming GetRawMessageContent says more
        // than `workmailmessageflow:*`.
        let whole = range.len() > 10 && set.contains_all_in_range(range.clone());
        if whole {
            out.push(ActionName::Borrowed(svc.wildcard));
        }
        while let Some(i) = ones.next_if(|&i| i < range.end) {
            if !whole {
                out.push(ActionName::Borrowed(catalog.action(i).full_name));
            }
        }
    }
    out
}

/// A managed policy's ARN, or `inline:NAME` (on its owner) for inline ones.
/// Evidence for one statement a resource-level decision rests on
/// ([`Engine::decision_on`]): its policy, how it is attached, its index and
/// Sid, the action, and what it was decided for.
pub fn statement_ref_evidence(
    engine: &Engine<'_>,
    r: &crate::eval::on_resource::StatementRef,
    action: &str,
    detail: String,
) -> Evidence {
    let entry = engine.policies.get(r.policy);
    Evidence {
        policy: Some(policy_label(&entry.origin)),
        attached: Some(
            r.via
                .as_ref()
                .map_or("as permission boundary".into(), via_label),
        ),
        statement: Some(r.statement),
        sid: r.sid.clone(),
        actions: vec![action.to_owned().into()],
        detail: Some(detail),
    }
}

pub fn policy_label(origin: &PolicyOrigin) -> String {
    match origin {
        PolicyOrigin::Managed { arn, .. } => arn.clone(),
        PolicyOrigin::Inline { name, .. } => format!("inline:{name}"),
    }
}

pub fn via_label(via: &Via) -> String {
    match via {
        Via::Direct => "directly".into(),
        Via::Group(g) => format!("through group {g}"),
    }
}

/// Designated WorkMail administrators: the config's ARN patterns (matching a
/// user, role or a group the user is in) or, when none are configured,
/// members of groups that hold AmazonWorkMailFullAccess through the group.
pub fn designated_admins(engine: &Engine<'_>, patterns: &[String]) -> HashSet<PrincipalId> {
    let d = Designator::new(engine, patterns);
    (0..engine.principals.len())
        .filter(|&id| d.why(id).is_ok())
        .collect()
}

/// Whether one principal is a designated WorkMail administrator, and why
/// (`Ok`) or why not (`Err`), in words for `explain`.
pub fn designation(
    engine: &Engine<'_>,
    patterns: &[String],
    id: PrincipalId,
) -> Result<String, String> {
    Designator::new(engine, patterns).why(id)
}

/// The one definition of "designated", shared by the rules and `explain`.
struct Designator<'e, 'p> {
    engine: &'e Engine<'e>,
    patterns: &'p [String],
    group_arns: BTreeMap<&'e str, &'e str>,
    /// Groups that hold AmazonWorkMailFullAccess, found once.
    full_access_groups: HashSet<PrincipalId>,
}

impl<'e, 'p> Designator<'e, 'p> {
    fn new(engine: &'e Engine<'e>, patterns: &'p [String]) -> Self {
        let group_arns = engine
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Group)
            .map(|p| (p.name.as_str(), p.arn.as_str()))
            .collect();
        let full_access_groups = (0..engine.principals.len())
            .filter(|&g| {
                let p = engine.principal(g);
                p.kind == PrincipalKind::Group
                    && p.attachments.iter().any(|a| {
                        engine.policies.get(a.policy).origin.managed_arn()
                            == Some(WORKMAIL_FULL_ACCESS)
                    })
            })
            .collect();
        Designator {
            engine,
            patterns,
            group_arns,
            full_access_groups,
        }
    }

    fn matching(&self, arn: &str) -> Option<&'p str> {
        self.patterns
            .iter()
            .find(|pat| wildcard_match(pat, arn, false))
            .map(String::as_str)
    }

    fn why(&self, id: PrincipalId) -> Result<String, String> {
        let p = self.engine.principal(id);
        if p.kind == PrincipalKind::Group {
            return Err("groups are not designated; their members are".to_owned());
        }
        if self.patterns.is_empty() {
            // Group by group (each group's policies once per group, not
            // once per member).
            let group = p
                .member_of
                .iter()
                .find(|g| self.full_access_groups.contains(g))
                .map(|&g| self.engine.principal(g).name.clone());
            return match group {
                Some(g) => Ok(format!(
                    "by default, as no administrators are configured: member of group {g}, \
                     which holds AmazonWorkMailFullAccess"
                )),
                None => Err(
                    "by default, as no administrators are configured: not a member of \
                     a group that holds AmazonWorkMailFullAccess"
                        .to_owned(),
                ),
            };
        }
        if let Some(pat) = self.matching(&p.arn) {
            return Ok(format!(
                "configured: workmail.administrators entry {pat:?} matches its ARN"
            ));
        }
        for g in &p.groups {
            if let Some(pat) = self
                .group_arns
                .get(g.as_str())
                .and_then(|arn| self.matching(arn))
            {
                return Ok(format!(
                    "configured: workmail.administrators entry {pat:?} matches its group {g}"
                ));
            }
        }
        Err(
            "configured administrators: no workmail.administrators entry matches it or its groups"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, one catalog pass per call: what [`compact_names`]
    /// must equal.
    fn compact_names_naive(catalog: &Catalog, set: &ActionSet) -> Vec<ActionName> {
        let mut out = Vec::new();
        for svc in catalog.services() {
            let range = svc.range.clone();
            if range.len() > 10 && set.contains_all_in_range(range.clone()) {
                out.push(format!("{}:*", svc.prefix).into());
            } else {
                out.extend(
                    range
                        .filter(|&i| set.contains(i))
                        .map(|i| catalog.action(i).full_name.to_owned().into()),
                );
            }
        }
        out
    }

    fn service_set(catalog: &Catalog, prefix: &str) -> ActionSet {
        catalog.service_set(prefix)
    }

    #[test]
    fn whole_services_collapse_and_small_ones_stay_explicit() {
        let c = Catalog::builtin();
        let mut set = service_set(c, "ses");
        set.union_with(&service_set(c, "workmailmessageflow"));
        set.insert(c.lookup("workmail:ResetPassword").unwrap());
        assert_eq!(
            compact_names(c, &set),
            [
                "ses:*",
                "workmail:ResetPassword",
                "workmailmessageflow:GetRawMessageContent",
                "workmailmessageflow:PutRawMessageContent",
            ]
        );
        assert!(compact_names(c, &c.empty_set()).is_empty());
    }

    proptest! {
        #[test]
        fn same_as_the_definition(
            bits in proptest::collection::vec(0usize..2227, 0..300),
            whole in proptest::collection::vec(0usize..32, 0..4),
        ) {
            let c = Catalog::builtin();
            let mut set = c.empty_set();
            for b in bits {
                set.insert(b % c.actions().len());
            }
            for w in whole {
                let svc = &c.services()[w % c.services().len()];
                set.insert_range(svc.range.clone());
            }
            prop_assert_eq!(compact_names(c, &set), compact_names_naive(c, &set));
        }
    }
}
