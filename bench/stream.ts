/**
 * Stream throughput: the embedded broker, and kafkajs, the optional librdkafka client,
 * kafka-python and @platformatic/kafka beside kcat on the real broker.
 *   npx tsx bench/stream.ts [--messages N] [--cluster-messages N] [--runs N] [--time MS]
 *                           [--codecs none,gzip] [--prefetch N] [--no-cluster] [--no-platformatic]
 *                           [--no-kafka-python] [--no-rdkafka]
 * The librdkafka client (LOGLAB_KAFKA_CLIENT=rdkafka) runs when `npm run kafka:rdkafka` installed
 * it (the report says so when it is not); --no-rdkafka leaves it out.
 * @platformatic/kafka runs when installed (npm install --no-save @platformatic/kafka@1.35.0; the
 * report says so when it is not); --no-platformatic leaves it out. kafka-python, the classic
 * system's client, runs in a virtual environment made once under .cache/ (python3 and PyPI
 * needed; the report says why when it cannot); --no-kafka-python leaves it out.
 * Prints the table and writes bench/results/stream.json. Without a broker (`npm run cluster --
 * up`) it says so in one line and measures the embedded broker only.
 */

import { benchArgs } from '../src/bench/args';
import type { Codec } from '../src/bench/codec';
import { formatReport, writeReport } from '../src/bench/harness';
import { benchStream } from '../src/bench/stream-bench';

const args = benchArgs(
  'stream',
  `usage: npx tsx bench/stream.ts [--messages N] [--cluster-messages N] [--runs N] [--time MS]
                           [--codecs none,gzip] [--prefetch N] [--no-cluster] [--no-platformatic]
                           [--no-kafka-python] [--no-rdkafka]
The embedded broker's produce and consume throughput, and on the real Kafka broker (when one
answers) kafkajs, the librdkafka client (when npm run kafka:rdkafka installed it),
@platformatic/kafka (when installed) and kafka-python (in a virtual environment made once
under .cache/) beside kcat, with CPU per message.
--no-cluster measures the embedded broker only. Writes bench/results/stream.json.
example: npx tsx bench/stream.ts --codecs none --runs 3`,
  {
    values: ['messages', 'cluster-messages', 'runs', 'time', 'prefetch', 'codecs'],
    switches: ['no-cluster', 'no-platformatic', 'no-kafka-python', 'no-rdkafka'],
  },
);

function codecs(): Codec[] | undefined {
  const text = args.text('codecs');
  if (text === undefined) return undefined;
  const list = text.split(',');
  for (const c of list)
    if (c !== 'none' && c !== 'gzip') args.fail('--codecs takes none and/or gzip');
  return list as Codec[];
}

const started = Date.now();
const report = await benchStream({
  embeddedMessages: args.count('messages'),
  clusterMessages: args.count('cluster-messages'),
  runs: args.count('runs'),
  time: args.count('time'),
  prefetchRecords: args.count('prefetch'),
  codecs: codecs(),
  cluster: args.on('no-cluster') ? false : 'auto',
  platformatic: !args.on('no-platformatic'),
  kafkaPython: !args.on('no-kafka-python'),
  rdkafka: !args.on('no-rdkafka'),
  log: (line) =>
    process.stderr.write(`  ${line} (${Math.round((Date.now() - started) / 1000)} s)\n`),
});
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
