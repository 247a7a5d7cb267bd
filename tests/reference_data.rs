//! Agreement between wmaudit's generated data (`data/catalog.json`,
//! `data/managed-policies.json`) plus its engine, and the independently
//! gathered facts in `../shared/reference/workmail/`.
//!
//! The reference is always present in CI; a missing directory fails these
//! tests (it does not skip them), so a broken checkout cannot pass silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use wmaudit::account::{Account, ManagedPolicy, PolicyAttachment, User};
use wmaudit::catalog::{Catalog, builtin_managed_policies};
use wmaudit::eval::{Decision, Engine};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/workmail");

/// The services whose actions the reference lists.
const SERVICES: [&str; 2] = ["workmail", "workmailmessageflow"];

fn reference_dir() -> PathBuf {
    let dir = Path::new(REFERENCE);
    assert!(
        dir.is_dir(),
        "reference data not found: looked for the directory {REFERENCE} \
         (shared/reference/workmail beside the crate; CI always has it)"
    );
    dir.to_path_buf()
}

fn load(relative: &str) -> Value {
    let path = reference_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read reference file {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("reference file {} is not JSON: {e}", path.display()))
}

fn str_field<'a>(v: &'a Value, key: &str, ctx: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}: reference field {key:?} is not a string"))
}

fn strings(v: &Value, ctx: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{ctx}: expected an array"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("{ctx}: expected strings"))
                .to_owned()
        })
        .collect()
}

/// Fails with every difference at once, so one run shows the whole story.
fn assert_no_differences(what: &str, diffs: &[String]) {
    assert!(
        diffs.is_empty(),
        "{what}: {} difference(s) from the reference in {REFERENCE}:\n  {}",
        diffs.len(),
        diffs.join("\n  ")
    );
}

