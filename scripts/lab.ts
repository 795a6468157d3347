/**
 * Grade labs.
 *   npm run lab -- 01              grade the learner's labs/01-parse/exercise.ts: a short summary
 *   npm run lab -- 01 --verbose    the summary, then vitest's full report
 *   npm run lab -- 01 --solution   grade the reference solution instead
 *   npm run labs:check             prove that every untouched exercise.ts fails its tests
 *
 * An untouched exercise fails every test at once, and vitest's report of that is hundreds of
 * lines; a student first needs how many fail, the first message and the file to edit
 * (lab-summary.ts). lab-reporter.ts hands the run over as JSON, so the summary can come first.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLabSummary, type LabOutcome } from './lab-summary';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run lab -- NN [--solution] [--verbose]\n' +
      '                                       grade labs/NN-*/exercise.ts (or solution.ts): a summary,\n' +
      "                                       then vitest's full report with --verbose\n" +
      '       npm run labs:check               check that every untouched exercise.ts fails its tests\n',
  );
  process.exit(0);
}

const labs = readdirSync('labs', { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name))
  .map((d) => d.name)
  .sort();

interface LabRun {
  outcome: LabOutcome;
  /** vitest's exit code. */
  status: number;
  /** vitest's own report, when it was asked for. */
  report: string;
}

/** Run a lab's tests through lab-reporter.ts, and vitest's default reporter too when `full`. */
function runLab(dir: string, target: 'exercise' | 'solution', full: boolean): LabRun {
  const folder = mkdtempSync(join(tmpdir(), 'loglab-lab-'));
  const file = join(folder, 'outcome.json');
  const reporters = ['--reporter=./scripts/lab-reporter.ts'];
  if (full) reporters.push('--reporter=default');
  const result = spawnSync('npx', ['vitest', 'run', join('labs', dir), ...reporters], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LOGLAB_LAB_TARGET: target,
      LOGLAB_LAB_REPORT: file,
      // The report is captured to be printed after the summary; keep its colours on a terminal.
      ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
    },
  });
  const outcome: LabOutcome = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as LabOutcome)
    : { tests: [], errors: [`vitest did not run: ${(result.stderr || result.stdout).trim()}`] };
  rmSync(folder, { recursive: true, force: true });
  return { outcome, status: result.status ?? 1, report: `${result.stdout}${result.stderr}` };
}

/** Count a lab's results: an exercise "failing" because no test ran proves nothing. */
function countResults(
  dir: string,
  target: 'exercise' | 'solution',
): { passed: number; failed: number } {
  const { tests, errors } = runLab(dir, target, false).outcome;
  return {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length + errors.length,
  };
}

if (args.includes('--check-exercises')) {
  let bad = 0;
  for (const dir of labs) {
    if (!existsSync(join('labs', dir, 'exercise.ts'))) continue;
    const solution = countResults(dir, 'solution');
    const exercise = countResults(dir, 'exercise');
    if (solution.passed === 0 || solution.failed > 0) {
      process.stderr.write(
        `labs/${dir}: solution.ts should pass every test (passed ${solution.passed}, failed ${solution.failed})\n`,
      );
      bad++;
    } else if (exercise.failed === 0) {
      process.stderr.write(
        `labs/${dir}: the untouched exercise.ts fails no test; its tests cannot fail\n`,
      );
      bad++;
    } else {
      process.stdout.write(
        `labs/${dir}: solution.ts passes ${solution.passed} tests; untouched exercise.ts fails ${exercise.failed} of ${exercise.failed + exercise.passed}, as it should\n`,
      );
    }
  }
  process.exit(bad === 0 ? 0 : 1);
}

const wanted = args.find((a) => /^\d+$/.test(a));
if (!wanted) {
  process.stderr.write(
    `lab: name a lab number, one of: ${labs.map((l) => l.slice(0, 2)).join(', ')}\n`,
  );
  process.exit(2);
}
const dir = labs.find((l) => l.startsWith(wanted.padStart(2, '0')));
if (!dir) {
  process.stderr.write(`lab: no lab ${wanted}; there are: ${labs.join(', ')}\n`);
  process.exit(2);
}
const target = args.includes('--solution') ? 'solution' : 'exercise';
const verbose = args.includes('--verbose');
const run = runLab(dir, target, verbose);
const command = `npm run lab -- ${wanted}${target === 'solution' ? ' --solution' : ''}`;
process.stdout.write(
  formatLabSummary(run.outcome, { lab: `labs/${dir}`, file: `${target}.ts`, command, verbose }),
);
if (verbose) process.stdout.write(run.report);
process.exit(run.status);
