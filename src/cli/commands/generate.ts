/**
 * `loglab generate`: seeded e-commerce access-log traffic with optional incidents and their
 * ground truth. Fast mode writes a whole span (default a day) as fast as it can; real-time mode
 * (--rate) writes lines as their timestamps come due on the wall clock, until --lines or Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { badFlag, LoglabError } from '../../errors';
import { formatDuration, parseDuration } from '../../generate/duration';
import type { GenerateOptions, IncidentKind } from '../../generate/index';
import { LOG_FORMATS, type LogFormat } from '../../log/record';
import { handleInterrupts, parseRate } from '../streaming';

// The generator and the output helpers are imported by the action, not here: every other command
// (and --help) would pay for them at start-up.
type Generate = typeof import('../../generate/index');
type Io = typeof import('../io');

// The generator's defaults and incident kinds, which the flags and the help quote. Importing them
// from src/generate would load the whole traffic model; test/cli/generate-flags.test.ts and
// test/cli/cli-basics.test.ts hold them equal to the generator's.
const DEFAULT_SEED = 42;
const DEFAULT_START = Date.UTC(2024, 2, 12);
const DEFAULT_SPAN_MS = 86_400_000;
const DEFAULT_LINES = 100_000;
const INCIDENT_KINDS: readonly IncidentKind[] = ['error-burst', 'ip-flood', 'scanner'];

interface GenerateFlags {
  lines?: string;
  seed: string;
  start?: string;
  span?: string;
  rate?: string;
  speedup?: string;
  incidents?: string;
  format: LogFormat;
  truth?: string;
  output?: string;
}

/** What --speedup does, for the help of generate and stream. */
export const SPEEDUP_HELP = `--speedup k (with --rate) runs simulated time k times faster than the wall clock: each
second still carries --rate lines, but k seconds of traffic, so the lines' event time runs
ahead of the clock from where the run starts. Windows, lateness and incidents are all in event
time, so detection sees the same traffic, only sooner: with --speedup 10 the first ten
simulated minutes, which hold the incidents, pass in one minute. The ground truth (generate
--truth) is in event time too. A Kafka broker with its defaults refuses messages stamped over
1 h ahead of its clock; there, send with --timestamp now.`;

const EXAMPLES = `
Examples:
  loglab generate > day.log                      a day of traffic: ${DEFAULT_LINES.toLocaleString('en-US')} lines, seed ${DEFAULT_SEED}
  loglab generate --lines 1000000 --incidents all --truth truth.json -o big.log
  loglab generate --seed 7 --start 2024-06-01T00:00:00Z --span 7d --lines 500000 > week.log
  loglab generate --format json --lines 100 | loglab parse -
  loglab generate --rate 20 --incidents all      live: 20 lines a second until Ctrl-C
  loglab generate --rate 200 --speedup 10 --incidents all | loglab detect - --dashboard
                                                 live, ten simulated minutes a minute

Fast mode spreads exactly --lines lines over --span from --start (default ${new Date(DEFAULT_START).toISOString()}),
denser in the evening than at night; the same flags always give the same bytes. Real-time mode
(--rate) stamps lines with the current time (or from --start) and writes them as they come due;
with --lines it ends after that many lines, otherwise on Ctrl-C, and its incidents fall within
--span (default 10m in real-time mode).
${SPEEDUP_HELP}

Incidents (--incidents error-burst,ip-flood,scanner or all): error-burst = one URL answers 5xx
for some minutes; ip-flood = one IP sends hundreds of requests in a few minutes; scanner = one IP
probes many non-existent paths. --truth FILE gets {"incidents":[{"kind","key","start","end"}]}
with key the URL path or the IP and times in epoch ms.
`;

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate realistic, seeded e-commerce access logs, with incidents on request.')
    .option('--lines <n>', `lines to write (default ${DEFAULT_LINES}; endless with --rate)`)
    .option('--seed <s>', 'random seed: the same seed gives the same log', String(DEFAULT_SEED))
    .option(
      '--start <iso>',
      'time of the first line, ISO 8601 (UTC unless a zone is given) or "now"',
    )
    .option(
      '--span <duration>',
      `simulated time span, e.g. 30m, 24h, 7d (default ${formatDuration(DEFAULT_SPAN_MS)})`,
    )
    .option('--rate <r>', 'real-time mode: lines per second, stamped with the current time')
    .option('--speedup <k>', 'with --rate: simulated time runs k times faster than the clock')
    .option('--incidents <list>', `comma-separated: ${INCIDENT_KINDS.join(', ')}, or all`)
    .addOption(
      new Option('--format <format>', 'output log format')
        .choices(LOG_FORMATS as string[])
        .default('combined'),
    )
    .option('--truth <file>', 'write the ground truth of the injected incidents as JSON')
    .option('-o, --output <file>', 'write the log here instead of stdout')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: GenerateFlags) => {
      await runGenerate(flags);
    });
}

