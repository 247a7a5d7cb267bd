//! Every distinct policy of an account, compiled once.

use std::collections::HashMap;

use serde::Serialize;

use crate::account::{Account, InlinePolicy, RawDocument, is_aws_managed_arn};
use crate::catalog::{ActionSet, Catalog, builtin_managed_policies};
use crate::policy::{CompiledPolicy, Compiler, Effect, PolicyDocument, PolicyError};

pub type PolicyId = usize;

/// Where a policy comes from, for provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PolicyOrigin {
    Managed {
        arn: String,
        name: String,
        aws_managed: bool,
        /// Set when the account data lacked the document and wmaudit used its
        /// embedded copy of this AWS managed policy version.
        #[serde(skip_serializing_if = "Option::is_none")]
        builtin_version: Option<String>,
    },
    Inline {
        /// ARN of the user, group or role that embeds it.
        owner: String,
        name: String,
    },
}

impl PolicyOrigin {
    /// A short label: the managed policy's name or `inline:NAME`.
    pub fn label(&self) -> String {
        match self {
            PolicyOrigin::Managed { name, .. } => name.clone(),
            PolicyOrigin::Inline { name, .. } => format!("inline:{name}"),
        }
    }

    pub fn managed_arn(&self) -> Option<&str> {
        match self {
            PolicyOrigin::Managed { arn, .. } => Some(arn),
            PolicyOrigin::Inline { .. } => None,
        }
    }

    pub fn is_aws_managed(&self) -> bool {
        matches!(
            self,
            PolicyOrigin::Managed {
                aws_managed: true,
                ..
            }
        )
    }
}

/// Union of a policy's statements by effect and certainty.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub allow_any: ActionSet,
    /// Allowed unconditionally on every resource.
    pub allow_full: ActionSet,
    pub deny_any: ActionSet,
    /// Denied unconditionally on every resource: a definite explicit deny.
    pub deny_full: ActionSet,
}

impl Aggregate {
    pub fn empty(catalog: &Catalog) -> Self {
        Aggregate {
            allow_any: catalog.empty_set(),
            allow_full: catalog.empty_set(),
            deny_any: catalog.empty_set(),
            deny_full: catalog.empty_set(),
        }
    }

    pub(crate) fn of(policy: &CompiledPolicy, catalog: &Catalog) -> Self {
        let mut agg = Aggregate::empty(catalog);
        for st in &policy.statements {
            let (any, full) = match st.effect {
                Effect::Allow => (&mut agg.allow_any, &mut agg.allow_full),
                Effect::Deny => (&mut agg.deny_any, &mut agg.deny_full),
            };
            any.union_with(&st.actions);
            if let Some(definite) = st.definite() {
                full.union_with(definite);
            }
        }
        agg
    }

    /// Bounded by `other` as well, as control policies bound: allowed only
    /// where both allow, denied where either denies.
    pub fn bound_by(&mut self, other: &Aggregate) {
        self.allow_any.intersect_with(&other.allow_any);
        self.allow_full.intersect_with(&other.allow_full);
        self.deny_any.union_with(&other.deny_any);
        self.deny_full.union_with(&other.deny_full);
    }

    pub fn union_with(&mut self, other: &Aggregate) {
        self.allow_any.union_with(&other.allow_any);
        self.allow_full.union_with(&other.allow_full);
        self.deny_any.union_with(&other.deny_any);
        self.deny_full.union_with(&other.deny_full);
    }
}

#[derive(Debug)]
pub struct PolicyEntry {
    pub origin: PolicyOrigin,
    pub compiled: Result<CompiledPolicy, PolicyError>,
    pub aggregate: Aggregate,
    /// A customer-managed policy's other versions (id, what it would
    /// grant), for `iam:SetDefaultPolicyVersion`. Unreadable ones are left out.
    pub other_versions: Vec<(String, Aggregate)>,
}

/// All policies of an account, indexed by managed ARN and by inline owner.
pub struct PolicyTable {
    pub entries: Vec<PolicyEntry>,
    managed: HashMap<String, PolicyId>,
}

impl PolicyTable {
    pub fn get(&self, id: PolicyId) -> &PolicyEntry {
        &self.entries[id]
    }

    /// The managed policy with this ARN, from the account data or, for AWS
    /// managed policies absent from it, from the embedded copy.
    pub fn managed(&self, arn: &str) -> Option<PolicyId> {
        self.managed.get(arn).copied()
    }

