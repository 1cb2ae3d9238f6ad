//! Offline verification: paste or drop a DSSE envelope, a PK token (any format), a JWT, an
//! attestation manifest with its layer files, or a Sigstore bundle with its artifact (a file, or
//! its sha256 digest); verify with the bundled GitHub Actions key history plus a pasted JWKS,
//! and the bundled public-good Sigstore root or a pasted trusted root (user-supplied trust,
//! labelled). Nothing leaves the page: no request is made here (but for the bundled example,
//! loaded from the app's own origin when asked). Input and configuration problems (no subject
//! digest, a key set that does not parse) are "not verified", never "invalid": that is for
//! signatures that fail.

use leptos::prelude::*;
use leptos::task::spawn_local;
use opk_pipeline::report::{check_lines, Line};
use opk_pipeline::sigstore_module::SigstoreVerifier as _;
use opk_pipeline::webcrypto;
use opk_verify::oci::{Digest, Manifest};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::trusted_root::RootSource;
use opk_verify::sigstore::{Artifact, RootInput, SigstoreTrust};
use opk_verify::{ExpectedSubject, JwksFile, KeySource, Policy, TrustRoots};

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
    /// Whose keys a verified result rests on, when not the bundled ones (the pasted JWKS or
    /// trusted root): said in the headline.
    pub trust: Option<&'static str>,
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
    if !jwks.trim().is_empty() && detect(jwks.as_bytes()) != Some(Kind::TrustedRoot) {
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
    trust: impl Fn(&T) -> Option<&'static str>,
) -> OfflineResult {
    match r {
        Ok(ok) => OfflineResult {
            title,
            state: State::Verified,
            lines: check_lines(&checks(&ok)),
            error: None,
            trust: trust(&ok),
        },
        Err(rej) => OfflineResult {
            title,
            state: State::Invalid,
            lines: check_lines(&rej.checks),
            error: Some(format!("{}: {}", rej.error.code(), rej.error)),
            trust: None,
        },
    }
}

/// The label of a verified token's key when the user supplied it (a pasted JWKS, even one
/// that claims GitHub's issuer) or it is a dev issuer's.
fn key_trust(source: &KeySource) -> Option<&'static str> {
    match source {
        KeySource::UserSupplied { .. } => Some("with the pasted, user-supplied keys"),
        KeySource::DevIssuer { .. } => Some("with dev issuer keys"),
        _ => None,
    }
}

/// An input or configuration problem: the verification did not run.
fn not_run(title: &str, msg: String) -> OfflineResult {
    OfflineResult {
        title: title.to_owned(),
        state: State::NotVerified,
        lines: Vec::new(),
        error: Some(msg),
        trust: None,
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
        |o| o.tokens.iter().find_map(|t| key_trust(&t.key.source)),
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
    let fail = |msg: String| vec![not_run("Input", msg)];
    let Some(kind) = detect(input) else {
        return fail("unsupported_input: paste a DSSE envelope, a PK token, a JWT, an attestation manifest or a Sigstore bundle".into());
    };
    if kind == Kind::Bundle {
        return vec![bundle_result(input, files, subject, params, jwks).await];
    }
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
        Kind::TrustedRoot => {
            fail("this is a Sigstore trusted root: paste it in the key box".into())
        }
        Kind::Bundle => unreachable!("bundles are verified above"),
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
                |o| key_trust(&o.key.source),
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
                        trust: None,
                    });
                    continue;
                };
                if !signed {
                    out.push(OfflineResult {
                        title,
                        state: State::Unsigned,
                        lines: Vec::new(),
                        error: Some("unsigned: a plain in-toto statement".into()),
                        trust: None,
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

/// A Sigstore bundle about the artifact: a dropped file that is not the bundle, else the
/// digest typed in (`sha256:<hex>`); under the bundled public-good root, or a trusted root
/// pasted in the key box (user-supplied, labelled); the page's identity rules.
async fn bundle_result(
    input: &[u8],
    files: &[Vec<u8>],
    subject: &str,
    params: &Params,
    key_box: &str,
) -> OfflineResult {
    let title = "Sigstore bundle".to_owned();
    let fail = |msg: String| not_run(&title, msg);
    // Dropped with the bundle: the artifact, and perhaps a key set or a trusted root.
    let candidates: Vec<&Vec<u8>> = files
        .iter()
        .filter(|f| {
            !matches!(
                detect(f),
                Some(Kind::Bundle | Kind::Jwks | Kind::TrustedRoot)
            )
        })
        .collect();
    let file = match candidates.as_slice() {
        [] => None,
        [one] => Some(one.as_slice()),
        _ => return fail("ambiguous_artifact: drop the bundle with one artifact file".into()),
    };
    let digest = match (file, subject.trim()) {
        (Some(_), _) => None,
        (None, "") => {
            return fail(
                "missing_artifact: drop the artifact's file, or enter its digest (sha256:…)".into(),
            )
        }
        (None, d) => match Digest::parse(d)
            .ok()
            .and_then(|d| opk_verify::hex::decode(d.hex()))
        {
            Some(raw) => Some(raw),
            None => return fail(format!("invalid_digest: {d} is not sha256:<64 hex digits>")),
        },
    };
    let artifact = match (&digest, file) {
        (Some(raw), _) => Artifact::Digest(HashAlg::Sha256, raw),
        (None, Some(bytes)) => Artifact::Bytes(bytes),
        (None, None) => unreachable!("one of the two, checked above"),
    };
    let root_input = if detect(key_box.as_bytes()) == Some(Kind::TrustedRoot) {
        RootInput::UserSupplied {
            bytes: key_box.trim().as_bytes(),
            label: "pasted trusted root",
        }
    } else {
        RootInput::PublicGood
    };
    // The root is parsed by the verifier module (the parsing is part of it).
    let verifier = &crate::sigstore_module::SigstoreModule;
    if let Err(e) = verifier.loaded().await {
        return fail(format!("verifier_not_loaded: {e}"));
    }
    let root = match verifier.load_trusted_root(root_input).await {
        Ok(r) => r,
        Err(e) => return fail(format!("{}: trusted root: {e}", e.code())),
    };
    let (_, policy, _) = match crate::session::trust_and_policy(params, Vec::new()) {
        Ok(x) => x,
        Err(f) => return fail(format!("{}: {}", f.code, f.message)),
    };
    let trust = SigstoreTrust {
        root,
        keys: Vec::new(),
    };
    let outcome =
        match webcrypto::verify_bundle(verifier, input, artifact, &trust, &policy, now()).await {
            Ok(outcome) => outcome,
            Err(e) => return fail(format!("verifier_not_loaded: {e}")),
        };
    let root_trust = match trust.root.source {
        RootSource::Bundled { .. } => None,
        RootSource::UserSupplied { .. } => Some("under the pasted, user-supplied trusted root"),
        RootSource::Dev { .. } => Some("under a dev trusted root"),
    };
    let mut r = result_of(title, outcome, |o| o.checks.clone(), |_| root_trust);
    if r.state == State::Verified {
        r.lines.push(Line::Pass(format!(
            "Verified under the trusted root {}",
            trust.root.label()
        )));
    }
    r
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
