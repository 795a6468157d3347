/**
 * The live dashboard in a browser: a small HTTP server that serves one page and pushes the
 * engine's frames (web-frame.ts) to it as server-sent events.
 *
 *   engine ─▶ frame() ─▶ GET /events (text/event-stream, one `frame` event a second and one
 *                         at once after an alert) ─▶ page: DOM text + vega views updated in place
 *
 * What we decided:
 * - Node's own `http`, no framework. The server has six fixed routes, one of them a long-lived
 *   response; a framework would add a dependency (and its updates) for routing we do not need,
 *   and SSE is a plain response that stays open. Everything it serves is in memory from the start.
 * - Server-sent events, not WebSockets: the data flows one way, EventSource reconnects by itself
 *   (the `retry:` field sets how soon), and it is plain HTTP with nothing to add to Node.
 * - Every asset comes from the package: the page, its script and style from ./web/, vega and
 *   vega-lite from their own builds in node_modules. No CDN, so the page works offline and makes
 *   no request beyond this server.
 * - Bound to 127.0.0.1 unless the caller says otherwise. Bound to a loopback address, it also
 *   refuses requests whose Host header names another host (a DNS-rebinding page cannot read it).
 * - A Content-Security-Policy allows scripts from this server only (no inline script), as a second
 *   line of defence: the page already writes log-line text only through textContent. vega needs
 *   'unsafe-eval' (it compiles its expressions with Function).
 * - A port in use (or a host that is not ours) is one LoglabError line, before the run starts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badFlag, LoglabError } from '../../errors';
import type { WebFrame } from './web-frame';

export const DEFAULT_WEB_HOST = '127.0.0.1';
export const DEFAULT_WEB_PORT = 8080;
/** How often a frame is sent when nothing else happens. */
export const FRAME_INTERVAL_MS = 1000;
/** How soon a page reconnects after losing the server (the SSE `retry:` field). */
export const RECONNECT_MS = 1000;

export interface WebDashboardOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The frame to send now. */
  readonly frame: () => WebFrame;
  /** vega-lite specs by the id of the element the page draws them in. */
  readonly charts: Readonly<Record<string, unknown>>;
  readonly intervalMs?: number;
}

export interface WebDashboard {
  /** http://host:port/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Send a frame to every page soon (once per turn of the event loop, however often called). */
  push(): void;
  /** Pages connected now. */
  clients(): number;
  /** End every event stream and stop listening. */
  close(): Promise<void>;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  type: string;
  body: Buffer;
}

function loadAssets(charts: Readonly<Record<string, unknown>>): Map<string, Asset> {
  const web = fileURLToPath(new URL('./web/', import.meta.url));
  const require = createRequire(import.meta.url);
  // Their package.json files list the browser builds (unpkg) next to the entry points.
  const vegaBuild = dirname(require.resolve('vega'));
  const vegaLiteBuild = dirname(require.resolve('vega-lite'));
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: readFileSync(join(web, 'index.html')) }],
    ['/app.js', { type: js, body: readFileSync(join(web, 'app.js')) }],
    ['/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(join(web, 'app.css')) }],
    ['/vendor/vega.min.js', { type: js, body: readFileSync(join(vegaBuild, 'vega.min.js')) }],
    [
      '/vendor/vega-lite.min.js',
      { type: js, body: readFileSync(join(vegaLiteBuild, 'vega-lite.min.js')) },
    ],
    [
      '/charts.json',
      { type: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(charts)) },
    ],
  ]);
}

/** 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Host header values a loopback-bound server answers: its own address or localhost. */
function allowedHosts(host: string, port: number): Set<string> {
  const name = host.includes(':') ? `[${host}]` : host;
  return new Set([`${name}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
}

export async function startWebDashboard(options: WebDashboardOptions): Promise<WebDashboard> {
  const host = options.host ?? DEFAULT_WEB_HOST;
  const assets = loadAssets(options.charts);
  const streams = new Set<ServerResponse>();
  let hosts: Set<string> | null = null;

  const send = (res: ServerResponse, frame: string) => {
    res.write(`event: frame\ndata: ${frame}\n\n`);
  };
  const broadcast = () => {
    if (streams.size === 0) return;
    const frame = JSON.stringify(options.frame());
    for (const res of streams) send(res, frame);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const common = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (hosts !== null && !hosts.has(req.headers.host ?? '')) {
      res.writeHead(421, { ...common, 'Content-Type': 'text/plain' }).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/events') {
      res.writeHead(200, {
        ...common,
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.socket?.setNoDelay(true);
      res.write(`retry: ${RECONNECT_MS}\n\n`);
      send(res, JSON.stringify(options.frame()));
      streams.add(res);
      const forget = () => streams.delete(res);
      req.on('close', forget);
      res.on('error', forget);
      return;
    }
    const asset = assets.get(path);
    if (asset === undefined) {
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      ...common,
      'Content-Type': asset.type,
      'Content-Length': asset.body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };

  const server = createServer(handle);
  const port = await listen(server, host, options.port ?? DEFAULT_WEB_PORT);
  if (isLoopback(host)) hosts = allowedHosts(host, port);
  const timer = setInterval(broadcast, options.intervalMs ?? FRAME_INTERVAL_MS);
  let pushing = false;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    host,
    port,
    push() {
      if (pushing) return;
      pushing = true;
      setImmediate(() => {
        pushing = false;
        broadcast();
      });
    },
    clients: () => streams.size,
    close() {
      clearInterval(timer);
      // One last frame (the final figures), then the streams end: pages show they lost us.
      broadcast();
      for (const res of streams) res.end();
      streams.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Listen, or one clear line for the usual reasons a port cannot be had. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.close();
      if (err.code === 'EADDRINUSE') {
        reject(badFlag(`port ${port} on ${host} is in use; choose another with --port`));
      } else if (err.code === 'EACCES') {
        reject(
          badFlag(`port ${port} on ${host} needs privileges; choose one above 1023 with --port`),
        );
      } else if (
        err.code === 'EADDRNOTAVAIL' ||
        err.code === 'ENOTFOUND' ||
        err.code === 'EAI_AGAIN'
      ) {
        reject(badFlag(`--host ${host} is not an address of this machine`));
      } else {
        reject(
          new LoglabError('IO', `cannot listen on ${host}:${port}: ${err.message}`, { cause: err }),
        );
      }
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
