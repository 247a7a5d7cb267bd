//! Collection against canned responses (aws-smithy-mocks): paging, the
//! credential report, and every fault the collector must turn into a gap.
//! Responses are AWS's wire format (awsQuery XML, URL-encoded documents,
//! base64 report), so the SDK's own parsing is part of what is tested.

use std::time::{Duration, Instant};

use crate::mock_aws::*;
use aws_sdk_iam::Client as Iam;
use aws_sdk_iam::config::Region;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use wmaudit_aws::{
    self as collect, self, ALLOWED_OPERATIONS, Clients, CollectError, CollectOptions, Progress,
    Tuning,
};
use wmaudit_core::snapshot::Part;

// ---- tests ----

#[tokio::test]
async fn pages_authorization_details_in_order() {
    // Sequential: each request must match the next rule, or the mock panics.
    let c = clients(&page_rules(), &[], RuleMode::Sequential, &fast());
    let acct = collect::authorization_details(&c, &Progress::silent())
        .await
        .expect("complete account");
    assert_eq!(c.log().sent()["iam:GetAccountAuthorizationDetails"], 3);

    let names = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        acct.users
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["alice", "bob"]
    );
    assert_eq!(acct.groups.len(), 1);
    assert_eq!(acct.roles.len(), 1);

    let alice = &acct.users[0];
    assert_eq!(
        alice.permissions_boundary.as_deref(),
        Some("arn:aws:iam::111122223333:policy/mail-boundary")
    );
    assert_eq!(alice.groups, names(vec!["mail-admins"]));
    assert_eq!(alice.create_date.as_deref(), Some("2021-03-04T05:06:07Z"));
    assert_eq!(alice.tags.len(), 1);
    let doc = &alice.inline_policies[0].document;
    assert!(
        doc.as_str().is_some_and(|s| s.starts_with("%7B")),
        "kept URL-encoded: {doc}"
    );
    let parsed = wmaudit_core::eval::parse_raw(doc).unwrap();
    assert_eq!(
        parsed.statements[0].action.patterns(),
        ["workmail:ResetPassword"]
    );

    let bob = &acct.users[1];
    assert_eq!(bob.path, "/ops/");
    assert_eq!(bob.attached_policies[0].name, "mail-read");

    let role = &acct.roles[0];
    assert!(role.permissions_boundary.is_some());
    assert_eq!(role.last_used.as_deref(), Some("2024-05-01T10:20:30Z"));
    let trust = wmaudit_core::eval::parse_raw(role.assume_role_policy.as_ref().unwrap()).unwrap();
    assert_eq!(trust.statements[0].action.patterns(), ["sts:AssumeRole"]);

    // Customer managed policies kept, with the default version's document;
    // AWS managed only when used.
    let arns: Vec<&str> = acct.policies.iter().map(|p| p.arn.as_str()).collect();
    assert!(arns.contains(&WORKMAIL_FULL), "{arns:?}");
    assert!(!arns.contains(&UNUSED_AWS), "{arns:?}");
    assert_eq!(acct.policies.len(), 3);
    let read = acct
        .policies
        .iter()
        .find(|p| p.name == "mail-read")
        .unwrap();
    assert_eq!(read.default_version_id.as_deref(), Some("v2"));
    let doc = wmaudit_core::eval::parse_raw(read.document.as_ref().unwrap()).unwrap();
    assert_eq!(
        doc.statements[0].action.patterns(),
        ["workmail:Describe*", "workmail:List*"]
    );
    let boundary = acct
        .policies
        .iter()
        .find(|p| p.name == "mail-boundary")
        .unwrap();
    assert_eq!(boundary.permissions_boundary_usage_count, Some(2));
}

