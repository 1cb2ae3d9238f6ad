//! SPDX packages as plain rows, filtered and sorted without touching the DOM (the SBOM table
//! renders only a page of the result, so 10,000 packages stay smooth).

use serde_json::Value;

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

/// The packages of an SPDX document.
pub fn packages(document: &Value) -> Vec<Package> {
    document["packages"]
        .as_array()
        .map(|a| a.iter().map(package).collect())
        .unwrap_or_default()
}

fn package(p: &Value) -> Package {
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
    let license = [s("licenseConcluded"), s("licenseDeclared")]
        .into_iter()
        .find(|l| !l.is_empty() && l != "NOASSERTION")
        .unwrap_or_default();
    let purl = p["externalRefs"]
        .as_array()
        .and_then(|refs| {
            refs.iter()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str())
        })
        .unwrap_or_default()
        .to_owned();
    let (name, version) = (s("name"), s("versionInfo"));
    let haystack = format!("{name} {version} {license} {purl}").to_ascii_lowercase();
    Package {
        name,
        version,
        license,
        purl,
        haystack,
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
        let all = packages(&doc);
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
    }
}
