//! Offline import of the AWS CLI's files and the snapshot file format.
//!
//! Fixtures in tests/fixtures/cli/ are hand-written in the shapes the AWS CLI
//! (and the IAM API, for URL-encoded documents) really produce.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wmaudit_core::snapshot::{
    self, CredentialReport, ImportPaths, InputError, Part, Place, ReportDate, SNAPSHOT_FORMAT,
    Snapshot, SourceKind, from_files, parse_auth_details, parse_credential_report, parse_csv,
    read_snapshot, to_json_string, write_snapshot,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(crate::REPO).join("tests/fixtures/cli").join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    match std::fs::read(fixture(name)) {
        Ok(b) => b,
        Err(e) => panic!("fixture {name}: {e}"),
    }
}

fn all_fixtures() -> ImportPaths {
    ImportPaths {
        auth_details: Some(fixture("auth-details.json")),
        credential_report: Some(fixture("credential-report.csv")),
        account_summary: Some(fixture("account-summary.json")),
        caller_identity: Some(fixture("caller-identity.json")),
        virtual_mfa_devices: Some(fixture("virtual-mfa-devices.json")),
        password_policy: Some(fixture("password-policy.json")),
        account_aliases: Some(fixture("account-aliases.json")),
    }
}

fn ok<T>(r: Result<T, InputError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// The error, as the user sees it.
fn err<T: std::fmt::Debug>(r: Result<T, InputError>) -> (InputError, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            let msg = e.to_string();
            (e, msg)
        }
    }
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: ok(tempfile::tempdir().map_err(|error| InputError::Write {
                file: "tempdir".into(),
                error,
            })),
        }
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            panic!("writing {}: {e}", path.display());
        }
        path
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

// ---------------------------------------------------------------- happy paths

#[test]
fn imports_every_cli_file() {
    let snap = ok(from_files(&all_fixtures()));
    let m = &snap.metadata;
    assert_eq!(m.format, SNAPSHOT_FORMAT);
    assert_eq!(m.source, SourceKind::Files);
    assert_eq!(m.tool_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(m.collected_at, None);
    assert_eq!(m.account_id.as_deref(), Some("123456789012"));
    assert_eq!(
        m.caller_arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/auditor")
    );
    assert!(m.api_calls.is_empty());

    // Every part can come from a file (#15 defect 1: three could not, so an
    // offline import could never pass the gate); all were given.
    assert!(m.not_collected.is_empty(), "{:?}", m.not_collected);
    for part in Part::ALL {
        assert!(snap.has(part), "{part:?}");
    }
    let devices = snap.virtual_mfa_devices.as_ref().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(
        devices[0].user_arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/people/dana")
    );
    assert_eq!(devices[1].user_arn, None);
    assert_eq!(
        snap.account_aliases.as_deref(),
        Some(&["example-mail".to_owned()][..])
    );
    assert!(matches!(&snap.password_policy, Some(Some(p)) if p["MinimumPasswordLength"] == 14));

    let acct = snap
        .account
        .as_ref()
        .unwrap_or_else(|| panic!("no account"));
    let users: Vec<&str> = acct.users.iter().map(|u| u.name.as_str()).collect();
    // Sorted by ARN: user/ci-deploy < user/mail-admin < user/people/dana.
    assert_eq!(users, ["ci-deploy", "mail-admin", "dana"]);
    let admin = &acct.users[1];
    assert_eq!(admin.id, "AIDAEXAMPLEMAILADMIN1");
    assert_eq!(admin.path, "/");
    assert_eq!(
        admin.create_date.as_deref(),
        Some("2023-02-14T09:12:44+00:00")
    );
    assert_eq!(admin.groups, ["auditors", "mail-operators"]);
    assert_eq!(admin.inline_policies.len(), 1);
    assert_eq!(admin.inline_policies[0].name, "workmail-read-mailbox");
    assert!(admin.inline_policies[0].document.is_object());
    assert_eq!(admin.attached_policies[0].name, "AmazonWorkMailFullAccess");
    assert_eq!(
        admin.permissions_boundary.as_deref(),
        Some("arn:aws:iam::123456789012:policy/mail-boundary")
    );
    assert_eq!(admin.tags[0].key, "team");
    assert_eq!(admin.tags[0].value, "messaging");
    assert_eq!(acct.users[2].path, "/people/");

    let groups: Vec<&str> = acct.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, ["auditors", "mail-operators"]);
    assert_eq!(acct.groups[1].inline_policies[0].name, "workmail-operate");

    let roles: Vec<&str> = acct.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(roles, ["break-glass", "WorkMailEventsRole"]);
    let events = &acct.roles[1];
    assert_eq!(events.path, "/service-role/");
    assert_eq!(
        events.last_used.as_deref(),
        Some("2024-04-29T07:15:00+00:00")
    );
    assert!(
        events
            .assume_role_policy
            .as_ref()
            .is_some_and(Value::is_object)
    );
    assert!(events.permissions_boundary.is_some());
    // `RoleLastUsed: {}` means never used.
    assert_eq!(acct.roles[0].last_used, None);
    assert_eq!(acct.roles[0].tags[0].value, "emergency");

    let policies: Vec<&str> = acct.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        policies,
        [
            "mail-boundary",
            "mail-deploy",
            "AmazonWorkMailReadOnlyAccess"
        ]
    );
    let deploy = &acct.policies[1];
    assert_eq!(deploy.default_version_id.as_deref(), Some("v2"));
    assert_eq!(deploy.attachment_count, Some(1));
    assert_eq!(deploy.permissions_boundary_usage_count, Some(0));
    assert_eq!(
        deploy.update_date.as_deref(),
        Some("2023-06-01T10:00:00+00:00")
    );
    // The default version's document (v2), not v1.
    assert_eq!(
        deploy
            .document
            .as_ref()
            .and_then(|d| d.pointer("/Statement/0/Action/0")),
        Some(&json!("workmail:CreateUser"))
    );
    assert!(acct.policies[2].is_aws_managed());

    let summary = snap
        .account_summary
        .as_ref()
        .unwrap_or_else(|| panic!("no summary"));
    assert_eq!(summary.get("Users"), Some(&3));
    assert_eq!(summary.get("AccountMFAEnabled"), Some(&1));
    assert_eq!(summary.len(), 33);

    let caller = snap
        .caller_identity
        .as_ref()
        .unwrap_or_else(|| panic!("no caller"));
    assert_eq!(caller.account, "123456789012");
    assert_eq!(caller.user_id, "AIDAEXAMPLEAUDITOR01");
    assert!(!caller.is_root());
}

