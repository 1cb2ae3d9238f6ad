// bench/ab/app.mjs A B [image] [rounds] — time to verdict of two release builds of the app
// (directories like dist/: save one, change the code, scripts/build, compare), interleaved on
// the same machine against one demo registry: a fresh browser per run, the order alternating
// each round. Prints both medians and the median of per-round ratios B/A. Single rounds vary
// by tens of percent; run it in both orders before believing a few percent.
//   cp -r dist /tmp/old; (change the code); scripts/build
//   OPK_DEMO_BIG_SBOM=10000 node bench/ab/app.mjs /tmp/old dist big-sbom 9
// Images signed by the test Sigstore (both, sigstore, cosign-v2) need its root: OPK_AB_SIGSTORE=1.
// OPK_AB_SETTLE=1500 waits that long after the form appears before submitting (the page idle,
// its wasm compiled): less noise than submitting at once, as scripts/bench does.
// Needs target/debug/opk and opk-demo-registry (scripts/bench builds them).
import { serveDist } from '../../web/serve-dist.mjs';
import { startDemoRegistry } from '../../web/tests/demo-registry.mjs';
import { median, timeToVerdict } from '../verdict.mjs';

const [a, b, image = 'demo', rounds = '9'] = process.argv.slice(2);
if (!b) throw new Error('usage: node bench/ab/app.mjs A B [image] [rounds]');
const demo = await startDemoRegistry();
const apps = [await serveDist({ root: `${a}/` }), await serveDist({ root: `${b}/` })];
const ms = [[], []];
try {
  for (let r = 0; r < Number(rounds); r++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const query = process.env.OPK_AB_SIGSTORE ? `&trusted_root=${demo.sigstoreRoot}` : '';
      const run = await timeToVerdict(apps[i], demo, image, { query, settle: Number(process.env.OPK_AB_SETTLE ?? 0) });
      if (run.state !== 'verified') throw new Error(`${i ? b : a}: ${JSON.stringify(run)}`);
      ms[i].push(run.ms);
    }
  }
  const ratios = ms[1].map((t, r) => t / ms[0][r]);
  console.log(`${image}, ${rounds} rounds: A ${median(ms[0]).toFixed(0)} ms, B ${median(ms[1]).toFixed(0)} ms, B/A ${median(ratios).toFixed(3)}`);
} finally {
  for (const app of apps) app.close();
  await demo.stop();
}
