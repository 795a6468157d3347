/**
 * The benchmark harness every `bench/` script shares: tinybench for in-process tasks, a
 * wall-clock timer for whole processes (peers such as GoAccess; a Node command's peak RSS too),
 * domain units (lines/s, MB/s) beside ops/s, ratios against a named baseline, a printed table and `bench/results/<stage>.json`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { benchResultsDir } from '../config';
import { type LoadAverage, runStamp } from './run-stamp';

/** How much work one call of a task does, so ops/s becomes lines/s, MB/s, messages/s. */
export interface Workload {
  lines?: number;
  bytes?: number;
  messages?: number;
  events?: number;
}

export interface BenchTask {
  name: string;
  /** Tasks in one group are compared with each other. */
  group?: string;
  fn: () => unknown | Promise<unknown>;
  per: Workload;
}

export interface BenchRow {
  name: string;
  group: string;
  /** `tinybench`: measured in this process; `process`: a whole command, timed end to end. */
  kind: 'tinybench' | 'process';
  opsPerSec: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Relative margin of error of the mean, in percent. */
  rmePct: number;
  samples: number;
  per: Workload;
  linesPerSec?: number;
  mbPerSec?: number;
  messagesPerSec?: number;
  eventsPerSec?: number;
  /**
   * CPU time (user + system, every thread) per op, in ms, where it was measured: for a process
   * its own and its children's, for an in-process task this process's (see `cpuTimeMs`).
   */
  cpuMs?: number;
  /** Peak resident set size of the process, in MiB, the largest over the runs (see `peakRssArgs`). */
  peakRssMB?: number;
}

