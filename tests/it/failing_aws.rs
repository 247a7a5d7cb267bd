//! AWS failing in every way the collector must survive, carried through the
//! scan: where retries recover, the snapshot is complete and the gate decides
//! on findings alone (exit 0 or 1, never 3); where they cannot, the report
//! says exactly which part is missing and why, the gate exits 3, and it all
//! happens within a bounded time. (tests/collect_faults.rs checks the
//! collector's side of these faults in detail.)

use std::time::{Duration, Instant};

use crate::mock_aws::*;
use aws_sdk_iam::Client as Iam;
use aws_sdk_sts::Client as Sts;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use wmaudit_aws::{self as collect, ALLOWED_OPERATIONS, CollectError, CollectOptions, Tuning};
use wmaudit_core::findings::ScanReport;
use wmaudit_core::snapshot::{Part, Snapshot};

/// Every fault case must end well within this, retries and waits included.
const BOUND: Duration = Duration::from_secs(10);

/// Collects with the fault rules first (the first matching rule wins) and
/// the happy account behind them, then scans; returns both and the time.
async fn collect_and_scan(
    iam_faults: Vec<Rule>,
    sts_faults: Vec<Rule>,
) -> (Snapshot, ScanReport, Duration) {
    let t = Instant::now();
    let (snap, _) = collect_with_faults(iam_faults, sts_faults).await;
    let report = scan_snapshot(&snap);
    let took = t.elapsed();
    assert!(took < BOUND, "took {took:?}");
    (snap, report, took)
}

fn assert_complete(snap: &Snapshot, report: &ScanReport) {
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?}");
    }
    assert!(report.coverage.is_complete(), "{:?}", report.coverage);
    assert!(!report.gate.incomplete);
    assert!(
        matches!(report.gate.verdict.exit_code(), 0 | 1),
        "exit {}",
        report.gate.verdict.exit_code()
    );
}

/// The part is missing with exactly `reason`; every rule that needs it is
/// not evaluated with that reason; the gate exits 3 (with `--fail-on none`
/// semantics: the failing findings are counted separately).
fn assert_missing(report: &ScanReport, part: Part, reason: &str) {
    let gaps: Vec<_> = report
        .coverage
        .not_collected
        .iter()
        .filter(|g| g.part == part)
        .collect();
    assert_eq!(gaps.len(), 1, "{:?}", report.coverage.not_collected);
    assert_eq!(gaps[0].reason, reason);
    let naming: Vec<_> = report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| n.reason.contains(reason))
        .collect();
    assert!(
        !naming.is_empty(),
        "no rule says {reason:?}: {:?}",
        report.coverage.not_evaluated
    );
    assert!(report.gate.incomplete);
    // Findings take precedence over incompleteness (README): a scan that
    // also fails on findings exits 1. Otherwise 3.
    if report.gate.failing == 0 {
        assert_eq!(report.gate.verdict.exit_code(), 3);
    } else {
        assert_eq!(report.gate.verdict.exit_code(), 1);
    }
}

/// The gate with findings ignored (`--fail-on none`), to see coverage alone.
fn exit_without_findings(report: &ScanReport) -> i32 {
    if report.gate.incomplete && !report.gate.allow_incomplete {
        3
    } else {
        0
    }
}

#[tokio::test]
async fn the_happy_account_scans_complete() {
    let (snap, report, _) = collect_and_scan(vec![], vec![]).await;
    assert_complete(&snap, &report);
    assert_eq!(exit_without_findings(&report), 0);
}

// ---- throttling on half of all calls ----

