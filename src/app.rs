//! The application shell: header, the image-reference box and the footer.
//!
//! Later issues fill the explorer, verification panel and offline views; the shell already shows
//! which verifier build is running so a user can tell what checked their images.

use leptos::prelude::*;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let (reference, set_reference) = signal(String::new());
    view! {
        <header class="top">
            <h1>"OPK Explorer"</h1>
            <p class="tagline">
                "Browse OCI images and verify their OpenPubkey-signed attestations, entirely in this page."
            </p>
        </header>
        <main id="shell">
            <form class="reference" on:submit=move |ev| ev.prevent_default()>
                <label for="image-ref">"Image reference"</label>
                <input
                    id="image-ref"
                    type="text"
                    placeholder="openpubkey/demo@sha256:…"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=reference
                    on:input=move |ev| set_reference.set(event_target_value(&ev))
                />
            </form>
            <p class="status" id="status">
                {move || {
                    let r = reference.get();
                    if r.trim().is_empty() {
                        "Enter an image reference to explore it.".to_string()
                    } else {
                        format!("Ready to explore {}", r.trim())
                    }
                }}
            </p>
        </main>
        <footer class="bottom">
            <span id="verifier-version">{format!("opk-verify {}", opk_verify::VERSION)}</span>
            " · verification runs client-side; registries and proxies are not trusted"
        </footer>
    }
}
