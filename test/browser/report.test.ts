/**
 * The report in a real browser (Debian's Chromium through playwright-core): it loads with no
 * console error, every chart is drawn, it asks for nothing but its own file, and a hostile log
 * line shows as text with no dialog opened. A full-page screenshot lands in out/browser/ for CI.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../../src/bench/chromium';
import { ROOT, runLoglab } from '../cli/run-loglab';
import { IMG_PATH, SCRIPT_PATH, writeHostileDay } from '../report/hostile-day';

const OUT = join(ROOT, 'out', 'browser');
const PAGE = join(OUT, 'report.html');
const SCREENSHOT = join(OUT, 'report.png');
const CHARTS = [
  'requests-per-hour',
  'status-mix',
  'top-urls',
  'alert-timeline',
  'detection-quality',
  'throughput',
];

const suite = chromiumSkipReason === undefined ? describe : describe.skip;

suite(`loglab report in Chromium${chromiumSkipReason ? ` (skipped: ${chromiumSkipReason})` : ''}`, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'loglab-report-browser-'));
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  let page: Awaited<ReturnType<Browser['newPage']>>;

  beforeAll(async () => {
    const day = writeHostileDay(dir, 20_000, 600);
    mkdirSync(OUT, { recursive: true });
    const run = await runLoglab(['report', day.log, '--truth', day.truth, '--out', PAGE]);
    expect(run.stderr).toContain(`wrote ${PAGE}`);
    expect(run.code).toBe(0);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const own = pathToFileURL(PAGE).href;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('dialog', async (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      await d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === own) await route.continue();
      else {
        blocked.push(url);
        await route.abort();
      }
    });
    await page.goto(own, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error and asks for nothing but its own file', async () => {
    expect(await page.title()).toBe(`loglab report: ${join(dir, 'day.log')}`);
    expect(consoleErrors).toEqual([]);
    expect(blocked).toEqual([]);
    expect(requests).toEqual([pathToFileURL(PAGE).href]);
  });

  it('draws every chart: an svg with marks in each figure', async () => {
    const drawn = await page.$$eval('figure', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.id,
          width: Math.round(box?.width ?? 0) > 100,
          // vega draws each mark as a group of class "role-mark" holding paths or texts.
          marks: f.querySelectorAll('g.role-mark > path, g.role-mark > text').length > 0,
        };
      }),
    );
    expect(drawn).toEqual(CHARTS.map((id) => ({ id: `chart-${id}`, width: true, marks: true })));
  });

  it('shows a hostile log line as text, runs nothing and opens no dialog', async () => {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees
    const text = await page.innerText('body');
    expect(text).toContain(SCRIPT_PATH);
    expect(text).toContain(IMG_PATH);
    expect(await page.$$eval('script', (s) => s.length)).toBe(0);
    expect(await page.$$eval('img', (s) => s.length)).toBe(0);
    // The top URL (the hostile path) labels its bar in the chart, drawn as text .
    const labels = await page.$$eval('#chart-top-urls text', (t) => t.map((x) => x.textContent));
    expect(labels.some((l) => /^\d+\. \/<script>alert\(1\)<\/script>$/.test(l ?? ''))).toBe(true);
    expect(dialogs).toEqual([]);
  });

  it('leaves a full-page screenshot under out/browser/', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  });
});