#[test]
fn credential_report_csv_cells() {
    let report = ok(parse_csv(
        &fixture_bytes("credential-report.csv"),
        None,
        "report.csv",
    ));
    assert_eq!(report.generated_at, None);
    let users: Vec<&str> = report.rows.iter().map(|r| r.user.as_str()).collect();
    // Root first, then by name.
    assert_eq!(users, ["<root_account>", "ci-deploy", "dana", "mail-admin"]);

    let root = report.root().unwrap_or_else(|| panic!("no root row"));
    assert_eq!(root.password_enabled, None);
    assert!(root.has_console_password());
    assert_eq!(root.password_last_changed, ReportDate::NotSupported);
    assert!(root.mfa_active);
    assert_eq!(root.access_key_1_last_rotated, ReportDate::NotApplicable);

    let dana = report.user("dana").unwrap_or_else(|| panic!("no dana"));
    assert_eq!(dana.password_enabled, Some(true));
    assert_eq!(dana.password_last_used, ReportDate::NoInformation);

    // `Z` and `+00:00` styles are the same instant.
    let admin = report
        .user("mail-admin")
        .unwrap_or_else(|| panic!("no admin"));
    assert_eq!(
        admin.password_last_used,
        ReportDate::parse("2024-05-01T08:00:00+00:00").unwrap_or_else(|e| panic!("{e}"))
    );
    assert!(admin.access_key_1_active);

    let ci = report.user("ci-deploy").unwrap_or_else(|| panic!("no ci"));
    assert_eq!(ci.password_enabled, Some(false));
    assert!(ci.has_active_key());
    assert!(ci.cert_1_active);
    assert!(!ci.cert_2_active);
    assert!(ci.access_key_2_last_used_date.time().is_some());
}

#[test]
fn credential_report_json_from_get_credential_report() {
    let from_json = ok(parse_credential_report(
        &fixture_bytes("credential-report.json"),
        "report.json",
    ));
    let from_csv = ok(parse_credential_report(
        &fixture_bytes("credential-report.csv"),
        "report.csv",
    ));
    assert_eq!(from_json.rows, from_csv.rows);
    assert_eq!(
        from_json.generated_at.map(|d| d.render()).as_deref(),
        Some("2024-05-01T10:20:30Z")
    );
    assert_eq!(from_csv.generated_at, None);
}

#[test]
fn csv_with_bom_and_crlf_parses_the_same() {
    let plain = fixture_bytes("credential-report.csv");
    let text = String::from_utf8_lossy(&plain).replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    let a = ok(parse_csv(&plain, None, "a.csv"));
    let b = ok(parse_csv(&bytes, None, "b.csv"));
    assert_eq!(a, b);
    // And through the file-type sniffing path, which must not mistake it for JSON.
    assert_eq!(a, ok(parse_credential_report(&bytes, "b.csv")));
}

/// Reverses the column order and adds an unknown column: parsing is by name.
#[test]
fn csv_columns_reordered_and_extra_are_fine() {
    let plain = fixture_bytes("credential-report.csv");
    let text = String::from_utf8_lossy(&plain);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells.reverse();
        cells.push(if i == 0 {
            "some_future_column"
        } else {
            "whatever"
        });
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    assert_eq!(
        ok(parse_csv(&plain, None, "a.csv")),
        ok(parse_csv(out.as_bytes(), None, "b.csv"))
    );
}