#[tokio::test]
async fn full_collection_with_root_report_row() {
    let (snap, c) = collect_with_faults(vec![], vec![]).await;
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?}");
    }
    assert_eq!(snap.metadata.account_id.as_deref(), Some(ACCT));
    assert_eq!(
        snap.metadata.caller_arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/auditor")
    );

    let report = snap.credential_report.as_ref().unwrap();
    let root = report.root().expect("the <root_account> row");
    assert!(root.mfa_active);
    assert_eq!(root.password_enabled, None);
    assert!(report.user("alice").unwrap().access_key_1_active);
    assert!(report.generated_at.is_some());

    let mfa = snap.virtual_mfa_devices.as_ref().unwrap();
    assert_eq!(mfa.len(), 1);
    assert!(
        mfa[0]
            .user_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(":root"))
    );
    assert_eq!(
        snap.password_policy,
        Some(None),
        "NoSuchEntity means none set"
    );
    assert_eq!(
        snap.account_aliases.as_deref(),
        Some(&["acme-mail".to_owned()][..])
    );
    assert_eq!(
        snap.account_summary.as_ref().unwrap()["AccountMFAEnabled"],
        1
    );

    let calls = &snap.metadata.api_calls;
    assert_eq!(calls["iam:GetAccountAuthorizationDetails"], 3);
    assert_eq!(calls.values().sum::<u64>(), 3 + 7, "{calls:?}");
    for op in calls.keys() {
        assert!(ALLOWED_OPERATIONS.contains(&op.as_str()), "{op}");
    }
    assert!(c.log().refused().is_empty());
    assert_no_secrets(&snap);
}

#[tokio::test]
async fn access_denied_on_each_operation_leaves_one_gap() {
    let ops = ALLOWED_OPERATIONS
        .iter()
        .filter(|op| **op != "sts:AssumeRole" && !opt_in_operation(op));
    for op in ops {
        let (part, rule, is_sts) = deny_rule(op);
        let (snap, _) = if is_sts {
            collect_with_faults(vec![], vec![rule]).await
        } else {
            collect_with_faults(vec![rule], vec![]).await
        };
        let gaps = &snap.metadata.not_collected;
        assert_eq!(gaps.len(), 1, "{op}: {gaps:?}");
        assert_eq!(gaps[0].part, part, "{op}");
        assert_eq!(
            gaps[0].reason,
            format!("{op}: AccessDenied: {}", denied_message(op)),
            "{op}"
        );
        assert!(!snap.has(part), "{op}");
        for other in Part::ALL.into_iter().filter(|p| *p != part) {
            assert!(snap.has(other), "{op}: {other:?} should still be collected");
        }
        // Not retried: one attempt.
        assert_eq!(snap.metadata.api_calls[*op], 1, "{op}");
        if part == Part::AuthorizationDetails {
            assert!(snap.account.is_none());
        }
        if part == Part::CallerIdentity {
            assert_eq!(snap.metadata.account_id, None);
        }
        assert_no_secrets(&snap);
    }
}

#[tokio::test]
async fn throttling_is_retried_and_counted() {
    let summary = mock!(Iam::get_account_summary)
        .sequence()
        .http_response(throttled)
        .times(2)
        .http_response(|| {
            iam_ok(
                "GetAccountSummary",
                "<SummaryMap><entry><key>Users</key><value>7</value></entry></SummaryMap>",
            )
        })
        .build();
    let page2_throttled = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-2-marker"))
        .sequence()
        .http_response(throttled)
        .http_response(|| iam_ok(AUTH, &page2()))
        .build();
    let (snap, _) = collect_with_faults(vec![summary, page2_throttled], vec![]).await;
    assert!(
        snap.metadata.not_collected.is_empty(),
        "{:?}",
        snap.metadata.not_collected
    );
    assert_eq!(snap.account_summary.as_ref().unwrap()["Users"], 7);
    assert_eq!(snap.metadata.api_calls["iam:GetAccountSummary"], 3);
    assert_eq!(
        snap.metadata.api_calls["iam:GetAccountAuthorizationDetails"],
        4
    );
    assert_eq!(
        snap.account.as_ref().unwrap().groups.len(),
        1,
        "page 2 is in"
    );
}

#[tokio::test]
async fn throttling_that_persists_becomes_a_gap() {
    let summary = mock!(Iam::get_account_summary).then_http_response(throttled);
    let (snap, _) = collect_with_faults(vec![summary], vec![]).await;
    let gaps = &snap.metadata.not_collected;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].part, Part::AccountSummary);
    assert_eq!(
        gaps[0].reason,
        "iam:GetAccountSummary: Throttling: Rate exceeded"
    );
    assert_eq!(
        snap.metadata.api_calls["iam:GetAccountSummary"], 3,
        "max attempts"
    );
}

