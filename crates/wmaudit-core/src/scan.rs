//! One scan: snapshot -> evaluation -> rules -> suppressions, baseline and
//! gate, in one place -> a [`ScanReport`] for the renderers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::catalog::{ActionSet, Catalog};
use crate::config::{Config, Suppression};
use crate::eval::{Decision, Engine};
use crate::findings::{
    BaselineDelta, ConfigNotice, ConfigSummary, Coverage, DateSource, EndOfSupport, Finding,
    FixedFinding, Gate, NoticeKind, PrincipalSummary, ReportedFinding, ScanMeta, ScanReport,
    Severity, Suppressed, Verdict,
};
use crate::report::v1::SCHEMA;
use crate::rules::context::{Context, WorkMailFacts, designated_admins};
use crate::rules::{self, RuleSet};
use crate::snapshot::{InputError, Place, Snapshot};

pub struct ScanOptions<'a> {
    pub rules: &'a RuleSet,
    pub config: &'a Config,
    /// None: `--fail-on none`.
    pub fail_on: Option<Severity>,
    pub allow_incomplete: bool,
    /// A previous report's findings.
    pub baseline: Option<Baseline>,
    /// "Now" for ages and expiry; defaults to the data's own time.
    pub as_of: Option<OffsetDateTime>,
    /// The AWS Organization the accounts belong to: its SCPs and RCPs bound
    /// every member account's principals.
    pub organization: Option<&'a crate::org::OrgSnapshot>,
}

/// A previous report's findings (`--baseline`), by fingerprint: what a scan
/// compares itself with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub entries: BTreeMap<String, BaselineEntry>,
}

/// What a baseline said about one finding, to list it when it is fixed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineEntry {
    pub rule_id: String,
    pub account: String,
    pub resource: String,
    pub message: String,
}

impl Baseline {
    /// A baseline of bare fingerprints (tests, and callers that have no report).
    pub fn from_fingerprints(fps: impl IntoIterator<Item = String>) -> Self {
        Baseline {
            entries: fps
                .into_iter()
                .map(|f| (f, BaselineEntry::default()))
                .collect(),
        }
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.contains_key(fingerprint)
    }

    pub fn fingerprints(&self) -> BTreeSet<String> {
        self.entries.keys().cloned().collect()
    }
}

/// The gate's threshold when neither `--fail-on` nor the config sets one.
pub const DEFAULT_FAIL_ON: Severity = Severity::High;

impl<'a> ScanOptions<'a> {
    /// `wmaudit scan`'s defaults: fail on [`DEFAULT_FAIL_ON`], exit 3 when
    /// coverage is incomplete, no baseline, the data's own time.
    pub fn new(rules: &'a RuleSet, config: &'a Config) -> Self {
        ScanOptions {
            rules,
            config,
            fail_on: Some(DEFAULT_FAIL_ON),
            allow_incomplete: false,
            baseline: None,
            as_of: None,
            organization: None,
        }
    }
}