#[test]
fn url_encoded_and_object_documents_are_both_kept_as_they_arrived() {
    let acct = ok(parse_auth_details(
        &fixture_bytes("auth-details-api.json"),
        "api.json",
    ));
    let inline = &acct.users[0].inline_policies[0].document;
    assert!(
        inline
            .as_str()
            .is_some_and(|s| s.starts_with("%7B%22Version%22")),
        "{inline}"
    );
    // moto's raw-JSON string trust policy stays a string too.
    assert!(
        acct.roles[0]
            .assume_role_policy
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with('{'))
    );
    // moto omits PolicyName/PolicyId in Policies[]: the name comes from the ARN.
    let p = &acct.policies[0];
    assert_eq!(p.name, "mail-deploy");
    assert_eq!(p.id, "");
    assert!(p.document.as_ref().is_some_and(Value::is_string));

    let cli = ok(parse_auth_details(
        &fixture_bytes("auth-details.json"),
        "cli.json",
    ));
    assert!(cli.users[0].inline_policies.is_empty());
    assert!(cli.users[1].inline_policies[0].document.is_object());
}

#[test]
fn round_trip_through_a_snapshot_file() {
    let scratch = Scratch::new();
    for report in ["credential-report.csv", "credential-report.json"] {
        let mut paths = all_fixtures();
        paths.credential_report = Some(fixture(report));
        let snap = ok(from_files(&paths));
        let path = scratch.dir.path().join("snap.json");
        ok(write_snapshot(&snap, &path));
        let back = ok(read_snapshot(&path));
        assert_eq!(snap, back, "{report}");
        let text = to_json_string(&snap);
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some(text.as_str())
        );
        assert!(text.ends_with("}\n"));
        assert!(text.starts_with("{\n  \"metadata\": {\n    \"format\": \"wmaudit-snapshot/1\""));
        // Writing what was read gives the same bytes.
        assert_eq!(to_json_string(&back), text);
    }

    // The URL-encoded variant and a snapshot with gaps round-trip as well.
    let paths = ImportPaths {
        auth_details: Some(fixture("auth-details-api.json")),
        ..ImportPaths::default()
    };
    let snap = ok(from_files(&paths));
    let path = scratch.write("api-snap.json", to_json_string(&snap));
    assert_eq!(snap, ok(read_snapshot(&path)));
}

#[test]
fn parts_not_given_become_gaps_that_say_how_to_give_them() {
    let snap = ok(from_files(&ImportPaths {
        credential_report: Some(fixture("credential-report.csv")),
        ..ImportPaths::default()
    }));
    assert!(snap.has(Part::CredentialReport));
    assert!(!snap.has(Part::AuthorizationDetails));
    assert_eq!(
        snap.gap_reason(Part::AuthorizationDetails),
        "not provided (use --auth-details FILE)"
    );
    assert_eq!(
        snap.gap_reason(Part::AccountSummary),
        "not provided (use --account-summary FILE)"
    );
    assert_eq!(
        snap.gap_reason(Part::CallerIdentity),
        "not provided (use --caller-identity FILE)"
    );
    assert_eq!(snap.metadata.not_collected.len(), 6);
    // The account id comes from the report's ARNs when nothing else says it.
    assert_eq!(snap.metadata.account_id.as_deref(), Some("123456789012"));
    assert_eq!(snap.metadata.caller_arn, None);
}

/// Reverses every entity list (and the lists inside entities) and the CSV rows:
/// the snapshot must come out byte for byte the same.
#[test]
fn shuffled_entity_order_gives_identical_snapshot_bytes() {
    fn reverse_lists(v: &mut Value, keys: &[&str]) {
        if let Value::Object(map) = v {
            for (k, child) in map.iter_mut() {
                if keys.contains(&k.as_str())
                    && let Value::Array(items) = child
                {
                    items.reverse();
                }
                reverse_lists(child, keys);
            }
        } else if let Value::Array(items) = v {
            for item in items {
                reverse_lists(item, keys);
            }
        }
    }

    let original: Value = match serde_json::from_slice(&fixture_bytes("auth-details.json")) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let mut shuffled = original.clone();
    reverse_lists(
        &mut shuffled,
        &[
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
            "GroupList",
            "UserPolicyList",
            "GroupPolicyList",
            "RolePolicyList",
            "AttachedManagedPolicies",
            "PolicyVersionList",
        ],
    );
    assert_ne!(original, shuffled);

    let csv = String::from_utf8_lossy(&fixture_bytes("credential-report.csv")).into_owned();
    let mut lines: Vec<&str> = csv.lines().collect();
    lines[1..].reverse();
    let shuffled_csv = lines.join("\n");

    let scratch = Scratch::new();
    let paths = ImportPaths {
        auth_details: Some(scratch.write("auth.json", shuffled.to_string())),
        credential_report: Some(scratch.write("report.csv", shuffled_csv)),
        ..all_fixtures()
    };
    let a = to_json_string(&ok(from_files(&all_fixtures())));
    let b = to_json_string(&ok(from_files(&paths)));
    assert_eq!(a, b);
}

