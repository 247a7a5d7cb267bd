//! Hostile and broken input files, through the binary as a user runs it.
//!
//! Each case ends one of two ways, never a third:
//! - exit 2 and an error naming the file, the place in it (line and column,
//!   JSON pointer, CSV line and column) and what was expected there; or
//! - exit 3 and a JSON report whose `coverage` marks the affected checks or
//!   principals as not evaluated.
//!
//! Never a panic (exit 101) and never a silent pass. Every case starts from a
//! set of files that scans complete and clean (exit 0, `--fail-on none`, see
//! `the_baseline_is_complete`), so an exit 3 here is caused by the bad input.
//! Big inputs are generated here rather than committed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use base64::Engine as _;
use serde_json::{Value, json};

const ACCT: &str = "123456789012";
const MAIL_ADMIN: &str = "arn:aws:iam::123456789012:user/mail-admin";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cli")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(name)).unwrap()
}

fn csv() -> String {
    String::from_utf8(fixture_bytes("credential-report.csv")).unwrap()
}

/// A scratch directory holding the good fixtures and a config that turns off
/// the one rule the four main files cannot feed (root-hardware-mfa needs
/// `--virtual-mfa-devices`, which these cases do not give), so the good
/// files scan complete.
struct Case {
    dir: tempfile::TempDir,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// Exit 2 with an error that names the file, the place and what was expected.
    fn input_error(&self, file: &str, place: &str, expected: &str) {
        self.not_a_panic();
        assert_eq!(self.code, 2, "stderr: {}", self.stderr);
        assert!(self.stdout.is_empty(), "no report on an input error");
        let line = self.stderr.trim_end();
        assert!(line.starts_with("error: "), "{line}");
        assert!(line.contains(file), "names the file {file}: {line}");
        assert!(line.contains(place), "names the place {place}: {line}");
        assert!(line.contains(expected), "says {expected:?}: {line}");
    }

    /// Exit 3 and the JSON report.
    fn incomplete(&self) -> Value {
        self.not_a_panic();
        assert_eq!(self.code, 3, "stderr: {}", self.stderr);
        let report = self.report();
        assert_eq!(report["coverage"]["complete"], json!(false));
        assert_eq!(report["gate"]["incomplete"], json!(true));
        assert_eq!(report["gate"]["exit_code"], json!(3));
        report
    }

    /// Exit 0: complete, and no finding fails `--fail-on none`.
    fn complete(&self) -> Value {
        self.not_a_panic();
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        let report = self.report();
        assert_eq!(report["coverage"]["complete"], json!(true), "{report:#}");
        report
    }

    fn report(&self) -> Value {
        crate::only_account(&self.stdout)
    }

