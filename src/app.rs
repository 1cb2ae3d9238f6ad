//! The page: the image box with examples, the policy panel (folded when the link carries a
//! policy) and proxy setting, then for a run the verdict first — one banner per platform —
//! then one tab per platform (checklist and explorer, attestations folded under their
//! platform), the equivalent `opk verify` command and the fetch log; and the offline panel.
//! The URL holds the request, so a shared link, Back and Forward reproduce the verdict.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::explorer_module::{self, ExplorerBuilder};
use crate::module_not_loaded::ModuleNotLoaded;
use crate::params::Params;
use crate::session::{self, Outcome, Phase};
use crate::sigstore_module::SigstoreModule;
use crate::tags_module::{self, TagsBuilder};
use crate::views::banner::VerdictBanner;
use crate::views::common::RawJson;
use crate::views::common::{CopyButton, DigestText};
use crate::views::fetch_log::FetchLog;
use crate::views::object::ObjectView;
use crate::views::offline::OfflinePanel;
use crate::views::policy_form::{saved_proxy, PolicyForm};
use crate::views::verdict::{classify, label, VerdictPanel};
use opk_pipeline::sigstore_module::SigstoreVerifier as _;
use opk_pipeline::State;

fn location_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// What a run does to the browser's history.
#[derive(Clone, Copy, PartialEq, Eq)]
enum History {
    /// A new entry (a submit).
    Push,
    /// The current entry (a deep link's first run, a platform choice).
    Replace,
    /// Nothing: the URL already says it (Back or Forward).
    Keep,
}

fn push_url(params: &Params, how: History) {
    let Some(w) = web_sys::window() else { return };
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    let url = format!("{path}{}", params.to_query());
    let _ = match how {
        History::Replace => {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        }
        History::Push => history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url)),
        History::Keep => Ok(()),
    };
}

fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// The tab's title: the verdict of the platform shown first and the image.
fn title_of(phase: &Phase, selected: &str) -> String {
    match phase {
        Phase::Idle => "OPK Explorer".to_owned(),
        Phase::Running => "Verifying… — OPK Explorer".to_owned(),
        Phase::Failed(f) => format!(
            "{} — OPK Explorer",
            if f.unreachable() {
                "Registry unreachable"
            } else {
                "Could not explore"
            }
        ),
        Phase::Done(o) => {
            let headline = o
                .platforms
                .iter()
                .find(|p| p.platform == selected)
                .or(o.platforms.first())
                .map(|p| label(classify(&p.verdict).0).1)
                .unwrap_or("No platforms");
            format!("{headline} · {} — OPK Explorer", o.reference)
        }
    }
}

/// The platform shown first: the one asked for, else linux/amd64, else the first.
fn default_platform(o: &Outcome, asked: &str) -> String {
    let has = |p: &str| o.platforms.iter().any(|v| v.platform == p);
    if !asked.is_empty() && has(asked) {
        asked.to_owned()
    } else if has("linux/amd64") {
        "linux/amd64".to_owned()
    } else {
        o.platforms
            .first()
            .map(|p| p.platform.clone())
            .unwrap_or_default()
    }
}

/// A module's builder as the views read it: `None` while it loads, `Err` if it did not.
type Loaded<B> = (
    ReadSignal<Option<Result<B, ()>>>,
    WriteSignal<Option<Result<B, ()>>>,
);

