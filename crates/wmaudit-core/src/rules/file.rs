//! Rule files: one TOML file per rule, validated strictly. Unknown keys,
//! unknown checks, bad parameters and duplicate ids are errors that name the
//! file and line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::registry;
use crate::findings::{Reference, RuleMeta, Severity};

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}:{line}: {message}")]
    AtLine {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}:{column}: {message}")]
    At {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    title: String,
    url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    severity: String,
    check: String,
    #[serde(default)]
    tags: Vec<String>,
    rationale: String,
    remediation: String,
    #[serde(default)]
    example: Option<String>,
    #[serde(default)]
    references: Vec<RawReference>,
    #[serde(default)]
    params: Option<toml::Spanned<toml::Table>>,
}

/// A loaded rule: its documentation, the check it runs and that check's parameters.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: String,
    pub params: toml::Table,
    /// `params`, parsed and validated by the check at load.
    pub prepared: registry::Prepared,
    /// Where it came from, for messages.
    pub origin: String,
}

/// Parses and validates one rule file's text.
impl Rule {
    /// The actions this rule treats as sensitive, if its check has any.
    pub fn sensitive_actions(&self) -> Option<crate::catalog::ActionSet> {
        registry::find(&self.check).and_then(|c| c.sensitive_actions(&self.prepared))
    }
}

pub fn parse_rule(text: &str, file: &str) -> Result<Rule, RuleError> {
    let raw: RawRule = toml::from_str(text).map_err(|e| at_span(text, file, &e))?;
    let line_of = |key: &str| line_of_key(text, key);
    if !is_kebab(&raw.id) {
        return Err(RuleError::AtLine {
            file: file.into(),
            line: line_of("id"),
            message: format!("rule id {:?} must be kebab-case (a-z, 0-9, -)", raw.id),
        });
    }
    let severity = Severity::parse(&raw.severity).ok_or_else(|| RuleError::AtLine {
        file: file.into(),
        line: line_of("severity"),
        message: format!(
            "severity {:?}: expected one of critical, high, medium, low, info",
            raw.severity
        ),
    })?;
    let check = registry::find(&raw.check).ok_or_else(|| RuleError::AtLine {
        file: file.into(),
        line: line_of("check"),
        message: format!(
            "unknown check {:?}: expected one of {}",
            raw.check,
            registry::names().join(", ")
        ),
    })?;
    for (field, value) in [
        ("title", &raw.title),
        ("rationale", &raw.rationale),
        ("remediation", &raw.remediation),
    ] {
        if value.trim().is_empty() {
            return Err(RuleError::AtLine {
                file: file.into(),
                line: line_of(field),
                message: format!("{field} must not be empty"),
            });
        }
    }
    let (params, params_line) = match raw.params {
        Some(p) => {
            let line = line_at(text, p.span().start);
            (p.into_inner(), line)
        }
        None => (toml::Table::new(), 1),
    };
    let prepared = check.prepare(&params).map_err(|message| {
        let message = format!("[params] for check {}: {message}", raw.check);
        match check.params_error_span(text) {
            Some(span) => RuleError::At {
                file: file.into(),
                line: line_at(text, span.start),
                column: column_at(text, span.start),
                message,
            },
            None => RuleError::AtLine {
                file: file.into(),
                line: params_line,
                message,
            },
        }
    })?;
    Ok(Rule {
        meta: RuleMeta {
            id: raw.id,
            title: raw.title,
            severity,
            rationale: raw.rationale,
            remediation: raw.remediation,
            example: raw.example,
            references: raw
                .references
                .into_iter()
                .map(|r| Reference {
                    title: r.title,
                    url: r.url,
                })
                .collect(),
            tags: raw.tags,
        },
        check: raw.check,
        params,
        prepared,
        origin: file.into(),
    })
}

/// Reads every `*.toml` in a directory, sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Rule>, RuleError> {
    let io = |e: std::io::Error| RuleError::Io {
        file: dir.display().to_string(),
        source: e,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let file = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| RuleError::Io {
                file: file.clone(),
                source: e,
            })?;
            parse_rule(&text, &file)
        })
        .collect()
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// toml's errors carry a byte span; we turn it into a line number.
pub(crate) fn at_span(text: &str, file: &str, e: &toml::de::Error) -> RuleError {
    let message = e.message().to_owned();
    match e.span() {
        Some(span) => RuleError::AtLine {
            file: file.into(),
            line: line_at(text, span.start),
            message,
        },
        None => RuleError::Invalid {
            file: file.into(),
            message,
        },
    }
}

/// The 1-based column (in characters) of a byte offset.
pub(crate) fn column_at(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text.get(start..offset).map_or(1, |s| s.chars().count() + 1)
}

pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}