/// A rule for every call the collector makes (each page of authorization
/// details, every other operation, STS), each answering first with `fault`
/// and then with the happy response: half of all calls fail.
fn every_other_call(fault: fn(usize) -> HttpResponse) -> (Vec<Rule>, Vec<Rule>) {
    let happy_iam = happy_iam_rules();
    let mut iam = Vec::new();
    let pages: [Page; 3] = [
        (None, page1),
        (Some("page-2-marker"), page2),
        (Some("page-3-marker"), page3),
    ];
    for (i, (marker, body)) in pages.into_iter().enumerate() {
        iam.push(
            mock!(Iam::get_account_authorization_details)
                .match_requests(move |r| r.marker() == marker)
                .sequence()
                .http_response(move || fault(i))
                .http_response(move || iam_ok(AUTH, &body()))
                .build(),
        );
    }
    iam.push(
        mock!(Iam::get_account_summary)
            .sequence()
            .http_response(move || fault(3))
            .http_response(|| {
                iam_ok(
                    "GetAccountSummary",
                    "<SummaryMap><entry><key>AccountMFAEnabled</key><value>1</value></entry></SummaryMap>",
                )
            })
            .build(),
    );
    iam.push(
        mock!(Iam::generate_credential_report)
            .sequence()
            .http_response(move || fault(4))
            .http_response(|| iam_ok("GenerateCredentialReport", "<State>COMPLETE</State>"))
            .build(),
    );
    iam.push(
        mock!(Iam::get_credential_report)
            .sequence()
            .http_response(move || fault(5))
            .http_response(|| iam_ok("GetCredentialReport", &report_xml()))
            .build(),
    );
    iam.push(
        mock!(Iam::get_account_password_policy)
            .sequence()
            .http_response(move || fault(6))
            .http_response(|| {
                error(
                    404,
                    "NoSuchEntity",
                    "The Password Policy with domain name 111122223333 cannot be found.",
                )
            })
            .build(),
    );
    iam.push(
        mock!(Iam::list_virtual_mfa_devices)
            .sequence()
            .http_response(move || fault(7))
            .http_response(|| {
                iam_ok(
                    "ListVirtualMFADevices",
                    "<IsTruncated>false</IsTruncated><VirtualMFADevices/>",
                )
            })
            .build(),
    );
    iam.push(
        mock!(Iam::list_account_aliases)
            .sequence()
            .http_response(move || fault(8))
            .http_response(|| {
                iam_ok(
                    "ListAccountAliases",
                    "<IsTruncated>false</IsTruncated><AccountAliases/>",
                )
            })
            .build(),
    );
    // Behind the faults, the happy rules answer anything further (there
    // should be nothing further: the call counts below check it).
    iam.extend(happy_iam);
    let sts = vec![
        mock!(Sts::get_caller_identity)
            .sequence()
            .http_response(move || fault(9))
            .http_response(|| {
                ok(
                    STS_NS,
                    "GetCallerIdentity",
                    &format!(
                        "<Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>AIDAEXAMPLEAUDITOR01</UserId><Account>{ACCT}</Account>"
                    ),
                )
            })
            .build(),
    ];
    (iam, sts)
}

fn assert_each_call_made_twice(snap: &Snapshot) {
    let calls = &snap.metadata.api_calls;
    for op in ALLOWED_OPERATIONS
        .iter()
        .filter(|op| **op != "sts:AssumeRole" && !opt_in_operation(op))
    {
        let want = if *op == "iam:GetAccountAuthorizationDetails" {
            6
        } else {
            2
        };
        assert_eq!(calls.get(*op), Some(&want), "{op}: {calls:?}");
    }
}

#[tokio::test]
async fn throttling_on_half_of_all_calls_is_recovered_by_retries() {
    let (iam, sts) = every_other_call(|_| throttled());
    let (snap, report, _) = collect_and_scan(iam, sts).await;
    assert_complete(&snap, &report);
    assert_each_call_made_twice(&snap);
    let account = snap.account.as_ref().unwrap();
    assert_eq!(account.users.len(), 2, "pages 1 to 3 all in");
    assert_eq!(account.groups.len(), 1);
    assert_eq!(account.policies.len(), 3);
    assert_eq!(exit_without_findings(&report), 0);
}

// ---- 5xx ----

fn server_error(i: usize) -> HttpResponse {
    if i.is_multiple_of(2) {
        error(
            500,
            "InternalFailure",
            "We encountered an internal error. Please try again.",
        )
    } else {
        error(
            503,
            "ServiceUnavailable",
            "Service is unavailable. Please try again.",
        )
    }
}

#[tokio::test]
async fn a_5xx_on_every_first_attempt_is_recovered_by_retries() {
    let (iam, sts) = every_other_call(server_error);
    let (snap, report, _) = collect_and_scan(iam, sts).await;
    assert_complete(&snap, &report);
    assert_each_call_made_twice(&snap);
}

