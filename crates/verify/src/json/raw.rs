//! Reading large JSON without building it: an object's members as raw slices of the input, a
//! value at a path, a string borrowed where it has no escapes, the elements of an array one at
//! a time. Nothing here allocates in proportion to the input beyond a string a caller asks
//! for; strictness (duplicate keys at any depth) comes from [`super::check`], which the parsers
//! of large documents run on what they keep.

use std::borrow::Cow;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::check::Check;
use super::{classify, DUPLICATE_PREFIX, UNKNOWN_PREFIX};
use crate::VerifyError;

/// The members of an object, each a raw slice of the input.
#[derive(Debug)]
pub(crate) struct Members<'a> {
    found: Vec<(&'static str, &'a RawValue)>,
    what: &'static str,
}

/// What to do with a member not in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Refuse it at its key: its value is never parsed.
    Refuse,
    /// Skip it, checked strictly (duplicate keys inside it are still refused).
    Skip,
}

/// The members of the object `bytes` (one JSON object and nothing after it) named in `known`,
/// as raw values; each known member at most once (a repeat is `DuplicateKey`); unknown members
/// refused at their key or skipped strictly.
pub(crate) fn members<'a>(
    bytes: &'a [u8],
    what: &'static str,
    known: &[&'static str],
    unknown: Unknown,
) -> Result<Members<'a>, VerifyError> {
    let text = core::str::from_utf8(bytes).map_err(|_| VerifyError::MalformedJson { what })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let found = de::Deserializer::deserialize_map(
        &mut de,
        MembersVisitor {
            known,
            unknown,
            open: &core::cell::Cell::new(0),
        },
    )
    .map_err(|e| classify(&e, what))?;
    de.end().map_err(|_| VerifyError::MalformedJson { what })?;
    Ok(Members { found, what })
}

/// [`members`] of a raw value (an object nested in a document already read).
pub(crate) fn members_of<'a>(
    raw: &'a RawValue,
    what: &'static str,
    known: &[&'static str],
    unknown: Unknown,
) -> Result<Members<'a>, VerifyError> {
    members(raw.get().as_bytes(), what, known, unknown)
}

struct MembersVisitor<'k, 'c> {
    known: &'k [&'static str],
    unknown: Unknown,
    open: &'c core::cell::Cell<usize>,
}

impl<'de> Visitor<'de> for MembersVisitor<'_, '_> {
    type Value = Vec<(&'static str, &'de RawValue)>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found: Vec<(&'static str, &'de RawValue)> = Vec::new();
        let mut unknown_seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match self.known.iter().find(|k| **k == key) {
                Some(name) => {
                    if found.iter().any(|(n, _)| n == name) {
                        let quoted = serde_json::to_string(name).unwrap_or_default();
                        return Err(de::Error::custom(format_args!(
                            "{DUPLICATE_PREFIX}{quoted}"
                        )));
                    }
                    found.push((name, map.next_value::<&'de RawValue>()?));
                }
                None if self.unknown == Unknown::Refuse => {
                    let quoted = serde_json::to_string(&key).unwrap_or_default();
                    return Err(de::Error::custom(format_args!("{UNKNOWN_PREFIX}{quoted}")));
                }
                None => {
                    // Unknown members are few in a well-formed document; their keys are
                    // counted against the same bound as any open object's.
                    if !unknown_seen.insert(key.clone().into_owned()) {
                        let quoted = serde_json::to_string(&key).unwrap_or_default();
                        return Err(de::Error::custom(format_args!(
                            "{DUPLICATE_PREFIX}{quoted}"
                        )));
                    }
                    if unknown_seen.len() > crate::limits::MAX_OPEN_OBJECT_MEMBERS {
                        return Err(de::Error::custom(super::MEMBERS_PREFIX));
                    }
                    map.next_value_seed(Check { open: self.open })?;
                }
            }
        }
        Ok(found)
    }
}

impl<'a> Members<'a> {
    /// The raw value of `name`, if present and not `null` (protobuf's JSON mapping and in-toto
    /// both read `null` as absent).
    pub(crate) fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.found
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, raw)| *raw)
            .filter(|raw| raw.get() != "null")
    }

    /// The string `name`: `MissingField` if absent, `InvalidField` if not a string.
    pub(crate) fn str(&self, name: &'static str) -> Result<Cow<'a, str>, VerifyError> {
        self.opt_str(name)?.ok_or(VerifyError::MissingField {
            what: self.what,
            field: name,
        })
    }

    /// The string `name`, if present; `InvalidField` if not a string.
    pub(crate) fn opt_str(&self, name: &'static str) -> Result<Option<Cow<'a, str>>, VerifyError> {
        self.get(name)
            .map(|raw| {
                string(raw).ok_or(VerifyError::InvalidField {
                    what: self.what,
                    field: name,
                })
            })
            .transpose()
    }

    /// The array `name`'s elements (at most `max`, else `LimitExceeded { limit }`, found while
    /// reading the array): `MissingField` if absent, `InvalidField` if not an array.
    pub(crate) fn array(
        &self,
        name: &'static str,
        max: usize,
        limit: crate::limits::Limit,
    ) -> Result<Vec<&'a RawValue>, VerifyError> {
        let raw = self.get(name).ok_or(VerifyError::MissingField {
            what: self.what,
            field: name,
        })?;
        elements(raw, self.what, name, max, limit)
    }
}

