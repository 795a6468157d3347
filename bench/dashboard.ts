/**
 * The live web dashboard's alert-to-screen delay: how long after the engine emits an alert its
 * line is drawn on the page, in a real browser (the system's Chromium through playwright-core),
 * with `loglab stream --detect --web` running as a user runs it. Target: p99 under 1 s.
 *
 *   npx tsx bench/dashboard.ts [--runs 2] [--lines 120000] [--rate 4000] [--speedup 60]
 *
 * Each run starts `loglab stream --detect --web --engine embedded` with every incident kind
 * (real-time mode: --rate lines a second, simulated time --speedup times the clock), opens the
 * page, and notes when each alert line appears on it (src/bench/alert-appearances.ts: the
 * page's clock against the emit time the server stamped on the line; one machine, one clock).
 * Lines emitted before the page connected come with its first frame and are left out. The run
 * ends when the command says its input ended. Each frame carries the latest 100 alert lines
 * (WEB_RECENT_ALERTS) for the page's list: when more come between two frames, the older ones
 * are never drawn, so the notes give the lines printed by the command beside the lines seen on
 * the page. The process's peak RSS is not measured here: the stream's own benchmarks
 * (bench/e2e.ts) do that.
 *
 * Where no Chromium is installed the bench says so and writes no results.
 */
import { loadavg } from 'node:os';
import { appearancesSince, RECORD_APPEARANCES } from '../src/bench/alert-appearances';
import { benchArgs } from '../src/bench/args';
import { chromiumSkipReason, launchChromium } from '../src/bench/chromium';
import {
  createReport,
  formatReport,
  latencyRow,
  percentile,
  writeReport,
} from '../src/bench/harness';
import { freePort, startWeb } from '../src/bench/web-process';
import { WEB_RECENT_ALERTS } from '../src/cli/detect-session';

const TARGET_MS = 1000;
const ROW = 'alert on the web page, stream --detect --web (embedded)';

const args = benchArgs(
  'dashboard',
  `usage: npx tsx bench/dashboard.ts [--runs N] [--lines N] [--rate N] [--speedup N]
The live web dashboard's alert-to-screen delay in Chromium, with loglab stream --detect --web on
the embedded engine (every incident kind; default 2 runs of 120,000 lines at 4,000 lines/s,
simulated time 60 times the clock). Target p99 < 1 s. Writes bench/results/dashboard.json.`,
  { values: ['runs', 'lines', 'rate', 'speedup'], switches: [] },
);
const runs = args.count('runs', 2);
const lines = args.count('lines', 120_000);
const rate = args.count('rate', 4_000);
const speedup = args.count('speedup', 60);

if (chromiumSkipReason !== undefined) {
  process.stdout.write(`bench/dashboard: skipped, ${chromiumSkipReason}; no results written\n`);
  process.exit(0);
}

interface RunResult {
  delays: number[];
  /** Alert lines the command printed after the page connected. */
  printed: number;
}

async function measureRun(): Promise<RunResult> {
  const port = await freePort();
  const web = await startWeb([
    'stream',
    '--detect',
    '--web',
    '--port',
    String(port),
    '--engine',
    'embedded',
    '--lines',
    String(lines),
    '--rate',
    String(rate),
    '--speedup',
    String(speedup),
    '--incidents',
    'all',
  ]);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.addInitScript({ content: RECORD_APPEARANCES });
    await page.goto(web.url);
    await page.locator('#status.live').waitFor({ timeout: 30_000 });
    const connected = Date.now();
    const alertsBefore = countAlertLines(web.stdout());
    await waitForEnd(web.stderr, (lines / rate) * 1000 + 120_000);
    // The last frames: give the page a moment past the input's end to draw the final lines.
    await page.waitForTimeout(1500);
    const seen = await appearancesSince(page, connected);
    const printed = countAlertLines(web.stdout()) - alertsBefore;
    return {
      delays: seen.map((s) => s.at - s.emitted).sort((a, b) => a - b),
      printed,
    };
  } finally {
    await browser.close();
    await web.stop();
  }
}

function countAlertLines(stdout: string): number {
  let n = 0;
  for (const line of stdout.split('\n')) if (line.startsWith('{')) n++;
  return n;
}

async function waitForEnd(stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/input ended/.test(stderr())) {
    if (Date.now() > deadline) {
      throw new Error(`the stream did not end within ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const all: number[] = [];
let printed = 0;
const notes: string[] = [];
const loadBefore = loadavg();
for (let i = 0; i < runs; i++) {
  const r = await measureRun();
  all.push(...r.delays);
  printed += r.printed;
  notes.push(
    `run ${i + 1}: ${r.delays.length} alert lines on the page after it connected ` +
      `(${r.printed} printed by the command meanwhile; a frame carries the latest ${WEB_RECENT_ALERTS}), p50 ${percentile(r.delays, 0.5)} ms, ` +
      `p99 ${percentile(r.delays, 0.99)} ms, max ${r.delays[r.delays.length - 1] ?? 0} ms`,
  );
}
all.sort((a, b) => a - b);
if (all.length === 0) {
  // No line drawn is no figure: a page that shows nothing must not read as a fast one.
  process.stderr.write(
    `bench/dashboard: no alert line appeared on the page after it connected (${printed} printed); no results written\n`,
  );
  process.exit(1);
}
// One sample per alert line drawn; per.events: the lines the command printed meanwhile.
const row = latencyRow(ROW, 'web dashboard', all, { events: printed });
const p99 = row.p99Ms;
notes.unshift(
  `Alert-to-screen delay: from the engine emitting an alert to its line appearing on the page, ` +
    `headless Chromium, ${runs} runs of ${lines.toLocaleString('en-US')} lines at ` +
    `${rate.toLocaleString('en-US')} lines/s (simulated time ${speedup}x), every incident kind.`,
);
notes.push(
  `${ROW}: p50 ${row.p50Ms} ms, p99 ${p99} ms, max ${all[all.length - 1] ?? 0} ms over ${all.length} ` +
    `alert lines drawn of ${printed} printed (target p99 < ${TARGET_MS} ms: ${p99 < TARGET_MS ? 'met' : 'NOT met'}); load average ` +
    `${loadBefore.map((x) => x.toFixed(1)).join(' ')} before, ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} after`,
);
const report = createReport('dashboard', [row], [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
