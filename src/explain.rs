//! `wmaudit explain`: one principal's effective permissions, action by action,
//! with the statements that decide each.

use anyhow::Result;
use serde::Serialize;

use crate::args::{ExplainArgs, ExplainFormat};
use crate::exit;
use crate::input::{self, UsageError};
use crate::output::to_stdout;
use wmaudit_core::catalog::{ActionSet, Catalog};
use wmaudit_core::display::cell;
use wmaudit_core::eval::{Decision, Engine, Explanation, Hit, PrincipalId};
use wmaudit_core::policy::wildcard_match;
use wmaudit_core::rules::context::{designation, policy_label, via_label};

#[derive(Serialize)]
struct Row<'a> {
    action: &'a str,
    access_level: &'a str,
    decision: Decision,
    limits: Vec<String>,
    grants: Vec<HitView<'a>>,
    denies: Vec<HitView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boundary: Option<BoundaryView<'a>>,
    /// The organization's SCPs and RCPs that bound it, in words and as data.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    organization: Vec<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    controls: &'a [wmaudit_core::eval::controls::ControlBlock],
}

/// A statement hit with its policy named (internal ids mean nothing outside).
#[derive(Serialize)]
struct HitView<'a> {
    policy: String,
    #[serde(flatten)]
    hit: &'a Hit,
}

#[derive(Serialize)]
struct BoundaryView<'a> {
    policy: String,
    allows: Vec<HitView<'a>>,
    denies: Vec<HitView<'a>>,
}

#[derive(Serialize)]
struct PrincipalView<'a> {
    arn: &'a str,
    kind: &'a str,
    name: &'a str,
    groups: &'a [String],
    permissions_boundary: Option<&'a str>,
    complete: bool,
    problems: &'a [String],
    workmail_administrator: Designation,
    actions: Vec<Row<'a>>,
    /// With `--paths`.
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Vec<PathView>>,
}

/// How a principal stands towards one goal.
#[derive(Serialize)]
struct PathView {
    goal: &'static str,
    /// Holds it itself.
    holds: bool,
    /// The shortest path when it does not hold it; empty when it has none.
    steps: Vec<StepView>,
}

#[derive(Serialize)]
struct StepView {
    method: &'static str,
    target: String,
    actions: Vec<&'static str>,
    conditional: bool,
}

fn paths_of(
    engine: &Engine<'_>,
    roles: &std::collections::HashMap<&str, &wmaudit_core::account::Role>,
    goals: &[wmaudit_core::reach::NamedGoal],
    id: PrincipalId,
) -> Vec<PathView> {
    use wmaudit_core::reach::paths_to;
    goals
        .iter()
        .map(|g| {
            let goal = g.goal();
            let holds = goal.held_by(engine, id);
            let steps = if holds {
                Vec::new()
            } else {
                paths_to(engine, roles, goal)
                    .paths
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| StepView {
                        method: s.method.verb(),
                        target: s.target,
                        actions: s.actions,
                        conditional: s.conditional,
                    })
                    .collect()
            };
            PathView {
                goal: g.label,
                holds,
                steps,
            }
        })
        .collect()
}

/// Whether the principal is a designated WorkMail administrator (the
/// configuration's `workmail.administrators`, else the default), and why.
#[derive(Serialize)]
struct Designation {
    designated: bool,
    why: String,
}

impl Designation {
    fn of(engine: &Engine<'_>, admins: &[String], id: PrincipalId) -> Self {
        match designation(engine, admins, id) {
            Ok(why) => Designation {
                designated: true,
                why,
            },
            Err(why) => Designation {
                designated: false,
                why,
            },
        }
    }
}