/// The elements of the array `raw`, at most `max` (more is `LimitExceeded { limit }`, refused
/// at the first element past it); `InvalidField { what, field }` if `raw` is not an array.
pub(crate) fn elements<'a>(
    raw: &'a RawValue,
    what: &'static str,
    field: &'static str,
    max: usize,
    limit: crate::limits::Limit,
) -> Result<Vec<&'a RawValue>, VerifyError> {
    struct Elements {
        max: usize,
    }
    impl<'de> Visitor<'de> for Elements {
        type Value = Option<Vec<&'de RawValue>>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(e) = seq.next_element::<&'de RawValue>()? {
                if out.len() == self.max {
                    // Refused: the rest is read past (as raw slices), never kept.
                    while seq.next_element::<&'de RawValue>()?.is_some() {}
                    return Ok(None);
                }
                out.push(e);
            }
            Ok(Some(out))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match de::Deserializer::deserialize_seq(&mut de, Elements { max }) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(VerifyError::LimitExceeded { limit }),
        Err(_) => Err(VerifyError::InvalidField { what, field }),
    }
}

/// `raw` as a string (borrowed unless it has escapes), or `None` if it is not one.
pub(crate) fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_str(&mut de, Text)
        .ok()
        .flatten()
}

/// The value at `path` (object keys, outermost first) in `raw`, if every step is an object
/// holding the key; other members are skipped without being built.
pub(crate) fn pointer<'a>(raw: &'a RawValue, path: &[&str]) -> Option<&'a RawValue> {
    path.iter().try_fold(raw, |at, key| lookup(at, key))
}

/// The member `key` of the object `raw`, if it is an object holding it.
pub(crate) fn lookup<'a>(raw: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    struct Lookup<'k> {
        key: &'k str,
    }
    impl<'de> Visitor<'de> for Lookup<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                if found.is_none() && k == self.key {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_map(&mut de, Lookup { key })
        .ok()
        .flatten()
}

/// Calls `f` on each element of the array `raw` in order, until it returns `true`; `false` if
/// `raw` is not an array or no call returned `true`.
pub(crate) fn any_element(raw: &RawValue, mut f: impl FnMut(&RawValue) -> bool) -> bool {
    struct Any<'f, F> {
        f: &'f mut F,
    }
    impl<'de, F: FnMut(&RawValue) -> bool> Visitor<'de> for Any<'_, F> {
        type Value = bool;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            let mut hit = false;
            while let Some(e) = seq.next_element::<&'de RawValue>()? {
                hit = hit || (self.f)(e);
            }
            Ok(hit)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_seq(&mut de, Any { f: &mut f }).unwrap_or(false)
}

/// Keys and string values, in order.
pub(crate) type StringPairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// The members of the object `raw` whose values must all be strings (an in-toto digest set), at
/// most `max` (more is `LimitExceeded { limit }`); each key once. `InvalidField { what, field }`
/// if `raw` is not such an object.
pub(crate) fn string_map<'a>(
    raw: &'a RawValue,
    what: &'static str,
    field: &'static str,
    max: usize,
    limit: crate::limits::Limit,
) -> Result<StringPairs<'a>, VerifyError> {
    struct Strings {
        max: usize,
    }
    /// `Ok(None)`: over the bound; an error: not an object of strings, or a repeated key.
    impl<'de> Visitor<'de> for Strings {
        type Value = Option<StringPairs<'de>>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an object of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: StringPairs<'de> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = map.next_key::<String>()? {
                let v = map.next_value::<&'de RawValue>()?;
                if out.len() == self.max {
                    // Refused: the rest is read past (as raw slices), never kept.
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    return Ok(None);
                }
                let Some(v) = string(v) else {
                    return Err(de::Error::custom("not a string"));
                };
                if !seen.insert(k.clone()) {
                    let quoted = serde_json::to_string(&k).unwrap_or_default();
                    return Err(de::Error::custom(format_args!(
                        "{DUPLICATE_PREFIX}{quoted}"
                    )));
                }
                out.push((Cow::Owned(k), v));
            }
            Ok(Some(out))
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match de::Deserializer::deserialize_map(&mut de, Strings { max }) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(VerifyError::LimitExceeded { limit }),
        Err(e) => match classify(&e, what) {
            dup @ VerifyError::DuplicateKey { .. } => Err(dup),
            _ => Err(VerifyError::InvalidField { what, field }),
        },
    }
}
