//! The body of every fuzz target, one function each: the targets in this
//! folder call them, and tests/fuzz_regressions.rs includes this file
//! (`#[path]`) to replay the seed corpora and every minimised crash through
//! the same code under stable `cargo test`. A parsed input goes on through
//! the whole scan and every renderer, because hostile data that parses must
//! not crash the engine, the rules or the reports either.
#![allow(dead_code)] // each target uses one body

use std::sync::OnceLock;

use time::macros::datetime;
use wmaudit_core::catalog::Catalog;
use wmaudit_core::config::Config;
use wmaudit_core::policy::{Compiler, PolicyDocument};
use wmaudit_core::report::{Format, RenderOptions, render};
use wmaudit_core::rules::{RuleSet, parse_rule};
use wmaudit_core::scan::{ScanOptions, scan};
use wmaudit_core::snapshot::Snapshot;

/// Arbitrary text through the policy parser and, when it parses, the
/// compiler. Documents come from accounts under audit, which wmaudit must
/// not trust.
pub fn policy_document(data: &[u8]) {
    // Documents reach the parser as text; non-UTF-8 bytes cannot.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = PolicyDocument::parse(text) else {
        return;
    };
    let statements = document.statements.len();
    let catalog = Catalog::builtin();
    // A fresh compiler per input, so each run is independent of the last.
    let mut compiler = Compiler::new(catalog);
    if let Ok(compiled) = compiler.compile(document) {
        // Invariants a caller relies on.
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

/// Bytes as `aws iam get-account-authorization-details` output: an error
/// names the file and a place in it; what parses scans, renders and
/// round-trips through a snapshot file.
pub fn auth_details(data: &[u8]) {
    let account = match wmaudit_core::snapshot::parse_auth_details(data, "fuzz.json") {
        Ok(account) => account,
        Err(e) => {
            let e = e.to_string();
            assert!(
                e.starts_with("fuzz.json")
                    && (e.contains(": at ") || e.contains("line ") || e.contains("duplicate")),
                "error without file and place: {e}"
            );
            return;
        }
    };
    let snapshot = snapshot_with(Some(account), None);
    round_trip(&snapshot);
    scan_and_render(&snapshot);
}

/// Bytes as a credential report (the CLI's JSON or the decoded CSV).
pub fn credential_report(data: &[u8]) {
    let Ok(report) = wmaudit_core::snapshot::parse_credential_report(data, "fuzz.csv") else {
        return;
    };
    let snapshot = snapshot_with(None, Some(report));
    round_trip(&snapshot);
    scan_and_render(&snapshot);
}

/// Bytes as the three small account files (`aws iam list-virtual-mfa-devices`,
/// `get-account-password-policy`, `list-account-aliases`): each reader
/// returns a value or an error naming the file and a place; what they accept
/// joins a snapshot that round-trips, scans and renders.
pub fn account_extras(data: &[u8]) {
    use wmaudit_core::snapshot::import::{
        parse_account_aliases, parse_password_policy, parse_virtual_mfa_devices,
    };
    let named = |e: wmaudit_core::snapshot::InputError| {
        let e = e.to_string();
        assert!(
            e.starts_with("fuzz.json") && (e.contains(": at ") || e.contains("line ")),
            "error without file and place: {e}"
        );
    };
    let mut snapshot = snapshot_with(None, None);
    match parse_virtual_mfa_devices(data, "fuzz.json") {
        Ok(d) => snapshot.virtual_mfa_devices = Some(d),
        Err(e) => named(e),
    }
    match parse_password_policy(data, "fuzz.json") {
        Ok(p) => snapshot.password_policy = Some(p),
        Err(e) => named(e),
    }
    match parse_account_aliases(data, "fuzz.json") {
        Ok(a) => snapshot.account_aliases = Some(a),
        Err(e) => named(e),
    }
    round_trip(&snapshot);
    scan_and_render(&snapshot);
}

/// Bytes as a `wmaudit-snapshot/1` file.
pub fn snapshot(data: &[u8]) {
    let Ok(snapshot) = wmaudit_core::snapshot::parse_snapshot(data, "fuzz.json") else {
        return;
    };
    round_trip(&snapshot);
    scan_and_render(&snapshot);
}

/// Bytes as a `wmaudit-organization/1` file: refused or read; a file read
/// writes and reads back unchanged (in its sorted order), and bounds the
/// demo's accounts in a scan that renders in every format.
pub fn organization(data: &[u8]) {
    let Ok(org) = wmaudit_core::org::parse_organization(data, "fuzz.json") else {
        return;
    };
    let mut sorted = org.clone();
    sorted.sort();
    let text = serde_json::to_string(&sorted).expect("an organization serializes");
    match wmaudit_core::org::parse_organization(text.as_bytes(), "round-trip") {
        Ok(back) => assert_eq!(back, sorted, "organization changed on a round trip"),
        Err(e) => panic!("a written organization does not read back: {e}"),
    }
    let config = Config::default();
    let opts = ScanOptions {
        as_of: Some(datetime!(2026-06-01 00:00 UTC)),
        organization: Some(&org),
        ..ScanOptions::new(rules(), &config)
    };
    let Ok(snapshots) = wmaudit_core::demo::snapshots() else {
        panic!("the demo loads");
    };
    let reports: Vec<_> = snapshots.iter().map(|s| scan(s, &opts)).collect();
    let set = wmaudit_core::report::ReportSet {
        reports: &reports,
        organization: Some(&org),
        allow_incomplete: false,
    };
    assert!(matches!(set.verdict().exit_code(), 0 | 1 | 3));
    for format in Format::ALL {
        let text = wmaudit_core::report::render_set(format, &set, &RenderOptions::default());
        if format == Format::Json {
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        }
    }
}

/// UTF-8 text as a rule file and as `wmaudit.toml`.
pub fn rules_config(data: &[u8]) {
    // Rule and config files are read as UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut rules) = RuleSet::builtin() else {
        panic!("the shipped rules load");
    };
    if let Ok(rule) = parse_rule(text, "fuzz.toml") {
        assert!(!rule.meta.id.is_empty());
        // A new id joins; a shipped id is a duplicate error, not a panic.
        let _ = rules.add(rule);
    }
    if let Err(all) =
        wmaudit_core::config::Config::parse_and_apply(text, "wmaudit.toml", &mut rules)
    {
        // Every config problem names a line (1-based) and column within the text.
        let lines = text.lines().count().max(1) + 1;
        assert!(!all.0.is_empty());
        for e in &all.0 {
            match e.place {
                wmaudit_core::snapshot::Place::LineColumn { line, column } => assert!(
                    line >= 1 && line <= lines && column >= 1,
                    "line {line} of {lines}: {e}"
                ),
                _ => panic!("a config problem without line and column: {e}"),
            }
        }
    }
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("the shipped rules load"))
}