#[tokio::test]
async fn stuck_credential_report_is_a_bounded_wait_then_a_gap() {
    let c = clients(
        &stuck_report_iam_rules(),
        &happy_sts_rules(),
        RuleMode::MatchAny,
        &fast(),
    );
    let o = CollectOptions {
        report_wait: Duration::from_millis(1200),
        ..opts()
    };
    let t = Instant::now();
    let snap = collect::collect_with(&c, &o).await.unwrap();
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1200), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let gaps = &snap.metadata.not_collected;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].part, Part::CredentialReport);
    assert!(
        gaps[0]
            .reason
            .starts_with("iam:GenerateCredentialReport: ReportNotComplete: still INPROGRESS"),
        "{}",
        gaps[0].reason
    );
    assert!(snap.credential_report.is_none());
    // Polled with backoff (0.5 s, 1 s, ...), not hammered; never fetched.
    let polls = snap.metadata.api_calls["iam:GenerateCredentialReport"];
    assert!((2..=4).contains(&polls), "{polls} polls");
    assert!(
        !snap
            .metadata
            .api_calls
            .contains_key("iam:GetCredentialReport")
    );
}

#[tokio::test]
async fn error_on_page_three_is_a_gap_for_the_whole_part() {
    let mut rules = page_rules();
    rules[2] = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-3-marker"))
        .then_http_response(|| error(500, "ServiceFailure", "Internal failure"));
    let c = clients(&rules, &[], RuleMode::Sequential, &fast());
    let gap = collect::authorization_details(&c, &Progress::silent())
        .await
        .expect_err("no partial account");
    assert_eq!(gap.part, Part::AuthorizationDetails);
    assert_eq!(
        gap.reason,
        "iam:GetAccountAuthorizationDetails: ServiceFailure: Internal failure (page 3)"
    );
    // Pages 1 and 2 once each, page 3 with every retry (5xx is transient).
    assert_eq!(c.log().sent()["iam:GetAccountAuthorizationDetails"], 2 + 3);

    // Through collect: a snapshot without an account, and the gap recorded.
    let mut rules: Vec<Rule> = page_rules();
    rules[2] = mock!(Iam::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-3-marker"))
        .then_http_response(|| denied("iam:GetAccountAuthorizationDetails"));
    let (snap, _) = collect_with_faults(rules, vec![]).await;
    assert!(snap.account.is_none());
    assert_eq!(snap.metadata.not_collected.len(), 1);
    assert!(snap.has(Part::CredentialReport));
}

#[tokio::test]
async fn truncated_page_without_marker_is_not_complete() {
    let rule = mock!(Iam::get_account_authorization_details).then_http_response(|| {
        iam_ok(
            AUTH,
            "<IsTruncated>true</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/>",
        )
    });
    let c = clients(&[rule], &[], RuleMode::Sequential, &fast());
    let gap = collect::authorization_details(&c, &Progress::silent())
        .await
        .unwrap_err();
    assert!(gap.reason.contains("IncompletePaging"), "{}", gap.reason);
}

/// A response that file import would refuse is refused by collection too:
/// both go through the one reader (before, live collection kept a user with
/// an empty ARN, and a second user of the same name silently).
#[tokio::test]
async fn invalid_response_is_a_gap_naming_page_and_place() {
    let cases = [
        (
            "<Path></Path><UserName>carol</UserName><Arn></Arn>",
            "iam:GetAccountAuthorizationDetails: InvalidResponse: \
             iam:GetAccountAuthorizationDetails response page 1: at /UserDetailList/0/Arn: \
             expected a non-empty string, found string \"\"",
        ),
        (
            "<UserName>carol</UserName>",
            "iam:GetAccountAuthorizationDetails: InvalidResponse: \
             iam:GetAccountAuthorizationDetails response page 1: at /UserDetailList/0/Arn: \
             expected key \"Arn\" (required), found no such key",
        ),
    ];
    for (user, expected) in cases {
        let body = format!(
            "<IsTruncated>false</IsTruncated><UserDetailList><member>{user}</member></UserDetailList>\
             <GroupDetailList/><RoleDetailList/><Policies/>"
        );
        let rule = mock!(Iam::get_account_authorization_details)
            .then_http_response(move || iam_ok(AUTH, &body));
        let c = clients(&[rule], &[], RuleMode::Sequential, &fast());
        let gap = collect::authorization_details(&c, &Progress::silent())
            .await
            .unwrap_err();
        assert_eq!(gap.reason, expected);
    }

    // Two users named alike on different pages: the places say which page.
    let user = |name: &str, path: &str| {
        format!(
            "<member><Path>{path}</Path><UserName>{name}</UserName>\
             <Arn>arn:aws:iam::{ACCT}:user{path}{name}</Arn></member>"
        )
    };
    let (first, second) = (user("dave", "/"), user("Dave", "/x/"));
    let rules = [
        mock!(Iam::get_account_authorization_details)
            .match_requests(|r| r.marker().is_none())
            .then_http_response(move || {
                iam_ok(
                    AUTH,
                    &format!(
                        "<IsTruncated>true</IsTruncated><Marker>m2</Marker>\
                         <UserDetailList>{first}</UserDetailList><GroupDetailList/><RoleDetailList/><Policies/>"
                    ),
                )
            }),
        mock!(Iam::get_account_authorization_details)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_http_response(move || {
                iam_ok(
                    AUTH,
                    &format!(
                        "<IsTruncated>false</IsTruncated>\
                         <UserDetailList>{second}</UserDetailList><GroupDetailList/><RoleDetailList/><Policies/>"
                    ),
                )
            }),
    ];
    let c = clients(&rules, &[], RuleMode::Sequential, &fast());
    let gap = collect::authorization_details(&c, &Progress::silent())
        .await
        .unwrap_err();
    assert_eq!(
        gap.reason,
        "iam:GetAccountAuthorizationDetails: InvalidResponse: \
         iam:GetAccountAuthorizationDetails response page 2: duplicate user name \"Dave\": \
         at /UserDetailList/0 of iam:GetAccountAuthorizationDetails response page 1 \
         and again at /UserDetailList/0 (expected each user name once)"
    );
}

#[tokio::test]
async fn error_messages_never_carry_secrets() {
    // A misbehaving endpoint that echoes the session token and secret back.
    let echo = mock!(Iam::get_account_summary).then_http_response(|| {
        error(
            403,
            "InvalidClientTokenId",
            &format!("The security token {TOKEN} (secret {SECRET}) is invalid"),
        )
    });
    let (snap, _) = collect_with_faults(vec![echo], vec![]).await;
    let reason = &snap.metadata.not_collected[0].reason;
    assert!(
        reason.starts_with(
            "iam:GetAccountSummary: InvalidClientTokenId: The security token [redacted]"
        ),
        "{reason}"
    );
    assert_no_secrets(&snap);
}

#[tokio::test]
async fn nothing_collected_is_an_error() {
    let iam: Vec<Rule> = [
        "iam:GetAccountAuthorizationDetails",
        "iam:GetAccountSummary",
        "iam:GenerateCredentialReport",
        "iam:GetAccountPasswordPolicy",
        "iam:ListVirtualMFADevices",
        "iam:ListAccountAliases",
    ]
    .into_iter()
    .map(|op| deny_rule(op).1)
    .collect();
    let sts = vec![deny_rule("sts:GetCallerIdentity").1];
    let c = clients(&iam, &sts, RuleMode::MatchAny, &fast());
    let err = collect::collect_with(&c, &opts()).await.unwrap_err();
    let CollectError::NothingCollected { gaps } = &err else {
        panic!("{err}")
    };
    assert_eq!(gaps.len(), Part::ALL.len());
    assert!(err.to_string().contains("AccessDenied"), "{err}");
}

/// A server that accepts connections and never answers: attempt and
/// operation timeouts end the scan quickly, every part a timeout.
#[tokio::test]
async fn hung_connection_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(64) {
            held.push(s); // keep it open, say nothing
        }
    });
    let tuning = Tuning {
        max_attempts: 2,
        attempt_timeout: Duration::from_millis(300),
        operation_timeout: Duration::from_secs(1),
        ..fast()
    };
    let iam = aws_sdk_iam::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .endpoint_url(&url);
    let sts = aws_sdk_sts::Config::builder()
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(creds())
        .endpoint_url(&url);
    let c = Clients::from_builders(iam, sts, &tuning);
    let t = Instant::now();
    let err = collect::collect_with(&c, &opts()).await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let CollectError::NothingCollected { gaps } = &err else {
        panic!("{err}")
    };
    assert!(
        gaps.iter().all(|g| g.reason.contains(": Timeout: ")),
        "{gaps:?}"
    );
    assert!(!err.to_string().contains(SECRET));
}
