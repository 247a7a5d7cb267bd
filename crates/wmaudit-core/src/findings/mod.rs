//! Findings: what a rule reports, built so that a finding cannot exist without
//! a resource, a message and a stable fingerprint.

mod report;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use report::{
    AccountInOrg, BaselineDelta, ConfigNotice, ConfigSummary, Coverage, DateSource, EndOfSupport,
    FixedFinding, Gate, NoticeKind, PrincipalSummary, Reference, ReportedFinding, RuleMeta,
    ScanMeta, ScanReport, Suppressed, Verdict,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Account,
    RootUser,
    User,
    Group,
    Role,
    Policy,
    /// A WorkMail organization.
    WorkmailOrganization,
    /// A user's or resource's mailbox in a WorkMail organization.
    Mailbox,
    /// A WorkMail impersonation role.
    ImpersonationRole,
    /// A WorkMail personal access token.
    AccessToken,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Account => "account",
            ResourceKind::RootUser => "root",
            ResourceKind::User => "user",
            ResourceKind::Group => "group",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::WorkmailOrganization => "workmail organization",
            ResourceKind::Mailbox => "mailbox",
            ResourceKind::ImpersonationRole => "impersonation role",
            ResourceKind::AccessToken => "personal access token",
        }
    }
}

/// The AWS resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Resource {
    pub arn: String,
    pub kind: ResourceKind,
    pub name: String,
}

/// An action name in evidence: borrowed from the catalog, or owned (a
/// pattern from a policy, a name the catalog does not know).
pub type ActionName = std::borrow::Cow<'static, str>;

/// Why the rule fired: which policy statement, attached how, for which actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// Managed policy ARN, or `inline:NAME` for an inline policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `directly` or `through group NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Action names; the catalog's are borrowed, not copied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionName>,
    /// A fact that is not a policy statement (a credential report cell, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub account: String,
    pub resource: Resource,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// What tells two findings of one rule on one resource apart (may be empty).
    pub discriminator: String,
    pub fingerprint: String,
    /// Commands that remove what the finding reports, in order, for a
    /// reviewer to run (wmaudit never runs them). Empty when the fix is a
    /// judgement, not a command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<String>,
}

impl Finding {
    pub fn builder(rule_id: &str, severity: Severity, account: &str) -> FindingBuilder {
        FindingBuilder {
            rule_id: rule_id.to_owned(),
            severity,
            account: account.to_owned(),
            resource: None,
            message: None,
            evidence: Vec::new(),
            discriminator: String::new(),
            fix: Vec::new(),
        }
    }

    /// Deterministic order: severity (highest first), rule, resource, discriminator.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            &self.rule_id,
            &self.resource.arn,
            &self.discriminator,
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BuildError {
    #[error("finding of rule {0} has no resource")]
    NoResource(String),
    #[error("finding of rule {0} has no message")]
    NoMessage(String),
    #[error("finding of rule {0}: the message must name the resource {1}")]
    MessageWithoutResource(String, String),
}

#[derive(Debug)]
pub struct FindingBuilder {
    rule_id: String,
    severity: Severity,
    account: String,
    resource: Option<Resource>,
    message: Option<String>,
    evidence: Vec<Evidence>,
    discriminator: String,
    fix: Vec<String>,
}

impl FindingBuilder {
    /// Another severity than the rule's: a date-aware rule reports a plan
    /// item before the date that makes it a problem.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// A command that removes what the finding reports.
    pub fn fix(mut self, command: impl Into<String>) -> Self {
        self.fix.push(command.into());
        self
    }

    pub fn resource(mut self, kind: ResourceKind, name: &str, arn: &str) -> Self {
        self.resource = Some(Resource {
            arn: arn.to_owned(),
            kind,
            name: name.to_owned(),
        });
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn evidence(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }

    pub fn evidence_all(mut self, e: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(e);
        self
    }

    pub fn discriminator(mut self, d: impl Into<String>) -> Self {
        self.discriminator = d.into();
        self
    }

    /// Refuses a finding without a resource or a message naming it: a finding
    /// nobody can locate is not actionable, and GitHub rejects it.
    pub fn build(self) -> Result<Finding, BuildError> {
        let resource = self
            .resource
            .ok_or_else(|| BuildError::NoResource(self.rule_id.clone()))?;
        let message = self
            .message
            .ok_or_else(|| BuildError::NoMessage(self.rule_id.clone()))?;
        if !message.contains(&resource.name) && !message.contains(&resource.arn) {
            return Err(BuildError::MessageWithoutResource(
                self.rule_id,
                resource.name,
            ));
        }
        let mut evidence = self.evidence;
        evidence.sort();
        evidence.dedup();
        let fingerprint = fingerprint(
            &self.rule_id,
            &self.account,
            &resource.arn,
            &self.discriminator,
        );
        Ok(Finding {
            rule_id: self.rule_id,
            severity: self.severity,
            account: self.account,
            resource,
            message,
            evidence,
            discriminator: self.discriminator,
            fingerprint,
            fix: self.fix,
        })
    }
}

/// A hash of what identifies a finding across scans: not its message or
/// evidence, which may change wording without it being a new problem.
pub fn fingerprint(rule_id: &str, account: &str, arn: &str, discriminator: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule_id, account, arn, discriminator] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A check that could not run, for the whole account or for one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotEvaluated {
    pub rule_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_refuses_findings_without_location() {
        let b = Finding::builder("r", Severity::High, "111122223333");
        assert_eq!(
            b.message("x").build().unwrap_err(),
            BuildError::NoResource("r".into())
        );
        let err = Finding::builder("r", Severity::High, "1")
            .resource(ResourceKind::User, "alice", "arn:aws:iam::1:user/alice")
            .message("someone")
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::MessageWithoutResource(..)));
    }

    #[test]
    fn fingerprint_is_stable_and_distinguishing() {
        let f = |d: &str| {
            Finding::builder("r", Severity::Low, "1")
                .resource(ResourceKind::User, "alice", "arn:aws:iam::1:user/alice")
                .message("User alice")
                .discriminator(d)
                .build()
                .unwrap()
                .fingerprint
        };
        assert_eq!(f("a"), f("a"));
        assert_ne!(f("a"), f("b"));
        assert_eq!(f("a").len(), 32);
        // Not a plain concatenation: ("ab","") and ("a","b") differ.
        assert_ne!(
            fingerprint("r", "1", "ab", ""),
            fingerprint("r", "1", "a", "b")
        );
    }
}
