//! GetAccountAuthorizationDetails: every page, mapped into [`Account`].
//!
//! The whole part is all-or-nothing: an error on any page (or paging that
//! stops while AWS still says "truncated") yields a gap, never a partial
//! account that rules would treat as complete.

use std::collections::BTreeSet;

use aws_sdk_iam::types::{
    AttachedPolicy, EntityType, GroupDetail, ManagedPolicyDetail, PolicyDetail, RoleDetail,
    UserDetail,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::Value;

use super::gap::{gap, gap_text};
use super::{Clients, Progress};
use wmaudit_core::account::{
    Account, Group, InlinePolicy, ManagedPolicy, PolicyAttachment, Role, Tag, User,
    is_aws_managed_arn,
};
use wmaudit_core::snapshot::{Gap, Part};

const OP: &str = "iam:GetAccountAuthorizationDetails";

/// AWS's maximum page size for this operation: fewest calls.
const PAGE_SIZE: i32 = 1000;

/// More pages than any account can need (1,000 items each); a marker that
/// never ends is a server bug, not an account.
const MAX_PAGES: usize = 10_000;

/// Collects users, groups, roles and managed policies (all pages).
pub async fn authorization_details(clients: &Clients, progress: &Progress) -> Result<Account, Gap> {
    let part = Part::AuthorizationDetails;
    let mut pages = clients
        .iam()
        .get_account_authorization_details()
        .set_filter(Some(vec![
            EntityType::User,
            EntityType::Group,
            EntityType::Role,
            EntityType::LocalManagedPolicy,
            EntityType::AwsManagedPolicy,
        ]))
        .into_paginator()
        .page_size(PAGE_SIZE)
        .send();

    let mut raw = Raw::default();
    let mut n = 0usize;
    let mut last_truncated = false;
    while let Some(page) = pages.next().await {
        n += 1;
        progress.say(format_args!(
            "collecting IAM authorization details: page {n}"
        ));
        let page = page.map_err(|e| on_page(gap(part, OP, &e), n))?;
        last_truncated = page.is_truncated();
        raw.users.extend(page.user_detail_list().iter().cloned());
        raw.groups.extend(page.group_detail_list().iter().cloned());
        raw.roles.extend(page.role_detail_list().iter().cloned());
        raw.policies.extend(page.policies().iter().cloned());
        if n >= MAX_PAGES && last_truncated {
            return Err(gap_text(
                part,
                format!("{OP}: TooManyPages: still truncated after {n} pages"),
            ));
        }
    }
    if n == 0 {
        return Err(gap_text(
            part,
            format!("{OP}: NoResponse: no page was returned"),
        ));
    }
    if last_truncated {
        // The SDK's paginator stops on a missing or repeated marker.
        return Err(gap_text(
            part,
            format!(
                "{OP}: IncompletePaging: page {n} says more results follow but gives no new marker"
            ),
        ));
    }
    Ok(raw.into_account())
}

/// Says which page failed when it was not the first: a later page failing
/// means the account is large, and retrying the scan may help.
pub(crate) fn on_page(mut g: Gap, n: usize) -> Gap {
    if n > 1 {
        g.reason.push_str(&format!(" (page {n})"));
    }
    g
}

#[derive(Default)]
struct Raw {
    users: Vec<UserDetail>,
    groups: Vec<GroupDetail>,
    roles: Vec<RoleDetail>,
    policies: Vec<ManagedPolicyDetail>,
}

impl Raw {
    fn into_account(self) -> Account {
        let users: Vec<User> = self.users.iter().map(user).collect();
        let groups: Vec<Group> = self.groups.iter().map(group).collect();
        let roles: Vec<Role> = self.roles.iter().map(role).collect();

        // AWS managed policies: the response lists all ~1,500 of them; keep the
        // ones this account uses (evaluation falls back to its own copy otherwise).
        let mut used: BTreeSet<&str> = BTreeSet::new();
        for u in &users {
            used.extend(u.attached_policies.iter().map(|a| a.arn.as_str()));
            used.extend(u.permissions_boundary.as_deref());
        }
        for g in &groups {
            used.extend(g.attached_policies.iter().map(|a| a.arn.as_str()));
        }
        for r in &roles {
            used.extend(r.attached_policies.iter().map(|a| a.arn.as_str()));
            used.extend(r.permissions_boundary.as_deref());
        }
        let policies = self
            .policies
            .iter()
            .filter(|p| {
                let arn = p.arn().unwrap_or_default();
                !is_aws_managed_arn(arn)
                    || used.contains(arn)
                    || p.attachment_count().unwrap_or(0) > 0
                    || p.permissions_boundary_usage_count().unwrap_or(0) > 0
            })
            .map(policy)
            .collect();

        let mut account = Account {
            users,
            groups,
            roles,
            policies,
        };
        account.normalize();
        account
    }
}

fn date(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_owned()
}

fn path(v: Option<&str>) -> String {
    v.filter(|p| !p.is_empty()).unwrap_or("/").to_owned()
}

/// The document exactly as IAM sent it (URL-encoded text); evaluation decodes.
fn document(text: Option<&str>) -> Value {
    Value::String(s(text))
}

fn inline(list: &[PolicyDetail]) -> Vec<InlinePolicy> {
    list.iter()
        .map(|p| InlinePolicy {
            name: s(p.policy_name()),
            document: document(p.policy_document()),
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<PolicyAttachment> {
    list.iter()
        .map(|a| {
            let arn = s(a.policy_arn());
            PolicyAttachment {
                name: a
                    .policy_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| name_from_arn(&arn)),
                arn,
            }
        })
        .collect()
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> Vec<Tag> {
    list.iter()
        .map(|t| Tag {
            key: t.key().to_owned(),
            value: t.value().to_owned(),
        })
        .collect()
}

fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or_default().to_owned()
}

fn user(u: &UserDetail) -> User {
    User {
        name: s(u.user_name()),
        arn: s(u.arn()),
        id: s(u.user_id()),
        path: path(u.path()),
        create_date: date(u.create_date()),
        groups: u.group_list().to_vec(),
        inline_policies: inline(u.user_policy_list()),
        attached_policies: attached(u.attached_managed_policies()),
        permissions_boundary: u
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        tags: tags(u.tags()),
    }
}

fn group(g: &GroupDetail) -> Group {
    Group {
        name: s(g.group_name()),
        arn: s(g.arn()),
        id: s(g.group_id()),
        path: path(g.path()),
        create_date: date(g.create_date()),
        inline_policies: inline(g.group_policy_list()),
        attached_policies: attached(g.attached_managed_policies()),
    }
}

fn role(r: &RoleDetail) -> Role {
    Role {
        name: s(r.role_name()),
        arn: s(r.arn()),
        id: s(r.role_id()),
        path: path(r.path()),
        create_date: date(r.create_date()),
        assume_role_policy: r.assume_role_policy_document().map(|d| document(Some(d))),
        inline_policies: inline(r.role_policy_list()),
        attached_policies: attached(r.attached_managed_policies()),
        permissions_boundary: r
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        last_used: r.role_last_used().and_then(|l| date(l.last_used_date())),
        tags: tags(r.tags()),
    }
}

fn policy(p: &ManagedPolicyDetail) -> ManagedPolicy {
    let arn = s(p.arn());
    let versions = p.policy_version_list();
    // The default version: flagged, or named by DefaultVersionId.
    let default = versions
        .iter()
        .find(|v| v.is_default_version())
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.version_id().is_some() && v.version_id() == p.default_version_id())
        });
    ManagedPolicy {
        name: p
            .policy_name()
            .map(str::to_owned)
            .unwrap_or_else(|| name_from_arn(&arn)),
        id: s(p.policy_id()),
        path: path(p.path()),
        default_version_id: p.default_version_id().map(str::to_owned),
        attachment_count: p.attachment_count().and_then(|c| u64::try_from(c).ok()),
        permissions_boundary_usage_count: p
            .permissions_boundary_usage_count()
            .and_then(|c| u64::try_from(c).ok()),
        update_date: date(p.update_date()),
        document: default
            .and_then(|v| v.document())
            .map(|d| document(Some(d))),
        arn,
    }
}
