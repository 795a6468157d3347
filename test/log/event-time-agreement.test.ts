/**
 * The event-time reader gives the parser's answer on every line: the same event time for a line
 * the parser accepts, the very same rejection (reason and message) for one it rejects. Checked
 * for the auto, combined, combined-time and common readers on generated lines of every format, the tricky
 * lines, the shipped real log, and seeded mutations and cuts of all of them, which is where the
 * checks of a hand-written reader go wrong.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate';
import { parseAuto } from '../../src/log/auto';
import { MODE_ANY, parseCombined, parseCombinedTime, parseCommon } from '../../src/log/combined';
import { accessLineTime, eventTimeOf } from '../../src/log/event-time';
import { parseJson } from '../../src/log/json';
import type { Parser } from '../../src/log/parser';
import { isRejection, type LogFormat } from '../../src/log/record';
import { isRequestLine, type RequestParts, splitRequest } from '../../src/log/request-line';
import { ELASTIC, realLogLines } from './real-logs';
import { trickyLines } from './tricky-lines';

const PARSERS: [string, Parser][] = [
  ['auto', parseAuto],
  ['combined', parseCombined],
  ['combined-time', parseCombinedTime],
  ['common', parseCommon],
  ['json', parseJson],
];

function generated(format: LogFormat, lines = 3_000): string[] {
  return [
    ...generateLines(
      defaultOptions({ seed: 7, lines, format, incidents: ['error-burst', 'ip-flood', 'scanner'] }),
    ),
  ];
}

/** mulberry32: seeded, so a failure repeats. */
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

const ALPHABET = ' "\\[]-:/{}0123456789xGHTP\r\t,+';

/** `count` copies of random lines of `from`, each with one to three characters changed. */
function mutated(from: string[], count: number, seed: number): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let s = from[Math.floor(next() * from.length)];
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * s.length);
      const ch = ALPHABET[Math.floor(next() * ALPHABET.length)];
      const kind = next();
      if (kind < 0.4) s = s.slice(0, at) + ch + s.slice(at + 1);
      else if (kind < 0.7) s = s.slice(0, at) + ch + s.slice(at);
      else s = s.slice(0, at) + s.slice(at + 1);
    }
    out.push(s);
  }
  return out;
}

/** Every cut of each line: a log cut mid-write, at each character. */
function cuts(lines: string[]): string[] {
  return lines.flatMap((l) => Array.from({ length: l.length + 1 }, (_, i) => l.slice(0, i)));
}

/** The lines on which the reader for `parse` disagrees with it, with both answers. */
function disagreements(parse: Parser, lines: string[]): string[] {
  const read = eventTimeOf(parse);
  const out: string[] = [];
  for (const line of lines) {
    const outcome = parse(line);
    const expected = isRejection(outcome) ? outcome : outcome.time;
    const got = read(line);
    if (got !== expected) {
      out.push(
        `${JSON.stringify(line)}: parser ${JSON.stringify(expected)}, reader ${JSON.stringify(got)}`,
      );
    }
  }
  return out;
}

const BASE =
  '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "http://r.example/" "ua"';

/** One line per check a reader makes, each just on the wrong side of it. */
function edges(): string[] {
  const sub = (from: string, to: string) => BASE.replace(from, to);
  const head = BASE.slice(0, BASE.indexOf(' 200 '));
  return [
    BASE,
    `${BASE}  \r`,
    ` ${BASE}`,
    sub('192.0.2.1 ', ' '),
    `\t${BASE}`,
    sub('192.0.2.1', '"192.0.2.1"'),
    sub('192.0.2.1', '192.0.2.1,'),
    sub('192.0.2.1 - - ', '192.0.2.1 '),
    sub('192.0.2.1 - - ', '192.0.2.1 - '),
    sub('192.0.2.1 - - ', 'vhost 192.0.2.1 - - '),
    sub(' - - ', ' "" "" '),
    sub(' - - ', ' id\\x us\\"r '),
    sub('-0700]', '-0700 ]'),
    sub('-0700]', '-070]'),
    sub('10/Oct', '32/Oct'),
    sub('10/Oct/2000', '10/Oct/0000'),
    sub('-0700] "', '-0700]"'),
    sub('-0700] "', '-0700] '),
    sub('"GET /a HTTP/1.1"', '"-"'),
    sub('"GET /a HTTP/1.1"', '""'),
    sub('"GET /a HTTP/1.1"', '"GET"'),
    sub('"GET /a HTTP/1.1"', '"GET "'),
    sub('"GET /a HTTP/1.1"', '"GET  HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', '"GET \\x20HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', '"G\\x45T /a HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', '"GET /a\\" HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', '"\\x16\\x03\\x01"'),
    sub('"GET /a HTTP/1.1"', '"G?T /a HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', `"${'M'.repeat(33)} /a"`),
    sub('"GET /a HTTP/1.1"', `"${'M'.repeat(32)} /a"`),
    sub('"GET /a HTTP/1.1"', '"GET /a HTTP/2"'),
    sub('"GET /a HTTP/1.1"', '"GET /a b HTTP/1.1"'),
    sub('"GET /a HTTP/1.1"', '"GET /a'),
    `${head}`,
    `${head} `,
    sub(' 200 ', ' - '),
    sub(' 200 ', ' 600 '),
    sub(' 200 ', ' 099 '),
    sub(' 200 ', ' 20 '),
    sub(' 200 ', ' 200x '),
    `${head} 200`,
    sub(' 5 ', ' - '),
    sub(' 5 ', ' -x '),
    sub(' 5 ', ' 5x '),
    sub(' 5 ', ` ${'9'.repeat(15)} `),
    sub(' 5 ', ` ${'9'.repeat(16)} `),
    `${head} 200 5`,
    `${head} 200 -`,
    `${head} 200 5 `,
    `${head} 200 5  `,
    `${head} 200 5 x`,
    sub('"http://r.example/"', 'http://r.example/'),
    sub('"http://r.example/"', '"http://r.example/'),
    // The status, bytes and referrer a reader would find by mistake near the start of the line
    // when it went on after a field that has no closing quote.
    sub('192.0.2.1', 'a"b').replace('"http://r.example/"', '"http://r.example/'),
    'a200 - "x [10/Oct/2000:13:55:36 -0700] " "x',
    sub('"http://r.example/"', '"-"'),
    sub('"http://r.example/"', '"a\\" b"'),
    `${head} 200 5 "-"`,
    `${head} 200 5 "r"`,
    `${head} 200 5 "-" `,
    `${head} 200 5 "-" ua`,
    `${head} 200 5 "-" "`,
    `${head} 200 5 "-" "-`,
    `${head} 200 5 "-" "cut off`,
    `${BASE} "x-forwarded-for"`,
    `${BASE}x`,
    `${BASE} 1234`,
    `${BASE} -`,
    `${BASE} `,
    `${BASE} 12a`,
    `${BASE} 0.048`,
    `${BASE} 1234567890123456`,
    `${BASE} 12 34`,
    `${head} 200 5 "-" "-" 99`,
    '{"ip":"192.0.2.1","time":971211336000,"status":200}',
    '  {"ip":"192.0.2.1","time":"10/Oct/2000:13:55:36 -0700","status":"200"}',
    '{"ip":"192.0.2.1","status":200}',
    '{"ip":',
    '',
    '   ',
  ];
}

