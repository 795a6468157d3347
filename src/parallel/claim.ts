/**
 * Work shared out by claiming: the items of a job are numbered 0..n-1 and every thread, the main
 * one included, takes the next number from one counter in shared memory until none is left. A
 * thread that starts late (a worker booting) simply takes fewer items; nobody hands work out.
 */

/** Slots of the shared counter array. */
export const NEXT_ITEM = 0;
export const ITEMS_DONE = 1;
/** Slots a claim counter needs; callers may add their own after these. */
export const CLAIM_SLOTS = 2;

/** A fresh counter array over shared memory, `extra` more slots after the claim slots. */
export function claimCounters(extra = 0): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (CLAIM_SLOTS + extra)));
}

/** The next unclaimed item of `total`, or -1 when all are taken. */
export function claimNext(counters: Int32Array, total: number): number {
  const i = Atomics.add(counters, NEXT_ITEM, 1);
  return i < total ? i : -1;
}

/** Record that one claimed item is finished (for progress). */
export function markDone(counters: Int32Array): void {
  Atomics.add(counters, ITEMS_DONE, 1);
}

export function itemsDone(counters: Int32Array): number {
  return Atomics.load(counters, ITEMS_DONE);
}
