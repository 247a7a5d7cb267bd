//! `aws iam get-account-authorization-details` output -> [`Account`].
//!
//! Known keys are type-checked with a JSON pointer in every error; unknown
//! keys are ignored because AWS adds fields. Policy documents are kept as
//! they arrived (object from the CLI, URL-encoded string from the API/moto).

use std::collections::HashMap;

use serde_json::Value;

use super::error::{InputError, Place};
use super::json_walk::{self, Node};
use crate::account::{
    Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, Role, Tag, User,
};

const LIST_KEYS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

const PAGE: &str = "an object with UserDetailList, GroupDetailList, RoleDetailList and Policies \
                    (the output of `aws iam get-account-authorization-details`)";

/// Parses one output object, a JSON array of such pages, or several page
/// objects one after another (`cat page1.json page2.json`). The result is
/// normalized: entity order in the file does not matter.
pub fn parse_auth_details(bytes: &[u8], source: &str) -> Result<Account, InputError> {
    if let Some(account) = super::auth_details_typed::try_parse(bytes) {
        return Ok(account);
    }
    parse_auth_details_with_pointers(bytes, source)
}

/// The walker: reads the file as a `serde_json::Value` tree and checks every
/// known key by hand, so that an error names its JSON pointer. The typed fast
/// path must agree with it on every input it accepts.
pub fn parse_auth_details_with_pointers(bytes: &[u8], source: &str) -> Result<Account, InputError> {
    let values = json_walk::parse_stream(bytes, source)?;
    if let [value] = values.as_slice() {
        let root = Node::root(value, source);
        return match value {
            Value::Array(_) => account_from_pages(&root, &root.items(PAGE)?),
            Value::Object(_) => account_from_pages(&root, std::slice::from_ref(&root)),
            _ => Err(root.error(format!("{PAGE}, or an array of such pages"))),
        };
    }
    // Concatenated values: each is named by its position in the file, since
    // a pointer cannot address the Nth top-level value.
    let labels: Vec<String> = (1..=values.len())
        .map(|i| format!("{source} (JSON value {i})"))
        .collect();
    let pages: Vec<Node> = values
        .iter()
        .zip(&labels)
        .map(|(v, label)| Node::root(v, label))
        .collect();
    match pages.first() {
        Some(first) => account_from_pages(first, &pages),
        // parse_stream returns at least one value.
        None => Ok(Account::default()),
    }
}

fn account_from_pages(root: &Node, pages: &[Node]) -> Result<Account, InputError> {
    let mut acc = Builder::default();
    let mut any_list = false;
    for (i, page) in pages.iter().enumerate() {
        let map = page.object(PAGE)?;
        any_list |= LIST_KEYS.iter().any(|k| map.contains_key(*k));
        if i + 1 == pages.len() {
            check_complete(page)?;
        }
        acc.page(page)?;
    }
    if !any_list {
        return Err(root.error(PAGE));
    }
    let mut account = acc.account;
    account.normalize();
    Ok(account)
}

/// A last page that says more follows means entities are missing: refuse it
/// rather than audit part of the account as if it were all of it.
fn check_complete(page: &Node) -> Result<(), InputError> {
    const HOW: &str = "the complete output (run the command without --max-items or \
                       --no-paginate, or save every page in one JSON array)";
    if page.opt_bool("IsTruncated").ok().flatten() == Some(true) {
        let node = page.require("IsTruncated")?;
        return Err(node.error(format!("false on the last page: {HOW}")));
    }
    if let Some(token) = page.get("NextToken")? {
        return Err(token.error(format!("no NextToken: {HOW}")));
    }
    Ok(())
}

/// Accumulates entities across pages, refusing duplicates (two entries for
/// one ARN would make one of them silently win).
#[derive(Default)]
struct Builder {
    account: Account,
    seen: HashMap<(&'static str, String), String>,
    /// The account the ARNs belong to, and where it was first seen.
    owner: Option<(String, String)>,
}

impl Builder {
    fn page(&mut self, page: &Node) -> Result<(), InputError> {
        for n in page.list("UserDetailList", "an array of users")? {
            let u = user(&n)?;
            self.claim("user", &u.arn, &n)?;
            self.account.users.push(u);
        }
        for n in page.list("GroupDetailList", "an array of groups")? {
            let g = group(&n)?;
            self.claim("group", &g.arn, &n)?;
            self.account.groups.push(g);
        }
        for n in page.list("RoleDetailList", "an array of roles")? {
            let r = role(&n)?;
            self.claim("role", &r.arn, &n)?;
            self.account.roles.push(r);
        }
        for n in page.list("Policies", "an array of managed policies")? {
            let p = managed_policy(&n)?;
            self.claim("managed policy", &p.arn, &n)?;
            self.account.policies.push(p);
        }
        Ok(())
    }

