/**
 * The web dashboard's server: it listens on 127.0.0.1 only (the socket's address and the
 * kernel's list of listening sockets agree), a port in use is one clear error, it serves the
 * page, vega and vega-lite from the package with a CSP that forbids inline script, answers only
 * Host headers that name it, and streams frames as server-sent events: one at once on connect
 * (after the retry interval) and one right after push().
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebFrame } from '../../src/realtime/dashboard/web-frame';
import {
  isLoopback,
  startWebDashboard,
  type WebDashboard,
} from '../../src/realtime/dashboard/web-server';

let frames = 0;
const frame = () => ({ command: 'test', n: ++frames }) as unknown as WebFrame;
const charts = { 'chart-series': { mark: 'line' } };
const open: WebDashboard[] = [];

async function start(port = 0): Promise<WebDashboard> {
  const web = await startWebDashboard({ port, frame, charts, intervalMs: 60_000 });
  open.push(web);
  return web;
}

afterEach(async () => {
  for (const web of open.splice(0)) await web.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(web: WebDashboard, path: string, host?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: web.port, path, headers: host ? { host } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The first `count` SSE blocks of /events, as text, then the connection is dropped. */
function events(web: WebDashboard, count: number, afterFirst?: () => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path: '/events' }, (res) => {
      let buffer = '';
      const blocks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          blocks.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (blocks.length === 2) afterFirst?.();
          end = buffer.indexOf('\n\n');
        }
        if (blocks.length >= count) {
          req.destroy();
          resolve(blocks.slice(0, count));
        }
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

describe('the web dashboard server', () => {
  it('listens on 127.0.0.1 only, by its own address and by ss -ltn', async () => {
    const web = await start();
    expect(web.host).toBe('127.0.0.1');
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/`);
    let listening: string[];
    try {
      listening = execFileSync('ss', ['-Hltn'], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[3])
        .filter((a) => a?.endsWith(`:${web.port}`));
    } catch {
      // No ss here (iproute2 missing): the socket's own address is the check.
      listening = [`127.0.0.1:${web.port}`];
    }
    expect(listening).toEqual([`127.0.0.1:${web.port}`]);
  });

  it('refuses a port in use with one sentence', async () => {
    const web = await start();
    await expect(start(web.port)).rejects.toMatchObject({
      code: 'BAD_FLAG',
      message: `port ${web.port} on 127.0.0.1 is in use; choose another with --port`,
    });
  });

  it('serves the page and vega builds from the package, with a CSP without inline script', async () => {
    const web = await start();
    const page = await get(web, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-eval';");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    // Every script of the page is one of ours, by path; none is inline.
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1].trim());
    expect(scripts).toEqual([
      'src="/vendor/vega.min.js" defer',
      'src="/vendor/vega-lite.min.js" defer',
      'src="/app.js" defer',
    ]);
    expect(page.body).not.toMatch(/https?:\/\//);
    const vega = await get(web, '/vendor/vega.min.js');
    expect(vega.status).toBe(200);
    expect(vega.body).toBe(readFileSync('node_modules/vega/build/vega.min.js', 'utf8'));
    const vegaLite = await get(web, '/vendor/vega-lite.min.js');
    expect(vegaLite.body).toBe(
      readFileSync('node_modules/vega-lite/build/vega-lite.min.js', 'utf8'),
    );
    expect(JSON.parse((await get(web, '/charts.json')).body)).toEqual(charts);
    expect((await get(web, '/nothing')).status).toBe(404);
  });

  it('serves only its own paths: no way up out of them, by dots, escapes or slashes', async () => {
    const web = await start();
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '//etc/passwd',
      '/vendor/../package.json',
      '/vendor/%2e%2e/%2e%2e/package.json',
      '/vendor/vega.min.js/../../../package.json',
      '/web/app.js',
    ]) {
      const reply = await get(web, path);
      expect([path, reply.status], path).toEqual([path, 404]);
      expect(reply.body).not.toContain('"name": "loglab"');
      expect(reply.body).not.toContain('root:');
    }
  });

  it('answers only Host headers that name this server', async () => {
    const web = await start();
    expect((await get(web, '/', `localhost:${web.port}`)).status).toBe(200);
    expect((await get(web, '/', `evil.example:${web.port}`)).status).toBe(421);
  });

  it('streams a frame on connect and one right after push()', async () => {
    const web = await start();
    frames = 0;
    const blocks = await events(web, 3, () => web.push());
    expect(blocks).toEqual([
      'retry: 1000',
      `event: frame\ndata: ${JSON.stringify({ command: 'test', n: 1 })}`,
      `event: frame\ndata: ${JSON.stringify({ command: 'test', n: 2 })}`,
    ]);
  });

  it('knows the loopback addresses', () => {
    expect(['127.0.0.1', '127.3.2.1', '::1', 'localhost'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '192.168.1.10', '127.0.0.1.example.com'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
