//! IAM's service last accessed data, opt-in (`--last-accessed`): one
//! GenerateServiceLastAccessedDetails job per principal that holds the
//! services' actions, polled with GetServiceLastAccessedDetails until done,
//! a bounded number at a time, all within one deadline.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType};
use aws_smithy_types::date_time::Format;
use tokio::time::Instant;

use super::gap::{gap, gap_text};
use super::{Clients, Progress};
use wmaudit_core::snapshot::{Gap, LastAccessed, Part};

const GENERATE: &str = "iam:GenerateServiceLastAccessedDetails";
const GET: &str = "iam:GetServiceLastAccessedDetails";

/// Default bound on waiting for every job.
pub const DEFAULT_LAST_ACCESSED_WAIT: Duration = Duration::from_secs(120);
/// Default number of jobs in flight.
pub const DEFAULT_LAST_ACCESSED_CONCURRENCY: usize = 8;

const FIRST_POLL: Duration = Duration::from_millis(500);
const MAX_POLL: Duration = Duration::from_secs(5);

/// How one principal's job ended.
enum Outcome {
    Done(LastAccessed),
    /// The call failed: the gap reason.
    Failed(Gap),
    /// Not finished by the deadline, or IAM reported the job failed.
    Unfinished(String),
}

/// The reports of `arns` (users and roles), keeping only `services`'
/// namespaces. A principal whose job fails or does not finish in `wait` is
/// left out (the rules report it as not evaluated); when none could be
/// read, the part is a gap with the first failure.
pub async fn service_last_accessed(
    clients: &Clients,
    arns: Vec<String>,
    services: &[String],
    wait: Duration,
    concurrency: usize,
    progress: &Progress,
) -> Result<BTreeMap<String, LastAccessed>, Gap> {
    let total = arns.len();
    let deadline = Instant::now() + wait;
    let queue = Arc::new(Mutex::new(arns.into_iter().collect::<VecDeque<_>>()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.clamp(1, total.max(1)) {
        let (clients, queue) = (clients.clone(), Arc::clone(&queue));
        let services = services.to_vec();
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front();
                let Some(arn) = next else { break };
                let outcome = one(&clients, &arn, &services, deadline).await;
                done.push((arn, outcome));
            }
            done
        });
    }
    let mut reports = BTreeMap::new();
    let mut failures = Vec::new();
    let mut unfinished = Vec::new();
    while let Some(joined) = workers.join_next().await {
        let Ok(done) = joined else {
            // A worker that panicked read nothing; its principals stay out.
            continue;
        };
        for (arn, outcome) in done {
            match outcome {
                Outcome::Done(r) => {
                    reports.insert(arn, r);
                }
                Outcome::Failed(g) => failures.push(g),
                Outcome::Unfinished(why) => unfinished.push(why),
            }
        }
        progress.say(format!(
            "service last accessed: {} of {total} principals read",
            reports.len()
        ));
    }
    if reports.is_empty() && total > 0 {
        return Err(failures.into_iter().next().unwrap_or_else(|| {
            gap_text(
                Part::ServiceLastAccessed,
                format!(
                    "none of {total} jobs finished within {:.0} s ({})",
                    wait.as_secs_f64(),
                    unfinished
                        .first()
                        .map_or("no reason recorded", String::as_str)
                ),
            )
        }));
    }
    if unfinished.len() + failures.len() > 0 {
        progress.say(format!(
            "service last accessed: {} principals could not be read (their rules are not evaluated)",
            unfinished.len() + failures.len()
        ));
    }
    Ok(reports)
}

async fn one(clients: &Clients, arn: &str, services: &[String], deadline: Instant) -> Outcome {
    let part = Part::ServiceLastAccessed;
    let job = match clients
        .iam()
        .generate_service_last_accessed_details()
        .arn(arn)
        .granularity(AccessAdvisorUsageGranularityType::ServiceLevel)
        .send()
        .await
    {
        Ok(out) => match out.job_id() {
            Some(id) => id.to_owned(),
            None => return Outcome::Failed(gap_text(part, format!("{GENERATE}: no JobId"))),
        },
        Err(e) => return Outcome::Failed(gap(part, GENERATE, &e)),
    };
    let mut pause = FIRST_POLL;
    loop {
        let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut marker: Option<String> = None;
        let mut completed_at = None;
        let status = loop {
            let out = match clients
                .iam()
                .get_service_last_accessed_details()
                .job_id(&job)
                .set_marker(marker.take())
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => return Outcome::Failed(gap(part, GET, &e)),
            };
            let status = out.job_status().clone();
            if status != JobStatusType::Completed {
                break status;
            }
            completed_at = out.job_completion_date().fmt(Format::DateTime).ok();
            for s in out.services_last_accessed() {
                let ns = s.service_namespace();
                if services.iter().any(|x| x == ns) {
                    let last = s
                        .last_authenticated()
                        .and_then(|d| d.fmt(Format::DateTime).ok());
                    found.insert(ns.to_owned(), last);
                }
            }
            match out.marker() {
                Some(m) if out.is_truncated() => marker = Some(m.to_owned()),
                _ => break status,
            }
        };
        match status {
            JobStatusType::Completed => {
                let Some(job_completed_at) = completed_at else {
                    return Outcome::Unfinished(format!("{GET}: no JobCompletionDate"));
                };
                // A service the principal never used is not always listed:
                // absent means never, as listed-without-a-date does.
                for svc in services {
                    found.entry(svc.clone()).or_insert(None);
                }
                return Outcome::Done(LastAccessed {
                    job_completed_at,
                    services: found,
                });
            }
            JobStatusType::Failed => {
                return Outcome::Unfinished(format!("{GET}: the job failed"));
            }
            _ => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Outcome::Unfinished(format!("{GET}: still in progress at the deadline"));
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(MAX_POLL);
    }
}
