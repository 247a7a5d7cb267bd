//! Compiling a policy document into one action set per statement.
//!
//! Each distinct policy is compiled once and then shared by every principal
//! that has it, so evaluating an account costs set operations, not pattern
//! matching, per principal.

use std::collections::HashMap;

use serde::Serialize;

use super::document::{ActionSpec, Effect, PolicyDocument, ResourceSpec};
use super::pattern::{covers, has_wildcard, wildcard_match};
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
    /// Of `actions`, those the statement covers on every resource they can
    /// act on: all of them for `"Resource": "*"`; for resource patterns, the
    /// actions each of whose resource types the patterns contain
    /// (`organization/*`); for `NotResource`, the actions whose resources it
    /// cannot name (a NotResource of S3 ARNs excludes no WorkMail resource).
    /// `None` when that is all of `actions` (`"Resource": "*"`, most
    /// statements), so no second set is stored.
    every_resource: Option<ActionSet>,
    /// Has a Condition block: an Allow is conditional, a Deny not definite.
    pub conditional: bool,
    /// The conditions require MFA (`aws:MultiFactorAuthPresent` true, or an
    /// `aws:MultiFactorAuthAge` bound): a user without an MFA device, or a
    /// long-term access key, cannot meet them.
    pub mfa_required: bool,
}

impl CompiledStatement {
    /// Applies to every resource of every action with no condition: a
    /// definite grant or deny.
    pub fn is_unrestricted(&self) -> bool {
        !self.conditional && self.resources.is_all()
    }

    /// The actions this statement covers on every resource they can act on.
    pub fn every_resource(&self) -> &ActionSet {
        self.every_resource.as_ref().unwrap_or(&self.actions)
    }

