//! The verification panel of one platform: one clear verdict (verified, invalid, unsigned,
//! withheld or not found, unreachable — five different states), the checklist in `docker verify`'s
//! words (the same lines the CLI prints), the signer identity, the key that verified and the
//! format.

use leptos::prelude::*;
use opk_pipeline::report::{verdict_lines, Line};
use opk_pipeline::{ImageVerdict, Outcome, State};
use opk_registry::Reference;
use opk_verify::{KeySource, TokenOutcome, GITHUB_ACTIONS_ISSUER};

use crate::session::{Failure, PlatformView};

/// The CSS class (the state's stable name) and the headline of a state.
pub fn label(state: State) -> (&'static str, &'static str) {
    let headline = match state {
        State::Verified => "✓ Verified",
        State::Invalid => "✗ Invalid",
        State::Unsigned => "Unsigned",
        State::Withheld => "Withheld or not found",
        State::Unreachable => "Registry unreachable",
    };
    (state.as_str(), headline)
}

/// The state and failure of a platform's verification: the pipeline's, never derived from an
/// error code.
pub fn classify(v: &Result<ImageVerdict, Failure>) -> (State, Option<Failure>) {
    match v {
        Ok(verdict) => (verdict.state(), verdict.error.as_ref().map(Failure::from)),
        Err(f) => (f.state, Some(f.clone())),
    }
}

fn first_token(v: &ImageVerdict) -> Option<&TokenOutcome> {
    v.attestations.iter().find_map(|a| match &a.outcome {
        Outcome::OpenPubkey(ok) => ok.tokens.first(),
        _ => None,
    })
}

/// The panel.
#[component]
pub fn VerdictPanel(reference: Reference, platform: PlatformView) -> impl IntoView {
    let (state, failure) = classify(&platform.verdict);
    let (class, headline) = label(state);
    // A verdict that rests on keys the user (or a shared link) supplied says so in the headline.
    let qualifier = match (&*platform.verdict, state) {
        (Ok(v), State::Verified) => match first_token(v).map(|t| &t.key.source) {
            Some(KeySource::DevIssuer { .. }) => " — with dev issuer keys",
            Some(KeySource::UserSupplied { .. }) => " — with user-supplied keys",
            _ => "",
        },
        _ => "",
    };
    let reason = failure.map(|f| {
        view! { <p class="reason"><code class="code">{f.code}</code>" "{f.message}</p> }
    });
    let details = match &*platform.verdict {
        Ok(v) => Some(details(&reference, v)),
        Err(_) => None,
    };
    view! {
        <section class=format!("verdict {class}") data-state=class>
            <h3 class="headline">{headline}{qualifier}</h3>
            {reason}
            {details}
        </section>
    }
}

fn details(reference: &Reference, v: &ImageVerdict) -> impl IntoView {
    let lines = verdict_lines(reference, v)
        .into_iter()
        .map(|l| {
            let (class, text) = match &l {
                Line::Unverified(t) => ("unverified", t.clone()),
                Line::Heading(t) => ("heading", t.clone()),
                Line::Pass(t) => ("pass", format!("✓ {t}")),
                Line::Fail(t) => ("fail", format!("✗ {t}")),
                Line::Skipped(t) => ("skipped", t.clone()),
                Line::Blank => ("blank", String::new()),
                Line::Verdict { ok: true, text } => ("final ok", text.clone()),
                Line::Verdict { ok: false, text } => ("final bad", format!("✗ {text}")),
            };
            view! { <li class=class>{text}</li> }
        })
        .collect_view();
    let identity = first_token(v).map(identity);
    view! {
        <ol class="checklist">{lines}</ol>
        {identity}
    }
}

fn identity(t: &TokenOutcome) -> impl IntoView {
    let claim = |k: &str| {
        t.claims
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let dev = matches!(t.key.source, KeySource::DevIssuer { .. });
    let user = matches!(t.key.source, KeySource::UserSupplied { .. });
    let (repo, run) = (claim("repository"), claim("run_id"));
    let run_link = (!repo.is_empty() && !run.is_empty()).then(|| {
        let url = format!("https://github.com/{repo}/actions/runs/{run}");
        view! { <a href=url.clone() rel="noreferrer noopener" target="_blank">{url.clone()}</a> }
    });
    let window = t
        .key
        .window
        .map(|w| format!("{} – {}", w.not_before, w.not_after))
        .unwrap_or_else(|| "no dated window".to_owned());
    let trust_badge = if dev {
        Some(view! { <span class="badge dev">"dev issuer"</span> })
    } else if user {
        Some(view! { <span class="badge user">"user-supplied trust"</span> })
    } else {
        None
    };
    let issuer_note = (t.key.issuer != GITHUB_ACTIONS_ISSUER).then(|| t.key.issuer.clone());
    view! {
        <dl class="identity">
            <dt>"Repository"</dt><dd>{repo.clone()}</dd>
            <dt>"Owner id"</dt><dd>{format!("{} ({})", claim("repository_owner_id"), claim("repository_owner"))}</dd>
            <dt>"Workflow"</dt><dd>{claim("workflow_ref")}</dd>
            <dt>"Ref"</dt><dd>{claim("ref")}</dd>
            <dt>"Commit"</dt><dd><code>{claim("sha")}</code></dd>
            <dt>"Run"</dt><dd>{run_link}</dd>
            <dt>"Issuer"</dt><dd>{t.key.issuer.clone()}{issuer_note.map(|_| " (not GitHub Actions)")}</dd>
            <dt>"Key"</dt>
            <dd>
                <code>{t.key.kid.clone()}</code>" · "{t.key.source.describe()}" · "{window}" "{trust_badge}
            </dd>
            <dt>"Format"</dt>
            <dd>{t.format.map(|f| f.to_string()).unwrap_or_default()}" · OP signature by "{t.op_scheme}</dd>
        </dl>
    }
}
