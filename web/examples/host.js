// Fills the example registry page: one row per image with an <opk-verify> badge.
const q = new URLSearchParams(location.search);
const registry = q.get('registry') ?? '127.0.0.1:5000';
const jwks = q.get('jwks') ?? 'http://127.0.0.1:8790/.well-known/jwks';
const iframe = document.body.dataset.mode === 'iframe';
const rows = [
  ['signed', { image: `${registry}/openpubkey/demo:latest`, 'jwks-src': jwks }],
  ['tampered', { image: `${registry}/openpubkey/tampered:latest`, 'jwks-src': jwks }],
  ['offline', {
    'envelope-src': new URL('../examples/go-reference-f0-provenance.dsse.json', location.href).href,
    'subject-digest': 'sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8',
    'jwks-src': new URL('../examples/go-reference-synthetic-op.jwks.json', location.href).href,
  }],
];
const tbody = document.querySelector('#images tbody');
for (const [id, attrs] of rows) {
  const tr = document.createElement('tr');
  const name = document.createElement('td');
  name.textContent = attrs.image ?? 'Go reference F0 envelope (offline)';
  const cell = document.createElement('td');
  const el = document.createElement('opk-verify');
  el.id = id;
  el.setAttribute('owner-id', '145685596');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (iframe) {
    el.setAttribute('mode', 'iframe');
    el.setAttribute('embed-src', new URL('../package/embed.html', location.href).href);
  }
  cell.append(el);
  tr.append(name, cell);
  tbody.append(tr);
}
