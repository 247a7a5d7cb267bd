//! Reading `wmaudit.toml` from its spanned syntax tree, so that every
//! problem in the file is reported at once with FILE:LINE:COLUMN (serde's
//! derive stops at the first), unknown keys with a suggestion.

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Config, Override, Suppression, parse_fail_on, to_date};
use crate::diag::{Diagnostic, did_you_mean};
use crate::findings::Severity;

const TOP: &[&str] = &["fail_on", "workmail", "rules", "suppress"];
const WORKMAIL: &[&str] = &["administrators"];
const OVERRIDE: &[&str] = &["enabled", "severity", "params"];
const SUPPRESS: &[&str] = &["rule", "resource", "reason", "expires"];

/// Problems go to `out`; what could be read is returned, so later checks
/// (rule ids against the rule set) can still run and report theirs.
pub(super) fn parse(text: &str, file: &str, out: &mut Vec<Diagnostic>) -> Config {
    let mut c = Config::default();
    let (root, errors) = DeTable::parse_recoverable(text);
    let at = |offset: usize, message: String| Diagnostic::at(file, text, offset, message);
    for e in errors {
        let offset = e.span().map_or(0, |s| s.start);
        out.push(at(offset, e.message().to_owned()));
    }
    let mut r = Reader { text, file, out };
    for (key, value) in root.get_ref() {
        match key.get_ref().as_ref() {
            "fail_on" => {
                if let Some(s) = r.string(value, "fail_on") {
                    match parse_fail_on(s) {
                        Some(f) => c.fail_on = Some(f),
                        None => r.push(
                            value.span().start,
                            format!(
                                "fail_on {s:?}: expected critical, high, medium, low, info or none"
                            ),
                        ),
                    }
                }
            }
            "workmail" => {
                let Some(table) = r.table(value, "[workmail]") else {
                    continue;
                };
                for (k, v) in table {
                    match k.get_ref().as_ref() {
                        "administrators" => {
                            let Some(items) = r.array(v, "workmail.administrators") else {
                                continue;
                            };
                            for item in items {
                                if let Some(s) = r.string(item, "an administrator ARN pattern") {
                                    match arn_pattern_problem(s, &["user", "group", "role"]) {
                                        None => c.administrators.push(s.to_owned()),
                                        Some(why) => r.push(
                                            item.span().start,
                                            format!("workmail.administrators entry {s:?} {why}"),
                                        ),
                                    }
                                }
                            }
                        }
                        _ => r.unknown(k, "[workmail]", WORKMAIL),
                    }
                }
            }
            "rules" => {
                let Some(table) = r.table(value, "[rules]") else {
                    continue;
                };
                for (id, v) in table {
                    if let Some(o) = r.rule_override(id, v) {
                        c.overrides.push(o);
                    }
                }
            }
            "suppress" => {
                let Some(items) = r.array(value, "[[suppress]]") else {
                    continue;
                };
                for item in items {
                    if let Some(s) = r.suppression(item) {
                        c.suppressions.push(s);
                    }
                }
            }
            _ => r.unknown(key, "the top level", TOP),
        }
    }
    c
}