/// Scans and renders in every format; the renderers must never panic and
/// the JSON report must be valid JSON.
pub fn scan_and_render(snapshot: &Snapshot) {
    let config = Config::default();
    let opts = ScanOptions {
        // Fixed, so a run does not depend on the clock.
        as_of: Some(datetime!(2026-06-01 00:00 UTC)),
        ..ScanOptions::new(rules(), &config)
    };
    let report = scan(snapshot, &opts);
    assert!(matches!(report.gate.verdict.exit_code(), 0 | 1 | 3));
    for format in Format::ALL {
        let text = render(format, &report, &RenderOptions::default());
        if format == Format::Json {
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        }
    }
}

/// A snapshot built from imported parts must survive its own file format.
pub fn round_trip(snapshot: &Snapshot) {
    let text = wmaudit_core::snapshot::to_json_string(snapshot);
    match wmaudit_core::snapshot::parse_snapshot(text.as_bytes(), "round-trip") {
        Ok(back) => assert_eq!(&back, snapshot, "snapshot changed on a round trip"),
        Err(e) => panic!("a written snapshot does not read back: {e}"),
    }
}

/// A files-source snapshot holding only the given parts.
pub fn snapshot_with(
    account: Option<wmaudit_core::account::Account>,
    report: Option<wmaudit_core::snapshot::CredentialReport>,
) -> Snapshot {
    use wmaudit_core::snapshot::{Metadata, SNAPSHOT_FORMAT, SourceKind};
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
        service_last_accessed: None,
        workmail: None,
    }
}