/// Fetches a module's builder into `loaded` unless it is there already (a failed load is tried
/// again).
fn load_module<B, F>(loaded: Loaded<B>, load: impl FnOnce() -> F + 'static)
where
    B: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Result<B, ModuleNotLoaded>> + 'static,
{
    let (get, set) = loaded;
    if matches!(get.get_untracked(), Some(Ok(_))) {
        return;
    }
    set.set(None);
    spawn_local(async move { set.set(Some(load().await.map_err(|_| ()))) });
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let params = RwSignal::new(Params::from_query(&location_query()));
    // Views link objects with the page's request (common::object_href).
    provide_context(params);
    // A link naming Sigstore trust needs the Sigstore verifier for every run: it is fetched as
    // the page starts, not when the first run does. A failure is not kept (a run asks again).
    if params.with_untracked(Params::names_sigstore) {
        spawn_local(async {
            let _ = SigstoreModule.loaded().await;
        });
    }
    let (phase, set_phase) = signal(Phase::Idle);
    // The running verification's progress line ("… 12 of 18 requests"), updated per request.
    let (stage, set_stage) = signal(String::new());
    let (selected, set_selected) = signal(String::new());
    let generation = StoredValue::new(0u32);
    let (tags_view, set_tags_view) = signal(None::<(String, Params)>);
    // The tags view's builder, from its module (fetched when tags are first asked for; `None`
    // while it loads, an error if it did not, which the next request retries).
    let (tags_builder, set_tags_builder) = signal(None::<Result<TagsBuilder, ()>>);
    // The verdicts are painted first; the platform's checklist and explorer (the bulk of the
    // rendering) are built after that paint, and stay when the image configs arrive.
    let (details, set_details) = signal(false);
    // What arrives after the verdict (the image configs, the whole fetch log): read by the views
    // that show it, so the verdict view is not rebuilt (a layer listing started meanwhile stays).
    let (late, set_late) = signal(None::<Arc<Outcome>>);
    // The explorer's builder, from its module (fetched as the first run starts; `None` while it
    // loads, an error if it did not, which the next run retries).
    let (explorer, set_explorer) = signal(None::<Result<ExplorerBuilder, ()>>);
    let start = move |how: History| {
        let p = params.get_untracked();
        if !p.tags.trim().is_empty() {
            push_url(&p, how);
            generation.update_value(|g| *g += 1);
            set_phase.set(Phase::Idle);
            set_tags_view.set(Some((p.tags.trim().to_owned(), p)));
            load_module((tags_builder, set_tags_builder), tags_module::tags_builder);
            return;
        }
        set_tags_view.set(None);
        if p.image.trim().is_empty() {
            set_phase.set(Phase::Idle);
            return;
        }
        // The URL is updated once the run's first request is out: `history.pushState` took
        // 6.7 ms a run on the benchmark machine, on the way to that request otherwise.
        let shown = p.clone();
        set_timeout(move || push_url(&shown, how), std::time::Duration::ZERO);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_stage.set("Starting…".into());
        set_phase.set(Phase::Running);
        set_details.set(false);
        set_late.set(None);
        spawn_local(async move {
            let progress = move |m: String| {
                if generation.get_value() == mine {
                    set_stage.set(m);
                }
            };
            let asked = p.platform.clone();
            let result = session::run(p, saved_proxy(), progress).await;
            if generation.get_value() != mine {
                return; // a newer request replaced this one
            }
            match result {
                Ok((mut o, client)) => {
                    set_selected.set(default_platform(&o, &asked));
                    set_phase.set(Phase::Done(Arc::new(o.clone())));
                    request_animation_frame(move || {
                        let show = move || {
                            if generation.get_value() == mine {
                                set_details.set(true);
                            }
                        };
                        set_timeout(show, std::time::Duration::ZERO);
                    });
                    // The verdict is on screen; now the image configs, for the explorer.
                    session::load_configs(&client, &mut o).await;
                    if generation.get_value() == mine {
                        set_late.set(Some(Arc::new(o)));
                    }
                }
                Err(f) => set_phase.set(Phase::Failed(f)),
            }
        });
        // The explorer's module is fetched beside the run, its request after the run's first.
        load_module((explorer, set_explorer), explorer_module::explorer_builder);
    };
    // A deep link runs at once; Back and Forward run what the URL says.
    start(History::Replace);
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        params.set(Params::from_query(&location_query()));
        start(History::Keep);
    });
    // Set when it changes only (a memo): not once per progress update.
    let title = Memo::new(move |_| phase.with(|p| title_of(p, &selected.get())));
    Effect::new(move |_| set_title(&title.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start(History::Push);
    };
    let select = move |platform: String| {
        params.update(|p| p.platform = platform.clone());
        push_url(&params.get_untracked(), History::Replace);
        set_selected.set(platform);
    };
    let require = Callback::new(move |c: opk_verify::claimed::ClaimedSigner| {
        params.update(|p| {
            p.owner_id = c.repository_owner_id.clone();
            p.repo = c.repository.clone();
            p.empty_rules.clear();
        });
        start(History::Push);
    });
    let rerun = Callback::new(move |()| start(History::Push));
    let (example, set_example) = signal(0u32);
    // The form is folded when the page opens on a link that names the image and its policy.
    let policy_open =
        params.with_untracked(|p| p.image.trim().is_empty() || !p.has_identity_rule());
    view! {
        <header class="top">
            <h1>"OPK Explorer"</h1>
            <p class="tagline">
                "Browse OCI images and verify their OpenPubkey-signed attestations, entirely in this page."
            </p>
        </header>
        <main id="shell">
            <form class="reference" on:submit=submit>
                <label for="image-ref">"Image reference"</label>
                <div class="row">
                    <input id="image-ref" type="text" placeholder="e.g. ghcr.io/org/app:1.2"
                        spellcheck="false" autocomplete="off" autofocus=true
                        prop:value=move || params.with(|p| p.image.clone())
                        on:input=move |ev| params.update(|p| p.image = event_target_value(&ev))/>
                    <button type="submit" id="go">"Explore and verify"</button>
                </div>
                <p class="examples muted">
                    "Examples (local demo, "<code>"scripts/serve"</code>"): "
                    <a href="?image=127.0.0.1:5000/openpubkey/demo:latest&owner_id=145685596&jwks=http://127.0.0.1:8790/.well-known/jwks">"signed"</a>", "
                    <a href="?image=127.0.0.1:5000/openpubkey/tampered:latest&owner_id=145685596&jwks=http://127.0.0.1:8790/.well-known/jwks">"tampered"</a>", "
                    <a href="?image=127.0.0.1:5000/openpubkey/unsigned:latest&owner_id=145685596&jwks=http://127.0.0.1:8790/.well-known/jwks">"unsigned"</a>", "
                    <a href="?image=127.0.0.1:5000/openpubkey/forged:latest&owner_id=145685596&jwks=http://127.0.0.1:8790/.well-known/jwks">"forged subject"</a>
                    " · offline: "<a href="#offline" id="load-example" on:click=move |ev| {
                        // Loads the example into the offline panel below (no navigation: a
                        // fragment change would read as Back/Forward).
                        ev.prevent_default();
                        set_example.update(|n| *n += 1);
                        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("offline")) {
                            el.scroll_into_view();
                        }
                    }>"Go reference F0 envelope"</a>
                </p>
            </form>
            <PolicyForm params=params open=policy_open on_submit=rerun/>
            <div id="status" class="status" role="status" aria-live="polite">
                {move || match phase.get() {
                    Phase::Idle if tags_view.with(Option::is_some) => ().into_any(),
                    Phase::Idle => view! { <p>"Enter an image reference to explore it."</p> }.into_any(),
                    Phase::Running => view! { <p class="progress"><span class="spinner" aria-hidden="true"></span>{move || stage.get()}</p> }.into_any(),
                    Phase::Failed(f) => { let (class, headline) = match f.state {
                        State::Unreachable => ("unreachable", "Registry unreachable"),
                        State::NotFound => ("not_found", "Not found"),
                        _ => ("failed", "Could not explore this image"),
                    }; view! {
                        <section class=format!("verdict banner {class}") data-state=class>
                            <h2 class="headline">{headline}</h2>
                            <p class="meaning">{f.explanation.meaning.clone()}</p>
                            <p class="action"><strong>"What to do: "</strong>{f.explanation.action.clone()}</p>
                            <p class="reason muted"><code class="code">{f.code}</code>" "{f.message}</p>
                        </section>
                    }.into_any() },
                    // Said to screen readers; the heading below shows it to everyone else.
                    Phase::Done(o) => view! { <p class="sr-only">{format!("Explored {} ({} platforms).", o.reference, o.platforms.len())}</p> }.into_any(),
                }}
            </div>
            {move || tags_view.get().map(|(repository, p)| match tags_builder.get() {
                Some(Ok(build)) => build(repository, p),
                Some(Err(())) => view! { <p class="error tags-error">{tags_module::NOT_LOADED}</p> }.into_any(),
                None => view! { <p class="progress"><span class="spinner" aria-hidden="true"></span>"Loading the tags view…"</p> }.into_any(),
            })}
            {move || match phase.get() {
                Phase::Done(o) => Some(results(o, params, selected, AfterVerdict { details, explorer, late }, select, require)),
                _ => None,
            }}
            <OfflinePanel params=params example=example/>
        </main>
        <footer class="bottom">
            <span id="verifier-version">{format!("opk-verify {}", opk_verify::VERSION)}</span>
            " · verification runs client-side; registries and proxies are not trusted"
        </footer>
    }
}

