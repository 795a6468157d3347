/**
 * Bounded per-key state for event-time windows: a ring of sub-window buckets, each holding a few
 * counters (channels), instead of a list of events. A window's count is the sum of the buckets it
 * covers, so memory is `slots × channels` integers per key whatever the traffic.
 *
 * Buckets are numbered from the epoch (bucket b covers [b·width, (b+1)·width)). The ring keeps
 * the `slots` newest buckets up to `last`; writing a newer bucket clears the slots it reuses, and
 * a bucket older than the ring holds reads as 0 (the caller's watermark keeps writes away from
 * it).
 */
export class BucketRing {
  readonly slots: number;
  readonly channels: number;
  /**
   * Slot-major counters (channel c of slot s at s·channels + c), then one running total per
   * channel (at slots·channels + c): the sum over every bucket the ring holds, an upper bound of
   * any window's count, so a caller can skip a key that cannot reach a threshold without summing.
   * One typed array per key: each one costs a hundred bytes or so of bookkeeping.
   */
  readonly counts: Int32Array;
  private readonly totalsAt: number;
  /** The newest bucket written; −1 before the first write (no data). */
  last = -1;

  constructor(slots: number, channels: number) {
    this.slots = slots;
    this.channels = channels;
    this.totalsAt = slots * channels;
    this.counts = new Int32Array(slots * channels + channels);
  }

  /** The sum of `channel` over every bucket the ring holds. */
  total(channel: number): number {
    return this.counts[this.totalsAt + channel];
  }

  /** Add `n` to `channel` of bucket `bucket` (bucket ≥ 0). */
  add(bucket: number, channel: number, n: number): void {
    if (bucket > this.last) this.moveTo(bucket);
    else if (bucket <= this.last - this.slots) return;
    this.counts[(bucket % this.slots) * this.channels + channel] += n;
    this.counts[this.totalsAt + channel] += n;
  }

  /** Make `bucket` the newest, clearing the slots of the buckets skipped over. */
  moveTo(bucket: number): void {
    const c = this.channels;
    if (this.last < 0 || bucket - this.last >= this.slots) {
      // Every slot is reused: clear them all at once.
      this.counts.fill(0);
      this.last = bucket;
      return;
    }
    for (let b = this.last + 1; b <= bucket; b++) {
      const base = (b % this.slots) * c;
      for (let k = 0; k < c; k++) {
        this.counts[this.totalsAt + k] -= this.counts[base + k];
        this.counts[base + k] = 0;
      }
    }
    this.last = bucket;
  }

  /** Sum of `channel` over buckets [from, to). */
  sum(channel: number, from: number, to: number): number {
    const lo = Math.max(from, this.last - this.slots + 1);
    const hi = Math.min(to - 1, this.last);
    let total = 0;
    for (let b = lo; b <= hi; b++) total += this.counts[(b % this.slots) * this.channels + channel];
    return total;
  }

  /** The count of `channel` in one bucket (0 when the ring no longer or not yet holds it). */
  get(channel: number, bucket: number): number {
    if (bucket > this.last || bucket <= this.last - this.slots || bucket < 0) return 0;
    return this.counts[(bucket % this.slots) * this.channels + channel];
  }
}
