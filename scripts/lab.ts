/**
 * Grade labs.
 *   npm run lab -- 01              grade the learner's labs/01-parse/exercise.ts
 *   npm run lab -- 01 --solution   grade the reference solution instead
 *   npm run labs:check             prove that every untouched exercise.ts fails its tests
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

function runVitest(dir: string, target: 'exercise' | 'solution', quiet: boolean): number {
  const result = spawnSync('npx', ['vitest', 'run', '--dir', join('labs', dir)], {
    stdio: quiet ? 'pipe' : 'inherit',
    env: { ...process.env, LOGLAB_LAB_TARGET: target },
  });
  return result.status ?? 1;
}

if (args.includes('--check-exercises')) {
  let bad = 0;
  for (const dir of labs) {
    if (!existsSync(join('labs', dir, 'exercise.ts'))) continue;
    const code = runVitest(dir, 'exercise', true);
    if (code === 0) {
      process.stderr.write(
        `labs/${dir}: the untouched exercise.ts PASSES its tests; they cannot fail\n`,
      );
      bad++;
    } else {
      process.stdout.write(`labs/${dir}: untouched exercise.ts fails its tests, as it should\n`);
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
process.exit(runVitest(dir, target, false));
