/**
 * `loglab generate` end to end through the program's entry point, exact outputs; Ctrl-C in
 * real-time mode on a real process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultOptions, groundTruth } from '../../src/generate/index';
import { runLoglab } from './run-loglab';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const dir = mkdtempSync(join(tmpdir(), 'loglab-generate-'));

function loglab(args: string[]) {
  return runLoglab(['generate', ...args], {});
}

const lineCount = (text: string) => text.split('\n').length - 1;

describe('loglab generate', () => {
  it('writes exactly --lines lines, the same bytes for the same seed, others for another', async () => {
    const a = await loglab(['--lines', '2000', '--seed', '5']);
    const b = await loglab(['--lines', '2000', '--seed', '5']);
    const c = await loglab(['--lines', '2000', '--seed', '6']);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(lineCount(a.stdout)).toBe(2000);
    expect(a.stdout.endsWith('\n')).toBe(true);
    expect(b.stdout === a.stdout).toBe(true);
    expect(c.code).toBe(0);
    expect(lineCount(c.stdout)).toBe(2000);
    expect(c.stdout === a.stdout).toBe(false);
    expect(a.stdout.split('\n')[0]).toMatch(
      /^\S+ - - \[12\/Mar\/2024:\d\d:\d\d:\d\d \+0000\] "[A-Z]+ \S+ HTTP\/[12]\.[01]" \d{3} (\d+|-) "[^"]*" "[^"]*"$/,
    );
  });

  it('writes the log to -o and the ground truth to --truth', async () => {
    const log = join(dir, 'day.log');
    const truthFile = join(dir, 'truth.json');
    const run = await loglab([
      '--lines',
      '30000',
      '--incidents',
      'all',
      '--start',
      '2024-05-01',
      '--truth',
      truthFile,
      '-o',
      log,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const text = readFileSync(log, 'utf8');
    expect(lineCount(text)).toBe(30_000);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
    const expected = groundTruth(
      defaultOptions({
        lines: 30_000,
        start: Date.UTC(2024, 4, 1),
        incidents: [
          'error-burst',
          'ip-flood',
          'scanner',
          'surge',
          'outage',
          'ddos',
          'slow-scan',
          'slow-page',
        ],
      }),
    );
    expect(truth).toEqual(expected);
    expect(truth.incidents).toHaveLength(8);
    // Keyed incidents show in the text: a URL, an address, a network's addresses.
    for (const incident of truth.incidents) {
      if (incident.key === 'site') continue;
      expect(text.includes(incident.key.replace(/(\.0\/24|::\/64)$/, ''))).toBe(true);
    }
  });

  it('writes nginx-style JSON lines with --format json', async () => {
    const run = await loglab(['--lines', '50', '--format', 'json']);
    expect(run.code).toBe(0);
    const objects = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objects).toHaveLength(50);
    expect(Object.keys(objects[0])).toEqual([
      'remote_addr',
      'remote_user',
      'time_local',
      'request',
      'status',
      'body_bytes_sent',
      'http_referer',
      'http_user_agent',
      'request_time',
    ]);
  });

  it('in real-time mode writes a backlog from a past --start at once, then stops at --lines', async () => {
    const run = await loglab(['--rate', '20', '--lines', '300', '--start', '2020-01-01T00:00:00Z']);
    expect(run.code).toBe(0);
    expect(lineCount(run.stdout)).toBe(300);
    // 300 lines at 20 a second: 15 seconds of log, written without waiting for them.
    const last = run.stdout.trimEnd().split('\n').pop() ?? '';
    expect(last).toMatch(/\[01\/Jan\/2020:00:00:1[0-4] \+0000\]/);
  });

  it('in real-time mode stamps lines with the current time and ends cleanly on Ctrl-C', async () => {
    const before = Date.now();
    const child = spawn(process.execPath, [BIN, 'generate', '--rate', '200'], { cwd: ROOT });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (lineCount(out) >= 20) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out.endsWith('\n')).toBe(true);
    const after = Date.now();
    const months = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];
    for (const line of out.trimEnd().split('\n')) {
      const m = /\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\]/.exec(line);
      expect(m).not.toBeNull();
      const [, d, mon, y, h, mi, s] = m as RegExpExecArray;
      const t = Date.UTC(
        Number(y),
        months.indexOf(mon),
        Number(d),
        Number(h),
        Number(mi),
        Number(s),
      );
      expect(t).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(t).toBeLessThanOrEqual(after);
    }
  });

  it('refuses bad values with one line on stderr and exit code 2', async () => {
    for (const [args, message] of [
      [['--lines', '-5'], 'loglab generate: --lines must be a whole number ≥ 0, got "-5"\n'],
      [
        ['--incidents', 'error-burst,meteor'],
        'loglab generate: unknown incident "meteor" (known: error-burst, ip-flood, scanner, surge, outage, ddos, slow-scan, slow-page, all)\n',
      ],
      [
        ['--span', '5x'],
        'loglab generate: --span must be a duration such as 30s, 5m, 24h or 7d, got "5x"\n',
      ],
      [['--start', '2024-02-30'], 'loglab generate: --start is not a real date: "2024-02-30"\n'],
      [
        ['--clients', 'many'],
        'loglab generate: --clients must be a whole number ≥ 1, got "many"\n',
      ],
      [
        ['--lines', '100000', '--clients', '138'],
        'loglab generate: clients must be a whole number ≥ 139 for 100000 lines over 1d (every client makes at most 60 requests in five minutes), got 138\n',
      ],
      [
        ['--lines', '10', '-o', join(dir, 'missing', 'x.log')],
        `loglab generate: cannot write ${join(dir, 'missing', 'x.log')}: no such directory ${join(dir, 'missing')}\n`,
      ],
    ] as const) {
      const run = await loglab([...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(message);
      expect(run.stdout).toBe('');
    }
  });

  it('explains itself with --help', async () => {
    const run = await loglab(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: loglab generate [options]');
    expect(run.stdout).toContain(
      'loglab generate --lines 1000000 --incidents all --truth truth.json -o big.log',
    );
    expect(run.stdout).toContain('--rate <r>');
    expect(run.stdout).toContain('--clients <n>');
    expect(run.stdout).toContain('loglab generate --lines 10000000 --clients 100000 -o big.log');
  });

  it('writes lines from exactly --clients normal addresses', async () => {
    const run = await loglab(['--lines', '100000', '--clients', '500']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(100_000);
    expect(new Set(lines.map((line) => line.slice(0, line.indexOf(' ')))).size).toBe(500);
  });
});
