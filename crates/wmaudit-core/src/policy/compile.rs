//! Compiling a policy document into one action set per statement.
//!
//! Each distinct policy is compiled once and then shared by every principal
//! that has it, so evaluating an account costs set operations, not pattern
//! matching, per principal.

use std::collections::HashMap;

use serde::Serialize;

use super::document::{ActionSpec, Effect, PolicyDocument, ResourceSpec};
use super::pattern::{has_wildcard, wildcard_match};
use crate::catalog::{ActionSet, Catalog};

/// Which resources a statement covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "patterns", rename_all = "snake_case")]
pub enum ResourceScope {
    /// `"Resource": "*"`.
    All,
    /// Specific resource patterns, e.g. one WorkMail organization's ARN.
    Only(Vec<String>),
    /// `NotResource`: everything except these.
    AllExcept(Vec<String>),
}

impl ResourceScope {
    pub fn is_all(&self) -> bool {
        matches!(self, ResourceScope::All)
    }
}

#[derive(Debug, Clone)]
pub struct CompiledStatement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub not_action: bool,
    /// Catalog actions this statement applies to: its Action patterns (or the
    /// complement of its NotAction patterns), restricted to the services its
    /// resources can name.
    pub actions: ActionSet,
    pub resources: ResourceScope,
    /// Has a Condition block: an Allow is conditional, a Deny not definite.
    pub conditional: bool,
}

impl CompiledStatement {
    /// Applies to every resource with no condition: a definite grant or deny.
    pub fn is_unrestricted(&self) -> bool {
        !self.conditional && self.resources.is_all()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Under a service the catalog knows, but matches none of its actions.
    UnknownAction,
    /// Not of the form `service:action` (nor `*`).
    MalformedAction,
}

/// An action pattern that cannot mean what its author intended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionProblem {
    pub kind: ProblemKind,
    pub statement: usize,
    pub sid: Option<String>,
    pub pattern: String,
    pub in_not_action: bool,
    /// The closest existing action, for typos.
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub document: PolicyDocument,
    pub statements: Vec<CompiledStatement>,
    pub problems: Vec<ActionProblem>,
}

/// Compiles policies against one catalog, caching each distinct action pattern.
pub struct Compiler<'c> {
    catalog: &'c Catalog,
    cache: HashMap<String, (ActionSet, Option<ProblemKind>)>,
}

impl<'c> Compiler<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Compiler {
            catalog,
            cache: HashMap::new(),
        }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// Compiles an identity (or boundary) policy. A statement without
    /// Resource/NotResource is an error in such a policy; IAM refuses it too.
    pub fn compile(
        &mut self,
        document: PolicyDocument,
    ) -> Result<CompiledPolicy, super::PolicyError> {
        let mut statements = Vec::with_capacity(document.statements.len());
        let mut problems = Vec::new();
        for (index, st) in document.statements.iter().enumerate() {
            let (patterns, not_action) = match &st.action {
                ActionSpec::Action(p) => (p, false),
                ActionSpec::NotAction(p) => (p, true),
            };
            let mut actions = self.catalog.empty_set();
            for pattern in patterns {
                let (set, problem) = self.pattern_set(pattern);
                actions.union_with(set);
                if let Some(kind) = *problem {
                    problems.push(ActionProblem {
                        kind,
                        statement: index,
                        sid: st.sid.clone(),
                        pattern: pattern.clone(),
                        in_not_action: not_action,
                        suggestion: match kind {
                            ProblemKind::UnknownAction => self.suggest(pattern),
                            ProblemKind::MalformedAction => None,
                        },
                    });
                }
            }
            if not_action {
                actions.toggle_range(..);
            }
            let resources = match &st.resource {
                ResourceSpec::Resource(r) if r.iter().any(|p| p == "*") => ResourceScope::All,
                ResourceSpec::Resource(r) => ResourceScope::Only(r.clone()),
                ResourceSpec::NotResource(r) => ResourceScope::AllExcept(r.clone()),
                ResourceSpec::Absent => {
                    return Err(super::PolicyError::Shape {
                        pointer: format!("/Statement/{index}"),
                        expected: "an element Resource or NotResource".into(),
                        found: "none".into(),
                    });
                }
            };
            if let ResourceScope::Only(patterns) = &resources {
                actions.intersect_with(&self.applicable_services(patterns));
            }
            statements.push(CompiledStatement {
                index,
                sid: st.sid.clone(),
                effect: st.effect,
                not_action,
                actions,
                resources,
                conditional: !st.condition.is_empty(),
            });
        }
        Ok(CompiledPolicy {
            document,
            statements,
            problems,
        })
    }

    fn pattern_set(&mut self, pattern: &str) -> &(ActionSet, Option<ProblemKind>) {
        let key = pattern.to_ascii_lowercase();
        let catalog = self.catalog;
        self.cache
            .entry(key)
            .or_insert_with_key(|key| match_pattern(catalog, key))
    }

    /// The closest action name within the pattern's service, if it is close
    /// enough to be a plausible typo.
    fn suggest(&self, pattern: &str) -> Option<String> {
        if has_wildcard(pattern.split_once(':')?.1) {
            return None;
        }
        self.catalog.suggest_action(pattern).map(str::to_owned)
    }

    /// Catalog actions whose resources a resource pattern can name. An `Allow`
    /// of `*` on an S3 bucket ARN grants no WorkMail action; one on an IAM
    /// role ARN does grant sts:AssumeRole.
    fn applicable_services(&self, patterns: &[String]) -> ActionSet {
        let mut out = self.catalog.empty_set();
        for pattern in patterns {
            for (field, actions) in self.catalog.actions_by_arn_service() {
                if resource_can_name_service(pattern, field) {
                    out.union_with(actions);
                }
            }
        }
        out
    }
}