struct Reader<'a> {
    text: &'a str,
    file: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl<'i> Reader<'_> {
    fn push(&mut self, offset: usize, message: String) {
        self.out
            .push(Diagnostic::at(self.file, self.text, offset, message));
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, place: &str, known: &[&str]) {
        let k = key.get_ref();
        let hint = did_you_mean(k, known.iter().copied());
        self.push(
            key.span().start,
            format!(
                "unknown key `{k}` in {place}: expected one of {}{hint}",
                known.join(", ")
            ),
        );
    }

    fn wrong(&mut self, v: &Value<'_>, what: &str, expected: &str) {
        self.push(
            v.span().start,
            format!(
                "{what}: expected {expected}, found {}",
                v.get_ref().type_str()
            ),
        );
    }

    fn string<'v>(&mut self, v: &'v Value<'i>, what: &str) -> Option<&'v str> {
        let s = v.get_ref().as_str();
        if s.is_none() {
            self.wrong(v, what, "a string");
        }
        s
    }

    fn boolean(&mut self, v: &Value<'_>, what: &str) -> Option<bool> {
        let b = v.get_ref().as_bool();
        if b.is_none() {
            self.wrong(v, what, "true or false");
        }
        b
    }

    fn table<'v>(&mut self, v: &'v Value<'i>, what: &str) -> Option<&'v DeTable<'i>> {
        let t = v.get_ref().as_table();
        if t.is_none() {
            self.wrong(v, what, "a table");
        }
        t
    }

    fn array<'v>(&mut self, v: &'v Value<'i>, what: &str) -> Option<&'v [Value<'i>]> {
        let a = v.get_ref().as_array().map(|a| a.as_ref());
        if a.is_none() {
            self.wrong(v, what, "an array");
        }
        a
    }

    fn rule_override(
        &mut self,
        id: &Spanned<std::borrow::Cow<'i, str>>,
        v: &Value<'i>,
    ) -> Option<Override> {
        let name = id.get_ref().to_string();
        let table = self.table(v, &format!("[rules.{name}]"))?;
        let mut o = Override {
            id: name.clone(),
            offset: id.span().start,
            enabled: None,
            severity: None,
            params: None,
        };
        for (k, v) in table {
            match k.get_ref().as_ref() {
                "enabled" => o.enabled = self.boolean(v, &format!("[rules.{name}] enabled")),
                "severity" => {
                    let what = format!("[rules.{name}] severity");
                    if let Some(s) = self.string(v, &what) {
                        o.severity = Severity::parse(s);
                        if o.severity.is_none() {
                            self.push(
                                v.span().start,
                                format!(
                                    "{what} {s:?}: expected critical, high, medium, low or info"
                                ),
                            );
                        }
                    }
                }
                "params" => {
                    self.table(v, &format!("[rules.{name}.params]"))?;
                    match toml::Table::deserialize(v.clone().into_deserializer()) {
                        Ok(t) => o.params = Some((t, v.span().start)),
                        Err(e) => self.push(
                            e.span().map_or(v.span().start, |s| s.start),
                            format!("[rules.{name}.params]: {}", e.message()),
                        ),
                    }
                }
                _ => self.unknown(k, &format!("[rules.{name}]"), OVERRIDE),
            }
        }
        Some(o)
    }

    fn suppression(&mut self, v: &Value<'i>) -> Option<Suppression> {
        let table = self.table(v, "[[suppress]]")?;
        let offset = v.span().start;
        let (mut rule, mut resource, mut reason, mut expires) = (None, None, None, None);
        let mut rule_offset = offset;
        for (k, v) in table {
            match k.get_ref().as_ref() {
                "rule" => {
                    rule = self.string(v, "[[suppress]] rule").map(str::to_owned);
                    rule_offset = v.span().start;
                }
                "resource" => {
                    resource = self.string(v, "[[suppress]] resource").map(str::to_owned);
                    if let Some(why) = resource
                        .as_deref()
                        .filter(|r| *r != "*")
                        .and_then(|r| arn_pattern_problem(r, &[]))
                    {
                        let r = resource.as_deref().unwrap_or_default();
                        self.push(v.span().start, format!("[[suppress]] resource {r:?} {why}"));
                    }
                }
                "reason" => {
                    reason = self.string(v, "[[suppress]] reason").map(str::to_owned);
                    if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                        self.push(
                            v.span().start,
                            "a suppression needs a non-empty reason".to_owned(),
                        );
                    }
                }
                "expires" => match v.get_ref().as_datetime().and_then(to_date) {
                    Some(d) => expires = Some(d),
                    None => self.push(
                        v.span().start,
                        format!(
                            "expires = {}: expected a date such as 2027-04-30",
                            &self.text[v.span()]
                        ),
                    ),
                },
                _ => self.unknown(k, "[[suppress]]", SUPPRESS),
            }
        }
        let mut missing = |key: &str, what: &str| {
            self.push(offset, format!("[[suppress]] is missing `{key}`: {what}"));
        };
        if rule.is_none() && !table.keys().any(|k| k.get_ref() == "rule") {
            missing("rule", "the rule id it silences, or \"*\"");
        }
        if reason.is_none() && !table.keys().any(|k| k.get_ref() == "reason") {
            missing(
                "reason",
                "why the finding is accepted (a suppression needs a reason)",
            );
        }
        Some(Suppression {
            rule: rule?,
            resource: resource.unwrap_or_else(|| "*".to_owned()),
            // An empty reason was reported above; keeping the entry lets its
            // rule id be checked too.
            reason: reason?,
            expires,
            line: crate::diag::line_at(self.text, offset),
            rule_offset,
        })
    }
}

/// Why `s` is not an IAM ARN pattern (None when it is one). `kinds` limits
/// the resource type (`user/`, `group/`, `role/`) when not empty. A name
/// where an ARN belongs matched nothing and, for administrators, switched the
/// default designation off without a word.
fn arn_pattern_problem(s: &str, kinds: &[&str]) -> Option<String> {
    let example = "arn:aws:iam::111122223333:group/NAME (`*` and `?` allowed)";
    let fields: Vec<&str> = s.splitn(6, ':').collect();
    if fields.len() < 6 || fields[0] != "arn" {
        let hint = if !s.contains(':') && !kinds.is_empty() {
            let name = s.rsplit('/').next().unwrap_or(s);
            format!("; for a group named {name}: \"arn:aws:iam::*:group/{name}\"")
        } else if !s.contains(':') {
            format!("; for this resource in any account: \"arn:aws:iam::*:{s}\"")
        } else {
            String::new()
        };
        return Some(format!("is not an ARN pattern: expected {example}{hint}"));
    }
    let resource = fields[5];
    if !kinds.is_empty()
        && !kinds
            .iter()
            .any(|k| resource.starts_with(&format!("{k}/")) || resource.starts_with('*'))
    {
        return Some(format!(
            "names no user, group or role: expected {}",
            "arn:aws:iam::ACCOUNT:user/NAME, group/NAME or role/NAME"
        ));
    }
    None
}
