//! GetAccountAuthorizationDetails -> [`Account`]: the one reader of this
//! data, for the AWS CLI's file and for live collection alike.
//!
//! [`Page`] is the wire format, field for field. A file is deserialized into
//! pages (serde); live collection converts the SDK's pages into the
//! same structs. Both then go through [`account_from_pages`], which checks
//! what serde cannot (required keys, the default policy version, paging) and
//! the account-wide rules of [`super::validate`]. Every error names the file
//! (or the response page) and the JSON pointer.
//!
//! Unknown keys are ignored because AWS adds fields; known keys are
//! type-checked, and a known key twice is refused. Policy documents are kept
//! as they arrived (object from the CLI, URL-encoded string from the API).

use serde::de::{Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::error::{InputError, Place};
use super::json::{self, Field, Seg};
use super::validate::{self, Key, Kind, Located};
use crate::account::{
    Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, Role, Tag, User,
};

const PAGE: &str = "an object with UserDetailList, GroupDetailList, RoleDetailList and Policies \
                    (the output of `aws iam get-account-authorization-details`)";

/// One page of the response, as AWS and the CLI write it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page {
    #[serde(default, deserialize_with = "json::objects_field")]
    pub user_detail_list: Field<Vec<UserIn>>,
    #[serde(default, deserialize_with = "json::objects_field")]
    pub group_detail_list: Field<Vec<GroupIn>>,
    #[serde(default, deserialize_with = "json::objects_field")]
    pub role_detail_list: Field<Vec<RoleIn>>,
    #[serde(default, deserialize_with = "json::objects_field")]
    pub policies: Field<Vec<PolicyIn>>,
    /// Any type: a mistyped flag says nothing about paging.
    #[serde(default)]
    pub is_truncated: Option<Value>,
    #[serde(default)]
    pub next_token: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserIn {
    #[serde(default)]
    pub user_name: Field<String>,
    #[serde(default)]
    pub arn: Field<String>,
    pub user_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<String>,
    pub group_list: Option<Vec<String>>,
    #[serde(default, deserialize_with = "json::objects")]
    pub user_policy_list: Vec<InlineIn>,
    #[serde(default, deserialize_with = "json::objects")]
    pub attached_managed_policies: Vec<AttachmentIn>,
    #[serde(default, deserialize_with = "json::object_opt")]
    pub permissions_boundary: Option<BoundaryIn>,
    #[serde(default, deserialize_with = "json::objects")]
    pub tags: Vec<TagIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupIn {
    #[serde(default)]
    pub group_name: Field<String>,
    #[serde(default)]
    pub arn: Field<String>,
    pub group_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<String>,
    #[serde(default, deserialize_with = "json::objects")]
    pub group_policy_list: Vec<InlineIn>,
    #[serde(default, deserialize_with = "json::objects")]
    pub attached_managed_policies: Vec<AttachmentIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleIn {
    #[serde(default)]
    pub role_name: Field<String>,
    #[serde(default)]
    pub arn: Field<String>,
    pub role_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<String>,
    #[serde(default, deserialize_with = "document_opt")]
    pub assume_role_policy_document: Option<Value>,
    #[serde(default, deserialize_with = "json::objects")]
    pub role_policy_list: Vec<InlineIn>,
    #[serde(default, deserialize_with = "json::objects")]
    pub attached_managed_policies: Vec<AttachmentIn>,
    #[serde(default, deserialize_with = "json::object_opt")]
    pub permissions_boundary: Option<BoundaryIn>,
    #[serde(default, deserialize_with = "json::object_opt")]
    pub role_last_used: Option<LastUsedIn>,
    #[serde(default, deserialize_with = "json::objects")]
    pub tags: Vec<TagIn>,
    /// The instance profiles the role is in (an EC2 instance runs as it).
    #[serde(default, deserialize_with = "json::objects")]
    pub instance_profile_list: Vec<InstanceProfileIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfileIn {
    pub arn: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyIn {
    pub policy_name: Option<String>,
    #[serde(default)]
    pub arn: Field<String>,
    pub policy_id: Option<String>,
    pub path: Option<String>,
    pub default_version_id: Option<String>,
    pub attachment_count: Option<u64>,
    pub permissions_boundary_usage_count: Option<u64>,
    pub update_date: Option<String>,
    #[serde(default, deserialize_with = "json::objects")]
    pub policy_version_list: Vec<VersionIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionIn {
    #[serde(default, deserialize_with = "document_opt")]
    pub document: Option<Value>,
    pub version_id: Option<String>,
    pub is_default_version: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlineIn {
    #[serde(default)]
    pub policy_name: Field<String>,
    #[serde(default, deserialize_with = "document_field")]
    pub policy_document: Field<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachmentIn {
    pub policy_name: Option<String>,
    #[serde(default)]
    pub policy_arn: Field<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundaryIn {
    pub permissions_boundary_arn: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LastUsedIn {
    pub last_used_date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagIn {
    #[serde(default)]
    pub key: Field<String>,
    pub value: Option<String>,
}

const DOCUMENT: &str = "a policy document (a JSON object or a URL-encoded string)";

/// A policy document: an object or a URL-encoded string, each key once.
fn document<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let v = crate::strict_json::strict(d)?;
    let unexpected = match &v {
        Value::Object(_) | Value::String(_) => return Ok(v),
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::Array(_) => Unexpected::Seq,
    };
    Err(D::Error::invalid_type(unexpected, &DOCUMENT))
}

fn document_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(document_field(d)?.value())
}

fn document_field<'de, D: Deserializer<'de>>(d: D) -> Result<Field<Value>, D::Error> {
    #[derive(Deserialize)]
    struct Doc(#[serde(deserialize_with = "document")] Value);
    Ok(Option::<Doc>::deserialize(d)?.map_or(Field::Null, |d| Field::Value(d.0)))
}

/// Parses one output object, a JSON array of such pages, or several page
/// objects one after another (`cat page1.json page2.json`). The result is
/// normalized: entity order in the file does not matter.
pub fn parse_auth_details(bytes: &[u8], source: &str) -> Result<Account, InputError> {
    let text = json::text(bytes, source)?;
    let first = text.bytes().find(|b| !b.is_ascii_whitespace());
    let at = |pointer: String| Located {
        file: source.to_owned(),
        pointer,
    };
    let pages: Vec<(Located, Page)> = match first {
        Some(b'[') => match serde_json::from_str::<Vec<json::Obj<Page>>>(text) {
            Ok(pages) => pages
                .into_iter()
                .enumerate()
                .map(|(i, p)| (at(format!("/{i}")), p.0))
                .collect(),
            Err(e) if is_trailing(&e) => stream(text, source)?,
            Err(e) => {
                return Err(json::explain::<Vec<json::Obj<Page>>>(
                    text,
                    source,
                    "",
                    expect_in_array,
                    &e,
                ));
            }
        },
        Some(b'{') | None => match serde_json::from_str::<json::Obj<Page>>(text) {
            Ok(page) => vec![(at(String::new()), page.0)],
            Err(e) if is_trailing(&e) => stream(text, source)?,
            Err(e) => {
                return Err(json::explain::<json::Obj<Page>>(
                    text,
                    source,
                    "",
                    expect_in_page,
                    &e,
                ));
            }
        },
        Some(_) => {
            let v: Value =
                serde_json::from_str(text).map_err(|e| InputError::from_json(source, None, &e))?;
            return Err(InputError::shape(
                source,
                Place::Pointer(String::new()),
                format!("{PAGE}, or an array of such pages"),
                json::describe(&v),
            ));
        }
    };
    if !pages.iter().any(|(_, p)| p.has_a_list()) {
        // Describe what the file holds instead (rare: this is the error path).
        let found = serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .next()
            .and_then(Result::ok)
            .map_or_else(|| "nothing".to_owned(), |v| json::describe(&v));
        let file = pages.first().map_or(source, |(l, _)| l.file.as_str());
        return Err(InputError::shape(
            file,
            Place::Pointer(String::new()),
            PAGE,
            found,
        ));
    }
    account_from_pages(pages)
}

fn is_trailing(e: &serde_json::Error) -> bool {
    e.classify() == serde_json::error::Category::Syntax
        && e.to_string().starts_with("trailing characters")
}

/// Concatenated values: each is named by its position in the file, since a
/// pointer cannot address the Nth top-level value.
fn stream(text: &str, source: &str) -> Result<Vec<(Located, Page)>, InputError> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let mut pages = Vec::new();
    let mut start = 0;
    while let Some(next) = values.next() {
        next.map_err(|e| InputError::from_json(source, None, &e))?;
        let end = values.byte_offset();
        let file = format!("{source} (JSON value {})", pages.len() + 1);
        let page: json::Obj<Page> = json::from_text(&text[start..end], &file, "", expect_in_page)?;
        pages.push((
            Located {
                file,
                pointer: String::new(),
            },
            page.0,
        ));
        start = end;
    }
    Ok(pages)
}

fn expect_in_array(segs: &[Seg]) -> String {
    match segs {
        [] => format!("{PAGE}, or an array of such pages"),
        [_, rest @ ..] => expect_in_page(rest),
    }
}

/// What a page holds at `segs` (relative to the page), in words.
fn expect_in_page(segs: &[Seg]) -> String {
    let parent = segs
        .len()
        .checked_sub(2)
        .and_then(|i| segs[i].key())
        .unwrap_or("");
    let text = match segs.last() {
        None => PAGE,
        Some(Seg::Index(_)) => match parent {
            "UserDetailList" => "a user object with UserName and Arn",
            "GroupDetailList" => "a group object with GroupName and Arn",
            "RoleDetailList" => "a role object with RoleName and Arn",
            "Policies" => "a managed policy object with Arn",
            "UserPolicyList" | "GroupPolicyList" | "RolePolicyList" => {
                "an object with PolicyName and PolicyDocument"
            }
            "AttachedManagedPolicies" => "an object with PolicyName and PolicyArn",
            "Tags" => "an object with Key and Value",
            "InstanceProfileList" => "an instance profile object with Arn",
            "GroupList" => "a string",
            "PolicyVersionList" => "a policy version object with Document and VersionId",
            _ => "a valid value",
        },
        Some(Seg::Key(key)) => match key.as_str() {
            "UserDetailList" => "an array of users",
            "GroupDetailList" => "an array of groups",
            "RoleDetailList" => "an array of roles",
            "Policies" => "an array of managed policies",
            "UserPolicyList" | "GroupPolicyList" | "RolePolicyList" => {
                "an array of {PolicyName, PolicyDocument}"
            }
            "AttachedManagedPolicies" => "an array of {PolicyName, PolicyArn}",
            "PermissionsBoundary" => "an object with PermissionsBoundaryArn",
            "Tags" => "an array of {Key, Value}",
            "InstanceProfileList" => {
                "an array of instance profiles {InstanceProfileName, Arn, ...}"
            }
            "GroupList" => "an array of group names",
            "RoleLastUsed" => "an object with LastUsedDate",
            "PolicyVersionList" => "an array of {Document, VersionId, IsDefaultVersion}",
            "PolicyDocument" | "AssumeRolePolicyDocument" | "Document" => DOCUMENT,
            "AttachmentCount" | "PermissionsBoundaryUsageCount" => "a non-negative integer",
            "IsDefaultVersion" => "true or false",
            _ => "a string",
        },
    };
    text.to_owned()
}

impl Page {
    fn has_a_list(&self) -> bool {
        self.user_detail_list.is_present()
            || self.group_detail_list.is_present()
            || self.role_detail_list.is_present()
            || self.policies.is_present()
    }
}

/// The pages of one response, in order, each with where it came from: the
/// account they describe, validated. Used by file import and live collection.
pub fn account_from_pages(pages: Vec<(Located, Page)>) -> Result<Account, InputError> {
    let mut account = Account::default();
    // Where each entity came from, in reading order, for validation errors.
    let mut places: [Vec<Located>; 4] = Default::default();
    let last = pages.len().saturating_sub(1);
    for (i, (at, page)) in pages.into_iter().enumerate() {
        if i == last {
            check_complete(&at, &page)?;
        }
        let here = |list: &str, j: usize| Located {
            file: at.file.clone(),
            pointer: format!("{}/{list}/{j}", at.pointer),
        };
        for (j, u) in page
            .user_detail_list
            .value()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let l = here("UserDetailList", j);
            account.users.push(u.into_user(&l)?);
            places[0].push(l);
        }
        for (j, g) in page
            .group_detail_list
            .value()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let l = here("GroupDetailList", j);
            account.groups.push(g.into_group(&l)?);
            places[1].push(l);
        }
        for (j, r) in page
            .role_detail_list
            .value()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let l = here("RoleDetailList", j);
            account.roles.push(r.into_role(&l)?);
            places[2].push(l);
        }
        for (j, p) in page
            .policies
            .value()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let l = here("Policies", j);
            account.policies.push(p.into_policy(&l)?);
            places[3].push(l);
        }
    }
    validate::identities(&account, &|kind, i, key| {
        let (list, name_key) = match kind {
            Kind::User => (&places[0], "UserName"),
            Kind::Group => (&places[1], "GroupName"),
            Kind::Role => (&places[2], "RoleName"),
            Kind::Policy => (&places[3], "PolicyName"),
        };
        let mut l = list.get(i).cloned().unwrap_or(Located {
            file: String::new(),
            pointer: String::new(),
        });
        match key {
            Some(Key::Name) => l.pointer = format!("{}/{name_key}", l.pointer),
            Some(Key::Arn) => l.pointer = format!("{}/Arn", l.pointer),
            None => {}
        }
        l
    })?;
    account.normalize();
    Ok(account)
}

/// A last page that says more follows means entities are missing: refuse it
/// rather than audit part of the account as if it were all of it.
fn check_complete(at: &Located, page: &Page) -> Result<(), InputError> {
    const HOW: &str = "the complete output (run the command without --max-items or \
                       --no-paginate, or save every page in one JSON array)";
    let place = |key: &str| Place::Pointer(format!("{}/{key}", at.pointer));
    if let Some(v @ Value::Bool(true)) = &page.is_truncated {
        return Err(InputError::shape(
            &at.file,
            place("IsTruncated"),
            format!("false on the last page: {HOW}"),
            json::describe(v),
        ));
    }
    if let Some(token) = page.next_token.as_ref().filter(|t| !t.is_null()) {
        return Err(InputError::shape(
            &at.file,
            place("NextToken"),
            format!("no NextToken: {HOW}"),
            json::describe(token),
        ));
    }
    Ok(())
}

/// A required, non-empty string under `key` of the object at `at`.
fn required(f: Field<String>, at: &Located, key: &str) -> Result<String, InputError> {
    f.required_str(
        &at.file,
        format!("{}/{}", at.pointer, json::escape(key)),
        key,
    )
}

fn child(at: &Located, list: &str, i: usize) -> Located {
    Located {
        file: at.file.clone(),
        pointer: format!("{}/{list}/{i}", at.pointer),
    }
}

/// `arn:aws:iam::aws:policy/service-role/Name` -> `Name`.
fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

/// IAM's default path; live responses may carry an empty one.
fn path(p: Option<String>) -> String {
    p.filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/".to_owned())
}

fn inline(list: Vec<InlineIn>, at: &Located, key: &str) -> Result<Vec<InlinePolicy>, InputError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, p) in list.into_iter().enumerate() {
        let here = child(at, key, i);
        let name = required(p.policy_name, &here, "PolicyName")?;
        let document = p.policy_document.required(
            &here.file,
            format!("{}/PolicyDocument", here.pointer),
            "PolicyDocument",
        )?;
        out.push(InlinePolicy { name, document });
    }
    Ok(out)
}

fn attachments(list: Vec<AttachmentIn>, at: &Located) -> Result<Vec<PolicyAttachment>, InputError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, a) in list.into_iter().enumerate() {
        let here = child(at, "AttachedManagedPolicies", i);
        let arn = required(a.policy_arn, &here, "PolicyArn")?;
        let name = a.policy_name.unwrap_or_else(|| name_from_arn(&arn));
        out.push(PolicyAttachment { name, arn });
    }
    Ok(out)
}

fn tags(list: Vec<TagIn>, at: &Located) -> Result<Vec<Tag>, InputError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, t) in list.into_iter().enumerate() {
        let here = child(at, "Tags", i);
        out.push(Tag {
            key: required(t.key, &here, "Key")?,
            value: t.value.unwrap_or_default(),
        });
    }
    Ok(out)
}

