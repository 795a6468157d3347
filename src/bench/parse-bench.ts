/**
 * The parser benchmark: our parsers per format, side by side in one tinybench run with a plain
 * regular-expression parser on the same combined lines.
 *
 * Lines: `source` (combined-format lines; the generator's output, say), or else the real
 * elastic/examples Apache log shipped in data/real-logs (samples.ts). The common and JSON lines
 * are the same requests written by the formatter, so every format parses the same traffic. Each
 * task parses the whole array once per call; a sink keeps the results alive so the JIT cannot
 * drop the work.
 */
import { readFileSync } from 'node:fs';
import { LoglabError } from '../errors';
import { parseAuto } from '../log/auto';
import { parseCombined, parseCommon } from '../log/combined';
import { formatCommon, formatJson } from '../log/format';
import { parseJson } from '../log/json';
import { splitLines } from '../log/lines';
import { isRecord, type ParseOutcome } from '../log/record';
import { parseCombinedRegex } from '../log/regex-parser';
import {
  type BenchReport,
  type BenchTask,
  createReport,
  freeMemoryGiB,
  ratio,
  runTasks,
  type Workload,
} from './harness';
import { ELASTIC_LOG, ELASTIC_LOG_NAME } from './samples';

export interface ParseBenchOptions {
  /** Lines per task call; the source is repeated or cut to this many. Default 10,000. */
  lines?: number;
  /** Minimum time per task in ms (tinybench). Default 1,500. */
  time?: number;
  /** Combined-format lines to parse. Default: the real elastic/examples Apache log. */
  source?: string[];
}

export const PARSE_TARGET_LINES_PER_SEC = 2_000_000;
export const PARSE_TARGET_RATIO = 3;

function defaultSource(): string[] {
  return splitLines(readFileSync(ELASTIC_LOG, 'utf8'));
}

/**
 * Exactly `count` lines from `source`, each its own flat string: lines read from a file are
 * decoded one by one (see log/lines.ts), and slices of one big string would read slower.
 */
function take(source: string[], count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(Buffer.from(source[i % source.length]).toString());
  return out;
}

function workload(lines: string[]): Workload {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line) + 1;
  return { lines: lines.length, bytes };
}

// Written by every task so that parsing cannot be optimised away.
let sink = 0;

function consume(outcome: ParseOutcome): number {
  return (outcome as { status?: number }).status ?? 1;
}

// One loop per parser, not one loop taking the parser as an argument: a call site that sees five
// different functions is megamorphic and would slow every parser down by the same few
// nanoseconds, blurring the comparison.
function allCombined(lines: string[]): void {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += consume(parseCombined(lines[i]));
  sink = (sink + n) | 0;
}

function allRegex(lines: string[]): void {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += consume(parseCombinedRegex(lines[i]));
  sink = (sink + n) | 0;
}

function allAuto(lines: string[]): void {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += consume(parseAuto(lines[i]));
  sink = (sink + n) | 0;
}

function allCommon(lines: string[]): void {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += consume(parseCommon(lines[i]));
  sink = (sink + n) | 0;
}

function allJson(lines: string[]): void {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += consume(parseJson(lines[i]));
  sink = (sink + n) | 0;
}

export async function benchParsers(options: ParseBenchOptions = {}): Promise<BenchReport> {
  const count = options.lines ?? 10_000;
  const source = options.source ?? defaultSource();
  if (source.length === 0) throw new LoglabError('BAD_INPUT', 'the benchmark source has no lines');
  const combined = take(source, count);
  const records = combined.map(parseCombined).filter(isRecord);
  if (records.length === 0) {
    throw new LoglabError('BAD_INPUT', 'no line of the benchmark source is a combined line');
  }
  const common = take(records.map(formatCommon), count);
  const json = take(records.map(formatJson), count);

  const tasks: BenchTask[] = [
    {
      name: 'loglab combined parser',
      group: 'combined',
      fn: () => allCombined(combined),
      per: workload(combined),
    },
    {
      name: 'regex parser',
      group: 'combined',
      fn: () => allRegex(combined),
      per: workload(combined),
    },
    {
      name: 'loglab auto (combined lines)',
      group: 'combined',
      fn: () => allAuto(combined),
      per: workload(combined),
    },
    {
      name: 'loglab common parser',
      group: 'common',
      fn: () => allCommon(common),
      per: workload(common),
    },
    {
      name: 'loglab json parser',
      group: 'json',
      fn: () => allJson(json),
      per: workload(json),
    },
  ];
  const rows = await runTasks(tasks, { time: options.time ?? 1500 });
  const subject = rows.find((r) => r.name === 'loglab combined parser');
  const linesPerSec = subject?.linesPerSec ?? 0;
  const notes = [
    `lines: ${count.toLocaleString('en-US')} per call, ${options.source ? 'from the given source' : `from the real log ${ELASTIC_LOG_NAME}`}; common and JSON lines are the same requests, formatted`,
    `target: loglab combined parser ≥ ${PARSE_TARGET_LINES_PER_SEC.toLocaleString('en-US')} lines/s on one core: ${linesPerSec >= PARSE_TARGET_LINES_PER_SEC ? 'met' : 'NOT met'} (${Math.round(linesPerSec).toLocaleString('en-US')} lines/s)`,
    `free memory at the end: ${freeMemoryGiB()} GiB`,
  ];
  return createReport(
    'parse',
    rows,
    [
      ratio(
        rows,
        'loglab combined parser',
        'regex parser',
        'loglab combined parser / regex parser',
        PARSE_TARGET_RATIO,
      ),
    ],
    notes,
  );
}
