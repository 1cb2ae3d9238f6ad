//! Offline verification: paste or drop a DSSE envelope, a PK token (any format), a JWT, or an
//! attestation manifest with its layer files; verify with the bundled GitHub Actions key history
//! plus a pasted JWKS. Nothing leaves the page: no request is made here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use opk_pipeline::report::{check_lines, Line};
use opk_pipeline::webcrypto;
use opk_verify::oci::{Digest, Manifest};
use opk_verify::{ExpectedSubject, JwksFile, Policy, TrustRoots};

use crate::params::Params;
use crate::session::now;
use crate::views::verdict::label;
use opk_pipeline::State;

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
}

/// Recognises pasted or dropped text.
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        return if v.get("payloadType").is_some() {
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

/// One verification result.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineResult {
    /// What was verified.
    pub title: String,
    /// Its state.
    pub state: State,
    /// The checklist.
    pub lines: Vec<Line>,
    /// The error, `code: message`.
    pub error: Option<String>,
}

/// Trust (bundled history plus the pasted JWKS) and the page's identity rules. Checking a token
/// alone needs no identity rule (its claims are shown); an envelope or manifest does.
fn policy_for(
    params: &Params,
    jwks: &str,
    need_identity: bool,
) -> Result<(TrustRoots, Policy), String> {
    let mut req = opk_verify::setup::Request {
        rules: params.rules(),
        ..Default::default()
    };
    if !jwks.trim().is_empty() {
        let file = JwksFile::parse(jwks.trim().as_bytes())
            .map_err(|e| format!("{}: pasted JWKS: {e}", e.code()))?;
        req.jwks.push(("pasted JWKS".to_owned(), file));
    }
    req.any_identity_unsafe = !need_identity && req.rules.is_empty();
    opk_verify::setup::trust_and_policy(&req)
        .map(|(t, p, _)| (t, p))
        .map_err(|e| format!("{}: {e}", e.code()))
}

fn result_of<T>(
    title: String,
    r: Result<opk_verify::Verified<T>, opk_verify::Rejected>,
    checks: impl Fn(&T) -> Vec<opk_verify::Check>,
) -> OfflineResult {
    match r {
        Ok(ok) => OfflineResult {
            title,
            state: State::Verified,
            lines: check_lines(&checks(&ok)),
            error: None,
        },
        Err(rej) => OfflineResult {
            title,
            state: State::Invalid,
            lines: check_lines(&rej.checks),
            error: Some(format!("{}: {}", rej.error.code(), rej.error)),
        },
    }
}

/// Verifies one envelope against the image manifest digest `subject`, WebCrypto first.
async fn envelope_result(
    title: String,
    bytes: &[u8],
    subject: &str,
    trust: &TrustRoots,
    policy: &Policy,
    t: opk_verify::UnixTime,
) -> OfflineResult {
    let subject = ExpectedSubject::digest(subject);
    result_of(
        title,
        webcrypto::verify_envelope(bytes, subject, trust, policy, t).await,
        |o| o.checks.clone(),
    )
}

