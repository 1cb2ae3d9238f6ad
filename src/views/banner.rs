//! The verdict first: one banner per platform directly under the reference — its state (the
//! pipeline's, never re-derived), who signed (repository, owner, workflow, commit, run) and
//! when, against which policy and trust, and for a failure what it means and what to do. When
//! the verification did not run for want of an identity rule, the signer the signature claims
//! (unverified) is offered as the rule, in one click.

use leptos::prelude::*;
use opk_pipeline::{ImageVerdict, Outcome, State};
use opk_verify::claimed::ClaimedSigner;
use opk_verify::sigstore::{BundleOutcome, Signer, TimeWitness};
use opk_verify::KeySource;

use crate::params::Params;
use crate::session::PlatformView;
use crate::views::verdict::{classify, label};

/// Who signed and when, from the first verified attestation of either scheme.
struct SignedBy {
    scheme: &'static str,
    repository: String,
    owner_id: String,
    workflow: String,
    commit: String,
    run: Option<String>,
    when: Option<String>,
    trust: String,
    /// Said in the headline when the trust is not the bundled one (from the typed key or
    /// root source, never from the label's text).
    qualifier: Option<&'static str>,
}

/// `2026-12-07 10:51 UTC` for a Unix time.
fn date_of(secs: i64) -> String {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0))
        .to_iso_string()
        .into();
    match iso.get(..16) {
        Some(min) => format!("{} UTC", min.replace('T', " ")),
        None => iso,
    }
}

/// `2026-12-07 10:51 UTC` for an RFC 3339 UTC time, as [`date_of`] writes one.
fn rfc3339_minutes(t: &str) -> String {
    match t.get(..16) {
        Some(min) if t.ends_with('Z') => format!("{} UTC", min.replace('T', " ")),
        _ => t.to_owned(),
    }
}