#[test]
fn statement_level_nonsense_is_not_an_import_error() {
    let json = json!({
        "UserDetailList": [{
            "UserName": "odd",
            "Arn": "arn:aws:iam::123456789012:user/odd",
            "UserPolicyList": [
                {"PolicyName": "weird", "PolicyDocument": {"Version": "1999", "Statement": 5}},
                {"PolicyName": "not-json", "PolicyDocument": "%7Bnot%20json"}
            ]
        }]
    });
    let acct = ok(parse_auth_details(json.to_string().as_bytes(), "a.json"));
    assert_eq!(acct.users[0].inline_policies.len(), 2);
}

#[test]
fn several_pages_in_an_array_are_merged() {
    let page = |user: &str, more: bool| {
        json!({
            "UserDetailList": [{"UserName": user, "Arn": format!("arn:aws:iam::123456789012:user/{user}")}],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
            "IsTruncated": more, "Marker": "abc"
        })
    };
    let pages = json!([page("a", true), page("b", false)]);
    let acct = ok(parse_auth_details(
        pages.to_string().as_bytes(),
        "pages.json",
    ));
    assert_eq!(acct.users.len(), 2);

    // The same user on two pages is a duplicate, named by both positions.
    let pages = json!([page("a", true), page("a", false)]);
    let (_, msg) = err(parse_auth_details(
        pages.to_string().as_bytes(),
        "pages.json",
    ));
    assert!(
        msg.contains("at /0/UserDetailList/0 and again at /1/UserDetailList/0"),
        "{msg}"
    );

    // Pages simply written one after another (`cat p1.json p2.json`).
    let stream = format!("{}\n{}\n", page("a", true), page("b", false));
    let acct = ok(parse_auth_details(stream.as_bytes(), "cat.json"));
    assert_eq!(acct.users.len(), 2);
    let stream = format!("{}\n{}\n", page("a", true), json!({"UserDetailList": 5}));
    let (_, msg) = err(parse_auth_details(stream.as_bytes(), "cat.json"));
    assert_eq!(
        msg,
        "cat.json (JSON value 2): at /UserDetailList: expected an array of users, found number 5"
    );

    // A last page that says more follows is refused: users would be missing.
    let pages = json!([page("a", true), page("b", true)]);
    let (_, msg) = err(parse_auth_details(
        pages.to_string().as_bytes(),
        "pages.json",
    ));
    assert!(
        msg.starts_with("pages.json: at /1/IsTruncated: expected false on the last page"),
        "{msg}"
    );
}

// ----------------------------------------------------------------- bad inputs

#[test]
fn truncated_json_names_file_line_and_column() {
    let bytes = fixture_bytes("auth-details.json");
    let scratch = Scratch::new();
    let path = scratch.write("auth.json", &bytes[..bytes.len() / 2]);
    let (e, msg) = err(from_files(&ImportPaths {
        auth_details: Some(path.clone()),
        ..ImportPaths::default()
    }));
    assert!(
        matches!(&e, InputError::JsonSyntax { file, place: Place::LineColumn { line, column }, .. }
            if *file == display(&path) && *line > 1 && *column > 0),
        "{e:?}"
    );
    assert!(
        msg.starts_with(&format!("{}: line ", display(&path))),
        "{msg}"
    );
    assert!(msg.contains("invalid JSON: EOF while parsing"), "{msg}");
}

#[test]
fn wrong_type_for_a_list_names_the_pointer_and_expectation() {
    let (_, msg) = err(parse_auth_details(br#"{"UserDetailList": 5}"#, "auth.json"));
    assert_eq!(
        msg,
        "auth.json: at /UserDetailList: expected an array of users, found number 5"
    );

    let json = json!({"UserDetailList": [
        {"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"},
        {"Arn": "arn:aws:iam::123456789012:user/b"}
    ]});
    let (_, msg) = err(parse_auth_details(json.to_string().as_bytes(), "auth.json"));
    assert_eq!(
        msg,
        "auth.json: at /UserDetailList/1/UserName: expected key \"UserName\" (required), found no such key"
    );

    let json = json!({"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": 42}]}]});
    let (_, msg) = err(parse_auth_details(json.to_string().as_bytes(), "auth.json"));
    assert_eq!(
        msg,
        "auth.json: at /RoleDetailList/0/RolePolicyList/0/PolicyDocument: expected a policy document (a JSON object or a URL-encoded string), found number 42"
    );

    let json = json!({"Policies": [{"Arn": "arn:aws:iam::aws:policy/X", "AttachmentCount": "1"}]});
    let (_, msg) = err(parse_auth_details(json.to_string().as_bytes(), "auth.json"));
    assert_eq!(
        msg,
        "auth.json: at /Policies/0/AttachmentCount: expected a non-negative integer, found string \"1\""
    );
}

