/**
 * Yielding to the event loop from the embedded broker. Its produce and poll never wait on I/O,
 * so a producer and a consumer sharing one process could keep the loop busy for a whole run, and
 * timers and signals (Ctrl-C) would not run. Both paths count the messages they handle on one
 * counter and give way every ~64k of them.
 */

/** Messages handled between two yields to the event loop. */
const YIELD_EVERY = 65_536;

/** Counts `count` messages; resolves after a `setImmediate` once ~64k were counted since the last. */
export type MaybeYield = (count: number) => Promise<void>;

/** One per broker: produce and poll share its counter. */
export function createMaybeYield(): MaybeYield {
  let sinceYield = 0;
  return async function maybeYield(count: number): Promise<void> {
    sinceYield += count;
    if (sinceYield < YIELD_EVERY) return;
    sinceYield = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}
