//! An SPDX document's packages as a searchable, sortable table. Stays smooth at 10,000 packages:
//! rows are extracted once, filtering and sorting run over plain structs, and only the first
//! page of matches is rendered (more on request).

use std::sync::Arc;

use leptos::prelude::*;
use opk_verify::intoto::Predicate;

use crate::sbom_rows::{packages, select, Column, Package};

/// Rows rendered at first, and added per "show more".
const PAGE: usize = 100;

/// The table. Rows are read from the predicate's text, never a tree of it.
#[component]
pub fn SbomTable(document: Predicate) -> impl IntoView {
    let all: Arc<Vec<Package>> = Arc::new(packages(document.json()));
    let total = all.len();
    let (filter, set_filter) = signal(String::new());
    let (sort, set_sort) = signal((Column::Name, false));
    let (limit, set_limit) = signal(PAGE);
    let rows = {
        let all = all.clone();
        Memo::new(move |_| {
            let (column, desc) = sort.get();
            select(&all, &filter.get(), column, desc)
                .into_iter()
                .cloned()
                .collect::<Vec<Package>>()
        })
    };
    let header = move |column: Column, title: &'static str| {
        let arrow = move || match sort.get() {
            (c, false) if c == column => " ▲",
            (c, true) if c == column => " ▼",
            _ => "",
        };
        // The sorted column says so to assistive technology; the others say nothing.
        let aria_sort = move || match sort.get() {
            (c, false) if c == column => Some("ascending"),
            (c, true) if c == column => Some("descending"),
            _ => None,
        };
        view! {
            <th aria-sort=aria_sort>
                <button type="button" class="sort" on:click=move |_| {
                    set_sort.update(|(c, d)| {
                        *d = *c == column && !*d;
                        *c = column;
                    })
                }>{title}{arrow}</button>
            </th>
        }
    };
    view! {
        <div class="sbom">
            <label>
                {format!("Packages ({total}) — filter: ")}
                <input type="search" class="sbom-filter" placeholder="name, version, license, purl"
                    on:input=move |ev| { set_filter.set(event_target_value(&ev)); set_limit.set(PAGE); }/>
            </label>
            <p class="sbom-count" aria-live="polite">
                {move || format!("{} of {total} packages match", rows.with(Vec::len))}
            </p>
            <table class="sbom-table">
                <thead><tr>
                    {header(Column::Name, "Name")}
                    {header(Column::Version, "Version")}
                    {header(Column::License, "License")}
                    <th>"purl"</th>
                </tr></thead>
                <tbody>
                    {move || rows.with(|r| r.iter().take(limit.get()).map(|p| view! {
                        <tr>
                            <td>{p.name.clone()}</td>
                            <td>{p.version.clone()}</td>
                            <td>{p.license.clone()}</td>
                            <td><code>{p.purl.clone()}</code></td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            <Show when=move || { rows.with(Vec::len) > limit.get() }>
                <button type="button" class="more" on:click=move |_| set_limit.update(|l| *l += 5 * PAGE)>
                    "Show more"
                </button>
            </Show>
        </div>
    }
}
