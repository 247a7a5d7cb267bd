//! WorkMail's own grants, collected from the replay of its API (moto has no
//! WorkMail): paging, skipped deleted entities, a denied operation, a
//! throttled one, a failing region, an account without WorkMail, and the
//! bound on calls in flight.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::mock_aws::{fast, opts, scan_snapshot};
use crate::replay_workmail::{Faults, Replay, clients_with, org, uid};
use wmaudit_aws::{self as collect, ALLOWED_OPERATIONS, CollectOptions};
use wmaudit_core::snapshot::{Part, SNAPSHOT_FORMAT_WORKMAIL, Snapshot};
use wmaudit_core::workmail::WORKMAIL_REGIONS;

async fn collect_from(replay: &Arc<Replay>, regions: &[&str], o: &CollectOptions) -> Snapshot {
    let clients = clients_with(replay, regions, &fast());
    collect::collect_with(&clients, o).await.expect("collects")
}

fn one_org(
    users: usize,
    groups: usize,
    resources: usize,
) -> BTreeMap<&'static str, Vec<crate::replay_workmail::Org>> {
    BTreeMap::from([(
        "us-east-1",
        vec![org(
            "m-00000000000000000000000000000001",
            users,
            groups,
            resources,
        )],
    )])
}

#[tokio::test]
async fn reads_every_page_and_grant_and_skips_what_is_deleted() {
    let replay = Replay::new(one_org(250, 5, 2), Faults::default());
    let snap = collect_from(&replay, &WORKMAIL_REGIONS, &opts()).await;
    assert_eq!(snap.metadata.format, SNAPSHOT_FORMAT_WORKMAIL);
    let wm = snap.workmail.as_ref().expect("a workmail section");
    assert_eq!(wm.regions.len(), 3);
    assert!(
        wm.regions.iter().all(|r| r.error.is_none()),
        "{:?}",
        wm.regions
    );
    // The deleted organization is skipped; one is left.
    assert_eq!(wm.organizations.len(), 1);
    let o = &wm.organizations[0];
    assert!(o.not_read.is_empty(), "{:?}", o.not_read);
    assert_eq!(
        o.arn.as_deref(),
        Some(
            "arn:aws:workmail:us-east-1:111122223333:organization/m-00000000000000000000000000000001"
        )
    );
    let users = o.users.as_ref().unwrap();
    assert_eq!(users.len(), 250, "three pages, the deleted user left out");
    assert!(users.iter().all(|u| u.permissions.is_some()));
    let u1 = users.iter().find(|u| u.id == uid(1)).unwrap();
    assert_eq!(u1.permissions.as_ref().unwrap().len(), 1);
    let groups = o.groups.as_ref().unwrap();
    assert!(
        groups
            .iter()
            .all(|g| g.members.as_ref().is_some_and(|m| m.len() == 10))
    );
    let roles = o.impersonation_roles.as_ref().unwrap();
    assert_eq!(roles.len(), 2);
    assert!(
        roles
            .iter()
            .all(|r| r.rules.as_ref().is_some_and(|x| x.len() == 1))
    );
    assert!(
        o.email_monitoring.as_ref().unwrap().role_arn.is_none(),
        "not configured"
    );
    assert_eq!(o.export_jobs.as_ref().unwrap()[0].state, "COMPLETED");

    let calls = &snap.metadata.api_calls;
    assert_eq!(calls["workmail:ListOrganizations"], 3, "one per region");
    assert_eq!(calls["workmail:ListUsers"], 3, "251 users at 100 a page");
    assert_eq!(calls["workmail:ListMailboxPermissions"], 250 + 5 + 2);
    assert_eq!(calls["workmail:ListGroupMembers"], 5);
    assert_eq!(calls["workmail:ListResourceDelegates"], 2);
    assert_eq!(calls["workmail:GetImpersonationRole"], 2);
    for op in calls.keys() {
        assert!(ALLOWED_OPERATIONS.contains(&op.as_str()), "{op}");
    }
    // The file round-trips, and the report answers per mailbox.
    let text = wmaudit_core::snapshot::to_json_string(&snap);
    let back = wmaudit_core::snapshot::parse_snapshot(text.as_bytes(), "s.json").unwrap();
    assert_eq!(back.workmail, snap.workmail);
    let report = scan_snapshot(&snap);
    let answer = report.workmail.as_ref().unwrap();
    let mb = answer.organizations[0]
        .mailboxes
        .iter()
        .find(|m| m.id == uid(1))
        .unwrap();
    let group = mb
        .access
        .iter()
        .find(|a| a.right == "full_access")
        .expect("user1's FULL_ACCESS grant");
    assert_eq!(
        (group.who_kind.as_str(), group.members),
        ("group", Some(10)),
        "a group grant, its size, not its members multiplied out: {mb:?}"
    );
    assert_eq!(mb.impersonated_by.len(), 2, "both roles target user1");
    assert!(
        report
            .coverage
            .not_evaluated
            .iter()
            .all(|n| !n.rule_id.starts_with("workmail-impersonation"))
    );
}

