//! The fast path for `get-account-authorization-details` files: typed serde
//! structs straight from the bytes, instead of a `serde_json::Value` tree
//! walked by hand. On a 100,000-user file the tree alone took seconds and
//! gigabytes (docs/benchmarks.md).
//!
//! It accepts only what [`super::auth_details`]'s walker accepts, and builds
//! the same [`Account`]; anything else, from a wrong type to a duplicate ARN,
//! returns `None` and the walker reads the file again to describe the problem
//! with a JSON pointer. Bad input is rare and costs one extra parse; good
//! input never pays for error reporting. tests/import.rs and the
//! `auth_details` fuzz target check that both paths agree.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{IgnoredAny, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::auth_details::arn_account;
use crate::account::{
    Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, Role, Tag, User,
};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The account, or `None` when the file needs the walker (invalid, or a
/// shape this path does not handle, such as concatenated JSON values).
pub(crate) fn try_parse(bytes: &[u8]) -> Option<Account> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    // serde skips unknown fields without checking their bytes are UTF-8; the
    // walker's parser refuses such a file, and so does this path.
    let text = std::str::from_utf8(bytes).ok()?;
    let first = text.bytes().find(|b| !b.is_ascii_whitespace())?;
    let pages: Vec<Obj<Page>> = match first {
        b'{' => vec![serde_json::from_str(text).ok()?],
        b'[' => serde_json::from_str(text).ok()?,
        _ => return None,
    };
    build(pages.into_iter().map(|p| p.0).collect())
}

/// The contract between the two readers, for tests and the fuzz target:
/// the same account, or the same error; except that the fast path may accept
/// a file whose only fault is JSON the walker's `Value` parser cannot hold
/// (a lone surrogate escape, a number beyond f64, nesting past 128 levels)
/// inside a field wmaudit ignores, which serde skips without decoding.
#[doc(hidden)]
pub fn readers_agree(bytes: &[u8]) -> Result<(), String> {
    use super::error::InputError;
    let fast = super::parse_auth_details(bytes, "f.json");
    let walker = super::parse_auth_details_with_pointers(bytes, "f.json");
    match (&fast, &walker) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(a), Err(b)) if a.to_string() == b.to_string() => Ok(()),
        (Ok(_), Err(InputError::JsonSyntax { message, .. }))
            if message.contains("surrogate")
                || message.contains("hex escape")
                || message.contains("number out of range")
                || message.contains("recursion limit") =>
        {
            Ok(())
        }
        _ => Err(format!(
            "the two auth-details readers disagree:\nfast:   {fast:?}\nwalker: {walker:?}"
        )),
    }
}

/// A struct that must be written as a JSON object. serde's derive would also
/// read a struct from an array, by position; the walker refuses that.
struct Obj<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(PhantomData)).map(Obj)
    }
}

/// An optional list of objects.
type List<T> = Option<Vec<Obj<T>>>;

fn items<T>(list: List<T>) -> impl Iterator<Item = T> {
    list.unwrap_or_default().into_iter().map(|o| o.0)
}

fn build(pages: Vec<Page>) -> Option<Account> {
    let last = pages.len().checked_sub(1)?;
    // The walker refuses a page set where no page has any of the four lists
    // and tells null from absent there; leave that corner to it.
    if !pages.iter().any(Page::has_a_list) {
        return None;
    }
    let mut account = Account::default();
    let mut seen: HashSet<(&'static str, String)> = HashSet::new();
    let mut owner: Option<String> = None;
    let mut claim = |what: &'static str, arn: &str| -> Option<()> {
        if !seen.insert((what, arn.to_owned())) {
            return None;
        }
        if let Some(acct) = arn_account(arn) {
            match &owner {
                None => owner = Some(acct.to_owned()),
                Some(o) if o != acct => return None,
                Some(_) => {}
            }
        }
        Some(())
    };
    for (i, page) in pages.into_iter().enumerate() {
        if i == last && (page.is_truncated == Some(Value::Bool(true)) || page.next_token.is_some())
        {
            return None;
        }
        for u in items(page.user_detail_list) {
            let u = u.into_user()?;
            claim("user", &u.arn)?;
            account.users.push(u);
        }
        for g in items(page.group_detail_list) {
            let g = g.into_group()?;
            claim("group", &g.arn)?;
            account.groups.push(g);
        }
        for r in items(page.role_detail_list) {
            let r = r.into_role()?;
            claim("role", &r.arn)?;
            account.roles.push(r);
        }
        for p in items(page.policies) {
            let p = p.into_policy()?;
            claim("managed policy", &p.arn)?;
            account.policies.push(p);
        }
    }
    account.normalize();
    Some(account)
}

// Every field is an Option: AWS omits or nulls empty fields interchangeably,
// and the walker treats null as absent. Unknown keys are ignored (serde's
// default), as AWS adds fields. A duplicate key is a serde error, so the
// walker decides.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    user_detail_list: List<UserIn>,
    group_detail_list: List<GroupIn>,
    role_detail_list: List<RoleIn>,
    policies: List<PolicyIn>,
    // The walker ignores a mistyped IsTruncated; so must this path.
    is_truncated: Option<Value>,
    next_token: Option<IgnoredAny>,
}

