// <opk-verify>: a compact OpenPubkey verdict badge with an expandable checklist, for registry UIs.
// Verification runs in the browser (the wasm next to this file); nothing a server says is trusted.
//
//   <opk-verify image="ghcr.io/org/app:1.2" owner-id="123" repository="org/app"
//               proxy="https://proxy.example/" platform="linux/amd64"></opk-verify>
//   <opk-verify envelope-src="att.dsse.json" subject-digest="sha256:…" owner-id="123"
//               jwks-src="keys.json"></opk-verify>
//
// Attributes: image | envelope-src (+ subject-digest, subject-name); owner-id, repository,
// workflow-ref, ref, predicates (comma-separated); jwks-src (comma-separated URLs of extra issuer
// key sets: user-supplied trust); proxy; platform. For hosts whose Content-Security-Policy forbids
// WebAssembly, mode="iframe" embed-src="…/embed.html" runs the verification in an iframe on the
// package's own origin and talks to it with postMessage. theme="light|dark" overrides the
// colours, which otherwise follow the host page's `color-scheme` (never the OS alone).
//
// A misconfigured element (no identity rule, a misspelt or empty attribute, a key set that does
// not load, a wasm that does not load) shows a neutral "Not verified", never "Invalid": that
// state is for images that fail verification. The reason goes to the console for the host's
// developer. Text inside the element (`<opk-verify …>signature not checked</opk-verify>`) is
// what a browser shows when this module does not load at all.
import init, { verifyImage, verifyEnvelopeAsync } from './opk_js.js';

let ready;
/** Loads the wasm once per page. */
export function load() {
  ready ??= init({ module_or_path: new URL('./opk_js_bg.wasm', import.meta.url) });
  return ready;
}

/**
 * The state a report describes: an image report carries the pipeline's `state` (verified,
 * invalid, unsigned, withheld or unreachable), never re-derived here from an error code; an
 * envelope or token report verifies or not.
 */
export function stateOf(report) {
  if (report.state) return report.state;
  return report.verified ? 'verified' : 'invalid';
}

const SCHEMES = { open_pubkey: 'OpenPubkey', sigstore: 'Sigstore', cosign: 'cosign v2', notation: 'Notation' };

/** The schemes of an image report's verified attestations, as shown beside the badge. */
export function schemesOf(report) {
  return [...new Set((report.attestations ?? []).filter((a) => a.verified && a.scheme).map((a) => SCHEMES[a.scheme] ?? a.scheme))];
}

const HEADLINES = {
  verified: '✓ Verified', invalid: '✗ Invalid', unsigned: 'Unsigned',
  withheld: 'Withheld or not found', unreachable: 'Registry unreachable',
  not_verified: 'Not verified', not_found: 'Not found',
};

async function fetchText(url) {
  const r = await fetch(url);
  if (!r.ok) throw { code: 'http_error', message: `${url}: HTTP ${r.status}` };
  return r.text();
}

/** Builds the policy object of the JS API from an element's attributes. An identity attribute
 * that is present but empty (owner-id="", a template's unset variable) is passed on as empty,
 * and the API refuses it: it never silently becomes "no rule". */
