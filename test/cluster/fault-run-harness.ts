/**
 * What the fault-run test (fault-run.test.ts) drives: a generated day with a one-hour burst of
 * exactly ten times its traffic, and `loglab` commands as child processes whose peak resident
 * set size is read from /proc while they run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOptions, generateTimedLines } from '../../src/generate/index';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const HOUR = 3_600_000;

export interface BurstDay {
  /** The day's lines in event-time order. */
  readonly lines: string[];
  readonly burstStart: number;
  readonly burstEnd: number;
  /** Lines the burst hour holds without and with the burst. */
  readonly hourBefore: number;
  readonly hourAfter: number;
}

/**
 * `baseLines` generated over the day from `day` (midnight UTC), plus nine times the lines of
 * hour `burstHour` again, generated over that hour with another seed: ten times the hour's
 * traffic, from visitors like the others. The generator's own `surge` draws its factor (5–10)
 * and length (20–60 min); this one is exact.
 */
export function burstDay(
  day: number,
  baseLines: number,
  burstHour: number,
  seed: number,
): BurstDay {
  const base = [
    ...generateTimedLines(
      defaultOptions({ lines: baseLines, seed, start: day, spanMs: 24 * HOUR }),
    ),
  ];
  const burstStart = day + burstHour * HOUR;
  const burstEnd = burstStart + HOUR;
  const hourBefore = base.filter((l) => l.time >= burstStart && l.time < burstEnd).length;
  const extra = generateTimedLines(
    defaultOptions({ lines: 9 * hourBefore, seed: seed + 1, start: burstStart, spanMs: HOUR }),
  );
  const all = [...base, ...extra].sort((a, b) => a.time - b.time);
  const hourAfter = all.filter((l) => l.time >= burstStart && l.time < burstEnd).length;
  return { lines: all.map((l) => l.line), burstStart, burstEnd, hourBefore, hourAfter };
}

/** A `loglab` command running as a child process. */
export interface LoglabChild {
  readonly name: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The largest VmHWM (peak RSS) read from /proc/<pid>/status so far, in KiB. */
  peakKiB(): number;
  /** Reads VmHWM once more, then sends `signal`. */
  kill(signal: NodeJS.Signals): void;
}

/** VmHWM of a live process in KiB; 0 once it is gone. */
function vmHwm(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/**
 * Starts `loglab <args>`. Its peak RSS is sampled every 100 ms until it ends (VmHWM only grows,
 * so the last sample is at most 100 ms older than its peak).
 */
export function startLoglab(name: string, args: readonly string[]): LoglabChild {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  const sample = () => {
    if (child.pid !== undefined) peak = Math.max(peak, vmHwm(child.pid));
  };
  const timer = setInterval(sample, 100);
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', () => clearInterval(timer));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    name,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    peakKiB: () => peak,
    kill(signal) {
      sample();
      child.kill(signal);
    },
  };
}

/** The child ended, or is killed for good now. */
export function killHard(p: LoglabChild | null | undefined): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
}
