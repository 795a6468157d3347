/**
 * Stream throughput: the embedded broker, and kafkajs and @platformatic/kafka beside kcat on the
 * real broker.
 *   npx tsx bench/stream.ts [--messages N] [--cluster-messages N] [--runs N] [--time MS]
 *                           [--codecs none,gzip] [--prefetch N] [--no-cluster] [--no-platformatic]
 * @platformatic/kafka runs when installed (npm install --no-save @platformatic/kafka@1.35.0; the
 * report says so when it is not); --no-platformatic leaves it out.
 * Prints the table and writes bench/results/stream.json. Without a broker (`npm run cluster --
 * up`) it says so in one line and measures the embedded broker only.
 */

import type { Codec } from '../src/bench/codec';
import { formatReport, writeReport } from '../src/bench/harness';
import { benchStream } from '../src/bench/stream-bench';

function fail(message: string): never {
  process.stderr.write(`bench/stream: ${message}\n`);
  process.exit(2);
}

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i === -1) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} needs a positive whole number`);
  return value;
}

function codecs(): Codec[] | undefined {
  const i = process.argv.indexOf('--codecs');
  if (i === -1) return undefined;
  const list = (process.argv[i + 1] ?? '').split(',');
  for (const c of list) if (c !== 'none' && c !== 'gzip') fail('--codecs takes none and/or gzip');
  return list as Codec[];
}

const started = Date.now();
const report = await benchStream({
  embeddedMessages: flag('--messages'),
  clusterMessages: flag('--cluster-messages'),
  runs: flag('--runs'),
  time: flag('--time'),
  prefetchRecords: flag('--prefetch'),
  codecs: codecs(),
  cluster: process.argv.includes('--no-cluster') ? false : 'auto',
  platformatic: !process.argv.includes('--no-platformatic'),
  log: (line) =>
    process.stderr.write(`  ${line} (${Math.round((Date.now() - started) / 1000)} s)\n`),
});
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
