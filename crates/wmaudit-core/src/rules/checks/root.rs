//! The root user: AWS says not to use its credentials, because they cannot be
//! limited or revoked. Facts come from the credential report's
//! `<root_account>` row.

use serde::Deserialize;
use time::Duration;

use crate::findings::{Evidence, ResourceKind};
use crate::rules::context::Context;
use crate::rules::output::Output;
use crate::rules::registry::TypedCheck;
use crate::snapshot::{CredentialRow, Part};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// The root row, or a *not evaluated* entry saying why there is none.
fn root_row<'a>(ctx: &Context<'a>, out: &mut Output<'_>) -> Option<&'a CredentialRow> {
    let report = ctx.snapshot.credential_report.as_ref()?;
    let row = report.root();
    if row.is_none() {
        out.not_evaluated(
            None,
            "the credential report has no <root_account> row (AWS always writes one; the report may be filtered or from a test server)",
        );
    }
    row
}

fn root_finding(ctx: &Context<'_>, out: &Output<'_>) -> crate::findings::FindingBuilder {
    out.finding()
        .resource(ResourceKind::RootUser, "root", &ctx.root_arn())
}

fn root_resource(ctx: &Context<'_>) -> crate::findings::Resource {
    crate::findings::Resource {
        arn: ctx.root_arn(),
        kind: ResourceKind::RootUser,
        name: "root".to_owned(),
    }
}

fn render_time(t: time::OffsetDateTime) -> String {
    crate::snapshot::ReportDate::At(t).render()
}

fn cell(name: &str, value: impl std::fmt::Display) -> Evidence {
    Evidence {
        detail: Some(format!("credential report: {name} = {value}")),
        ..Evidence::default()
    }
}

pub struct RootAccessKeys;

impl TypedCheck for RootAccessKeys {
    type Params = NoParams;
    const NAME: &'static str = "root-access-keys";
    const NEEDS: &'static [Part] = &[Part::CredentialReport];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let Some(row) = root_row(ctx, out) else {
            return;
        };
        if !row.has_active_key() {
            return;
        }
        let active: Vec<&str> = [
            (row.access_key_1_active, "access key 1"),
            (row.access_key_2_active, "access key 2"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect();
        let f = root_finding(ctx, out)
            .message(format!(
                "The root user of account {} has an active access key ({}).",
                ctx.account_id,
                active.join(", ")
            ))
            .evidence(cell("access_key_1_active", row.access_key_1_active))
            .evidence(cell("access_key_2_active", row.access_key_2_active));
        out.push(f);
    }
}

pub struct RootMfaDisabled;

impl TypedCheck for RootMfaDisabled {
    type Params = NoParams;
    const NAME: &'static str = "root-mfa-disabled";
    const NEEDS: &'static [Part] = &[Part::CredentialReport];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let Some(row) = root_row(ctx, out) else {
            return;
        };
        if row.mfa_active {
            return;
        }
        let f = root_finding(ctx, out)
            .message(format!(
                "The root user of account {} has no MFA device.",
                ctx.account_id
            ))
            .evidence(cell("mfa_active", false));
        out.push(f);
    }
}

pub struct RootHardwareMfa;

impl TypedCheck for RootHardwareMfa {
    type Params = NoParams;
    const NAME: &'static str = "root-hardware-mfa";
    const NEEDS: &'static [Part] = &[Part::CredentialReport, Part::VirtualMfaDevices];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let Some(row) = root_row(ctx, out) else {
            return;
        };
        // Without MFA there is nothing to call virtual; root-mfa-disabled says so.
        if !row.mfa_active {
            return;
        }
        let root_arn = ctx.root_arn();
        let devices = ctx.snapshot.virtual_mfa_devices.as_deref().unwrap_or(&[]);
        // Only a device assigned to root counts: an unassigned
        // `root-account-mfa-device` is a leftover from an abandoned enrolment.
        let Some(dev) = devices
            .iter()
            .find(|d| d.user_arn.as_deref() == Some(root_arn.as_str()))
        else {
            return;
        };
        let f = root_finding(ctx, out)
            .message(format!(
                "The root user of account {} uses a virtual MFA device ({}), not a hardware one.",
                ctx.account_id, dev.serial_number
            ))
            .evidence(Evidence {
                detail: Some(format!(
                    "ListVirtualMFADevices: {} assigned to {}",
                    dev.serial_number, root_arn
                )),
                ..Evidence::default()
            });
        out.push(f);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentUseParams {
    /// Use within this many days counts as recent.
    pub days: u32,
}

pub struct RootRecentUse;

/// The longest window `root-recent-use` accepts.
const MAX_DAYS: u32 = 36_525;

