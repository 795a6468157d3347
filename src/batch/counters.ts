/**
 * What a run did, counted as Hadoop counts a job (its "Map output records", "Spilled records"…),
 * so the two runners' figures read alike. Every field is a plain number that adds up across
 * threads.
 */

/** Counters of one job. */
export interface JobCounters {
  /** Pairs `map` emitted. */
  mapOutputRecords: number;
  /** Text length of those pairs as `key TAB value LF` lines (UTF-16 units: bytes for ASCII). */
  mapOutputBytes: number;
  combineInputRecords: number;
  combineOutputRecords: number;
  /** UTF-8 bytes of the sorted runs handed to the reducers, after combining. */
  shuffleBytes: number;
  /** Sorted runs written to disk because a map buffer passed the memory bound. */
  spills: number;
  spilledBytes: number;
  /** Distinct keys the reducers saw, and the rows they emitted. */
  reduceInputGroups: number;
  reduceOutputRecords: number;
}

/** Counters of the whole run, over its input. */
export interface RunCounters {
  /** Lines parsed into records (each one mapped by every job). */
  records: number;
  /** Lines the parser rejected: never mapped. */
  rejects: number;
  inputFiles: number;
  inputBytes: number;
  splits: number;
}

export function createJobCounters(): JobCounters {
  return {
    mapOutputRecords: 0,
    mapOutputBytes: 0,
    combineInputRecords: 0,
    combineOutputRecords: 0,
    shuffleBytes: 0,
    spills: 0,
    spilledBytes: 0,
    reduceInputGroups: 0,
    reduceOutputRecords: 0,
  };
}

/** Add every counter of `from` into `into`. */
export function addCounters<T extends object>(into: T, from: T): T {
  const a = into as Record<string, number>;
  for (const [k, v] of Object.entries(from as Record<string, number>)) a[k] = (a[k] ?? 0) + v;
  return into;
}
