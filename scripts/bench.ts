/**
 * Run the benchmarks: every `bench/<stage>.ts`, one after the other (they compete for the same
 * two cores otherwise). Each writes `bench/results/<stage>.json`; with --chart, each result is
 * also drawn to `bench/results/<stage>.svg` with the same chart the notebooks show.
 *
 *   npm run bench                    all stages
 *   npm run bench -- parse summary   only these
 *   npm run bench -- --chart         and draw the charts
 *   npm run bench -- cli -- --lines 10000000   arguments after a second `--` go to each script
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const allArgs = process.argv.slice(2);
const split = allArgs.indexOf('--');
const args = split === -1 ? allArgs : allArgs.slice(0, split);
const passed = split === -1 ? [] : allArgs.slice(split + 1);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run bench [-- [STAGE ...] [--chart] [-- SCRIPT-ARGS ...]]\n' +
      '  Runs bench/<stage>.ts for every stage (or the ones named), writes bench/results/<stage>.json,\n' +
      '  and with --chart draws bench/results/<stage>.svg. SCRIPT-ARGS go to each script\n' +
      '  (e.g. npm run bench -- cli -- --lines 10000000).\n',
  );
  process.exit(0);
}
const chart = args.includes('--chart');
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}\n`,
  );
  process.exit(2);
}
const stages = wanted.length > 0 ? wanted : all;

let failed = 0;
for (const stage of stages) {
  process.stdout.write(`\n== bench/${stage}.ts ==\n`);
  const result = spawnSync('npx', ['tsx', join('bench', `${stage}.ts`), ...passed], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write(`bench: ${stage} failed with exit code ${result.status}\n`);
    failed++;
    continue;
  }
  const json = join('bench', 'results', `${stage}.json`);
  if (chart && existsSync(json)) {
    const viz = await import('../src/viz');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const svg = await viz.renderSvg(viz.benchChart(report));
    writeFileSync(join('bench', 'results', `${stage}.svg`), svg);
    process.stdout.write(`chart: bench/results/${stage}.svg\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