impl TypedCheck for RootRecentUse {
    type Params = RecentUseParams;
    const NAME: &'static str = "root-recent-use";
    const NEEDS: &'static [Part] = &[Part::CredentialReport];

    /// A window longer than the calendar can hold (`days = 4400000`) made
    /// the date arithmetic panic; a century is far beyond any real policy.
    fn check_params(&self, params: &RecentUseParams) -> Result<(), String> {
        match params.days {
            1..=MAX_DAYS => Ok(()),
            d => Err(format!(
                "days = {d}: expected 1 to {MAX_DAYS} (a hundred years)"
            )),
        }
    }

    fn account(&self, ctx: &Context<'_>, params: &RecentUseParams, out: &mut Output<'_>) {
        let Some(row) = root_row(ctx, out) else {
            return;
        };
        let generated = ctx
            .snapshot
            .credential_report
            .as_ref()
            .and_then(|r| r.generated_at)
            .and_then(crate::snapshot::ReportDate::time);
        // `N/A` and `no_information` mean never used: only real dates count.
        let Some(last) = row.last_used() else { return };
        // A use after the report was generated cannot have happened: an
        // edited file or a broken clock. Neither "recent" nor "not recent"
        // would be a true answer.
        if let Some(generated) = generated
            && last > generated
        {
            out.not_evaluated(
                Some(root_resource(ctx)),
                format!(
                    "the root user's last use in the credential report, {}, is after the report's \
                     generation time {}; expected dates at or before it (an edited report or a wrong clock)",
                    render_time(last),
                    render_time(generated),
                ),
            );
            return;
        }
        // The report gives only the latest use. One after the evaluation
        // time (a report newer than --as-of, or a date in the future) hides
        // whether there was another inside the window: unknown, not a pass.
        if last > ctx.as_of {
            let why = match generated {
                // The evaluation time came from --as-of: name both times.
                Some(g) => format!(
                    "the credential report was generated at {}, after the evaluation time {} (--as-of), \
                     and the root user's last use in it, {}, is after the evaluation time too",
                    render_time(g),
                    render_time(ctx.as_of),
                    render_time(last)
                ),
                // The evaluation time may be the clock: not printed, so the
                // report stays a function of its input.
                None => format!(
                    "the root user's last use in the credential report, {}, is after the evaluation time",
                    render_time(last)
                ),
            };
            out.not_evaluated(
                Some(root_resource(ctx)),
                format!(
                    "{why}; whether root was used in the {} days before it is unknown",
                    params.days
                ),
            );
            return;
        }
        // Checked at load to fit; saturating all the same, never a panic.
        let since = ctx
            .as_of
            .checked_sub(Duration::days(i64::from(params.days)))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        if last < since {
            return;
        }
        let which: Vec<String> = [
            ("password_last_used", row.password_last_used),
            (
                "access_key_1_last_used_date",
                row.access_key_1_last_used_date,
            ),
            (
                "access_key_2_last_used_date",
                row.access_key_2_last_used_date,
            ),
        ]
        .into_iter()
        .filter(|(_, d)| d.time() == Some(last))
        .map(|(n, _)| n.to_owned())
        .collect();
        let f = root_finding(ctx, out)
            .message(format!(
                "The root user of account {} was used on {} ({}), within the last {} days.",
                ctx.account_id,
                crate::snapshot::ReportDate::At(last).render(),
                which.join(", "),
                params.days
            ))
            .evidence_all([
                cell("password_last_used", row.password_last_used.render()),
                cell(
                    "access_key_1_last_used_date",
                    row.access_key_1_last_used_date.render(),
                ),
                cell(
                    "access_key_2_last_used_date",
                    row.access_key_2_last_used_date.render(),
                ),
            ]);
        out.push(f);
    }
}

pub struct RootUsedForAudit;

impl TypedCheck for RootUsedForAudit {
    type Params = NoParams;
    const NAME: &'static str = "root-used-for-audit";
    const NEEDS: &'static [Part] = &[Part::CallerIdentity];

    fn account(&self, ctx: &Context<'_>, _: &NoParams, out: &mut Output<'_>) {
        let Some(caller) = &ctx.snapshot.caller_identity else {
            return;
        };
        if !caller.is_root() {
            return;
        }
        let f = root_finding(ctx, out)
            .message(format!(
                "wmaudit ran with the root user's credentials of account {} ({}).",
                ctx.account_id, caller.arn
            ))
            .evidence(Evidence {
                detail: Some(format!("sts:GetCallerIdentity returned {}", caller.arn)),
                ..Evidence::default()
            });
        out.push(f);
    }
}
