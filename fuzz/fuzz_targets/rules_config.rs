//! Arbitrary text as a rule file and as `wmaudit.toml`: Ok or an error with a
//! line, never a panic; an accepted config must apply to the shipped rules
//! (or refuse with an error) and an accepted rule must join the rule set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wmaudit::config::Config;
use wmaudit::rules::RuleSet;
use wmaudit::rules::parse_rule;

fuzz_target!(|data: &[u8]| {
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
    match Config::parse(text, "wmaudit.toml") {
        Ok(config) => {
            let _ = config.apply(&mut rules);
        }
        Err(e) => {
            // Every config error names a line (1-based) within the text.
            let lines = text.lines().count().max(1) + 1;
            assert!(
                e.line >= 1 && e.line <= lines,
                "line {} of {lines}: {e}",
                e.line
            );
        }
    }
});
