/**
 * Preloaded into a command the bench measures (`node --import <this file> bin/loglab.mjs …`, see
 * `peakRssArgs` in harness.ts): as the process exits it writes its peak resident set size, in
 * KiB, to file descriptor 3, which the harness opens as a pipe for that child only. The figure
 * is the process's own, read by the kernel's accounting, so nothing of the bench runs beside the
 * command while it works, and it means the same on Linux and macOS (no `/usr/bin/time -v`).
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

// Worker threads load this file too (they inherit --import): only the main thread reports, once,
// and its figure covers every thread of the process.
if (isMainThread) {
  process.on('exit', () => {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  });
}
