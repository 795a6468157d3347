/** A generated day looks like a shop's day: curve, status mix, sessions, clients, routes. */
import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import { recordsOf } from './log-stats';

const records: LogRecord[] = recordsOf(defaultOptions());
const SITE = 'https://shop.example.com';

function count(keep: (r: LogRecord) => boolean): number {
  let n = 0;
  for (const r of records) if (keep(r)) n++;
  return n;
}

describe('diurnal curve', () => {
  it('has its peak in the evening and its trough at night', () => {
    const hours = new Array<number>(24).fill(0);
    for (const r of records) hours[new Date(r.time).getUTCHours()]++;
    const peak = hours.indexOf(Math.max(...hours));
    expect(peak).toBeGreaterThanOrEqual(18);
    expect(peak).toBeLessThanOrEqual(21);
    expect(hours[20]).toBeGreaterThan(4 * hours[4]);
    expect(hours[12]).toBeGreaterThan(2 * hours[4]);
  });
});

describe('status mix', () => {
  it('is mostly 200 with some 304, redirects, 404 and rare 5xx', () => {
    const share = (s: number) => count((r) => r.status === s) / records.length;
    expect(share(200)).toBeGreaterThan(0.8);
    expect(share(304)).toBeGreaterThan(0.01);
    expect(share(301)).toBeGreaterThan(0.001);
    expect(share(302)).toBeGreaterThan(0.001);
    expect(share(404)).toBeGreaterThan(0.005);
    expect(share(404)).toBeLessThan(0.05);
    const fivexx = count((r) => r.status >= 500) / records.length;
    expect(fivexx).toBeGreaterThan(0);
    expect(fivexx).toBeLessThan(0.003);
  });

  it('answers 304 only for static files', () => {
    const paths = new Set(records.filter((r) => r.status === 304).map((r) => r.path));
    expect([...paths].filter((p) => !(p?.startsWith('/static/') || p === '/favicon.ico'))).toEqual(
      [],
    );
  });

  it('writes "-" for the size exactly when there is no body: 204, 302, 304 and HEAD', () => {
    const wrong = records.filter(
      (r) =>
        (r.status === 204 || r.status === 302 || r.status === 304 || r.method === 'HEAD') !==
        (r.bytes === null),
    );
    expect(wrong).toEqual([]);
  });

  it('sends 301 from old product URLs and 302 after form posts', () => {
    const redirects = new Set(
      records
        .filter((r) => r.status === 301 || r.status === 302)
        .map((r) => `${r.method} ${r.path?.split('/')[1]} ${r.status}`),
    );
    expect([...redirects].sort()).toEqual([
      'GET products 301',
      'POST cart 302',
      'POST checkout 302',
      'POST login 302',
    ]);
  });
});

describe('clients and sessions', () => {
  it('gives every address one user agent, so a session keeps its IP and browser', () => {
    const agents = new Map<string, Set<string | null>>();
    for (const r of records) {
      const set = agents.get(r.ip) ?? new Set();
      set.add(r.userAgent);
      agents.set(r.ip, set);
    }
    expect([...agents].filter(([, set]) => set.size !== 1)).toEqual([]);
    // Thousands of visitors, each making a run of requests.
    expect(agents.size).toBeGreaterThan(2_000);
    expect(agents.size).toBeLessThan(10_000);
  });

  it('has IPv4 clients and some IPv6 clients', () => {
    const ips = new Set(records.map((r) => r.ip));
    const v6 = [...ips].filter((ip) => ip.includes(':')).length / ips.size;
    expect(v6).toBeGreaterThan(0.1);
    expect(v6).toBeLessThan(0.35);
    expect(
      [...ips].filter((ip) => !ip.includes(':') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)),
    ).toEqual([]);
  });

  it("fetches a new visitor's assets right after the page, with the page as referrer", () => {
    const lastPage = new Map<string, LogRecord>();
    let assets = 0;
    let late = 0;
    for (const r of records) {
      if (r.path?.startsWith('/static/css/') && r.status === 200) {
        assets++;
        const page = lastPage.get(r.ip);
        if (
          page === undefined ||
          r.time - page.time > 2_000 ||
          r.referrer !== `${SITE}${page.path}`
        )
          late++;
      } else if (
        r.userAgent?.startsWith('Mozilla') &&
        !r.path?.startsWith('/static/') &&
        !r.path?.startsWith('/api/') &&
        r.status === 200
      ) {
        lastPage.set(r.ip, r);
      }
    }
    expect(assets).toBeGreaterThan(1_000);
    expect(late).toBe(0);
  });

  it('has crawlers from their own address blocks, at a realistic share', () => {
    const google = records.filter((r) => r.userAgent?.includes('Googlebot'));
    expect(google.length).toBeGreaterThan(1_000);
    expect(google.filter((r) => !r.ip.startsWith('66.249.'))).toEqual([]);
    const bots = count((r) => /bot\b|Bot\//.test(r.userAgent ?? ''));
    expect(bots / records.length).toBeGreaterThan(0.03);
    expect(bots / records.length).toBeLessThan(0.2);
    const crawled = new Set(records.filter((r) => r.userAgent?.includes('bot')).map((r) => r.path));
    expect(crawled.has('/robots.txt')).toBe(true);
    expect(crawled.has('/sitemap.xml')).toBe(true);
  });

  it('has scripts and monitors too', () => {
    expect(count((r) => r.userAgent?.startsWith('curl/') === true)).toBeGreaterThan(0);
    expect(
      count((r) => r.userAgent?.startsWith('UptimeRobot/') === true && r.method === 'HEAD'),
    ).toBeGreaterThan(0);
  });
});

describe('routes', () => {
  it('covers the shop: pages, search, cart, checkout, API, assets, crawler files', () => {
    const has = (prefix: string) => records.some((r) => r.path?.startsWith(prefix));
    for (const prefix of [
      '/category/',
      '/product/',
      '/search?q=',
      '/cart',
      '/checkout',
      '/checkout/confirmation',
      '/api/v1/',
      '/static/css/',
      '/static/js/',
      '/static/img/',
      '/favicon.ico',
      '/robots.txt',
      '/sitemap.xml',
    ]) {
      expect(`${prefix}: ${has(prefix)}`).toBe(`${prefix}: true`);
    }
    expect(count((r) => r.path === '/' && r.method === 'GET')).toBeGreaterThan(1_000);
  });

  it('gives products Zipf-like popularity: a few take much of the traffic', () => {
    const hits = new Map<string, number>();
    for (const r of records) {
      if (r.path?.startsWith('/product/') && r.status === 200 && !r.userAgent?.includes('bot')) {
        hits.set(r.path, (hits.get(r.path) ?? 0) + 1);
      }
    }
    const sorted = [...hits.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    expect(sorted.length).toBeGreaterThan(200);
    expect(sorted.slice(0, 10).reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.25);
    expect(sorted[0]).toBeGreaterThan(10 * sorted[99]);
  });

  it('has referrers from search engines, from the shop itself and none at all', () => {
    expect(count((r) => r.referrer === null)).toBeGreaterThan(records.length * 0.05);
    expect(count((r) => r.referrer === 'https://www.google.com/')).toBeGreaterThan(100);
    expect(count((r) => r.referrer?.startsWith(SITE) === true)).toBeGreaterThan(
      records.length * 0.5,
    );
  });
});