#[test]
fn workmail_actions_match_the_catalog() {
    let reference = load("workmail_actions.json");
    let reference = reference
        .as_array()
        .expect("workmail_actions.json is an array");
    let catalog = Catalog::builtin();

    let mut diffs = Vec::new();
    let mut seen = BTreeSet::new();
    for r in reference {
        let name = str_field(r, "action", "workmail_actions.json");
        seen.insert(name.to_owned());
        let Some(id) = catalog.lookup(name) else {
            diffs.push(format!("{name}: in the reference, not in the catalog"));
            continue;
        };
        let a = catalog.action(id);
        // Exact spelling too: lookup is case-insensitive, reports are not.
        if a.full_name != name {
            diffs.push(format!("{name}: catalog spells it {}", a.full_name));
        }
        let level = str_field(r, "access_level", name);
        if a.access_level.as_str() != level {
            diffs.push(format!(
                "{name}: access level {} in the catalog, {level} in the reference",
                a.access_level.as_str()
            ));
        }
        // The catalog keeps the action's own condition keys; those of the
        // resource type definition (`resource_condition_keys`) are left out
        // by design (data/SOURCES.md).
        let want_keys = strings(&r["condition_keys"], name);
        let have_keys: BTreeSet<String> = a.condition_keys.iter().cloned().collect();
        if have_keys != want_keys {
            diffs.push(format!(
                "{name}: condition keys {have_keys:?} in the catalog, {want_keys:?} in the reference"
            ));
        }
        let want_res: BTreeSet<(String, bool)> = r["resources"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: resources is not an array"))
            .iter()
            .map(|x| {
                (
                    str_field(x, "name", name).to_owned(),
                    x["required"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        let have_res: BTreeSet<(String, bool)> = a
            .resource_types
            .iter()
            .map(|x| (x.name.clone(), x.required))
            .collect();
        if have_res != want_res {
            diffs.push(format!(
                "{name}: resource types {have_res:?} in the catalog, {want_res:?} in the reference"
            ));
        }
    }
    // The other direction: nothing in the catalog that the reference lacks.
    let mut in_catalog = 0;
    for prefix in SERVICES {
        let svc = catalog
            .service(prefix)
            .unwrap_or_else(|| panic!("service {prefix} missing from the catalog"));
        for a in &catalog.actions()[svc.range.clone()] {
            in_catalog += 1;
            if !seen.contains(a.full_name) {
                diffs.push(format!(
                    "{}: in the catalog, not in the reference",
                    a.full_name
                ));
            }
        }
    }
    assert_no_differences("WorkMail actions", &diffs);
    assert_eq!(reference.len(), 128, "reference action count");
    assert_eq!(in_catalog, 128, "catalog action count");
}

#[test]
fn embedded_managed_policies_match_the_reference() {
    let index = load("managed-policies/index.json");
    let index = index
        .as_object()
        .expect("managed-policies/index.json is an object");
    let embedded = builtin_managed_policies();

    let mut diffs = Vec::new();
    for (name, entry) in index {
        let Some(p) = embedded.by_name(name) else {
            diffs.push(format!("{name}: in the reference, not embedded"));
            continue;
        };
        let arn = str_field(entry, "arn", name);
        if p.arn != arn {
            diffs.push(format!(
                "{name}: ARN {} embedded, {arn} in the reference",
                p.arn
            ));
        }
        let version = str_field(entry, "version_id", name);
        if p.version_id != version {
            diffs.push(format!(
                "{name}: version {} embedded, {version} in the reference",
                p.version_id
            ));
        }
        // The reference keeps milliseconds (always .000); the data does not.
        let updated = str_field(entry, "policy_last_updated", name).replace(".000Z", "Z");
        if p.update_date != updated {
            diffs.push(format!(
                "{name}: update date {} embedded, {updated} in the reference",
                p.update_date
            ));
        }
        // The path is the part of the ARN between `policy` and the name.
        let want_path = arn
            .split_once(":policy")
            .and_then(|(_, rest)| rest.strip_suffix(name.as_str()))
            .unwrap_or("?");
        if p.path != want_path {
            diffs.push(format!(
                "{name}: path {} embedded, {want_path} from the ARN",
                p.path
            ));
        }
        // `file` names the upstream path; the copy here is managed-policies/<basename>.
        let file = str_field(entry, "file", name);
        let base = file.rsplit('/').next().unwrap_or(file);
        let doc = load(&format!("managed-policies/{base}"));
        // serde_json's map equality ignores key order, as JSON does.
        if p.document != doc {
            diffs.push(format!(
                "{name}: embedded document differs from managed-policies/{base}"
            ));
        }
    }
    for p in &embedded.policies {
        if !index.contains_key(&p.name) {
            diffs.push(format!("{}: embedded, not in the reference index", p.name));
        }
    }
    assert_no_differences("embedded AWS managed policies", &diffs);
}

/// The policies the engine is checked on, by the reference's name.
const EVALUATED: &[&str] = &[
    "AmazonWorkMailFullAccess",
    "AmazonWorkMailReadOnlyAccess",
    "AmazonWorkMailMessageFlowReadOnlyAccess",
    "AmazonWorkMailMessageFlowFullAccess",
    "AmazonWorkMailEventsServiceRolePolicy",
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "ViewOnlyAccess",
    "SecurityAudit",
    "SupportUser",
];

fn holder(arn: &str) -> User {
    User {
        name: "holder".into(),
        arn: "arn:aws:iam::111122223333:user/holder".into(),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        groups: vec![],
        inline_policies: vec![],
        attached_policies: vec![PolicyAttachment {
            name: arn.rsplit('/').next().unwrap_or(arn).into(),
            arn: arn.into(),
        }],
        permissions_boundary: None,
        tags: vec![],
    }
}

/// WorkMail verdicts of a user holding only `arn`, by action name.
fn workmail_verdicts(account: &Account) -> BTreeMap<String, Decision> {
    let catalog = Catalog::builtin();
    let engine = Engine::new(catalog, account);
    let id = engine.find("holder")[0];
    let p = engine.principal(id);
    assert!(p.is_complete(), "holder is incomplete: {:?}", p.problems);
    let access = engine.access(id);
    SERVICES
        .iter()
        .flat_map(|s| catalog.service(s).expect("service").range.clone())
        .map(|a| (catalog.action(a).full_name.to_owned(), access.decision(a)))
        .collect()
}

#[test]
fn engine_grants_what_the_reference_computed() {
    let grants = load("managed_policy_workmail_grants.json");
    let grants = grants
        .as_object()
        .expect("managed_policy_workmail_grants.json is an object");
    let index = load("managed-policies/index.json");

    let mut diffs = Vec::new();
    for &name in EVALUATED {
        let entry = &index[name];
        let arn = str_field(entry, "arn", name);
        // A policy granting no WorkMail action is absent from the grants file.
        let (want, scoped) = match grants.get(name) {
            Some(g) => (
                strings(&g["granted_actions"], name),
                strings(&g["only_with_condition_or_scoped_resource"], name),
            ),
            None => (BTreeSet::new(), BTreeSet::new()),
        };
        if let Some(g) = grants.get(name) {
            let version = str_field(g, "version_id", name);
            let indexed = str_field(entry, "version_id", name);
            assert_eq!(
                version, indexed,
                "{name}: the reference's two files disagree"
            );
        }

        // Once from wmaudit's embedded copy (the account lacks the document),
        // once from the reference document given as account data.
        let from_builtin = Account {
            users: vec![holder(arn)],
            ..Account::default()
        };
        let engine = Engine::new(Catalog::builtin(), &from_builtin);
        assert_eq!(engine.builtin_fallbacks, vec![arn.to_owned()], "{name}");
        let file = str_field(entry, "file", name);
        let base = file.rsplit('/').next().unwrap_or(file);
        let from_data = Account {
            users: vec![holder(arn)],
            policies: vec![ManagedPolicy {
                name: name.into(),
                arn: arn.into(),
                id: String::new(),
                path: "/".into(),
                default_version_id: Some(str_field(entry, "version_id", name).into()),
                attachment_count: Some(1),
                permissions_boundary_usage_count: None,
                update_date: None,
                document: Some(load(&format!("managed-policies/{base}"))),
            }],
            ..Account::default()
        };

        for (source, account) in [("embedded", &from_builtin), ("reference", &from_data)] {
            let verdicts = workmail_verdicts(account);
            let got: BTreeSet<String> = verdicts
                .iter()
                .filter(|(_, d)| d.is_allowed())
                .map(|(a, _)| a.clone())
                .collect();
            for a in want.difference(&got) {
                diffs.push(format!(
                    "{name} ({source} document): {a} granted by the reference, not by the engine"
                ));
            }
            for a in got.difference(&want) {
                diffs.push(format!(
                    "{name} ({source} document): {a} granted by the engine, not by the reference"
                ));
            }
            // Grants that hold only under a condition or on some resources
            // are `Limited`; every other grant is a full one.
            let limited: BTreeSet<String> = verdicts
                .iter()
                .filter(|(_, d)| **d == Decision::Limited)
                .map(|(a, _)| a.clone())
                .collect();
            if limited != scoped {
                diffs.push(format!(
                    "{name} ({source} document): limited {limited:?}, the reference says {scoped:?}"
                ));
            }
        }
    }
    assert_no_differences("WorkMail grants of AWS managed policies", &diffs);
}

#[test]
fn reference_facts_hold() {
    // The README's headline numbers, so a changed reference is noticed here.
    let grants = load("managed_policy_workmail_grants.json");
    let count = |name: &str| {
        grants[name]["granted_actions"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(count("AdministratorAccess"), 128);
    assert_eq!(count("PowerUserAccess"), 128);
    assert_eq!(count("AmazonWorkMailFullAccess"), 126);
    assert_eq!(count("AmazonWorkMailReadOnlyAccess"), 49);
    assert_eq!(count("ReadOnlyAccess"), 49);
    assert_eq!(count("AmazonWorkMailMessageFlowReadOnlyAccess"), 1);
    assert!(grants.get("SecurityAudit").is_none());
}
