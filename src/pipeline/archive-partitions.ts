/**
 * The archiver's view of its partitions in a group that rebalances: which it owns, which it must
 * recover from the lake before writing, and the next offset to write on each.
 *
 * - `listen` is the consumer's `onAssignment`: it runs synchronously inside the broker, so it
 *   only updates the sets; the archiver acts on them between awaits (`takeRevoked`, `pending`).
 * - A gained partition (or one whose roll was stale) is *pending* until `recovered` gives its
 *   next offset from the lake; no record of it is written before that.
 * - `accept` keeps per partition the next offset to write: a record below it is stored already
 *   (a commit behind the lake, or kafkajs delivering again after a rejoin) and is skipped; one
 *   above it, on a partition whose files the lake holds, is a gap (lines the lake lacks, e.g.
 *   records gone by retention), counted once per recovery, never hidden.
 * - `positions` is where the member stands in each partition, as a Kafka consumer's position:
 *   the lake's next offset once recovered, then after each record read. A partition handed over
 *   with every line stored and committed gives no record to read, yet it is done: its position
 *   says so (a caller waiting for every partition's end would otherwise wait forever).
 */
import type { AssignmentChange } from '../stream/broker';

export type Acceptance = 'write' | 'skip' | 'not-owned';

export class ArchivePartitions {
  private readonly owned = new Set<number>();
  private readonly waiting = new Set<number>();
  private readonly revoked = new Set<number>();
  private readonly next = new Map<number, number>();
  private readonly inLake = new Set<number>();
  private readonly gapChecked = new Set<number>();
  /** Partitions whose first record came after the next offset the lake gave. */
  readonly gaps: number[] = [];
  /** Per partition recovered or read: the lake's next offset, or after the last record read. */
  readonly positions = new Map<number, number>();

  constructor(private readonly topic: string) {}

  readonly listen = (change: AssignmentChange): void => {
    for (const tp of change.revoked) {
      if (tp.topic !== this.topic) continue;
      this.owned.delete(tp.partition);
      this.waiting.delete(tp.partition);
      this.next.delete(tp.partition);
      this.revoked.add(tp.partition);
    }
    for (const tp of change.assigned) {
      if (tp.topic !== this.topic) continue;
      this.owned.add(tp.partition);
      this.waiting.add(tp.partition);
      this.revoked.delete(tp.partition);
    }
  };

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** Owned partitions, sorted. */
  assigned(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Partitions lost since the last call, whose open files the archiver drops. */
  takeRevoked(): number[] {
    const out = [...this.revoked].sort((a, b) => a - b);
    this.revoked.clear();
    return out;
  }

  /** Owned partitions waiting for their next offset from the lake. */
  pending(): number[] {
    return [...this.waiting].sort((a, b) => a - b);
  }

  isPending(partition: number): boolean {
    return this.waiting.has(partition);
  }

  /** The lake's answer for pending partitions (those no longer owned are ignored). */
  recovered(next: ReadonlyMap<number, number>, stored: ReadonlySet<number>): void {
    for (const [p, n] of next) {
      if (!this.waiting.has(p)) continue;
      this.waiting.delete(p);
      this.next.set(p, n);
      const at = this.positions.get(p);
      if (at === undefined || at < n) this.positions.set(p, n);
      this.gapChecked.delete(p);
      if (stored.has(p)) this.inLake.add(p);
    }
  }

  /** A roll of the partition was stale: what the lake holds must be read again before writing. */
  resync(partition: number): void {
    if (!this.owned.has(partition)) return;
    this.next.delete(partition);
    this.waiting.add(partition);
  }

  /** The next offset to write on an owned, recovered partition. */
  nextOffset(partition: number): number | undefined {
    return this.next.get(partition);
  }

  /** What to do with one record; call only for partitions that are not pending. */
  accept(partition: number, offset: number): Acceptance {
    this.positions.set(partition, offset + 1);
    const n = this.next.get(partition);
    if (!this.owned.has(partition) || n === undefined) return 'not-owned';
    if (offset < n) return 'skip';
    if (!this.gapChecked.has(partition)) {
      this.gapChecked.add(partition);
      if (offset > n && this.inLake.has(partition)) this.gaps.push(partition);
    }
    this.next.set(partition, offset + 1);
    return 'write';
  }
}