pub fn run(args: &ExplainArgs) -> Result<u8> {
    let principal = match (&args.mailbox, &args.principal) {
        (Some(m), None) => return crate::explain_mailbox::run(args, m),
        (Some(_), Some(_)) => {
            return Err(UsageError("give a principal or --mailbox, not both".into()).into());
        }
        (None, Some(p)) => p.as_str(),
        (None, None) => {
            return Err(
                UsageError("give a principal (a name or an ARN) or --mailbox".into()).into(),
            );
        }
    };
    // --rules and --config are validated as for `scan`; the config's
    // administrators decide the designation shown.
    let (rules, config) = crate::cli::load_rules(&args.rules)?;
    let admins = &config.administrators;
    // With the organization file among the inputs, its SCPs and RCPs bound
    // the account as in `scan`.
    let input::Loaded {
        snapshots,
        organization,
    } = input::load_run(&args.input)?;
    let catalog = Catalog::builtin();
    let wanted = action_filter(catalog, &args.action)?;
    let mut views = Vec::new();
    let mut engines = Vec::new();
    let mut role_maps = Vec::new();
    for s in &snapshots {
        if let Some(account) = &s.account {
            let controls = organization
                .as_ref()
                .and_then(|o| o.controls(&s.account_id().unwrap_or_default()));
            engines.push(Engine::with_controls(catalog, account, controls.as_ref()));
            role_maps.push(
                account
                    .roles
                    .iter()
                    .map(|r| (r.arn.as_str(), r))
                    .collect::<std::collections::HashMap<_, _>>(),
            );
        }
    }
    let goals = if args.paths {
        wmaudit_core::scan::reach_goals(&rules, catalog)
    } else {
        Vec::new()
    };
    if engines.is_empty() {
        return Err(UsageError(
            "the input has no authorization details, so there are no principals to explain".into(),
        )
        .into());
    }
    let mut found = Vec::new();
    for (e, roles) in engines.iter().zip(&role_maps) {
        for id in e.find(principal) {
            found.push((e, id, roles));
        }
    }
    if found.is_empty() {
        let names = engines
            .iter()
            .flat_map(|e| e.principals.iter().map(|p| p.name.as_str()));
        let hint = wmaudit_core::diag::did_you_mean(principal, names);
        return Err(UsageError(format!(
            "no user, group or role named {principal:?} in the input{hint}"
        ))
        .into());
    }
    let mut texts = Vec::new();
    for (engine, id, roles) in &found {
        let paths = args.paths.then(|| paths_of(engine, roles, &goals, *id));
        let explanations: Vec<Explanation> = wanted
            .ones()
            .map(|a| engine.explain(*id, a))
            // A grant that a boundary or Deny cancels is worth showing too.
            .filter(|e| args.all || e.decision != Decision::NotGranted || !e.grants.is_empty())
            .collect();
        match args.format {
            ExplainFormat::Json => views.push((engine, *id, explanations, paths)),
            ExplainFormat::Table => {
                let mut text = render_table(engine, admins, *id, &explanations);
                if let Some(paths) = &paths {
                    text.push_str(&render_paths(engine.principal(*id), paths));
                }
                texts.push(text);
            }
        }
    }
    match args.format {
        ExplainFormat::Table => to_stdout(|out| write!(out, "{}", texts.join("\n")))?,
        ExplainFormat::Json => {
            let mut out: Vec<PrincipalView> = Vec::new();
            for (e, id, ex, paths) in views.iter_mut() {
                let mut v = view(e, admins, *id, ex);
                v.paths = paths.take();
                out.push(v);
            }
            let json = serde_json::to_string_pretty(&out)?;
            to_stdout(|w| writeln!(w, "{json}"))?;
        }
    }
    Ok(exit::PASSED)
}

fn action_filter(catalog: &Catalog, patterns: &[String]) -> Result<ActionSet> {
    let mut set = catalog.empty_set();
    if patterns.is_empty() {
        set.union_with(&catalog.service_set("workmail"));
        set.union_with(&catalog.service_set("workmailmessageflow"));
        return Ok(set);
    }
    for pat in patterns {
        let before = set.count_ones(..);
        for (i, a) in catalog.actions().iter().enumerate() {
            if wildcard_match(pat, a.full_name, true) {
                set.insert(i);
            }
        }
        if set.count_ones(..) == before {
            return Err(
                UsageError(format!("--action {pat:?} matches no action wmaudit knows")).into(),
            );
        }
    }
    Ok(set)
}

fn hit_label(engine: &Engine<'_>, h: &Hit) -> String {
    let origin = &engine.policies.get(h.policy).origin;
    let sid = h
        .sid
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    format!(
        "{} {} statement {}{sid}{}",
        policy_label(origin),
        via_label(&h.via),
        h.statement,
        if h.conditional { " [conditional]" } else { "" }
    )
}

fn reasons(engine: &Engine<'_>, e: &Explanation) -> Vec<String> {
    let mut out = Vec::new();
    for h in &e.denies {
        out.push(format!("deny: {}", hit_label(engine, h)));
    }
    for h in &e.grants {
        out.push(format!("allow: {}", hit_label(engine, h)));
    }
    if let Some(b) = &e.boundary {
        let name = policy_label(&engine.policies.get(b.policy).origin);
        if b.allows.is_empty() {
            out.push(format!("boundary {name} does not allow it"));
        }
        for h in &b.denies {
            out.push(format!("boundary deny: {}", hit_label(engine, h)));
        }
    }
    out.extend(e.limits().into_iter().map(|l| format!("limit: {l}")));
    out.extend(
        e.controls
            .iter()
            .map(|c| format!("organization: {}", c.describe())),
    );
    out.extend(e.note.map(str::to_owned));
    out
}

