//! An SLSA provenance (v0.2, and v1's equivalent fields) as a summary: builder, build type,
//! source repository and revision, invocation, materials.

use leptos::prelude::*;
use opk_verify::intoto::Predicate;

/// Materials listed at most (a `mode=max` provenance can name thousands).
const MATERIALS: usize = 200;

fn s(v: &Predicate, path: &[&str]) -> String {
    v.text_at(path).unwrap_or_default().into_owned()
}

/// The summary table. The predicate is read in place (it can be megabytes), never built.
#[component]
pub fn ProvenanceSummary(predicate: Predicate) -> impl IntoView {
    let vcs = [
        "metadata",
        "https://mobyproject.org/buildkit@v1#metadata",
        "vcs",
    ];
    let vcs_v1 = ["runDetails", "metadata", "buildkit_metadata", "vcs"];
    let first = |paths: &[&[&str]]| {
        paths
            .iter()
            .map(|p| s(&predicate, p))
            .find(|x| !x.is_empty())
            .unwrap_or_default()
    };
    let builder = first(&[&["builder", "id"], &["runDetails", "builder", "id"]]);
    let build_type = first(&[&["buildType"], &["buildDefinition", "buildType"]]);
    let source = first(&[
        &[&vcs[..], &["source"]].concat(),
        &[&vcs_v1[..], &["source"]].concat(),
    ]);
    let revision = first(&[
        &[&vcs[..], &["revision"]].concat(),
        &[&vcs_v1[..], &["revision"]].concat(),
    ]);
    let source_link = source.starts_with("https://").then(|| {
        let href = if revision.is_empty() {
            source.clone()
        } else {
            format!("{source}/commit/{revision}")
        };
        view! { <a href=href rel="noreferrer noopener" target="_blank">{source.clone()}</a> }
    });
    let invocation = [
        ["invocation", "configSource", "entryPoint"].as_slice(),
        &["invocation", "configSource", "uri"],
        &["invocation", "parameters", "frontend"],
        &["invocation", "environment", "platform"],
    ]
    .into_iter()
    .filter_map(|p| {
        let v = s(&predicate, p);
        (!v.is_empty()).then(|| {
            let name = p.last().copied().unwrap_or_default().to_owned();
            view! { <li>{name}": "<code>{v}</code></li> }
        })
    })
    .collect_view();
    let mut materials = predicate.items_at(&["materials"], MATERIALS);
    if materials.is_empty() {
        materials = predicate.items_at(&["buildDefinition", "resolvedDependencies"], MATERIALS);
    }
    let materials = materials
        .into_iter()
        .map(|m| {
            let uri = s(&m, &["uri"]);
            let digest = s(&m, &["digest", "sha256"]);
            view! { <li><code>{uri}</code>" "<span class="muted">{digest}</span></li> }
        })
        .collect_view();
    view! {
        <dl class="provenance">
            <dt>"Builder"</dt><dd><code>{builder}</code></dd>
            <dt>"Build type"</dt><dd><code>{build_type}</code></dd>
            <dt>"Source"</dt><dd>{source_link}</dd>
            <dt>"Revision"</dt><dd><code>{revision}</code></dd>
            <dt>"Invocation"</dt><dd><ul>{invocation}</ul></dd>
            <dt>"Materials"</dt><dd><ul>{materials}</ul></dd>
        </dl>
    }
}
