//! Every request the page made, with its digest check: the user sees that a proxy could not have
//! altered what verified.

use leptos::prelude::*;
use opk_registry::{DigestCheck, FetchRecord};

use crate::views::common::human_size;

/// The fetch log table.
#[component]
pub fn FetchLog(fetches: Vec<FetchRecord>) -> impl IntoView {
    let n = fetches.len();
    let rows = fetches
        .into_iter()
        .map(|f| {
            let (class, check) = match f.digest_check {
                DigestCheck::Verified => ("ok", "✓ digest"),
                DigestCheck::Failed => ("bad", "✗ digest mismatch"),
                DigestCheck::Unverified => ("warn", "! tag, unverified"),
                DigestCheck::NotApplicable => ("muted", "–"),
            };
            view! {
                <tr>
                    <td>{f.method}</td>
                    <td class="url"><code>{f.url}</code></td>
                    <td class="num">{f.status.map(|s| s.to_string()).unwrap_or_else(|| "no response".into())}</td>
                    <td class="num">{human_size(f.bytes as u64)}</td>
                    <td>{if f.via_proxy { "proxy" } else { "direct" }}</td>
                    <td class=class>{check}{f.note.map(|n| format!(" · {n}"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="fetch-log">
            <summary>{format!("Fetch log ({n} requests)")}</summary>
            <table>
                <thead><tr><th>"Method"</th><th>"URL"</th><th>"Status"</th><th>"Bytes"</th><th>"Route"</th><th>"Check"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}