impl Page {
    fn has_a_list(&self) -> bool {
        self.user_detail_list.is_some()
            || self.group_detail_list.is_some()
            || self.role_detail_list.is_some()
            || self.policies.is_some()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserIn {
    user_name: Option<String>,
    arn: Option<String>,
    user_id: Option<String>,
    path: Option<String>,
    create_date: Option<String>,
    group_list: Option<Vec<String>>,
    user_policy_list: List<InlineIn>,
    attached_managed_policies: List<AttachmentIn>,
    permissions_boundary: Option<Obj<BoundaryIn>>,
    tags: List<TagIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupIn {
    group_name: Option<String>,
    arn: Option<String>,
    group_id: Option<String>,
    path: Option<String>,
    create_date: Option<String>,
    group_policy_list: List<InlineIn>,
    attached_managed_policies: List<AttachmentIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleIn {
    role_name: Option<String>,
    arn: Option<String>,
    role_id: Option<String>,
    path: Option<String>,
    create_date: Option<String>,
    assume_role_policy_document: Option<Value>,
    role_policy_list: List<InlineIn>,
    attached_managed_policies: List<AttachmentIn>,
    permissions_boundary: Option<Obj<BoundaryIn>>,
    role_last_used: Option<Obj<LastUsedIn>>,
    tags: List<TagIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyIn {
    policy_name: Option<String>,
    arn: Option<String>,
    policy_id: Option<String>,
    path: Option<String>,
    default_version_id: Option<String>,
    attachment_count: Option<u64>,
    permissions_boundary_usage_count: Option<u64>,
    update_date: Option<String>,
    policy_version_list: List<VersionIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersionIn {
    document: Option<Value>,
    version_id: Option<String>,
    is_default_version: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlineIn {
    policy_name: Option<String>,
    policy_document: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttachmentIn {
    policy_name: Option<String>,
    policy_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BoundaryIn {
    permissions_boundary_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LastUsedIn {
    last_used_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagIn {
    key: Option<String>,
    value: Option<String>,
}

/// A required string: present, not null, not empty.
fn required(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// A policy document is a JSON object or a URL-encoded string.
fn document(v: Value) -> Option<Value> {
    matches!(v, Value::Object(_) | Value::String(_)).then_some(v)
}

fn path(p: Option<String>) -> String {
    p.unwrap_or_else(|| "/".to_owned())
}

fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

fn inline(list: List<InlineIn>) -> Option<Vec<InlinePolicy>> {
    items(list)
        .map(|p| {
            Some(InlinePolicy {
                name: required(p.policy_name)?,
                document: document(p.policy_document?)?,
            })
        })
        .collect()
}

fn attachments(list: List<AttachmentIn>) -> Option<Vec<PolicyAttachment>> {
    items(list)
        .map(|a| {
            let arn = required(a.policy_arn)?;
            let name = a.policy_name.unwrap_or_else(|| name_from_arn(&arn));
            Some(PolicyAttachment { name, arn })
        })
        .collect()
}

fn tags(list: List<TagIn>) -> Option<Vec<Tag>> {
    items(list)
        .map(|t| {
            Some(Tag {
                key: required(t.key)?,
                value: t.value.unwrap_or_default(),
            })
        })
        .collect()
}

impl UserIn {
    fn into_user(self) -> Option<User> {
        Some(User {
            name: required(self.user_name)?,
            arn: required(self.arn)?,
            id: self.user_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            groups: self.group_list.unwrap_or_default(),
            inline_policies: inline(self.user_policy_list)?,
            attached_policies: attachments(self.attached_managed_policies)?,
            permissions_boundary: self
                .permissions_boundary
                .and_then(|b| b.0.permissions_boundary_arn),
            tags: tags(self.tags)?,
        })
    }
}

impl GroupIn {
    fn into_group(self) -> Option<Group> {
        Some(Group {
            name: required(self.group_name)?,
            arn: required(self.arn)?,
            id: self.group_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            inline_policies: inline(self.group_policy_list)?,
            attached_policies: attachments(self.attached_managed_policies)?,
        })
    }
}

impl RoleIn {
    fn into_role(self) -> Option<Role> {
        let assume_role_policy = match self.assume_role_policy_document {
            None => None,
            Some(d) => Some(document(d)?),
        };
        Some(Role {
            name: required(self.role_name)?,
            arn: required(self.arn)?,
            id: self.role_id.unwrap_or_default(),
            path: path(self.path),
            create_date: self.create_date,
            assume_role_policy,
            inline_policies: inline(self.role_policy_list)?,
            attached_policies: attachments(self.attached_managed_policies)?,
            permissions_boundary: self
                .permissions_boundary
                .and_then(|b| b.0.permissions_boundary_arn),
            last_used: self.role_last_used.and_then(|r| r.0.last_used_date),
            tags: tags(self.tags)?,
        })
    }
}

impl PolicyIn {
    fn into_policy(self) -> Option<ManagedPolicy> {
        let arn = required(self.arn)?;
        let name = self.policy_name.unwrap_or_else(|| name_from_arn(&arn));
        let default_version_id = self.default_version_id;
        // The version flagged IsDefaultVersion, else the one whose VersionId
        // is DefaultVersionId; every version's document is type-checked.
        let mut flagged: Option<Option<Value>> = None;
        let mut by_id: Option<Option<Value>> = None;
        for v in items(self.policy_version_list) {
            let doc = match v.document {
                None => None,
                Some(d) => Some(document(d)?),
            };
            let is_default = v.is_default_version == Some(true) && flagged.is_none();
            let matches_id = by_id.is_none()
                && v.version_id.is_some()
                && v.version_id.as_deref() == default_version_id.as_deref();
            match (is_default, matches_id) {
                (true, true) => {
                    flagged = Some(doc.clone());
                    by_id = Some(doc);
                }
                (true, false) => flagged = Some(doc),
                (false, true) => by_id = Some(doc),
                (false, false) => {}
            }
        }
        Some(ManagedPolicy {
            name,
            id: self.policy_id.unwrap_or_default(),
            path: path(self.path),
            attachment_count: self.attachment_count,
            permissions_boundary_usage_count: self.permissions_boundary_usage_count,
            update_date: self.update_date,
            document: flagged.or(by_id).flatten(),
            default_version_id,
            arn,
        })
    }
}
