/**
 * `loglab evaluate` as a user runs it: alerts and truth files in, the quality table or JSON out,
 * exit code 1 below --min-f1 (also on the real binary), one clear line and exit code 2 for bad
 * flags and unreadable input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import {
  type Alert,
  createDetectionEngine,
  evaluateDetection,
  formatAlert,
  formatEvaluation,
} from '../../src/realtime/index';
import { runLoglab, spawnLoglab } from './run-loglab';

function run(args: string[], input?: string) {
  return runLoglab(['evaluate', ...args], { input });
}

/** The same through the real binary. */
function runProcess(args: string[], input?: string) {
  return spawnLoglab(['evaluate', ...args], { input });
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-evaluate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A generated day with every incident, and the engine's alerts for it.
const generator = createGenerator(
  defaultOptions({ seed: 4, incidents: [...INCIDENT_KINDS], format: 'combined-time' }),
);
const truth = generator.truth();
const alerts: Alert[] = [];
const engine = createDetectionEngine({ sink: (a) => alerts.push(a) });
engine.processAll(generator.records());
engine.flush();
const alertsText = alerts.map(formatAlert).join('');
const alertsFile = join(dir, 'alerts.ndjson');
const truthFile = join(dir, 'truth.json');
writeFileSync(alertsFile, alertsText);
writeFileSync(truthFile, JSON.stringify(truth));
// The same alerts without the error-spike ones: error-burst recall (and F1) drop to 0.
const partialFile = join(dir, 'partial.ndjson');
writeFileSync(
  partialFile,
  alerts
    .filter((a) => a.kind !== 'error-spike')
    .map(formatAlert)
    .join(''),
);

describe('loglab evaluate', () => {
  it('prints the evaluation table for alerts against truth', async () => {
    const r = await run(['--alerts', alertsFile, '--truth', truthFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(formatEvaluation(evaluateDetection(alerts, truth)));
    expect(r.stdout.split('\n')[1]).toMatch(
      // Seed 4's outage makes one more URL fail: that error-spike is explained, not false.
      /^error-burst +error-spike +1 +1 +2 +0 +1 +1\.000 +1\.000 +1\.000 /,
    );
  });

  it('prints one JSON object with --json, and passes the --min-f1 gate', async () => {
    const r = await run([
      '--alerts',
      alertsFile,
      '--truth',
      truthFile,
      '--json',
      '--min-f1',
      '0.95',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({ ...evaluateDetection(alerts, truth), minF1: 0.95, passed: true });
    expect(out.kinds.map((k: { f1: number }) => k.f1)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('exits with code 1 below --min-f1, after the report', () => {
    const r = runProcess(['--alerts', partialFile, '--truth', truthFile, '--min-f1', '0.95']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'below --min-f1 0.95: error-burst (F1 0.000)',
    );
    const json = runProcess([
      '--alerts',
      partialFile,
      '--truth',
      truthFile,
      '--min-f1',
      '0.95',
      '--json',
    ]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).passed).toBe(false);
  });

  it('reads the alerts from stdin given -', async () => {
    const r = await run(['--alerts', '-', '--truth', truthFile], alertsText);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await run(['--alerts', alertsFile, '--truth', truthFile])).stdout);
  });

  it('uses --window for "its end plus one window"', async () => {
    // With a zero-length grace nothing that opens after an incident's end matches.
    const strict = JSON.parse(
      (await run(['--alerts', alertsFile, '--truth', truthFile, '--window', '1ms', '--json']))
        .stdout,
    );
    expect(strict).toEqual(evaluateDetection(alerts, truth, { windowMs: 1 }));
  });

  it.each([
    [['--truth', 'x.json'], "loglab evaluate: required option '--alerts <file>' not specified"],
    [
      ['--alerts', 'a', '--truth', 't', '--min-f1', '2'],
      'loglab evaluate: --min-f1 must be a number from 0 to 1, got "2"',
    ],
    [
      ['--alerts', 'a', '--truth', 't', '--window', 'soon'],
      'loglab evaluate: --window must be a duration such as 5m or 300s, got "soon"',
    ],
    [
      ['--alerts', join(dir, 'missing'), '--truth', 't'],
      `loglab evaluate: cannot read the alerts ${join(dir, 'missing')}: no such file`,
    ],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${message}\n`);
  });

  it('names the line of a bad alert', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${formatAlert(alerts[0])}{"kind":"ddos"}\n`);
    const r = await run(['--alerts', bad, '--truth', truthFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `loglab evaluate: ${bad} line 2: kind must be error-spike, ip-flood, scanner, prefix-flood, slow-scan, slow-page or anomaly\n`,
    );
  });

  it('answers --help with the matching rule and examples', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('loglab evaluate --alerts alerts.ndjson --truth truth.json');
    expect(r.stdout).toContain('ddos         prefix-flood on the /24 or /64');
  });
});
