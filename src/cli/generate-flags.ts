/**
 * The generator's flags, shared by `loglab generate` and `loglab stream`: their defaults, their
 * parsers and the GenerateOptions they make.
 */
import { badFlag } from '../errors';
import { formatDuration, parseDuration } from '../generate/duration';
import type { GenerateOptions, IncidentKind } from '../generate/index';
import type { LogFormat } from '../log/record';
import { parseCount, parseRate } from './flags';

// The generator's defaults and incident kinds, which the flags and the help quote. Importing them
// from src/generate would load the whole traffic model; test/cli/generate-flags.test.ts and
// test/cli/cli-basics.test.ts hold them equal to the generator's.
export const DEFAULT_SEED = 42;
export const DEFAULT_START = Date.UTC(2024, 2, 12);
export const DEFAULT_SPAN_MS = 86_400_000;
export const DEFAULT_LINES = 100_000;
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'error-burst',
  'ip-flood',
  'scanner',
  'surge',
  'outage',
  'ddos',
  'slow-scan',
  'slow-page',
];

export interface GenerateFlags {
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
  /** `loglab generate` only: a fixed population of normal clients. */
  clients?: string;
}

/** What --speedup does, for the help of generate and stream. */
export const SPEEDUP_HELP = `--speedup k (with --rate) runs simulated time k times faster than the wall clock: each
second still carries --rate lines, but k seconds of traffic, so the lines' event time runs
ahead of the clock from where the run starts. Windows, lateness and incidents are all in event
time, so detection sees the same traffic, only sooner: with --speedup 10 the first ten
simulated minutes, which hold the incidents, pass in one minute. The ground truth (generate
--truth) is in event time too. A Kafka broker with its defaults refuses messages stamped over
1 h ahead of its clock; there, send with --timestamp now.`;

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

/** The first instant a log timestamp cannot hold (dd/MMM/yyyy: the year 10000). */
const LAST_LOG_TIME = Date.UTC(10000, 0, 1);

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
  const start =
    flags.start !== undefined ? parseStart(flags.start, now) : live ? now : DEFAULT_START;
  const spanMs =
    flags.span !== undefined ? parseSpan(flags.span) : live ? LIVE_SPAN_MS : DEFAULT_SPAN_MS;
  // A log's timestamp has a four-digit year: lines of the year 10000 would not parse.
  if (start + spanMs > LAST_LOG_TIME) {
    throw badFlag(
      `--start ${new Date(start).toISOString()} and --span ${flags.span ?? formatDuration(spanMs)} run past the end of 9999, which a log timestamp cannot hold`,
    );
  }
  return {
    seed: parseCount(flags.seed, '--seed'),
    lines:
      flags.lines !== undefined
        ? parseCount(flags.lines, '--lines', 0)
        : live
          ? Number.POSITIVE_INFINITY
          : DEFAULT_LINES,
    start,
    spanMs,
    incidents: flags.incidents === undefined ? [] : parseIncidents(flags.incidents),
    format: flags.format,
    rate,
    // Absent unless given, so the options (and every existing seed's output) stay as they were.
    ...(flags.clients === undefined ? {} : { clients: parseCount(flags.clients, '--clients', 1) }),
  };
}
