/**
 * The traffic of bench/latency.ts and its paced producer, shared by the bench's main thread and
 * the producer thread it starts on Kafka (latency-producer-thread.ts).
 *
 * Traffic: consecutive generated hours (10,000 lines each, every incident kind in each, seeds 1,
 * 2, …), keyed by client IP. Pace: every few milliseconds whatever is due at `rate` lines/s goes
 * out as one produce call, each message stamped with the wall clock in a header just before the
 * call, so a latency measured from it covers the produce request and everything after.
 */
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../generate/index';
import { formatCombined } from '../log/format';
import type { Broker } from '../stream/broker';

/** The header that carries the wall-clock time a message was handed to produce(). */
export const PRODUCED_AT = 'produced-at';

export interface KeyedLine {
  readonly key: string;
  readonly value: string;
}

/** Wall clock in ms with sub-millisecond resolution, comparable across this process's threads. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** `total` lines of generated hours, the same for the same total. */
export function latencyTraffic(total: number): KeyedLine[] {
  const out: KeyedLine[] = [];
  const hour = 3_600_000;
  const start = Date.UTC(2024, 2, 12);
  for (let i = 0; out.length < total; i++) {
    const generator = createGenerator(
      defaultOptions({
        lines: 10_000,
        spanMs: hour,
        start: start + i * hour,
        seed: i + 1,
        incidents: [...INCIDENT_KINDS],
      }),
    );
    for (const r of generator.records()) {
      if (out.length === total) break;
      out.push({ key: r.ip, value: formatCombined(r) });
    }
  }
  return out;
}

export interface PacedRun {
  readonly sent: number;
  readonly seconds: number;
  /** Wall time of each produce call, in ms (how long the producer waited for the broker). */
  readonly produceMs: number[];
  /** The PRODUCED_AT stamp of each produce call's messages, in the order of `produceMs`. */
  readonly stampedAt: number[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Produces `lines` to `topic` at `rate` lines/s, stamped as they are handed over. */
export async function producePaced(
  broker: Broker,
  topic: string,
  lines: readonly KeyedLine[],
  rate: number,
): Promise<PacedRun> {
  const t0 = performance.now();
  const produceMs: number[] = [];
  const stampedAt: number[] = [];
  let sent = 0;
  while (sent < lines.length) {
    const due = Math.min(lines.length, Math.floor(((performance.now() - t0) * rate) / 1000));
    if (due <= sent) {
      await sleep(2);
      continue;
    }
    const stamp = wallClock();
    const headers = { [PRODUCED_AT]: String(stamp) };
    const batch = [];
    for (let i = sent; i < due; i++) {
      batch.push({ key: lines[i].key, value: lines[i].value, headers });
    }
    const started = performance.now();
    await broker.produce(topic, batch);
    produceMs.push(performance.now() - started);
    stampedAt.push(stamp);
    sent = due;
  }
  return { sent, seconds: (performance.now() - t0) / 1000, produceMs, stampedAt };
}
