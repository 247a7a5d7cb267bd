//! Human-readable tables for a terminal (comfy-table).
//!
//! Layout: a summary box; the active findings and a line counting the
//! suppressed and baseline ones (not listed); the "not evaluated" section
//! (always shown: an auditor must see what was not looked at); config notices.

use comfy_table::modifiers::UTF8_ROUND_CORNERS;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width};

use crate::display::cell;

use crate::findings::{ScanReport, Severity};
use crate::snapshot::SourceKind;

use super::RenderOptions;

/// Width used when the caller does not know the terminal's (output piped).
pub const DEFAULT_WIDTH: u16 = 100;
/// Below this, four columns cannot be laid out; narrower widths are raised.
pub const MIN_WIDTH: u16 = 40;

pub fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let width = opts.width.unwrap_or(DEFAULT_WIDTH).max(MIN_WIDTH);
    let w = usize::from(width);
    let mut out = String::new();

    out.push_str(&summary(report, opts.color, width));
    out.push('\n');
    views(report, opts, width, &mut out);

    // Findings.
    let active: Vec<_> = super::active_findings(report).collect();
    out.push('\n');
    out.push_str(&heading(
        &format!("Findings ({} active)", active.len()),
        opts.color,
    ));
    if active.is_empty() {
        out.push_str("No active findings.\n");
    } else {
        let mut t = new_table(width, opts.color);
        t.set_header(vec!["Severity", "Rule", "Resource", "Message"]);
        // Rule ids get a fixed share of the width and break only after a
        // `-` (comfy-table would cut them anywhere): an id must stay
        // recognisable to be searched for or put into a suppression.
        let longest_rule = active
            .iter()
            .map(|f| f.finding.rule_id.chars().count())
            .max()
            .unwrap_or(0);
        let rule_width = longest_rule.min((w.saturating_sub(13) * 3 / 10).max(12));
        // Resource names break only after `/`, `-`, `_` or `.` too.
        // What is left after borders, severity, rule and a message column
        // of at least 16.
        let room = w.saturating_sub(5 + 10 + rule_width + 2 + 16 + 2);
        let resource_width = active
            .iter()
            .map(|f| super::resource_label(&f.finding.resource).chars().count())
            .max()
            .unwrap_or(8)
            .min(w / 4)
            .min(room)
            .max(1);
        t.set_constraints(vec![
            ColumnConstraint::LowerBoundary(Width::Fixed(8 + 2)),
            ColumnConstraint::Absolute(Width::Fixed(
                u16::try_from(rule_width + 2).unwrap_or(u16::MAX),
            )),
            ColumnConstraint::LowerBoundary(Width::Fixed(
                u16::try_from(resource_width + 2).unwrap_or(u16::MAX),
            )),
        ]);
        for rf in &active {
            let f = &rf.finding;
            t.add_row(vec![
                severity_cell(f.severity, opts.color),
                Cell::new(break_id(&f.rule_id, rule_width)),
                Cell::new(break_id(
                    &cell(&super::resource_label(&f.resource)),
                    resource_width,
                )),
                Cell::new(match super::via_line(f) {
                    Some(via) => format!("{}\n{}", cell(f.message.trim()), cell(&via)),
                    None => cell(f.message.trim()).into_owned(),
                }),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    if let Some((_, fixed)) = super::baseline_lines(report) {
        for line in fixed {
            push_wrapped(&mut out, &cell(&line), "  ", w);
        }
    }
    let (suppressed, baseline) = super::hidden_counts(report);
    push_wrapped(
        &mut out,
        &format!(
            "Not listed: {} and {}.",
            super::plural(suppressed, "suppressed finding", "suppressed findings"),
            super::plural(baseline, "baseline finding", "baseline findings"),
        ),
        "",
        w,
    );

    // What the scan could not see: never hidden, even when long.
    out.push('\n');
    out.push_str(&heading("Not evaluated", opts.color));
    let gaps = super::coverage_gaps(report);
    if gaps.is_empty() {
        out.push_str("Nothing: coverage is complete.\n");
    } else {
        let mut t = new_table(width, opts.color);
        t.set_header(vec!["What", "Reason"]);
        for g in gaps {
            t.add_row(vec![
                cell(&g.what).into_owned(),
                cell(&g.reason).into_owned(),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    if let Some(line) = super::not_requested_line(report) {
        push_wrapped(&mut out, &cell(&line), "", w);
    }
    let builtin = &report.coverage.builtin_policies_used;
    if !builtin.is_empty() {
        push_wrapped(
            &mut out,
            &format!(
                "AWS managed policies evaluated from wmaudit's embedded copy (catalog {}): {}.",
                report.meta.catalog_version,
                cell(&builtin.join(", "))
            ),
            "",
            w,
        );
    }

    if !report.notices.is_empty() {
        out.push('\n');
        out.push_str(&heading("Config notices", opts.color));
        for n in &report.notices {
            let kind = n.kind.label();
            push_wrapped(
                &mut out,
                &format!("- {kind}: {}", cell(&n.message)),
                "  ",
                w,
            );
        }
    }
    out
}

/// A table that never looks at the terminal (renderers are pure) and only
/// styles cells when colour was asked for.
fn new_table(width: u16, color: bool) -> Table {
    let mut t = Table::new();
    t.force_no_tty();
    if color {
        t.enforce_styling();
    }
    t.load_preset(UTF8_FULL_CONDENSED)
        .apply_modifier(UTF8_ROUND_CORNERS)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    t
}

fn summary(report: &ScanReport, color: bool, width: u16) -> String {
    let m = &report.meta;
    let mut t = new_table(width, color);
    let account = if m.account_id.is_empty() {
        "unknown".to_owned()
    } else {
        m.account_id.clone()
    };
    let account = if m.account_aliases.is_empty() {
        account
    } else {
        format!("{account} ({})", m.account_aliases.join(", "))
    };
    t.add_row(vec![Cell::new("Account"), Cell::new(cell(&account))]);
    let source = match m.source {
        SourceKind::Live => "live (AWS APIs)",
        SourceKind::Files => "files (imported)",
        SourceKind::Demo => "demo data",
    };
    t.add_row(vec!["Source", source]);
    if let Some(org) = super::organization_line(report) {
        t.add_row(vec![Cell::new("Organization"), Cell::new(cell(&org))]);
    }
    if let Some(caller) = &m.caller_arn {
        t.add_row(vec![Cell::new("Caller"), Cell::new(cell(caller))]);
    }
    if let Some(at) = &m.evaluated_at {
        t.add_row(vec![Cell::new("Evaluated at"), Cell::new(cell(at))]);
    }
    t.add_row(vec![Cell::new("Scope"), Cell::new(super::SCOPE_LIMITS)]);
    t.add_row(vec![
        Cell::new("WorkMail"),
        Cell::new(report.end_of_support.summary()),
    ]);
    t.add_row(vec![
        Cell::new("Mailboxes"),
        Cell::new(cell(&super::workmail_line(report))),
    ]);
    t.add_row(vec![
        Cell::new("Config"),
        Cell::new(cell(&report.config.summary())),
    ]);
    if let Some((summary, _)) = super::baseline_lines(report) {
        t.add_row(vec![Cell::new("Baseline"), Cell::new(summary)]);
    }
    if let Some(note) = &report.display_filter {
        t.add_row(vec![Cell::new("Shown"), Cell::new(cell(note))]);
    }
    let counts = report.count_by_severity();
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {s}", counts.get(s).copied().unwrap_or(0)))
        .collect();
    t.add_row(vec![
        "Findings".to_owned(),
        format!(
            "{} ({} active)",
            by_sev.join(", "),
            counts.values().sum::<usize>()
        ),
    ]);
    let verdict = super::gate_verdict(&report.gate);
    let mut cell = Cell::new(&verdict.text);
    if color {
        cell = cell
            .fg(if verdict.passed {
                Color::Green
            } else {
                Color::Red
            })
            .add_attribute(Attribute::Bold);
    }
    t.add_row(vec![Cell::new("Gate"), cell]);
    t.to_string()
}

fn severity_cell(s: Severity, color: bool) -> Cell {
    let cell = Cell::new(s.as_str());
    if !color {
        return cell;
    }
    match s {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell.fg(Color::DarkGrey),
    }
}

/// Splits an identifier into lines of at most `width` characters, after
/// `-`, `_`, `.` or `/` where possible.
fn break_id(id: &str, width: usize) -> String {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for part in id.split_inclusive(['-', '_', '.', '/']) {
        let mut part: Vec<char> = part.chars().collect();
        while !part.is_empty() {
            if len + part.len() <= width {
                line.extend(part.drain(..));
                len = line.chars().count();
            } else if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            } else {
                line.extend(part.drain(..width.min(part.len())));
                lines.push(std::mem::take(&mut line));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

/// Who can get to the mail and findings by cause, before the full list.
fn views(report: &ScanReport, opts: &RenderOptions, width: u16, out: &mut String) {
    let max = super::MAX_VIEW_ROWS;
    let access = super::mail_access(report);
    if !access.rows.is_empty() {
        out.push('\n');
        out.push_str(&heading("Who can get to the mail", opts.color));
        let mut t = new_table(width, opts.color);
        // Names break only after `/`, `-`, `_` or `.`, within a column that
        // holds the longest (up to a third of the width): a name cut
        // anywhere cannot be searched for.
        let labels: Vec<String> = access
            .rows
            .iter()
            .take(max)
            .map(|(p, _)| cell(&format!("{}/{}", p.kind.as_str(), p.name)).into_owned())
            .collect();
        let name_width = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(9)
            .clamp(9, usize::from(width) / 3);
        let mut header = vec![
            "Principal".to_owned(),
            "Designated".to_owned(),
            "Administers".to_owned(),
        ];
        header.extend(access.columns.iter().map(|c| break_id(c, 14)));
        header.push("Findings".to_owned());
        t.set_header(header);
        t.set_constraints(vec![ColumnConstraint::LowerBoundary(Width::Fixed(
            u16::try_from(name_width + 2).unwrap_or(u16::MAX),
        ))]);
        for ((p, findings), label) in access.rows.iter().take(max).zip(&labels) {
            let mut row = vec![
                break_id(label, name_width),
                if p.designated_admin { "yes" } else { "" }.to_owned(),
                if p.workmail_admin { "yes" } else { "" }.to_owned(),
            ];
            row.extend(access.columns.iter().map(|c| super::held(p, c)));
            row.push(findings.to_string());
            t.add_row(row);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        if access.rows.len() > max {
            out.push_str(&format!(
                "… and {} more principals (the JSON and HTML reports list every one).\n",
                access.rows.len() - max
            ));
        }
    }
    let causes = super::causes(report);
    if !causes.is_empty() {
        out.push('\n');
        out.push_str(&heading("Findings by cause", opts.color));
        let mut t = new_table(width, opts.color);
        t.set_header(vec!["Severity", "Rule", "Findings and cause"]);
        let w = usize::from(width);
        let longest = causes
            .iter()
            .map(|c| c.rule.chars().count())
            .max()
            .unwrap_or(0);
        let rule_width = longest.min((w.saturating_sub(13) * 3 / 10).max(12));
        t.set_constraints(vec![
            ColumnConstraint::LowerBoundary(Width::Fixed(8 + 2)),
            ColumnConstraint::Absolute(Width::Fixed(
                u16::try_from(rule_width + 2).unwrap_or(u16::MAX),
            )),
        ]);
        for c in causes.iter().take(max) {
            let via = if c.via.is_empty() {
                "—".to_owned()
            } else {
                cell(&c.via).into_owned()
            };
            t.add_row(vec![
                severity_cell(c.severity, opts.color),
                Cell::new(break_id(c.rule, rule_width)),
                Cell::new(format!("{} × {via}", c.on.len())),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        if causes.len() > max {
            out.push_str(&format!(
                "… and {} more causes (every finding is listed below).\n",
                causes.len() - max
            ));
        }
    }
}

fn heading(text: &str, color: bool) -> String {
    if color {
        // Bold via SGR; comfy-table's styling only applies inside tables.
        format!("\u{1b}[1m{text}\u{1b}[0m\n")
    } else {
        format!("{text}\n")
    }
}

/// Greedy word wrap to `width` characters; continuation lines get `indent`.
/// Words longer than a line are split, so no line exceeds the width.
/// Wraps `text` at `width` terminal columns (display width: a CJK character
/// takes two), breaking between words; a word longer than a line is split.
fn push_wrapped(out: &mut String, text: &str, indent: &str, width: usize) {
    use unicode_width::UnicodeWidthChar;
    let cols = |c: &char| c.width().unwrap_or(0);
    let indent_len: usize = indent.chars().map(|c| cols(&c)).sum();
    let mut line = String::new();
    let mut len = 0;
    // No word on the current line yet (it may hold the indent).
    let mut fresh = true;
    let mut flush = |line: &mut String, len: &mut usize, fresh: &mut bool| {
        out.push_str(line.trim_end());
        out.push('\n');
        *line = indent.to_owned();
        *len = indent_len;
        *fresh = true;
    };
    for word in text.split_whitespace() {
        let mut rest: Vec<char> = word.chars().collect();
        while !rest.is_empty() {
            let sep = usize::from(!fresh);
            let word_len: usize = rest.iter().map(cols).sum();
            if len + sep + word_len <= width {
                if !fresh {
                    line.push(' ');
                }
                line.extend(rest.iter());
                len += sep + word_len;
                fresh = false;
                break;
            }
            if !fresh {
                flush(&mut line, &mut len, &mut fresh);
                continue;
            }
            // Alone on a line and still too long: split the word at the width
            // (at least one character, so a line always moves on).
            let room = width.saturating_sub(len);
            let mut take = 0;
            let mut used = 0;
            while take < rest.len() && used + cols(&rest[take]) <= room {
                used += cols(&rest[take]);
                take += 1;
            }
            line.extend(rest.drain(..take.max(1)));
            flush(&mut line, &mut len, &mut fresh);
        }
    }
    if !fresh {
        flush(&mut line, &mut len, &mut fresh);
    }
}

#[cfg(test)]
mod tests {
    use super::{break_id, push_wrapped};

    #[test]
    fn ids_break_after_separators() {
        assert_eq!(
            break_id("workmail-admin-without-mfa", 20),
            "workmail-admin-\nwithout-mfa"
        );
        assert_eq!(break_id("short", 20), "short");
        assert_eq!(break_id("abcdefghij", 4), "abcd\nefgh\nij");
        assert_eq!(break_id("", 4), "");
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let mut out = String::new();
        let text = "- unused suppression: a rather long message with a verylongunbreakablewordthatexceedsthewidth in it";
        push_wrapped(&mut out, text, "  ", 20);
        for line in out.lines() {
            assert!(line.chars().count() <= 20, "{line:?}");
        }
        let words: String = out.split_whitespace().collect();
        assert_eq!(words, text.split_whitespace().collect::<String>());
    }
}
