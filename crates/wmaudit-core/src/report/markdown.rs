//! GitHub-flavoured Markdown for job summaries (`$GITHUB_STEP_SUMMARY`) and
//! PR comments.
//!
//! Everything that comes from the account (names, messages, reasons) is
//! escaped: a `|` would break the table, `<root_account>` would vanish as an
//! HTML tag, `*` would start emphasis. Rule documentation is wmaudit's own
//! Markdown and is inserted as is.

use crate::findings::{ScanReport, Severity};
use crate::snapshot::SourceKind;

/// PR comments are limited to 65,536 characters; past this many rows the
/// table stops and points at the complete formats.
pub const MAX_FINDING_ROWS: usize = 200;

pub fn render(report: &ScanReport) -> String {
    cap(render_uncapped(report))
}

/// Causes listed in the Not evaluated section.
const MAX_GAP_ROWS: usize = 50;

/// GitHub refuses a PR comment over 65,536 characters and a job summary over
/// 1 MiB; a 5,000-user account's Markdown was 67,083. Reports are cut below
/// the smaller limit at a line break, saying what was cut.
pub const MAX_MARKDOWN_BYTES: usize = 60_000;

/// `text` at most [`MAX_MARKDOWN_BYTES`] long (bytes, so never more
/// characters), cut at a line break with a note.
pub fn cap(text: String) -> String {
    if text.len() <= MAX_MARKDOWN_BYTES {
        return text;
    }
    let budget = MAX_MARKDOWN_BYTES - 300;
    let mut cut = budget;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = text[..cut].rfind('\n').map_or(0, |i| i + 1);
    let rest = text[cut..].chars().count();
    format!(
        "{}\n**Cut here:** {rest} more characters would pass GitHub's limits for comments and \
         job summaries. The JSON report (`--json FILE`) has everything.\n",
        &text[..cut]
    )
}

