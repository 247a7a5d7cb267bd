//! Nothing wmaudit writes holds a credential: every report format, the
//! snapshot file and the CLI's stderr (quiet or not), for the demo, a mocked
//! live scan whose responses quote credentials, and the binary talking to a
//! local server that does the same. Access key ids may appear only masked
//! to their last 4 characters.
//!
//! Two independent detectors: the crate's own `redact::contains_secret_shape`
//! and the regular expressions below, plus the literal values used.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::mock_aws::*;
use assert_cmd::Command;
use aws_sdk_iam::Client as Iam;
use aws_smithy_mocks::{Rule, mock};
use regex::Regex;
use wmaudit_core::findings::ScanReport;
use wmaudit_core::report::{Format, RenderOptions, render_all};
use wmaudit_core::snapshot::{Snapshot, to_json_string};

/// The caller's access key id, as STS returns it in `UserId` for some callers.
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const KEY_ID_MASKED: &str = "AKIA************MPLE";
/// A temporary key id, for the session-token case.
const TEMP_KEY_ID: &str = "ASIAZ7QEXAMPLE4WXYZ0";

/// Fails with the offending text if anything credential-shaped is in `text`.
fn assert_clean(what: &str, text: &str) {
    let key_id = Regex::new(r"(AKIA|ASIA)[A-Z0-9]{16}").unwrap();
    if let Some(m) = key_id.find(text) {
        panic!("{what}: unmasked access key id {:?}", m.as_str());
    }
    // Maximal runs of base64 characters; a secret access key is exactly 40
    // of them, a session token 100 or more, both mixing cases and digits.
    // SARIF's logical locations (`aws/111122223333/iam/policy/DevPowerUser`)
    // have the same characters; an account id between slashes marks them.
    let run = Regex::new(r"[A-Za-z0-9/+=]{40,}").unwrap();
    let account_path = Regex::new(r"(^|/)[0-9]{12}(/|$)").unwrap();
    for m in run.find_iter(text) {
        let s = m.as_str();
        let mixed = s.chars().any(|c| c.is_ascii_uppercase())
            && s.chars().any(|c| c.is_ascii_lowercase())
            && s.chars().any(|c| c.is_ascii_digit());
        assert!(
            !(mixed && (s.len() == 40 || s.len() >= 100) && !account_path.is_match(s)),
            "{what}: secret-shaped {s:?}"
        );
    }
    for literal in [SECRET, &TOKEN[..24], KEY_ID, TEMP_KEY_ID] {
        assert!(!text.contains(literal), "{what}: contains {literal:?}");
    }
    assert!(
        !wmaudit_core::redact::contains_secret_shape(text),
        "{what}: redact::contains_secret_shape"
    );
}

/// The detectors must catch what they are for, or the test proves nothing.
#[test]
fn the_detectors_catch_credentials() {
    for text in [
        format!("key {KEY_ID} used"),
        format!("secret={SECRET};"),
        format!("token {TOKEN}{TOKEN}"),
    ] {
        let caught = std::panic::catch_unwind(|| assert_clean("probe", &text));
        assert!(caught.is_err(), "not caught: {text}");
    }
    assert_clean("masked", &format!("caller {KEY_ID_MASKED}"));
}

fn every_format(what: &str, reports: &[ScanReport]) {
    for format in Format::ALL {
        for opts in [
            RenderOptions::default(),
            RenderOptions {
                color: true,
                width: Some(60),
                ..RenderOptions::PLAIN
            },
        ] {
            let text = render_all(format, reports, &opts);
            assert!(!text.is_empty());
            assert_clean(&format!("{what} as {format}"), &text);
        }
    }
}

#[test]
fn the_demo_in_every_format_and_its_snapshots() {
    let snaps = wmaudit_core::demo::snapshots().unwrap();
    let reports: Vec<ScanReport> = snaps.iter().map(scan_snapshot).collect();
    every_format("demo", &reports);
    for s in &snaps {
        assert_clean("demo snapshot", &to_json_string(s));
    }
}

