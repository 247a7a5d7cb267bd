//! `wmaudit.toml`: per-rule overrides, designated WorkMail administrators and
//! suppressions. Validated strictly, cargo-deny style: unknown keys, unknown
//! rule ids and bad parameters are all reported at once, each with
//! FILE:LINE:COLUMN and, for a misspelt name, a suggestion.

mod parse;

use std::path::{Path, PathBuf};

use time::Date;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::findings::Severity;
use crate::rules::{RuleSet, checks};

pub const DEFAULT_CONFIG_FILE: &str = "wmaudit.toml";

/// A finding suppression: which rule, which resources (an ARN pattern with
/// `*`/`?`), why, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub expires: Option<Date>,
    /// Line in the config file, for notices.
    pub line: usize,
    /// Byte offset of the rule id, for an unknown-rule error's column.
    rule_offset: usize,
}

/// What applying a config changed about the rules, for the configuration
/// block every report carries and for `wmaudit rules`.
#[derive(Debug, Clone, Default)]
pub struct RuleChanges {
    /// Rules switched off (`enabled = false`), as they were before.
    pub disabled: Vec<crate::rules::Rule>,
    /// (rule, the rule file's severity, the config's).
    pub severity: Vec<(String, Severity, Severity)>,
    /// (rule, the parameter names the config sets).
    pub params: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub file: Option<PathBuf>,
    /// The file was found in the current directory, not named with --config.
    pub discovered: bool,
    /// Filled by [`Config::apply`] (and the `*_and_apply` constructors).
    pub changes: RuleChanges,
    pub fail_on: Option<Option<Severity>>,
    /// ARN patterns of designated WorkMail administrators.
    pub administrators: Vec<String>,
    pub suppressions: Vec<Suppression>,
    overrides: Vec<Override>,
    /// The file's name and text, for problems found when applying it.
    source: Option<(String, String)>,
}

/// `[rules.ID]`: what the config changes about one rule.
#[derive(Debug, Clone)]
struct Override {
    id: String,
    /// Byte offset of the rule id in the file.
    offset: usize,
    enabled: Option<bool>,
    severity: Option<Severity>,
    /// The parameters and the byte offset of their table.
    params: Option<(toml::Table, usize)>,
}

impl Config {
    /// Every problem of the file's own shape; rule ids and parameters are
    /// checked against a rule set by [`Config::apply`].
    pub fn parse(text: &str, file: &str) -> Result<Config, Diagnostics> {
        let mut found = Vec::new();
        let c = Config::read(text, file, &mut found);
        Diagnostics::check(found)?;
        Ok(c)
    }

    /// What the text holds, its problems added to `found`.
    fn read(text: &str, file: &str, found: &mut Vec<Diagnostic>) -> Config {
        let mut c = parse::parse(text, file, found);
        c.source = Some((file.to_owned(), text.to_owned()));
        c
    }

    /// The configuration in `text`, applied to `rules`: every problem of
    /// both stages at once.
    pub fn parse_and_apply(
        text: &str,
        file: &str,
        rules: &mut RuleSet,
    ) -> Result<Config, Diagnostics> {
        let mut found = Vec::new();
        let mut c = Config::read(text, file, &mut found);
        c.changes = c.apply_into(rules, &mut found);
        Diagnostics::check(found)?;
        Ok(c)
    }

    /// `--config FILE`, else `wmaudit.toml` in the current directory if
    /// present, applied to `rules`: the problems of both stages together.
    pub fn discover_and_apply(
        explicit: Option<&Path>,
        rules: &mut RuleSet,
    ) -> Result<Config, Diagnostics> {
        let path = match explicit {
            Some(p) => p,
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => Path::new(DEFAULT_CONFIG_FILE),
            None => return Ok(Config::default()),
        };
        let file = path.display().to_string();
        let text = crate::read_file::read_text_bounded(path, crate::read_file::MAX_TEXT_FILE)
            .map_err(|e| Diagnostic::file(&file, format!("cannot read: {e}")))?;
        let mut c = Config::parse_and_apply(&text, &file, rules)?;
        c.file = Some(path.to_owned());
        c.discovered = explicit.is_none();
        Ok(c)
    }

    /// Applies per-rule overrides to a rule set and checks that every rule id
    /// the config names exists.
    pub fn apply(&mut self, rules: &mut RuleSet) -> Result<(), Diagnostics> {
        let mut found = Vec::new();
        self.changes = self.apply_into(rules, &mut found);
        Diagnostics::check(found)
    }

