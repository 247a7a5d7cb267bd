use super::*;

#[test]
fn builtin_rules_load_and_match_the_rules_directory() {
    let set = RuleSet::builtin().unwrap();
    assert_eq!(set.len(), BUILTIN_RULE_FILES.len());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = BUILTIN_RULE_FILES
        .iter()
        .map(|(f, _)| f.trim_start_matches("rules/").to_owned())
        .collect();
    assert_eq!(on_disk, embedded, "rules/ and BUILTIN_RULE_FILES differ");
    for rule in set.iter() {
        assert_eq!(
            format!("rules/{}.toml", rule.meta.id),
            rule.origin,
            "a rule file is named after its id"
        );
        assert!(
            !rule.meta.references.is_empty(),
            "{} has no references",
            rule.meta.id
        );
        assert!(
            rule.meta.example.is_some(),
            "{} has no example",
            rule.meta.id
        );
    }
}

const GOOD: &str = r#"id = "x-rule"
title = "T"
severity = "low"
check = "root-recent-use"
rationale = "why"
remediation = "how"

[params]
days = 3
"#;

fn err(text: &str) -> String {
    parse_rule(text, "rules/x.toml").unwrap_err().to_string()
}

#[test]
fn rule_file_errors_name_file_and_line() {
    assert!(parse_rule(GOOD, "rules/x.toml").is_ok());
    let e = err(&GOOD.replace("title = \"T\"", "title = \"T\"\ncolour = \"red\""));
    assert!(
        e.starts_with("rules/x.toml:3:") && e.contains("colour"),
        "{e}"
    );
    let e = err(&GOOD.replace("root-recent-use", "no-such-check"));
    assert!(
        e.starts_with("rules/x.toml:4:") && e.contains("unknown check"),
        "{e}"
    );
    // Parameter errors point at the key or value itself (the table is line 8).
    let e = err(&GOOD.replace("days = 3", "days = 3\nweeks = 1"));
    assert!(
        e.starts_with("rules/x.toml:10:1:") && e.contains("weeks"),
        "{e}"
    );
    let e = err(&GOOD.replace("days = 3", "days = \"three\""));
    assert!(e.starts_with("rules/x.toml:9:8:"), "{e}");
    let e = err(&GOOD.replace("\"low\"", "\"severe\""));
    assert!(
        e.starts_with("rules/x.toml:3:") && e.contains("severity"),
        "{e}"
    );
    let e = err(&GOOD.replace("x-rule", "X_Rule"));
    assert!(e.contains("kebab-case"), "{e}");
    let e = err(&GOOD.replace("rationale = \"why\"", "rationale = \"  \""));
    assert!(e.contains("rationale must not be empty"), "{e}");
}

#[test]
fn sensitive_action_lists_must_name_real_actions() {
    let text = r#"id = "x"
title = "T"
severity = "low"
check = "sensitive-actions"
rationale = "why"
remediation = "how"
[params]
capability = "c"
exempt_designated_admins = true
actions = ["workmail:StartMailboxExportJobs"]
"#;
    let e = err(text);
    assert!(e.contains("workmail:StartMailboxExportJobs"), "{e}");
    // The place is the value itself: line 10, column 11 (the list).
    assert!(e.starts_with("rules/x.toml:10:11: "), "{e}");
    assert!(
        e.contains("did you mean \"workmail:StartMailboxExportJob\"?"),
        "{e}"
    );
}

/// Parameters are checked against the catalog at load: a service prefix, a
/// policy ARN or a wildcard service that matches nothing would otherwise be
/// a rule that silently never fires.
#[test]
fn parameters_naming_nothing_are_load_errors_with_line_and_column() {
    let head = "id = \"x\"\ntitle = \"T\"\nseverity = \"low\"\nrationale = \"why\"\nremediation = \"how\"\n";
    for (check, params, line, column, want) in [
        (
            "direct-user-grant",
            "services = [\"workmial\"]\nlabel = \"WorkMail\"",
            8,
            12,
            "\"workmial\" is not a service prefix wmaudit knows (did you mean \"workmail\"?",
        ),
        (
            "wildcard-grant",
            "label = \"WorkMail\"\nservice = \"workmai\"",
            9,
            11,
            "\"workmai\" is not a service prefix",
        ),
        (
            "read-only-holder-can-write",
            "policy = \"AmazonWorkMailReadOnlyAccess\"\nservices = [\"workmail\"]",
            8,
            10,
            "is not a policy ARN",
        ),
        (
            "workmail-policy-ineffective",
            "policies = [\"arn:aws:iam::aws:role/X\"]",
            8,
            12,
            "is not a policy ARN",
        ),
        (
            "admin-without-mfa",
            "actions = [\"workmail:ResetPasword\"]",
            8,
            11,
            "did you mean \"workmail:ResetPassword\"?",
        ),
    ] {
        let text = format!("{head}check = \"{check}\"\n[params]\n{params}\n");
        let e = err(&text);
        assert!(
            e.starts_with(&format!(
                "rules/x.toml:{line}:{column}: [params] for check {check}: "
            )),
            "{check}: {e}"
        );
        assert!(e.contains(want), "{check}: {e}");
    }
}

#[test]
fn duplicate_ids_are_rejected() {
    let mut set = RuleSet::builtin().unwrap();
    let dup = parse_rule(
        &GOOD.replace("x-rule", "root-recent-use"),
        "custom/root.toml",
    )
    .unwrap();
    let e = set.add(dup).unwrap_err().to_string();
    assert!(
        e.contains("duplicate rule id") && e.contains("rules/root-recent-use.toml"),
        "{e}"
    );
}

/// Every problem of a rule file at once, with line, column and a suggestion.
#[test]
fn every_problem_of_a_rule_file_is_reported_at_once() {
    let text = GOOD
        .replace("title = \"T\"", "titel = \"T\"\ntitle = \"T\"")
        .replace("severity = \"low\"", "severity = \"lo\"")
        .replace(
            "check = \"root-recent-use\"",
            "check = \"root-recent-uses\"",
        )
        .replace("remediation = \"how\"", "remediation = \"  \"");
    let e = err(&text);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 5, "{e}");
    assert_eq!(lines[0], "4 problems:");
    assert_eq!(
        lines[1],
        "  rules/x.toml:2:1: unknown key `titel` in the rule: expected one of id, title, \
         severity, check, tags, rationale, remediation, example, references, params; \
         did you mean `title`?"
    );
    assert_eq!(
        lines[2],
        "  rules/x.toml:4:12: severity \"lo\": expected one of critical, high, medium, low, info"
    );
    assert!(
        lines[3].starts_with(
            "  rules/x.toml:5:9: unknown check \"root-recent-uses\": expected one of "
        ) && lines[3].ends_with("; did you mean `root-recent-use`?"),
        "{e}"
    );
    assert_eq!(
        lines[4],
        "  rules/x.toml:7:15: remediation must not be empty"
    );
}
