/**
 * Records of several partitions merged into one event-time order for the engine, so that a
 * topic read across partitions gives the alerts that the file it came from gives.
 *
 * Kafka keeps order only within a partition, and a consumer catching up on a backlog gets each
 * partition in batches of thousands of records: one partition may be hours of event time ahead
 * of another. Fed to the engine as they come, the slower partition's records would fall behind
 * the engine's watermark and count as late. As Flink's Kafka source does (a watermark per
 * partition, the smallest one wins, idle partitions do not hold the others back), the merge
 * holds records back instead:
 *
 * - each partition keeps the records not yet released, in offset order, and the newest event
 *   time it has delivered;
 * - a partition holds the others back while it is *behind* (its last batch ended before the
 *   partition's high watermark, or the group's lag said so at the start) or *active* (it
 *   delivered, or was first expected, less than `idleMs` of wall-clock time ago); a partition
 *   that is caught up, has been quiet for `idleMs` and was quiet through a poll that found
 *   nothing to read on any partition (`nothingToRead`) is idle and holds nothing back;
 * - records are released smallest head first (a k-way merge of the partitions' queues) while
 *   the head is no newer than the smallest limit among the partitions that hold back: a behind
 *   partition's newest time, an active one's newest time plus `slackMs` (half the lateness:
 *   what it delivers next is at least that newest, give or take its own disorder, so a record
 *   that much newer cannot make it late); when none holds back, everything held is released.
 *
 * Why the engine then sees no more disorder than a partition has: a released record r of
 * partition p is compared with the newest record m released before it. When m was released it
 * was the smallest head, so it was no newer than p's head then (a record at or before r in p),
 * or p had nothing held and m was no newer than the newest record p had delivered. Either way m
 * is no newer than some record before r in p, and r is within the lateness of that one when p
 * is. So if each partition's disorder stays within the lateness (true of a topic produced in
 * time order, whatever the partitioning), nothing is late and the alerts equal the file's.
 *
 * Why quiet wall-clock time alone is not enough: a partition can go unread for a second while
 * the others deliver, because the consumer's fetches and its prefetch queue serve partitions one
 * after another, not because it has nothing. On a replay a second is many minutes of event
 * time, so releasing the others past it made its next batch late: with the demo's day (200,000
 * lines, seed 42, six partitions) read in polls 0.3 s apart and one partition read only every
 * 1.8 s, 20,004 records counted late and 19 of the alert lines changed. Only a poll that found
 * nothing at all says the broker had nothing more for it; or, in a stream so busy that no poll
 * is ever empty, ten times `idleMs` of quiet (`QUIET_WITHOUT_EMPTY_POLL`), so that a partition
 * that never gets a record does not hold the others back until `maxHeld`.
 *
 * An idle partition is assumed to receive nothing older than the others' newest minus the
 * lateness (a producer writing in time order); a record that breaks that is late for the
 * engine: counted and reported, never dropped.
 *
 * A pause of the whole stream (no partition delivered for `idleMs`) makes every partition
 * active again when the next one delivers. Otherwise, when a producer resumes, the partition
 * fetched first would be released past the others, which deliver their share of the same batch
 * a poll later: on a replay, where a second of wall clock is many minutes of event time, that
 * share fell behind the watermark (7,519 of 12,000 records in the unit test of it). A fault run
 * replaying a day counted 6,900 of 174,252 records late, with a producer started three times and
 * stalling on a loaded machine: pauses of every partition. On a live stream this costs at most
 * `idleMs` of holding after such a pause, and nothing while records flow. Active partitions hold records back only until
 * every partition has delivered something nearly as new: on a live stream, whose event time
 * follows the wall clock, that is at once. `maxHeld` bounds memory: past it the smallest
 * heads are released whatever the other partitions say.
 */

interface PartitionQueue<T> {
  items: T[];
  times: number[];
  offsets: number[];
  /** Index of the first record not released. */
  head: number;
  /** Newest event time delivered on the partition (−Infinity before the first). */
  newest: number;
  behind: boolean;
  /** Wall-clock time (ms) of the last delivery, or of when the partition was first expected. */
  seenAt: number;
}

export const DEFAULT_MAX_HELD = 1_000_000;
/** Quiet time after which a caught-up partition no longer holds the others back. */
export const DEFAULT_IDLE_MS = 1000;
/**
 * Quiet time, in `idleMs`, after which a partition goes idle even though no poll has come back
 * empty: a partition that never gets a record, in a stream busy enough that no poll is ever
 * empty, would otherwise hold every other partition's records until `maxHeld` (and their alerts
 * with them). Ten times the scheduling gaps measured (1.8 s at most, on a loaded machine).
 */
export const QUIET_WITHOUT_EMPTY_POLL = 10;

export class PartitionMerge<T> {
  private readonly queues = new Map<number, PartitionQueue<T>>();
  /** The queues as an array, for the per-record merge loop. */
  private list: PartitionQueue<T>[] = [];
  private heldCount = 0;
  private readonly maxHeld: number;
  private readonly idleMs: number;
  private readonly clock: () => number;
  private readonly slackMs: number;
  /** Wall-clock time of the last delivery of any partition. */
  private lastDeliveryAt = Number.NEGATIVE_INFINITY;
  /** When the stream came back from a pause of every partition (see the module docblock). */
  private resumedAt = Number.NEGATIVE_INFINITY;
  /** Wall-clock time of the last poll that found nothing to read on any partition. */
  private emptyAt = Number.NEGATIVE_INFINITY;

