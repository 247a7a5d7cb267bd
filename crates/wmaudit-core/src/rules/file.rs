//! Rule files: one TOML file per rule, validated strictly. Unknown keys,
//! unknown checks, bad parameters and duplicate ids are errors with
//! FILE:LINE:COLUMN, every problem of a file reported at once.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use super::{checks, registry};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::findings::{Reference, RuleMeta, Severity};

// Unknown keys are reported by `unknown_keys` (all of them, with a
// suggestion), so the structs do not deny them a second time.
#[derive(Debug, Deserialize)]
struct RawReference {
    title: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct RawRule {
    id: Spanned<String>,
    title: Spanned<String>,
    severity: Spanned<String>,
    check: Spanned<String>,
    #[serde(default)]
    tags: Vec<String>,
    rationale: Spanned<String>,
    remediation: Spanned<String>,
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
        checks::find(&self.check).and_then(|c| c.sensitive_actions(&self.prepared))
    }
}

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "check",
    "tags",
    "rationale",
    "remediation",
    "example",
    "references",
    "params",
];
const REFERENCE_KEYS: &[&str] = &["title", "url"];

pub fn parse_rule(text: &str, file: &str) -> Result<Rule, Diagnostics> {
    let mut found = Vec::new();
    let at = |offset: usize, message: String| Diagnostic::at(file, text, offset, message);
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        found.push(at(e.span().map_or(0, |s| s.start), e.message().to_owned()));
    }
    Diagnostics::check(found.clone())?;
    unknown_keys(root.get_ref(), "the rule", RULE_KEYS, &mut |offset, m| {
        found.push(at(offset, m));
    });
    if let Some(refs) = root
        .get_ref()
        .get("references")
        .and_then(|r| r.get_ref().as_array())
    {
        for r in refs {
            if let Some(t) = r.get_ref().as_table() {
                unknown_keys(t, "a reference", REFERENCE_KEYS, &mut |offset, m| {
                    found.push(at(offset, m));
                });
            }
        }
    }
    let raw: RawRule = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            found.push(at(e.span().map_or(0, |s| s.start), e.message().to_owned()));
            return Err(Diagnostics(found));
        }
    };
    if !is_kebab(raw.id.get_ref()) {
        found.push(at(
            raw.id.span().start,
            format!(
                "rule id {:?} must be kebab-case (a-z, 0-9, -)",
                raw.id.get_ref()
            ),
        ));
    }
    let severity = Severity::parse(raw.severity.get_ref());
    if severity.is_none() {
        found.push(at(
            raw.severity.span().start,
            format!(
                "severity {:?}: expected one of critical, high, medium, low, info",
                raw.severity.get_ref()
            ),
        ));
    }
    let check = checks::find(raw.check.get_ref());
    if check.is_none() {
        found.push(at(
            raw.check.span().start,
            format!(
                "unknown check {:?}: expected one of {}{}",
                raw.check.get_ref(),
                checks::names().join(", "),
                did_you_mean(raw.check.get_ref(), checks::names().iter().copied())
            ),
        ));
    }
    for (field, value) in [
        ("title", &raw.title),
        ("rationale", &raw.rationale),
        ("remediation", &raw.remediation),
    ] {
        if value.get_ref().trim().is_empty() {
            found.push(at(value.span().start, format!("{field} must not be empty")));
        }
    }
    let (params, params_offset) = match raw.params {
        Some(p) => {
            let offset = p.span().start;
            (p.into_inner(), offset)
        }
        None => (toml::Table::new(), 0),
    };
    let prepared = check.map(|check| {
        check.prepare(&params).map_err(|message| {
            let message = format!("[params] for check {}: {message}", raw.check.get_ref());
            let offset = check
                .params_error_span(text)
                .map_or(params_offset, |span| span.start);
            at(offset, message)
        })
    });
    let prepared = match prepared {
        Some(Ok(p)) => Some(p),
        Some(Err(d)) => {
            found.push(d);
            None
        }
        None => None,
    };
    Diagnostics::check(found)?;
    let (Some(severity), Some(prepared)) = (severity, prepared) else {
        // Unreachable: a missing value above pushed a problem.
        return Err(Diagnostics::one(Diagnostic::file(file, "invalid rule")));
    };
    Ok(Rule {
        meta: RuleMeta {
            id: raw.id.into_inner(),
            title: raw.title.into_inner(),
            severity,
            rationale: raw.rationale.into_inner(),
            remediation: raw.remediation.into_inner(),
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
        check: raw.check.into_inner(),
        params,
        prepared,
        origin: file.into(),
    })
}

/// Every key of `table` that is not in `known`, with a suggestion.
fn unknown_keys(
    table: &DeTable<'_>,
    place: &str,
    known: &[&str],
    push: &mut dyn FnMut(usize, String),
) {
    for key in table.keys() {
        let k = key.get_ref();
        if !known.contains(&k.as_ref()) {
            push(
                key.span().start,
                format!(
                    "unknown key `{k}` in {place}: expected one of {}{}",
                    known.join(", "),
                    did_you_mean(k, known.iter().copied())
                ),
            );
        }
    }
}

/// Reads every `*.toml` in a directory, sorted by file name; the problems
/// of every file are reported together.
pub fn load_dir(dir: &Path) -> Result<Vec<Rule>, Diagnostics> {
    let dir_name = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::file(&dir_name, format!("cannot read the rule directory: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut rules = Vec::new();
    let mut found = Vec::new();
    for p in &paths {
        let file = p.display().to_string();
        let parsed = crate::read_file::read_text_bounded(p, crate::read_file::MAX_TEXT_FILE)
            .map_err(|e| Diagnostics::one(Diagnostic::file(&file, format!("cannot read: {e}"))))
            .and_then(|text| parse_rule(&text, &file));
        match parsed {
            Ok(r) => rules.push(r),
            Err(d) => found.extend(d.0),
        }
    }
    Diagnostics::check(found)?;
    Ok(rules)
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
