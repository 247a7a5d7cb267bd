//! Mailboxes not exported before a service ends: from WorkMail's export
//! jobs (the last 7 days as AWS keeps them, plus the history a snapshot
//! carries forward with `collect --previous`). One finding per mailbox, so
//! each closes as its export completes.

use serde::Deserialize;

use crate::findings::{Evidence, ResourceKind, Severity};
use crate::rules::context::Context;
use crate::rules::output::Output;
use crate::rules::params::Day;
use crate::rules::registry::TypedCheck;
use crate::snapshot::Part;
use crate::workmail::{ExportState, export_states};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotExportedParams {
    /// The day the service ends.
    pub ends: Day,
    /// From this day on, the rule's own severity; before it, `severity_before`.
    pub urgent_from: Day,
    pub severity_before: Severity,
}

pub struct MailboxesNotExported;

impl TypedCheck for MailboxesNotExported {
    type Params = NotExportedParams;
    const NAME: &'static str = "mailboxes-not-exported";
    const NEEDS: &'static [Part] = &[Part::WorkMail];

    fn check_params(&self, p: &NotExportedParams) -> Result<(), String> {
        if p.urgent_from.0 > p.ends.0 {
            return Err("`urgent_from` must not be after `ends`".to_owned());
        }
        Ok(())
    }

    fn account(&self, ctx: &Context<'_>, params: &NotExportedParams, out: &mut Output<'_>) {
        let today = ctx.as_of.date();
        let ended = today >= params.ends.0;
        let urgent = today >= params.urgent_from.0;
        for o in ctx.mailbox_access() {
            let org = o.org;
            let Some(jobs) = &org.export_jobs else {
                let reason = org
                    .not_read
                    .iter()
                    .find(|n| n.area == "export_jobs")
                    .map_or("not read", |n| n.reason.as_str());
                out.not_evaluated(
                    None,
                    format!(
                        "export jobs of WorkMail organization {} ({}) could not be read: {reason}",
                        org.label(),
                        org.region
                    ),
                );
                continue;
            };
            let since = org.export_jobs_since.as_deref().map_or(String::new(), |s| {
                format!(" since {}", &s[..s.len().min(10)])
            });
            let states = export_states(jobs);
            for m in &o.mailboxes {
                let (state, last) = match states.get(m.id.as_str()) {
                    Some((s, j)) => (*s, Some(*j)),
                    None => (ExportState::Never, None),
                };
                let what = match state {
                    ExportState::Exported => continue,
                    ExportState::Never => format!("has no export job{since}"),
                    ExportState::Failed => {
                        "has export jobs, none completed (the last failed or was cancelled)"
                            .to_owned()
                    }
                    ExportState::Running => "has an export running, none completed yet".to_owned(),
                };
                let when = if ended {
                    format!("WorkMail ended on {}", params.ends.0)
                } else {
                    format!(
                        "WorkMail ends on {} ({} days left)",
                        params.ends.0,
                        (params.ends.0 - today).whole_days()
                    )
                };
                let mut f = out
                    .finding()
                    .resource(
                        ResourceKind::Mailbox,
                        m.label(),
                        &format!("{}/mailbox/{}", o.arn, m.id),
                    )
                    .message(format!(
                        "Mailbox {} of WorkMail organization {} {what}: {when}, and its mail \
                         is gone with it unless exported (contacts and tasks are never \
                         exported: move them separately).",
                        m.label(),
                        org.label()
                    ));
                if let Some(j) = last {
                    f = f.evidence(Evidence {
                        detail: Some(format!(
                            "last export job {}: {}{}",
                            j.job_id,
                            j.state,
                            j.start_time
                                .as_deref()
                                .map_or(String::new(), |t| format!(", started {t}"))
                        )),
                        ..Evidence::default()
                    });
                }
                if !urgent {
                    f = f.severity(params.severity_before);
                }
                out.push(f);
            }
        }
    }
}