export interface Ratio {
  /** e.g. "loglab parser / regex parser, combined" */
  label: string;
  subject: string;
  baseline: string;
  /** subject throughput ÷ baseline throughput (or baseline time ÷ subject time). */
  value: number;
  target?: number;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export interface BenchReport {
  stage: string;
  /** When the report was made, at the end of the run (ISO). */
  date: string;
  machine: MachineInfo;
  /** When the run started (ISO); absent in files written before runs were stamped. */
  started?: string;
  /** Load average at the start and end of the run; absent in files written before. */
  load?: LoadAverage;
  /** The commit measured (see `gitCommit`); null outside git, absent in files written before. */
  commit?: string | null;
  rows: BenchRow[];
  ratios: Ratio[];
  notes: string[];
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

function withUnits(
  row: Omit<BenchRow, 'linesPerSec' | 'mbPerSec' | 'messagesPerSec' | 'eventsPerSec'>,
): BenchRow {
  const out: BenchRow = { ...row };
  const { per, opsPerSec } = row;
  if (per.lines) out.linesPerSec = per.lines * opsPerSec;
  if (per.bytes) out.mbPerSec = (per.bytes * opsPerSec) / 1e6;
  if (per.messages) out.messagesPerSec = per.messages * opsPerSec;
  if (per.events) out.eventsPerSec = per.events * opsPerSec;
  return out;
}

export interface RunOptions {
  /** Minimum time per task in ms (tinybench `time`). */
  time?: number;
  /** Minimum iterations per task. */
  iterations?: number;
  warmup?: boolean;
}

/** Run in-process tasks with tinybench; a task that throws fails the whole run. */
export async function runTasks(tasks: BenchTask[], options: RunOptions = {}): Promise<BenchRow[]> {
  const bench = new Bench({
    time: options.time ?? 1500,
    iterations: options.iterations ?? 5,
    warmup: options.warmup ?? true,
    throws: true,
  });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  const rows: BenchRow[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    const result = bench.tasks[i].result;
    if (result.state !== 'completed') {
      throw new Error(`benchmark "${task.name}" ended in state ${result.state}`);
    }
    rows.push(
      withUnits({
        name: task.name,
        group: task.group ?? task.name,
        kind: 'tinybench',
        opsPerSec: result.throughput.mean,
        meanMs: result.latency.mean,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        rmePct: result.latency.rme,
        samples: result.latency.samplesCount,
        per: task.per,
      }),
    );
  }
  return rows;
}

export interface ProcessOptions {
  name: string;
  group?: string;
  command: string;
  args: string[];
  /** Feed this file to stdin. */
  stdinFile?: string;
  runs?: number;
  warmupRuns?: number;
  per: Workload;
  env?: NodeJS.ProcessEnv;
  /** The command reports its peak RSS on fd 3: a Node command started with `peakRssArgs`. */
  reportsPeakRss?: boolean;
  /** Called with what the command wrote to stderr, after each run that succeeded. */
  onStderr?: (text: string) => void;
}

/**
 * Node's arguments that make a Node command report its own peak RSS as it exits (for
 * `reportsPeakRss`): `[...peakRssArgs(), 'bin/loglab.mjs', 'detect', file]`.
 */
export function peakRssArgs(): string[] {
  return ['--import', fileURLToPath(new URL('./peak-rss.mjs', import.meta.url))];
}

/**
 * CPU time of this process's children that have been waited for (cutime + cstime of
 * /proc/self/stat, in clock ticks of 10 ms), or undefined where there is no /proc. A child's
 * time lands there once it is reaped, which has happened when its 'close' event fires.
 */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of the whole line: 14 and 15 after the name.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

/** This process's CPU time so far (user + system, every thread), in ms. */
export function cpuTimeMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * One in-process call timed as a single tinybench sample, with the CPU time this process spent
 * meanwhile (a service in another process, a broker or HDFS, is not in it).
 */
export async function timeOnce(
  name: string,
  group: string,
  per: Workload,
  fn: () => Promise<unknown>,
): Promise<BenchRow> {
  const cpuBefore = cpuTimeMs();
  const [row] = await runTasks([{ name, group, per, fn }], {
    time: 0,
    iterations: 1,
    warmup: false,
  });
  return { ...row, cpuMs: cpuTimeMs() - cpuBefore };
}

interface ProcessRun {
  ms: number;
  cpuMs: number | undefined;
  /** KiB, when the command reports it. */
  peakRssKiB: number | undefined;
}

function runOnce(o: ProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const stdin = o.stdinFile ? openSync(o.stdinFile, 'r') : 'ignore';
    const cpuBefore = childrenCpuMs();
    const start = process.hrtime.bigint();
    const child = spawn(o.command, o.args, {
      stdio: o.reportsPeakRss ? [stdin, 'ignore', 'pipe', 'pipe'] : [stdin, 'ignore', 'pipe'],
      env: o.env ?? process.env,
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    let rss = '';
    child.stdio[3]?.on('data', (d) => {
      rss += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (typeof stdin === 'number') closeSync(stdin);
      const cpuAfter = childrenCpuMs();
      const cpuMs =
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      const peakRssKiB = rss.trim() === '' ? undefined : Number(rss.trim());
      if (code !== 0) {
        reject(new Error(`${o.name}: ${o.command} exited ${code}: ${stderr.trim().slice(-500)}`));
      } else if (o.reportsPeakRss && peakRssKiB === undefined) {
        reject(new Error(`${o.name}: the command did not report its peak RSS`));
      } else {
        o.onStderr?.(stderr);
        resolve({ ms, cpuMs, peakRssKiB });
      }
    });
  });
}

/** Time a whole command end to end (startup included), as hyperfine would. */
export async function timeProcess(o: ProcessOptions): Promise<BenchRow> {
  for (let i = 0; i < (o.warmupRuns ?? 1); i++) await runOnce(o);
  const samples: number[] = [];
  const cpu: number[] = [];
  let peakRssKiB: number | undefined;
  for (let i = 0; i < (o.runs ?? 5); i++) {
    const run = await runOnce(o);
    samples.push(run.ms);
    if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
    if (run.peakRssKiB !== undefined) peakRssKiB = Math.max(peakRssKiB ?? 0, run.peakRssKiB);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const sd = Math.sqrt(
    samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1),
  );
  const rme = samples.length > 1 ? ((1.96 * sd) / Math.sqrt(samples.length) / mean) * 100 : 0;
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return withUnits({
    name: o.name,
    group: o.group ?? o.name,
    kind: 'process',
    opsPerSec: 1000 / mean,
    meanMs: mean,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    rmePct: rme,
    samples: samples.length,
    per: o.per,
    ...(cpu.length === samples.length
      ? { cpuMs: cpu.reduce((a, b) => a + b, 0) / cpu.length }
      : {}),
    ...(peakRssKiB === undefined ? {} : { peakRssMB: Math.round(peakRssKiB / 1024) }),
  });
}

/** subject ÷ baseline in throughput terms (ops/s), so > 1 means the subject is faster. */
export function ratio(
  rows: BenchRow[],
  subject: string,
  baseline: string,
  label: string,
  target?: number,
): Ratio {
  const s = rows.find((r) => r.name === subject);
  const b = rows.find((r) => r.name === baseline);
  if (!s || !b) throw new Error(`ratio ${label}: no row named ${!s ? subject : baseline}`);
  return { label, subject, baseline, value: s.opsPerSec / b.opsPerSec, target };
}

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined) return '';
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** The `p`-quantile of sorted samples (nearest rank), NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * A row of latencies measured in this process, one sample per event (alert latency, alert to
 * screen), not by tinybench: mean, nearest-rank p50 and p99, and the mean's margin of error.
 */
export function latencyRow(
  name: string,
  group: string,
  samples: readonly number[],
  per: Workload = {},
): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  return {
    name,
    group,
    kind: 'tinybench',
    opsPerSec: mean > 0 ? 1000 / mean : 0,
    meanMs: mean,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    rmePct: n > 1 ? ((1.96 * sd) / Math.sqrt(n) / mean) * 100 : 0,
    samples: n,
    per,
  };
}

