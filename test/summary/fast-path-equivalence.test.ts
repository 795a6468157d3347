/**
 * The summary's fast path (scan.ts) must give exactly what the general path gives: every line
 * through the parser, every record through the aggregator. Compared here on real logs, generated
 * logs, odd line endings and many mutated lines, with every key of every list (top = Infinity).
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { createRandom } from '../../src/generate/random';
import { splitLines } from '../../src/log/lines';
import { getParser, type ParseFormat, type Parser } from '../../src/log/parser';
import { createSummaryState, summaryOf } from '../../src/summary/aggregator';
import { countBytes, countText } from '../../src/summary/scan';
import { summarizeLines, summarizeText } from '../../src/summary/summarize';
import {
  ELASTIC,
  extraSamplesPresent,
  realLogBytes,
  SPARK_CLF,
  TRICKY,
  withSamples,
} from '../log/real-logs';

const ALL = { top: Number.POSITIVE_INFINITY };

function expectSameSummary(text: string, format: ParseFormat): void {
  const general = summarizeLines(splitLines(text), format).result(ALL);
  const fast = summarizeText(text, format).result(ALL);
  expect(fast).toEqual(general);
}

/** How many lines of `text` the fast path left to the parser. */
function parserCalls(text: string, format: ParseFormat): number {
  const parse = getParser(format);
  let calls = 0;
  const counting: Parser = (line) => {
    calls++;
    return parse(line);
  };
  countText(createSummaryState(), text, counting, true);
  return calls;
}

