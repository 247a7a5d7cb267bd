//! JSON values and maps that hold each key once.
//!
//! `serde_json::Value` and `BTreeMap` keep the last of duplicate keys
//! silently: a second `"Effect"` turns a Deny into an Allow, a second
//! `"Statement"` drops the first. IAM's own parser refuses such a document;
//! so does every reader of wmaudit's input.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON value whose objects hold each key once.
pub(crate) struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let quoted = serde_json::to_string(&key).unwrap_or_default();
                return Err(A::Error::custom(format_args!("duplicate key {quoted}")));
            }
            let Strict(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// `deserialize_with` for a `Value` field: refuses duplicate keys.
pub(crate) fn strict<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Strict::deserialize(d).map(|s| s.0)
}

/// `deserialize_with` for an optional `Value` field.
pub(crate) fn strict_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Option::<Strict>::deserialize(d).map(|o| o.map(|s| s.0))
}

/// A `Value` with each key once, from text (policy documents stored as strings).
pub fn strict_from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict::deserialize(&mut de)?;
    de.end()?;
    Ok(v.0)
}

/// `deserialize_with` for a map whose keys must be unique (`BTreeMap` and
/// `HashMap` keep the last silently).
pub(crate) fn unique_map<'de, D, V>(d: D) -> Result<std::collections::BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct MapVisitor<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
        type Value = std::collections::BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = std::collections::BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    let quoted = serde_json::to_string(&key).unwrap_or_default();
                    return Err(A::Error::custom(format_args!("duplicate key {quoted}")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(MapVisitor(std::marker::PhantomData))
}

/// `deserialize_with` for an optional map whose keys must be unique.
pub(crate) fn unique_map_opt<'de, D, V>(
    d: D,
) -> Result<Option<std::collections::BTreeMap<String, V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(bound = "V: Deserialize<'de>")]
    struct Unique<V>(
        #[serde(deserialize_with = "unique_map")] std::collections::BTreeMap<String, V>,
    );
    Ok(Option::<Unique<V>>::deserialize(d)?.map(|u| u.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_values_refuse_duplicate_keys() {
        let err = strict_from_str(r#"{"Statement": {"Effect": "Deny", "Effect": "Allow"}}"#)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("duplicate key \"Effect\"")),
            "{err:?}"
        );
        assert!(strict_from_str(r#"{"a": [1, 2.5, null, {"b": true}]}"#).is_ok());
    }
}