/** The report as a plain-text table with domain units. */
export function formatReport(report: BenchReport): string {
  const header = [
    'task',
    'kind',
    'ops/s',
    'mean ms',
    'p99 ms',
    '±%',
    'lines/s',
    'MB/s',
    'msgs/s',
    'events/s',
    'cpu ms',
    'peak RSS MB',
  ];
  const body = report.rows.map((r) => [
    r.name,
    r.kind,
    fmt(r.opsPerSec, r.opsPerSec < 100 ? 2 : 0),
    fmt(r.meanMs, 3),
    fmt(r.p99Ms, 3),
    fmt(r.rmePct, 1),
    fmt(r.linesPerSec),
    fmt(r.mbPerSec, 1),
    fmt(r.messagesPerSec),
    fmt(r.eventsPerSec),
    fmt(r.cpuMs, 1),
    fmt(r.peakRssMB),
  ]);
  const used = header.map((_, i) => i < 6 || body.some((row) => row[i] !== ''));
  const cols = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(cols[i]) : c.padStart(cols[i])))
      .filter((_, i) => used[i])
      .join('  ');
  const out = [
    `${report.stage} — ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}`,
    line(header),
    ...body.map(line),
  ];
  for (const r of report.ratios) {
    const verdict =
      r.target === undefined
        ? ''
        : r.value >= r.target
          ? `  (target ≥ ${r.target}x: met)`
          : `  (target ≥ ${r.target}x: NOT met)`;
    out.push(`${r.label}: ${fmt(r.value, 2)}x${verdict}`);
  }
  for (const n of report.notes) out.push(n);
  return `${out.join('\n')}\n`;
}

export function createReport(
  stage: string,
  rows: BenchRow[],
  ratios: Ratio[] = [],
  notes: string[] = [],
): BenchReport {
  const { started, load, commit } = runStamp();
  return {
    stage,
    date: new Date().toISOString(),
    machine: machineInfo(),
    started,
    load,
    commit,
    rows,
    ratios,
    notes,
  };
}

/**
 * Write `<dir>/<stage>.json` and return its path. The directory is `bench/results` (relative to
 * the working directory) for the embedded run, `bench/results/cluster` when `npm run
 * bench:cluster` runs the script (LOGLAB_BENCH_RESULTS, read by config).
 */
export function writeReport(report: BenchReport, dir = benchResultsDir()): string {
  const path = join(dir, `${report.stage}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** Free memory now, in GiB: benchmarks note it so a busy machine shows in the results. */
export function freeMemoryGiB(): number {
  return Math.round((freemem() / 2 ** 30) * 10) / 10;
}