#[test]
fn the_wrong_file_is_refused_with_what_was_expected() {
    let (_, msg) = err(parse_auth_details(
        &fixture_bytes("caller-identity.json"),
        "caller.json",
    ));
    assert!(
        msg.starts_with("caller.json: at the top level: expected an object with UserDetailList"),
        "{msg}"
    );
    assert!(
        msg.contains("found an object with keys UserId, Account, Arn"),
        "{msg}"
    );

    let (_, msg) = err(parse_auth_details(b"", "empty.json"));
    assert!(
        msg.starts_with("empty.json: line 1, column 1: invalid JSON: EOF"),
        "{msg}"
    );

    let (_, msg) = err(snapshot::parse_account_summary(
        &fixture_bytes("caller-identity.json"),
        "caller.json",
    ));
    assert_eq!(
        msg,
        "caller.json: at /SummaryMap: expected key \"SummaryMap\" (required), found no such key"
    );
}

#[test]
fn duplicate_user_arns_name_both_positions() {
    let json = json!({"UserDetailList": [
        {"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"},
        {"UserName": "b", "Arn": "arn:aws:iam::123456789012:user/b"},
        {"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a"}
    ]});
    let (e, msg) = err(parse_auth_details(json.to_string().as_bytes(), "auth.json"));
    assert!(matches!(e, InputError::Duplicate { .. }));
    assert_eq!(
        msg,
        "auth.json: duplicate user \"arn:aws:iam::123456789012:user/a\": at /UserDetailList/0 and again at /UserDetailList/2 (expected each user once)"
    );
}

#[test]
fn csv_missing_column_is_named() {
    let text = String::from_utf8_lossy(&fixture_bytes("credential-report.csv"))
        .replace(",mfa_active,", ",mfa_status,");
    let (e, msg) = err(parse_csv(text.as_bytes(), None, "report.csv"));
    assert!(
        matches!(&e, InputError::MissingColumn { column, line: 1, .. } if column == "mfa_active"),
        "{e:?}"
    );
    assert!(
        msg.starts_with("report.csv: line 1: missing column `mfa_active` (expected an IAM credential report header with columns user,arn,"),
        "{msg}"
    );
}

#[test]
fn csv_bad_cells_name_line_and_column() {
    let text = String::from_utf8_lossy(&fixture_bytes("credential-report.csv")).into_owned();
    let bad_flag = text.replacen(
        "dana,arn:aws:iam::123456789012:user/people/dana,2024-01-03T16:00:05+00:00,true,no_information,2024-01-03T16:00:05+00:00,N/A,true",
        "dana,arn:aws:iam::123456789012:user/people/dana,2024-01-03T16:00:05+00:00,true,no_information,2024-01-03T16:00:05+00:00,N/A,yes",
        1,
    );
    let (_, msg) = err(parse_csv(bad_flag.as_bytes(), None, "report.csv"));
    assert_eq!(
        msg,
        "report.csv: line 4, column `mfa_active`: expected true or false, found \"yes\""
    );

    let bad_date = text.replacen("2024-01-03T16:00:05+00:00,true", "yesterday,true", 1);
    let (_, msg) = err(parse_csv(bad_date.as_bytes(), None, "report.csv"));
    assert_eq!(
        msg,
        "report.csv: line 4, column `user_creation_time`: expected an RFC 3339 timestamp, N/A, not_supported or no_information, found \"yesterday\""
    );

    let short_row = format!("{text}eve,arn:aws:iam::123456789012:user/eve,N/A\n");
    let (_, msg) = err(parse_csv(short_row.as_bytes(), None, "report.csv"));
    assert_eq!(
        msg,
        "report.csv: line 6: expected 22 fields, as many as the header, found 3 fields"
    );

    let (_, msg) = err(parse_csv(b"", None, "empty.csv"));
    assert!(
        msg.starts_with("empty.csv: line 1: expected an IAM credential report header"),
        "{msg}"
    );
}

