// A minimal static file server for the built app (dist/) on 127.0.0.1: what `scripts/serve`
// serves the demo with, and what the browser tests and benchmarks load the app from.
//   node web/serve-dist.mjs [PORT]     serves dist/ on PORT (0: any free port) and prints its URL
import { createServer } from 'node:http';
import { brotliCompressSync, constants } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** Serves dist/ (or `root`) under `prefix` (a sub-path such as `/tools/opk/`, to prove relative
 * asset URLs) on `port` (default: any free one). `brotli`: answer clients that accept it with
 * each file compressed at quality 11 (once, then cached), as a static host or CDN would. */
export async function serveDist({ prefix = '/', root = DIST, port = 0, brotli = false } = {}) {
  const compressed = new Map();
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!pathname.startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
    const path = normalize(`/${pathname.slice(prefix.length)}`).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      let body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (brotli && /\bbr\b/.test(req.headers['accept-encoding'] ?? '')) {
        if (!compressed.has(file)) {
          compressed.set(file, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        }
        body = compressed.get(file);
        headers['content-encoding'] = 'br';
      }
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}${prefix}`, close: () => server.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 0);
  const { url } = await serveDist({ port });
  console.log(`serving dist/ at ${url}`);
}
