/**
 * One copy of each value a map buffer holds, while values repeat.
 *
 * A map buffer keeps every value it is given until its combiner or a spill, and each one must be
 * a string of its own (ownString: a slice of a decoded block would keep the block alive). Most
 * jobs emit few distinct values (a user agent, a status and a path, a route's request count), so
 * a thread held hundreds of thousands of copies of the same few thousand strings; they outlived
 * the young generation and the garbage collector copied them, which took over a fifth of a run's
 * CPU (1,000,000 lines, every job). The pool hands out the first copy of a value again instead.
 *
 * Memory: a pooled string is the pool's until `clear`; a buffered value then costs its slot only.
 * A job whose values hardly repeat (a time in milliseconds) would only grow the pool: when fewer
 * than half of the first SAMPLE lookups find their value, the pool stops for good and every value
 * gets its own copy, as before.
 */
import { ownString } from '../summary/aggregator';

const SAMPLE = 4096;
/** Estimated bytes of a pool entry beside its string: the Map's slot. */
export const ENTRY_COST = 40;

export class ValuePool {
  private readonly pool = new Map<string, string>();
  private lookups = 0;
  private misses = 0;
  private on = true;
  /** Whether the last `own` found its value in the pool. */
  found = false;
  /** Whether the last `own` put its copy in the pool. */
  added = false;

  /** `value` as a string of its own: the pool's copy when it has one. */
  own(value: string): string {
    this.found = false;
    this.added = false;
    // V8 shares one-character strings: nothing to pool ("1" is most counting jobs' value).
    if (!this.on || value.length <= 1) return ownString(value);
    const copy = this.pool.get(value);
    if (this.lookups < SAMPLE) {
      this.lookups++;
      if (copy === undefined) this.misses++;
      if (this.lookups === SAMPLE && this.misses * 2 > SAMPLE) {
        this.on = false;
        this.pool.clear();
      }
    }
    if (copy !== undefined) {
      this.found = true;
      return copy;
    }
    const own = ownString(value);
    if (this.on) {
      this.pool.set(own, own);
      this.added = true;
    }
    return own;
  }

  /** Whether `value` is the pool's own string (its memory is counted with the pool). */
  holds(value: string): boolean {
    return this.on && value.length > 1 && this.pool.get(value) === value;
  }

  /** Forget every value (the buffer dropped them all). */
  clear(): void {
    this.pool.clear();
  }
}
