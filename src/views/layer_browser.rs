//! A layer's files: the layer streamed through the transport (progress, cancel), decompressed
//! and its tar read as it arrives (`opk-layer`), never held whole; then a searchable list of
//! paths with size, mode, type, link target and whiteouts. A file of at most 1 MiB is viewed by
//! streaming the layer again and keeping only that file; it can be saved. Until the layer's
//! digest has checked (at the end of the stream) the listing is marked unverified.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use opk_layer::{Captured, EntryKind, Listing};
use opk_registry::{Reference, RegistryError};
use opk_verify::oci::Descriptor;

use crate::session::{client_for, Failure};
use crate::views::common::{human_size, object_href};
use crate::views::policy_form::saved_proxy;

/// The largest file shown as text.
const VIEW_MAX: usize = 1024 * 1024;
/// Most rows shown at once (the search narrows the rest).
const ROWS_SHOWN: usize = 500;

/// Where a stream stands.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Streaming(u64),
    Done(Result<Listing, String>),
}

/// Streams `layer` and lists it (keeping `file`, if asked), reporting bytes as they come.
async fn stream_layer(
    reference: Reference,
    proxy: String,
    layer: Descriptor,
    file: Option<String>,
    cancel: Arc<AtomicBool>,
    progress: impl Fn(u64) + 'static,
) -> Result<Listing, String> {
    let (client, _) = client_for(&reference, &proxy, saved_proxy()).map_err(|f| f.message)?;
    let mut lister = crate::layer_module::start(&layer.media_type, file.map(|f| (f, VIEW_MAX)))
        .await
        .map_err(|e| e.to_string())?;
    let mut error = None;
    let mut fed = 0u64;
    // A layer that stops parsing is still read to its end (unless cancelled): its digest decides
    // whether the registry or a proxy changed it, the fault to report before a malformed tar.
    let streamed = client
        .blob_stream(&reference, &layer, &mut |chunk| {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            fed += chunk.len() as u64;
            if error.is_none() {
                if let Err(e) = lister.push(chunk) {
                    error = Some(format!(
                        "{}: {e} (the layer's digest checked: the layer itself is malformed)",
                        e.code()
                    ));
                }
            }
            progress(fed);
            true
        })
        .await;
    match streamed {
        Ok(()) if error.is_some() => Err(error.unwrap_or_default()),
        Ok(()) => lister.finish().map_err(|e| format!("{}: {e}", e.code())),
        Err(RegistryError::Cancelled) => {
            Err("cancelled: the listing stopped before the end".into())
        }
        Err(e) => {
            let f = Failure::from(&e);
            Err(format!(
                "{}: {} {}",
                f.code, f.explanation.meaning, f.message
            ))
        }
    }
}

