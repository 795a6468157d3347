import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../../src/bench/harness';
import { benchStream, streamReportPart } from '../../src/bench/stream-bench';
import { mergeRuns, messagesRatio, produceRowName } from '../../src/bench/stream-cluster';
import { runLiveStream } from '../../src/bench/stream-live';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/generator';

const lines = [...generateLines(defaultOptions({ lines: 2000, seed: 3 }))];

function row(name: string, meanMs: number, messages: number, group = 'g'): BenchRow {
  return {
    name,
    group,
    kind: 'process',
    opsPerSec: 1000 / meanMs,
    meanMs,
    p50Ms: meanMs,
    p99Ms: meanMs,
    rmePct: 0,
    samples: 1,
    per: { messages, bytes: messages * 100 },
    messagesPerSec: (messages * 1000) / meanMs,
    mbPerSec: (messages * 100 * 1000) / meanMs / 1e6,
  };
}

describe('mergeRuns and messagesRatio', () => {
  it('merges single runs into one row whose samples are the runs', () => {
    const merged = mergeRuns([
      row('kcat', 100, 1000),
      row('kcat', 300, 1000),
      row('kcat', 200, 1000),
    ]);
    expect(merged.samples).toBe(3);
    expect(merged.meanMs).toBe(200);
    expect(merged.p50Ms).toBe(200);
    expect(merged.opsPerSec).toBe(5);
    expect(merged.messagesPerSec).toBe(5000);
    expect(merged.mbPerSec).toBe(0.5);
    expect(merged.kind).toBe('process');
  });

  it('compares messages per second, whatever the messages per run', () => {
    const rows = [row('a', 1000, 500), row('b', 1000, 2000)];
    expect(messagesRatio(rows, 'a', 'b', 'a/b', 0.5)).toEqual({
      label: 'a/b',
      subject: 'a',
      baseline: 'b',
      value: 0.25,
      target: 0.5,
    });
    expect(messagesRatio(rows, 'a', 'b', 'a/b')).toEqual({
      label: 'a/b',
      subject: 'a',
      baseline: 'b',
      value: 0.25,
    });
    expect(() => messagesRatio(rows, 'a', 'c', 'a/c')).toThrow('no row named c');
  });

  it('names produce rows by batch size and codec', () => {
    expect(produceRowName(1000, 'gzip')).toBe('kafkajs, batch 1,000, gzip');
  });
});

describe('runLiveStream on the embedded broker', () => {
  it('produces and consumes every message, sampling as it goes, lag 0 at the end', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    await broker.createTopics([{ name: 'live', partitions: 6 }]);
    let handled = 0;
    const messages = lines.map((l) => ({ key: l.slice(0, l.indexOf(' ')), value: l }));
    const result = await runLiveStream(broker, {
      topic: 'live',
      groupId: 'g',
      messages,
      batch: 250,
      rate: 20_000,
      sampleMs: 20,
      pollRecords: 300,
      handle: (batches) => {
        for (const b of batches) handled += b.records.length;
      },
    });
    expect([result.produced, result.consumed]).toEqual([2000, 2000]);
    expect(handled).toBe(2000);
    expect(result.points.length).toBeGreaterThan(0);
    expect(result.points[result.points.length - 1].lag).toBe(0);
    const times = result.points.map((p) => p.seconds);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await broker.groupLag('g', ['live'])).total).toBe(0);
    await broker.close();
  });

  it('refuses a batch below 1 and a rate of 0', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    const base = { topic: 'live', groupId: 'g', messages: [] };
    await expect(runLiveStream(broker, { ...base, batch: 0 })).rejects.toThrow(
      'batch must be 1 or more',
    );
    await expect(runLiveStream(broker, { ...base, rate: 0 })).rejects.toThrow(
      'rate must be above 0',
    );
    await broker.close();
  });
});

describe('benchStream', () => {
  it('measures the embedded broker and says in one line that no broker answered', async () => {
    const report = await benchStream({
      config: loadConfig({ LOGLAB_KAFKA_BROKERS: '127.0.0.1:1' }),
      lines,
      embeddedMessages: 1000,
      batchSizes: [100, 1, 10],
      time: 5,
    });
    expect(report.stage).toBe('stream');
    expect(report.rows.map((r) => r.name)).toEqual([
      'embedded produce, batch 1',
      'embedded produce, batch 10',
      'embedded produce, batch 100',
      'embedded consume',
      'embedded produce+consume',
    ]);
    for (const r of report.rows) expect(r.per.messages).toBe(1000);
    expect(report.ratios).toEqual([]);
    expect(
      report.notes.filter((n) => n.startsWith('cluster: no Kafka broker answers at 127.0.0.1:1')),
    ).toHaveLength(1);
    expect(
      report.notes.some((n) => n.startsWith('target: embedded produce+consume ≥ 2,000,000')),
    ).toBe(true);
    expect(streamReportPart(report, 'embedded').rows).toHaveLength(5);
    expect(streamReportPart(report, 'cluster').rows).toEqual([]);
  });

  it('fails in one sentence when the cluster part is required and no broker answers', async () => {
    await expect(
      benchStream({
        config: loadConfig({ LOGLAB_KAFKA_BROKERS: '127.0.0.1:1' }),
        lines,
        embeddedMessages: 100,
        batchSizes: [10],
        time: 1,
        cluster: true,
      }),
    ).rejects.toThrow('no Kafka broker answers at 127.0.0.1:1');
  });
});
