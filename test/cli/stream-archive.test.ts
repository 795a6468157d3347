/**
 * `loglab stream --archive` on the embedded engine: the generated lines go through the
 * in-process broker to the stream's consumer (and detectors) and to the archiver, and the lake
 * ends with every line once, in its partition's order, nothing left under `_tmp/`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { createLocalStore } from '../../src/storage/local-store';
import { clientKey } from '../../src/stream/line-messages';
import { partitionForKey } from '../../src/stream/partitioner';
import { expectExactLake, walk } from '../pipeline/lake-truth';
import { BIN, ROOT, runLoglab } from './run-loglab';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-stream-archive-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newLake = () => join(scratch, `lake${lakes++}`);

/** The generator's lines as the 6 partitions of weblogs.raw receive them, in order. */
function partitioned(lines: number, seed: number): string[][] {
  const out: string[][] = Array.from({ length: 6 }, () => []);
  for (const line of generateLines(defaultOptions({ lines, seed }))) {
    out[partitionForKey(clientKey(line) as string, 6)].push(line);
  }
  return out;
}

describe('loglab stream --archive', () => {
  it('stores every generated line once, in partition order, and says how many, in how many files, where', async () => {
    const lake = newLake();
    const r = await runLoglab(['stream', '--archive', '--lake', lake, '--lines', '12000']);
    expect(r.code).toBe(0);
    const store = await createLocalStore({ root: lake });
    const files = await expectExactLake(store, partitioned(12_000, 42));
    const archived = r.stdout.split('\n').find((l) => l.startsWith('archived'));
    expect(archived).toBe(
      `archived   12000 lines into ${files.length} files (${/\((\d+) rolls\)/.exec(archived ?? '')?.[1]} rolls) under ${lake}/loglab/raw, group archiver`,
    );
    expect(r.stdout).toContain('checksum   produced 12000:');
    await store.close();
  });

  it('runs beside the detectors, on another topic and group, with the summary on stderr', async () => {
    const lake = newLake();
    const r = await runLoglab(
      ['stream', '--archive', '--detect', '--lake', lake, '--lines', '5000', '--seed', '7'].concat([
        '--topic',
        'web.test',
        '--archive-group',
        'keeper',
        '--json',
      ]),
    );
    expect(r.code).toBe(0);
    // stderr: progress lines (no terminal here), the summary as JSON, the detection counts.
    const summary = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{')) ?? '');
    expect(summary.topic).toBe('web.test');
    expect(summary.archive).toMatchObject({
      groupId: 'keeper',
      store: lake,
      engine: 'embedded',
      root: '/loglab/raw',
      lines: 5000,
      skipped: 0,
      gaps: [],
    });
    const store = await createLocalStore({ root: lake });
    const files = await expectExactLake(store, partitioned(5000, 7), 'web.test');
    expect(summary.archive.files).toBe(files.length);
    expect(files.every((f) => f.path.includes('/web.test+'))).toBe(true);
    await store.close();
  });

  it('takes --compress, --roll-size and --roll-interval as loglab archive does, with --archive only', async () => {
    const lake = newLake();
    const r = await runLoglab(
      ['stream', '--archive', '--lake', lake, '--lines', '3000'].concat([
        '--compress',
        'gzip',
        '--roll-size',
        '20000',
        '--roll-interval',
        '1h',
      ]),
    );
    expect(r.code).toBe(0);
    const names = (readdirSync(join(lake, 'loglab', 'raw'), { recursive: true }) as string[])
      .filter((n) => n.includes('weblogs.raw+'))
      .sort();
    expect(names.every((n) => n.endsWith('.log.gz') && !n.startsWith('_tmp'))).toBe(true);
    const lines = names.map(
      (n) =>
        gunzipSync(readFileSync(join(lake, 'loglab', 'raw', n)))
          .toString('utf8')
          .split('\n').length - 1,
    );
    expect(lines.reduce((a, b) => a + b, 0)).toBe(3000);
    // 20 kB rolls: more files than (hour, partition) pairs, so the size was used.
    const pairs = new Set(names.map((n) => `${n.split('/')[1]}:${n.split('+')[1]}`));
    expect(names.length).toBeGreaterThan(pairs.size);
    for (const flag of [
      ['--compress', 'gzip'],
      ['--roll-size', '100'],
      ['--roll-interval', '5s'],
    ]) {
      const bare = await runLoglab(['stream', ...flag]);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toBe(`loglab stream: ${flag[0]} needs --archive\n`);
    }
  });

  it('refuses a lake that holds the topic already, and --lake without --archive, in one line', async () => {
    const lake = newLake();
    expect((await runLoglab(['stream', '--archive', '--lake', lake, '--lines', '50'])).code).toBe(
      0,
    );
    const again = await runLoglab(['stream', '--archive', '--lake', lake, '--lines', '50']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `loglab stream: ${lake} already holds weblogs.raw from an earlier run; the embedded broker starts its offsets at 0 again: use another --lake or --topic\n`,
    );
    const bare = await runLoglab(['stream', '--lake', lake]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe('loglab stream: --lake needs --archive\n');
  });

  it('on Ctrl-C rolls every open file into place before it exits: the lake holds each produced line once', async () => {
    const lake = newLake();
    const child = spawn(
      process.execPath,
      [BIN, 'stream', '--archive', '--lake', lake, '--rate', '3000', '--json'],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt once the archiver is under way, with files open (rolls come only every 60 s).
      if (/archived \d+ lines/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.interrupted).toBe(true);
    expect(summary.archive.lines).toBe(summary.produced);
    const store = await createLocalStore({ root: lake });
    const files = await walk(store, '/loglab');
    expect(files.reduce((n, f) => n + f.lines.length, 0)).toBe(summary.produced);
    // Per partition, the files' offset ranges hold each offset once (the lines of one range may
    // be spread over hours, so the ranges of different hours interleave).
    const byPartition = new Map<number, number>();
    for (const f of files)
      byPartition.set(f.partition, (byPartition.get(f.partition) ?? 0) + f.lines.length);
    for (const [p, n] of byPartition) {
      const offsets = new Set<number>();
      for (const f of files.filter((x) => x.partition === p)) {
        for (let o = f.first; o <= f.last; o++) offsets.add(o);
      }
      expect(Math.max(...offsets) + 1).toBe(n);
    }
    expect(
      await store
        .stat('/loglab/raw/_tmp')
        .then((s) => (s === null ? [] : store.list('/loglab/raw/_tmp'))),
    ).toEqual([]);
    await store.close();
  }, 30_000);
});