  constructor(
    maxHeld = DEFAULT_MAX_HELD,
    idleMs = DEFAULT_IDLE_MS,
    clock: () => number = () => performance.now(),
    slackMs = 0,
  ) {
    this.maxHeld = maxHeld;
    this.idleMs = idleMs;
    this.clock = clock;
    this.slackMs = slackMs;
  }

  /** Records held back now. */
  held(): number {
    return this.heldCount;
  }

  /** One record of `partition`, in offset order. */
  add(partition: number, item: T, time: number, offset: number): void {
    const q = this.queue(partition);
    q.items.push(item);
    q.times.push(time);
    q.offsets.push(offset);
    if (time > q.newest) q.newest = time;
    this.heldCount++;
  }

  /** Whether `partition` has more to read than it has delivered (see the module docblock). */
  setBehind(partition: number, behind: boolean): void {
    this.queue(partition).behind = behind;
  }

  /** `partition` delivered a batch now; `behind` when the batch ended before its high watermark. */
  delivered(partition: number, behind: boolean): void {
    const q = this.queue(partition);
    const now = this.clock();
    if (now - this.lastDeliveryAt >= this.idleMs) this.resumedAt = now;
    this.lastDeliveryAt = now;
    q.behind = behind;
    q.seenAt = now;
  }

  /**
   * A poll found nothing to read on any partition: the partitions quiet since their last
   * delivery are caught up for sure, and may go idle once quiet for `idleMs`.
   */
  nothingToRead(): void {
    this.emptyAt = this.clock();
  }

  /** A partition that will deliver: it holds the others back until it does or goes idle. */
  expect(partition: number): void {
    this.queue(partition);
  }

  isBehind(partition: number): boolean {
    return this.queues.get(partition)?.behind ?? false;
  }

  /**
   * `partition` is no longer this reader's (the group gave it to another member): it stops
   * holding the others back, and the records of it still held are dropped, not released; how
   * many is returned. Released now, they would reach the engine behind records of the others
   * that are newer, and the new owner reads them anyway: a reader commits only up to the oldest
   * record it holds (`heldFrom`), so they are not committed and the group hands them on, at
   * least once. A batch of the partition that comes later (it is given back) starts it afresh.
   */
  forget(partition: number): number {
    const q = this.queues.get(partition);
    if (q === undefined) return 0;
    const dropped = q.items.length - q.head;
    this.heldCount -= dropped;
    this.queues.delete(partition);
    this.list = [...this.queues.values()];
    return dropped;
  }

  /** Offset of the oldest record of `partition` still held, or null when none is held. */
  heldFrom(partition: number): number | null {
    const q = this.queues.get(partition);
    return q === undefined || q.head === q.items.length ? null : q.offsets[q.head];
  }

  /** Release, in merged order, every record that can no longer be overtaken; returns how many. */
  release(emit: (item: T) => void): number {
    let limit = Number.POSITIVE_INFINITY;
    const now = this.clock();
    const quietSince = now - this.idleMs;
    const stalledSince = now - this.idleMs * QUIET_WITHOUT_EMPTY_POLL;
    const resumed = this.resumedAt > quietSince;
    for (const q of this.list) {
      const active =
        resumed || q.seenAt > quietSince || (q.seenAt > this.emptyAt && q.seenAt > stalledSince);
      const own = q.behind ? q.newest : active ? q.newest + this.slackMs : limit;
      if (own < limit) limit = own;
    }
    return this.releaseUpTo(limit, emit);
  }

  /** Release everything held, in merged order (the input ended). */
  drain(emit: (item: T) => void): number {
    return this.releaseUpTo(Number.POSITIVE_INFINITY, emit);
  }

  private releaseUpTo(limit: number, emit: (item: T) => void): number {
    const list = this.list;
    let released = 0;
    for (;;) {
      let best: PartitionQueue<T> | null = null;
      let bestTime = Number.POSITIVE_INFINITY;
      for (let i = 0; i < list.length; i++) {
        const q = list[i];
        if (q.head < q.items.length && q.times[q.head] < bestTime) {
          bestTime = q.times[q.head];
          best = q;
        }
      }
      if (best === null || (bestTime > limit && this.heldCount <= this.maxHeld)) break;
      const item = best.items[best.head];
      best.head++;
      this.heldCount--;
      released++;
      emit(item);
    }
    for (const q of list) compact(q);
    return released;
  }

  private queue(partition: number): PartitionQueue<T> {
    let q = this.queues.get(partition);
    if (q === undefined) {
      q = {
        items: [],
        times: [],
        offsets: [],
        head: 0,
        newest: Number.NEGATIVE_INFINITY,
        behind: false,
        seenAt: this.clock(),
      };
      this.queues.set(partition, q);
      this.list = [...this.queues.values()];
    }
    return q;
  }
}

/** Drop released records from the front once they are the larger part of the arrays. */
function compact<T>(q: PartitionQueue<T>): void {
  if (q.head === 0) return;
  if (q.head === q.items.length) {
    q.items.length = 0;
    q.times.length = 0;
    q.offsets.length = 0;
    q.head = 0;
  } else if (q.head > 1024 && q.head * 2 > q.items.length) {
    q.items.splice(0, q.head);
    q.times.splice(0, q.head);
    q.offsets.splice(0, q.head);
    q.head = 0;
  }
}