#[tokio::test]
async fn a_5xx_that_persists_is_a_gap_after_every_retry() {
    // InternalFailure on the credential report, every attempt.
    let fault = mock!(Iam::get_credential_report).then_http_response(|| server_error(0));
    let (snap, report, _) = collect_and_scan(vec![fault], vec![]).await;
    let reason = "iam:GetCredentialReport: InternalFailure: We encountered an internal error. Please try again.";
    assert_missing(&report, Part::CredentialReport, reason);
    assert_eq!(
        snap.metadata.api_calls["iam:GetCredentialReport"],
        u64::from(fast().max_attempts),
        "retried up to the bound"
    );
    for rule in ["root-access-keys", "root-mfa-disabled", "root-recent-use"] {
        assert!(
            report
                .coverage
                .not_evaluated
                .iter()
                .any(|n| n.rule_id == rule && n.reason == reason),
            "{rule}: {:?}",
            report.coverage.not_evaluated
        );
    }

    // ServiceUnavailable on the first page of authorization details: every
    // rule about permissions is not evaluated.
    let fault = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker().is_none())
        .then_http_response(|| server_error(1));
    let (snap, report, _) = collect_and_scan(vec![fault], vec![]).await;
    let reason = "iam:GetAccountAuthorizationDetails: ServiceUnavailable: Service is unavailable. Please try again.";
    assert_missing(&report, Part::AuthorizationDetails, reason);
    assert!(snap.account.is_none());
    assert!(report.principals.is_empty());
    assert!(
        report
            .coverage
            .not_evaluated
            .iter()
            .any(|n| n.rule_id == "workmail-no-admin" && n.reason == reason),
        "{:?}",
        report.coverage.not_evaluated
    );
    assert_eq!(exit_without_findings(&report), 3);
}

// ---- connection timeouts ----

/// Small timeouts, so a hung call ends in a few seconds. Not smaller: the
/// calls that do answer must finish within them even while the rest of the
/// test binary keeps both cores busy (1 s was seen to starve them).
fn impatient() -> Tuning {
    Tuning {
        max_attempts: 2,
        attempt_timeout: Duration::from_secs(1),
        operation_timeout: Duration::from_millis(2500),
        ..fast()
    }
}

async fn collect_over_hanging(
    action: &'static str,
    marker: Option<&'static str>,
) -> (Snapshot, ScanReport) {
    let c = clients_over(
        &happy_iam_rules(),
        &happy_sts_rules(),
        &impatient(),
        hanging(action, marker),
    );
    let t = Instant::now();
    let snap = collect::collect_with(&c, &opts())
        .await
        .expect("a snapshot");
    let report = scan_snapshot(&snap);
    assert!(t.elapsed() < BOUND, "{:?}", t.elapsed());
    (snap, report)
}

#[tokio::test]
async fn a_connection_that_hangs_on_one_operation_is_a_timeout_gap() {
    let (snap, report) = collect_over_hanging("ListVirtualMFADevices", None).await;
    let gap = &snap.metadata.not_collected;
    assert_eq!(gap.len(), 1, "{gap:?}");
    assert_eq!(gap[0].part, Part::VirtualMfaDevices);
    assert!(
        gap[0]
            .reason
            .starts_with("iam:ListVirtualMFADevices: Timeout: "),
        "{}",
        gap[0].reason
    );
    assert_missing(&report, Part::VirtualMfaDevices, &gap[0].reason);
    assert!(
        report
            .coverage
            .not_evaluated
            .iter()
            .any(|n| n.rule_id == "root-hardware-mfa"),
        "{:?}",
        report.coverage.not_evaluated
    );
    assert_eq!(exit_without_findings(&report), 3);
}

#[tokio::test]
async fn a_connection_that_hangs_on_page_two_loses_the_whole_part() {
    let (snap, report) =
        collect_over_hanging("GetAccountAuthorizationDetails", Some("page-2-marker")).await;
    assert!(snap.account.is_none(), "no partial account");
    let gap = &snap.metadata.not_collected;
    assert_eq!(gap.len(), 1, "{gap:?}");
    assert!(
        gap[0]
            .reason
            .starts_with("iam:GetAccountAuthorizationDetails: Timeout: ")
            && gap[0].reason.ends_with("(page 2)"),
        "{}",
        gap[0].reason
    );
    assert_missing(&report, Part::AuthorizationDetails, &gap[0].reason);
}