/// Who can get to the mail, findings per rule, and findings by cause: what a
/// reviewer acts on, before the finding-by-finding list.
fn views(report: &ScanReport, out: &mut String) {
    let max = super::MAX_VIEW_ROWS;
    let access = super::mail_access(report);
    if !access.rows.is_empty() {
        out.push_str("### Who can get to the mail\n\n");
        out.push_str("| Principal | Designated | Administers |");
        for c in &access.columns {
            out.push_str(&format!(" {} |", cell_code(c)));
        }
        out.push_str(" Findings |\n|---|---|---|");
        for _ in &access.columns {
            out.push_str("---:|");
        }
        out.push_str("---:|\n");
        for (p, findings) in access.rows.iter().take(max) {
            out.push_str(&format!(
                "| {} | {} | {} |",
                escape(&format!("{}/{}", p.kind.as_str(), p.name)),
                if p.designated_admin { "yes" } else { "" },
                if p.workmail_admin { "yes" } else { "" }
            ));
            for c in &access.columns {
                out.push_str(&format!(" {} |", super::held(p, c)));
            }
            out.push_str(&format!(" {findings} |\n"));
        }
        if access.rows.len() > max {
            out.push_str(&format!(
                "\n… and {} more principals: the JSON and HTML reports list every one.\n",
                access.rows.len() - max
            ));
        }
        out.push_str(
            "\nA number is how many of that rule's sensitive actions the principal holds, \
             reported or not (designated administrators hold them by design).\n\n",
        );
    }
    let per_rule = super::rule_counts(report);
    if !per_rule.is_empty() {
        out.push_str("### Findings per rule\n\n| Rule | Severity | Findings |\n|---|---|---:|\n");
        for (rule, n) in &per_rule {
            out.push_str(&format!(
                "| {} | {} | {n} |\n",
                cell_code(&rule.id),
                rule.severity
            ));
        }
        out.push('\n');
        let causes = super::causes(report);
        out.push_str(
            "### Findings by cause\n\n| Severity | Rule | Cause | Findings | On |\n|---|---|---|---:|---|\n",
        );
        for c in causes.iter().take(max) {
            let shown: Vec<&str> = c.on.iter().take(3).map(String::as_str).collect();
            let more = c.on.len() - shown.len();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {}{} |\n",
                c.severity,
                cell_code(c.rule),
                if c.via.is_empty() {
                    "—".to_owned()
                } else {
                    escape(&c.via)
                },
                c.on.len(),
                escape(&shown.join(", ")),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if causes.len() > max {
            out.push_str(&format!(
                "\n… and {} more causes: the JSON and HTML reports have every finding.\n",
                causes.len() - max
            ));
        }
        out.push('\n');
    }
}

/// Items of the decommission checklist shown; the rest are counted.
const MAX_CHECKLIST_ITEMS: usize = 100;

/// The clean-up rules' findings as a checklist, each with the commands that
/// remove it: a plan before the end of support, the work after it.
fn decommission_checklist(
    report: &ScanReport,
    active: &[&crate::findings::ReportedFinding],
    out: &mut String,
) {
    let clean_up = |id: &str| super::rule_meta(report, id).is_some_and(|r| r.is_clean_up());
    let items: Vec<_> = active
        .iter()
        .map(|rf| &rf.finding)
        .filter(|f| clean_up(&f.rule_id))
        .collect();
    if items.is_empty() {
        return;
    }
    let eos = &report.end_of_support;
    if eos.ended() {
        out.push_str(&format!("### {} clean-up\n\n", escape(&eos.service)));
    } else {
        out.push_str(&format!(
            "### Decommission plan (after {})\n\n",
            eos.ends_on
        ));
    }
    out.push_str(
        "Commands to run once the last mailbox is exported (wmaudit never runs them); \
         review each before you do.\n\n",
    );
    for f in items.iter().take(MAX_CHECKLIST_ITEMS) {
        out.push_str(&format!(
            "- [ ] {}: {}\n",
            escape(&super::resource_label(&f.resource)),
            escape(f.message.trim())
        ));
        // Commands are shown verbatim, so only when every character is
        // plain printable ASCII; a name with control or invisible characters
        // (imported data) is left to the JSON report.
        let shown = f
            .fix
            .iter()
            .all(|c| c.bytes().all(|b| (0x20..0x7f).contains(&b)));
        if !f.fix.is_empty() && shown {
            // A fence longer than any run of backticks in the commands.
            let fence = "`".repeat(3.max(longest_backtick_run(&f.fix) + 1));
            out.push_str(&format!("\n  {fence}sh\n"));
            for c in &f.fix {
                out.push_str(&format!("  {c}\n"));
            }
            out.push_str(&format!("  {fence}\n"));
        } else if !f.fix.is_empty() {
            out.push_str(
                "  (the commands name characters Markdown cannot show safely: see \
                 `fix_commands` in the JSON report)\n",
            );
        }
    }
    if items.len() > MAX_CHECKLIST_ITEMS {
        out.push_str(&format!(
            "\n… and {} more: the JSON report lists every one with its `fix_commands`.\n",
            super::plural(items.len() - MAX_CHECKLIST_ITEMS, "item", "items")
        ));
    }
    out.push('\n');
}

fn longest_backtick_run(lines: &[String]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// [`render`] without the size cap (several accounts are capped together).
pub fn render_uncapped(report: &ScanReport) -> String {
    let m = &report.meta;
    let mut out = String::new();

    let account = if m.account_id.is_empty() {
        "unknown account".to_owned()
    } else {
        format!("account {}", m.account_id)
    };
    let aliases = if m.account_aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", escape(&m.account_aliases.join(", ")))
    };
    out.push_str(&format!("## wmaudit: {}{aliases}\n\n", escape(&account)));

    let source = match m.source {
        SourceKind::Live => "live (AWS APIs)",
        SourceKind::Files => "files (imported)",
        SourceKind::Demo => "demo data",
    };
    let mut facts = vec![format!("Source: {source}")];
    if let Some(c) = &m.caller_arn {
        facts.push(format!("caller {}", code(c)));
    }
    if let Some(at) = &m.evaluated_at {
        facts.push(format!("evaluated at {}", escape(at)));
    }
    facts.push(format!(
        "wmaudit {}, catalog {}",
        escape(&m.tool_version),
        code(&m.catalog_version)
    ));
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n");
    out.push_str(&format!("Scope: {}.\n\n", escape(super::SCOPE_LIMITS)));
    if let Some(org) = super::organization_line(report) {
        out.push_str(&format!("**Organization:** {}\n\n", escape(&org)));
    }
    out.push_str(&format!(
        "**End of support:** {}\n\n",
        escape(&report.end_of_support.summary())
    ));
    out.push_str(&format!(
        "**Mailboxes (WorkMail's own grants):** {}\n\n",
        escape(&super::workmail_line(report))
    ));
    out.push_str(&format!(
        "**Configuration:** {}\n\n",
        escape(&report.config.summary())
    ));
    if let Some(note) = &report.display_filter {
        out.push_str(&format!("**{}**\n\n", escape(note)));
    }
    if let Some((summary, fixed)) = super::baseline_lines(report) {
        out.push_str(&format!("**Baseline:** {}\n\n", escape(&summary)));
        for line in &fixed {
            out.push_str(&format!("- {}\n", escape(line)));
        }
        if !fixed.is_empty() {
            out.push('\n');
        }
    }

    // Gate verdict first: it is what a reviewer looks for.
    let verdict = super::gate_verdict(&report.gate);
    let mark = if verdict.passed { "✅" } else { "❌" };
    out.push_str(&format!("{mark} **Gate {}**\n\n", escape(&verdict.text)));

    // Severity counts.
    let counts = report.count_by_severity();
    let (suppressed, baseline) = super::hidden_counts(report);
    out.push_str("| Severity | Active findings |\n|---|---:|\n");
    for s in Severity::ALL {
        out.push_str(&format!(
            "| {} | {} |\n",
            s,
            counts.get(&s).copied().unwrap_or(0)
        ));
    }
    out.push_str(&format!(
        "| **total** | **{}** |\n\n",
        counts.values().sum::<usize>()
    ));

    views(report, &mut out);

    // Findings.
    let active: Vec<_> = super::active_findings(report).collect();
    out.push_str("### Findings\n\n");
    if active.is_empty() {
        out.push_str("No active findings.\n\n");
    } else {
        out.push_str("| Severity | Rule | Resource | Message |\n|---|---|---|---|\n");
        for rf in active.iter().take(MAX_FINDING_ROWS) {
            let f = &rf.finding;
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                f.severity,
                cell_code(&f.rule_id),
                // Names come from the account: escaped text, not a code span
                // (a `\\` before `|` inside a code span would end the cell).
                escape(&super::resource_label(&f.resource)),
                match super::via_line(f) {
                    Some(via) => format!("{}<br>{}", escape(f.message.trim()), escape(&via)),
                    None => escape(f.message.trim()),
                },
            ));
        }
        out.push('\n');
        if active.len() > MAX_FINDING_ROWS {
            out.push_str(&format!(
                "… and {} more: see the JSON or SARIF report for all findings.\n\n",
                super::plural(
                    active.len() - MAX_FINDING_ROWS,
                    "active finding",
                    "active findings"
                )
            ));
        }
    }
    out.push_str(&format!(
        "Not listed: {} and {}.\n\n",
        super::plural(suppressed, "suppressed finding", "suppressed findings"),
        super::plural(baseline, "baseline finding", "baseline findings"),
    ));

    decommission_checklist(report, &active, &mut out);

    // How to fix: one collapsible block per rule that has active findings,
    // in the report's rule order.
    let fired: Vec<_> = report
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            // First of a repeated id only.
            report.rules[..*i].iter().all(|p| p.id != r.id)
                && active.iter().any(|f| f.finding.rule_id == r.id)
        })
        .map(|(_, r)| r)
        .collect();
    if !fired.is_empty() {
        out.push_str("### How to fix\n\n");
        for r in fired {
            let n = active.iter().filter(|f| f.finding.rule_id == r.id).count();
            out.push_str(&format!(
                "<details>\n<summary><code>{}</code> {} ({}, {})</summary>\n\n",
                html(&r.id),
                html(&r.title),
                r.severity,
                super::plural(n, "finding", "findings"),
            ));
            out.push_str(&format!("**Why it matters:** {}\n\n", r.rationale.trim()));
            out.push_str(&format!("**How to fix:**\n\n{}\n\n", r.remediation.trim()));
            if let Some(ex) = &r.example {
                out.push_str(&format!("**Example:**\n\n{}\n\n", ex.trim()));
            }
            if !r.references.is_empty() {
                out.push_str("**References:**\n\n");
                for x in &r.references {
                    out.push_str(&format!("- [{}]({})\n", escape(&x.title), x.url.trim()));
                }
                out.push('\n');
            }
            out.push_str("</details>\n\n");
        }
    }

    // What the scan could not see: always present.
    out.push_str("### Not evaluated\n\n");
    let gaps = super::coverage_gaps(report);
    // A rule not evaluated on a principal because that principal is known
    // in part says the same as the principal's own row: counted, not listed.
    let incomplete = &report.coverage.incomplete_principals;
    let explained = report
        .coverage
        .not_evaluated
        .iter()
        .filter(|n| {
            n.resource
                .as_ref()
                .is_some_and(|r| incomplete.contains_key(&r.arn))
        })
        .count();
    let listed: Vec<&super::Gap> = {
        let mut skip: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let first_rule = report.coverage.not_collected.len();
        for (i, n) in report.coverage.not_evaluated.iter().enumerate() {
            if n.resource
                .as_ref()
                .is_some_and(|r| incomplete.contains_key(&r.arn))
            {
                skip.insert(first_rule + i);
            }
        }
        gaps.iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, g)| g)
            .collect()
    };
    if gaps.is_empty() {
        out.push_str("Nothing: coverage is complete.\n\n");
    } else {
        // One row per cause.
        let causes = super::gap_causes(listed.iter().copied());
        out.push_str("| What | Reason |\n|---|---|\n");
        for (reason, whats) in causes.iter().take(MAX_GAP_ROWS) {
            let what = match whats.as_slice() {
                [one] => escape(one),
                many => format!(
                    "{} items: {}{}",
                    many.len(),
                    many.iter()
                        .take(3)
                        .map(|w| escape(w))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if many.len() > 3 {
                        format!(" and {} more", many.len() - 3)
                    } else {
                        String::new()
                    }
                ),
            };
            out.push_str(&format!("| {what} | {} |\n", escape(reason)));
        }
        if causes.len() > MAX_GAP_ROWS {
            out.push_str(&format!(
                "\n{} more causes are not listed; the JSON report has every one.\n",
                causes.len() - MAX_GAP_ROWS
            ));
        }
        if explained > 0 {
            out.push_str(&format!(
                "\n{} rule results on these principals are not evaluated for the reasons above \
                 (listed one by one in the JSON report).\n",
                explained
            ));
        }
        out.push('\n');
    }
    if let Some(line) = super::not_requested_line(report) {
        out.push_str(&format!("{}\n\n", escape(&line)));
    }
    let builtin = &report.coverage.builtin_policies_used;
    if !builtin.is_empty() {
        let names: Vec<String> = builtin.iter().map(|p| code(p)).collect();
        out.push_str(&format!(
            "AWS managed policies evaluated from wmaudit's embedded copy (catalog {}): {}.\n\n",
            code(&m.catalog_version),
            names.join(", ")
        ));
    }

    if !report.notices.is_empty() {
        out.push_str("### Config notices\n\n");
        for n in &report.notices {
            let kind = n.kind.label();
            out.push_str(&format!("- {kind}: {}\n", escape(&n.message)));
        }
        out.push('\n');
    }

    // Exactly one trailing newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Escapes text for a Markdown table cell or paragraph: a backslash before
