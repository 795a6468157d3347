/** Durations as people type them. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/generate/duration';

describe('parseDuration', () => {
  it('reads single units and combinations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(' 10M ')).toBe(600_000);
  });

  it('refuses what is not a positive duration', () => {
    for (const text of ['', '5', '5x', 'h', '-5m', '0s', '5 m', 'm5', '1..5h', 'NaNh']) {
      expect(`${text}: ${parseDuration(text)}`).toBe(`${text}: null`);
    }
  });
});

describe('formatDuration', () => {
  it('writes the shortest exact text', () => {
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_250)).toBe('1h250ms');
    expect(formatDuration(0)).toBe('0s');
  });

  it('reads back what it writes', () => {
    for (const ms of [1, 999, 61_000, 7_200_000, 93_784_005])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
