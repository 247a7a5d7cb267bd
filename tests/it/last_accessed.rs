//! `--last-accessed` against canned IAM responses (moto does not implement
//! the service last accessed operations): one job per principal that holds
//! WorkMail actions, polled until done; failures are gaps, never passes.

use std::time::Duration;

use crate::mock_aws::*;
use aws_sdk_iam::Client as Iam;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use wmaudit_aws::{self as collect, CollectOptions};
use wmaudit_core::snapshot::{Part, Snapshot};

const GEN: &str = "GenerateServiceLastAccessedDetails";
const GET: &str = "GetServiceLastAccessedDetails";

/// Generate, answered for any principal.
fn generate() -> Rule {
    mock!(Iam::generate_service_last_accessed_details)
        .then_http_response(|| iam_ok(GEN, "<JobId>job-any</JobId>"))
}

fn scan_builtin(snap: &Snapshot) -> wmaudit_core::findings::ScanReport {
    let rules = wmaudit_core::rules::RuleSet::builtin().unwrap();
    let config = wmaudit_core::config::Config::default();
    wmaudit_core::scan::scan(snap, &wmaudit_core::scan::ScanOptions::new(&rules, &config))
}

fn completed(services: &str) -> String {
    format!(
        "<JobStatus>COMPLETED</JobStatus><JobType>SERVICE_LEVEL</JobType>\
         <JobCreationDate>2024-05-03T04:00:00Z</JobCreationDate>\
         <ServicesLastAccessed>{services}</ServicesLastAccessed>\
         <JobCompletionDate>2024-05-03T04:00:05Z</JobCompletionDate><IsTruncated>false</IsTruncated>"
    )
}

const IN_PROGRESS: &str = "<JobStatus>IN_PROGRESS</JobStatus><JobType>SERVICE_LEVEL</JobType>\
    <JobCreationDate>2024-05-03T04:00:00Z</JobCreationDate><ServicesLastAccessed/>\
    <JobCompletionDate>2024-05-03T04:00:00Z</JobCompletionDate>";

const WORKMAIL_USED: &str = "<member><ServiceName>Amazon WorkMail</ServiceName>\
    <ServiceNamespace>workmail</ServiceNamespace><LastAuthenticated>2024-01-10T09:08:07Z</LastAuthenticated>\
    <LastAuthenticatedEntity>arn:aws:iam::111122223333:user/alice</LastAuthenticatedEntity>\
    <LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member>\
    <member><ServiceName>Amazon S3</ServiceName><ServiceNamespace>s3</ServiceNamespace>\
    <LastAuthenticated>2024-05-01T00:00:00Z</LastAuthenticated><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities></member>";

const WORKMAIL_NEVER: &str = "<member><ServiceName>Amazon WorkMail</ServiceName>\
    <ServiceNamespace>workmail</ServiceNamespace><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities></member>";

fn last_accessed_opts(wait: Duration) -> CollectOptions {
    CollectOptions {
        last_accessed: true,
        last_accessed_wait: wait,
        concurrency: 2,
        ..opts()
    }
}

async fn collect_with(rules: Vec<Rule>, opts: &CollectOptions) -> (Snapshot, wmaudit_aws::Clients) {
    let iam: Vec<Rule> = rules.into_iter().chain(happy_iam_rules()).collect();
    let c = clients(&iam, &happy_sts_rules(), RuleMode::MatchAny, &fast());
    let snap = collect::collect_with(&c, opts).await.expect("a snapshot");
    (snap, c)
}

/// The principals the happy account's policies give WorkMail actions.
fn holders(snap: &Snapshot) -> Vec<String> {
    wmaudit_core::scan::principals_holding(
        snap.account.as_ref().unwrap(),
        wmaudit_core::rules::context::WORKMAIL_SERVICES,
    )
}

