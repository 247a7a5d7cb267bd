//! The command-line interface: thin glue over the library. `anyhow` lives
//! here and nowhere else.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Parser;

use crate::args::{Cli, ColorChoice, Command, RuleSourceArgs, RulesCommand, ScanArgs};
use crate::input::UsageError;

use wmaudit_core::config::Config;
use wmaudit_core::findings::ScanReport;
use wmaudit_core::report::{Format, RenderOptions};
use wmaudit_core::rules::RuleSet;
use wmaudit_core::scan::{DEFAULT_FAIL_ON, ScanOptions, load_baseline, scan};

use crate::exit;
use crate::output::{to_stdout, warn};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors can quote SDK messages; never echo a credential.
            warn(format_args!(
                "error: {}",
                wmaudit_core::redact::redact(&format!("{e:#}"))
            ));
            ExitCode::from(exit::ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => {
            distinct_outputs(&args)?;
            let loaded = {
                // Rules and config first: a bad file is refused before any call.
                load_rules(&args.rules)?;
                crate::input::load_run(&args.input)?
            };
            cmd_scan(args, loaded)
        }
        Command::Merge(args) => {
            let scan = args.scan;
            if scan.input.any_given() {
                return Err(UsageError(
                    "merge reads the directories and files it is given, no other input".into(),
                )
                .into());
            }
            distinct_outputs(&scan)?;
            let loaded = crate::input::load_paths(&args.inputs, true)?;
            cmd_scan(scan, loaded)
        }
        Command::Collect(args) if args.input.organization => collect_organization(&args),
        Command::Collect(args) => {
            if args.input.demo {
                return Err(UsageError(
                    "collect writes one account's snapshot; the demo is two accounts and needs \
                     none (`wmaudit scan --demo`)"
                        .into(),
                )
                .into());
            }
            // Read before collecting: a bad file is refused before any call.
            let previous = match &args.previous {
                Some(p) => Some(wmaudit_core::snapshot::read_snapshot(p)?),
                None => None,
            };
            let mut snapshots = crate::input::load(&args.input)?;
            let [snapshot] = snapshots.as_mut_slice() else {
                return Err(UsageError("collect writes one account: give one input".into()).into());
            };
            if let (Some(prev), Some(path)) = (&previous, &args.previous) {
                let merged = snapshot
                    .merge_export_history(prev)
                    .map_err(|why| UsageError(format!("--previous {}: {why}", path.display())))?;
                if !args.input.quiet {
                    warn(format_args!(
                        "kept the export history of {merged} WorkMail organization(s) from {}",
                        path.display()
                    ));
                }
            }
            wmaudit_core::snapshot::io::write_snapshot(snapshot, &args.output)?;
            if !args.input.quiet {
                let gaps = &snapshot.metadata.not_collected;
                warn(format_args!(
                    "wrote {} ({} part(s) not collected)",
                    args.output.display(),
                    gaps.len()
                ));
                for g in gaps {
                    warn(format_args!(
                        "  not collected: {}: {}",
                        g.part.as_str(),
                        g.reason
                    ));
                }
            }
            Ok(exit::PASSED)
        }
        Command::Explain(args) => crate::explain::run(&args),
        Command::Rules(args) => cmd_rules(args),
    }
}

/// The format a report file's name asks for, if it is one wmaudit writes.
fn format_of_extension(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Format::Json),
        "sarif" => Some(Format::Sarif),
        "md" | "markdown" => Some(Format::Markdown),
        "html" | "htm" => Some(Format::Html),
        "txt" => Some(Format::Table),
        _ => None,
    }
}

