//! Default-version documents of the AWS managed policies that matter to a
//! WorkMail audit, embedded so that an attached AWS managed policy can be
//! evaluated when the account data lacks its document. Account data wins when
//! it has one.

use std::sync::OnceLock;

use serde::Deserialize;

use super::Source;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltinManagedPolicy {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub version_id: String,
    pub update_date: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicyData {
    pub source: Source,
    pub policies: Vec<BuiltinManagedPolicy>,
}

impl ManagedPolicyData {
    pub fn by_arn(&self, arn: &str) -> Option<&BuiltinManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }

    pub fn by_name(&self, name: &str) -> Option<&BuiltinManagedPolicy> {
        self.policies.iter().find(|p| p.name == name)
    }
}

const MANAGED_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/managed-policies.json"
));

pub fn builtin_managed_policies() -> &'static ManagedPolicyData {
    static DATA: OnceLock<ManagedPolicyData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(MANAGED_JSON).expect("embedded data/managed-policies.json is valid")
    })
}