#[test]
fn csv_duplicate_users_name_both_lines() {
    let text = String::from_utf8_lossy(&fixture_bytes("credential-report.csv")).into_owned();
    let dana = text
        .lines()
        .find(|l| l.starts_with("dana,"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no dana"));
    let doubled = format!("{text}{dana}\n");
    let (e, msg) = err(parse_csv(doubled.as_bytes(), None, "report.csv"));
    assert!(matches!(e, InputError::Duplicate { .. }));
    assert_eq!(
        msg,
        "report.csv: duplicate credential report row for user \"dana\": at line 4 and again at line 6 (expected each credential report row for user once)"
    );
}

#[test]
fn credential_report_json_errors_point_into_it() {
    let (_, msg) = err(parse_credential_report(
        br#"{"Content": "not base64!!", "ReportFormat": "text/csv"}"#,
        "report.json",
    ));
    assert!(
        msg.starts_with("report.json: at /Content: expected base64-encoded CSV"),
        "{msg}"
    );

    let (_, msg) = err(parse_credential_report(
        br#"{"Content": "", "ReportFormat": "text/xml"}"#,
        "report.json",
    ));
    assert_eq!(
        msg,
        "report.json: at /ReportFormat: expected \"text/csv\", found string \"text/xml\""
    );

    // A CSV problem inside the base64 content names the decoded content.
    let csv = "user,arn\nroot,x\n";
    let b64 = base64_encode(csv.as_bytes());
    let (_, msg) = err(parse_credential_report(
        json!({"Content": b64}).to_string().as_bytes(),
        "report.json",
    ));
    assert!(
        msg.starts_with(
            "report.json (base64-decoded /Content): line 1: missing column `user_creation_time`"
        ),
        "{msg}"
    );
}

/// Minimal standard base64, so the test does not depend on the crate's API.
fn base64_encode(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn files_from_different_accounts_are_refused() {
    let scratch = Scratch::new();
    let other = scratch.write(
        "caller.json",
        r#"{"UserId": "AIDAX", "Account": "210987654321", "Arn": "arn:aws:iam::210987654321:user/x"}"#,
    );
    let (_, msg) = err(from_files(&ImportPaths {
        caller_identity: Some(other.clone()),
        ..all_fixtures()
    }));
    let auth = display(&fixture("auth-details.json"));
    assert!(
        msg.starts_with(&format!(
            "{auth}: at the entry for arn:aws:iam::123456789012:"
        )),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "expected the same account as {} (210987654321",
            display(&other)
        )),
        "{msg}"
    );
    assert!(
        msg.ends_with(
            "found account 123456789012 (from \"arn:aws:iam::123456789012:user/auditor\")"
        ) || msg.contains("found account 123456789012 (from \"arn:aws:iam::123456789012:"),
        "{msg}"
    );
}

#[test]
fn unreadable_files_are_named() {
    let missing = fixture("no-such-file.json");
    let (e, msg) = err(from_files(&ImportPaths {
        account_summary: Some(missing.clone()),
        ..ImportPaths::default()
    }));
    assert!(matches!(e, InputError::Read { .. }));
    assert!(
        msg.starts_with(&format!("{}: cannot read: ", display(&missing))),
        "{msg}"
    );

    let (_, msg) = err(read_snapshot(&missing));
    assert!(
        msg.starts_with(&format!("{}: cannot read: ", display(&missing))),
        "{msg}"
    );
}

// ------------------------------------------------------------- snapshot files

fn sample_snapshot_json() -> Value {
    let snap = ok(from_files(&all_fixtures()));
    match serde_json::from_str(&to_json_string(&snap)) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn unknown_snapshot_version_is_refused_before_reading_the_rest() {
    let mut v = sample_snapshot_json();
    v["metadata"]["format"] = json!("wmaudit-snapshot/3");
    // A shape this version cannot read: must not be what the user is told about.
    v["account"] = json!({"principals": 5});
    v["something_new"] = json!(true);
    let scratch = Scratch::new();
    let path = scratch.write("future.json", v.to_string());
    let (e, msg) = err(read_snapshot(&path));
    assert!(
        matches!(&e, InputError::UnsupportedFormat { found, supported, .. }
            if found == "wmaudit-snapshot/3" && *supported == wmaudit_core::snapshot::SNAPSHOT_FORMATS),
        "{e:?}"
    );
    assert!(
        msg.starts_with(&format!(
            "{}: at /metadata/format: unsupported snapshot format \"wmaudit-snapshot/3\"",
            display(&path)
        )),
        "{msg}"
    );
    assert!(
        msg.contains("reads \"wmaudit-snapshot/1\" or \"wmaudit-snapshot/2\""),
        "{msg}"
    );
}

#[test]
fn snapshot_shape_errors_name_the_json_path() {
    let mut v = sample_snapshot_json();
    v["account"]["users"][1]["groups"] = json!("admins");
    let (_, msg) = err(snapshot::parse_snapshot(
        v.to_string().as_bytes(),
        "snap.json",
    ));
    assert_eq!(
        msg,
        "snap.json: at /account/users/1/groups: expected a sequence, found string \"admins\""
    );

    let mut v = sample_snapshot_json();
    v["metadata"]["not_collected"] = json!([{"part": "passwords", "reason": "x"}]);
    let (_, msg) = err(snapshot::parse_snapshot(
        v.to_string().as_bytes(),
        "snap.json",
    ));
    assert!(
        msg.starts_with(
            "snap.json: at /metadata/not_collected/0/part: expected one of `authorization_details`"
        ),
        "{msg}"
    );

    // A field this version does not know is refused, not silently dropped.
    let mut v = sample_snapshot_json();
    v["account"]["users"][0]["mailbox"] = json!("x");
    let (_, msg) = err(snapshot::parse_snapshot(
        v.to_string().as_bytes(),
        "snap.json",
    ));
    assert!(
        msg.starts_with("snap.json: at /account/users/0/mailbox: expected one of `name`, `arn`,"),
        "{msg}"
    );
    assert!(msg.ends_with("found unknown field `mailbox`"), "{msg}");

    let (_, msg) = err(snapshot::parse_snapshot(b"[1, 2]", "snap.json"));
    assert!(
        msg.starts_with("snap.json: at the top level: expected a wmaudit snapshot"),
        "{msg}"
    );

    let (_, msg) = err(snapshot::parse_snapshot(
        br#"{"UserDetailList": []}"#,
        "auth.json",
    ));
    assert!(
        msg.starts_with("auth.json: at /metadata: expected a wmaudit snapshot"),
        "{msg}"
    );

    let (_, msg) = err(snapshot::parse_snapshot(
        br#"{"metadata": {"format": "wmaudit-snapshot/1""#,
        "cut.json",
    ));
    assert!(msg.starts_with("cut.json: line 1, column "), "{msg}");
}

#[test]
fn snapshot_files_hold_no_credentials() {
    // Nothing secret is ever imported: the credential report has no key ids
    // or secrets, and GetAccountAuthorizationDetails none either.
    let text = to_json_string(&ok(from_files(&all_fixtures())));
    for word in [
        "SecretAccessKey",
        "AccessKeyId",
        "SessionToken",
        "AKIA",
        "ASIA",
    ] {
        assert!(!text.contains(word), "{word}");
    }
}

#[test]
fn a_snapshot_without_parts_still_reads_back() {
    let snap = Snapshot {
        credential_report: Some(CredentialReport {
            generated_at: Some(ReportDate::NotApplicable),
            rows: Vec::new(),
        }),
        ..ok(from_files(&ImportPaths::default()))
    };
    let text = to_json_string(&snap);
    assert_eq!(
        snap,
        ok(snapshot::parse_snapshot(text.as_bytes(), "s.json"))
    );
}

// ------------------------------------------------------------------ no panics

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    fn inputs() -> Vec<(&'static str, Vec<u8>)> {
        [
            "auth-details.json",
            "auth-details-api.json",
            "credential-report.csv",
            "credential-report.json",
            "account-summary.json",
            "caller-identity.json",
        ]
        .into_iter()
        .map(|n| (n, fixture_bytes(n)))
        .collect()
    }

    fn feed_everything(bytes: &[u8]) {
        // Each returns Ok or Err; a panic fails the test.
        let _ = parse_auth_details(bytes, "x");
        let _ = parse_credential_report(bytes, "x");
        let _ = parse_csv(bytes, None, "x");
        let _ = snapshot::parse_account_summary(bytes, "x");
        let _ = snapshot::parse_caller_identity(bytes, "x");
        let _ = snapshot::parse_snapshot(bytes, "x");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn truncated_or_corrupted_fixtures(which in 0usize..6, cut in 0.0f64..1.0, pos in 0.0f64..1.0, byte in any::<u8>()) {
            let inputs = inputs();
            let (_, bytes) = &inputs[which % inputs.len()];
            let end = (bytes.len() as f64 * cut) as usize;
            feed_everything(&bytes[..end]);
            let mut flipped = bytes.clone();
            let at = ((flipped.len() as f64 * pos) as usize).min(flipped.len().saturating_sub(1));
            if let Some(b) = flipped.get_mut(at) {
                *b = byte;
            }
            feed_everything(&flipped);
        }

        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            feed_everything(&bytes);
        }
    }
}

