//! Writes a deterministic synthetic AWS account in the AWS CLI's formats:
//!
//! ```text
//! cargo run --release --example synth_account -- --users 10000 --seed 42 --out /tmp/acct [--url-encoded]
//! ```
//!
//! produces `DIR/auth-details.json` (`aws iam get-account-authorization-details`)
//! and `DIR/credential-report.csv` (`aws iam get-credential-report`, decoded).
//! `--groups`, `--policies` and `--roles` override the default mix (N/20
//! groups, N/5 customer-managed policies, N/50 roles).

mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use synth::{Config, DocEncoding};

const USAGE: &str = "usage: synth_account --users N [--seed S] --out DIR [--url-encoded] \
                     [--groups N] [--policies N] [--roles N]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synth_account: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut users = None;
    let mut seed = 1u64;
    let mut out = None;
    let mut url_encoded = false;
    let (mut groups, mut policies, mut roles) = (None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: expected a non-negative integer, found {v:?}"))
        };
        match arg.as_str() {
            "--users" => users = Some(number("--users", value("--users")?)? as usize),
            "--seed" => seed = number("--seed", value("--seed")?)?,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--groups" => groups = Some(number("--groups", value("--groups")?)? as usize),
            "--policies" => policies = Some(number("--policies", value("--policies")?)? as usize),
            "--roles" => roles = Some(number("--roles", value("--roles")?)? as usize),
            "--url-encoded" => url_encoded = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let users = users.ok_or("--users is required")?;
    let out = out.ok_or("--out is required")?;

    let mut cfg = Config::new(users, seed);
    cfg.groups = groups.unwrap_or(cfg.groups).max(1);
    cfg.policies = policies.unwrap_or(cfg.policies).max(1);
    cfg.roles = roles.unwrap_or(cfg.roles);
    if url_encoded {
        cfg.encoding = DocEncoding::UrlEncoded;
    }

    let synthetic = synth::generate(&cfg);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: String| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        "auth-details.json",
        synth::to_cli_json(&synthetic.auth_details()),
    )?;
    write("credential-report.csv", synthetic.credential_report())?;

    let s = synthetic.shape();
    eprintln!(
        "wrote {}: {} users, {} groups, {} roles, {} customer-managed + {} AWS managed policies, \
         {} inline policies, {} attachments, {} permission boundaries (seed {seed}, {})",
        out.display(),
        s.users,
        s.groups,
        s.roles,
        s.customer_policies,
        s.aws_policies,
        s.inline_policies,
        s.attachments,
        s.boundaries,
        if url_encoded {
            "URL-encoded documents"
        } else {
            "JSON documents"
        },
    );
    Ok(())
}
