//! `wmaudit-organization/1`: what `collect --organization` reads of an AWS
//! Organization (its tree, its accounts, the SCPs and RCPs attached at each
//! level), one file beside the per-account snapshots (docs/organizations.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The value of the file's `format` field.
pub const ORGANIZATION_FORMAT: &str = "wmaudit-organization/1";

/// Policy types as Organizations spells them.
pub const SCP: &str = "SERVICE_CONTROL_POLICY";
pub const RCP: &str = "RESOURCE_CONTROL_POLICY";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSnapshot {
    pub format: String,
    pub tool_version: String,
    pub collected_at: Option<String>,
    pub organization: OrgInfo,
    pub roots: Vec<OrgNode>,
    pub organizational_units: Vec<OrgNode>,
    pub accounts: Vec<OrgAccount>,
    /// Every SCP and RCP attached anywhere on a collected account's path.
    pub policies: Vec<OrgPolicy>,
    /// Accounts that could not be entered or read, and why.
    pub not_collected: Vec<AccountGap>,
    /// Calls sent to Organizations and STS by operation (the accounts' own
    /// calls are in their snapshots).
    pub api_calls: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgInfo {
    pub id: String,
    pub arn: Option<String>,
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING` (no SCPs then).
    pub feature_set: Option<String>,
}

/// A root or an OU, with the policies attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgNode {
    pub id: String,
    pub name: String,
    /// The parent's id; `None` for a root.
    pub parent_id: Option<String>,
    /// Roots only: the policy types enabled (`SERVICE_CONTROL_POLICY`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_types: Option<Vec<String>>,
    pub attached: Attached,
}

/// Policy ids attached to a target, by type. `None`: could not be read (the
/// reason is in `not_read`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attached {
    pub service_control_policies: Option<Vec<String>>,
    pub resource_control_policies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_read: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub status: String,
    pub parent_id: String,
    pub attached: Attached,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicy {
    pub id: String,
    pub name: String,
    /// [`SCP`] or [`RCP`].
    #[serde(rename = "type")]
    pub kind: String,
    pub aws_managed: bool,
    pub description: Option<String>,
    /// The policy document (JSON text as Organizations returns it, or an object).
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountGap {
    pub account_id: String,
    pub reason: String,
}

impl Attached {
    /// Takes the other's lists where this one has none (one batch read a
    /// level the other did not need, or could not read); the name of the
    /// list on which both have different values is the error.
    fn merge(&mut self, other: &mut Attached) -> Result<(), &'static str> {
        for (mine, theirs, name) in [
            (
                &mut self.service_control_policies,
                &mut other.service_control_policies,
                "SCPs",
            ),
            (
                &mut self.resource_control_policies,
                &mut other.resource_control_policies,
                "RCPs",
            ),
        ] {
            match (mine.as_ref(), theirs.as_ref()) {
                (Some(a), Some(b)) if a != b => return Err(name),
                (None, Some(_)) => *mine = theirs.take(),
                _ => {}
            }
        }
        for r in other.not_read.drain(..) {
            if !self.not_read.contains(&r) {
                self.not_read.push(r);
            }
        }
        // A reason stays only while a list is still unknown.
        if self.service_control_policies.is_some() && self.resource_control_policies.is_some() {
            self.not_read.clear();
        }
        Ok(())
    }
}

impl OrgSnapshot {
    pub fn account(&self, id: &str) -> Option<&OrgAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// A root or OU by id.
    pub fn node(&self, id: &str) -> Option<&OrgNode> {
        self.roots
            .iter()
            .chain(&self.organizational_units)
            .find(|n| n.id == id)
    }

    pub fn policy(&self, id: &str) -> Option<&OrgPolicy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The root and OUs above `account`, root first.
    pub fn path(&self, account: &OrgAccount) -> Vec<&OrgNode> {
        self.node(&account.parent_id)
            .map(|n| self.lineage(n))
            .unwrap_or_default()
    }

    /// `node` and the nodes above it, root first. Validation guarantees the
    /// walk ends (every parent exists, no cycle); the bound keeps it so.
    pub fn lineage<'a>(&'a self, node: &'a OrgNode) -> Vec<&'a OrgNode> {
        let mut out = vec![node];
        let mut cur = node.parent_id.as_deref();
        while let Some(id) = cur {
            let Some(n) = self.node(id) else { break };
            if out.len() > self.roots.len() + self.organizational_units.len() {
                break;
            }
            out.push(n);
            cur = n.parent_id.as_deref();
        }
        out.reverse();
        out
    }

    /// `Root/Mail/Prod`: the names of `nodes`, for reports.
    pub fn names(nodes: &[&OrgNode]) -> String {
        nodes
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// `Root/Mail/Prod`: the OU path of an account.
    pub fn ou_path(&self, account: &OrgAccount) -> String {
        Self::names(&self.path(account))
    }
}

impl OrgSnapshot {
    /// Two collections of the same organization as one (the batches of a
    /// fanned-out scan): roots, OUs and policies must agree where both have
    /// them; an account may be in one only.
    pub fn merge(mut self, other: OrgSnapshot) -> Result<OrgSnapshot, String> {
        if self.organization.id != other.organization.id {
            return Err(format!(
                "organizations {} and {} differ: merge the collections of one organization",
                self.organization.id, other.organization.id
            ));
        }
        fn union<T: Clone + PartialEq>(
            mine: &mut Vec<T>,
            theirs: Vec<T>,
            id: impl Fn(&T) -> &str,
            what: &str,
        ) -> Result<(), String> {
            for t in theirs {
                match mine.iter().find(|m| id(m) == id(&t)) {
                    Some(m) if *m == t => {}
                    Some(_) => {
                        return Err(format!(
                            "{what} {} differs between the two (collected at different times? \
                             collect the batches in one run)",
                            id(&t)
                        ));
                    }
                    None => mine.push(t),
                }
            }
            Ok(())
        }
        // A batch reads the policies of the levels above its own accounts
        // only: a level's lists may be in one batch and not read (not needed,
        // no reason given) in the other.
        fn nodes(mine: &mut Vec<OrgNode>, theirs: Vec<OrgNode>, what: &str) -> Result<(), String> {
            for t in theirs {
                let Some(m) = mine.iter_mut().find(|m| m.id == t.id) else {
                    mine.push(t);
                    continue;
                };
                let mut t = t;
                if m.name != t.name
                    || m.parent_id != t.parent_id
                    || m.policy_types != t.policy_types
                {
                    return Err(format!(
                        "{what} {} differs between the two (collected at different times? \
                         collect the batches in one run)",
                        t.id
                    ));
                }
                m.attached.merge(&mut t.attached).map_err(|list| {
                    format!(
                        "the {list} attached to {what} {} differ between the two (collected at \
                         different times? collect the batches in one run)",
                        t.id
                    )
                })?;
            }
            Ok(())
        }
        nodes(&mut self.roots, other.roots, "root")?;
        nodes(
            &mut self.organizational_units,
            other.organizational_units,
            "OU",
        )?;
        union(&mut self.policies, other.policies, |p| &p.id, "policy")?;
        for a in other.accounts {
            if self.account(&a.id).is_some() {
                return Err(format!("account {} is in both: each account once", a.id));
            }
            self.accounts.push(a);
        }
        self.not_collected.extend(other.not_collected);
        for (op, n) in other.api_calls {
            *self.api_calls.entry(op).or_default() += n;
        }
        self.collected_at = match (self.collected_at, other.collected_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.sort();
        Ok(self)
    }

    /// Lists in id order: the same organization always writes the same bytes.
    pub fn sort(&mut self) {
        self.roots.sort_by(|a, b| a.id.cmp(&b.id));
        self.organizational_units.sort_by(|a, b| a.id.cmp(&b.id));
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        self.policies.sort_by(|a, b| a.id.cmp(&b.id));
        self.not_collected.sort();
        self.not_collected.dedup();
    }
}