#[tokio::test]
async fn a_denied_operation_leaves_that_area_unknown_and_its_rules_not_evaluated() {
    let faults = Faults {
        denied: vec!["ListMailboxPermissions"],
        ..Faults::default()
    };
    let replay = Replay::new(one_org(20, 2, 1), faults);
    let snap = collect_from(&replay, &WORKMAIL_REGIONS, &opts()).await;
    let o = &snap.workmail.as_ref().unwrap().organizations[0];
    assert!(
        o.users
            .as_ref()
            .unwrap()
            .iter()
            .all(|u| u.permissions.is_none())
    );
    let denied: Vec<_> = o
        .not_read
        .iter()
        .filter(|n| n.area == "mailbox_permissions")
        .collect();
    assert_eq!(denied.len(), 20 + 2 + 1);
    assert!(
        denied[0]
            .reason
            .starts_with("workmail:ListMailboxPermissions: AccessDeniedException: User: "),
        "{}",
        denied[0].reason
    );
    // Other areas were read.
    assert!(o.impersonation_roles.is_some() && o.access_control_rules.is_some());
    let report = scan_snapshot(&snap);
    let ne: Vec<_> = report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| n.rule_id == "workmail-mailbox-full-access-broad")
        .collect();
    assert_eq!(ne.len(), 21, "every user mailbox and the room: {ne:?}");
    assert!(!report.coverage.is_complete());
    assert_eq!(
        report.gate.verdict.exit_code(),
        1,
        "findings at or above high gate first"
    );
}

#[tokio::test]
async fn listing_organizations_denied_everywhere_is_a_gap_and_iam_still_runs() {
    let faults = Faults {
        denied: vec!["ListOrganizations"],
        ..Faults::default()
    };
    let replay = Replay::new(one_org(3, 0, 0), faults);
    let snap = collect_from(&replay, &WORKMAIL_REGIONS, &opts()).await;
    assert!(snap.workmail.is_none());
    let gaps = &snap.metadata.not_collected;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].part, Part::WorkMail);
    assert!(
        gaps[0]
            .reason
            .contains("workmail:ListOrganizations: AccessDeniedException"),
        "{}",
        gaps[0].reason
    );
    assert!(snap.has(Part::AuthorizationDetails));
    let report = scan_snapshot(&snap);
    let ne = report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| n.rule_id == "workmail-impersonation-all-mailboxes")
        .count();
    assert_eq!(ne, 1);
    assert!(
        report
            .coverage
            .not_requested
            .iter()
            .all(|n| !n.rule_id.starts_with("workmail-impersonation"))
    );
}

