//! The check API. A rule file names a check; the check's logic lives in
//! Rust (`checks/`, which also lists them), its documentation and parameters
//! in the rule file.
//!
//! A check's parameters are parsed once, when the rule is loaded, into typed
//! values validated against the catalog ([`Prepared`]); a bad parameter is a
//! load error, never a check that silently never fires. A check that judges
//! principals is a function of one principal: the runner walks them, and the
//! runner, not the check, reports a principal whose permissions are known
//! only in part as *not evaluated* ([`Judged`]).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::context::Context;
use super::output::Output;
use crate::catalog::ActionSet;
use crate::eval::{Principal, PrincipalId};
use crate::snapshot::Part;

/// Which principals a check judges one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The check looks at the account as a whole ([`TypedCheck::account`]).
    Account,
    /// Users and roles ([`TypedCheck::principal`] for each).
    ActingPrincipals,
    /// Users, roles and groups.
    AllPrincipals,
}

/// What a principal-level check's verdict rested on, for a principal it
/// found nothing on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// The principal's effective permissions: if they are known only in part,
    /// the runner reports the principal as *not evaluated* instead of passed.
    OnPermissions,
    /// Something the missing permissions cannot change (an exemption, its
    /// kind, its attachments, its credentials).
    Regardless,
}

/// A rule's parameters, parsed and validated at load.
#[derive(Clone)]
pub struct Prepared(Arc<dyn Any + Send + Sync>);

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prepared(..)")
    }
}

/// A check as the rule loader and runner see it.
pub trait Check: Sync {
    fn name(&self) -> &'static str;
    /// Snapshot parts without which the check cannot run.
    fn needs(&self) -> &'static [Part];
    /// Parses and validates a rule's `[params]` (unknown keys are errors).
    fn prepare(&self, params: &toml::Table) -> Result<Prepared, String>;
    /// Where in a rule file's text its `[params]` fail to parse: the byte
    /// range of the offending value, for an error with line and column.
    fn params_error_span(&self, rule_text: &str) -> Option<std::ops::Range<usize>>;
    /// Runs the check over the whole account, principals included.
    fn run(&self, ctx: &Context<'_>, params: &Prepared, out: &mut Output<'_>);
    /// The actions this rule treats as sensitive, for the per-principal
    /// summary of every report.
    fn sensitive_actions(&self, _params: &Prepared) -> Option<ActionSet>;
}

/// What a check implements: typed parameters, deserialized with
/// `deny_unknown_fields` so a typo in a rule file or config is an error.
pub trait TypedCheck: Sync {
    type Params: DeserializeOwned + Send + Sync + 'static;
    const NAME: &'static str;
    const NEEDS: &'static [Part];
    const SCOPE: Scope = Scope::Account;
    /// Checks beyond the shape that the parameter types cannot make (a
    /// relation between two of them, say).
    fn check_params(&self, _params: &Self::Params) -> Result<(), String> {
        Ok(())
    }
    /// An account-level check's work (and any account-wide part of a
    /// principal-level one, run before the principals).
    fn account(&self, _ctx: &Context<'_>, _params: &Self::Params, _out: &mut Output<'_>) {}
    /// One principal, for a check whose [`TypedCheck::SCOPE`] is not `Account`.
    fn principal(
        &self,
        _ctx: &Context<'_>,
        _params: &Self::Params,
        _id: PrincipalId,
        _p: &Principal,
        _out: &mut Output<'_>,
    ) -> Judged {
        Judged::Regardless
    }
    fn sensitive_actions(&self, _params: &Self::Params) -> Option<ActionSet> {
        None
    }
}

impl<T: TypedCheck> Check for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn needs(&self) -> &'static [Part] {
        T::NEEDS
    }

    fn prepare(&self, params: &toml::Table) -> Result<Prepared, String> {
        let p = parse_params::<T::Params>(params)?;
        self.check_params(&p)?;
        Ok(Prepared(Arc::new(p)))
    }

    fn params_error_span(&self, rule_text: &str) -> Option<std::ops::Range<usize>> {
        // The same types again, over the file's text, which keeps spans.
        #[derive(serde::Deserialize)]
        struct ParamsOf<P> {
            #[expect(dead_code, reason = "parsed only for the error's span")]
            params: P,
        }
        toml::from_str::<ParamsOf<T::Params>>(rule_text)
            .err()
            .and_then(|e| e.span())
    }

    fn run(&self, ctx: &Context<'_>, params: &Prepared, out: &mut Output<'_>) {
        let Some(params) = params.0.downcast_ref::<T::Params>() else {
            return out.not_evaluated(
                None,
                "internal error, please report: parameters of another check",
            );
        };
        self.account(ctx, params, out);
        let principals: Box<dyn Iterator<Item = (PrincipalId, &Principal)>> = match T::SCOPE {
            Scope::Account => return,
            Scope::ActingPrincipals => Box::new(ctx.acting_principals()),
            Scope::AllPrincipals => Box::new(ctx.all_principals()),
        };
        for (id, p) in principals {
            let before = out.len();
            let judged = self.principal(ctx, params, id, p, out);
            // Nothing found on a principal whose permissions are partly
            // unknown is not a pass: the missing part may be what matters.
            if out.len() == before && judged == Judged::OnPermissions && !p.is_complete() {
                out.inconclusive(p);
            }
        }
    }

    fn sensitive_actions(&self, params: &Prepared) -> Option<ActionSet> {
        params
            .0
            .downcast_ref::<T::Params>()
            .and_then(|p| TypedCheck::sensitive_actions(self, p))
    }
}

fn parse_params<P: DeserializeOwned>(params: &toml::Table) -> Result<P, String> {
    toml::Value::Table(params.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())
}
