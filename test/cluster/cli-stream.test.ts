/**
 * `loglab stream --engine cluster`: generate → produce → consume through the real broker in one
 * process. weblogs.raw is shared with whatever else ran on this broker, so the first run of a new
 * group must skip exactly the messages that were there before it, and a second run of the same
 * group must read only its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { createChecksum } from '../../src/stream/checksum';
import { clientKey } from '../../src/stream/line-messages';
import { partitionForKey } from '../../src/stream/partitioner';
import { removeScratch } from '../../src/stream/scratch';
import { ensureStandardTopics, RAW_TOPIC } from '../../src/stream/topics';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/loglab.mjs', import.meta.url));
const broker = createBroker('cluster', loadConfig());
const group = `loglab.test.cli-stream.${Date.now()}`;

afterAll(async () => {
  await removeScratch(broker, { topics: [], groups: [group] });
  await broker.close();
});

function stream(lines: number, seed: number) {
  const r = spawnSync(
    process.execPath,
    [BIN, 'stream', '--engine', 'cluster', '--lines', String(lines), '--seed', String(seed)].concat(
      ['--group', group, '--json'],
    ),
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOGLAB_ENGINE: '' }, timeout: 120_000 },
  );
  // stderr carries a progress line a second (no terminal: plain lines), never a stack trace.
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** The checksum `loglab stream` computes, from the generator's lines alone. */
async function expectedChecksum(lines: number, seed: number): Promise<string> {
  const partitions = (await broker.describeTopic(RAW_TOPIC)).partitions.length;
  const sum = createChecksum();
  for (const line of generateLines(defaultOptions({ lines, seed }))) {
    sum.add(partitionForKey(clientKey(line) as string, partitions), line);
  }
  return sum.digest();
}

/** Messages weblogs.raw holds now (retention may have removed the oldest), and its end offsets. */
async function stored(): Promise<{ held: number; written: number }> {
  const d = await broker.describeTopic(RAW_TOPIC);
  return {
    held: d.partitions.reduce((n, p) => n + p.end - p.start, 0),
    written: d.partitions.reduce((n, p) => n + p.end, 0),
  };
}

describe('loglab stream on Kafka', () => {
  it('round-trips the generated lines with equal checksums; a new group skips exactly what was there before', async () => {
    await ensureStandardTopics(broker);
    const before = await stored();
    const first = stream(20_000, 5);
    expect(first).toMatchObject({
      engine: 'cluster',
      topic: RAW_TOPIC,
      groupId: group,
      produced: 20_000,
      deadLettered: 0,
      consumed: 20_000,
      skipped: before.held,
      lag: 0,
      interrupted: false,
    });
    expect(first.checksum.equal).toBe(true);
    expect(first.checksum.produced).toBe(await expectedChecksum(20_000, 5));
    expect((await stored()).written).toBe(before.written + 20_000);

    // The same group again: it starts at its commits, so there is nothing older to skip.
    const second = stream(10_000, 6);
    expect(second).toMatchObject({ produced: 10_000, consumed: 10_000, skipped: 0, lag: 0 });
    expect(second.checksum.equal).toBe(true);
    expect(second.checksum.consumed).toBe(await expectedChecksum(10_000, 6));
    expect((await stored()).written).toBe(before.written + 30_000);
    expect((await broker.groupLag(group, [RAW_TOPIC])).total).toBe(0);
  });
});
