//! Policy engine benchmark: `Engine::new` over a synthetic account, then every
//! principal's decision on every catalog action.
//!
//! `cargo bench --bench engine` runs the full size (10,000 users, 500 groups,
//! 2,000 customer-managed policies, 200 roles). Under `cargo test` (no
//! `--bench` argument) it runs once on a small account as a smoke test, so the
//! test suite stays fast. `scripts/bench-engine` formats the `BENCH` lines.
//! Environment: `WMAUDIT_BENCH_USERS` (default 10000), `WMAUDIT_BENCH_RUNS`
//! (default 7), `WMAUDIT_BENCH_SEED` (default 42), `WMAUDIT_BENCH_ENCODING`
//! (`json`, the default, as the AWS CLI prints documents; or `url`, as the
//! IAM API returns them, which adds percent-decoding and JSON text parsing).

#[path = "../examples/synth/mod.rs"]
mod synth;

use std::hint::black_box;
use std::time::{Duration, Instant};

use wmaudit_core::catalog::{Catalog, builtin_managed_policies};
use wmaudit_core::eval::{Decision, Engine};

const TARGET_MS: f64 = 200.0;
const TARGET_MB: f64 = 300.0;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
            })
            .unwrap_or(default)
    };
    let users = env("WMAUDIT_BENCH_USERS", if bench { 10_000 } else { 300 }) as usize;
    let runs = env("WMAUDIT_BENCH_RUNS", if bench { 7 } else { 1 }).max(1) as usize;
    let seed = env("WMAUDIT_BENCH_SEED", 42);

    // One-time work every scan pays once per process, measured on its own.
    let t = Instant::now();
    let catalog = Catalog::builtin();
    let _ = builtin_managed_policies();
    let embedded_load = t.elapsed();

    let t = Instant::now();
    let mut config = synth::Config::new(users, seed);
    let encoding = std::env::var("WMAUDIT_BENCH_ENCODING").unwrap_or_else(|_| "json".into());
    config.encoding = match encoding.as_str() {
        "json" => synth::DocEncoding::Json,
        "url" => synth::DocEncoding::UrlEncoded,
        other => panic!("WMAUDIT_BENCH_ENCODING={other:?}: expected json or url"),
    };
    let synthetic = synth::generate(&config);
    let generate = t.elapsed();
    let account = &synthetic.account;
    let shape = synthetic.shape();
    let rss_account = mem_kb("VmRSS");

    // Engine::new: parse + compile every distinct policy, evaluate every principal.
    let mut build = Vec::with_capacity(runs);
    let cpu_start = cpu_ms();
    let mut principals = 0;
    let mut policies = 0;
    let mut incomplete = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let engine = Engine::new(catalog, account);
        build.push(t.elapsed());
        principals = engine.principals.len();
        policies = engine.policies.entries.len();
        incomplete = engine
            .principals
            .iter()
            .filter(|p| !p.is_complete())
            .count();
        // Dropping the engine is not part of building it.
        drop(black_box(engine));
    }
    // CPU time (10 ms ticks, so averaged over the runs) is what a busy
    // machine does not inflate; it includes the drops, which are small.
    let build_cpu = (cpu_ms() - cpu_start) / runs as f64;

    // All principals x all actions through the public per-action API.
    let engine = Engine::new(catalog, account);
    let mut decide = Vec::with_capacity(runs);
    let mut counts = [0u64; 4];
    for _ in 0..runs {
        counts = [0; 4];
        let t = Instant::now();
        for id in 0..engine.principals.len() {
            let access = engine.access(id);
            for a in 0..catalog.len() {
                let d = access.decision(black_box(a));
                counts[d as usize] += 1;
            }
        }
        decide.push(t.elapsed());
        black_box(&counts);
    }
    let peak = mem_kb("VmHWM");
    drop(engine);

    let decisions = counts.iter().sum::<u64>();
    assert_eq!(decisions, (principals * catalog.len()) as u64);
    // Every generated document is valid: an unreadable one would skew timing.
    assert_eq!(
        incomplete, 0,
        "synthetic principals with unreadable policies"
    );
    // A sanity check that the synthetic mix exercises every verdict.
    if bench {
        for d in [
            Decision::Allowed,
            Decision::Limited,
            Decision::Denied,
            Decision::NotGranted,
        ] {
            assert!(counts[d as usize] > 0, "no {} decision", d.as_str());
        }
    }

    let build_med = median(&mut build);
    let decide_med = median(&mut decide);
    let peak_mb = peak as f64 / 1024.0;
    let line = |k: &str, v: String| println!("BENCH {k}={v}");
    line("mode", if bench { "bench" } else { "smoke" }.into());
    line("seed", seed.to_string());
    line("documents", encoding);
    line("users", shape.users.to_string());
    line("groups", shape.groups.to_string());
    line("roles", shape.roles.to_string());
    line("customer_policies", shape.customer_policies.to_string());
    line("aws_policies", shape.aws_policies.to_string());
    line("inline_policies", shape.inline_policies.to_string());
    line("attachments", shape.attachments.to_string());
    line("boundaries", shape.boundaries.to_string());
    line("principals", principals.to_string());
    line("policy_entries", policies.to_string());
    line("incomplete_principals", incomplete.to_string());
    line("catalog_actions", catalog.len().to_string());
    line("runs", runs.to_string());
    line("embedded_load_ms", ms(embedded_load));
    line("generate_ms", ms(generate));
    line("engine_new_median_ms", ms(build_med));
    line("engine_new_min_ms", ms(*build.iter().min().expect("runs")));
    line("engine_new_max_ms", ms(*build.iter().max().expect("runs")));
    line("engine_new_cpu_mean_ms", format!("{build_cpu:.1}"));
    line("decisions", decisions.to_string());
    line("decide_all_median_ms", ms(decide_med));
    line(
        "decide_ns_per_decision",
        format!("{:.2}", decide_med.as_nanos() as f64 / decisions as f64),
    );
    line(
        "verdicts",
        format!(
            "allowed:{} limited:{} denied:{} not_granted:{}",
            counts[Decision::Allowed as usize],
            counts[Decision::Limited as usize],
            counts[Decision::Denied as usize],
            counts[Decision::NotGranted as usize]
        ),
    );
    line(
        "rss_after_account_mb",
        format!("{:.1}", rss_account as f64 / 1024.0),
    );
    line("peak_rss_mb", format!("{peak_mb:.1}"));
    // Targets apply to the full-size run only.
    if bench {
        let build_ms = build_med.as_secs_f64() * 1e3;
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        line(
            "target_engine_new",
            format!("{} (< {TARGET_MS} ms)", verdict(build_ms < TARGET_MS)),
        );
        line(
            "target_peak_rss",
            format!("{} (< {TARGET_MB} MB)", verdict(peak_mb < TARGET_MB)),
        );
    }
}

fn median(xs: &mut [Duration]) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// This process's user + system CPU time in ms, from /proc/self/stat
/// (USER_HZ is 100 on Linux); 0 where there is no /proc.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the line, so the 12th and 13th after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (tick(11) + tick(12)) as f64 * 10.0
}

/// A memory figure from /proc/self/status in KiB (0 where there is no /proc).
fn mem_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
