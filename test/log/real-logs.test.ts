/**
 * Real logs (data/real-logs/README.md): how many lines parse, why the rest do not, and counts
 * checked against the figures of the README or of a simple independent reading of the raw lines.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCommon } from '../../src/log/combined';
import { readLines } from '../../src/log/lines';
import { countOutcome, createParseStats, type Parser } from '../../src/log/parser';
import { isRecord, type LogRecord, type ParseOutcome } from '../../src/log/record';
import {
  ELASTIC,
  extraSamplesPresent,
  realLogLines,
  realLogPath,
  SPARK_CLF,
  withSamples,
} from './real-logs';

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** The time of a raw line by another road: rebuild an ISO string and let Date.parse read it. */
function independentTime(line: string): number {
  const m = /\[(\d\d)\/(\w\w\w)\/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)\]/.exec(line);
  if (!m) return Number.NaN;
  const month = String(MONTHS.indexOf(m[2]) / 3 + 1).padStart(2, '0');
  return Date.parse(`${m[3]}-${month}-${m[1]}T${m[4]}${m[5]}:${m[6]}`);
}

/** The status of a raw line by another road: the three digits after the request's quote. */
function independentStatus(line: string): number | null {
  const m = /^\S+ \S+ \S+ \[[^\]]+\] ".*?" (\d{3}) /.exec(line);
  return m ? Number(m[1]) : null;
}

function run(lines: string[], parse: Parser) {
  const stats = createParseStats();
  const outcomes: ParseOutcome[] = [];
  for (const line of lines) {
    const outcome = parse(line);
    countOutcome(stats, outcome);
    outcomes.push(outcome);
  }
  const records = outcomes.filter(isRecord);
  return { stats, outcomes, records };
}

function countBy(records: LogRecord[], key: (r: LogRecord) => unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const k = String(key(r));
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

describe(`real log ${ELASTIC} (combined)`, () => {
  const lines = realLogLines(ELASTIC);
  const { stats, outcomes, records } = run(lines, parseCombined);

  it('parses every line; the one cut off inside its user agent is counted as truncated', () => {
    expect(stats).toEqual({
      read: 10_000,
      parsed: 10_000,
      rejected: 0,
      truncated: 1,
      byReason: {},
    });
    // data/real-logs/README.md: line 8899 is the truncated one
    expect(outcomes[8898]).toEqual({
      ip: '46.118.127.106',
      ident: null,
      user: null,
      time: Date.UTC(2015, 4, 20, 12, 5, 17),
      method: 'GET',
      path: '/scripts/grok-py-test/configlib.py',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 235,
      referrer: null,
      userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
      durationMs: null,
      truncated: true,
    });
    expect(records.filter((r) => r.truncated === true)).toEqual([outcomes[8898]]);
  });

  it('has the method counts of the data README', () => {
    expect(countBy(records, (r) => r.method)).toEqual({
      GET: 9952,
      HEAD: 42,
      POST: 5,
      OPTIONS: 1,
    });
  });

  it('has as many "-" byte counts as the raw lines show: 669 (the notes the sample came with said 190, which is wrong)', () => {
    // `awk '$10 == "-"'` counts 669 as well: 445 of them are 304 responses.
    const raw = lines.filter((line) => /" \d{3} - "/.test(line)).length;
    expect(raw).toBe(669);
    expect(records.filter((r) => r.bytes === null).length).toBe(raw);
  });

  it('agrees with an independent reading of every status, 213 of them 404', () => {
    const expected: Record<string, number> = {};
    for (const line of lines) {
      const status = String(independentStatus(line));
      expected[status] = (expected[status] ?? 0) + 1;
    }
    expect(countBy(records, (r) => r.status)).toEqual(expected);
    expect(expected['404']).toBe(213);
  });

  it('agrees with Date.parse on the time of every line', () => {
    const mismatches = records.filter((r, i) => r.time !== independentTime(lines[i]));
    expect(mismatches).toEqual([]);
    expect(records[0].time).toBe(Date.UTC(2015, 4, 17, 10, 5, 3));
  });

  it('parses the same records under auto detection', () => {
    expect(run(lines, parseAuto).outcomes).toEqual(outcomes);
  });
});

describe.skipIf(!extraSamplesPresent)(
  withSamples(`real log ${SPARK_CLF} (common, CRLF, -0800)`),
  () => {
    const lines = extraSamplesPresent ? realLogLines(SPARK_CLF) : [];
    const { stats, outcomes, records } = run(lines, parseCommon);

    it('parses every line', () => {
      expect(stats).toEqual({ read: 1535, parsed: 1535, rejected: 0, truncated: 0, byReason: {} });
    });

    it('has the counts of the notes the sample came with and of an independent status reading', () => {
      expect(countBy(records, (r) => r.method)).toEqual({ GET: 1516, POST: 14, HEAD: 5 });
      expect(records.filter((r) => r.bytes === null).length).toBe(133);
      const statuses: Record<string, number> = {};
      for (const line of lines) {
        const m = /" (\d{3}) [\d-]+$/.exec(line);
        const s = m ? m[1] : 'none';
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
      expect(countBy(records, (r) => r.status)).toEqual(statuses);
      expect(statuses['404']).toBe(5);
    });

    it('converts -0800 local times to UTC', () => {
      // the first line: 07/Mar/2004:16:05:49 -0800
      expect(records[0].time).toBe(Date.UTC(2004, 2, 8, 0, 5, 49));
      const mismatches = records.filter((r, i) => r.time !== independentTime(lines[i]));
      expect(mismatches).toEqual([]);
    });

    it('drops the CR of the CRLF line ends and decodes the escaped backslashes of lines 233 and 603', () => {
      expect(records.filter((r) => /\r/.test(JSON.stringify(r))).length).toBe(0);
      expect(records[232].path).toBe(
        '/twiki/bin/search/TWiki/?search=\\.*&scope=topic&order=modified&reverse=on&regex=on&nosearch=on&limit=200',
      );
      expect(records[602].path?.startsWith('/twiki/bin/search/Main/?search=\\.*&')).toBe(true);
    });

    it('reads the same lines from the file stream as from memory, and auto detection agrees', async () => {
      const streamed: string[] = [];
      for await (const batch of readLines(createReadStream(realLogPath(SPARK_CLF)))) {
        streamed.push(...batch);
      }
      expect(streamed).toEqual(lines);
      expect(run(streamed, parseAuto).outcomes).toEqual(outcomes);
    });

    it('is rejected line by line by the combined parser, as a common-format file', () => {
      expect(run(lines, parseCombined).stats.byReason).toEqual({ 'missing-field': 1535 });
    });
  },
);