pub fn scan(snapshot: &Snapshot, opts: &ScanOptions<'_>) -> ScanReport {
    let catalog = Catalog::builtin();
    let account_id = snapshot.account_id().unwrap_or_else(|| "unknown".into());
    let org = opts.organization;
    let controls = org.and_then(|o| o.controls(&account_id));
    let engine = snapshot
        .account
        .as_ref()
        .map(|a| Engine::with_controls(catalog, a, controls.as_ref()));
    let facts = WorkMailFacts::new(catalog);
    // Ages and expiry need a "now"; the report only shows one that comes from
    // the input (or --as-of), so the same files always give the same report.
    let fixed_time = opts.as_of.or_else(|| data_time(snapshot));
    let as_of = fixed_time.unwrap_or_else(OffsetDateTime::now_utc);
    let admins = engine
        .as_ref()
        .map(|e| designated_admins(e, &opts.config.administrators))
        .unwrap_or_default();
    let ctx = Context {
        snapshot,
        engine: engine.as_ref(),
        account_id: account_id.clone(),
        partition: partition(snapshot),
        as_of,
        workmail: &facts,
        admins,
        admins_from_config: !opts.config.administrators.is_empty(),
        credential_users: snapshot
            .credential_report
            .iter()
            .flat_map(|r| &r.rows)
            .filter(|r| !r.is_root())
            .map(|r| (r.arn.as_str(), r))
            .collect(),
        account_users: snapshot
            .account
            .iter()
            .flat_map(|a| &a.users)
            .map(|u| (u.arn.as_str(), u))
            .collect(),
        account_roles: snapshot
            .account
            .iter()
            .flat_map(|a| &a.roles)
            .map(|r| (r.arn.as_str(), r))
            .collect(),
        evidence_cache: Default::default(),
        service_roles: Default::default(),
        reach_cache: Default::default(),
        workmail_access: Default::default(),
    };
    let rules::RunResult {
        findings,
        not_evaluated,
        not_requested,
    } = rules::run(&ctx, opts.rules);
    let (findings, mut notices) = apply_suppressions(
        findings,
        &opts.config.suppressions,
        as_of.date(),
        opts.baseline.as_ref(),
    );
    // A configured administrator entry that matches nobody: it switched the
    // default designation off, so say so (a typo'd ARN, a group by name).
    if let Some(engine) = &engine {
        for pattern in &opts.config.administrators {
            let matches = |arn: &str| crate::policy::wildcard_match(pattern, arn, false);
            if !engine.principals.iter().any(|p| matches(&p.arn)) {
                notices.push(ConfigNotice {
                    kind: NoticeKind::UnusedAdministrator,
                    message: format!(
                        "workmail.administrators entry {pattern:?} matches no user, group or \
                         role; with administrators configured, only those they match are designated"
                    ),
                });
            }
        }
        notices.sort();
    }

    let mut coverage = Coverage {
        not_collected: snapshot.metadata.not_collected.clone(),
        not_evaluated,
        not_requested,
        ..Coverage::default()
    };
    // Control policies that could not be read: every verdict may be too broad.
    let control_problems = engine
        .as_ref()
        .and_then(|e| e.controls.as_ref())
        .map(|c| c.problems.clone())
        .unwrap_or_default();
    if !control_problems.is_empty() {
        coverage.not_collected.push(crate::snapshot::Gap {
            part: crate::snapshot::Part::OrganizationPolicies,
            reason: format!(
                "the organization's control policies are known only in part, so access may be \
                 narrower than reported: {}",
                control_problems.join("; ")
            ),
        });
    }
    coverage.not_collected.sort();
    let mut principals = Vec::new();
    if let Some(e) = &engine {
        for p in &e.principals {
            if !p.is_complete() {
                coverage
                    .incomplete_principals
                    .insert(p.arn.clone(), p.problems.clone());
            }
        }
        coverage.builtin_policies_used = e.builtin_fallbacks.clone();
        principals = summarize(&ctx, e, &sensitive_by_rule(opts.rules));
        add_reach(&ctx, opts.rules, &mut principals);
    }

    let failing = findings
        .iter()
        .filter(|f| f.is_active())
        .filter(|f| opts.fail_on.is_some_and(|t| f.finding.severity >= t))
        .count();
    let incomplete = !coverage.is_complete();
    let verdict = if failing > 0 {
        Verdict::Failing
    } else if incomplete && !opts.allow_incomplete {
        Verdict::Incomplete
    } else {
        Verdict::Passed
    };
    let meta = ScanMeta {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        source: snapshot.metadata.source.clone(),
        account_id: account_id.clone(),
        account_aliases: snapshot.account_aliases.clone().unwrap_or_default(),
        caller_arn: snapshot
            .caller_identity
            .as_ref()
            .map(|c| c.arn.clone())
            .or_else(|| snapshot.metadata.caller_arn.clone()),
        collected_at: snapshot.metadata.collected_at.clone(),
        evaluated_at: fixed_time.and_then(|t| t.format(&Rfc3339).ok()),
        api_calls: snapshot.metadata.api_calls.clone(),
        catalog_version: format!("{}@{}", catalog.source.package, catalog.source.version),
    };
    let date_from = if opts.as_of.is_some() {
        DateSource::AsOf
    } else if fixed_time.is_some() {
        DateSource::Input
    } else {
        DateSource::Clock
    };
    let mut end_of_support = end_of_support(opts.rules, &findings, as_of, date_from);

    let baseline = opts
        .baseline
        .as_ref()
        .map(|b| baseline_delta(b, &findings, &account_id));
    let config = config_summary(opts.config, &ctx);
    let workmail = snapshot
        .workmail
        .as_ref()
        .map(|wm| crate::workmail::answer::WorkMailAnswer {
            regions: wm.regions.clone(),
            organizations: ctx
                .mailbox_access()
                .iter()
                .map(|o| crate::workmail::answer::org_answer(o, engine.as_ref()))
                .collect(),
        });
    // From the answers' per-organization coverage: the export jobs are read once.
    end_of_support.export = workmail.as_ref().map(|w| {
        crate::workmail::ExportCoverage::sum(w.organizations.iter().map(|o| &o.export_coverage))
    });
    let mut report = ScanReport {
        meta,
        rules: opts.rules.iter().map(|r| r.meta.clone()).collect(),
        findings,
        coverage,
        principals,
        notices,
        gate: Gate {
            fail_on: opts.fail_on,
            failing,
            incomplete,
            allow_incomplete: opts.allow_incomplete,
            verdict,
        },
        end_of_support,
        workmail,
        config,
        baseline,
        display_filter: None,
        organization: org
            .zip(controls.as_ref())
            .and_then(|(o, c)| account_in_org(o, &account_id, c, engine.as_ref())),
    };
    redact_input_text(&mut report);
    report
}

