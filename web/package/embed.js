// The embed page's script (see embed.html).
import { run } from './opk-verify.js';

window.addEventListener('message', async (ev) => {
  if (ev.data?.type !== 'opk-verify:request' || ev.source !== window.parent) return;
  let reply;
  try {
    reply = { type: 'opk-verify:report', id: ev.data.id, report: await run(ev.data.request) };
  } catch (e) {
    reply = { type: 'opk-verify:report', id: ev.data.id, error: { code: e?.code ?? 'error', message: e?.message ?? String(e) } };
  }
  ev.source.postMessage(reply, ev.origin);
});
window.parent.postMessage({ type: 'opk-verify:ready' }, '*');