    pub(super) fn build(account: &Account, compiler: &mut Compiler<'_>) -> (Self, Vec<String>) {
        let catalog = compiler.catalog();
        let mut table = PolicyTable {
            entries: Vec::new(),
            managed: HashMap::new(),
        };
        let mut documentless = Vec::new();
        for p in &account.policies {
            let origin = PolicyOrigin::Managed {
                arn: p.arn.clone(),
                name: p.name.clone(),
                aws_managed: p.is_aws_managed(),
                builtin_version: None,
            };
            match &p.document {
                Some(doc) => {
                    table.push_managed(&p.arn, origin, compile_raw(doc, compiler), catalog);
                    if let Some(&id) = table.managed.get(&p.arn) {
                        table.entries[id].other_versions = p
                            .other_versions
                            .iter()
                            .filter_map(|v| {
                                let c = compile_raw(&v.document, compiler).ok()?;
                                Some((v.version_id.clone(), Aggregate::of(&c, catalog)))
                            })
                            .collect();
                    }
                }
                // Documentless entries fall through to the embedded copy below.
                None => documentless.push(p.arn.clone()),
            }
        }
        // AWS managed policies that are attached but absent from the data.
        let attached = account
            .users
            .iter()
            .flat_map(|u| u.attached_policies.iter().map(|a| &a.arn))
            .chain(
                account
                    .users
                    .iter()
                    .filter_map(|u| u.permissions_boundary.as_ref()),
            )
            .chain(
                account
                    .groups
                    .iter()
                    .flat_map(|g| g.attached_policies.iter().map(|a| &a.arn)),
            )
            .chain(
                account
                    .roles
                    .iter()
                    .flat_map(|r| r.attached_policies.iter().map(|a| &a.arn)),
            )
            .chain(
                account
                    .roles
                    .iter()
                    .filter_map(|r| r.permissions_boundary.as_ref()),
            )
            .chain(documentless.iter());
        let mut fallback: Vec<&String> = attached
            .filter(|arn| !table.managed.contains_key(*arn) && is_aws_managed_arn(arn))
            .collect();
        fallback.sort();
        fallback.dedup();
        let builtin = builtin_managed_policies();
        let mut fallback_arns = Vec::new();
        for arn in fallback {
            if let Some(b) = builtin.by_arn(arn) {
                let origin = PolicyOrigin::Managed {
                    arn: b.arn.clone(),
                    name: b.name.clone(),
                    aws_managed: true,
                    builtin_version: Some(b.version_id.clone()),
                };
                let compiled =
                    PolicyDocument::from_value(&b.document).and_then(|d| compiler.compile(d));
                table.push_managed(arn, origin, compiled, catalog);
                fallback_arns.push(arn.clone());
            }
        }
        (table, fallback_arns)
    }

    fn push_managed(
        &mut self,
        arn: &str,
        origin: PolicyOrigin,
        compiled: Result<CompiledPolicy, PolicyError>,
        catalog: &Catalog,
    ) {
        let id = self.push(origin, compiled, catalog);
        self.managed.insert(arn.to_owned(), id);
    }

    pub(super) fn push_inline(
        &mut self,
        owner: &str,
        policy: &InlinePolicy,
        compiler: &mut Compiler<'_>,
    ) -> PolicyId {
        let origin = PolicyOrigin::Inline {
            owner: owner.to_owned(),
            name: policy.name.clone(),
        };
        let compiled = compile_raw(&policy.document, compiler);
        self.push(origin, compiled, compiler.catalog())
    }

    fn push(
        &mut self,
        origin: PolicyOrigin,
        compiled: Result<CompiledPolicy, PolicyError>,
        catalog: &Catalog,
    ) -> PolicyId {
        let aggregate = match &compiled {
            Ok(c) => Aggregate::of(c, catalog),
            Err(_) => Aggregate::empty(catalog),
        };
        self.entries.push(PolicyEntry {
            origin,
            compiled,
            aggregate,
            other_versions: Vec::new(),
        });
        self.entries.len() - 1
    }
}

/// A document is an object (CLI output) or URL-encoded text (API output).
pub fn parse_raw(doc: &RawDocument) -> Result<PolicyDocument, PolicyError> {
    match doc {
        serde_json::Value::String(text) => PolicyDocument::parse(text),
        other => PolicyDocument::from_value(other),
    }
}

fn compile_raw(
    doc: &RawDocument,
    compiler: &mut Compiler<'_>,
) -> Result<CompiledPolicy, PolicyError> {
    parse_raw(doc).and_then(|d| compiler.compile(d))
}