/** Whole number ≥ 0; "1e6" and "1_000_000" are accepted. */
export function parseLines(text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw badFlag(`--lines must be a whole number ≥ 0, got "${text}"`);
  }
  return value;
}

export function parseSeed(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) {
    throw badFlag(`--seed must be a whole number, got "${text}"`);
  }
  return value;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601 date or date-time; without a zone it is UTC, so runs do not depend on the machine. */
export function parseStart(text: string, now: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const m = ISO.exec(trimmed);
  if (m === null) {
    throw badFlag(`--start must be an ISO 8601 time such as 2024-03-12T00:00:00Z, got "${text}"`);
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  // Date.parse would roll 2024-02-30 over to March 1st; a typo should fail instead.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw badFlag(`--start is not a real date: "${text}"`);
  }
  let iso = trimmed.replace(' ', 'T');
  if (m[7] === undefined) iso += m[4] === undefined ? 'T00:00:00Z' : 'Z';
  const value = Date.parse(iso);
  if (!Number.isFinite(value)) throw badFlag(`--start is not a real date: "${text}"`);
  return value;
}

export function parseSpan(text: string): number {
  const value = parseDuration(text);
  if (value === null)
    throw badFlag(`--span must be a duration such as 30s, 5m, 24h or 7d, got "${text}"`);
  return value;
}

/** The generator's real-time mode paces at most this many lines a second. */
export const MAX_GENERATE_RATE = 1_000_000;

export function parseIncidents(text: string): IncidentKind[] {
  const out: IncidentKind[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (name === 'all') {
      for (const k of INCIDENT_KINDS) if (!out.includes(k)) out.push(k);
    } else if ((INCIDENT_KINDS as readonly string[]).includes(name)) {
      if (!out.includes(name as IncidentKind)) out.push(name as IncidentKind);
    } else {
      throw badFlag(`unknown incident "${name}" (known: ${INCIDENT_KINDS.join(', ')}, all)`);
    }
  }
  return out;
}

/** Real-time runs without --span place their incidents in the first ten minutes. */
const LIVE_SPAN_MS = 10 * 60_000;

/** --speedup: at most an hour of simulated time per second. */
export const MAX_SPEEDUP = 3600;

export function parseSpeedup(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 1 || value > MAX_SPEEDUP) {
    throw badFlag(`--speedup must be a number from 1 to ${MAX_SPEEDUP}, got "${text}"`);
  }
  return value;
}

/**
 * The generator's options from the flags. With --speedup k the generator's rate is per
 * simulated second (--rate / k); the caller paces k simulated seconds per second of wall time.
 */
