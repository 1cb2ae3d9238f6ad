//! The verification details of one platform, under its banner (`banner.rs`): the checklist in
//! `docker verify`'s words (the same lines the CLI prints), folded, failures first; the signer
//! identity, the key that verified and the format. And the states' names and headlines.

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
        State::NotFound => "Not found",
        State::NotVerified => "Not verified",
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

/// The panel: the folded checklist and the signer's details (nothing when the verification
/// did not run: the banner says why).
#[component]
pub fn VerdictPanel(reference: Reference, platform: PlatformView) -> impl IntoView {
    match &*platform.verdict {
        Ok(v) => Some(details(&reference, v)),
        Err(_) => None,
    }
}

fn line_view(l: &Line) -> impl IntoView {
    let (class, text) = match l {
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
}

fn details(reference: &Reference, v: &ImageVerdict) -> impl IntoView {
    // The tag's resolution is said once, above the banners.
    let all: Vec<Line> = verdict_lines(reference, v)
        .into_iter()
        .filter(|l| !matches!(l, Line::Unverified(_)))
        .collect();
    let failed: Vec<&Line> = all.iter().filter(|l| matches!(l, Line::Fail(_))).collect();
    let passed = all.iter().filter(|l| matches!(l, Line::Pass(_))).count();
    let summary = if failed.is_empty() {
        format!("Checks: {passed} passed")
    } else {
        format!("Checks: {} failed, {passed} passed", failed.len())
    };
    let failures = (!failed.is_empty()).then(|| {
        let items = failed.into_iter().map(line_view).collect_view();
        view! { <ol class="checklist failures">{items}</ol> }
    });
    let lines = all.iter().map(line_view).collect_view();
    let identity = first_token(v).map(identity);
    view! {
        <details class="checks">
            <summary>{summary}</summary>
            {failures}
            <ol class="checklist">{lines}</ol>
        </details>
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