/// A snapshot is a file anyone can edit: it gets the validation imported
/// files get (before, each of these was accepted from `--snapshot`).
#[test]
fn snapshots_get_the_import_validation() {
    let good = from_files(&all_fixtures()).unwrap();
    let good: Value = serde_json::from_str(&to_json_string(&good)).unwrap();
    let refuse = |what: &str, edit: &dyn Fn(&mut Value), place: &str, says: &str| {
        let mut v = good.clone();
        edit(&mut v);
        let (_, msg) = err(snapshot::parse_snapshot(v.to_string().as_bytes(), "s.json"));
        assert!(msg.starts_with("s.json: "), "{what}: {msg}");
        assert!(msg.contains(place), "{what}: names {place}: {msg}");
        assert!(msg.contains(says), "{what}: says {says}: {msg}");
    };
    let rows = |v: &mut Value| -> Vec<Value> {
        v["credential_report"]["rows"].as_array().unwrap().clone()
    };
    refuse(
        "a clean <root_account> row before the real one",
        &|v| {
            let mut all = rows(v);
            let mut clean = all[0].clone();
            assert_eq!(clean["user"], json!("<root_account>"));
            clean["mfa_active"] = json!(true);
            clean["access_key_1_active"] = json!(false);
            all.insert(0, clean);
            v["credential_report"]["rows"] = json!(all);
        },
        "at /credential_report/rows/0 and again at /credential_report/rows/1",
        "duplicate credential report row for user \"<root_account>\"",
    );
    refuse(
        "a user's row twice",
        &|v| {
            let mut all = rows(v);
            all.push(all[1].clone());
            v["credential_report"]["rows"] = json!(all);
        },
        "and again at /credential_report/rows/",
        "duplicate credential report row",
    );
    refuse(
        "one ARN twice",
        &|v| {
            let users = v["account"]["users"].as_array_mut().unwrap();
            let mut twin = users[0].clone();
            twin["name"] = json!("someone-else");
            users.push(twin);
        },
        "at /account/users/0 and again at /account/users/",
        "duplicate user",
    );
    refuse(
        "a user of another account",
        &|v| {
            let users = v["account"]["users"].as_array_mut().unwrap();
            let mut other = users[0].clone();
            other["name"] = json!("visitor");
            other["arn"] = json!("arn:aws:iam::210987654321:user/visitor");
            users.push(other);
        },
        "/arn",
        "expected an ARN in account 123456789012",
    );
    refuse(
        "metadata.account_id matching no ARN",
        &|v| v["metadata"]["account_id"] = json!("999999999999"),
        "at /caller_identity/account",
        "expected the same account as /metadata/account_id (999999999999",
    );
    refuse(
        "a user row of another account",
        &|v| {
            let mut all = rows(v);
            all[1]["arn"] = json!("arn:aws:iam::210987654321:user/x");
            v["credential_report"]["rows"] = json!(all);
        },
        "/arn",
        "found account 210987654321",
    );
    // And the untouched snapshot reads back.
    assert!(snapshot::parse_snapshot(good.to_string().as_bytes(), "s.json").is_ok());
}

