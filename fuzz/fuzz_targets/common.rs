//! Shared by the import targets: a parsed input goes on through the whole
//! scan and every renderer, because hostile data that parses must not crash
//! the engine, the rules or the reports either.

use std::sync::OnceLock;

use time::macros::datetime;
use wmaudit::config::Config;
use wmaudit::findings::Severity;
use wmaudit::report::{Format, RenderOptions, render};
use wmaudit::rules::RuleSet;
use wmaudit::scan::{ScanOptions, scan};
use wmaudit::snapshot::Snapshot;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("the shipped rules load"))
}

/// Scans and renders in every format; the renderers must never panic and
/// the JSON report must be valid JSON.
pub fn scan_and_render(snapshot: &Snapshot) {
    let config = Config::default();
    let opts = ScanOptions {
        rules: rules(),
        config: &config,
        fail_on: Some(Severity::High),
        allow_incomplete: false,
        baseline: None,
        // Fixed, so a run does not depend on the clock.
        as_of: Some(datetime!(2026-06-01 00:00 UTC)),
    };
    let report = scan(snapshot, &opts);
    assert!(matches!(report.gate.exit_code, 0 | 1 | 3));
    for format in Format::ALL {
        let text = render(format, &report, &RenderOptions::default());
        if format == Format::Json {
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        }
    }
}

/// A snapshot built from imported parts must survive its own file format.
pub fn round_trip(snapshot: &Snapshot) {
    let text = wmaudit::snapshot::to_json_string(snapshot);
    match wmaudit::snapshot::parse_snapshot(text.as_bytes(), "round-trip") {
        Ok(back) => assert_eq!(&back, snapshot, "snapshot changed on a round trip"),
        Err(e) => panic!("a written snapshot does not read back: {e}"),
    }
}

/// A files-source snapshot holding only the given parts.
// The `snapshot` target reads whole snapshots and does not need it.
#[allow(dead_code)]
pub fn snapshot_with(
    account: Option<wmaudit::account::Account>,
    report: Option<wmaudit::snapshot::CredentialReport>,
) -> Snapshot {
    use wmaudit::snapshot::{Metadata, SNAPSHOT_FORMAT, SourceKind};
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
