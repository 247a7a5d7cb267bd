//! Files generated from the code: the rule reference (docs/rules.md) and the
//! demo's sample reports. A test fails when they are out of date; run with
//! `WMAUDIT_BLESS=1` to rewrite them, then review the diff.

use std::path::Path;

use wmaudit_core::config::Config;
use wmaudit_core::report::{Format, RenderOptions, render_all};
use wmaudit_core::rules::RuleSet;
use wmaudit_core::scan::{ScanOptions, scan};

fn check_or_bless(rel: &str, want: &str) -> Option<String> {
    let path = Path::new(crate::REPO).join(rel);
    if std::env::var_os("WMAUDIT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, want).unwrap();
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(have) if have == want => None,
        Ok(_) => Some(format!("{rel} is out of date")),
        Err(e) => Some(format!("{rel}: {e}")),
    }
}

fn rules_markdown(rules: &RuleSet) -> String {
    let mut s = String::from(
        "# wmaudit rules\n\n<!-- Generated from rules/*.toml by crates/wmaudit-core/tests/it/generated.rs; do not edit. -->\n\n\
         | rule | severity | title |\n|---|---|---|\n",
    );
    for r in rules.iter() {
        s.push_str(&format!(
            "| [`{id}`](#{id}) | {} | {} |\n",
            r.meta.severity,
            r.meta.title,
            id = r.meta.id
        ));
    }
    for r in rules.iter() {
        s.push('\n');
        // Demote the rule's own headings one level under this page's title.
        let help = r.meta.help_markdown().replace("\n## ", "\n### ");
        s.push_str(&help.replacen("# ", &format!("<a id=\"{}\"></a>\n## ", r.meta.id), 1));
        s.push_str(&format!("\nCheck: `{}`", r.check));
        if !r.params.is_empty() {
            s.push_str(&format!(
                "; parameters:\n\n```toml\n{}```\n",
                toml::to_string(&r.params).unwrap()
            ));
        } else {
            s.push('\n');
        }
    }
    s
}

#[test]
fn generated_files_are_up_to_date() {
    let rules = RuleSet::builtin().unwrap();
    let mut stale = Vec::new();
    stale.extend(check_or_bless("docs/rules.md", &rules_markdown(&rules)));

    let config = Config::default();
    let opts = ScanOptions::new(&rules, &config);
    let reports: Vec<_> = wmaudit_core::demo::snapshots()
        .unwrap()
        .iter()
        .map(|s| scan(s, &opts))
        .collect();
    for (file, format) in [
        ("sample-reports/demo.txt", Format::Table),
        ("sample-reports/demo.json", Format::Json),
        ("sample-reports/demo.sarif", Format::Sarif),
        ("sample-reports/demo.md", Format::Markdown),
        ("sample-reports/demo.html", Format::Html),
    ] {
        let text = render_all(format, &reports, &RenderOptions::default());
        stale.extend(check_or_bless(file, &text));
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate with: WMAUDIT_BLESS=1 cargo test --test generated, then review the diff",
        stale.join("\n")
    );
}

#[test]
fn readme_policy_is_the_shipped_policy() {
    let root = Path::new(crate::REPO);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // Each section's first JSON block is the file, word for word.
    for (heading, file) in [
        (
            "## The auditor's IAM policy",
            "policy/wmaudit-auditor-policy.json",
        ),
        (
            "### For an organization scan",
            "policy/wmaudit-organization-policy.json",
        ),
        (
            "StackSets\nwith service-managed",
            "policy/wmaudit-member-trust-policy.json",
        ),
    ] {
        let heading = heading.replace("\\n", "\n");
        let start = readme
            .find(&heading)
            .unwrap_or_else(|| panic!("README has {heading:?}"));
        let block = readme[start..]
            .split("```json\n")
            .nth(1)
            .and_then(|b| b.split("\n```").next())
            .expect("a json block in that section");
        let in_readme: serde_json::Value = serde_json::from_str(block).unwrap();
        let shipped: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        assert_eq!(in_readme, shipped, "README's policy and {file} differ");
    }
}

#[test]
fn ci_runs_the_test_command_in_the_readme() {
    let root = Path::new(crate::REPO);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let cmd = "bash scripts/test";
    assert!(
        readme.contains(&format!("```sh\n{cmd}\n```")),
        "README names {cmd}"
    );
    assert!(ci.lines().any(|l| l.trim() == cmd), ".ci/run runs {cmd}");
}

#[test]
fn the_rule_in_writing_rules_md_loads() {
    let doc =
        std::fs::read_to_string(Path::new(crate::REPO).join("docs/writing-rules.md")).unwrap();
    let block = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a toml block");
    let rule = wmaudit_core::rules::parse_rule(block, "docs/writing-rules.md").unwrap();
    assert_eq!(rule.meta.id, "ses-receipt-rules");
    assert_eq!(rule.check, "sensitive-actions");
}

/// The demo shows every rule: each shipped rule fires in one of its accounts.
#[test]
fn the_demo_fires_every_shipped_rule() {
    let rules = RuleSet::builtin().unwrap();
    let config = Config::default();
    let opts = ScanOptions::new(&rules, &config);
    let fired: std::collections::BTreeSet<String> = wmaudit_core::demo::snapshots()
        .unwrap()
        .iter()
        .flat_map(|s| scan(s, &opts).findings)
        .map(|f| f.finding.rule_id)
        .collect();
    let silent: Vec<&str> = rules
        .iter()
        .map(|r| r.meta.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(
        silent.is_empty(),
        "rules that never fire in the demo: {silent:?}"
    );
}