/// The three files added for #15 (device list, password policy, aliases):
/// bad input is an error naming the file, the place and what was expected.
#[test]
fn account_extras_refuse_bad_input_with_the_place() {
    use wmaudit_core::snapshot::import::{
        parse_account_aliases, parse_password_policy, parse_virtual_mfa_devices,
    };
    type Parse = fn(&[u8], &str) -> Result<(), InputError>;
    let cases: [(&str, Parse, &str); 9] = [
        (
            r#"{"VirtualMFADevices": [{"SerialNumber": "a"}], "IsTruncated": true}"#,
            |b, f| parse_virtual_mfa_devices(b, f).map(drop),
            "d.json: at /IsTruncated: expected false: the complete output",
        ),
        (
            r#"{"VirtualMFADevices": [{"SerialNumber": ""}]}"#,
            |b, f| parse_virtual_mfa_devices(b, f).map(drop),
            "d.json: at /VirtualMFADevices/0/SerialNumber: expected a non-empty string",
        ),
        (
            r#"{"VirtualMFADevices": [{"User": "alice", "SerialNumber": "a"}]}"#,
            |b, f| parse_virtual_mfa_devices(b, f).map(drop),
            "d.json: at /VirtualMFADevices/0/User: expected an object with Arn, found string \"alice\"",
        ),
        (
            r#"{"Devices": []}"#,
            |b, f| parse_virtual_mfa_devices(b, f).map(drop),
            "d.json: at /VirtualMFADevices: expected key \"VirtualMFADevices\" (required), found no such key",
        ),
        (
            r#"{"PasswordPolicy": 14}"#,
            |b, f| parse_password_policy(b, f).map(drop),
            "d.json: at /PasswordPolicy: expected an object, found number 14",
        ),
        (
            r#"{"PasswordPolicy": {"MinimumPasswordLength": 8, "MinimumPasswordLength": 14}}"#,
            |b, f| parse_password_policy(b, f).map(drop),
            "found key \"MinimumPasswordLength\" twice",
        ),
        (
            r#"{"AccountAliases": "prod"}"#,
            |b, f| parse_account_aliases(b, f).map(drop),
            "d.json: at /AccountAliases: expected an array of aliases, found string \"prod\"",
        ),
        (
            r#"{"AccountAliases": null}"#,
            |b, f| parse_account_aliases(b, f).map(drop),
            "d.json: at /AccountAliases: expected key \"AccountAliases\" (required), found null",
        ),
        (
            "[]",
            |b, f| parse_account_aliases(b, f).map(drop),
            "d.json: at the top level: expected the output of `aws iam list-account-aliases`",
        ),
    ];
    for (input, parse, says) in cases {
        let e = parse(input.as_bytes(), "d.json").unwrap_err().to_string();
        assert!(e.contains(says), "{input}: {e}");
    }
    // `{}` is "no password policy set", which the CLI reports as NoSuchEntity.
    assert_eq!(parse_password_policy(b"{}", "d.json").unwrap(), None);
}
