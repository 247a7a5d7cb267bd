//! `wmaudit.toml`: per-rule overrides, designated WorkMail administrators and
//! suppressions. Validated strictly: unknown keys, unknown rule ids and bad
//! parameters are errors with the line they are on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::Date;

use crate::findings::Severity;
use crate::rules::{RuleError, RuleSet, line_at, registry};

pub const DEFAULT_CONFIG_FILE: &str = "wmaudit.toml";

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    fail_on: Option<toml::Spanned<String>>,
    #[serde(default)]
    workmail: RawWorkMail,
    #[serde(default)]
    rules: BTreeMap<String, toml::Spanned<RawOverride>>,
    #[serde(default)]
    suppress: Vec<toml::Spanned<RawSuppression>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkMail {
    #[serde(default)]
    administrators: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    enabled: Option<bool>,
    severity: Option<String>,
    params: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    rule: String,
    #[serde(default = "any")]
    resource: String,
    reason: String,
    expires: Option<toml::value::Datetime>,
}

fn any() -> String {
    "*".into()
}

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
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub file: Option<PathBuf>,
    pub fail_on: Option<Option<Severity>>,
    /// ARN patterns of designated WorkMail administrators.
    pub administrators: Vec<String>,
    pub suppressions: Vec<Suppression>,
    overrides: Vec<(String, usize, RawOverrideOwned)>,
}

#[derive(Debug, Clone)]
struct RawOverrideOwned {
    enabled: Option<bool>,
    severity: Option<Severity>,
    params: Option<toml::Table>,
}

impl Config {
    /// `--config FILE`, else `wmaudit.toml` in the current directory if present.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::load(p),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Config::load(Path::new(DEFAULT_CONFIG_FILE))
            }
            None => Ok(Config::default()),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            message: format!("cannot read: {e}"),
        })?;
        let mut c = Config::parse(&text, &path.display().to_string())?;
        c.file = Some(path.to_owned());
        Ok(c)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let err = |line: usize, message: String| ConfigError {
            file: file.to_owned(),
            line,
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
            err(line, e.message().to_owned())
        })?;
        let fail_on = match raw.fail_on {
            None => None,
            Some(s) => Some(parse_fail_on(s.get_ref()).ok_or_else(|| {
                err(
                    line_at(text, s.span().start),
                    format!(
                        "fail_on {:?}: expected critical, high, medium, low, info or none",
                        s.get_ref()
                    ),
                )
            })?),
        };
        let mut overrides = Vec::new();
        for (id, o) in raw.rules {
            let line = line_at(text, o.span().start);
            let o = o.into_inner();
            let severity = match &o.severity {
                None => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                    err(
                        line,
                        format!("[rules.{id}] severity {s:?}: expected critical, high, medium, low or info"),
                    )
                })?),
            };
            overrides.push((
                id,
                line,
                RawOverrideOwned {
                    enabled: o.enabled,
                    severity,
                    params: o.params,
                },
            ));
        }
        let mut suppressions = Vec::new();
        for s in raw.suppress {
            let line = line_at(text, s.span().start);
            let s = s.into_inner();
            if s.reason.trim().is_empty() {
                return Err(err(line, "a suppression needs a non-empty reason".into()));
            }
            let expires = match s.expires {
                None => None,
                Some(d) => Some(to_date(&d).ok_or_else(|| {
                    err(
                        line,
                        format!("expires = {d}: expected a date such as 2027-04-30"),
                    )
                })?),
            };
            suppressions.push(Suppression {
                rule: s.rule,
                resource: s.resource,
                reason: s.reason,
                expires,
                line,
            });
        }
        Ok(Config {
            file: None,
            fail_on,
            administrators: raw.workmail.administrators,
            suppressions,
            overrides,
        })
    }

    /// Applies per-rule overrides to a rule set and checks that every rule id
    /// the config names exists.
    pub fn apply(&self, rules: &mut RuleSet) -> Result<(), ConfigError> {
        let file = self.file.as_ref().map_or_else(
            || DEFAULT_CONFIG_FILE.to_owned(),
            |p| p.display().to_string(),
        );
        let err = |line: usize, message: String| ConfigError {
            file: file.clone(),
            line,
            message,
        };
        for s in &self.suppressions {
            if s.rule != "*" && rules.get(&s.rule).is_none() {
                return Err(err(
                    s.line,
                    format!("suppression names unknown rule {:?}", s.rule),
                ));
            }
        }
        for (id, line, o) in &self.overrides {
            let Some(rule) = rules.get_mut(id) else {
                return Err(err(*line, format!("[rules.{id}]: no rule has this id")));
            };
            if let Some(sev) = o.severity {
                rule.meta.severity = sev;
            }
            if let Some(params) = &o.params {
                let mut merged = rule.params.clone();
                merged.extend(params.clone());
                let check = registry::find(&rule.check).ok_or_else(|| {
                    err(*line, format!("[rules.{id}]: unknown check {}", rule.check))
                })?;
                rule.prepared = check
                    .prepare(&merged)
                    .map_err(|m| err(*line, format!("[rules.{id}.params]: {m}")))?;
                rule.params = merged;
            }
            if o.enabled == Some(false) {
                rules.remove(id);
            }
        }
        Ok(())
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

impl From<RuleError> for ConfigError {
    fn from(e: RuleError) -> Self {
        ConfigError {
            file: String::new(),
            line: 0,
            message: e.to_string(),
        }
    }
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
        let c = Config::parse(GOOD, "wmaudit.toml").unwrap();
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
        let c = match Config::parse(text, "wmaudit.toml") {
            Ok(c) => c,
            Err(e) => return e.to_string(),
        };
        let mut rules = RuleSet::builtin().unwrap();
        c.apply(&mut rules).unwrap_err().to_string()
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
        let e = apply_err("[rules.root-recent-use]\nparams = { weeks = 2 }\n");
        assert!(
            e.starts_with("wmaudit.toml:1:") && e.contains("weeks"),
            "{e}"
        );
        let e = apply_err("[[suppress]]\nrule = \"root-mfa-disabled\"\nreason = \"\"\n");
        assert!(
            e.starts_with("wmaudit.toml:1:") && e.contains("reason"),
            "{e}"
        );
        let e = apply_err("[[suppress]]\nrule = \"root-mfa-disabled\"\n");
        assert!(e.contains("reason"), "{e}");
        let e = apply_err("\n\n[[suppress]]\nrule = \"root-mfa\"\nreason = \"x\"\n");
        assert!(
            e.starts_with("wmaudit.toml:3:") && e.contains("unknown rule"),
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
