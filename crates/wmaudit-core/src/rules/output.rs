//! Where a check puts its results. A finding that fails to build (a check
//! bug) becomes a *not evaluated* entry: never a panic, never silence.

use crate::eval::{Principal, PrincipalKind};
use crate::findings::{Finding, FindingBuilder, NotEvaluated, Resource, ResourceKind, RuleMeta};

pub struct Output<'r> {
    rule: &'r RuleMeta,
    account: &'r str,
    pub(super) findings: Vec<Finding>,
    pub(super) not_evaluated: Vec<NotEvaluated>,
    /// The rule needs opt-in data that was not asked for.
    pub(super) not_requested: Vec<NotEvaluated>,
}

impl<'r> Output<'r> {
    pub fn new(rule: &'r RuleMeta, account: &'r str) -> Self {
        Output {
            rule,
            account,
            findings: Vec::new(),
            not_evaluated: Vec::new(),
            not_requested: Vec::new(),
        }
    }

    /// A builder pre-filled with the rule's id, severity and the account.
    pub fn finding(&self) -> FindingBuilder {
        Finding::builder(&self.rule.id, self.rule.severity, self.account)
    }

    /// A builder about one principal.
    pub fn about(&self, p: &Principal) -> FindingBuilder {
        self.finding()
            .resource(principal_kind(p.kind), &p.name, &p.arn)
    }

    pub fn push(&mut self, builder: FindingBuilder) {
        match builder.build() {
            Ok(f) => self.findings.push(f),
            Err(e) => self.not_evaluated.push(NotEvaluated {
                rule_id: self.rule.id.clone(),
                resource: None,
                reason: format!("internal error, please report: {e}"),
            }),
        }
    }

    pub fn not_evaluated(&mut self, resource: Option<Resource>, reason: impl Into<String>) {
        self.not_evaluated.push(NotEvaluated {
            rule_id: self.rule.id.clone(),
            resource,
            reason: reason.into(),
        });
    }

    /// A principal whose permissions are known only in part: nothing found
    /// on it is not a pass, the missing part may be what matters.
    pub fn inconclusive(&mut self, p: &Principal) {
        self.not_evaluated(
            Some(principal_resource(p)),
            format!(
                "permissions of {} {} could not be fully evaluated: {}",
                p.kind.as_str(),
                p.name,
                p.problems.join("; ")
            ),
        );
    }

    /// Findings and not-evaluated entries so far; the runner compares it
    /// around each principal.
    pub(super) fn len(&self) -> usize {
        self.findings.len() + self.not_evaluated.len()
    }
}

pub fn principal_kind(kind: PrincipalKind) -> ResourceKind {
    match kind {
        PrincipalKind::User => ResourceKind::User,
        PrincipalKind::Group => ResourceKind::Group,
        PrincipalKind::Role => ResourceKind::Role,
    }
}

pub fn principal_resource(p: &Principal) -> Resource {
    Resource {
        arn: p.arn.clone(),
        kind: principal_kind(p.kind),
        name: p.name.clone(),
    }
}

/// "User alice", "Role Deploy": the subject of a finding's first sentence.
pub fn subject(p: &Principal) -> String {
    let kind = match p.kind {
        PrincipalKind::User => "User",
        PrincipalKind::Group => "Group",
        PrincipalKind::Role => "Role",
    };
    format!("{kind} {}", p.name)
}

/// "1 action", "3 actions".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