    fn not_a_panic(&self) {
        assert_ne!(self.code, 101, "panicked: {}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
    }
}

/// The problems listed for one principal in `coverage.incomplete_principals`.
fn problems_of(report: &Value, arn: &str) -> Vec<String> {
    report["coverage"]["incomplete_principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["arn"] == json!(arn))
        .flat_map(|p| p["problems"].as_array().unwrap().clone())
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

/// `(rule_id, resource arn, reason)` of each `coverage.not_evaluated` entry.
fn not_evaluated(report: &Value) -> Vec<(String, String, String)> {
    report["coverage"]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["rule_id"].as_str().unwrap_or_default().to_owned(),
                n["resource"]["arn"].as_str().unwrap_or_default().to_owned(),
                n["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn principal<'a>(report: &'a Value, arn: &str) -> &'a Value {
    report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["arn"] == json!(arn))
        .unwrap_or_else(|| panic!("no principal {arn}"))
}

impl Case {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wmaudit.toml"),
            "[rules.root-hardware-mfa]\nenabled = false\n",
        )
        .unwrap();
        let case = Case { dir };
        case.write("auth-details.json", fixture_bytes("auth-details.json"));
        case.write(
            "credential-report.csv",
            fixture_bytes("credential-report.csv"),
        );
        case.write(
            "account-summary.json",
            fixture_bytes("account-summary.json"),
        );
        case.write(
            "caller-identity.json",
            fixture_bytes("caller-identity.json"),
        );
        case
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
        self
    }

    fn write_json(&self, name: &str, v: &Value) -> &Self {
        self.write(name, serde_json::to_vec_pretty(v).unwrap())
    }

    /// `scan` over the four files (names relative to the case directory),
    /// JSON report on stdout, `--fail-on none` so that only coverage and
    /// input errors decide the exit code.
    fn scan_files(&self, auth: &str, report: &str) -> Out {
        self.run(&[
            "scan",
            "--auth-details",
            auth,
            "--credential-report",
            report,
            "--account-summary",
            "account-summary.json",
            "--caller-identity",
            "caller-identity.json",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
    }

    fn scan_auth(&self, auth: &str) -> Out {
        self.scan_files(auth, "credential-report.csv")
    }

    fn scan_report(&self, report: &str) -> Out {
        self.scan_files("auth-details.json", report)
    }

    fn run(&self, args: &[&str]) -> Out {
        let out = Command::cargo_bin("wmaudit")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("AWS_PROFILE")
            .env("NO_COLOR", "1")
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The auth-details fixture with `edit` applied.
fn auth_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = fixture_json("auth-details.json");
    edit(&mut v);
    v
}

/// The auth-details fixture with mail-admin's inline policy document replaced.
fn inline_doc(doc: Value) -> Value {
    auth_with(|v| v["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = doc)
}

/// mail-admin is incomplete because of its inline policy, and the rules that
/// look at principals say it was not evaluated.
fn assert_inline_policy_unreadable(report: &Value, pointer: &str, expected: &str) {
    let problems = problems_of(report, MAIL_ADMIN);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert!(
        p.starts_with("inline policy \"workmail-read-mailbox\" cannot be read: "),
        "{p}"
    );
    assert!(p.contains(pointer), "names {pointer}: {p}");
    assert!(p.contains(expected), "says {expected:?}: {p}");
    assert!(
        not_evaluated(report)
            .iter()
            .any(|(_, arn, reason)| arn == MAIL_ADMIN && reason.contains("workmail-read-mailbox")),
        "{:?}",
        not_evaluated(report)
    );
    assert_eq!(principal(report, MAIL_ADMIN)["complete"], json!(false));
}

// ------------------------------------------------------------------ baseline

#[test]
fn the_baseline_is_complete() {
    let case = Case::new();
    let report = case.scan_auth("auth-details.json").complete();
    assert!(not_evaluated(&report).is_empty());
    assert_eq!(report["coverage"]["incomplete_principals"], json!([]));
}

// ------------------------------------------------------------------ JSON syntax

#[test]
fn truncated_json_is_an_error_at_the_end() {
    let bytes = fixture_bytes("auth-details.json");
    let case = Case::new();
    case.write("cut.json", &bytes[..bytes.len() / 2]);
    let out = case.scan_auth("cut.json");
    out.input_error(
        "cut.json",
        ": line ",
        "invalid JSON: EOF while parsing a value (expected more JSON: the file ends early",
    );
    assert!(out.stderr.contains(", column "), "{}", out.stderr);

    // Cut inside the credential report's JSON too.
    let report = fixture_bytes("credential-report.json");
    case.write("cut-report.json", &report[..report.len() - 5]);
    case.scan_report("cut-report.json").input_error(
        "cut-report.json",
        ": line ",
        "EOF while parsing",
    );
}

#[test]
fn an_empty_file_is_an_error() {
    let case = Case::new();
    case.write("empty.json", "");
    case.scan_auth("empty.json")
        // Column 1, not serde_json's "column 0" (#15 defect 9).
        .input_error("empty.json", "line 1, column 1", "invalid JSON: EOF");
    case.write("empty.csv", "");
    case.scan_report("empty.csv").input_error(
        "empty.csv",
        "line 1",
        "expected an IAM credential report header line",
    );
    case.write("blank.csv", "\r\n\r\n");
    case.scan_report("blank.csv").input_error(
        "blank.csv",
        "line 1",
        "expected an IAM credential report",
    );
}

// ------------------------------------------------------------------ wrong types

#[test]
fn statement_as_a_number_makes_its_holder_not_evaluated() {
    let case = Case::new();
    case.write_json(
        "a.json",
        &inline_doc(json!({"Version": "2012-10-17", "Statement": 5})),
    );
    let report = case.scan_auth("a.json").incomplete();
    assert_inline_policy_unreadable(
        &report,
        "at /Statement:",
        "expected a statement object or an array of statements, found number 5",
    );
}

#[test]
fn statement_as_a_number_in_an_attached_managed_policy() {
    // mail-deploy is attached to ci-deploy: its default version is broken.
    let case = Case::new();
    let v = auth_with(|v| {
        let p = v["Policies"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["PolicyName"] == json!("mail-deploy"))
            .unwrap();
        for version in p["PolicyVersionList"].as_array_mut().unwrap() {
            version["Document"] = json!({"Version": "2012-10-17", "Statement": 42});
        }
    });
    case.write_json("a.json", &v);
    let report = case.scan_auth("a.json").incomplete();
    let problems = problems_of(&report, "arn:aws:iam::123456789012:user/ci-deploy");
    assert!(
        problems.iter().any(|p| p.contains("mail-deploy")
            && p.contains("/Statement")
            && p.contains("found number 42")),
        "{problems:?}"
    );
}

#[test]
fn action_as_an_object_makes_its_holder_not_evaluated() {
    let case = Case::new();
    let v = auth_with(|v| {
        v["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] =
            json!({"workmail": "*"});
    });
    case.write_json("a.json", &v);
    let report = case.scan_auth("a.json").incomplete();
    assert_inline_policy_unreadable(
        &report,
        "at /Statement/0/Action:",
        "expected a string or an array of strings, found an object",
    );
}

#[test]
fn wrong_types_in_the_file_itself_are_errors_with_a_pointer() {
    let case = Case::new();
    case.write_json("a.json", &auth_with(|v| v["UserDetailList"] = json!(5)));
    case.scan_auth("a.json").input_error(
        "a.json",
        "at /UserDetailList:",
        "expected an array of users, found number 5",
    );
    case.write_json(
        "b.json",
        &auth_with(|v| v["UserDetailList"][0]["GroupList"] = json!("mail-operators")),
    );
    case.scan_auth("b.json").input_error(
        "b.json",
        "at /UserDetailList/0/GroupList:",
        "expected an array of group names",
    );
    // A document that is neither an object nor a URL-encoded string.
    case.write_json("c.json", &inline_doc(json!([1, 2])));
    case.scan_auth("c.json").input_error(
        "c.json",
        "at /UserDetailList/0/UserPolicyList/0/PolicyDocument:",
        "expected a policy document (a JSON object or a URL-encoded string)",
    );
    case.write_json("d.json", &json!(["not", "pages"]));
    case.scan_auth("d.json").input_error(
        "d.json",
        "at /0:",
        "expected an object with UserDetailList",
    );
}

// ------------------------------------------------------------------ empty and null

#[test]
fn null_and_empty_required_fields_are_errors() {
    let case = Case::new();
    case.write_json(
        "a.json",
        &auth_with(|v| v["UserDetailList"][1]["UserName"] = Value::Null),
    );
    case.scan_auth("a.json").input_error(
        "a.json",
        "at /UserDetailList/1/UserName:",
        "expected key \"UserName\" (required), found null",
    );
    // IAM never has an empty name or ARN; one would import an entity that
    // no rule could match or report on.
    case.write_json(
        "b.json",
        &auth_with(|v| v["UserDetailList"][0]["UserName"] = json!("")),
    );
    case.scan_auth("b.json").input_error(
        "b.json",
        "at /UserDetailList/0/UserName:",
        "expected a non-empty string, found string \"\"",
    );
    case.write_json(
        "c.json",
        &auth_with(|v| v["RoleDetailList"][0]["Arn"] = json!("")),
    );
    case.scan_auth("c.json").input_error(
        "c.json",
        "at /RoleDetailList/0/Arn:",
        "expected a non-empty string",
    );
    case.write_json("d.json", &inline_doc(Value::Null));
    case.scan_auth("d.json").input_error(
        "d.json",
        "at /UserDetailList/0/UserPolicyList/0/PolicyDocument:",
        "expected key \"PolicyDocument\" (required), found null",
    );
    // An empty cell where the credential report needs a value.
    case.write(
        "r.csv",
        csv().replace("dana,arn:aws:iam::123456789012:user/people/dana", "dana,"),
    );
    case.scan_report("r.csv").input_error(
        "r.csv",
        "line 4, column `arn`",
        "expected a non-empty value",
    );
}

/// A key twice: serde_json and maps keep the last silently, so a Deny could
/// vanish or turn into an Allow. IAM refuses such a document; every input
/// here is refused with the key and its place (issue: duplicate keys).
#[test]
fn duplicate_keys_are_refused_in_every_input() {
    let case = Case::new();
    let auth = fixture_json("auth-details.json").to_string();
    // `UserDetailList` twice: the first list would vanish.
    let users = auth.find("\"UserDetailList\":").expect("fixture has users");
    case.write(
        "a.json",
        format!(
            "{}\"UserDetailList\": [], {}",
            &auth[..users],
            &auth[users..]
        ),
    );
    case.scan_auth("a.json").input_error(
        "a.json",
        "at the top level:",
        "found key \"UserDetailList\" twice",
    );
    // `"Effect":"Deny","Effect":"Allow"` in an inline policy given as an object.
    let doc = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "workmail:*", "Resource": "*"}]}"#;
    let with_doc = inline_doc(json!("@DOC@")).to_string();
    case.write("b.json", with_doc.replace("\"@DOC@\"", doc));
    case.scan_auth("b.json").input_error(
        "b.json",
        "at /UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0:",
        "found key \"Effect\" twice",
    );
    // The same document URL-encoded, as the API returns it: the holder is
    // not evaluated, with the reason, never judged on the last Effect.
    let encoded: String = doc
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    case.write_json("c.json", &inline_doc(json!(encoded)));
    let report = case.scan_auth("c.json").incomplete();
    assert_inline_policy_unreadable(&report, "line 1", "duplicate key \"Effect\"");
    // A credential report with `Content` twice, a caller identity with `Arn` twice.
    let cr = fixture_json("credential-report.json").to_string();
    case.write("r.json", cr.replacen('{', "{\"Content\": \"\",", 1));
    case.scan_report("r.json").input_error(
        "r.json",
        "at the top level:",
        "found key \"Content\" twice",
    );
    case.write(
        "caller-identity.json",
        r#"{"UserId": "AIDAEXAMPLEAUDITOR01", "Account": "123456789012",
            "Arn": "arn:aws:iam::123456789012:root", "Arn": "arn:aws:iam::123456789012:user/auditor"}"#,
    );
    case.scan_auth("auth-details.json").input_error(
        "caller-identity.json",
        "at the top level:",
        "found key \"Arn\" twice",
    );
}

/// IAM group and user names are unique per account, regardless of case and
/// path. Two groups named alike would make a member's `GroupList` (names)
/// resolve to whichever came last.
#[test]
fn two_groups_or_users_with_one_name_are_refused() {
    let case = Case::new();
    let auth = auth_with(|v| {
        let mut twin = v["GroupDetailList"][0].clone();
        let name = twin["GroupName"].as_str().unwrap().to_owned();
        twin["Path"] = json!("/x/");
        twin["Arn"] = json!(format!("arn:aws:iam::123456789012:group/x/{name}"));
        twin["GroupPolicyList"] = json!([]);
        twin["AttachedManagedPolicies"] = json!([]);
        v["GroupDetailList"].as_array_mut().unwrap().push(twin);
    });
    case.write_json("g.json", &auth);
    case.scan_auth("g.json").input_error(
        "g.json",
        "and again at /GroupDetailList/",
        "(expected each group name once)",
    );
    let auth = auth_with(|v| {
        let mut twin = v["UserDetailList"][0].clone();
        let name = twin["UserName"].as_str().unwrap().to_uppercase();
        twin["UserName"] = json!(name);
        twin["Arn"] = json!(format!("arn:aws:iam::123456789012:user/{name}"));
        v["UserDetailList"].as_array_mut().unwrap().push(twin);
    });
    case.write_json("u.json", &auth);
    case.scan_auth("u.json").input_error(
        "u.json",
        "duplicate user name",
        "(expected each user name once)",
    );
}

#[test]
fn null_lists_mean_empty_as_aws_writes_them() {
    // AWS omits or nulls empty lists interchangeably: not an error, and
    // the result is the same as an empty list.
    let case = Case::new();
    case.write_json(
        "null.json",
        &auth_with(|v| v["UserDetailList"][1]["GroupList"] = Value::Null),
    );
    case.write_json(
        "empty.json",
        &auth_with(|v| v["UserDetailList"][1]["GroupList"] = json!([])),
    );
    let a = case.scan_auth("null.json");
    let b = case.scan_auth("empty.json");
    a.complete();
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn empty_or_null_policy_documents_make_the_holder_not_evaluated() {
    for (doc, pointer, expected) in [
        (json!({}), "at /:", "expected an element Statement"),
        (
            json!({"Version": "2012-10-17", "Statement": null}),
            "at /Statement:",
            "found null",
        ),
        (json!(""), "not valid JSON", "EOF while parsing"),
    ] {
        let case = Case::new();
        case.write_json("a.json", &inline_doc(doc));
        let report = case.scan_auth("a.json").incomplete();
        assert_inline_policy_unreadable(&report, pointer, expected);
    }
}

// ------------------------------------------------------------------ size

/// mail-admin's inline policy, with a Deny on DeleteOrganization as its last
/// statement: if any part of a big document were dropped, the Deny would be.
fn with_final_deny(mut statements: Vec<Value>) -> Value {
    statements.push(json!({
        "Sid": "LastWord",
        "Effect": "Deny",
        "Action": "workmail:DeleteOrganization",
        "Resource": "*"
    }));
    inline_doc(json!({"Version": "2012-10-17", "Statement": statements}))
}

fn assert_final_deny_applies(report: &Value) {
    let admin = principal(report, MAIL_ADMIN);
    assert_eq!(admin["complete"], json!(true), "{admin}");
    assert_eq!(admin["denied"], json!(1), "{admin}");
    assert!(
        !admin["sensitive_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("workmail:DeleteOrganization")),
        "{admin}"
    );
}

#[test]
fn a_policy_of_several_megabytes_is_evaluated_in_bounded_time() {
    let resources: Vec<String> = (0..60_000)
        .map(|i| format!("arn:aws:s3:::mail-archive-{i:06}/{}", "x".repeat(60)))
        .collect();
    let v = with_final_deny(vec![json!({
        "Effect": "Allow",
        "Action": ["s3:GetObject", "workmail:ListUsers"],
        "Resource": resources
    })]);
    let text = serde_json::to_vec(&v).unwrap();
    assert!(text.len() > 5_000_000, "{} bytes", text.len());
    let case = Case::new();
    case.write("big.json", &text);
    let t = Instant::now();
    let report = case.scan_auth("big.json").complete();
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    assert_final_deny_applies(&report);
}

#[test]
fn a_policy_with_ten_thousand_statements_is_evaluated_in_bounded_time() {
    let statements: Vec<Value> = (0..9_999)
        .map(|i| {
            json!({
                "Sid": format!("S{i}"),
                "Effect": "Allow",
                "Action": ["workmail:ListUsers", format!("s3:GetObject{i}")],
                "Resource": format!("arn:aws:s3:::bucket-{i}/*")
            })
        })
        .collect();
    let v = with_final_deny(statements);
    assert_eq!(
        v["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .len(),
        10_000
    );
    let case = Case::new();
    case.write_json("many.json", &v);
    let t = Instant::now();
    let report = case.scan_auth("many.json").complete();
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    assert_final_deny_applies(&report);
}

// ------------------------------------------------------------------ nesting

fn nested_condition(depth: usize) -> Value {
    let mut c = json!({"aws:username": "x"});
    for i in 0..depth {
        c = json!({ format!("k{i}"): c });
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "workmail:ListUsers",
            "Resource": "*",
            "Condition": {"StringEquals": c}
        }]
    })
}

#[test]
fn a_deeply_nested_condition_makes_its_holder_not_evaluated() {
    // Conditions are operator -> key -> values; deeper is not IAM's grammar.
    let case = Case::new();
    case.write_json("a.json", &inline_doc(nested_condition(60)));
    let report = case.scan_auth("a.json").incomplete();
    assert_inline_policy_unreadable(
        &report,
        "at /Statement/0/Condition/StringEquals/k59:",
        "expected a string, number or boolean, found an object",
    );
}

#[test]
fn nesting_past_the_json_limit_is_an_error_with_line_and_column() {
    // Deeper than the parser's limit of 128: the file cannot be read at all
    // (no AWS document comes near it), so this is a file error, not a guess.
    let case = Case::new();
    case.write_json("a.json", &inline_doc(nested_condition(200)));
    let out = case.scan_auth("a.json");
    out.input_error(
        "a.json",
        ": line ",
        "recursion limit exceeded (expected at most 128 levels of nested arrays and objects)",
    );
    assert!(out.stderr.contains(", column "), "{}", out.stderr);
}

#[test]
fn a_deeply_nested_url_encoded_document_makes_its_holder_not_evaluated() {
    // The same depth inside a URL-encoded document (as the API sends it) is
    // the document's problem, not the file's.
    let depth = 5_000;
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"workmail:ListUsers","Resource":"*","Condition":{}"x"{}}}]}}"#,
        r#"{"StringEquals":"#.repeat(depth),
        "}".repeat(depth)
    );
    let encoded =
        percent_encoding::utf8_percent_encode(&doc, percent_encoding::NON_ALPHANUMERIC).to_string();
    let case = Case::new();
    case.write_json("a.json", &inline_doc(json!(encoded)));
    let report = case.scan_auth("a.json").incomplete();
    assert_inline_policy_unreadable(&report, "not valid JSON", "recursion limit exceeded");
}

