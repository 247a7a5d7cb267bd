//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use wmaudit_core::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "wmaudit",
    version,
    about = "Read-only compliance auditor for AWS accounts that run Amazon WorkMail",
    long_about = "Read-only compliance auditor for AWS accounts that run Amazon WorkMail.\n\n\
        wmaudit computes every IAM principal's effective permissions the way IAM decides \
        (explicit Deny, NotAction, wildcards, groups, permission boundaries) and checks the \
        account against AWS's WorkMail prerequisites and a rule set for dangerous WorkMail \
        permissions. It only ever reads from AWS.\n\n\
        Start with: wmaudit scan --demo"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate an account against the rules and report findings.
    Scan(ScanArgs),
    /// Collect an account snapshot (live, or from AWS CLI files) and write it to a file.
    // The demo is two accounts and collect writes one: not offered here.
    #[command(mut_arg("demo", |a| a.hide(true)))]
    Collect(CollectArgs),
    /// Show a user's, group's or role's effective WorkMail permissions and why.
    Explain(ExplainArgs),
    /// List the rules, or show one rule's documentation.
    Rules(RulesArgs),
    /// Evaluate the snapshots of several collections as one report (the
    /// final job of a fanned-out organization scan): each account once.
    Merge(MergeArgs),
}

/// Where the account data comes from. Without any of these options, wmaudit
/// collects live from AWS with the default credential chain.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Scan the example accounts embedded in wmaudit (no credentials, no network).
    #[arg(long, help_heading = "Input")]
    pub demo: bool,
    /// Read a snapshot written by `wmaudit collect` (repeat for several
    /// accounts), or a directory written by `collect --organization` (its
    /// snapshots and organization file).
    #[arg(long, value_name = "FILE|DIR", help_heading = "Input")]
    pub snapshot: Vec<PathBuf>,
    /// Every ACTIVE account of the AWS Organization, with the management
    /// account's (or a delegated administrator's) credentials, under its SCPs.
    #[arg(long, requires = "member_role", help_heading = "Organization")]
    pub organization: bool,
    /// The role to assume in each member account (the auditor policy, trusted
    /// by the management account).
    #[arg(
        long,
        value_name = "NAME",
        requires = "organization",
        help_heading = "Organization"
    )]
    pub member_role: Option<String>,
    /// Only these accounts of the organization, comma-separated.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        requires = "organization",
        help_heading = "Organization"
    )]
    pub accounts: Vec<String>,
    /// Not these accounts of the organization, comma-separated.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        requires = "organization",
        help_heading = "Organization"
    )]
    pub exclude_accounts: Vec<String>,
    /// Output of `aws iam get-account-authorization-details`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub auth_details: Option<PathBuf>,
    /// The credential report: decoded CSV, or the JSON of `aws iam get-credential-report`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub credential_report: Option<PathBuf>,
    /// Output of `aws iam get-account-summary`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub account_summary: Option<PathBuf>,
    /// Output of `aws sts get-caller-identity`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub caller_identity: Option<PathBuf>,
    /// Output of `aws iam list-virtual-mfa-devices` (tells virtual from hardware MFA).
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub virtual_mfa_devices: Option<PathBuf>,
    /// Output of `aws iam get-account-password-policy`, or `{}` when it says NoSuchEntity.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub password_policy: Option<PathBuf>,
    /// Output of `aws iam list-account-aliases`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub account_aliases: Option<PathBuf>,
    /// AWS profile for live collection.
    #[arg(long, value_name = "NAME", help_heading = "Live collection")]
    pub profile: Option<String>,
    /// Region for the API calls (IAM is global) [default: us-east-1].
    #[arg(long, value_name = "REGION", help_heading = "Live collection")]
    pub region: Option<String>,
    /// Send API calls to this endpoint (also AWS_ENDPOINT_URL), e.g. a test server.
    #[arg(long, value_name = "URL", help_heading = "Live collection")]
    pub endpoint_url: Option<String>,
    /// Assume this role (with the auditor policy) before collecting.
    #[arg(long, value_name = "ARN", help_heading = "Live collection")]
    pub role_arn: Option<String>,
    /// How long to wait for AWS to generate the credential report.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        help_heading = "Live collection"
    )]
    pub report_wait: u64,
    /// Also collect IAM's service last accessed data for the principals that
    /// hold WorkMail actions (one IAM job each; needs the auditor policy's
    /// LastAccessed statement). Evaluates workmail-permissions-unused.
    #[arg(long, help_heading = "Live collection")]
    pub last_accessed: bool,
    /// How long to wait for all --last-accessed jobs together.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 120,
        help_heading = "Live collection"
    )]
    pub last_accessed_wait: u64,
    /// Give up on an API operation after this long, retries included
    /// [default: 180].
    #[arg(long, value_name = "SECONDS", help_heading = "Live collection")]
    pub timeout: Option<u64>,
    /// API calls in flight at once, for WorkMail's per-mailbox reads and
    /// --last-accessed jobs; with --organization, accounts collected at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        help_heading = "Live collection"
    )]
    pub concurrency: usize,
    /// Do not read WorkMail's own grants (mailbox permissions, impersonation
    /// roles, access rules): IAM only, a fixed handful of calls.
    #[arg(long, help_heading = "Live collection")]
    pub no_workmail: bool,
    /// The WorkMail regions to read, comma-separated [default: us-east-1,
    /// us-west-2, eu-west-1, the only regions WorkMail exists in].
    #[arg(
        long,
        value_name = "REGIONS",
        value_delimiter = ',',
        help_heading = "Live collection"
    )]
    pub workmail_regions: Vec<String>,
    /// No progress messages on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Say every retried API call on stderr, also when stderr is not a
    /// terminal (on a terminal they are said anyway).
    #[arg(long, short, help_heading = "Live collection")]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, short = 'f', value_enum, help_heading = "Output")]
    pub format: Option<FormatArg>,
    /// Write the main output here instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Also write a JSON report here.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,
    /// Also write a SARIF report here (for GitHub code scanning; at most 20
    /// accounts, GitHub's limit of runs per file).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub sarif: Option<PathBuf>,
    /// Also write one SARIF file per account here, DIR/ACCOUNT_ID.sarif, each
    /// one run with category wmaudit/ACCOUNT_ID (upload each).
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub sarif_dir: Option<PathBuf>,
    /// Also write a Markdown report here (for job summaries).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub markdown: Option<PathBuf>,
    /// Also write a self-contained HTML report here.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub html: Option<PathBuf>,
    /// Most results per account in SARIF, the most severe first (0: no
    /// limit). GitHub code scanning rejects a run with more than 25,000.
    #[arg(long, value_name = "N", default_value_t = wmaudit_core::report::sarif::GITHUB_MAX_RESULTS, help_heading = "Output")]
    pub sarif_max_results: usize,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
    /// Fail (exit 1) on active findings at or above this severity, or `none`
    /// [default: the config's fail_on, else high].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on, help_heading = "Gate")]
    pub fail_on: Option<FailOn>,
    /// Show only findings of this severity or above in the table, Markdown
    /// and HTML (JSON, SARIF and the gate keep every finding).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity, help_heading = "Display")]
    pub min_severity: Option<wmaudit_core::findings::Severity>,
    /// Show only this rule's findings in the human formats (repeatable).
    #[arg(long = "rule", value_name = "ID", help_heading = "Display")]
    pub show_rules: Vec<String>,
    /// Show only findings on this principal in the human formats: a name,
    /// `user/NAME`-style label or ARN (repeatable).
    #[arg(long = "principal", value_name = "NAME", help_heading = "Display")]
    pub show_principals: Vec<String>,
    /// Do not exit 3 when some checks could not be evaluated.
    #[arg(long, help_heading = "Gate")]
    pub allow_incomplete: bool,
    /// Only findings whose fingerprint is not in this earlier JSON report count for the gate.
    #[arg(long, value_name = "REPORT.json", help_heading = "Gate")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Measure ages and expiry dates against this date (YYYY-MM-DD or RFC 3339)
    /// instead of the data's own time.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of, help_heading = "Rules")]
    pub as_of: Option<time::OffsetDateTime>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct RuleSourceArgs {
    /// Configuration file [default: ./wmaudit.toml if present].
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub config: Option<PathBuf>,
    /// Add the rule files (*.toml) in this directory to the shipped rules.
    #[arg(long, value_name = "DIR", help_heading = "Rules")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directories written by `collect --organization`, or snapshot and
    /// organization files.
    #[arg(required = true, value_name = "DIR|FILE")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write the snapshot; with --organization, a directory for one
    /// snapshot per account and organization.json.
    #[arg(long, short = 'o', value_name = "FILE|DIR")]
    pub output: PathBuf,
    /// A previous snapshot of the same account: its WorkMail export jobs are
    /// kept (AWS lists only the last 7 days), so export coverage is known
    /// from its collection on.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// User, group or role: a name or an ARN (or nothing with --mailbox).
    #[arg(required_unless_present = "mailbox")]
    pub principal: Option<String>,
    /// Instead of a principal: who can read, send as or impersonate this
    /// WorkMail mailbox (an email address, a name or an entity id), and how.
    #[arg(long, value_name = "ADDRESS_OR_ID", conflicts_with_all = ["action", "all", "paths"])]
    pub mailbox: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
    /// Only these actions (patterns such as `workmail:*Mailbox*`).
    #[arg(long, value_name = "PATTERN")]
    pub action: Vec<String>,
    /// Also list actions that are not granted.
    #[arg(long)]
    pub all: bool,
    /// Also show how the principal gets to mail content and to
    /// admin-equivalence in steps, if it does not hold them (the paths of
    /// workmail-escalation-path and iam-privilege-escalation).
    #[arg(long)]
    pub paths: bool,
    /// `table` or `json`.
    #[arg(long, short = 'f', value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    #[command(flatten)]
    pub rules: RuleSourceArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules (the default).
    List,
    /// Print one rule's documentation as Markdown.
    Show { id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--fail-on`: a severity, or `none` (never fail on findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<wmaudit_core::findings::Severity>);

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    // `--fail-on High` is as clear as `high`.
    wmaudit_core::config::parse_fail_on(&s.to_ascii_lowercase())
        .map(FailOn)
        .ok_or_else(|| "expected critical, high, medium, low, info or none".to_owned())
}

fn parse_severity(s: &str) -> Result<wmaudit_core::findings::Severity, String> {
    wmaudit_core::findings::Severity::parse(&s.to_ascii_lowercase())
        .ok_or_else(|| "expected critical, high, medium, low or info".to_owned())
}

fn parse_as_of(s: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| "expected a date such as 2026-11-24 or an RFC 3339 time".to_owned())
}

/// `--format`'s values: the library's [`Format`], spelled for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Human-readable tables for a terminal.
    Table,
    /// The frozen `wmaudit-report/1` JSON document.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub-flavoured Markdown for job summaries and PR comments.
    #[value(alias = "md")]
    Markdown,
    /// One self-contained HTML page (no network) for people.
    Html,
}

// Both directions are exhaustive matches: a format added to the library
// without a spelling here does not compile.
impl From<Format> for FormatArg {
    fn from(f: Format) -> FormatArg {
        match f {
            Format::Table => FormatArg::Table,
            Format::Json => FormatArg::Json,
            Format::Sarif => FormatArg::Sarif,
            Format::Markdown => FormatArg::Markdown,
            Format::Html => FormatArg::Html,
        }
    }
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Html => Format::Html,
        }
    }
}