/// The account's place in the organization, for the reports.
fn account_in_org(
    org: &crate::org::OrgSnapshot,
    account_id: &str,
    controls: &crate::org::AccountControls<'_>,
    engine: Option<&Engine<'_>>,
) -> Option<crate::findings::AccountInOrg> {
    let account = org.account(account_id)?;
    let list = |levels: &Option<Vec<crate::org::Level<'_>>>| {
        levels
            .iter()
            .flatten()
            .flat_map(|l| {
                l.policies
                    .iter()
                    .map(move |p| format!("{} ({}) at {}", p.id, p.name, l.label()))
            })
            .collect::<Vec<_>>()
    };
    Some(crate::findings::AccountInOrg {
        organization_id: org.organization.id.clone(),
        name: account.name.clone(),
        ou_path: org.ou_path(account),
        management: controls.management,
        scps: list(&controls.scps),
        rcps: list(&controls.rcps),
        bounded_principals: engine.map_or(0, |e| {
            e.principal_ids()
                .iter()
                .filter(|&&id| !e.access(id).control_blocked.is_clear())
                .count()
        }),
    })
}

/// This scan against the baseline: new, unchanged and fixed findings of
/// this account (a baseline of several accounts is matched by account).
fn baseline_delta(
    baseline: &Baseline,
    findings: &[ReportedFinding],
    account: &str,
) -> BaselineDelta {
    let now: BTreeSet<&str> = findings
        .iter()
        .map(|f| f.finding.fingerprint.as_str())
        .collect();
    let fixed: Vec<FixedFinding> = baseline
        .entries
        .iter()
        // Entries of bare fingerprints carry no account: never "fixed".
        .filter(|(fp, e)| e.account == account && !now.contains(fp.as_str()))
        .map(|(fp, e)| FixedFinding {
            fingerprint: fp.clone(),
            rule_id: e.rule_id.clone(),
            resource: e.resource.clone(),
            message: e.message.clone(),
        })
        .collect();
    BaselineDelta {
        new: findings
            .iter()
            .filter(|f| !f.in_baseline && f.suppressed.is_none())
            .count(),
        unchanged: findings.iter().filter(|f| f.in_baseline).count(),
        fixed,
    }
}

/// What the configuration changed, and whom it designates.
fn config_summary(config: &crate::config::Config, ctx: &Context<'_>) -> ConfigSummary {
    let mut designated: Vec<String> = match ctx.engine {
        Some(e) => ctx
            .admins
            .iter()
            .map(|&id| e.principal(id).arn.clone())
            .collect(),
        None => Vec::new(),
    };
    designated.sort();
    let c = &config.changes;
    ConfigSummary {
        file: config.file.as_ref().map(|p| p.display().to_string()),
        discovered: config.discovered,
        disabled_rules: c.disabled.iter().map(|r| r.meta.id.clone()).collect(),
        severity_overrides: c.severity.clone(),
        params_changed: c.params.clone(),
        suppressions: config.suppressions.len(),
        administrator_patterns: config.administrators.clone(),
        designated_administrators: designated,
    }
}

