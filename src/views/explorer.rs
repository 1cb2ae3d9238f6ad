//! The explorer of one platform image: its manifest, its config (environment, entrypoint,
//! labels, history), its layers, and — folded under it, never as an `unknown/unknown` platform —
//! the attestation manifests that describe it, each object with its raw JSON.

use leptos::prelude::*;

use crate::session::{AttestationView, PlatformView};
use crate::views::attestation::AttestationLayer;
use crate::views::common::{human_size, DigestText, RawJson};

/// The platform's image, layers and attestations.
#[component]
pub fn PlatformExplorer(platform: PlatformView) -> impl IntoView {
    let manifest = match &platform.manifest {
        Ok(bytes) => {
            // The core's typed manifest (read in place, bounded): never a JSON tree of it.
            let layers = opk_verify::oci::Manifest::parse(bytes)
                .map(|m| m.layers)
                .unwrap_or_default()
                .into_iter()
                .map(|l| {
                    view! {
                        <tr>
                            <td>{l.media_type}</td>
                            <td class="num">{human_size(l.size)}</td>
                            <td><DigestText digest=l.digest.to_string()/></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h4>"Layers"</h4>
                <table class="layers">
                    <thead><tr><th>"Media type"</th><th>"Size"</th><th>"Digest"</th></tr></thead>
                    <tbody>{layers}</tbody>
                </table>
                <RawJson title="Image manifest" bytes=bytes.clone()/>
            }
            .into_any()
        }
        Err(f) => view! { <p class="error"><code class="code">{f.code.clone()}</code>" "{f.message.clone()}</p> }.into_any(),
    };
    let config = platform.config.clone().map(|c| match c {
        Ok(bytes) => config_view(bytes).into_any(),
        Err(f) => view! { <p class="error"><code class="code">{f.code}</code>" "{f.message}</p> }
            .into_any(),
    });
    let attestations = match platform.attestations.clone() {
        Ok(list) => {
            let n: usize = list.iter().map(|a| a.layers.len()).sum();
            let items = list.into_iter().map(attestation_manifest).collect_view();
            view! {
                <details class="attestations" open=true>
                    <summary>{format!("Attestations ({n} layers)")}</summary>
                    {items}
                </details>
            }
            .into_any()
        }
        Err(f) => view! {
            <p class="attestations-missing"><code class="code">{f.code}</code>" "{f.message}</p>
        }
        .into_any(),
    };
    view! {
        <section class="explorer">
            <p class="entry">
                "Image manifest "<DigestText digest=platform.descriptor.digest.to_string()/>
                " · "{platform.descriptor.media_type.clone()}" · "{human_size(platform.descriptor.size)}
            </p>
            {config}
            {manifest}
            {attestations}
        </section>
    }
}

/// The image config's fields the view shows, read field by field (never a tree of it).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ImageConfig {
    config: RunConfig,
    history: Vec<HistoryStep>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct RunConfig {
    env: Option<Vec<String>>,
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HistoryStep {
    created: Option<String>,
    created_by: Option<String>,
}

fn config_view(bytes: Vec<u8>) -> impl IntoView {
    let c: ImageConfig = serde_json::from_slice(&bytes).unwrap_or_default();
    let env = c
        .config
        .env
        .unwrap_or_default()
        .into_iter()
        .map(|e| view! { <li><code>{e}</code></li> })
        .collect_view();
    let entry = c.config.entrypoint.unwrap_or_default().join(" ");
    let cmd = c.config.cmd.unwrap_or_default().join(" ");
    let labels = c.config.labels.map(|m| {
        m.into_iter()
            .map(|(k, v)| view! { <li><code>{k}</code>" = "{v}</li> })
            .collect_view()
    });
    let history = c
        .history
        .into_iter()
        .map(|h| {
            let by = h.created_by.unwrap_or_default();
            let when = h.created.unwrap_or_default();
            view! { <li><span class="muted">{when}</span>" "<code>{by}</code></li> }
        })
        .collect_view();
    view! {
        <h4>"Config"</h4>
        <dl class="config">
            <dt>"Entrypoint"</dt><dd><code>{entry}</code></dd>
            <dt>"Cmd"</dt><dd><code>{cmd}</code></dd>
            <dt>"Env"</dt><dd><ul>{env}</ul></dd>
            <dt>"Labels"</dt><dd><ul>{labels}</ul></dd>
            <dt>"History"</dt><dd><ol>{history}</ol></dd>
        </dl>
        <RawJson title="Image config" bytes=bytes/>
    }
}

fn attestation_manifest(a: AttestationView) -> impl IntoView {
    let layers = a
        .layers
        .into_iter()
        .map(|l| view! { <AttestationLayer layer=l/> })
        .collect_view();
    view! {
        <div class="attestation-manifest">
            <p class="entry">
                "Attestation manifest "<DigestText digest=a.descriptor.digest.to_string()/>
                {format!(" · found in {}", a.found.describe())}
            </p>
            {layers}
            <RawJson title="Attestation manifest" bytes=a.manifest/>
        </div>
    }
}
