/**
 * The archiver's write throughput over one run, sampled at every roll: `beforeCommit` hands
 * each roll to `onRoll`, which adds its lines and bytes to running totals with the time since
 * the recorder was made. Plain rows for viz.archiveProgressChart.
 */
import type { Roll } from './archive-roller';

/** Totals after a roll, `seconds` after the start. */
export interface ArchivePoint {
  readonly seconds: number;
  readonly lines: number;
  readonly bytes: number;
  readonly files: number;
}

export interface ProgressRecorder {
  /** Pass as `beforeCommit`. */
  readonly onRoll: (roll: Roll) => void;
  /** Every point so far, the start (0, 0) first. */
  points(): ArchivePoint[];
}

export function progressRecorder(now: () => number = performance.now.bind(performance)) {
  const start = now();
  const points: ArchivePoint[] = [{ seconds: 0, lines: 0, bytes: 0, files: 0 }];
  let lines = 0;
  let bytes = 0;
  let files = 0;
  const recorder: ProgressRecorder = {
    onRoll: (roll) => {
      for (const f of roll.files) {
        lines += f.file.lines;
        bytes += f.file.bytes;
      }
      files += roll.files.length;
      points.push({ seconds: (now() - start) / 1000, lines, bytes, files });
    },
    points: () => [...points],
  };
  return recorder;
}