/// The users and roles that are allowed any action of these services: the
/// principals whose service last accessed data `--last-accessed` collects.
pub fn principals_holding(account: &crate::account::Account, prefixes: &[&str]) -> Vec<String> {
    let catalog = Catalog::builtin();
    let engine = Engine::new(catalog, account);
    let mut services = catalog.empty_set();
    for p in prefixes {
        services.union_with(&catalog.service_set(p));
    }
    engine
        .principal_ids()
        .iter()
        .filter(|&&id| engine.principal(id).kind != crate::eval::PrincipalKind::Group)
        .filter(|&&id| !engine.access(id).allowed.is_disjoint(&services))
        .map(|&id| engine.principal(id).arn.clone())
        .collect()
}

/// WorkMail's end of support as of `as_of`, with the active findings of the
/// clean-up rules (tag `clean-up`) counted.
fn end_of_support(
    rules: &RuleSet,
    findings: &[ReportedFinding],
    as_of: OffsetDateTime,
    date_from: DateSource,
) -> EndOfSupport {
    let clean_up: std::collections::BTreeSet<&str> = rules
        .iter()
        .filter(|r| r.meta.is_clean_up())
        .map(|r| r.meta.id.as_str())
        .collect();
    let ends_on = crate::rules::context::WORKMAIL_END_OF_SUPPORT;
    EndOfSupport {
        service: "WorkMail".to_owned(),
        ends_on,
        evaluated_on: as_of.date(),
        date_from,
        days_left: (ends_on - as_of.date()).whole_days(),
        leftover_items: findings
            .iter()
            .filter(|f| f.is_active() && clean_up.contains(f.finding.rule_id.as_str()))
            .count(),
        export: None,
    }
}

/// Every report field that comes from the input goes through the one
/// redactor: a secret key pasted into an action or resource, or a user named
/// like an access key id, would otherwise reach JSON, SARIF, Markdown and the
/// table. (Fingerprints were computed from the data as it is.)
fn redact_input_text(report: &mut ScanReport) {
    use crate::redact::redact_in_place as r;
    for rf in &mut report.findings {
        let f = &mut rf.finding;
        r(&mut f.message);
        r(&mut f.resource.arn);
        r(&mut f.resource.name);
        for c in &mut f.fix {
            r(c);
        }
        for e in &mut f.evidence {
            for s in [&mut e.policy, &mut e.attached, &mut e.sid, &mut e.detail]
                .into_iter()
                .flatten()
            {
                r(s);
            }
            for a in &mut e.actions {
                // Catalog names are borrowed and cannot hold a secret.
                if let std::borrow::Cow::Owned(s) = a {
                    r(s);
                }
            }
        }
    }
    for a in &mut report.config.designated_administrators {
        r(a);
    }
    for p in &mut report.principals {
        for (_, steps) in &mut p.reach {
            for s in steps {
                r(&mut s.target);
            }
        }
        r(&mut p.arn);
        r(&mut p.name);
    }
    for n in &mut report.coverage.not_evaluated {
        r(&mut n.reason);
        if let Some(res) = &mut n.resource {
            r(&mut res.arn);
            r(&mut res.name);
        }
    }
    let incomplete = std::mem::take(&mut report.coverage.incomplete_principals);
    report.coverage.incomplete_principals = incomplete
        .into_iter()
        .map(|(mut arn, mut problems)| {
            r(&mut arn);
            problems.iter_mut().for_each(r);
            (arn, problems)
        })
        .collect();
    for n in &mut report.notices {
        r(&mut n.message);
    }
}

/// The time the data describes: the credential report's generation time,
/// else the collection time (imported files may have neither).
/// How far the data's own time may be ahead of the evaluation time: clocks
/// drift, and the credential report is stamped by AWS.
pub const CLOCK_SKEW: time::Duration = time::Duration::minutes(15);

