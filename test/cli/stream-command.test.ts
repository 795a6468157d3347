/**
 * `loglab stream` on the embedded engine: generate → produce → consume in one process, every line
 * consumed once, the checksums of both sides equal, and (on a real process) a clean stop on a
 * termination signal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const ENV = { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' };

function loglab(args: string[]) {
  return runLoglab(args, {});
}

/** The summary's rows by their first word: "produced   20000 to …" → produced: "20000 to …". */
function rows(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.trimEnd().split('\n')) {
    const m = /^(\w+) +(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

interface Summary {
  engine: string;
  topic: string;
  partitions: number;
  groupId: string;
  produced: number;
  deadLettered: number;
  consumed: number;
  skipped: number;
  resumed: number;
  lag: number;
  checksum: { produced: string; consumed: string; equal: boolean };
  interrupted: boolean;
}

describe('loglab stream --engine embedded', () => {
  it('consumes exactly the 20,000 lines it produced, with equal checksums and no lag', async () => {
    const run = await loglab(['stream', '--engine', 'embedded', '--lines', '20000']);
    expect(run.code).toBe(0);
    const r = rows(run.stdout);
    expect(Object.keys(r)).toEqual(['engine', 'produced', 'consumed', 'lag', 'checksum']);
    expect(r.engine).toBe('embedded, weblogs.raw with 6 partitions, group loglab-stream');
    expect(r.produced).toMatch(/^20000 to weblogs\.raw, 0 to weblogs\.deadletter, in /);
    expect(r.consumed).toMatch(/^20000 from weblogs\.raw, in /);
    expect(r.lag).toBe('0');
    const sums = /^produced (20000:[0-9a-f]{16}), consumed (20000:[0-9a-f]{16}): equal$/.exec(
      r.checksum,
    );
    expect(sums?.[1]).toBe(sums?.[2]);
  });

  it('gives the same summary as JSON, and the same checksum for the same seed', async () => {
    const args = ['stream', '--engine', 'embedded', '--lines', '5000', '--partitions', '3'];
    const a = await loglab([...args, '--json', '--seed', '7']);
    const b = await loglab([...args, '--json', '--seed', '7']);
    const c = await loglab([...args, '--json', '--seed', '8']);
    for (const run of [a, b, c]) expect(run.code).toBe(0);
    const [sa, sb, sc] = [a, b, c].map((run) => JSON.parse(run.stdout) as Summary);
    expect({
      engine: sa.engine,
      topic: sa.topic,
      partitions: sa.partitions,
      groupId: sa.groupId,
      produced: sa.produced,
      deadLettered: sa.deadLettered,
      consumed: sa.consumed,
      skipped: sa.skipped,
      resumed: sa.resumed,
      lag: sa.lag,
      equal: sa.checksum.equal,
      interrupted: sa.interrupted,
    }).toEqual({
      engine: 'embedded',
      topic: 'weblogs.raw',
      partitions: 3,
      groupId: 'loglab-stream',
      produced: 5000,
      deadLettered: 0,
      consumed: 5000,
      skipped: 0,
      resumed: 0,
      lag: 0,
      equal: true,
      interrupted: false,
    });
    expect(sa.checksum.produced).toBe(sa.checksum.consumed);
    // The checksum is of the lines: the same seed gives the same lines, another seed others.
    expect(sb.checksum.produced).toBe(sa.checksum.produced);
    expect(sc.checksum.produced).not.toBe(sa.checksum.produced);
  });

  it('refuses --resume with new lines of a generated day, in one line; takes it with --lines 0', async () => {
    const refused = await runLoglab(['stream', '--resume', '--lines', '100']);
    expect(refused).toMatchObject({
      code: 2,
      stderr:
        'loglab stream: --resume needs --lines 0 or --rate: new lines of a generated day start before the resumed ones and would be late\n',
    });
    const nothingLeft = await runLoglab(['stream', '--resume', '--lines', '0', '--json']);
    expect(nothingLeft.code).toBe(0);
    expect(JSON.parse(nothingLeft.stdout)).toMatchObject({ produced: 0, consumed: 0, resumed: 0 });
  });

  it('stops producing on a termination signal, lets the consumer catch up and exits 0', async () => {
    // SIGTERM takes the Ctrl-C path: a shell that starts a job in the background makes it
    // ignore SIGINT, so a test cannot count on SIGINT arriving.
    const child = spawn(
      process.execPath,
      [BIN, 'stream', '--engine', 'embedded', '--rate', '2000'],
      {
        cwd: ROOT,
        env: ENV,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    const firstSample = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        // A status line every second: once one says something was consumed, stop.
        if (/consumed [1-9]/.test(stderr)) resolve();
      });
    });
    await firstSample;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const r = rows(stdout);
    const produced = Number(/^(\d+) to weblogs\.raw/.exec(r.produced)?.[1]);
    expect(produced).toBeGreaterThan(0);
    expect(r.consumed.startsWith(`${produced} from weblogs.raw`)).toBe(true);
    expect(r.lag).toBe('0');
    expect(r.checksum).toMatch(/: equal$/);
    expect(r.stopped).toBe('by Ctrl-C');
    expect(stderr).toMatch(/^\d+\.\d s {2}produced \d+ \(/m);
  });
});
