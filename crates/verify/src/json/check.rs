//! Strict JSON checked without building it: one pass of serde_json's parser (UTF-8, no lone
//! surrogates, finite numbers, the 128-level depth cap) with no value kept. Duplicate keys are
//! found by an 8-byte hash per key of the objects open at that moment (the key itself is kept
//! only to name it in the error), and those keys are bounded in number
//! ([`crate::limits::MAX_OPEN_OBJECT_MEMBERS`]): a 16 MiB object of a million keys is refused
//! at the limit instead of costing 17 times its size as a tree.

use core::cell::Cell;
use core::fmt;
use core::hash::{BuildHasherDefault, Hash as _, Hasher};
use std::collections::HashSet;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{DUPLICATE_PREFIX, MEMBERS_PREFIX};
use crate::limits::MAX_OPEN_OBJECT_MEMBERS;

/// Checks one value from `d` strictly; `open` counts the keys of the objects open around it.
pub(super) struct Check<'c> {
    pub(super) open: &'c Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(E::custom("non-finite number"))
        }
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Check { open: self.open })?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::default();
        let result = (|| {
            while map
                .next_key_seed(Key {
                    seen: &mut seen,
                    open: self.open,
                })?
                .is_some()
            {
                map.next_value_seed(Check { open: self.open })?;
            }
            Ok(())
        })();
        self.open.set(self.open.get().saturating_sub(seen.len()));
        result
    }
}

/// The hashes of an object's keys so far (already hashes: stored as they are).
type Seen = HashSet<u64, BuildHasherDefault<AsIs>>;

/// A `Hasher` for values that are already hashes.
#[derive(Default)]
pub(super) struct AsIs(u64);

impl Hasher for AsIs {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A key's hash: deterministic (`DefaultHasher::new` has fixed keys: no randomness in the
/// core). Two different keys with one hash would be refused as duplicates — a chance of about
/// one in 2^64 per pair — and a duplicate is never let through.
fn key_hash(key: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// An object key: recorded, refused if repeated or past the open-members bound.
struct Key<'s, 'c> {
    seen: &'s mut Seen,
    open: &'c Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<(), E> {
        if self.open.get() >= MAX_OPEN_OBJECT_MEMBERS {
            return Err(E::custom(MEMBERS_PREFIX));
        }
        if !self.seen.insert(key_hash(key)) {
            let quoted = serde_json::to_string(key).unwrap_or_default();
            return Err(E::custom(format_args!("{DUPLICATE_PREFIX}{quoted}")));
        }
        self.open.set(self.open.get() + 1);
        Ok(())
    }
}
