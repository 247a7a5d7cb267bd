//! The one reader of `get-account-authorization-details` files
//! (src/snapshot/auth_details.rs): every error names the file and the JSON
//! pointer, and mutated files never panic or import half an account.
//!
//! The edge cases' results are a snapshot: when the reader had a second,
//! pointer-tracking twin, its messages were carried over case by case, and
//! the snapshot keeps them from drifting.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};
use wmaudit_core::snapshot::parse_auth_details;

use crate::synth;

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// The reader's answer for a file, in one line: the account (as JSON) or
/// the error. An error must name the file and a place in it.
fn outcome(bytes: &[u8]) -> String {
    match parse_auth_details(bytes, "f.json") {
        Ok(account) => format!("ok {}", serde_json::to_string(&account).unwrap()),
        Err(e) => {
            let e = e.to_string();
            assert!(e.starts_with("f.json"), "error without the file: {e}");
            assert!(
                e.contains(": at ") || e.contains("line ") || e.contains("duplicate"),
                "error without a place: {e}"
            );
            format!("error {e}")
        }
    }
}

#[test]
fn every_fixture_and_seed_reads_or_names_its_fault() {
    let root = Path::new(crate::REPO);
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "fuzz/corpus/auth_details", "data/demo"] {
        json_files(&root.join(dir), &mut files);
    }
    let mut accepted = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        accepted += usize::from(outcome(&bytes).starts_with("ok "));
    }
    assert!(
        accepted >= 5,
        "only {accepted} of {} files are auth details",
        files.len()
    );
}

#[test]
fn synthetic_accounts_read() {
    for (seed, encoding) in [
        (1, synth::DocEncoding::Json),
        (2, synth::DocEncoding::UrlEncoded),
        (3, synth::DocEncoding::Json),
    ] {
        let mut cfg = synth::Config::new(400, seed);
        cfg.encoding = encoding;
        let text = synth::to_cli_json(&synth::generate(&cfg).auth_details());
        let account = parse_auth_details(text.as_bytes(), "f.json").unwrap();
        assert_eq!(account.users.len(), 400);
    }
}

const ARN: &str = "arn:aws:iam::123456789012";

fn user(extra: Value) -> Value {
    let mut u = json!({"UserName": "a", "Arn": format!("{ARN}:user/a")});
    if let (Some(u), Value::Object(extra)) = (u.as_object_mut(), extra) {
        u.extend(extra);
    }
    u
}