    fn apply_into(&self, rules: &mut RuleSet, found: &mut Vec<Diagnostic>) -> RuleChanges {
        let mut changes = RuleChanges::default();
        let (file, text) = match &self.source {
            Some((f, t)) => (f.as_str(), t.as_str()),
            None => (DEFAULT_CONFIG_FILE, ""),
        };
        let ids: Vec<String> = rules.iter().map(|r| r.meta.id.clone()).collect();
        let unknown = |id: &str| {
            format!(
                "no rule has the id {id:?}{}",
                did_you_mean(id, ids.iter().map(String::as_str))
            )
        };
        for s in &self.suppressions {
            if s.rule != "*" && rules.get(&s.rule).is_none() {
                found.push(Diagnostic::at(
                    file,
                    text,
                    s.rule_offset,
                    format!("suppression: {}", unknown(&s.rule)),
                ));
            }
        }
        let mut disabled = Vec::new();
        for o in &self.overrides {
            let Some(rule) = rules.get_mut(&o.id) else {
                found.push(Diagnostic::at(
                    file,
                    text,
                    o.offset,
                    format!("[rules.{}]: {}", o.id, unknown(&o.id)),
                ));
                continue;
            };
            if let Some(sev) = o.severity {
                if sev != rule.meta.severity {
                    changes
                        .severity
                        .push((o.id.clone(), rule.meta.severity, sev));
                }
                rule.meta.severity = sev;
            }
            if let Some((params, offset)) = &o.params {
                changes
                    .params
                    .push((o.id.clone(), params.keys().cloned().collect()));
                let mut merged = rule.params.clone();
                merged.extend(params.clone());
                let prepared = checks::find(&rule.check)
                    .ok_or_else(|| format!("unknown check {}", rule.check))
                    .and_then(|check| check.prepare(&merged));
                match prepared {
                    Ok(p) => {
                        rule.prepared = p;
                        rule.params = merged;
                    }
                    Err(m) => found.push(Diagnostic::at(
                        file,
                        text,
                        *offset,
                        format!("[rules.{}.params]: {m}", o.id),
                    )),
                }
            }
            if o.enabled == Some(false) {
                disabled.push(o.id.clone());
            }
        }
        for id in disabled {
            changes.disabled.extend(rules.remove(&id));
        }
        changes.severity.sort();
        changes.params.sort();
        changes
    }
}

pub fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    if s == "none" {
        Some(None)
    } else {
        Severity::parse(s).map(Some)
    }
}

