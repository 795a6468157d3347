/**
 * Durations as people type them: "30s", "5m", "24h", "7d", "1h30m", "250ms". Plain numbers are
 * rejected: "5" could mean seconds or minutes, and a wrong guess silently changes a whole log.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds for a duration text, or null when it is not one (or is not positive). */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (s.length === 0) return null;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    const numStart = i;
    while (i < s.length && ((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || s[i] === '.')) i++;
    if (i === numStart) return null;
    const value = Number(s.slice(numStart, i));
    if (!Number.isFinite(value)) return null;
    const unitStart = i;
    while (i < s.length && s.charCodeAt(i) >= 97 && s.charCodeAt(i) <= 122) i++;
    const unit = UNIT_MS[s.slice(unitStart, i)];
    if (unit === undefined) return null;
    total += value * unit;
  }
  total = Math.round(total);
  return total > 0 ? total : null;
}

/** The shortest exact text for a duration: 86400000 → "24h", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
