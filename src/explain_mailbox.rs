//! `wmaudit explain --mailbox ADDRESS_OR_ID`: who can read, send as or
//! impersonate one WorkMail mailbox, and how (WorkMail's grants joined with
//! IAM, escalation paths included).

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use crate::args::{ExplainArgs, ExplainFormat};
use crate::exit;
use crate::input::{self, UsageError};
use crate::output::to_stdout;
use wmaudit_core::catalog::Catalog;
use wmaudit_core::display::cell;
use wmaudit_core::eval::Engine;
use wmaudit_core::reach::{Goal, paths_to};
use wmaudit_core::workmail::access::{ASSUME_IMPERSONATION, analyze};
use wmaudit_core::workmail::answer::{MailboxAnswer, OrgAnswer, RoleAnswer, org_answer};

#[derive(Serialize)]
struct View<'a> {
    organization: OrgView<'a>,
    mailbox: &'a MailboxAnswer,
    impersonation: Vec<&'a RoleAnswer>,
    /// Principals that can assume any impersonation role (listed once here,
    /// they reach the mailbox through every role above).
    any_impersonation_role: &'a [wmaudit_core::workmail::answer::IamAnswer],
}

#[derive(Serialize)]
struct OrgView<'a> {
    id: &'a str,
    region: &'a str,
    arn: &'a str,
    alias: Option<&'a str>,
}

pub fn run(args: &ExplainArgs, wanted: &str) -> Result<u8> {
    // With the organization file among the inputs, who can call
    // AssumeImpersonationRole is bounded by the SCPs, as in `scan`.
    let input::Loaded {
        snapshots,
        organization,
    } = input::load_run(&args.input)?;
    let catalog = Catalog::builtin();
    let matches = |m: &MailboxAnswer| {
        m.id == wanted
            || m.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
            || m.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
    };
    let mut answers: Vec<OrgAnswer> = Vec::new();
    let mut any_workmail = false;
    for s in &snapshots {
        let Some(wm) = &s.workmail else { continue };
        any_workmail = true;
        let account_id = s.account_id().unwrap_or_default();
        let controls = organization.as_ref().and_then(|o| o.controls(&account_id));
        let engine = s
            .account
            .as_ref()
            .map(|a| Engine::with_controls(catalog, a, controls.as_ref()));
        let roles: HashMap<&str, &wmaudit_core::account::Role> = s
            .account
            .iter()
            .flat_map(|a| a.roles.iter().map(|r| (r.arn.as_str(), r)))
            .collect();
        let reach = engine.as_ref().and_then(|e| {
            let set = catalog.set_of([ASSUME_IMPERSONATION]).ok()?;
            Some(paths_to(e, &roles, Goal::Any(&set)))
        });
        let partition = s
            .caller_identity
            .as_ref()
            .and_then(|c| c.arn.split(':').nth(1))
            .unwrap_or("aws");
        for o in analyze(wm, engine.as_ref(), reach.as_ref(), partition, &account_id) {
            let mut a = org_answer(&o, engine.as_ref());
            // Groups are expanded for the mailbox asked about only.
            for m in a.mailboxes.iter_mut().filter(|m| matches(m)) {
                for acc in m.access.iter_mut().filter(|x| x.who_kind == "group") {
                    acc.member_list = o
                        .members(&acc.who_id)
                        .map(|v| v.into_iter().map(|e| e.label).collect())
                        .unwrap_or_default();
                }
            }
            answers.push(a);
        }
    }
    if !any_workmail {
        return Err(UsageError(
            "the input has no WorkMail data: collect it live with `wmaudit collect` \
             (without --no-workmail); files imported from the AWS CLI hold IAM only"
                .into(),
        )
        .into());
    }
    let mut views = Vec::new();
    for o in &answers {
        for m in o.mailboxes.iter().filter(|m| matches(m)) {
            views.push(View {
                organization: OrgView {
                    id: &o.id,
                    region: &o.region,
                    arn: &o.arn,
                    alias: o.alias.as_deref(),
                },
                mailbox: m,
                impersonation: o
                    .impersonation_roles
                    .iter()
                    .filter(|r| m.impersonated_by.contains(&r.id))
                    .collect(),
                any_impersonation_role: if m.kind == "user" {
                    &o.any_impersonation_role
                } else {
                    &[]
                },
            });
        }
    }
    if views.is_empty() {
        let names = answers.iter().flat_map(|o| {
            o.mailboxes
                .iter()
                .flat_map(|m| m.email.iter().chain(m.name.iter()).map(String::as_str))
        });
        let hint = wmaudit_core::diag::did_you_mean(wanted, names);
        return Err(UsageError(format!(
            "no mailbox with the address, name or id {wanted:?} in the input{hint}"
        ))
        .into());
    }
    match args.format {
        ExplainFormat::Json => {
            let json = serde_json::to_string_pretty(&views)?;
            to_stdout(|w| writeln!(w, "{json}"))?;
        }
        ExplainFormat::Table => {
            let text: Vec<String> = views.iter().map(render).collect();
            to_stdout(|w| write!(w, "{}", text.join("\n")))?;
        }
    }
    Ok(exit::PASSED)
}

