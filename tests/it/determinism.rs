//! The same account in any order gives byte-identical reports: the entities
//! of the authorization details (users, groups, roles, policies, the lists
//! inside them, the keys of their objects) and the credential report's rows
//! are shuffled with five seeds, and JSON, SARIF and Markdown must not change
//! by a byte. Policy documents are left alone: the order of statements is
//! part of what a report cites ("statement 2").

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

const SEEDS: [u64; 5] = [1, 7, 42, 2026, 0xDEAD_BEEF];
const FORMATS: [&str; 3] = ["json", "sarif", "markdown"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cli")
        .join(name)
}

/// Keys whose values are policy documents (kept as they are).
const DOCUMENTS: [&str; 3] = ["PolicyDocument", "AssumeRolePolicyDocument", "Document"];

/// Shuffles every array and the keys of every object, except inside
/// policy documents.
fn shuffle(v: &mut Value, rng: &mut ChaCha8Rng) {
    match v {
        Value::Array(items) => {
            items.shuffle(rng);
            for item in items {
                shuffle(item, rng);
            }
        }
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.shuffle(rng);
            let mut out = Map::new();
            for (k, mut v) in entries {
                if !DOCUMENTS.contains(&k.as_str()) {
                    shuffle(&mut v, rng);
                }
                out.insert(k, v);
            }
            *map = out;
        }
        _ => {}
    }
}

/// The credential report with its rows (not the header) shuffled.
fn shuffle_csv(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    rows.shuffle(rng);
    let mut out = format!("{header}\n");
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out
}

/// `wmaudit scan` of the two files in `dir`, in each format.
fn scan(dir: &Path) -> Vec<String> {
    FORMATS
        .iter()
        .map(|format| {
            let out = Command::cargo_bin("wmaudit")
                .unwrap()
                .current_dir(dir)
                .env_remove("AWS_PROFILE")
                .env("NO_COLOR", "1")
                .args([
                    "scan",
                    "--auth-details",
                    "auth-details.json",
                    "--credential-report",
                    "credential-report.csv",
                    "--format",
                    format,
                ])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(out.status.code(), Some(0 | 1 | 3)),
                "{format}: {stderr}"
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect()
}

fn write_case(dir: &Path, auth: &Value, csv: &str) {
    std::fs::write(
        dir.join("auth-details.json"),
        serde_json::to_vec_pretty(auth).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("credential-report.csv"), csv).unwrap();
}

/// Lines that differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("line {}:\n  {x}\n  {y}", i + 1))
        .unwrap_or_else(|| format!("lengths {} and {}", a.len(), b.len()))
}

#[test]
fn shuffled_inputs_give_byte_identical_reports() {
    let auth: Value =
        serde_json::from_slice(&std::fs::read(fixture("auth-details.json")).unwrap()).unwrap();
    let csv = std::fs::read_to_string(fixture("credential-report.csv")).unwrap();

    let base = tempfile::tempdir().unwrap();
    write_case(base.path(), &auth, &csv);
    let want = scan(base.path());
    assert!(want[0].contains("\"findings\""), "a JSON report");

    for seed in SEEDS {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut shuffled = auth.clone();
        shuffle(&mut shuffled, &mut rng);
        let shuffled_csv = shuffle_csv(&csv, &mut rng);
        // The shuffle must actually move things, or this proves nothing.
        // (Compared as text: `Value`'s equality ignores the order of keys.)
        let (moved, original) = (shuffled.to_string(), auth.to_string());
        assert!(moved != original, "seed {seed}");
        assert!(shuffled_csv != csv, "seed {seed}");

        let dir = tempfile::tempdir().unwrap();
        write_case(dir.path(), &shuffled, &shuffled_csv);
        let got = scan(dir.path());
        for ((format, w), g) in FORMATS.iter().zip(&want).zip(&got) {
            assert!(
                w == g,
                "seed {seed}: {format} differs: {}",
                first_difference(w, g)
            );
        }
    }
}

#[test]
fn the_shuffle_keeps_the_content() {
    // Same multiset of entities: sorted, the shuffled file equals the original.
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(sorted).collect();
                items.sort_by_key(|a| a.to_string());
                Value::Array(items)
            }
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), sorted(&map[k]));
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
    let auth: Value =
        serde_json::from_slice(&std::fs::read(fixture("auth-details.json")).unwrap()).unwrap();
    let mut shuffled = auth.clone();
    shuffle(&mut shuffled, &mut ChaCha8Rng::seed_from_u64(SEEDS[0]));
    assert_eq!(sorted(&shuffled), sorted(&auth));
    let doc = |v: &Value| {
        v["UserDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["UserName"] == "mail-admin")
            .unwrap()["UserPolicyList"][0]["PolicyDocument"]
            .to_string()
    };
    assert_eq!(doc(&shuffled), doc(&auth), "documents untouched");
}
