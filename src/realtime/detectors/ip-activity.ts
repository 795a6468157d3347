/**
 * Per-address state that the ip-flood and scanner detectors share, so each record costs one map
 * lookup for both: a row of KeyedRings with requests and not-found answers per bucket, the open
 * alerts, and per bucket the distinct not-found paths.
 *
 * Most addresses get a not-found answer now and then, a few (scanners) get hundreds. So a bucket
 * holds its one path as a plain string and becomes a set only at a second distinct path, and a
 * set is capped at `cap` paths: counting stays exact up to the cap, far above the scanner
 * threshold, and memory stays small for the many and bounded for the few.
 */
import type { Alert } from '../alert';
import { detached, KeyedRings } from '../keyed-rings';

export const IP_REQUESTS = 0;
export const IP_NOT_FOUND = 1;

/** The not-found paths of one bucket: none, one, or a set of several. */
type PathSlot = string | Set<string> | null;

export class IpTable extends KeyedRings {
  flood: (Alert | null)[] = [];
  scan: (Alert | null)[] = [];
  /** Per row, per ring slot: the bucket's not-found paths (null for a row without any yet). */
  paths: (PathSlot[] | null)[] = [];
  /** Row-major, `slots` per row: the bucket each path slot belongs to (−1: none). */
  pathBuckets: Int32Array;
  /**
   * Per row, the address's row in the prefix table (prefix-flood) and in the slow-scan table,
   * so a record costs one map lookup for every detector. −1: not linked yet (prefix), none
   * (slow-scan); −2 (slow-scan): not looked up yet.
   */
  prefixRow: Int32Array;
  slowRow: Int32Array;

  constructor(slots: number) {
    super(slots, 2);
    this.pathBuckets = new Int32Array(this.capacity() * slots).fill(-1);
    this.prefixRow = new Int32Array(this.capacity()).fill(-1);
    this.slowRow = new Int32Array(this.capacity()).fill(-2);
  }

  protected override opened(row: number): void {
    this.flood[row] = null;
    this.scan[row] = null;
    this.prefixRow[row] = -1;
    this.slowRow[row] = -2;
    // A reused row keeps its path slots (emptied when next written) but none of their buckets.
    this.pathBuckets.fill(-1, row * this.slots, (row + 1) * this.slots);
    if (this.paths[row] === undefined) this.paths[row] = null;
  }

  protected override grown(rows: number): void {
    const buckets = new Int32Array(rows * this.slots).fill(-1);
    buckets.set(this.pathBuckets);
    this.pathBuckets = buckets;
    const prefixRow = new Int32Array(rows).fill(-1);
    prefixRow.set(this.prefixRow);
    this.prefixRow = prefixRow;
    const slowRow = new Int32Array(rows).fill(-2);
    slowRow.set(this.slowRow);
    this.slowRow = slowRow;
  }

  /** Remember a not-found path in `bucket` (call after add() for the same bucket). */
  addPath(row: number, bucket: number, path: string, cap: number): void {
    const slots = this.slots;
    let slotsOfRow = this.paths[row];
    if (slotsOfRow === null) {
      slotsOfRow = new Array<PathSlot>(slots).fill(null);
      this.paths[row] = slotsOfRow;
    }
    const slot = bucket % slots;
    const at = row * slots + slot;
    const current = slotsOfRow[slot];
    // Paths are copied when kept (detached): the record's path is a slice of its line.
    if (this.pathBuckets[at] !== bucket) {
      // The slot held an older bucket: start it again (a bucket the ring dropped is ignored).
      if (bucket <= this.last[row] - slots) return;
      this.pathBuckets[at] = bucket;
      if (current instanceof Set) {
        current.clear();
        current.add(detached(path));
      } else slotsOfRow[slot] = detached(path);
      return;
    }
    if (current === null) slotsOfRow[slot] = detached(path);
    else if (typeof current === 'string') {
      if (current !== path) slotsOfRow[slot] = new Set([current, detached(path)]);
    } else if (current.size < cap && !current.has(path)) current.add(detached(path));
  }

  /** Distinct not-found paths of a row over buckets [from, to), gathered into `scratch`. */
  distinctPaths(row: number, from: number, to: number, scratch: Set<string>): number {
    scratch.clear();
    const slotsOfRow = this.paths[row];
    if (slotsOfRow === null) return 0;
    for (let b = from; b < to; b++) {
      const slot = b % this.slots;
      if (this.pathBuckets[row * this.slots + slot] !== b) continue;
      const paths = slotsOfRow[slot];
      if (typeof paths === 'string') scratch.add(paths);
      else if (paths !== null) for (const path of paths) scratch.add(path);
    }
    return scratch.size;
  }
}
