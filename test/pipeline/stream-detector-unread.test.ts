/**
 * A partition the consumer leaves unread for longer than the idle time while the others
 * deliver (its fetches and prefetch queue serve partitions one after another) is not idle: only
 * a poll that found nothing to read says so. Before, the others were released past it and its
 * next batch, minutes of event time older on a replay, counted late, so the alerts depended on
 * the order in which partitions reached the detector.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { type Alert, formatAlert } from '../../src/realtime/alert';
import type { ConsumedRecord, RecordBatch } from '../../src/stream/broker';
import { partitionForKey } from '../../src/stream/partitioner';

const PARTITIONS = 6;
const CHUNK = 1000;
const IDLE_MS = 1000;
const lines = [
  ...generateLines(
    defaultOptions({
      seed: 42,
      lines: 30_000,
      incidents: [...INCIDENT_KINDS],
      format: 'combined-time',
    }),
  ),
];

/** The topic as rounds: per round of CHUNK lines, each partition's records, keyed by client IP. */
function rounds(): ConsumedRecord<string>[][][] {
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const out: ConsumedRecord<string>[][][] = [];
  for (let from = 0; from < lines.length; from += CHUNK) {
    const parts: ConsumedRecord<string>[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const value of lines.slice(from, from + CHUNK)) {
      const key = value.slice(0, value.indexOf(' '));
      const p = partitionForKey(key, PARTITIONS);
      parts[p].push({ topic: 't', partition: p, offset: offsets[p]++, key, value, timestamp: 0 });
    }
    out.push(parts);
  }
  return out;
}

function batch(p: number, records: ConsumedRecord<string>[]): RecordBatch<string> {
  return { topic: 't', partition: p, records, highWatermark: (records.at(-1)?.offset ?? -1) + 1 };
}

/**
 * Every round in two polls 300 ms apart (partitions 0–2, then 3–5); with `every` > 1 the last
 * partition brings `every` rounds at once every `every` rounds, unread in between.
 */
function detect(every: number): { alerts: string[]; late: number } {
  let now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  const detector = createStreamDetector({ parse: parseAuto, idleMs: IDLE_MS });
  detector.expectPartitions([0, 1, 2, 3, 4, 5]);
  const all = rounds();
  const alerts: Alert[] = [];
  for (let i = 0; i < all.length; i++) {
    detector.addBatches([0, 1, 2].map((p) => batch(p, all[i][p])));
    now += 300;
    const late: RecordBatch<string>[] = [];
    if ((i + 1) % every === 0 || i === all.length - 1) {
      const from = Math.floor(i / every) * every;
      late.push(
        batch(
          5,
          all.slice(from, i + 1).flatMap((r) => r[5]),
        ),
      );
    }
    detector.addBatches([...[3, 4].map((p) => batch(p, all[i][p])), ...late]);
    now += 300;
    alerts.push(...detector.takeAlerts());
  }
  detector.finish();
  alerts.push(...detector.takeAlerts());
  return { alerts: alerts.map(formatAlert), late: detector.counts().late };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a partition left unread while the others deliver', () => {
  it('gives the alerts of the same records delivered together: nothing late', () => {
    const together = detect(1);
    expect(together.late).toBe(0);
    expect(together.alerts.length).toBeGreaterThan(0);
    // The last partition unread for 1.8 s at a time, the others read every 0.3 s.
    const unread = detect(3);
    expect(unread.late).toBe(0);
    expect(unread.alerts).toEqual(together.alerts);
  });
});
