// Serves the built renderer (out/renderer) read-only. Paths are resolved inside the root and
// anything that escapes it is a 404, so a crafted URL cannot read other files on the machine.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Finds out/renderer by walking up from this module to the package root: the same code runs
 * bundled (out/cli/index.js) and from source under tsx (src/cli/serve/…) in the tests.
 */
export function findRendererDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/**
 * The decoded path of a request target, or null when it is not one: `new URL` throws on targets
 * like `//[` and decodeURIComponent on `%`, `%ff` or a cut-off UTF-8 sequence. Whatever a client
 * sends is answered (400), never thrown.
 */
export function requestPath(target: string | undefined): string | null {
  try {
    return decodeURIComponent(new URL(target ?? '/', 'http://x').pathname);
  } catch {
    return null;
  }
}

export function serveStatic(root: string | null, csp: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' }).end('method not allowed\n');
    return;
  }
  if (!root) {
    res
      .writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end('The CoreScope UI is not built yet (out/renderer/index.html is missing). Run: npm run build\n');
    return;
  }
  const urlPath = requestPath(req.url);
  if (urlPath === null) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request: the path is not a valid URL path\n');
    return;
  }
  const relative = urlPath === '/' ? 'index.html' : normalize(urlPath).replace(/^[/\\]+/, '');
  const file = resolve(root, relative);
  if ((file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  // The token travels in the page URL; no-referrer keeps it from leaking to anything the page loads.
  if (extname(file) === '.html') headers['Content-Security-Policy'] = csp;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  else {
    // A file that vanishes or turns unreadable between the check and the read must end this
    // response, not (as an unhandled stream error) the whole server.
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
