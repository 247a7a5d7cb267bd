//! One module per family of checks. Each check is generic over its
//! parameters, so that rules for any service are data in `rules/`.

pub mod escalation;
pub mod export_coverage;
pub mod external_trust;
pub mod iam;
pub mod retired_service;
pub mod root;
pub mod sensitive;
pub mod service_roles;
pub mod unknown_action;
pub mod unused_access;
pub mod workmail_admin;
pub mod workmail_broad;
pub mod workmail_grants;

use super::registry::Check;

/// Every check, by name.
static CHECKS: &[&dyn Check] = &[
    &root::RootAccessKeys,
    &root::RootMfaDisabled,
    &root::RootHardwareMfa,
    &root::RootRecentUse,
    &root::RootUsedForAudit,
    &iam::NoAdminGroup,
    &iam::UserDirectPolicies,
    &iam::ConsoleWithoutMfa,
    &workmail_admin::NoAdmin,
    &workmail_admin::AdminIncomplete,
    &workmail_admin::PolicyIneffective,
    &unknown_action::UnknownAction,
    &workmail_broad::ReadOnlyCanWrite,
    &workmail_broad::ViaWildcard,
    &workmail_broad::ManagedPolicyAttached,
    &workmail_broad::DirectUserGrant,
    &sensitive::SensitiveActions,
    &sensitive::AdminWithoutMfa,
    &service_roles::ServiceTrustUnguarded,
    &service_roles::ServiceRoleOverbroad,
    &service_roles::CanPassServiceRole,
    &retired_service::RetiredServiceGrants,
    &retired_service::RetiredServiceRoles,
    &unused_access::UnusedServiceAccess,
    &external_trust::ExternalTrust,
    &escalation::EscalationPath,
    &workmail_grants::ImpersonationBroad,
    &workmail_grants::ImpersonationUnscoped,
    &workmail_grants::MailboxFullAccessBroad,
    &workmail_grants::AccessRulesOpen,
    &workmail_grants::EmailMonitoringExternal,
    &workmail_grants::AccessTokenStale,
    &export_coverage::MailboxesNotExported,
];

pub fn find(name: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|c| c.name() == name)
}

pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.name()).collect()
}