#[tokio::test]
async fn a_throttled_operation_is_retried() {
    let faults = Faults {
        throttled: BTreeMap::from([("ListUsers", 2)]),
        ..Faults::default()
    };
    let replay = Replay::new(one_org(5, 1, 0), faults);
    let snap = collect_from(&replay, &["us-east-1"], &opts()).await;
    let o = &snap.workmail.as_ref().unwrap().organizations[0];
    assert_eq!(o.users.as_ref().unwrap().len(), 5);
    assert!(o.not_read.is_empty(), "{:?}", o.not_read);
    assert_eq!(
        snap.metadata.api_calls["workmail:ListUsers"], 3,
        "two throttled attempts, then the page"
    );
}

#[tokio::test]
async fn a_failing_region_is_recorded_and_its_scope_not_evaluated() {
    let faults = Faults {
        failing_region: Some("us-west-2"),
        ..Faults::default()
    };
    let replay = Replay::new(one_org(5, 1, 0), faults);
    let snap = collect_from(&replay, &WORKMAIL_REGIONS, &opts()).await;
    let wm = snap.workmail.as_ref().unwrap();
    let failed: Vec<_> = wm.failed_regions().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].region, "us-west-2");
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("workmail:ListOrganizations: "),
        "{failed:?}"
    );
    assert_eq!(wm.organizations.len(), 1, "us-east-1 was read");
    let report = scan_snapshot(&snap);
    let ne: Vec<_> = report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| {
            n.reason
                .starts_with("WorkMail in us-west-2 could not be read")
        })
        .map(|n| n.rule_id.as_str())
        .collect();
    assert_eq!(ne.len(), 7, "every WorkMail-side rule: {ne:?}");
    assert!(
        report
            .workmail
            .as_ref()
            .unwrap()
            .summary()
            .contains("us-west-2 could not be read")
    );
}

#[tokio::test]
async fn an_account_without_workmail_says_so_and_its_rules_pass_evaluated() {
    let replay = Replay::new(BTreeMap::new(), Faults::default());
    let snap = collect_from(&replay, &WORKMAIL_REGIONS, &opts()).await;
    let wm = snap.workmail.as_ref().unwrap();
    assert!(wm.organizations.is_empty());
    let report = scan_snapshot(&snap);
    assert_eq!(
        report.workmail.as_ref().unwrap().summary(),
        "no WorkMail organization in eu-west-1, us-east-1, us-west-2"
    );
    for id in [
        "workmail-impersonation-all-mailboxes",
        "workmail-access-rules-open",
        "workmail-mailbox-full-access-broad",
    ] {
        assert!(
            !report
                .coverage
                .not_evaluated
                .iter()
                .any(|n| n.rule_id == id),
            "{id}"
        );
        assert!(
            !report
                .coverage
                .not_requested
                .iter()
                .any(|n| n.rule_id == id),
            "{id}"
        );
        assert!(
            !report.findings.iter().any(|f| f.finding.rule_id == id),
            "{id}"
        );
    }
}

#[tokio::test]
async fn no_workmail_clients_means_not_requested() {
    let replay = Replay::new(one_org(3, 0, 0), Faults::default());
    let snap = collect_from(&replay, &[], &opts()).await;
    assert!(snap.workmail.is_none());
    assert_eq!(replay.calls.load(Ordering::SeqCst), 0);
    assert!(snap.metadata.not_collected.is_empty());
    assert_eq!(
        snap.metadata.format,
        wmaudit_core::snapshot::SNAPSHOT_FORMAT
    );
}

/// Calls in flight never exceed `--concurrency`, and are that many when
/// there is work for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_are_bounded_by_the_concurrency() {
    let faults = Faults {
        // Long enough that calls overlap even on a loaded machine.
        latency: Duration::from_millis(40),
        ..Faults::default()
    };
    let replay = Replay::new(one_org(60, 4, 2), faults);
    let o = CollectOptions {
        concurrency: 4,
        ..opts()
    };
    collect_from(&replay, &["us-east-1"], &o).await;
    let max = replay.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (2..=4).contains(&max),
        "at most --concurrency calls at once, and more than one: {max}"
    );
}