// ------------------------------------------------------------------ encodings

#[test]
fn invalid_utf8_in_a_json_file_is_an_error_with_line_and_column() {
    let bytes = fixture_bytes("auth-details.json");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("workmail-read-mailbox"))
        .unwrap()
        + 1;
    let bad = text
        .replacen("workmail-read-mailbox", "workmail-\u{0}-mailbox", 1)
        .into_bytes();
    // Replace the placeholder with `\xC3\x28`, an invalid 2-byte sequence.
    let i = bad.iter().position(|b| *b == 0).unwrap();
    let mut bytes = bad[..i].to_vec();
    bytes.extend_from_slice(b"\xC3\x28");
    bytes.extend_from_slice(&bad[i + 1..]);
    let case = Case::new();
    case.write("a.json", &bytes);
    case.scan_auth("a.json").input_error(
        "a.json",
        &format!("line {line}, column "),
        "invalid unicode code point (expected UTF-8 text)",
    );
}

#[test]
fn invalid_utf8_in_the_credential_report_is_an_error_with_its_line() {
    let mut bytes = csv().into_bytes();
    let i = bytes.windows(4).position(|w| w == b"dana").unwrap();
    bytes[i + 1] = 0xC3;
    bytes[i + 2] = 0x28;
    let case = Case::new();
    case.write("r.csv", &bytes);
    case.scan_report("r.csv").input_error(
        "r.csv",
        "line 4",
        "expected UTF-8 text, found invalid UTF-8",
    );
}

