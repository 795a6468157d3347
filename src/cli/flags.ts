/**
 * Number flags, parsed the same way by every command: one line naming the flag and what it got
 * (exit 2) for a bad value.
 */
import { badFlag } from '../errors';

/**
 * A whole-number flag (--lines, --seed, --batch, --top, …), at least `min` when one is given;
 * "1e6" and "1_000_000" are accepted.
 */
export function parseCount(text: string, flag: string, min?: number): number {
  const value = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isSafeInteger(value) || (min !== undefined && value < min)) {
    throw badFlag(
      `${flag} must be a whole number${min === undefined ? '' : ` ≥ ${min}`}, got "${text}"`,
    );
  }
  return value;
}

/** --rate: lines per second above 0, at most `max`. */
export function parseRate(text: string, max = 10_000_000): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw badFlag(
      `--rate must be a number of lines per second above 0 (at most ${max}), got "${text}"`,
    );
  }
  return value;
}
