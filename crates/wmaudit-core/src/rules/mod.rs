//! Rules: data in `rules/*.toml` (documentation, severity, parameters) over
//! checks written in Rust (`checks`). The shipped rule files are embedded
//! in the binary; `--rules DIR` adds a user's own.

pub mod checks;
pub mod context;
mod file;
pub mod fix;
pub mod output;
pub mod params;
pub mod registry;

use std::collections::BTreeMap;
use std::path::Path;

pub use file::{Rule, parse_rule};

use crate::diag::{Diagnostic, Diagnostics};
use crate::findings::{Finding, NotEvaluated};
use context::Context;
use output::Output;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// An ordered, id-unique set of rules.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: BTreeMap<String, Rule>,
}

impl RuleSet {
    /// The shipped rules.
    pub fn builtin() -> Result<RuleSet, Diagnostics> {
        let mut set = RuleSet::default();
        for (file, text) in BUILTIN_RULE_FILES {
            set.add(parse_rule(text, file)?)?;
        }
        Ok(set)
    }

    /// The shipped rules plus every rule file in `dir`.
    pub fn with_dir(mut self, dir: &Path) -> Result<RuleSet, Diagnostics> {
        let mut found = Vec::new();
        for rule in file::load_dir(dir)? {
            if let Err(d) = self.add(rule) {
                found.extend(d.0);
            }
        }
        Diagnostics::check(found)?;
        Ok(self)
    }

    pub fn add(&mut self, rule: Rule) -> Result<(), Diagnostics> {
        if let Some(existing) = self.rules.get(&rule.meta.id) {
            return Err(Diagnostics::one(Diagnostic::file(
                &rule.origin,
                format!(
                    "duplicate rule id {:?} (already defined in {})",
                    rule.meta.id, existing.origin
                ),
            )));
        }
        self.rules.insert(rule.meta.id.clone(), rule);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Rule> {
        self.rules.get_mut(id)
    }

    pub fn remove(&mut self, id: &str) -> Option<Rule> {
        self.rules.remove(id)
    }

    /// Rules sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// What running the rules gave.
#[derive(Debug, Default)]
pub struct RunResult {
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Rules that need opt-in data that was not asked for (see [`Part::OPT_IN`]).
    ///
    /// [`Part::OPT_IN`]: crate::snapshot::Part::OPT_IN
    pub not_requested: Vec<NotEvaluated>,
}

/// Runs every rule. A rule whose data is missing yields *not evaluated*.
pub fn run(ctx: &Context<'_>, rules: &RuleSet) -> RunResult {
    let all: Vec<&Rule> = rules.iter().collect();
    // Rules are independent and read-only over the context: run them on
    // every core, each worker taking the next rule. The results are merged
    // in rule order, so the order they finish in does not matter.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(all.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = all.get(i) else { break };
            done.push((i, run_one(ctx, rule)));
        }
        done
    };
    let mut outputs: Vec<(usize, Output<'_>)> = if workers == 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut outputs = work();
            for h in handles {
                outputs.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            outputs
        })
    };
    // Merge in rule order, as a single thread would: the sort below is
    // stable, so findings with equal keys keep that order.
    outputs.sort_by_key(|(i, _)| *i);
    let mut r = RunResult::default();
    for (_, mut out) in outputs {
        r.findings.append(&mut out.findings);
        r.not_evaluated.append(&mut out.not_evaluated);
        r.not_requested.append(&mut out.not_requested);
    }
    r.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    r.not_evaluated.sort();
    r.not_evaluated.dedup();
    r.not_requested.sort();
    r
}

fn run_one<'r>(ctx: &'r Context<'_>, rule: &'r Rule) -> Output<'r> {
    let mut out = Output::new(&rule.meta, &ctx.account_id);
    match checks::find(&rule.check) {
        None => out.not_evaluated(None, format!("unknown check {:?}", rule.check)),
        Some(check) => {
            let missing: Vec<_> = check
                .needs()
                .iter()
                .copied()
                .filter(|p| !ctx.snapshot.has(*p))
                .collect();
            if !missing.is_empty() && missing.iter().all(|p| ctx.snapshot.not_requested(*p)) {
                // Opt-in data nobody asked for: said, but not a coverage gap.
                let how: Vec<String> = missing
                    .iter()
                    .map(|p| {
                        format!(
                            "{} was not requested: collect it live with {}",
                            p.as_str(),
                            crate::snapshot::import::import_option(*p)
                        )
                    })
                    .collect();
                out.not_requested.push(NotEvaluated {
                    rule_id: rule.meta.id.clone(),
                    resource: None,
                    reason: how.join("; "),
                });
            } else if !missing.is_empty() {
                let reasons: Vec<String> = missing
                    .iter()
                    .map(|p| ctx.snapshot.gap_reason(*p))
                    .collect();
                out.not_evaluated(None, reasons.join("; "));
            } else {
                check.run(ctx, &rule.prepared, &mut out);
                // A WorkMail region that could not be read may hold what the
                // rule looks for: not evaluated there, whatever it found elsewhere.
                if check.needs().contains(&crate::snapshot::Part::WorkMail)
                    && let Some(wm) = &ctx.snapshot.workmail
                {
                    for r in wm.failed_regions() {
                        out.not_evaluated(
                            None,
                            format!(
                                "WorkMail in {} could not be read: {}",
                                r.region,
                                r.error.as_deref().unwrap_or("no reason recorded")
                            ),
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
