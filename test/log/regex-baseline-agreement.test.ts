/**
 * The regular-expression baseline of the benchmarks must parse ordinary lines exactly as the
 * hand-written parser does, or its speed tells us nothing. It differs, by design, only where it
 * does not decode Apache's escapes and on a line cut off inside its user agent, which it rejects.
 */
import { describe, expect, it } from 'vitest';
import { parseCombined } from '../../src/log/combined';
import { isRecord } from '../../src/log/record';
import { parseCombinedRegex } from '../../src/log/regex-parser';
import { ELASTIC, realLogLines } from './real-logs';

describe(`regex baseline on ${ELASTIC}`, () => {
  const lines = realLogLines(ELASTIC);

  it('gives the same record as parseCombined on every line without escapes', () => {
    const differ: number[] = [];
    const bothRejected: number[] = [];
    lines.forEach((line, i) => {
      const ours = parseCombined(line);
      const regex = parseCombinedRegex(line);
      if (!isRecord(ours) && !isRecord(regex)) bothRejected.push(i + 1);
      else if (JSON.stringify(ours) !== JSON.stringify(regex)) differ.push(i + 1);
    });
    // The lines that hold a backslash escape, found by a plain text search.
    const escaped = lines.flatMap((line, i) => (line.includes('\\x') ? [i + 1] : []));
    expect(escaped).toEqual([5851, 5853, 5860]);
    // and the line cut off inside its user agent, which only our parser accepts
    expect(differ).toEqual([...escaped, 8899]);
    expect(isRecord(parseCombined(lines[8898]))).toBe(true);
    expect(parseCombinedRegex(lines[8898])).toMatchObject({ kind: 'rejected' });
    expect(bothRejected).toEqual([]);
  });

  it('differs on the escaped lines only in the escaped referrer', () => {
    for (const n of [5851, 5853, 5860]) {
      const ours = parseCombined(lines[n - 1]);
      const regex = parseCombinedRegex(lines[n - 1]);
      if (!isRecord(ours) || !isRecord(regex)) throw new Error(`line ${n} was rejected`);
      expect({ ...regex, referrer: ours.referrer }).toEqual(ours);
      expect(regex.referrer?.startsWith('http://\\xe4\\xe5')).toBe(true);
    }
  });
});

describe('regex baseline on made-up lines', () => {
  it('agrees on "-" fields, a request without protocol and a "-" request', () => {
    for (const line of [
      '1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET /a b HTTP/1.1" 200 - "-" "-"',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0100] "GET /old" 200 1 "r" "u"',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "-" 408 - "-" "-"',
    ]) {
      expect(parseCombinedRegex(line), line).toEqual(parseCombined(line));
    }
  });
});