/// Two outputs to one file would race, and which one wins would vary from
/// run to run: a usage error, decided before any work (the same file by
/// another name, through `..` or a symlinked directory, counts).
fn distinct_outputs(args: &ScanArgs) -> Result<()> {
    let named = [
        ("--output", &args.output),
        ("--json", &args.json),
        ("--sarif", &args.sarif),
        ("--markdown", &args.markdown),
        ("--html", &args.html),
    ];
    let mut seen: Vec<(&str, PathBuf)> = Vec::new();
    for (flag, path) in named {
        let Some(path) = path.as_deref().filter(|p| *p != Path::new("-")) else {
            continue;
        };
        let key = same_file_key(path);
        if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
            return Err(UsageError(format!(
                "{first} and {flag} name the same file {}: each output needs its own file",
                path.display()
            ))
            .into());
        }
        seen.push((flag, key));
    }
    Ok(())
}

/// The file a path names: its directory resolved (symlinks, `..`), then its name.
fn same_file_key(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute,
    }
}

/// The shipped rules, plus `--rules DIR`, with the config applied.
pub(crate) fn load_rules(src: &RuleSourceArgs) -> Result<(RuleSet, Config)> {
    let mut rules = RuleSet::builtin()?;
    if let Some(dir) = &src.rules {
        rules = rules.with_dir(dir)?;
    }
    let config = Config::discover_and_apply(src.config.as_deref(), &mut rules)?;
    Ok((rules, config))
}

/// `--min-severity`, `--rule`, `--principal`, checked: a rule id that does
/// not exist would show nothing and look like a clean account.
fn display_filter(
    args: &ScanArgs,
    rules: &RuleSet,
    config: &Config,
) -> Result<wmaudit_core::report::filter::DisplayFilter> {
    let known: Vec<&str> = rules
        .iter()
        .chain(&config.changes.disabled)
        .map(|r| r.meta.id.as_str())
        .collect();
    for id in &args.show_rules {
        if !known.contains(&id.as_str()) {
            return Err(UsageError(format!(
                "--rule {id:?}: no such rule{}",
                wmaudit_core::diag::did_you_mean(id, known.iter().copied())
            ))
            .into());
        }
    }
    let filter = wmaudit_core::report::filter::DisplayFilter {
        min_severity: args.min_severity,
        rules: args.show_rules.clone(),
        principals: args.show_principals.clone(),
    };
    let human =
        |f: Option<Format>| matches!(f, Some(Format::Table | Format::Markdown | Format::Html));
    let main = args
        .format
        .map(Format::from)
        .or_else(|| args.output.as_deref().and_then(format_of_extension));
    let any_human = human(main)
        || (main.is_none() && args.output.is_none() && std::io::stdout().is_terminal())
        || args.markdown.is_some()
        || args.html.is_some();
    if !filter.is_empty() && !any_human {
        return Err(UsageError(
            "--min-severity, --rule and --principal narrow the table, Markdown and HTML; \
             JSON and SARIF always hold every finding (add --format table, --markdown or --html)"
                .into(),
        )
        .into());
    }
    Ok(filter)
}

/// `collect --organization -o DIR`: one snapshot per account and the
/// organization's tree and policies, `DIR/ACCOUNT_ID.json` and
/// `DIR/organization.json`.
fn collect_organization(args: &crate::args::CollectArgs) -> Result<u8> {
    if args.previous.is_some() {
        return Err(UsageError(
            "--previous keeps one account's export history; not with --organization".into(),
        )
        .into());
    }
    let dir = &args.output;
    if dir.exists() && !dir.is_dir() {
        return Err(UsageError(format!(
            "{}: with --organization, -o names a directory (one snapshot per account)",
            dir.display()
        ))
        .into());
    }
    let loaded = crate::input::load_run(&args.input)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for s in &loaded.snapshots {
        let id = s.account_id().unwrap_or_else(|| "unknown".into());
        wmaudit_core::snapshot::io::write_snapshot(s, &dir.join(format!("{id}.json")))?;
    }
    if let Some(org) = &loaded.organization {
        wmaudit_core::org::write_organization(org, &dir.join("organization.json"))?;
        if !args.input.quiet {
            warn(format_args!(
                "wrote {} snapshot(s) and organization.json of {} to {}",
                loaded.snapshots.len(),
                org.organization.id,
                dir.display()
            ));
            for g in &org.not_collected {
                warn(format_args!(
                    "  not collected: account {}: {}",
                    g.account_id, g.reason
                ));
            }
            if !org.not_collected.is_empty() {
                warn(format_args!(
                    "  ({} account(s) not collected: a scan of {} reports them as not evaluated, exit 3)",
                    org.not_collected.len(),
                    dir.display()
                ));
            }
        }
    }
    Ok(exit::PASSED)
}

