//! An SLSA provenance (v0.2, and v1's equivalent fields) as a summary: builder, build type,
//! source repository and revision, invocation, materials.

use leptos::prelude::*;
use serde_json::Value;

fn s(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
        .unwrap_or_default()
}

/// The summary table.
#[component]
pub fn ProvenanceSummary(predicate: Value) -> impl IntoView {
    let vcs = "/metadata/https:~1~1mobyproject.org~1buildkit@v1#metadata/vcs";
    let builder = [
        s(&predicate, "/builder/id"),
        s(&predicate, "/runDetails/builder/id"),
    ]
    .into_iter()
    .find(|x| !x.is_empty())
    .unwrap_or_default();
    let build_type = [
        s(&predicate, "/buildType"),
        s(&predicate, "/buildDefinition/buildType"),
    ]
    .into_iter()
    .find(|x| !x.is_empty())
    .unwrap_or_default();
    let source = s(&predicate, &format!("{vcs}/source"));
    let revision = s(&predicate, &format!("{vcs}/revision"));
    let source_link = source.starts_with("https://").then(|| {
        let href = if revision.is_empty() {
            source.clone()
        } else {
            format!("{source}/commit/{revision}")
        };
        view! { <a href=href rel="noreferrer noopener" target="_blank">{source.clone()}</a> }
    });
    let invocation = [
        "/invocation/configSource/entryPoint",
        "/invocation/configSource/uri",
        "/invocation/parameters/frontend",
        "/invocation/environment/platform",
    ]
    .into_iter()
    .filter_map(|p| {
        let v = s(&predicate, p);
        (!v.is_empty()).then(|| {
            let name = p.rsplit('/').next().unwrap_or_default().to_owned();
            view! { <li>{name}": "<code>{v}</code></li> }
        })
    })
    .collect_view();
    let materials = predicate["materials"]
        .as_array()
        .or_else(|| {
            predicate
                .pointer("/buildDefinition/resolvedDependencies")
                .and_then(Value::as_array)
        })
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let uri = s(&m, "/uri");
            let digest = s(&m, "/digest/sha256");
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
