//! The small parts: caller identity, account summary, password policy,
//! virtual MFA devices, account aliases. One call each (the two lists page,
//! but hold at most a handful of items per MFA-enabled user and one alias).

use std::collections::BTreeMap;

use aws_sdk_iam::types::PasswordPolicy;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

use super::Clients;
use super::auth_details::on_page;
use super::gap::gap;
use wmaudit_core::snapshot::{CallerIdentity, Gap, Part, VirtualMfaDevice};

pub async fn caller_identity(clients: &Clients) -> Result<CallerIdentity, Gap> {
    let out = clients
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| gap(Part::CallerIdentity, "sts:GetCallerIdentity", &e))?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        arn: out.arn().unwrap_or_default().to_owned(),
        user_id: out.user_id().unwrap_or_default().to_owned(),
    }
    .masked())
}

pub async fn account_summary(clients: &Clients) -> Result<BTreeMap<String, i64>, Gap> {
    let out = clients
        .iam()
        .get_account_summary()
        .send()
        .await
        .map_err(|e| gap(Part::AccountSummary, "iam:GetAccountSummary", &e))?;
    Ok(out
        .summary_map()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str().to_owned(), i64::from(*v)))
        .collect())
}

/// `None` when the account has no password policy (IAM's NoSuchEntity).
pub async fn password_policy(clients: &Clients) -> Result<Option<Value>, Gap> {
    match clients.iam().get_account_password_policy().send().await {
        Ok(out) => Ok(out.password_policy().map(password_policy_json)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(gap(
            Part::PasswordPolicy,
            "iam:GetAccountPasswordPolicy",
            &e,
        )),
    }
}

/// The policy as the IAM API names its fields (what `aws iam
/// get-account-password-policy` prints under `PasswordPolicy`).
fn password_policy_json(p: &PasswordPolicy) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    put(
        "MinimumPasswordLength",
        p.minimum_password_length().map(|v| json!(v)),
    );
    put("RequireSymbols", Some(json!(p.require_symbols())));
    put("RequireNumbers", Some(json!(p.require_numbers())));
    put(
        "RequireUppercaseCharacters",
        Some(json!(p.require_uppercase_characters())),
    );
    put(
        "RequireLowercaseCharacters",
        Some(json!(p.require_lowercase_characters())),
    );
    put(
        "AllowUsersToChangePassword",
        Some(json!(p.allow_users_to_change_password())),
    );
    put("ExpirePasswords", Some(json!(p.expire_passwords())));
    put("MaxPasswordAge", p.max_password_age().map(|v| json!(v)));
    put(
        "PasswordReusePrevention",
        p.password_reuse_prevention().map(|v| json!(v)),
    );
    put("HardExpiry", p.hard_expiry().map(|v| json!(v)));
    Value::Object(m)
}

pub async fn virtual_mfa_devices(clients: &Clients) -> Result<Vec<VirtualMfaDevice>, Gap> {
    const OP: &str = "iam:ListVirtualMFADevices";
    let mut pages = clients
        .iam()
        .list_virtual_mfa_devices()
        .into_paginator()
        .page_size(1000)
        .send();
    let mut devices = Vec::new();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        n += 1;
        let page = page.map_err(|e| on_page(gap(Part::VirtualMfaDevices, OP, &e), n))?;
        devices.extend(page.virtual_mfa_devices().iter().map(|d| VirtualMfaDevice {
            serial_number: d.serial_number().to_owned(),
            user_arn: d.user().map(|u| u.arn().to_owned()),
            enable_date: d.enable_date().and_then(|t| t.fmt(Format::DateTime).ok()),
        }));
    }
    devices.sort_by(|a, b| a.serial_number.cmp(&b.serial_number));
    Ok(devices)
}

pub async fn account_aliases(clients: &Clients) -> Result<Vec<String>, Gap> {
    const OP: &str = "iam:ListAccountAliases";
    let mut pages = clients.iam().list_account_aliases().into_paginator().send();
    let mut aliases = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| gap(Part::AccountAliases, OP, &e))?;
        aliases.extend(page.account_aliases().iter().cloned());
    }
    Ok(aliases)
}