/// The data's own times (the credential report's generation, the snapshot's
/// collection) must not be later than `now` (the wall clock): a report
/// "generated" in 2099 would make root's use two days ago look years old and
/// pass `root-recent-use`.
pub fn check_data_time(snapshot: &Snapshot, now: OffsetDateTime) -> Result<(), String> {
    let limit = now + CLOCK_SKEW;
    let fmt = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string());
    let (generated, collected) = data_times(snapshot);
    for (what, t) in [
        ("the credential report's GeneratedTime", generated),
        ("the snapshot's metadata.collected_at", collected),
    ] {
        if let Some(t) = t
            && t > limit
        {
            return Err(format!(
                "{what} ({}) is later than now ({}): data cannot come from the future \
                 (an edited file or a wrong clock)",
                fmt(t),
                fmt(now)
            ));
        }
    }
    Ok(())
}

/// The data's own times: the credential report's generation and the
/// snapshot's collection.
fn data_times(snapshot: &Snapshot) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let generated = snapshot
        .credential_report
        .as_ref()
        .and_then(|r| r.generated_at)
        .and_then(|d| d.time());
    let collected = snapshot
        .metadata
        .collected_at
        .as_deref()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok());
    (generated, collected)
}

/// "Now" as the data knows it: the report's generation, else the collection.
fn data_time(snapshot: &Snapshot) -> Option<OffsetDateTime> {
    let (generated, collected) = data_times(snapshot);
    generated.or(collected)
}

