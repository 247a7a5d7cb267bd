//! Inputs of the fuzz targets (fuzz/), replayed under `cargo test`: seed
//! corpora and every minimised crash, through the targets' own bodies
//! (fuzz/fuzz_targets/common.rs, included below), so a fixed crash stays
//! fixed without a nightly toolchain. Top level: `policy_document`;
//! `import_targets`: the import targets.

use crate::fuzz_common as common;

use std::path::Path;

use common::policy_document as run;
use wmaudit_core::policy::PolicyDocument;

fn replay_dir(relative: &str) -> usize {
    let dir = Path::new(crate::REPO).join(relative);
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
    let dir = Path::new(crate::REPO).join("fuzz/corpus/policy_document");
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
// snapshot, rules_config}.rs) over their seed corpora and every minimised
// crash.

mod import_targets {
    use std::path::Path;

    use super::common::{
        account_extras, auth_details, credential_report, organization, rules_config, snapshot,
    };

    /// Every file in `fuzz/<relative>` (if the directory exists) through `run`.
    fn replay(relative: &str, run: fn(&[u8])) -> usize {
        let dir = Path::new(crate::REPO).join("fuzz").join(relative);
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
            ("account_extras", account_extras),
            ("organization", organization),
        ] {
            let n = replay(&format!("corpus/{target}"), run);
            assert!(n >= 3, "{target}: only {n} seeds");
        }
    }

    /// Minimised crashes the fuzzers found, kept in fuzz/regressions/<target>.
    #[test]
    fn found_crashes_stay_fixed() {
        // The typed reader accepted invalid UTF-8 in a key it ignores (found
        // by the auth_details target when a second reader refused it).
        assert!(replay("regressions/auth_details", auth_details) >= 1);
    }
}
