/**
 * Log lines are input from anyone. A request path holding `<script>alert(1)</script>` that
 * fails often enough to raise an error-spike alert, another path holding
 * `"><img src=x onerror=alert(1)>`, and a user agent holding the same, go through
 * `loglab dashboard - --web` into Chromium: the paths show as text in the alert table, the alert
 * lines and the top-URL chart, no element comes from them (no <img>, no fourth <script>), and no
 * dialog opens. (The dashboard shows no user agents; the line carries one all the same.)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../../src/bench/chromium';
import { freePort, startWeb, type WebProcess } from '../../src/bench/web-process';
import { formatCombined } from '../../src/log/format';
import type { LogRecord } from '../../src/log/record';
import { ROOT } from '../cli/run-loglab';

const OUT = join(ROOT, 'out', 'browser');
const SCRIPT_PATH = '/<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const IMG_PATH = `/${IMG}`;
const START = Date.UTC(2024, 2, 12, 18, 0, 0);

function record(time: number, ip: string, path: string, status: number, ua: string): LogRecord {
  return {
    ip,
    ident: null,
    user: null,
    time,
    method: 'GET',
    path,
    protocol: 'HTTP/1.1',
    status,
    bytes: 512,
    referrer: null,
    userAgent: ua,
  } as LogRecord;
}

/**
 * Twelve minutes: steady traffic to / from 20 addresses, and from minute 4 on the hostile
 * address asking for the two hostile paths, the first always failing with 500.
 */
function hostileLog(): string {
  const lines: string[] = [];
  for (let minute = 0; minute < 12; minute++) {
    for (let i = 0; i < 30; i++) {
      const time = START + minute * 60_000 + i * 2000;
      lines.push(formatCombined(record(time, `10.0.0.${i % 20}`, '/', 200, 'Mozilla/5.0')));
      if (minute >= 4 && i % 3 === 0) {
        lines.push(formatCombined(record(time + 500, '10.6.6.6', SCRIPT_PATH, 500, IMG)));
        lines.push(formatCombined(record(time + 900, '10.6.6.6', IMG_PATH, 200, IMG)));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(chromiumSkipReason !== undefined)('hostile log lines on the web dashboard', () => {
  let browser: Browser;
  let web: WebProcess | null = null;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await web?.stop();
    await browser?.close();
  });

  it('renders paths from log lines as text and runs nothing from them', async () => {
    const log = hostileLog();
    // The line really carries the payloads, escaped the way Apache writes them.
    expect(log).toContain(
      `"GET ${SCRIPT_PATH} HTTP/1.1" 500 512 "-" "\\"><img src=x onerror=alert(1)>"`,
    );
    const port = await freePort();
    // stdin stays open: the windows stay live, so the alert stays open and the tops filled.
    web = await startWeb(['dashboard', '-', '--web', '--port', String(port)], log);
    const opened = JSON.parse(await web.waitForLine(/"kind":"error-spike"/));
    expect(opened.key).toBe(SCRIPT_PATH);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(web.url);
    await page.locator('#status.live').waitFor({ timeout: 15_000 });

    const openRow = page.locator('#open-alerts tbody tr[data-kind="error-spike"] td').nth(1);
    await expect
      .poll(() => openRow.textContent(), { timeout: 10_000 })
      .toMatch(/^\/<script>alert\(1\)<\/script>: \d+ errors in 5 min \(threshold \d+\)$/);
    await expect
      .poll(() => page.locator('#recent-alerts li[data-kind="error-spike"]').first().textContent())
      .toContain(`open     error-spike ${SCRIPT_PATH}: `);
    // vega draws the top URLs' labels as SVG text: both paths, as text (the longer one cut
    // with an ellipsis to the axis' label limit).
    await expect
      .poll(() =>
        page.locator('#chart-urls svg text').evaluateAll((ts) => ts.map((t) => t.textContent)),
      )
      .toEqual(
        expect.arrayContaining([
          SCRIPT_PATH,
          expect.stringMatching(/^\/"><img src=x onerror=alert\(/),
        ]),
      );

    const elements = await page.evaluate(
      'JSON.stringify({ img: document.querySelectorAll("img").length, scripts: [...document.scripts].map((s) => s.getAttribute("src")) })',
    );
    expect(JSON.parse(elements as string)).toEqual({
      img: 0,
      scripts: ['/vendor/vega.min.js', '/vendor/vega-lite.min.js', '/app.js'],
    });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT, 'dashboard-hostile.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
    web.child.stdin?.end();
    expect(await web.stop()).toBe(0);
    web = null;
  }, 90_000);
});
