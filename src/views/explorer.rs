//! The explorer of one platform image: a summary (platform, created, compressed size, layer
//! count, a `docker pull …@sha256:` line), its config (environment, entrypoint, labels, history
//! with each step's layer size), its layers, and — folded under it, never as an
//! `unknown/unknown` platform — the attestation manifests that describe it, each object with
//! its raw JSON.

use leptos::prelude::*;

use opk_registry::Reference;

use crate::session::{AttestationView, PlatformView};
use crate::views::attestation::AttestationLayer;
use crate::views::common::{human_size, CopyButton, DigestText, RawJson};
use crate::views::layer_browser::LayerBrowser;

/// An image config's exact bytes (or why not), which may arrive after the verdict.
pub type Config = Signal<Option<Result<Vec<u8>, crate::session::Failure>>>;

/// The layers' sizes, in manifest order (empty when the manifest does not parse).
fn layer_sizes(manifest: &[u8]) -> Vec<u64> {
    opk_verify::oci::Manifest::parse(manifest)
        .map(|m| m.layers.iter().map(|l| l.size).collect())
        .unwrap_or_default()
}

/// The summary: platform, created, layers and their compressed size, the pull line.
fn summary(reference: &Reference, platform: &PlatformView, config: Config) -> impl IntoView {
    let sizes = platform
        .manifest
        .as_deref()
        .map(layer_sizes)
        .unwrap_or_default();
    let total: u64 = sizes.iter().sum();
    let created = move || {
        config.with(|c| match c {
            Some(Ok(bytes)) => serde_json::from_slice::<ImageConfig>(bytes)
                .ok()
                .and_then(|c| c.created),
            _ => None,
        })
    };
    let pull = format!(
        "docker pull {}@{}",
        reference.familiar_name(),
        platform.descriptor.digest
    );
    view! {
        <dl class="summary">
            <dt>"Platform"</dt><dd>{platform.platform.clone()}</dd>
            <dt>"Created"</dt><dd>{move || created().unwrap_or_else(|| "not stated".to_owned())}</dd>
            <dt>"Layers"</dt><dd>{format!("{} · {} compressed", sizes.len(), human_size(total))}</dd>
            <dt>"Pull"</dt>
            <dd><code class="pull">{pull.clone()}</code><CopyButton text=move |()| pull.clone() label="copy the pull command"/></dd>
        </dl>
    }
}

/// The platform's image, layers and attestations.
#[component]
pub fn PlatformExplorer(
    reference: Reference,
    proxy: String,
    platform: PlatformView,
    /// The image config, which may arrive after the verdict.
    config: Config,
) -> impl IntoView {
    let summary = summary(&reference, &platform, config);
    let sizes = platform
        .manifest
        .as_deref()
        .map(layer_sizes)
        .unwrap_or_default();
    let manifest = match &platform.manifest {
        Ok(bytes) => {
            // The core's typed manifest (read in place, bounded): never a JSON tree of it.
            let layers = opk_verify::oci::Manifest::parse(bytes)
                .map(|m| m.layers)
                .unwrap_or_default()
                .into_iter()
                .map(|l| {
                    // The layer's files, listed when asked (the layer is streamed, not kept).
                    let (open, set_open) = signal(false);
                    let (r, p, d) = (reference.clone(), proxy.clone(), l.clone());
                    view! {
                        <tr class="layer" data-layer=l.digest.to_string()>
                            <td>{l.media_type.clone()}</td>
                            <td class="num">{human_size(l.size)}</td>
                            <td><DigestText digest=l.digest.to_string()/>" "
                                <button type="button" class="list-files" aria-expanded=move || open.get().to_string()
                                    on:click=move |_| set_open.set(true)>"Files"</button></td>
                        </tr>
                        {move || open.get().then(|| view! {
                            <tr class="layer-files-row"><td colspan="3">
                                <LayerBrowser reference=r.clone() proxy=p.clone() layer=d.clone()/>
                            </td></tr>
                        })}
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
    let config = move || {
        config.get().map(|c| match c {
            Ok(bytes) => config_view(bytes, &sizes).into_any(),
            Err(f) => {
                view! { <p class="error"><code class="code">{f.code}</code>" "{f.message}</p> }
                    .into_any()
            }
        })
    };
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
            {summary}
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
    created: Option<String>,
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
    empty_layer: bool,
}

/// Each history step's layer size: steps that made a layer take the layers in order; the
/// others (`empty_layer`) made none. `None` once the steps outnumber the layers.
fn step_sizes(history: &[HistoryStep], layers: &[u64]) -> Vec<Option<u64>> {
    let mut next = layers.iter();
    history
        .iter()
        .map(|h| {
            if h.empty_layer {
                Some(0)
            } else {
                next.next().copied()
            }
        })
        .collect()
}

fn config_view(bytes: Vec<u8>, layers: &[u64]) -> impl IntoView {
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
    let sizes = step_sizes(&c.history, layers);
    let history = c
        .history
        .into_iter()
        .zip(sizes)
        .map(|(h, size)| {
            let by = h.created_by.unwrap_or_default();
            let when = h.created.unwrap_or_default();
            let size = match (h.empty_layer, size) {
                (true, _) => "—".to_owned(),
                (false, Some(s)) => human_size(s),
                (false, None) => "?".to_owned(),
            };
            view! {
                <tr><td class="num">{size}</td><td class="muted">{when}</td><td><code>{by}</code></td></tr>
            }
        })
        .collect_view();
    view! {
        <h4>"Config"</h4>
        <dl class="config">
            <dt>"Entrypoint"</dt><dd><code>{entry}</code></dd>
            <dt>"Cmd"</dt><dd><code>{cmd}</code></dd>
            <dt>"Env"</dt><dd><ul>{env}</ul></dd>
            <dt>"Labels"</dt><dd><ul>{labels}</ul></dd>
            <dt>"History"</dt>
            <dd><table class="history"><thead><tr><th>"Layer size"</th><th>"Created"</th><th>"Step"</th></tr></thead><tbody>{history}</tbody></table></dd>
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
