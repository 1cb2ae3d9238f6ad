//! A repository's tags (`?tags=registry/name`): the first page on opening, more on request (one
//! request each), and each tag's digest only when asked (one request: the manifest, hashed
//! here). Every tag links to its image's view with the same policy. A registry that does not
//! let this page list tags says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use opk_registry::{Reference, RegistryError, TAGS_PAGE_SIZE};

use crate::params::Params;
use crate::session::{client_for, Failure};
use crate::views::common::DigestText;
use crate::views::policy_form::saved_proxy;

fn listing_failure(e: &RegistryError) -> Failure {
    let mut f = Failure::from(e);
    if let RegistryError::Http {
        status: 401 | 403 | 404,
        ..
    } = e
    {
        f.explanation.meaning =
            "This registry does not let this page list the repository's tags.".into();
        f.explanation.action =
            "Open an image of it by tag or digest instead; its view still works.".into();
    }
    f
}

/// One tag: a link to its image, and its digest when asked for.
#[component]
fn TagRow(tag: String, reference: Reference, params: Params) -> impl IntoView {
    let (digest, set_digest) = signal(None::<Result<String, Failure>>);
    let image = format!("{}/{}:{tag}", reference.registry(), reference.repository());
    let href = {
        let mut p = params.clone();
        p.tags.clear();
        p.image = image.clone();
        p.to_query()
    };
    let fetch = move |_| {
        let (Ok(r), proxy) = (Reference::parse(&image), params.proxy.clone()) else {
            return;
        };
        spawn_local(async move {
            let result = match client_for(&r, &proxy, saved_proxy()) {
                Ok((client, _)) => client
                    .resolve(&r)
                    .await
                    .map(|d| d.digest.to_string())
                    .map_err(|e| Failure::from(&e)),
                Err(f) => Err(f),
            };
            set_digest.set(Some(result));
        });
    };
    view! {
        <li class="tag" data-tag=tag.clone()>
            <a href=href>{tag.clone()}</a>" "
            {move || match digest.get() {
                None => {
                    let fetch = fetch.clone();
                    view! { <button type="button" class="digest-of" on:click=fetch>"digest"</button> }.into_any()
                }
                Some(Ok(d)) => view! { <DigestText digest=d/> }.into_any(),
                Some(Err(f)) => view! { <span class="error"><code class="code">{f.code}</code>" "{f.explanation.meaning}</span> }.into_any(),
            }}
        </li>
    }
}

/// The view.
#[component]
pub fn TagsView(repository: String, params: Params) -> impl IntoView {
    let reference = Reference::parse(&repository);
    let (tags, set_tags) = signal(Vec::<String>::new());
    let (next, set_next) = signal(None::<String>);
    let (failure, set_failure) = signal(None::<Failure>);
    let (loading, set_loading) = signal(false);
    let load = {
        let (reference, proxy) = (reference.clone(), params.proxy.clone());
        move |from: Option<String>| {
            let Ok(r) = reference.clone() else { return };
            let proxy = proxy.clone();
            set_loading.set(true);
            spawn_local(async move {
                let page = match client_for(&r, &proxy, saved_proxy()) {
                    Ok((client, _)) => client
                        .tags_page(&r, from.as_deref(), TAGS_PAGE_SIZE)
                        .await
                        .map_err(|e| listing_failure(&e)),
                    Err(f) => Err(f),
                };
                match page {
                    Ok(p) => {
                        set_tags.update(|t| t.extend(p.tags));
                        set_next.set(p.next);
                    }
                    Err(f) => set_failure.set(Some(f)),
                }
                set_loading.set(false);
            });
        }
    };
    load(None);
    let bad_reference = reference.as_ref().err().map(|e| {
        let f = Failure::from(&RegistryError::Reference(e.clone()));
        view! { <p class="error">{f.explanation.meaning}</p> }
    });
    let rows = {
        let (reference, params) = (reference.clone(), params.clone());
        move || {
            let Ok(r) = reference.clone() else {
                return Vec::new();
            };
            tags.get()
                .into_iter()
                .map(|t| view! { <TagRow tag=t reference=r.clone() params=params.clone()/> })
                .collect::<Vec<_>>()
        }
    };
    let more = move || {
        next.get().map(|n| {
            let load = load.clone();
            view! {
                <button type="button" class="more-tags" disabled=loading
                    on:click=move |_| load(Some(n.clone()))>"More tags"</button>
            }
        })
    };
    view! {
        <section class="tags-view" id="tags">
            <h2>{format!("Tags of {repository}")}</h2>
            {bad_reference}
            <p class="muted" aria-live="polite">
                {move || if loading.get() { "Listing…".to_owned() } else { tags.with(|t| match t.len() { 1 => "1 tag listed".to_owned(), n => format!("{n} tags listed") }) }}
                " · a tag is a mutable name; each image's view checks what it points to."
            </p>
            {move || failure.get().map(|f| view! {
                <section class="verdict banner failed" data-state="failed">
                    <p class="meaning">{f.explanation.meaning.clone()}</p>
                    <p class="action"><strong>"What to do: "</strong>{f.explanation.action.clone()}</p>
                    <p class="reason muted"><code class="code">{f.code.clone()}</code>" "{f.message.clone()}</p>
                </section>
            })}
            <ul class="tags">{rows}</ul>
            {more}
        </section>
    }
}
