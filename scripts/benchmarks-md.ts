/**
 * Regenerate BENCHMARKS.md and bench/results/summary.svg from the results files and
 * bench/BENCHMARKS.md.tmpl (src/bench/benchmarks-page.ts says how). `npm run bench` and
 * `npm run bench:cluster` call it after their stages; run it alone after editing the template.
 *
 *   npm run bench:md            write both files
 *   npm run bench:md -- --check exit 1 when either file is not what the results make
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { makeBenchmarksPage, PAGE_PATH, SUMMARY_CHART_PATH } from '../src/bench/benchmarks-page';
import { TemplateError } from '../src/bench/results-template';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run bench:md [-- --check]\n' +
      '  Fills bench/BENCHMARKS.md.tmpl from bench/results/**/*.json and writes BENCHMARKS.md and\n' +
      '  bench/results/summary.svg; --check only compares them and exits 1 when they differ.\n' +
      'example: npm run bench:md\n',
  );
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  process.stderr.write(`bench:md: unknown option ${unknown.join(', ')}; see --help\n`);
  process.exit(2);
}

try {
  const page = await makeBenchmarksPage();
  const files: [string, string][] = [
    [PAGE_PATH, page.markdown],
    [SUMMARY_CHART_PATH, page.svg],
  ];
  if (args.includes('--check')) {
    const stale = files.filter(([path, text]) => {
      try {
        return readFileSync(path, 'utf8') !== text;
      } catch {
        return true;
      }
    });
    for (const [path] of stale) {
      process.stderr.write(
        `bench:md: ${path} is not what the results make; run npm run bench:md\n`,
      );
    }
    process.exit(stale.length === 0 ? 0 : 1);
  }
  for (const [path, text] of files) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
} catch (err) {
  if (!(err instanceof TemplateError)) throw err;
  process.stderr.write(`bench:md: ${err.message}\n`);
  process.exit(2);
}
