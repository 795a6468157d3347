/**
 * Parser throughput per format, against a plain regular-expression parser in the same run.
 *   npx tsx bench/parse.ts [--lines N] [--time MS]
 * Prints the table and writes bench/results/parse.json.
 */

import { formatReport, writeReport } from '../src/bench/harness';
import { benchParsers } from '../src/bench/parse-bench';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i === -1) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench/parse: ${name} needs a positive number\n`);
    process.exit(2);
  }
  return value;
}

const report = await benchParsers({ lines: flag('--lines'), time: flag('--time') });
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