/// Conservative: true unless the pattern clearly names another service.
/// A `*` before or inside the service field can stretch across `:`, so such
/// patterns are treated as naming any service they could.
fn resource_can_name_service(pattern: &str, prefix: &str) -> bool {
    let mut fields = pattern.splitn(4, ':');
    let (Some(arn), Some(partition), Some(service)) = (fields.next(), fields.next(), fields.next())
    else {
        return has_wildcard(pattern);
    };
    if has_wildcard(arn) || has_wildcard(partition) {
        return true;
    }
    if !arn.eq_ignore_ascii_case("arn") {
        return false;
    }
    match service.find(['*', '?']) {
        None => service.eq_ignore_ascii_case(prefix),
        Some(star) => wildcard_match(&format!("{}*", &service[..star]), prefix, true),
    }
}

fn match_pattern(catalog: &Catalog, pattern: &str) -> (ActionSet, Option<ProblemKind>) {
    let mut set = catalog.empty_set();
    if pattern == "*" {
        set.insert_range(..);
        return (set, None);
    }
    let Some((svc, name)) = pattern.split_once(':') else {
        return (set, Some(ProblemKind::MalformedAction));
    };
    if svc.is_empty() || name.is_empty() || name.contains(':') {
        return (set, Some(ProblemKind::MalformedAction));
    }
    if has_wildcard(svc) {
        let mut any_service = false;
        for service in catalog.services() {
            if wildcard_match(svc, &service.prefix, true) {
                any_service = true;
                add_matching(catalog, &mut set, service.range.clone(), name);
            }
        }
        // `workmail*:DescribeUsers` names known services but no action of theirs.
        let problem = (any_service && set.is_clear()).then_some(ProblemKind::UnknownAction);
        return (set, problem);
    }
    match catalog.service(svc) {
        // A service outside the catalog: legitimate, just not evaluated here.
        None => (set, None),
        Some(service) => {
            add_matching(catalog, &mut set, service.range.clone(), name);
            let problem = set.is_clear().then_some(ProblemKind::UnknownAction);
            (set, problem)
        }
    }
}

fn add_matching(
    catalog: &Catalog,
    set: &mut ActionSet,
    range: std::ops::Range<usize>,
    name_pattern: &str,
) {
    if name_pattern == "*" {
        set.insert_range(range);
        return;
    }
    for id in range {
        if wildcard_match(name_pattern, &catalog.action(id).name, true) {
            set.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_service_applicability() {
        assert!(resource_can_name_service(
            "arn:aws:workmail:us-east-1:111122223333:organization/m-1",
            "workmail"
        ));
        assert!(!resource_can_name_service(
            "arn:aws:s3:::bucket/*",
            "workmail"
        ));
        assert!(resource_can_name_service("arn:aws:*", "workmail"));
        assert!(resource_can_name_service("arn:*:workmail:*", "workmail"));
        assert!(resource_can_name_service(
            "arn:aws:work*:*",
            "workmailmessageflow"
        ));
        assert!(!resource_can_name_service("arn:aws:work*:*", "ses"));
        assert!(resource_can_name_service("*bucket", "workmail"));
        assert!(!resource_can_name_service("bucket", "workmail"));
    }
}
