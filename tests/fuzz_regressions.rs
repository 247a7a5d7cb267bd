//! Inputs of the fuzz targets (fuzz/), replayed under `cargo test`: seed
//! corpora and every minimised crash, through the same code path and the
//! same invariants as the targets, so a fixed crash stays fixed without a
//! nightly toolchain. Top level: `policy_document`; `import_targets`: the
//! import targets.

use std::path::Path;

use wmaudit::catalog::Catalog;
use wmaudit::policy::{Compiler, PolicyDocument};

/// The body of fuzz/fuzz_targets/policy_document.rs; keep the two in step.
fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = PolicyDocument::parse(text) else {
        return;
    };
    let statements = document.statements.len();
    let catalog = Catalog::builtin();
    let mut compiler = Compiler::new(catalog);
    if let Ok(compiled) = compiler.compile(document) {
        assert_eq!(compiled.statements.len(), statements);
        for (i, st) in compiled.statements.iter().enumerate() {
            assert_eq!(st.index, i);
            assert_eq!(st.actions.len(), catalog.len());
            assert!(st.actions.ones().all(|a| a < catalog.len()));
        }
        for p in &compiled.problems {
            assert!(p.statement < statements);
        }
    }
}

fn replay_dir(relative: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Name the input if it panics.
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "input {} panicked", path.display());
        n += 1;
    }
    n
}

#[test]
fn seed_corpus_replays_cleanly() {
    let n = replay_dir("fuzz/corpus/policy_document");
    assert!(n >= 10, "seed corpus has only {n} inputs");
}

#[test]
fn seeds_reach_the_compiler() {
    // The seeds are meant to get past the parser. A local `cargo fuzz run`
    // may add invalid inputs to the directory, hence a floor, not "all".
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/policy_document");
    let parsed = std::fs::read_dir(&dir)
        .expect("seed corpus")
        .filter(|e| {
            let text = std::fs::read_to_string(e.as_ref().expect("entry").path());
            text.is_ok_and(|t| PolicyDocument::parse(&t).is_ok())
        })
        .count();
    assert!(parsed >= 12, "only {parsed} seeds parse");
}

#[test]
fn hostile_shapes_do_not_panic() {
    // Shapes the fuzzer reaches quickly; kept here as cheap, named checks.
    for input in [
        "",
        "%",
        "%%",
        "%7",
        "\u{feff}",
        "%EF%BB%BF",
        "%EF%BB%BF%EF%BB%BF%7B%7D",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"?\",\"Resource\":\"*\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*:*\",\"Resource\":\"?\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"w*:?\u{e9}\",\"Resource\":\"arn:*\"}]}",
        "{\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[],\"NotResource\":[]}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"workmail:\u{1F600}\",\"Resource\":\"arn:aws:\u{1F600}:*\"}]}",
    ] {
        run(input.as_bytes());
    }
}

// ---------------------------------------------------------------------------
// The import targets (fuzz/fuzz_targets/{auth_details, credential_report,
// snapshot, rules_config}.rs): the same bodies over their seed corpora and
// every minimised crash, so a fixed crash stays fixed without nightly.

mod import_targets {
    use std::path::Path;

    use wmaudit::config::Config;
    use wmaudit::findings::Severity;
    use wmaudit::report::{Format, RenderOptions, render};
    use wmaudit::rules::{RuleSet, parse_rule};
    use wmaudit::scan::{ScanOptions, scan};
    use wmaudit::snapshot::{
        Metadata, SNAPSHOT_FORMAT, Snapshot, SourceKind, parse_auth_details,
        parse_credential_report, parse_snapshot, to_json_string,
    };

    /// fuzz/fuzz_targets/common.rs: scan and render what parsed.
    fn scan_and_render(snapshot: &Snapshot) {
        let rules = RuleSet::builtin().expect("shipped rules");
        let config = Config::default();
        let report = scan(
            snapshot,
            &ScanOptions {
                rules: &rules,
                config: &config,
                fail_on: Some(Severity::High),
                allow_incomplete: false,
                baseline: None,
                as_of: Some(time::macros::datetime!(2026-06-01 00:00 UTC)),
            },
        );
        assert!(matches!(report.gate.exit_code, 0 | 1 | 3));
        for format in Format::ALL {
            let text = render(format, &report, &RenderOptions::default());
            if format == Format::Json {
                assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
            }
        }
    }

