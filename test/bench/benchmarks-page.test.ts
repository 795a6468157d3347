/**
 * BENCHMARKS.md and bench/results/summary.svg are made from bench/BENCHMARKS.md.tmpl and the
 * committed results files; this fails when either was edited by hand or not regenerated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  makeBenchmarksPage,
  PAGE_PATH,
  RESULTS_DIR,
  readResults,
  SUMMARY_CHART_PATH,
  TEMPLATE_PATH,
} from '../../src/bench/benchmarks-page';
import { TARGETS } from '../../src/bench/targets';

describe('BENCHMARKS.md', () => {
  it('is what the template and the results files make (run npm run bench:md)', async () => {
    const page = await makeBenchmarksPage();
    // Compared as text, not with toBe on 600 lines: the first differing line is the message.
    const committed = readFileSync(PAGE_PATH, 'utf8').split('\n');
    const made = page.markdown.split('\n');
    const first = made.findIndex((line, i) => committed[i] !== line);
    expect(
      first === -1 ? null : { line: first + 1, committed: committed[first], made: made[first] },
    ).toBeNull();
    expect(committed.length).toBe(made.length);
    expect(readFileSync(SUMMARY_CHART_PATH, 'utf8')).toBe(page.svg);
  }, 60_000);

  it('declares each target once, on a results key the runs write', () => {
    const ids = TARGETS.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of TARGETS) expect(t.results).toMatch(/^(cluster\/)?[a-z][a-z0-9-]*$/);
    // Every results file has what the page reads of it, so a new stage's file lands as it is.
    for (const [key, file] of readResults(RESULTS_DIR)) {
      expect({ key, rows: Array.isArray(file.rows), ratios: Array.isArray(file.ratios) }).toEqual({
        key,
        rows: true,
        ratios: true,
      });
      expect(typeof file.machine.cpu).toBe('string');
    }
  });

  it('shows every target on the page, met or not met', () => {
    const template = readFileSync(TEMPLATE_PATH, 'utf8');
    const shown = new Set([...template.matchAll(/\{\{\s*target (\S+)\s*\}\}/g)].map((m) => m[1]));
    expect(TARGETS.map((t) => t.id).filter((id) => !shown.has(id))).toEqual([]);
  });
});
