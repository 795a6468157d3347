/**
 * `loglab generate`: seeded e-commerce access-log traffic with optional incidents and their
 * ground truth. Fast mode writes a whole span (default a day) as fast as it can; real-time mode
 * (--rate) writes lines as their timestamps come due on the wall clock, until --lines or Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { LoglabError } from '../../errors';
import { formatDuration } from '../../generate/duration';
import type { GenerateOptions } from '../../generate/index';
import { LOG_FORMATS } from '../../log/record';
import { cliIo } from '../context';
import {
  DEFAULT_LINES,
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START,
  type GenerateFlags,
  INCIDENT_KINDS,
  optionsFromFlags,
  SPEEDUP_HELP,
} from '../generate-flags';
import { handleInterrupts } from '../streaming';

// The generator and the output helpers are imported by the action, not here: every other command
// (and --help) would pay for them at start-up.
type Generate = typeof import('../../generate/index');
type Io = typeof import('../io');

const EXAMPLES = `
Examples:
  loglab generate > day.log                      a day of traffic: ${DEFAULT_LINES.toLocaleString('en-US')} lines, seed ${DEFAULT_SEED}
  loglab generate --lines 1000000 --incidents all --truth truth.json -o big.log
  loglab generate --seed 7 --start 2024-06-01T00:00:00Z --span 7d --lines 500000 > week.log
  loglab generate --format json --lines 100 | loglab parse -
  loglab generate --format combined-time --incidents all > timed.log
                                                 with the request time (%D, microseconds)
  loglab generate --lines 10000000 --clients 100000 -o big.log
                                                 10M lines from 100,000 client addresses
  loglab generate --rate 20 --incidents all      live: 20 lines a second until Ctrl-C
  loglab generate --rate 200 --speedup 10 --incidents all | loglab detect - --dashboard
                                                 live, ten simulated minutes a minute

Fast mode spreads exactly --lines lines over --span from --start (default ${new Date(DEFAULT_START).toISOString()}),
denser in the evening than at night; the same flags always give the same bytes. Real-time mode
(--rate) stamps lines with the current time (or from --start) and writes them as they come due;
with --lines it ends after that many lines, otherwise on Ctrl-C, and its incidents fall within
--span (default 10m in real-time mode).
${SPEEDUP_HELP}

Incidents (--incidents error-burst,ip-flood,… or all): error-burst = one URL answers 5xx
for some minutes; ip-flood = one IP sends hundreds of requests in a few minutes; scanner = one IP
probes many non-existent paths; surge = 5-10x the site's traffic for 20-60 min, errors as usual;
outage = over half of all answers 5xx for 5-15 min; ddos = 100-500 addresses of one /24 or /64,
each under the per-IP limit; slow-scan = one IP probing 1-2.5 missing paths a minute for hours;
slow-page = one busy URL answers 5-20x slower than its normal for 10-30 min: only the request
time shows it, so only combined-time and json carry it (the truth lists it in any format).
Without --clients the traffic keeps meeting new visitors, about 3 addresses per 100 lines (10M
lines: some 300,000). --clients N fixes the normal population at N addresses (about 2% crawlers,
2% scripts, the rest browsers): the first N visitors the default traffic would meet, then only
they come back. It needs enough clients for the busiest five minutes (each address makes at most
60 requests in five minutes): at least 100, and 0.4 per line of an average five minutes.
Incident addresses come on top of N.
--truth FILE gets {"incidents":[{"kind","key","start","end"}]} with key the URL path, the IP, the
prefix (203.0.113.0/24) or site, and times in epoch ms.
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
    .option(
      '--clients <n>',
      'a fixed population of n normal clients (addresses) instead of new ones all day long',
    )
    .addOption(
      new Option(
        '--format <format>',
        'output log format (combined-time: combined with %D, the request time in µs; json carries request_time)',
      )
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

/** FILE, or stdout for none or "-". */
async function openTarget(path: string | undefined, io: Io): Promise<Writable> {
  if (path === undefined || path === '-') return cliIo().stdout;
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
  const counting = cliIo().stderr.isTTY === true;
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
