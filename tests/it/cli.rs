//! The binary as a user runs it: exit codes, errors, outputs, determinism.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn wmaudit() -> Command {
    let mut c = Command::cargo_bin("wmaudit").unwrap();
    // A config in the developer's working directory must not leak into tests.
    c.current_dir(std::env::temp_dir());
    c.env_remove("AWS_PROFILE").env("NO_COLOR", "1");
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first demo account's active findings and those that fail the gate,
/// as sample-reports/demo.json has them.
fn demo_counts() -> (u64, u64) {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("sample-reports/demo.json")).unwrap(),
    )
    .unwrap();
    (
        doc["accounts"][0]["summary"]["total"].as_u64().unwrap(),
        doc["accounts"][0]["gate"]["failing"].as_u64().unwrap(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = wmaudit().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn demo_matches_the_sample_reports_and_fails_the_gate() {
    for (format, file) in [
        ("json", "demo.json"),
        ("sarif", "demo.sarif"),
        ("markdown", "demo.md"),
        // `md` is the alias people type (the file extension).
        ("md", "demo.md"),
        ("table", "demo.txt"),
    ] {
        let (code, out, err) = run(&["scan", "--demo", "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        let want = std::fs::read_to_string(root().join("sample-reports").join(file)).unwrap();
        assert!(
            out == want,
            "{format} output differs from sample-reports/{file}"
        );
    }
}

#[test]
fn same_input_gives_byte_identical_machine_output() {
    let a = run(&["scan", "--demo", "--format", "sarif"]).1;
    let b = run(&["scan", "--demo", "--format", "sarif"]).1;
    assert!(a == b, "SARIF differs between two runs");
    let a = run(&["scan", "--demo", "--format", "json"]).1;
    let b = run(&["scan", "--demo", "--format", "json"]).1;
    assert!(a == b, "JSON differs between two runs");
}

#[test]
fn fail_on_thresholds() {
    assert_eq!(run(&["scan", "--demo", "--fail-on", "none"]).0, 0);
    assert_eq!(run(&["scan", "--demo", "--fail-on", "critical"]).0, 1);
    let (code, _, err) = run(&["scan", "--demo", "--fail-on", "severe"]);
    assert_eq!(code, 2);
    assert!(err.contains("--fail-on"), "{err}");
}

#[test]
fn several_outputs_from_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let (code, stdout, _) = run(&[
        "scan",
        "--demo",
        "--format",
        "table",
        "--json",
        &p("r.json"),
        "--sarif",
        &p("r.sarif"),
        "--markdown",
        &p("r.md"),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("root-access-keys"));
    let json = std::fs::read_to_string(p("r.json")).unwrap();
    assert!(
        json == std::fs::read_to_string(root().join("sample-reports/demo.json")).unwrap(),
        "--json output differs from sample-reports/demo.json"
    );
    assert!(
        std::fs::read_to_string(p("r.sarif"))
            .unwrap()
            .contains("\"version\": \"2.1.0\"")
    );
    assert!(
        std::fs::read_to_string(p("r.md"))
            .unwrap()
            .contains("root-access-keys")
    );
}

/// Over the SARIF limit: the file is still written, smaller, and stderr says
/// what was left out and where the rest is; JSON keeps every finding.
#[test]
fn sarif_limit_warns_and_json_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--json",
        &p("r.json"),
        "--sarif",
        &p("r.sarif"),
        "--sarif-max-results",
        "3",
        "--output",
        &p("main.json"),
    ]);
    assert_eq!(code, 1, "{err}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("r.sarif")).unwrap()).unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    assert!(runs.len() >= 2, "the demo has two accounts");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("r.json")).unwrap()).unwrap();
    for (run, report) in runs.iter().zip(json["accounts"].as_array().unwrap()) {
        let active = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"].is_null() && f["in_baseline"] == false)
            .count();
        assert!(active > 3);
        assert_eq!(run["results"].as_array().unwrap().len(), 3);
        assert_eq!(run["properties"]["omittedFindings"], active - 3);
        let account = report["scan"]["account_id"].as_str().unwrap();
        assert!(
            err.contains(&format!(
                "warning: {} of {active} findings for account {account} are not in this SARIF run",
                active - 3
            )),
            "{err}"
        );
    }
    // --quiet silences the warning, not the limit.
    let (_, _, quiet) = run(&[
        "scan",
        "--demo",
        "--quiet",
        "--sarif",
        &p("q.sarif"),
        "--sarif-max-results",
        "3",
        "--output",
        &p("main.json"),
    ]);
    assert!(!quiet.contains("warning"), "{quiet}");
}

/// An output that cannot be written is an error naming that file (exit 2),
/// not a silent success; the other outputs are still written whole.
#[test]
fn an_unwritable_output_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let bad = p("missing-dir/r.sarif");
    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--sarif",
        &bad,
        "--json",
        &p("r.json"),
        "--output",
        &p("main.md"),
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim(),
        format!("error: cannot write {bad}: No such file or directory (os error 2)")
    );
    let json = std::fs::read_to_string(p("r.json")).unwrap();
    assert!(
        json == std::fs::read_to_string(root().join("sample-reports/demo.json")).unwrap(),
        "the JSON written beside a failed SARIF is whole"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".wmaudit-")),
        "{names:?}"
    );
}

