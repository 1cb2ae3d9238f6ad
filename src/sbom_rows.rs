//! SPDX packages as plain rows, filtered and sorted without touching the DOM (the SBOM table
//! renders only a page of the result, so 10,000 packages stay smooth). The rows are read from
//! the predicate's JSON text field by field, never as a tree of the whole document: memory is
//! the rows' own strings (docs/limits.md).

use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One package row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `name`.
    pub name: String,
    /// `versionInfo`.
    pub version: String,
    /// `licenseConcluded`, else `licenseDeclared`.
    pub license: String,
    /// The `purl` external reference.
    pub purl: String,
    /// Lowercased text searched by the filter.
    haystack: String,
}

/// The packages of an SPDX document given as JSON text (an attestation's predicate). Lenient,
/// as a view: a field that is not a string reads as empty, an entry that is not an object is
/// skipped, and text that is not such a document has no packages.
pub fn packages(document_json: &str) -> Vec<Package> {
    let mut de = serde_json::Deserializer::from_str(document_json);
    de.deserialize_map(Document).unwrap_or_default()
}

/// The top level: only `packages` is read; everything else is skipped unbuilt.
struct Document;

impl<'de> Visitor<'de> for Document {
    type Value = Vec<Package>;
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an SPDX document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if k == "packages" && out.is_empty() {
                out = map.next_value_seed(Each(PackageFields))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// An array's elements read with `V` (objects only; anything else skipped); not an array: none.
struct Each<V>(V);

impl<'de, V: Visitor<'de> + Copy> de::DeserializeSeed<'de> for Each<V> {
    type Value = Vec<V::Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, V: Visitor<'de> + Copy> Visitor<'de> for Each<V> {
    type Value = Vec<V::Value>;
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(Object(self.0))? {
            out.extend(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

/// One element read with `V` if it is an object, else skipped (`None`).
struct Object<V>(V);

impl<'de, V: Visitor<'de>> de::DeserializeSeed<'de> for Object<V> {
    type Value = Option<V::Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Object<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A string field; anything else reads as empty.
struct Text;

impl<'de> de::DeserializeSeed<'de> for Text {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = String;
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(String::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(String::new())
    }
    fn visit_bool<E>(self, _: bool) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_unit<E>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

/// An external reference: (`referenceType`, `referenceLocator`).
#[derive(Clone, Copy)]
struct RefFields;

impl<'de> Visitor<'de> for RefFields {
    type Value = (String, String);
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an external reference")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut kind, mut locator) = (String::new(), String::new());
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*k {
                "referenceType" => kind = map.next_value_seed(Text)?,
                "referenceLocator" => locator = map.next_value_seed(Text)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((kind, locator))
    }
}

/// A package's row fields.
#[derive(Clone, Copy)]
struct PackageFields;

impl<'de> Visitor<'de> for PackageFields {
    type Value = Package;
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an SPDX package")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Package, A::Error> {
        let (mut name, mut version, mut concluded, mut declared) =
            (String::new(), String::new(), String::new(), String::new());
        let mut purl = String::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*k {
                "name" => name = map.next_value_seed(Text)?,
                "versionInfo" => version = map.next_value_seed(Text)?,
                "licenseConcluded" => concluded = map.next_value_seed(Text)?,
                "licenseDeclared" => declared = map.next_value_seed(Text)?,
                "externalRefs" => {
                    let refs = map.next_value_seed(Each(RefFields))?;
                    if let Some((_, l)) = refs.into_iter().find(|(t, _)| t == "purl") {
                        purl = l;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let license = [concluded, declared]
            .into_iter()
            .find(|l| !l.is_empty() && l != "NOASSERTION")
            .unwrap_or_default();
        let haystack = format!("{name} {version} {license} {purl}").to_ascii_lowercase();
        Ok(Package {
            name,
            version,
            license,
            purl,
            haystack,
        })
    }
}

/// Sort columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Name.
    Name,
    /// Version.
    Version,
    /// License.
    License,
}

/// The rows matching `filter` (every word, ASCII case-insensitive: package names, versions,
/// licences and purls are ASCII in practice, and full Unicode case mapping would add its tables
/// to the page), sorted by `column`.
pub fn select<'a>(
    all: &'a [Package],
    filter: &str,
    column: Column,
    descending: bool,
) -> Vec<&'a Package> {
    let words: Vec<String> = filter
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let mut rows: Vec<&Package> = all
        .iter()
        .filter(|p| words.iter().all(|w| p.haystack.contains(w.as_str())))
        .collect();
    let key = |p: &&Package| match column {
        Column::Name => p.name.to_ascii_lowercase(),
        Column::Version => p.version.clone(),
        Column::License => p.license.to_ascii_lowercase(),
    };
    rows.sort_by_key(key);
    if descending {
        rows.reverse();
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filtering_and_sorting() {
        let doc = json!({"packages": [
            {"name": "musl", "versionInfo": "1.2.4", "licenseConcluded": "MIT"},
            {"name": "busybox", "versionInfo": "1.36.1", "licenseDeclared": "GPL-2.0-only",
             "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:apk/alpine/busybox@1.36.1"}]},
            {"name": "zlib", "versionInfo": "1.3", "licenseConcluded": "NOASSERTION", "licenseDeclared": "Zlib"}
        ]});
        let all = packages(&doc.to_string());
        let names = |rows: Vec<&Package>| rows.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(select(&all, "", Column::Name, false)),
            ["busybox", "musl", "zlib"]
        );
        assert_eq!(
            names(select(&all, "", Column::Name, true)),
            ["zlib", "musl", "busybox"]
        );
        assert_eq!(
            names(select(&all, "pkg:apk", Column::Name, false)),
            ["busybox"]
        );
        assert_eq!(
            names(select(&all, "ZLIB 1.3", Column::Name, false)),
            ["zlib"]
        );
        assert_eq!(
            names(select(&all, "", Column::License, false)),
            ["busybox", "musl", "zlib"]
        );
        assert!(select(&all, "nothing", Column::Name, false).is_empty());
        // Lenient, as a view: odd entries and field types read as empty or are skipped.
        let odd = json!({"packages": [1, "x", {"name": 5, "versionInfo": "2"}, {"name": "ok"}], "other": {"a": [1]}});
        let rows = packages(&odd.to_string());
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].name.as_str(), rows[0].version.as_str()), ("", "2"));
        assert_eq!(rows[1].name, "ok");
        assert!(packages("not json").is_empty());
        assert!(packages(r#"{"packages": {"a": 1}}"#).is_empty());
    }
}