#[test]
fn bad_percent_escapes_make_the_holder_not_evaluated() {
    for (encoded, expected) in [
        (
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%zz%7D",
            "invalid percent-escape \"%zz\": expected '%' followed by two hex digits",
        ),
        (
            // %C3%28 decodes to bytes that are not UTF-8.
            "%7B%22Sid%22%3A%22%C3%28%22%7D",
            "percent-decoded bytes are not valid UTF-8",
        ),
        ("%7B%22Statement%22%3A%5B%5D%7D%", "invalid percent-escape"),
    ] {
        let case = Case::new();
        case.write_json("a.json", &inline_doc(json!(encoded)));
        let report = case.scan_auth("a.json").incomplete();
        assert_inline_policy_unreadable(
            &report,
            "cannot decode the URL-encoded document at byte",
            expected,
        );
    }
}

#[test]
fn a_utf8_bom_changes_nothing() {
    let case = Case::new();
    let want = case.scan_auth("auth-details.json").complete();

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(fixture_bytes("auth-details.json"));
    case.write("bom.json", &bom);
    let mut bom_csv = b"\xEF\xBB\xBF".to_vec();
    bom_csv.extend(csv().into_bytes());
    case.write("bom.csv", &bom_csv);
    let got = case.scan_files("bom.json", "bom.csv").complete();
    assert_eq!(got, want);

    // The same for the other two files and the credential report's JSON form.
    for name in ["account-summary.json", "caller-identity.json"] {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend(fixture_bytes(name));
        case.write(name, &b);
    }
    let mut b = b"\xEF\xBB\xBF".to_vec();
    b.extend(fixture_bytes("credential-report.json"));
    case.write("bom-report.json", &b);
    case.scan_files("bom.json", "bom-report.json").complete();
}

#[test]
fn crlf_line_ends_change_nothing() {
    let case = Case::new();
    let want = case.scan_auth("auth-details.json").complete();
    let crlf = |s: String| s.replace("\r\n", "\n").replace('\n', "\r\n");
    case.write(
        "crlf.json",
        crlf(String::from_utf8(fixture_bytes("auth-details.json")).unwrap()),
    );
    case.write("crlf.csv", crlf(csv()));
    assert!(
        std::fs::read_to_string(case.dir.path().join("crlf.csv"))
            .unwrap()
            .contains("\r\n")
    );
    let got = case.scan_files("crlf.json", "crlf.csv").complete();
    assert_eq!(got, want);
}

// ------------------------------------------------------------------ CSV columns

/// The fixture CSV with its columns picked (by header name) in `order`.
fn csv_columns(order: &[&str]) -> String {
    let text = csv();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx: Vec<usize> = order
        .iter()
        .map(|name| header.iter().position(|h| h == name).unwrap())
        .collect();
    let pick = |line: &str| {
        let cells: Vec<&str> = line.split(',').collect();
        idx.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
    };
    let mut out = pick(text.lines().next().unwrap());
    out.push('\n');
    for l in lines.filter(|l| !l.is_empty()) {
        out.push_str(&pick(l));
        out.push('\n');
    }
    out
}

fn header() -> Vec<String> {
    csv()
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_missing_credential_report_column_is_named() {
    let h = header();
    let without: Vec<&str> = h
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "mfa_active")
        .collect();
    let case = Case::new();
    case.write("r.csv", csv_columns(&without));
    case.scan_report("r.csv").input_error(
        "r.csv",
        "line 1: missing column `mfa_active`",
        "expected an IAM credential report header with columns user,arn,",
    );
}

