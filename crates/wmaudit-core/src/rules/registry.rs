//! The registry of checks. A rule file names a check; the check's logic lives
//! here in Rust, its documentation and parameters in the rule file.

use serde::de::DeserializeOwned;

use super::checks;
use super::context::Context;
use super::output::Output;
use crate::snapshot::Part;

/// A check as the rule loader and runner see it.
pub trait Check: Sync {
    fn name(&self) -> &'static str;
    /// Snapshot parts without which the check cannot run.
    fn needs(&self) -> &'static [Part];
    /// Validates a rule's `[params]` (unknown keys are errors).
    fn validate(&self, params: &toml::Table) -> Result<(), String>;
    fn run(
        &self,
        ctx: &Context<'_>,
        params: &toml::Table,
        out: &mut Output<'_>,
    ) -> Result<(), String>;
}

/// What a check implements: typed parameters, deserialized with
/// `deny_unknown_fields` so a typo in a rule file or config is an error.
pub trait TypedCheck: Sync {
    type Params: DeserializeOwned;
    const NAME: &'static str;
    const NEEDS: &'static [Part];
    /// Checks beyond the shape, e.g. that listed actions exist.
    fn check_params(&self, _params: &Self::Params) -> Result<(), String> {
        Ok(())
    }
    fn run(&self, ctx: &Context<'_>, params: &Self::Params, out: &mut Output<'_>);
}

impl<T: TypedCheck> Check for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn needs(&self) -> &'static [Part] {
        T::NEEDS
    }

    fn validate(&self, params: &toml::Table) -> Result<(), String> {
        let p = parse_params::<T::Params>(params)?;
        self.check_params(&p)
    }

    fn run(
        &self,
        ctx: &Context<'_>,
        params: &toml::Table,
        out: &mut Output<'_>,
    ) -> Result<(), String> {
        let p = parse_params::<T::Params>(params)?;
        TypedCheck::run(self, ctx, &p, out);
        Ok(())
    }
}

fn parse_params<P: DeserializeOwned>(params: &toml::Table) -> Result<P, String> {
    toml::Value::Table(params.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())
}

/// Every check, by name.
static CHECKS: &[&dyn Check] = &[
    &checks::root::RootAccessKeys,
    &checks::root::RootMfaDisabled,
    &checks::root::RootHardwareMfa,
    &checks::root::RootRecentUse,
    &checks::root::RootUsedForAudit,
    &checks::iam::NoAdminGroup,
    &checks::iam::UserDirectPolicies,
    &checks::iam::ConsoleWithoutMfa,
    &checks::workmail_admin::NoAdmin,
    &checks::workmail_admin::AdminIncomplete,
    &checks::workmail_admin::PolicyIneffective,
    &checks::unknown_action::UnknownAction,
    &checks::workmail_broad::ReadOnlyCanWrite,
    &checks::workmail_broad::ViaWildcard,
    &checks::workmail_broad::ManagedPolicyAttached,
    &checks::workmail_broad::DirectUserGrant,
    &checks::sensitive::SensitiveActions,
    &checks::sensitive::AdminWithoutMfa,
];

pub fn find(name: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|c| c.name() == name)
}

pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.name()).collect()
}
