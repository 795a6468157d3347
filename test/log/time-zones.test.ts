/** Timestamps to epoch ms UTC: offsets, calendar edges, the day cache, and what is refused. */
import { describe, expect, it } from 'vitest';
import { daysFromCivil, parseClfTime, parseIsoTime } from '../../src/log/time';

describe('parseClfTime', () => {
  it('subtracts the offset: -0800 is eight hours behind UTC', () => {
    expect(parseClfTime('14/Mar/2004:09:12:05 -0800', 0)).toBe(Date.UTC(2004, 2, 14, 17, 12, 5));
    expect(parseClfTime('13/Mar/2004:17:40:21 -0800', 0)).toBe(Date.UTC(2004, 2, 14, 1, 40, 21));
  });

  it('handles half-hour and extreme offsets and crosses day, month and year', () => {
    expect(parseClfTime('01/Jan/2020:03:00:00 +0530', 0)).toBe(Date.UTC(2019, 11, 31, 21, 30));
    expect(parseClfTime('31/Dec/2019:23:30:00 -1200', 0)).toBe(Date.UTC(2020, 0, 1, 11, 30));
    expect(parseClfTime('01/Mar/2020:00:00:00 +1400', 0)).toBe(Date.UTC(2020, 1, 29, 10, 0));
  });

  it('reads at an offset inside a longer string', () => {
    expect(parseClfTime('x [10/Oct/2000:13:55:36 -0700]', 3)).toBe(
      Date.UTC(2000, 9, 10, 20, 55, 36),
    );
  });

  it('knows leap years', () => {
    expect(parseClfTime('29/Feb/2000:00:00:00 +0000', 0)).toBe(Date.UTC(2000, 1, 29));
    expect(parseClfTime('29/Feb/1900:00:00:00 +0000', 0)).toBeNaN();
    expect(parseClfTime('29/Feb/2023:00:00:00 +0000', 0)).toBeNaN();
  });

  it('gives every month its number', () => {
    const months = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];
    months.forEach((m, i) => {
      expect(parseClfTime(`15/${m}/2015:12:00:00 +0000`, 0), m).toBe(Date.UTC(2015, i, 15, 12));
    });
  });

  it('does not confuse days when lines alternate between dates (the day cache)', () => {
    const a = '17/May/2015:10:05:03 +0000';
    const b = '18/May/2015:10:05:03 +0000';
    for (let i = 0; i < 3; i++) {
      expect(parseClfTime(a, 0)).toBe(Date.UTC(2015, 4, 17, 10, 5, 3));
      expect(parseClfTime(b, 0)).toBe(Date.UTC(2015, 4, 18, 10, 5, 3));
    }
  });

  it('refuses anything that is not dd/Mon/yyyy:HH:MM:SS ±hhmm', () => {
    for (const bad of [
      '10/oct/2000:13:55:36 +0000',
      '10/Oct/2000:13:55:36 0000',
      '10/Oct/2000:13:55:36 +00',
      '10/Oct/2000:13:60:00 +0000',
      '10/Oct/2000:13:55:60 +0000',
      '10/Oct/2000:24:00:00 +0000',
      '00/Oct/2000:13:55:36 +0000',
      '32/Oct/2000:13:55:36 +0000',
      '1/Oct/2000:13:55:36 +00000',
      '10-Oct-2000:13:55:36 +0000',
      '10/Oct/2000:13:55:36 +2400',
      '10/Oct/2000:13:55:36 +0060',
      '',
    ]) {
      expect(parseClfTime(bad, 0), bad).toBeNaN();
    }
  });
});

describe('parseIsoTime', () => {
  it('reads nginx $time_iso8601 with its offset', () => {
    expect(parseIsoTime('2000-10-10T13:55:36-07:00')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(parseIsoTime('2019-03-04T12:34:56+00:00')).toBe(Date.UTC(2019, 2, 4, 12, 34, 56));
  });

  it('reads Z, ±hhmm, a space for T and keeps milliseconds of a fraction', () => {
    expect(parseIsoTime('2019-03-04T12:34:56Z')).toBe(Date.UTC(2019, 2, 4, 12, 34, 56));
    expect(parseIsoTime('2019-03-04 12:34:56+0100')).toBe(Date.UTC(2019, 2, 4, 11, 34, 56));
    expect(parseIsoTime('2019-03-04T12:34:56.123456Z')).toBe(Date.UTC(2019, 2, 4, 12, 34, 56, 123));
    expect(parseIsoTime('2019-03-04T12:34:56.5+00:00')).toBe(Date.UTC(2019, 2, 4, 12, 34, 56, 500));
  });

  it('refuses a time without a zone, and malformed ones', () => {
    for (const bad of [
      '2019-03-04T12:34:56',
      '2019-03-04T12:34:56.Z',
      '2019-13-04T12:34:56Z',
      '2019-03-04T12:34:56+01',
      '2019/03/04T12:34:56Z',
      '2019-03-04T12:34:56Zx',
    ]) {
      expect(parseIsoTime(bad), bad).toBeNaN();
    }
  });
});

describe('daysFromCivil', () => {
  it('matches Date.UTC across eras', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [1969, 12, 31],
      [2000, 2, 29],
      [2100, 3, 1],
      [1600, 1, 1],
      [2400, 12, 31],
    ]) {
      expect(daysFromCivil(y, m, d) * 86_400_000, `${y}-${m}-${d}`).toBe(Date.UTC(y, m - 1, d));
    }
  });
});
