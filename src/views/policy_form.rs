//! The policy panel (issuer keys, repository owner id, repository, workflow, ref, required
//! predicate types) and the proxy setting, remembered in localStorage. Enter in any field
//! verifies with the policy as it reads.

use leptos::prelude::*;

use crate::params::Params;

/// localStorage key of the proxy setting.
pub const PROXY_KEY: &str = "opk.proxy";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved proxy URL (empty: none).
pub fn saved_proxy() -> String {
    storage()
        .and_then(|s| s.get_item(PROXY_KEY).ok().flatten())
        .unwrap_or_default()
}

fn save_proxy(v: &str) {
    if let Some(s) = storage() {
        let _ = if v.trim().is_empty() {
            s.remove_item(PROXY_KEY)
        } else {
            s.set_item(PROXY_KEY, v.trim())
        };
    }
}

/// One text field bound to a part of the params when it changes (Enter commits the change
/// before it submits the form). Editing any field makes the form the policy's source: the link's empty rules
/// (refused while they stand) are forgotten.
fn field(
    params: RwSignal<Params>,
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    get: fn(&Params) -> String,
    set: fn(&mut Params, String),
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="text" spellcheck="false" autocomplete="off" placeholder=placeholder
            prop:value=move || params.with(get)
            on:change=move |ev| {
                let v = event_target_value(&ev);
                params.update(|p| { set(p, v); p.empty_rules.clear(); })
            }/>
    }
}

/// The panel, open or folded; submitting it (Enter in a field, or its button) runs
/// `on_submit`.
#[component]
pub fn PolicyForm(params: RwSignal<Params>, open: bool, on_submit: Callback<()>) -> impl IntoView {
    let (proxy, set_proxy) = signal(saved_proxy());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(());
    };
    let summary = move || {
        params.with(|p| {
            let rules = p.policy_summary();
            if p.has_identity_rule() {
                format!("Policy: {}", rules.join(" · "))
            } else {
                "Policy — who must have signed (no identity rule yet)".to_owned()
            }
        })
    };
    view! {
        <details class="policy" open=open>
            <summary>{summary}</summary>
            <form class="grid" on:submit=submit>
                {field(params, "owner-id", "Repository owner id", "numeric, e.g. the id of your GitHub organisation",
                    |p| p.owner_id.clone(), |p, v| p.owner_id = v.trim().to_owned())}
                {field(params, "repository", "Repository", "owner/name",
                    |p| p.repo.clone(), |p, v| p.repo = v.trim().to_owned())}
                {field(params, "workflow", "Workflow ref", "owner/repo/.github/workflows/build.yml@refs/heads/main",
                    |p| p.workflow.clone(), |p, v| p.workflow = v.trim().to_owned())}
                {field(params, "git-ref", "Ref", "refs/heads/main",
                    |p| p.git_ref.clone(), |p, v| p.git_ref = v.trim().to_owned())}
                {field(params, "predicates", "Required predicate types (comma-separated)", "https://slsa.dev/provenance/v0.2",
                    |p| p.predicates.join(", "),
                    |p, v| p.predicates = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())}
                {field(params, "jwks-urls", "Extra issuer keys: JWKS URLs (comma-separated; user-supplied trust)", "https://…/jwks",
                    |p| p.jwks.join(", "),
                    |p, v| p.jwks = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())}
                <button type="submit" id="verify-policy">"Verify with this policy"</button>
            </form>
            <p class="muted">"Issuer: GitHub Actions (bundled, dated key history). At least one identity rule is required."</p>
        </details>
        <details class="settings">
            <summary>"Proxy"</summary>
            <label for="proxy">"CORS proxy for registries without CORS headers (opk proxy or a template with {url}); localhost registries are reached directly"</label>
            <input id="proxy" type="text" spellcheck="false" placeholder="http://127.0.0.1:8787"
                prop:value=proxy
                on:change=move |ev| { let v = event_target_value(&ev); save_proxy(&v); set_proxy.set(v) }/>
            <p class="muted">"The proxy is not trusted: everything it passes is digest-checked and verified here."</p>
        </details>
    }
}
