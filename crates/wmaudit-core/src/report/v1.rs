//! `wmaudit-report/1`, the JSON report's frozen wire format, as one model
//! that writes reports and reads them back (baselines, tests).
//!
//! Separate from the internal model on purpose: internal types may change
//! freely, this format may only grow (new fields, new enum values announced
//! in docs/report-format.md; schema: docs/wmaudit-report-v1.schema.json).
//! Field order here is the order in the output; every field is always
//! present (absent values are `null` or empty), so consumers never have to
//! guess whether a key was dropped.
//!
//! Written, it borrows the scan's data ([`Cow::Borrowed`]) and converts the
//! findings and their evidence while they are serialized ([`Seq`]): the
//! owned copy of every finding was most of the JSON writer's memory, about
//! 85 MB at 10,000 users (docs/benchmarks.md). Read, every value is owned.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::findings::ActionName;

/// The value of the top-level `schema` field.
pub const SCHEMA: &str = "wmaudit-report/1";

type Str<'a> = Cow<'a, str>;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Report<'a> {
    pub schema: Str<'a>,
    pub tool: Tool<'a>,
    pub scan: Scan<'a>,
    pub summary: Summary,
    pub gate: Gate<'a>,
    /// Added in 0.2; absent from older reports (read as `None`).
    #[serde(default)]
    pub end_of_support: Option<EndOfSupport<'a>>,
    /// Added after 0.1.0; absent from older reports.
    #[serde(default)]
    pub configuration: Option<Configuration<'a>>,
    /// Against `--baseline`; `null` without one (added after 0.1.0).
    #[serde(default)]
    pub baseline: Option<BaselineDelta<'a>>,
    /// WorkMail's own grants per mailbox; `null` when they were not
    /// collected (added in 0.2).
    #[serde(default)]
    pub workmail: Option<crate::workmail::answer::WorkMailAnswer>,
    /// The account's place in its AWS Organization and the control policies
    /// over it; `null` when not scanned with an organization (added in 0.3).
    #[serde(default)]
    pub organization: Option<AccountOrg<'a>>,
    pub coverage: Coverage<'a>,
    pub findings: Seq<'a, Finding<'a>>,
    pub principals: Vec<Principal<'a>>,
    pub notices: Vec<Notice<'a>>,
    pub rules: Vec<Rule<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOrg<'a> {
    pub organization_id: Str<'a>,
    pub name: Str<'a>,
    pub ou_path: Str<'a>,
    /// SCPs and RCPs do not apply to the management account.
    pub management: bool,
    /// `p-xxxx (Name) at OU Mail (ou-...)`, root first.
    pub service_control_policies: Cow<'a, [String]>,
    pub resource_control_policies: Cow<'a, [String]>,
    /// Principals with some action taken away or limited by them.
    pub bounded_principals: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool<'a> {
    pub name: Str<'a>,
    pub version: Str<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan<'a> {
    pub account_id: Str<'a>,
    pub account_aliases: Cow<'a, [String]>,
    /// `live`, `files` or `demo`.
    pub source: Str<'a>,
    pub caller_arn: Option<Str<'a>>,
    pub collected_at: Option<Str<'a>>,
    pub evaluated_at: Option<Str<'a>>,
    /// API calls per operation; a map, so keys come out sorted.
    pub api_calls: Cow<'a, BTreeMap<String, u64>>,
    pub catalog_version: Str<'a>,
    /// What no scan looks at, in words (added after 0.1.0).
    #[serde(default)]
    pub scope_limits: Str<'a>,
}

/// Counts of active findings by severity, plus what was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub total: usize,
    pub suppressed: usize,
    pub baseline: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate<'a> {
    /// A severity, or `null` for `--fail-on none`.
    pub fail_on: Option<Str<'a>>,
    pub failing: usize,
    pub incomplete: bool,
    pub allow_incomplete: bool,
    pub exit_code: i32,
    /// `exit_code == 0`.
    pub passed: bool,
}

