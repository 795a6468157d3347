/**
 * The log generator: seeded, deterministic, realistic e-commerce traffic with incidents on
 * request and their ground truth.
 *
 *   seed ─┬─ site (routes, products, popularity)
 *         ├─ incidents (time, key, intensity; addresses reserved) ──▶ ground truth
 *         ├─ line times (diurnal curve, or a steady rate)
 *         └─ traffic (sessions: who makes each line)
 *   normal lines ⨝ incident lines, merged in time order ──▶ records / formatted lines
 *
 * Fast mode (no `rate`): exactly `lines` lines over [start, start + spanMs), dense where the
 * diurnal curve is high. Real-time mode (`rate`): a steady `rate` lines per second from `start`;
 * with finite `lines` the span is lines / rate, otherwise the stream is endless and incidents
 * fall within the first `spanMs`. Either way the output is a pure function of the options: the
 * caller paces real-time output against the wall clock.
 *
 * Each part draws from its own random stream, forked from the seed, so asking for incidents
 * does not reshuffle the shop.
 */
import { badFlag } from '../errors';
import { formatterFor } from '../log/format';
import { formatHasDuration, type LogFormat, type LogRecord } from '../log/record';
import { createClientFactory } from './clients';
import { createCurveSlots, createRateSlots, diurnalWeight, type SlotTimes } from './diurnal';
import { formatDuration } from './duration';
import { type GroundTruth, INCIDENT_KINDS, type IncidentKind, planIncidents } from './incidents';
import { createDurations } from './latency';
import { REQUEST_LIMIT } from './limits';
import { createCombinedLineWriter } from './line-writer';
import { createFixedPopulation, linesPerBucket, minimumClients } from './population';
import { createRandom } from './random';
import { createSite, PROTOCOLS } from './site';
import { createTraffic, type Hit } from './traffic';
import { surgedWeight } from './wide-incidents';

export interface GenerateOptions {
  seed: number;
  /** Lines to write, incidents included. Infinity only in real-time mode (`rate`). */
  lines: number;
  /** Epoch ms of the first possible line. */
  start: number;
  spanMs: number;
  incidents: IncidentKind[];
  format?: LogFormat;
  /** Real-time mode: lines per second, steady, instead of the diurnal curve. */
  rate?: number;
  /**
   * A fixed population of normal clients, each with its own address (population.ts); without
   * it the traffic keeps meeting new ones, about 3 addresses per 100 lines. Incident addresses
   * come on top.
   */
  clients?: number;
}

export const DEFAULT_SEED = 42;
/** Midnight UTC of a fixed Tuesday, so a run without --start is reproducible. */
export const DEFAULT_START = Date.UTC(2024, 2, 12);
export const DEFAULT_SPAN_MS = 86_400_000;
/** A realistic day for a small shop, and quick to generate. */
export const DEFAULT_LINES = 100_000;
export const DEFAULT_FORMAT: LogFormat = 'combined';

export function defaultOptions(overrides: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    seed: DEFAULT_SEED,
    lines: DEFAULT_LINES,
    start: DEFAULT_START,
    spanMs: DEFAULT_SPAN_MS,
    incidents: [],
    format: DEFAULT_FORMAT,
    ...overrides,
  };
}

export interface Generator {
  readonly options: Readonly<GenerateOptions>;
  /**
   * The records in time order; each call starts again from the beginning. Times have the log's
   * resolution (whole seconds), so parsing the formatted line gives the same record back.
   */
  records(): IterableIterator<LogRecord>;
  /** The injected incidents. Known up front: complete as soon as the generator exists. */
  truth(): GroundTruth;
}

