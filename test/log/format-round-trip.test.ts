/**
 * Parsing and formatting undo each other: parse(format(r)) gives r back for every record parsed
 * from the real logs, and format(parse(line)) gives the line back when it was already written
 * the way the formatter writes (UTC, no escapes).
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCommon } from '../../src/log/combined';
import { formatCombined, formatCommon, formatJson } from '../../src/log/format';
import { parseJson } from '../../src/log/json';
import { isRecord, type LogRecord } from '../../src/log/record';
import { ELASTIC, extraSamplesPresent, realLogLines, SPARK_CLF, TRICKY } from './real-logs';

// Bare fields (ident, user) cannot hold spaces: Apache does not escape them, so neither do we.
const MADE_UP: LogRecord[] = [
  {
    ip: '2001:db8::7',
    ident: null,
    user: 'ünïcode"quoted"\\user',
    time: Date.UTC(2024, 1, 29, 23, 59, 59),
    method: 'POST',
    path: '/a b/"c"?d=\\e\tf',
    protocol: 'HTTP/2.0',
    status: 201,
    bytes: 0,
    referrer: 'line\nbreak \u0001 control',
    userAgent: 'snow \u2603 and \u{1F600}',
    durationMs: null,
  },
  {
    ip: 'host.example',
    ident: 'id',
    user: '',
    time: 0,
    method: null,
    path: null,
    protocol: null,
    status: 408,
    bytes: null,
    referrer: null,
    userAgent: '',
    durationMs: null,
  },
];

/**
 * The records of the real logs, without the truncated mark: the formatter writes whole lines
 * (the cut user agent gets its closing quote), so the record read back is not truncated.
 */
function realRecords(): LogRecord[] {
  // The samples that are not shipped add their records when present (test/log/real-logs.ts).
  const logs = extraSamplesPresent ? [ELASTIC, SPARK_CLF, TRICKY] : [ELASTIC];
  return logs.flatMap((name) =>
    realLogLines(name)
      .map(parseAuto)
      .filter(isRecord)
      .map(({ truncated: _, ...whole }) => whole),
  );
}

describe('format then parse', () => {
  const records = [...MADE_UP, ...realRecords()];

  it('combined: parseCombined(formatCombined(r)) equals r', () => {
    const broken = records.filter(
      (r) => JSON.stringify(parseCombined(formatCombined(r))) !== JSON.stringify(r),
    );
    expect(broken).toEqual([]);
    const extra = extraSamplesPresent ? 1_535 + 20 : 0;
    expect(records.length).toBe(MADE_UP.length + 10_000 + extra);
  });

  it('common: parseCommon(formatCommon(r)) equals r without referrer and user agent', () => {
    for (const r of records) {
      expect(parseCommon(formatCommon(r))).toEqual({ ...r, referrer: null, userAgent: null });
    }
  });

  it('json: parseJson(formatJson(r)) equals r, except what nginx JSON cannot carry', () => {
    // no ident field in nginx logs, and "" is how nginx writes an unset variable
    const blank = (v: string | null) => (v === '' ? null : v);
    for (const r of records) {
      expect(parseJson(formatJson(r))).toEqual({
        ...r,
        ident: null,
        user: blank(r.user),
        referrer: blank(r.referrer),
        userAgent: blank(r.userAgent),
      });
    }
  });
});

describe('parse then format', () => {
  it(`reproduces every line of ${ELASTIC} that has no escapes`, () => {
    const lines = realLogLines(ELASTIC);
    let same = 0;
    const changed: string[] = [];
    for (const line of lines) {
      const r = parseCombined(line);
      if (!isRecord(r) || line.includes('\\')) continue;
      if (formatCombined(r) === line) same++;
      else changed.push(line);
    }
    // The line cut off inside its user agent comes back whole: with the closing quote.
    expect(changed).toEqual([lines[8898]]);
    expect(formatCombined(parseCombined(lines[8898]) as LogRecord)).toBe(`${lines[8898]}"`);
    expect(same).toBe(10_000 - 1 - 3);
  });
});
