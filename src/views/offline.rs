//! The offline panel: paste or drop a DSSE envelope, a PK token (any format), a JWT, an
//! attestation manifest with its layer files, or a Sigstore bundle with its artifact, with a
//! pasted JWKS or trusted root, and verify it in the page (`crate::offline_verify`, in a module
//! of its own fetched on the first verification). Nothing leaves the page: no request is made
//! here (but for the bundled example and that module, loaded from the app's own origin).

use leptos::prelude::*;
use leptos::task::spawn_local;
use opk_pipeline::report::Line;

use crate::offline_verify::{not_run, OfflineResult};
use crate::params::Params;
use crate::views::verdict::label;

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A DSSE envelope.
    Envelope,
    /// A PK token (JSON or compact).
    PkToken,
    /// A compact JWT.
    Jwt,
    /// An attestation manifest (its layers come as dropped files).
    Manifest,
    /// A JWKS (belongs in the key box).
    Jwks,
    /// A Sigstore bundle (its artifact comes as a dropped file or a digest).
    Bundle,
    /// A Sigstore trusted root (belongs in the key box).
    TrustedRoot,
}

/// Recognises pasted or dropped text.
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let media_type = v
            .get("mediaType")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        return if media_type.starts_with("application/vnd.dev.sigstore.bundle") {
            Some(Kind::Bundle)
        } else if media_type.starts_with("application/vnd.dev.sigstore.trustedroot") {
            Some(Kind::TrustedRoot)
        } else if v.get("payloadType").is_some() {
            Some(Kind::Envelope)
        } else if v.get("payload").is_some() && v.get("signatures").is_some() {
            Some(Kind::PkToken)
        } else if v.get("keys").is_some() {
            Some(Kind::Jwks)
        } else if v.get("layers").is_some() {
            Some(Kind::Manifest)
        } else {
            None
        };
    }
    match (text.split(':').count(), text.split('.').count()) {
        (5 | 7, _) => Some(Kind::PkToken),
        (_, 3) => Some(Kind::Jwt),
        _ => None,
    }
}

async fn read_file(file: web_sys::File) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The bundled example (served with the app, `public/examples/`): the Go reference signer's F0
/// envelope, the image digest it names, its synthetic key set, and the owner id it carries.
const EXAMPLE_ENVELOPE: &str = "examples/go-reference-f0-provenance.dsse.json";
const EXAMPLE_JWKS: &str = "examples/go-reference-synthetic-op.jwks.json";
const EXAMPLE_SUBJECT: &str =
    "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
const EXAMPLE_OWNER_ID: &str = "145685596";

/// A file served with the app (relative to the page's directory), as text, bounded.
async fn app_file(path: &str) -> Option<String> {
    use opk_registry::Transport as _;
    let href = web_sys::window()?.location().href().ok()?;
    let page = href.split(['?', '#']).next()?;
    let dir = &page[..=page.rfind('/')?];
    let req = opk_registry::Request {
        method: opk_registry::Method::Get,
        url: format!("{dir}{path}"),
        headers: Vec::new(),
        body: Vec::new(),
        max_body: opk_verify::limits::MAX_ENVELOPE_BYTES,
    };
    let resp = opk_registry::BrowserTransport.send(&req).await.ok()?;
    (resp.status == 200).then(|| String::from_utf8_lossy(&resp.body).into_owned())
}

