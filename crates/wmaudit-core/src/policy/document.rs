//! The IAM JSON policy grammar, parsed strictly.
//!
//! Every shape error carries a JSON pointer into the document so that a reviewer
//! can find the offending element. Nothing is silently dropped: an element we do
//! not understand is an error, because guessing would turn into a wrong verdict.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::PolicyError;
use super::decode::decode_document_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`: which one matters as much as the patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ActionSpec {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

impl ActionSpec {
    pub fn patterns(&self) -> &[String] {
        match self {
            ActionSpec::Action(p) | ActionSpec::NotAction(p) => p,
        }
    }
}

/// `Resource`, `NotResource`, or neither (trust policies have no resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResourceSpec {
    Resource(Vec<String>),
    NotResource(Vec<String>),
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Principal {
    /// `"Principal": "*"`
    Anyone,
    /// `{"AWS": [...], "Service": [...], ...}`
    Map(BTreeMap<String, Vec<String>>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrincipalSpec {
    Principal(Principal),
    NotPrincipal(Principal),
}

/// Condition operator -> condition key -> values. Values are kept as text
/// (booleans and numbers as IAM compares them: by their string form).
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: ActionSpec,
    pub resource: ResourceSpec,
    pub principal: Option<PrincipalSpec>,
    pub condition: Conditions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

impl PolicyDocument {
    /// Parses a document as IAM stores it: URL-encoded or JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let decoded = decode_document_text(text)?;
        let value: Value =
            crate::strict_json::strict_from_str(&decoded).map_err(|e| PolicyError::Json {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        Self::from_value(&value)
    }

    /// Parses an already-decoded JSON value (the AWS CLI prints documents as objects).
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let obj = expect_object(value, "")?;
        reject_unknown_keys(obj, "", TOP_KEYS)?;
        let version = opt_string(obj.get("Version"), "/Version")?;
        if let Some(v) = &version
            && v != "2012-10-17"
            && v != "2008-10-17"
        {
            return Err(shape(
                "/Version",
                "\"2012-10-17\" or \"2008-10-17\"",
                &Value::String(v.clone()),
            ));
        }
        let id = opt_string(obj.get("Id"), "/Id")?;
        let statements = match obj.get("Statement") {
            None => return Err(missing("", "Statement")),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| parse_statement(s, &format!("/Statement/{i}")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => vec![parse_statement(single, "/Statement")?],
            Some(other) => {
                return Err(shape(
                    "/Statement",
                    "a statement object or an array of statements",
                    other,
                ));
            }
        };
        Ok(PolicyDocument {
            version,
            id,
            statements,
        })
    }
}

fn parse_statement(value: &Value, ptr: &str) -> Result<Statement, PolicyError> {
    let obj = expect_object(value, ptr)?;
    reject_unknown_keys(obj, ptr, STATEMENT_KEYS)?;
    let sid = opt_string(obj.get("Sid"), &format!("{ptr}/Sid"))?;
    let effect = match obj.get("Effect") {
        None => return Err(missing(ptr, "Effect")),
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(shape(
                &format!("{ptr}/Effect"),
                "\"Allow\" or \"Deny\"",
                other,
            ));
        }
    };
    let action = match (obj.get("Action"), obj.get("NotAction")) {
        (Some(a), None) => ActionSpec::Action(string_list(a, &format!("{ptr}/Action"))?),
        (None, Some(n)) => ActionSpec::NotAction(string_list(n, &format!("{ptr}/NotAction"))?),
        (Some(_), Some(_)) => return Err(conflict(ptr, "Action", "NotAction")),
        (None, None) => return Err(missing(ptr, "Action or NotAction")),
    };
    let resource = match (obj.get("Resource"), obj.get("NotResource")) {
        (Some(r), None) => ResourceSpec::Resource(string_list(r, &format!("{ptr}/Resource"))?),
        (None, Some(n)) => {
            ResourceSpec::NotResource(string_list(n, &format!("{ptr}/NotResource"))?)
        }
        (Some(_), Some(_)) => return Err(conflict(ptr, "Resource", "NotResource")),
        (None, None) => ResourceSpec::Absent,
    };
    let principal = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(p), None) => Some(PrincipalSpec::Principal(parse_principal(
            p,
            &format!("{ptr}/Principal"),
        )?)),
        (None, Some(n)) => Some(PrincipalSpec::NotPrincipal(parse_principal(
            n,
            &format!("{ptr}/NotPrincipal"),
        )?)),
        (Some(_), Some(_)) => return Err(conflict(ptr, "Principal", "NotPrincipal")),
        (None, None) => None,
    };
    let condition = match obj.get("Condition") {
        None => Conditions::new(),
        Some(c) => parse_conditions(c, &format!("{ptr}/Condition"))?,
    };
    Ok(Statement {
        sid,
        effect,
        action,
        resource,
        principal,
        condition,
    })
}

fn parse_principal(value: &Value, ptr: &str) -> Result<Principal, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(Principal::Anyone),
        Value::Object(map) => {
            let mut out = BTreeMap::new();
            for (kind, ids) in map {
                let p = format!("{ptr}/{}", escape_pointer(kind));
                out.insert(kind.clone(), string_list(ids, &p)?);
            }
            Ok(Principal::Map(out))
        }
        other => Err(shape(
            ptr,
            "\"*\" or an object such as {\"AWS\": [...]}",
            other,
        )),
    }
}

fn parse_conditions(value: &Value, ptr: &str) -> Result<Conditions, PolicyError> {
    let ops = expect_object(value, ptr)?;
    let mut out = Conditions::new();
    for (op, keys) in ops {
        let op_ptr = format!("{ptr}/{}", escape_pointer(op));
        let keys_obj = expect_object(keys, &op_ptr)?;
        let mut parsed = BTreeMap::new();
        for (key, values) in keys_obj {
            let key_ptr = format!("{op_ptr}/{}", escape_pointer(key));
            parsed.insert(key.clone(), condition_values(values, &key_ptr)?);
        }
        out.insert(op.clone(), parsed);
    }
    Ok(out)
}

fn condition_values(value: &Value, ptr: &str) -> Result<Vec<String>, PolicyError> {
    fn scalar(v: &Value, ptr: &str) -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(shape(ptr, "a string, number or boolean", other)),
        }
    }
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| scalar(v, &format!("{ptr}/{i}")))
            .collect(),
        other => Ok(vec![scalar(other, ptr)?]),
    }
}

/// IAM accepts every list element either as one string or as an array of strings.
fn string_list(value: &Value, ptr: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(shape(&format!("{ptr}/{i}"), "a string", other)),
            })
            .collect(),
        other => Err(shape(ptr, "a string or an array of strings", other)),
    }
}

fn opt_string(value: Option<&Value>, ptr: &str) -> Result<Option<String>, PolicyError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(shape(ptr, "a string", other)),
    }
}

fn expect_object<'a>(
    value: &'a Value,
    ptr: &str,
) -> Result<&'a serde_json::Map<String, Value>, PolicyError> {
    value
        .as_object()
        .ok_or_else(|| shape(ptr, "an object", value))
}

fn reject_unknown_keys(
    obj: &serde_json::Map<String, Value>,
    ptr: &str,
    known: &[&str],
) -> Result<(), PolicyError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(PolicyError::Shape {
            pointer: format!("{ptr}/{}", escape_pointer(k)),
            expected: format!("one of the elements {}", known.join(", ")),
            found: format!("unknown element {k:?}"),
        }),
        None => Ok(()),
    }
}

fn shape(ptr: &str, expected: &str, found: &Value) -> PolicyError {
    PolicyError::Shape {
        pointer: pointer_or_root(ptr),
        expected: expected.to_owned(),
        found: describe(found),
    }
}

fn missing(ptr: &str, what: &str) -> PolicyError {
    PolicyError::Shape {
        pointer: pointer_or_root(ptr),
        expected: format!("an element {what}"),
        found: "none".into(),
    }
}

fn conflict(ptr: &str, a: &str, b: &str) -> PolicyError {
    PolicyError::Shape {
        pointer: pointer_or_root(ptr),
        expected: format!("either {a} or {b}"),
        found: "both".into(),
    }
}

fn pointer_or_root(ptr: &str) -> String {
    if ptr.is_empty() {
        "/".into()
    } else {
        ptr.into()
    }
}

/// RFC 6901: `~` and `/` inside a key must be escaped in a pointer.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("string \"{}...\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}
