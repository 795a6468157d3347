/**
 * V8 heap settings for the process of one command, applied by main.ts before the command's
 * modules load.
 *
 * `loglab detect` keeps its detectors' state (windows per address, per prefix, per URL) for the
 * whole run, while parsing makes garbage at a high rate. V8 sizes the old generation after each
 * full collection as the live heap times a factor it picks from how fast collection is against
 * the program (up to 4x), so the peak depends on how much CPU the collector's helper threads
 * get. On a 10M-line day from 100,000 addresses (2 cores, load 6–13) the same run peaked at 234
 * to 304 MB over a live heap of about 50 MB. With the factor fixed at 1.5 it peaked at 199 MB,
 * with the same user CPU time (25.8 s against 25.4 s); at 1.2 at 196–201 MB but with a fifth more
 * CPU time. The alert lines are the same bytes. Smaller young generations
 * (--max-semi-space-size 2 or 8) raised the peak instead (289–295 MB): records then outlive a
 * scavenge and are promoted.
 */
import { setFlagsFromString } from 'node:v8';

const SETTINGS: Readonly<Record<string, readonly string[]>> = {
  detect: ['--heap-growing-percent=50'],
};

/** The V8 flags `command` runs with (none for most). */
export function heapFlagsFor(command: string | undefined): readonly string[] {
  return command !== undefined && Object.hasOwn(SETTINGS, command) ? SETTINGS[command] : [];
}

/** Apply them to this process: call before the command allocates its working set. */
export function applyHeapSettings(command: string | undefined): void {
  for (const flag of heapFlagsFor(command)) setFlagsFromString(flag);
}
