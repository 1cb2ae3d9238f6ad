//! Wycheproof's JWS (401) and JWK-set (26) files through our allow-list: `jose::verify_compact`
//! with keys imported by `Jwks::from_json`. Every case Wycheproof calls invalid must be rejected;
//! the valid cases we reject are counted by reason (HMAC, PS*, RS384/512, ES384/512, JSON
//! serialization and non-JWS inputs are outside the allow-list by design), so any change fails.

use std::collections::BTreeMap;

use opk_verify::jose::{verify_compact, Jwks};
use serde_json::{json, Value};

/// Runs a file; returns (accepted valid cases, rejected-valid cases by reason).
fn run(file: &[u8], keys_of: impl Fn(&Value) -> Option<Value>) -> (usize, BTreeMap<String, usize>) {
    let doc: Value = serde_json::from_slice(file).unwrap();
    let mut accepted = 0;
    let mut divergent: BTreeMap<String, usize> = BTreeMap::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let jwks = keys_of(group).map(|k| Jwks::from_json(k.to_string().as_bytes()));
        for test in group["tests"].as_array().unwrap() {
            let result = match (&jwks, test["jws"].as_str()) {
                (Some(Ok(jwks)), Some(jws)) => verify_compact(jws, jwks)
                    .map(|_| ())
                    .map_err(|e| e.code().to_string()),
                (Some(Err(e)), _) => Err(format!("key import: {}", e.code())),
                (None, _) => Err("no public key (HMAC group)".into()), // or a private-only JWKS
                (_, None) => Err("JSON serialization (compact only)".into()),
            };
            match (test["result"].as_str().unwrap(), result) {
                ("invalid", Ok(())) => panic!(
                    "accepted invalid tcId {}: {}",
                    test["tcId"], test["comment"]
                ),
                ("invalid", Err(_)) => {}
                (_, Ok(())) => accepted += 1,
                (_, Err(why)) => {
                    let alg = test["jws"]
                        .as_str()
                        .and_then(|j| j.split('.').next())
                        .map(header_alg)
                        .unwrap_or_default();
                    *divergent.entry(format!("{alg}: {why}")).or_default() += 1;
                }
            }
        }
    }
    (accepted, divergent)
}

fn header_alg(h: &str) -> String {
    opk_verify::b64::decode_url(h, "h")
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["alg"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn group_keys(group: &Value) -> Option<Value> {
    let key = group.get("public")?;
    Some(if key.get("keys").is_some() {
        key.clone()
    } else {
        json!({ "keys": [key] })
    })
}

#[test]
fn json_web_signature_file() {
    let (accepted, divergent) = run(
        include_bytes!("vectors/wycheproof/json_web_signature_test.json"),
        group_keys,
    );
    // security.md §5 P1-16: 10 accepts (RS256/ES256 valid cases), the rest rejected.
    assert_eq!(accepted, 10, "{divergent:#?}");
    for reason in divergent.keys() {
        let alg = reason.split(':').next().unwrap();
        assert!(
            alg != "RS256" && alg != "ES256" || reason.contains("JSON serialization"),
            "valid {reason}"
        );
    }
}

#[test]
fn json_web_key_file() {
    let (accepted, divergent) = run(
        include_bytes!("vectors/wycheproof/json_web_key_test.json"),
        group_keys,
    );
    // Valid cases: tcId 5 (RS256) is accepted. HMAC with long keys (13-15) is outside the
    // allow-list, and tcId 2's group ships only a private JWKS, which we never import.
    assert_eq!(accepted, 1, "{divergent:#?}");
    assert_eq!(divergent.values().sum::<usize>(), 4, "{divergent:#?}");
    assert!(
        divergent
            .keys()
            .all(|r| r.starts_with("HS") || r.ends_with("no public key (HMAC group)")),
        "{divergent:#?}"
    );
}
