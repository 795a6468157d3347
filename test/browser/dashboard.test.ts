/**
 * The live web dashboard in a real browser (Debian's Chromium through playwright-core), on the
 * embedded engine:
 * - `loglab stream --detect --web` with injected incidents: each alert line is on the page
 *   within 2 s of the engine emitting it (the page's own clock when the line's element appears,
 *   minus the emit time the server stamped on it; both are this machine's clock), the charts
 *   are drawn, the console stays clean, every request the page makes goes to 127.0.0.1, and a
 *   screenshot lands in out/browser/ for the CI artifacts;
 * - the page survives its server being restarted: it says it is reconnecting, and shows the new
 *   server's figures without being reloaded.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appearancesSince, RECORD_APPEARANCES } from '../../src/bench/alert-appearances';
import { chromiumSkipReason, launchChromium } from '../../src/bench/chromium';
import { freePort, startWeb, type WebProcess } from '../../src/bench/web-process';
import { ROOT, runLoglab } from '../cli/run-loglab';

const OUT = join(ROOT, 'out', 'browser');
if (chromiumSkipReason) console.warn(`browser tests skipped: ${chromiumSkipReason}`);

/** Every request a page makes, by URL; fails the test when one leaves this server. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.context().on('request', (r) => urls.push(r.url()));
  page.on('websocket', (ws) => urls.push(ws.url()));
  return urls;
}

function consoleProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

describe.skipIf(chromiumSkipReason !== undefined)('the live web dashboard in Chromium', () => {
  let browser: Browser;
  const running: WebProcess[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const p of running) await p.stop();
    await browser?.close();
  });

  it('shows each alert of stream --detect within 2 s of its emission, from 127.0.0.1 only', async () => {
    const port = await freePort();
    const web = await startWeb([
      'stream',
      '--detect',
      '--web',
      '--port',
      String(port),
      '--engine',
      'embedded',
      '--rate',
      '3000',
      '--speedup',
      // Incidents spread over about 20 s: most alert lines come after the page has connected.
      '30',
      '--incidents',
      'error-burst,ip-flood,scanner',
    ]);
    running.push(web);
    expect(web.url).toBe(`http://127.0.0.1:${port}/`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const requests = recordRequests(page);
    const problems = consoleProblems(page);
    // When each alert line's element first appears, by the page's clock.
    await page.addInitScript({ content: RECORD_APPEARANCES });
    await page.goto(web.url);
    await page.locator('#status.live').waitFor({ timeout: 15_000 });
    const connected = Date.now();

    // Three incidents: an error burst, a flood and a scanner, each opened (and more lines).
    await page
      .locator('#recent-alerts li[data-kind="scanner"]')
      .first()
      .waitFor({ timeout: 60_000 });
    // Lines emitted before the page connected say nothing about the delay: wait for three after.
    const seenSince = () => appearancesSince(page, connected);
    await expect
      .poll(async () => (await seenSince()).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(3);
    const delays = (await seenSince()).map((s) => s.at - s.emitted);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    delays.sort((a, b) => a - b);
    console.log(
      `alert-to-page delay over ${delays.length} alert lines: min ${delays[0]} ms, ` +
        `median ${delays[Math.floor(delays.length / 2)]} ms, max ${delays[delays.length - 1]} ms`,
    );
    // The functional bound: every alert line reaches the page within two seconds. A
    // page clock behind the server's would show as a negative delay. The 1 s p99 target is a
    // performance figure, measured by bench/dashboard.ts, not asserted here.
    expect(delays[delays.length - 1]).toBeLessThan(2000);
    expect(delays[0]).toBeGreaterThanOrEqual(0);

    // The same alerts the command wrote to stdout, in words, on the page.
    const kinds = await page
      .locator('#recent-alerts li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')));
    expect(new Set(kinds)).toEqual(new Set(['error-spike', 'ip-flood', 'scanner']));
    const scanner = JSON.parse(await web.waitForLine(/"kind":"scanner"/));
    await expect
      .poll(() => page.locator('#recent-alerts').textContent())
      .toContain(`IP ${scanner.key}: ${scanner.observed} not-found paths in 5 min`);

    // Every chart is drawn, with marks from the data.
    for (const id of ['chart-series', 'chart-urls', 'chart-ips']) {
      const marks = await page
        .locator(`#${id} svg .mark-line path, #${id} svg .mark-rect path`)
        .count();
      expect(marks, id).toBeGreaterThan(0);
    }
    expect(Number((await page.locator('#read').textContent())?.replace(/,/g, ''))).toBeGreaterThan(
      1000,
    );
    await page.screenshot({ path: join(OUT, 'dashboard-live.png'), fullPage: true });

    expect(problems).toEqual([]);
    const origin = `http://127.0.0.1:${port}/`;
    expect(requests.length).toBeGreaterThanOrEqual(7);
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    await page.close();
    expect(await web.stop()).toBe(0);
    expect(web.stderr()).toContain('checksum');
  }, 120_000);

  it('reconnects by itself when the server is restarted, and says so meanwhile', async () => {
    const port = await freePort();
    const first = (await runLoglab(['generate', '--lines', '3000', '--seed', '1'])).stdout;
    const second = (await runLoglab(['generate', '--lines', '2000', '--seed', '2'])).stdout;
    const args = ['dashboard', '-', '--web', '--port', String(port)];
    const before = await startWeb(args, first);
    running.push(before);
    before.child.stdin?.end();
    const page = await browser.newPage();
    const problems = consoleProblems(page);
    await page.goto(before.url);
    await expect.poll(() => page.locator('#read').textContent(), { timeout: 15_000 }).toBe('3,000');
    await expect.poll(() => page.locator('#status').textContent()).toBe('input ended');
    await page.evaluate('window.sameDocument = true');

    expect(await before.stop()).toBe(0);
    await expect.poll(() => page.locator('#status').textContent()).toBe('reconnecting…');
    await page.screenshot({ path: join(OUT, 'dashboard-reconnecting.png') });

    const after = await startWeb(args, second);
    running.push(after);
    after.child.stdin?.end();
    await expect.poll(() => page.locator('#read').textContent(), { timeout: 15_000 }).toBe('2,000');
    await expect.poll(() => page.locator('#status').textContent()).toBe('input ended');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    // The browser reports the refused reconnections; nothing else may go wrong.
    expect(problems.filter((p) => !p.includes('net::ERR_CONNECTION_REFUSED'))).toEqual([]);
    await page.close();
    expect(await after.stop()).toBe(0);
  }, 90_000);
});