/// The offline panel. Each change of `example` loads the bundled example into it.
#[component]
pub fn OfflinePanel(params: RwSignal<Params>, example: ReadSignal<u32>) -> impl IntoView {
    let (input, set_input) = signal(String::new());
    let (files, set_files) = signal(Vec::<Vec<u8>>::new());
    let (subject, set_subject) = signal(String::new());
    let (jwks, set_jwks) = signal(String::new());
    let (results, set_results) = signal(Vec::<OfflineResult>::new());
    Effect::new(move |_| {
        if example.get() == 0 {
            return;
        }
        spawn_local(async move {
            let (Some(envelope), Some(keys)) = (
                app_file(EXAMPLE_ENVELOPE).await,
                app_file(EXAMPLE_JWKS).await,
            ) else {
                set_results.set(vec![not_run(
                    "Example",
                    "example_unavailable: the example files are not served with this page".into(),
                )]);
                return;
            };
            set_input.set(envelope);
            set_jwks.set(keys);
            set_subject.set(EXAMPLE_SUBJECT.to_owned());
            set_files.set(Vec::new());
            set_results.set(Vec::new());
            // The example's signer, as a rule, only where the policy names none.
            params.update(|p| {
                if !p.has_identity_rule() {
                    p.owner_id = EXAMPLE_OWNER_ID.to_owned();
                }
            });
        });
    });
    // The verifier is a module of its own: fetched once there is something to verify, so that
    // the click finds it loaded (a failed fetch is tried again by the click).
    let preloaded = StoredValue::new(false);
    Effect::new(move |_| {
        if input.with(|i| !i.trim().is_empty()) && !preloaded.get_value() {
            preloaded.set_value(true);
            spawn_local(async {
                let _ = crate::offline_module::preload().await;
            });
        }
    });
    // Dropped or picked files: the first recognised input (not a JWKS) goes in the box, a JWKS
    // in the key box, and all of them are candidates for a manifest's layers (by digest).
    let load = move |picked: Vec<web_sys::File>| {
        spawn_local(async move {
            let mut main = None;
            let mut all = Vec::new();
            for f in picked {
                let Some(bytes) = read_file(f).await else {
                    continue;
                };
                match detect(&bytes) {
                    Some(Kind::Jwks | Kind::TrustedRoot) => {
                        set_jwks.set(String::from_utf8_lossy(&bytes).into_owned())
                    }
                    // An attestation manifest wins over the layers dropped with it.
                    Some(kind) if main.is_none() || kind == Kind::Manifest => {
                        main = Some(bytes.clone());
                    }
                    _ => {}
                }
                all.push(bytes);
            }
            if let Some(m) = main {
                set_input.set(String::from_utf8_lossy(&m).into_owned());
            }
            set_files.set(all);
        });
    };
    let files_of = |list: Option<web_sys::FileList>| -> Vec<web_sys::File> {
        list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default()
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        load(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into(t).ok());
        load(files_of(input.and_then(|i| i.files())));
    };
    // Verification awaits WebCrypto, so two clicks can finish out of order: only the latest
    // click's results are shown.
    let latest = StoredValue::new(0u64);
    let verify = move |_| {
        let (input, files, subject) = (input.get(), files.get(), subject.get());
        let (params, jwks) = (params.get(), jwks.get());
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        spawn_local(async move {
            let verification =
                crate::offline_module::verify(input.into_bytes(), files, subject, params, jwks);
            let r = match verification.await {
                Ok(verification) => verification.await,
                Err(_) => vec![not_run("Input", crate::offline_module::NOT_LOADED.into())],
            };
            if latest.get_value() == this {
                set_results.set(r);
            }
        });
    };
    let kind = move || match detect(input.get().as_bytes()) {
        Some(Kind::Envelope) => "DSSE envelope",
        Some(Kind::PkToken) => "PK token",
        Some(Kind::Jwt) => "JWT",
        Some(Kind::Manifest) => "attestation manifest",
        Some(Kind::Jwks) => "JWKS (paste it in the key box)",
        Some(Kind::Bundle) => "Sigstore bundle",
        Some(Kind::TrustedRoot) => "Sigstore trusted root (paste it in the key box)",
        None if input.get().trim().is_empty() => "nothing yet",
        None => "not recognised",
    };
    view! {
        <section class="offline" id="offline">
            <h2>"Verify offline"</h2>
            <p class="muted">"Paste or drop a DSSE envelope, a PK token, a JWT, an attestation manifest with its layer files, or a Sigstore bundle with its artifact file (or the artifact's digest below). Nothing leaves this page."</p>
            <div class="drop" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
                <textarea id="offline-input" rows="6" spellcheck="false" placeholder="{\"payloadType\": …}"
                    prop:value=input on:input=move |ev| set_input.set(event_target_value(&ev))></textarea>
                <label class="files">"Or choose files (a manifest with its layer files, a bundle with its artifact, a JWKS or a trusted root): "
                    <input id="offline-files" type="file" multiple on:change=on_pick/>
                </label>
                <p class="muted">"Detected: "<span id="offline-kind">{kind}</span>
                    {move || { let n = files.with(Vec::len); (n > 0).then(|| format!(" · {n} dropped files")) }}</p>
            </div>
            <label>"Image manifest digest the statement must name (for a bundle: the artifact's digest, if its file is not dropped)"
                <input id="offline-subject" type="text" spellcheck="false" placeholder="sha256:…"
                    prop:value=subject on:input=move |ev| set_subject.set(event_target_value(&ev))/>
            </label>
            <label>"Issuer keys (JWKS), in addition to the bundled GitHub Actions key history; or a Sigstore trusted root, instead of the bundled public-good one"
                <textarea id="offline-jwks" rows="3" spellcheck="false" placeholder="{\"keys\": […]}"
                    prop:value=jwks on:input=move |ev| set_jwks.set(event_target_value(&ev))></textarea>
            </label>
            <button type="button" id="offline-verify" on:click=verify>"Verify offline"</button>
            <div id="offline-results">
                {move || results.get().into_iter().map(|r| {
                    let (class, headline) = label(r.state);
                    let lines = r.lines.iter().map(|l| {
                        let (c, t) = match l {
                            Line::Pass(t) => ("pass", format!("✓ {t}")),
                            Line::Fail(t) => ("fail", format!("✗ {t}")),
                            other => ("heading", other.render()),
                        };
                        view! { <li class=c>{t}</li> }
                    }).collect_view();
                    view! {
                        <section class=format!("verdict {class}") data-state=class>
                            <h3 class="headline">{headline}{r.trust.map(|t| format!(" {t}"))}" — "{r.title}</h3>
                            {r.error.map(|e| view! { <p class="reason">{e}</p> })}
                            <ol class="checklist">{lines}</ol>
                        </section>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