#[test]
fn baseline_removes_known_findings_from_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("baseline.json");
    std::fs::copy(root().join("sample-reports/demo.json"), &report).unwrap();
    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--baseline",
        report.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schema\": \"something-else\"}").unwrap();
    let (code, _, err) = run(&["scan", "--demo", "--baseline", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json") && err.contains("/schema"), "{err}");
}

#[test]
fn input_errors_exit_2_and_name_the_file() {
    let (code, _, err) = run(&["scan", "--snapshot", "/nonexistent/snap.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/snap.json"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("future.json");
    std::fs::write(
        &snap,
        r#"{"metadata": {"format": "wmaudit-snapshot/9", "tool_version": "9", "source": "live", "not_collected": []}}"#,
    )
    .unwrap();
    let (code, _, err) = run(&["scan", "--snapshot", snap.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("future.json") && err.contains("wmaudit-snapshot/9"),
        "{err}"
    );

    let truncated = dir.path().join("auth.json");
    std::fs::write(&truncated, "{\"UserDetailList\": [{\"UserName\": \"a\"").unwrap();
    let (code, _, err) = run(&["scan", "--auth-details", truncated.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("auth.json"), "{err}");
}

#[test]
fn conflicting_sources_are_a_usage_error() {
    let (code, _, err) = run(&["scan", "--demo", "--snapshot", "x.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--demo") && err.contains("--snapshot"),
        "{err}"
    );
    let (code, _, err) = run(&["scan", "--auth-details", "a.json", "--profile", "p"]);
    assert_eq!(code, 2);
    assert!(err.contains("choose one input source"), "{err}");
}

#[test]
fn offline_import_without_a_credential_report_is_incomplete() {
    let fixture = root().join("tests/fixtures/cli/auth-details.json");
    if !fixture.exists() {
        panic!("missing fixture {}", fixture.display());
    }
    let (code, out, _) = run(&[
        "scan",
        "--auth-details",
        fixture.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(code, 3, "credential-report rules are not evaluated");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v.to_string();
    assert!(
        text.contains("root-mfa-disabled"),
        "names the rules not evaluated"
    );
    assert!(
        text.contains("--credential-report"),
        "says how to provide it"
    );
    let (code, _, _) = run(&[
        "scan",
        "--auth-details",
        fixture.to_str().unwrap(),
        "--fail-on",
        "none",
        "--allow-incomplete",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn config_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("wmaudit.toml");
    std::fs::write(
        &cfg,
        "fail_on = \"high\"\n\n[rules.no-such-rule]\nenabled = false\n",
    )
    .unwrap();
    let (code, _, err) = run(&["scan", "--demo", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("wmaudit.toml:3:") && err.contains("no-such-rule"),
        "{err}"
    );
}

#[test]
fn config_suppression_applies_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("wmaudit.toml");
    std::fs::write(
        &cfg,
        r#"[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::111122223333:role/MailMigrationRole"
reason = "mailbox export for the migration"

[[suppress]]
rule = "root-mfa-disabled"
resource = "arn:aws:iam::999999999999:*"
reason = "typo in the account id"
"#,
    )
    .unwrap();
    let (_, out, _) = run(&[
        "scan",
        "--demo",
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let on_role = |rule: &str| {
        results
            .iter()
            .any(|r| r["ruleId"] == rule && r.to_string().contains("role/MailMigrationRole"))
    };
    assert!(
        !on_role("workmail-mail-content-access"),
        "suppressed findings are left out of SARIF"
    );
    assert!(
        on_role("workmail-export-rights"),
        "a suppression covers its rule only"
    );
    let (_, out, _) = run(&[
        "scan",
        "--demo",
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.contains("mailbox export for the migration"));
    assert!(
        out.contains("matches no finding"),
        "unused suppression is reported"
    );
}

#[test]
fn rules_commands() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .replace(".toml", "");
        assert!(out.contains(&name), "{name} missing from `wmaudit rules`");
    }
    let (code, out, _) = run(&["rules", "show", "root-recent-use"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("## Why it matters") && out.contains("days = 90"),
        "{out}"
    );
    let (code, _, err) = run(&["rules", "show", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rule"), "{err}");
}

#[test]
fn extra_rules_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("custom.toml"),
        r#"id = "custom-no-export"
title = "Someone can export mailboxes"
severity = "medium"
check = "sensitive-actions"
rationale = "Exports copy whole mailboxes."
remediation = "Remove workmail:StartMailboxExportJob."
example = "A role with workmail:StartMailboxExportJob."

[params]
capability = "export mailboxes"
exempt_designated_admins = false
actions = ["workmail:StartMailboxExportJob"]

[[references]]
title = "Exporting mailbox content"
url = "https://docs.aws.amazon.com/workmail/latest/adminguide/mail-export.html"
"#,
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let (_, out, err) = run(&["scan", "--demo", "--rules", d, "--format", "json"]);
    assert!(out.contains("custom-no-export"), "{err}");
    std::fs::write(dir.path().join("bad.toml"), "id = \"x\"\nseverity = 3\n").unwrap();
    let (code, _, err) = run(&["scan", "--demo", "--rules", d]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:2"), "{err}");
}

#[test]
fn explain_shows_provenance() {
    let (code, out, _) = run(&[
        "explain",
        "judy",
        "--demo",
        "--action",
        "workmail:ResetPassword",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("not granted") && out.contains("MailBoundary"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "explain",
        "erin",
        "--demo",
        "--format",
        "json",
        "--action",
        "workmail:ResetPassword",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let action = &v[0]["actions"][0];
    assert_eq!(action["decision"], "limited");
    assert_eq!(
        action["grants"][0]["policy"],
        "inline:helpdesk-password-reset"
    );
    assert_eq!(action["grants"][0]["via"]["group"], "HelpDesk");
    assert_eq!(action["grants"][0]["sid"], "ResetForgottenPasswords");
    let (code, _, err) = run(&["explain", "nobody", "--demo"]);
    assert_eq!(code, 2);
    assert!(err.contains("nobody"), "{err}");
}

#[test]
fn collect_from_files_writes_a_snapshot_that_scans_the_same() {
    let fixture = root().join("tests/fixtures/cli/auth-details.json");
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let (code, _, err) = run(&[
        "collect",
        "--auth-details",
        fixture.to_str().unwrap(),
        "-o",
        snap.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let direct = run(&[
        "scan",
        "--auth-details",
        fixture.to_str().unwrap(),
        "--format",
        "json",
    ])
    .1;
    let via = run(&[
        "scan",
        "--snapshot",
        snap.to_str().unwrap(),
        "--format",
        "json",
    ])
    .1;
    assert!(direct == via, "scanning the files and the snapshot differ");
    assert!(Path::new(&snap).exists());
}

#[test]
fn the_exit_status_is_the_code_the_json_report_records() {
    let fixture = root().join("tests/fixtures/cli/auth-details.json");
    let fixture = fixture.to_str().unwrap();
    for (args, want) in [
        (&["scan", "--demo"][..], 1),
        (&["scan", "--demo", "--fail-on", "none"][..], 0),
        (
            &["scan", "--auth-details", fixture, "--fail-on", "none"][..],
            3,
        ),
    ] {
        let (code, out, err) = run(&[args, &["--format", "json"]].concat());
        assert_eq!(code, want, "{args:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        // One account or several: every report's gate, combined, is the status.
        let gates: Vec<i64> = v["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["gate"]["exit_code"].as_i64().unwrap())
            .collect();
        assert_eq!(v["gate"]["exit_code"], want, "{args:?}");
        let combined = if gates.contains(&1) {
            1
        } else if gates.contains(&3) {
            3
        } else {
            0
        };
        assert_eq!(i64::from(code), combined, "{args:?}: {gates:?}");
    }
}

/// A reader that closes the pipe before wmaudit writes: every command stops
/// cleanly (ripgrep's manners), never a panic (exit 101).
#[test]
fn a_closed_pipe_is_a_clean_stop() {
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("wmaudit");
    for args in [
        &["rules"][..],
        &["rules", "show", "workmail-no-admin"][..],
        &["explain", "judy", "--demo", "--all"][..],
        &["explain", "judy", "--demo", "--all", "--format", "json"][..],
        &["scan", "--demo", "--format", "table"][..],
        &["scan", "--demo", "--format", "json"][..],
        &["scan", "--demo", "--format", "sarif"][..],
        &["--help"][..],
    ] {
        let mut child = std::process::Command::new(&bin)
            .args(args)
            .current_dir(std::env::temp_dir())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
        // A scan's status is still its verdict (the demo fails the gate).
        let want = if args[0] == "scan" { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(want), "{args:?}: {stderr}");
    }
}

/// A full disk is an error that says so, with exit code 2.
#[test]
fn a_full_disk_on_stdout_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        panic!("/dev/full is needed for this test (Linux)");
    };
    for args in [
        &["rules"][..],
        &["explain", "judy", "--demo"][..],
        &["scan", "--demo", "--format", "json"][..],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("wmaudit"))
            .args(args)
            .current_dir(std::env::temp_dir())
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to stdout: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

/// `explain` honours --config and --rules (they were accepted and ignored):
/// it says whether the principal is a designated WorkMail administrator and
/// why, and a bad file is an error as it is for `scan`.
#[test]
fn explain_says_who_is_a_designated_administrator_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["explain", "--demo", "bob"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "designated WorkMail administrator: yes (by default, as no administrators are \
             configured: member of group WorkMailAdmins, which holds AmazonWorkMailFullAccess)"
        ),
        "{out}"
    );
    let config = dir.path().join("wmaudit.toml");
    std::fs::write(
        &config,
        "[workmail]\nadministrators = [\"arn:aws:iam::*:user/alice\"]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (code, out, err) = run(&["explain", "--demo", "bob", "--config", config]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("designated WorkMail administrator: no (configured administrators: no workmail.administrators entry matches it or its groups)"),
        "{out}"
    );
    let (code, out, err) = run(&[
        "explain", "--demo", "alice", "--config", config, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v[0]["workmail_administrator"],
        serde_json::json!({
            "designated": true,
            "why": "configured: workmail.administrators entry \"arn:aws:iam::*:user/alice\" matches its ARN"
        })
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[workmail]\nadministrator = []\n").unwrap();
    let (code, _, err) = run(&[
        "explain",
        "--demo",
        "bob",
        "--config",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:2:1: unknown key `administrator`")
            && err.contains("did you mean `administrators`?"),
        "{err}"
    );
    let (code, _, err) = run(&["explain", "--demo", "bob", "--rules", "/nonexistent/rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/rules"), "{err}");
}

/// One file for two outputs raced, and which won varied run to run (issue
/// #16 item 22): a usage error now, also through another spelling of the path.
#[test]
fn one_file_for_two_outputs_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x");
    let x = x.to_str().unwrap();
    let (code, out, err) = run(&["scan", "--demo", "--json", x, "--sarif", x, "--markdown", x]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("--json and --sarif name the same file") && err.contains(x),
        "{err}"
    );
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let other = dir.path().join("sub/../x");
    let (code, _, err) = run(&["scan", "--demo", "-o", x, "--json", other.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--output and --json name the same file"),
        "{err}"
    );
    assert!(!dir.path().join("x").exists(), "nothing written");
}

/// #15 defect 1: an offline import could never pass: root-hardware-mfa
/// needs the virtual MFA device list, which could not be imported. With every
/// file the AWS CLI writes, a clean account passes the gate: exit 0, coverage
/// complete, no finding. Without the device list it is exit 3, saying why.
#[test]
fn a_clean_account_imported_from_files_passes_the_gate() {
    let dir = root().join("tests/fixtures/clean");
    let f = |name: &str| dir.join(name).display().to_string();
    let files = [
        ("--auth-details", f("auth-details.json")),
        ("--credential-report", f("credential-report.json")),
        ("--account-summary", f("account-summary.json")),
        ("--caller-identity", f("caller-identity.json")),
        ("--virtual-mfa-devices", f("virtual-mfa-devices.json")),
        ("--password-policy", f("password-policy.json")),
        ("--account-aliases", f("account-aliases.json")),
    ];
    let mut args: Vec<&str> = vec!["scan", "--format", "json"];
    for (flag, path) in &files {
        args.extend([*flag, path.as_str()]);
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let report = crate::only_account(&out);
    assert_eq!(report["coverage"]["complete"], true, "{report:#}");
    assert_eq!(report["coverage"]["not_collected"], serde_json::json!([]));
    // Nothing to fix today: only the end-of-support plan (info), which any
    // account that runs WorkMail has until 2027-03-31.
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["severity"], "info", "{f:#}");
        assert!(
            f["rule_id"]
                .as_str()
                .unwrap()
                .starts_with("workmail-leftover-"),
            "{f:#}"
        );
    }
    assert_eq!(
        report["scan"]["account_aliases"],
        serde_json::json!(["example-clean"])
    );

    let without: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.ends_with("virtual-mfa-devices.json") && *a != "--virtual-mfa-devices")
        .collect();
    let (code, out, _) = run(&without);
    assert_eq!(code, 3);
    let report = crate::only_account(&out);
    let reasons: Vec<&str> = report["coverage"]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("use --virtual-mfa-devices FILE")),
        "{reasons:?}"
    );
}

/// #15 defect 10: upload-sarif@v3 ran on Node 20, which GitHub's runners
/// dropped (2026-09-16); and SARIF's informationUri pointed at a made-up home.
#[test]
fn the_github_workflow_and_sarif_are_current() {
    let files = [
        "examples/github/wmaudit.yml",
        "examples/github/wmaudit-organization.yml",
        "README.md",
    ];
    for file in files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(text.contains("upload-sarif@v4"), "{file}");
        assert!(!text.contains("upload-sarif@v3"), "{file}");
    }
    // Every option the examples give wmaudit exists (cargo's own aside).
    let mut help = String::new();
    for cmd in ["scan", "collect", "merge", "explain"] {
        help.push_str(&run(&[cmd, "--help"]).1);
    }
    let flag = regex::Regex::new(r"(^|\s)(--[a-z][a-z-]+)").unwrap();
    for file in &files[..2] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for c in flag.captures_iter(&text) {
            let f = &c[2];
            if ["--locked", "--git", "--tag"].contains(&f) {
                continue;
            }
            assert!(help.contains(f), "{file}: wmaudit has no option {f}");
        }
    }
    let sarif = std::fs::read_to_string(root().join("sample-reports/demo.sarif")).unwrap();
    assert!(!sarif.contains("informationUri"), "no made-up project home");
}

/// #15 defect 9, the smaller ones: `-o -` is stdout (it wrote a file named
/// `-`), `-o x.sarif` writes SARIF (it wrote JSON silently) and a clashing
/// `--format` is refused, `--fail-on High` is accepted, and the gate line no
/// longer says "FAILED ... not gating".
#[test]
fn output_names_and_gate_words_mean_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let out = wmaudit()
        .current_dir(dir.path())
        .args(["scan", "--demo", "-o", "-", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"schema\": \"wmaudit-report/1\""));
    assert!(!dir.path().join("-").exists(), "no file named -");

    let sarif = dir.path().join("x.sarif");
    let (code, _, err) = run(&["scan", "--demo", "-o", sarif.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert!(text.contains("\"version\": \"2.1.0\""), "SARIF, not JSON");

    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "-o",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--format json but") && err.contains("sarif"),
        "{err}"
    );

    let (code, _, err) = run(&["scan", "--demo", "--fail-on", "High", "--format", "json"]);
    assert_eq!(code, 1, "{err}");

    // Imported without a credential report: incomplete, and not gating on findings.
    let auth = root().join("tests/fixtures/cli/auth-details.json");
    let (code, out, _) = run(&[
        "scan",
        "--auth-details",
        auth.to_str().unwrap(),
        "--fail-on",
        "none",
        "--format",
        "table",
    ]);
    assert_eq!(code, 3);
    assert!(
        out.contains(
            "FAILED (exit code 3): coverage is incomplete; findings do not gate (--fail-on none)"
        ),
        "{out}"
    );
}

/// The demo's JSON reports (one per account) under the configuration `toml`.
fn demo_reports_with_config(toml: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wmaudit.toml");
    std::fs::write(&config, toml).unwrap();
    let (_, out, err) = run(&[
        "scan",
        "--demo",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(!out.is_empty(), "{err}");
    crate::accounts(&out)
}

/// #15 defect 5: an administrators entry that matches nobody switched the
/// default designation off silently; it is a config notice now.
#[test]
fn an_administrator_entry_that_matches_nobody_is_reported() {
    let reports = demo_reports_with_config(
        "[workmail]\nadministrators = [\"arn:aws:iam::*:group/WorkMailAdmin\"]\n",
    );
    let notices: Vec<&serde_json::Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["notices"].as_array().unwrap())
        .filter(|n| n["kind"] == "unused_administrator")
        .collect();
    assert!(!notices.is_empty(), "{reports:#}");
    assert!(
        notices[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("workmail.administrators entry \"arn:aws:iam::*:group/WorkMailAdmin\" matches no user, group or role"),
        "{notices:?}"
    );
}

/// #15 defect 5, multi-account: a suppression used in one account of the
/// run is used; it was reported "matches no finding; remove it" in the others.
#[test]
fn a_suppression_used_in_any_account_is_used() {
    let reports = demo_reports_with_config(
        "[[suppress]]\nrule = \"*\"\nresource = \"arn:aws:iam::111122223333:user/*\"\nreason = \"first account only\"\n\n\
         [[suppress]]\nrule = \"*\"\nresource = \"arn:aws:iam::999999999999:user/*\"\nreason = \"no such account\"\n",
    );
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    for r in reports {
        let unused: Vec<&str> = r["notices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "unused_suppression")
            .map(|n| n["message"].as_str().unwrap())
            .collect();
        assert_eq!(
            unused.len(),
            1,
            "only the suppression no account used: {unused:?}"
        );
        assert!(unused[0].contains("999999999999"), "{unused:?}");
    }
}

/// #15 defect 9, messages: the cause of a read error was printed twice; a
/// report given to --snapshot said "trailing characters"; an explain with
/// nothing granted printed an empty table.
#[test]
fn messages_say_it_once_and_plainly() {
    let (code, _, err) = run(&["scan", "--snapshot", "/nonexistent/wmaudit/x.json"]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");

    let report = root().join("sample-reports/demo.json");
    let (code, _, err) = run(&["scan", "--snapshot", report.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("this is a wmaudit report, not a snapshot"),
        "{err}"
    );

    let (code, out, err) = run(&[
        "explain",
        "--demo",
        "erin",
        "--action",
        "workmail:CreateOrganization",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("No action of the selection is granted to it"),
        "{out}"
    );
    assert!(!out.contains('┌'), "no empty table: {out}");
}

/// #15 defect 9: `explain user/judy` and `explain JUDY` failed; names are
/// compared as IAM does (any case), the kind prefix reports print is
/// accepted, and a near miss gets a suggestion. An empty file's error no
/// longer says "column 0".
#[test]
fn explain_accepts_what_reports_print() {
    for who in ["user/bob", "BOB", "user/BOB"] {
        let (code, out, err) = run(&["explain", "--demo", who]);
        assert_eq!(code, 0, "{who}: {err}");
        assert!(out.starts_with("user bob ("), "{who}: {out}");
    }
    let (code, out, _) = run(&["explain", "--demo", "group/bob"]);
    assert_eq!(code, 2, "the kind limits the search: {out}");
    let (code, _, err) = run(&["explain", "--demo", "bobb"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `bob`?"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = run(&["scan", "--auth-details", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(!err.contains("column 0"), "{err}");
}

/// #15 defect 9: every human report states what no scan looks at, and
/// `explain` follows the terminal's width (it was always 100 columns).
#[test]
fn reports_state_their_scope_and_explain_fits_the_terminal() {
    for format in ["table", "markdown"] {
        let (_, out, _) = run(&["scan", "--demo", "--format", format]);
        assert!(
            out.contains("Scope") && out.contains("SCPs"),
            "{format}: {out}"
        );
    }
    let out = wmaudit()
        .env("COLUMNS", "60")
        .args([
            "explain",
            "--demo",
            "bob",
            "--action",
            "workmail:ResetPassword",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let widest = text
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(widest <= 60, "{widest} columns:\n{text}");
}

/// #15 defect 9: `collect --help` offered `--demo`, which collect refuses.
#[test]
fn collect_does_not_offer_the_demo() {
    let out = wmaudit().args(["collect", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(!help.contains("--demo"), "{help}");
    let (code, _, err) = run(&["collect", "--demo", "-o", "/tmp/never-written.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("`wmaudit scan --demo`"), "{err}");
}

/// Every format says where WorkMail's end of support stands; on the day it
/// passes, the plan becomes a clean-up list at the rules' severity.
#[test]
fn end_of_support_in_every_format_and_on_the_day() {
    let at = |day: &str, format: &str| {
        let (code, out, err) = run(&[
            "scan",
            "--demo",
            "--as-of",
            day,
            "--format",
            format,
            "--fail-on",
            "none",
        ]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let json = crate::accounts(&at("2027-03-30", "json"));
    let eos = &json[0]["end_of_support"];
    assert_eq!(eos["phase"], "readiness", "{eos}");
    assert_eq!(eos["days_left"], 1);
    assert_eq!(eos["date_from"], "as_of");
    let plan = eos["leftover_items"].as_u64().unwrap();
    assert!(plan >= 10, "{eos}");
    let leftovers = |doc: &serde_json::Value| -> Vec<String> {
        doc[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("workmail-leftover-")
            })
            .map(|f| f["severity"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(leftovers(&json).iter().all(|s| s == "info"));
    assert!(
        json[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fix_commands"].as_array().is_some_and(|c| !c.is_empty())),
        "findings carry their commands"
    );

    let json = crate::accounts(&at("2027-03-31", "json"));
    assert_eq!(json[0]["end_of_support"]["phase"], "clean_up");
    assert_eq!(json[0]["end_of_support"]["days_left"], 0);
    assert_eq!(
        json[0]["end_of_support"]["leftover_items"].as_u64(),
        Some(plan)
    );
    assert!(leftovers(&json).iter().all(|s| s == "medium"));

    let md = at("2027-03-30", "markdown");
    assert!(
        md.contains("**End of support:** WorkMail ends on 2027-03-31: 1 day after 2027-03-30"),
        "{md}"
    );
    assert!(md.contains("### Decommission plan (after 2027-03-31)"));
    assert!(md.contains("- [ ] group/WorkMailAdmins: "));
    assert!(md.contains("aws iam detach-group-policy --group-name WorkMailAdmins"));
    let md = at("2027-04-02", "markdown");
    assert!(
        md.contains("WorkMail ended on 2027-03-31 (2 days before 2027-04-02"),
        "{md}"
    );
    assert!(md.contains("### WorkMail clean-up"));

    let table = at("2027-03-30", "table");
    assert!(table.contains("WorkMail ends on 2027-03-31"), "{table}");
    let sarif: serde_json::Value = serde_json::from_str(&at("2027-03-30", "sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["endOfSupport"]["phase"],
        "readiness"
    );
}

/// A configuration leaves a trace (#15 defect 4): every format names the
/// file (and that it was found in the current directory), the disabled
/// rules, severity overrides, changed parameters and the designated
/// administrators; `rules` and `rules show` keep a disabled rule, as disabled.
#[test]
fn configuration_is_stated_in_every_format_and_by_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wmaudit.toml"),
        "[rules.root-hardware-mfa]\nenabled = false\n\n\
         [rules.iam-user-direct-policies]\nseverity = \"medium\"\n\n\
         [rules.root-recent-use.params]\ndays = 30\n",
    )
    .unwrap();
    let run_here = |args: &[&str]| {
        let out = wmaudit()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (_, out, err) = run_here(&["scan", "--demo", "--format", "json", "--fail-on", "none"]);
    assert!(!out.is_empty(), "{err}");
    let doc = crate::accounts(&out);
    let c = &doc[0]["configuration"];
    assert_eq!(c["file"], "wmaudit.toml", "{c}");
    assert_eq!(c["discovered"], true);
    assert_eq!(
        c["disabled_rules"],
        serde_json::json!(["root-hardware-mfa"])
    );
    assert_eq!(
        c["severity_overrides"],
        serde_json::json!([{"rule": "iam-user-direct-policies", "from": "low", "to": "medium"}])
    );
    assert_eq!(
        c["params_changed"],
        serde_json::json!([{"rule": "root-recent-use", "params": ["days"]}])
    );
    assert_eq!(c["designated_by"], "default");
    assert_eq!(
        c["designated_administrators"],
        serde_json::json!([
            "arn:aws:iam::111122223333:user/bob",
            "arn:aws:iam::111122223333:user/dave",
            "arn:aws:iam::111122223333:user/judy"
        ])
    );

    let (_, md, _) = run_here(&[
        "scan",
        "--demo",
        "--format",
        "markdown",
        "--fail-on",
        "none",
    ]);
    assert!(
        md.contains("**Configuration:** wmaudit.toml (found in the current directory); disabled: root-hardware-mfa; severity: iam-user-direct-policies low -\\> medium; parameters: root-recent-use (days)"),
        "{md}"
    );
    let (_, table, _) = run_here(&["scan", "--demo", "--format", "table", "--fail-on", "none"]);
    assert!(
        table.contains("(found in the current directory)"),
        "{table}"
    );
    assert!(table.contains("disabled: root-hardware-mfa"), "{table}");
    let (_, sarif, _) = run_here(&["scan", "--demo", "--format", "sarif", "--fail-on", "none"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["configuration"]["disabled_rules"],
        serde_json::json!(["root-hardware-mfa"])
    );

    let (code, list, _) = run_here(&["rules"]);
    assert_eq!(code, 0);
    let row = list
        .lines()
        .find(|l| l.contains("root-hardware-mfa"))
        .expect("a disabled rule is still listed");
    assert!(row.contains("disabled"), "{row}");
    assert!(list.contains("1 disabled by wmaudit.toml"), "{list}");
    let (code, show, err) = run_here(&["rules", "show", "root-hardware-mfa"]);
    assert_eq!(code, 0, "{err}");
    assert!(show.starts_with("**Disabled** by wmaudit.toml"), "{show}");
}

/// The HTML report: `--html FILE`, `-o FILE.html` and `--format html` give
/// the same self-contained page, the same bytes as sample-reports/demo.html.
#[test]
fn html_report_by_flag_extension_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let (code, _, err) = run(&["scan", "--demo", "--html", &p("a.html"), "-o", &p("b.htm")]);
    assert_eq!(code, 1, "{err}");
    let (_, stdout, _) = run(&["scan", "--demo", "--format", "html"]);
    let a = std::fs::read_to_string(p("a.html")).unwrap();
    let b = std::fs::read_to_string(p("b.htm")).unwrap();
    assert!(a.starts_with("<!doctype html>"), "{}", &a[..100]);
    assert_eq!(a, b);
    assert_eq!(a, stdout);
    assert_eq!(
        a,
        std::fs::read_to_string(root().join("sample-reports/demo.html")).unwrap()
    );
    assert!(
        !a.contains("http://") && !a.contains("src=\"http"),
        "loads nothing"
    );
}

/// Live errors (#15 defect 8): one line with the cause and the fix, no
/// Rust debug dump; a profile that does not exist is named as such.
#[test]
fn live_errors_say_the_cause_and_the_fix_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::write(
        &config,
        "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Auditor\nregion = us-east-1\n\n[sso-session corp]\n\
         sso_start_url = https://corp.example/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    let live = |args: &[&str]| {
        let out = wmaudit()
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", &config)
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
            .args(args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let one_line = |err: &str| {
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            !err.contains("DispatchFailure(") && !err.contains("{ source"),
            "{err}"
        );
    };

    let (code, err) = live(&["scan", "--profile", "nosuch", "--format", "json"]);
    assert_ne!(code, 0);
    one_line(&err);
    assert!(
        err.contains("profile \"nosuch\" is not defined in") && err.contains("(defined: sso)"),
        "{err}"
    );

    let (code, err) = live(&["scan", "--profile", "sso", "--format", "json"]);
    assert_ne!(code, 0);
    one_line(&err);
    assert!(err.contains("run `aws sso login --profile sso`"), "{err}");

    let (code, err) = live(&["collect", "-o", "-"]);
    assert_ne!(code, 0);
    one_line(&err);
    assert!(err.contains("no AWS credentials were found"), "{err}");
}

/// A failing endpoint: each retry is said on stderr (`-v`; on a terminal
/// without it), and `--timeout` bounds the wait.
#[test]
fn retries_are_said_and_timeout_bounds_a_failing_endpoint() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { break };
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let started = std::time::Instant::now();
    let out = wmaudit()
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLERETRIES01")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "example-secret-for-a-local-test-server",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "scan",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--region",
            "us-east-1",
            "--timeout",
            "5",
            "--report-wait",
            "5",
            "-v",
            "--format",
            "json",
        ])
        .timeout(std::time::Duration::from_secs(170))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("wmaudit: retrying sts:GetCallerIdentity (attempt 2)"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "bounded: {:?}",
        started.elapsed()
    );
}

/// `--baseline` says what changed (#15): new, unchanged and fixed findings
/// (a fixed one named), in every format; a suppression in use that expires
/// within 14 days is warned about.
#[test]
fn baseline_deltas_and_expiring_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("sample-reports/demo.json")).unwrap(),
    )
    .unwrap();
    let findings = demo["accounts"][0]["findings"].as_array_mut().unwrap();
    let total = findings.len();
    // One finding the scan will have that the baseline lacks ("new") ...
    let dropped = findings.remove(0);
    // ... and one the baseline has that the scan no longer finds ("fixed").
    let mut gone = findings[0].clone();
    gone["fingerprint"] = serde_json::json!("00000000000000000000000000000000");
    gone["rule_id"] = serde_json::json!("workmail-via-wildcard");
    gone["resource"]["kind"] = serde_json::json!("policy");
    gone["resource"]["name"] = serde_json::json!("OldMailAll");
    gone["message"] = serde_json::json!("Policy OldMailAll grants all 126 workmail: actions.");
    findings.push(gone);
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, demo.to_string()).unwrap();
    let cfg = dir.path().join("wmaudit.toml");
    std::fs::write(
        &cfg,
        "[[suppress]]\nrule = \"root-used-for-audit\"\nresource = \"arn:aws:iam::111122223333:*\"\n\
         reason = \"key rotation ticket OPS-1\"\nexpires = 2026-11-30\n",
    )
    .unwrap();
    let b = baseline.to_str().unwrap();
    let c = cfg.to_str().unwrap();

    let (_, out, err) = run(&[
        "scan",
        "--demo",
        "--baseline",
        b,
        "--config",
        c,
        "--format",
        "json",
    ]);
    assert!(!out.is_empty(), "{err}");
    let doc = crate::accounts(&out);
    let d = &doc[0]["baseline"];
    assert_eq!(d["new"], 1, "{d}");
    assert_eq!(d["unchanged"].as_u64().unwrap() as usize, total - 1, "{d}");
    assert_eq!(d["fixed"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["fixed"][0]["resource"], "policy/OldMailAll");
    assert_eq!(
        doc[1]["baseline"]["fixed"],
        serde_json::json!([]),
        "matched by account"
    );
    let new_one = doc[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == dropped["fingerprint"])
        .unwrap();
    assert_eq!(new_one["in_baseline"], false);
    let notices = doc[0]["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|n| n["kind"] == "expiring_suppression"
            && n["message"]
                .as_str()
                .unwrap()
                .contains("expires on 2026-11-30 (in 10 days)")),
        "{notices:?}"
    );

    let (_, md, _) = run(&[
        "scan",
        "--demo",
        "--baseline",
        b,
        "--config",
        c,
        "--format",
        "markdown",
    ]);
    assert!(
        md.contains(&format!(
            "**Baseline:** 1 new, {} unchanged, 1 fixed since the baseline",
            total - 1
        )),
        "{md}"
    );
    assert!(
        md.contains("- fixed: workmail-via-wildcard on policy/OldMailAll"),
        "{md}"
    );
    let (_, table, _) = run(&["scan", "--demo", "--baseline", b, "--format", "table"]);
    assert!(
        table.contains("fixed: workmail-via-wildcard on policy/OldMailAll"),
        "{table}"
    );
}

/// Display filters narrow what people read, never the gate (#15).
#[test]
fn display_filters_narrow_the_human_formats_only() {
    let (code, md, err) = run(&[
        "scan",
        "--demo",
        "--format",
        "markdown",
        "--min-severity",
        "High",
        "--principal",
        "alice",
        "--rule",
        "workmail-destructive",
        "--rule",
        "workmail-mail-content-access",
    ]);
    assert_eq!(code, 1, "the gate counts every finding: {err}");
    let (total, failing) = demo_counts();
    assert!(
        md.contains(&format!("**Display filter (severity high and above, rule workmail-destructive or workmail-mail-content-access, on alice): 2 of {total} active findings shown; the gate counts all {total}.**")),
        "{md}"
    );
    let findings_table = &md[md.find("### Findings\n").unwrap()..md.find("Not listed:").unwrap()];
    let rows: Vec<&str> = findings_table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
        .collect();
    assert_eq!(rows.len(), 2, "{findings_table}");
    assert!(
        rows.iter().all(|r| r.contains("| user/alice |")),
        "{rows:?}"
    );
    assert!(
        md.contains(&format!(
            "Gate FAILED (exit code 1): {failing} active findings at or above high"
        )),
        "{md}"
    );

    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--min-severity",
        "high",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("JSON and SARIF always hold every finding"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "scan",
        "--demo",
        "--format",
        "table",
        "--rule",
        "workmail-destructiv",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `workmail-destructive`"), "{err}");
    // The JSON written beside a filtered table holds everything.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let (_, _, _) = run(&[
        "scan",
        "--demo",
        "--format",
        "table",
        "--min-severity",
        "critical",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&json).unwrap(),
        std::fs::read_to_string(root().join("sample-reports/demo.json")).unwrap()
    );
}

/// On a terminal, a scan whose report goes to a file still says how the
/// gate ended (#15 defect 9); piped, it stays quiet. The terminal is a
/// pseudo-terminal from util-linux `script`, which every Debian system has.
#[test]
fn gate_line_on_a_terminal_when_the_report_goes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let bin = assert_cmd::cargo::cargo_bin("wmaudit");
    let cmd = format!("{} scan --demo -o {}", bin.display(), out.display());
    let tty = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("util-linux script runs the scan on a pseudo-terminal");
    let seen = String::from_utf8_lossy(&tty.stdout);
    let (_, failing) = demo_counts();
    assert!(
        seen.contains(&format!(
            "wmaudit: gate FAILED (exit code 1): {failing} active findings at or above high"
        )),
        "{seen}"
    );
    let (_, stdout, stderr) = run(&["scan", "--demo", "-o", out.to_str().unwrap()]);
    assert!(
        stdout.is_empty() && !stderr.contains("wmaudit: gate"),
        "{stderr}"
    );
}

/// `explain --paths`: how a principal gets to mail content and to
/// admin-equivalence, step by step, in the table and in JSON (#11).
#[test]
fn explain_shows_paths() {
    let snap = root().join("tests/fixtures/rules/workmail-escalation-path/fires.json");
    let snap = snap.to_str().unwrap();
    let (code, out, err) = run(&["explain", "chain", "--snapshot", snap, "--paths"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("mail content: user/chain → assume arn:aws:iam::111122223333:role/Hop (sts:AssumeRole) → assume arn:aws:iam::111122223333:role/MailReader (sts:AssumeRole)"),
        "{out}"
    );
    assert!(
        out.contains("admin-equivalent (every action): no path found"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "explain",
        "mailuser",
        "--snapshot",
        snap,
        "--paths",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[0]["paths"][0]["goal"], "mail content");
    assert_eq!(doc[0]["paths"][0]["holds"], true);
    let (_, out, _) = run(&[
        "explain",
        "mailuser",
        "--snapshot",
        snap,
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc[0].get("paths").is_none(), "only with --paths");
}

/// `collect --previous` keeps the export jobs AWS no longer lists: the
/// second collection knows the first one's completed export, and its
/// history starts where the first one's did.
#[test]
fn export_history_is_merged_across_two_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data/demo/mail-prod.json")).unwrap(),
    )
    .unwrap();
    // Last week's snapshot: alice exported, history since 2026-11-06.
    let mut old = demo.clone();
    let org = &mut old["workmail"]["organizations"][0];
    org["export_jobs_since"] = serde_json::json!("2026-11-06T09:00:00Z");
    // This week's: AWS forgot alice's job, bob's has just completed.
    let mut new = demo.clone();
    let org = &mut new["workmail"]["organizations"][0];
    let jobs = org["export_jobs"].as_array_mut().unwrap();
    jobs.retain(|j| j["job_id"] != "job-000001");
    jobs.push(serde_json::json!({
        "job_id": "job-000003", "entity_id": "a1b2c3d4-0000-4000-8000-000000000002",
        "state": "COMPLETED", "start_time": "2026-11-19T10:00:00Z", "end_time": "2026-11-19T10:30:00Z",
        "s3_bucket_name": "example-mail-export", "s3_path": "exports/bob"
    }));
    std::fs::write(dir.path().join("old.json"), old.to_string()).unwrap();
    std::fs::write(dir.path().join("new.json"), new.to_string()).unwrap();
    let coverage = |file: &str| -> serde_json::Value {
        let out = wmaudit()
            .current_dir(dir.path())
            .args([
                "scan",
                "--snapshot",
                file,
                "--format",
                "json",
                "--fail-on",
                "none",
            ])
            .output()
            .unwrap();
        let r = crate::only_account(&String::from_utf8_lossy(&out.stdout));
        r["end_of_support"]["export_coverage"].clone()
    };
    assert_eq!(coverage("new.json")["exported"], 1, "bob only");
    let out = wmaudit()
        .current_dir(dir.path())
        .args([
            "collect",
            "--snapshot",
            "new.json",
            "--previous",
            "old.json",
            "-o",
            "merged.json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("kept the export history of 1 WorkMail organization(s)")
    );
    let c = coverage("merged.json");
    assert_eq!(
        c["exported"], 2,
        "alice from the old snapshot, bob from the new: {c}"
    );
    assert_eq!(
        c["failed"], 0,
        "bob's failed job is outdone by his completed one: {c}"
    );
    assert_eq!(c["since"], "2026-11-06T09:00:00Z");
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("merged.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = merged["workmail"]["organizations"][0]["export_jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["job-000001", "job-000002", "job-000003"],
        "each job once, by start time"
    );

    // Another account's snapshot is refused, naming both accounts.
    let out = wmaudit()
        .current_dir(dir.path())
        .args(["collect", "--snapshot", "new.json", "--previous"])
        .arg(root().join("data/demo/legacy.json"))
        .args(["-o", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("444455556666") && err.contains("111122223333"),
        "{err}"
    );
}

/// Many accounts: GitHub takes 20 runs per SARIF file, so `--sarif` with
/// more is a usage error pointing to `--sarif-dir`, which writes one file
/// per account; a directory of snapshots is read whole; the Markdown
/// overview stays within GitHub's comment limit however many accounts.
#[test]
fn many_accounts_get_one_sarif_file_each_and_an_overview() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snaps");
    std::fs::create_dir(&snaps).unwrap();
    let legacy = std::fs::read_to_string(root().join("data/demo/legacy.json")).unwrap();
    for i in 0..25 {
        let id = format!("4444555500{i:02}");
        std::fs::write(
            snaps.join(format!("{id}.json")),
            legacy.replace("444455556666", &id),
        )
        .unwrap();
    }
    let snaps_arg = snaps.display().to_string();
    let (code, _, err) = run(&["scan", "--snapshot", &snaps_arg, "--format", "sarif"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("25 accounts in one SARIF file") && err.contains("--sarif-dir"),
        "{err}"
    );
    let sarif_dir = dir.path().join("sarif");
    let out = wmaudit()
        .args([
            "scan",
            "--snapshot",
            &snaps_arg,
            "--sarif-dir",
            &sarif_dir.display().to_string(),
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("## wmaudit: overview\n\n25 account(s): 25 failing"),
        "{md}"
    );
    assert!(md.len() <= 60_000);
    // The page has the same overview, a row per account, before the accounts.
    let html = dir.path().join("all.html");
    let (code, _, err) = run(&[
        "scan",
        "--snapshot",
        &snaps_arg,
        "--html",
        &html.display().to_string(),
        "-f",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    let overview = page
        .find("<table class=\"overview\">")
        .expect("an overview table");
    assert!(overview < page.find("<section class=\"account\"").unwrap());
    assert_eq!(page.matches("<tr><td>44445555").count(), 25);
    let files: Vec<_> = std::fs::read_dir(&sarif_dir).unwrap().collect();
    assert_eq!(files.len(), 25);
    let one: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sarif_dir.join("444455550007.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(one["runs"].as_array().unwrap().len(), 1);
    assert_eq!(
        one["runs"][0]["automationDetails"]["id"],
        "wmaudit/444455550007/"
    );
    // The same account twice: --sarif-dir cannot name two files alike.
    let twice = snaps.join("444455550000.json").display().to_string();
    let (code, _, err) = run(&[
        "scan",
        "--snapshot",
        &twice,
        "--snapshot",
        &twice,
        "--sarif-dir",
        &sarif_dir.display().to_string(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("given twice"), "{err}");
    // merge refuses it too, naming both files.
    let (code, _, err) = run(&["merge", &twice, &twice]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is in both"), "{err}");
    // merge reads what it is given, nothing else.
    for extra in [
        &["--demo"][..],
        &["--profile", "x"],
        &["--snapshot", &twice],
    ] {
        let mut args = vec!["merge", &snaps_arg];
        args.extend_from_slice(extra);
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains("no other input"), "{err}");
    }
    let (code, out, err) = run(&["merge", &snaps_arg, "--format", "json", "--fail-on", "none"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(crate::accounts(&out).as_array().unwrap().len(), 25);
}

/// `explain --mailbox` with the organization file: an SCP that denies
/// `workmail:AssumeImpersonationRole` leaves nobody able to impersonate.
#[test]
fn explain_mailbox_under_the_organization() {
    let snap = root()
        .join("data/demo/mail-prod.json")
        .display()
        .to_string();
    let org = root()
        .join("fuzz/corpus/organization/member-under-deny.json")
        .display()
        .to_string();
    let (code, alone, err) = run(&[
        "explain",
        "--snapshot",
        &snap,
        "--mailbox",
        "alice@example.com",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        alone.contains("role/MigrationVendorRole → workmail:AssumeImpersonationRole"),
        "{alone}"
    );
    let (code, bounded, err) = run(&[
        "explain",
        "--snapshot",
        &snap,
        "--snapshot",
        &org,
        "--mailbox",
        "alice@example.com",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!bounded.contains("MigrationVendorRole"), "{bounded}");
    assert!(
        bounded.contains("no IAM principal can assume it"),
        "{bounded}"
    );
}
