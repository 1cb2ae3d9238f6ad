// Starts the demo registry seeder (target/debug/opk-demo-registry: docker-registry with CORS, an
// `opk dev-op` issuer, images signed by `opk sign`, a withholding proxy) on free loopback ports,
// and stops it (closing its stdin makes it stop everything it started).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function startDemoRegistry() {
  const child = spawn(`${ROOT}target/debug/opk-demo-registry`, [`${ROOT}target/debug/opk`, '0', '0'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const env = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo registry did not start:\n${out}`)), 60000);
    child.on('exit', (code) => reject(new Error(`demo registry exited ${code}:\n${out}`)));
    child.stdout.on('data', (d) => {
      out += d;
      if (/^READY$/m.test(out)) {
        clearTimeout(timer);
        resolve(Object.fromEntries(out.split('\n').filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])));
      }
    });
  });
  const stopped = new Promise((ok) => child.on('exit', ok));
  return {
    registry: env.OPK_DEMO_REGISTRY,
    issuer: env.OPK_DEV_ISSUER,
    hostileProxy: env.OPK_DEMO_HOSTILE_PROXY,
    referrersApi: env.OPK_DEMO_REFERRERS_API,
    sigstoreRoot: env.OPK_DEMO_SIGSTORE_ROOT,
    stop: async () => { child.stdin.end(); await stopped; },
  };
}
