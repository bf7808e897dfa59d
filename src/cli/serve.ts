// `corescope serve`: the same renderer and API as the Electron app, for any Chromium, on
// loopback only. A random token in the page URL and an Origin check guard the WebSocket, so
// another site open in the same browser (or another local user's page) cannot drive workloads.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { CoreScopeApi } from '../shared/api';
import { attachConnection } from './serve/connection';
import { openInAppWindow } from './serve/openBrowser';
import { MAX_MESSAGE_BYTES } from '../shared/wire';
import { findRendererDir, serveStatic } from './serve/staticFiles';
import { contentSecurityPolicy } from '../shared/csp';

export interface ServeOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Loopback only; the option exists so callers state it, not to widen it. */
  host?: '127.0.0.1';
  engine: CoreScopeApi;
  /** Open a Chromium/Chrome app window on the URL when one is installed. */
  open?: boolean;
  /** Where the built renderer is; found from the package root when absent. */
  rendererDir?: string;
}

export interface ServeHandle {
  /** The page URL including the token: the only way in. */
  url: string;
  token: string;
  /** Whether --open found a browser to open. */
  opened: boolean;
  /** Stops listening and drops every connection (runs they started are cancelled). Does not dispose the engine. */
  close(): Promise<void>;
}

/** The path the page opens its WebSocket on: `/api?token=…`. */
export const WS_PATH = '/api';

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const host = '127.0.0.1';
  if (options.host !== undefined && options.host !== host) throw Object.assign(new Error('serve listens on 127.0.0.1 only'), { field: 'host' });
  const token = randomBytes(24).toString('base64url');
  const rendererDir = options.rendererDir ?? findRendererDir();
  let origin = '';
  let csp = '';

  const server = createServer((req, res) => {
    try {
      // A DNS-rebinding page reaches us with a foreign Host header: refuse it.
      if (!isOwnHost(req)) {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end(`wrong Host header; open ${origin}/ instead\n`);
        return;
      }
      serveStatic(rendererDir, csp, req, res);
    } catch {
      // Nothing a client sends may end the process (and with it every live run): a request
      // this code did not foresee is answered 500, or dropped if the answer had begun.
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error\n');
    }
  });
  // Requests Node's parser refuses (a malformed request line, headers over the size limit) are
  // left to its default 'clientError' handling: a 400/431 when possible, then the socket is
  // dropped; nothing reaches the handlers here. The fuzz test holds that to account.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const isOwnHost = (req: IncomingMessage) => req.headers.host === origin.slice('http://'.length);

  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    // Node takes its own error handler off a socket it hands over for an upgrade: without this,
    // a client that resets the connection while it is refused would crash the server.
    socket.on('error', () => socket.destroy());
    try {
      handleUpgrade(req, socket, head);
    } catch {
      refuseUpgrade(socket, '400 Bad Request', 'bad upgrade request\n');
    }
  });
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      return refuseUpgrade(socket, '400 Bad Request', 'the request path is not a valid URL\n');
    }
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, '404 Not Found', `no WebSocket endpoint at ${url.pathname}; use ${WS_PATH}?token=…\n`);
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      return refuseUpgrade(socket, '401 Unauthorized', 'missing or wrong token: open the URL that `corescope serve` printed\n');
    }
    if (req.headers.origin !== origin) {
      return refuseUpgrade(socket, '403 Forbidden', `Origin ${JSON.stringify(req.headers.origin ?? null)} is not allowed; only ${origin} may connect\n`);
    }
    if (!isOwnHost(req)) return refuseUpgrade(socket, '421 Misdirected Request', 'wrong Host header\n');
    wss.handleUpgrade(req, socket, head, (ws) => attachConnection(ws, options.engine));
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  csp = contentSecurityPolicy({ connect: [`ws://${host}:${port}`] });
  const url = `${origin}/?token=${token}`;
  const opened = options.open ? openInAppWindow(url).opened : false;

  return {
    url,
    token,
    opened,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
