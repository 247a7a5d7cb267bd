//! Reading parsed JSON by hand while tracking the JSON pointer, so that shape
//! errors name the exact place (`/UserDetailList/3/GroupList`) and unknown
//! keys are tolerated (AWS adds fields) while known keys are type-checked.

use serde_json::{Map, Value};

use super::error::{InputError, Place};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a whole file as JSON; syntax errors carry line:column.
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Value, InputError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| InputError::from_json(file, None, &e))
}

/// Parses one or more JSON values written one after another; at least one.
pub(crate) fn parse_stream(bytes: &[u8], file: &str) -> Result<Vec<Value>, InputError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let values = serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| InputError::from_json(file, None, &e))?;
    if values.is_empty() {
        // Empty or blank input: let the single-value parser describe it.
        return parse(bytes, file).map(|v| vec![v]);
    }
    Ok(values)
}

/// A value and where it is.
#[derive(Clone)]
pub(crate) struct Node<'v, 'f> {
    pub value: &'v Value,
    pub pointer: String,
    pub file: &'f str,
}

impl<'v, 'f> Node<'v, 'f> {
    pub fn root(value: &'v Value, file: &'f str) -> Self {
        Node {
            value,
            pointer: String::new(),
            file,
        }
    }

    pub fn place(&self) -> Place {
        Place::Pointer(self.pointer.clone())
    }

    /// An error at this node: found is described from the value itself.
    pub fn error(&self, expected: impl Into<String>) -> InputError {
        InputError::shape(self.file, self.place(), expected, describe(self.value))
    }

    fn child(&self, value: &'v Value, segment: &str) -> Self {
        Node {
            value,
            pointer: format!("{}/{}", self.pointer, escape(segment)),
            file: self.file,
        }
    }

    pub fn object(&self, expected: &str) -> Result<&'v Map<String, Value>, InputError> {
        self.value.as_object().ok_or_else(|| self.error(expected))
    }

    /// The value under `key`; None when absent or null (AWS omits or nulls
    /// empty fields interchangeably). Self must be an object.
    pub fn get(&self, key: &str) -> Result<Option<Self>, InputError> {
        let map = self.object("an object")?;
        Ok(match map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.child(v, key)),
        })
    }

    pub fn require(&self, key: &str) -> Result<Self, InputError> {
        let found = match self.object("an object")?.get(key) {
            Some(Value::Null) => "null",
            _ => "no such key",
        };
        self.get(key)?.ok_or_else(|| {
            InputError::shape(
                self.file,
                Place::Pointer(format!("{}/{}", self.pointer, escape(key))),
                format!("key {key:?} (required)"),
                found,
            )
        })
    }

    pub fn str(&self) -> Result<&'v str, InputError> {
        self.value.as_str().ok_or_else(|| self.error("a string"))
    }

    /// A required string: names and ARNs, which IAM never leaves empty. An
    /// empty one would import an entity no rule can match or report on.
    pub fn req_str(&self, key: &str) -> Result<String, InputError> {
        let node = self.require(key)?;
        match node.str()? {
            "" => Err(node.error("a non-empty string")),
            s => Ok(s.to_owned()),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<String>, InputError> {
        self.get(key)?
            .map(|n| n.str().map(str::to_owned))
            .transpose()
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, InputError> {
        self.get(key)?
            .map(|n| {
                n.value
                    .as_u64()
                    .ok_or_else(|| n.error("a non-negative integer"))
            })
            .transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, InputError> {
        self.get(key)?
            .map(|n| n.value.as_bool().ok_or_else(|| n.error("true or false")))
            .transpose()
    }

    /// The items of this array.
    pub fn items(&self, expected: &str) -> Result<Vec<Self>, InputError> {
        let items = self.value.as_array().ok_or_else(|| self.error(expected))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| self.child(v, &i.to_string()))
            .collect())
    }

    /// The items of the array under `key`; empty when absent or null.
    pub fn list(&self, key: &str, expected: &str) -> Result<Vec<Self>, InputError> {
        match self.get(key)? {
            None => Ok(Vec::new()),
            Some(n) => n.items(expected),
        }
    }

    /// A policy document: kept as-is (object or URL-encoded string) for
    /// evaluation to parse, so a bad statement is not an import error.
    pub fn document(&self) -> Result<Value, InputError> {
        match self.value {
            Value::Object(_) | Value::String(_) => Ok(self.value.clone()),
            _ => Err(self.error("a policy document (a JSON object or a URL-encoded string)")),
        }
    }
}

/// RFC 6901 escaping of one pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// What a value is, briefly, for "found ..." in messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => {
            // Long strings (documents) would drown the message.
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("string {short:?}...")
            } else {
                format!("string {s:?}")
            }
        }
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(m) => {
            let keys: Vec<&str> = m.keys().take(6).map(String::as_str).collect();
            if keys.is_empty() {
                "an empty object".into()
            } else if m.len() > keys.len() {
                format!("an object with keys {}, ...", keys.join(", "))
            } else {
                format!("an object with keys {}", keys.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_and_describes() {
        let v: Value = serde_json::json!({"a/b": {"c~d": [1, "x"]}});
        let root = Node::root(&v, "f.json");
        let inner = root
            .require("a/b")
            .and_then(|n| n.require("c~d"))
            .and_then(|n| n.items("an array"));
        let items = match inner {
            Ok(items) => items,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(items[1].pointer, "/a~1b/c~0d/1");
        let err = items[0].str().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("f.json: at /a~1b/c~0d/0: expected a string, found number 1")
        );
    }

    #[test]
    fn missing_key_names_it() {
        let v: Value = serde_json::json!({"x": null});
        let err = Node::root(&v, "f.json")
            .req_str("x")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("f.json: at /x: expected key \"x\" (required), found null")
        );
    }
}