/// Saves `bytes` as a file named after `path` (a Blob URL, revoked after the click).
fn save(path: &str, bytes: &[u8]) {
    use wasm_bindgen::JsCast as _;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let (Ok(blob), Some(doc)) = (
        web_sys::Blob::new_with_u8_array_sequence(&parts),
        web_sys::window().and_then(|w| w.document()),
    ) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", path.rsplit('/').next().unwrap_or("file"));
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The browser of one layer.
#[component]
pub fn LayerBrowser(
    reference: Reference,
    proxy: String,
    layer: Descriptor,
    /// A file to show at once (a shared link's `&path=`).
    #[prop(optional)]
    show: Option<String>,
) -> impl IntoView {
    let (progress, set_progress) = signal(Progress::Streaming(0));
    let (search, set_search) = signal(String::new());
    let (viewed, set_viewed) = signal(None::<(String, Result<Captured, String>)>);
    let cancel = Arc::new(AtomicBool::new(false));
    let size = layer.size;
    {
        let (reference, proxy, layer, cancel) = (
            reference.clone(),
            proxy.clone(),
            layer.clone(),
            cancel.clone(),
        );
        spawn_local(async move {
            let done = stream_layer(reference, proxy, layer, None, cancel, move |n| {
                set_progress.set(Progress::Streaming(n))
            })
            .await;
            set_progress.set(Progress::Done(done));
        });
    }
    let view_file = {
        let (reference, proxy, layer) = (reference.clone(), proxy.clone(), layer.clone());
        move |path: String| {
            let (reference, proxy, layer) = (reference.clone(), proxy.clone(), layer.clone());
            set_viewed.set(Some((path.clone(), Err("loading…".into()))));
            spawn_local(async move {
                let r = stream_layer(
                    reference,
                    proxy,
                    layer,
                    Some(path.clone()),
                    Arc::new(AtomicBool::new(false)),
                    |_| {},
                )
                .await
                .and_then(|l| {
                    l.file
                        .ok_or_else(|| "not_found: no such regular file in this layer".to_owned())
                });
                set_viewed.set(Some((path, r)));
            });
        }
    };
    if let Some(path) = show.filter(|p| !p.is_empty()) {
        view_file.clone()(path);
    }
    let status = move || {
        match progress.get() {
        Progress::Streaming(n) => view! {
            <p class="layer-progress" aria-live="polite">
                {format!("Streaming {} of {} — listing as it arrives; unverified until the digest checks. ", human_size(n), human_size(size))}
                <button type="button" class="cancel-layer" on:click={let c = cancel.clone(); move |_| c.store(true, Ordering::Relaxed)}>"Cancel"</button>
            </p>
        }.into_any(),
        Progress::Done(Ok(l)) => view! {
            <p class="layer-done">{format!("✓ {} entries · the layer's digest checked over the {} streamed", l.entries.len(), human_size(size))}</p>
        }.into_any(),
        Progress::Done(Err(e)) => view! { <p class="error layer-error">{e}</p> }.into_any(),
    }
    };
    let rows = move || {
        let Progress::Done(Ok(listing)) = progress.get() else {
            return Vec::new();
        };
        // ASCII case-insensitive, as the SBOM filter: Unicode case tables would cost the page
        // more bytes than paths with non-ASCII capitals are worth.
        let q = search.get().to_ascii_lowercase();
        listing
            .entries
            .into_iter()
            .filter(|e| q.is_empty() || e.path.to_ascii_lowercase().contains(&q))
            .take(ROWS_SHOWN)
            .map(|e| {
                let depth = e.path.matches('/').count();
                let viewable = e.kind == EntryKind::File && e.size as usize <= VIEW_MAX;
                let name = e.path.clone();
                let open = view_file.clone();
                let link = e.link.clone().map(|l| format!(" → {l}"));
                view! {
                    <tr class="entry" data-path=e.path.clone()>
                        <td><code>{e.mode_text()}</code></td>
                        <td class="num">{human_size(e.size)}</td>
                        <td style=format!("padding-left: calc({depth} * 0.8rem)")>
                            {if viewable {
                                view! { <button type="button" class="view-file" on:click=move |_| open(name.clone())>{e.path.clone()}</button> }.into_any()
                            } else {
                                view! { <span>{e.path.clone()}</span> }.into_any()
                            }}
                            {link}
                            {e.whiteout.then(|| view! { " "<span class="badge whiteout">"whiteout"</span> })}
                        </td>
                    </tr>
                }
            })
            .collect::<Vec<_>>()
    };
    let digest = layer.digest.to_string();
    let file = move || {
        viewed.get().map(|(path, r)| match r {
            Ok(Captured::Bytes(bytes)) => {
                let text = if bytes.contains(&0) {
                    format!("(binary, {} bytes)", bytes.len())
                } else {
                    String::from_utf8_lossy(&bytes).into_owned()
                };
                let p = path.clone();
                let share = object_href(&digest, &path)
                    .map(|href| view! { " "<a class="file-link" href=href>"link to this file"</a> });
                view! {
                    <section class="file-view">
                        <h5>{path.clone()}" "<button type="button" class="save-file" on:click=move |_| save(&p, &bytes)>"Save"</button>{share}</h5>
                        <pre class="file-text">{text}</pre>
                    </section>
                }.into_any()
            }
            Ok(Captured::TooLarge(n)) => view! { <p class="error">{format!("{path}: {} — over the 1 MiB shown here", human_size(n))}</p> }.into_any(),
            Err(e) => view! { <p class="muted">{format!("{path}: {e}")}</p> }.into_any(),
        })
    };
    view! {
        <section class="layer-browser" data-layer=layer.digest.to_string()>
            {status}
            <label>"Search paths: "<input type="search" class="layer-search" on:input=move |ev| set_search.set(event_target_value(&ev))/></label>
            <table class="layer-files">
                <thead><tr><th>"Mode"</th><th>"Size"</th><th>"Path"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {file}
        </section>
    }
}