#[tokio::test]
async fn one_job_per_workmail_holder_polled_until_done() {
    // Alice's job is in progress once; service level, as the collector asks.
    let service_level = |r: &aws_sdk_iam::operation::generate_service_last_accessed_details::GenerateServiceLastAccessedDetailsInput| {
        r.granularity() == Some(&aws_sdk_iam::types::AccessAdvisorUsageGranularityType::ServiceLevel)
    };
    let rules = vec![
        mock!(Iam::generate_service_last_accessed_details)
            .match_requests(move |r| {
                service_level(r) && r.arn().is_some_and(|a| a.ends_with("/alice"))
            })
            .then_http_response(|| iam_ok(GEN, "<JobId>job-alice</JobId>")),
        mock!(Iam::generate_service_last_accessed_details)
            .match_requests(service_level)
            .then_http_response(|| iam_ok(GEN, "<JobId>job-other</JobId>")),
        mock!(Iam::get_service_last_accessed_details)
            .match_requests(|r| r.job_id() == Some("job-alice"))
            .sequence()
            .http_response(|| iam_ok(GET, IN_PROGRESS))
            .http_response(|| iam_ok(GET, &completed(WORKMAIL_USED)))
            .repeatedly()
            .build(),
        mock!(Iam::get_service_last_accessed_details)
            .match_requests(|r| r.job_id() == Some("job-other"))
            .then_http_response(|| iam_ok(GET, &completed(WORKMAIL_NEVER))),
    ];
    let (snap, c) = collect_with(rules, &last_accessed_opts(Duration::from_secs(20))).await;
    let holders = holders(&snap);
    assert!(holders.iter().any(|a| a.ends_with("/alice")), "{holders:?}");
    assert!(holders.len() >= 2, "{holders:?}");
    let sent = c.log().sent();
    assert_eq!(
        sent[&format!("iam:{GEN}")],
        holders.len() as u64,
        "one job per holder: {holders:?}"
    );
    assert_eq!(
        sent[&format!("iam:{GET}")],
        holders.len() as u64 + 1,
        "alice polled twice"
    );

    let data = snap.service_last_accessed.as_ref().expect("collected");
    assert_eq!(data.keys().cloned().collect::<Vec<_>>(), {
        let mut h = holders.clone();
        h.sort();
        h
    });
    let alice = data.iter().find(|(a, _)| a.ends_with("/alice")).unwrap().1;
    assert_eq!(alice.job_completed_at, "2024-05-03T04:00:05Z");
    assert_eq!(
        alice.services.get("workmail"),
        Some(&Some("2024-01-10T09:08:07Z".to_owned()))
    );
    assert_eq!(alice.services.get("workmailmessageflow"), Some(&None));
    assert!(
        !alice.services.contains_key("s3"),
        "only WorkMail's namespaces are kept"
    );
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );

    // The snapshot round-trips and the rule reads it.
    let text = wmaudit_core::snapshot::to_json_string(&snap);
    let back = wmaudit_core::snapshot::parse_snapshot(text.as_bytes(), "s.json").unwrap();
    assert_eq!(back.service_last_accessed, snap.service_last_accessed);
    let report = scan_builtin(&back);
    let unused: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.finding.rule_id == "workmail-permissions-unused")
        .collect();
    assert_eq!(
        unused.len(),
        holders.len(),
        "every holder unused for > 90 days"
    );
    // The mocked clients read no WorkMail: only its rules are not requested.
    assert!(
        report
            .coverage
            .not_requested
            .iter()
            .all(|n| n.reason.contains("workmail was not requested")),
        "{:?}",
        report.coverage.not_requested
    );
}

