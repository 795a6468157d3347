/**
 * `loglab produce`, `consume` and `topics` with the embedded engine: the counts that produce
 * reports (good lines to weblogs.raw, bad ones to weblogs.deadletter), and what consume and
 * topics show of a broker that starts empty in every run (every process).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-produce-'));

function loglab(args: string[], input = '') {
  return runLoglab(args, { input });
}

async function generated(lines: number): Promise<string> {
  const r = await loglab(['generate', '--lines', String(lines), '--seed', '5']);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('loglab produce --engine embedded', () => {
  it('sends the good lines of a file to weblogs.raw and its 3 bad lines to weblogs.deadletter', async () => {
    const good = (await generated(500)).trimEnd().split('\n');
    expect(good.length).toBe(500);
    const bad = [
      'this is not an access log line',
      '10.0.0.1 - - [12/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 2000 12',
      '{"ip": "10.0.0.2", "status": ',
    ];
    const lines = [
      ...good.slice(0, 100),
      bad[0],
      ...good.slice(100, 300),
      bad[1],
      ...good.slice(300),
      bad[2],
    ];
    const file = join(dir, 'mixed.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await loglab(['produce', '--engine', 'embedded', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `produced ${lines.length - 3} to weblogs.raw, 3 to weblogs.deadletter\n`,
    );
  });

  it('reads stdin with "-", names --topic in its count, and routes by --format', async () => {
    const text = await generated(200);
    expect(
      await loglab(['produce', '--engine', 'embedded', '-', '--topic', 'my.topic'], text),
    ).toEqual({
      code: 0,
      stdout: '',
      stderr: 'produced 200 to my.topic, 0 to weblogs.deadletter\n',
    });
    // Combined lines are not common ones: each has a referrer and user agent too many.
    expect(
      (await loglab(['produce', '--engine', 'embedded', '--format', 'common'], text)).stderr,
    ).toBe('produced 0 to weblogs.raw, 200 to weblogs.deadletter\n');
    // A blank line is a line that failed to parse, not one to skip silently.
    expect(
      (await loglab(['produce', '--engine', 'embedded', '--batch', '7'], `${text}\n\n`)).stderr,
    ).toBe('produced 200 to weblogs.raw, 2 to weblogs.deadletter\n');
  });

  it('keeps only the last MiB of each partition, and says how many it kept', async () => {
    const text = await generated(40_000);
    const run = await loglab(['produce', '--engine', 'embedded', '-'], text);
    expect(run.code).toBe(0);
    const said =
      /^produced 40000 to weblogs\.raw, 0 to weblogs\.deadletter; the embedded broker kept the last (\d+) \(1 MiB a partition\) and ends with this process\n$/.exec(
        run.stderr,
      );
    expect(said, run.stderr).not.toBeNull();
    // 6 partitions of at most 1 MiB, each line ~200 bytes and ~64 of overhead: under 24,000.
    const kept = Number(said?.[1]);
    expect(kept).toBeGreaterThan(12_000);
    expect(kept).toBeLessThan(24_000);
  });

  it('counts nothing for empty input', async () => {
    expect(await loglab(['produce', '--engine', 'embedded'], '')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'produced 0 to weblogs.raw, 0 to weblogs.deadletter\n',
    });
  });
});

describe('loglab consume and topics --engine embedded', () => {
  it('consume finds the new, empty broker and ends at once with its count', async () => {
    expect(await loglab(['consume', '--engine', 'embedded', '--from-beginning'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'consumed 0 from weblogs.raw (group loglab-cli)\n',
    });
  });

  it('topics shows the pipeline topics, empty, and no groups; as a table and as JSON', async () => {
    expect(await loglab(['topics', '--engine', 'embedded'])).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'embedded broker (this process only)',
        '',
        'topic               partitions  messages  end offsets',
        'weblogs.alerts               1         0  0',
        'weblogs.deadletter           1         0  0',
        'weblogs.raw                  6         0  0 0 0 0 0 0',
        '',
        'no consumer groups',
        '',
      ].join('\n'),
    });
    const json = await loglab(['topics', '--engine', 'embedded', '--json']);
    expect(json.code).toBe(0);
    const overview = JSON.parse(json.stdout);
    expect(overview.groups).toEqual([]);
    expect(
      overview.topics.map((t: { name: string; partitions: unknown[]; messages: number }) => [
        t.name,
        t.partitions.length,
        t.messages,
      ]),
    ).toEqual([
      ['weblogs.alerts', 1, 0],
      ['weblogs.deadletter', 1, 0],
      ['weblogs.raw', 6, 0],
    ]);
  });
});
