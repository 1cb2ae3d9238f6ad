// The fixture shared by the end-to-end test files: the demo registry (demo-registry.mjs) and the
// release app (../serve-dist.mjs) for all of a file's tests.
import { mkdir } from 'node:fs/promises';
import { before, after } from 'node:test';
import { startDemoRegistry } from './demo-registry.mjs';
import { serveDist } from '../serve-dist.mjs';

/** For one test file: the demo registry and the release app (dist/) shared by all its tests,
 * started before them and stopped after, and the screenshot directory made. */
export function withDemoAndApp(artifacts) {
  const env = { demo: undefined, app: undefined };
  before(async () => {
    await mkdir(artifacts, { recursive: true });
    env.demo = await startDemoRegistry();
    env.app = await serveDist();
  });
  after(async () => {
    env.app?.close();
    await env.demo?.stop();
  });
  return env;
}