export function optionsFromFlags(flags: GenerateFlags, now: number): GenerateOptions {
  const wallRate = flags.rate === undefined ? undefined : parseRate(flags.rate, MAX_GENERATE_RATE);
  if (flags.speedup !== undefined && wallRate === undefined) {
    throw badFlag('--speedup needs --rate: it paces real-time mode');
  }
  const speedup = flags.speedup === undefined ? 1 : parseSpeedup(flags.speedup);
  const rate = wallRate === undefined ? undefined : wallRate / speedup;
  const live = rate !== undefined;
  return {
    seed: parseSeed(flags.seed),
    lines:
      flags.lines !== undefined
        ? parseLines(flags.lines)
        : live
          ? Number.POSITIVE_INFINITY
          : DEFAULT_LINES,
    start: flags.start !== undefined ? parseStart(flags.start, now) : live ? now : DEFAULT_START,
    spanMs:
      flags.span !== undefined ? parseSpan(flags.span) : live ? LIVE_SPAN_MS : DEFAULT_SPAN_MS,
    incidents: flags.incidents === undefined ? [] : parseIncidents(flags.incidents),
    format: flags.format,
    rate,
  };
}

/** FILE, or stdout for none or "-". */
async function openTarget(path: string | undefined, io: Io): Promise<Writable> {
  if (path === undefined || path === '-') return process.stdout;
  return io.openOutputFile(path);
}

function writeTruth(path: string, options: GenerateOptions, gen: Generate, io: Io): void {
  const text = `${JSON.stringify(gen.groundTruth(options), null, 2)}\n`;
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new LoglabError('BAD_INPUT', `cannot write ${path}: ${io.describeFsError(err)}`, {
      cause: err,
    });
  }
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  const options = optionsFromFlags(flags, Date.now());
  const [gen, io] = await Promise.all([import('../../generate/index'), import('../io')]);
  // Validate everything (and write the truth) before the first line goes out.
  if (flags.truth !== undefined) writeTruth(flags.truth, options, gen, io);
  else gen.groundTruth(options);
  const out = await openTarget(flags.output, io);
  if (options.rate === undefined) await writeFast(out, options, gen, io);
  else
    await writeLive(out, options, gen, io, flags.speedup === undefined ? 1 : Number(flags.speedup));
  await io.endOutput(out);
}

function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

async function writeFast(
  out: Writable,
  options: GenerateOptions,
  gen: Generate,
  io: Io,
): Promise<void> {
  const progress = io.createProgress(options.lines, 'lines');
  const counting = process.stderr.isTTY === true;
  let done = 0;
  try {
    for (const chunk of gen.generateBuffers(options)) {
      const wait = io.writeChunk(out, chunk);
      if (wait !== undefined) await wait;
      if (counting) {
        done += countLines(chunk);
        progress.update(done);
      }
    }
  } finally {
    progress.stop();
  }
}

/**
 * Lines whose time has come, written in batches; waits for the wall clock in between. With a
 * speedup k the simulated clock starts at the wall clock and runs k times faster.
 */
async function writeLive(
  out: Writable,
  options: GenerateOptions,
  gen: Generate,
  io: Io,
  speedup: number,
): Promise<void> {
  const started = Date.now();
  const simulated = () => started + (Date.now() - started) * speedup;
  let stopped = false;
  let wake: (() => void) | null = null;
  const interrupts = handleInterrupts(1);
  interrupts.stages[0].addEventListener('abort', () => {
    stopped = true;
    wake?.();
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });
  try {
    let batch = '';
    let batched = 0;
    for (const { time, line } of gen.generateTimedLines(options)) {
      for (let now = simulated(); time > now && !stopped; now = simulated()) {
        if (batched > 0) {
          const wait = io.writeChunk(out, batch);
          batch = '';
          batched = 0;
          if (wait !== undefined) await wait;
          continue;
        }
        await sleep(Math.min((time - now) / speedup, 250));
      }
      if (stopped) break;
      batch += `${line}\n`;
      // A backlog (a --start in the past) goes out in large writes.
      if (++batched >= 1000) {
        const wait = io.writeChunk(out, batch);
        batch = '';
        batched = 0;
        if (wait !== undefined) await wait;
      }
    }
    if (batched > 0) {
      const wait = io.writeChunk(out, batch);
      if (wait !== undefined) await wait;
    }
  } finally {
    interrupts.dispose();
  }
}