fn render_table(
    engine: &Engine<'_>,
    admins: &[String],
    id: PrincipalId,
    ex: &[Explanation],
) -> String {
    let p = engine.principal(id);
    let catalog = engine.catalog();
    let safe = |t: &str| cell(t).into_owned();
    let mut s = format!("{} {} ({})\n", p.kind.as_str(), safe(&p.name), safe(&p.arn));
    if !p.groups.is_empty() {
        s.push_str(&format!("groups: {}\n", safe(&p.groups.join(", "))));
    }
    if let Some(b) = &p.boundary_arn {
        s.push_str(&format!("permission boundary: {}\n", safe(b)));
    }
    let d = Designation::of(engine, admins, id);
    s.push_str(&format!(
        "designated WorkMail administrator: {} ({})\n",
        if d.designated { "yes" } else { "no" },
        safe(&d.why)
    ));
    for problem in &p.problems {
        s.push_str(&format!("NOT FULLY EVALUATED: {}\n", safe(problem)));
    }
    if ex.is_empty() {
        s.push_str(
            "No action of the selection is granted to it, by any policy (--all lists the \
             actions that are not granted, with why).\n",
        );
        return s;
    }
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        // The terminal's width when there is one (it was always 100).
        .set_width(crate::cli::terminal_width().unwrap_or(100).max(40))
        .set_header(["action", "level", "decision", "why"]);
    for e in ex {
        let a = catalog.action(e.action);
        table.add_row([
            a.full_name.to_owned(),
            a.access_level.as_str().to_owned(),
            e.decision.as_str().to_owned(),
            cell(&reasons(engine, e).join("\n")).into_owned(),
        ]);
    }
    let counts = |d: Decision| ex.iter().filter(|e| e.decision == d).count();
    s.push_str(&format!("{table}\n"));
    s.push_str(&format!(
        "{} allowed, {} limited, {} denied{}\n",
        counts(Decision::Allowed),
        counts(Decision::Limited),
        counts(Decision::Denied),
        if ex.iter().any(|e| e.decision == Decision::NotGranted) {
            format!(", {} not granted", counts(Decision::NotGranted))
        } else {
            String::new()
        }
    ));
    s
}

/// The paths, one line per goal: `alice → assume role/MailOps`.
fn render_paths(p: &wmaudit_core::eval::Principal, paths: &[PathView]) -> String {
    let mut s = String::from("paths:\n");
    for v in paths {
        let line = if v.holds {
            "holds it".to_owned()
        } else if v.steps.is_empty() {
            "no path found".to_owned()
        } else {
            let mut parts = vec![format!("{}/{}", p.kind.as_str(), p.name)];
            for st in &v.steps {
                parts.push(format!(
                    "{} {} ({}){}",
                    st.method,
                    st.target,
                    st.actions.join(", "),
                    if st.conditional {
                        " under a condition"
                    } else {
                        ""
                    }
                ));
            }
            parts.join(" → ")
        };
        s.push_str(&format!("  {}: {}\n", v.goal, cell(&line)));
    }
    s
}

fn view<'a>(
    engine: &'a Engine<'_>,
    admins: &[String],
    id: PrincipalId,
    ex: &'a [Explanation],
) -> PrincipalView<'a> {
    let p = engine.principal(id);
    let catalog = engine.catalog();
    PrincipalView {
        arn: &p.arn,
        kind: p.kind.as_str(),
        name: &p.name,
        groups: &p.groups,
        permissions_boundary: p.boundary_arn.as_deref(),
        complete: p.is_complete(),
        problems: &p.problems,
        workmail_administrator: Designation::of(engine, admins, id),
        paths: None,
        actions: ex
            .iter()
            .map(|e| {
                let a = catalog.action(e.action);
                let hits = |hs: &'a [Hit]| -> Vec<HitView<'a>> {
                    hs.iter()
                        .map(|h| HitView {
                            policy: policy_label(&engine.policies.get(h.policy).origin),
                            hit: h,
                        })
                        .collect()
                };
                Row {
                    action: a.full_name,
                    access_level: a.access_level.as_str(),
                    decision: e.decision,
                    limits: e.limits(),
                    grants: hits(&e.grants),
                    denies: hits(&e.denies),
                    boundary: e.boundary.as_ref().map(|b| BoundaryView {
                        policy: policy_label(&engine.policies.get(b.policy).origin),
                        allows: hits(&b.allows),
                        denies: hits(&b.denies),
                    }),
                    organization: e.controls.iter().map(|c| c.describe()).collect(),
                    controls: &e.controls,
                }
            })
            .collect(),
    }
}
