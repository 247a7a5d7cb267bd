//! GetAccountAuthorizationDetails: every page, mapped into [`Account`].
//!
//! The whole part is all-or-nothing: an error on any page (or paging that
//! stops while AWS still says "truncated") yields a gap, never a partial
//! account that rules would treat as complete. The pages go through the same
//! reader as an imported file (`wmaudit_core::snapshot::auth_details`), so a
//! response that file import would refuse (an empty ARN, a duplicate name)
//! is refused here too, as a gap naming the page and place.

use std::collections::BTreeSet;

use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, EntityType, GroupDetail, ManagedPolicyDetail,
    PolicyDetail, RoleDetail, UserDetail,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::Value;

use super::gap::{gap, gap_text};
use super::{Clients, Progress};
use wmaudit_core::account::{Account, is_aws_managed_arn};
use wmaudit_core::snapshot::auth_details::{
    AttachmentIn, BoundaryIn, GroupIn, InlineIn, InstanceProfileIn, LastUsedIn, Page, PolicyIn,
    RoleIn, TagIn, UserIn, VersionIn, account_from_pages,
};
use wmaudit_core::snapshot::json::Field;
use wmaudit_core::snapshot::{Gap, Located, Part};

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
        raw.push(n, &page);
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
    raw.into_account()
}

/// Says which page failed when it was not the first: a later page failing
/// means the account is large, and retrying the scan may help.
pub(crate) fn on_page(mut g: Gap, n: usize) -> Gap {
    if n > 1 {
        g.reason.push_str(&format!(" (page {n})"));
    }
    g
}

/// The SDK's pages in the wire format the file reader uses, so both go
/// through the same validation ([`account_from_pages`]).
#[derive(Default)]
struct Raw {
    pages: Vec<(Located, Page)>,
}

impl Raw {
    fn push(&mut self, n: usize, page: &GetAccountAuthorizationDetailsOutput) {
        let at = Located {
            file: format!("{OP} response page {n}"),
            pointer: String::new(),
        };
        let page = Page {
            user_detail_list: Field::Value(page.user_detail_list().iter().map(user).collect()),
            group_detail_list: Field::Value(page.group_detail_list().iter().map(group).collect()),
            role_detail_list: Field::Value(page.role_detail_list().iter().map(role).collect()),
            policies: Field::Value(page.policies().iter().map(policy).collect()),
            // Paging was checked against the responses themselves.
            is_truncated: None,
            next_token: None,
        };
        self.pages.push((at, page));
    }

    fn into_account(self) -> Result<Account, Gap> {
        let mut account = account_from_pages(self.pages).map_err(|e| {
            gap_text(
                Part::AuthorizationDetails,
                format!("{OP}: InvalidResponse: {e}"),
            )
        })?;
        // AWS managed policies: the response lists all ~1,500 of them; keep the
        // ones this account uses (evaluation falls back to its own copy otherwise).
        let mut used: BTreeSet<String> = BTreeSet::new();
        for u in &account.users {
            used.extend(u.attached_policies.iter().map(|a| a.arn.clone()));
            used.extend(u.permissions_boundary.clone());
        }
        for g in &account.groups {
            used.extend(g.attached_policies.iter().map(|a| a.arn.clone()));
        }
        for r in &account.roles {
            used.extend(r.attached_policies.iter().map(|a| a.arn.clone()));
            used.extend(r.permissions_boundary.clone());
        }
        account.policies.retain(|p| {
            !is_aws_managed_arn(&p.arn)
                || used.contains(&p.arn)
                || p.attachment_count.unwrap_or(0) > 0
                || p.permissions_boundary_usage_count.unwrap_or(0) > 0
        });
        Ok(account)
    }
}

fn date(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

fn text(v: Option<&str>) -> Option<String> {
    v.map(str::to_owned)
}

/// A field the API always sends: absent is absent, for validation to name.
fn field(v: Option<&str>) -> Field<String> {
    text(v).into()
}

/// The document exactly as IAM sent it (URL-encoded text); evaluation decodes.
fn document(d: Option<&str>) -> Option<Value> {
    d.map(|d| Value::String(d.to_owned()))
}

fn inline(list: &[PolicyDetail]) -> Vec<InlineIn> {
    list.iter()
        .map(|p| InlineIn {
            policy_name: field(p.policy_name()),
            policy_document: document(p.policy_document()).into(),
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<AttachmentIn> {
    list.iter()
        .map(|a| AttachmentIn {
            policy_name: text(a.policy_name()),
            policy_arn: field(a.policy_arn()),
        })
        .collect()
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> Vec<TagIn> {
    list.iter()
        .map(|t| TagIn {
            key: Field::Value(t.key().to_owned()),
            value: Some(t.value().to_owned()),
        })
        .collect()
}

fn boundary(b: Option<&AttachedPermissionsBoundary>) -> Option<BoundaryIn> {
    b.map(|b| BoundaryIn {
        permissions_boundary_arn: text(b.permissions_boundary_arn()),
    })
}

fn user(u: &UserDetail) -> UserIn {
    UserIn {
        user_name: field(u.user_name()),
        arn: field(u.arn()),
        user_id: text(u.user_id()),
        path: text(u.path()),
        create_date: date(u.create_date()),
        group_list: Some(u.group_list().to_vec()),
        user_policy_list: inline(u.user_policy_list()),
        attached_managed_policies: attached(u.attached_managed_policies()),
        permissions_boundary: boundary(u.permissions_boundary()),
        tags: tags(u.tags()),
    }
}

fn group(g: &GroupDetail) -> GroupIn {
    GroupIn {
        group_name: field(g.group_name()),
        arn: field(g.arn()),
        group_id: text(g.group_id()),
        path: text(g.path()),
        create_date: date(g.create_date()),
        group_policy_list: inline(g.group_policy_list()),
        attached_managed_policies: attached(g.attached_managed_policies()),
    }
}

fn role(r: &RoleDetail) -> RoleIn {
    RoleIn {
        role_name: field(r.role_name()),
        arn: field(r.arn()),
        role_id: text(r.role_id()),
        path: text(r.path()),
        create_date: date(r.create_date()),
        assume_role_policy_document: document(r.assume_role_policy_document()),
        role_policy_list: inline(r.role_policy_list()),
        attached_managed_policies: attached(r.attached_managed_policies()),
        permissions_boundary: boundary(r.permissions_boundary()),
        role_last_used: r.role_last_used().map(|l| LastUsedIn {
            last_used_date: date(l.last_used_date()),
        }),
        tags: tags(r.tags()),
        instance_profile_list: r
            .instance_profile_list()
            .iter()
            .map(|p| InstanceProfileIn {
                arn: Some(p.arn().to_owned()),
            })
            .collect(),
    }
}

fn policy(p: &ManagedPolicyDetail) -> PolicyIn {
    PolicyIn {
        policy_name: text(p.policy_name()),
        arn: field(p.arn()),
        policy_id: text(p.policy_id()),
        path: text(p.path()),
        default_version_id: text(p.default_version_id()),
        attachment_count: p.attachment_count().and_then(|c| u64::try_from(c).ok()),
        permissions_boundary_usage_count: p
            .permissions_boundary_usage_count()
            .and_then(|c| u64::try_from(c).ok()),
        update_date: date(p.update_date()),
        policy_version_list: p
            .policy_version_list()
            .iter()
            .map(|v| VersionIn {
                document: document(v.document()),
                version_id: text(v.version_id()),
                is_default_version: Some(v.is_default_version()),
            })
            .collect(),
    }
}
