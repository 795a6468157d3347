/**
 * Detection on a partitioned stream: records of six partitions, delivered one partition after
 * another as a consumer catching up on a backlog gets them, give the same alerts as the file
 * they came from, because the partition merge puts them back in event-time order; committed
 * offsets never cover a record the merge still holds; unparseable records become dead letters.
 */
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { formatCombined } from '../../src/log/format';
import { isRecord } from '../../src/log/record';
import { runDetection } from '../../src/pipeline/run-detection';
import { alertMessage, createStreamDetector } from '../../src/pipeline/stream-detector';
import { formatDetectCounts } from '../../src/realtime/detect-counts';
import { type Alert, createDetectionEngine, formatAlert } from '../../src/realtime/index';
import { DEFAULT_MAX_HELD, PartitionMerge } from '../../src/realtime/partition-merge';
import type { ConsumedRecord, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { partitionForKey } from '../../src/stream/partitioner';
import { ALERTS_TOPIC, DEADLETTER_TOPIC, parseDeadLetter } from '../../src/stream/topics';
import { detect, record } from '../realtime/collect';

const PARTITIONS = 6;
const options = defaultOptions({
  seed: 3,
  incidents: [...INCIDENT_KINDS],
  format: 'combined-time',
});
const lines = [...generateLines(options)];
const fileAlerts = detect(createGenerator(options).records());

/** The lines as a topic keyed by client IP: per partition, records in offset order. */
function partitioned(all: readonly string[]): ConsumedRecord<string>[][] {
  const parts: ConsumedRecord<string>[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const value of all) {
    const key = value.slice(0, value.indexOf(' '));
    const p = partitionForKey(key, PARTITIONS);
    parts[p].push({ topic: 't', partition: p, offset: parts[p].length, key, value, timestamp: 0 });
  }
  return parts;
}

/** Batches of `size` records, each partition read to its end before the next one starts. */
function partitionAfterPartition(
  parts: ConsumedRecord<string>[][],
  size: number,
): RecordBatch<string>[][] {
  const polls: RecordBatch<string>[][] = [];
  for (const records of parts) {
    for (let i = 0; i < records.length; i += size) {
      polls.push([
        {
          topic: 't',
          partition: records[0].partition,
          records: records.slice(i, i + size),
          highWatermark: records.length,
        },
      ]);
    }
  }
  return polls;
}

describe('a topic read one partition after another', () => {
  const parts = partitioned(lines);

  it('loses records to the watermark when fed to the engine as it comes', () => {
    const engine = createDetectionEngine({ sink: () => undefined });
    for (const poll of partitionAfterPartition(parts, 10_000)) {
      for (const r of poll[0].records) {
        const outcome = parseAuto(r.value);
        if (isRecord(outcome)) engine.process(outcome);
      }
    }
    // Every partition after the first starts hours behind the watermark: count what the rule
    // (behind the newest time seen − 30 s) makes late in this order.
    let newest = Number.NEGATIVE_INFINITY;
    let late = 0;
    for (const poll of partitionAfterPartition(parts, 10_000)) {
      for (const r of poll[0].records) {
        const t = (parseAuto(r.value) as { time: number }).time;
        if (t < newest - 30_000) late++;
        else if (t > newest) newest = t;
      }
    }
    expect(late).toBeGreaterThan(lines.length / 2);
    expect(engine.counters().late).toBe(late);
  });

  it('gives the alerts of the file when merged, with nothing late', () => {
    const alerts: Alert[] = [];
    const detector = createStreamDetector({ parse: parseAuto, onAlert: (a) => alerts.push(a) });
    // What the group's lag says at the start: every partition has records to read.
    for (let p = 0; p < PARTITIONS; p++) detector.setBehind(p, true);
    for (const poll of partitionAfterPartition(parts, 10_000)) detector.addBatches(poll);
    detector.finish();
    expect(alerts.map(formatAlert)).toEqual(fileAlerts.map(formatAlert));
    expect(fileAlerts.length).toBeGreaterThanOrEqual(6);
    expect(detector.counts()).toEqual({
      read: lines.length,
      parsed: lines.length,
      rejected: 0,
      late: 0,
      alerts: fileAlerts.length,
      opened: {
        'error-spike': fileAlerts.filter(
          (a) => a.kind === 'error-spike' && a.firstSeen === a.windowEnd,
        ).length,
        'ip-flood': 1,
        scanner: 1,
        'prefix-flood': 1,
        'slow-scan': 1,
        // A slow page at night can open, resolve and open again within its incident.
        'slow-page': fileAlerts.filter((a) => a.kind === 'slow-page' && a.state === 'resolved')
          .length,
        anomaly: fileAlerts.filter(
          (a) => a.kind === 'anomaly' && a.firstSeen === a.windowEnd && a.state === 'open',
        ).length,
      },
    });
  });

  it('commits only up to the oldest record it still holds', () => {
    const detector = createStreamDetector({ parse: parseAuto });
    detector.setBehind(0, true);
    detector.setBehind(1, true);
    const [p0, p1] = parts;
    // Partition 1 delivers its first 100 records; partition 0 has delivered nothing yet.
    detector.addBatches([
      { topic: 't', partition: 1, records: p1.slice(0, 100), highWatermark: p1.length },
    ]);
    expect(detector.held()).toBe(100);
    expect(detector.commitOffsets()).toEqual([{ topic: 't', partition: 1, offset: 0 }]);
    // Partition 0 catches up past them: partition 1's records are released, 0 holds back
    // whatever is newer than partition 1's newest.
    detector.addBatches([
      { topic: 't', partition: 0, records: p0.slice(0, 2000), highWatermark: p0.length },
    ]);
    const p1Newest = Math.max(
      ...p1.slice(0, 100).map((r) => (parseAuto(r.value) as { time: number }).time),
    );
    const stillHeld = p0
      .slice(0, 2000)
      .findIndex((r) => (parseAuto(r.value) as { time: number }).time > p1Newest);
    expect(detector.commitOffsets()).toEqual([
      { topic: 't', partition: 1, offset: 100 },
      { topic: 't', partition: 0, offset: stillHeld },
    ]);
    expect(detector.held()).toBe(2000 - stillHeld);
    expect(detector.lag()).toBe(p0.length - 2000 + p1.length - 100);
  });
});

describe('PartitionMerge', () => {
  it('releases smallest head first, up to the newest time of the partitions that hold back', () => {
    let clock = 0;
    const merge = new PartitionMerge<string>(DEFAULT_MAX_HELD, 1000, () => clock);
    merge.setBehind(0, true);
    merge.setBehind(1, true);
    merge.add(0, 'a10', 10, 0);
    merge.add(0, 'a40', 40, 1);
    merge.add(1, 'b20', 20, 0);
    const out: string[] = [];
    expect(merge.release((x) => out.push(x))).toBe(2);
    expect(out).toEqual(['a10', 'b20']);
    expect(merge.heldFrom(0)).toBe(1);
    expect(merge.heldFrom(1)).toBe(null);
    // Partition 1 catches up: it still holds back while it is active…
    clock = 500;
    merge.delivered(1, false);
    expect(merge.release((x) => out.push(x))).toBe(0);
    // …and, quiet for idleMs, until a poll finds nothing to read…
    clock = 1501;
    expect(merge.release((x) => out.push(x))).toBe(0);
    // …and no more once one has.
    merge.nothingToRead();
    merge.release((x) => out.push(x));
    expect(out).toEqual(['a10', 'b20', 'a40']);
    expect(merge.held()).toBe(0);
  });

  it('holds everything back for an expected partition until it delivers or goes idle', () => {
    let clock = 0;
    const merge = new PartitionMerge<string>(DEFAULT_MAX_HELD, 1000, () => clock);
    merge.expect(1);
    merge.add(0, 'a10', 10, 0);
    merge.delivered(0, false);
    const out: string[] = [];
    expect(merge.release((x) => out.push(x))).toBe(0);
    clock = 999;
    expect(merge.release((x) => out.push(x))).toBe(0);
    clock = 1000;
    expect(merge.release((x) => out.push(x))).toBe(0);
    merge.nothingToRead();
    expect(merge.release((x) => out.push(x))).toBe(1);
  });

  it('lets a partition that never delivers go idle after ten times idleMs, with no empty poll', () => {
    let clock = 0;
    const merge = new PartitionMerge<string>(DEFAULT_MAX_HELD, 1000, () => clock);
    merge.expect(1);
    const out: string[] = [];
    // Partition 0 delivers every poll, so no poll is ever empty.
    for (let t = 0; t < 10_000; t += 500) {
      clock = t;
      merge.add(0, `a${t}`, t, t / 500);
      merge.delivered(0, false);
      expect(merge.release((x) => out.push(x))).toBe(0);
    }
    clock = 10_001;
    merge.add(0, 'a10001', 10_001, 20);
    merge.delivered(0, false);
    expect(merge.release((x) => out.push(x))).toBe(21);
    expect(out.at(-1)).toBe('a10001');
  });

  it('releases regardless past maxHeld', () => {
    const merge = new PartitionMerge<number>(2);
    merge.setBehind(1, true);
    for (let i = 0; i < 5; i++) merge.add(0, i, i, i);
    const out: number[] = [];
    merge.release((x) => out.push(x));
    expect(out).toEqual([0, 1, 2]);
    expect(merge.held()).toBe(2);
  });
});

describe('runDetection on the embedded broker', () => {
  it('replays a topic to its end, writes alerts and dead letters, commits everything', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([
      { name: 'raw', partitions: PARTITIONS },
      { name: ALERTS_TOPIC, partitions: 1 },
      { name: DEADLETTER_TOPIC, partitions: 1 },
    ]);
    const garbage = 'this is not an access log line';
    const messages = lines.map((value) => ({ key: value.slice(0, value.indexOf(' ')), value }));
    messages.splice(500, 0, { key: 'x', value: garbage });
    await broker.produce('raw', messages);
    const alerts: Alert[] = [];
    const detector = createStreamDetector({ parse: parseAuto, onAlert: (a) => alerts.push(a) });
    const run = await runDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      toEnd: true,
      alertsTopic: ALERTS_TOPIC,
      deadLetterTopic: DEADLETTER_TOPIC,
    });
    expect(run.stoppedBy).toBe('end');
    expect(alerts.map(formatAlert)).toEqual(fileAlerts.map(formatAlert));
    expect(formatDetectCounts(detector.counts())).toBe(
      `read ${lines.length + 1}, parsed ${lines.length}, rejected 1, late 0, alerts ${fileAlerts.length} ` +
        `(opened: ${Object.entries(detector.counts().opened)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
    );
    expect((await broker.groupLag('g', ['raw'])).total).toBe(0);

    const reader = await broker.subscribe({
      groupId: 'check',
      topics: [ALERTS_TOPIC, DEADLETTER_TOPIC],
      fromBeginning: true,
    });
    const got = await reader.poll({ maxWaitMs: 0 });
    await reader.close();
    if (got.kind !== 'records') throw new Error('nothing on the alerts and dead-letter topics');
    const byTopic = (t: string) =>
      got.batches.filter((b) => b.topic === t).flatMap((b) => b.records);
    expect(byTopic(ALERTS_TOPIC).map((r) => ({ key: r.key, value: r.value }))).toEqual(
      fileAlerts.map((a) => {
        const m = alertMessage(a);
        return { key: m.key, value: m.value };
      }),
    );
    const dead = byTopic(DEADLETTER_TOPIC);
    expect(dead.length).toBe(1);
    const letter = parseDeadLetter(dead[0].value);
    expect(letter.line).toBe(garbage);
    expect(letter.source?.topic).toBe('raw');
    expect(dead[0].key).toBe('x');
    await broker.close();
  });

  it('stops at once on an empty topic with stopWhenIdle, and flushes nothing', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'raw', partitions: 2 }]);
    const detector = createStreamDetector({ parse: parseAuto });
    const run = await runDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      stopWhenIdle: true,
      maxWaitMs: 10,
    });
    expect(run.stoppedBy).toBe('idle');
    expect(detector.counts().read).toBe(0);
    await broker.close();
  });

  it('keeps a record as the alert trigger: the one that moved the watermark past the window end', () => {
    const triggers: (number | null)[] = [];
    const detector = createStreamDetector({
      parse: parseAuto,
      ipFlood: { minRequests: 3 },
      scanner: false,
      errorSpike: false,
      anomaly: false,
      onAlert: (_a, t) => triggers.push(t === null ? null : t.offset),
    });
    const T0 = Date.UTC(2024, 2, 12, 10, 0, 0);
    // Three requests in the minute [10:00, 10:01); the window ending at 10:01 closes when the
    // watermark (newest − 30 s) passes it: at the record of 10:01:30 (offset 3).
    const times = [1000, 2000, 3000, 90_000, 100_000].map((t) => T0 + t);
    const records = times.map((t, i) => ({
      topic: 't',
      partition: 0,
      offset: i,
      key: '10.0.0.1',
      value: formatCombined(record('10.0.0.1', '/', 200, t)),
      timestamp: t,
    }));
    detector.addBatches([{ topic: 't', partition: 0, records, highWatermark: records.length }]);
    detector.finish();
    expect(triggers).toEqual([3, null]);
  });
});