fn from_bundle(b: &BundleOutcome, scheme: &'static str, root: Option<&'static str>) -> SignedBy {
    let claim = |k: &str| match &b.signer {
        Signer::Certificate { identity, .. } => identity.claim(k).unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    let (repository, who) = match &b.signer {
        Signer::Certificate { identity, .. } => (claim("repository"), identity.san.clone()),
        Signer::Key { label } => (String::new(), format!("key {label}")),
    };
    SignedBy {
        scheme,
        repository: if repository.is_empty() {
            who
        } else {
            repository
        },
        owner_id: claim("repository_owner_id"),
        workflow: claim("workflow_ref"),
        commit: claim("sha"),
        run: Some(claim("run_url")).filter(|u| u.starts_with("https://")),
        when: b.signed_at.first().map(|t| {
            let by = match b.time_witness {
                TimeWitness::TransparencyLog => "transparency log",
                TimeWitness::TimestampAuthority => "timestamp authority",
                _ => "transparency log and timestamp authority",
            };
            format!("{} ({by})", rfc3339_minutes(t))
        }),
        trust: format!("Sigstore: {}", b.trusted_root),
        qualifier: root,
    }
}

fn signed_by(v: &ImageVerdict, root: Option<&'static str>) -> Option<SignedBy> {
    v.attestations.iter().find_map(|a| match &a.outcome {
        Outcome::OpenPubkey(ok) => ok.tokens.first().map(|t| {
            let claim = |k: &str| match t.claims.get(k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let (repo, run) = (claim("repository"), claim("run_id"));
            let (trust, qualifier) = match &t.key.source {
                KeySource::DevIssuer { .. } => (
                    format!("dev issuer {}", t.key.issuer),
                    Some(" — with dev issuer keys"),
                ),
                KeySource::UserSupplied { .. } => (
                    format!("user-supplied keys for {}", t.key.issuer),
                    Some(" — with user-supplied keys"),
                ),
                other => (other.describe(), None),
            };
            SignedBy {
                scheme: "OpenPubkey",
                run: (!repo.is_empty() && !run.is_empty())
                    .then(|| format!("https://github.com/{repo}/actions/runs/{run}")),
                repository: repo,
                owner_id: claim("repository_owner_id"),
                workflow: claim("workflow_ref"),
                commit: claim("sha"),
                when: t.claims.get("iat").and_then(|v| v.as_i64()).map(date_of),
                trust,
                qualifier,
            }
        }),
        Outcome::Sigstore(ok) => Some(from_bundle(ok, "Sigstore", root)),
        Outcome::SignedManifest(ok) => Some(from_bundle(&ok.signature, "Sigstore", root)),
        _ => None,
    })
}

fn who_view(s: SignedBy) -> impl IntoView {
    let commit = s.commit.get(..12).unwrap_or(&s.commit).to_owned();
    let run = s.run.map(|url| {
        view! { " · "<a href=url.clone() rel="noreferrer noopener" target="_blank">"run"</a> }
    });
    view! {
        <p class="who">
            "Signed by "<strong>{s.repository}</strong>
            {(!s.owner_id.is_empty()).then(|| format!(" (owner id {})", s.owner_id))}
            {(!s.workflow.is_empty()).then(|| format!(" · workflow {}", s.workflow))}
            {(!commit.is_empty()).then(|| view! { " · commit "<code>{commit}</code> })}
            {run}
        </p>
        <p class="when">
            {s.when.map(|w| format!("Signed {w} · ")).unwrap_or_default()}
            {format!("{} · trusted: {}", s.scheme, s.trust)}
        </p>
    }
}

/// One platform's banner. `require` takes the claimed signer as the policy and runs again.
#[component]
pub fn VerdictBanner(
    platform: PlatformView,
    ran: Params,
    stale: Signal<bool>,
    require: Callback<ClaimedSigner>,
    /// The headline's word for the Sigstore root in use, when it is not the bundled one.
    sigstore_root: Option<&'static str>,
) -> impl IntoView {
    let (state, failure) = classify(&platform.verdict);
    let (class, headline) = label(state);
    // Who signed, worked out once: the headline's qualifier and the lines under it.
    let signer = match &*platform.verdict {
        Ok(v) => signed_by(v, sigstore_root),
        Err(_) => None,
    };
    let qualifier = signer
        .as_ref()
        .filter(|_| state == State::Verified)
        .and_then(|s| s.qualifier);
    let who = signer.map(who_view);
    let explained = failure.map(|f| {
        view! {
            <p class="meaning">{f.explanation.meaning.clone()}</p>
            <p class="action"><strong>"What to do: "</strong>{f.explanation.action.clone()}</p>
            <p class="reason muted"><code class="code">{f.code.clone()}</code>" "{f.message.clone()}</p>
        }
    });
    let offer = platform.claimed.clone().map(|c| {
        let text = format!(
            "The signature claims to come from {} (owner id {}); this is not verified yet.",
            if c.repository.is_empty() {
                "an unnamed repository"
            } else {
                c.repository.as_str()
            },
            c.repository_owner_id
        );
        view! {
            <p class="claimed">{text}" "
                <button type="button" class="require" on:click=move |_| require.run(c.clone())>
                    "Require this signer and verify"
                </button>
            </p>
        }
    });
    let against = (state != State::NotVerified)
        .then(|| format!("Verified against: {}", ran.policy_summary().join(" · ")));
    view! {
        <section class=format!("verdict banner {class}") data-state=class
            data-platform=platform.platform.clone() aria-label=format!("verdict for {}", platform.platform)>
            <h3 class="headline">{headline}{qualifier}<span class="platform">{format!(" · {}", platform.platform)}</span></h3>
            {move || stale.get().then(|| view! {
                <p class="stale">"The policy changed since this verdict: verify again to apply it."</p>
            })}
            {who}
            {explained}
            {offer}
            {against.map(|a| view! { <p class="against muted">{a}</p> })}
        </section>
    }
}