#[tokio::test]
async fn access_denied_is_a_gap_and_the_rule_is_not_evaluated() {
    let rules = vec![
        mock!(Iam::generate_service_last_accessed_details)
            .then_http_response(|| denied(&format!("iam:{GEN}"))),
    ];
    let (snap, _) = collect_with(rules, &last_accessed_opts(Duration::from_secs(5))).await;
    assert!(snap.service_last_accessed.is_none());
    let gap = snap
        .metadata
        .not_collected
        .iter()
        .find(|g| g.part == Part::ServiceLastAccessed)
        .expect("a recorded gap");
    assert!(gap.reason.contains("AccessDenied"), "{}", gap.reason);
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?} still collected");
    }
    let report = scan_builtin(&snap);
    assert!(
        report.coverage.not_evaluated.iter().any(
            |n| n.rule_id == "workmail-permissions-unused" && n.reason.contains("AccessDenied")
        ),
        "{:?}",
        report.coverage.not_evaluated
    );
    assert!(!report.coverage.is_complete());
}

#[tokio::test]
async fn a_job_that_never_finishes_leaves_its_principal_out() {
    let rules = vec![
        mock!(Iam::generate_service_last_accessed_details)
            .match_requests(|r| r.arn().is_some_and(|a| a.ends_with("/alice")))
            .then_http_response(|| iam_ok(GEN, "<JobId>job-alice</JobId>")),
        mock!(Iam::generate_service_last_accessed_details)
            .then_http_response(|| iam_ok(GEN, "<JobId>job-other</JobId>")),
        mock!(Iam::get_service_last_accessed_details)
            .match_requests(|r| r.job_id() == Some("job-alice"))
            .then_http_response(|| iam_ok(GET, IN_PROGRESS)),
        mock!(Iam::get_service_last_accessed_details)
            .then_http_response(|| iam_ok(GET, &completed(WORKMAIL_NEVER))),
    ];
    let started = std::time::Instant::now();
    let (snap, _) = collect_with(rules, &last_accessed_opts(Duration::from_secs(2))).await;
    assert!(started.elapsed() < Duration::from_secs(15), "bounded wait");
    let data = snap
        .service_last_accessed
        .as_ref()
        .expect("the others were read");
    assert!(!data.keys().any(|a| a.ends_with("/alice")), "{data:?}");
    let report = scan_builtin(&snap);
    assert!(
        report.coverage.not_evaluated.iter().any(|n| {
            n.rule_id == "workmail-permissions-unused"
                && n.resource.as_ref().is_some_and(|r| r.name == "alice")
        }),
        "alice is not evaluated, not passed: {:?}",
        report.coverage.not_evaluated
    );
}

#[tokio::test]
async fn without_the_flag_nothing_is_asked_and_the_rule_is_not_requested() {
    let (snap, c) = collect_with(vec![generate()], &opts()).await;
    let sent = c.log().sent();
    assert!(!sent.contains_key(&format!("iam:{GEN}")), "{sent:?}");
    assert!(snap.service_last_accessed.is_none());
    assert!(snap.metadata.not_collected.is_empty());
    let report = scan_builtin(&snap);
    assert!(report.coverage.is_complete(), "{:?}", report.coverage);
    let asked: Vec<_> = report
        .coverage
        .not_requested
        .iter()
        .filter(|n| n.reason.contains("service_last_accessed"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
}

/// Each of the two operations, denied, is a gap naming it (the default
/// collection's fault loops leave opt-in operations to this file).
#[tokio::test]
async fn each_operation_denied_is_a_gap_naming_it() {
    for op in wmaudit_aws::ALLOWED_OPERATIONS
        .iter()
        .filter(|op| op.contains("ServiceLastAccessed"))
    {
        let (part, rule, _) = deny_rule(op);
        assert_eq!(part, Part::ServiceLastAccessed);
        let (snap, _) = collect_with(vec![rule], &last_accessed_opts(Duration::from_secs(5))).await;
        let gaps = &snap.metadata.not_collected;
        assert_eq!(gaps.len(), 1, "{op}: {gaps:?}");
        assert_eq!(
            gaps[0].reason,
            format!("{op}: AccessDenied: {}", denied_message(op)),
            "{op}"
        );
        assert!(!snap.has(Part::ServiceLastAccessed));
    }
}