    fn round_trip(snapshot: &Snapshot) {
        let text = to_json_string(snapshot);
        let back = parse_snapshot(text.as_bytes(), "round-trip")
            .unwrap_or_else(|e| panic!("a written snapshot does not read back: {e}"));
        assert_eq!(&back, snapshot, "snapshot changed on a round trip");
    }

    fn snapshot_with(
        account: Option<wmaudit::account::Account>,
        report: Option<wmaudit::snapshot::CredentialReport>,
    ) -> Snapshot {
        Snapshot {
            metadata: Metadata {
                format: SNAPSHOT_FORMAT.to_owned(),
                tool_version: "fuzz".to_owned(),
                collected_at: None,
                source: SourceKind::Files,
                account_id: None,
                caller_arn: None,
                api_calls: Default::default(),
                not_collected: Vec::new(),
            },
            account,
            credential_report: report,
            account_summary: None,
            caller_identity: None,
            password_policy: None,
            virtual_mfa_devices: None,
            account_aliases: None,
        }
    }

    pub fn auth_details(data: &[u8]) {
        // The fast path and the pointer-tracking walker must agree.
        if let Err(e) = wmaudit::snapshot::auth_details_readers_agree(data) {
            panic!("{e}");
        }
        if let Ok(account) = parse_auth_details(data, "fuzz.json") {
            let s = snapshot_with(Some(account), None);
            round_trip(&s);
            scan_and_render(&s);
        }
    }

    pub fn credential_report(data: &[u8]) {
        if let Ok(report) = parse_credential_report(data, "fuzz.csv") {
            let s = snapshot_with(None, Some(report));
            round_trip(&s);
            scan_and_render(&s);
        }
    }

    pub fn snapshot(data: &[u8]) {
        if let Ok(s) = parse_snapshot(data, "fuzz.json") {
            round_trip(&s);
            scan_and_render(&s);
        }
    }

    pub fn rules_config(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let mut rules = RuleSet::builtin().expect("shipped rules");
        if let Ok(rule) = parse_rule(text, "fuzz.toml") {
            assert!(!rule.meta.id.is_empty());
            let _ = rules.add(rule);
        }
        match Config::parse(text, "wmaudit.toml") {
            Ok(config) => {
                let _ = config.apply(&mut rules);
            }
            Err(e) => {
                let lines = text.lines().count().max(1) + 1;
                assert!(e.line >= 1 && e.line <= lines, "line {}: {e}", e.line);
            }
        }
    }

    /// Every file in `fuzz/<relative>` (if the directory exists) through `run`.
    fn replay(relative: &str, run: fn(&[u8])) -> usize {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz")
            .join(relative);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return 0;
        };
        let mut paths: Vec<_> = entries.map(|e| e.expect("entry").path()).collect();
        paths.sort();
        for path in &paths {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let result = std::panic::catch_unwind(|| run(&data));
            assert!(result.is_ok(), "input {} panicked", path.display());
        }
        paths.len()
    }

    #[test]
    fn seed_corpora_replay_cleanly() {
        for (target, run) in [
            ("auth_details", auth_details as fn(&[u8])),
            ("credential_report", credential_report),
            ("snapshot", snapshot),
            ("rules_config", rules_config),
        ] {
            let n = replay(&format!("corpus/{target}"), run);
            assert!(n >= 3, "{target}: only {n} seeds");
        }
    }

    /// Minimised crashes the fuzzers found, kept in fuzz/regressions/<target>.
    #[test]
    fn found_crashes_stay_fixed() {
        // The typed reader accepted invalid UTF-8 in a key it ignores, which
        // the walker refuses (found by the auth_details target).
        assert!(replay("regressions/auth_details", auth_details) >= 1);
    }
}