const SOURCES: [string, () => string[]][] = [
  ['edge lines, one per check', edges],
  ['generated combined', () => generated('combined')],
  ['generated combined-time', () => generated('combined-time')],
  ['generated common', () => generated('common')],
  ['generated json', () => generated('json')],
  ['the tricky lines', trickyLines],
  ['the shipped real log', () => realLogLines(ELASTIC)],
];

describe('event-time reader agrees with the parser', () => {
  for (const [source, lines] of SOURCES) {
    it(`on ${source}, for every parser`, () => {
      const input = lines();
      for (const [name, parse] of PARSERS) {
        expect(disagreements(parse, input), name).toEqual([]);
      }
    });
  }

  it('on 60,000 mutated lines of every source, for every parser', () => {
    const all = SOURCES.flatMap(([, lines]) => lines().slice(0, 2_000));
    const input = mutated(all, 60_000, 9);
    for (const [name, parse] of PARSERS) {
      expect(disagreements(parse, input), name).toEqual([]);
    }
  });

  it('on every cut of the tricky lines and of generated lines', () => {
    const input = cuts([
      ...edges(),
      ...trickyLines(),
      ...generated('combined', 20),
      ...generated('combined-time', 20),
      ...generated('common', 20),
    ]);
    for (const [name, parse] of PARSERS) {
      expect(disagreements(parse, input), name).toEqual([]);
    }
  });
});

describe('isRequestLine', () => {
  it('accepts exactly what splitRequest accepts, on every prefix of awkward request lines', () => {
    const requests = [
      'GET /a HTTP/1.1',
      'GET /a b HTTP/1.0',
      'GET  HTTP/1.1',
      'POST /x?y=1 HTTP/2.0',
      'HEAD / HTTP/1.1 ',
      `${'M'.repeat(32)} /a`,
      `${'M'.repeat(33)} /a`,
      'G_E-T9 /a HTTP/1.1',
      'G?T /a',
      '\x16\x03\x01 /',
      'GET /a HTTP/',
      'GET /a HTTP/1.1.1.1.1.1.1.1',
    ];
    const out: RequestParts = { method: '', path: '', protocol: null };
    const wrong: string[] = [];
    for (const r of requests) {
      for (let stop = 0; stop <= r.length; stop++) {
        for (const start of [0, 1]) {
          if (start > stop) continue;
          const expected = splitRequest(r, start, stop, out) === null;
          if (isRequestLine(r, start, stop) !== expected) wrong.push(`${r}[${start}..${stop})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('event-time reader fast path', () => {
  it('reads every generated combined and common line without the parser', () => {
    const lines = [...generated('combined'), ...generated('common')];
    const slow = lines.filter((l) => Number.isNaN(accessLineTime(l, MODE_ANY)));
    expect(slow).toEqual([]);
  });

  it('reads all 10,000 lines of the real log without the parser (escapes only after the request)', () => {
    const lines = realLogLines(ELASTIC);
    const slow = lines.filter((l) => Number.isNaN(accessLineTime(l, MODE_ANY)));
    expect([lines.length, slow.length]).toEqual([10_000, 0]);
  });
});
