//! `wmaudit-report/2`: one JSON document for every account of a run. The
//! document holds the run's gate, the organization (when scanned with one),
//! an overview line per account, and `accounts`: always an array, one
//! object per account scanned, each exactly the `wmaudit-report/1` object
//! (its own `schema` says so), so a reader of /1 reads `accounts[i]` as
//! before. Schema: docs/wmaudit-report-v2.schema.json.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::v1;

/// The value of the document's `schema` field.
pub const SCHEMA: &str = "wmaudit-report/2";

type Str<'a> = Cow<'a, str>;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Document<'a> {
    pub schema: Str<'a>,
    pub tool: v1::Tool<'a>,
    pub gate: RunGate,
    pub organization: Option<Organization<'a>>,
    pub overview: Vec<AccountLine<'a>>,
    pub accounts: Vec<v1::Report<'a>>,
}

/// The run's gate: the process exit code and how many accounts gave which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunGate {
    pub exit_code: i32,
    pub passed: bool,
    pub accounts: usize,
    pub failing: usize,
    pub incomplete: usize,
    pub not_evaluated: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization<'a> {
    pub id: Str<'a>,
    pub management_account_id: Str<'a>,
    pub feature_set: Option<Str<'a>>,
    pub roots: Vec<Node<'a>>,
    pub organizational_units: Vec<Node<'a>>,
    pub policies: Vec<Policy<'a>>,
}

/// A root or OU, with the ids of the SCPs and RCPs attached to it (`null`:
/// not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node<'a> {
    pub id: Str<'a>,
    pub name: Str<'a>,
    pub parent_id: Option<Str<'a>>,
    /// `Root/Mail/Prod`.
    pub path: Str<'a>,
    pub policy_types: Option<Vec<Str<'a>>>,
    pub service_control_policies: Option<Vec<Str<'a>>>,
    pub resource_control_policies: Option<Vec<Str<'a>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy<'a> {
    pub id: Str<'a>,
    pub name: Str<'a>,
    /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
    #[serde(rename = "type")]
    pub kind: Str<'a>,
    pub aws_managed: bool,
    pub description: Option<Str<'a>>,
}

/// One account in the overview, scanned or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine<'a> {
    pub account_id: Str<'a>,
    pub name: Str<'a>,
    pub ou_path: Str<'a>,
    /// `passed`, `failing`, `incomplete` or `not_evaluated`.
    pub gate: Str<'a>,
    pub exit_code: i32,
    /// Active findings by severity; `null` when not evaluated.
    pub findings: Option<Counts>,
    /// Why the account was not evaluated.
    pub reason: Option<Str<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}