/** Throws a LoglabError (BAD_FLAG) naming the first option that cannot be used. */
export function validateOptions(o: GenerateOptions): void {
  if (!Number.isFinite(o.seed)) throw badFlag(`seed must be a number, got ${o.seed}`);
  if (!Number.isFinite(o.start)) throw badFlag('start must be a valid time');
  if (!(o.spanMs > 0) || !Number.isFinite(o.spanMs))
    throw badFlag(`span must be positive, got ${o.spanMs} ms`);
  if (o.rate !== undefined && !(o.rate > 0 && Number.isFinite(o.rate))) {
    throw badFlag(`rate must be a positive number of lines per second, got ${o.rate}`);
  }
  const endless = o.lines === Number.POSITIVE_INFINITY && o.rate !== undefined;
  if (!endless && !(Number.isSafeInteger(o.lines) && o.lines >= 0)) {
    throw badFlag(`lines must be a whole number ≥ 0, got ${o.lines}`);
  }
  if (o.clients !== undefined) {
    const least = minimumClients(linesPerBucket(o.lines, o.spanMs, o.rate));
    if (!(Number.isSafeInteger(o.clients) && o.clients >= least)) {
      throw badFlag(
        `clients must be a whole number ≥ ${least} for ${o.rate === undefined ? `${o.lines} lines over ${formatDuration(o.spanMs)}` : `${o.rate} lines/s`} ` +
          `(every client makes at most ${REQUEST_LIMIT} requests in five minutes), got ${o.clients}`,
      );
    }
  }
  for (const kind of o.incidents) {
    if (!INCIDENT_KINDS.includes(kind)) {
      throw badFlag(`unknown incident "${kind}" (known: ${INCIDENT_KINDS.join(', ')}, all)`);
    }
  }
}

/** Labels of the random streams forked from the seed. */
const STREAM_SITE = 1;
const STREAM_INCIDENTS = 2;
const STREAM_TIMES = 3;
const STREAM_TRAFFIC = 4;
const STREAM_CLIENTS = 5;
const STREAM_DURATIONS = 6;
const STREAM_POPULATION = 7;

/** Internal: the generated lines before formatting, shared by the writers below. */
export interface HitStream {
  truth: GroundTruth;
  /** The next line, or null at the end. The object is reused: valid until the next call. */
  next(): Hit | null;
}

export function createHitStream(o: GenerateOptions): HitStream {
  validateOptions(o);
  const root = createRandom(o.seed);
  const site = createSite(root.fork(STREAM_SITE));
  const clients = createClientFactory(root.fork(STREAM_CLIENTS));
  const endless = o.lines === Number.POSITIVE_INFINITY;
  const spanMs =
    o.rate !== undefined && !endless ? Math.max(1, Math.ceil((o.lines / o.rate) * 1000)) : o.spanMs;
  const plan = planIncidents(root.fork(STREAM_INCIDENTS), site, clients, {
    start: o.start,
    spanMs,
    lines: o.lines,
    kinds: o.incidents,
  });
  const injected = plan.hits;
  const normalCount = endless ? Number.POSITIVE_INFINITY : o.lines - injected.length;
  const timesRandom = root.fork(STREAM_TIMES);
  // A surge multiplies the curve, or the rate of an endless steady stream.
  const slots: SlotTimes =
    o.rate === undefined
      ? createCurveSlots(
          timesRandom,
          o.start,
          spanMs,
          normalCount,
          surgedWeight(diurnalWeight, plan.surges),
        )
      : endless
        ? createRateSlots(
            timesRandom,
            o.start,
            o.rate,
            surgedWeight(() => 1, plan.surges),
          )
        : createCurveSlots(
            timesRandom,
            o.start,
            spanMs,
            normalCount,
            surgedWeight(() => 1, plan.surges),
          );
  const trafficRandom = root.fork(STREAM_TRAFFIC);
  // Lines after the span's end are clamped to its last millisecond: a page fetched in the last
  // instant still has its assets.
  const last = endless ? Number.POSITIVE_INFINITY : o.start + spanMs - 1;
  // Request times are drawn only for formats that write them: other formats keep their bytes.
  const durations = formatHasDuration(o.format ?? DEFAULT_FORMAT)
    ? createDurations(root.fork(STREAM_DURATIONS), plan.slowdowns)
    : null;
  // Forked last: a fork draws from the root, and the streams above must not move without it.
  const population =
    o.clients === undefined
      ? clients
      : createFixedPopulation(clients, root.fork(STREAM_POPULATION), o.clients);
  const traffic = createTraffic(trafficRandom, site, population, slots);

  // One normal line of look-ahead, so the merge with incident lines compares real times. Two
  // hit objects take turns: one is the caller's until the next call, the other is filled.
  let normalLeft = normalCount;
  let pending = emptyHit();
  let lent = emptyHit();
  let havePending = false;
  let k = 0;
  return {
    truth: plan.truth,
    next() {
      if (!havePending && normalLeft > 0) {
        traffic.next(pending);
        if (pending.time > last) pending.time = last;
        normalLeft--;
        havePending = true;
      }
      let out: Hit;
      if (k < injected.length && (!havePending || injected[k].time < pending.time)) {
        out = injected[k++];
      } else {
        if (!havePending) return null;
        out = pending;
        pending = lent;
        lent = out;
        havePending = false;
      }
      if (durations !== null) {
        out.durationUs = durations(out.route.latencyMs, out.route.path, out.time);
      }
      return out;
    },
  };
}

