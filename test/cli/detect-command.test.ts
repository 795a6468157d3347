/**
 * `loglab detect` as a user runs it on a file: its alerts are exactly the engine's on the same
 * records, so `loglab detect day.log > alerts.ndjson && loglab evaluate …` measures the engine;
 * without a terminal the output is plain NDJSON alert lines, --dashboard or not; bad flags give
 * one line and exit code 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import {
  type Alert,
  createDetectionEngine,
  evaluateDetection,
  formatAlert,
  formatEvaluation,
} from '../../src/realtime/index';
import { runLoglab } from './run-loglab';

function run(args: string[], input?: string) {
  return runLoglab(args, { input });
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-detect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A generated day with every incident, written as a file, and the engine's alerts on its records.
const options = defaultOptions({
  seed: 5,
  incidents: [...INCIDENT_KINDS],
  format: 'combined-time',
});
const dayFile = join(dir, 'day.log');
const lines = [...generateLines(options)];
writeFileSync(dayFile, `${lines.join('\n')}\n`);
const generator = createGenerator(options);
const truth = generator.truth();
const truthFile = join(dir, 'truth.json');
writeFileSync(truthFile, JSON.stringify(truth));

function engineAlerts(settings: { windowMs?: number; hopMs?: number; latenessMs?: number } = {}) {
  const alerts: Alert[] = [];
  const engine = createDetectionEngine({ ...settings, sink: (a) => alerts.push(a) });
  engine.processAll(createGenerator(options).records());
  engine.flush();
  return alerts;
}
const alerts = engineAlerts();

function opened(list: Alert[]): string {
  const kinds = [
    'error-spike',
    'ip-flood',
    'scanner',
    'prefix-flood',
    'slow-scan',
    'slow-page',
    'anomaly',
  ]
    .map(
      (k) =>
        [
          k,
          list.filter((a) => a.kind === k && a.firstSeen === a.windowEnd && a.state === 'open')
            .length,
        ] as const,
    )
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return kinds.length === 0 ? '' : ` (opened: ${kinds.join(', ')})`;
}

describe('loglab detect FILE', () => {
  it('prints exactly the engine’s alerts as NDJSON, and the counts on stderr', async () => {
    const r = await run(['detect', dayFile]);
    expect(r.code).toBe(0);
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    expect(r.stdout).toBe(alerts.map(formatAlert).join(''));
    expect(r.stderr).toBe(
      `read ${lines.length}, parsed ${lines.length}, rejected 0, late 0, alerts ${alerts.length}${opened(alerts)}\n`,
    );
  });

  it('gives evaluate the engine’s quality figures', async () => {
    const alertsFile = join(dir, 'alerts.ndjson');
    writeFileSync(alertsFile, (await run(['detect', dayFile])).stdout);
    const r = await run(['evaluate', '--alerts', alertsFile, '--truth', truthFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(formatEvaluation(evaluateDetection(alerts, truth)));
    const quality = evaluateDetection(alerts, truth);
    expect(quality.kinds.map((k) => [k.incidentKind, k.precision, k.recall])).toEqual([
      ['error-burst', 1, 1],
      ['ip-flood', 1, 1],
      ['scanner', 1, 1],
      ['surge', 1, 1],
      ['outage', 1, 1],
      ['ddos', 1, 1],
      ['slow-scan', 1, 1],
      ['slow-page', 1, 1],
    ]);
  });

  it('reads stdin, applies --window, --hop and --lateness, and counts rejected lines', async () => {
    const input = `${lines.slice(0, 50_000).join('\n')}\nnot a log line\n${lines.slice(50_000).join('\n')}\n`;
    const r = await run(
      ['detect', '-', '--window', '10m', '--hop', '2m', '--lateness', '0'],
      input,
    );
    expect(r.code).toBe(0);
    const expected = engineAlerts({ windowMs: 600_000, hopMs: 120_000, latenessMs: 0 });
    expect(r.stdout).toBe(expected.map(formatAlert).join(''));
    expect(r.stderr).toBe(
      `read ${lines.length + 1}, parsed ${lines.length}, rejected 1, late 0, alerts ${expected.length}${opened(expected)}\n`,
    );
  });

  it('writes plain alert lines when the output is not a terminal, --dashboard or not', async () => {
    const r = await run(['detect', dayFile, '--dashboard']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(alerts.map(formatAlert).join(''));
    for (const line of r.stdout.trimEnd().split('\n')) {
      expect(Object.keys(JSON.parse(line))).toEqual([
        'kind',
        'key',
        'windowStart',
        'windowEnd',
        'observed',
        'threshold',
        'severity',
        'firstSeen',
        'lastSeen',
        'state',
      ]);
    }
    expect(r.stderr.split('\n').length).toBe(2);
  });

  it.each([
    [
      ['--window', 'soon'],
      'loglab detect: --window must be a duration such as 30s, 5m or 1h, got "soon"',
    ],
    [['--hop', '10m'], 'loglab detect: --hop (10m) must not be longer than --window (5m)'],
    [
      ['--window', '0s'],
      'loglab detect: --window must be a duration such as 30s, 5m or 1h, got "0s"',
    ],
    [
      ['--lateness', '-1s'],
      'loglab detect: --lateness must be a duration such as 30s, 5m or 1h, got "-1s"',
    ],
    // Past these the engine lost every keyed alert without a word, or failed inside (a 100-day
    // lateness sized its rings past V8's array limit and crashed the process).
    [['--lateness', '100d'], 'loglab detect: --lateness must be at most 1h, got "100d"'],
    [
      ['--hop', '500ms'],
      'loglab detect: --window (5m) and --hop (500ms) must be whole seconds that divide an hour (their common step is 500 ms)',
    ],
    [
      ['--window', '2h'],
      `loglab detect: --window must be at most 1h (the slow-scan detector's hour), got "2h"`,
    ],
    [
      ['--window', '7s', '--hop', '7s'],
      'loglab detect: --window (7s) and --hop (7s) must be whole seconds that divide an hour (their common step is 7000 ms)',
    ],
    [['--topic', 'weblogs.raw', 'x.log'], 'loglab detect: give either a FILE or --topic, not both'],
    [['--to-end'], 'loglab detect: --to-end needs --topic'],
    [['--broker-wait', '1m'], 'loglab detect: --broker-wait needs --topic'],
    [['--format', 'xml'], /^loglab detect: option '--format <format>' argument 'xml' is invalid/],
    [['--bogus'], "loglab detect: unknown option '--bogus'"],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    // The FILE/--topic conflict names its own file; every other case reads the day.
    const r = await run(
      args.includes('x.log') ? ['detect', ...args] : ['detect', dayFile, ...args],
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const errLines = r.stderr.trimEnd().split('\n');
    expect(errLines.length).toBe(1);
    if (typeof message === 'string') expect(errLines[0]).toBe(message);
    else expect(errLines[0]).toMatch(message);
  });

  it('says so in one line when the file cannot be read', async () => {
    const missing = join(dir, 'missing.log');
    const r = await run(['detect', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`loglab detect: cannot read ${missing}: no such file\n`);
  });
});