impl UserIn {
    fn into_user(self, at: &Located) -> Result<User, InputError> {
        Ok(User {
            name: required(self.user_name, at, "UserName")?,
            arn: required(self.arn, at, "Arn")?,
            id: self.user_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            groups: self.group_list.unwrap_or_default(),
            inline_policies: inline(self.user_policy_list, at, "UserPolicyList")?,
            attached_policies: attachments(self.attached_managed_policies, at)?,
            permissions_boundary: self
                .permissions_boundary
                .and_then(|b| b.permissions_boundary_arn),
            tags: tags(self.tags, at)?,
        })
    }
}

impl GroupIn {
    fn into_group(self, at: &Located) -> Result<Group, InputError> {
        Ok(Group {
            name: required(self.group_name, at, "GroupName")?,
            arn: required(self.arn, at, "Arn")?,
            id: self.group_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            inline_policies: inline(self.group_policy_list, at, "GroupPolicyList")?,
            attached_policies: attachments(self.attached_managed_policies, at)?,
        })
    }
}

impl RoleIn {
    fn into_role(self, at: &Located) -> Result<Role, InputError> {
        Ok(Role {
            name: required(self.role_name, at, "RoleName")?,
            arn: required(self.arn, at, "Arn")?,
            id: self.role_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            assume_role_policy: self.assume_role_policy_document,
            inline_policies: inline(self.role_policy_list, at, "RolePolicyList")?,
            attached_policies: attachments(self.attached_managed_policies, at)?,
            permissions_boundary: self
                .permissions_boundary
                .and_then(|b| b.permissions_boundary_arn),
            last_used: self.role_last_used.and_then(|r| r.last_used_date),
            tags: tags(self.tags, at)?,
            instance_profiles: {
                let mut p: Vec<String> = self
                    .instance_profile_list
                    .into_iter()
                    .filter_map(|p| p.arn)
                    .collect();
                p.sort();
                p.dedup();
                p
            },
        })
    }
}