function generated(lines: number, seed: number): string {
  const out: string[] = [];
  for (const line of generateLines(
    defaultOptions({ lines, seed, incidents: ['error-burst', 'ip-flood', 'scanner'] }),
  )) {
    out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** Lines with one random edit each: characters that matter to the format, deleted or inserted. */
function mutate(lines: string[], count: number, seed: number): string[] {
  const rnd = createRandom(seed);
  const alphabet = [
    '"',
    ' ',
    '\\',
    '[',
    ']',
    '-',
    '\r',
    '\t',
    '/',
    'x',
    '0',
    '9',
    ':',
    '+',
    '{',
    'é',
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const line = rnd.pick(lines);
    const at = rnd.int(line.length + 1);
    switch (rnd.int(4)) {
      case 0:
        out.push(line.slice(0, at) + line.slice(at + 1));
        break;
      case 1:
        out.push(line.slice(0, at) + rnd.pick(alphabet) + line.slice(at));
        break;
      case 2:
        out.push(line.slice(0, at) + rnd.pick(alphabet) + line.slice(at + 1));
        break;
      default:
        out.push(line.slice(0, at));
    }
  }
  return out;
}

const BASE =
  '10.1.2.3 - - [12/Mar/2024:18:05:09 +0000] "GET /a?b=1 HTTP/1.1" 200 512 "https://ref.example/" "Mozilla/5.0 (X11)"';

/** Lines at the edges of the plain combined shape: each must be counted as the parser decides. */
const EDGE_LINES: string[] = [
  BASE,
  BASE.replace('HTTP/1.1', 'HTTP/'),
  BASE.replace('HTTP/1.1', 'HTTP/2'),
  BASE.replace('HTTP/1.1', 'http/1.1'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"GET /a?b=1"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"GET HTTP/1.1"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"GET  HTTP/1.1"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"GET /a b HTTP/1.1"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"GET  /a HTTP/1.1"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '"-"'),
  BASE.replace('"GET /a?b=1 HTTP/1.1"', '""'),
  BASE.replace('GET', 'get'),
  BASE.replace('GET', 'GE!'),
  BASE.replace('GET', 'G'.repeat(32)),
  BASE.replace('GET', 'G'.repeat(33)),
  BASE.replace('GET', 'M-SEARCH_2'),
  BASE.replace(' 200 ', ' 600 '),
  BASE.replace(' 200 ', ' 099 '),
  BASE.replace(' 200 ', ' 20x '),
  BASE.replace(' 200 ', ' 2000 '),
  BASE.replace(' 200 ', ' - '),
  BASE.replace(' 512 ', ' - '),
  BASE.replace(' 512 ', ' -5 '),
  BASE.replace(' 512 ', ' 123456789012345 '),
  BASE.replace(' 512 ', ' 1234567890123456 '),
  BASE.replace(' 512 ', ' 5x2 '),
  BASE.replace(' 512 ', ' '),
  BASE.replace('10.1.2.3', '10.1.2.3,10.9.9.9'),
  BASE.replace('10.1.2.3', '[2001:db8::1]'),
  BASE.replace('10.1.2.3', 'crawl-66-249-66-1.googlebot.com'),
  BASE.replace('10.1.2.3', 'host"x'),
  BASE.replace('10.1.2.3 - -', '10.1.2.3 -'),
  BASE.replace('10.1.2.3 - -', '10.1.2.3 - frank'),
  BASE.replace('10.1.2.3 - -', '10.1.2.3 "" ""'),
  BASE.replace('10.1.2.3 - -', 'www.example.com 10.1.2.3 - -'),
  BASE.replace('12/Mar/2024', '31/Feb/2024'),
  BASE.replace('12/Mar/2024', '29/Feb/2024'),
  BASE.replace('12/Mar/2024', '12/mar/2024'),
  BASE.replace('18:05:09', '24:05:09'),
  BASE.replace('18:05:09', '18:60:09'),
  BASE.replace('+0000', '-0800'),
  BASE.replace('+0000', '+1400'),
  BASE.replace('+0000', '+2400'),
  BASE.replace('+0000', '0000'),
  BASE.replace('+0000]', '+0000 ]'),
  BASE.replace('"https://ref.example/"', '"-"'),
  BASE.replace('"https://ref.example/"', '""'),
  BASE.replace('"https://ref.example/"', '"a"b"'),
  BASE.replace('"https://ref.example/"', '"a" b"'),
  BASE.replace('"Mozilla/5.0 (X11)"', '"-"'),
  BASE.replace('"Mozilla/5.0 (X11)"', '""'),
  BASE.replace('"Mozilla/5.0 (X11)"', '"Mozilla/5.0 (X11)'),
  BASE.replace('"Mozilla/5.0 (X11)"', '"Mo"zilla"'),
  BASE.replace('"Mozilla/5.0 (X11)"', '"Mo" zilla"'),
  BASE.replace('"Mozilla/5.0 (X11)"', '"a \\"quoted\\" agent"'),
  `${BASE} "10.9.9.9" 0.123`,
  `${BASE}"x"`,
  `${BASE}   \t `,
  `${BASE}\r`,
  ` ${BASE}`,
  `\t${BASE}`,
  BASE.slice(0, BASE.indexOf(' "https')),
  BASE.slice(0, BASE.indexOf(' "Mozilla')),
  BASE.slice(0, BASE.length - 1),
  BASE.replace(/ /g, '\t'),
  '',
  '   ',
  '-',
  '{"remote_addr":"1.2.3.4","time_local":"12/Mar/2024:18:05:09 +0000","request":"GET / HTTP/1.1","status":"200"}',
];

describe('fast path on lines at the edges of the combined shape', () => {
  it('counts each line as the parser decides', () => {
    for (const line of EDGE_LINES) {
      for (const format of ['combined', 'auto'] as const) {
        const general = summarizeLines([line], format).result();
        const fast = summarizeText(`${line}\n`, format).result();
        expect({ line, format, ...fast }).toEqual({ line, format, ...general });
      }
    }
  });

  it('covers lines of both kinds, parsed and rejected', () => {
    const s = summarizeLines(EDGE_LINES, 'auto').result();
    expect(s.parsed).toBeGreaterThan(20);
    expect(s.rejected).toBeGreaterThan(20);
  });
});

describe(`fast path on the real log ${ELASTIC}`, () => {
  const elastic = realLogBytes(ELASTIC).toString('utf8');

  it('equals the general path on the elastic combined log', () => {
    expectSameSummary(elastic, 'combined');
    expectSameSummary(elastic, 'auto');
  });

  it('takes the fast path for nearly every elastic line', () => {
    const lines = splitLines(elastic).length;
    expect(parserCalls(elastic, 'combined')).toBeLessThan(lines / 100);
  });

  it('equals the general path on CRLF endings, blank lines and a last line without LF', () => {
    const lines = splitLines(elastic).slice(0, 500);
    expectSameSummary(lines.join('\r\n'), 'combined');
    expectSameSummary(`\n\r\n${lines.join('\n\n')}  \t\n\r`, 'auto');
  });

  it('equals the general path on 30,000 mutated lines', () => {
    const mutated = mutate(splitLines(elastic), 30_000, 7);
    expectSameSummary(mutated.join('\n'), 'combined');
    expectSameSummary(mutated.join('\n'), 'auto');
  });

  it('decodes non-ASCII bytes as the line reader does', () => {
    const elasticBytes = realLogBytes(ELASTIC);
    const bytes = Buffer.concat([
      elasticBytes.subarray(0, elasticBytes.indexOf('\n', 200_000) + 1),
      Buffer.from(
        '1.2.3.4 - - [12/Mar/2024:10:00:00 +0000] "GET /caf\xc3\xa9 HTTP/1.1" 200 5 "-" "\xff\xfe"\n' +
          // Big5 bytes, not valid UTF-8, in a path and a user agent
          '1.2.3.5 - - [12/Mar/2024:10:00:01 +0000] "GET /\xa4\xa4\xa4\xe5 HTTP/1.1" 200 5 "-" "\xb4\xfa"\n',
        'latin1',
      ),
    ]);
    const st = createSummaryState();
    countBytes(st, bytes, 0, bytes.length, getParser('auto'), true);
    const general = summarizeLines(splitLines(bytes.toString('utf8')), 'auto').result(ALL);
    expect(summaryOf(st, ALL)).toEqual(general);
    expect(general.topUrls.some((u) => u.key === '/café')).toBe(true);
    expect(general.topUrls.some((u) => u.key === '/\ufffd\ufffd\ufffd\ufffd')).toBe(true);
  });
});

describe.skipIf(!extraSamplesPresent)(withSamples('fast path on the samples not shipped'), () => {
  it('equals the general path on the CLF log (CRLF) and the tricky lines', () => {
    const spark = realLogBytes(SPARK_CLF).toString('utf8');
    expectSameSummary(spark, 'auto');
    expectSameSummary(spark, 'common');
    const tricky = realLogBytes(TRICKY).toString('utf8');
    expectSameSummary(tricky, 'auto');
    expectSameSummary(tricky, 'combined');
    const bytes = realLogBytes(TRICKY);
    const st = createSummaryState();
    countBytes(st, bytes, 0, bytes.length, getParser('auto'), true);
    expect(summaryOf(st, ALL)).toEqual(
      summarizeLines(splitLines(bytes.toString('utf8')), 'auto').result(ALL),
    );
  });
});

describe('fast path on generated logs', () => {
  const text = generated(20_000, 11);

  it('equals the general path with every incident injected', () => {
    expectSameSummary(text, 'combined');
    expectSameSummary(text, 'auto');
  });

  it('takes the fast path for every generated line', () => {
    expect(parserCalls(text, 'combined')).toBe(0);
  });

  it('equals the general path on 30,000 mutated generated lines', () => {
    const mutated = mutate(splitLines(text), 30_000, 13);
    expectSameSummary(mutated.join('\n'), 'combined');
    expectSameSummary(mutated.join('\n'), 'auto');
  });

  it('is not used for common or JSON, whose lines go to their parser', () => {
    const common = splitLines(text)
      .slice(0, 200)
      .map((l) => l.slice(0, l.indexOf(' "', l.indexOf('" ') + 2)));
    expectSameSummary(common.join('\n'), 'common');
    expectSameSummary(common.join('\r\n'), 'common');
    expectSameSummary(common.join('\r\n'), 'auto');
    expect(summarizeText(common.join('\n'), 'common').result().total).toBe(200);
  });
});
