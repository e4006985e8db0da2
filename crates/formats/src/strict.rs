//! JSON read strictly: serde_json's `Value` keeps the last of a key given twice, so
//! `{"orders": [A], "orders": [B]}` would silently drop A. Here a repeated key is refused,
//! with its JSON pointer.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `bytes` as one JSON value; a key repeated in any object is an error that gives
/// its path (`/orders/0/bags`), line and column. Nesting deeper than 128 is refused
/// (serde_json's limit).
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = At { parent: None, step: Step::Root }.deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// Where a value sits, as a chain up to the root: built without allocating, written out as a
/// JSON pointer only for an error.
struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl At<'_> {
    /// The JSON pointer (RFC 6901: `~` and `/` in keys escaped).
    fn pointer(&self) -> String {
        let mut path = self.parent.map(At::pointer).unwrap_or_default();
        match self.step {
            Step::Root => {}
            Step::Key(key) => {
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Step::Index(i) => path.push_str(&format!("/{i}")),
        }
        path
    }
}

impl<'de> DeserializeSeed<'de> for At<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for At<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
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
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
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
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(At { parent: Some(&self), step: Step::Index(items.len()) })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = At { parent: Some(&self), step: Step::Key(&key) };
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("{} is given twice; give each key once", at.pointer())));
            }
            let value = map.next_value_seed(at)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_refused_with_its_path() {
        let e = parse(br#"{"orders": [{"id": "a", "id": "b"}]}"#).unwrap_err();
        assert!(e.to_string().contains("/orders/0/id is given twice"), "{e}");
        let e = parse(br#"{"orders": [], "orders": []}"#).unwrap_err();
        assert!(e.to_string().contains("/orders is given twice"), "{e}");
        let v = parse(br#"{"a/b": [1, 2.5, null, true, "x", {"c": {}}]}"#).unwrap();
        assert_eq!(v, serde_json::json!({"a/b": [1, 2.5, null, true, "x", {"c": {}}]}));
        assert!(parse(b"[1] 2").is_err(), "trailing data");
        assert!(parse(&[b'['; 200]).is_err(), "deep nesting");
    }
}