/// Shapes at the edge of what the reader accepts, each with its twin on the
/// other side of the edge.
#[test]
fn edge_cases() {
    let p = |doc: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": doc, "Resource": "*"}]});
    let cases: Vec<(&str, String)> = vec![
        ("empty object", "{}".into()),
        ("empty array", "[]".into()),
        ("null lists only", json!({"UserDetailList": null, "Policies": null}).to_string()),
        ("one null list, one real", json!([{"UserDetailList": null}, {"GroupDetailList": []}]).to_string()),
        ("a scalar", "42".into()),
        ("a user as an array", json!({"UserDetailList": [["a", format!("{ARN}:user/a")]]}).to_string()),
        ("a null user", json!({"UserDetailList": [null]}).to_string()),
        ("empty user name", json!({"UserDetailList": [{"UserName": "", "Arn": format!("{ARN}:user/a")}]}).to_string()),
        ("missing Arn", json!({"UserDetailList": [{"UserName": "a"}]}).to_string()),
        ("null Path", json!({"UserDetailList": [user(json!({"Path": null}))]}).to_string()),
        ("numeric Path", json!({"UserDetailList": [user(json!({"Path": 1}))]}).to_string()),
        ("group list of strings", json!({"UserDetailList": [user(json!({"GroupList": ["g1", "g2"]}))]}).to_string()),
        ("group list with null", json!({"UserDetailList": [user(json!({"GroupList": ["g1", null]}))]}).to_string()),
        ("group list as a string", json!({"UserDetailList": [user(json!({"GroupList": "g1"}))]}).to_string()),
        ("boundary", json!({"UserDetailList": [user(json!({"PermissionsBoundary": {"PermissionsBoundaryArn": format!("{ARN}:policy/b"), "PermissionsBoundaryType": "Policy"}}))]}).to_string()),
        ("boundary as a string", json!({"UserDetailList": [user(json!({"PermissionsBoundary": "x"}))]}).to_string()),
        ("boundary as an array", json!({"UserDetailList": [user(json!({"PermissionsBoundary": [format!("{ARN}:policy/b")]}))]}).to_string()),
        ("tag without value", json!({"UserDetailList": [user(json!({"Tags": [{"Key": "k"}]}))]}).to_string()),
        ("tag with empty key", json!({"UserDetailList": [user(json!({"Tags": [{"Key": "", "Value": "v"}]}))]}).to_string()),
        ("inline policy", json!({"UserDetailList": [user(json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": p("workmail:*")}]}))]}).to_string()),
        ("inline policy, url-encoded", json!({"UserDetailList": [user(json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B%7D"}]}))]}).to_string()),
        ("inline policy, null document", json!({"UserDetailList": [user(json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": null}]}))]}).to_string()),
        ("inline policy, array document", json!({"UserDetailList": [user(json!({"UserPolicyList": [{"PolicyName": "p", "PolicyDocument": []}]}))]}).to_string()),
        ("attachment without name", json!({"UserDetailList": [user(json!({"AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/x/AmazonWorkMailFullAccess"}]}))]}).to_string()),
        ("attachment with empty name", json!({"UserDetailList": [user(json!({"AttachedManagedPolicies": [{"PolicyName": "", "PolicyArn": "arn:aws:iam::aws:policy/A"}]}))]}).to_string()),
        ("attachment without arn", json!({"UserDetailList": [user(json!({"AttachedManagedPolicies": [{"PolicyName": "A"}]}))]}).to_string()),
        ("duplicate user", json!({"UserDetailList": [user(json!({})), user(json!({}))]}).to_string()),
        ("same arn as user and group", json!({"UserDetailList": [user(json!({}))], "GroupDetailList": [{"GroupName": "a", "Arn": format!("{ARN}:user/a")}]}).to_string()),
        ("two accounts", json!({"UserDetailList": [user(json!({})), {"UserName": "b", "Arn": "arn:aws:iam::210987654321:user/b"}]}).to_string()),
        ("duplicate key in a user", format!(r#"{{"UserDetailList": [{{"UserName": "x", "UserName": "a", "Arn": "{ARN}:user/a"}}]}}"#)),
        ("a list twice", format!(r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "{ARN}:user/a"}}], "UserDetailList": []}}"#)),
        ("attachments twice", format!(r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "{ARN}:user/a", "AttachedManagedPolicies": [{{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}}], "AttachedManagedPolicies": []}}]}}"#)),
        ("Statement twice in a document", format!(r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "{ARN}:user/a", "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Statement": [{{"Effect": "Deny", "Action": "*", "Resource": "*"}}], "Statement": []}}}}]}}]}}"#)),
        ("Effect twice in a statement", format!(r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "{ARN}:user/a", "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Statement": [{{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}}]}}}}]}}]}}"#)),
        ("two groups with one name", json!({"GroupDetailList": [{"GroupName": "admins", "Arn": format!("{ARN}:group/admins")}, {"GroupName": "admins", "Path": "/x/", "Arn": format!("{ARN}:group/x/admins")}]}).to_string()),
        ("two users with one name but case", json!({"UserDetailList": [user(json!({})), {"UserName": "A", "Path": "/x/", "Arn": format!("{ARN}:user/x/A")}]}).to_string()),
        ("empty path", json!({"UserDetailList": [user(json!({"Path": ""}))]}).to_string()),
        ("truncated last page", json!({"UserDetailList": [], "IsTruncated": true}).to_string()),
        ("truncated flag as a string", json!({"UserDetailList": [], "IsTruncated": "true"}).to_string()),
        ("truncated earlier page", json!([{"UserDetailList": [], "IsTruncated": true}, {"GroupDetailList": [], "IsTruncated": false}]).to_string()),
        ("next token", json!({"UserDetailList": [], "NextToken": "t"}).to_string()),
        ("null next token", json!({"UserDetailList": [], "NextToken": null}).to_string()),
        ("concatenated pages", format!("{} {}", json!({"UserDetailList": [user(json!({}))]}), json!({"GroupDetailList": []}))),
        ("trailing garbage", format!("{} x", json!({"UserDetailList": []}))),
        ("bom", format!("\u{feff}{}", json!({"UserDetailList": [user(json!({}))]}))),
        ("role with trust policy and last use", json!({"RoleDetailList": [{"RoleName": "r", "Arn": format!("{ARN}:role/r"), "AssumeRolePolicyDocument": "%7B%7D", "RoleLastUsed": {"LastUsedDate": "2026-01-01T00:00:00Z", "Region": "us-east-1"}, "InstanceProfileList": []}]}).to_string()),
        ("role trust policy as a number", json!({"RoleDetailList": [{"RoleName": "r", "Arn": format!("{ARN}:role/r"), "AssumeRolePolicyDocument": 5}]}).to_string()),
        ("role last used as a string", json!({"RoleDetailList": [{"RoleName": "r", "Arn": format!("{ARN}:role/r"), "RoleLastUsed": "yesterday"}]}).to_string()),
        ("policy, flag disagrees with DefaultVersionId", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "DefaultVersionId": "v1", "PolicyVersionList": [{"VersionId": "v1", "Document": p("a:b")}, {"VersionId": "v2", "IsDefaultVersion": true, "Document": p("c:d")}]}]}).to_string()),
        ("policy, default by id", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "DefaultVersionId": "v2", "PolicyVersionList": [{"VersionId": "v1", "Document": p("a:b")}, {"VersionId": "v2", "Document": p("c:d")}]}]}).to_string()),
        ("policy, two flagged", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": p("a:b")}, {"VersionId": "v2", "IsDefaultVersion": true, "Document": p("c:d")}]}]}).to_string()),
        ("policy, flagged without document", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "DefaultVersionId": "v1", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true}]}]}).to_string()),
        ("policy, flag as a string", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": "true"}]}]}).to_string()),
        ("policy, bad document in an old version", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "PolicyVersionList": [{"VersionId": "v1", "Document": 3}, {"VersionId": "v2", "IsDefaultVersion": true, "Document": p("c:d")}]}]}).to_string()),
        ("policy counts", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "AttachmentCount": 3, "PermissionsBoundaryUsageCount": 0}]}).to_string()),
        ("negative count", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "AttachmentCount": -1}]}).to_string()),
        ("fractional count", json!({"Policies": [{"Arn": format!("{ARN}:policy/p"), "AttachmentCount": 1.0}]}).to_string()),
        // Faults in ignored fields: UTF-8 is checked, the rest is skipped unread.
        ("lone surrogate in an unknown field", r#"{"UserDetailList": [], "Note": "\ud800"}"#.into()),
        ("lone trailing surrogate in an unknown field", r#"{"UserDetailList": [], "Note": "\udc00"}"#.into()),
        ("lone surrogate in a user name", r#"{"UserDetailList": [{"UserName": "\ud800", "Arn": "arn:aws:iam::123456789012:user/a"}]}"#.into()),
        ("huge number in an unknown field", r#"{"UserDetailList": [], "Note": 1e400}"#.into()),
        ("huge number as a count", r#"{"Policies": [{"Arn": "arn:aws:iam::123456789012:policy/p", "AttachmentCount": 1e400}]}"#.into()),
        ("deep nesting in an unknown field", format!(r#"{{"UserDetailList": [], "Note": {}{}}}"#, "[".repeat(200), "]".repeat(200))),
        ("deep nesting in a document", format!(r#"{{"UserDetailList": [{{"UserName": "a", "Arn": "arn:aws:iam::123456789012:user/a", "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"x": {}{}}}}}]}}]}}"#, "[".repeat(200), "]".repeat(200))),
        ("aws managed policy", json!({"Policies": [{"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "PolicyName": "ReadOnlyAccess"}]}).to_string()),
    ];
    let mut cases: Vec<(&str, Vec<u8>)> = cases
        .into_iter()
        .map(|(what, text)| (what, text.into_bytes()))
        .collect();
    // Not UTF-8, in a key serde would skip (found by the fuzzer).
    cases.push((
        "invalid UTF-8 in an unknown key",
        b"{\"UserDetailList\": [], \"X\xcd\": 1}".to_vec(),
    ));
    cases.push((
        "invalid UTF-8 in an unknown value",
        b"{\"UserDetailList\": [], \"Note\": \"\xff\"}".to_vec(),
    ));
    let mut out = String::new();
    for (what, bytes) in &cases {
        writeln!(out, "{what}:\n  {}", outcome(bytes)).unwrap();
    }
    insta::assert_snapshot!(out);
}

/// Values a mutation puts somewhere in a valid file.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!("")),
        Just(json!("x")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["a"])),
        Just(json!([null])),
        Just(json!([{}])),
        Just(json!({"UserName": "z", "Arn": "arn:aws:iam::123456789012:user/z"})),
        Just(json!({"Version": "2012-10-17", "Statement": []})),
    ]
}

/// Every place (as a path of keys and indexes) in a JSON value.
fn places(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                here.push(json!(k));
                places(c, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                here.push(json!(i));
                places(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Value]) -> &'v mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Value::String(k) => &mut v[k.as_str()],
        _ => &mut v[seg.as_u64().unwrap_or(0) as usize],
    })
}

fn small_valid_file() -> Value {
    let mut cfg = synth::Config::new(12, 7);
    cfg.encoding = synth::DocEncoding::Json;
    synth::generate(&cfg).auth_details()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Replace or remove one random place of a valid file: the reader
    /// imports it whole or names the fault, and never panics.
    #[test]
    fn mutated_files_read_or_name_their_fault(pick in any::<prop::sample::Index>(), new in replacement(), remove in any::<bool>()) {
        let original = small_valid_file();
        let mut all = Vec::new();
        places(&original, &mut Vec::new(), &mut all);
        let path = pick.get(&all).clone();
        let mut doc = original.clone();
        match (remove, path.split_last()) {
            (true, Some((Value::String(key), parent))) => {
                if let Some(m) = at(&mut doc, parent).as_object_mut() {
                    m.remove(key);
                }
            }
            _ => *at(&mut doc, &path) = new,
        }
        let text = doc.to_string();
        let result = outcome(text.as_bytes());
        // Nothing is dropped silently: an import holds every user the file lists.
        if result.starts_with("ok ") {
            let listed = doc.get("UserDetailList").and_then(Value::as_array).map_or(0, Vec::len);
            let account = parse_auth_details(text.as_bytes(), "f.json").unwrap();
            prop_assert_eq!(account.users.len(), listed, "path {:?}", path);
        }
    }
}
