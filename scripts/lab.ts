/**
 * Grade labs.
 *   npm run lab -- 01              grade the learner's labs/01-parse/exercise.ts
 *   npm run lab -- 01 --solution   grade the reference solution instead
 *   npm run labs:check             prove that every untouched exercise.ts fails its tests
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run lab -- NN [--solution]   grade labs/NN-*/exercise.ts (or solution.ts)\n' +
      '       npm run labs:check               check that every untouched exercise.ts fails its tests\n',
  );
  process.exit(0);
}

const labs = readdirSync('labs', { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name))
  .map((d) => d.name)
  .sort();

function runVitest(dir: string, target: 'exercise' | 'solution'): number {
  const result = spawnSync('npx', ['vitest', 'run', join('labs', dir)], {
    stdio: 'inherit',
    env: { ...process.env, LOGLAB_LAB_TARGET: target },
  });
  return result.status ?? 1;
}

/** Run a lab's tests quietly and count them: an exercise "failing" because no test ran proves nothing. */
function countResults(
  dir: string,
  target: 'exercise' | 'solution',
): { passed: number; failed: number } {
  const report = join(mkdtempSync(join(tmpdir(), 'loglab-lab-')), 'report.json');
  spawnSync(
    'npx',
    ['vitest', 'run', join('labs', dir), '--reporter=json', `--outputFile=${report}`],
    {
      stdio: 'pipe',
      env: { ...process.env, LOGLAB_LAB_TARGET: target },
    },
  );
  if (!existsSync(report)) return { passed: 0, failed: 0 };
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
  };
  return { passed: json.numPassedTests, failed: json.numFailedTests };
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
process.stdout.write(`Grading labs/${dir}/${target}.ts\n`);
process.exit(runVitest(dir, target));