#[test]
fn reordered_and_extra_credential_report_columns_change_nothing() {
    let case = Case::new();
    let want = case.scan_auth("auth-details.json").complete();

    let h = header();
    let reversed: Vec<&str> = h.iter().rev().map(String::as_str).collect();
    case.write("reversed.csv", csv_columns(&reversed));
    assert_eq!(case.scan_report("reversed.csv").complete(), want);

    let extra: String = csv()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let cell = if i == 0 {
                "new_aws_column"
            } else {
                "some value"
            };
            format!("{cell},{l},{cell}2\n")
        })
        .collect::<String>()
        .replacen("new_aws_column2", "another_new_column", 1);
    case.write("extra.csv", extra);
    assert_eq!(case.scan_report("extra.csv").complete(), want);
}

#[test]
fn a_row_with_too_few_cells_is_named() {
    let case = Case::new();
    case.write(
        "r.csv",
        format!("{}bob,arn:aws:iam::{ACCT}:user/bob\n", csv()),
    );
    case.scan_report("r.csv").input_error(
        "r.csv",
        "line 6",
        "expected 22 fields, as many as the header, found 2 fields",
    );
}

// ------------------------------------------------------------------ duplicates

#[test]
fn duplicate_users_are_errors_naming_both_places() {
    let case = Case::new();
    let v = auth_with(|v| {
        let first = v["UserDetailList"][0].clone();
        v["UserDetailList"].as_array_mut().unwrap().push(first);
    });
    case.write_json("a.json", &v);
    case.scan_auth("a.json").input_error(
        "a.json",
        &format!(
            "duplicate user \"{MAIL_ADMIN}\": at /UserDetailList/0 and again at /UserDetailList/3"
        ),
        "expected each user once",
    );

    let text = csv();
    let mail_admin_row = text.lines().nth(2).unwrap();
    assert!(mail_admin_row.starts_with("mail-admin,"));
    case.write("r.csv", format!("{text}{mail_admin_row}\n"));
    case.scan_report("r.csv").input_error(
        "r.csv",
        "duplicate credential report row for user \"mail-admin\": at line 3 and again at line 6",
        "expected each credential report row for user once",
    );
}

// ------------------------------------------------------------------ dangling references

#[test]
fn a_group_member_of_a_group_that_does_not_exist_is_not_evaluated() {
    let case = Case::new();
    let v = auth_with(|v| {
        v["UserDetailList"][0]["GroupList"]
            .as_array_mut()
            .unwrap()
            .push(json!("ghost-group"));
    });
    case.write_json("a.json", &v);
    let report = case.scan_auth("a.json").incomplete();
    assert_eq!(
        problems_of(&report, MAIL_ADMIN),
        ["member of group \"ghost-group\", which is not in the account data"]
    );
    assert!(
        not_evaluated(&report)
            .iter()
            .any(|(_, arn, reason)| arn == MAIL_ADMIN && reason.contains("ghost-group")),
        "{:?}",
        not_evaluated(&report)
    );
}

