//! The overview before the details of a run of several accounts: one line
//! per account (scanned or not) with its name, OU, active findings by
//! severity and gate, for the table and Markdown.

use super::set::{OverviewRow, ReportSet};

/// Most accounts the Markdown overview lists (the worst first): 200 lines
/// of about 120 bytes stay well inside GitHub's 65,536-character comment.
pub const MAX_MARKDOWN_ROWS: usize = 200;

/// Worst first: failing, then not evaluated, incomplete, passed; then by
/// critical, high, ... counts; then account id.
fn worst_first(rows: &mut [OverviewRow<'_>]) {
    let rank = |g: &str| match g {
        "failing" => 0,
        "not evaluated" => 1,
        "incomplete" => 2,
        _ => 3,
    };
    rows.sort_by(|a, b| {
        rank(a.gate)
            .cmp(&rank(b.gate))
            .then_with(|| b.counts.cmp(&a.counts))
            .then_with(|| a.account_id.cmp(b.account_id))
    });
}

fn headline(set: &ReportSet<'_>, rows: &[OverviewRow<'_>]) -> String {
    let n = |g: &str| rows.iter().filter(|r| r.gate == g).count();
    let verdict = set.verdict();
    format!(
        "{} account(s){}: {} failing, {} incomplete, {} not evaluated, {} passed; exit code {}",
        rows.len(),
        set.organization
            .map(|o| format!(" of organization {}", o.organization.id))
            .unwrap_or_default(),
        n("failing"),
        n("incomplete"),
        n("not evaluated"),
        n("passed"),
        verdict.exit_code()
    )
}

fn counts(r: &OverviewRow<'_>) -> [String; 5] {
    match r.counts {
        Some(c) => c.map(|n| n.to_string()),
        None => std::array::from_fn(|_| "-".to_owned()),
    }
}

/// Plain text for the table format.
pub fn table(set: &ReportSet<'_>) -> String {
    let mut rows = set.overview();
    let mut out = format!("Overview: {}\n\n", headline(set, &rows));
    worst_first(&mut rows);
    let mut lines = vec![[
        "Account".to_owned(),
        "Name".to_owned(),
        "OU".to_owned(),
        "Crit".to_owned(),
        "High".to_owned(),
        "Med".to_owned(),
        "Low".to_owned(),
        "Info".to_owned(),
        "Gate".to_owned(),
    ]];
    for r in &rows {
        let [c, h, m, l, i] = counts(r);
        lines.push([
            r.account_id.to_owned(),
            crate::redact::redact(r.name),
            r.ou_path.clone(),
            c,
            h,
            m,
            l,
            i,
            r.gate.to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..9)
        .map(|k| {
            lines
                .iter()
                .map(|l| l[k].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if (3..8).contains(&k) {
                    format!("{c:>w$}", w = widths[k])
                } else {
                    format!("{c:<w$}", w = widths[k])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    for r in rows.iter().filter(|r| r.reason.is_some()) {
        out.push_str(&format!(
            "  not evaluated: {} ({}): {}\n",
            r.account_id,
            crate::redact::redact(r.name),
            crate::redact::redact(r.reason.as_deref().unwrap_or_default())
        ));
    }
    out.push('\n');
    out
}

/// GitHub-flavoured Markdown, at most [`MAX_MARKDOWN_ROWS`] accounts.
pub fn markdown(set: &ReportSet<'_>) -> String {
    use super::markdown::escape;
    let mut rows = set.overview();
    let mut out = format!(
        "## wmaudit: overview\n\n{}\n\n",
        escape(&headline(set, &rows))
    );
    worst_first(&mut rows);
    out.push_str("| Account | Name | OU | Critical | High | Medium | Low | Info | Gate |\n");
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|---|\n");
    for r in rows.iter().take(MAX_MARKDOWN_ROWS) {
        let [c, h, m, l, i] = counts(r);
        let gate = match &r.reason {
            Some(why) => format!("not evaluated: {}", crate::redact::redact(why)),
            None => r.gate.to_owned(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {c} | {h} | {m} | {l} | {i} | {} |\n",
            r.account_id,
            escape(&crate::redact::redact(r.name)),
            escape(&r.ou_path),
            escape(&gate)
        ));
    }
    if rows.len() > MAX_MARKDOWN_ROWS {
        out.push_str(&format!(
            "\n{} more account(s), all passed or less severe, are in the JSON report.\n",
            rows.len() - MAX_MARKDOWN_ROWS
        ));
    }
    out.push('\n');
    out
}
