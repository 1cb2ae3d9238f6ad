//! One object of the explored image, named by the link (`&digest=`, and for a file in a layer
//! `&path=`): what it is, its media type, size and digest, and its exact JSON (pretty-printed for
//! reading) — or, for a layer, its files. Everything shown was fetched and digest-checked by the
//! run; only a layer is streamed again.

use leptos::prelude::*;
use opk_registry::{Reference, TopLevel};
use opk_verify::oci::{Descriptor, Manifest};

use crate::session::Outcome;
use crate::views::common::{human_size, pretty};
use crate::views::layer_browser::LayerBrowser;

/// What the digest names.
enum Found {
    Json {
        kind: &'static str,
        media_type: String,
        bytes: Vec<u8>,
    },
    Layer(Descriptor),
}

fn find(o: &Outcome, digest: &str) -> Option<Found> {
    if o.image.resolved.digest.to_string() == digest {
        let (kind, media_type) = match &o.image.top {
            TopLevel::Index(i) => ("index", i.media_type.clone().unwrap_or_default()),
            TopLevel::Manifest(m) => ("image manifest", m.media_type.clone().unwrap_or_default()),
        };
        return Some(Found::Json {
            kind,
            media_type,
            bytes: o.image.bytes.clone(),
        });
    }
    for p in &o.platforms {
        let manifest = p.manifest.as_ref().ok();
        if p.descriptor.digest.to_string() == digest {
            return manifest.map(|b| Found::Json {
                kind: "image manifest",
                media_type: p.descriptor.media_type.clone(),
                bytes: b.clone(),
            });
        }
        if let Some(m) = manifest.and_then(|b| Manifest::parse(b).ok()) {
            if m.config.digest.to_string() == digest {
                return match &p.config {
                    Some(Ok(c)) => Some(Found::Json {
                        kind: "image config",
                        media_type: m.config.media_type.clone(),
                        bytes: c.clone(),
                    }),
                    _ => None,
                };
            }
            if let Some(l) = m.layers.iter().find(|l| l.digest.to_string() == digest) {
                return Some(Found::Layer(l.clone()));
            }
        }
        for a in p.attestations.iter().flatten() {
            if a.descriptor.digest.to_string() == digest {
                return Some(Found::Json {
                    kind: "attestation manifest",
                    media_type: a.descriptor.media_type.clone(),
                    bytes: a.manifest.clone(),
                });
            }
            for l in &a.layers {
                if l.descriptor.digest.to_string() == digest {
                    return l.bytes.as_ref().ok().map(|b| Found::Json {
                        kind: if l.signed {
                            "attestation (DSSE envelope)"
                        } else {
                            "attestation (in-toto statement)"
                        },
                        media_type: l.descriptor.media_type.clone(),
                        bytes: b.clone(),
                    });
                }
            }
        }
    }
    None
}

/// The view.
#[component]
pub fn ObjectView(
    outcome: std::sync::Arc<Outcome>,
    digest: String,
    path: String,
    proxy: String,
) -> impl IntoView {
    let reference: Reference = outcome.reference.clone();
    let body = match find(&outcome, &digest) {
        Some(Found::Json { kind, media_type, bytes }) => view! {
            <h3>{kind}</h3>
            <dl class="object-meta">
                <dt>"Media type"</dt><dd>{media_type}</dd>
                <dt>"Size"</dt><dd>{format!("{} ({} bytes)", human_size(bytes.len() as u64), bytes.len())}</dd>
                <dt>"Digest"</dt><dd><code>{digest.clone()}</code>" · the bytes shown hash to it"</dd>
            </dl>
            <pre class="object-json">{pretty(&bytes)}</pre>
        }.into_any(),
        Some(Found::Layer(d)) => view! {
            <h3>"layer"</h3>
            <dl class="object-meta">
                <dt>"Media type"</dt><dd>{d.media_type.clone()}</dd>
                <dt>"Size"</dt><dd>{human_size(d.size)}</dd>
                <dt>"Digest"</dt><dd><code>{digest.clone()}</code></dd>
            </dl>
            <LayerBrowser reference=reference proxy=proxy layer=d show=path/>
        }.into_any(),
        None => view! {
            <p class="error">{format!("{digest} is not one of the objects this page fetched for the image (its index, manifests, configs, layers and attestations).")}</p>
        }.into_any(),
    };
    view! { <section class="object-view" id="object">{body}</section> }
}
