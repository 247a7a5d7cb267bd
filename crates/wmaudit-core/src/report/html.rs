//! One self-contained HTML file for people who do not read IAM: the gate
//! and WorkMail's end of support first, then who can get to the mail (a
//! principal × capability matrix), findings grouped by cause, and every
//! finding in a searchable, filterable, paged table.
//!
//! No network: the CSS and script are inline, and a Content-Security-Policy
//! forbids loading anything. The findings travel as JSON in the page and are
//! drawn 200 rows at a time, so 40,000 findings stay a page a browser opens
//! (docs/benchmarks.md measures it). Everything from the account is
//! inserted as text (escaped here, `textContent` in the script), never as
//! markup. Deterministic: the same report gives the same bytes.

use std::fmt::Write as _;

use crate::display::terminal_safe as visible;
use crate::findings::{ReportedFinding, ScanReport, Severity, Verdict};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/script.js");

/// At most this many causes are listed per account; the rest are counted.
const MAX_CAUSES: usize = 50;

/// The reports of every account as one page.
pub fn render_all(reports: &[ScanReport]) -> String {
    render_set(&super::ReportSet::of(reports))
}

/// A run as one page: the run's gate (an organization's account not
/// evaluated counts), the overview of the accounts when there are several,
/// then each account.
pub fn render_set(set: &super::ReportSet<'_>) -> String {
    let reports = set.reports;
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let title = match (reports, set.organization) {
        (_, Some(org)) => format!(
            "wmaudit: organization {}, {} accounts",
            org.organization.id,
            set.overview().len()
        ),
        ([one], None) => format!("wmaudit: account {}", one.meta.account_id),
        (many, None) => format!("wmaudit: {} accounts", many.len()),
    };
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>");
    out.push_str("<body data-status=\"loading\">\n");
    out.push_str(
        "<noscript><p class=\"warn\">The findings table needs JavaScript; the JSON and \
         Markdown reports have the same content.</p></noscript>\n",
    );
    let verdict = set.verdict();
    let _ = writeln!(
        out,
        "<header><h1>wmaudit</h1><p class=\"gate {}\">{} · {} · exit code {}</p></header>",
        if verdict == Verdict::Passed {
            "pass"
        } else {
            "fail"
        },
        esc(&title),
        if verdict == Verdict::Passed {
            "passed"
        } else {
            "FAILED"
        },
        verdict.exit_code()
    );
    if set.has_overview() {
        overview(&mut out, set);
    } else if reports.is_empty() {
        out.push_str("<p>No accounts were scanned.</p>\n");
    }
    for (i, r) in reports.iter().enumerate() {
        account(&mut out, i, r);
    }
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    out
}

