//! The SARIF 2.1.0 log, typed: only what wmaudit writes, each struct
//! borrowing from the scan. Field order is the output's key order.
//! (zizmor and others dropped general SARIF crates for a small model.)

use std::borrow::Cow;

use serde::Serialize;

use super::v1;

#[derive(Serialize)]
pub(crate) struct Log<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Run<'a> {
    pub tool: Tool<'a>,
    pub automation_details: AutomationDetails,
    pub invocations: [Invocation; 1],
    pub column_kind: &'static str,
    pub results: Vec<SarifResult<'a>>,
    pub properties: RunProperties<'a>,
}

#[derive(Serialize)]
pub(crate) struct Tool<'a> {
    pub driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Driver<'a> {
    pub name: &'static str,
    pub semantic_version: &'a str,
    // No informationUri: it must point at the project's real home, and
    // wmaudit has no public one yet (SARIF makes it optional).
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Text<'static>,
    pub full_description: Text<'static>,
    pub help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Serialize)]
pub(crate) struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Serialize)]
pub(crate) struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
pub(crate) struct RuleProperties {
    pub tags: Vec<String>,
    pub precision: &'static str,
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
}

#[derive(Serialize)]
pub(crate) struct AutomationDetails {
    pub id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
pub(crate) struct Notification {
    pub level: &'static str,
    pub message: Text<'static>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunProperties<'a> {
    pub account_id: &'a str,
    pub account_aliases: &'a [String],
    pub catalog_version: &'a str,
    /// What no scan looks at, in words.
    pub scope_limits: &'static str,
    pub coverage_complete: bool,
    pub suppressed_findings: usize,
    pub baseline_findings: usize,
    pub omitted_findings: usize,
    /// The JSON report's `end_of_support` object.
    pub end_of_support: v1::EndOfSupport<'a>,
    /// The JSON report's `configuration` object.
    pub configuration: v1::Configuration<'a>,
}

#[derive(Serialize)]
pub(crate) struct Text<'a> {
    pub text: Cow<'a, str>,
}

impl<'a> Text<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifResult<'a> {
    pub rule_id: &'a str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Text<'a>,
    pub locations: [Location<'a>; 1],
    pub partial_fingerprints: Fingerprints<'a>,
    pub properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location<'a> {
    pub physical_location: PhysicalLocation,
    pub logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Serialize)]
pub(crate) struct ArtifactLocation {
    pub uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    pub start_line: u32,
    pub start_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogicalLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub fully_qualified_name: &'a str,
    pub kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Fingerprints<'a> {
    pub primary_location_line_hash: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResultProperties<'a> {
    pub severity: &'static str,
    pub account: &'a str,
    pub resource_arn: &'a str,
    pub resource_kind: &'static str,
    /// The JSON report's evidence shape, so both formats read the same.
    pub evidence: v1::Seq<'a, v1::Evidence<'a>>,
    /// Commands that remove what the result reports (may be empty).
    pub fix_commands: &'a [String],
}
