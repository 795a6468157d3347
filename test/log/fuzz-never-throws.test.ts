/**
 * Random bytes and mutated lines (seeded, so a failure repeats): every parser returns a
 * well-formed record or a rejection with a known reason, never throws, and parsed + rejected = read.
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCombinedTime, parseCommon } from '../../src/log/combined';
import { formatJson } from '../../src/log/format';
import { parseJson } from '../../src/log/json';
import { countOutcome, createParseStats, type Parser } from '../../src/log/parser';
import { isRecord, type ParseOutcome, type RejectReason } from '../../src/log/record';
import { parseCombinedRegex } from '../../src/log/regex-parser';
import { ELASTIC, extraSamplesPresent, realLogLines, TRICKY } from './real-logs';

const REASONS: RejectReason[] = [
  'empty-line',
  'bad-host',
  'bad-timestamp',
  'bad-request',
  'bad-status',
  'bad-bytes',
  'bad-duration',
  'bad-quoted-field',
  'trailing-garbage',
  'bad-json',
  'missing-field',
  'unknown-format',
];
const FIELDS = 'ip,ident,user,time,method,path,protocol,status,bytes,referrer,userAgent,durationMs';

const PARSERS: [string, Parser][] = [
  ['combined', parseCombined],
  ['combined-time', parseCombinedTime],
  ['common', parseCommon],
  ['json', parseJson],
  ['auto', parseAuto],
  ['regex', parseCombinedRegex],
];

/** mulberry32: a small seeded generator, so every run sees the same inputs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Why an outcome is malformed, or null when it is a proper record or rejection. */
function problem(outcome: ParseOutcome): string | null {
  if (!isRecord(outcome)) {
    if (!REASONS.includes(outcome.reason)) return `unknown reason ${outcome.reason}`;
    return typeof outcome.message === 'string' && outcome.message !== '' ? null : 'no message';
  }
  const r = outcome;
  // `truncated: true` may follow the fields, on a line cut off inside its user agent.
  const keys = Object.keys(r).join(',');
  if (keys !== FIELDS && !(keys === `${FIELDS},truncated` && r.truncated === true)) {
    return `fields ${keys}`;
  }
  if (typeof r.ip !== 'string' || r.ip === '') return 'ip';
  if (!Number.isSafeInteger(r.time)) return `time ${r.time}`;
  if (!Number.isInteger(r.status) || r.status < 100 || r.status > 599) return `status ${r.status}`;
  if (r.bytes !== null && !(Number.isSafeInteger(r.bytes) && r.bytes >= 0))
    return `bytes ${r.bytes}`;
  if (r.durationMs !== null && !(r.durationMs >= 0 && Number.isFinite(r.durationMs)))
    return `durationMs ${r.durationMs}`;
  for (const key of [
    'ident',
    'user',
    'method',
    'path',
    'protocol',
    'referrer',
    'userAgent',
  ] as const) {
    if (r[key] !== null && typeof r[key] !== 'string') return key;
  }
  return null;
}

const SEED_LINES = [
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "ua"',
  '::1 - frank [10/Oct/2000:13:55:36 +0000] "-" 408 -',
  '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "r" "a\\"b\\xe2\\x98\\x83"',
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "ua" 48213',
];
const ALPHABET = ' "\\[]-:/{}0123456789xGET\r\t,+';

function mutate(line: string, next: () => number): string {
  let s = line;
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    const ch = ALPHABET[Math.floor(next() * ALPHABET.length)];
    switch (Math.floor(next() * 6)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 8));
        break;
      case 1:
        s = s.slice(0, at) + ch + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + ch + s.slice(at + 1);
        break;
      case 3:
        s = s.slice(0, at);
        break;
      case 4:
        s = s.slice(0, at) + s.slice(Math.floor(next() * s.length));
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + s.slice(at);
    }
  }
  return s;
}

function check(inputs: string[]): void {
  for (const [name, parse] of PARSERS) {
    const stats = createParseStats();
    const problems: string[] = [];
    for (const input of inputs) {
      const outcome = parse(input);
      countOutcome(stats, outcome);
      const why = problem(outcome);
      if (why !== null && problems.length < 5) problems.push(`${why}: ${JSON.stringify(input)}`);
    }
    expect(problems, name).toEqual([]);
    expect(stats.parsed + stats.rejected, name).toBe(inputs.length);
  }
}

describe('parsers on hostile input', () => {
  const base = [...SEED_LINES, ...realLogLines(ELASTIC).slice(0, 3000)];
  // The tricky lines are not shipped: mutated here when present, their absence changes no figure.
  if (extraSamplesPresent) base.push(...realLogLines(TRICKY));

  it('never throw on random bytes decoded as UTF-8', () => {
    const next = random(1);
    const inputs: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.alloc(Math.floor(next() * 300));
      for (let k = 0; k < bytes.length; k++) {
        // half the bytes from the characters parsers look for, half anything
        bytes[k] =
          next() < 0.5
            ? ALPHABET.charCodeAt(Math.floor(next() * ALPHABET.length))
            : Math.floor(next() * 256);
      }
      inputs.push(bytes.toString('utf8'));
    }
    check(inputs);
  });

  it('never throw on mutated real lines, and still parse some of them', () => {
    const next = random(2);
    const inputs = base.flatMap((line) => [mutate(line, next), mutate(line, next)]);
    check(inputs);
    const parsed = inputs.filter((l) => isRecord(parseAuto(l))).length;
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(inputs.length);
  });

  it('never throw on mutated JSON lines', () => {
    const next = random(3);
    const records = base.map(parseAuto).filter(isRecord);
    const inputs = records.flatMap((r) => [mutate(formatJson(r), next), formatJson(r)]);
    check(inputs);
    expect(inputs.filter((l) => isRecord(parseJson(l))).length).toBeGreaterThanOrEqual(
      records.length,
    );
  });
});