/// WorkMail's end of support as of the evaluation date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndOfSupport<'a> {
    pub service: Str<'a>,
    /// `YYYY-MM-DD`.
    pub ends_on: Str<'a>,
    pub evaluated_on: Str<'a>,
    /// `as_of`, `input` or `clock`.
    pub date_from: Str<'a>,
    /// Negative once the date has passed.
    pub days_left: i64,
    /// `readiness` before the date, `clean_up` from it on.
    pub phase: Str<'a>,
    /// Active findings of the clean-up rules.
    pub leftover_items: usize,
    /// Mailboxes exported or not; `null` without WorkMail data (added in 0.2).
    #[serde(default)]
    pub export_coverage: Option<crate::workmail::ExportCoverage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineDelta<'a> {
    pub new: usize,
    pub unchanged: usize,
    pub fixed: Vec<FixedFinding<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedFinding<'a> {
    pub fingerprint: Str<'a>,
    pub rule_id: Str<'a>,
    pub resource: Str<'a>,
    pub message: Str<'a>,
}

/// The configuration the scan ran with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration<'a> {
    /// The config file, or `null` for none (defaults).
    pub file: Option<Str<'a>>,
    /// Found in the current directory rather than named with `--config`.
    pub discovered: bool,
    pub disabled_rules: Cow<'a, [String]>,
    pub severity_overrides: Vec<SeverityOverride<'a>>,
    pub params_changed: Vec<ParamsChanged<'a>>,
    pub suppressions: usize,
    pub administrator_patterns: Cow<'a, [String]>,
    /// `configured` or `default`.
    pub designated_by: Str<'a>,
    pub designated_administrators: Cow<'a, [String]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityOverride<'a> {
    pub rule: Str<'a>,
    pub from: Str<'a>,
    pub to: Str<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamsChanged<'a> {
    pub rule: Str<'a>,
    pub params: Cow<'a, [String]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage<'a> {
    pub complete: bool,
    pub not_collected: Vec<NotCollected<'a>>,
    pub not_evaluated: Vec<NotEvaluated<'a>>,
    pub incomplete_principals: Vec<IncompletePrincipal<'a>>,
    pub builtin_policies_used: Cow<'a, [String]>,
    /// Rules that need opt-in data nobody asked for (added after 0.1.0).
    #[serde(default)]
    pub not_requested: Vec<NotEvaluated<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCollected<'a> {
    pub part: Str<'a>,
    pub reason: Str<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotEvaluated<'a> {
    pub rule_id: Str<'a>,
    /// `null` when the rule could not run for the whole account.
    pub resource: Option<Resource<'a>>,
    pub reason: Str<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompletePrincipal<'a> {
    pub arn: Str<'a>,
    pub problems: Cow<'a, [String]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource<'a> {
    pub arn: Str<'a>,
    /// `account`, `root`, `user`, `group`, `role` or `policy`.
    pub kind: Str<'a>,
    pub name: Str<'a>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding<'a> {
    pub rule_id: Str<'a>,
    pub severity: Str<'a>,
    pub title: Str<'a>,
    pub resource: Resource<'a>,
    pub account: Str<'a>,
    pub message: Str<'a>,
    pub evidence: Seq<'a, Evidence<'a>>,
    pub fingerprint: Str<'a>,
    pub suppressed: Option<Suppressed<'a>>,
    pub in_baseline: bool,
    /// Commands that remove what the finding reports (added in 0.2).
    #[serde(default)]
    pub fix_commands: Cow<'a, [String]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence<'a> {
    pub policy: Option<Str<'a>>,
    pub attached: Option<Str<'a>>,
    pub statement: Option<usize>,
    pub sid: Option<Str<'a>>,
    pub actions: Cow<'a, [ActionName]>,
    pub detail: Option<Str<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed<'a> {
    pub reason: Str<'a>,
    pub expires: Option<Str<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal<'a> {
    pub arn: Str<'a>,
    /// `user`, `group` or `role`.
    pub kind: Str<'a>,
    pub name: Str<'a>,
    pub complete: bool,
    pub allowed: usize,
    pub limited: usize,
    pub denied: usize,
    pub workmail_admin: bool,
    pub designated_admin: bool,
    pub sensitive_actions: Cow<'a, [String]>,
    /// Per rule with sensitive actions, how many of them it holds (added
    /// after 0.1.0).
    #[serde(default)]
    pub capabilities: Vec<Capability<'a>>,
    /// Goals it does not hold but reaches in steps (added after 0.1.0).
    #[serde(default)]
    pub reach: Vec<ReachPath<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachPath<'a> {
    /// `mail_content` or `admin_equivalent`.
    pub goal: Str<'a>,
    pub steps: Vec<ReachStep<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachStep<'a> {
    /// `assume_role`, `write_own_policy`, `add_user_to_group`, `credentials`,
    /// `pass_role_to_lambda`, `update_trust`, `write_role_policy`.
    pub method: Str<'a>,
    pub target: Str<'a>,
    pub actions: Vec<Str<'a>>,
    pub conditional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capability<'a> {
    pub rule: Str<'a>,
    pub actions: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice<'a> {
    /// `expired_suppression` or `unused_suppression`.
    pub kind: Str<'a>,
    pub message: Str<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule<'a> {
    pub id: Str<'a>,
    pub title: Str<'a>,
    pub severity: Str<'a>,
    pub rationale: Str<'a>,
    pub remediation: Str<'a>,
    pub example: Option<Str<'a>>,
    pub references: Vec<Reference<'a>>,
    pub tags: Cow<'a, [String]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference<'a> {
    pub title: Str<'a>,
    pub url: Str<'a>,
}

/// A list that is either made while it is written (from the scan, item by
/// item) or was read from a file.
pub enum Seq<'a, T> {
    Lazy {
        len: usize,
        items: Box<dyn Fn() -> Box<dyn Iterator<Item = T> + 'a> + 'a>,
    },
    Items(Vec<T>),
}

impl<'a, T> Seq<'a, T> {
    /// `len` items, made by `items` each time the list is written.
    pub fn lazy<I, F>(len: usize, items: F) -> Self
    where
        I: Iterator<Item = T> + 'a,
        F: Fn() -> I + 'a,
    {
        Seq::Lazy {
            len,
            items: Box::new(move || Box::new(items())),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Seq::Lazy { len, .. } => *len,
            Seq::Items(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, made or read.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Seq::Lazy { items, .. } => items().collect(),
            Seq::Items(v) => v,
        }
    }

    /// Calls `f` on each item in order.
    pub fn for_each(&self, mut f: impl FnMut(&T)) {
        match self {
            Seq::Lazy { items, .. } => items().for_each(|t| f(&t)),
            Seq::Items(v) => v.iter().for_each(f),
        }
    }
}

impl<T: Serialize> Serialize for Seq<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Seq::Lazy { items, .. } => s.collect_seq(items()),
            Seq::Items(v) => s.collect_seq(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Seq<'_, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Seq::Items)
    }
}

impl<T: fmt::Debug> fmt::Debug for Seq<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        self.for_each(|t| {
            list.entry(t);
        });
        list.finish()
    }
}

impl<T: PartialEq> PartialEq for Seq<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        match (self, other) {
            (Seq::Items(a), Seq::Items(b)) => a == b,
            // A made list is compared by making it.
            (Seq::Lazy { items, .. }, o) | (o, Seq::Lazy { items, .. }) => {
                let made: Vec<T> = items().collect();
                let (mut i, mut equal) = (0, true);
                o.for_each(|t| {
                    equal &= made.get(i) == Some(t);
                    i += 1;
                });
                equal
            }
        }
    }
}
