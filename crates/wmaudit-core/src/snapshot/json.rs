//! Reading JSON input into typed structs, with errors that name the file, the
//! JSON pointer, what was expected there and what was found.
//!
//! Good input is parsed once, without tracking positions. Only a file that
//! fails is parsed again: with serde_path_to_error for the pointer, and as a
//! `Value` to describe what sits there. Errors are rare; good input never
//! pays for them.
//!
//! Duplicate keys are refused everywhere a value is kept: serde's derive
//! refuses a known field twice, and [`crate::strict_json`] does the same
//! inside policy documents and maps.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de};
use serde_json::Value;

use super::error::{InputError, Place};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// The file as text. serde skips ignored fields without checking that their
/// bytes are UTF-8, so the whole file is checked here, once.
pub(crate) fn text<'b>(bytes: &'b [u8], file: &str) -> Result<&'b str, InputError> {
    let bytes = strip_bom(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        InputError::JsonSyntax {
            file: file.to_owned(),
            place: Place::LineColumn { line, column },
            message: "invalid unicode code point (expected UTF-8 text)".to_owned(),
        }
    })
}

fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (line, column)
}

/// One step of a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Seg::Key(k) => Some(k),
            Seg::Index(_) => None,
        }
    }
}

/// What a file should hold at a place, for "expected ..." in messages.
pub(crate) type Expect = fn(&[Seg]) -> String;

/// RFC 6901 pointer of `segs`, after `prefix` (the place of the value parsed).
pub(crate) fn pointer(prefix: &str, segs: &[Seg]) -> String {
    let mut out = prefix.to_owned();
    for s in segs {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&escape(k)),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Parses `text` (one JSON value, the whole of it) as `T`. `prefix` is the
/// pointer of this value in the file ("" for the top level).
pub(crate) fn from_text<T: DeserializeOwned>(
    text: &str,
    file: &str,
    prefix: &str,
    expect: Expect,
) -> Result<T, InputError> {
    serde_json::from_str(text).map_err(|e| explain::<T>(text, file, prefix, expect, &e))
}

/// Describes why `text` failed to parse as `T`.
pub(crate) fn explain<T: DeserializeOwned>(
    text: &str,
    file: &str,
    prefix: &str,
    expect: Expect,
    first: &serde_json::Error,
) -> InputError {
    if first.classify() != serde_json::error::Category::Data {
        return InputError::from_json(file, None, first);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => e,
        // The same input parses the same way twice; keep the first error.
        Ok(_) => return InputError::from_json(file, Some(prefix.to_owned()), first),
    };
    let segs: Vec<Seg> = err
        .path()
        .iter()
        .map(|s| match s {
            serde_path_to_error::Segment::Seq { index } => Seg::Index(*index),
            serde_path_to_error::Segment::Map { key } => Seg::Key(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Seg::Key(variant.clone()),
            serde_path_to_error::Segment::Unknown => Seg::Key("?".to_owned()),
        })
        .collect();
    let place = Place::Pointer(pointer(prefix, &segs));
    let inner = err.into_inner();
    let message = inner.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    if let Some(key) = duplicate_key(message) {
        return InputError::shape(
            file,
            place,
            "each key once (IAM refuses a document with a duplicate key)",
            format!("key {key:?} twice"),
        );
    }
    if message.starts_with("invalid type: ") || message.starts_with("invalid value: ") {
        let found = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.pointer(&pointer("", &segs)).map(describe));
        if let Some(found) = found {
            return InputError::shape(file, place, expect(&segs), found);
        }
    }
    InputError::from_json(file, Some(pointer(prefix, &segs)), &inner)
}

/// The key of serde's "duplicate field `K`" or strict_json's "duplicate key "K"".
fn duplicate_key(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        return rest.strip_suffix('`').map(str::to_owned);
    }
    let rest = message.strip_prefix("duplicate key ")?;
    serde_json::from_str::<String>(rest).ok()
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

/// A key that may be absent, null, or hold a value; required fields say
/// which of the three they found. Use with `#[serde(default)]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }

    /// The value of a required key; absent or null is an error at `pointer`
    /// (the key's own place) in `file`.
    pub(crate) fn required(self, file: &str, pointer: String, key: &str) -> Result<T, InputError> {
        let found = match self {
            Field::Value(v) => return Ok(v),
            Field::Null => "null",
            Field::Absent => "no such key",
        };
        Err(InputError::shape(
            file,
            Place::Pointer(pointer),
            format!("key {key:?} (required)"),
            found,
        ))
    }
}

impl Field<String> {
    /// A required string, also not empty (IAM never leaves names and ARNs
    /// empty; an empty one would import an entity no rule can match).
    pub(crate) fn required_str(
        self,
        file: &str,
        pointer: String,
        key: &str,
    ) -> Result<String, InputError> {
        match self.required(file, pointer.clone(), key)? {
            s if s.is_empty() => Err(InputError::shape(
                file,
                Place::Pointer(pointer),
                "a non-empty string",
                "string \"\"",
            )),
            s => Ok(s),
        }
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(Field::Absent, Field::Value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(d)?.map_or(Field::Null, Field::Value))
    }
}

/// A struct that must be written as a JSON object: serde's derive would
/// also read one from an array, by position.
pub(crate) struct Obj<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Obj)
    }
}

/// `deserialize_with` for an optional object.
pub(crate) fn object_opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Obj<T>>::deserialize(d).map(|o| o.map(|o| o.0))
}

/// `deserialize_with` for an optional list of objects; null is empty.
pub(crate) fn objects<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list = Option::<Vec<Obj<T>>>::deserialize(d)?;
    Ok(list.unwrap_or_default().into_iter().map(|o| o.0).collect())
}

/// `deserialize_with` for a list of objects whose presence matters (even as null).
pub(crate) fn objects_field<'de, D, T>(d: D) -> Result<Field<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list = Option::<Vec<Obj<T>>>::deserialize(d)?;
    Ok(match list {
        None => Field::Null,
        Some(l) => Field::Value(l.into_iter().map(|o| o.0).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape() {
        let segs = [
            Seg::Key("a/b".into()),
            Seg::Key("c~d".into()),
            Seg::Index(1),
        ];
        assert_eq!(pointer("/0", &segs), "/0/a~1b/c~0d/1");
    }

    #[test]
    fn line_columns_count_from_one() {
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 0), (1, 1));
    }
}
