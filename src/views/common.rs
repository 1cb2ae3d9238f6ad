//! Small shared pieces: copy buttons, shortened digests, raw JSON blocks.

use std::sync::Arc;

use leptos::prelude::*;

/// A button that copies text to the clipboard; the text is made by `text` when clicked (a
/// multi-megabyte blob is not copied into a string until somebody asks for it).
#[component]
pub fn CopyButton(
    #[prop(into)] text: Callback<(), String>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let (done, set_done) = signal(false);
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text.run(()));
            set_done.set(true);
        }
    };
    view! {
        <button type="button" class="copy" on:click=copy aria-label=label.clone()>
            {move || if done.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

/// `sha256:0123456789ab…` for display; the full digest stays in the title and copy button.
pub fn short_digest(d: &str) -> String {
    match d.strip_prefix("sha256:") {
        Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
        _ => d.to_owned(),
    }
}

/// The page's link to the object `digest` of the image being explored (with the same request),
/// when the page has one.
pub fn object_href(digest: &str, path: &str) -> Option<String> {
    let params = use_context::<RwSignal<crate::params::Params>>()?;
    let mut p = params.get_untracked();
    if p.image.trim().is_empty() {
        return None;
    }
    p.tags.clear();
    p.digest = digest.to_owned();
    p.path = path.to_owned();
    Some(p.to_query())
}

/// A digest, linked to that object's view, with its copy button.
#[component]
pub fn DigestText(#[prop(into)] digest: String) -> impl IntoView {
    let short = short_digest(&digest);
    let text = match object_href(&digest, "") {
        Some(href) => {
            view! { <a class="object-link" href=href><code>{short}</code></a> }.into_any()
        }
        None => view! { <code>{short}</code> }.into_any(),
    };
    view! {
        <span class="digest" title=digest.clone()>
            {text}
            <CopyButton text={
                let digest = digest.clone();
                move |()| digest.clone()
            } label=format!("copy {digest}")/>
        </span>
    }
}

/// Documents larger than this are shown as received, not re-indented: pretty-printing builds
/// a tree of the document, about 17 times its size for the worst inputs (docs/limits.md).
pub const PRETTY_MAX_BYTES: usize = 1024 * 1024;

/// Pretty JSON of `bytes` for reading (the exact bytes are what was hashed and verified); over
/// [`PRETTY_MAX_BYTES`], the text as received.
pub fn pretty(bytes: &[u8]) -> String {
    if bytes.len() > PRETTY_MAX_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A folded raw-JSON block with a copy button for the exact bytes. The pretty text is made
/// when the block is first opened: a 10,000-package SBOM's envelope and statement are
/// megabytes each, and nobody reads most blocks.
#[component]
pub fn RawJson(#[prop(into)] title: String, bytes: Vec<u8>) -> impl IntoView {
    let size = bytes.len();
    let bytes: Arc<[u8]> = bytes.into();
    let (opened, set_opened) = signal(false);
    let exact = {
        let bytes = bytes.clone();
        move |()| String::from_utf8_lossy(&bytes).into_owned()
    };
    let shown = move || opened.get().then(|| pretty(&bytes));
    let open = move |_| {
        if !opened.get_untracked() {
            set_opened.set(true);
        }
    };
    view! {
        <details class="raw" on:toggle=open>
            <summary>{title}" (raw JSON, "{size}" bytes)"</summary>
            <CopyButton text=exact label="copy the exact bytes"/>
            <pre>{shown}</pre>
        </details>
    }
}

/// Human-readable byte sizes, one decimal (integer arithmetic: no float formatting in the page).
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut u = 0;
    while u < UNITS.len() - 1 && n >= 1024u64 << (10 * u) {
        u += 1;
    }
    if u == 0 {
        return format!("{n} B");
    }
    // Tenths of the unit, rounded half up.
    let unit = 1u128 << (10 * u);
    let tenths = (u128::from(n) * 10 + unit / 2) / unit;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[u])
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(1024 * 1024 - 1), "1024.0 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 + 104_858), "5.1 MiB");
        assert_eq!(human_size(3 << 30), "3.0 GiB");
        assert_eq!(human_size(u64::MAX), "17179869184.0 GiB");
    }
}