    fn claim(&mut self, what: &'static str, arn: &str, node: &Node) -> Result<(), InputError> {
        let key = (what, arn.to_owned());
        if let Some(first) = self.seen.get(&key) {
            return Err(InputError::Duplicate {
                file: node.file.to_owned(),
                what,
                key: arn.to_owned(),
                first: Box::new(Place::Pointer(first.clone())),
                second: Box::new(node.place()),
            });
        }
        self.seen.insert(key, node.pointer.clone());

        // One output describes one account; a mix means files were combined
        // by mistake, and the audit would blend two accounts' permissions.
        if let Some(acct) = arn_account(arn) {
            match &self.owner {
                None => self.owner = Some((acct.to_owned(), node.pointer.clone())),
                Some((owner, first)) if owner != acct => {
                    return Err(InputError::shape(
                        node.file,
                        Place::Pointer(format!("{}/Arn", node.pointer)),
                        format!("an ARN in account {owner} (as at {first})"),
                        format!("{arn:?} in account {acct}"),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// The account id in an ARN; None for AWS managed policies (`aws`) and ARNs
/// without one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && *a != "aws")
}

/// `arn:aws:iam::aws:policy/service-role/Name` -> `Name`.
fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

fn path(n: &Node) -> Result<String, InputError> {
    Ok(n.opt_str("Path")?.unwrap_or_else(|| "/".to_owned()))
}

fn inline_policies(n: &Node, key: &str) -> Result<Vec<InlinePolicy>, InputError> {
    n.list(key, "an array of {PolicyName, PolicyDocument}")?
        .iter()
        .map(|p| {
            p.object("an object with PolicyName and PolicyDocument")?;
            Ok(InlinePolicy {
                name: p.req_str("PolicyName")?,
                document: p.require("PolicyDocument")?.document()?,
            })
        })
        .collect()
}

fn attached(n: &Node) -> Result<Vec<PolicyAttachment>, InputError> {
    n.list(
        "AttachedManagedPolicies",
        "an array of {PolicyName, PolicyArn}",
    )?
    .iter()
    .map(|p| {
        p.object("an object with PolicyName and PolicyArn")?;
        let arn = p.req_str("PolicyArn")?;
        let name = match p.opt_str("PolicyName")? {
            Some(name) => name,
            None => name_from_arn(&arn),
        };
        Ok(PolicyAttachment { name, arn })
    })
    .collect()
}

fn boundary(n: &Node) -> Result<Option<String>, InputError> {
    match n.get("PermissionsBoundary")? {
        None => Ok(None),
        Some(b) => {
            b.object("an object with PermissionsBoundaryArn")?;
            b.opt_str("PermissionsBoundaryArn")
        }
    }
}

fn tags(n: &Node) -> Result<Vec<Tag>, InputError> {
    n.list("Tags", "an array of {Key, Value}")?
        .iter()
        .map(|t| {
            t.object("an object with Key and Value")?;
            Ok(Tag {
                key: t.req_str("Key")?,
                value: t.opt_str("Value")?.unwrap_or_default(),
            })
        })
        .collect()
}

fn user(n: &Node) -> Result<User, InputError> {
    n.object("a user object with UserName and Arn")?;
    let groups = n
        .list("GroupList", "an array of group names")?
        .iter()
        .map(|g| g.str().map(str::to_owned))
        .collect::<Result<_, _>>()?;
    Ok(User {
        name: n.req_str("UserName")?,
        arn: n.req_str("Arn")?,
        id: n.opt_str("UserId")?.unwrap_or_default(),
        path: path(n)?,
        create_date: n.opt_str("CreateDate")?,
        groups,
        inline_policies: inline_policies(n, "UserPolicyList")?,
        attached_policies: attached(n)?,
        permissions_boundary: boundary(n)?,
        tags: tags(n)?,
    })
}

fn group(n: &Node) -> Result<Group, InputError> {
    n.object("a group object with GroupName and Arn")?;
    Ok(Group {
        name: n.req_str("GroupName")?,
        arn: n.req_str("Arn")?,
        id: n.opt_str("GroupId")?.unwrap_or_default(),
        path: path(n)?,
        create_date: n.opt_str("CreateDate")?,
        inline_policies: inline_policies(n, "GroupPolicyList")?,
        attached_policies: attached(n)?,
    })
}

fn role(n: &Node) -> Result<Role, InputError> {
    n.object("a role object with RoleName and Arn")?;
    let last_used = match n.get("RoleLastUsed")? {
        None => None,
        Some(r) => {
            r.object("an object with LastUsedDate")?;
            r.opt_str("LastUsedDate")?
        }
    };
    Ok(Role {
        name: n.req_str("RoleName")?,
        arn: n.req_str("Arn")?,
        id: n.opt_str("RoleId")?.unwrap_or_default(),
        path: path(n)?,
        create_date: n.opt_str("CreateDate")?,
        assume_role_policy: n
            .get("AssumeRolePolicyDocument")?
            .map(|d| d.document())
            .transpose()?,
        inline_policies: inline_policies(n, "RolePolicyList")?,
        attached_policies: attached(n)?,
        permissions_boundary: boundary(n)?,
        last_used,
        tags: tags(n)?,
    })
}

fn managed_policy(n: &Node) -> Result<ManagedPolicy, InputError> {
    n.object("a managed policy object with Arn")?;
    let arn = n.req_str("Arn")?;
    let default_version_id = n.opt_str("DefaultVersionId")?;
    // moto omits PolicyName: the ARN's last segment is the name.
    let name = match n.opt_str("PolicyName")? {
        Some(name) => name,
        None => name_from_arn(&arn),
    };
    Ok(ManagedPolicy {
        name,
        id: n.opt_str("PolicyId")?.unwrap_or_default(),
        path: path(n)?,
        attachment_count: n.opt_u64("AttachmentCount")?,
        permissions_boundary_usage_count: n.opt_u64("PermissionsBoundaryUsageCount")?,
        update_date: n.opt_str("UpdateDate")?,
        document: default_document(n, default_version_id.as_deref())?,
        default_version_id,
        arn,
    })
}

/// The default version's document: the version flagged IsDefaultVersion, else
/// the one whose VersionId is DefaultVersionId. Every version is type-checked.
fn default_document(n: &Node, default_id: Option<&str>) -> Result<Option<Value>, InputError> {
    let mut flagged = None;
    let mut by_id = None;
    for v in n.list(
        "PolicyVersionList",
        "an array of {Document, VersionId, IsDefaultVersion}",
    )? {
        v.object("a policy version object with Document and VersionId")?;
        let doc = v.get("Document")?.map(|d| d.document()).transpose()?;
        let id = v.opt_str("VersionId")?;
        if v.opt_bool("IsDefaultVersion")? == Some(true) && flagged.is_none() {
            flagged = Some(doc.clone());
        }
        if by_id.is_none() && id.is_some() && id.as_deref() == default_id {
            by_id = Some(doc);
        }
    }
    Ok(flagged.or(by_id).flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arns() {
        assert_eq!(
            name_from_arn(
                "arn:aws:iam::aws:policy/service-role/AmazonWorkMailEventsServiceRolePolicy"
            ),
            "AmazonWorkMailEventsServiceRolePolicy"
        );
        assert_eq!(arn_account("arn:aws:iam::aws:policy/X"), None);
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:user/a"),
            Some("123456789012")
        );
    }

    #[test]
    fn wrong_type_for_a_known_key_is_an_error_with_pointer() {
        let json = br#"{"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a", "GroupList": "admins"}]}"#;
        let err = parse_auth_details(json, "a.json")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "a.json: at /UserDetailList/0/GroupList: expected an array of group names, found string \"admins\""
            )
        );
    }

    #[test]
    fn truncated_page_is_refused() {
        let json = br#"{"UserDetailList": [], "IsTruncated": true, "Marker": "x"}"#;
        let err = parse_auth_details(json, "a.json")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(
                |e| e.starts_with("a.json: at /IsTruncated: expected false on the last page")
            ),
            "{err:?}"
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
        let json = br#"{"UserDetailList": [
            {"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"},
            {"UserName": "b", "Arn": "arn:aws:iam::210987654321:user/b"}]}"#;
        let err = parse_auth_details(json, "a.json")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e
                    .contains("at /UserDetailList/1/Arn: expected an ARN in account 123456789012")),
            "{err:?}"
        );
    }
}