impl PolicyIn {
    fn into_policy(self, at: &Located) -> Result<ManagedPolicy, InputError> {
        let arn = required(self.arn, at, "Arn")?;
        // moto omits PolicyName: the ARN's last segment is the name.
        let name = self.policy_name.unwrap_or_else(|| name_from_arn(&arn));
        let (document, others) = default_document(
            self.policy_version_list,
            self.default_version_id.as_deref(),
            at,
        )?;
        // Only a customer-managed policy's default can be set in the account.
        let customer = arn.split(':').nth(4).is_some_and(|a| a != "aws");
        Ok(ManagedPolicy {
            name,
            id: self.policy_id.unwrap_or_default(),
            path: path(self.path),
            attachment_count: self.attachment_count,
            permissions_boundary_usage_count: self.permissions_boundary_usage_count,
            update_date: self.update_date,
            document,
            other_versions: if customer { others } else { Vec::new() },
            default_version_id: self.default_version_id,
            arn,
        })
    }
}

/// The default version's document. `DefaultVersionId` is authoritative; the
/// version flagged `IsDefaultVersion` must agree with it, and at most one may
/// be flagged: evaluating one of two candidates silently could be evaluating
/// a policy that is not in force.
/// The default version's document, and the other versions (with an id and
/// a document) in version order.
fn default_document(
    versions: Vec<VersionIn>,
    default_id: Option<&str>,
    at: &Located,
) -> Result<(Option<Value>, Vec<crate::account::PolicyVersion>), InputError> {
    let place =
        |i: usize, key: &str| Place::Pointer(format!("{}/PolicyVersionList/{i}/{key}", at.pointer));
    let mut flagged: Option<usize> = None;
    let mut by_id: Option<usize> = None;
    for (i, v) in versions.iter().enumerate() {
        if v.is_default_version == Some(true) {
            if let Some(first) = flagged {
                return Err(InputError::shape(
                    &at.file,
                    place(i, "IsDefaultVersion"),
                    format!(
                        "one version flagged IsDefaultVersion (already {})",
                        Place::Pointer(format!("{}/PolicyVersionList/{first}", at.pointer)).bare()
                    ),
                    "a second one",
                ));
            }
            flagged = Some(i);
        }
        if v.version_id.is_some() && v.version_id.as_deref() == default_id && by_id.is_none() {
            by_id = Some(i);
        }
    }
    if let (Some(f), Some(id)) = (flagged, default_id)
        && by_id != Some(f)
    {
        return Err(InputError::shape(
            &at.file,
            place(f, "VersionId"),
            format!(
                "the version named by DefaultVersionId ({id:?}) to be the one flagged IsDefaultVersion"
            ),
            match &versions[f].version_id {
                Some(v) => format!("IsDefaultVersion on version {v:?}"),
                None => "IsDefaultVersion on a version without VersionId".to_owned(),
            },
        ));
    }
    let chosen = by_id.or(flagged);
    let mut default = None;
    let mut others = Vec::new();
    for (i, v) in versions.into_iter().enumerate() {
        if Some(i) == chosen {
            default = v.document;
        } else if let (Some(version_id), Some(document)) = (v.version_id, v.document) {
            others.push(crate::account::PolicyVersion {
                version_id,
                document,
            });
        }
    }
    others.sort_by(|a, b| a.version_id.cmp(&b.version_id));
    Ok((default, others))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        parse_auth_details(json.as_bytes(), "a.json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn names_from_arns() {
        assert_eq!(
            name_from_arn(
                "arn:aws:iam::aws:policy/service-role/AmazonWorkMailEventsServiceRolePolicy"
            ),
            "AmazonWorkMailEventsServiceRolePolicy"
        );
    }

    #[test]
    fn wrong_type_for_a_known_key_is_an_error_with_pointer() {
        assert_eq!(
            err(
                r#"{"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a", "GroupList": "admins"}]}"#
            ),
            "a.json: at /UserDetailList/0/GroupList: expected an array of group names, found string \"admins\""
        );
    }

    #[test]
    fn truncated_page_is_refused() {
        let e = err(r#"{"UserDetailList": [], "IsTruncated": true, "Marker": "x"}"#);
        assert!(
            e.starts_with("a.json: at /IsTruncated: expected false on the last page"),
            "{e}"
        );
    }

    #[test]
    fn pages_merge() {
        let json = br#"[
            {"UserDetailList": [{"UserName": "b", "Arn": "arn:aws:iam::123456789012:user/b"}], "IsTruncated": true, "Marker": "m"},
            {"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"}], "IsTruncated": false}
        ]"#;
        let acct = parse_auth_details(json, "a.json");
        let names: Vec<String> = acct
            .map(|a| a.users.into_iter().map(|u| u.name).collect())
            .unwrap_or_default();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn mixed_accounts_are_refused() {
        let e = err(r#"{"UserDetailList": [
            {"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"},
            {"UserName": "b", "Arn": "arn:aws:iam::210987654321:user/b"}]}"#);
        assert!(
            e.contains("at /UserDetailList/1/Arn: expected an ARN in account 123456789012"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_place() {
        let e = err(
            r#"{"UserDetailList": [], "UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"}]}"#,
        );
        assert_eq!(
            e,
            "a.json: at the top level: expected each key once (IAM refuses a document with a duplicate key), found key \"UserDetailList\" twice"
        );
        let e = err(
            r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument":
                  {"Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}]}"#,
        );
        assert_eq!(
            e,
            "a.json: at /RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0: expected each key once (IAM refuses a document with a duplicate key), found key \"Effect\" twice"
        );
    }

    #[test]
    fn two_groups_with_one_name_are_refused() {
        let e = err(r#"{"GroupDetailList": [
            {"GroupName": "admins", "Arn": "arn:aws:iam::123456789012:group/admins"},
            {"GroupName": "Admins", "Path": "/x/", "Arn": "arn:aws:iam::123456789012:group/x/Admins"}]}"#);
        assert_eq!(
            e,
            "a.json: duplicate group name \"Admins\": at /GroupDetailList/0 and again at /GroupDetailList/1 (expected each group name once)"
        );
    }

    #[test]
    fn default_version_id_is_authoritative() {
        let policy = |v1_default: bool, v2_default: bool| {
            format!(
                r#"{{"Policies": [{{"PolicyName": "p", "Arn": "arn:aws:iam::123456789012:policy/p", "DefaultVersionId": "v2",
                "PolicyVersionList": [
                  {{"VersionId": "v1", "IsDefaultVersion": {v1_default}, "Document": {{"Statement": []}}}},
                  {{"VersionId": "v2", "IsDefaultVersion": {v2_default}, "Document": "%7B%7D"}}]}}]}}"#
            )
        };
        let e = err(&policy(true, false));
        assert!(e.contains("at /Policies/0/PolicyVersionList/0/VersionId: expected the version named by DefaultVersionId (\"v2\")"), "{e}");
        let e = err(&policy(true, true));
        assert!(
            e.contains(
                "at /Policies/0/PolicyVersionList/1/IsDefaultVersion: expected one version flagged"
            ),
            "{e}"
        );
        let ok = parse_auth_details(policy(false, true).as_bytes(), "a.json")
            .ok()
            .and_then(|a| a.policies.into_iter().next())
            .and_then(|p| p.document);
        assert_eq!(ok, Some(Value::String("%7B%7D".into())));
    }
}
