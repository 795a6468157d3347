/**
 * Parser throughput per format, against a plain regular-expression parser in the same run.
 *   npx tsx bench/parse.ts [--lines N] [--time MS]
 * Prints the table and writes bench/results/parse.json.
 */

import { benchArgs } from '../src/bench/args';
import { formatReport, writeReport } from '../src/bench/harness';
import { benchParsers } from '../src/bench/parse-bench';

const args = benchArgs(
  'parse',
  `usage: npx tsx bench/parse.ts [--lines N] [--time MS]
Parser throughput per format (combined, common, JSON, auto) against a regular-expression parser
in the same run, on the real log shipped in data/real-logs. Writes bench/results/parse.json.`,
  { values: ['lines', 'time'] },
);

const report = await benchParsers({ lines: args.count('lines'), time: args.count('time') });
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