/// The benchmark of docs/benchmarks.md (scripts/bench --workmail): an
/// organization of 500 users, 50 groups and 20 resources behind 50 ms of
/// latency per call. Prints calls and wall time; not a timed test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by scripts/bench --workmail"]
async fn bench_workmail_latency() {
    for concurrency in [1usize, 8, 16, 32] {
        let faults = Faults {
            latency: Duration::from_millis(50),
            ..Faults::default()
        };
        let replay = Replay::new(one_org(500, 50, 20), faults);
        let o = CollectOptions {
            concurrency,
            ..opts()
        };
        let clients = clients_with(&replay, &["us-east-1"], &crate::mock_aws::fast());
        let started = Instant::now();
        let snap = collect::collect_with(&clients, &o).await.unwrap();
        let wall = started.elapsed().as_secs_f64();
        let calls: u64 = snap
            .metadata
            .api_calls
            .iter()
            .filter(|(k, _)| k.starts_with("workmail:"))
            .map(|(_, v)| v)
            .sum();
        let ideal = calls as f64 * 0.05 / concurrency as f64;
        println!(
            "workmail-latency concurrency={concurrency} calls={calls} wall_s={wall:.2} calls_x_latency_over_concurrency_s={ideal:.2} serial_s={:.2}",
            calls as f64 * 0.05
        );
    }
}

/// Every WorkMail operation on the allowlist, denied in turn, leaves exactly
/// its own area unknown (named, with the operation and AWS's message) and
/// everything else read; ListOrganizations denied is a gap for the part.
#[tokio::test]
async fn each_workmail_operation_denied_leaves_only_its_area_unknown() {
    let area = |op: &str| match op {
        "DescribeOrganization" => "organization",
        "ListUsers" => "users",
        "ListGroups" => "groups",
        "ListResources" => "resources",
        "ListMailboxPermissions" => "mailbox_permissions",
        "ListGroupMembers" => "group_members",
        "ListResourceDelegates" => "resource_delegates",
        "ListImpersonationRoles" => "impersonation_roles",
        "GetImpersonationRole" => "impersonation_role",
        "ListAccessControlRules" => "access_control_rules",
        "ListMobileDeviceAccessRules" => "mobile_device_access_rules",
        "DescribeEmailMonitoringConfiguration" => "email_monitoring",
        "ListMailboxExportJobs" => "export_jobs",
        "ListAvailabilityConfigurations" => "availability_configurations",
        "ListPersonalAccessTokens" => "personal_access_tokens",
        "DescribeIdentityProviderConfiguration" => "identity_provider",
        "ListMailDomains" => "mail_domains",
        other => panic!("no area for {other}: add it to the collector and here"),
    };
    let ops: Vec<&'static str> = ALLOWED_OPERATIONS
        .iter()
        .filter_map(|op| op.strip_prefix("workmail:"))
        .filter(|op| *op != "ListOrganizations")
        .collect();
    assert_eq!(ops.len(), 17);
    for op in ops {
        let faults = Faults {
            denied: vec![op],
            ..Faults::default()
        };
        let replay = Replay::new(one_org(4, 1, 1), faults);
        let snap = collect_from(&replay, &["us-east-1"], &opts()).await;
        assert!(snap.metadata.not_collected.is_empty(), "{op}");
        let o = &snap.workmail.as_ref().unwrap().organizations[0];
        let areas: std::collections::BTreeSet<&str> =
            o.not_read.iter().map(|n| n.area.as_str()).collect();
        assert_eq!(areas.into_iter().collect::<Vec<_>>(), [area(op)], "{op}");
        let n = &o.not_read[0];
        assert!(
            n.reason
                .starts_with(&format!("workmail:{op}: AccessDeniedException: User: ")),
            "{op}: {}",
            n.reason
        );
        assert!(
            snap.metadata.api_calls[&format!("workmail:{op}")] >= 1,
            "{op}"
        );
    }
}