export function emptyHit(): Hit {
  return {
    time: 0,
    client: undefined as never,
    route: undefined as never,
    status: 0,
    bytes: -1,
    referrer: null,
    durationUs: 0,
  };
}

/**
 * The record a log line of `format` carries: its time has the log's resolution (whole seconds),
 * and so has its request time (µs in combined-time, ms in JSON, none in combined and common).
 */
export function toRecord(hit: Hit, format: LogFormat = DEFAULT_FORMAT): LogRecord {
  return {
    ip: hit.client.ip,
    ident: null,
    user: null,
    time: hit.time - (((hit.time % 1000) + 1000) % 1000),
    method: hit.route.method,
    path: hit.route.path,
    protocol: PROTOCOLS[hit.client.protocol],
    status: hit.status,
    bytes: hit.bytes < 0 ? null : hit.bytes,
    referrer: hit.referrer === null ? null : hit.referrer.text,
    userAgent: hit.client.userAgent,
    durationMs:
      format === 'combined-time'
        ? hit.durationUs / 1000
        : format === 'json'
          ? Math.round(hit.durationUs / 1000)
          : null,
  };
}

export function createGenerator(options: GenerateOptions): Generator {
  const frozen = Object.freeze({ ...options, incidents: [...options.incidents] });
  const { truth } = createHitStream(frozen);
  return {
    options: frozen,
    *records() {
      const stream = createHitStream(frozen);
      const format = frozen.format ?? DEFAULT_FORMAT;
      for (let hit = stream.next(); hit !== null; hit = stream.next()) yield toRecord(hit, format);
    },
    truth: () => ({ incidents: truth.incidents.map((i) => ({ ...i })) }),
  };
}

/** Only the ground truth, without generating a line. */
export function groundTruth(options: GenerateOptions): GroundTruth {
  return createHitStream(options).truth;
}

/**
 * Formatted lines as byte chunks of at most `chunkBytes` (at least about 10 KB; whole lines, each
 * ending in "\n"): the
 * fast path for writers. Combined lines are written from pre-encoded parts (line-writer.ts);
 * they equal formatCombined(record) for every record, which the tests check. Other formats go
 * through their formatter and are UTF-8 encoded.
 */
export function* generateBuffers(
  options: GenerateOptions,
  chunkBytes = 1 << 18,
): IterableIterator<Uint8Array> {
  const stream = createHitStream(options);
  const format = options.format ?? DEFAULT_FORMAT;
  if (format === 'combined') {
    const writer = createCombinedLineWriter(chunkBytes);
    for (let hit = stream.next(); hit !== null; hit = stream.next()) {
      if (!writer.write(hit)) {
        yield writer.take();
        writer.write(hit);
      }
    }
    if (writer.size() > 0) yield writer.take();
    return;
  }
  const formatter = formatterFor(format);
  let chunk = '';
  for (let hit = stream.next(); hit !== null; hit = stream.next()) {
    const line = `${formatter(toRecord(hit, format))}\n`;
    if (chunk.length > 0 && chunk.length + line.length > chunkBytes) {
      yield Buffer.from(chunk, 'utf8');
      chunk = '';
    }
    chunk += line;
  }
  if (chunk.length > 0) yield Buffer.from(chunk, 'utf8');
}

/** The same chunks as text. */
export function* generateChunks(
  options: GenerateOptions,
  chunkBytes = 1 << 18,
): IterableIterator<string> {
  for (const bytes of generateBuffers(options, chunkBytes)) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
}

/** Formatted lines one at a time, without the newline (through the formatters: the reference). */
export function* generateLines(options: GenerateOptions): IterableIterator<string> {
  const stream = createHitStream(options);
  const format = options.format ?? DEFAULT_FORMAT;
  const formatter = formatterFor(format);
  for (let hit = stream.next(); hit !== null; hit = stream.next()) {
    yield formatter(toRecord(hit, format));
  }
}

/** Each record with its formatted line; for callers that pace or route lines by time. */
export function* generateTimedLines(
  options: GenerateOptions,
): IterableIterator<{ time: number; line: string }> {
  const stream = createHitStream(options);
  const format = options.format ?? DEFAULT_FORMAT;
  const formatter = formatterFor(format);
  for (let hit = stream.next(); hit !== null; hit = stream.next()) {
    yield { time: hit.time, line: formatter(toRecord(hit, format)) };
  }
}