/// One row per account, scanned or not, with its findings by severity.
fn overview(out: &mut String, set: &super::ReportSet<'_>) {
    out.push_str(
        "<section class=\"overview\"><h2>Accounts</h2>\n<table class=\"overview\"><thead><tr>\
         <th>Account</th><th>Name</th><th>OU</th><th>Critical</th><th>High</th><th>Medium</th>\
         <th>Low</th><th>Info</th><th>Gate</th></tr></thead><tbody>\n",
    );
    for r in set.overview() {
        let counts = match r.counts {
            Some(c) => c.map(|n| n.to_string()),
            None => std::array::from_fn(|_| "-".to_owned()),
        };
        let gate = match &r.reason {
            Some(why) => format!("not evaluated: {}", crate::redact::redact(why)),
            None => r.gate.to_owned(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(r.account_id),
            esc(&crate::redact::redact(r.name)),
            esc(&r.ou_path)
        );
        for c in &counts {
            let _ = write!(out, "<td class=\"num\">{c}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", esc(&gate));
    }
    out.push_str("</tbody></table></section>\n");
}

fn account(out: &mut String, n: usize, r: &ScanReport) {
    let m = &r.meta;
    let active: Vec<&ReportedFinding> = super::active_findings(r).collect();
    let _ = writeln!(
        out,
        "<section class=\"account\" id=\"a{n}\" data-account=\"{}\" data-findings=\"{}\" data-data=\"d{n}\">",
        esc(&m.account_id),
        active.len()
    );
    let aliases = if m.account_aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.account_aliases.join(", "))
    };
    let _ = writeln!(
        out,
        "<h2>Account {}{}</h2>",
        esc(&m.account_id),
        esc(&aliases)
    );
    let gate = super::gate_verdict(&r.gate);
    let _ = writeln!(
        out,
        "<p class=\"gate {}\">Gate {}</p>",
        if gate.passed { "pass" } else { "fail" },
        esc(&gate.text)
    );

    // End of support: the number first, then the sentence.
    let e = &r.end_of_support;
    let big = if e.ended() {
        format!("ended {} days ago", -e.days_left)
    } else {
        format!("{} days left", e.days_left)
    };
    let _ = writeln!(
        out,
        "<div class=\"eos\"><span class=\"days\">{}</span><p>{}</p></div>",
        esc(&big),
        esc(&e.summary())
    );

    out.push_str("<dl class=\"facts\">\n");
    let source = match m.source {
        crate::snapshot::SourceKind::Live => "live (AWS APIs)",
        crate::snapshot::SourceKind::Files => "files (imported)",
        crate::snapshot::SourceKind::Demo => "demo data",
    };
    fact(out, "Source", source);
    if let Some(org) = super::organization_line(r) {
        fact(out, "Organization", &org);
    }
    if let Some(c) = &m.caller_arn {
        fact(out, "Caller", c);
    }
    if let Some(at) = &m.evaluated_at {
        fact(out, "Evaluated at", at);
    }
    fact(out, "Scope", super::SCOPE_LIMITS);
    fact(out, "Mailboxes", &super::workmail_line(r));
    fact(out, "Configuration", &r.config.summary());
    if let Some(note) = &r.display_filter {
        fact(out, "Shown", note);
    }
    if let Some((summary, fixed)) = super::baseline_lines(r) {
        fact(out, "Baseline", &summary);
        for line in fixed {
            fact(out, "", &line);
        }
    }
    fact(
        out,
        "Versions",
        &format!("wmaudit {}, catalog {}", m.tool_version, m.catalog_version),
    );
    out.push_str("</dl>\n");

    // Counts.
    let counts = r.count_by_severity();
    out.push_str("<table class=\"counts\"><tr>");
    for s in Severity::ALL {
        let _ = write!(
            out,
            "<td class=\"sev-{s}\"><b>{}</b> {s}</td>",
            counts.get(&s).copied().unwrap_or(0)
        );
    }
    let (suppressed, baseline) = super::hidden_counts(r);
    let _ = writeln!(
        out,
        "</tr></table>\n<p class=\"muted\">Not listed: {} suppressed, {} in the baseline.</p>",
        suppressed, baseline
    );

    matrix(out, n, r);
    causes(out, r);
    findings_table(out, n, &active);
    how_to_fix(out, n, r, &active);
    gaps(out, r);
    out.push_str("</section>\n");
}

fn fact(out: &mut String, term: &str, value: &str) {
    let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(value));
}

