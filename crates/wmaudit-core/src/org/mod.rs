//! AWS Organizations: the organization file (`wmaudit-organization/1`), and
//! for one account the service and resource control policies on its path,
//! root first, as the engine applies them ([`crate::eval::controls`]).

mod model;
mod read;

pub use model::{
    AccountGap, Attached, ORGANIZATION_FORMAT, OrgAccount, OrgInfo, OrgNode, OrgPolicy,
    OrgSnapshot, RCP, SCP,
};
pub use read::{parse_organization, read_organization, write_organization};

/// What a level of the path is, for provenance ("attached to OU Mail").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelKind {
    Root,
    Ou,
    Account,
}

impl LevelKind {
    /// `OU Mail (ou-ab12-cdef3456)`.
    pub fn label(self, name: &str, id: &str) -> String {
        format!("{} {name} ({id})", self.as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LevelKind::Root => "root",
            LevelKind::Ou => "OU",
            LevelKind::Account => "account",
        }
    }
}

/// One level of an account's path and the policies attached there.
#[derive(Debug, Clone)]
pub struct Level<'o> {
    pub kind: LevelKind,
    pub id: &'o str,
    pub name: &'o str,
    pub policies: Vec<&'o OrgPolicy>,
}

impl Level<'_> {
    /// `OU Mail (ou-ab12-cdef3456)`.
    pub fn label(&self) -> String {
        self.kind.label(self.name, self.id)
    }
}

/// The control policies that bound one account's principals.
#[derive(Debug, Clone, Default)]
pub struct AccountControls<'o> {
    /// The organization's management account: SCPs and RCPs do not apply.
    pub management: bool,
    /// SCP levels, root first; `None` when SCPs are not enabled.
    pub scps: Option<Vec<Level<'o>>>,
    /// RCP levels, root first; `None` when RCPs are not enabled.
    pub rcps: Option<Vec<Level<'o>>>,
    /// Why the policies on the path are not fully known (a level's list or
    /// a policy document could not be read): the verdicts are incomplete.
    pub problems: Vec<String>,
}

impl OrgSnapshot {
    /// The controls on `account_id`'s path; `None` if the organization does
    /// not list the account.
    pub fn controls(&self, account_id: &str) -> Option<AccountControls<'_>> {
        let account = self.account(account_id)?;
        let management = account_id == self.organization.management_account_id;
        let mut problems = Vec::new();
        // The root first, then each OU down to the account's parent.
        let nodes = self.path(account);
        let all_features = self
            .organization
            .feature_set
            .as_deref()
            .is_none_or(|f| f == "ALL");
        let mut levels = |kind_name: &str, pick: fn(&Attached) -> &Option<Vec<String>>| {
            // A policy type applies only when its root has it enabled.
            let enabled = nodes.first().is_some_and(|root| {
                root.policy_types
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|t| t == kind_name))
            });
            if !all_features || !enabled {
                return None;
            }
            let mut out = Vec::new();
            let targets = nodes
                .iter()
                .map(|n| {
                    let kind = if n.parent_id.is_none() {
                        LevelKind::Root
                    } else {
                        LevelKind::Ou
                    };
                    (kind, n.id.as_str(), n.name.as_str(), &n.attached)
                })
                .chain(std::iter::once((
                    LevelKind::Account,
                    account.id.as_str(),
                    account.name.as_str(),
                    &account.attached,
                )));
            for (kind, id, name, attached) in targets {
                let mut policies = Vec::new();
                match pick(attached) {
                    Some(ids) => {
                        for pid in ids {
                            match self.policy(pid) {
                                Some(p) => policies.push(p),
                                None => problems.push(format!(
                                    "policy {pid} attached to {} {name} ({id}) was not read",
                                    kind.as_str()
                                )),
                            }
                        }
                    }
                    None => problems.push(format!(
                        "the {} attached to {} {name} ({id}) could not be listed{}",
                        if kind_name == SCP { "SCPs" } else { "RCPs" },
                        kind.as_str(),
                        attached
                            .not_read
                            .first()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    )),
                }
                out.push(Level {
                    kind,
                    id,
                    name,
                    policies,
                });
            }
            Some(out)
        };
        let scps = levels(SCP, |a| &a.service_control_policies);
        let rcps = levels(RCP, |a| &a.resource_control_policies);
        Some(AccountControls {
            management,
            scps,
            rcps,
            problems,
        })
    }
}
