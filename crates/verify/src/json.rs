//! Strict JSON: one value, no trailing data, duplicate keys rejected at every depth.
//!
//! serde_json alone takes the last duplicate (like Go), which lets two parsers disagree about a
//! signed header. We parse through a visitor that refuses repeats, keeping serde_json's own
//! guarantees (UTF-8, no lone surrogates, a 128-level depth cap that protects the wasm32 stack).
//!
//! Small documents (PK tokens, key sets: at most 64 KiB) are built as trees ([`parse`]). Large
//! ones — DSSE envelopes, in-toto statements — are never built: [`check`] validates them in one
//! pass and [`raw`] reads the members a parser needs as slices of the input, so their cost
//! stays near their size (docs/limits.md).

mod check;
pub(crate) mod raw;

use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::VerifyError;

/// Parses `bytes` as exactly one JSON value, rejecting duplicate object keys.
pub fn parse(bytes: &[u8], what: &'static str) -> Result<Value, VerifyError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue
        .deserialize(&mut de)
        .map_err(|e| classify(&e, what))?;
    de.end().map_err(|_| VerifyError::MalformedJson { what })?;
    Ok(value)
}

/// Parses a JSON object (the only top-level shape any of our formats uses).
pub fn parse_object(bytes: &[u8], what: &'static str) -> Result<Map<String, Value>, VerifyError> {
    match parse(bytes, what)? {
        Value::Object(map) => Ok(map),
        _ => Err(VerifyError::MalformedJson { what }),
    }
}

/// Checks that `bytes` is exactly one strict JSON value without building it (see
/// [`check`](self::check)): memory is a hash per key of the objects open at once, bounded by
/// [`crate::limits::MAX_OPEN_OBJECT_MEMBERS`].
pub fn check(bytes: &[u8], what: &'static str) -> Result<(), VerifyError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let open = core::cell::Cell::new(0);
    check::Check { open: &open }
        .deserialize(&mut de)
        .map_err(|e| classify(&e, what))?;
    de.end().map_err(|_| VerifyError::MalformedJson { what })
}

const DUPLICATE_PREFIX: &str = "opk-duplicate-key:";
const UNKNOWN_PREFIX: &str = "opk-unknown-member:";
const MEMBERS_PREFIX: &str = "opk-open-members";

fn classify(err: &serde_json::Error, what: &'static str) -> VerifyError {
    let msg = err.to_string();
    // serde_json appends " at line L column C"; a key is JSON-quoted.
    let quoted = |rest: &str| {
        let key = rest.rsplit_once(" at line ").map_or(rest, |(k, _)| k);
        serde_json::from_str::<String>(key).unwrap_or_else(|_| key.to_string())
    };
    if let Some(rest) = msg.strip_prefix(DUPLICATE_PREFIX) {
        VerifyError::DuplicateKey {
            what,
            key: quoted(rest),
        }
    } else if let Some(rest) = msg.strip_prefix(UNKNOWN_PREFIX) {
        VerifyError::UnknownMember {
            what,
            member: quoted(rest),
        }
    } else if msg.starts_with(MEMBERS_PREFIX) {
        VerifyError::LimitExceeded {
            limit: crate::limits::Limit::OpenObjectMembers,
        }
    } else {
        VerifyError::MalformedJson { what }
    }
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
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
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let quoted = serde_json::to_string(&key).unwrap_or_default();
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_PREFIX}{quoted}"
                )));
            }
            let value = map.next_value_seed(StrictValue)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Typed access to fields of a parsed object, with errors naming the object and field.
pub(crate) struct Fields<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) what: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, what: &'static str) -> Self {
        Self { map, what }
    }
    pub(crate) fn opt_str(&self, field: &'static str) -> Result<Option<&'a str>, VerifyError> {
        match self.map.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(VerifyError::InvalidField {
                what: self.what,
                field,
            }),
        }
    }
    pub(crate) fn str(&self, field: &'static str) -> Result<&'a str, VerifyError> {
        self.opt_str(field)?.ok_or(VerifyError::MissingField {
            what: self.what,
            field,
        })
    }
    pub(crate) fn opt_i64(&self, field: &'static str) -> Result<Option<i64>, VerifyError> {
        match self.map.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(VerifyError::InvalidField {
                what: self.what,
                field,
            }),
            Some(_) => Err(VerifyError::InvalidField {
                what: self.what,
                field,
            }),
        }
    }
    pub(crate) fn opt_object(
        &self,
        field: &'static str,
    ) -> Result<Option<&'a Map<String, Value>>, VerifyError> {
        match self.map.get(field) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(VerifyError::InvalidField {
                what: self.what,
                field,
            }),
        }
    }
    pub(crate) fn array(&self, field: &'static str) -> Result<&'a Vec<Value>, VerifyError> {
        match self.map.get(field) {
            None => Err(VerifyError::MissingField {
                what: self.what,
                field,
            }),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(VerifyError::InvalidField {
                what: self.what,
                field,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_rejected_at_any_depth() {
        assert_eq!(
            parse(br#"{"a":1,"a":2}"#, "t"),
            Err(VerifyError::DuplicateKey {
                what: "t",
                key: "a".into()
            })
        );
        assert_eq!(
            parse(br#"{"x":[{"b":{"c\"d":1,"c\"d":1}}]}"#, "t"),
            Err(VerifyError::DuplicateKey {
                what: "t",
                key: "c\"d".into()
            })
        );
    }

    #[test]
    fn malformed_inputs_rejected() {
        for bad in [
            &b"{\"a\":1} x"[..],
            b"\xef\xbb\xbf{}",
            b"{\"a\":\"\\ud800\"}",
            b"{\"a\":\"\xff\"}",
            b"",
            b"{\"a\":1e400}",
        ] {
            assert_eq!(
                parse(bad, "t"),
                Err(VerifyError::MalformedJson { what: "t" })
            );
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(
            parse(deep.as_bytes(), "t"),
            Err(VerifyError::MalformedJson { what: "t" })
        );
    }

    #[test]
    fn valid_json_parses() {
        let v = parse(br#"{"a":[1,-2,2.5,"s",null,true],"b":{"c":{}}}"#, "t").unwrap();
        assert_eq!(v["a"][1], -2);
        assert_eq!(
            parse_object(b"[]", "t"),
            Err(VerifyError::MalformedJson { what: "t" })
        );
    }
}