#[test]
fn an_attached_policy_that_is_absent_is_not_evaluated() {
    let ghost = format!("arn:aws:iam::{ACCT}:policy/ghost");
    let case = Case::new();
    let v = auth_with(|v| {
        v["UserDetailList"][2]["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(json!({"PolicyName": "ghost", "PolicyArn": ghost}));
    });
    assert_eq!(v["UserDetailList"][2]["UserName"], json!("ci-deploy"));
    case.write_json("a.json", &v);
    let report = case.scan_auth("a.json").incomplete();
    let ci = format!("arn:aws:iam::{ACCT}:user/ci-deploy");
    assert_eq!(
        problems_of(&report, &ci),
        [format!(
            "managed policy {ghost} is attached but its document is not in the account data"
        )]
    );
    assert!(
        not_evaluated(&report)
            .iter()
            .any(|(_, arn, reason)| *arn == ci && reason.contains(&ghost)),
        "{:?}",
        not_evaluated(&report)
    );
}

// ------------------------------------------------------------------ dates in the future

/// `aws iam get-credential-report` output around `csv`, generated at `at`.
fn report_json(csv: &str, at: &str) -> Value {
    json!({
        "Content": base64::engine::general_purpose::STANDARD.encode(csv),
        "ReportFormat": "text/csv",
        "GeneratedTime": at
    })
}

fn root_recent_use_reason(report: &Value) -> String {
    let entries: Vec<_> = not_evaluated(report)
        .into_iter()
        .filter(|(rule, _, _)| rule == "root-recent-use")
        .collect();
    assert_eq!(entries.len(), 1, "{:?}", not_evaluated(report));
    assert_eq!(entries[0].1, format!("arn:aws:iam::{ACCT}:root"));
    entries[0].2.clone()
}

/// Decided behaviour: recent use of root is judged against the evaluation
/// time (`--as-of`, else the report's generation time, else the clock), and
/// the report gives only root's latest use. When that use is after the
/// evaluation time (a report newer than `--as-of`, or a date in the future),
/// whether root was also used inside the window is unknown; when it is after
/// the report's own generation time, the report contradicts itself. Either
/// way root-recent-use is not evaluated and says why (exit 3), never a pass
/// and never a guessed finding. No other check decides on dates, so future
/// dates elsewhere in the report are kept as they are.
fn scan_as_of(case: &Case, report: &str, as_of: &str) -> Out {
    case.run(&[
        "scan",
        "--auth-details",
        "auth-details.json",
        "--credential-report",
        report,
        "--account-summary",
        "account-summary.json",
        "--caller-identity",
        "caller-identity.json",
        "--format",
        "json",
        "--fail-on",
        "none",
        "--as-of",
        as_of,
    ])
}

#[test]
fn a_report_generated_after_the_evaluation_time_is_judged_only_up_to_it() {
    // Root's last use 2024-04-30T18:22:10Z; report generated 2024-05-01.
    let case = Case::new();
    case.write_json("r.json", &report_json(&csv(), "2024-05-01T10:20:30+00:00"));
    // Without --as-of the report's own time is "now": complete.
    case.scan_report("r.json").complete();
    // An evaluation time after the last use: the latest use is known to
    // be before it, so the window can be judged.
    scan_as_of(&case, "r.json", "2024-04-30T20:00:00Z").complete();

    let report = scan_as_of(&case, "r.json", "2024-01-01T00:00:00Z").incomplete();
    assert_eq!(
        root_recent_use_reason(&report),
        "the credential report was generated at 2024-05-01T10:20:30Z, after the evaluation time \
         2024-01-01T00:00:00Z (--as-of), and the root user's last use in it, 2024-04-30T18:22:10Z, \
         is after the evaluation time too; whether root was used in the 90 days before it is unknown"
    );
}

#[test]
fn a_last_use_after_the_report_was_generated_is_not_judged() {
    let case = Case::new();
    // Root's password_last_used moved past the generation time.
    let future = csv().replace("2024-04-30T18:22:10+00:00", "2024-06-30T18:22:10+00:00");
    assert_ne!(future, csv());
    case.write_json("r.json", &report_json(&future, "2024-05-01T10:20:30+00:00"));
    let expected = "the root user's last use in the credential report, 2024-06-30T18:22:10Z, is after the \
         report's generation time 2024-05-01T10:20:30Z; expected dates at or before it \
         (an edited report or a wrong clock)";
    let report = case.scan_report("r.json").incomplete();
    assert_eq!(root_recent_use_reason(&report), expected);
    // Whatever the evaluation time.
    let report = scan_as_of(&case, "r.json", "2030-01-01T00:00:00Z").incomplete();
    assert_eq!(root_recent_use_reason(&report), expected);
}

#[test]
fn a_last_use_in_the_future_without_a_generation_time_is_not_judged() {
    // The bare CSV has no generation time: the evaluation time (here the
    // clock) is the limit, and it is not printed, so reports stay stable.
    let case = Case::new();
    case.write(
        "r.csv",
        csv().replace("2024-04-30T18:22:10+00:00", "2999-01-01T00:00:00+00:00"),
    );
    let report = case.scan_report("r.csv").incomplete();
    assert_eq!(
        root_recent_use_reason(&report),
        "the root user's last use in the credential report, 2999-01-01T00:00:00Z, is after the \
         evaluation time; whether root was used in the 90 days before it is unknown"
    );
}

#[test]
fn future_dates_no_check_decides_on_are_kept() {
    // A user's creation and last-use dates in the future: no check compares
    // them with a time, so the scan is complete and shows them as they are.
    let case = Case::new();
    case.write(
        "r.csv",
        csv()
            .replace("2024-01-03T16:00:05+00:00", "2999-01-03T16:00:05+00:00")
            .replace("2024-05-01T08:00:00Z", "2999-05-01T08:00:00Z"),
    );
    case.scan_report("r.csv").complete();
}

// ------------------------------------------------------------------ snapshots

#[test]
fn an_unknown_snapshot_format_version_is_refused() {
    let case = Case::new();
    let out = case.run(&[
        "collect",
        "--auth-details",
        "auth-details.json",
        "-o",
        "snap.json",
        "--quiet",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut snap: Value =
        serde_json::from_slice(&std::fs::read(case.dir.path().join("snap.json")).unwrap()).unwrap();
    snap["metadata"]["format"] = json!("wmaudit-snapshot/3");
    case.write_json("future.json", &snap);
    let out = case.run(&["scan", "--snapshot", "future.json", "--format", "json"]);
    out.input_error(
        "future.json",
        "at /metadata/format:",
        "unsupported snapshot format \"wmaudit-snapshot/3\"; this wmaudit",
    );
    assert!(
        out.stderr
            .contains("reads \"wmaudit-snapshot/1\" or \"wmaudit-snapshot/2\""),
        "{}",
        out.stderr
    );

    snap["metadata"]["format"] = json!(2);
    case.write_json("number.json", &snap);
    case.run(&["scan", "--snapshot", "number.json"])
        .input_error(
            "number.json",
            "at /metadata/format:",
            "expected the string \"wmaudit-snapshot/1\", found number 2",
        );
}

// ------------------------------------------------------------------ empty account

#[test]
fn an_empty_account_is_evaluated_and_says_what_is_missing() {
    // No users, groups, roles or policies: every check runs, and the
    // absence of any administrator is a finding, not a pass.
    let case = Case::new();
    case.write_json(
        "empty.json",
        &json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": false}),
    );
    let root_only: String = csv().lines().take(2).map(|l| format!("{l}\n")).collect();
    case.write("root-only.csv", &root_only);
    let report = case.scan_files("empty.json", "root-only.csv").complete();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"workmail-no-admin"), "{rules:?}");
    assert!(rules.contains(&"iam-no-admin-group"), "{rules:?}");
    assert_eq!(report["principals"], json!([]));
    // ...and they fail a gate set at their severity.
    let out = case.run(&[
        "scan",
        "--auth-details",
        "empty.json",
        "--credential-report",
        "root-only.csv",
        "--caller-identity",
        "caller-identity.json",
        "--format",
        "json",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);

    // A credential report with a header and no rows: root's checks cannot run.
    let header_only: String = csv().lines().take(1).map(|l| format!("{l}\n")).collect();
    case.write("header-only.csv", &header_only);
    let report = case
        .scan_files("empty.json", "header-only.csv")
        .incomplete();
    let reasons = not_evaluated(&report);
    for rule in ["root-access-keys", "root-mfa-disabled", "root-recent-use"] {
        assert!(
            reasons
                .iter()
                .any(|(r, _, why)| r == rule && why.contains("no <root_account> row")),
            "{rule}: {reasons:?}"
        );
    }

    // An object with none of the lists is not authorization details at all.
    case.write("nothing.json", "{}");
    case.scan_auth("nothing.json").input_error(
        "nothing.json",
        "at the top level",
        "expected an object with UserDetailList, GroupDetailList, RoleDetailList and Policies",
    );
}

/// Data from the future (issue #16 item 4): a credential report "generated"
/// in 2099 made root's use two days before look decades old, and
/// `root-recent-use` passed. A data time later than the clock is an input
/// error; --as-of does not excuse it (it asks about the past, not the future).
#[test]
fn data_from_the_future_is_an_input_error() {
    let case = Case::new();
    case.write_json("r.json", &report_json(&csv(), "2099-01-01T00:00:00+00:00"));
    case.scan_report("r.json").input_error(
        "r.json: ",
        "the credential report's GeneratedTime (2099-01-01T00:00:00Z) is later than now",
        "data cannot come from the future",
    );
    let out = case.run(&[
        "scan",
        "--auth-details",
        "auth-details.json",
        "--credential-report",
        "r.json",
        "--as-of",
        "2099-06-01",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // A snapshot collected in the future, likewise.
    let out = case.run(&[
        "collect",
        "--auth-details",
        "auth-details.json",
        "-o",
        "s.json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut snap: Value =
        serde_json::from_str(&std::fs::read_to_string(case.dir.path().join("s.json")).unwrap())
            .unwrap();
    snap["metadata"]["collected_at"] = json!("2099-01-01T00:00:00Z");
    case.write_json("future.json", &snap);
    let out = case.run(&["scan", "--snapshot", "future.json", "--format", "json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "future.json: the snapshot's metadata.collected_at (2099-01-01T00:00:00Z) is later than now"
        ),
        "{}",
        out.stderr
    );
}

/// Inputs with no end (issue #16 item 16): /dev/zero grew at 1 GB/s until the
/// OS killed it; a FIFO nobody writes hung forever. Only regular files are
/// read, each up to a limit far above any account.
#[test]
fn inputs_without_an_end_are_refused() {
    let case = Case::new();
    let fifo = case.dir.path().join("fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (option, path) in [
        ("--auth-details", "/dev/zero"),
        ("--credential-report", "/dev/zero"),
        ("--snapshot", "/dev/zero"),
        ("--auth-details", fifo.to_str().unwrap()),
        ("--config", "/dev/zero"),
        ("--baseline", "/dev/zero"),
    ] {
        let mut args = vec!["scan", option, path, "--format", "json"];
        if option == "--config" || option == "--baseline" {
            args.extend(["--auth-details", "auth-details.json"]);
        }
        let out = case.run(&args);
        assert_eq!(out.code, 2, "{option} {path}: {}", out.stderr);
        assert!(
            out.stderr.contains(path) && out.stderr.contains("not a regular file"),
            "{option} {path}: {}",
            out.stderr
        );
    }
    let out = case.run(&["scan", "--demo", "--rules", "/dev/zero"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// Terminal escape injection (issue #16 item 18) and Markdown mentions
/// (item 21): names reach the table, `explain` and Markdown; there, nothing
/// in a name may act on the terminal or notify a person. JSON keeps the
/// exact name.
#[test]
fn hostile_names_are_shown_inert() {
    let case = Case::new();
    let evil =
        "x\u{1b}[2K\rAll checks passed\u{1b}]0;pwned\u{7}\u{202e}@octocat https://evil.example";
    let auth = auth_with(|v| v["UserDetailList"][0]["UserName"] = json!(evil));
    case.write_json("a.json", &auth);
    let mut table_args = vec!["scan", "--auth-details", "a.json", "--format", "table"];
    table_args.extend(["--fail-on", "none"]);
    for args in [
        table_args.clone(),
        vec!["explain", evil, "--auth-details", "a.json"],
    ] {
        let out = case.run(&args);
        out.not_a_panic();
        assert!(out.code == 0 || out.code == 3, "{args:?}: {}", out.stderr);
        for bad in ['\u{1b}', '\r', '\u{7}', '\u{202e}'] {
            assert!(!out.stdout.contains(bad), "{args:?} prints {bad:?}");
            assert!(
                !out.stderr.contains(bad),
                "{args:?} prints {bad:?} on stderr"
            );
        }
        assert!(out.stdout.contains("\\u{1b}"), "{args:?}: shown escaped");
    }
    let scan_as = |format: &str| {
        case.run(&[
            "scan",
            "--auth-details",
            "a.json",
            "--format",
            format,
            "--fail-on",
            "none",
        ])
    };
    let out = scan_as("markdown");
    assert!(out.stdout.contains("@&#8203;octocat"), "{}", out.stdout);
    assert!(!out.stdout.contains("@octocat"));
    assert!(out.stdout.contains("https:&#8203;//evil.example"));
    let out = scan_as("json");
    assert!(
        out.stdout.contains("x\\u001b[2K\\rAll checks passed"),
        "JSON keeps the exact name"
    );
    // HTML: shown as text, never as markup or a raw control character.
    let out = scan_as("html");
    out.not_a_panic();
    for bad in ['\u{1b}', '\r', '\u{7}', '\u{202e}'] {
        assert!(!out.stdout.contains(bad), "HTML prints {bad:?}");
    }
    assert!(out.stdout.contains("x\\u{1b}[2K"), "shown escaped in HTML");
}

/// Evidence × statements (issue #16 item 13): a group policy of many
/// statements gave every member one evidence entry per statement. A finding
/// lists at most 20 and counts the rest, with the actions they grant.
#[test]
fn evidence_is_capped_and_counted() {
    let case = Case::new();
    let statements: Vec<Value> = (0..50)
        .map(|_| json!({"Effect": "Allow", "Action": "workmail:StartMailboxExportJob", "Resource": "*"}))
        .collect();
    let auth = json!({
        "UserDetailList": (0..3).map(|i| json!({
            "UserName": format!("u{i}"), "Arn": format!("arn:aws:iam::123456789012:user/u{i}"),
            "GroupList": ["wide"]})).collect::<Vec<_>>(),
        "GroupDetailList": [{"GroupName": "wide", "Arn": "arn:aws:iam::123456789012:group/wide",
            "GroupPolicyList": [{"PolicyName": "wide", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}]
    });
    case.write_json("a.json", &auth);
    let out = case.run(&[
        "scan",
        "--auth-details",
        "a.json",
        "--format",
        "json",
        "--fail-on",
        "none",
        "--allow-incomplete",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.report();
    let findings = report["findings"].as_array().unwrap();
    let with_many: Vec<&Value> = findings
        .iter()
        .filter(|f| f["resource"]["name"] == "u0" && f["rule_id"] == "workmail-mail-content-access")
        .collect();
    assert_eq!(with_many.len(), 1, "{findings:#?}");
    let evidence = with_many[0]["evidence"].as_array().unwrap();
    let listed: Vec<&Value> = evidence
        .iter()
        .filter(|e| e["statement"].is_number())
        .collect();
    assert_eq!(listed.len(), 20, "{evidence:#?}");
    assert!(listed.iter().all(|e| e["attached"] == "through group wide"));
    let more: Vec<&Value> = evidence
        .iter()
        .filter(|e| {
            e["detail"]
                == "and 30 more statements that grant these actions (`wmaudit explain` lists every one)"
        })
        .collect();
    assert_eq!(more.len(), 1, "{evidence:#?}");
    assert_eq!(
        more[0]["actions"],
        json!(["workmail:StartMailboxExportJob"])
    );
}

/// Secrets in the input (issue #16 item 19): a secret key pasted into an
/// action and a resource, and a user named like an access key id, reached
/// every report. Every format now carries them redacted or masked.
#[test]
fn secrets_in_the_input_never_reach_a_report() {
    let case = Case::new();
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let key_id = "AKIAIOSFODNN7EXAMPLE";
    let mut u =
        json!({"UserName": key_id, "Arn": format!("arn:aws:iam::123456789012:user/{key_id}")});
    u["UserPolicyList"] = json!([{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["workmail:StartMailboxExportJob", format!("workmail:{secret}")], "Resource": "*"},
        {"Effect": "Allow", "Action": "workmail:ListUsers", "Resource": format!("arn:aws:workmail:us-east-1:123456789012:organization/{secret}")}
    ]}}]);
    case.write_json("a.json", &json!({"UserDetailList": [u]}));
    for format in ["json", "sarif", "markdown", "table"] {
        let out = case.run(&[
            "scan",
            "--auth-details",
            "a.json",
            "--format",
            format,
            "--fail-on",
            "none",
        ]);
        out.not_a_panic();
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text.contains("K7MDENG"),
                "{format}: the secret key appears"
            );
            assert!(
                !text.contains("IOSFODNN7"),
                "{format}: the key id appears unmasked"
            );
        }
        assert!(
            out.stdout.contains("AKIA"),
            "{format}: the user is still named, masked"
        );
    }
}

/// Credential report against authorization details (issue #16 item 7):
/// joined by ARN; a user without a row, a row without a user, a row whose
/// name matches but ARN does not, and `not_supported` on an IAM user are each
/// *not evaluated* with the reason, never a pass or a phantom finding.
#[test]
fn credential_report_rows_join_users_by_arn() {
    let console = |report: &Value| -> Vec<(String, String)> {
        not_evaluated(report)
            .into_iter()
            .filter(|(rule, _, _)| rule == "iam-console-without-mfa")
            .map(|(_, arn, reason)| (arn, reason))
            .collect()
    };
    let findings_on = |report: &Value, arn: &str| -> usize {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "iam-console-without-mfa" && f["resource"]["arn"] == arn)
            .count()
    };
    let case = Case::new();
    // dana is missing from the report; a row for "ghost" matches no user.
    let csv = csv()
        .lines()
        .filter(|l| !l.starts_with("dana,"))
        .chain(std::iter::once(
            "ghost,arn:aws:iam::123456789012:user/ghost,2023-02-14T09:12:44+00:00,true,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        ))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    case.write("r.csv", &csv);
    let report = case.scan_report("r.csv").incomplete();
    let ne = console(&report);
    assert!(
        ne.iter().any(
            |(arn, reason)| arn == "arn:aws:iam::123456789012:user/people/dana"
                && reason.starts_with("IAM user dana is not in the credential report")
        ),
        "{ne:?}"
    );
    let ghost = "arn:aws:iam::123456789012:user/ghost";
    assert!(
        ne.iter()
            .any(|(arn, reason)| arn == ghost && reason.contains("matches no IAM user")),
        "{ne:?}"
    );
    assert_eq!(findings_on(&report, ghost), 0, "no finding about nobody");

    // mail-admin's row under another path: same name, another user.
    let case = Case::new();
    let moved = csv_text_replace(
        "mail-admin,arn:aws:iam::123456789012:user/mail-admin",
        "mail-admin,arn:aws:iam::123456789012:user/old/mail-admin",
    );
    case.write("r.csv", &moved);
    let report = case.scan_report("r.csv").incomplete();
    assert_eq!(
        findings_on(&report, "arn:aws:iam::123456789012:user/old/mail-admin"),
        0
    );
    assert!(
        console(&report).iter().any(
            |(arn, r)| arn == "arn:aws:iam::123456789012:user/mail-admin"
                && r.starts_with("IAM user mail-admin is not in the credential report")
        ),
        "{report:#}"
    );

    // not_supported for an IAM user's password: not "no password".
    let case = Case::new();
    let odd = csv_text_replace(
        "dana,arn:aws:iam::123456789012:user/people/dana,2024-01-03T16:00:05+00:00,true,",
        "dana,arn:aws:iam::123456789012:user/people/dana,2024-01-03T16:00:05+00:00,not_supported,",
    );
    case.write("r.csv", &odd);
    let report = case.scan_report("r.csv").incomplete();
    assert!(
        console(&report).iter().any(
            |(arn, r)| arn == "arn:aws:iam::123456789012:user/people/dana"
                && r.contains("password_enabled = not_supported")
        ),
        "{report:#}"
    );
}

fn csv_text_replace(from: &str, to: &str) -> String {
    let text = csv();
    assert!(text.contains(from), "the fixture has {from}");
    text.replace(from, to)
}

/// #15 defect 2: the setup wmaudit recommends (AmazonWorkMailMessageFlowReadOnlyAccess
/// on a role only lambda.amazonaws.com can assume) got workmail-mail-content-access
/// critical while workmail-messageflow-readonly-reads-mail exempted it. One notion
/// of "the mail flow Lambda's role" now serves both; a role someone else can
/// assume is still flagged by both.
#[test]
fn the_mail_flow_lambda_role_is_not_flagged() {
    let case = Case::new();
    let role = |name: &str, principal: Value| {
        json!({
            "RoleName": name, "Arn": format!("arn:aws:iam::123456789012:role/{name}"),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": [{"PolicyName": "AmazonWorkMailMessageFlowReadOnlyAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/AmazonWorkMailMessageFlowReadOnlyAccess"}]
        })
    };
    let auth = auth_with(|v| {
        v["RoleDetailList"] = json!([
            role("MailFlowLambda", json!({"Service": "lambda.amazonaws.com"})),
            role(
                "Shared",
                json!({"Service": "lambda.amazonaws.com", "AWS": "arn:aws:iam::123456789012:root"})
            ),
        ]);
    });
    case.write_json("a.json", &auth);
    let report = case.scan_auth("a.json").complete();
    let on = |arn: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"]["arn"] == arn)
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            // The end-of-support plan lists the role, as it should.
            .filter(|r| !r.starts_with("workmail-leftover-"))
            .collect()
    };
    assert_eq!(
        on("arn:aws:iam::123456789012:role/MailFlowLambda"),
        Vec::<String>::new()
    );
    let shared = on("arn:aws:iam::123456789012:role/Shared");
    assert!(
        shared.contains(&"workmail-mail-content-access".to_owned()),
        "{shared:?}"
    );
    assert!(
        shared.contains(&"workmail-messageflow-readonly-reads-mail".to_owned()),
        "{shared:?}"
    );
}

/// #15 defect 3: grants that apply only with MFA got workmail-admin-without-mfa
/// (and nothing said they were conditional). A password without MFA or a
/// long-term key cannot meet `aws:MultiFactorAuthPresent`; the mail-content
/// finding still stands (with MFA the grant applies) and says it is
/// conditional on MFA.
#[test]
fn grants_conditional_on_mfa_are_read_as_such() {
    let case = Case::new();
    let arn = "arn:aws:iam::123456789012:user/mfa-bound";
    let auth = auth_with(|v| {
        v["UserDetailList"].as_array_mut().unwrap().push(json!({
            "UserName": "mfa-bound", "Arn": arn,
            "UserPolicyList": [{"PolicyName": "admin-with-mfa", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "workmail:*",
                    "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}}]
        }));
    });
    case.write_json("a.json", &auth);
    let row = format!(
        "mfa-bound,{arn},2023-02-14T09:12:44+00:00,true,2024-05-01T08:00:00Z,2023-02-14T09:20:00+00:00,N/A,false,true,2023-02-14T09:30:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    );
    case.write("r.csv", format!("{}{row}\n", csv()));
    let report = case.scan_files("a.json", "r.csv").complete();
    let on: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["arn"] == arn)
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        !on.iter()
            .any(|(rule, _)| rule == "workmail-admin-without-mfa"),
        "{on:#?}"
    );
    let content = on
        .iter()
        .find(|(rule, _)| rule == "workmail-mail-content-access")
        .unwrap_or_else(|| panic!("{on:#?}"));
    assert!(
        content.1.contains("(every grant is conditional on MFA)"),
        "{}",
        content.1
    );
}