fn to_date(d: &toml::value::Datetime) -> Option<Date> {
    if d.time.is_some() || d.offset.is_some() {
        return None;
    }
    let date = d.date?;
    let month = time::Month::try_from(date.month).ok()?;
    Date::from_calendar_date(i32::from(date.year), month, date.day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
fail_on = "medium"

[workmail]
administrators = ["arn:aws:iam::*:group/MailAdmins"]

[rules.root-recent-use]
severity = "critical"
params = { days = 30 }

[rules.iam-user-direct-policies]
enabled = false

[[suppress]]
rule = "workmail-mail-content-access"
resource = "arn:aws:iam::*:role/MailMigration"
reason = "Mailbox export during the migration, ticket MIG-12"
expires = 2027-04-30
"#;

    #[test]
    fn applies_overrides() {
        let mut c = Config::parse(GOOD, "wmaudit.toml").unwrap();
        assert_eq!(c.fail_on, Some(Some(Severity::Medium)));
        assert_eq!(c.suppressions[0].line, 14);
        assert_eq!(
            c.suppressions[0].expires,
            Some(time::macros::date!(2027 - 04 - 30))
        );
        let mut rules = RuleSet::builtin().unwrap();
        c.apply(&mut rules).unwrap();
        let r = rules.get("root-recent-use").unwrap();
        assert_eq!(r.meta.severity, Severity::Critical);
        assert_eq!(r.params["days"].as_integer(), Some(30));
        assert!(rules.get("iam-user-direct-policies").is_none());
    }

    fn apply_err(text: &str) -> String {
        let mut rules = RuleSet::builtin().unwrap();
        Config::parse_and_apply(text, "wmaudit.toml", &mut rules)
            .unwrap_err()
            .to_string()
    }

    /// #15 defect 5: a name where an ARN belongs matched nothing and, for
    /// administrators, switched the default designation off silently.
    #[test]
    fn administrators_and_suppressed_resources_must_be_arn_patterns() {
        let e = apply_err(
            "[workmail]\nadministrators = [\"WorkMailAdmins\", \"arn:aws:iam::*:policy/X\"]\n",
        );
        assert_eq!(
            e,
            "2 problems:\n  wmaudit.toml:2:19: workmail.administrators entry \"WorkMailAdmins\" is not an ARN pattern: expected arn:aws:iam::111122223333:group/NAME (`*` and `?` allowed); for a group named WorkMailAdmins: \"arn:aws:iam::*:group/WorkMailAdmins\"\n  wmaudit.toml:2:37: workmail.administrators entry \"arn:aws:iam::*:policy/X\" names no user, group or role: expected arn:aws:iam::ACCOUNT:user/NAME, group/NAME or role/NAME"
        );
        let e =
            apply_err("[[suppress]]\nrule = \"*\"\nresource = \"user/grace\"\nreason = \"x\"\n");
        assert!(
            e.starts_with(
                "wmaudit.toml:3:12: [[suppress]] resource \"user/grace\" is not an ARN pattern"
            ) && e.contains("\"arn:aws:iam::*:user/grace\""),
            "{e}"
        );
        let ok = "[workmail]\nadministrators = [\"arn:aws:iam::*:group/MailAdmins\", \"arn:aws:iam::*:role/*\"]\n";
        assert!(Config::parse(ok, "wmaudit.toml").is_ok());
    }

    /// A window the calendar cannot hold panicked in root.rs (issue #16
    /// item 17); it is a load error now.
    #[test]
    fn out_of_range_parameters_are_load_errors() {
        let e = apply_err("[rules.root-recent-use]\nparams = { days = 4400000 }\n");
        assert_eq!(
            e,
            "wmaudit.toml:2:10: [rules.root-recent-use.params]: days = 4400000: expected 1 to 36525 (a hundred years)"
        );
        let e = apply_err("[rules.root-recent-use]\nparams = { days = 0 }\n");
        assert!(e.contains("days = 0: expected 1 to 36525"), "{e}");
    }

    /// Every problem at once, each with line and column, misspelt names
    /// with a suggestion (cargo-deny's manners).
    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "\
fail_on = \"severe\"
colour = 1

[workmail]
administrator = [\"x\"]

[rules.root-recent-usse]
enabled = false

[rules.root-mfa-disabled]
severity = \"urgent\"
enabeld = true

[[suppress]]
rule = \"root-mfa-disable\"
reason = \"\"
";
        let e = apply_err(text);
        let expected = [
            "8 problems:",
            "  wmaudit.toml:1:11: fail_on \"severe\": expected critical, high, medium, low, info or none",
            "  wmaudit.toml:2:1: unknown key `colour` in the top level: expected one of fail_on, workmail, rules, suppress",
            "  wmaudit.toml:5:1: unknown key `administrator` in [workmail]: expected one of administrators; did you mean `administrators`?",
            "  wmaudit.toml:7:8: [rules.root-recent-usse]: no rule has the id \"root-recent-usse\"; did you mean `root-recent-use`?",
            "  wmaudit.toml:11:12: [rules.root-mfa-disabled] severity \"urgent\": expected critical, high, medium, low or info",
            "  wmaudit.toml:12:1: unknown key `enabeld` in [rules.root-mfa-disabled]: expected one of enabled, severity, params; did you mean `enabled`?",
            "  wmaudit.toml:15:8: suppression: no rule has the id \"root-mfa-disable\"; did you mean `root-mfa-disabled`?",
            "  wmaudit.toml:16:10: a suppression needs a non-empty reason",
        ];
        assert_eq!(e, expected.join("\n"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = apply_err("fail_on = \"high\"\ncolour = 1\n");
        assert!(
            e.starts_with("wmaudit.toml:2:") && e.contains("colour"),
            "{e}"
        );
        let e = apply_err("\n[rules.no-such-rule]\nenabled = false\n");
        assert!(
            e.starts_with("wmaudit.toml:2:") && e.contains("no rule"),
            "{e}"
        );
        // The params table itself (line 2, column 10), not the section header.
        let e = apply_err("[rules.root-recent-use]\nparams = { weeks = 2 }\n");
        assert!(
            e.starts_with("wmaudit.toml:2:10:") && e.contains("weeks"),
            "{e}"
        );
        // The empty value itself (line 3, column 10), not the section header.
        let e = apply_err("[[suppress]]\nrule = \"root-mfa-disabled\"\nreason = \"\"\n");
        assert!(
            e.starts_with("wmaudit.toml:3:10:") && e.contains("reason"),
            "{e}"
        );
        let e = apply_err("[[suppress]]\nrule = \"root-mfa-disabled\"\n");
        assert!(e.contains("reason"), "{e}");
        // The rule id itself (line 4, column 8), not the section header.
        let e = apply_err("\n\n[[suppress]]\nrule = \"root-mfa\"\nreason = \"x\"\n");
        assert!(
            e.starts_with("wmaudit.toml:4:8:") && e.contains("no rule has the id \"root-mfa\""),
            "{e}"
        );
        let e = apply_err("fail_on = \"severe\"\n");
        assert!(e.contains("fail_on"), "{e}");
        let e = apply_err(
            "[[suppress]]\nrule = \"*\"\nreason = \"x\"\nexpires = 2027-01-01T00:00:00Z\n",
        );
        assert!(e.contains("expected a date"), "{e}");
    }
}
