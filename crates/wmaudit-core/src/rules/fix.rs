//! AWS CLI commands that remove what a finding reports, for a reviewer to
//! run. wmaudit never runs them; names are quoted for a POSIX shell, since
//! they come from the account's data.

use crate::eval::PrincipalKind;

/// One shell word: kept as is when it holds only characters IAM names and
/// ARNs use, single-quoted otherwise.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@/:-".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn kind_word(kind: PrincipalKind) -> &'static str {
    kind.as_str()
}

/// Detaches a managed policy from a user, group or role.
pub fn detach(kind: PrincipalKind, name: &str, policy_arn: &str) -> String {
    let k = kind_word(kind);
    format!(
        "aws iam detach-{k}-policy --{k}-name {} --policy-arn {}",
        shell_word(name),
        shell_word(policy_arn)
    )
}

/// Deletes an inline policy of a user, group or role.
pub fn delete_inline(kind: PrincipalKind, owner: &str, policy: &str) -> String {
    let k = kind_word(kind);
    format!(
        "aws iam delete-{k}-policy --{k}-name {} --policy-name {}",
        shell_word(owner),
        shell_word(policy)
    )
}

/// Replaces an inline policy with an edited document.
pub fn put_inline(kind: PrincipalKind, owner: &str, policy: &str) -> String {
    let k = kind_word(kind);
    format!(
        "aws iam put-{k}-policy --{k}-name {} --policy-name {} --policy-document file://{}",
        shell_word(owner),
        shell_word(policy),
        shell_word(&format!("{policy}.json"))
    )
}

/// Makes an edited document the default version of a managed policy.
pub fn new_version(policy_arn: &str, name: &str) -> String {
    format!(
        "aws iam create-policy-version --policy-arn {} --policy-document file://{} --set-as-default",
        shell_word(policy_arn),
        shell_word(&format!("{name}.json"))
    )
}

/// Removes a user's or role's permission boundary (groups have none).
pub fn delete_boundary(kind: PrincipalKind, name: &str) -> String {
    let k = kind_word(kind);
    format!(
        "aws iam delete-{k}-permissions-boundary --{k}-name {}",
        shell_word(name)
    )
}

pub fn delete_policy(policy_arn: &str) -> String {
    format!(
        "aws iam delete-policy --policy-arn {}",
        shell_word(policy_arn)
    )
}

pub fn delete_role(name: &str) -> String {
    format!("aws iam delete-role --role-name {}", shell_word(name))
}

pub fn delete_service_linked_role(name: &str) -> String {
    format!(
        "aws iam delete-service-linked-role --role-name {}",
        shell_word(name)
    )
}

/// `aws workmail ...` in the organization's region.
fn workmail(command: &str, region: &str, org: &str, rest: &[(&str, &str)]) -> String {
    let mut s = format!(
        "aws workmail {command} --region {} --organization-id {}",
        shell_word(region),
        shell_word(org)
    );
    for (flag, value) in rest {
        s.push_str(&format!(" --{flag} {}", shell_word(value)));
    }
    s
}

pub fn delete_impersonation_role(region: &str, org: &str, role_id: &str) -> String {
    workmail(
        "delete-impersonation-role",
        region,
        org,
        &[("impersonation-role-id", role_id)],
    )
}

pub fn delete_mailbox_permissions(region: &str, org: &str, mailbox: &str, grantee: &str) -> String {
    workmail(
        "delete-mailbox-permissions",
        region,
        org,
        &[("entity-id", mailbox), ("grantee-id", grantee)],
    )
}

pub fn delete_access_token(region: &str, org: &str, token: &str) -> String {
    workmail(
        "delete-personal-access-token",
        region,
        org,
        &[("personal-access-token-id", token)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_account_cannot_break_out_of_the_command() {
        assert_eq!(shell_word("Mail.Ops+1@x"), "Mail.Ops+1@x");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("x'; rm -rf /"), r"'x'\''; rm -rf /'");
        assert_eq!(shell_word("$(id)"), "'$(id)'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(
            detach(
                PrincipalKind::Group,
                "Support",
                "arn:aws:iam::aws:policy/AmazonWorkMailReadOnlyAccess"
            ),
            "aws iam detach-group-policy --group-name Support \
             --policy-arn arn:aws:iam::aws:policy/AmazonWorkMailReadOnlyAccess"
        );
    }
}