    /// The actions this statement grants or denies definitely: on every
    /// resource, with no condition.
    pub fn definite(&self) -> Option<&ActionSet> {
        (!self.conditional).then(|| self.every_resource())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Under a service the catalog knows, but matches none of its actions.
    UnknownAction,
    /// Not of the form `service:action` (nor `*`).
    MalformedAction,
    /// A service prefix that is no service but looks like one (` workmail`,
    /// a Cyrillic `а`, a zero-width space): IAM matches nothing, so a Deny
    /// written this way silently does nothing.
    LookalikeService,
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

/// Compiles policies against one catalog, caching each distinct action
/// pattern and each distinct list of resource patterns.
pub struct Compiler<'c> {
    catalog: &'c Catalog,
    cache: HashMap<String, (ActionSet, Option<ProblemKind>)>,
    /// (NotResource?, patterns) -> (actions it can apply to, actions it covers
    /// on every resource).
    scopes: HashMap<(bool, Vec<String>), (ActionSet, ActionSet)>,
    /// Actions that take no resource (ListOrganizations): IAM matches them
    /// only against `"Resource": "*"`.
    no_resource: ActionSet,
    /// The partition of the account's ARNs, for resource ARN formats.
    partition: String,
    /// Did-you-mean per distinct unknown pattern: 10,000 copies of one typo
    /// took 3.7 s when each was compared with the service's every action.
    suggestions: HashMap<String, Option<String>>,
}

impl<'c> Compiler<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        let mut no_resource = catalog.empty_set();
        for (i, a) in catalog.actions().iter().enumerate() {
            if a.resource_types.is_empty() {
                no_resource.insert(i);
            }
        }
        Compiler {
            catalog,
            cache: HashMap::new(),
            scopes: HashMap::new(),
            no_resource,
            partition: "aws".to_owned(),
            suggestions: HashMap::new(),
        }
    }

    /// Resource ARNs are in this partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn in_partition(mut self, partition: &str) -> Self {
        self.partition = partition.to_owned();
        self
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
                            ProblemKind::LookalikeService => {
                                lookalike_pattern(self.catalog, pattern)
                            }
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
            let every_resource = match &resources {
                ResourceScope::All => None,
                ResourceScope::Only(patterns) | ResourceScope::AllExcept(patterns) => {
                    let not = matches!(resources, ResourceScope::AllExcept(_));
                    let (applies, full) = self.scope(patterns, not);
                    actions.intersect_with(applies);
                    let mut every = actions.clone();
                    every.intersect_with(full);
                    (every != actions).then_some(every)
                }
            };
            statements.push(CompiledStatement {
                index,
                sid: st.sid.clone(),
                effect: st.effect,
                not_action,
                actions,
                resources,
                every_resource,
                conditional: !st.condition.is_empty(),
                mfa_required: requires_mfa(&st.condition),
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
    fn suggest(&mut self, pattern: &str) -> Option<String> {
        if let Some(s) = self.suggestions.get(pattern) {
            return s.clone();
        }
        let suggestion = match pattern.split_once(':') {
            Some((_, name)) if !has_wildcard(name) => {
                self.catalog.suggest_action(pattern).map(str::to_owned)
            }
            _ => None,
        };
        self.suggestions
            .insert(pattern.to_owned(), suggestion.clone());
        suggestion
    }

    /// For resource patterns (`not`: a NotResource list), the actions a
    /// statement can apply to and those it covers on every resource.
    fn scope(&mut self, patterns: &[String], not: bool) -> &(ActionSet, ActionSet) {
        let key = (not, patterns.to_vec());
        if !self.scopes.contains_key(&key) {
            let value = self.compute_scope(patterns, not);
            self.scopes.insert(key.clone(), value);
        }
        &self.scopes[&key]
    }

    fn compute_scope(&self, patterns: &[String], not: bool) -> (ActionSet, ActionSet) {
        let catalog = self.catalog;
        // An action without resource types is requested on "*": only a
        // pattern matching "*" names it.
        let names_star = patterns.iter().any(|p| wildcard_match(p, "*", false));
        let nameable = self.applicable_services(patterns);
        let mut all = catalog.empty_set();
        all.insert_range(..);
        if not {
            // NotResource applies everywhere; it covers every resource of the
            // actions whose resources it cannot name.
            let mut full = all.clone();
            full.difference_with(&nameable);
            full.difference_with(&self.no_resource);
            if !names_star {
                full.union_with(&self.no_resource);
            }
            return (all, full);
        }
        let mut applies = nameable.clone();
        let mut full = catalog.empty_set();
        let mut covered: HashMap<(usize, &str), bool> = HashMap::new();
        for a in nameable.ones() {
            let action = catalog.action(a);
            if self.no_resource.contains(a) {
                if names_star {
                    full.insert(a);
                } else {
                    applies.set(a, false);
                }
                continue;
            }
            let service = &catalog.services()[action.service];
            let every = action.resource_types.iter().all(|rt| {
                *covered
                    .entry((action.service, rt.name.as_str()))
                    .or_insert_with(|| {
                        service
                            .resource_types
                            .iter()
                            .find(|t| t.name == rt.name)
                            .is_some_and(|t| {
                                let glob = arn_glob(&t.arn, &self.partition);
                                patterns.iter().any(|p| covers(p, &glob))
                            })
                    })
            });
            if every {
                full.insert(a);
            }
        }
        (applies, full)
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

/// The known service prefix `svc` was meant to be, when it only differs by
/// whitespace, invisible characters or letters of another script that look
/// Latin. (Case alone is no difference: prefixes compare case-insensitively.)
pub fn lookalike_service<'c>(catalog: &'c Catalog, svc: &str) -> Option<&'c str> {
    let normal: String = svc
        .chars()
        .filter(|c| !c.is_whitespace() && !crate::display::is_invisible(*c))
        .map(latin_lookalike)
        .collect();
    if normal.eq_ignore_ascii_case(svc) {
        return None;
    }
    catalog.service(&normal).map(|s| s.prefix.as_str())
}

/// The pattern with its service prefix as [`lookalike_service`] reads it.
fn lookalike_pattern(catalog: &Catalog, pattern: &str) -> Option<String> {
    let (svc, name) = pattern.split_once(':')?;
    let known = lookalike_service(catalog, svc)?;
    Some(format!("{known}:{}", name.trim()))
}

/// Cyrillic and Greek letters that look like Latin ones, and fullwidth ASCII.
fn latin_lookalike(c: char) -> char {
    match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'β' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' => 'c',
        'е' | 'Е' | 'ε' | 'Ε' => 'e',
        'һ' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'у' | 'У' | 'υ' => 'y',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'ν' => 'v',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Does any condition of the block require MFA? (Conditions are ANDed, so
/// one such entry is enough.) `...IfExists` forms pass without MFA and do not
/// count.
fn requires_mfa(conditions: &super::document::Conditions) -> bool {
    conditions.iter().any(|(op, keys)| {
        keys.iter().any(|(key, values)| {
            let op = op.to_ascii_lowercase();
            let key = key.to_ascii_lowercase();
            match (op.as_str(), key.as_str()) {
                ("bool", "aws:multifactorauthpresent") => {
                    !values.is_empty() && values.iter().all(|v| v.eq_ignore_ascii_case("true"))
                }
                ("numericlessthan" | "numericlessthanequals", "aws:multifactorauthage") => true,
                _ => false,
            }
        })
    })
}

/// A resource type's ARN format as a pattern: `${Partition}` is the
/// account's, every other `${Variable}` any text.
fn arn_glob(format: &str, partition: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        if &after[..end] == "Partition" {
            out.push_str(partition);
        } else {
            out.push('*');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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
        None if lookalike_service(catalog, svc).is_some() => {
            (set, Some(ProblemKind::LookalikeService))
        }
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