/// Responses that quote credentials: STS says the caller's UserId is its
/// access key id, and IAM's AccessDenied messages echo a secret key, a
/// session token and a temporary key id.
fn leaky_rules() -> (Vec<Rule>, Vec<Rule>) {
    let leak = || {
        error(
            403,
            "AccessDenied",
            &format!(
                "User: arn:aws:iam::{ACCT}:user/auditor is not authorized (signature by {TEMP_KEY_ID} with secret {SECRET}, security token {TOKEN})"
            ),
        )
    };
    let iam = vec![
        mock!(Iam::get_account_summary).then_http_response(leak),
        mock!(Iam::list_account_aliases).then_http_response(leak),
        mock!(Iam::get_credential_report).then_http_response(leak),
    ];
    (iam, vec![caller_rule(KEY_ID)])
}

async fn leaky_live_snapshot() -> Snapshot {
    let (iam, sts) = leaky_rules();
    let (snap, _) = collect_with_faults(iam, sts).await;
    assert_eq!(
        snap.metadata.not_collected.len(),
        3,
        "the leaks were served"
    );
    snap
}

#[tokio::test]
async fn a_mocked_live_scan_in_every_format_and_its_snapshot() {
    let snap = leaky_live_snapshot().await;
    let text = to_json_string(&snap);
    assert_clean("live snapshot", &text);
    // The key id is kept, masked, where it was: the caller's UserId.
    let caller = snap.caller_identity.as_ref().unwrap();
    assert_eq!(caller.user_id, KEY_ID_MASKED);
    assert!(text.contains(KEY_ID_MASKED));
    let report = scan_snapshot(&snap);
    assert_eq!(
        report.gate.verdict.exit_code(),
        3,
        "the denied report is missing"
    );
    every_format("live scan", std::slice::from_ref(&report));
    // Several accounts at once (the JSON array and multi-run SARIF paths).
    let demo: Vec<ScanReport> = wmaudit_core::demo::snapshots()
        .unwrap()
        .iter()
        .map(scan_snapshot)
        .chain([report])
        .collect();
    every_format("demo and live scan", &demo);
}

#[test]
fn a_hand_written_snapshot_with_a_key_id_reads_masked() {
    // Files written by other tools (or older builds) are not trusted either.
    let snap = wmaudit_core::snapshot::parse_snapshot(
        format!(
            r#"{{"metadata":{{"format":"wmaudit-snapshot/1","tool_version":"0","source":"live","caller_arn":"arn:aws:sts::{ACCT}:assumed-role/r/{KEY_ID}","not_collected":[]}},
               "caller_identity":{{"account":"{ACCT}","arn":"arn:aws:sts::{ACCT}:assumed-role/r/{KEY_ID}","user_id":"{KEY_ID}"}}}}"#
        )
        .as_bytes(),
        "hand.json",
    )
    .unwrap();
    assert_eq!(
        snap.caller_identity.as_ref().unwrap().user_id,
        KEY_ID_MASKED
    );
    assert_clean("hand-written snapshot", &to_json_string(&snap));
    every_format("hand-written snapshot", &[scan_snapshot(&snap)]);

    // Masking is stable: written and read again, nothing changes, even
    // where the 4 visible characters and what follows could make a
    // 40-character run.
    let mut tricky = snap.clone();
    tricky.caller_identity.as_mut().unwrap().user_id =
        format!("AKIAABCDEFGHIJKLMNOP/{}", "x1Y".repeat(11) + "x1");
    let once = wmaudit_core::snapshot::parse_snapshot(to_json_string(&tricky).as_bytes(), "a.json")
        .unwrap();
    let twice =
        wmaudit_core::snapshot::parse_snapshot(to_json_string(&once).as_bytes(), "b.json").unwrap();
    assert_eq!(once, twice);
    assert_eq!(
        once.caller_identity.as_ref().unwrap().user_id,
        format!("AKIA************MNOP/{}", "x1Y".repeat(11) + "x1")
    );
}