/// the punctuation that can start inline markup mid-line (CommonMark allows
/// it before any ASCII punctuation), and line breaks as `<br>` so a table
/// cell stays on one row. Names come from the account, so mentions and
/// links are defused too ([`defuse`]).
pub fn escape(s: &str) -> String {
    defuse(&escape_markup(s))
}

/// A zero-width space (as an entity, so it survives copying) after `@` and
/// inside `://` and `www.`: in a pull-request comment `@someone` would notify
/// a person and a URL would become a link, neither of which a user name or
/// a policy name should do. The text reads the same.
fn defuse(s: &str) -> String {
    const ZWSP: &str = "&#8203;";
    let mut out = String::with_capacity(s.len());
    let lower = s.to_ascii_lowercase();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else { break };
        if c == '@' {
            out.push('@');
            out.push_str(ZWSP);
        } else if rest.starts_with("://") {
            out.push(':');
            out.push_str(ZWSP);
        } else if lower[i..].starts_with("www.") {
            out.push_str(&rest[..3]);
            out.push_str(ZWSP);
            i += 3;
            continue;
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span for a table cell, for wmaudit's own identifiers: `|` must be
/// escaped even inside code (GFM splits cells before it parses code spans).
pub fn cell_code(s: &str) -> String {
    code(&s.replace('|', "\\|"))
}

/// A code span that survives backticks and newlines. (Code spans are never
/// mentions or links, so nothing needs defusing inside.)
pub fn code(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // A leading or trailing backtick would merge with the fence.
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// Escapes text for raw HTML (`<summary>`), on one line.
fn html(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_links_are_defused() {
        assert_eq!(
            escape("ping @octocat, see https://evil.example/x and WWW.evil.example"),
            "ping @&#8203;octocat, see https:&#8203;//evil.example/x and WWW&#8203;.evil.example"
        );
        assert_eq!(escape("plain-name_1"), "plain-name\\_1");
        assert_eq!(escape("a&b"), "a\\&b");
    }
}