// ---- AccessDenied on each operation in turn ----

/// Parts some shipped rule needs; the others are listed in coverage but,
/// as README says, do not gate (no check reads them).
const NEEDED: [Part; 4] = [
    Part::AuthorizationDetails,
    Part::CredentialReport,
    Part::CallerIdentity,
    Part::VirtualMfaDevices,
];

#[tokio::test]
async fn access_denied_on_each_operation_says_what_is_missing() {
    for op in ALLOWED_OPERATIONS
        .iter()
        .filter(|op| **op != "sts:AssumeRole" && !opt_in_operation(op))
    {
        let (part, rule, is_sts) = deny_rule(op);
        let (iam, sts) = if is_sts {
            (vec![], vec![rule])
        } else {
            (vec![rule], vec![])
        };
        let (_, report, _) = collect_and_scan(iam, sts).await;
        let reason = format!("{op}: AccessDenied: {}", denied_message(op));
        if NEEDED.contains(&part) {
            assert_missing(&report, part, &reason);
            assert_eq!(exit_without_findings(&report), 3, "{op}");
        } else {
            let gaps = &report.coverage.not_collected;
            assert_eq!(gaps.len(), 1, "{op}: {gaps:?}");
            assert_eq!(
                (gaps[0].part, gaps[0].reason.as_str()),
                (part, reason.as_str())
            );
            assert!(
                report.coverage.not_evaluated.is_empty(),
                "{op}: {:?}",
                report.coverage.not_evaluated
            );
            assert_eq!(exit_without_findings(&report), 0, "{op}");
        }
    }
}

// ---- the credential report stuck in progress ----

#[tokio::test]
async fn a_credential_report_stuck_in_progress_is_a_bounded_wait_then_exit_3() {
    let c = clients(
        &stuck_report_iam_rules(),
        &happy_sts_rules(),
        RuleMode::MatchAny,
        &fast(),
    );
    let o = CollectOptions {
        report_wait: Duration::from_millis(1500),
        ..opts()
    };
    let t = Instant::now();
    let snap = collect::collect_with(&c, &o).await.unwrap();
    let report = scan_snapshot(&snap);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let reason = &snap.metadata.not_collected[0].reason;
    assert!(
        reason.starts_with(
            "iam:GenerateCredentialReport: ReportNotComplete: still INPROGRESS after waiting 1.5 s"
        ),
        "{reason}"
    );
    assert_missing(&report, Part::CredentialReport, reason);
    assert_eq!(exit_without_findings(&report), 3);
}

// ---- a paginator failing on page 3 ----

#[tokio::test]
async fn an_error_on_page_three_loses_the_part_and_exits_3() {
    let mut rules = page_rules();
    rules[2] = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-3-marker"))
        .then_http_response(|| denied("iam:GetAccountAuthorizationDetails"));
    let (snap, report, _) = collect_and_scan(rules, vec![]).await;
    assert!(snap.account.is_none(), "pages 1 and 2 are not an account");
    let reason = format!(
        "iam:GetAccountAuthorizationDetails: AccessDenied: {} (page 3)",
        denied_message("iam:GetAccountAuthorizationDetails")
    );
    assert_missing(&report, Part::AuthorizationDetails, &reason);
    assert_eq!(exit_without_findings(&report), 3);
    // The other parts were still collected and their rules ran.
    assert!(snap.has(Part::CredentialReport));
    assert!(
        !report
            .coverage
            .not_evaluated
            .iter()
            .any(|n| n.rule_id == "root-access-keys"),
        "{:?}",
        report.coverage.not_evaluated
    );
}

// ---- everything failing ----

#[tokio::test]
async fn nothing_collected_is_an_error_not_an_empty_pass() {
    let iam: Vec<Rule> = ALLOWED_OPERATIONS
        .iter()
        .filter(|op| op.starts_with("iam:"))
        .map(|op| deny_rule(op).1)
        .collect();
    let sts = vec![deny_rule("sts:GetCallerIdentity").1];
    let c = clients(&iam, &sts, RuleMode::MatchAny, &fast());
    let t = Instant::now();
    let err = collect::collect_with(&c, &opts()).await.unwrap_err();
    assert!(t.elapsed() < BOUND);
    assert!(
        matches!(err, CollectError::NothingCollected { .. }),
        "{err}"
    );
}