/// What the results draw after the verdict is painted.
#[derive(Clone, Copy)]
struct AfterVerdict {
    /// Whether the platform panel (checklist and explorer) is drawn yet.
    details: ReadSignal<bool>,
    /// The explorer's builder (`None` while its module loads).
    explorer: ReadSignal<Option<Result<ExplorerBuilder, ()>>>,
    /// What arrived after the verdict (the image configs, the whole fetch log).
    late: ReadSignal<Option<Arc<Outcome>>>,
}

fn results(
    o: Arc<Outcome>,
    params: RwSignal<Params>,
    selected: ReadSignal<String>,
    after: AfterVerdict,
    select: impl Fn(String) + Copy + Send + Sync + 'static,
    require: Callback<opk_verify::claimed::ClaimedSigner>,
) -> impl IntoView {
    let AfterVerdict {
        details,
        explorer,
        late,
    } = after;
    let resolved = &o.image.resolved;
    let unverified = resolved.from_tag.clone().map(|tag| {
        view! {
            <p class="unverified">
                "! The registry resolved tag "<code>{tag}</code>" to this digest: the one unverified step. Everything below is bound to the digest."
            </p>
        }
    });
    let trust = o
        .trust
        .iter()
        .map(|(label, dev)| {
            let kind = if *dev { "dev issuer" } else { "user-supplied trust" };
            view! { <li><span class=if *dev { "badge dev" } else { "badge user" }>{kind}</span>" "<code>{label.clone()}</code></li> }
        })
        .collect_view();
    let tabs = o
        .platforms
        .iter()
        .map(|p| {
            let name = p.platform.clone();
            let (state, _) = classify(&p.verdict);
            let (class, headline) = crate::views::verdict::label(state);
            let n = name.clone();
            view! {
                <button type="button" class=move || format!("tab {class}{}", if selected.get() == n { " selected" } else { "" })
                    aria-pressed=move || (selected.get() == name).to_string()
                    data-platform=p.platform.clone()
                    on:click={let name = p.platform.clone(); move |_| select(name.clone())}>
                    {p.platform.clone()}" · "{headline}
                </button>
            }
        })
        .collect_view();
    let ran_query = o.ran.policy_query();
    let stale = Signal::derive(move || params.with(|p| p.policy_query()) != ran_query);
    let banners = o
        .platforms
        .iter()
        .map(|p| view! { <VerdictBanner platform=p.clone() ran=o.ran.clone() stale=stale require=require sigstore_root=o.sigstore_root/> })
        .collect_view();
    let o2 = o.clone();
    let o3 = o.clone();
    let panel = move || {
        if !details.get() {
            return None;
        }
        let name = selected.get();
        o2.platforms
            .iter()
            .find(|p| p.platform == name)
            .cloned()
            .map(|p| {
                let reference = o2.reference.clone();
                // The config as the verdict had it (a single manifest's), else once it arrives.
                let (name, known) = (p.platform.clone(), p.config.clone());
                let config = Signal::derive(move || {
                    late.with(|l| {
                        l.as_ref()
                            .and_then(|o| o.platforms.iter().find(|q| q.platform == name))
                            .and_then(|q| q.config.clone())
                    })
                    .or_else(|| known.clone())
                });
                let explorer = match explorer.get() {
                    Some(Ok(build)) => build(
                        o2.reference.clone(),
                        o2.ran.proxy.clone(),
                        p.clone(),
                        config,
                    ),
                    Some(Err(())) => {
                        view! { <p class="error explorer-error">{explorer_module::NOT_LOADED}</p> }
                            .into_any()
                    }
                    None => ().into_any(),
                };
                view! {
                    <VerdictPanel reference=reference platform=p/>
                    {explorer}
                }
            })
    };
    // Pinned to the digest this page verified (the tag is the one unverified step).
    let pinned = StoredValue::new(format!(
        "{}/{}@{}",
        o.reference.registry(),
        o.reference.repository(),
        resolved.digest
    ));
    let cli =
        move || params.with(|p| pinned.with_value(|pin| p.cli_command(&selected.get(), Some(pin))));
    let files = o
        .ran
        .cli_files()
        .into_iter()
        .map(|(file, url)| view! { <li><code>{file}</code>": save "<a href=url.clone() rel="noreferrer noopener">{url.clone()}</a>" as this file"</li> })
        .collect_view();
    let tags_href = {
        let mut p = o.ran.clone();
        p.image.clear();
        p.platform.clear();
        p.tags = format!("{}/{}", o.reference.registry(), o.reference.repository());
        p.to_query()
    };
    view! {
        <section class="results" id="results" data-details=move || if details.get() && explorer.with(Option::is_some) { "shown" } else { "pending" }>
            <h2>{o.reference.to_string()}</h2>
            <div class="banners" id="verdicts">{banners}</div>
            {(!o.ran.digest.is_empty()).then(|| view! {
                <ObjectView outcome=o.clone() digest=o.ran.digest.clone() path=o.ran.path.clone() proxy=o.ran.proxy.clone()/>
            })}
            <p class="entry">
                "Top level "<DigestText digest=resolved.digest.to_string()/>
                {format!(" · {} · {}", if o.proxied { "via proxy" } else { "direct" },
                    match &o.image.top { opk_registry::TopLevel::Index(_) => "index", opk_registry::TopLevel::Manifest(_) => "single manifest" })}
                " · "<a class="tags-link" href=tags_href>"tags of this repository"</a>
            </p>
            {unverified}
            <RawJson title="Top-level index" bytes=o.image.bytes.clone()/>
            <ul class="trust">{trust}</ul>
            // Plain toggle buttons (not ARIA tabs, which promise arrow keys and tab panels).
            <div class="tabs" role="group" aria-label="platform">{tabs}</div>
            {panel}
            <div class="cli">
                <span class="muted">"Check it outside the browser: "</span>
                <code id="cli-command">{cli}</code>
                <CopyButton text=move |()| cli() label="copy the command"/>
                <ul class="cli-files muted">{files}</ul>
            </div>
            {move || {
                let fetches = late
                    .with(|l| l.as_ref().map(|o| o.fetches.clone()))
                    .unwrap_or_else(|| o3.fetches.clone());
                view! { <FetchLog fetches=fetches/> }
            }}
        </section>
    }
}
