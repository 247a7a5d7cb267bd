//! Reading an organization file: its format first, then its shape with the
//! JSON pointer of any error, then the tree (unique ids, parents that exist,
//! no cycle), every problem pointing at its place.

use std::collections::HashMap;
use std::path::Path;

use crate::snapshot::{InputError, Place};

use super::model::{ORGANIZATION_FORMAT, OrgSnapshot, RCP, SCP};

pub fn read_organization(path: &Path) -> Result<OrgSnapshot, InputError> {
    let (name, bytes) = crate::snapshot::import::read(path)?;
    parse_organization(&bytes, &name)
}

pub fn parse_organization(bytes: &[u8], source: &str) -> Result<OrgSnapshot, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    #[derive(serde::Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(Probe {
            format: Some(serde_json::Value::String(f)),
        }) if f == ORGANIZATION_FORMAT => {}
        Ok(Probe { format }) => {
            return Err(InputError::shape(
                source,
                Place::Pointer("/format".into()),
                format!(
                    "\"{ORGANIZATION_FORMAT}\" (an organization file of `wmaudit collect --organization`)"
                ),
                format.map_or("no format".to_owned(), |f| f.to_string()),
            ));
        }
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            return Err(InputError::shape(
                source,
                Place::Pointer(String::new()),
                format!("an object with \"format\": \"{ORGANIZATION_FORMAT}\""),
                "another JSON value",
            ));
        }
        Err(e) => return Err(InputError::from_json(source, None, &e)),
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let org: OrgSnapshot = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = crate::snapshot::io::to_pointer(e.path());
        InputError::from_json(source, Some(pointer), e.inner())
    })?;
    de.end()
        .map_err(|e| InputError::from_json(source, None, &e))?;
    validate(&org, source)?;
    Ok(org)
}

fn validate(org: &OrgSnapshot, source: &str) -> Result<(), InputError> {
    let at = |p: String| Place::Pointer(p);
    let bad = |p: String, expected: &str, found: String| {
        Err(InputError::shape(source, at(p), expected, found))
    };
    // Every id once, across roots, OUs and accounts (they share parent ids).
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut ids: Vec<(&str, String)> = Vec::new();
    for (i, r) in org.roots.iter().enumerate() {
        ids.push((&r.id, format!("/roots/{i}/id")));
        if let Some(p) = &r.parent_id {
            return bad(
                format!("/roots/{i}/parent_id"),
                "null (a root has no parent)",
                format!("{p:?}"),
            );
        }
    }
    for (i, n) in org.organizational_units.iter().enumerate() {
        ids.push((&n.id, format!("/organizational_units/{i}/id")));
    }
    for (i, a) in org.accounts.iter().enumerate() {
        ids.push((&a.id, format!("/accounts/{i}/id")));
        if a.id.len() != 12 || !a.id.bytes().all(|b| b.is_ascii_digit()) {
            return bad(
                format!("/accounts/{i}/id"),
                "a 12-digit account id",
                format!("{:?}", a.id),
            );
        }
    }
    for (id, place) in ids {
        if let Some(first) = seen.get(id) {
            return Err(InputError::Duplicate {
                file: source.to_owned(),
                what: "organization id",
                key: id.to_owned(),
                first: Box::new(at(first.clone())),
                second: Box::new(at(place)),
            });
        }
        seen.insert(id, place);
    }
    let nodes: HashMap<&str, Option<&str>> = org
        .roots
        .iter()
        .chain(&org.organizational_units)
        .map(|n| (n.id.as_str(), n.parent_id.as_deref()))
        .collect();
    for (i, n) in org.organizational_units.iter().enumerate() {
        let place = format!("/organizational_units/{i}/parent_id");
        let Some(parent) = n.parent_id.as_deref() else {
            return bad(place, "the id of the root or OU above it", "null".into());
        };
        if !nodes.contains_key(parent) {
            return bad(
                place,
                "the id of a root or OU of this file",
                format!("{parent:?}"),
            );
        }
        // Up the tree from here: more steps than nodes is a cycle.
        let mut cur = Some(parent);
        let mut steps = 0;
        while let Some(id) = cur {
            steps += 1;
            if steps > nodes.len() {
                return bad(
                    place,
                    "a tree of OUs under a root",
                    format!("a cycle through {:?}", n.id),
                );
            }
            cur = nodes.get(id).copied().flatten();
        }
    }
    for (i, a) in org.accounts.iter().enumerate() {
        if !nodes.contains_key(a.parent_id.as_str()) {
            return bad(
                format!("/accounts/{i}/parent_id"),
                "the id of a root or OU of this file",
                format!("{:?}", a.parent_id),
            );
        }
    }
    let mut policy_ids: HashMap<&str, usize> = HashMap::new();
    for (i, p) in org.policies.iter().enumerate() {
        if p.kind != SCP && p.kind != RCP {
            return bad(
                format!("/policies/{i}/type"),
                "SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY",
                format!("{:?}", p.kind),
            );
        }
        if let Some(first) = policy_ids.insert(&p.id, i) {
            return Err(InputError::Duplicate {
                file: source.to_owned(),
                what: "policy",
                key: p.id.clone(),
                first: Box::new(at(format!("/policies/{first}/id"))),
                second: Box::new(at(format!("/policies/{i}/id"))),
            });
        }
        // Parsed as the engine parses it (JSON text or an object), below it:
        // the organization file is read before any evaluation.
        let parsed = match &p.document {
            serde_json::Value::String(text) => crate::policy::PolicyDocument::parse(text),
            other => crate::policy::PolicyDocument::from_value(other),
        };
        if let Err(e) = parsed {
            return bad(
                format!("/policies/{i}/document"),
                "a policy document",
                e.to_string(),
            );
        }
    }
    // An attached id of the wrong type would be applied as the other kind.
    let lists = org
        .roots
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("/roots/{i}"), &n.attached))
        .chain(
            org.organizational_units
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("/organizational_units/{i}"), &n.attached)),
        )
        .chain(
            org.accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("/accounts/{i}"), &a.attached)),
        );
    for (base, attached) in lists {
        for (field, kind, ids) in [
            (
                "service_control_policies",
                SCP,
                &attached.service_control_policies,
            ),
            (
                "resource_control_policies",
                RCP,
                &attached.resource_control_policies,
            ),
        ] {
            for (j, id) in ids.iter().flatten().enumerate() {
                if let Some(&pi) = policy_ids.get(id.as_str())
                    && org.policies[pi].kind != kind
                {
                    return bad(
                        format!("{base}/attached/{field}/{j}"),
                        &format!("the id of a {kind}"),
                        format!("{id:?}, a {}", org.policies[pi].kind),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Writes an organization file: 2-space indent, trailing newline, lists in
/// id order, so the same organization always gives the same bytes.
pub fn write_organization(org: &OrgSnapshot, path: &Path) -> Result<(), InputError> {
    let mut org = org.clone();
    org.sort();
    let mut text = serde_json::to_string_pretty(&org).unwrap_or_default();
    text.push('\n');
    crate::atomic_file::write_file(path, |w| std::io::Write::write_all(w, text.as_bytes())).map_err(
        |error| InputError::Write {
            file: path.display().to_string(),
            error,
        },
    )
}