fn cmd_scan(args: ScanArgs, loaded: crate::input::Loaded) -> Result<u8> {
    let (rules, config) = load_rules(&args.rules)?;
    let baseline = match &args.baseline {
        Some(p) => Some(load_baseline(p)?),
        None => None,
    };
    let fail_on = match args.fail_on {
        Some(f) => f.0,
        None => config.fail_on.unwrap_or(Some(DEFAULT_FAIL_ON)),
    };
    let display = display_filter(&args, &rules, &config)?;
    let mut timings = Timings::from_env();
    let crate::input::Loaded {
        snapshots,
        organization,
    } = loaded;
    timings.mark("load");
    if args.sarif_dir.is_some() {
        let mut seen = std::collections::BTreeSet::new();
        for s in &snapshots {
            let id = s.account_id().unwrap_or_default();
            if !seen.insert(id.clone()) {
                return Err(UsageError(format!(
                    "account {id} is given twice; --sarif-dir writes one file per account"
                ))
                .into());
            }
        }
    }
    // GitHub takes at most 20 runs per SARIF file.
    let accounts = snapshots.len();
    if accounts > wmaudit_core::report::sarif::GITHUB_MAX_RUNS
        && (args.sarif.is_some() || args.format == Some(crate::args::FormatArg::Sarif))
    {
        return Err(UsageError(format!(
            "{accounts} accounts in one SARIF file: GitHub code scanning takes at most {} runs \
             per file; use --sarif-dir DIR (one file per account, each uploaded on its own)",
            wmaudit_core::report::sarif::GITHUB_MAX_RUNS
        ))
        .into());
    }
    let opts = ScanOptions {
        rules: &rules,
        config: &config,
        fail_on,
        allow_incomplete: args.allow_incomplete,
        baseline,
        as_of: args.as_of,
        organization: organization.as_ref(),
    };
    let mut reports: Vec<ScanReport> = snapshots.iter().map(|s| scan(s, &opts)).collect();
    wmaudit_core::scan::reconcile_unused_notices(&mut reports);
    timings.mark("scan");
    // What people read may be narrowed; what machines read and the gate not.
    let shown: Option<Vec<ScanReport>> = (!display.is_empty()).then(|| {
        reports
            .iter()
            .map(|r| wmaudit_core::report::filter::apply(r, &display))
            .collect()
    });
    let for_format = |fmt: Format| -> &Vec<ScanReport> {
        match (&shown, fmt) {
            (Some(s), Format::Table | Format::Markdown | Format::Html) => s,
            _ => &reports,
        }
    };

    let set = |reports| wmaudit_core::report::ReportSet {
        reports,
        organization: organization.as_ref(),
        allow_incomplete: args.allow_incomplete,
    };
    let stdout_tty = std::io::stdout().is_terminal();
    // `-o -` is stdout, as for most tools (it wrote a file named `-`).
    let output: Option<&Path> = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let main_to_terminal = output.is_none() && stdout_tty;
    let format = match (
        args.format.map(Format::from),
        output.and_then(format_of_extension),
    ) {
        (Some(f), Some(ext)) if f != ext => {
            return Err(UsageError(format!(
                "--format {} but {} is named like a {} file; give one or the other",
                f.as_str(),
                output
                    .map(Path::display)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                ext.as_str()
            ))
            .into());
        }
        (Some(f), _) => f,
        // `-o report.sarif` means SARIF (it wrote JSON silently).
        (None, Some(ext)) => ext,
        (None, None) if main_to_terminal => Format::Table,
        (None, None) => Format::Json,
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // NO_COLOR (no-color.org) and a terminal that says it is dumb.
        ColorChoice::Auto => {
            main_to_terminal
                && std::env::var_os("NO_COLOR").is_none()
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    };
    // The table follows the terminal's width; files and pipes get the default.
    let width = if main_to_terminal {
        terminal_width()
    } else {
        None
    };
    let render_opts = RenderOptions {
        color,
        width,
        sarif_max_results: args.sarif_max_results,
    };
    let plain = RenderOptions {
        sarif_max_results: args.sarif_max_results,
        ..RenderOptions::PLAIN
    };
    let sarif_wanted = args.sarif.is_some() || format == Format::Sarif;
    if sarif_wanted && !args.input.quiet {
        for r in &reports {
            if wmaudit_core::report::sarif::omitted(r, args.sarif_max_results) > 0 {
                warn(format_args!(
                    "warning: {}",
                    wmaudit_core::report::sarif::omitted_message(r, args.sarif_max_results)
                ));
            }
        }
    }
    let mut files: Vec<(&Path, Format, RenderOptions)> = Vec::new();
    if let Some(path) = output {
        files.push((path, format, render_opts));
    }
    for (path, fmt) in [
        (&args.json, Format::Json),
        (&args.sarif, Format::Sarif),
        (&args.markdown, Format::Markdown),
        (&args.html, Format::Html),
    ] {
        if let Some(path) = path {
            files.push((path, fmt, plain));
        }
    }
    // Each output on its own thread: the formats are independent, and on a
    // large account JSON and SARIF are each hundreds of MB of text.
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|&(path, fmt, opts)| {
                let reports = set(for_format(fmt));
                scope.spawn(move || write_report(path, fmt, &reports, &opts))
            })
            .collect();
        let mut results = Vec::new();
        if output.is_none() {
            // A reader that stops early (`| head`) does not change the verdict.
            results.push(to_stdout(|out| {
                wmaudit_core::report::write_set(format, &set(for_format(format)), &render_opts, out)
            }));
        }
        for h in handles {
            results.push(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    if let Some(dir) = &args.sarif_dir {
        write_sarif_dir(dir, &reports, args.sarif_max_results)?;
    }
    timings.mark("write");
    // The report went to files only: on a terminal, say how the gate ended
    // (it printed nothing at all).
    if output.is_some() && stdout_tty && !args.input.quiet {
        for r in &reports {
            warn(format_args!(
                "wmaudit: gate {}",
                wmaudit_core::report::gate_line(r)
            ));
        }
    }
    let code = set(&reports).verdict().exit_code();
    // The process ends here: freeing every finding and policy one by one
    // would cost a tenth of a large scan for nothing.
    std::mem::forget(reports);
    std::mem::forget(snapshots);
    Ok(code)
}

/// `WMAUDIT_TIMINGS=1`: each phase's wall time on stderr, for profiling
/// (docs/benchmarks.md). Off by default; never part of a report.
struct Timings(Option<std::time::Instant>);

impl Timings {
    fn from_env() -> Self {
        let on = std::env::var_os("WMAUDIT_TIMINGS").is_some_and(|v| v != "0");
        Timings(on.then(std::time::Instant::now))
    }

    fn mark(&mut self, phase: &str) {
        if let Some(start) = &mut self.0 {
            // Resident and peak memory so far, where /proc has them (Linux).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or("?".to_owned(), |v| v.trim().to_owned())
            };
            warn(format_args!(
                "timing: {phase} {:.3} s (rss {}, peak {})",
                start.elapsed().as_secs_f64(),
                field("VmRSS:"),
                field("VmHWM:")
            ));
            *start = std::time::Instant::now();
        }
    }
}

fn write_report(
    path: &Path,
    format: Format,
    set: &wmaudit_core::report::ReportSet<'_>,
    opts: &RenderOptions,
) -> Result<()> {
    wmaudit_core::atomic_file::write_file(path, |out| {
        wmaudit_core::report::write_set(format, set, opts, out)
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// `--sarif-dir DIR`: `DIR/ACCOUNT_ID.sarif`, one run each (category
/// `wmaudit/ACCOUNT_ID`), so each account is its own upload.
fn write_sarif_dir(dir: &Path, reports: &[ScanReport], max_results: usize) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for r in reports {
        let path = dir.join(format!("{}.sarif", r.meta.account_id));
        wmaudit_core::atomic_file::write_file(&path, |out| {
            wmaudit_core::report::sarif::write_many([r], max_results, out)
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn cmd_rules(args: crate::args::RulesArgs) -> Result<u8> {
    let (rules, config) = load_rules(&args.rules)?;
    let disabled = &config.changes.disabled;
    let config_file = config
        .file
        .as_ref()
        .map_or("the config".to_owned(), |p| p.display().to_string());
    match args.command.unwrap_or(RulesCommand::List) {
        RulesCommand::List => {
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["rule", "severity", "title"]);
            if let Some(w) = terminal_width() {
                table.set_width(w);
            }
            // Disabled rules stay listed, as disabled: a rule that vanished
            // read as one that does not exist.
            let mut rows: Vec<(&str, String, &str)> = rules
                .iter()
                .map(|r| {
                    (
                        r.meta.id.as_str(),
                        r.meta.severity.to_string(),
                        r.meta.title.as_str(),
                    )
                })
                .chain(disabled.iter().map(|r| {
                    (
                        r.meta.id.as_str(),
                        "disabled".to_owned(),
                        r.meta.title.as_str(),
                    )
                }))
                .collect();
            rows.sort();
            for (id, severity, title) in rows {
                table.add_row([id, severity.as_str(), title]);
            }
            to_stdout(|out| {
                writeln!(out, "{table}")?;
                if disabled.is_empty() {
                    writeln!(
                        out,
                        "{} rules. `wmaudit rules show ID` for one rule's documentation.",
                        rules.len()
                    )
                } else {
                    writeln!(
                        out,
                        "{} rules, {} disabled by {config_file}. `wmaudit rules show ID` for one \
                         rule's documentation.",
                        rules.len() + disabled.len(),
                        disabled.len()
                    )
                }
            })?;
        }
        RulesCommand::Show { id } => {
            let off = disabled.iter().find(|r| r.meta.id == id);
            let rule = rules.get(&id).or(off).ok_or_else(|| {
                let hint = wmaudit_core::diag::did_you_mean(
                    &id,
                    rules.iter().chain(disabled).map(|r| r.meta.id.as_str()),
                );
                UsageError(format!("no rule {id:?}; `wmaudit rules` lists them{hint}"))
            })?;
            if off.is_some() {
                to_stdout(|out| {
                    writeln!(
                        out,
                        "**Disabled** by {config_file} (`enabled = false`): scans do not run it.\n"
                    )
                })?;
            }
            let params = if rule.params.is_empty() {
                None
            } else {
                Some(toml::to_string(&rule.params)?)
            };
            to_stdout(|out| {
                write!(out, "{}", rule.meta.help_markdown())?;
                writeln!(
                    out,
                    "\nCheck: `{}` (defined in {})",
                    rule.check, rule.origin
                )?;
                if let Some(params) = &params {
                    writeln!(out, "\nParameters:\n\n```toml\n{params}```")?;
                }
                Ok(())
            })?;
        }
    }
    Ok(exit::PASSED)
}

/// `COLUMNS` when set (tests, scripts), else the terminal's own width.
pub(crate) fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| w.0))
}
