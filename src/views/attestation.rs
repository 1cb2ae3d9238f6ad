//! One attestation layer decoded for reading: the DSSE envelope (payload type, the PK token's
//! protected headers and claims), the in-toto statement, and the predicate as a provenance
//! summary or an SBOM table. Display only: the verdict panel says what verified.

use leptos::prelude::*;
use opk_verify::b64;
use opk_verify::dsse::Envelope;
use opk_verify::intoto::Statement;
use serde_json::Value;

use crate::session::LayerView;
use crate::views::common::{human_size, pretty, DigestText, RawJson};
use crate::views::provenance::ProvenanceSummary;
use crate::views::sbom::SbomTable;

/// What an envelope holds, decoded leniently for display.
struct Decoded {
    payload_type: String,
    statement: Vec<u8>,
    tokens: Vec<Vec<(String, String)>>,
}

/// The core's strict, bounded parse (never a tree of the envelope); what it refuses is shown
/// as raw text only.
fn decode_envelope(bytes: &[u8]) -> Option<Decoded> {
    let env = Envelope::parse(bytes).ok()?;
    let tokens = env
        .signatures
        .iter()
        .map(|s| decode_token(&s.sig))
        .collect();
    Some(Decoded {
        payload_type: env.payload_type,
        statement: env.payload,
        tokens,
    })
}

/// A PK token's parts as (title, pretty JSON).
fn decode_token(token: &[u8]) -> Vec<(String, String)> {
    let url = |s: &str| {
        b64::decode_url(s, "segment")
            .map(|b| pretty(&b))
            .unwrap_or_default()
    };
    let Ok(v) = serde_json::from_slice::<Value>(token) else {
        return vec![(
            "PK token".into(),
            String::from_utf8_lossy(token).into_owned(),
        )];
    };
    let mut parts = vec![(
        "ID token claims (payload)".to_owned(),
        url(v["payload"].as_str().unwrap_or_default()),
    )];
    for (i, s) in v["signatures"].as_array().into_iter().flatten().enumerate() {
        let role = s["header"]["sig_type"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("signature {}", i + 1));
        parts.push((
            format!("Protected header: {role}"),
            url(s["protected"].as_str().unwrap_or_default()),
        ));
    }
    parts
}

/// The predicate's summary, from the core's strict parse of the statement (its predicate read
/// in place: an SBOM's can hold 10,000 packages).
fn predicate_view(statement: &[u8]) -> impl IntoView {
    let Ok(statement) = Statement::parse(statement) else {
        return ().into_any();
    };
    let (kind, predicate) = (statement.predicate_type, statement.predicate);
    if kind.starts_with("https://slsa.dev/provenance/") {
        view! { <ProvenanceSummary predicate=predicate/> }.into_any()
    } else if kind == "https://spdx.dev/Document" {
        view! { <SbomTable document=predicate/> }.into_any()
    } else {
        ().into_any()
    }
}

/// One attestation layer.
#[component]
pub fn AttestationLayer(layer: LayerView) -> impl IntoView {
    let d = &layer.descriptor;
    let hint = d
        .annotations
        .get("in-toto.io/predicate-type")
        .cloned()
        .unwrap_or_else(|| "unknown predicate".into());
    let head = view! {
        <p class="entry">
            {if layer.signed { "Signed (DSSE) " } else { "Unsigned statement " }}
            <strong>{hint.clone()}</strong>" · "<DigestText digest=d.digest.to_string()/>
            " · "{human_size(d.size)}
        </p>
    };
    let body = match layer.bytes {
        Err(f) => view! { <p class="error"><code class="code">{f.code}</code>" "{f.message}</p> }
            .into_any(),
        Ok(bytes) if layer.signed => match decode_envelope(&bytes) {
            Some(dec) => {
                let tokens = dec
                    .tokens
                    .into_iter()
                    .enumerate()
                    .map(|(i, parts)| {
                        let parts = parts
                            .into_iter()
                            .map(|(t, json)| view! { <h5>{t}</h5><pre>{json}</pre> })
                            .collect_view();
                        view! {
                            <details class="pktoken">
                                <summary>{format!("PK token {} (decoded)", i + 1)}</summary>
                                {parts}
                            </details>
                        }
                    })
                    .collect_view();
                view! {
                    <p class="muted">"Payload type "<code>{dec.payload_type}</code></p>
                    {tokens}
                    {predicate_view(&dec.statement)}
                    <RawJson title="In-toto statement" bytes=dec.statement/>
                    <RawJson title="DSSE envelope" bytes=bytes/>
                }
                .into_any()
            }
            None => view! { <RawJson title="Layer (not a DSSE envelope)" bytes=bytes/> }.into_any(),
        },
        Ok(bytes) => view! {
            {predicate_view(&bytes)}
            <RawJson title="In-toto statement" bytes=bytes.clone()/>
        }
        .into_any(),
    };
    view! { <div class="attestation-layer">{head}{body}</div> }
}
