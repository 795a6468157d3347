/**
 * The archiver stores each line as the bytes the topic held (it reads through `pollRaw`): the
 * lake file is the topic's values byte for byte, a newline after each, even for a byte that is
 * not UTF-8, which decoding and encoding again would have turned into U+FFFD. A line that does
 * not parse still becomes a dead letter.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { createLocalStore } from '../../src/storage/local-store';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-raw-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Files under `dir`, recursively, as [path relative to `root`, bytes], sorted by path. */
function filesUnder(root: string, dir = root, out: [string, Buffer][] = []): [string, Buffer][] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) filesUnder(root, path, out);
    else out.push([path.slice(root.length), readFileSync(path)]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const line = (ip: string, agent: string) =>
  `${ip} - - [01/Jan/2026:10:15:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "${agent}"`;

describe('archiver: raw bytes', () => {
  it('writes the values as the topic held them, a byte that is not UTF-8 included', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 1 }]);
    const values = [
      Buffer.from(line('192.0.2.1', 'curl/8.0')),
      Buffer.concat([
        Buffer.from(line('192.0.2.2', 'bad').slice(0, -1)),
        Buffer.from([0xff, 0x22]),
      ]),
      Buffer.from(line('192.0.2.3', 'Mozilla/5.0 (Bücherwurm)'), 'utf8'),
      Buffer.from('not a log line'),
    ];
    await broker.produce(
      'weblogs.raw',
      values.map((value) => ({ key: null, value })),
    );
    const root = join(scratch, 'lake');
    const store = await createLocalStore({ root });
    const run = await runArchiver(broker, store, { stopWhenIdle: true, maxWaitMs: 20 });
    expect(run.lines).toBe(4);

    const files = filesUnder(root);
    expect(files.map(([path]) => path)).toEqual([
      '/loglab/_sources/weblogs.raw.json',
      '/loglab/deadletter/weblogs.raw+0+3+3.log',
      '/loglab/raw/date=2026-01-01/hour=10/weblogs.raw+0+0+2.log',
    ]);
    expect(files[0][1].toString('utf8')).toBe('{"topic":"weblogs.raw","source":"kafka"}\n');
    const want = Buffer.concat(values.slice(0, 3).flatMap((v) => [v, Buffer.from('\n')]));
    expect(files[2][1].equals(want)).toBe(true);
    expect(JSON.parse(files[1][1].toString('utf8'))).toMatchObject({ line: 'not a log line' });
    await broker.close();
    await store.close();
  });
});
