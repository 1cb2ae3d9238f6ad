// bench/ab/cold.mjs A B [rounds] — cold loads of two release builds of the app (directories like
// dist/), interleaved against one demo registry: the deep link to the demo image's verdict with
// an empty cache under Chromium's network emulation, at 10 Mbit/s with 40 ms round trips and at
// 1.6 Mbit/s with 150 ms (bench/cold-load.mjs, as scripts/bench measures them), both builds
// served brotli. Prints each build's median and the median of per-round ratios B/A.
//   cp -r dist /tmp/old; (change the code); scripts/build; node bench/ab/cold.mjs /tmp/old dist 5
// Needs target/debug/opk and opk-demo-registry (scripts/bench builds them).
import { readdir } from 'node:fs/promises';
import { serveDist } from '../../web/serve-dist.mjs';
import { startDemoRegistry } from '../../web/tests/demo-registry.mjs';
import { coldLoad } from '../cold-load.mjs';
import { median } from '../verdict.mjs';

const [a, b, rounds = '5'] = process.argv.slice(2);
if (!b) throw new Error('usage: node bench/ab/cold.mjs A B [rounds]');
const demo = await startDemoRegistry();
const dirs = [a, b];
const apps = [await serveDist({ root: `${a}/`, brotli: true }), await serveDist({ root: `${b}/`, brotli: true })];
try {
  // The server compresses each file once, on its first request: not what a visitor waits for.
  for (const [i, app] of apps.entries()) {
    for (const f of (await readdir(dirs[i])).filter((n) => /\.(wasm|js|css|html)$/.test(n))) {
      await (await fetch(`${app.url}${f}`, { headers: { 'accept-encoding': 'br' } })).arrayBuffer();
    }
  }
  const link = (app) => `${app.url}?image=${demo.registry}/openpubkey/demo:latest&owner_id=145685596&jwks=${demo.issuer}/.well-known/jwks`;
  for (const [kbps, rtt] of [[10000, 40], [1600, 150]]) {
    const ms = [[], []];
    const bytes = [[], []];
    for (let r = 0; r < Number(rounds); r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const run = await coldLoad(link(apps[i]), { kbps, rtt });
        if (run.state !== 'verified') throw new Error(`${dirs[i]}: ${JSON.stringify(run)}`);
        ms[i].push(run.ms);
        bytes[i].push(run.bytes);
      }
    }
    const ratios = ms[1].map((t, r) => t / ms[0][r]);
    console.log(`${kbps / 1000} Mbit/s, ${rtt} ms, ${rounds} rounds: A ${(median(ms[0]) / 1000).toFixed(2)} s (${median(bytes[0])} B), `
      + `B ${(median(ms[1]) / 1000).toFixed(2)} s (${median(bytes[1])} B), B/A ${median(ratios).toFixed(3)}`);
  }
} finally {
  for (const app of apps) app.close();
  await demo.stop();
}
