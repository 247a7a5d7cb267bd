//! The account as IAM stores it: users, groups, roles and managed policies,
//! shaped like GetAccountAuthorizationDetails. This is what the snapshot holds
//! and what evaluation reads; it says nothing about verdicts.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A policy document as it arrived: a JSON object (as the AWS CLI prints it)
/// or a URL-encoded string (as the IAM API returns it). Parsed on evaluation
/// so that one bad document marks its holders incomplete instead of failing
/// the whole load.
pub type RawDocument = Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    #[serde(deserialize_with = "crate::strict_json::strict")]
    pub document: RawDocument,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyAttachment {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_policies: Vec<PolicyAttachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_policies: Vec<PolicyAttachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict_json::strict_opt"
    )]
    pub assume_role_policy: Option<RawDocument>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_policies: Vec<PolicyAttachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// ARNs of the instance profiles the role is in: an EC2 instance
    /// launched with one runs as the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_profiles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_usage_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_date: Option<String>,
    /// The default version's document; None when the source did not include it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::strict_json::strict_opt"
    )]
    pub document: Option<RawDocument>,
    /// A customer-managed policy's other versions: whoever may
    /// `iam:SetDefaultPolicyVersion` can make one of them the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_versions: Vec<PolicyVersion>,
}

/// A non-default version of a customer-managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyVersion {
    pub version_id: String,
    #[serde(deserialize_with = "crate::strict_json::strict")]
    pub document: RawDocument,
}

impl ManagedPolicy {
    pub fn is_aws_managed(&self) -> bool {
        is_aws_managed_arn(&self.arn)
    }
}

pub fn is_aws_managed_arn(arn: &str) -> bool {
    // arn:aws:iam::aws:policy/..., also in other partitions.
    arn.split(':').nth(4) == Some("aws")
}

/// IAM's principals and policies for one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
}

impl Account {
    /// Sorts every list by ARN (and nested lists by name) so that output does
    /// not depend on the order AWS or a file listed entities in.
    pub fn normalize(&mut self) {
        self.users.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.groups.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        for u in &mut self.users {
            u.groups.sort();
            u.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
            u.attached_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
        for g in &mut self.groups {
            g.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
            g.attached_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
        for r in &mut self.roles {
            r.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
            r.attached_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
    }
}

fn root_path() -> String {
    "/".into()
}