#[test]
fn the_imported_caller_identity_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caller.json");
    std::fs::write(
        &path,
        format!(r#"{{"UserId": "{KEY_ID}", "Account": "{ACCT}", "Arn": "arn:aws:iam::{ACCT}:user/auditor"}}"#),
    )
    .unwrap();
    let caller = wmaudit_core::snapshot::parse_caller_identity(
        &std::fs::read(&path).unwrap(),
        "caller.json",
    )
    .unwrap();
    assert_eq!(caller.user_id, KEY_ID_MASKED);
    let out = wmaudit()
        .current_dir(dir.path())
        .args([
            "collect",
            "--caller-identity",
            "caller.json",
            "-o",
            "snap.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let snap = std::fs::read_to_string(dir.path().join("snap.json")).unwrap();
    assert_clean("imported snapshot", &snap);
    assert!(snap.contains(KEY_ID_MASKED), "{snap}");
}

// ---- the binary, against a local server that leaks ----

/// An HTTP server on 127.0.0.1 that answers GetCallerIdentity with the key
/// id as UserId and everything else with an AccessDenied quoting the
/// credentials and the request's Authorization header (which names the
/// caller's access key id). It serves a bounded number of connections.
fn leaky_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || serve(stream));
        }
    });
    url
}

fn serve(stream: std::net::TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut length = 0usize;
        let mut authorization = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("authorization:") {
                authorization = l.to_owned();
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body);
        let (status, xml) = if body.contains("Action=GetCallerIdentity") {
            (
                200,
                format!(
                    r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::{ACCT}:user/auditor</Arn><UserId>{KEY_ID}</UserId><Account>{ACCT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#
                ),
            )
        } else {
            (
                403,
                format!(
                    r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Denied. You sent {authorization} with secret {SECRET} and token {TOKEN}</Message></Error><RequestId>2</RequestId></ErrorResponse>"#
                ),
            )
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn wmaudit() -> Command {
    let mut c = Command::cargo_bin("wmaudit").unwrap();
    c.env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    c
}

/// `wmaudit SUBCOMMAND` against `url`, with credentials in the environment
/// only, and no AWS config files or instance metadata to find others.
fn live(dir: &std::path::Path, url: &str, subcommand: &str) -> Command {
    let mut c = wmaudit();
    c.arg(subcommand)
        .current_dir(dir)
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", TEMP_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", url, "--report-wait", "1"]);
    c
}

#[test]
fn the_binary_against_a_leaking_server_writes_no_credentials() {
    let url = leaky_server();
    let dir = tempfile::tempdir().unwrap();
    for quiet in [false, true] {
        for format in ["table", "json", "sarif", "markdown"] {
            let mut cmd = live(dir.path(), &url, "scan");
            cmd.args(["--format", format]);
            if quiet {
                cmd.arg("--quiet");
            }
            let out = cmd.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{format}: {stderr}");
            assert_clean(&format!("scan --format {format} stdout"), &stdout);
            assert_clean(&format!("scan --format {format} stderr"), &stderr);
            // The denial is reported, with the echo redacted.
            assert!(stdout.contains("AccessDenied"), "{format}: {stdout}");
        }
    }

    let out = live(dir.path(), &url, "collect")
        .args(["-o", "snap.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("collect stderr", &String::from_utf8_lossy(&out.stderr));
    let snap = std::fs::read_to_string(dir.path().join("snap.json")).unwrap();
    assert_clean("collected snapshot", &snap);
    assert!(snap.contains(KEY_ID_MASKED), "{snap}");
    for word in ["SecretAccessKey", "SessionToken", "aws_secret_access_key"] {
        assert!(!snap.contains(word), "{word}");
    }
}

#[test]
fn failing_runs_write_no_credentials_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    // An input error that quotes the offending value.
    std::fs::write(
        dir.path().join("caller.json"),
        format!(r#"{{"UserId": "{KEY_ID}", "Account": "{KEY_ID}", "Arn": "{SECRET}"}}"#),
    )
    .unwrap();
    for args in [
        &["scan", "--caller-identity", "caller.json"][..],
        &["scan", "--caller-identity", "caller.json", "--quiet"][..],
        &[
            "collect",
            "--caller-identity",
            "caller.json",
            "-o",
            "s.json",
        ][..],
    ] {
        let out = wmaudit()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("caller.json"), "{stderr}");
        assert_clean(&format!("{args:?} stderr"), &stderr);
    }
}