export async function policyOf(el) {
  const attr = (n) => el.getAttribute(n) || undefined;
  const rule = (n) => (el.hasAttribute(n) ? el.getAttribute(n) : undefined);
  const list = (n) => (attr(n) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const jwks = [];
  for (const url of list('jwks-src')) jwks.push({ label: url, json: await fetchText(url) });
  const root = attr('trusted-root-src');
  return {
    ownerId: rule('owner-id'), repository: rule('repository'), workflowRef: rule('workflow-ref'),
    ref: rule('ref'), predicates: list('predicates'), jwks,
    subjectDigest: attr('subject-digest'), subjectName: attr('subject-name'),
    certIdentity: rule('cert-identity'), certIdentityPrefix: rule('cert-identity-prefix'),
    certOidcIssuers: list('cert-oidc-issuers'),
    trustedRoot: root === undefined ? undefined : await fetchText(root),
  };
}

/** Runs one request (the same shape the iframe mode posts). */
export async function run(request) {
  await load();
  if (request.image) return verifyImage(request.image, request.policy, request.options);
  const bytes = new Uint8Array(await (await fetch(request.envelopeSrc)).arrayBuffer());
  return verifyEnvelopeAsync(bytes, request.policy);
}

// light-dark() follows the used `color-scheme`, which the element inherits from the host page
// (light unless the host opts in to dark): a white registry UI keeps dark text, whatever the OS.
const STYLE = `
:host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; color: CanvasText; }
:host([theme=light]) { color-scheme: light; } :host([theme=dark]) { color-scheme: dark; }
.badge { display: inline-flex; gap: .4em; align-items: center; padding: .15em .6em; border-radius: 999px;
  border: 1px solid currentColor; font-weight: 600; }
.verified, li.pass { color: light-dark(#1a7f37, #3fb950); }
.invalid, li.fail { color: light-dark(#cf222e, #f85149); }
.unsigned { color: light-dark(#9a6700, #d29922); } .withheld { color: light-dark(#6639ba, #a371f7); }
.unreachable, .pending, .not_verified, .not_found { color: light-dark(#57606a, #8d96a0); }
details { margin-top: .3em; } summary { cursor: pointer; }
ol { list-style: none; padding: 0; margin: .3em 0; font-size: 12px; }
code { font-size: 12px; }`;

function lineClass(l) {
  const t = l.trimStart();
  return t.startsWith('✓') ? 'pass' : t.startsWith('✗') ? 'fail' : '';
}

/** Renders a report into a shadow root. */
export function render(root, report) {
  const state = stateOf(report);
  const schemes = schemesOf(report);
  const lines = report.lines ?? (report.checks ?? []).map((c) => `${c.ok ? '✓' : '✗'} ${c.message}`);
  const error = report.error ? `<p><code>${esc(report.error.code)}</code> ${esc(report.error.message)}</p>` : '';
  const key = report.key ?? report.attestations?.find((a) => a.key)?.key;
  root.innerHTML = `<style>${STYLE}</style>
    <span class="badge ${state}" part="badge" data-state="${state}">${HEADLINES[state]}${
      key && /^dev issuer/.test(key.source) ? ' <small>(dev issuer)</small>'
        : key && /^user-supplied/.test(key.source) ? ' <small>(user-supplied keys)</small>' : ''}${
      state === 'verified' && schemes.length ? ` <small class="schemes" part="schemes">${esc(schemes.join(' + '))}</small>` : ''}</span>
    <details part="details"><summary>Checks</summary>${error}
      <ol>${lines.filter((l) => l.trim()).map((l) => `<li class="${lineClass(l)}">${esc(l.trim())}</li>`).join('')}</ol>
    </details>`;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

let nextId = 0;
/** Runs a request in an iframe on the embed page's origin (for hosts that forbid wasm). */
function viaIframe(src, request) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.src = src;
    const id = `opk-${++nextId}`;
    const origin = new URL(src, location.href).origin;
    const onMessage = (ev) => {
      if (ev.source !== frame.contentWindow || ev.origin !== origin) return;
      if (ev.data?.type === 'opk-verify:ready') {
        frame.contentWindow.postMessage({ type: 'opk-verify:request', id, request }, origin);
      } else if (ev.data?.type === 'opk-verify:report' && ev.data.id === id) {
        window.removeEventListener('message', onMessage);
        frame.remove();
        (ev.data.error ? reject(ev.data.error) : resolve(ev.data.report));
      }
    };
    window.addEventListener('message', onMessage);
    document.body.append(frame);
  });
}

export class OpkVerifyElement extends HTMLElement {
  static observedAttributes = ['image', 'envelope-src', 'subject-digest', 'owner-id', 'repository',
    'workflow-ref', 'ref', 'predicates', 'jwks-src', 'proxy', 'platform', 'cert-identity',
    'cert-identity-prefix', 'cert-oidc-issuers', 'trusted-root-src'];

  connectedCallback() {
    this.root ??= this.attachShadow({ mode: 'open' });
    this.refresh();
  }

  attributeChangedCallback() {
    if (this.root) this.refresh();
  }

  async refresh() {
    const token = (this.token = {});
    this.root.innerHTML = `<style>${STYLE}</style><span class="badge pending" data-state="pending">Verifying…</span>`;
    let report;
    try {
      const request = {
        image: this.getAttribute('image') || undefined,
        envelopeSrc: this.getAttribute('envelope-src') ? new URL(this.getAttribute('envelope-src'), location.href).href : undefined,
        policy: await policyOf(this),
        options: { platform: this.getAttribute('platform') || undefined, proxy: this.getAttribute('proxy') || undefined },
      };
      report = this.getAttribute('mode') === 'iframe'
        ? await viaIframe(this.getAttribute('embed-src'), request)
        : await run(request);
    } catch (e) {
      // The API rejects only for its inputs (options, policy, reference), and a key set, root or
      // wasm that does not load rejects here too: the element's configuration, not the image.
      const error = { code: e?.code ?? 'error', message: e?.message ?? String(e) };
      console.warn(`<opk-verify>: not verified because of the element's configuration: ${error.code}: ${error.message}`, this);
      report = { verified: false, state: 'not_verified', error };
    }
    if (token !== this.token) return;
    render(this.root, report);
    this.report = report;
    this.dispatchEvent(new CustomEvent('opk-verdict', { detail: report, bubbles: true }));
  }
}

if (!customElements.get('opk-verify')) customElements.define('opk-verify', OpkVerifyElement);