/// Verifies the input (with dropped `files` for a manifest's layers). WebCrypto checks the
/// ES256 and RS256 signatures first (a fast path; the core verifies whatever it did not accept).
pub async fn verify_input(
    input: &[u8],
    files: &[Vec<u8>],
    subject: &str,
    params: &Params,
    jwks: &str,
) -> Vec<OfflineResult> {
    let fail = |msg: String| {
        vec![OfflineResult {
            title: "Input".into(),
            state: State::Invalid,
            lines: Vec::new(),
            error: Some(msg),
        }]
    };
    let Some(kind) = detect(input) else {
        return fail("unsupported_input: paste a DSSE envelope, a PK token, a JWT or an attestation manifest".into());
    };
    let need_subject = matches!(kind, Kind::Envelope | Kind::Manifest);
    if need_subject && subject.trim().is_empty() {
        return fail("missing_subject: enter the platform image manifest digest (sha256:…) the statement must name".into());
    }
    let (trust, policy) = match policy_for(params, jwks, need_subject) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let t = now();
    let subject = subject.trim();
    match kind {
        Kind::Jwks => fail("this is a JWKS: paste it in the key box".into()),
        Kind::Envelope => {
            let title = "DSSE envelope".into();
            vec![envelope_result(title, input, subject, &trust, &policy, t).await]
        }
        Kind::PkToken | Kind::Jwt => {
            let title = if kind == Kind::Jwt { "JWT" } else { "PK token" };
            vec![result_of(
                title.into(),
                webcrypto::verify_token(input, &trust, &policy, t).await,
                |o| o.checks.clone(),
            )]
        }
        Kind::Manifest => {
            let m = match Manifest::parse(input) {
                Ok(m) => m,
                Err(e) => return fail(format!("{}: {e}", e.code())),
            };
            let mut out = Vec::new();
            for (d, signed) in m.attestation_layers() {
                let title = format!(
                    "{} ({})",
                    d.annotations
                        .get("in-toto.io/predicate-type")
                        .cloned()
                        .unwrap_or_default(),
                    d.digest
                );
                let Some(bytes) = files.iter().find(|f| Digest::of(f) == d.digest) else {
                    out.push(OfflineResult {
                        title,
                        state: State::Withheld,
                        lines: Vec::new(),
                        error: Some("missing_attestation: drop this layer's file too".into()),
                    });
                    continue;
                };
                if !signed {
                    out.push(OfflineResult {
                        title,
                        state: State::Unsigned,
                        lines: Vec::new(),
                        error: Some("unsigned: a plain in-toto statement".into()),
                    });
                    continue;
                }
                out.push(envelope_result(title, bytes, subject, &trust, &policy, t).await);
            }
            if out.is_empty() {
                return fail("unsigned: the manifest has no attestation layers".into());
            }
            out
        }
    }
}

async fn read_file(file: web_sys::File) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The offline panel.
#[component]
pub fn OfflinePanel(params: RwSignal<Params>) -> impl IntoView {
    let (input, set_input) = signal(String::new());
    let (files, set_files) = signal(Vec::<Vec<u8>>::new());
    let (subject, set_subject) = signal(String::new());
    let (jwks, set_jwks) = signal(String::new());
    let (results, set_results) = signal(Vec::<OfflineResult>::new());
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
                    Some(Kind::Jwks) => set_jwks.set(String::from_utf8_lossy(&bytes).into_owned()),
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
            let r = verify_input(input.as_bytes(), &files, &subject, &params, &jwks).await;
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
        None if input.get().trim().is_empty() => "nothing yet",
        None => "not recognised",
    };
    view! {
        <section class="offline" id="offline">
            <h2>"Verify offline"</h2>
            <p class="muted">"Paste or drop a DSSE envelope, a PK token, a JWT, or an attestation manifest with its layer files. Nothing leaves this page."</p>
            <div class="drop" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
                <textarea id="offline-input" rows="6" spellcheck="false" placeholder="{\"payloadType\": …}"
                    prop:value=input on:input=move |ev| set_input.set(event_target_value(&ev))></textarea>
                <label class="files">"Or choose files (a manifest with its layer files, a JWKS): "
                    <input id="offline-files" type="file" multiple on:change=on_pick/>
                </label>
                <p class="muted">"Detected: "<span id="offline-kind">{kind}</span>
                    {move || { let n = files.with(Vec::len); (n > 0).then(|| format!(" · {n} dropped files")) }}</p>
            </div>
            <label>"Image manifest digest the statement must name"
                <input id="offline-subject" type="text" spellcheck="false" placeholder="sha256:…"
                    prop:value=subject on:input=move |ev| set_subject.set(event_target_value(&ev))/>
            </label>
            <label>"Issuer keys (JWKS), in addition to the bundled GitHub Actions key history"
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
                            <h3 class="headline">{headline}" — "{r.title}</h3>
                            {r.error.map(|e| view! { <p class="reason">{e}</p> })}
                            <ol class="checklist">{lines}</ol>
                        </section>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
