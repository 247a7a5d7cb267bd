//! Role trust policies: who may assume a role, and under which conditions.
//!
//! Read from the document as written, not compiled to action sets: a trust
//! policy names principals, and its conditions are what guard it (a
//! service principal without `aws:SourceAccount` is a confused deputy).

use crate::account::Role;
use crate::policy::{
    ActionSpec, Conditions, Effect, PolicyDocument, PolicyError, Principal as Who, PrincipalSpec,
    wildcard_match,
};

use super::parse_raw;

/// The STS actions that assume a role.
const ASSUME_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

/// Condition operators that narrow a request to the values given (the
/// `...IfExists` forms do not: a request without the key passes).
pub const POSITIVE_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "StringEqualsIgnoreCase",
];

/// Who a trust statement lets in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trustee<'d> {
    /// `"Principal": "*"`, `{"AWS": "*"}`, or a `NotPrincipal` Allow.
    Anyone,
    Service(&'d str),
    /// An account, account root, user or role ARN (or a bare account id).
    Aws(&'d str),
    Federated(&'d str),
    /// `CanonicalUser` and any key IAM may add.
    Other(&'d str, &'d str),
}

impl Trustee<'_> {
    /// As a reviewer reads it: `Service events.workmail.amazonaws.com`.
    pub fn describe(&self) -> String {
        match self {
            Trustee::Anyone => "anyone (\"*\")".to_owned(),
            Trustee::Service(s) => format!("service {s}"),
            Trustee::Aws(a) => format!("AWS principal {a}"),
            Trustee::Federated(f) => format!("federated {f}"),
            Trustee::Other(k, v) => format!("{k} {v}"),
        }
    }
}

/// One trustee of one statement.
#[derive(Debug, Clone)]
pub struct TrustGrant<'d> {
    /// The statement's index in the document.
    pub statement: usize,
    pub sid: Option<&'d str>,
    pub trustee: Trustee<'d>,
    pub conditions: &'d Conditions,
}

/// A role's parsed trust policy.
#[derive(Debug)]
pub struct Trust {
    doc: PolicyDocument,
}

impl Trust {
    /// The role's trust policy; `Ok(None)` when the data has none.
    pub fn of(role: &Role) -> Result<Option<Trust>, PolicyError> {
        role.assume_role_policy
            .as_ref()
            .map(|d| parse_raw(d).map(|doc| Trust { doc }))
            .transpose()
    }

    /// Every (statement, trustee) an `Allow` for an assume action names.
    pub fn grants(&self) -> Vec<TrustGrant<'_>> {
        self.with_effect(Effect::Allow)
    }

    /// Every (statement, trustee) a `Deny` for an assume action names.
    pub fn denies(&self) -> Vec<TrustGrant<'_>> {
        self.with_effect(Effect::Deny)
    }

    fn with_effect(&self, effect: Effect) -> Vec<TrustGrant<'_>> {
        let mut out = Vec::new();
        for (i, s) in self.doc.statements.iter().enumerate() {
            if s.effect != effect || !assumes(&s.action) {
                continue;
            }
            let mut push = |trustee| {
                out.push(TrustGrant {
                    statement: i,
                    sid: s.sid.as_deref(),
                    trustee,
                    conditions: &s.condition,
                })
            };
            match &s.principal {
                Some(PrincipalSpec::Principal(Who::Anyone)) => push(Trustee::Anyone),
                // "Everyone except ..." lets in nearly everyone.
                Some(PrincipalSpec::NotPrincipal(_)) => push(Trustee::Anyone),
                Some(PrincipalSpec::Principal(Who::Map(m))) => {
                    for (kind, ids) in m {
                        for id in ids {
                            push(match kind.as_str() {
                                "AWS" if id == "*" => Trustee::Anyone,
                                "AWS" => Trustee::Aws(id),
                                "Service" => Trustee::Service(id),
                                "Federated" => Trustee::Federated(id),
                                other => Trustee::Other(other, id),
                            });
                        }
                    }
                }
                None => {}
            }
        }
        out
    }
}

/// Does a statement's Action (or NotAction) cover assuming the role?
fn assumes(spec: &ActionSpec) -> bool {
    let hit = |a: &str| spec.patterns().iter().any(|p| wildcard_match(p, a, true));
    match spec {
        ActionSpec::Action(_) => ASSUME_ACTIONS.iter().any(|a| hit(a)),
        ActionSpec::NotAction(_) => ASSUME_ACTIONS.iter().any(|a| !hit(a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(doc: serde_json::Value) -> Role {
        serde_json::from_value(json!({
            "name": "R",
            "arn": "arn:aws:iam::111122223333:role/R",
            "assume_role_policy": doc,
        }))
        .unwrap()
    }

    #[test]
    fn trustees_of_allow_statements_for_assume_actions() {
        let r = role(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["export.workmail.amazonaws.com"],
              "AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:TagSession"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "sts:*"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}
        ]}));
        let t = Trust::of(&r).unwrap().unwrap();
        let got: Vec<_> = t
            .grants()
            .iter()
            .map(|g| (g.statement, g.trustee.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (0, Trustee::Aws("arn:aws:iam::444455556666:root")),
                (0, Trustee::Service("export.workmail.amazonaws.com")),
                (2, Trustee::Anyone),
            ]
        );
        assert_eq!(t.denies().len(), 1);
    }

    #[test]
    fn no_document_is_none_and_a_bad_one_an_error() {
        let mut r = role(json!({"Statement": []}));
        r.assume_role_policy = None;
        assert!(Trust::of(&r).unwrap().is_none());
        let r = role(json!({"Statement": [{"Effect": "Maybe"}]}));
        assert!(Trust::of(&r).is_err());
    }
}
