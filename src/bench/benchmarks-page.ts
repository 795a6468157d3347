/**
 * BENCHMARKS.md and its summary chart, made from the results files: read every
 * bench/results/**.json, fill bench/BENCHMARKS.md.tmpl (results-template.ts), judge the targets
 * (targets.ts) and draw bench/results/summary.svg. `npm run bench:md` writes both; a test makes
 * them in memory and fails when the committed files differ, so the page is never edited by hand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { benchSummaryChart } from '../viz/bench-summary-chart';
import { renderSvg } from '../viz/render';
import { formatFigure } from './results-format';
import {
  judgeTarget,
  type ResultsFile,
  type ResultsSet,
  renderTemplate,
  type TargetResult,
} from './results-template';
import { TARGETS, type Target } from './targets';

export const TEMPLATE_PATH = join('bench', 'BENCHMARKS.md.tmpl');
export const RESULTS_DIR = join('bench', 'results');
export const PAGE_PATH = 'BENCHMARKS.md';
export const SUMMARY_CHART_PATH = join(RESULTS_DIR, 'summary.svg');

/** Every results file under `dir`, keyed by its path without `.json` (`parse`, `cluster/stream`). */
export function readResults(dir: string): ResultsSet {
  const out = new Map<string, ResultsFile>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) {
        const key = relative(dir, path).slice(0, -'.json'.length).split(sep).join('/');
        out.set(key, JSON.parse(readFileSync(path, 'utf8')) as ResultsFile);
      }
    }
  };
  walk(dir);
  return out;
}

/** The targets that have a results file, judged. */
export function judgeTargets(
  results: ResultsSet,
  targets: readonly Target[] = TARGETS,
): TargetResult[] {
  return targets.flatMap((t) => judgeTarget(results, t) ?? []);
}

export interface BenchmarksPage {
  readonly markdown: string;
  readonly svg: string;
}

/** The page and its chart, from the template and results under `root` (the repository). */
export async function makeBenchmarksPage(root = '.'): Promise<BenchmarksPage> {
  const results = readResults(join(root, RESULTS_DIR));
  const template = readFileSync(join(root, TEMPLATE_PATH), 'utf8');
  const markdown = renderTemplate(template, results, TARGETS);
  const judged = judgeTargets(results);
  const svg = await renderSvg(
    benchSummaryChart(
      judged.map((j) => ({
        label: j.target.label,
        share: j.share,
        met: j.met,
        figure: formatFigure(j.value, j.target.format) ?? String(j.value),
      })),
    ),
  );
  return { markdown, svg: `${svg.trim()}\n` };
}