fn partition(snapshot: &Snapshot) -> String {
    let from_caller = snapshot.caller_identity.as_ref().map(|c| c.arn.as_str());
    let from_account = snapshot.account.as_ref().and_then(|a| {
        a.users
            .first()
            .map(|u| u.arn.as_str())
            .or_else(|| a.roles.first().map(|r| r.arn.as_str()))
    });
    from_caller
        .or(from_account)
        .and_then(|arn| arn.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_owned()
}

/// Several accounts scanned together: a suppression (or administrator
/// entry) is unused only if no account used it, so its notice is kept only
/// where every report has it.
pub fn reconcile_unused_notices(reports: &mut [ScanReport]) {
    if reports.len() < 2 {
        return;
    }
    let unused = |k: &NoticeKind| {
        matches!(
            k,
            NoticeKind::UnusedSuppression | NoticeKind::UnusedAdministrator
        )
    };
    let everywhere: Vec<ConfigNotice> = reports[0]
        .notices
        .iter()
        .filter(|n| unused(&n.kind))
        .filter(|n| reports[1..].iter().all(|r| r.notices.contains(n)))
        .cloned()
        .collect();
    for r in reports.iter_mut() {
        r.notices
            .retain(|n| !unused(&n.kind) || everywhere.contains(n));
    }
}

/// A suppression in use that expires within this many days is warned about.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// The one place suppressions and the baseline apply.
fn apply_suppressions(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    today: time::Date,
    baseline: Option<&Baseline>,
) -> (Vec<ReportedFinding>, Vec<ConfigNotice>) {
    let mut used = vec![false; suppressions.len()];
    let reported = findings
        .into_iter()
        .map(|finding| {
            let hit = suppressions.iter().enumerate().find(|(_, s)| {
                s.expires.is_none_or(|d| d >= today)
                    && (s.rule == "*" || s.rule == finding.rule_id)
                    && crate::policy::wildcard_match(&s.resource, &finding.resource.arn, false)
            });
            let suppressed = hit.map(|(i, s)| {
                used[i] = true;
                Suppressed {
                    reason: s.reason.clone(),
                    expires: s.expires.map(|d| d.to_string()),
                }
            });
            let in_baseline = baseline.is_some_and(|b| b.contains(&finding.fingerprint));
            ReportedFinding {
                finding,
                suppressed,
                in_baseline,
            }
        })
        .collect();
    let mut notices = Vec::new();
    for (s, used) in suppressions.iter().zip(used) {
        let what = format!(
            "suppression at line {} (rule {}, resource {})",
            s.line, s.rule, s.resource
        );
        match s.expires {
            Some(d) if d < today => notices.push(ConfigNotice {
                kind: NoticeKind::ExpiredSuppression,
                message: format!("{what} expired on {d} and no longer applies"),
            }),
            // In use and about to lapse: the findings it hides come back then.
            Some(d) if used && (d - today).whole_days() <= EXPIRY_WARNING_DAYS => {
                let when = match (d - today).whole_days() {
                    0 => "today, its last day".to_owned(),
                    1 => "in 1 day".to_owned(),
                    n => format!("in {n} days"),
                };
                notices.push(ConfigNotice {
                    kind: NoticeKind::ExpiringSuppression,
                    message: format!(
                        "{what} expires on {d} ({when}); the findings it hides count \
                         again after that: fix them, or renew it with a reason"
                    ),
                });
            }
            _ if !used => notices.push(ConfigNotice {
                kind: NoticeKind::UnusedSuppression,
                message: format!("{what} matches no finding; remove it"),
            }),
            _ => {}
        }
    }
    notices.sort();
    (reported, notices)
}

/// The actions every rule in the set treats as sensitive.
/// Each principal's paths to mail content (the actions of
/// workmail-mail-content-access, when that rule is on) and to
/// admin-equivalence, when it does not hold them; shared with the path rules
/// through the context's cache.
fn add_reach(ctx: &Context<'_>, rules: &RuleSet, principals: &mut [PrincipalSummary]) {
    let engine = ctx.engine();
    let goals: Vec<_> = reach_goals(rules, engine.catalog())
        .into_iter()
        .map(|g| (g.name, ctx.reach(g.goal())))
        .collect();
    for p in principals.iter_mut() {
        let Some(id) = engine.by_arn(&p.arn) else {
            continue;
        };
        for (goal, reach) in &goals {
            if let Some(path) = reach.paths.get(&id) {
                p.reach.push((goal, path.clone()));
            }
        }
    }
}

/// The goals of `principals[].reach` and `explain --paths`: mail content
/// (the actions of workmail-mail-content-access, when that rule is on) and
/// admin-equivalence.
pub fn reach_goals(rules: &RuleSet, catalog: &Catalog) -> Vec<crate::reach::NamedGoal> {
    use crate::reach::NamedGoal;
    let mut out = Vec::new();
    if let Some(actions) = rules
        .get("workmail-mail-content-access")
        .and_then(|r| r.sensitive_actions())
    {
        out.push(NamedGoal {
            name: "mail_content",
            label: "mail content",
            actions,
            every: false,
        });
    }
    out.push(NamedGoal {
        name: "admin_equivalent",
        label: "admin-equivalent (every action)",
        actions: catalog.full_set(),
        every: true,
    });
    out
}

/// Each rule's sensitive actions (the rules that have some), in rule order.
fn sensitive_by_rule(rules: &RuleSet) -> Vec<(String, ActionSet)> {
    rules
        .iter()
        .filter_map(|r| r.sensitive_actions().map(|a| (r.meta.id.clone(), a)))
        .collect()
}

fn summarize(
    ctx: &Context<'_>,
    engine: &Engine<'_>,
    by_rule: &[(String, ActionSet)],
) -> Vec<PrincipalSummary> {
    let catalog = engine.catalog();
    let mut sensitive = catalog.empty_set();
    for (_, set) in by_rule {
        sensitive.union_with(set);
    }
    engine
        .principal_ids()
        .iter()
        .map(|&id| {
            let p = engine.principal(id);
            let access = engine.access(id);
            let (mut allowed, mut limited, mut denied) = (0, 0, 0);
            for a in ctx.workmail.all.ones() {
                match access.decision(a) {
                    Decision::Allowed => allowed += 1,
                    Decision::Limited => limited += 1,
                    Decision::Denied => denied += 1,
                    Decision::NotGranted => {}
                }
            }
            let mut held = access.allowed.clone();
            held.intersect_with(&sensitive);
            let capabilities = by_rule
                .iter()
                .filter_map(|(id, set)| {
                    let mut mine = held.clone();
                    mine.intersect_with(set);
                    let n = mine.count_ones(..);
                    (n > 0).then(|| (id.clone(), n))
                })
                .collect();
            PrincipalSummary {
                arn: p.arn.clone(),
                kind: p.kind,
                name: p.name.clone(),
                complete: p.is_complete(),
                allowed,
                limited,
                denied,
                workmail_admin: ctx.workmail.admin.is_subset(&access.allowed),
                designated_admin: ctx.admins.contains(&id),
                sensitive_actions: catalog
                    .names(&held)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                capabilities,
                reach: Vec::new(),
            }
        })
        .collect()
}

/// The fingerprints in a baseline: a JSON report written by
/// `wmaudit scan --format json` (one account's object, or several accounts'
/// array), read with the same model that writes it.
pub fn load_baseline(path: &Path) -> Result<Baseline, crate::diag::Diagnostics> {
    use crate::report::v1;
    use crate::snapshot::json::{self, Seg};

    #[derive(serde::Deserialize)]
    struct Probe {
        schema: Option<serde_json::Value>,
    }
    // One expectation for both formats: a /2 document's accounts are /1 objects.
    fn expect(segs: &[Seg]) -> String {
        match segs {
            [] | [Seg::Index(_)] => "a report written by `wmaudit scan --format json`".to_owned(),
            [.., Seg::Key(k)] if k == "fingerprint" => "a string".to_owned(),
            [Seg::Key(k), ..] if k == "accounts" => format!(
                "the {} shape (docs/report-format.md)",
                crate::report::v2::SCHEMA
            ),
            _ => format!("the {SCHEMA} shape (docs/report-format.md)"),
        }
    }
    let (file, bytes) = crate::snapshot::import::read(path)?;
    let text = json::text(&bytes, &file)?;
    // The current document (`wmaudit-report/2`): its accounts are /1 objects.
    // Its writer puts `schema` first: the head tells without a second parse
    // of a report of hundreds of MB.
    let head: String = text.chars().take(256).collect();
    let v2 = head.trim_start().starts_with('{') && head.contains(crate::report::v2::SCHEMA);
    let reports_v2 = if v2 {
        Some(
            serde_json::from_str::<crate::report::v2::Document>(text)
                .map_err(|e| {
                    crate::diag::Diagnostics::from(json::explain::<crate::report::v2::Document>(
                        text, &file, "", expect, &e,
                    ))
                })?
                .accounts,
        )
    } else {
        None
    };
    let many = text.trim_start().starts_with('[');
    let wrong_schema = |n: usize, found: String| -> crate::diag::Diagnostics {
        let at = if many {
            format!("/{n}/schema")
        } else {
            "/schema".to_owned()
        };
        InputError::shape(
            &file,
            Place::Pointer(at),
            format!("\"{SCHEMA}\" (a report written by `wmaudit scan --format json`)"),
            found,
        )
        .into()
    };
    // One parse of a good baseline (reports run to hundreds of MB).
    let parsed: Result<Vec<v1::Report>, serde_json::Error> = if let Some(r) = reports_v2 {
        Ok(r)
    } else if many {
        serde_json::from_str(text)
    } else {
        serde_json::from_str(text).map(|r| vec![r])
    };
    let reports = match parsed {
        Ok(reports) => reports,
        Err(e) => {
            // The format first: another file's shape would give a confusing
            // error (the file is read again only on this path).
            let probes: Vec<Probe> = if many {
                json::from_text(text, &file, "", expect)?
            } else {
                vec![json::from_text(text, &file, "", expect)?]
            };
            for (n, probe) in probes.iter().enumerate() {
                if probe.schema.as_ref().and_then(|s| s.as_str()) != Some(SCHEMA) {
                    let found = probe
                        .schema
                        .as_ref()
                        .map_or("nothing".to_owned(), json::describe);
                    return Err(wrong_schema(n, found));
                }
            }
            return Err(if many {
                json::explain::<Vec<v1::Report>>(text, &file, "", expect, &e)
            } else {
                json::explain::<v1::Report>(text, &file, "", expect, &e)
            }
            .into());
        }
    };
    for (n, report) in reports.iter().enumerate() {
        if report.schema != SCHEMA {
            let found = json::describe(&serde_json::Value::String(report.schema.to_string()));
            return Err(wrong_schema(n, found));
        }
    }
    let mut out = Baseline::default();
    for report in reports {
        for f in report.findings.into_vec() {
            let resource = match f.resource.kind.as_ref() {
                "account" => "account".to_owned(),
                "root" => "root".to_owned(),
                kind => format!("{kind}/{}", f.resource.name),
            };
            out.entries.insert(
                f.fingerprint.into_owned(),
                BaselineEntry {
                    rule_id: f.rule_id.into_owned(),
                    account: f.account.into_owned(),
                    resource,
                    message: f.message.into_owned(),
                },
            );
        }
    }
    Ok(out)
}
