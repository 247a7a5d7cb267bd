//! The credential report: ask IAM to generate it, poll with backoff until it
//! is complete (bounded by `report_wait`), then fetch and parse it.

use std::time::Duration;

use aws_sdk_iam::types::ReportStateType;
use time::OffsetDateTime;
use tokio::time::Instant;

use super::gap::{gap, gap_text};
use super::{Clients, Progress};
use wmaudit_core::snapshot::credential_report::{CredentialReport, ReportDate, parse_csv};
use wmaudit_core::snapshot::{Gap, Part};

const GENERATE: &str = "iam:GenerateCredentialReport";
const GET: &str = "iam:GetCredentialReport";

/// First pause between polls; doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(500);
const MAX_POLL: Duration = Duration::from_secs(5);

/// Generates (or reuses, when IAM has a fresh one) and fetches the report.
pub async fn credential_report(
    clients: &Clients,
    wait: Duration,
    progress: &Progress,
) -> Result<CredentialReport, Gap> {
    let part = Part::CredentialReport;
    let deadline = Instant::now() + wait;
    let mut pause = FIRST_POLL;
    loop {
        let out = clients
            .iam()
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| gap(part, GENERATE, &e))?;
        let state = out.state().cloned();
        if state == Some(ReportStateType::Complete) {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            let state = state.as_ref().map_or("not reported", |s| s.as_str());
            return Err(gap_text(
                part,
                format!(
                    "{GENERATE}: ReportNotComplete: still {state} after waiting {:.1} s (the bound on waiting for the report)",
                    wait.as_secs_f64()
                ),
            ));
        }
        progress.say("waiting for the IAM credential report");
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(MAX_POLL);
    }

    let out = clients
        .iam()
        .get_credential_report()
        .send()
        .await
        .map_err(|e| gap(part, GET, &e))?;
    // The SDK has already base64-decoded Content.
    let Some(content) = out.content() else {
        return Err(gap_text(
            part,
            format!("{GET}: EmptyReport: the response had no content"),
        ));
    };
    let generated_at = out
        .generated_time()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok())
        .map(ReportDate::At);
    parse_csv(content.as_ref(), generated_at, GET)
        .map_err(|e| gap_text(part, format!("{GET}: InvalidReport: {e}")))
}