/// Who can get to the mail: every principal with WorkMail access or a
/// designation, by capability, including those no finding names.
fn matrix(out: &mut String, n: usize, r: &ScanReport) {
    let access = super::mail_access(r);
    out.push_str("<h3>Who can get to the mail</h3>\n");
    if access.rows.is_empty() {
        out.push_str("<p>No user, group or role holds a WorkMail action.</p>\n");
        return;
    }
    out.push_str(
        "<p class=\"muted\">Every principal that holds WorkMail actions. A number is how many \
         of a rule's sensitive actions it holds, reported or not (designated administrators \
         hold them by design). Select a name to see its findings.</p>\n",
    );
    let _ = write!(
        out,
        "<table class=\"matrix\" id=\"m{n}\"><thead><tr><th>Principal</th><th>Designated \
         administrator</th><th>Administers WorkMail</th>"
    );
    for c in &access.columns {
        let title = super::rule_meta(r, c).map_or(*c, |m| m.title.as_str());
        let _ = write!(out, "<th title=\"{}\">{}</th>", esc(title), esc(c));
    }
    out.push_str("<th>WorkMail actions</th><th>Findings</th></tr></thead><tbody>\n");
    for (p, findings) in &access.rows {
        let label = format!("{}/{}", p.kind.as_str(), p.name);
        let _ = write!(
            out,
            "<tr><td><a href=\"#f{n}\" class=\"who\" data-who=\"{}\">{}</a>{}</td><td>{}</td><td>{}</td>",
            esc(&label),
            esc(&label),
            if p.complete {
                ""
            } else {
                " <span class=\"warn\">(in part)</span>"
            },
            if p.designated_admin { "✓" } else { "" },
            if p.workmail_admin { "✓" } else { "" },
        );
        for c in &access.columns {
            let _ = write!(out, "<td class=\"num\">{}</td>", super::held(p, c));
        }
        let _ = writeln!(
            out,
            "<td class=\"num\">{}</td><td class=\"num\">{findings}</td></tr>",
            p.allowed + p.limited
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Findings grouped by what causes them: one rule and one "via" line (the
/// same statements) make one cause, however many principals it reaches.
fn causes(out: &mut String, r: &ScanReport) {
    let list = super::causes(r);
    out.push_str("<h3>Findings by cause</h3>\n");
    if list.is_empty() {
        out.push_str("<p>No active findings.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"causes\"><thead><tr><th>Severity</th><th>Rule</th><th>Cause</th>\
         <th>Findings</th><th>On</th></tr></thead><tbody>\n",
    );
    for c in list.iter().take(MAX_CAUSES) {
        let title = super::rule_meta(r, c.rule).map_or(c.rule, |m| m.title.as_str());
        let shown: Vec<&str> = c.on.iter().take(5).map(String::as_str).collect();
        let more = c.on.len().saturating_sub(shown.len());
        let sev = c.severity;
        let _ = writeln!(
            out,
            "<tr><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code><br><span class=\"muted\">{}</span></td>\
             <td>{}</td><td class=\"num\">{}</td><td>{}{}</td></tr>",
            esc(c.rule),
            esc(title),
            if c.via.is_empty() {
                "—".to_owned()
            } else {
                esc(&c.via)
            },
            c.on.len(),
            esc(&shown.join(", ")),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out.push_str("</tbody></table>\n");
    if list.len() > MAX_CAUSES {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} more causes; the findings table below has every finding.</p>",
            list.len() - MAX_CAUSES
        );
    }
}

/// The table the script fills from the page's JSON, with its controls.
fn findings_table(out: &mut String, n: usize, active: &[&ReportedFinding]) {
    let _ = writeln!(
        out,
        "<h3 id=\"f{n}\">Findings</h3>\n<div class=\"controls\">\
         <input type=\"search\" class=\"q\" placeholder=\"Filter: rule, resource, text\" aria-label=\"Filter findings\">\
         <select class=\"sev\" aria-label=\"Minimum severity\"><option value=\"4\">all severities</option>\
         <option value=\"3\">low and above</option><option value=\"2\">medium and above</option>\
         <option value=\"1\">high and above</option><option value=\"0\">critical</option></select>\
         <span class=\"shown\"></span><button type=\"button\" class=\"prev\">previous</button>\
         <button type=\"button\" class=\"next\">next</button></div>"
    );
    out.push_str(
        "<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th>\
         <th>What, via, fix</th></tr></thead><tbody class=\"rows\"></tbody></table>\n",
    );
    // The data: compact arrays, in report order.
    let rules: Vec<&str> = {
        let mut ids: Vec<&str> = active.iter().map(|f| f.finding.rule_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let rows: Vec<serde_json::Value> = active
        .iter()
        .map(|rf| {
            let f = &rf.finding;
            let sev = Severity::ALL
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(4);
            let rule = rules.binary_search(&f.rule_id.as_str()).unwrap_or(0);
            // The script shows these with textContent: control and
            // invisible characters are shown by code here, as in the table.
            serde_json::json!([
                sev,
                rule,
                visible(&super::resource_label(&f.resource)),
                visible(f.message.trim()),
                visible(&super::via_line(f).unwrap_or_default()),
                f.fix.iter().map(|c| visible(c)).collect::<Vec<_>>(),
            ])
        })
        .collect();
    let data = serde_json::json!({ "rules": rules, "findings": rows });
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"d{n}\">{}</script>",
        script_safe(&data.to_string())
    );
}

/// One collapsible block per rule with active findings.
fn how_to_fix(out: &mut String, n: usize, r: &ScanReport, active: &[&ReportedFinding]) {
    let mut fired: Vec<&crate::findings::RuleMeta> = Vec::new();
    for rule in &r.rules {
        if active.iter().any(|f| f.finding.rule_id == rule.id)
            && !fired.iter().any(|x| x.id == rule.id)
        {
            fired.push(rule);
        }
    }
    if fired.is_empty() {
        return;
    }
    out.push_str("<h3>How to fix</h3>\n");
    for rule in fired {
        let count = active
            .iter()
            .filter(|f| f.finding.rule_id == rule.id)
            .count();
        let _ = writeln!(
            out,
            "<details id=\"r{n}-{}\"><summary><code>{}</code> {} ({}, {})</summary>",
            esc(&rule.id),
            esc(&rule.id),
            esc(&rule.title),
            rule.severity,
            super::plural(count, "finding", "findings")
        );
        let _ = writeln!(
            out,
            "<h4>Why it matters</h4><div class=\"doc\">{}</div><h4>How to fix</h4><div class=\"doc\">{}</div>",
            esc(rule.rationale.trim()),
            esc(rule.remediation.trim())
        );
        if !rule.references.is_empty() {
            out.push_str("<ul>");
            for x in &rule.references {
                // Only the rule files' own https links, shown as text: the
                // page loads nothing, and a link is the reader's choice.
                let _ = write!(
                    out,
                    "<li>{} <span class=\"muted\">{}</span></li>",
                    esc(&x.title),
                    esc(&x.url)
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</details>\n");
    }
}

fn gaps(out: &mut String, r: &ScanReport) {
    out.push_str("<h3>Not evaluated</h3>\n");
    let gaps = super::coverage_gaps(r);
    if gaps.is_empty() {
        out.push_str("<p>Nothing: coverage is complete.</p>\n");
    } else {
        // One line per cause, as in Markdown.
        let causes = super::gap_causes(&gaps);
        out.push_str("<ul class=\"gaps\">\n");
        for (reason, whats) in causes.iter().take(MAX_CAUSES) {
            let shown: Vec<&str> = whats.iter().take(3).copied().collect();
            let more = whats.len() - shown.len();
            let _ = writeln!(
                out,
                "<li>{}{}: {}</li>",
                esc(&shown.join(", ")),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
                esc(reason)
            );
        }
        out.push_str("</ul>\n");
        if causes.len() > MAX_CAUSES {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more causes; the JSON report lists every one.</p>",
                causes.len() - MAX_CAUSES
            );
        }
    }
    if let Some(line) = super::not_requested_line(r) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(&line));
    }
    if !r.notices.is_empty() {
        out.push_str("<h3>Config notices</h3>\n<ul>\n");
        for n in &r.notices {
            let _ = writeln!(out, "<li>{}: {}</li>", n.kind.label(), esc(&n.message));
        }
        out.push_str("</ul>\n");
    }
}

/// Text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON inside `<script>`: no `</script>` or `<!--` can end or confuse it.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_text_cannot_become_markup() {
        assert_eq!(
            esc("<img src=x onerror=alert(1)> & \"q\" 'a'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;"
        );
        assert_eq!(esc("a\u{1b}[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(esc("gpj.\u{202e}exe"), "gpj.\\u{202e}exe");
        let s = script_safe(r#"{"m":"</script><script>alert(1)</script><!--"}"#);
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["m"], "</script><script>alert(1)</script><!--");
    }
}
