/**
 * Where bench/latency.ts's slowest alerts spent their time, so that a run with a long tail says
 * which hop it was instead of leaving it to be guessed. Each alert's latency is cut in three:
 *
 * - *acked*: the produce call that carried the triggering line, until the broker answered it
 *   (the request, the broker's append, the answer; the producer's own thread);
 * - *polled*: from the line handed to produce until a poll returned it to the detection loop
 *   (the broker, the consumer's fetch, its queue, the loop's previous poll and commit);
 * - *detected*: from that poll until the alert (the partition merge holding the line back, the
 *   engine).
 *
 * `polled` overlaps `acked`: a fetch may bring a line before its producer hears the answer.
 * Pure: the bench notes when each poll returned which offsets, and hands the alerts in.
 */

export interface AlertTiming {
  /** Wall clock (ms) when the triggering line was handed to produce. */
  readonly sent: number;
  /** Wall clock when a poll returned the triggering line. */
  readonly polled: number;
  /** Wall clock when the detector emitted the alert. */
  readonly alerted: number;
}

/** The time each poll returned, per partition, by the last offset it returned. */
export class PollTimes {
  private readonly ends = new Map<number, number[]>();
  private readonly ats = new Map<number, number[]>();

  /** A poll returned `partition`'s records up to `lastOffset` at `at`. */
  note(partition: number, lastOffset: number, at: number): void {
    let ends = this.ends.get(partition);
    let ats = this.ats.get(partition);
    if (ends === undefined || ats === undefined) {
      ends = [];
      ats = [];
      this.ends.set(partition, ends);
      this.ats.set(partition, ats);
    }
    ends.push(lastOffset);
    ats.push(at);
  }

  /** When a poll returned `offset` of `partition` (NaN if none did). */
  at(partition: number, offset: number): number {
    const ends = this.ends.get(partition);
    const ats = this.ats.get(partition);
    if (ends === undefined || ats === undefined) return Number.NaN;
    // The first poll whose last offset is at or past `offset` (offsets only grow).
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < ends.length ? ats[lo] : Number.NaN;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[(sorted.length - 1) >> 1];
}

/**
 * One sentence on the slowest 1% of `alerts` (at least one): the median of each hop, and when in
 * the run (seconds after `start`) they came. `ackMs` maps a produce call's stamp to its time.
 */
export function slowestHops(
  alerts: readonly AlertTiming[],
  ackMs: ReadonlyMap<number, number>,
  start: number,
): string {
  if (alerts.length === 0) return 'no alerts to cut into hops';
  const count = Math.max(1, Math.ceil(alerts.length / 100));
  const slow = [...alerts]
    .sort((a, b) => b.alerted - b.sent - (a.alerted - a.sent))
    .slice(0, count);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const seconds = [...new Set(slow.map((a) => ((a.sent - start) / 1000).toFixed(1)))]
    .sort((a, b) => Number(a) - Number(b))
    .join(', ');
  return (
    `slowest ${count} alerts (median of each hop): produce call until acked ` +
    `${ms(median(slow.map((a) => ackMs.get(a.sent) ?? Number.NaN)))}, handed to produce until ` +
    `polled ${ms(median(slow.map((a) => a.polled - a.sent)))}, polled until alerted ` +
    `${ms(median(slow.map((a) => a.alerted - a.polled)))}; lines handed over at ${seconds} s of the run`
  );
}