fn render(v: &View<'_>) -> String {
    let safe = |t: &str| cell(t).into_owned();
    let m = v.mailbox;
    let label = m.email.as_deref().or(m.name.as_deref()).unwrap_or(&m.id);
    let org = match v.organization.alias {
        Some(a) => format!("{a} ({}, {})", v.organization.id, v.organization.region),
        None => format!("{} ({})", v.organization.id, v.organization.region),
    };
    let mut s = format!(
        "Mailbox {} ({} {}) in WorkMail organization {}\n",
        safe(label),
        m.kind,
        safe(&m.id),
        safe(&org)
    );
    let sections = [
        ("Read (FULL_ACCESS)", "full_access"),
        ("Send as", "send_as"),
        ("Send on behalf", "send_on_behalf"),
        ("Delegates (manage bookings)", "delegate"),
    ];
    for (title, right) in sections {
        let mut rows: Vec<String> = Vec::new();
        for a in m.access.iter().filter(|a| a.right == right) {
            let how = safe(&a.chain[0]);
            if a.who_kind != "group" {
                rows.push(format!("  {} ← {how}", safe(&a.who)));
            } else if a.member_list.is_empty() {
                let n = a
                    .members
                    .map_or("members unknown".to_owned(), |n| format!("{n} users"));
                rows.push(format!("  group {} ({n}) ← {how}", safe(&a.who)));
            } else {
                for u in &a.member_list {
                    rows.push(format!(
                        "  {} ← member of group {} ← {how}",
                        safe(u),
                        safe(&a.who)
                    ));
                }
            }
        }
        if !rows.is_empty() {
            s.push_str(&format!("\n{title}:\n{}\n", rows.join("\n")));
        }
    }
    if v.impersonation.is_empty() && v.any_impersonation_role.is_empty() {
        s.push_str("\nImpersonate: no impersonation role opens it.\n");
    }
    for r in &v.impersonation {
        let name = r.name.as_deref().unwrap_or(&r.id);
        s.push_str(&format!(
            "\nImpersonate through role {} ({}, {}; targets {} of {} users; {}):\n",
            safe(name),
            safe(&r.id),
            r.kind,
            r.targets.map_or("?".to_owned(), |t| t.to_string()),
            r.of_users,
            safe(&r.access_rules)
        ));
        // Those that can assume any role are listed once, below.
        let only_this: Vec<_> = r.usable_by.iter().filter(|u| u.scoped).collect();
        if only_this.is_empty() && v.any_impersonation_role.is_empty() {
            s.push_str("  no IAM principal can assume it\n");
        } else if only_this.is_empty() {
            s.push_str("  only the principals below, which can assume any role\n");
        }
        for u in only_this {
            iam_lines(&mut s, u);
        }
    }
    if !v.any_impersonation_role.is_empty() {
        s.push_str("\nCan assume any impersonation role, including ones created later:\n");
        for u in v.any_impersonation_role {
            iam_lines(&mut s, u);
        }
    }
    if !m.unknown.is_empty() {
        s.push_str(&format!("\nNot known: {}\n", safe(&m.unknown.join("; "))));
    }
    s
}

/// One IAM principal's way to an impersonation role, and what allows it.
fn iam_lines(s: &mut String, u: &wmaudit_core::workmail::answer::IamAnswer) {
    let safe = |t: &str| cell(t).into_owned();
    let cond = if u.conditional {
        " [under a condition]"
    } else {
        ""
    };
    s.push_str(&format!("  {}{cond}\n", safe(&u.chain.join(" → "))));
    for st in &u.statements {
        s.push_str(&format!("      allowed by {}\n", safe(st)));
    }
}
